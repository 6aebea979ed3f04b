"""./course check N: build the learner's workspace, run the chapter's tests, and say for each exercise
whether it passes, what is wrong, or what it waits for."""
from __future__ import annotations

import json
import os
import re
import sys
import textwrap
import time
from pathlib import Path

from .course import LESSON_SUFFIXES, Course, rel
from .markers import NOT_IMPLEMENTED, Exercise, is_stub, suite_of
from .names import atomic_write, chapter_of, number
from .testing import NOT_IMPL_RE, TestResult, compiler_errors, run, run_tests, short
from .workspace import REFERENCE_WORD, Workspace, cmd_init, cmd_status, now, solve_note, status_word

WHY = {"failed": "fails its own tests", "stub": "you have not written yet", "notests": "has no test that ran"}


def classify(ex: Exercise, tests: list[TestResult], runs: dict[str, list[str]] | None = None,
             distrusted: dict[str, str] | None = None) -> dict:
    """passed / failed / blocked (waiting for another exercise) / stub (its own stub still throws) / notests.

    A verdict is about one exercise. A failing test of ex waits for another exercise B when B's stub threw in
    it, or when `runs` (test -> the other exercises it runs, found by verify) says it runs B and B is in
    `distrusted` (id -> why: "fails its own tests", ...): the failure may be B's, not ex's. When any failing
    test of ex waits for nobody, ex fails (with that test's message), however many others wait."""
    runs, distrusted = runs or {}, distrusted or {}
    mine = [t for t in tests if t.suite == ex.suite and not t.skipped]
    if not mine:
        return {"status": "notests"}
    failed = [t for t in mine if not t.passed]
    if not failed:
        return {"status": "passed", "tests": len(mine)}
    own = [t for t in failed if not any(f"exercise {ex.id} {NOT_IMPLEMENTED}" in m for m in t.messages)]
    if not own:
        return {"status": "stub"}
    waiting: dict[str, tuple[str, str]] = {}  # test -> (the exercise it waits for, why)
    independent: list[TestResult] = []
    for t in own:
        name = f"{t.suite}.{t.name}"
        stubs = [m.group(1) for msg in t.messages if (m := NOT_IMPL_RE.search(msg)) and m.group(1) != ex.id]
        blamed = [b for b in runs.get(name, []) if b in distrusted and b != ex.id]
        if stubs:
            waiting[name] = (stubs[0], WHY["stub"])
        elif blamed:
            b = min(blamed, key=lambda b: distrusted[b] != WHY["failed"])  # the one that fails on its own first
            waiting[name] = (b, distrusted[b])
        else:
            independent.append(t)
    if independent:
        return failed_verdict(independent[0], len(own), len(mine), waiting)
    name, (b, why) = next(iter(waiting.items()))
    return {"status": "blocked", "blocked_by": b, "test": name, "why": why}


def failed_verdict(t: TestResult, failing: int, tests: int, waiting: dict[str, tuple[str, str]]) -> dict:
    more = len(t.messages) - 1
    verdict = {"status": "failed", "test": f"{t.suite}.{t.name}", "failed": failing, "tests": tests,
               "message": short(t.messages[0] if t.messages else "(no message)", 8)
               + (f"\n(and {more} more failure{'s' * (more > 1)} in this test)" if more > 0 else "")}
    if waiting:
        verdict["waiting"] = sorted({b for b, _ in waiting.values()})
    return verdict


def why_distrusted(verdict: dict) -> str | None:
    """Why another exercise's verdict cannot be trusted by the tests that run it (None: it passed)."""
    status = verdict.get("status")
    if status == "passed":
        return None
    if status == "blocked":
        return f"waits for {verdict.get('blocked_by')}"
    return WHY.get(status, WHY["stub"])


def mutual_wait(verdicts: dict[str, dict]) -> list[str]:
    """Exercises that wait for each other in a circle (A waits for B, which waits for A), or []."""
    for start in verdicts:
        path: list[str] = []
        at = start
        while at in verdicts and verdicts[at].get("status") == "blocked" and at not in path:
            path.append(at)
            at = verdicts[at]["blocked_by"]
        if at in path:
            return sorted(path[path.index(at):])
    return []


def chapter_verdicts(exs: list[Exercise], tests: list[TestResult], runs: dict[str, list[str]],
                     elsewhere: dict[str, str]) -> dict[str, dict]:
    """Every exercise's verdict in one run of a chapter's tests: first each on its own tests alone, then again
    knowing which exercises fail, until nothing changes (an exercise waits for the one that fails on its own).
    Exercises that end up waiting for each other fail together, each with its own test's message: one of
    them, or both, is wrong. elsewhere: the exercises of other chapters that cannot be trusted (id -> why)."""
    by_id = {ex.id: ex for ex in exs}
    settled: dict[str, dict] = {}  # the ones that waited for each other: failed, together
    verdicts = {ex.id: classify(ex, tests) for ex in exs}
    for _ in range(3 * len(exs) + 3):
        distrusted = dict(elsewhere)
        distrusted.update({i: why for i, v in verdicts.items() if (why := why_distrusted(v))})
        again = {ex.id: settled.get(ex.id) or classify(ex, tests, runs, distrusted) for ex in exs}
        if again == verdicts:
            circle = mutual_wait(verdicts)
            if not circle:
                break
            for i in circle:
                mine = [t for t in tests if t.suite == by_id[i].suite and not t.skipped]
                failing = [t for t in mine if not t.passed]
                settled[i] = dict(failed_verdict(failing[0], len(failing), len(mine), {}),
                                  together=[o for o in circle if o != i])
            again = {ex.id: settled.get(ex.id) or again[ex.id] for ex in exs}
        verdicts = again
    return verdicts


def distrusted_elsewhere(course: Course, ws: Workspace, chapter: str) -> dict[str, str]:
    """The exercises of the other chapters whose last check did not pass (or that changed since), and why.
    The reference's answers (solve) are trusted."""
    out = {}
    for ex in course.exercises.values():
        if ex.chapter == chapter:
            continue
        state = ws.exercise_state(ex)
        result = ws.state.get("results", {}).get(ex.id)
        if state == "reference":
            continue
        if state != "written":
            out[ex.id] = WHY["stub"]
        elif not result:
            out[ex.id] = "is not checked yet"
        elif result.get("region") != ws.region_hash(ex):
            out[ex.id] = "has changed since its last check"
        elif why := why_distrusted(result):
            out[ex.id] = why
    return out


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
    atomic_write(stamp, current)
    return True


def cmd_check(course: Course, ws: Workspace, chapter: str | None, watch: bool, timeout: float) -> int:
    """chapter: 'ch04' (None: the learner's progress)."""
    if chapter is None:
        return cmd_status(course, ws, detail=False)
    exs = course.chapters().get(chapter)
    if not exs:
        have = ", ".join(str(number(c)) for c in course.chapters()) or "none yet"
        print(f"Chapter {number(chapter)} has no exercises (chapters with exercises: {have}).")
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
        file, line_index = m.group(1), int(m.group(2)) - 1
        mine = any(r.begin < line_index < r.end and not is_stub(r.hint_lines + r.body, r)
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
    n = number(chapter)
    if not configure_workspace(course, ws, build):
        return 1
    target = f"test_{chapter}"
    print(f"==> building your chapter {n} ({target}, build/workspace)", flush=True)
    jobs = os.environ.get("COURSE_JOBS") or str(os.cpu_count() or 2)
    code, out = run(["cmake", "--build", str(build), "--target", target, "-j", jobs], course.root,
                    log=build / "exercises-build.log")
    if code != 0:
        print(compiler_errors(out).replace(str(course.root) + "/", ""))  # workspace/..., as elsewhere
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
    results = record_results(course, ws, chapter, exs, tests)
    ws.save()
    lines, done = chapter_report(course, ws, chapter, exs, tests, results)
    print("\n".join(lines))
    return 0 if done == len(exs) else 1


def record_results(course: Course, ws: Workspace, chapter: str, exs: list[Exercise],
                   tests: list[TestResult]) -> dict[str, dict]:
    """Each exercise's verdict in this run, kept in the workspace's record (status reads it)."""
    verdicts = chapter_verdicts(exs, tests, course.test_runs(), distrusted_elsewhere(course, ws, chapter))
    results = ws.state.setdefault("results", {})
    for ex in exs:
        if ws.exercise_state(ex) in ("missing", "lost"):
            continue
        r = dict(verdicts[ex.id])
        if ws.exercise_state(ex) == "stub" or r["status"] == "stub":
            r = {"status": "not started"}
        r.update({"when": now(), "region": ws.region_hash(ex)})
        results[ex.id] = r
    return results


def hint_lines(ex: Exercise, indent: int) -> list[str]:
    """The hint as one paragraph, wrapped at 110 columns: its source lines are one text broken where the
    120-column source needed it, and wrapping each of them again under a deep indent broke them mid-phrase."""
    text = " ".join(line.strip() for line in ex.hint.split("\n") if line.strip())
    first = " " * indent + "hint: "
    return textwrap.wrap(text, 110, initial_indent=first, subsequent_indent=" " * (indent + 6),
                         break_on_hyphens=False) or [first]


def verdict_lines(ex: Exercise, r: dict, where: str, width: int, chapter: str) -> list[str]:
    """What check prints for one exercise's verdict r (from record_results)."""
    status = r["status"]
    if status == "passed":
        return [f"  [x] {ex.id:<{width}}passed ({r['tests']} test{'s' * (r['tests'] != 1)})"]
    if status == "not started":
        return [f"  [ ] {ex.id:<{width}}not started: {where}"] + hint_lines(ex, width + 6)
    if status == "blocked":
        b = r["blocked_by"]
        other = chapter_of(b)
        how = (f" (./course check {number(other)}, or {solve_note([other])})" if other != chapter
               else f" (that one first; or ./course exercises solve {b} to check this one with the reference's)")
        return [f"  [ ] {ex.id:<{width}}waiting: its test {r['test']} also runs {b}, which {r['why']}{how}"]
    if status == "notests":
        return [f"  [?] {ex.id:<{width}}no test of suite {ex.suite} ran (is your build up to date?)"]
    out = [f"  [ ] {ex.id:<{width}}FAILED {r['test']} ({r['failed']} of {r['tests']} tests fail): {where}"]
    out += [f"  {'':<{width + 4}}| {line}" for line in r["message"].splitlines()]
    if r.get("together"):
        others = ", ".join(r["together"])
        out.append(f"  {'':<{width + 4}}(its tests also run {others}, whose tests run it: they fail together, "
                   "each with its own message here; the mistake is in one of them, or both)")
    if r.get("waiting"):
        out.append(f"  {'':<{width + 4}}(its other failing tests also run {', '.join(r['waiting'])}: "
                   "the failure above is its own)")
    return out + hint_lines(ex, width + 6)


def chapter_report(course: Course, ws: Workspace, chapter: str, exs: list[Exercise], tests: list[TestResult],
                   results: dict[str, dict]) -> tuple[list[str], int]:
    """The check's report of a chapter (lines to print), and how many of its exercises the learner has done."""
    n = number(chapter)
    out = ["", f"Chapter {n}: {course.chapter_title(chapter)}"]
    done = solved = passing = 0
    width = max(len(e.id) for e in exs) + 2
    for ex in exs:
        state = ws.exercise_state(ex)
        region = ws.learner_regions(ex.file).get(ex.id)
        where = f"workspace/{ex.file}:{(region.begin if region else ex.begin) + 1}"
        if state in ("missing", "lost"):
            out.append(f"  [ ] {ex.id:<{width}}{status_word(ws, ex)[0]}")
            continue
        r = results[ex.id]
        passing += r["status"] == "passed"
        if state == "reference":
            solved += 1
            verdict = "its tests pass" if r["status"] == "passed" else f"{r['status']} (see below)"
            out.append(f"  [r] {ex.id:<{width}}{REFERENCE_WORD}: {verdict}")
            if r["status"] != "passed":
                out += verdict_lines(ex, r, where, width, chapter)
            continue
        done += r["status"] == "passed"
        out += verdict_lines(ex, r, where, width, chapter)
    out += other_tests_lines(course, chapter, exs, tests, results)
    line = f"{done} of {len(exs)} exercises of chapter {n} done"
    if solved:
        line += f", and {solved} {'is' if solved == 1 else 'are'} the reference's answer{'s' * (solved > 1)}"
    line += "."
    run_it = f"cmake --build build/workspace --target {chapter} && build/workspace/bin/{chapter}"
    out.append("")
    if passing == len(exs):
        out.append(line + (" Well done!" if done == len(exs) else "") + f" Run the chapter's program on your code:")
        out.append(f"  {run_it}")
        out += program_needs(course, ws, chapter)
    else:
        out.append(f"{line} (the chapter's program on your code: {run_it})")
    out += [f"note: {note}" for note in ws.changes_in_course()]
    return out, done


def program_needs(course: Course, ws: Workspace, chapter: str) -> list[str]:
    """The exercises of other chapters in the program's code that are neither passed nor the reference's."""
    todo: dict[str, list[str]] = {}
    for ex in course.program_exercises(chapter):
        if ex.chapter != chapter and not status_word(ws, ex)[1] and ws.exercise_state(ex) != "reference":
            todo.setdefault(ex.chapter, []).append(ex.id)
    if not todo:
        return []
    parts = [f"{c} ({', '.join(ids[:3])}{', ...' if len(ids) > 3 else ''}: {len(ids)} to do)" for c, ids in todo.items()]
    return [f"Its code also uses exercises of other chapters that do not pass yet: {'; '.join(parts)}. The program "
            f"stops at the first of them it runs: check them ({', '.join(f'./course check {number(c)}' for c in todo)}), "
            f"or {solve_note(sorted(todo))}."]


def other_tests_lines(course: Course, chapter: str, exs: list[Exercise], tests: list[TestResult],
                      results: dict[str, dict]) -> list[str]:
    """The chapter's tests that are no exercise's: how many pass, and why the others fail."""
    ids = {suite_of(e.id) for e in course.exercises.values()}
    others = [t for t in tests if t.suite not in ids]
    if not others:
        return []
    other_failed = [t for t in others if not t.passed]
    blocked = [t for t in other_failed if any(NOT_IMPL_RE.search(m) for m in t.messages)]
    line = f"  other tests of chapter {number(chapter)}: {len(others) - len(other_failed)} of {len(others)} pass"
    if blocked:
        need = sorted({NOT_IMPL_RE.search(m).group(1) for t in blocked for m in t.messages if NOT_IMPL_RE.search(m)})
        line += f" ({len(blocked)} wait for {', '.join(need)})"
    failing = [t for t in other_failed if t not in blocked]
    unfinished = [e.id for e in exs if results.get(e.id, {}).get("status") not in ("passed", "not started")]
    if failing and unfinished:  # they run the chapter's code: its exercises' own reports come first
        one = len(unfinished) == 1
        line += (f" ({len(failing)} fail{'s' * (len(failing) == 1)} while {', '.join(unfinished)} "
                 f"{'does' if one else 'do'} not pass: they use {'it' if one else 'them'})")
        failing = []
    out = [line]
    for t in failing[:3]:
        first = short(t.messages[0] if t.messages else "", 1).splitlines()
        out.append(f"      {t.suite}.{t.name}: {first[0] if first else ''}")
    return out
