// Making chapter 11 fast: the loops of FastBnReluDropout (fast_bn_relu_dropout.hpp).
//
// Compiled with -march=native and -ffp-contract=off, as fast_batch_norm.cpp: each
// element rounded as in the three layers it replaces (FastBatchNorm's passes 1 and 2 and
// the order of its sums; FastReLU's gate; FastDropout's a · (d · 1/keep_prob)).
#include "chapters/11_final_classifier/fast_bn_relu_dropout.hpp"

#include "chapters/11_final_classifier/batch_norm_passes.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace course::ch11 {

namespace {

constexpr std::size_t kBlock = DropoutStreams::kBlock;

template <typename eT>
void forward(DropoutStreams& streams, std::uint32_t threshold, eT scale, const eT* __restrict z, std::size_t n,
             std::size_t m, const eT* __restrict gamma, const eT* __restrict beta, eT epsilon, eT* __restrict mean,
             eT* __restrict var, eT* __restrict inv_std, eT* __restrict z_norm, std::uint8_t* __restrict kept,
             eT* __restrict out) {
  passes::batch_statistics(z, n, m, epsilon, mean, var, inv_std);  // passes 1 and 2: μ, σ², 1/√(σ² + ε)
  const bool keep_all = threshold == 0xFFFFFFFFu;                  // keep_prob = 1: no unit dropped
  // pass 3, with FastDropout's numbers: r drawn kBlock at a time for elements first .. first + kBlock − 1
  // in memory order; each run below stays inside one example and one block, so it vectorises.
  alignas(64) std::uint32_t r[kBlock];
  const std::size_t total = n * m;
  std::size_t e = 0;  // the element: example e / n, feature e % n
  while (e < total) {
    if (e % kBlock == 0) dropout_draw_block(streams, r);
    const std::size_t f0 = e % n, j0 = e % kBlock;
    const std::size_t run = std::min(n - f0, kBlock - j0);
    const eT* __restrict zi = z + e;
    eT* __restrict zn = z_norm + e;
    eT* __restrict o = out + e;
    std::uint8_t* __restrict k = kept + e;
    const std::uint32_t* __restrict ri = r + j0;
    for (std::size_t t = 0; t < run; ++t) {
      const std::size_t f = f0 + t;
      const eT normalised = (zi[t] - mean[f]) * inv_std[f];  // z_norm = (z − μ)/√(σ² + ε)
      zn[t] = normalised;
      const eT hat = normalised * gamma[f] + beta[f];                              // ẑ = γ ⊙ z_norm + β
      const std::int32_t pass = (hat > eT(0)) & (keep_all | (ri[t] < threshold));  // k = [ẑ > 0] · [r < t]
      k[t] = std::uint8_t(pass);
      o[t] = pass ? hat * scale : eT(0);  // max(ẑ, 0) ⊙ d / keep_prob
    }
    e += run;
  }
}

template <typename eT>
void backward(const eT* __restrict dout, const std::uint8_t* __restrict kept, eT scale, const eT* __restrict z_norm,
              std::size_t n, std::size_t m, const eT* __restrict gamma, const eT* __restrict inv_std,
              eT* __restrict dgamma, eT* __restrict dbeta, eT* __restrict dz) {
  // dẑ = dout ⊙ k / keep_prob, computed in each of the two passes (never stored)
  passes::batch_norm_gradients<eT>([dout, kept, scale](std::size_t e) { return dout[e] * (eT(kept[e]) * scale); },
                                   z_norm, n, m, gamma, inv_std, dgamma, dbeta, dz);
}

}  // namespace

void bn_relu_dropout_forward(DropoutStreams& streams, std::uint32_t threshold, float scale, const float* z,
                             std::size_t n, std::size_t m, const float* gamma, const float* beta, float epsilon,
                             float* mean, float* var, float* inv_std, float* z_norm, std::uint8_t* kept, float* out) {
  forward(streams, threshold, scale, z, n, m, gamma, beta, epsilon, mean, var, inv_std, z_norm, kept, out);
}
void bn_relu_dropout_forward(DropoutStreams& streams, std::uint32_t threshold, double scale, const double* z,
                             std::size_t n, std::size_t m, const double* gamma, const double* beta, double epsilon,
                             double* mean, double* var, double* inv_std, double* z_norm, std::uint8_t* kept,
                             double* out) {
  forward(streams, threshold, scale, z, n, m, gamma, beta, epsilon, mean, var, inv_std, z_norm, kept, out);
}
void bn_relu_dropout_backward(const float* dout, const std::uint8_t* kept, float scale, const float* z_norm,
                              std::size_t n, std::size_t m, const float* gamma, const float* inv_std, float* dgamma,
                              float* dbeta, float* dz) {
  backward(dout, kept, scale, z_norm, n, m, gamma, inv_std, dgamma, dbeta, dz);
}
void bn_relu_dropout_backward(const double* dout, const std::uint8_t* kept, double scale, const double* z_norm,
                              std::size_t n, std::size_t m, const double* gamma, const double* inv_std, double* dgamma,
                              double* dbeta, double* dz) {
  backward(dout, kept, scale, z_norm, n, m, gamma, inv_std, dgamma, dbeta, dz);
}

}  // namespace course::ch11
