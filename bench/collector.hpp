// What the summary tables of the benchmarks share: a reporter that keeps every
// run's time (seconds per iteration) and counters, and the fastest of repeated runs
// (on a shared machine other jobs only ever add time, so the minimum is the best estimate).
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace course::bench {

inline double fastest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }

// Keeps every run's time (seconds per iteration) and counters for the summary.
class Collector : public benchmark::ConsoleReporter {
 public:
  struct Result {
    double seconds, cpu_seconds;
    std::map<std::string, double> counters;
  };
  std::map<std::string, Result> results;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      // Single runs, and the "min" statistic over repetitions (computed below).
      if (run.run_type != Run::RT_Iteration && run.aggregate_name != "min") continue;
      const double per_unit = benchmark::GetTimeUnitMultiplier(run.time_unit);  // units per second
      Result r{run.GetAdjustedRealTime() / per_unit, run.GetAdjustedCPUTime() / per_unit, {}};
      for (const auto& [name, counter] : run.counters) r.counters[name] = counter.value;
      const std::string key = run.run_name.function_name + (run.run_name.args.empty() ? "" : "/" + run.run_name.args);
      auto it = results.find(key);
      if (it == results.end()) {
        results[key] = r;
      } else {  // keep the fastest repetition
        it->second.seconds = std::min(it->second.seconds, r.seconds);
        it->second.cpu_seconds = std::min(it->second.cpu_seconds, r.cpu_seconds);
        it->second.counters = r.counters;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

}  // namespace course::bench
