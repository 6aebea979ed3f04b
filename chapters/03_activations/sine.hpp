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
#include <utility>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "chapters/03_activations/two_layer.hpp"
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

// ---------------------------------------------------------------------------
// The network: two_layer.hpp chains Linear, Sigmoid and Linear by hand.
// ---------------------------------------------------------------------------

using SineNetwork = TwoLayerNetwork<MeanSquaredError<double>>;
using SineLine = LinearModel<MeanSquaredError<double>>;

// The 1-h-1 regression network with the cost J = (1/2m) Σ (a − y)². Weights
// start as N(0, 1) in the hidden layer (x is in [0, 1], so z1 needs weights of
// a few units to bend at all) and N(0, 1/h) in the output layer.
inline SineNetwork make_sine_network(int hidden_units) {
  Linear<double> hidden(1, hidden_units);
  hidden.init_normal(1.0);
  Linear<double> output(hidden_units, 1);
  output.init_normal(1.0 / std::sqrt(double(hidden_units)));
  return SineNetwork(std::move(hidden), std::move(output));
}

// The linear model a = w·x + b: no hidden layer.
inline SineLine make_linear_model() { return SineLine(Linear<double>(1, 1)); }

}  // namespace course
