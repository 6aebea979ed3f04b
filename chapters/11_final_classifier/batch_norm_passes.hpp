// Making chapter 11 fast: the passes over the batch that FastBatchNorm and FastBnReluDropout
// share, included only by their loop files (fast_batch_norm.cpp, fast_bn_relu_dropout.cpp),
// which are compiled with the same flags (-march=native, -ffp-contract=off).
//
// Each sum goes over the examples in the order of Armadillo's sum(·, 1) (column by
// column, each feature on its own), so each feature's loop is independent of the others
// and vectorises across features with no reordering of a sum (no -ffast-math).
#pragma once
#include <cmath>
#include <cstddef>

namespace course::ch11::passes {

// z: n × m (column i is example i); mean, var, inv_std: n.
template <typename eT>
inline void batch_statistics(const eT* __restrict z, std::size_t n, std::size_t m, eT epsilon, eT* __restrict mean,
                             eT* __restrict var, eT* __restrict inv_std) {
  for (std::size_t f = 0; f < n; ++f) mean[f] = var[f] = eT(0);
  for (std::size_t i = 0; i < m; ++i)  // pass 1: Σ_i z_i
    for (std::size_t f = 0; f < n; ++f) mean[f] += z[i * n + f];
  for (std::size_t f = 0; f < n; ++f) mean[f] /= eT(m);  // μ = (1/m) Σ_i z_i
  for (std::size_t i = 0; i < m; ++i)                    // pass 2: Σ_i (z_i − μ)²
    for (std::size_t f = 0; f < n; ++f) {
      const eT centred = z[i * n + f] - mean[f];
      var[f] += centred * centred;
    }
  for (std::size_t f = 0; f < n; ++f) {
    var[f] /= eT(m);                                   // σ² (biased)
    inv_std[f] = eT(1) / std::sqrt(var[f] + epsilon);  // 1/√(σ² + ε)
  }
}

// Batch norm's backward in two passes, given dẑ element by element: dhat(e) for the
// element e = i·n + f (FastBatchNorm: dout[e]; FastBnReluDropout: dout[e] ⊙ k[e]/keep_prob).
template <typename eT, typename DHat>
inline void batch_norm_gradients(DHat dhat, const eT* __restrict z_norm, std::size_t n, std::size_t m,
                                 const eT* __restrict gamma, const eT* __restrict inv_std, eT* __restrict dgamma,
                                 eT* __restrict dbeta, eT* __restrict dz) {
  for (std::size_t f = 0; f < n; ++f) dgamma[f] = dbeta[f] = eT(0);
  for (std::size_t i = 0; i < m; ++i)  // pass 1: dβ = Σ_i dẑ_i, dγ = Σ_i dẑ_i ⊙ z_norm_i
    for (std::size_t f = 0; f < n; ++f) {
      const eT d = dhat(i * n + f);
      dbeta[f] += d;
      dgamma[f] += d * z_norm[i * n + f];
    }
  for (std::size_t i = 0; i < m; ++i)  // pass 2: dz = (γ/√(σ² + ε)) ⊙ (dẑ − dβ/m − z_norm ⊙ dγ/m)
    for (std::size_t f = 0; f < n; ++f) {
      const eT through_mean = dbeta[f] / eT(m), through_variance = dgamma[f] / eT(m);
      dz[i * n + f] =
          ((dhat(i * n + f) - through_mean) - z_norm[i * n + f] * through_variance) * (gamma[f] * inv_std[f]);
    }
}

}  // namespace course::ch11::passes
