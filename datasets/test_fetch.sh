#!/usr/bin/env bash
# Tests the checksum logic of fetch.sh offline, on four small made-up files whose
# sums are given with --sums (the real MNIST is not needed). Run by CTest
# (label common): bash datasets/test_fetch.sh
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fetch="$here/fetch.sh"
work="$(mktemp -d)"
trap 'rm -rf -- "$work"' EXIT
failures=0
names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

check() {  # check "description" command...
  local what="$1"; shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; failures=$((failures + 1)); fi
}
sum_of() { sha256sum | cut -d' ' -f1; }

# Four "good" files and their sums.
mkdir -p "$work/good"
for n in "${names[@]}"; do printf 'content of %s\n' "$n" >"$work/good/$n"; done
for n in "${names[@]}"; do echo "$(sum_of <"$work/good/$n")  $n"; done >"$work/SHA256SUMS"

run_fetch() {  # run_fetch DIR [args]: output in $work/log, status in $status
  local dir="$1"; shift
  bash "$fetch" --dir "$dir" --sums "$work/SHA256SUMS" "$@" >"$work/log" 2>&1
  status=$?
}

# 1. All four present and good (raw and gzip mixed): exit 0, nothing moved.
d="$work/t1"; mkdir -p "$d"
cp "$work/good/${names[0]}" "$work/good/${names[1]}" "$d/"
gzip -c "$work/good/${names[2]}" >"$d/${names[2]}.gz"
gzip -c "$work/good/${names[3]}" >"$d/${names[3]}.gz"
run_fetch "$d" --offline
check "four good files (raw and .gz) -> exit 0" test "$status" -eq 0
check "nothing moved aside" bash -c "! ls '$d'/*.bad >/dev/null 2>&1"

# 2. One corrupted raw file, offline: exit 1, the file is refused, moved aside, named.
d="$work/t2"; mkdir -p "$d"
cp "$work/good/"* "$d/"
printf 'corrupted' >"$d/${names[1]}"
run_fetch "$d" --offline
check "a corrupted file -> exit 1" test "$status" -eq 1
check "the message names the file and the mismatch" grep -q "checksum mismatch: $d/${names[1]}" "$work/log"
check "the corrupted file is moved aside" test -f "$d/${names[1]}.bad" -a ! -e "$d/${names[1]}"
check "the message says how to fix it by hand" grep -q "copy the four files" "$work/log"
check "the good files are untouched" cmp -s "$d/${names[0]}" "$work/good/${names[0]}"

# 3. A .gz that is not gzip at all: refused.
d="$work/t3"; mkdir -p "$d"
cp "$work/good/"* "$d/"
rm "$d/${names[2]}"; printf 'not gzip' >"$d/${names[2]}.gz"
run_fetch "$d" --offline
check "a broken .gz -> exit 1" test "$status" -eq 1
check "the broken .gz is moved aside" test -f "$d/${names[2]}.gz.bad"

# 4. A mirror (file://, through curl) serving one good and one corrupted file:
#    the good one is installed, the corrupted download is never moved into place.
if command -v curl >/dev/null 2>&1; then
  d="$work/t4"; m="$work/mirror"; mkdir -p "$d" "$m"
  cp "$work/good/${names[0]}" "$work/good/${names[1]}" "$d/"
  gzip -c "$work/good/${names[2]}" >"$m/${names[2]}.gz"
  printf 'tampered\n' | gzip -c >"$m/${names[3]}.gz"
  gzip -c "$work/good/${names[0]}" | sed 's/content/CONTENT/' >"$m/${names[0]}.gz"  # never asked for: already good
  run_fetch "$d" --no-npm --mirror "file://$m"
  check "mirror: one file still bad -> exit 1" test "$status" -eq 1
  check "mirror: the good download is installed" bash -c "gzip -dc '$d/${names[2]}.gz' | cmp -s - '$work/good/${names[2]}'"
  check "mirror: the corrupted download is not installed" test ! -e "$d/${names[3]}.gz" -a ! -e "$d/${names[3]}"
  check "mirror: the corrupted download is reported" grep -q "checksum mismatch: .*${names[3]}.gz" "$work/log"
  check "mirror: no temporary folder is left" bash -c "! ls -d '$d'/.fetch.* >/dev/null 2>&1"
  # Now the mirror serves the right file: complete, exit 0, good files unchanged.
  gzip -c "$work/good/${names[3]}" >"$m/${names[3]}.gz"
  run_fetch "$d" --no-npm --mirror "file://$m"
  check "mirror fixed -> exit 0" test "$status" -eq 0
  check "a good file is never overwritten" cmp -s "$d/${names[0]}" "$work/good/${names[0]}"
else
  echo "skip  mirror tests (no curl)"
fi

# 5. Bad usage: exit 2.
bash "$fetch" --no-such-flag >/dev/null 2>&1
check "unknown flag -> exit 2" test $? -eq 2

if [ $failures -gt 0 ]; then
  echo "$failures check(s) failed; last fetch.sh output:"; cat "$work/log"
  exit 1
fi
echo "all fetch.sh checks passed"
