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

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "chapters/06_backprop/blas_threads.hpp"
#include "chapters/06_backprop/network.hpp"
#include "common/data.hpp"

namespace course::ch07 {

// Xavier (Glorot) uniform initialisation of every Linear layer (note 004 §4):
//   W ~ U(−√(6/(n_in + n_out)), +√(6/(n_in + n_out))),  b = 0
template <typename eT>
void xavier_init(Network<eT>& net) {
  for (std::size_t k = 0; k < net.size(); ++k) {
    if (auto* linear = dynamic_cast<Linear<eT>*>(&net.layer(k))) {
      linear->init_uniform(std::sqrt(eT(6) / eT(linear->n_in() + linear->n_out())));
    }
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

// The float network of the chapter (its code is compiled once, in mnist_mlp.cpp).
Network<float> make_mnist_mlp();

// The training images as bytes. MNIST's pixels are k/255 for k = 0..255
// (common/data.cpp: x = k · (1/255)), so one byte holds each one exactly and
// the float is rebuilt bit for bit. A training epoch reads every image once, in
// a random order: 188 MB of floats for 60,000 images, 47 MB of bytes. Reading
// the floats was a quarter of the epoch (perf, see the README); the bytes take
// a quarter of that.
arma::Mat<std::uint8_t> to_bytes(const arma::fmat& X);

// Xb = the columns order[first..last] of the byte images, as floats (784 × b),
// into Xb's existing memory when its size is already right.
void gather_batch(const arma::Mat<std::uint8_t>& X, const arma::uvec& order, arma::uword first, arma::uword last,
                  arma::fmat& Xb);

// One epoch of mini-batch gradient descent, with the buffers it reuses: no
// allocation in the loop once the first epoch has sized them.
class MinibatchTrainer {
 public:
  // Shuffles the m columns of (X, Y), cuts them into mini-batches of batch_size
  // (the last one smaller), and takes one step θ ← θ − η dθ per mini-batch.
  // Returns the mean over the epoch of the mini-batches' costs (each taken
  // before its own step), weighted by their sizes.
  // X: the images as bytes (to_bytes), 784 × m; Y: one-hot, 10 × m.
  double train_epoch(Network<float>& net, const arma::Mat<std::uint8_t>& X, const arma::fmat& Y,
                     arma::uword batch_size, float learning_rate, std::mt19937_64& gen);

 private:
  arma::uvec order_;   // the shuffled positions 0..m−1
  arma::fmat Xb_, Yb_; // one mini-batch: 784 × b and 10 × b
};

// Cost and accuracy of the network on a whole set (forward only, in chunks).
struct Evaluation {
  double cost = 0, accuracy = 0;
  arma::urowvec predicted;  // 1 × m predicted classes
};
Evaluation evaluate(Network<float>& net, const arma::fmat& X, const arma::Row<std::uint8_t>& labels);

// counts(t, p) = how many examples of true class t were predicted as p (rows: true).
arma::umat confusion_matrix(const arma::urowvec& predicted, const arma::Row<std::uint8_t>& labels, arma::uword classes = 10);

// Multiply-add operations of one training epoch, counted as 2 flops each: the
// matrix products only (forward W·A, backward dW = dZ·Aᵀ and dA = Wᵀ·dZ except
// for the first layer, whose dA = ∂J/∂X is never computed).
double training_flops(const std::vector<arma::uword>& sizes, double examples);

}  // namespace course::ch07
