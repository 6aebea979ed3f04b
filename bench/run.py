#!/usr/bin/env python3
"""Runs the course's benchmarks and draws the speed-ups: what `./course bench` does.

    python3 bench/run.py                 every bench_* program in build/release/bin
    python3 bench/run.py ch02            the programs whose name contains "ch02"
    python3 bench/run.py ch07,ch11       several parts of names, separated by commas (here: the peer table)
    python3 bench/run.py 'matmul/float'  otherwise: a regular expression for benchmark names
    python3 bench/run.py --min-time 0.1  shorter runs (Google Benchmark's --benchmark_min_time)

Each program writes its results as JSON to bench/results/<program>.json
(--benchmark_out, --benchmark_out_format=json); its usual table goes to the terminal
as it runs. Then, for every benchmark named <operation>/<type>/<variant>/<size> (see
bench/README.md), this script divides each variant's time by the time of the
"vectorized" variant of the same operation, type and size, prints the ratios as a
table, writes them to bench/results/<operation>.csv, and draws, with gnuplot
(pngcairo), bench/results/<operation>.png: time against size on the left, speed-up
against size on the right, both on log-log axes.

After chapters 7 and 11's programs, the peer table: the same two nets hand-written in numpy
(bench/peer_numpy.py, run with an interpreter that has numpy; skipped with a message when none
has), their epochs beside the C++ ones and the sgemm floor, in bench/results/peer.csv and
bench/results/peer.png.

Only the Python standard library is used here.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"^(?P<op>[^/]+)/(?P<type>[^/]+)/(?P<variant>[^/]+)/(?P<size>\d+)$")
REFERENCE = "vectorized"
UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def fail(message: str) -> None:
    print(f"bench/run.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def programs_in(bin_dir: Path) -> list[Path]:
    return sorted(p for p in bin_dir.glob("bench_*") if p.is_file() and os.access(p, os.X_OK))


# The programs whose summaries time their variants interleaved (bench/interleaved.hpp): they take
# --rounds and --csv, and their epoch times go into the peer table (numpy, below).
PEER_PROGRAMS = {"bench_ch07_mnist": "ch07", "bench_ch11_final": "ch11"}
NO_GOOGLE_BENCHMARK = {"bench_ch11_final"}   # no Google Benchmark runs, so no JSON


def run_program(program: Path, out_json: Path, benchmark_filter: str | None, min_time: float | None,
                repetitions: int, blas_threads: int | None, rounds: int = 5) -> bool:
    if program.name in NO_GOOGLE_BENCHMARK:
        command = [str(program), f"--rounds={rounds}", f"--csv={out_json.with_suffix('.csv')}"]
        print(f"\n==> {program.name}", flush=True)
        env = dict(os.environ)
        result = subprocess.run(command, cwd=ROOT, env=env)
        if result.returncode != 0:
            print(f"bench/run.py: {program.name} failed (exit code {result.returncode})", file=sys.stderr)
        return False   # no JSON to tabulate
    command = [str(program), f"--benchmark_out={out_json}", "--benchmark_out_format=json"]
    if program.name in PEER_PROGRAMS:
        command += [f"--rounds={rounds}", f"--csv={out_json.with_suffix('.csv')}"]
    if benchmark_filter:
        command.append(f"--benchmark_filter={benchmark_filter}")
    if min_time is not None:
        command.append(f"--benchmark_min_time={min_time}")
    if repetitions > 1:
        command += [f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true"]
    print(f"\n==> {program.name}", flush=True)
    env = dict(os.environ)
    if blas_threads:
        env["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        print(f"bench/run.py: {program.name} failed (exit code {result.returncode})", file=sys.stderr)
        return False
    return True


CPU_TIME_ONLY = False   # --cpu-time: CPU time for every benchmark (with one BLAS thread)


def seconds_of(entry: dict) -> float:
    """The time of one benchmark, in seconds: real time for the UseRealTime ones, else CPU time."""
    real = entry["name"].endswith("/real_time") or "/real_time/" in entry["name"]
    key = "real_time" if real and not CPU_TIME_ONLY else "cpu_time"
    return float(entry[key]) * UNIT_SECONDS.get(entry.get("time_unit", "ns"), 1e-9)


def load_results(path: Path) -> list[dict]:
    """The benchmarks of one JSON file: one row per run (the median when there were repetitions)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        fail(f"cannot read {path}: {error}")
    rows = []
    for entry in data.get("benchmarks", []):
        if entry.get("run_type") == "aggregate" and entry.get("aggregate_name") != "median":
            continue
        if entry.get("error_occurred"):
            print(f"  skipped {entry['name']}: {entry.get('error_message', 'error')}")
            continue
        name = entry.get("run_name", entry["name"])
        base = re.sub(r"/real_time$", "", name)
        rows.append({"name": base, "seconds": seconds_of(entry), "items_per_second": entry.get("items_per_second"),
                     "flops": entry.get("FLOP/s"), "real_time": name.endswith("/real_time")})
    return rows


def human_time(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def human_rate(value: float | None) -> str:
    if value is None:
        return ""
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def gnuplot_block(name: str, rows: list[tuple[float, float]]) -> str:
    return f"${name} << EOD\n" + "".join(f"{x} {y}\n" for x, y in rows) + "EOD\n"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def draw(op: str, times: dict, speedups: dict, xlabel: str, png: Path) -> bool:
    """Two panels: time per call against size, and speed-up of `vectorized` against size."""
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return False
    script = []
    time_series, speed_series = [], []
    for i, ((type_, variant), points) in enumerate(sorted(times.items())):
        block = f"t{i}"
        script.append(gnuplot_block(block, sorted(points)))
        time_series.append(f"${block} using 1:2 with linespoints title {quoted(f'{variant} ({type_})')} noenhanced")
    for i, ((type_, variant), points) in enumerate(sorted(speedups.items())):
        block = f"s{i}"
        script.append(gnuplot_block(block, sorted(points)))
        speed_series.append(f"${block} using 1:2 with linespoints title {quoted(f'{variant} / vectorized ({type_})')} noenhanced")
    script.append(f"""
set terminal pngcairo size 1400,560 enhanced font "Sans,10"
set output {quoted(str(png))}
set multiplot layout 1,2 title {quoted(f'{op}: loops against vectorized code (bench/run.py)')} noenhanced
set logscale xy
set grid
set key top left
set xlabel {quoted(xlabel)}
set ylabel "time per call (s)"
set format y "10^{{%L}}"
set title "Time: the slope is the growth (O(n): 1 decade per decade, O(n^3): 3)"
plot {", ".join(time_series)}
set ylabel "loop time / vectorized time"
set format y "%g"
set title "Speed-up of the vectorized version (above 1: vectorized is faster)"
set key top left
plot {", ".join(speed_series)}, 1 with lines dashtype 2 lc rgb "gray" notitle
unset multiplot
""")
    result = subprocess.run([gnuplot], input="".join(script), text=True, capture_output=True)
    if result.returncode != 0:
        print(f"bench/run.py: gnuplot failed for {op}: {result.stderr.strip()}", file=sys.stderr)
        return False
    return True


XLABELS = {
    "dot": "n (elements of each vector)",
    "sigmoid": "n (values)",
    "matmul": "n (n x n times n x n)",
    "lr_gradient": "m (examples of 784 features)",
}


def read_times(csv: Path) -> dict[str, float]:
    """variant -> fastest seconds, from a CSV of bench/interleaved.hpp or bench/peer_numpy.py."""
    import csv as csv_module
    with csv.open(newline="") as f:
        return {row["variant"]: float(row["fastest_s"]) for row in csv_module.DictReader(f)}


def python_with(module: str) -> str | None:
    """An interpreter that can import `module`: this one, or Debian's (where apt installs python3-numpy)."""
    for candidate in (sys.executable, "/usr/bin/python3"):
        if candidate and Path(candidate).exists():
            if subprocess.run([candidate, "-c", f"import {module}"], capture_output=True).returncode == 0:
                return candidate
    return None


def peer_table(results: Path, rounds: int) -> None:
    """C++ epoch, numpy epoch and sgemm floor of chapters 7 and 11, side by side (bench/peer_numpy.py)."""
    cpp = {}
    for program, chapter in PEER_PROGRAMS.items():
        csv = results / f"{program}.csv"
        if csv.exists():
            cpp[chapter] = read_times(csv)
    if not cpp:
        return
    print("\n==> Peer table: the same nets hand-written in numpy (bench/peer_numpy.py), same session")
    python = python_with("numpy")
    if python is None:
        print("  numpy is not installed: skipped (Debian: sudo apt-get install python3-numpy)")
        return
    if python_with("torch") is None:
        print("  (PyTorch is not installed: not compared)")
    else:
        print("  (PyTorch is installed, but bench/peer_numpy.py has no PyTorch version yet: not compared)")
    peer_csv = results / "peer_numpy.csv"
    result = subprocess.run([python, str(ROOT / "bench" / "peer_numpy.py"), f"--rounds={rounds}", f"--csv={peer_csv}"],
                            cwd=ROOT)
    if result.returncode != 0 or not peer_csv.exists():
        print("bench/run.py: bench/peer_numpy.py failed", file=sys.stderr)
        return
    numpy_times = read_times(peer_csv)
    rows = []
    names = {"ch07": [("784-64-16-10 sigmoid/tanh, SGD, batch 64, sparse first layer", "epoch (the fast path)"),
                      ("the same, the dense first layer", "epoch, the lesson's dense first layer")],
             "ch11": [("784-256-128-10 BN+ReLU+dropout, Adam, batch 128", "final net (FastBnReluDropout: BN, ReLU, dropout fused)"),
                      ("the same, BN, ReLU, dropout unfused", "final net unfused (FastBatchNorm, FastReLU, FastDropout)")]}
    goals = {"ch07": (1.2, 0.6), "ch11": (1.2, 0.67)}
    for chapter, times in cpp.items():
        for label, key in names[chapter]:
            epoch, floor = times.get(key), times.get("sgemm floor")
            peer = numpy_times.get(f"numpy {chapter} epoch")
            if epoch is None or floor is None or peer is None:
                continue
            rows.append((chapter, label, epoch, peer, floor))
    print(f"\n  {'net':<72} {'C++ epoch':>10} {'numpy':>8} {'floor':>8} {'C++/floor':>10} {'C++/numpy':>10} {'numpy/floor':>12}")
    for chapter, label, epoch, peer, floor in rows:
        g_floor, g_numpy = goals[chapter]
        print(f"  {chapter + ': ' + label:<72} {epoch:9.3f}s {peer:7.3f}s {floor:7.3f}s {epoch / floor:9.2f}× {epoch / peer:9.2f}× "
              f"{peer / floor:11.2f}×   (goals: ≤ {g_floor}× floor, ≤ {g_numpy}× numpy)")
    print("  (each the fastest CPU time of its rounds; one BLAS thread; the C++ and numpy rounds run one program after the other)")
    gather = cpp.get("ch07", {}).get("the gather alone (X_b and Y_b, every batch)")
    peer = numpy_times.get("numpy ch07 epoch")
    if gather is not None and peer is not None and "sgemm floor" in cpp["ch07"]:
        # What an epoch with the dense products takes at the least: the products and the mini-batches.
        floor = cpp["ch07"]["sgemm floor"]
        print(f"  ch07: the floor + the gather alone {floor + gather:.3f}s = {(floor + gather) / peer:.2f}× numpy: "
              f"with the dense products, 0.6× numpy ({0.6 * peer:.3f}s) "
              + ("leaves nothing for the rest of the epoch" if floor + gather > 0.6 * peer else "leaves "
                 f"{1e3 * (0.6 * peer - floor - gather):.1f} ms for the rest of the epoch"))
    import csv as csv_module
    with (results / "peer.csv").open("w", newline="") as out:
        writer = csv_module.writer(out)
        writer.writerow(["chapter", "net", "cpp_epoch_s", "numpy_epoch_s", "sgemm_floor_s"])
        for chapter, label, epoch, peer, floor in rows:
            writer.writerow([chapter, label, f"{epoch:.6g}", f"{peer:.6g}", f"{floor:.6g}"])
    gathers = {("ch07", "the same, the dense first layer"): gather} if gather is not None else {}
    draw_peer(rows, rounds, results / "peer.png", goals, gathers)


def draw_peer(rows: list, rounds: int, png: Path, goals: dict, gathers: dict) -> None:
    """One panel per net: the sgemm floor, the C++ epoch and the numpy epoch (seconds), the ratios in the title;
    the goals as lines, and (chapter 7's dense epoch) the gather of the mini-batches stacked on the floor."""
    gnuplot = shutil.which("gnuplot")
    if gnuplot and rows:
        script = f"""set terminal pngcairo size {500 * len(rows)},480 enhanced font "Sans,11"
set output {quoted(str(png))}
set multiplot layout 1,{len(rows)} title "One training epoch on 60,000 MNIST images: CPU time, 1 BLAS thread, fastest of {rounds} rounds"
set style fill solid 0.8 border -1
set boxwidth 0.6
set xrange [-0.6:2.6]
set yrange [0:*]
set ylabel "seconds per epoch"
set grid ytics
unset key
"""
        for i, (chapter, label, epoch, peer, floor) in enumerate(rows):
            g_floor, g_numpy = goals[chapter]
            gather = gathers.get((chapter, label), 0.0)
            stacked = ""
            if gather:  # the floor + the gather of the mini-batches: what no layer can make faster
                stacked = (f'$d{i} every ::0::0 using 1:($3 + {gather}) with boxes lc rgb "#444444" '
                           f'title "the gather of the mini-batches ({1e3 * gather:.1f} ms)", \\\n     ')
            script += f"""$d{i} << EOD
0 "sgemm floor" {floor}
1 "C++ (course)" {epoch}
2 "numpy" {peer}
EOD
set title "{chapter}: {label}\\nC++ / floor {epoch / floor:.2f}x, C++ / numpy {epoch / peer:.2f}x" noenhanced
set offsets 0, 0, graph 0.12, 0
set key top left font ",9" noenhanced
plot {stacked}$d{i} every ::0::0 using 1:3:xtic(2) with boxes lc rgb "#999999" notitle, \\
     $d{i} every ::1::1 using 1:3:xtic(2) with boxes lc rgb "#1f77b4" notitle, \\
     $d{i} every ::2::2 using 1:3:xtic(2) with boxes lc rgb "#ff7f0e" notitle, \\
     $d{i} using 1:($3 + ($1 == 0 ? {gather} : 0)):(sprintf("%.3f s", $3)) with labels offset 0,0.8 notitle, \\
     {g_floor * floor} with lines dt 2 lw 1.5 lc rgb "#d62728" title "goal: {g_floor}x the floor", \\
     {g_numpy * peer} with lines dt 3 lw 2 lc rgb "#9467bd" title "goal: {g_numpy}x numpy"
"""
        script += "unset multiplot\n"
        r = subprocess.run([gnuplot], input=script, text=True, capture_output=True)
        if r.returncode == 0:
            print(f"  figure: {png}")
        else:
            print(f"bench/run.py: gnuplot failed for the peer figure: {r.stderr.strip()}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benchmarks and plot loop/vectorized speed-ups.")
    parser.add_argument("filter", nargs="?", default="",
                        help="a part of program names (e.g. ch02), or else a regular expression for benchmark names")
    parser.add_argument("--bin-dir", type=Path, default=ROOT / "build" / "release" / "bin",
                        help="where the bench_* programs are (default: build/release/bin)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="output folder (default: bench/results)")
    parser.add_argument("--min-time", type=float, default=None, help="seconds per benchmark (Google Benchmark's default: 0.5)")
    parser.add_argument("--repetitions", type=int, default=1, help="repeat each benchmark and keep the median")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of the interleaved epoch timings (chapters 7 and 11, and the numpy peer)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="OPENBLAS_NUM_THREADS for the programs (1: compare one core against one core)")
    parser.add_argument("--cpu-time", action="store_true",
                        help="compare CPU times everywhere, with one BLAS thread (for a busy machine, where "
                             "wall-clock times mostly measure the other programs)")
    parser.add_argument("--no-run", action="store_true",
                        help="do not run anything: tabulate and plot the JSON files already there (repeat --cpu-time if the run had it)")
    args = parser.parse_args()

    if args.repetitions < 1:
        fail("--repetitions must be at least 1")
    if args.rounds < 1:
        fail("--rounds must be at least 1")
    if args.cpu_time:
        global CPU_TIME_ONLY
        CPU_TIME_ONLY = True
        if args.blas_threads not in (None, 1):
            fail("--cpu-time needs one BLAS thread: CPU time adds up the time of every thread")
        args.blas_threads = 1
    args.results.mkdir(parents=True, exist_ok=True)

    all_programs = programs_in(args.bin_dir)
    if not all_programs and not args.no_run:
        fail(f"no bench_* programs in {args.bin_dir}: build first (./course build), or give --bin-dir")
    chosen = [p for p in all_programs if args.filter and any(part and part in p.name for part in args.filter.split(","))]
    benchmark_filter = None
    if not chosen:
        chosen = all_programs
        benchmark_filter = args.filter or None
        if benchmark_filter:
            try:
                re.compile(benchmark_filter)
            except re.error as error:
                fail(f"'{benchmark_filter}' is neither part of a program name nor a valid regular expression: {error}")

    cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if not args.no_run and load > 0.5 * cores:
        print(f"bench/run.py: warning: the load average is {load:.1f} on {cores} cores: other programs are running,\n"
              "  so wall-clock (real) times will be too long and the speed-ups of BLAS too small\n"
              "  (--cpu-time compares CPU times, with one BLAS thread).", file=sys.stderr)

    json_files = []
    if args.no_run:
        json_files = sorted(args.results.glob("bench_*.json"))
        if args.filter:
            json_files = [f for f in json_files if args.filter in f.stem] or json_files
    else:
        failed = []
        for program in chosen:
            out_json = args.results / f"{program.name}.json"
            if run_program(program, out_json, benchmark_filter, args.min_time, args.repetitions, args.blas_threads,
                           args.rounds):
                json_files.append(out_json)
            elif program.name not in NO_GOOGLE_BENCHMARK:
                failed.append(program.name)
        if failed:
            print(f"\nbench/run.py: failed: {', '.join(failed)}", file=sys.stderr)

    # ---- tabulate: pairs <op>/<type>/<variant>/<size> against the vectorized variant ----
    by_op: dict[str, dict] = defaultdict(lambda: defaultdict(dict))    # op -> (type, variant) -> size -> row
    others: list[tuple[str, dict]] = []
    for path in json_files:
        for row in load_results(path):
            match = NAME.match(row["name"])
            if match:
                by_op[match["op"]][(match["type"], match["variant"])][int(match["size"])] = row
            else:
                others.append((path.stem, row))

    clock = ("CPU time everywhere, one BLAS thread" if CPU_TIME_ONLY
             else "real time for BLAS, CPU time for single-threaded loops")
    print(f"\n==> Speed-ups (loop time / vectorized time; {clock})")
    drawn = []
    for op, variants in sorted(by_op.items()):
        times = {key: [(size, row["seconds"]) for size, row in sizes.items()] for key, sizes in variants.items()}
        speedups: dict = {}
        table = []
        for (type_, variant), sizes in sorted(variants.items()):
            reference = variants.get((type_, REFERENCE))
            if variant == REFERENCE or reference is None:
                continue
            for size, row in sorted(sizes.items()):
                if size in reference:
                    ratio = row["seconds"] / reference[size]["seconds"]
                    speedups.setdefault((type_, variant), []).append((size, ratio))
                    table.append((type_, variant, size, row["seconds"], reference[size]["seconds"], ratio,
                                  reference[size].get("flops")))
        print(f"\n  {op}")
        print(f"  {'type':<7} {'variant':<16} {'size':>9} {'loop':>11} {'vectorized':>11} {'ratio':>9} {'vec FLOP/s':>11}")
        for type_, variant, size, loop, vec, ratio, flops in table:
            print(f"  {type_:<7} {variant:<16} {size:>9} {human_time(loop):>11} {human_time(vec):>11} {ratio:>8.1f}x {human_rate(flops):>11}")
        csv = args.results / f"{op}.csv"
        with csv.open("w") as out:
            out.write("type,variant,size,seconds,vectorized_seconds,ratio\n")
            for type_, variant, size, loop, vec, ratio, _ in table:
                out.write(f"{type_},{variant},{size},{loop:.9g},{vec:.9g},{ratio:.6g}\n")
        if speedups:
            png = args.results / f"{op}.png"
            if draw(op, times, speedups, XLABELS.get(op, "size"), png):
                drawn.append(png)

    if others:
        print("\n  other benchmarks")
        for program, row in others:
            rate = f"  {human_rate(row['items_per_second'])} items/s" if row["items_per_second"] else ""
            print(f"  {program:<24} {row['name']:<40} {human_time(row['seconds']):>11}{rate}")

    if not args.no_run and any(p.name in PEER_PROGRAMS for p in chosen):
        peer_table(args.results, args.rounds)

    print(f"\nJSON results in {args.results}")
    for png in drawn:
        print(f"  figure: {png}")
    if not shutil.which("gnuplot"):
        print("  (gnuplot not found: no figures; install gnuplot-nox)")


if __name__ == "__main__":
    main()
