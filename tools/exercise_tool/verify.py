"""For the course's CI: lint, and verify (every exercise's tests pass on the reference and fail on its own
stub with its own message; the learner's all-stubs workspace compiles)."""
from __future__ import annotations

import json
import os
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .course import DEPENDENCIES, Course, rel
from .markers import NOT_IMPLEMENTED, make_mutant, make_stub
from .names import atomic_write
from .testing import compiler_errors, run, run_tests, short, suite_filter

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
            atomic_write(target, new)
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
    runs: dict[str, set[str]] = {}  # test -> the other exercises it runs
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
        # 4. With COURSE_STUB=<id>, every test of that exercise's suite fails with its own message; and every
        #    other exercise test of the chapter that fails with that message runs that exercise. Each exercise of
        #    this chapter and of the chapters before it (later chapters build on them) is stubbed in turn.
        stubbed = [e for c, es in chapters.items() if c <= chapter for e in es]

        def one(ex):
            env = dict(env_base, COURSE_STUB=ex.id)
            return ex, run_tests(binary, build, top / "results" / f"{chapter}-{ex.id}.json", filt, env, args.timeout)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            done = list(pool.map(one, stubbed))
        for ex, (got, out, code) in done:
            if got is None:
                failures.append(f"{ex.id}: test_{chapter} crashed when the exercise is stubbed (exit {code}); "
                                f"a stub must fail the tests, not crash them:\n{out[-1500:]}")
                continue
            message = f"exercise {ex.id} {NOT_IMPLEMENTED}"
            for t in got:
                if t.suite != ex.suite and not t.passed and any(message in m for m in t.messages):
                    runs.setdefault(f"{t.suite}.{t.name}", set()).add(ex.id)
            if ex.chapter == chapter:
                failures.extend(check_own_suite(ex, got))
    if not args.only:
        failures.extend(check_dependencies(course, runs, top, args.write_dependencies))
    return report_verify(failures, t0)


def check_own_suite(ex, got) -> list[str]:
    """Every test of the exercise's own suite fails on its stub, with its message."""
    mine = [t for t in got if t.suite == ex.suite]
    if not mine:
        return [f"{ex.id}: no test of suite {ex.suite} ran"]
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
    return [f"{ex.id}: {b}" for b in bad]


def check_dependencies(course: Course, runs: dict[str, set[str]], top: Path, write: bool) -> list[str]:
    """The committed DEPENDENCIES (which check reads) must be what the tests run now."""
    found = {test: sorted(ids) for test, ids in sorted(runs.items())}
    about = ("Which other exercises each exercise test runs (found by tools/exercises.py verify, which stubs each "
             "exercise in turn; read by ./course check). Do not edit: tools/exercises.py verify --write-dependencies "
             "writes it.")
    rows = ",\n".join(f"  {json.dumps(test)}: {json.dumps(ids, ensure_ascii=False)}" for test, ids in found.items())
    text = f'{{\n "about": {json.dumps(about)},\n "runs": {{\n{rows}\n }}\n}}\n'
    path = course.root / DEPENDENCIES
    if write:
        atomic_write(path, text)
        print(f"wrote {DEPENDENCIES} ({len(found)} tests run other exercises)")
        return []
    if path.is_file() and json.loads(path.read_text(encoding="utf-8")).get("runs") == found:
        print(f"{DEPENDENCIES}: up to date ({len(found)} tests run other exercises)")
        return []
    atomic_write(top / "exercise_dependencies.json", text)
    old = course.test_runs()
    changed = sorted(set(old) ^ set(found) | {k for k in found if k in old and old[k] != found[k]})
    return [f"{DEPENDENCIES} is out of date ({len(changed)} test{'s' * (len(changed) != 1)} changed, e.g. {', '.join(changed[:3])}): "
            f"run tools/exercises.py verify --write-dependencies, or copy {rel(top / 'exercise_dependencies.json')} "
            "over it, and commit it"]


def stub_units(course: Course, build: Path, mutant: Path, stubs: Path,
               chapters: dict) -> list[tuple[str, list[str], str, list[str], str]]:
    """(file, command against the stubs, directory, command against the reference, the stubs' folder) for each
    translation unit to compile against the stubs: every .cpp of the chapters (lesson code and programs) and the
    test files of the chapters with exercises."""
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
