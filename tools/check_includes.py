#!/usr/bin/env python3
"""Lessons in order: a chapter's code includes only common/ and earlier chapters.

Every #include "..." of a file under chapters/NN_name/ must name common/, its
own chapter, or a chapter with a smaller number (tests/ and bench/ may include
anything). Prints each offending include as file:line and exits 1.

    python3 tools/check_includes.py [repository root]
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+(?:"([^"]+)"|<([^>]+)>)')
CHAPTER = re.compile(r"^chapters/(\d\d)_[^/]+/")


def offending_includes(root: pathlib.Path):
    for path in sorted((root / "chapters").glob("[0-9][0-9]_*/**/*")):
        if path.suffix not in {".hpp", ".cpp", ".h", ".cc"} or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        own = int(CHAPTER.match(rel).group(1))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1) or m.group(2)
            if m.group(2) is not None and not target.startswith(("chapters/", "tests/", "bench/")):
                continue  # <armadillo>, <vector>: a library's header
            if target.startswith("common/"):
                continue
            included = CHAPTER.match(target)
            if included and int(included.group(1)) <= own:
                continue
            why = (f"chapter {int(included.group(1))} comes after chapter {own}" if included
                   else "a chapter includes only common/ and chapters/ headers")
            yield f"{rel}:{number}: includes \"{target}\": {why}"


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    problems = list(offending_includes(root))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) point forward: move the shared code to common/ or to the "
              "earlier chapter that teaches it")
        return 1
    print("every chapter includes only common/ and earlier chapters")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
