"""The learner's workspace: their copies of the lesson files, the record of their checks, and the commands
that manage it (init, status, reset, update, diff)."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import json
import shutil
import sys
from pathlib import Path

from .course import Course, rel
from .markers import (Exercise, code_tokens, is_marked_reference, is_reference, is_stub, make_stub, parse,
                      reference_lines, sha, stub_lines, transform)
from .names import atomic_write, chapter_key, chapter_of, is_chapter_arg, number

STATE_FILE = ".exercises.json"
BACKUP_DIR = ".backup"


def now() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class Workspace:
    def __init__(self, course: Course, path: Path | None = None):
        self.course = course
        self.path = path or course.root / "workspace"
        self.state_path = self.path / STATE_FILE
        self.state = {"version": 1, "files": {}, "exercises": {}, "results": {}}
        if self.state_path.is_file():
            try:
                self.state.update(json.loads(self.state_path.read_text(encoding="utf-8")))
            except (OSError, ValueError) as e:
                print(f"warning: {self.state_path} is unreadable ({e}); starting a fresh record", file=sys.stderr)

    def exists(self) -> bool:
        return self.path.is_dir()

    def save(self) -> None:
        atomic_write(self.state_path, json.dumps(self.state, indent=1, sort_keys=True, ensure_ascii=False) + "\n")

    def file(self, rel_path: str) -> Path:
        return self.path / rel_path

    def record_file(self, rel_path: str) -> None:
        """Remember which reference this workspace file was made from (for 'status' after a git pull)."""
        text = self.course.files[rel_path]
        self.state["files"][rel_path] = {"reference": sha(text), "made": now()}
        for ex in self.course.exercises_in(rel_path):
            self.state["exercises"][ex.id] = {"file": rel_path, "reference": ex.body_hash()}

    def write(self, rel_path: str, text: str) -> None:
        atomic_write(self.file(rel_path), text)

    def backup(self, rel_path: str) -> Path:
        src = self.file(rel_path)
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        dst = self.path / BACKUP_DIR / f"{rel_path}.{stamp}"
        n = 1
        while dst.exists():
            dst = self.path / BACKUP_DIR / f"{rel_path}.{stamp}-{n}"
            n += 1
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        return dst

    def learner_regions(self, rel_path: str) -> dict[str, Exercise]:
        path = self.file(rel_path)
        if not path.is_file():
            return {}
        exercises, _ = parse(path.read_text(encoding="utf-8"), rel_path, strict=False)
        return {e.id: e for e in exercises}

    def exercise_state(self, ex: Exercise) -> str:
        """'missing' (no file), 'lost' (markers gone), 'stub' (not started), 'reference' (solve filled it with
        the reference's answer, unchanged since) or 'written'."""
        if not self.file(ex.file).is_file():
            return "missing"
        region = self.learner_regions(ex.file).get(ex.id)
        if region is None:
            return "lost"
        if is_stub(region.hint_lines + region.body, ex):
            return "stub"
        return "reference" if is_reference(region.body, ex) else "written"

    def region_hash(self, ex: Exercise) -> str | None:
        region = self.learner_regions(ex.file).get(ex.id)
        return region.body_hash() if region else None

    def changes_in_course(self) -> list[str]:
        """What changed in the reference since the workspace files were made (after a git pull)."""
        notes = []
        for rel_path, info in sorted(self.state.get("files", {}).items()):
            if not self.file(rel_path).is_file():
                continue
            if rel_path not in self.course.files:
                notes.append(f"{rel_path}: no longer has exercises in the course (your copy still replaces it; "
                             f"delete workspace/{rel_path} to use the course's)")
                continue
            if sha(self.course.files[rel_path]) == info.get("reference"):
                continue
            changed = []
            for ex in self.course.exercises_in(rel_path):
                old = self.state["exercises"].get(ex.id)
                if old is None:
                    changed.append(f"{ex.id} is new")
                elif old.get("reference") != ex.body_hash():
                    changed.append(f"{ex.id} changed")
            gone = [i for i, e in self.state["exercises"].items()
                    if e.get("file") == rel_path and i not in self.course.exercises]
            changed += [f"{i} was removed" for i in gone]
            what = "; ".join(changed) if changed else "code outside the exercises changed"
            notes.append(f"{rel_path} changed in the course ({what}): './course exercises update' takes the "
                         "new version and keeps what you wrote")
        for rel_path in sorted(self.course.files):
            if rel_path not in self.state.get("files", {}) and not self.file(rel_path).exists():
                ids = ", ".join(e.id for e in self.course.exercises_in(rel_path))
                notes.append(f"{rel_path} is new in the course ({ids}): './course exercises init' adds it")
        return notes


def cmd_init(course: Course, ws: Workspace) -> int:
    if course.problems:
        print("The course's exercise markers are broken, so the workspace cannot be made:", file=sys.stderr)
        for p in course.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    ws.path.mkdir(parents=True, exist_ok=True)
    made, kept = [], []
    for rel_path in course.files_in_order():
        text, exs = course.files[rel_path], course.exercises_in(rel_path)
        if ws.file(rel_path).exists():
            kept.append(rel_path)
            continue
        ws.write(rel_path, make_stub(text, exs))
        ws.record_file(rel_path)
        made.append((rel_path, exs))
    ws.save()
    for rel_path, exs in made:
        print(f"  created workspace/{rel_path}  ({', '.join(e.id for e in exs)})")
    for rel_path in kept:
        print(f"  kept    workspace/{rel_path}  (yours: init never overwrites a file)")
    total = len(course.exercises)
    print(f"Your workspace has {total} exercise{'s' * (total != 1)} in {len(course.chapters())} chapter"
          f"{'s' * (len(course.chapters()) != 1)}. Open a file above, write the body between BEGIN and END, then:")
    first = next(iter(course.chapters()), None)
    if first:
        print(f"  ./course check {number(first)}      build your code and run chapter {number(first)}'s exercise tests")
    print("  ./course check        your progress")
    for note in ws.changes_in_course():
        print(f"note: {note}")
    return 0


def status_word(ws: Workspace, ex: Exercise) -> tuple[str, bool]:
    """(what to print, done?) for one exercise, from the workspace and the last check."""
    state = ws.exercise_state(ex)
    if state == "missing":
        return "not in your workspace (./course exercises init)", False
    if state == "lost":
        return f"its BEGIN/END markers are gone from workspace/{ex.file} (./course exercises reset {ex.id})", False
    if state == "stub":
        return "not started", False
    if state == "reference":
        return REFERENCE_WORD, False
    result = ws.state.get("results", {}).get(ex.id)
    if not result:
        return "written, not checked yet", False
    word = result.get("status", "?")
    if result.get("region") != ws.region_hash(ex):
        return f"{word} at the last check, changed since", False
    if word == "blocked":
        word = f"waiting for {result.get('blocked_by')}"
    return word, result.get("status") == "passed"


REFERENCE_WORD = "the reference's answer (./course exercises solve), not yours"


def progress_bar(ws: Workspace, exs: list[Exercise]) -> str:
    """'#' done, 'r' the reference's answer (solve), '.' to do."""
    marks = []
    for ex in exs:
        if status_word(ws, ex)[1]:
            marks.append("#")
        else:
            marks.append("r" if ws.exercise_state(ex) == "reference" else ".")
    return "[" + "".join(marks) + "]"


def solve_note(chapters: list[str]) -> str:
    """Where a learner learns that the exercises of earlier chapters can be the reference's."""
    if not chapters:
        return ""
    last = max(chapters)
    which = (f"./course exercises solve {number(last)}" if len(chapters) == 1
             else f"./course exercises solve --upto {number(last)}")
    return f"{which} fills {'that chapter' if len(chapters) == 1 else 'those chapters'} with the reference's answers"


def cmd_status(course: Course, ws: Workspace, detail: bool = True) -> int:
    if not ws.exists():
        print("You have no workspace yet: './course exercises init' creates it (workspace/, yours, git-ignored).")
        return 0
    chapters = course.chapters()
    if not chapters:
        print("The course has no exercises yet.")
        return 0
    all_done = 0
    width = max(len(i) for i in course.exercises) + 2
    next_up = None
    most = max(len(exs) for exs in chapters.values())
    print("Your progress (from your last './course check N'):")
    waits_on: set[str] = set()  # chapters other chapters' exercises wait for
    for chapter, exs in chapters.items():
        words = [(ex, *status_word(ws, ex)) for ex in exs]
        done = sum(1 for _, _, d in words if d)
        all_done += done
        if next_up is None and done < len(exs) and any(ws.exercise_state(e) != "reference" for e in exs):
            next_up = chapter
        for ex in exs:
            result = ws.state.get("results", {}).get(ex.id, {})
            if result.get("status") == "blocked" and chapter_of(result.get("blocked_by", chapter)) != chapter:
                waits_on.add(chapter_of(result["blocked_by"]))
        bar = progress_bar(ws, exs)
        print(f"  {chapter}  {done:>2}/{len(exs):<2} {bar:<{most + 2}}  {course.chapter_title(chapter)}")
        if detail:
            for ex, word, _ in words:
                print(f"          {ex.id:<{width}}{word}")
    print(f"  total {all_done}/{len(course.exercises)}")
    if next_up:
        print(f"next: ./course check {number(next_up)}" + ("" if detail else "   (each exercise: ./course exercises status)"))
    if waits_on:
        print(f"note: some exercises wait for chapter{'s' * (len(waits_on) > 1)} "
              f"{', '.join(str(number(c)) for c in sorted(waits_on))}: {solve_note(sorted(waits_on))}")
    for note in ws.changes_in_course():
        print(f"note: {note}")
    return 0


def resolve_targets(course: Course, what: str) -> tuple[list[Exercise], list[str]]:
    """An exercise id, a chapter (4, 04, ch04) or a file -> (exercises, whole files)."""
    if what in course.exercises:
        return [course.exercises[what]], []
    if is_chapter_arg(what):
        return course.chapters().get(chapter_key(what), []), []
    candidate = what[len("workspace/"):] if what.startswith("workspace/") else what
    if candidate in course.files:
        return [], [candidate]
    raise SystemExit(f"course: error: '{what}' is not an exercise, a chapter or a lesson file with exercises "
                     f"(exercises: {', '.join(sorted(course.exercises)) or 'none'})")


def cmd_reset(course: Course, ws: Workspace, what: str) -> int:
    exercises, files = resolve_targets(course, what)
    if not exercises and not files:
        print(f"Nothing to reset: {what} has no exercises.")
        return 0
    for rel_path in files:
        if ws.file(rel_path).exists():
            print(f"  saved your version: {rel(ws.backup(rel_path))}")
        ws.write(rel_path, make_stub(course.files[rel_path], course.exercises_in(rel_path)))
        ws.record_file(rel_path)
        print(f"  workspace/{rel_path}: every exercise back to its stub")
    for rel_path in sorted({e.file for e in exercises}):
        mine = [e for e in exercises if e.file == rel_path]
        path = ws.file(rel_path)
        if not path.exists():
            ws.write(rel_path, make_stub(course.files[rel_path], course.exercises_in(rel_path)))
            ws.record_file(rel_path)
            print(f"  created workspace/{rel_path}")
            continue
        text = path.read_text(encoding="utf-8")
        regions = {e.id: e for e in parse(text, rel_path, strict=False)[0]}
        lost = [e.id for e in mine if e.id not in regions]
        if lost:
            print(f"course: error: the BEGIN/END markers of {', '.join(lost)} are gone from workspace/{rel_path}, "
                  f"so that region cannot be found. './course exercises reset {rel_path}' resets the whole file "
                  "(your version is saved in workspace/.backup/ first).", file=sys.stderr)
            return 1
        todo = [e for e in mine if not is_stub(regions[e.id].hint_lines + regions[e.id].body, e)]
        if not todo:
            print(f"  {', '.join(e.id for e in mine)}: already the stub")
            continue
        print(f"  saved your version: {rel(ws.backup(rel_path))}")
        ws.write(rel_path, replace_regions(text, regions, {e.id: stub_lines(e) for e in todo}, course))
        for e in todo:
            ws.state["exercises"][e.id] = {"file": rel_path, "reference": e.body_hash()}
            ws.state.get("results", {}).pop(e.id, None)
            print(f"  {e.id}: back to its stub in workspace/{rel_path}")
    ws.save()
    return 0


def replace_regions(text: str, regions: dict[str, Exercise], bodies: dict[str, list[str]], course: Course) -> str:
    """A learner's file with the regions named in bodies given the reference's hint and that body."""
    lines = text.split("\n")
    out, pos = [], 0
    for region in sorted(regions.values(), key=lambda e: e.begin):
        if region.id not in bodies:
            continue
        out.extend(lines[pos: region.begin + 1])
        out.extend(course.exercises[region.id].hint_lines)
        out.extend(bodies[region.id])
        pos = region.end
    out.extend(lines[pos:])
    return "\n".join(out)


@dataclasses.dataclass
class Solved:
    """What solve did: the exercises it filled, those it left alone (the learner's), those it could not find."""
    filled: list[Exercise] = dataclasses.field(default_factory=list)
    already: list[Exercise] = dataclasses.field(default_factory=list)
    kept: list[Exercise] = dataclasses.field(default_factory=list)
    lost: list[Exercise] = dataclasses.field(default_factory=list)
    created: list[str] = dataclasses.field(default_factory=list)


def solve(course: Course, ws: Workspace, exercises: list[Exercise]) -> Solved:
    """Fill these exercises' regions with the reference's answers, marked as such (REFERENCE_MARK): only the
    ones still a stub; what a learner wrote stays."""
    done = Solved()
    for rel_path in sorted({e.file for e in exercises}, key=course.files_in_order().index):
        if not ws.file(rel_path).exists():
            ws.write(rel_path, make_stub(course.files[rel_path], course.exercises_in(rel_path)))
            ws.record_file(rel_path)
            done.created.append(rel_path)
        text = ws.file(rel_path).read_text(encoding="utf-8")
        regions = {e.id: e for e in parse(text, rel_path, strict=False)[0]}
        bodies: dict[str, list[str]] = {}
        for ex in (e for e in exercises if e.file == rel_path):
            state = ws.exercise_state(ex)
            if state == "lost":
                done.lost.append(ex)
            elif state == "reference":
                done.already.append(ex)
            elif state == "written":
                done.kept.append(ex)
            else:
                bodies[ex.id] = reference_lines(ex)
                done.filled.append(ex)
        if bodies:
            ws.write(rel_path, replace_regions(text, regions, bodies, course))
            for ex_id in bodies:
                ws.state.get("results", {}).pop(ex_id, None)
    ws.save()
    return done


def solve_targets(course: Course, what: list[str], upto: str | None) -> list[Exercise]:
    """The exercises of `what` (ids, chapters, files) and of every chapter up to `upto` (a chapter key)."""
    chosen: list[Exercise] = []
    if upto:
        chosen += [e for c, exs in course.chapters().items() if c <= upto for e in exs]
    for w in what:
        exercises, files = resolve_targets(course, w)
        chosen += exercises + [e for f in files for e in course.exercises_in(f)]
    return list({e.id: e for e in chosen}.values())


def cmd_solve(course: Course, ws: Workspace, what: list[str], upto: str | None) -> int:
    targets = solve_targets(course, what, upto)
    if not targets:
        print("Nothing to solve: name a chapter (./course exercises solve 6), chapters up to one "
              "(--upto 7) or an exercise (ch06.forward).")
        return 1
    done = solve(course, ws, targets)
    width = max(len(e.id) for e in targets) + 2
    for rel_path in done.created:
        print(f"  created workspace/{rel_path}")
    for ex in done.filled:
        region = ws.learner_regions(ex.file)[ex.id]
        print(f"  {ex.id:<{width}}the reference's answer, marked as such: workspace/{ex.file}:{region.begin + 1}")
    for ex in done.already:
        print(f"  {ex.id:<{width}}already the reference's answer")
    for ex in done.kept:
        print(f"  {ex.id:<{width}}kept: you wrote it (./course exercises reset {ex.id} first to take the reference's)")
    for ex in done.lost:
        print(f"  {ex.id:<{width}}its BEGIN/END markers are gone from workspace/{ex.file}: not filled")
    chapters = sorted({e.chapter for e in done.filled})
    if done.filled:
        print(f"{len(done.filled)} exercise{'s' * (len(done.filled) != 1)} of chapter{'s' * (len(chapters) > 1)} "
              f"{', '.join(str(number(c)) for c in chapters)} now hold the course's reference answers, not yours.\n"
              "The checks of later chapters use them; './course check' shows them as the reference's ('r').\n"
              "Write your own in their place whenever you like, or './course exercises reset N' for the stubs.")
    return 1 if done.lost else 0


def cmd_update(course: Course, ws: Workspace) -> int:
    """Take the course's current version of every workspace file, keeping the learner's bodies."""
    if not ws.exists():
        return cmd_init(course, ws)
    if course.problems:
        print("The course's exercise markers are broken; not updating:", file=sys.stderr)
        for p in course.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    changed = 0
    for rel_path, text in sorted(course.files.items()):
        path = ws.file(rel_path)
        if not path.exists():
            ws.write(rel_path, make_stub(text, course.exercises_in(rel_path)))
            ws.record_file(rel_path)
            print(f"  created workspace/{rel_path}")
            changed += 1
            continue
        if sha(text) == ws.state["files"].get(rel_path, {}).get("reference"):
            continue
        regions = ws.learner_regions(rel_path)
        exs = course.exercises_in(rel_path)
        kept, fresh, solved = [], [], []

        def body(ex: Exercise) -> list[str]:
            mine = regions.get(ex.id)
            if mine is None or is_stub(mine.hint_lines + mine.body, ex):
                fresh.append(ex.id)
                return stub_lines(ex)
            if is_marked_reference(mine.body):  # solve's answer: the course's new one
                solved.append(ex.id)
                return reference_lines(ex)
            kept.append(ex.id)
            return mine.body
        new_text = transform(text, exs, body)
        lost = [i for i, r in regions.items() if i not in course.exercises and not is_stub(r.body, r)]
        backup = ws.backup(rel_path)
        ws.write(rel_path, new_text)
        ws.record_file(rel_path)
        changed += 1
        print(f"  workspace/{rel_path}: the course's new version (yours saved in {rel(backup)})")
        if kept:
            print(f"      kept your code for {', '.join(kept)}")
        if fresh:
            print(f"      stubs for {', '.join(fresh)}")
        if solved:
            print(f"      the reference's new answers for {', '.join(solved)} (solve)")
        if lost:
            print(f"      {', '.join(lost)} no longer exist: your code for them is only in the backup")
    ws.save()
    if not changed:
        print("Your workspace is up to date with the course.")
    return 0


def compare(ex: Exercise, region: Exercise) -> str:
    """How a learner's region compares with the reference: 'not started', 'reference' (solve's), 'same',
    'same code' (only comments or whitespace differ) or 'differs'."""
    if is_stub(region.hint_lines + region.body, ex):
        return "not started"
    if is_reference(region.body, ex):
        return "reference"
    if region.body_hash() == ex.body_hash():
        return "same"
    return "same code" if code_tokens(region.body) == code_tokens(ex.body) else "differs"


COMPARE_WORDS = {"not started": "not started", "reference": REFERENCE_WORD, "same": "same as the reference",
                 "same code": "the same code as the reference (only comments or spacing differ)",
                 "differs": "differs from the reference"}


def cmd_diff(course: Course, ws: Workspace, what: str | None) -> int:
    """The learner's region next to the reference's (this shows the solution: ask for it by id)."""
    if what is None:
        print("(which exercises differ from the reference, comments and spacing aside; "
              "'./course exercises diff ID' shows the code)")
        for ex in (e for exs in course.chapters().values() for e in exs):
            region = ws.learner_regions(ex.file).get(ex.id)
            if region is not None:
                print(f"  {ex.id:<36} {COMPARE_WORDS[compare(ex, region)]}")
        return 0
    exercises, files = resolve_targets(course, what)
    for ex in exercises:
        region = ws.learner_regions(ex.file).get(ex.id)
        how = compare(ex, region) if region is not None else None
        if how is None:
            print(f"{ex.id}: {status_word(ws, ex)[0]}")
        elif how in ("same", "reference", "not started"):
            print(f"{ex.id}: {COMPARE_WORDS[how]}")
        else:
            if how == "same code":
                print(f"{ex.id}: {COMPARE_WORDS[how]}; the differences:")
            sys.stdout.writelines(difflib.unified_diff([line + "\n" for line in ex.body],
                                                       [line + "\n" for line in region.body],
                                                       f"reference {ex.id}", f"yours {ex.id}"))
    for rel_path in files:
        mine = ws.file(rel_path).read_text(encoding="utf-8") if ws.file(rel_path).exists() else ""
        if mine == course.files[rel_path]:
            print(f"workspace/{rel_path}: same as the reference")
            continue
        sys.stdout.writelines(difflib.unified_diff(course.files[rel_path].splitlines(True), mine.splitlines(True),
                                                   f"reference/{rel_path}", f"workspace/{rel_path}"))
    return 0


def cmd_list(course: Course, ws: Workspace) -> int:
    """Every exercise, where to write it (the learner's file) and its hint, a line of text per hint line."""
    for chapter, exs in course.chapters().items():
        print(f"{chapter}  {course.chapter_title(chapter)}")
        for ex in exs:
            region = ws.learner_regions(ex.file).get(ex.id)
            where = f"workspace/{ex.file}:{(region or ex).begin + 1}"
            if not ws.file(ex.file).exists():
                where += " (./course exercises init creates it)"
            print(f"  {ex.id:<28} {where}")
            for n, line in enumerate(ex.hint.split("\n")):
                print(f"  {'':<28} {'hint: ' if n == 0 else '      '}{line}")
    return 0
