// Making chapter 9 fast: Adam's update in one pass (optimizers.hpp, FusedAdam).
//
// This file alone is compiled with -fno-math-errno and -march=native
// (CMakeLists.txt). std::sqrt of a negative number would set errno, which keeps
// GCC from using the vector square root; s is a mean of squares, never
// negative, so the flag changes nothing that the code computes, only how. The
// functions instantiate no template of the course.
#include <cmath>
#include <cstddef>

#include "chapters/09_optimizers/optimizers.hpp"

namespace course::ch09 {

namespace {

template <typename T>
void fused(T* W, const T* g, T* v, T* s, std::size_t n, const AdamCoefficients& c) {
  const T beta1 = T(c.beta1), beta2 = T(c.beta2), one_minus_beta1 = T(1 - c.beta1), one_minus_beta2 = T(1 - c.beta2);
  const T step = T(c.step), epsilon = T(c.epsilon);
  for (std::size_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T vi = beta1 * v[i] + one_minus_beta1 * gi;       // v = β₁ v + (1 − β₁) g
    const T si = beta2 * s[i] + one_minus_beta2 * gi * gi;  // s = β₂ s + (1 − β₂) g²
    v[i] = vi;
    s[i] = si;
    W[i] -= step * vi / (std::sqrt(si) + epsilon);  // W −= (α √c₂ / c₁) v / (√s + ε √c₂)
  }
}

}  // namespace

void adam_fused_update(float* W, const float* g, float* v, float* s, std::size_t n, const AdamCoefficients& c) {
  fused(W, g, v, s, n, c);
}
void adam_fused_update(double* W, const double* g, double* v, double* s, std::size_t n, const AdamCoefficients& c) {
  fused(W, g, v, s, n, c);
}

}  // namespace course::ch09
