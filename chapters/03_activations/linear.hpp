// The fully connected (linear, "dense") layer: Z = W·A + b.
//
// With one example per column (A is n_in × m) and W of shape n_out × n_in, the m
// examples go through in one matrix product; b (n_out × 1) is added to every
// column (broadcasting, chapter 2). Note 003 writes one example per row:
// its Z = X·W + B is the transpose of ours (its W is our Wᵀ).
//
// Backward, given dZ = ∂J/∂Z (n_out × m, already carrying the loss's 1/m):
//   dW = dZ·Aᵀ            (n_out × n_in: BP3, ∂J/∂W = δ·aᵀ)
//   db = Σ_columns dZ     (n_out × 1:    BP4, ∂J/∂b = δ, summed over the examples)
//   dA = Wᵀ·dZ            (n_in × m:     what BP2 hands to the layer before)
#pragma once
#include <armadillo>

#include <cmath>
#include <string>
#include <vector>

#include "chapters/03_activations/layer.hpp"
#include "common/exercise.hpp"

namespace course {

template <typename eT>
class Linear : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;

  Mat weights;   // W: n_out × n_in
  Mat bias;      // b: n_out × 1
  Mat dweights;  // ∂J/∂W, same shape as W
  Mat dbias;     // ∂J/∂b, same shape as b

  // The weights start as N(0, 1/n_in) (std 1/√n_in), drawn from Armadillo's
  // generator (seeded from --seed), the biases at 0; init_normal chooses another
  // spread. Chapter 7 starts its networks with Xavier's rule (xavier.hpp) and
  // chapter 8 derives the rules (initialization.hpp).
  //
  // with_bias = false drops b (z = W·A): before a batch normalisation (chapter
  // 10), which subtracts the mean of every z, a bias would be subtracted right
  // away and its gradient would be 0; batch norm's β takes its place.
  Linear(arma::uword n_in, arma::uword n_out, bool with_bias = true)
      : weights(n_out, n_in, arma::fill::zeros),
        bias(with_bias ? n_out : 0, with_bias ? 1 : 0, arma::fill::zeros),
        dweights(n_out, n_in, arma::fill::zeros),
        dbias(with_bias ? n_out : 0, with_bias ? 1 : 0, arma::fill::zeros),
        n_in_(n_in),
        n_out_(n_out),
        with_bias_(with_bias) {
    if (n_in == 0 || n_out == 0) throw std::invalid_argument("Linear: n_in and n_out must be at least 1");
    init_normal(eT(1) / std::sqrt(eT(n_in)));
  }

  arma::uword n_in() const { return n_in_; }
  arma::uword n_out() const { return n_out_; }

  std::string name() const override {
    return "Linear(" + std::to_string(n_in_) + " -> " + std::to_string(n_out_) + (with_bias_ ? ")" : ", no bias)");
  }
  std::string kind() const override { return "Linear"; }

  // W ~ N(0, std²), b = 0
  void init_normal(eT std) {
    weights.randn();
    weights *= std;
    bias.zeros();
  }
  // Z = W·A + b
  void forward(const Mat& input, Mat& output) override {
    check_rows(*this, "input", input, n_in_);
    output = weights * input;                   // W·A: n_out × m
    if (with_bias_) output.each_col() += bias;  // + b, broadcast over the m columns
  }

  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    check_rows(*this, "input", input, n_in_);
    check_same_shape(*this, "dout", dout, "output", output);
    // BEGIN EXERCISE ch03.linear_backward
    // hint: dout is dZ = ∂J/∂Z (n_out × m, the 1/m already in it). Z = W·A + b, so (BP3) dW, n_out × n_in, is a
    // hint: product of dZ with the input summed over the m columns; (BP4) db, n_out × 1, sums dZ over the columns;
    // hint: dinput = ∂J/∂A, n_in × m, goes back through W. Leave dbias alone without a bias, and leave dinput
    // hint: empty when the input gradient is not wanted (input_gradient_ false)
    dweights = dout * input.t();                 // dW = dZ·Aᵀ                      (BP3)
    if (with_bias_) dbias = arma::sum(dout, 1);  // db = Σ_columns dZ     (BP4)
    if (input_gradient_) {
      dinput = weights.t() * dout;  // dA = Wᵀ·dZ                      (BP2's first half)
    } else {
      dinput.reset();  // not wanted (the network's first layer: dA would be ∂J/∂X)
    }
    // END EXERCISE
  }

  // W decays (chapter 8's L2 and L1 apply to it), b does not.
  std::vector<Parameter<eT>> parameters() override {
    if (!with_bias_) return {{"W", &weights, &dweights, true}};
    return {{"W", &weights, &dweights, true}, {"b", &bias, &dbias, false}};
  }
  bool has_bias() const { return with_bias_; }

  // Whether backward computes dA = Wᵀ·dZ (Layer::want_input_gradient).
  void want_input_gradient(bool wanted) override { input_gradient_ = wanted; }
  bool wants_input_gradient() const { return input_gradient_; }

 private:
  arma::uword n_in_, n_out_;
  bool with_bias_ = true;
  bool input_gradient_ = true;
};

}  // namespace course
