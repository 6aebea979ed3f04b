// Making chapter 7 fast, part 5: the first layer's products over the nonzero pixels
// (fast_sparse.hpp).
//
// This file alone is compiled with -march=native (CMakeLists.txt), like parts 1, 2
// and 4: plain functions on raw arrays, no template instantiated (the header sizes the
// matrices), no -ffast-math. A block of 64 rows is held in eight 8-float vectors
// (GCC's vector extension: one AVX register each) for a whole input column, so each
// nonzero pixel costs eight loads of W and eight multiply-adds, and nothing is stored
// until the column is done.
#include "chapters/07_mnist_mlp/fast_sparse.hpp"

#include <cstdint>
#include <cstring>
#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace course::ch07 {

namespace {

using f32x8 = float __attribute__((vector_size(32)));  // 8 floats, one AVX register
constexpr arma::uword kBlock = 64;                     // rows held in registers: 8 vectors

f32x8 load8(const float* p) {
  f32x8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void store8(float* p, f32x8 v) { std::memcpy(p, &v, sizeof v); }
f32x8 splat8(float x) { return f32x8{x, x, x, x, x, x, x, x}; }

#if defined(__AVX2__)
// For each 8-bit mask, the positions of its set bits, packed to the front: row k of the
// table lists the lanes to keep when the mask is k (the rest of the row: don't care).
struct LaneTable {
  alignas(32) std::uint32_t lanes[256][8] = {};
  constexpr LaneTable() {
    for (unsigned mask = 0; mask < 256; ++mask) {
      unsigned kept = 0;
      for (unsigned lane = 0; lane < 8; ++lane)
        if (mask & (1u << lane)) lanes[mask][kept++] = lane;
    }
  }
};
constexpr LaneTable kLanes;  // built by the compiler
#endif

// The rows i with x[i] ≠ 0, written to at[0 .. count). A NaN or ±∞ counts as nonzero
// (so that it reaches the output, as in the dense product); −0 counts as 0.
arma::uword nonzero_rows(const float* x, arma::uword n, std::uint32_t* at) {
  arma::uword count = 0, i = 0;
#if defined(__AVX2__)
  // Eight at a time and without a branch: one comparison gives a bit per nonzero, the
  // table turns the 8 bits into the nonzero lanes' positions, all 8 slots are written
  // (at[count .. count + 7], within at[0 .. i + 7]) and the count moves on by the number
  // of nonzeros: the next write covers the rest.
  for (; i + 8 <= n; i += 8) {
    const unsigned mask =
        unsigned(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), _mm256_setzero_ps(), _CMP_NEQ_UQ)));
    const __m256i lanes = _mm256_load_si256(reinterpret_cast<const __m256i*>(kLanes.lanes[mask]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(at + count), _mm256_add_epi32(lanes, _mm256_set1_epi32(int(i))));
    count += arma::uword(__builtin_popcount(mask));
  }
#endif
  for (; i < n; ++i) {  // the rest (all of it without AVX2): every i written, the count moving on at a nonzero
    at[count] = std::uint32_t(i);
    count += x[i] != 0.0f;
  }
  return count;
}

}  // namespace

void list_nonzero_rows(const float* X, arma::uword n_rows, arma::uword n_cols, arma::uword* start,
                       std::uint32_t* rows) {
  arma::uword count = 0;
  for (arma::uword j = 0; j < n_cols; ++j) {
    start[j] = count;
    count += nonzero_rows(X + j * n_rows, n_rows, rows + count);
  }
  start[n_cols] = count;
}

void sparse_input_product(const float* W, arma::uword n_out, arma::uword n_in, const float* X, arma::uword m,
                          const arma::uword* start, const std::uint32_t* rows, float* Z) {
  for (arma::uword j = 0; j < m; ++j) {
    const float* x = X + j * n_in;
    const std::uint32_t* at = rows + start[j];
    const arma::uword count = start[j + 1] - start[j];
    float* z = Z + j * n_out;
    arma::uword r0 = 0;
    for (; r0 + kBlock <= n_out; r0 += kBlock) {  // z_j[r0 .. r0 + 64) = Σ_t x_{at[t] j} W(r0 .., at[t])
      f32x8 acc[8] = {};
      for (arma::uword t = 0; t < count; ++t) {
        const f32x8 xt = splat8(x[at[t]]);
        const float* w = W + at[t] * n_out + r0;
        for (int k = 0; k < 8; ++k) acc[k] += xt * load8(w + 8 * k);
      }
      for (int k = 0; k < 8; ++k) store8(z + r0 + 8 * k, acc[k]);
    }
    for (arma::uword r = r0; r < n_out; ++r) {  // the rows after the last whole block, one at a time
      float sum = 0.0f;
      for (arma::uword t = 0; t < count; ++t) sum += x[at[t]] * W[at[t] * n_out + r];
      z[r] = sum;
    }
  }
}

void sparse_input_weight_gradient(const float* dZ, arma::uword n_out, const float* X, arma::uword n_in, arma::uword m,
                                  const arma::uword* start, const std::uint32_t* rows, float* dW) {
  // a pixel that is 0 in every example of the batch has dW(:, i) = 0
  if (n_out * n_in > 0) std::memset(dW, 0, sizeof(float) * n_out * n_in);
  for (arma::uword j = 0; j < m; ++j) {  // dW(:, i) += x_ij dZ(:, j) for each nonzero x_ij
    const float* x = X + j * n_in;
    const std::uint32_t* at = rows + start[j];
    const arma::uword count = start[j + 1] - start[j];
    const float* dz = dZ + j * n_out;
    arma::uword r0 = 0;
    for (; r0 + kBlock <= n_out; r0 += kBlock) {
      f32x8 d[8];
      for (int k = 0; k < 8; ++k) d[k] = load8(dz + r0 + 8 * k);
      for (arma::uword t = 0; t < count; ++t) {
        const f32x8 xt = splat8(x[at[t]]);
        float* w = dW + at[t] * n_out + r0;
        for (int k = 0; k < 8; ++k) store8(w + 8 * k, load8(w + 8 * k) + xt * d[k]);
      }
    }
    for (arma::uword r = r0; r < n_out; ++r)
      for (arma::uword t = 0; t < count; ++t) dW[at[t] * n_out + r] += x[at[t]] * dz[r];
  }
}

}  // namespace course::ch07
