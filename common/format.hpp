// Numbers as text, one way for the whole course: a printf-style format and one value
// (for printed lines, and the CSV files beside the figures and histories), and the
// seconds a step took.
#pragma once
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace course {

// format_value("%.4f", 0.12345) == "0.1235" (the result is cut at 63 characters).
inline std::string format_value(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// A number for a CSV file: 10 significant digits, nan and inf spelled out
// (csv_number(0.1) == "0.1", csv_number(-INFINITY) == "-inf").
inline std::string csv_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return format_value("%.10g", value);
}

// format_percent(0.9512) == "95.12%"
inline std::string format_percent(double fraction) { return format_value("%.2f%%", 100.0 * fraction); }

// Fractions as percentages, for plotting accuracies: percent({0.5, 0.98}) == {50, 98}.
inline std::vector<double> percent(const std::vector<double>& fractions) {
  std::vector<double> p;
  for (double f : fractions) p.push_back(100 * f);
  return p;
}

// `text` padded with spaces to `width` characters on screen, counting UTF-8 code
// points rather than bytes (printf's %-20s counts "α" as two), for tables with
// Greek letters and superscripts.
inline std::string pad(const std::string& text, std::size_t width) {
  std::size_t shown = 0;
  for (unsigned char c : text) shown += (c & 0xC0) != 0x80;  // continuation bytes are 10xxxxxx
  return shown >= width ? text : text + std::string(width - shown, ' ');
}

// Wall-clock seconds since `start` (steady_clock): how the programs time their runs.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace course
