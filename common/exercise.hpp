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

}  // namespace course
