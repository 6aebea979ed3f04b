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

from .course import LESSON_SUFFIXES, Course, chapter_key, rel
from .markers import NOT_IMPLEMENTED, Exercise, is_stub, suite_of
from .testing import NOT_IMPL_RE, TestResult, compiler_errors, run, run_tests, short
from .workspace import Workspace, cmd_init, cmd_status, now, status_word

def classify(ex: Exercise, tests: list[TestResult], runs: dict[str, list[str]] | None = None,
             distrusted: dict[str, str] | None = None) -> dict:
    """passed / failed / blocked (waiting for another exercise) / stub (its own stub still throws) / notests.

    A verdict is about one exercise. A failing test of ex that also runs another exercise B waits for B when
    B's stub threw, or when B is in `distrusted` (id -> why: "fails its own tests", ...) and `runs` (test ->
    the other exercises it runs, found by verify) says the test runs B: the failure may be B's, not ex's."""
    runs, distrusted = runs or {}, distrusted or {}
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
                return {"status": "blocked", "blocked_by": m.group(1), "test": f"{t.suite}.{t.name}",
                        "why": WHY["stub"]}
    own = [t for t in failed if not any(f"exercise {ex.id} {NOT_IMPLEMENTED}" in m for m in t.messages)]
    if not own:
        return {"status": "stub"}
    culprits: dict[str, list[str]] = {}
    for t in own:
        name = f"{t.suite}.{t.name}"
        culprits[name] = [b for b in runs.get(name, []) if b in distrusted and b != ex.id]
        if not culprits[name]:
            return {"status": "failed", "test": name, "failed": len(own), "tests": len(mine),
                    "message": short(t.messages[0] if t.messages else "(no message)", 8)
                    + (f"\n(and {len(t.messages) - 1} more failure{'s' * (len(t.messages) > 2)} in this test)"
                       if len(t.messages) > 1 else "")}
    name, blamed = next(iter(culprits.items()))
    b = min(blamed, key=lambda b: distrusted[b] != WHY["failed"])  # the one that fails on its own first
    return {"status": "blocked", "blocked_by": b, "test": name, "why": distrusted[b]}


WHY = {"failed": "fails its own tests", "stub": "you have not written yet", "notests": "has no test that ran"}


def why_distrusted(verdict: dict) -> str | None:
    """Why another exercise's verdict cannot be trusted by the tests that run it (None: it passed)."""
    status = verdict.get("status")
    if status == "passed":
        return None
    if status == "blocked":
        return f"waits for {verdict.get('blocked_by')}"
    return WHY.get(status, WHY["stub"])


def chapter_verdicts(exs: list[Exercise], tests: list[TestResult], runs: dict[str, list[str]],
                     elsewhere: dict[str, str]) -> dict[str, dict]:
    """Every exercise's verdict in one run of a chapter's tests: first each on its own tests alone, then again
    knowing which exercises fail, until nothing changes (an exercise waits for the one that fails on its own).
    elsewhere: the exercises of other chapters that cannot be trusted (id -> why)."""
    verdicts = {ex.id: classify(ex, tests) for ex in exs}
    for _ in range(len(exs) + 1):
        distrusted = dict(elsewhere)
        distrusted.update({i: why for i, v in verdicts.items() if (why := why_distrusted(v))})
        again = {ex.id: classify(ex, tests, runs, distrusted) for ex in exs}
        if again == verdicts:
            break
        verdicts = again
    return verdicts


def distrusted_elsewhere(course: Course, ws: Workspace, chapter: str) -> dict[str, str]:
    """The exercises of the other chapters whose last check did not pass (or that changed since), and why."""
    out = {}
    for ex in course.exercises.values():
        if ex.chapter == chapter:
            continue
        state = ws.exercise_state(ex)
        result = ws.state.get("results", {}).get(ex.id)
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
    results = ws.state.setdefault("results", {})
    print(f"\nChapter {n}: {course.chapter_title(chapter)}")
    done = 0
    width = max(len(e.id) for e in exs) + 2
    verdicts = chapter_verdicts(exs, tests, course.test_runs(), distrusted_elsewhere(course, ws, chapter))
    for ex in exs:
        state = ws.exercise_state(ex)
        region = ws.learner_regions(ex.file).get(ex.id)
        where = f"workspace/{ex.file}:{(region.begin if region else ex.begin) + 1}"
        if state in ("missing", "lost"):
            word, _ = status_word(course, ws, ex)
            print(f"  [ ] {ex.id:<{width}}{word}")
            continue
        r = verdicts[ex.id]
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
            b = r["blocked_by"]
            elsewhere = f" (./course check {int(b[2:4])})" if b[:4] != chapter else ""
            print(f"  [ ] {ex.id:<{width}}waiting: its test {r['test']} also runs {b}, which {r['why']}{elsewhere}")
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
        failing = [t for t in other_failed if t not in blocked]
        unfinished = [e.id for e in exs if results.get(e.id, {}).get("status") not in ("passed", "not started")]
        if failing and unfinished:  # they run the chapter's code: its exercises' own reports come first
            line += (f" ({len(failing)} fail{'s' * (len(failing) == 1)} while {', '.join(unfinished)} "
                     f"{'does' if len(unfinished) == 1 else 'do'} not pass: they use {'it' if len(unfinished) == 1 else 'them'})")
            failing = []
        print(line)
        for t in failing[:3]:
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
