#!/usr/bin/env python3
"""The course's exercises: a learner's workspace of stubs, checked by the course's own tests.

One source of truth: the lesson code marks every function body a learner writes,

    // BEGIN EXERCISE ch01.sigmoid
    // hint: σ(z) = 1 / (1 + e^{-z}), element-wise: use arma::exp
    return 1.0 / (1.0 + arma::exp(-z));
    // END EXERCISE

and the tests of exercise ch01.sigmoid are the GoogleTest suite ch01_sigmoid.

    ./course exercises init      copy every lesson file with exercises into workspace/, each region a stub
    ./course exercises status    progress per chapter (from the last checks), and what changed in the course
    ./course exercises reset ID  put exercise ID (or a chapter: ch04, or a workspace file) back to its stub
    ./course exercises update    take the course's new version of your files, keeping what you wrote
    ./course exercises diff [ID] your code next to the reference (the solution: only when you want it)
    ./course check N [--watch]   build your workspace and run chapter N's exercise tests
    ./course check               your progress

and for the course's own CI (through CTest, label "exercises"):

    tools/exercises.py lint      the markers are well formed and every exercise has a test suite
    tools/exercises.py readme    the README's sample outputs count the exercises the course has
    tools/exercises.py verify    lint; the generated workspace builds; every exercise's tests fail on its
                                 stub with its own "not implemented" message and pass on the reference;
                                 which other exercises each exercise test runs (tools/exercise_dependencies.json)

The tool itself is the package exercise_tool/ next to this file (tools/README.md: one module per concern).

Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exercise_tool.check import cmd_check  # noqa: E402
from exercise_tool.course import ROOT, Course  # noqa: E402
from exercise_tool.readme import cmd_readme  # noqa: E402
from exercise_tool.verify import cmd_lint, cmd_verify  # noqa: E402
from exercise_tool.workspace import Workspace, cmd_diff, cmd_init, cmd_reset, cmd_status, cmd_update  # noqa: E402


def main(argv: list[str]) -> int:
    if argv and argv[0] == "check":
        p = argparse.ArgumentParser(prog="./course check", description="Build your workspace and run a chapter's "
                                    "exercise tests; with no chapter, your progress.")
        p.add_argument("chapter", nargs="?", help="4, 04 or ch04")
        p.add_argument("--watch", action="store_true", help="check again whenever a workspace file changes")
        p.add_argument("--timeout", type=float, default=600, help="seconds the tests may run (default 600)")
        a = p.parse_args(argv[1:])
        course = Course()
        return cmd_check(course, Workspace(course), a.chapter, a.watch, a.timeout)
    if argv and argv[0] == "exercises":
        argv = argv[1:]
    p = argparse.ArgumentParser(prog="./course exercises", description="Your exercise workspace.")
    sub = p.add_subparsers(dest="cmd", metavar="command")
    sub.add_parser("init", help="create workspace/ (never overwrites your files)")
    sub.add_parser("status", help="your progress per chapter and what changed in the course")
    r = sub.add_parser("reset", help="put an exercise (or a chapter, or a file) back to its stub")
    r.add_argument("what", help="an exercise id (ch04.backward), a chapter (4) or a workspace file")
    sub.add_parser("update", help="take the course's new version of your files, keeping your code")
    d = sub.add_parser("diff", help="which exercises differ from the reference; with an id, the code")
    d.add_argument("what", nargs="?")
    sub.add_parser("list", help="every exercise and its hint")
    sub.add_parser("lint", help="(CI) check the markers and that every exercise has tests")
    sub.add_parser("readme", help="(CI) check that the README's sample outputs count what the course has")
    v = sub.add_parser("verify", help="(CI) lint, build the stubs and a mutant, check every exercise's tests")
    v.add_argument("--build-dir", default=str(ROOT / "build" / "exercise-check"))
    v.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    v.add_argument("--timeout", type=float, default=300)
    v.add_argument("--cxx", default="")
    v.add_argument("--launcher", default="")
    v.add_argument("--generator", default="")
    v.add_argument("--only", nargs="*", default=[], help="only these chapters (e.g. 4 5)")
    v.add_argument("--write-dependencies", action="store_true",
                   help="write which exercises each exercise test runs into tools/exercise_dependencies.json")
    sub.choices["lint"].add_argument("--only", nargs="*", default=[], help="only these chapters")
    a = p.parse_args(argv)
    course = Course()
    ws = Workspace(course)
    if a.cmd == "init":
        return cmd_init(course, ws)
    if a.cmd in (None, "status"):
        return cmd_status(course, ws)
    if a.cmd == "reset":
        return cmd_reset(course, ws, a.what)
    if a.cmd == "update":
        return cmd_update(course, ws)
    if a.cmd == "diff":
        return cmd_diff(course, ws, a.what)
    if a.cmd == "list":
        for chapter, exs in course.chapters().items():
            print(f"{chapter}  {course.chapter_title(chapter)}")
            for ex in exs:
                print(f"  {ex.id:<28} {ex.file}:{ex.begin + 1}\n  {'':<28} hint: {ex.hint}")
        return 0
    if a.cmd == "lint":
        if a.only:
            course.restrict(a.only)
        return cmd_lint(course)
    if a.cmd == "readme":
        return cmd_readme(course)
    if a.cmd == "verify":
        return cmd_verify(course, a)
    p.print_help()
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
