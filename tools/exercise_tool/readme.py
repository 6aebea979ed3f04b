"""For CI: the sample outputs in the top README's "Doing the exercises" are real runs of the tool, so what they
count (exercises per chapter, per file, in all; tests per exercise) must be what the course has now. When a chapter
gains an exercise the samples are out of date, and this says so and how to make them again."""
from __future__ import annotations

import re

from .course import Course
from .names import chapter_key, chapter_of

SECTION = "## Doing the exercises"
REGENERATE = ("The samples are real output: make them again in a fresh clone (./course exercises init, write "
              "ch01.sigmoid, ./course check 1, ./course check, ...) and paste what the tool prints into README.md's "
              f"'{SECTION[3:]}'.")


def section(readme: str) -> tuple[int, list[str]]:
    """(the 1-based line number of the section's heading, its lines)."""
    lines = readme.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        return 0, []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return start + 1, lines[start:end]


def check_readme(course: Course, readme: str) -> list[str]:
    """What the README's samples say that the course contradicts, one line each ("README.md:L: ...")."""
    first, lines = section(readme)
    if not lines:
        return [f"README.md has no section '{SECTION}'"]
    chapters = course.chapters()
    suites = course.test_suites()
    problems: list[str] = []
    progress_rows: set[str] = set()

    def problem(i: int, text: str) -> None:
        problems.append(f"README.md:{first + i}: {text}")

    def count(chapter: str) -> int:
        return len(chapters.get(chapter, []))

    for i, line in enumerate(lines):
        if m := re.search(r"Your workspace has (\d+) exercises? in (\d+) chapters?", line):
            if (int(m.group(1)), int(m.group(2))) != (len(course.exercises), len(chapters)):
                problem(i, f"says '{m.group(0)}', but the course has {len(course.exercises)} exercises in "
                        f"{len(chapters)} chapters")
        if m := re.search(r"created workspace/(\S+)\s+\((.*)\)", line):
            have = [e.id for e in course.exercises_in(m.group(1))]
            if m.group(2).split(", ") != have:
                problem(i, f"says workspace/{m.group(1)} has ({m.group(2)}), but the course's has "
                        f"({', '.join(have) or 'no exercises'})")
        if m := re.match(r"^Chapter (\d+): (.*)$", line):
            chapter = chapter_key(m.group(1))
            if m.group(2) != course.chapter_title(chapter):
                problem(i, f"says 'Chapter {m.group(1)}: {m.group(2)}', but the tool prints the chapter's title: "
                        f"'{course.chapter_title(chapter)}'")
        if m := re.search(r"(\d+) of (\d+) exercises of chapter (\d+) done", line):
            chapter = chapter_key(m.group(3))
            if int(m.group(2)) != count(chapter):
                problem(i, f"says chapter {m.group(3)} has {m.group(2)} exercises, but it has {count(chapter)}")
        if m := re.match(r"^\s+(ch\d\d)\s+(\d+)/(\d+)\s+\[([#r.]*)\]\s+(.*)$", line):
            chapter = m.group(1)
            progress_rows.add(chapter)
            if int(m.group(3)) != count(chapter) or len(m.group(4)) != count(chapter):
                problem(i, f"shows '{chapter} {m.group(2)}/{m.group(3)}', but {chapter} has {count(chapter)} exercises")
            if m.group(5).strip() != course.chapter_title(chapter):
                problem(i, f"shows {chapter}'s title as '{m.group(5).strip()}', but the tool prints "
                        f"'{course.chapter_title(chapter)}'")
        if m := re.match(r"^\s+total (\d+)/(\d+)$", line):
            if int(m.group(2)) != len(course.exercises):
                problem(i, f"shows 'total {m.group(1)}/{m.group(2)}', but the course has {len(course.exercises)} "
                        "exercises")
        if m := re.match(r"^\s+\[[ x?]\] (ch\d\d\.[a-z0-9_]+)\s+(.*)$", line):
            ex_id = m.group(1)
            if ex_id not in course.exercises:
                problem(i, f"shows exercise {ex_id}, which the course does not have")
            elif t := re.match(r"passed \((\d+) tests?\)", m.group(2)):
                n = len(suites.get(course.exercises[ex_id].suite, []))
                if int(t.group(1)) != n:
                    problem(i, f"says {ex_id} passed {t.group(1)} tests, but its suite has {n}")
    if progress_rows and progress_rows != set(chapters):
        missing, extra = sorted(set(chapters) - progress_rows), sorted(progress_rows - set(chapters))
        problems.append(f"README.md: the sample of './course check' (progress) "
                        + (f"has no row for {', '.join(missing)}" if missing else "")
                        + ("; " if missing and extra else "")
                        + (f"has rows for {', '.join(extra)}, which have no exercises" if extra else ""))
    problems.extend(order_problems(course, first, lines))
    return problems


def order_problems(course: Course, first: int, lines: list[str]) -> list[str]:
    """Within each sample (a ``` block), one chapter's exercises in the order the tool lists them."""
    order = {e.id: n for exs in course.chapters().values() for n, e in enumerate(exs)}
    problems: list[str] = []
    shown: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("```"):
            shown = []
        m = re.match(r"^\s+\[[ x?]\] (ch\d\d\.[a-z0-9_]+)\s", line)
        if not m or m.group(1) not in order:
            continue
        later = [a for a in shown if chapter_of(a) == chapter_of(m.group(1)) and order[a] > order[m.group(1)]]
        if later:
            problems.append(f"README.md:{first + i}: lists {m.group(1)} after {later[0]}, but the tool lists it "
                            "before")
        shown.append(m.group(1))
    return problems


def cmd_readme(course: Course) -> int:
    path = course.root / "README.md"
    problems = check_readme(course, path.read_text(encoding="utf-8") if path.is_file() else "")
    for p in problems:
        print(f"error: {p}")
    if problems:
        print(f"README.md's exercise samples disagree with the course ({len(problems)} "
              f"problem{'s' * (len(problems) != 1)}). {REGENERATE}")
        return 1
    print(f"README.md's exercise samples agree with the course ({len(course.exercises)} exercises in "
          f"{len(course.chapters())} chapters)")
    return 0
