#!/usr/bin/env python3
"""Tests of check_format.py (ctest structure.format_tool): a file laid out wrongly is named, a laid-out one is not."""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_format  # noqa: E402


@unittest.skipIf(shutil.which("clang-format") is None, "clang-format is not installed")
class CheckFormat(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        shutil.copy(os.path.join(check_format.ROOT, ".clang-format"), self.root)
        os.makedirs(os.path.join(self.root, "common"))

    def tearDown(self):
        shutil.rmtree(self.root)

    def write(self, name, text):
        path = os.path.join(self.root, "common", name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_a_misformatted_file_is_named_and_a_formatted_one_is_not(self):
        bad = self.write("bad.cpp", "int   f( int x ){return x*2;}\n")
        good = self.write("good.cpp", "int f(int x) { return x * 2; }\n")
        files = check_format.course_cpp_files(self.root)
        self.assertEqual(sorted(files), sorted([bad, good]))
        found = check_format.misformatted(files, shutil.which("clang-format"), cwd=self.root)
        self.assertEqual(found, [bad])


if __name__ == "__main__":
    unittest.main()
