// The exercise mechanism (see tools/exercises.py and the README's "Doing the exercises").
//
// Lesson code marks each function body a learner writes:
//
//     // BEGIN EXERCISE ch01.sigmoid
//     // hint: σ(z) = 1 / (1 + e^{-z}), element-wise (arma::exp)
//     return 1.0 / (1.0 + arma::exp(-z));
//     // END EXERCISE
//
// `./course exercises init` copies the lesson files into workspace/ with every
// region replaced by a call to exercise_not_implemented("ch01.sigmoid", "<hint>").
#pragma once
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace course {

// Thrown by a stub: the message names the exercise and gives its hint.
struct NotImplemented : std::logic_error {
  NotImplemented(std::string_view id, std::string_view hint)
      : std::logic_error("exercise " + std::string(id) + " is not implemented yet: " + std::string(hint)) {}
};

[[noreturn]] inline void exercise_not_implemented(std::string_view id, std::string_view hint) {
  throw NotImplemented(id, hint);
}

// For the course's CI only (tools/exercises.py verify): true when the environment
// variable COURSE_STUB names this exercise (a comma-separated list of ids), so that
// one build can run every exercise's tests both on its stub and on the reference.
inline bool exercise_stubbed(std::string_view id) {
  const char* env = std::getenv("COURSE_STUB");
  if (env == nullptr) return false;
  std::string_view list(env);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (list.substr(0, comma) == id) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace course
