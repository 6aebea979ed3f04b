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
    ./course exercises solve 6   fill chapter 6's exercises with the reference's answers (--upto 7: chapters 1-7),
                                 marked as the reference's: to check a later chapter without the earlier ones
    ./course check N [--watch]   build your workspace and run chapter N's exercise tests
    ./course check               your progress

and for the course's own CI (through CTest, label "exercises"):

    tools/exercises.py lint      the markers are well formed and every exercise has a test suite
    tools/exercises.py readme    the README's sample outputs count the exercises the course has
    tools/exercises.py verify    lint; the generated workspace builds; every exercise's tests fail on its
                                 stub with its own "not implemented" message and pass on the reference;
                                 which other exercises each exercise test runs (tools/exercise_dependencies.json)

The tool itself is the package exercise_tool/ next to this file (tools/README.md: one module per concern).

Python 3 standard library only.
"""
from __future__ import annotations

import sys

# Run as a script, Python puts this file's folder first on the path: the package exercise_tool is found there.
from exercise_tool.__main__ import main

if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
