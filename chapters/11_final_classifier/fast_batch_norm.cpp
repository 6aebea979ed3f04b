// Making chapter 11 fast: the loops of FastBatchNorm (fast_batch_norm.hpp).
//
// This file is compiled with -march=native and -ffp-contract=off (CMakeLists.txt):
// the loops run on the widest vectors of the machine, and every a · b + c stays a
// multiplication and an addition, each rounded, as in chapter 10's Armadillo
// expressions. The passes it shares with FastBnReluDropout are in batch_norm_passes.hpp.
#include "chapters/11_final_classifier/fast_batch_norm.hpp"

#include "chapters/11_final_classifier/batch_norm_passes.hpp"

#include <cmath>
#include <cstddef>

namespace course::ch11 {

namespace {

template <typename eT>
void forward(const eT* __restrict z, std::size_t n, std::size_t m, const eT* __restrict gamma,
             const eT* __restrict beta, eT epsilon, eT* __restrict mean, eT* __restrict var, eT* __restrict inv_std,
             eT* __restrict z_norm, eT* __restrict out) {
  passes::batch_statistics(z, n, m, epsilon, mean, var, inv_std);  // passes 1 and 2: μ, σ², 1/√(σ² + ε)
  for (std::size_t i = 0; i < m; ++i)                              // pass 3: z_norm and ẑ
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
  passes::batch_norm_gradients<eT>([dout](std::size_t e) { return dout[e]; }, z_norm, n, m, gamma, inv_std, dgamma,
                                   dbeta, dz);
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
