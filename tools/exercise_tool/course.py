"""The course: its lesson files with exercises, their tests, and lint (are the markers well formed, does every
exercise have its test suite)."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .markers import TEST_RE, Exercise, Problem, parse, suite_of
from .names import chapter_of, chapter_of_file, number

ROOT = Path(os.environ.get("COURSE_ROOT") or Path(__file__).resolve().parents[2])
LESSON_SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".hh", ".ipp", ".tpp"}
# Which other exercises each exercise test runs: found by `exercises.py verify` (each exercise stubbed in turn),
# read by check (a failing test that runs a failing exercise waits for it).
DEPENDENCIES = "tools/exercise_dependencies.json"


def rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.MULTILINE)


class Course:
    def __init__(self, root: Path = ROOT):
        self.root = root
        self.files: dict[str, str] = {}          # rel path -> text, files with markers only
        self.exercises: dict[str, Exercise] = {}
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self._runs: dict[str, list[str]] | None = None
        self.restricted = False
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
        """Only these chapters' exercises (chapters: 'ch04', ...; for working on one chapter's exercises)."""
        keep = set(chapters)
        self.exercises = {i: e for i, e in self.exercises.items() if e.chapter in keep}
        self.files = {f: t for f, t in self.files.items() if any(e.file == f for e in self.exercises.values())}
        self.problems = [p for p in self.problems if chapter_of_file(p.file) in keep]
        self.warnings = [p for p in self.warnings if chapter_of_file(p.file) in keep]
        self.restricted = True

    def chapters(self) -> dict[str, list[Exercise]]:
        """Each chapter's exercises in the order a learner should do them: the order of the chapter README's
        exercise list (then headers before sources, then place in the file), and an exercise that another's
        tests run before that other one."""
        by: dict[str, list[Exercise]] = {}
        for ex in self.exercises.values():
            by.setdefault(ex.chapter, []).append(ex)
        runs = self.test_runs()
        for chapter, exs in by.items():
            mentioned = re.findall(r"\b" + chapter + r"\.[a-z0-9_]+", self.chapter_readme(chapter))
            rank = {i: n for n, i in reversed(list(enumerate(mentioned)))}
            exs.sort(key=lambda e: (rank.get(e.id, len(rank)), not e.file.endswith((".hpp", ".h")), e.file, e.begin))
            needs = {e.id: {b for test, bs in runs.items() if test.split(".")[0] == e.suite for b in bs} for e in exs}
            ordered: list[Exercise] = []
            while exs:  # dependencies first, otherwise the order above
                ready = next((e for e in exs if not needs[e.id] & {x.id for x in exs if x is not e}), exs[0])
                ordered.append(ready)
                exs.remove(ready)
            by[chapter] = ordered
        return dict(sorted(by.items()))

    def files_in_order(self) -> list[str]:
        """The lesson files with exercises, in the order of their first exercise (see chapters)."""
        order = [e.file for exs in self.chapters().values() for e in exs]
        return sorted(self.files, key=order.index)

    def test_runs(self) -> dict[str, list[str]]:
        """Test ('suite.name') -> the other exercises it runs, as verify found them (DEPENDENCIES)."""
        if self._runs is None:
            path = self.root / DEPENDENCIES
            self._runs = json.loads(path.read_text(encoding="utf-8"))["runs"] if path.is_file() else {}
        return self._runs

    def exercises_in(self, file: str) -> list[Exercise]:
        return sorted((e for e in self.exercises.values() if e.file == file), key=lambda e: e.begin)

    def chapter_dir(self, chapter: str) -> str | None:
        hits = sorted((self.root / "chapters").glob(f"{number(chapter):02d}_*"))
        return hits[0].relative_to(self.root).as_posix() if hits else None

    def chapter_readme(self, chapter: str) -> str:
        d = self.chapter_dir(chapter)
        readme = self.root / d / "README.md" if d else None
        return readme.read_text(encoding="utf-8") if readme and readme.is_file() else ""

    def chapter_title(self, chapter: str) -> str:
        for line in self.chapter_readme(chapter).splitlines():
            if line.startswith("# "):
                return line[2:].strip()
        d = self.chapter_dir(chapter)
        return d.split("/")[-1] if d else chapter

    def program_exercises(self, chapter: str) -> list[Exercise]:
        """The exercises in the code of chapter's program: its folder's sources and every lesson file they
        include (and the .cpp beside each included header, its compiled half), of this chapter and others."""
        d = self.chapter_dir(chapter)
        if not d:
            return []
        todo = [p.relative_to(self.root).as_posix() for p in sorted((self.root / d).glob("*.cpp"))]
        seen: set[str] = set()
        while todo:
            file = todo.pop()
            path = self.root / file
            if file in seen or not path.is_file():
                continue
            seen.add(file)
            todo.extend(INCLUDE_RE.findall(path.read_text(encoding="utf-8")))
            if path.suffix in (".hpp", ".h"):
                todo.append(file[: -len(path.suffix)] + ".cpp")
        return [e for exs in self.chapters().values() for e in exs if e.file in seen]

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
            if self.restricted and chapter_of(suite.replace("_", ".", 1)) not in chapters:
                continue
            if suite not in ids:
                warnings.append(f"{where[0]}: test suite {suite} looks like an exercise's but there is no exercise "
                                f"{suite.replace('_', '.', 1)} (name other suites like Ch04Program)")
        return problems, warnings
