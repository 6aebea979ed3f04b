#!/usr/bin/env python3
"""The include-order check finds a forward include, names its file and line, and passes a clean tree."""
import pathlib
import subprocess
import sys
import tempfile
import unittest

TOOL = pathlib.Path(__file__).resolve().parent / "check_includes.py"


def tree(files):
    root = pathlib.Path(tempfile.mkdtemp())
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def run(root):
    return subprocess.run([sys.executable, str(TOOL), str(root)], capture_output=True, text=True)


class CheckIncludes(unittest.TestCase):
    def test_backward_includes_pass(self):
        root = tree({"chapters/03_a/x.hpp": '#include "common/data.hpp"\n#include "chapters/01_b/y.hpp"\n',
                     "chapters/03_a/z.cpp": '#include "chapters/03_a/x.hpp"\n'})
        result = run(root)
        self.assertEqual(result.returncode, 0, result.stdout)

    def test_forward_include_names_file_and_line(self):
        root = tree({"chapters/03_a/x.hpp": '// a\n#include <armadillo>\n#include "chapters/06_c/network.hpp"\n'})
        result = run(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn('chapters/03_a/x.hpp:3: includes "chapters/06_c/network.hpp"', result.stdout)
        self.assertIn("chapter 6 comes after chapter 3", result.stdout)

    def test_angle_brackets_are_checked_too(self):
        root = tree({"chapters/03_a/x.hpp": '#include <vector>\n#include <chapters/07_d/training.hpp>\n'})
        result = run(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("chapters/03_a/x.hpp:2: includes \"chapters/07_d/training.hpp\"", result.stdout)

    def test_tests_and_bench_are_not_for_chapters(self):
        root = tree({"chapters/05_a/x.cpp": '#include "bench/collector.hpp"\n'})
        result = run(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("chapters/05_a/x.cpp:1", result.stdout)


if __name__ == "__main__":
    unittest.main()
