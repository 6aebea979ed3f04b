// Numbers as text for the programs' printed lines (one printf-style format, one
// value), and the seconds a step took.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

namespace course {

// format_value("%.4f", 0.12345) == "0.1235" (the result is cut at 63 characters).
inline std::string format_value(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// format_percent(0.9512) == "95.12%"
inline std::string format_percent(double fraction) { return format_value("%.2f%%", 100.0 * fraction); }

// Wall-clock seconds since `start` (steady_clock): how the programs time their runs.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace course
