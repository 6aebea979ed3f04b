// Training progress: a bar with ETA and the latest metrics on a terminal, plain
// lines otherwise (CI logs, pipes); and the per-epoch history as CSV.
#pragma once
#include <chrono>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace course {

namespace fs = std::filesystem;

// One record per evaluated epoch. A field that was not measured (no dev set, a
// regression without accuracy) is NaN. Named fields, not strings: a typo is a
// compile error.
struct EpochRecord {
  static constexpr double none = std::numeric_limits<double>::quiet_NaN();
  int epoch = 0;
  double learning_rate = none;  // η of the epoch
  double running_cost = none;   // mean J of the epoch's mini-batches (with any penalty), each before its step
  double train_cost = none;     // the loss alone on the training set, in evaluation mode
  double dev_cost = none;
  double train_accuracy = none;  // classification only
  double dev_accuracy = none;
  double seconds = none;  // training time so far, the evaluations left out
};

// The learning curve: one EpochRecord per recorded epoch.
//   history.back().dev_accuracy                    the last value
//   history.column(&EpochRecord::dev_cost)         one metric over the epochs (for a figure)
class History {
 public:
  using Metric = double EpochRecord::*;
  void add(const EpochRecord& record) { records_.push_back(record); }
  const std::vector<EpochRecord>& records() const { return records_; }
  const EpochRecord& back() const;  // the last record; an error when there is none
  std::vector<double> column(Metric metric) const;
  std::vector<double> epochs() const;
  std::size_t size() const { return records_.size(); }
  // The metrics that some epoch measured, as CSV ("nan" where an epoch did not);
  // written atomically (temporary file, then rename).
  void write_csv(const fs::path& file) const;

 private:
  std::vector<EpochRecord> records_;
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

// What a training loop throws when a run blew up ("training diverged at epoch e: ..."):
// a result that a lesson may print in its table (chapters 8 and 10) or score as NaN
// (chapter 12), told apart from every other error by its type.
struct TrainingDiverged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Stops a run that diverged: throws TrainingDiverged naming the epoch and the
// quantity when `value` is NaN or infinite (e.g. the cost after a too-large --lr).
void check_finite(double value, const std::string& what, int epoch);

}  // namespace course
