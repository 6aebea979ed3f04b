#!/usr/bin/env python3
"""The C++ layout check (ctest structure.format): every C++ file of the course is laid out as .clang-format says.

Runs `clang-format --dry-run --Werror` over the course's C++ files (chapters/, common/, tests/, bench/) and
names each file that differs, with the command that lays it out. The learner's workspace/ and build/ are
not the course's code and are not checked.
"""
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDERS = ("chapters", "common", "tests", "bench")
ENDINGS = (".cpp", ".hpp", ".h", ".cc")


def course_cpp_files(root=ROOT):
    files = []
    for folder in FOLDERS:
        for here, dirs, names in os.walk(os.path.join(root, folder)):
            dirs.sort()
            files += [os.path.join(here, n) for n in sorted(names) if n.endswith(ENDINGS)]
    return files


def misformatted(files, clang_format, cwd=ROOT):
    """The files clang-format would change (it prints a warning per change with --dry-run)."""
    bad = []
    for start in range(0, len(files), 50):
        batch = files[start:start + 50]
        run = subprocess.run([clang_format, "--dry-run", "--Werror", "--style=file", *batch],
                             capture_output=True, text=True, cwd=cwd)
        if run.returncode != 0:
            bad += [f for f in batch if os.path.relpath(f, cwd) in run.stderr or f in run.stderr]
    return sorted(set(bad))


def main():
    clang_format = shutil.which("clang-format")
    if clang_format is None:
        print("check_format: clang-format is not installed (./course install installs it)", file=sys.stderr)
        return 1
    files = course_cpp_files()
    bad = misformatted(files, clang_format)
    if bad:
        rel = [os.path.relpath(f, ROOT) for f in bad]
        print(f"check_format: {len(rel)} of {len(files)} C++ files are not laid out as .clang-format says:")
        for f in rel:
            print(f"  {f}")
        print("lay them out with: clang-format -i " + " ".join(rel))
        return 1
    print(f"check_format: all {len(files)} C++ files follow .clang-format")
    return 0


if __name__ == "__main__":
    sys.exit(main())
