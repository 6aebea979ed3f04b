// Normalising inputs (note 001 §1.9).
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
// Normalising inputs (§1.9): per feature (row), from the training set only,
//   μ = (1/m) Σ_i x_i,   σ² = (1/m) Σ_i (x_i − μ)²,   x ← (x − μ)/σ
// and the same μ and σ for the dev and test sets (they must see the transformation
// the network was trained on). A feature that is constant in the training set
// (MNIST's corner pixels, always 0) has σ = 0: it is only centred (σ taken as 1).
// ---------------------------------------------------------------------------
template <typename eT>
struct InputNormalizer {
  arma::Col<eT> mean, std;  // n × 1

  void fit(const arma::Mat<eT>& X_train) {
    if (X_train.n_cols == 0) throw std::invalid_argument("InputNormalizer: the training set is empty");
    // BEGIN EXERCISE ch08.normalize
    // hint: one μ and one σ per feature, i.e. per row of X_train over its m columns (n × 1 each);
    // hint: σ² = (1/m) Σ (x − μ)², the biased variance (m, not m − 1)
    // hint: a feature whose σ is below 1e-6 is constant: give it σ = 1, so that transform only centres it
    mean = arma::mean(X_train, 1);  // μ: n × 1
    const arma::Mat<eT> centred = X_train.each_col() - mean;
    const arma::Col<eT> variance = arma::mean(arma::square(centred), 1);  // σ² = (1/m) Σ (x − μ)²
    std = arma::sqrt(variance);
    std.transform([](eT s) { return s < eT(1e-6) ? eT(1) : s; });
    // END EXERCISE
  }

  arma::Mat<eT> transform(const arma::Mat<eT>& X) const {
    if (mean.n_elem != X.n_rows)
      throw std::invalid_argument("InputNormalizer: fitted on " + std::to_string(mean.n_elem) + " features, X has " +
                                  std::to_string(X.n_rows) + " rows");
    arma::Mat<eT> Z = X.each_col() - mean;  // x − μ
    Z.each_col() /= std;                    // (x − μ)/σ
    return Z;
  }
};

}  // namespace course::ch08
