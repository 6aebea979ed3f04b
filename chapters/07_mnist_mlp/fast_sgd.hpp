// Making chapter 7 fast, part 4: SGD's step in one loop.
//
// The lesson's SGD (chapter 6, optimizer.hpp) writes the step as the formula,
//   W ← W − η dW        (*p.value -= eta * *p.gradient)
// and Armadillo evaluates it in one pass of SSE instructions, 4 floats each (the
// baseline the library is compiled for): for the net's 51,450 numbers 4.4–7.2 µs per
// batch, 2.5–4% of chapter 7's epoch, in two runs. FastSGD computes the same numbers,
// W[i] − η·dW[i] rounded after the product and again after the difference, in a
// plain loop compiled for the machine (fast_sgd.cpp: -march=native, AVX-512 here,
// and -ffp-contract=off: no fused multiply-add, so the result is the lesson's bit
// for bit; tests/ch07_fast_sgd.cpp compares them), in 3.9–4.1 µs (bench_ch07_mnist,
// BM_Step; README, "How fast": the step is bound by the cache, and the gain varies).
#pragma once
#include <armadillo>

#include <cstddef>
#include <string>
#include <vector>

#include "chapters/06_backprop/optimizer.hpp"

namespace course::ch07 {

// w[i] = w[i] − eta · dw[i] for i < n.
void sgd_update(float* w, const float* dw, float eta, std::size_t n);

class FastSGD : public SGD<float> {
 public:
  using SGD<float>::SGD;
  std::string name() const override { return "SGD"; }  // the lesson's, printed alike

  void step(const std::vector<Parameter<float>>& params) override {
    for (const Parameter<float>& p : params) {
      check_same_shape("FastSGD: " + p.name, "the gradient", *p.gradient, "the value", *p.value);
      sgd_update(p.value->memptr(), p.gradient->memptr(), learning_rate(), p.value->n_elem);  // W ← W − η dW
    }
  }
};

}  // namespace course::ch07
