"""The exercise tool's command line: ./course exercises ... and ./course check ... (python3 -m exercise_tool,
with tools/ on the path; tools/exercises.py is the same for CI)."""
from __future__ import annotations

import argparse
import os
import sys

from .check import cmd_check
from .course import ROOT, Course
from .names import chapter_key
from .readme import cmd_readme
from .verify import cmd_lint, cmd_verify
from .workspace import Workspace, cmd_diff, cmd_init, cmd_list, cmd_reset, cmd_solve, cmd_status, cmd_update


def parser() -> argparse.ArgumentParser:
    """Every command, each with the function that runs it (set_defaults(run=...)): run(args, course, workspace)."""
    p = argparse.ArgumentParser(prog="./course exercises", description="Your exercise workspace.")
    p.set_defaults(run=lambda a, c, w: cmd_status(c, w))
    sub = p.add_subparsers(dest="cmd", metavar="command")

    def command(name: str, run, help: str, **kw) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".", **kw)
        s.set_defaults(run=run)
        return s

    c = command("check", lambda a, c, w: cmd_check(c, w, a.chapter, a.watch, a.timeout),
                "build your workspace and run a chapter's exercise tests; with no chapter, your progress",
                prog="./course check")
    c.add_argument("chapter", nargs="?", type=chapter_key, help="4, 04 or ch04")
    c.add_argument("--watch", action="store_true", help="check again whenever a workspace file changes")
    c.add_argument("--timeout", type=float, default=600, help="seconds the tests may run (default 600)")
    command("init", lambda a, c, w: cmd_init(c, w), "create workspace/ (never overwrites your files)")
    command("status", lambda a, c, w: cmd_status(c, w), "your progress per chapter and what changed in the course")
    r = command("reset", lambda a, c, w: cmd_reset(c, w, a.what),
                "put an exercise (or a chapter, or a file) back to its stub")
    r.add_argument("what", help="an exercise id (ch04.backward), a chapter (4) or a workspace file")
    s = command("solve", lambda a, c, w: cmd_solve(c, w, a.what, a.upto),
                "fill chapters' exercises with the course's reference answers, marked as the reference's "
                "(to check a later chapter without doing the earlier ones)")
    s.add_argument("what", nargs="*", help="chapters (6), exercise ids (ch06.forward) or workspace files")
    s.add_argument("--upto", type=chapter_key, metavar="N", help="every chapter from the first up to N, included")
    command("update", lambda a, c, w: cmd_update(c, w), "take the course's new version of your files, keeping your code")
    d = command("diff", lambda a, c, w: cmd_diff(c, w, a.what),
                "which exercises differ from the reference (comments and spacing aside); with an id, the code")
    d.add_argument("what", nargs="?")
    command("list", lambda a, c, w: cmd_list(c, w), "every exercise, where you write it, and its hint")
    lint = command("lint", lambda a, c, w: cmd_lint(c), "(CI) check the markers and that every exercise has tests")
    command("readme", lambda a, c, w: cmd_readme(c),
            "(CI) check that the README's sample outputs count what the course has")
    v = command("verify", lambda a, c, w: cmd_verify(c, a),
                "(CI) lint, build the stubs and a mutant, check every exercise's tests")
    v.add_argument("--build-dir", default=str(ROOT / "build" / "exercise-check"))
    v.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    v.add_argument("--timeout", type=float, default=300)
    v.add_argument("--cxx", default="")
    v.add_argument("--launcher", default="")
    v.add_argument("--generator", default="")
    v.add_argument("--write-dependencies", action="store_true",
                   help="write which exercises each exercise test runs into tools/exercise_dependencies.json")
    for cmd in (lint, v):
        cmd.add_argument("--only", nargs="*", default=[], type=chapter_key, help="only these chapters (e.g. 4 5)")
    return p


def main(argv: list[str]) -> int:
    if argv and argv[0] == "exercises":  # ./course exercises <command>; ./course check is "check"
        argv = argv[1:]
    args = parser().parse_args(argv)
    course = Course()
    if getattr(args, "only", None):
        course.restrict(args.only)
    return args.run(args, course, Workspace(course))


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
