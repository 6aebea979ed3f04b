"""How the tool names chapters: the one place that reads "chNN" (from what a learner types, from a lesson
file's path, from an exercise id) and turns it back into the chapter's number, and the one atomic write."""
from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

CHAPTER_ARG_RE = re.compile(r"(?:ch)?0*(\d{1,2})")
CHAPTER_PATH_RE = re.compile(r"(?:^|/)chapters/(\d\d)_")


def chapter_key(arg: str) -> str:
    """'4', '04', 'ch4', 'ch04' -> 'ch04' (what a learner types for a chapter)."""
    m = CHAPTER_ARG_RE.fullmatch(arg.strip().lower())
    if not m:
        raise argparse.ArgumentTypeError(f"'{arg}' is not a chapter (expected a number like 4, 04 or ch04)")
    return f"ch{int(m.group(1)):02d}"


def is_chapter_arg(arg: str) -> bool:
    return CHAPTER_ARG_RE.fullmatch(arg.strip().lower()) is not None


def chapter_of_file(path: str) -> str | None:
    """'chapters/08_init_regularization/dropout.hpp' -> 'ch08' (None: not a chapter's file)."""
    m = CHAPTER_PATH_RE.search(path)
    return f"ch{m.group(1)}" if m else None


def chapter_of(ex_id: str) -> str:
    """'ch08.dropout_forward' -> 'ch08'."""
    return ex_id.split(".")[0]


def number(chapter: str) -> int:
    """'ch08' -> 8 (for what the tool prints: ./course check 8)."""
    return int(chapter[2:])


def atomic_write(path: Path, text: str) -> None:
    """Write text to path through a temporary file renamed over it: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
