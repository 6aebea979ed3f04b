// Regression metrics (note 003, formulas 1–6): how far the predictions a are from
// the targets y, over m examples. a and y have the same shape (1 × m for one output;
// with several outputs every element counts as one example).
//
//   MAE  = (1/m) Σ |a_i − y_i|                         (1) mean absolute error
//   MAPE = (100/m) Σ |(a_i − y_i) / y_i|               (2) mean absolute percentage error, in %
//   SSE  = Σ (a_i − y_i)²                              (3) sum of squared errors
//   MSE  = (1/m) Σ (a_i − y_i)²                        (4) mean squared error
//   RMSE = √MSE                                        (5) root mean squared error, in y's units
//   R²   = 1 − Σ (a_i − y_i)² / Σ (ȳ − y_i)²           (6) = 1 − MSE / Var(y)
//
// MAE, RMSE: in the units of y. MAPE: a percentage, meaningless when a target is 0
// (division by zero): the course's rule is a clear error, never a silent inf or a
// skipped example: mape() throws std::invalid_argument naming how many targets are 0.
// R² needs targets that vary (Var(y) > 0): all-equal targets are an error too.
// Not to be confused with the training cost of MeanSquaredError (losses.hpp),
// J = (1/2m) Σ (a − y)²: formula 4 has no ½, so MSE = 2J on the same data.
#pragma once
#include <armadillo>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "common/exercise.hpp"

namespace course {

namespace detail {
template <typename eT>
void check_metric_shapes(const char* metric, const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  if (a.n_rows != y.n_rows || a.n_cols != y.n_cols || a.n_elem == 0) {
    std::ostringstream msg;
    msg << metric << ": predictions are " << a.n_rows << " × " << a.n_cols << " but targets are " << y.n_rows << " × "
        << y.n_cols << " (they must have the same, non-empty shape)";
    throw std::invalid_argument(msg.str());
  }
}
}  // namespace detail

// (1) MAE = (1/m) Σ |a_i − y_i|
template <typename eT>
double mae(const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  detail::check_metric_shapes("MAE", a, y);
  // BEGIN EXERCISE ch03.mae
  // hint: MAE = (1/m) Σ |a_i − y_i|: arma::abs, arma::accu, divide by the number of elements (a.n_elem)
  return double(arma::accu(arma::abs(a - y))) / double(a.n_elem);
  // END EXERCISE
}

// (2) MAPE = (100/m) Σ |(a_i − y_i) / y_i|   (throws when a target is 0)
template <typename eT>
double mape(const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  detail::check_metric_shapes("MAPE", a, y);
  const arma::uword zeros = arma::accu(y == eT(0));
  if (zeros > 0) {
    throw std::invalid_argument("MAPE: " + std::to_string(zeros) + " of " + std::to_string(y.n_elem) +
                                " targets are 0, and |a − y| / |y| divides by them: MAPE is undefined "
                                "(use MAE or RMSE for such data)");
  }
  // BEGIN EXERCISE ch03.mape
  // hint: MAPE = (100/m) Σ |(a_i − y_i) / y_i|: element-wise division is operator/ on two matrices
  return 100.0 * double(arma::accu(arma::abs((a - y) / y))) / double(a.n_elem);
  // END EXERCISE
}

// (3) SSE = Σ (a_i − y_i)²
template <typename eT>
double sse(const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  detail::check_metric_shapes("SSE", a, y);
  // BEGIN EXERCISE ch03.sse
  // hint: SSE = Σ (a_i − y_i)²: arma::square, arma::accu (no division)
  return double(arma::accu(arma::square(a - y)));
  // END EXERCISE
}

// (4) MSE = (1/m) Σ (a_i − y_i)²
template <typename eT>
double mse(const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  detail::check_metric_shapes("MSE", a, y);
  // BEGIN EXERCISE ch03.mse
  // hint: MSE = SSE / m (no ½ here: that one is the training cost J of losses.hpp)
  return sse(a, y) / double(a.n_elem);
  // END EXERCISE
}

// (5) RMSE = √MSE
template <typename eT>
double rmse(const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  detail::check_metric_shapes("RMSE", a, y);
  // BEGIN EXERCISE ch03.rmse
  // hint: RMSE = √MSE, in the units of y
  return std::sqrt(mse(a, y));
  // END EXERCISE
}

// (6) R² = 1 − Σ (a_i − y_i)² / Σ (ȳ − y_i)²   (throws when every target is the same)
template <typename eT>
double r_squared(const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  detail::check_metric_shapes("R²", a, y);
  const double y_mean = double(arma::accu(y)) / double(y.n_elem);
  const double total = arma::accu(arma::square(arma::conv_to<arma::mat>::from(y) - y_mean));
  if (total == 0.0) {
    throw std::invalid_argument("R²: every target equals " + std::to_string(y_mean) +
                                ", so Σ (ȳ − y_i)² = 0 and R² is undefined");
  }
  // BEGIN EXERCISE ch03.r_squared
  // hint: R² = 1 − SSE / Σ (ȳ − y_i)²; `total` above is already the denominator Σ (ȳ − y_i)²
  const double residual = arma::accu(arma::square(arma::conv_to<arma::mat>::from(a - y)));
  return 1.0 - residual / total;
  // END EXERCISE
}

// All six on one set, as the program prints them.
struct RegressionMetrics {
  double mae, mape, sse, mse, rmse, r2;
};

template <typename eT>
RegressionMetrics regression_metrics(const arma::Mat<eT>& a, const arma::Mat<eT>& y) {
  return {mae(a, y), mape(a, y), sse(a, y), mse(a, y), rmse(a, y), r_squared(a, y)};
}

}  // namespace course
