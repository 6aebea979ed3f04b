// The 1-3-1 network that fits a sine curve (note 003, "双层神经网络实现非线性回归").
//
//   x (1 × m) ─ Linear(1 -> 3) ─ Sigmoid ─ Linear(3 -> 1) ─ a (1 × m),  cost J = (1/2m) Σ (a − y)²
//
// In the course's convention (one example per column):
//   Z1 = W1·X + b1     W1: 3 × 1, b1: 3 × 1, Z1: 3 × m
//   A1 = σ(Z1)                               A1: 3 × m
//   A2 = W2·A1 + b2    W2: 1 × 3, b2: 1 × 1, A2: 1 × m   (linear output: no activation)
// Note 003 writes the same network with one example per row: Z1 = X·W1 + B1 with
// its W1 (1 × 3) = our W1ᵀ, and its W2 (3 × 1) = our W2ᵀ.
//
// The output is a weighted sum of three S-shaped curves plus a constant:
//   a(x) = Σ_k w2_k σ(w1_k x + b1_k) + b2
// and training bends and places those three curves so that their sum follows the
// sine (the figure fit.png draws each term w2_k σ(w1_k x + b1_k)).
#pragma once
#include <armadillo>

#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "chapters/06_backprop/network.hpp"   // the course's one network class (chapter 6 explains it in full)
#include "chapters/07_mnist_mlp/training.hpp"  // the one training loop (chapter 7's exercise)
#include "common/data.hpp"

namespace course {

// ---------------------------------------------------------------------------
// The data: y = 0.5 + 0.4 sin(2πx) + noise, x uniform in [0, 1]
// (the targets stay between about 0.05 and 0.95, away from 0, so MAPE is defined)
// ---------------------------------------------------------------------------

struct RegressionData {
  arma::mat x;  // 1 × m
  arma::mat y;  // 1 × m
};

inline double sine_target(double x) { return 0.5 + 0.4 * std::sin(2.0 * arma::datum::pi * x); }

// m examples with Gaussian noise of standard deviation `noise`, from the course's generator.
inline RegressionData make_sine_data(std::size_t m, double noise, std::mt19937_64& gen) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> gaussian(0.0, noise);
  RegressionData data{arma::mat(1, m, arma::fill::zeros), arma::mat(1, m, arma::fill::zeros)};
  for (std::size_t i = 0; i < m; ++i) {
    data.x(0, i) = uniform(gen);
    data.y(0, i) = sine_target(data.x(0, i)) + gaussian(gen);
  }
  return data;
}

// The examples at `indices`.
inline RegressionData subset(const RegressionData& data, const arma::uvec& indices) {
  return {data.x.cols(indices), data.y.cols(indices)};
}

// Train, dev and test sets (note 001 §1.1), cut in order: the first train_fraction
// of the m examples, then the next dev_fraction, then the rest. The generators draw
// the examples in random order already, so no shuffle is needed. Any data with a
// subset(data, indices) will do: chapter 5 splits its three-class data with it too.
template <typename Data>
struct TrainDevTest {
  Data train, dev, test;
  SplitSizes sizes;
};

template <typename Data>
TrainDevTest<Data> split_in_order(const Data& data, std::size_t m, double train_fraction, double dev_fraction) {
  const SplitSizes sizes = split_sizes(m, train_fraction, dev_fraction);
  const arma::uvec order = arma::regspace<arma::uvec>(0, m - 1);
  return {subset(data, order.subvec(0, sizes.train - 1)),
          subset(data, order.subvec(sizes.train, sizes.train + sizes.dev - 1)),
          subset(data, order.subvec(sizes.train + sizes.dev, m - 1)), sizes};
}

// ---------------------------------------------------------------------------
// The network: layers in a row. The course's one Network class (chapter 6
// builds and explains it in full: network.hpp) keeps the output of every layer
// from the forward pass (the cache) and runs the backward pass from ∂J/∂a^L,
// each layer turning ∂J/∂output into ∂J/∂input (the chain rule) and its
// parameters' gradients. Here it is enough to know that it does.
// ---------------------------------------------------------------------------

// The 1-h-1 regression network: Linear(1 -> h), Sigmoid, Linear(h -> 1), with
// the cost J = (1/2m) Σ (a − y)². Weights start as N(0, 1) in the hidden layer
// (x is in [0, 1], so z1 needs weights of a few units to bend at all) and
// N(0, 1/h) in the output layer.
inline Network<double> make_sine_network(int hidden_units) {
  Network<double> net;
  net.add<Linear>(1, hidden_units).init_normal(1.0);
  net.add<Sigmoid>();
  net.add<Linear>(hidden_units, 1).init_normal(1.0 / std::sqrt(double(hidden_units)));
  net.set_loss<MeanSquaredError>();
  return net;
}

// The linear model a = w·x + b: a network without a hidden layer.
inline Network<double> make_linear_model() {
  Network<double> net;
  net.add<Linear>(1, 1);
  net.set_loss<MeanSquaredError>();
  return net;
}

// ---------------------------------------------------------------------------
// Training: mini-batch gradient descent, θ ← θ − α ∂J/∂θ, with the course's one
// training loop (chapter 7's fit: shuffle, forward, backward, step, per epoch),
// recording the cost J on the whole train and dev sets every `record_every`
// epochs (and after the last).
// ---------------------------------------------------------------------------

// J = (1/2m) Σ (a − y)² (the network's MeanSquaredError), SGD with the settings' η.
using TrainingSettings = SgdSettings;

inline History train_regression(Network<double>& net, const RegressionData& train, const RegressionData& dev,
                                const TrainingSettings& settings, std::mt19937_64& gen, int record_every = 1,
                                const std::string& progress = "") {
  return train_sgd(net, train.x, train.y, LabelledSet<double>{&dev.x, &dev.y}, settings, gen, record_every, progress);
}

}  // namespace course
