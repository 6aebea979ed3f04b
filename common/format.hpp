// Numbers as text for the programs' printed lines (one printf-style format, one
// value), and the seconds a step took.
#pragma once
#include <chrono>
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
