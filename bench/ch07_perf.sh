#!/usr/bin/env bash
# Where does an epoch of chapter 7 spend its time? Runs 9 interleaved rounds of one
# variant of bench_ch07_mnist (one BLAS thread) under `perf record` and prints the
# top functions.
#   bench/ch07_perf.sh [build folder] [variant]
#     build folder: default build/release
#     variant: text in the variant's name (default "the fast path"; "all four": the
#              lessons' σ, tanh, loss, step and dense first layer)
# Needs perf (Debian: linux-perf) and full MNIST (./course fetch).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/release}"
variant="${2:-the fast path}"
bench="$build/bin/bench_ch07_mnist"
[ -x "$bench" ] || { echo "ch07_perf: $bench not found: build first (./course build)" >&2; exit 1; }
command -v perf >/dev/null || { echo "ch07_perf: perf not found (apt-get install linux-perf)" >&2; exit 1; }
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
perf record -q -o "$data/perf.data" "$bench" --benchmark_filter=NONE --only="$variant" --rounds=9 >/dev/null 2>&1
echo "Top functions during 9 epochs of \"$variant\" (loading MNIST included: load_idx_pair, to_bytes, page faults):"
perf report -i "$data/perf.data" --no-children --sort dso,symbol --percent-limit 0.5 --stdio 2>/dev/null \
  | grep -v '^#' | grep '%' | sed 's/  */ /g' | cut -c1-110
