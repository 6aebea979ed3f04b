// Training progress: a bar with ETA and the latest metrics on a terminal, plain
// lines otherwise (CI logs, pipes); and the per-epoch history as CSV.
#pragma once
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace course {

namespace fs = std::filesystem;

// One row per epoch: epoch number and named metrics (train_cost, dev_cost, dev_accuracy...).
class History {
 public:
  void add(int epoch, const std::vector<std::pair<std::string, double>>& metrics);
  std::vector<double> column(const std::string& metric) const;
  std::vector<double> epochs() const;
  std::size_t size() const { return epochs_.size(); }
  // Written atomically (temporary file, then rename).
  void write_csv(const fs::path& file) const;

 private:
  std::vector<double> epochs_;
  std::vector<std::string> names_;
  std::vector<std::vector<double>> values_;  // one vector per name
};

class Progress {
 public:
  // total: epochs (or steps) the run will make; label: what is counted.
  Progress(std::string label, int total, bool quiet = false);
  // Called after each step: redraws the bar (terminal) or prints one line every
  // so often (not a terminal), with the metrics given.
  void update(int done, const std::vector<std::pair<std::string, double>>& metrics = {});
  void finish();

 private:
  std::string label_;
  int total_;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
  int next_percent_ = 10, printed_done_ = -1, last_done_ = -1;  // plain-line mode: what was printed
  bool drawn_ = false, finished_ = false;                       // terminal mode: a bar is on screen
  std::vector<std::pair<std::string, double>> last_metrics_;
};

// Stops a run that diverged: throws std::runtime_error naming the epoch and the
// quantity when `value` is NaN or infinite (e.g. the cost after a too-large --lr).
void check_finite(double value, const std::string& what, int epoch);

}  // namespace course
