// Making chapter 7 fast, part 5: the first layer's products over the nonzero pixels
// (fast_sparse.hpp).
//
// This file alone is compiled with -march=native (CMakeLists.txt), like parts 1, 2
// and 4: plain functions, no template of the course, no -ffast-math. A block of 64
// rows is held in eight 8-float vectors (GCC's vector extension: one AVX register
// each) for a whole input column, so each nonzero pixel costs eight loads of W and
// eight multiply-adds, and nothing is stored until the column is done.
#include "chapters/07_mnist_mlp/fast_sparse.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
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
  LaneTable() {
    for (unsigned mask = 0; mask < 256; ++mask) {
      unsigned kept = 0;
      for (unsigned lane = 0; lane < 8; ++lane)
        if (mask & (1u << lane)) lanes[mask][kept++] = lane;
    }
  }
};
const LaneTable kLanes;
#endif

// The rows i with x[i] ≠ 0 (NaN included: it must reach the output), written to at.
arma::uword nonzero_rows(const float* x, arma::uword n, std::uint32_t* at) {
  arma::uword count = 0, i = 0;
#if defined(__AVX2__)
  // Eight at a time and without a branch: one comparison gives a bit per nonzero, the
  // table turns the 8 bits into the nonzero lanes' positions, all 8 slots are written and
  // the count moves on by the number of nonzeros (the next write covers the rest).
  for (; i + 8 <= n; i += 8) {
    const unsigned mask =
        unsigned(_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), _mm256_setzero_ps(), _CMP_NEQ_UQ)));
    const __m256i lanes = _mm256_load_si256(reinterpret_cast<const __m256i*>(kLanes.lanes[mask]));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(at + count), _mm256_add_epi32(lanes, _mm256_set1_epi32(int(i))));
    count += arma::uword(__builtin_popcount(mask));
  }
#endif
  for (; i < n; ++i) {  // (every i written, the count moving on at a nonzero: no branch)
    at[count] = std::uint32_t(i);
    count += x[i] != 0.0f;
  }
  return count;
}

}  // namespace

std::unique_ptr<Layer<float>> make_sparse_input_linear(arma::uword n_in, arma::uword n_out, bool with_bias) {
  return std::make_unique<SparseInputLinear>(n_in, n_out, with_bias);
}

void list_nonzeros(const arma::fmat& X, SparseColumns& nonzeros) {
  nonzeros.start.set_size(X.n_cols + 1);
  nonzeros.rows.set_size(X.n_elem + 8);  // room for every entry (keeps its memory batch after batch)
  arma::uword count = 0;
  for (arma::uword j = 0; j < X.n_cols; ++j) {
    nonzeros.start[j] = count;
    count += nonzero_rows(X.colptr(j), X.n_rows, nonzeros.rows.memptr() + count);
  }
  nonzeros.start[X.n_cols] = count;
  nonzeros.of = X.memptr();
  nonzeros.n_rows = X.n_rows;
  nonzeros.n_cols = X.n_cols;
}

void sparse_input_product(const arma::fmat& W, const arma::fmat& X, const SparseColumns& nonzeros, arma::fmat& Z) {
  if (W.n_cols != X.n_rows || !nonzeros.lists(X))
    throw std::invalid_argument("sparse_input_product: W has " + std::to_string(W.n_cols) + " columns, X " +
                                std::to_string(X.n_rows) + " rows (and the list of nonzeros must be X's)");
  const arma::uword n_out = W.n_rows;
  Z.set_size(n_out, X.n_cols);
  for (arma::uword j = 0; j < X.n_cols; ++j) {
    const float* x = X.colptr(j);
    const std::uint32_t* at = nonzeros.rows.memptr() + nonzeros.start[j];
    const arma::uword count = nonzeros.start[j + 1] - nonzeros.start[j];
    float* z = Z.colptr(j);
    arma::uword r0 = 0;
    for (; r0 + kBlock <= n_out; r0 += kBlock) {  // z_j[r0..r0+64) = Σ_t x_{at[t] j} W(r0.., at[t])
      f32x8 acc[8] = {};
      for (arma::uword t = 0; t < count; ++t) {
        const f32x8 xt = splat8(x[at[t]]);
        const float* w = W.colptr(at[t]) + r0;
        for (int k = 0; k < 8; ++k) acc[k] += xt * load8(w + 8 * k);
      }
      for (int k = 0; k < 8; ++k) store8(z + r0 + 8 * k, acc[k]);
    }
    for (arma::uword r = r0; r < n_out; ++r) {  // the rows after the last whole block, one at a time
      float sum = 0.0f;
      for (arma::uword t = 0; t < count; ++t) sum += x[at[t]] * W(r, at[t]);
      z[r] = sum;
    }
  }
}

void sparse_input_weight_gradient(const arma::fmat& dZ, const arma::fmat& X, const SparseColumns& nonzeros,
                                  arma::fmat& dW) {
  if (dZ.n_cols != X.n_cols || !nonzeros.lists(X))
    throw std::invalid_argument("sparse_input_weight_gradient: dZ has " + std::to_string(dZ.n_cols) + " columns, X " +
                                std::to_string(X.n_cols) + " (and the list of nonzeros must be X's)");
  const arma::uword n_out = dZ.n_rows;
  dW.zeros(n_out, X.n_rows);                    // a pixel that is 0 in every example of the batch has dW(:, i) = 0
  for (arma::uword j = 0; j < X.n_cols; ++j) {  // dW(:, i) += x_ij dZ(:, j) for each nonzero x_ij
    const float* x = X.colptr(j);
    const std::uint32_t* at = nonzeros.rows.memptr() + nonzeros.start[j];
    const arma::uword count = nonzeros.start[j + 1] - nonzeros.start[j];
    const float* dz = dZ.colptr(j);
    arma::uword r0 = 0;
    for (; r0 + kBlock <= n_out; r0 += kBlock) {
      f32x8 d[8];
      for (int k = 0; k < 8; ++k) d[k] = load8(dz + r0 + 8 * k);
      for (arma::uword t = 0; t < count; ++t) {
        const f32x8 xt = splat8(x[at[t]]);
        float* w = dW.colptr(at[t]) + r0;
        for (int k = 0; k < 8; ++k) store8(w + 8 * k, load8(w + 8 * k) + xt * d[k]);
      }
    }
    for (arma::uword r = r0; r < n_out; ++r)
      for (arma::uword t = 0; t < count; ++t) dW(r, at[t]) += x[at[t]] * dz[r];
  }
}

}  // namespace course::ch07
