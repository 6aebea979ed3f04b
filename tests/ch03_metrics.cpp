// Chapter 3: the six regression metrics of note 003 (formulas 1–6) on a hand-computed example.
//
//   a = [2, 4, 5, 3], y = [1, 5, 5, 2]: a − y = [1, −1, 0, 1]
//   MAE  = (1 + 1 + 0 + 1) / 4                         = 0.75
//   MAPE = (100/4)(1/1 + 1/5 + 0/5 + 1/2)              = 42.5 (%)
//   SSE  = 1 + 1 + 0 + 1                               = 3
//   MSE  = 3 / 4                                       = 0.75
//   RMSE = √0.75                                       = 0.8660254…
//   R²   = 1 − 3 / Σ(y − ȳ)², ȳ = 3.25, Σ(y − ȳ)² = 5.0625 + 3.0625 + 3.0625 + 1.5625 = 12.75
//        = 1 − 3/12.75                                 = 0.7647058…
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <string>

#include "chapters/03_activations/metrics.hpp"

namespace {

const arma::mat a{{2.0, 4.0, 5.0, 3.0}};
const arma::mat y{{1.0, 5.0, 5.0, 2.0}};

TEST(ch03_mae, HandComputed) { EXPECT_NEAR(course::mae(a, y), 0.75, 1e-15); }

TEST(ch03_mape, HandComputed) { EXPECT_NEAR(course::mape(a, y), 42.5, 1e-12); }

// The rule for a zero target is the course's, checked before the exercise's code runs.
TEST(Ch03Metrics, MapeWithAZeroTargetIsAClearError) {
  const arma::mat y0{{1.0, 0.0, 5.0, 0.0}};
  try {
    (void)course::mape(a, y0);
    FAIL() << "MAPE with a zero target did not throw";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("MAPE"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2 of 4 targets are 0"), std::string::npos) << msg;
  }
}

TEST(ch03_sse, HandComputed) { EXPECT_NEAR(course::sse(a, y), 3.0, 1e-15); }

TEST(ch03_mse, HandComputed) { EXPECT_NEAR(course::mse(a, y), 0.75, 1e-15); }

TEST(ch03_rmse, HandComputed) { EXPECT_NEAR(course::rmse(a, y), std::sqrt(0.75), 1e-15); }

TEST(ch03_r_squared, HandComputed) {
  EXPECT_NEAR(course::r_squared(a, y), 1.0 - 3.0 / 12.75, 1e-15);
  EXPECT_NEAR(course::r_squared(y, y), 1.0, 1e-15);  // no error: 1
  const arma::mat mean(1, 4, arma::fill::value(3.25));
  EXPECT_NEAR(course::r_squared(mean, y), 0.0, 1e-15);  // always guessing ȳ: 0
}

TEST(Ch03Metrics, ConstantTargetsAndShapeMismatchAreErrors) {
  const arma::mat constant(1, 4, arma::fill::value(2.0));
  EXPECT_THROW((void)course::r_squared(a, constant), std::invalid_argument);
  const arma::mat short_y{{1.0, 2.0, 3.0}};
  try {
    (void)course::mae(a, short_y);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("1 × 4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1 × 3"), std::string::npos) << msg;
  }
}

TEST(Ch03Metrics, AllSixTogether) {
  const course::RegressionMetrics m = course::regression_metrics(a, y);
  EXPECT_NEAR(m.mae, 0.75, 1e-15);
  EXPECT_NEAR(m.mape, 42.5, 1e-12);
  EXPECT_NEAR(m.sse, 3.0, 1e-15);
  EXPECT_NEAR(m.mse, 0.75, 1e-15);
  EXPECT_NEAR(m.rmse, std::sqrt(0.75), 1e-15);
  EXPECT_NEAR(m.r2, 1.0 - 3.0 / 12.75, 1e-15);
}

}  // namespace
