// Softmax, categorical cross-entropy, and the shortcut dZ = A − Y.
//
// Softmax turns a column of C scores (logits) z into C probabilities:
//
//   a_i = e^{z_i} / Σ_j e^{z_j}                               (note 001 §3.4, note 004 §3)
//
// e^{1000} overflows a double, so the course computes it as
//   a_i = e^{z_i − max(z)} / Σ_j e^{z_j − max(z)}
// which is the same number (multiply top and bottom by e^{−max z}) and never
// overflows: the largest exponent is e^0 = 1.
//
// Its Jacobian is ∂a_i/∂z_j = a_i(δ_ij − a_j), so given da = ∂J/∂a,
//   dz_j = Σ_i da_i a_i(δ_ij − a_j) = a_j (da_j − Σ_i a_i da_i)
// i.e. dz = a ⊙ (da − (aᵀda)), one column at a time.
//
// Categorical cross-entropy over C classes with one-hot targets Y (C × m):
//   J = −(1/m) Σ_examples Σ_classes y ln a                    (note 003 "非线性多分类")
// and through the softmax the two Jacobians collapse to (note 004 §5):
//   dZ = (A − Y) / m
// SoftmaxCrossEntropy fuses the two: it takes the logits Z, never forms the
// Jacobian, and stays exact when a probability underflows to 0.
#pragma once
#include <armadillo>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/losses.hpp"  // probability_clip
#include "common/exercise.hpp"

namespace course {

// Column-wise softmax of Z (C × m), numerically stable.
template <typename eT>
arma::Mat<eT> softmax(const arma::Mat<eT>& Z) {
  // BEGIN EXERCISE ch05.softmax
  // hint: a_i = e^{z_i} / Σ_j e^{z_j} per column; subtracting a column's maximum from it first changes nothing
  // hint: in exact arithmetic and keeps e^z from overflowing (the result is C × m, each column summing to 1)
  arma::Mat<eT> E = Z.each_row() - arma::max(Z, 0);  // z − max(z): the largest entry becomes 0
  E = arma::exp(E);                                  // e^{z − max z} ∈ (0, 1]
  E.each_row() /= arma::sum(E, 0);                   // a_i = e^{z_i} / Σ_j e^{z_j}
  return E;
  // END EXERCISE
}

// The softmax as a layer: forward A = softmax(Z); backward through its Jacobian.
template <typename eT>
class Softmax : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "Softmax"; }
  void forward(const Mat& input, Mat& output) override { output = softmax(input); }
  // dz = a ⊙ (da − Σ_i a_i da_i), column by column (the Jacobian a_i(δ_ij − a_j) applied to da)
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    check_same_shape(*this, "dout", dout, "output", output);
    (void)input;
    // BEGIN EXERCISE ch05.softmax_backward
    // hint: dz_j = Σ_i da_i ∂a_i/∂z_j with ∂a_i/∂z_j = a_i(δ_ij − a_j): work the sum out by hand (the δ keeps one term)
    // hint: and never build the C × C Jacobian; each column needs one number Σ_i a_i da_i (a 1 × m row for the batch)
    // hint: output is A and dout is dA (both C × m, one example per column); dinput is dZ, of the same shape
    const arma::Row<eT> a_dot_da = arma::sum(output % dout, 0);  // aᵀda for each column: 1 × m
    dinput = dout.each_row() - a_dot_da;                         // da − aᵀda
    dinput %= output;                                            // a ⊙ (da − aᵀda)
    // END EXERCISE
  }
};

// Categorical cross-entropy on probabilities A (after a Softmax layer).
//   J = −(1/m) Σ y ln a,   ∂J/∂A = −Y / (m A)
template <typename eT>
class CrossEntropy : public Loss<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "CrossEntropy"; }
  // The clip that keeps ln a and 1/a finite: chapter 3's probability_clip (1e-12 in double, ~1e-5 in float).
  static eT epsilon() { return probability_clip<eT>(); }

  eT cost(const Mat& A, const Mat& Y) const override {
    check_same_shape(*this, "A", A, "Y", Y);
    const Mat a = arma::clamp(A, epsilon(), eT(1));
    return -arma::accu(Y % arma::log(a)) / eT(A.n_cols);  // −(1/m) Σ y ln a
  }
  void gradient(const Mat& A, const Mat& Y, Mat& dA) const override {
    check_same_shape(*this, "A", A, "Y", Y);
    const Mat a = arma::clamp(A, epsilon(), eT(1));
    dA = -Y / a / eT(A.n_cols);  // ∂J/∂a = −y / (m a)
  }
};

// Softmax and cross-entropy fused: the network's last layer outputs the logits Z
// (a Linear layer, no activation) and this loss applies the softmax itself.
//   cost(Z, Y) = −(1/m) Σ y ln softmax(z)     (computed as y·(z − max z − ln Σ e^{z − max z}): no log of 0)
//   gradient   = dZ = (softmax(Z) − Y) / m      (note 004 §5)
template <typename eT>
class SoftmaxCrossEntropy : public Loss<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "SoftmaxCrossEntropy"; }

  eT cost(const Mat& Z, const Mat& Y) const override {
    check_same_shape(*this, "Z", Z, "Y", Y);
    // ln softmax(z)_i = (z_i − max z) − ln Σ_j e^{z_j − max z}   (the log-sum-exp trick)
    Mat shifted = Z.each_row() - arma::max(Z, 0);
    const arma::Row<eT> log_sum = arma::log(arma::sum(arma::exp(shifted), 0));
    shifted.each_row() -= log_sum;  // ln A
    return -arma::accu(Y % shifted) / eT(Z.n_cols);
  }

  void gradient(const Mat& Z, const Mat& Y, Mat& dZ) const override {
    check_same_shape(*this, "Z", Z, "Y", Y);
    // BEGIN EXERCISE ch05.softmax_cross_entropy_gradient
    // hint: chain the cross-entropy's ∂J/∂A through the softmax Jacobian (the README derives it): most terms
    // hint: cancel, and the result involves only A = softmax(Z), Y and the number of examples m (the mean's 1/m)
    dZ = (softmax(Z) - Y) / eT(Z.n_cols);  // dZ = (A − Y) / m
    // END EXERCISE
  }
};

// The predicted class of each column: argmax over the C rows (of the scores, or
// of one-hot targets: their labels).
template <typename eT>
arma::urowvec predict_classes(const arma::Mat<eT>& scores) {
  return arma::index_max(scores, 0);
}

// The fraction of examples whose predicted class is their label.
inline double classification_accuracy(const arma::urowvec& predicted, const arma::urowvec& labels) {
  if (predicted.n_elem != labels.n_elem || labels.is_empty())
    throw std::invalid_argument("classification_accuracy: " + std::to_string(predicted.n_elem) + " predictions for " +
                                std::to_string(labels.n_elem) + " labels");
  return double(arma::accu(predicted == labels)) / double(labels.n_elem);
}

// counts(t, p) = how many examples of true class t were predicted as p (rows: true class).
inline arma::umat confusion_matrix(const arma::urowvec& predicted, const arma::urowvec& labels, arma::uword classes) {
  if (predicted.n_elem != labels.n_elem)
    throw std::invalid_argument("confusion_matrix: " + std::to_string(predicted.n_elem) + " predictions for " +
                                std::to_string(labels.n_elem) + " labels");
  arma::umat counts(classes, classes, arma::fill::zeros);
  for (arma::uword i = 0; i < labels.n_elem; ++i) {
    if (labels[i] >= classes || predicted[i] >= classes)
      throw std::invalid_argument("confusion_matrix: class out of range at example " + std::to_string(i));
    ++counts(labels[i], predicted[i]);
  }
  return counts;
}

}  // namespace course
