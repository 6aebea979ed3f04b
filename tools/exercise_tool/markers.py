"""The exercise markers in the lesson code, and the files made from them: the stub a learner gets, the
mutant CI builds (every region stubbed at run time when COURSE_STUB names it)."""
from __future__ import annotations

import dataclasses
import hashlib
import re

from .names import chapter_of, chapter_of_file

ID_RE = re.compile(r"^ch(\d\d)\.[a-z][a-z0-9_]*$")
BEGIN_RE = re.compile(r"^//\s*BEGIN EXERCISE(?:\s+(\S+))?\s*$")
END_RE = re.compile(r"^//\s*END EXERCISE\s*$")
HINT_RE = re.compile(r"^//\s*hint:\s*(.*?)\s*$")
LOOSE_MARKER_RE = re.compile(r"\b(BEGIN|END)\s+EXERCISE\b", re.IGNORECASE)
TEST_RE = re.compile(r"\b(?:TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\s*\(\s*(ch\d\d_[A-Za-z0-9_]+)\s*,")
NOT_IMPLEMENTED = "is not implemented yet"


def suite_of(ex_id: str) -> str:
    """ch04.backward -> ch04_backward: the GoogleTest suite of an exercise."""
    return ex_id.replace(".", "_", 1)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclasses.dataclass
class Exercise:
    id: str
    file: str              # path relative to the repository's root
    begin: int             # 0-based index of the BEGIN line
    end: int               # 0-based index of the END line
    indent: str            # the BEGIN line's indentation
    hint_lines: list[str]  # the "// hint: ..." lines, as written
    hint: str              # the hint text, one line of text per hint line (joined by newlines)
    body: list[str]        # the reference lines between the hints and END

    @property
    def chapter(self) -> str:
        return chapter_of(self.id)

    @property
    def suite(self) -> str:
        return suite_of(self.id)

    def body_hash(self) -> str:
        return sha("\n".join(line.rstrip() for line in self.body))


@dataclasses.dataclass
class Problem:
    file: str
    line: int  # 1-based, 0 if none
    message: str
    warning: bool = False  # harmless as long as the stub compiles (verify checks that)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


def parse(text: str, file: str, strict: bool = True) -> tuple[list[Exercise], list[Problem]]:
    """Every exercise region of one file, and what is wrong with its markers.

    strict (the reference): hints required, ids checked against the file's chapter.
    Not strict (a learner's file): only the regions, so that their work can be found again."""
    lines = text.split("\n")
    exercises: list[Exercise] = []
    problems: list[Problem] = []
    open_: tuple[int, str, str] | None = None  # (line index, id, indent)
    folder = chapter_of_file(file)  # the chapter whose folder holds the file ('ch04'), or None
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        begin, end = BEGIN_RE.match(stripped), END_RE.match(stripped)
        if begin:
            ex_id = begin.group(1) or ""
            if open_ is not None:
                problems.append(Problem(file, open_[0] + 1, f"BEGIN EXERCISE {open_[1]} has no END EXERCISE "
                                        f"before the next BEGIN (line {i + 1}); exercises cannot nest"))
            open_ = (i, ex_id, raw[: len(raw) - len(raw.lstrip())])
            if strict:
                if not ex_id:
                    problems.append(Problem(file, i + 1, "BEGIN EXERCISE without an id (expected chNN.name)"))
                elif not ID_RE.match(ex_id):
                    problems.append(Problem(file, i + 1, f"exercise id '{ex_id}' is not of the form chNN.snake_case"))
                elif folder and chapter_of(ex_id) != folder:
                    problems.append(Problem(file, i + 1, f"exercise {ex_id} is in chapter {folder[2:]}'s "
                                            f"folder: its id should start with {folder}."))
        elif end:
            if open_ is None:
                problems.append(Problem(file, i + 1, "END EXERCISE without a BEGIN EXERCISE"))
                continue
            b, ex_id, indent = open_
            open_ = None
            j = b + 1
            hint_lines: list[str] = []
            while j < i and HINT_RE.match(lines[j].strip()):
                hint_lines.append(lines[j])
                j += 1
            hint = "\n".join(HINT_RE.match(h.strip()).group(1) for h in hint_lines).strip()
            body = lines[j:i]
            if strict:
                if not hint:
                    problems.append(Problem(file, b + 1, f"exercise {ex_id or '?'} has no hint: the line after "
                                            "BEGIN must be '// hint: ...'"))
                if not any(line.strip() for line in body):
                    problems.append(Problem(file, b + 1, f"exercise {ex_id or '?'} has an empty reference body"))
            if strict:
                after = next((line.strip() for line in lines[i + 1:]
                              if line.strip() and not line.strip().startswith("//")), "")
                if not after.startswith("}"):
                    problems.append(Problem(file, i + 1, f"END EXERCISE {ex_id} is followed by '{after[:40]}', not by "
                                            "the function's closing brace: the stub never returns, so that code is "
                                            "dead in the workspace (fine if it only checks; verify proves the stubs "
                                            "compile)", warning=True))
            if ex_id:
                exercises.append(Exercise(ex_id, file, b, i, indent, hint_lines, hint, body))
        elif strict and LOOSE_MARKER_RE.search(stripped) and stripped.startswith("//"):
            problems.append(Problem(file, i + 1, f"malformed exercise marker '{stripped}' (expected exactly "
                                    "'// BEGIN EXERCISE chNN.name' or '// END EXERCISE')"))
    if open_ is not None:
        problems.append(Problem(file, open_[0] + 1, f"BEGIN EXERCISE {open_[1]} has no END EXERCISE"))
    if strict and exercises and not re.search(r'#\s*include\s*[<"]common/exercise\.hpp[>"]', text):
        problems.append(Problem(file, 0, 'has exercises but does not #include "common/exercise.hpp" '
                                "(the stubs call course::exercise_not_implemented)"))
    if strict and exercises:
        for i, raw in enumerate(lines):
            inc = re.match(r'\s*#\s*include\s*"([^"]+)"', raw)
            if inc and "/" not in inc.group(1):
                problems.append(Problem(file, i + 1, f'#include "{inc.group(1)}": include lesson files by their '
                                        'path from the repository root, or a workspace copy cannot replace it'))
    return exercises, problems


def cpp_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def stub_call(ex: Exercise, hint: str | None = None) -> str:
    """The stub's one line; its hint keeps the hint's lines apart (a newline each), as the comments do."""
    return f"course::exercise_not_implemented({cpp_string(ex.id)}, {cpp_string(ex.hint if hint is None else hint)});"


def transform(text: str, exercises: list[Exercise], body_for) -> str:
    """The file with each region's body (the lines after the hints) replaced by body_for(ex)."""
    lines = text.split("\n")
    out: list[str] = []
    pos = 0
    for ex in sorted(exercises, key=lambda e: e.begin):
        first_body = ex.begin + 1 + len(ex.hint_lines)
        out.extend(lines[pos:first_body])
        out.extend(body_for(ex))
        pos = ex.end
    out.extend(lines[pos:])
    return "\n".join(out)


def stub_lines(ex: Exercise) -> list[str]:
    return [ex.indent + stub_call(ex)]


def make_stub(text: str, exercises: list[Exercise]) -> str:
    """What a learner gets: every region's body replaced by the stub."""
    return transform(text, exercises, stub_lines)


def make_mutant(text: str, exercises: list[Exercise]) -> str:
    """For CI: every region stubbed at run time only when COURSE_STUB names it, else the reference."""
    def body(ex: Exercise) -> list[str]:
        return [f"{ex.indent}if (course::exercise_stubbed({cpp_string(ex.id)})) {stub_call(ex)}"] + ex.body
    return transform(text, exercises, body)


def is_stub(body: list[str], ex: Exercise) -> bool:
    """Whether a region's lines are ex's stub: today's, or the one workspaces made before the hint kept its
    lines apart (the hint's lines joined by spaces)."""
    code = [line.strip() for line in body if line.strip() and not HINT_RE.match(line.strip())]
    return code in ([stub_call(ex)], [stub_call(ex, " ".join(ex.hint.split("\n")))])


# The first line of a region that `./course exercises solve` filled with the reference's answer.
REFERENCE_MARK = "// the course's reference answer (./course exercises solve), not yours: write yours in its place"


def reference_lines(ex: Exercise) -> list[str]:
    """What solve puts in a region: the mark, then the reference's body."""
    return [ex.indent + REFERENCE_MARK] + ex.body


def is_marked_reference(body: list[str]) -> bool:
    first = next((line.strip() for line in body if line.strip() and not HINT_RE.match(line.strip())), "")
    return first == REFERENCE_MARK


def is_reference(body: list[str], ex: Exercise) -> bool:
    """Whether a region's lines are the mark and ex's reference body (solve made them, nobody changed them)."""
    code = [line.rstrip() for line in body if not HINT_RE.match(line.strip())]
    return code == [line.rstrip() for line in reference_lines(ex)]


# C++ tokens, roughly: enough to compare two answers' code without their comments and spacing.
TOKEN_RE = re.compile(r'R"(?P<d>[^(\s]*)\((?:.|\n)*?\)(?P=d)"|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
                      r"|//[^\n]*|/\*(?:.|\n)*?\*/|\w+|\S")


def code_tokens(lines: list[str]) -> list[str]:
    """The code of some lines as tokens, without comments and whitespace ("a+b" and "a + b  // sum" are equal)."""
    return [m.group(0) for m in TOKEN_RE.finditer("\n".join(lines)) if not m.group(0).startswith(("//", "/*"))]
