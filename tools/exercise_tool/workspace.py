"""The learner's workspace: their copies of the lesson files, the record of their checks, and the commands
that manage it (init, status, reset, update, diff)."""
from __future__ import annotations

import datetime as _dt
import difflib
import json
import os
import re
import shutil
import sys
from pathlib import Path

from .course import Course, chapter_key, rel
from .markers import Exercise, is_stub, make_stub, parse, sha, stub_lines, transform

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
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".json.tmp-" + str(os.getpid()))
        tmp.write_text(json.dumps(self.state, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(self.state_path)

    def file(self, rel_path: str) -> Path:
        return self.path / rel_path

    def record_file(self, rel_path: str) -> None:
        """Remember which reference this workspace file was made from (for 'status' after a git pull)."""
        text = self.course.files[rel_path]
        self.state["files"][rel_path] = {"reference": sha(text), "made": now()}
        for ex in self.course.exercises_in(rel_path):
            self.state["exercises"][ex.id] = {"file": rel_path, "reference": ex.body_hash()}

    def write(self, rel_path: str, text: str) -> None:
        target = self.file(rel_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp-" + str(os.getpid()))
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)

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
        """'missing' (no file), 'lost' (markers gone), 'stub' (not started) or 'written'."""
        if not self.file(ex.file).is_file():
            return "missing"
        region = self.learner_regions(ex.file).get(ex.id)
        if region is None:
            return "lost"
        return "stub" if is_stub(region.hint_lines + region.body, ex) else "written"

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


def cmd_init(course: Course, ws: Workspace, quiet: bool = False) -> int:
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
    if quiet:
        return 0
    for rel_path, exs in made:
        print(f"  created workspace/{rel_path}  ({', '.join(e.id for e in exs)})")
    for rel_path in kept:
        print(f"  kept    workspace/{rel_path}  (yours: init never overwrites a file)")
    total = len(course.exercises)
    print(f"Your workspace has {total} exercise{'s' * (total != 1)} in {len(course.chapters())} chapter"
          f"{'s' * (len(course.chapters()) != 1)}. Open a file above, write the body between BEGIN and END, then:")
    first = next(iter(course.chapters()), None)
    if first:
        print(f"  ./course check {int(first[2:])}      build your code and run chapter {int(first[2:])}'s exercise tests")
    print("  ./course check        your progress")
    for note in ws.changes_in_course():
        print(f"note: {note}")
    return 0


def status_word(course: Course, ws: Workspace, ex: Exercise) -> tuple[str, bool]:
    """(what to print, done?) for one exercise, from the workspace and the last check."""
    state = ws.exercise_state(ex)
    if state == "missing":
        return "not in your workspace (./course exercises init)", False
    if state == "lost":
        return f"its BEGIN/END markers are gone from workspace/{ex.file} (./course exercises reset {ex.id})", False
    if state == "stub":
        return "not started", False
    result = ws.state.get("results", {}).get(ex.id)
    if not result:
        return "written, not checked yet", False
    word = result.get("status", "?")
    if result.get("region") != ws.region_hash(ex):
        return f"{word} at the last check, changed since", False
    if word == "blocked":
        word = f"waiting for {result.get('blocked_by')}"
    return word, result.get("status") == "passed"


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
    for chapter, exs in chapters.items():
        words = [(ex, *status_word(course, ws, ex)) for ex in exs]
        done = sum(1 for _, _, d in words if d)
        all_done += done
        if next_up is None and done < len(exs):
            next_up = chapter
        bar = f"[{'#' * done + '.' * (len(exs) - done)}]"
        print(f"  {chapter}  {done:>2}/{len(exs):<2} {bar:<{most + 2}}  {course.chapter_title(chapter)}")
        if detail:
            for ex, word, _ in words:
                print(f"          {ex.id:<{width}}{word}")
    print(f"  total {all_done}/{len(course.exercises)}")
    if next_up:
        print(f"next: ./course check {int(next_up[2:])}" + ("" if detail else "   (each exercise: ./course exercises status)"))
    for note in ws.changes_in_course():
        print(f"note: {note}")
    return 0


def resolve_targets(course: Course, ws: Workspace, what: str) -> tuple[list[Exercise], list[str]]:
    """An exercise id, a chapter (4, 04, ch04) or a file -> (exercises, whole files)."""
    if what in course.exercises:
        return [course.exercises[what]], []
    if re.fullmatch(r"(?:ch)?\d{1,2}", what.lower()):
        return course.chapters().get(chapter_key(what), []), []
    candidate = what[len("workspace/"):] if what.startswith("workspace/") else what
    if candidate in course.files:
        return [], [candidate]
    raise SystemExit(f"course: error: '{what}' is not an exercise, a chapter or a lesson file with exercises "
                     f"(exercises: {', '.join(sorted(course.exercises)) or 'none'})")


def cmd_reset(course: Course, ws: Workspace, what: str) -> int:
    exercises, files = resolve_targets(course, ws, what)
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
        ref = {e.id: e for e in todo}

        def body(region: Exercise) -> list[str]:
            if region.id not in ref:
                return region.body
            return stub_lines(ref[region.id])
        # Reset the hint too (the reference's), then the body.
        lines = text.split("\n")
        out, pos = [], 0
        for region in sorted(regions.values(), key=lambda e: e.begin):
            if region.id not in ref:
                continue
            out.extend(lines[pos: region.begin + 1])
            out.extend(ref[region.id].hint_lines)
            out.extend(stub_lines(ref[region.id]))
            pos = region.end
        out.extend(lines[pos:])
        ws.write(rel_path, "\n".join(out))
        for e in todo:
            ws.state["exercises"][e.id] = {"file": rel_path, "reference": e.body_hash()}
            ws.state.get("results", {}).pop(e.id, None)
            print(f"  {e.id}: back to its stub in workspace/{rel_path}")
    ws.save()
    return 0


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
        kept, fresh = [], []

        def body(ex: Exercise) -> list[str]:
            mine = regions.get(ex.id)
            if mine is None or is_stub(mine.hint_lines + mine.body, ex):
                fresh.append(ex.id)
                return stub_lines(ex)
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
        if lost:
            print(f"      {', '.join(lost)} no longer exist: your code for them is only in the backup")
    ws.save()
    if not changed:
        print("Your workspace is up to date with the course.")
    return 0


def cmd_diff(course: Course, ws: Workspace, what: str | None) -> int:
    """The learner's region next to the reference's (this shows the solution: ask for it by id)."""
    if what is None:
        targets = [e for exs in course.chapters().values() for e in exs]
        print("(showing which exercises differ from the reference; './course exercises diff ID' shows the code)")
        for ex in targets:
            region = ws.learner_regions(ex.file).get(ex.id)
            if region is None:
                continue
            if is_stub(region.hint_lines + region.body, ex):
                word = "not started"
            elif region.body_hash() == ex.body_hash():
                word = "same as the reference"
            else:
                word = "differs from the reference"
            print(f"  {ex.id:<36} {word}")
        return 0
    exercises, files = resolve_targets(course, ws, what)
    for ex in exercises:
        region = ws.learner_regions(ex.file).get(ex.id)
        if region is None:
            print(f"{ex.id}: {status_word(course, ws, ex)[0]}")
        elif region.body_hash() == ex.body_hash():
            print(f"{ex.id}: same as the reference")
        else:
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
