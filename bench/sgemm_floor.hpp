// The floor of a training epoch: its matrix products alone, at the network's own shapes, into
// preallocated matrices (Armadillo hands each to sgemm). A training epoch that does these dense
// products cannot be faster than this (chapter 7's sparse first layer does less arithmetic and
// can); the benchmarks of chapters 7 and 11 quote their epochs as a multiple of it.
//
// Per mini-batch of m examples, for the layers l = 1..L of sizes n_0 (input) … n_L:
//   forward   Z_l = W_l · A_{l−1}          (n_l × n_{l−1}) · (n_{l−1} × m)
//   backward  dW_l = dZ_l · A_{l−1}ᵀ       every layer
//             dA_{l−1} = W_lᵀ · dZ_l       every layer but the first (no gradient for the input)
// which is the 2·(forward) + 2·(backward) FLOP count of ch07::training_flops. The values are
// random: sgemm's speed does not depend on them.
#pragma once

#include <armadillo>
#include <vector>

namespace course::bench {

class SgemmFloor {
 public:
  SgemmFloor(const std::vector<arma::uword>& sizes, arma::uword batch, arma::uword examples)
      : batches_((examples + batch - 1) / batch) {
    A_.emplace_back(sizes[0], batch, arma::fill::randu);  // A_0 = X
    for (std::size_t l = 1; l < sizes.size(); ++l) {
      W_.emplace_back(sizes[l], sizes[l - 1], arma::fill::randn);
      A_.emplace_back(sizes[l], batch, arma::fill::zeros);  // Z_l, standing in for A_l
      dZ_.emplace_back(sizes[l], batch, arma::fill::randn);
      dW_.emplace_back(sizes[l], sizes[l - 1], arma::fill::zeros);
      dA_.emplace_back(sizes[l - 1], batch, arma::fill::zeros);
    }
  }

  // One epoch's products.
  void run() {
    const std::size_t L = W_.size();
    for (arma::uword b = 0; b < batches_; ++b) {
      for (std::size_t l = 0; l < L; ++l) A_[l + 1] = W_[l] * A_[l];  // Z_l = W_l · A_{l−1}
      for (std::size_t l = L; l-- > 0;) {
        dW_[l] = dZ_[l] * A_[l].t();             // dW_l = dZ_l · A_{l−1}ᵀ
        if (l > 0) dA_[l] = W_[l].t() * dZ_[l];  // dA_{l−1} = W_lᵀ · dZ_l
      }
    }
  }

  const float* result() const { return dW_[0].memptr(); }  // for benchmark::DoNotOptimize
  arma::uword batches() const { return batches_; }

 private:
  arma::uword batches_;
  std::vector<arma::fmat> W_, A_, dZ_, dW_, dA_;
};

}  // namespace course::bench
