// Training progress on screen, the per-epoch history on disk, and the divergence check.
#include "common/progress.hpp"

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "common/files.hpp"
#include "common/format.hpp"

namespace course {

// ---------------------------------------------------------------- History

namespace {

// The CSV's columns: each field of EpochRecord with its name.
const std::vector<std::pair<const char*, History::Metric>>& metric_names() {
  static const std::vector<std::pair<const char*, History::Metric>> names = {
      {"learning_rate", &EpochRecord::learning_rate},
      {"running_cost", &EpochRecord::running_cost},
      {"train_cost", &EpochRecord::train_cost},
      {"dev_cost", &EpochRecord::dev_cost},
      {"train_accuracy", &EpochRecord::train_accuracy},
      {"dev_accuracy", &EpochRecord::dev_accuracy},
      {"seconds", &EpochRecord::seconds}};
  return names;
}

}  // namespace

const EpochRecord& History::back() const {
  if (records_.empty()) throw std::out_of_range("History: no epoch was recorded");
  return records_.back();
}

std::vector<double> History::column(Metric metric) const {
  std::vector<double> values;
  for (const EpochRecord& r : records_) values.push_back(r.*metric);
  return values;
}

std::vector<double> History::epochs() const {
  std::vector<double> values;
  for (const EpochRecord& r : records_) values.push_back(r.epoch);
  return values;
}

void History::write_csv(const fs::path& file) const {
  std::vector<std::pair<const char*, Metric>> measured;  // the columns some epoch has a value in
  for (const auto& named : metric_names())
    for (const EpochRecord& r : records_)
      if (!std::isnan(r.*named.second)) {
        measured.push_back(named);
        break;
      }
  write_file_atomically(file, [&](std::ostream& out) {
    out << "epoch";
    for (const auto& [name, metric] : measured) out << "," << name;
    out << "\n";
    for (const EpochRecord& r : records_) {
      out << r.epoch;
      for (const auto& [name, metric] : measured) out << "," << csv_number(r.*metric);
      out << "\n";
    }
  });
}

// ---------------------------------------------------------------- Progress

namespace {

std::string format_seconds(double s) {
  std::ostringstream out;
  if (s < 60)
    out << format_value(s < 10 ? "%.1f s" : "%.0f s", s);
  else if (s < 3600)
    out << int(s / 60) << " min " << std::setw(2) << std::setfill('0') << int(s) % 60 << " s";
  else
    out << int(s / 3600) << " h " << std::setw(2) << std::setfill('0') << int(s / 60) % 60 << " min";
  return out.str();
}

std::string format_metrics(const std::vector<std::pair<std::string, double>>& metrics) {
  std::string out;
  for (const auto& [name, value] : metrics) out += "  " + name + " " + format_value("%.4g", value);
  return out;
}

constexpr double kPlainEverySeconds = 5.0;  // without a terminal: a line at least this often...
constexpr int kPlainEveryPercent = 10;      // ...or every 10 % of the run

}  // namespace

Progress::Progress(std::string label, int total, bool quiet)
    : label_(std::move(label)),
      total_(total < 1 ? 1 : total),
      quiet_(quiet),
      tty_(::isatty(::fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

void Progress::update(int done, const std::vector<std::pair<std::string, double>>& metrics) {
  if (quiet_) return;
  last_done_ = done;
  last_metrics_ = metrics;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  const double fraction = std::min(1.0, std::max(0.0, double(done) / total_));
  const double eta = done > 0 ? elapsed * (total_ - done) / done : 0.0;

  if (tty_) {
    // A bar redrawn in place on stderr, at most 20 times a second (and always at the end).
    if (since_print < 0.05 && done < total_) return;
    constexpr int width = 30;
    const int filled = int(fraction * width + 0.5);
    std::ostringstream line;
    line << "\r" << label_ << " " << std::setw(int(std::to_string(total_).size())) << done << "/" << total_ << " ["
         << std::string(filled, '#') << std::string(width - filled, '.') << "] " << std::setw(3)
         << int(fraction * 100 + 0.5) << "%  " << format_seconds(elapsed);
    if (done < total_ && done > 0) line << ", ETA " << format_seconds(eta);
    line << format_metrics(metrics) << "\033[K";  // clear what a longer previous line left
    std::cerr << line.str() << std::flush;
    last_print_ = now;
    drawn_ = true;
  } else {
    // Plain lines (CI logs, pipes, files): every 10 % of the run or every few seconds, and the last one.
    const int percent = int(fraction * 100);
    const bool step = percent >= next_percent_;
    if (!(step || since_print >= kPlainEverySeconds || done >= total_)) return;
    if (done == printed_done_) return;
    while (next_percent_ <= percent) next_percent_ += kPlainEveryPercent;
    std::cout << "  " << label_ << " " << done << "/" << total_ << format_metrics(metrics) << "  ["
              << format_seconds(elapsed);
    if (done < total_ && done > 0) std::cout << ", ETA " << format_seconds(eta);
    std::cout << "]" << std::endl;
    last_print_ = now;
    printed_done_ = done;
  }
}

void Progress::finish() {
  if (quiet_ || finished_) return;
  finished_ = true;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (tty_) {
    if (drawn_) std::cerr << "\n";
    std::cerr << std::flush;
  } else if (last_done_ != printed_done_ && last_done_ >= 0) {
    std::cout << "  " << label_ << " " << last_done_ << "/" << total_ << format_metrics(last_metrics_) << "  ["
              << format_seconds(elapsed) << "]" << std::endl;
    printed_done_ = last_done_;
  }
}

// ---------------------------------------------------------------- check_finite

void check_finite(double value, const std::string& what, int epoch) {
  if (std::isfinite(value)) return;
  const std::string shown = std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  throw TrainingDiverged("training diverged at epoch " + std::to_string(epoch) + ": " + what + " is " + shown +
                         "; try a smaller --lr");
}

}  // namespace course
