"""Running the build and the GoogleTest programs, and reading what they print."""
from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

from .markers import NOT_IMPLEMENTED
from .names import atomic_write

def run(cmd: list[str], cwd: Path, env: dict | None = None, timeout: float | None = None,
        log: Path | None = None) -> tuple[int, str]:
    """Run a command; (exit code, combined output). A timeout gives code -9."""
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, text=True, errors="replace")
        code, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        code, out = -9, out + f"\n(timed out after {timeout:.0f} s)\n"
    if log:
        atomic_write(log, out)
    return code, out


# The lines of a build log that are the compiler's (GCC, Clang) or the linker's; make's, ninja's and CMake's
# are not. A diagnostic comes with its context: the lines before it that say where ("In file included from",
# "In function ...", "required from ...") and after it its notes and the source excerpt (" 3 |  return x").
DIAGNOSTIC_RE = re.compile(r"^(?:\S.*?):\d+(?::\d+)?: (fatal error|error|warning|note): ")
CONTEXT_RE = re.compile(r"^(?:In file included from \S|\s+from \S+:\d+[,:]$|\S.*: (?:In|At) .*:$"
                        r"|/\S*ld(?:\.\S+)?: \S+: in function )")
CONTINUATION_RE = re.compile(r"^(?:\S.*?:\d+:\d+:\s+(?:required|in) |\s*\d*\s*\| |\s*\d+ \|$|\s+\|$"
                             r"|compilation terminated\.$|\d+ errors? generated\.$|collect2: error: )")
LINKER_ERROR_RE = re.compile(r"undefined reference to|multiple definition of|/\S*ld(?:\.\S+)?: .*(?:error|cannot find)")


def compiler_errors(output: str, limit: int = 40) -> str:
    """The compiler's errors in a build log, each with its context, and nothing of make's lines; an error
    that several files report (a header's) once. Warnings are left out (the check reports those itself)."""
    groups: list[list[str]] = []   # one diagnostic each: its context lines, the diagnostic, its notes
    kinds: list[str] = []          # each group's diagnostic: "error", "warning", or "" (none yet)
    for line in output.splitlines():
        diagnostic = DIAGNOSTIC_RE.match(line)
        main = LINKER_ERROR_RE.search(line) or (diagnostic and diagnostic.group(1) != "note")
        if CONTEXT_RE.match(line) or main:
            if not groups or kinds[-1]:
                groups.append([])
                kinds.append("")
            groups[-1].append(line)
            if main:
                kinds[-1] = "warning" if diagnostic and diagnostic.group(1) == "warning" else "error"
        elif groups and (diagnostic or CONTINUATION_RE.match(line)):
            groups[-1].append(line)
    for i in range(len(groups) - 1, 0, -1):  # notes under a context of their own belong to the diagnostic before
        if not kinds[i]:
            groups[i - 1].extend(groups.pop(i))
            kinds.pop(i)
    is_error = [kind == "error" for kind in kinds]
    errors: list[list[str]] = []
    seen: set[str] = set()
    for group, error in zip(groups, is_error):
        key = "\n".join(line for line in group if not CONTEXT_RE.match(line))
        if error and key not in seen:
            seen.add(key)
            errors.append(group)
    if not errors:  # not a compiler's error (CMake's, make's): the end of the log as it is
        return "\n".join(output.splitlines()[-limit:])
    shown: list[str] = []
    for n, group in enumerate(errors):
        if shown and len(shown) + len(group) > limit:
            shown.append(f"... ({len(errors) - n} more error{'s' * (len(errors) - n != 1)})")
            break
        shown.extend(group[:limit])
        if len(group) > limit:
            shown.append(f"... ({len(group) - limit} more lines of this error)")
    return "\n".join(shown)


@dataclasses.dataclass
class TestResult:
    suite: str
    name: str
    passed: bool
    skipped: bool
    messages: list[str]


def base_suite(name: str) -> str:
    """'Inst/ch04_x' (TEST_P) and 'ch04_x/0' (TYPED_TEST) -> 'ch04_x'."""
    parts = [p for p in name.split("/") if not p.isdigit()]
    return parts[-1] if parts else name


def gtest_text(text: str) -> str:
    """A string of GoogleTest's JSON as it was written. GoogleTest escapes each byte of a UTF-8 character on
    its own (its char is signed: "×", bytes C3 97, becomes "\\u00C3\\u0097"), so the JSON decodes to one
    character per byte: those characters are the bytes, and the bytes are UTF-8."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):  # not GoogleTest's escapes: leave it as it is
        return text


def read_gtest_json(path: Path) -> list[TestResult]:
    data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    results = []
    for suite in data.get("testsuites", []):
        for t in suite.get("testsuite", []):
            if t.get("status") == "NOTRUN":
                continue
            failures = [gtest_text(f.get("failure", "")) for f in t.get("failures", [])]
            skipped = t.get("result") == "SKIPPED"
            results.append(TestResult(base_suite(suite.get("name", "")), t.get("name", ""), not failures, skipped,
                                      failures))
    return results


def run_tests(binary: Path, cwd: Path, out_json: Path, gtest_filter: str | None = None, env: dict | None = None,
              timeout: float = 300) -> tuple[list[TestResult] | None, str, int]:
    """Run a GoogleTest program; (results or None if it crashed before writing them, output, exit code)."""
    if out_json.exists():
        out_json.unlink()
    out_json.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(binary), f"--gtest_output=json:{out_json}", "--gtest_color=no"]
    if gtest_filter:
        cmd.append(f"--gtest_filter={gtest_filter}")
    code, output = run(cmd, cwd, env=env, timeout=timeout)
    if out_json.exists():
        try:
            return read_gtest_json(out_json), output, code
        except ValueError:
            pass
    return read_gtest_stdout(output, code), output, code


def read_gtest_stdout(output: str, code: int) -> list[TestResult] | None:
    """When the program died before writing its JSON (a crash, a hang): the results from what it printed,
    the test that was running when it died failing with that news."""
    results: list[TestResult] = []
    current, lines = None, []
    for line in output.splitlines():
        m = re.match(r"^\[ RUN      \] (\S+)\.(\S+)$", line)
        if m:
            current, lines = (base_suite(m.group(1)), m.group(2)), []
            continue
        m = re.match(r"^\[\s+(OK|FAILED|SKIPPED)\s+\] (\S+)\.(\S+?)(?: \(\d+ ms\))?$", line)
        if m and current and (base_suite(m.group(2)), m.group(3)) == current:
            msg = "\n".join(lines).strip()
            results.append(TestResult(current[0], current[1], m.group(1) != "FAILED", m.group(1) == "SKIPPED",
                                      [msg] if m.group(1) == "FAILED" else []))
            current = None
            continue
        if current:
            lines.append(line)
    if current:
        how = "hung" if code == -9 else f"crashed (exit code {code}{', a segmentation fault' if code == -11 else ''})"
        tail = "\n".join(lines[-4:])
        results.append(TestResult(current[0], current[1], False, False, [f"the test program {how} in this test"
                                                                          + (f":\n{tail}" if tail else "")]))
    return results or None


def suite_filter(suite: str) -> str:
    return f"{suite}.*:*/{suite}.*:{suite}/*"


def short(message: str, lines: int = 6, width: int = 160) -> str:
    """A failure message, short: GoogleTest's 'file:line' line dropped, at most a few lines."""
    out = []
    for line in message.splitlines():
        if re.match(r"^\S+\.(cpp|hpp|h|cc):\d+(: Failure)?$", line.strip()) or line.strip() in ("Failure", "unknown file", ""):
            continue
        out.append(line if len(line) <= width else line[: width - 3] + "...")
    if len(out) > lines:
        out = out[:lines] + [f"... ({len(out) - lines} more lines)"]
    return "\n".join(out)


NOT_IMPL_RE = re.compile(r"exercise (ch\d\d\.[a-z0-9_]+) " + NOT_IMPLEMENTED)
