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
    tools/exercises.py verify    lint; the generated workspace builds; every exercise's tests fail on its
                                 stub with its own "not implemented" message and pass on the reference

Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import difflib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(os.environ.get("COURSE_ROOT") or Path(__file__).resolve().parent.parent)
LESSON_SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".hh", ".ipp", ".tpp"}
STATE_FILE = ".exercises.json"
BACKUP_DIR = ".backup"

ID_RE = re.compile(r"^ch(\d\d)\.[a-z][a-z0-9_]*$")
BEGIN_RE = re.compile(r"^//\s*BEGIN EXERCISE(?:\s+(\S+))?\s*$")
END_RE = re.compile(r"^//\s*END EXERCISE\s*$")
HINT_RE = re.compile(r"^//\s*hint:\s*(.*?)\s*$")
LOOSE_MARKER_RE = re.compile(r"\b(BEGIN|END)\s+EXERCISE\b", re.IGNORECASE)
TEST_RE = re.compile(r"\b(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\s*\(\s*(ch\d\d_[A-Za-z0-9_]+)\s*,")
NOT_IMPLEMENTED = "is not implemented yet"


def suite_of(ex_id: str) -> str:
    """ch04.backward -> ch04_backward: the GoogleTest suite of an exercise."""
    return ex_id.replace(".", "_", 1)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def now() -> str:
    return _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# The markers
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Exercise:
    id: str
    file: str              # path relative to the repository's root
    begin: int             # 0-based index of the BEGIN line
    end: int               # 0-based index of the END line
    indent: str            # the BEGIN line's indentation
    hint_lines: list[str]  # the "// hint: ..." lines, as written
    hint: str              # the hint text, lines joined by spaces
    body: list[str]        # the reference lines between the hints and END

    @property
    def chapter(self) -> str:
        return self.id.split(".")[0]

    @property
    def suite(self) -> str:
        return suite_of(self.id)

    def body_hash(self) -> str:
        return sha("\n".join(line.rstrip() for line in self.body))


@dataclasses.dataclass
class Problem:
    file: str
    line: int  # 1-based, 0 if none
    message: str
    warning: bool = False  # harmless as long as the stub compiles (verify checks that)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def parse(text: str, file: str, strict: bool = True) -> tuple[list[Exercise], list[Problem]]:
    """Every exercise region of one file, and what is wrong with its markers.

    strict (the reference): hints required, ids checked against the file's chapter.
    Not strict (a learner's file): only the regions, so that their work can be found again."""
    lines = text.split("\n")
    exercises: list[Exercise] = []
    problems: list[Problem] = []
    open_: tuple[int, str, str] | None = None  # (line index, id, indent)
    chapter_match = re.search(r"(?:^|/)chapters/(\d\d)_", file)
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        begin, end = BEGIN_RE.match(stripped), END_RE.match(stripped)
        if begin:
            ex_id = begin.group(1) or ""
            if open_ is not None:
                problems.append(Problem(file, open_[0] + 1, f"BEGIN EXERCISE {open_[1]} has no END EXERCISE "
                                        f"before the next BEGIN (line {i + 1}); exercises cannot nest"))
            open_ = (i, ex_id, raw[: len(raw) - len(raw.lstrip())])
            if strict:
                if not ex_id:
                    problems.append(Problem(file, i + 1, "BEGIN EXERCISE without an id (expected chNN.name)"))
                elif not ID_RE.match(ex_id):
                    problems.append(Problem(file, i + 1, f"exercise id '{ex_id}' is not of the form chNN.snake_case"))
                elif chapter_match and ID_RE.match(ex_id).group(1) != chapter_match.group(1):
                    problems.append(Problem(file, i + 1, f"exercise {ex_id} is in chapter {chapter_match.group(1)}'s "
                                            f"folder: its id should start with ch{chapter_match.group(1)}."))
        elif end:
            if open_ is None:
                problems.append(Problem(file, i + 1, "END EXERCISE without a BEGIN EXERCISE"))
                continue
            b, ex_id, indent = open_
            open_ = None
            j = b + 1
            hint_lines: list[str] = []
            while j < i and HINT_RE.match(lines[j].strip()):
                hint_lines.append(lines[j])
                j += 1
            hint = " ".join(HINT_RE.match(h.strip()).group(1) for h in hint_lines).strip()
            body = lines[j:i]
            if strict:
                if not hint:
                    problems.append(Problem(file, b + 1, f"exercise {ex_id or '?'} has no hint: the line after "
                                            "BEGIN must be '// hint: ...'"))
                if not any(line.strip() for line in body):
                    problems.append(Problem(file, b + 1, f"exercise {ex_id or '?'} has an empty reference body"))
            if strict:
                after = next((line.strip() for line in lines[i + 1:]
                              if line.strip() and not line.strip().startswith("//")), "")
                if not after.startswith("}"):
                    problems.append(Problem(file, i + 1, f"END EXERCISE {ex_id} is followed by '{after[:40]}', not by "
                                            "the function's closing brace: the stub never returns, so that code is "
                                            "dead in the workspace (fine if it only checks; verify proves the stubs "
                                            "compile)", warning=True))
            if ex_id:
                exercises.append(Exercise(ex_id, file, b, i, indent, hint_lines, hint, body))
        elif strict and LOOSE_MARKER_RE.search(stripped) and stripped.startswith("//"):
            problems.append(Problem(file, i + 1, f"malformed exercise marker '{stripped}' (expected exactly "
                                    "'// BEGIN EXERCISE chNN.name' or '// END EXERCISE')"))
    if open_ is not None:
        problems.append(Problem(file, open_[0] + 1, f"BEGIN EXERCISE {open_[1]} has no END EXERCISE"))
    if strict and exercises and not re.search(r'#\s*include\s*[<"]common/exercise\.hpp[>"]', text):
        problems.append(Problem(file, 0, 'has exercises but does not #include "common/exercise.hpp" '
                                "(the stubs call course::exercise_not_implemented)"))
    if strict and exercises:
        for i, raw in enumerate(lines):
            inc = re.match(r'\s*#\s*include\s*"([^"]+)"', raw)
            if inc and "/" not in inc.group(1):
                problems.append(Problem(file, i + 1, f'#include "{inc.group(1)}": include lesson files by their '
                                        'path from the repository root, or a workspace copy cannot replace it'))
    return exercises, problems


def cpp_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stub_call(ex: Exercise) -> str:
    return f"course::exercise_not_implemented({cpp_string(ex.id)}, {cpp_string(ex.hint)});"


def transform(text: str, exercises: list[Exercise], body_for) -> str:
    """The file with each region's body (the lines after the hints) replaced by body_for(ex)."""
    lines = text.split("\n")
    out: list[str] = []
    pos = 0
    for ex in sorted(exercises, key=lambda e: e.begin):
        first_body = ex.begin + 1 + len(ex.hint_lines)
        out.extend(lines[pos:first_body])
        out.extend(body_for(ex))
        pos = ex.end
    out.extend(lines[pos:])
    return "\n".join(out)


def stub_lines(ex: Exercise) -> list[str]:
    return [ex.indent + stub_call(ex)]


def make_stub(text: str, exercises: list[Exercise]) -> str:
    """What a learner gets: every region's body replaced by the stub."""
    return transform(text, exercises, stub_lines)


def make_mutant(text: str, exercises: list[Exercise]) -> str:
    """For CI: every region stubbed at run time only when COURSE_STUB names it, else the reference."""
    def body(ex: Exercise) -> list[str]:
        return [f"{ex.indent}if (course::exercise_stubbed({cpp_string(ex.id)})) {stub_call(ex)}"] + ex.body
    return transform(text, exercises, body)


def is_stub(body: list[str], ex: Exercise) -> bool:
    code = [line.strip() for line in body if line.strip() and not HINT_RE.match(line.strip())]
    return code == [stub_call(ex)]


# ---------------------------------------------------------------------------------------------
# The course: lesson files, exercises, tests
# ---------------------------------------------------------------------------------------------

class Course:
    def __init__(self, root: Path = ROOT):
        self.root = root
        self.files: dict[str, str] = {}          # rel path -> text, files with markers only
        self.exercises: dict[str, Exercise] = {}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.scan()

    def lesson_files(self) -> list[Path]:
        base = self.root / "chapters"
        if not base.is_dir():
            return []
        return sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in LESSON_SUFFIXES)

    def scan(self) -> None:
        for path in self.lesson_files():
            text = path.read_text(encoding="utf-8")
            if "EXERCISE" not in text:
                continue
            file = path.relative_to(self.root).as_posix()
            exercises, problems = parse(text, file)
            self.problems.extend(p for p in problems if not p.warning)
            self.warnings.extend(p for p in problems if p.warning)
            if exercises:
                self.files[file] = text
            for ex in exercises:
                if ex.id in self.exercises:
                    other = self.exercises[ex.id]
                    self.problems.append(Problem(file, ex.begin + 1, f"exercise id {ex.id} is used twice "
                                                 f"(also {other.file}:{other.begin + 1})"))
                else:
                    self.exercises[ex.id] = ex

    def restrict(self, chapters: list[str]) -> None:
        """Only these chapters' exercises (for working on one chapter's exercises)."""
        keep = {chapter_key(c) for c in chapters}
        self.exercises = {i: e for i, e in self.exercises.items() if e.chapter in keep}
        self.files = {f: t for f, t in self.files.items() if any(e.file == f for e in self.exercises.values())}
        def chapter_of(file: str) -> str:
            m = re.search(r"chapters/(\d\d)_", file)
            return "ch" + m.group(1) if m else ""
        self.problems = [p for p in self.problems if chapter_of(p.file) in keep]
        self.warnings = [p for p in self.warnings if chapter_of(p.file) in keep]
        self.restricted = True

    def chapters(self) -> dict[str, list[Exercise]]:
        by: dict[str, list[Exercise]] = {}
        for ex in self.exercises.values():
            by.setdefault(ex.chapter, []).append(ex)
        for exs in by.values():
            exs.sort(key=lambda e: (e.file, e.begin))
        return dict(sorted(by.items()))

    def exercises_in(self, file: str) -> list[Exercise]:
        return sorted((e for e in self.exercises.values() if e.file == file), key=lambda e: e.begin)

    def chapter_dir(self, chapter: str) -> str | None:
        hits = sorted((self.root / "chapters").glob(chapter[2:] + "_*"))
        return hits[0].relative_to(self.root).as_posix() if hits else None

    def chapter_title(self, chapter: str) -> str:
        d = self.chapter_dir(chapter)
        readme = self.root / d / "README.md" if d else None
        if readme and readme.is_file():
            for line in readme.read_text(encoding="utf-8").splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
        return d.split("/")[-1] if d else chapter

    def test_suites(self) -> dict[str, list[str]]:
        """suite name -> ['tests/ch04_xor.cpp:12', ...] for every chNN_* suite in tests/chNN_*.cpp."""
        suites: dict[str, list[str]] = {}
        for path in sorted((self.root / "tests").glob("ch[0-9][0-9]_*.cpp")):
            for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
                for m in TEST_RE.finditer(line):
                    suites.setdefault(m.group(1), []).append(f"{path.relative_to(self.root).as_posix()}:{i + 1}")
        return suites

    def lint(self) -> tuple[list[Problem], list[str]]:
        problems = list(self.problems)
        warnings: list[str] = [str(w) for w in self.warnings]
        suites = self.test_suites()
        for ex in self.exercises.values():
            wanted_file = f"tests/{ex.chapter}_*.cpp"
            if ex.suite not in suites:
                problems.append(Problem(ex.file, ex.begin + 1, f"exercise {ex.id} has no test: expected at least "
                                        f"one TEST({ex.suite}, ...) in {wanted_file}"))
            else:
                wrong = [w for w in suites[ex.suite] if not Path(w.split(":")[0]).name.startswith(ex.chapter + "_")]
                if wrong:
                    problems.append(Problem(ex.file, ex.begin + 1, f"tests of {ex.id} must be in {wanted_file} "
                                            f"(found {', '.join(wrong)})"))
        ids = {suite_of(i) for i in self.exercises}
        chapters = {e.chapter for e in self.exercises.values()}
        for suite, where in sorted(suites.items()):
            if getattr(self, "restricted", False) and suite[:4] not in chapters:
                continue
            if suite not in ids:
                warnings.append(f"{where[0]}: test suite {suite} looks like an exercise's but there is no exercise "
                                f"{suite.replace('_', '.', 1)} (name other suites like Ch04Program)")
        return problems, warnings


# ---------------------------------------------------------------------------------------------
# The learner's workspace
# ---------------------------------------------------------------------------------------------

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


def chapter_key(arg: str) -> str:
    m = re.fullmatch(r"(?:ch)?0*(\d{1,2})", arg.strip().lower())
    if not m:
        raise SystemExit(f"course: error: '{arg}' is not a chapter (expected a number like 4, 04 or ch04)")
    return f"ch{int(m.group(1)):02d}"


# ---------------------------------------------------------------------------------------------
# Commands for the learner
# ---------------------------------------------------------------------------------------------

def cmd_init(course: Course, ws: Workspace, quiet: bool = False) -> int:
    if course.problems:
        print("The course's exercise markers are broken, so the workspace cannot be made:", file=sys.stderr)
        for p in course.problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    ws.path.mkdir(parents=True, exist_ok=True)
    made, kept = [], []
    for rel_path, text in sorted(course.files.items()):
        exs = course.exercises_in(rel_path)
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
        mine = region.body if region else []
        sys.stdout.writelines(difflib.unified_diff([line + "\n" for line in ex.body], [line + "\n" for line in mine],
                                                   f"reference {ex.id}", f"yours {ex.id}"))
    for rel_path in files:
        mine = ws.file(rel_path).read_text(encoding="utf-8") if ws.file(rel_path).exists() else ""
        sys.stdout.writelines(difflib.unified_diff(course.files[rel_path].splitlines(True), mine.splitlines(True),
                                                   f"reference/{rel_path}", f"workspace/{rel_path}"))
    return 0


# ---------------------------------------------------------------------------------------------
# Building and running the tests
# ---------------------------------------------------------------------------------------------

def run(cmd: list[str], cwd: Path, env: dict | None = None, timeout: float | None = None,
        log: Path | None = None) -> tuple[int, str]:
    """Run a command; (exit code, combined output). A timeout gives code -9."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, text=True, errors="replace")
        code, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        code, out = -9, out + f"\n(timed out after {timeout:.0f} s)\n"
    if log:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(out, encoding="utf-8")
    return code, out


def compiler_errors(output: str, limit: int = 40) -> str:
    """The first errors of a build log, with their context lines."""
    lines = output.splitlines()
    keep: list[str] = []
    for i, line in enumerate(lines):
        if re.search(r"\berror\b|\bError\b|undefined reference", line) and not line.startswith("make"):
            keep.extend(lines[i: i + 4])
            keep.append("")
        if len(keep) >= limit:
            break
    if not keep:
        keep = lines[-limit:]
    return "\n".join(keep[:limit])


@dataclasses.dataclass
class TestResult:
    suite: str
    name: str
    passed: bool
    skipped: bool
    messages: list[str]


def base_suite(name: str) -> str:
    """'Inst/ch04_x' (TEST_P) and 'ch04_x/0' (TYPED_TEST) -> 'ch04_x'."""
    parts = [p for p in name.split("/") if not p.isdigit()]
    return parts[-1] if parts else name


def read_gtest_json(path: Path) -> list[TestResult]:
    data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    results = []
    for suite in data.get("testsuites", []):
        for t in suite.get("testsuite", []):
            if t.get("status") == "NOTRUN":
                continue
            failures = [f.get("failure", "") for f in t.get("failures", [])]
            skipped = t.get("result") == "SKIPPED"
            results.append(TestResult(base_suite(suite.get("name", "")), t.get("name", ""), not failures, skipped,
                                      failures))
    return results


def run_tests(binary: Path, cwd: Path, out_json: Path, gtest_filter: str | None = None, env: dict | None = None,
              timeout: float = 300) -> tuple[list[TestResult] | None, str, int]:
    """Run a GoogleTest program; (results or None if it crashed before writing them, output, exit code)."""
    if out_json.exists():
        out_json.unlink()
    out_json.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(binary), f"--gtest_output=json:{out_json}", "--gtest_color=no"]
    if gtest_filter:
        cmd.append(f"--gtest_filter={gtest_filter}")
    code, output = run(cmd, cwd, env=env, timeout=timeout)
    if out_json.exists():
        try:
            return read_gtest_json(out_json), output, code
        except ValueError:
            pass
    return read_gtest_stdout(output, code), output, code


def read_gtest_stdout(output: str, code: int) -> list[TestResult] | None:
    """When the program died before writing its JSON (a crash, a hang): the results from what it printed,
    the test that was running when it died failing with that news."""
    results: list[TestResult] = []
    current, lines = None, []
    for line in output.splitlines():
        m = re.match(r"^\[ RUN      \] (\S+)\.(\S+)$", line)
        if m:
            current, lines = (base_suite(m.group(1)), m.group(2)), []
            continue
        m = re.match(r"^\[\s+(OK|FAILED|SKIPPED)\s+\] (\S+)\.(\S+?)(?: \(\d+ ms\))?$", line)
        if m and current and (base_suite(m.group(2)), m.group(3)) == current:
            msg = "\n".join(lines).strip()
            results.append(TestResult(current[0], current[1], m.group(1) != "FAILED", m.group(1) == "SKIPPED",
                                      [msg] if m.group(1) == "FAILED" else []))
            current = None
            continue
        if current:
            lines.append(line)
    if current:
        how = "hung" if code == -9 else f"crashed (exit code {code}{', a segmentation fault' if code == -11 else ''})"
        tail = "\n".join(lines[-4:])
        results.append(TestResult(current[0], current[1], False, False, [f"the test program {how} in this test"
                                                                          + (f":\n{tail}" if tail else "")]))
    return results or None


def suite_filter(suite: str) -> str:
    return f"{suite}.*:*/{suite}.*:{suite}/*"


def short(message: str, lines: int = 6, width: int = 160) -> str:
    """A failure message, short: GoogleTest's 'file:line' line dropped, at most a few lines."""
    out = []
    for line in message.splitlines():
        if re.match(r"^\S+\.(cpp|hpp|h|cc):\d+(: Failure)?$", line.strip()) or line.strip() in ("Failure", "unknown file", ""):
            continue
        out.append(line if len(line) <= width else line[: width - 3] + "...")
    if len(out) > lines:
        out = out[:lines] + [f"... ({len(out) - lines} more lines)"]
    return "\n".join(out)


NOT_IMPL_RE = re.compile(r"exercise (ch\d\d\.[a-z0-9_]+) " + NOT_IMPLEMENTED)


def classify(ex: Exercise, tests: list[TestResult]) -> dict:
    """passed / failed / blocked (by another exercise's stub) / stub (its own stub still throws) / notests."""
    mine = [t for t in tests if t.suite == ex.suite and not t.skipped]
    if not mine:
        return {"status": "notests"}
    failed = [t for t in mine if not t.passed]
    if not failed:
        return {"status": "passed", "tests": len(mine)}
    for t in failed:
        for msg in t.messages:
            m = NOT_IMPL_RE.search(msg)
            if m and m.group(1) != ex.id:
                return {"status": "blocked", "blocked_by": m.group(1), "test": f"{t.suite}.{t.name}"}
    if all(any(f"exercise {ex.id} {NOT_IMPLEMENTED}" in m for m in t.messages) for t in failed):
        return {"status": "stub"}
    t = failed[0]
    return {"status": "failed", "test": f"{t.suite}.{t.name}", "failed": len(failed), "tests": len(mine),
            "message": short(t.messages[0] if t.messages else "(no message)")}


def configure_workspace(course: Course, ws: Workspace, build: Path) -> bool:
    """Configure the workspace preset when needed: first time, or when the set of workspace files changed
    (CMake picks a workspace .cpp instead of the reference's when it configures)."""
    files = sorted(p.relative_to(ws.path).as_posix() for p in ws.path.rglob("*")
                   if p.is_file() and p.suffix in LESSON_SUFFIXES and not p.relative_to(ws.path).parts[0].startswith("."))
    stamp = build / "exercises-configured.json"
    current = json.dumps(files)
    if (build / "CMakeCache.txt").is_file() and stamp.is_file() and stamp.read_text() == current:
        return True
    print("==> configuring your workspace build (cmake --preset workspace)", flush=True)
    code, out = run(["cmake", "--preset", "workspace"], course.root, log=build / "exercises-configure.log")
    if code != 0:
        print(out[-4000:])
        print("course: error: cmake could not configure the workspace build (log above)", file=sys.stderr)
        return False
    stamp.write_text(current)
    return True


def cmd_check(course: Course, ws: Workspace, chapter_arg: str | None, watch: bool, timeout: float) -> int:
    if chapter_arg is None:
        return cmd_status(course, ws, detail=False)
    chapter = chapter_key(chapter_arg)
    exs = course.chapters().get(chapter)
    if not exs:
        have = ", ".join(str(int(c[2:])) for c in course.chapters()) or "none yet"
        print(f"Chapter {int(chapter[2:])} has no exercises (chapters with exercises: {have}).")
        return 1
    if not ws.exists() or not any(ws.file(e.file).exists() for e in exs):
        print("==> creating your workspace first (./course exercises init)")
        if cmd_init(course, ws) != 0:
            return 1
    if not watch:
        return check_once(course, ws, chapter, exs, timeout)
    return watch_loop(course, ws, chapter, exs, timeout)


def workspace_warnings(output: str, ws: Workspace, limit: int = 6) -> list[str]:
    """The compiler's warnings about the learner's code: inside a region they wrote, or a missing return
    (reported at the closing brace, after END). Not the stubs' unused parameters and variables."""
    out = []
    prefix = str(ws.path) + "/"
    for line in output.splitlines():
        m = re.match(re.escape(prefix) + r"(.+?):(\d+):\d+: warning: ", line)
        if not m:
            continue
        file, number = m.group(1), int(m.group(2)) - 1
        mine = any(r.begin < number < r.end and not is_stub(r.hint_lines + r.body, r)
                   for r in ws.learner_regions(file).values())
        if mine or "-Wreturn-type" in line:
            w = "workspace/" + line[len(prefix):]
            if w not in out:
                out.append(w)
    return out[:limit]


def workspace_mtimes(ws: Workspace) -> dict[str, float]:
    out = {}
    for p in ws.path.rglob("*"):
        parts = p.relative_to(ws.path).parts
        if p.is_file() and not parts[0].startswith(".") and ".tmp-" not in p.name:
            out[str(p)] = p.stat().st_mtime
    return out


def watch_loop(course: Course, ws: Workspace, chapter: str, exs: list[Exercise], timeout: float) -> int:
    try:
        while True:
            check_once(course, ws, chapter, exs, timeout)
            print(f"\n==> watching workspace/ for changes (Ctrl-C to stop)", flush=True)
            before = workspace_mtimes(ws)
            while workspace_mtimes(ws) == before:
                time.sleep(1.0)
            time.sleep(0.3)  # let the editor finish writing
            print("\n" + "=" * 72)
            course = Course(course.root)  # the reference may have changed too (git pull)
            exs = course.chapters().get(chapter, exs)
    except KeyboardInterrupt:
        print("\nstopped watching.")
        return 0


def check_once(course: Course, ws: Workspace, chapter: str, exs: list[Exercise], timeout: float) -> int:
    build = course.root / "build" / "workspace"
    n = int(chapter[2:])
    if not configure_workspace(course, ws, build):
        return 1
    target = f"test_{chapter}"
    print(f"==> building your chapter {n} ({target}, build/workspace)", flush=True)
    jobs = str(os.cpu_count() or 2)
    code, out = run(["cmake", "--build", str(build), "--target", target, "-j", jobs], course.root,
                    log=build / "exercises-build.log")
    if code != 0:
        print(compiler_errors(out))
        print(f"\nYour code does not compile yet (the errors above; the whole log: {rel(build / 'exercises-build.log')}).")
        return 1
    warnings = workspace_warnings(out, ws)
    if warnings:
        print("Your code compiles, with warnings:")
        print("\n".join(f"  {w}" for w in warnings))
    binary = build / "bin" / target
    json_path = build / "exercise-results" / f"{target}.json"
    print(f"==> running chapter {n}'s tests", flush=True)
    tests, output, code = run_tests(binary, build, json_path, timeout=timeout)
    if tests is None:
        print(f"The test program stopped before it ran a test (exit code {code}):")
        print("\n".join(output.strip().splitlines()[-15:]))
        return 1
    if code < 0 or (code != 0 and not any(not t.passed for t in tests)):
        print(f"(the test program stopped abnormally: exit code {code}; the results below are what it printed)")
    results = ws.state.setdefault("results", {})
    print(f"\nChapter {n}: {course.chapter_title(chapter)}")
    done = 0
    width = max(len(e.id) for e in exs) + 2
    for ex in exs:
        state = ws.exercise_state(ex)
        region = ws.learner_regions(ex.file).get(ex.id)
        where = f"workspace/{ex.file}:{(region.begin if region else ex.begin) + 1}"
        if state in ("missing", "lost"):
            word, _ = status_word(course, ws, ex)
            print(f"  [ ] {ex.id:<{width}}{word}")
            continue
        r = classify(ex, tests)
        if state == "stub" or r["status"] == "stub":
            r = {"status": "not started"}
        r.update({"when": now(), "region": ws.region_hash(ex)})
        results[ex.id] = r
        if r["status"] == "passed":
            done += 1
            print(f"  [x] {ex.id:<{width}}passed ({r['tests']} test{'s' * (r['tests'] != 1)})")
            continue
        if r["status"] == "not started":
            print(f"  [ ] {ex.id:<{width}}not started: {where}")
        elif r["status"] == "blocked":
            print(f"  [ ] {ex.id:<{width}}waiting: its test {r['test']} also runs {r['blocked_by']}, which you have "
                  f"not written yet (./course check {int(r['blocked_by'][2:4])})")
            continue
        elif r["status"] == "notests":
            print(f"  [?] {ex.id:<{width}}no test of suite {ex.suite} ran (is your build up to date?)")
            continue
        else:
            print(f"  [ ] {ex.id:<{width}}FAILED {r['test']} ({r['failed']} of {r['tests']} tests fail): {where}")
            for line in r["message"].splitlines():
                print(f"  {'':<{width + 4}}| {line}")
        print(textwrap.fill(ex.hint, 110, initial_indent=" " * (width + 6) + "hint: ",
                            subsequent_indent=" " * (width + 12), break_on_hyphens=False))
    ws.save()
    ids = {suite_of(e.id) for e in course.exercises.values()}
    others = [t for t in tests if t.suite not in ids]
    other_failed = [t for t in others if not t.passed]
    if others:
        blocked = [t for t in other_failed if any(NOT_IMPL_RE.search(m) for m in t.messages)]
        line = f"  other tests of chapter {n}: {len(others) - len(other_failed)} of {len(others)} pass"
        if blocked:
            need = sorted({NOT_IMPL_RE.search(m).group(1) for t in blocked for m in t.messages if NOT_IMPL_RE.search(m)})
            line += f" ({len(blocked)} wait for {', '.join(need)})"
        print(line)
        for t in [t for t in other_failed if t not in blocked][:3]:
            first = short(t.messages[0] if t.messages else "", 1).splitlines()
            print(f"      {t.suite}.{t.name}: {first[0] if first else ''}")
    print(f"\n{done} of {len(exs)} exercises of chapter {n} done.", end=" ")
    if done == len(exs):
        print(f"Well done! Run the chapter's program on your code:\n"
              f"  cmake --build build/workspace --target {chapter} && build/workspace/bin/{chapter}")
    else:
        print(f"(the chapter's program on your code: cmake --build build/workspace --target {chapter} "
              f"&& build/workspace/bin/{chapter})")
    for note in ws.changes_in_course():
        print(f"note: {note}")
    return 0 if done == len(exs) else 1


# ---------------------------------------------------------------------------------------------
# For CI: lint and verify
# ---------------------------------------------------------------------------------------------

def cmd_lint(course: Course) -> int:
    problems, warnings = course.lint()
    for w in warnings:
        print(f"warning: {w}")
    for p in problems:
        print(f"error: {p}")
    n = len(course.exercises)
    if problems:
        print(f"exercise markers: {len(problems)} problem{'s' * (len(problems) != 1)}")
        return 1
    print(f"exercise markers: {n} exercise{'s' * (n != 1)} in {len(course.chapters())} chapter"
          f"{'s' * (len(course.chapters()) != 1)}, well formed, each with its test suite")
    return 0


def write_tree(course: Course, folder: Path, make) -> None:
    """A copy of every lesson file with exercises, each made by make(text, exercises); unchanged files
    are left alone so that an incremental build stays incremental."""
    wanted = set()
    for rel_path, text in course.files.items():
        target = folder / rel_path
        wanted.add(target)
        new = make(text, course.exercises_in(rel_path))
        if not target.is_file() or target.read_text(encoding="utf-8") != new:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(new, encoding="utf-8")
    if folder.is_dir():
        for p in folder.rglob("*"):
            if p.is_file() and p not in wanted:
                p.unlink()


def configure_and_build(course: Course, src: Path, build: Path, opt: str, targets: list[str], args) -> tuple[bool, str]:
    cache = [f"-DCOURSE_WORKSPACE={src}", "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_CXX_FLAGS_RELEASE={opt}",
             "-DCOURSE_BUILD_BENCH=OFF", "-DCOURSE_BUILD_TESTS=ON"]
    if args.cxx:
        cache.append(f"-DCMAKE_CXX_COMPILER={args.cxx}")
    if args.launcher:
        cache.append(f"-DCMAKE_CXX_COMPILER_LAUNCHER={args.launcher}")
    gen = ["-G", args.generator] if args.generator and not (build / "CMakeCache.txt").exists() else []
    code, out = run(["cmake", "-S", str(course.root), "-B", str(build), *gen, *cache], course.root,
                    log=build.parent / f"{build.name}-configure.log")
    if code != 0:
        return False, out[-4000:]
    code, out = run(["cmake", "--build", str(build), "-j", str(args.jobs), "--target", *targets], course.root,
                    log=build.parent / f"{build.name}-build.log")
    if code != 0:
        return False, compiler_errors(out, 60)
    return True, ""


def cmd_verify(course: Course, args) -> int:
    t0 = time.time()
    failures: list[str] = []
    if args.only:
        course.restrict(args.only)
    if cmd_lint(course) != 0:
        return 1
    chapters = course.chapters()
    if not chapters:
        print("no exercises yet: nothing to build")
        return 0
    targets = [f"test_{c}" for c in chapters]
    top = Path(args.build_dir).resolve()
    top.mkdir(parents=True, exist_ok=True)

    # 1. The mutant: every region is the reference, stubbed at run time when COURSE_STUB names it.
    mutant_src = top / "mutant"
    write_tree(course, mutant_src, make_mutant)
    print(f"building the test programs on the mutant lesson code ({', '.join(targets)}, -O1) ...", flush=True)
    ok, log = configure_and_build(course, mutant_src, top / "mutant-build", "-O1 -DNDEBUG", targets, args)
    print(f"  done in {time.time() - t0:.0f} s", flush=True)
    if not ok:
        print(log)
        failures.append("the mutant lesson code (each region: if (exercise_stubbed(id)) stub; reference) does not "
                        "configure or build: see the errors above")
        return report_verify(failures, t0)

    # 2. The learner's workspace, every exercise a stub, must compile: every translation unit of the chapters'
    #    code and of the exercise tests, compiled (-fsyntax-only: templates are instantiated, no code is made)
    #    against the stubs instead of the mutant. Removing code adds no symbol, so linking needs no proof.
    t1 = time.time()
    stubs_src = top / "stubs"
    write_tree(course, stubs_src, make_stub)
    units = stub_units(course, top / "mutant-build", mutant_src, stubs_src, chapters)
    print(f"compiling the all-stubs workspace ({len(units)} files, -fsyntax-only) ...", flush=True)
    errors = compile_units(units, args.jobs)
    print(f"  done in {time.time() - t1:.0f} s", flush=True)
    for file, out, ref_ok in errors:
        name = Path(file).relative_to(stubs_src).as_posix() if Path(file).is_relative_to(stubs_src) else rel(Path(file))
        if not ref_ok:
            print(f"note: {name} does not compile on the reference code either: not an exercise problem (the "
                  "normal build reports it)")
            continue
        print(f"--- {name} compiles on the reference but not with every exercise a stub (the learner's "
              f"workspace):\n{compiler_errors(out, 30)}")
        failures.append(f"the generated workspace does not compile: {name} (errors above)")

    build = top / "mutant-build"
    env_base = {k: v for k, v in os.environ.items() if k != "COURSE_STUB"}
    for chapter, exs in chapters.items():
        binary = build / "bin" / f"test_{chapter}"
        filt = ":".join(suite_filter(e.suite) for e in exs)
        # 3. With nothing stubbed, every exercise's tests pass.
        tests, out, code = run_tests(binary, build, top / "results" / f"{chapter}-reference.json", filt, env_base,
                                     args.timeout)
        if tests is None:
            failures.append(f"test_{chapter} crashed with no exercise stubbed (exit {code}):\n{out[-2000:]}")
            continue
        for t in tests:
            if not t.passed:
                failures.append(f"{t.suite}.{t.name} fails on the reference: {short(t.messages[0] if t.messages else '')}")
        # 4. With COURSE_STUB=<id>, every test of that exercise's suite fails with its own message.
        for ex in exs:
            env = dict(env_base, COURSE_STUB=ex.id)
            got, out, code = run_tests(binary, build, top / "results" / f"{ex.id}.json", suite_filter(ex.suite), env,
                                       args.timeout)
            if got is None:
                failures.append(f"{ex.id}: test_{chapter} crashed when the exercise is stubbed (exit {code}); "
                                f"a stub must fail the tests, not crash them:\n{out[-1500:]}")
                continue
            mine = [t for t in got if t.suite == ex.suite]
            if not mine:
                failures.append(f"{ex.id}: no test of suite {ex.suite} ran")
                continue
            bad = []
            for t in mine:
                if t.passed:
                    bad.append(f"{t.suite}.{t.name} PASSES on the stub: it does not test the exercise (a test that "
                               "passes whatever the learner writes belongs in a suite that is not an exercise's, "
                               f"e.g. {ex.chapter.capitalize()}Checks)")
                elif not any(f"exercise {ex.id} {NOT_IMPLEMENTED}" in m for m in t.messages):
                    bad.append(f"{t.suite}.{t.name} fails on the stub but not with 'exercise {ex.id} "
                               f"{NOT_IMPLEMENTED}': {short(t.messages[0] if t.messages else '', 3)}")
            if bad:
                print(f"  {ex.id:<36} BROKEN", flush=True)
            else:
                print(f"  {ex.id:<36} {len(mine)} test{'s' * (len(mine) != 1)}: pass on the reference, fail on "
                      "its stub with its message", flush=True)
            failures.extend(f"{ex.id}: {b}" for b in bad)
    return report_verify(failures, t0)


def stub_units(course: Course, build: Path, mutant: Path, stubs: Path, chapters: dict) -> list[tuple[str, list[str], str]]:
    """(file, command, directory) for each translation unit to compile against the stubs: every .cpp of the
    chapters (lesson code and programs) and the test files of the chapters with exercises."""
    import shlex
    entries = json.loads((build / "compile_commands.json").read_text(encoding="utf-8"))
    tests = {str(p) for c in chapters for p in (course.root / "tests").glob(f"{c}_*.cpp")}
    m, s = str(mutant), str(stubs)
    units, seen = [], set()
    for e in entries:
        file = e["file"]
        wanted = file in tests or file.startswith(str(course.root / "chapters") + "/") or file.startswith(m + "/")
        if not wanted or file in seen:
            continue
        seen.add(file)
        cmd = shlex.split(e["command"]) if "command" in e else list(e["arguments"])
        out = []
        skip = False
        for tok in cmd:
            if skip:
                skip = False
                continue
            if tok == "-o":
                skip = True
                continue
            if tok == "-c":
                continue
            if tok == m or tok.startswith(m + "/"):
                tok = s + tok[len(m):]
            elif tok.startswith("-I" + m) and (tok == "-I" + m or tok.startswith("-I" + m + "/")):
                tok = "-I" + s + tok[len("-I") + len(m):]
            out.append(tok)
        out.insert(1, "-fsyntax-only")
        ref = [t for t in cmd if t not in ("-c",)]
        ref = [t for i, t in enumerate(ref) if t != "-o" and (i == 0 or ref[i - 1] != "-o")]
        ref.insert(1, "-fsyntax-only")
        units.append((out[-1], out, e["directory"], ref, s))
    return units


def compile_units(units: list, jobs: int) -> list[tuple[str, str, bool]]:
    from concurrent.futures import ThreadPoolExecutor
    skipped: list[str] = []

    def one(unit):
        file, cmd, cwd, ref, stubs = unit
        # A file that includes no stubbed file compiles exactly as the reference does: skip it (the
        # preprocessor alone says so, in a fraction of the compile's time).
        deps_cmd = [t if t != "-fsyntax-only" else "-MM" for t in cmd]
        code, deps = run(deps_cmd, Path(cwd))
        if code == 0 and stubs + "/" not in deps:
            skipped.append(file)
            return None
        code, out = run(cmd, Path(cwd))
        if code == 0:
            return None
        ref_code, _ = run(ref, Path(cwd))  # does it compile on the reference? then the stubs broke it
        return file, out, ref_code == 0
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        failed = [r for r in pool.map(one, units) if r]
    if skipped:
        print(f"  ({len(skipped)} of them include no exercise: the same as the reference, not compiled again)")
    return failed


def report_verify(failures: list[str], t0: float) -> int:
    print(f"exercise verification took {time.time() - t0:.0f} s")
    if failures:
        print(f"\n{len(failures)} problem{'s' * (len(failures) != 1)}:")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("every exercise is honest: its tests pass on the reference and fail on its stub with its own message")
    return 0


# ---------------------------------------------------------------------------------------------

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
    v = sub.add_parser("verify", help="(CI) lint, build the stubs and a mutant, check every exercise's tests")
    v.add_argument("--build-dir", default=str(ROOT / "build" / "exercise-check"))
    v.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    v.add_argument("--timeout", type=float, default=300)
    v.add_argument("--cxx", default="")
    v.add_argument("--launcher", default="")
    v.add_argument("--generator", default="")
    v.add_argument("--only", nargs="*", default=[], help="only these chapters (e.g. 4 5)")
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
    if a.cmd == "verify":
        return cmd_verify(course, a)
    p.print_help()
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
