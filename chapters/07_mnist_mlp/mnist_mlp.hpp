// The three-layer MNIST network of note 003: 784-64-16-10, sigmoid, tanh, softmax.
//
// In the course's convention (one example per column; note 003 puts one per row
// and its matrices are the transposes of ours: its W1 is 784 × 64, ours 64 × 784):
//
//   forward                                        note 003 (rows)
//   Z1 = W1·X + b1        64 × m                   (1)  Z1 = X·W1 + B1
//   A1 = σ(Z1)            64 × m                   (2)  A1 = Sigmoid(Z1)
//   Z2 = W2·A1 + b2       16 × m                   (3)  Z2 = A1·W2 + B2
//   A2 = tanh(Z2)         16 × m                   (4)  A2 = Tanh(Z2)
//   Z3 = W3·A2 + b3       10 × m                   (5)  Z3 = A2·W3 + B3
//   A3 = softmax(Z3)      10 × m                   (6)  A3 = Softmax(Z3)
//   J  = −(1/m) Σ Y ⊙ ln A3
//
//   backward (the 1/m of the mean is in dZ3)
//   dZ3 = (A3 − Y)/m      10 × m                   (7)  dZ3 = A3 − Y
//   dW3 = dZ3·A2ᵀ         10 × 16                  (8)  dW3 = A2ᵀ·dZ3
//   db3 = Σ_cols dZ3      10 × 1                   (9)  dB3 = dZ3
//   dA2 = W3ᵀ·dZ3         16 × m                   (10) dA2 = dZ3·W3ᵀ
//   dZ2 = dA2 ⊙ (1 − A2²) 16 × m                   (11) dZ2 = dA2 ⊙ (1 − A2 ⊙ A2)
//   dW2 = dZ2·A1ᵀ         16 × 64                  (12) dW2 = A1ᵀ·dZ2
//   db2 = Σ_cols dZ2      16 × 1                   (13) dB2 = dZ2
//   dA1 = W2ᵀ·dZ2         64 × m                   (14) dA1 = dZ2·W2ᵀ
//   dZ1 = dA1 ⊙ A1 ⊙ (1 − A1)  64 × m              (15) dZ1 = dA1 ⊙ A1 ⊙ (1 − A1)
//   dW1 = dZ1·Xᵀ          64 × 784                 (16) dW1 = Xᵀ·dZ1
//   db1 = Σ_cols dZ1      64 × 1                   (17) dB1 = dZ1
//
// Chapter 6's Network runs all seventeen: Linear, Sigmoid, Linear, Tanh, Linear
// and the fused SoftmaxCrossEntropy loss (formulas 6 and 7 together).
#pragma once
#include <armadillo>

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/06_backprop/model_file.hpp"
#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/07_mnist_mlp/fast_activations.hpp"
#include "chapters/07_mnist_mlp/fast_batches.hpp"
#include "chapters/07_mnist_mlp/fast_loss.hpp"
#include "chapters/07_mnist_mlp/fast_sgd.hpp"
#include "chapters/07_mnist_mlp/fast_sparse.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/07_mnist_mlp/xavier.hpp"
#include "common/blas_threads.hpp"
#include "common/data.hpp"

namespace course::ch07 {

// The multilayer perceptron of any depth: the one builder of the course.
//
//   Linear → [normalisation] → f → [after the activation] → ... → Linear → softmax + cross-entropy
//
// sizes = {n_0, n_1, ..., n_L}: L Linear layers, W^l of n_l × n_{l−1}; every
// hidden layer gets an activation (one name for all, or one per hidden layer);
// the last Linear gives the logits z^L, and the fused SoftmaxCrossEntropy loss
// takes them (dZ = (A − Y)/m, chapter 5). Chapter 7 uses it as it is (sigmoid,
// tanh, Xavier); later chapters pass what they add: chapter 8 He's
// initialisation and a dropout after each activation, chapter 10 a batch norm
// after each hidden Linear (which then has no bias: β takes its place).
template <typename eT>
struct MlpOptions {
  std::vector<std::string> activations = {"sigmoid", "tanh"};  // chapter 6's names (network_builder.hpp)
  std::function<std::unique_ptr<Layer<eT>>(const std::string&)> make_activation =
      course::make_activation<eT>;                           // a name's layer
  std::function<void(Network<eT>&)> init = xavier_init<eT>;  // draws W^l after the layers are built
  std::function<std::unique_ptr<Layer<eT>>(arma::uword units)> normalization = {};  // after each hidden Linear
  std::function<std::unique_ptr<Layer<eT>>()> after_activation = {};                // after each hidden f
  // The first Linear layer, z^1 = W^1 x + b^1 (chapter 7's SparseInputLinear, which skips
  // the zero pixels); none: chapter 3's Linear.
  std::function<std::unique_ptr<Layer<eT>>(arma::uword n_in, arma::uword n_out, bool with_bias)> first_linear = {};
};

template <typename eT>
Network<eT> make_mlp(const std::vector<arma::uword>& sizes, const MlpOptions<eT>& options = {}) {
  if (sizes.size() < 2) throw std::invalid_argument("make_mlp: give at least two sizes (input and output)");
  const std::size_t hidden = sizes.size() - 2;
  if (options.activations.size() != 1 && options.activations.size() != hidden)
    throw std::invalid_argument("make_mlp: " + std::to_string(hidden) + " hidden layers but " +
                                std::to_string(options.activations.size()) + " activations (give one, or one each)");
  Network<eT> net;
  auto add_linear = [&](std::size_t l, bool with_bias) {  // z^l = W^l a^{l−1} (+ b^l)
    if (l == 0 && options.first_linear)
      net.add(options.first_linear(sizes[0], sizes[1], with_bias));
    else
      net.template add<Linear>(sizes[l], sizes[l + 1], with_bias);
  };
  for (std::size_t l = 0; l < hidden; ++l) {
    const bool normalized = bool(options.normalization);
    add_linear(l, !normalized);
    if (normalized) net.add(options.normalization(sizes[l + 1]));  // ẑ^l = γ z_norm + β (chapter 10)
    net.add(options.make_activation(options.activations[options.activations.size() == 1 ? 0 : l]));  // a^l = f(ẑ^l)
    if (options.after_activation) net.add(options.after_activation());  // a^l ⊙ d / keep_prob (chapter 8)
  }
  add_linear(hidden, true);  // the logits z^L
  net.set_loss(std::make_unique<SoftmaxCrossEntropy<eT>>());
  if (options.init) options.init(net);
  return net;
}

// The float network of the chapter: 784-64-16-10, sigmoid, tanh, Xavier; σ and
// tanh computed in vector instructions (FastSigmoid, FastTanh: fast_activations.hpp)
// and the loss in plain loops (FastSoftmaxCrossEntropy: fast_loss.hpp), or with
// fast_layers = false the lesson's Sigmoid, Tanh (chapter 3) and SoftmaxCrossEntropy
// (chapter 5). The default is fast_layers_by_default: the lesson's layers in a
// learner's workspace build. sparse_input (with fast_layers) makes the first layer a
// SparseInputLinear (fast_sparse.hpp): its products skip the zero pixels.
Network<float> make_mnist_mlp(bool fast_layers = fast_layers_by_default, bool sparse_input = false);

// Multiply-add operations of one training epoch, counted as 2 flops each: the
// matrix products only (forward W·A, backward dW = dZ·Aᵀ and dA = Wᵀ·dZ except
// for the first layer, whose dA = ∂J/∂X is never computed).
double training_flops(const std::vector<arma::uword>& sizes, double examples);

}  // namespace course::ch07
