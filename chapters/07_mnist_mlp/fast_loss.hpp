// Making chapter 7 fast, part 3: softmax + cross-entropy with one e^z per logit.
//
// Every mini-batch asks chapter 5's SoftmaxCrossEntropy twice about the same logits
// Z (C × m): cost(Z, Y) for J, then gradient(Z, Y) for dZ. Each call computes
// e^{z − max z} for the whole batch, and through Armadillo's expressions it makes
// temporary matrices and rows on the way: for 10 × 64 logits the two calls take
// 6.1 µs, 3% of chapter 7's epoch, and these loops 3.5 µs (bench_ch07_mnist, BM_Loss;
// README, "How fast"). FastSoftmaxCrossEntropy does the same operations, in the same
// order, in loops over buffers kept from batch to batch, and the gradient reuses the
// cost's e^{z − max z} when it is asked about the same Z (compared element by element):
//
//   per column j:  μ_j = max_i z_ij,  s_ij = z_ij − μ_j,  e_ij = e^{s_ij},  S_j = Σ_i e_ij
//   cost:          J  = −(1/m) Σ_ij y_ij (s_ij − ln S_j)           (as chapter 5's, the log-sum-exp trick)
//   gradient:      dZ = (e_ij / S_j − y_ij) / m                    (= (softmax(Z) − Y)/m)
//
// Bit for bit chapter 5's numbers (tests/ch07_fast_loss.cpp): S_j is summed as
// Armadillo's sum(·, 0) sums (two running sums, the even and the odd rows, added at the
// end), e^s is std::exp as in arma::exp, and J's last sum is arma::accu itself.
#pragma once
#include <armadillo>

#include <algorithm>
#include <cmath>

#include "chapters/05_softmax/softmax.hpp"

namespace course::ch07 {

template <typename eT>
class FastSoftmaxCrossEntropy : public SoftmaxCrossEntropy<eT> {
 public:
  using Mat = arma::Mat<eT>;

  eT cost(const Mat& Z, const Mat& Y) const override {
    check_same_shape(*this, "Z", Z, "Y", Y);
    if (Z.n_rows == 0) return SoftmaxCrossEntropy<eT>::cost(Z, Y);  // no classes: chapter 5's answer
    exponentiate(Z);
    log_probabilities_.set_size(Z.n_rows, Z.n_cols);
    for (arma::uword j = 0; j < Z.n_cols; ++j) {
      const eT log_sum = std::log(column_sums_[j]);  // ln S_j
      const eT* __restrict s = shifted_.colptr(j);
      eT* __restrict log_a = log_probabilities_.colptr(j);
      for (arma::uword i = 0; i < Z.n_rows; ++i) log_a[i] = s[i] - log_sum;  // ln a_ij = s_ij − ln S_j
    }
    return -arma::accu(Y % log_probabilities_) / eT(Z.n_cols);  // −(1/m) Σ y ln a
  }

  void gradient(const Mat& Z, const Mat& Y, Mat& dZ) const override {
    check_same_shape(*this, "Z", Z, "Y", Y);
    if (Z.n_rows == 0) return SoftmaxCrossEntropy<eT>::gradient(Z, Y, dZ);
    if (!holds(Z)) exponentiate(Z);  // not the cost's Z (or no cost asked): e^{z − max z} anew
    dZ.set_size(Z.n_rows, Z.n_cols);
    const eT m = eT(Z.n_cols);
    for (arma::uword j = 0; j < Z.n_cols; ++j) {
      const eT sum = column_sums_[j];
      const eT* __restrict e = exps_.colptr(j);
      const eT* y = Y.colptr(j);  // (no restrict: a caller may write dZ over Y)
      eT* dz = dZ.colptr(j);
      for (arma::uword i = 0; i < Z.n_rows; ++i) dz[i] = (e[i] / sum - y[i]) / m;  // (a − y)/m, a = e/S
    }
  }

 private:
  // s = z − max z, e = e^s and S = Σ e per column, for this Z (kept: Z, s, e, S).
  void exponentiate(const Mat& Z) const {
    logits_ = Z;
    shifted_.set_size(Z.n_rows, Z.n_cols);
    exps_.set_size(Z.n_rows, Z.n_cols);
    column_sums_.set_size(Z.n_cols);
    const arma::uword C = Z.n_rows;
    for (arma::uword j = 0; j < Z.n_cols; ++j) {
      const eT* z = Z.colptr(j);
      eT* s = shifted_.colptr(j);
      eT* e = exps_.colptr(j);
      const eT largest = *std::max_element(z, z + C);             // μ_j (C ≥ 1)
      for (arma::uword i = 0; i < C; ++i) s[i] = z[i] - largest;  // s = z − μ
      for (arma::uword i = 0; i < C; ++i) e[i] = std::exp(s[i]);  // e = e^s
      eT even = eT(0), odd = eT(0);                               // Armadillo's two running sums
      arma::uword i = 0;
      for (; i + 1 < C; i += 2) even += e[i], odd += e[i + 1];
      if (i < C) even += e[i];
      column_sums_[j] = even + odd;  // S_j
    }
  }
  bool holds(const Mat& Z) const {
    return logits_.n_rows == Z.n_rows && logits_.n_cols == Z.n_cols &&
           std::equal(Z.begin(), Z.end(), logits_.begin(),
                      [](eT a, eT b) { return a == b || (a != a && b != b); });  // equal, or both NaN
  }

  // The buffers of the last batch: one loss object serves one thread at a time.
  mutable Mat logits_, shifted_, exps_, log_probabilities_;
  mutable arma::Row<eT> column_sums_;
};

}  // namespace course::ch07
