// Making chapter 7 fast, part 2: σ and tanh over a whole matrix in vector instructions.
//
// The lesson's layers compute σ(z) = 1/(1 + e^{−z}) and tanh(z) with Armadillo,
// which calls glibc's scalar expf and tanhf once per element: a tenth of the
// epoch (README, "How fast"). GCC replaces them by glibc's vector versions only
// under -ffast-math, which the course does not use (it lets the compiler assume
// that no NaN occurs, and it would apply to every template compiled in the same
// file). Instead, fast_activations.cpp writes e^x and tanh x as a polynomial
// after a range reduction, in plain loops that GCC vectorises, and nothing else:
//
//   e^x = 2^n · e^r,  n = round(x / ln 2),  r = x − n ln 2 ∈ [−ln2/2, ln2/2],
//         e^r ≈ 1 + r + r² P(r)   (P of degree 5: Cephes' expf, Moshier 1984)
//   tanh x = x + x³ Q(x²)          for |x| < 0.625 (Q of degree 4: Cephes' tanhf)
//          = sign(x) (1 − 2 / (e^{2|x|} + 1))  otherwise
//
// Their error over the whole float range is measured against the double
// std::exp and std::tanh in tests/ch07_fast_activations.cpp and stated there
// and in the README (e^x within 1 ulp, tanh 1.5, σ 2.5). FastSigmoid and FastTanh are the lesson's
// layers (chapter 3) with this forward pass; their backward passes, names and
// model-file kinds are the lesson's. FastReLU keeps the lesson's forward pass and
// does its backward pass in one loop.
#pragma once
#include <armadillo>

#include <cstddef>
#include <memory>
#include <string>

#include "chapters/03_activations/activations.hpp"
#include "chapters/06_backprop/network_builder.hpp"

namespace course::ch07 {

// Which layers the programs use by default. In a learner's workspace build (./course check, COURSE_WORKSPACE set:
// CMake defines COURSE_WORKSPACE_BUILD) the lessons' layers: FastSigmoid's forward pass and FastReLU's backward
// pass replace the learner's own code, so with them the programs of chapters 7–11 would never run the σ, tanh and
// ReLU the learner wrote (nor chapter 11 the dropout: fast_dropout.hpp). Every other build: these fast layers.
#ifdef COURSE_WORKSPACE_BUILD
inline constexpr bool fast_layers_by_default = false;
#else
inline constexpr bool fast_layers_by_default = true;
#endif

// out[i] = f(z[i]) for i < n (out may be z).
void vector_exp(const float* z, float* out, std::size_t n);
void vector_sigmoid(const float* z, float* out, std::size_t n);
void vector_tanh(const float* z, float* out, std::size_t n);
// dz[i] = z[i] > 0 ? da[i] : 0: ReLU's backward pass in one loop (the lesson's builds the 0/1 matrix first).
void relu_backward(const float* z, const float* da, float* dz, std::size_t n);

class FastSigmoid : public Sigmoid<float> {
 public:
  void forward(const arma::fmat& input, arma::fmat& output) override {
    output.set_size(input.n_rows, input.n_cols);
    vector_sigmoid(input.memptr(), output.memptr(), input.n_elem);  // a = σ(z)
  }
};

class FastTanh : public Tanh<float> {
 public:
  void forward(const arma::fmat& input, arma::fmat& output) override {
    output.set_size(input.n_rows, input.n_cols);
    vector_tanh(input.memptr(), output.memptr(), input.n_elem);  // a = tanh(z)
  }
};

// ReLU with the backward pass in one loop, no temporary (chapter 11's net: 3% of its epoch).
class FastReLU : public ReLU<float> {
 public:
  void backward(const arma::fmat& input, const arma::fmat& output, const arma::fmat& dout,
                arma::fmat& dinput) override {
    check_same_shape(*this, "dout", dout, "input", input);
    (void)output;
    dinput.set_size(input.n_rows, input.n_cols);
    relu_backward(input.memptr(), dout.memptr(), dinput.memptr(), input.n_elem);  // dz = da ⊙ [z > 0]
  }
};

// make_activation (chapter 6) with FastSigmoid, FastTanh and FastReLU for "sigmoid", "tanh" and "relu".
inline std::unique_ptr<Layer<float>> make_fast_activation(const std::string& name) {
  if (name == "sigmoid") return std::make_unique<FastSigmoid>();
  if (name == "tanh") return std::make_unique<FastTanh>();
  if (name == "relu") return std::make_unique<FastReLU>();
  return make_activation<float>(name);
}

}  // namespace course::ch07
