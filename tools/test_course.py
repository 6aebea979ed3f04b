#!/usr/bin/env python3
"""Tests of the ./course script (run by CTest as exercises.course, label exercises): accept's failure paths each
end with their message, --help comes before any build, ./course run builds only the programs it runs, and colour
only on a terminal without NO_COLOR. The script runs in a temporary copy of the repository's layout, with fake
cmake and dpkg-query first on the PATH (nothing is built, nothing installed).

    python3 tools/test_course.py -v
"""
import os
import pty
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Sandbox:
    """A folder holding a copy of ./course, fake chapters and fake programs, and fake tools on the PATH."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="course-test-"))
        shutil.copy(ROOT / "course", self.dir / "course")
        self.bin = self.dir / "fake-bin"
        self.bin.mkdir()
        self.calls = self.dir / "cmake-calls.txt"
        self.tool("cmake", f'echo "$*" >> "{self.calls}"')
        self.tool("dpkg-query", "echo 'install ok installed'")
        for n, name in (("04", "xor"), ("07", "mnist_mlp"), ("11", "final_classifier")):
            chapter = self.dir / "chapters" / f"{n}_{name}"
            chapter.mkdir(parents=True)
            (chapter / "CMakeLists.txt").write_text(f"course_chapter(ch{n} PROGRAM main.cpp)\n")
            (chapter / "README.md").write_text(f"# {int(n)}. {name}\n")
            program = self.dir / "build" / "release" / "bin" / f"ch{n}"
            program.parent.mkdir(parents=True, exist_ok=True)
            program.write_text('#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = --out ] && out="$2"; shift; done\n'
                               'mkdir -p "$out" && echo "ran" > "$out/summary.txt"\n')
            program.chmod(0o755)

    def tool(self, name: str, body: str) -> None:
        path = self.bin / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)

    def env(self, **extra) -> dict:
        env = dict(os.environ, PATH=f"{self.bin}:{os.environ['PATH']}", COURSE_JOBS="1")
        env.pop("NO_COLOR", None)
        env.update(extra)
        return env

    def course(self, *args: str, **extra) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.dir / "course"), *args], cwd=self.dir, env=self.env(**extra),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)

    def cmake_calls(self) -> list[str]:
        return self.calls.read_text().splitlines() if self.calls.exists() else []

    def results(self, chapter: str, text: str) -> None:
        path = self.dir / "out" / "accept" / chapter / "results.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class Accept(unittest.TestCase):
    def setUp(self):
        self.box = Sandbox()

    def tearDown(self):
        self.box.cleanup()

    def test_a_missing_results_file_is_named_and_fails(self):
        self.box.results("07_mnist_mlp", "test_accuracy_mean 0.9754\n")
        p = self.box.course("accept", "--check")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"07_mnist_mlp +test_accuracy_mean +97\.54% +goal >= 97\.50% +met")
        self.assertRegex(p.stdout, r"11_final_classifier +test_accuracy +no results file "
                                   r"out/accept/11_final_classifier/results.txt \(did the training fail\?\)")
        self.assertIn("course: error: a goal was missed or a result is missing", p.stderr)

    def test_a_missing_result_and_a_missed_goal_are_named_and_fail(self):
        self.box.results("07_mnist_mlp", "test_accuracy_mean 0.9612\n")
        self.box.results("11_final_classifier", "test_accuracy 0.9850\nepochs 18\n")
        p = self.box.course("accept", "--check")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"07_mnist_mlp +test_accuracy_mean +96\.12% +goal >= 97\.50% +MISSED")
        self.assertRegex(p.stdout, r"11_final_classifier +test_accuracy +98\.50% +goal >= 98\.40% +met")
        self.assertRegex(p.stdout, r'11_final_classifier +training_seconds +no result "training_seconds" in '
                                   r"out/accept/11_final_classifier/results.txt")
        self.assertIn("course: error: a goal was missed", p.stderr)

    def test_every_goal_met(self):
        self.box.results("07_mnist_mlp", "test_accuracy_mean 0.9754\n")
        self.box.results("11_final_classifier", "test_accuracy 0.9841\ntraining_seconds 59.2\n")
        self.box.results("14_data_augmentation", "test_accuracy 0.9921\ntraining_seconds 250\n")
        p = self.box.course("accept", "--check")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"training_seconds +59\.2 s +goal <= 60\.0 s +met")
        self.assertIn("every goal met", p.stdout)

    def test_a_failed_training_ends_with_the_message_not_silently(self):
        # The chapter 11 program fails and writes nothing: accept says so, and which result is missing.
        (self.box.dir / "datasets").mkdir()
        (self.box.dir / "datasets" / "fetch.sh").write_text("exit 0\n")
        (self.box.dir / "build/release/bin/ch11").write_text("#!/bin/sh\necho 'ch11: error: diverged' >&2\nexit 1\n")
        self.box.results("07_mnist_mlp", "stale 1\n")
        p = self.box.course("accept")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"11_final_classifier \(seed 1\) the program failed")
        self.assertRegex(p.stdout, r"07_mnist_mlp +test_accuracy_mean +no results file")  # the stale file was removed
        self.assertIn("course: error: a goal was missed or a result is missing", p.stderr)
        self.assertEqual(self.box.cmake_calls()[-1], "--build --preset release -j 1 --target ch07 ch11 ch14")

    def test_seeds_runs_each_seed_and_judges_the_mean(self):
        # A fake chapter 11 whose accuracy depends on its seed: accept --seeds 3 runs seeds 1, 2, 3 with the
        # table's flags, and results.txt holds each result's mean over the three.
        (self.box.dir / "datasets").mkdir()
        (self.box.dir / "datasets" / "fetch.sh").write_text("exit 0\n")
        log = self.box.dir / "ch11-calls.txt"
        (self.box.dir / "build/release/bin/ch11").write_text(
            '#!/bin/sh\necho "$*" >> ' + str(log) + '\n'
            'while [ $# -gt 0 ]; do case "$1" in --out) out="$2";; --seed) seed="$2";; esac; shift; done\n'
            'mkdir -p "$out" && printf "test_accuracy 0.98%s\\ntraining_seconds 5%s\\n" "$seed" "$seed" '
            '> "$out/results.txt"\n')
        p = self.box.course("accept", "--seeds", "3")
        calls = log.read_text().splitlines()
        self.assertEqual(len(calls), 3, calls)
        for s, call in enumerate(calls, start=1):
            self.assertIn(f"--seed {s}", call)
            self.assertIn("--skip-compare", call)
        mean = dict(line.split() for line in
                    (self.box.dir / "out/accept/11_final_classifier/results.txt").read_text().splitlines())
        self.assertAlmostEqual(float(mean["test_accuracy"]), 0.982, places=9)  # (0.981 + 0.982 + 0.983) / 3
        self.assertAlmostEqual(float(mean["training_seconds"]), 52.0, places=9)
        self.assertRegex(p.stdout, r"11_final_classifier +test_accuracy +98\.20% +goal >= 98\.40% +MISSED")
        self.assertRegex(p.stdout, r"11_final_classifier +training_seconds +52\.0 s +goal <= 60\.0 s +met")

    def test_a_seed_count_that_is_not_a_number_is_refused(self):
        for bad in ("0", "x", ""):
            p = self.box.course("accept", "--seeds", bad)
            self.assertNotEqual(p.returncode, 0, bad)
            self.assertIn("--seeds expects a number of seeds", p.stderr)
            self.assertEqual(self.box.cmake_calls(), [], "nothing is built before the flags are checked")

    def test_help_comes_first_and_says_how_long(self):
        p = self.box.course("accept", "--help")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("It takes several minutes", p.stdout)
        self.assertIn("test_accuracy", p.stdout)
        self.assertEqual(self.box.cmake_calls(), [])  # nothing configured or built
        (self.box.dir / "bench").mkdir()
        (self.box.dir / "bench" / "run.py").write_text("import sys\nprint('bench help' if '--help' in sys.argv else 'ran')\n")
        p = self.box.course("bench", "--help")
        self.assertEqual((p.returncode, p.stdout), (0, "bench help\n"))
        self.assertEqual(self.box.cmake_calls(), [])


class Run(unittest.TestCase):
    def setUp(self):
        self.box = Sandbox()

    def tearDown(self):
        self.box.cleanup()

    def test_run_builds_only_the_programs_it_runs(self):
        p = self.box.course("run", "11", "--", "--quick")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.box.cmake_calls(), ["--preset release", "--build --preset release -j 1 --target ch11"])
        self.assertIn("11_final_classifier", p.stdout)
        p = self.box.course("run", "4", "7", "--", "--quick")
        self.assertEqual(self.box.cmake_calls()[-1], "--build --preset release -j 1 --target ch04 ch07")

    def test_no_colour_in_a_log_nor_with_no_color(self):
        p = self.box.course("accept", "--check")
        self.assertIn("==> acceptance", p.stderr)
        self.assertNotIn("\033[", p.stderr + p.stdout)
        self.assertIn("\033[1m==> acceptance", self.on_a_terminal())
        self.assertNotIn("\033[", self.on_a_terminal(NO_COLOR="1"))

    def on_a_terminal(self, **extra) -> str:
        """What ./course accept --check prints on a terminal (a pseudo-terminal)."""
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(self.box.dir)
            os.execve(str(self.box.dir / "course"), ["course", "accept", "--check"], self.box.env(**extra))
        out = b""
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.waitpid(pid, 0)
        return out.decode(errors="replace")


if __name__ == "__main__":
    unittest.main()
