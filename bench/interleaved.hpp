// Timing variants of one job interleaved: A B C A B C … for a number of rounds,
// keeping every time, then each variant's fastest (on a shared machine other jobs
// only ever add time) and its spread. The time is the process's CPU time: with
// one BLAS thread every variant runs on the calling thread alone, so its CPU time
// is its work, and a time slice given to another program is not counted (the
// wall-clock time, which is, is printed beside it). Two variants measured in the same rounds
// see the same machine, so their ratio (or the difference that is a part's share)
// cannot come out of order because one ran while the machine was busier.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace course::bench {

struct Variant {
  std::string name;
  std::function<void()> run;         // one epoch (or one floor pass)
  std::vector<double> seconds = {};  // CPU time of each round
  std::vector<double> wall = {};     // wall-clock time of each round
  double fastest() const { return *std::min_element(seconds.begin(), seconds.end()); }
  double median() const {
    std::vector<double> s = seconds;
    std::sort(s.begin(), s.end());
    return s.size() % 2 ? s[s.size() / 2] : (s[s.size() / 2 - 1] + s[s.size() / 2]) / 2;
  }
  double slowest() const { return *std::max_element(seconds.begin(), seconds.end()); }
  double fastest_wall() const { return *std::min_element(wall.begin(), wall.end()); }
};

// Runs each variant once as a warm-up (sizes the buffers), then `rounds` rounds.
inline double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

inline void run_interleaved(std::vector<Variant>& variants, int rounds) {
  using Clock = std::chrono::steady_clock;
  for (Variant& v : variants) v.run();
  for (int r = 0; r < rounds; ++r) {
    for (Variant& v : variants) {
      const Clock::time_point start = Clock::now();
      const double cpu_start = process_cpu_seconds();
      v.run();
      v.seconds.push_back(process_cpu_seconds() - cpu_start);
      v.wall.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::fprintf(stderr, "  round %d of %d done\n", r + 1, rounds);
  }
}

inline void print_spread(const std::vector<Variant>& variants) {
  std::printf("  %-44s %9s %9s %9s %8s   %s\n", "variant (CPU time, s)", "fastest", "median", "slowest", "spread",
              "(wall-clock: fastest)");
  for (const Variant& v : variants)
    std::printf("  %-44s %9.3f %9.3f %9.3f %7.1f%%   (%.3f)\n", v.name.c_str(), v.fastest(), v.median(), v.slowest(),
                100 * (v.slowest() - v.fastest()) / v.fastest(), v.fastest_wall());
}

// A part's share, round by round: (with − without) / with, both from the same round
// (neighbours in time, so they saw the same machine); "median% (rounds lowest … highest)".
inline std::string paired_share(const Variant& with, const Variant& without) {
  std::vector<double> r;
  for (std::size_t k = 0; k < std::min(with.seconds.size(), without.seconds.size()); ++k)
    r.push_back(100 * (with.seconds[k] - without.seconds[k]) / with.seconds[k]);
  if (r.empty()) return "no rounds";
  std::sort(r.begin(), r.end());
  char text[96];
  std::snprintf(text, sizeof text, "%.1f%% (rounds %.1f … %.1f)",
                r.size() % 2 ? r[r.size() / 2] : (r[r.size() / 2 - 1] + r[r.size() / 2]) / 2, r.front(), r.back());
  return text;
}

// "name",fastest,median,slowest,rounds,fastest wall-clock: for bench/run.py's peer table.
inline void write_csv(const std::vector<Variant>& variants, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << "variant,fastest_s,median_s,slowest_s,rounds,fastest_wall_s\n";
    for (const Variant& v : variants)
      out << '"' << v.name << "\"," << v.fastest() << "," << v.median() << "," << v.slowest() << "," << v.seconds.size()
          << "," << v.fastest_wall() << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

// The value of the last `prefix…` argument (--rounds=, --csv=, --only=), or `fallback` without
// one; every such argument is removed from argv, so that Google Benchmark does not see it.
inline std::string take_flag(int& argc, char** argv, const std::string& prefix, const std::string& fallback = "") {
  std::string value = fallback;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind(prefix, 0) == 0)
      value = a.substr(prefix.size());
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  return value;
}

// --rounds=N (default `fallback`).
inline int take_rounds(int& argc, char** argv, int fallback) {
  const int rounds = std::stoi(take_flag(argc, argv, "--rounds=", std::to_string(fallback)));
  if (rounds < 1) throw std::invalid_argument("--rounds must be at least 1");
  return rounds;
}

// --only=TEXT: keep the variants whose name contains TEXT (for a profile of one of them).
inline void keep_only(std::vector<Variant>& variants, const std::string& text) {
  if (text.empty()) return;
  std::erase_if(variants, [&](const Variant& v) { return v.name.find(text) == std::string::npos; });
  if (variants.empty()) throw std::invalid_argument("--only=" + text + ": no variant has that in its name");
}
inline void take_only(int& argc, char** argv, std::vector<Variant>& variants) {
  keep_only(variants, take_flag(argc, argv, "--only="));
}

// --csv=PATH: where write_csv writes (default: none).
inline std::string take_csv(int& argc, char** argv) { return take_flag(argc, argv, "--csv="); }

}  // namespace course::bench
