// Making chapter 7 fast, part 4: SGD's step in one loop (fast_sgd.hpp).
//
// This file alone is compiled with -march=native and -ffp-contract=off
// (CMakeLists.txt): vector instructions for the loop, and no fused multiply-add,
// which would round w − η·dw once instead of twice and so differ from the
// lesson's step. It instantiates no template of the course.
#include "chapters/07_mnist_mlp/fast_sgd.hpp"

namespace course::ch07 {

void sgd_update(float* __restrict w, const float* __restrict dw, float eta, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) w[i] = w[i] - eta * dw[i];  // W ← W − η dW
}

}  // namespace course::ch07
