// Making chapter 11 fast: the loops of FastBatchNorm (fast_batch_norm.hpp).
//
// This file alone is compiled with -march=native and -ffp-contract=off
// (CMakeLists.txt): the loops run on the widest vectors of the machine, and
// every a · b + c stays a multiplication and an addition, each rounded, as in
// chapter 10's Armadillo expressions. The sums go over the examples in the
// same order as Armadillo's sum(·, 1) (column by column, each feature on its
// own), so each feature's loop is independent of the others and vectorises
// across features with no reordering of a sum (no -ffast-math).
#include "chapters/11_final_classifier/fast_batch_norm.hpp"

#include <cmath>
#include <cstddef>

namespace course::ch11 {

namespace {

template <typename eT>
void forward(const eT* __restrict z, std::size_t n, std::size_t m, const eT* __restrict gamma,
             const eT* __restrict beta, eT epsilon, eT* __restrict mean, eT* __restrict var, eT* __restrict inv_std,
             eT* __restrict z_norm, eT* __restrict out) {
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
  for (std::size_t i = 0; i < m; ++i)  // pass 3: z_norm and ẑ
    for (std::size_t f = 0; f < n; ++f) {
      const eT normalised = (z[i * n + f] - mean[f]) * inv_std[f];  // z_norm = (z − μ)/√(σ² + ε)
      z_norm[i * n + f] = normalised;
      out[i * n + f] = normalised * gamma[f] + beta[f];  // ẑ = γ ⊙ z_norm + β
    }
}

template <typename eT>
void backward(const eT* __restrict dout, const eT* __restrict z_norm, std::size_t n, std::size_t m,
              const eT* __restrict gamma, const eT* __restrict inv_std, eT* __restrict dgamma, eT* __restrict dbeta,
              eT* __restrict dz) {
  for (std::size_t f = 0; f < n; ++f) dgamma[f] = dbeta[f] = eT(0);
  for (std::size_t i = 0; i < m; ++i)  // pass 1: dβ = Σ_i dẑ_i, dγ = Σ_i dẑ_i ⊙ z_norm_i
    for (std::size_t f = 0; f < n; ++f) {
      dbeta[f] += dout[i * n + f];
      dgamma[f] += dout[i * n + f] * z_norm[i * n + f];
    }
  for (std::size_t i = 0; i < m; ++i)  // pass 2: dz = (γ/√(σ² + ε)) ⊙ (dẑ − dβ/m − z_norm ⊙ dγ/m)
    for (std::size_t f = 0; f < n; ++f) {
      const eT through_mean = dbeta[f] / eT(m), through_variance = dgamma[f] / eT(m);
      dz[i * n + f] =
          ((dout[i * n + f] - through_mean) - z_norm[i * n + f] * through_variance) * (gamma[f] * inv_std[f]);
    }
}

}  // namespace

void batch_norm_forward(const float* z, std::size_t n, std::size_t m, const float* gamma, const float* beta,
                        float epsilon, float* mean, float* var, float* inv_std, float* z_norm, float* out) {
  forward(z, n, m, gamma, beta, epsilon, mean, var, inv_std, z_norm, out);
}
void batch_norm_forward(const double* z, std::size_t n, std::size_t m, const double* gamma, const double* beta,
                        double epsilon, double* mean, double* var, double* inv_std, double* z_norm, double* out) {
  forward(z, n, m, gamma, beta, epsilon, mean, var, inv_std, z_norm, out);
}
void batch_norm_backward(const float* dout, const float* z_norm, std::size_t n, std::size_t m, const float* gamma,
                         const float* inv_std, float* dgamma, float* dbeta, float* dz) {
  backward(dout, z_norm, n, m, gamma, inv_std, dgamma, dbeta, dz);
}
void batch_norm_backward(const double* dout, const double* z_norm, std::size_t n, std::size_t m, const double* gamma,
                         const double* inv_std, double* dgamma, double* dbeta, double* dz) {
  backward(dout, z_norm, n, m, gamma, inv_std, dgamma, dbeta, dz);
}

}  // namespace course::ch11
