// Two ways to compute the gradient of a mini-batch, with the same result.
//
// The per-example algorithm of note 000 (after Nielsen): for each training
// example x in the mini-batch of m,
//   forward:   z^{x,l} = W^l a^{x,l−1} + b^l,  a^{x,l} = f(z^{x,l})        (vectors: n_l × 1)
//   backward:  δ^{x,L} = ∇_a J_x ⊙ f'(z^{x,L}),  δ^{x,l} = ((W^{l+1})ᵀ δ^{x,l+1}) ⊙ f'(z^{x,l})
// then the step uses the sums over the examples:
//   W^l ← W^l − (η/m) Σ_x δ^{x,l} (a^{x,l−1})ᵀ,    b^l ← b^l − (η/m) Σ_x δ^{x,l}
//
// The vectorized mini-batch form puts the m examples side by side as the
// columns of X (n_0 × m) and runs the same equations once on matrices: the sum
// over x of δ^{x,l}(a^{x,l−1})ᵀ is exactly the matrix product δ^l (a^{l−1})ᵀ.
// Same numbers (to rounding), but one matrix–matrix product (BLAS level 3,
// cache-blocked, SIMD) instead of m matrix–vector products (level 2, limited by
// memory bandwidth): the speed difference is what chapter 6's program and
// bench/bench_ch06_backprop.cpp measure.
//
// Here the per-example form reuses the network's own forward() and backward()
// on one column at a time: with m = 1 the loss's 1/m is 1, so each backward()
// leaves the gradient of that example's own loss; their mean is the mini-batch
// gradient.
#pragma once
#include <armadillo>

#include <vector>

#include "chapters/06_backprop/network.hpp"

namespace course {

template <typename eT>
class PerExample {
 public:
  using Mat = arma::Mat<eT>;

  // Leaves in net's gradients() the mean over the m columns of (X, Y) of the
  // per-example gradients: (1/m) Σ_x ∂J_x/∂θ.
  void gradients(Network<eT>& net, const Mat& X, const Mat& Y) {
    const std::vector<Mat*> grads = net.gradients();
    sums_.resize(grads.size());
    for (std::size_t p = 0; p < grads.size(); ++p) sums_[p].zeros(grads[p]->n_rows, grads[p]->n_cols);
    for (arma::uword i = 0; i < X.n_cols; ++i) {
      x_ = X.col(i);                                       // a^{x,0}: n_0 × 1
      y_ = Y.col(i);
      net.forward(x_);                                     // z^{x,l}, a^{x,l}: n_l × 1
      net.backward(y_);                                    // δ^{x,l}, δ^{x,l}(a^{x,l−1})ᵀ, δ^{x,l}
      for (std::size_t p = 0; p < grads.size(); ++p) sums_[p] += *grads[p];  // Σ_x
    }
    const eT m = eT(X.n_cols);
    for (std::size_t p = 0; p < grads.size(); ++p) *grads[p] = sums_[p] / m;  // (1/m) Σ_x
  }

  // One gradient-descent step on the mini-batch, per example.
  void step(Network<eT>& net, const Mat& X, const Mat& Y, eT learning_rate) {
    gradients(net, X, Y);
    net.step(learning_rate);                               // θ ← θ − (η/m) Σ_x dθ_x
  }

 private:
  Mat x_, y_;                 // one example, reused
  std::vector<Mat> sums_;     // Σ_x dθ_x, one per parameter matrix
};

// The vectorized mini-batch step: forward and backward once on the m columns.
template <typename eT>
void minibatch_step(Network<eT>& net, const arma::Mat<eT>& X, const arma::Mat<eT>& Y, eT learning_rate) {
  net.forward(X);                                          // Z^l, A^l: n_l × m
  net.backward(Y);                                         // dW^l = δ^l (A^{l−1})ᵀ already sums over the m columns
  net.step(learning_rate);                                 // θ ← θ − η dθ
}

}  // namespace course
