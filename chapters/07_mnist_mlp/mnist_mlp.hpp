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
#include <random>
#include <string>
#include <vector>

#include "chapters/06_backprop/blas_threads.hpp"
#include "chapters/06_backprop/network.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "common/data.hpp"

namespace course::ch07 {

// Xavier (Glorot) uniform initialisation of every weight matrix (note 004 §4):
//   W ~ U(−√(6/(n_in + n_out)), +√(6/(n_in + n_out))),  W: n_out × n_in,  b = 0
// (the weights are the parameters that decay; biases keep their 0).
template <typename eT>
void xavier_init(Network<eT>& net) {
  for (const Parameter<eT>& p : net.parameters()) {
    if (!p.decays) continue;
    const eT limit = std::sqrt(eT(6) / eT(p.value->n_rows + p.value->n_cols));
    p.value->randu();                                      // U(0, 1)
    *p.value = (*p.value * eT(2) - eT(1)) * limit;         // U(−limit, limit)
  }
}

// The network of note 003 with any sizes: n_x - h1 (sigmoid) - h2 (tanh) - classes
// (softmax + cross-entropy), Xavier-initialised from Armadillo's generator.
// make_mlp<double>(30, 8, 6, 10) is the small version for the gradient check.
template <typename eT>
Network<eT> make_mlp(arma::uword n_x = 784, arma::uword h1 = 64, arma::uword h2 = 16, arma::uword classes = 10) {
  Network<eT> net = make_network<eT>({n_x, h1, h2, classes}, {"sigmoid", "tanh", "softmax"}, "cross_entropy");
  xavier_init(net);
  return net;
}

// The float network of the chapter.
Network<float> make_mnist_mlp();

// ---------------------------------------------------------------------------
// Making it fast (README, "How fast"): the training images as bytes.
// MNIST's pixels are k/255 for k = 0..255 (common/data.cpp: x = k · (1/255)),
// so one byte holds each one exactly and the float is rebuilt bit for bit. A
// training epoch reads every image once, in a random order: 188 MB of floats
// for 60,000 images, 47 MB of bytes. Reading the floats was a quarter of the
// epoch (perf, see the README); the bytes take a quarter of that. The training
// loop (training.hpp) takes the bytes as they are: its gather_batch for bytes
// is in mnist_mlp.cpp.
// ---------------------------------------------------------------------------
arma::Mat<std::uint8_t> to_bytes(const arma::fmat& X);

// Multiply-add operations of one training epoch, counted as 2 flops each: the
// matrix products only (forward W·A, backward dW = dZ·Aᵀ and dA = Wᵀ·dZ except
// for the first layer, whose dA = ∂J/∂X is never computed).
double training_flops(const std::vector<arma::uword>& sizes, double examples);

}  // namespace course::ch07
