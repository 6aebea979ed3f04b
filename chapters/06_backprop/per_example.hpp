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

#include <algorithm>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/optimizer.hpp"
#include "common/numerical.hpp"

namespace course {

template <typename eT>
class PerExample {
 public:
  using Mat = arma::Mat<eT>;

  // Leaves beside net's parameters the mean over the m columns of (X, Y) of the
  // per-example gradients: (1/m) Σ_x ∂J_x/∂θ.
  void gradients(Network<eT>& net, const Mat& X, const Mat& Y) {
    const std::vector<Parameter<eT>> params = net.parameters();
    sums_.resize(params.size());
    for (std::size_t p = 0; p < params.size(); ++p) sums_[p].zeros(params[p].value->n_rows, params[p].value->n_cols);
    for (arma::uword i = 0; i < X.n_cols; ++i) {
      x_ = X.col(i);  // a^{x,0}: n_0 × 1
      y_ = Y.col(i);
      net.forward(x_);   // z^{x,l}, a^{x,l}: n_l × 1
      net.backward(y_);  // δ^{x,l}, δ^{x,l}(a^{x,l−1})ᵀ, δ^{x,l}
      for (std::size_t p = 0; p < params.size(); ++p) sums_[p] += *params[p].gradient;  // Σ_x
    }
    const eT m = eT(X.n_cols);
    for (std::size_t p = 0; p < params.size(); ++p) *params[p].gradient = sums_[p] / m;  // (1/m) Σ_x
  }

  // One step of `optimizer` on the mini-batch, its gradient computed per example.
  void step(Network<eT>& net, Optimizer<eT>& optimizer, const Mat& X, const Mat& Y) {
    gradients(net, X, Y);
    optimizer.step(net.parameters());  // θ ← θ − (η/m) Σ_x dθ_x
  }

 private:
  Mat x_, y_;              // one example, reused
  std::vector<Mat> sums_;  // Σ_x dθ_x, one per parameter matrix
};

// The vectorized mini-batch step: forward and backward once on the m columns.
template <typename eT>
void minibatch_step(Network<eT>& net, Optimizer<eT>& optimizer, const arma::Mat<eT>& X, const arma::Mat<eT>& Y) {
  net.forward(X);                    // Z^l, A^l: n_l × m
  net.backward(Y);                   // dW^l = δ^l (A^{l−1})ᵀ already sums over the m columns
  optimizer.step(net.parameters());  // θ ← θ − η dθ
}

// Both ways on the same batch: the largest relative difference between the
// per-example mean and the vectorized gradient, over the parameter matrices.
template <typename eT>
double per_example_difference(Network<eT>& net, const arma::Mat<eT>& X, const arma::Mat<eT>& Y) {
  const std::vector<Parameter<eT>> params = net.parameters();
  net.forward(X);
  net.backward(Y);
  std::vector<arma::Mat<eT>> vectorized;
  for (const Parameter<eT>& p : params) vectorized.push_back(*p.gradient);
  PerExample<eT> per_example;
  per_example.gradients(net, X, Y);
  double largest = 0;
  for (std::size_t i = 0; i < params.size(); ++i)
    largest = std::max(largest, relative_error(*params[i].gradient, vectorized[i]));
  return largest;
}

}  // namespace course
