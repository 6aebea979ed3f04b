// Losses for regression and binary classification (the Loss interface is in layer.hpp).
//
// Mean squared error, the cost the course trains regression networks with:
//
//   J = (1/2m) Σ_i ‖a_i − y_i‖²          ∂J/∂A = (A − Y) / m
//
// The ½ is there only so that the gradient has no factor 2 (ai-edu's convention
// for training, which note 003's sine network follows). The *metric* MSE of note
// 003 formula 4, (1/m) Σ (a_i − y_i)², has no ½: metrics.hpp computes that one,
// so that "MSE" in a printed table is twice the training cost J. Both are said
// where they are printed.
//
// Binary cross-entropy, for one sigmoid output (chapter 1, note 001 §2.3):
//
//   J = −(1/m) Σ_i [y_i ln a_i + (1 − y_i) ln(1 − a_i)]
//   ∂J/∂A = (1/m) (−Y/A + (1 − Y)/(1 − A))
//
// Followed by a Sigmoid layer's backward pass (⊙ a(1 − a)) this becomes the
// familiar dZ = (A − Y)/m. A is clipped to [ε, 1 − ε] inside the logarithms and
// divisions, so a saturated output gives a large but finite cost.
#pragma once
#include <armadillo>

#include <algorithm>
#include <limits>
#include <string>

#include "chapters/03_activations/layer.hpp"

namespace course {

template <typename eT>
class MeanSquaredError : public Loss<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "MeanSquaredError"; }

  // J = (1/2m) Σ ‖a − y‖²
  eT cost(const Mat& A, const Mat& Y) const override {
    check_same_shape(*this, "A", A, "Y", Y);
    const eT m = eT(A.n_cols);
    return arma::accu(arma::square(A - Y)) / (eT(2) * m);
  }

  // ∂J/∂A = (A − Y) / m
  void gradient(const Mat& A, const Mat& Y, Mat& dA) const override {
    check_same_shape(*this, "A", A, "Y", Y);
    const eT m = eT(A.n_cols);
    dA = (A - Y) / m;
  }
};

// How close to 0 (and, for the binary loss, to 1) a probability may come inside a
// cross-entropy, so that ln a and 1/a stay finite: max(1e-12, 100 ε) with ε the
// machine epsilon, i.e. 1e-12 in double and about 1.2e-5 in float. Chapter 5's
// categorical CrossEntropy clips with the same value.
template <typename eT>
eT probability_clip() {
  return std::max(eT(1e-12), eT(100) * std::numeric_limits<eT>::epsilon());
}

template <typename eT>
class BinaryCrossEntropy : public Loss<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "BinaryCrossEntropy"; }

  // The clip that keeps ln a and 1/a finite (probability_clip above).
  static eT epsilon() { return probability_clip<eT>(); }

  // J = −(1/m) Σ [y ln a + (1 − y) ln(1 − a)]
  eT cost(const Mat& A, const Mat& Y) const override {
    check_same_shape(*this, "A", A, "Y", Y);
    const Mat a = arma::clamp(A, epsilon(), eT(1) - epsilon());
    const eT m = eT(A.n_cols);
    return -arma::accu(Y % arma::log(a) + (eT(1) - Y) % arma::log(eT(1) - a)) / m;
  }

  // ∂J/∂A = (1/m) (−y/a + (1 − y)/(1 − a))
  void gradient(const Mat& A, const Mat& Y, Mat& dA) const override {
    check_same_shape(*this, "A", A, "Y", Y);
    const Mat a = arma::clamp(A, epsilon(), eT(1) - epsilon());
    const eT m = eT(A.n_cols);
    dA = (-Y / a + (eT(1) - Y) / (eT(1) - a)) / m;
  }
};

}  // namespace course
