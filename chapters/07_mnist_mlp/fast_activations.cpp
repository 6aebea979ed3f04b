// Making chapter 7 fast, part 2: e^x, σ and tanh in loops that GCC vectorises (fast_activations.hpp).
//
// This file alone is compiled with -march=native (CMakeLists.txt): 8 floats per
// AVX2 instruction. It calls no library function and instantiates no template
// of the course; its arithmetic is the one written (no -ffast-math: the
// compiler may not reorder it), so the results are the same in every build on
// the same instruction set. Every branch is a selection between values both
// computed, which is what lets the loops vectorise.
#include "chapters/07_mnist_mlp/fast_activations.hpp"

#include <bit>
#include <cstdint>
#include <limits>

namespace course::ch07 {

namespace {

// e^x for one float, written so that a loop of it vectorises.
inline float exp_one(float x) {
  constexpr float kMax = 88.72283935546875f;       // above: e^x > FLT_MAX, ∞
  constexpr float kMin = -103.97208404541015625f;  // below: e^x < 2^-150, rounds to 0
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln 2 = hi + lo, hi with 9 bits (n·hi exact)
  constexpr float kRound = 12582912.0f;  // 1.5 · 2²³: t + kRound − kRound rounds t to an integer
  const float xc = x > kMin ? (x < kMax ? x : kMax) : kMin;  // (NaN goes to kMin here and is restored below)
  const float n = (xc * kLog2e + kRound) - kRound;           // n = round(x / ln 2)
  const float r = (xc - n * kLn2Hi) - n * kLn2Lo;            // r = x − n ln 2, |r| ≤ ln2/2 (Cody and Waite)
  float p = 1.9875691500e-4f;                                // e^r ≈ 1 + r + r² P(r)
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * (r * r) + r + 1.0f;
  // 2^n for n in [−150, 128] as two factors 2^{n₁} 2^{n₂} inside the normal range
  // (exponent bits (k + 127) << 23), so that results near 0 and near FLT_MAX come out right.
  const std::int32_t k = static_cast<std::int32_t>(n);
  const std::int32_t k1 = k / 2, k2 = k - k1;
  const float two_k1 = std::bit_cast<float>((k1 + 127) << 23), two_k2 = std::bit_cast<float>((k2 + 127) << 23);
  const float y = er * two_k1 * two_k2;
  const float inf = std::numeric_limits<float>::infinity();
  return x != x ? x : (x > kMax ? inf : (x < kMin ? 0.0f : y));
}

// tanh x for one float.
inline float tanh_one(float x) {
  const float z = x < 0 ? -x : x;  // |x|
  const float s = x * x;           // small |x|: x + x³ Q(x²)
  float q = -5.70498872745e-3f;
  q = q * s + 2.06390887954e-2f;
  q = q * s - 5.37397155531e-2f;
  q = q * s + 1.33314422036e-1f;
  q = q * s - 3.33332819422e-1f;
  const float small = q * s * x + x;
  const float e = exp_one(2 * z);  // large |x|: 1 − 2/(e^{2|x|} + 1) (→ 1 as e → ∞)
  const float large = 1.0f - 2.0f / (e + 1.0f);
  const float signed_large = x < 0 ? -large : large;
  return z < 0.625f || z != z ? small : signed_large;  // (NaN: the polynomial keeps it)
}

}  // namespace

void vector_exp(const float* z, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = exp_one(z[i]);
}

void vector_sigmoid(const float* z, float* out, std::size_t n) {
  // σ(z) = 1 / (1 + e^{−z}) for z ≥ 0 and e^z / (1 + e^z) for z < 0: e = e^{−|z|} ≤ 1 never
  // overflows, so σ stays accurate down to z = −103 (1/(1 + e^{−z}) gives 0 below −88.7).
  for (std::size_t i = 0; i < n; ++i) {
    const float x = z[i];
    const float e = exp_one(x < 0 ? x : -x);
    out[i] = (x < 0 ? e : 1.0f) / (1.0f + e);  // one division, not two selected from
  }
}

void vector_tanh(const float* z, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = tanh_one(z[i]);
}

void relu_backward(const float* z, const float* da, float* dz, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dz[i] = z[i] > 0 ? da[i] : 0.0f;  // dz = da ⊙ [z > 0]
}

}  // namespace course::ch07
