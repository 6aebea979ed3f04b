// Bias and variance from the train and dev errors, and what to do (note 001 §1.2–1.3).
#pragma once
#include <armadillo>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/exercise.hpp"

namespace course::ch08 {

// ---------------------------------------------------------------------------
// Bias and variance (note 001 §1.2): with a Bayes (human) error near 0,
//   bias     ≈ train error − Bayes error       (the model does not fit the training set)
//   variance ≈ dev error − train error         (it does not carry over to new data)
// The note's table: 1%/11% high variance; 15%/16% high bias; 15%/30% both; 0.5%/1% neither.
// "High" is a judgement; here: more than `threshold` (2 percentage points by default:
// the note's examples are far from it on either side).
// ---------------------------------------------------------------------------
struct Diagnosis {
  bool high_bias = false, high_variance = false;
  std::string verdict() const {
    if (high_bias && high_variance) return "high bias and high variance";
    if (high_bias) return "high bias";
    if (high_variance) return "high variance";
    return "low bias, low variance";
  }
  // The recipe of §1.3: bias first (a bigger network, longer training), then
  // variance (more data, regularisation).
  std::string remedy() const {
    if (high_bias) return "a bigger network, train longer (then look at the variance again)";
    if (high_variance) return "more data, regularisation (L2, dropout, early stopping)";
    return "done";
  }
};

inline Diagnosis diagnose(double train_error, double dev_error, double bayes_error = 0.0, double threshold = 0.02) {
  Diagnosis d;
  d.high_bias = train_error - bayes_error > threshold;
  d.high_variance = dev_error - train_error > threshold;
  return d;
}

}  // namespace course::ch08
