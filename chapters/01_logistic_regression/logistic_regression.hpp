// Chapter 1: logistic regression, the smallest neural network (one sigmoid neuron).
//
// Notation (note 001 §2.1–2.6, §3.1), one example per column:
//   X   n_x × m     the m examples x⁽ⁱ⁾ side by side (MNIST: n_x = 784 pixels in [0, 1])
//   y   1 × m       the labels y⁽ⁱ⁾ ∈ {0, 1}
//   w   n_x × 1     the weights;  b  a scalar bias
//   ŷ = a = σ(z),   z = wᵀx + b,   σ(z) = 1 / (1 + e^{-z})
//
// Loss of one example (how wrong one prediction is):
//   L(a, y) = −[ y log a + (1 − y) log(1 − a) ]
// Cost over the training set (the average loss; what gradient descent lowers):
//   J(w, b) = (1/m) Σᵢ L(a⁽ⁱ⁾, y⁽ⁱ⁾)
// Its gradient, by the chain rule (note 001 §2.5):
//   dz⁽ⁱ⁾ = a⁽ⁱ⁾ − y⁽ⁱ⁾,   dw = (1/m) Σᵢ x⁽ⁱ⁾ dz⁽ⁱ⁾,   db = (1/m) Σᵢ dz⁽ⁱ⁾
// Gradient descent with learning rate α:
//   w := w − α dw,   b := b − α db
//
// The gradient is computed twice: with the two explicit loops of note 001 §2.6
// (over the m examples, and inside it over the n_x features), and vectorized as
// in §3.1 (Z = wᵀX + b, A = σ(Z), dZ = A − Y, dw = (1/m) X dZᵀ, db = (1/m) Σ dZ).
// Both give the same numbers up to rounding; chapter 2 and bench/ time them.
#pragma once
#include <armadillo>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/data.hpp"
#include "common/exercise.hpp"

namespace course::ch01 {

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

struct Parameters {
  arma::vec w;     // n_x × 1
  double b = 0.0;  // scalar
};

// w = 0, b = 0: for logistic regression a zero start is fine (there is only one
// neuron, so there is no symmetry to break; chapter 4 explains why a network is different).
Parameters zero_parameters(arma::uword n_x);

struct Gradients {
  arma::vec dw;       // n_x × 1:  ∂J/∂w
  double db = 0.0;    //           ∂J/∂b
  double cost = 0.0;  // J(w, b) at the point where the gradient was taken (computed on the way)
};

// σ(z) = 1 / (1 + e^{-z}), element-wise, for any shape. The course's one sigmoid:
// chapter 3's activations and layers use it too, in float as well as double
// (a template over the element type eT). Called with an Armadillo expression
// rather than a matrix, say which type: sigmoid<double>(p.w.t() * X + p.b).
template <typename eT>
arma::Mat<eT> sigmoid(const arma::Mat<eT>& z) {
  // BEGIN EXERCISE ch01.sigmoid
  // hint: σ(z) = 1 / (1 + e^{-z}), element-wise: arma::exp(-z), then eT(1) / (eT(1) + ...)
  return eT(1) / (eT(1) + arma::exp(-z));
  // END EXERCISE
}

// J = −(1/m) Σᵢ [ yᵢ log aᵢ + (1 − yᵢ) log(1 − aᵢ) ] for predictions a and labels y (both 1 × m).
// a is kept inside [1e-15, 1 − 1e-15] first so that log never sees 0 (see cost_floor).
double cost(const arma::rowvec& a, const arma::rowvec& y);

// How close to 0 or 1 a prediction may come inside the cost: σ(z) rounds to exactly
// 1.0 in double once z > ~37, and log(1 − 1) = −∞ would make the cost infinite.
inline constexpr double cost_floor = 1e-15;

// The gradient with the explicit loops of note 001 §2.6:
//   J = 0, dw = 0, db = 0
//   for i = 1..m:                      (loop over examples)
//     z = b;  for j: z += w_j x_j⁽ⁱ⁾    (zᵢ = wᵀx⁽ⁱ⁾ + b, itself a loop over features)
//     a = σ(z);  J += L(a, yᵢ);  dz = a − yᵢ
//     for j = 1..n_x: dw_j += x_j⁽ⁱ⁾ dz (loop over features)
//     db += dz
//   J /= m;  dw /= m;  db /= m
Gradients gradients_loop(const Parameters& p, const arma::mat& X, const arma::rowvec& y);

// The same gradient vectorized (note 001 §3.1): no loop in our code at all.
//   Z = wᵀX + b,  A = σ(Z),  dZ = A − Y,  dw = (1/m) X dZᵀ,  db = (1/m) Σ dZ
Gradients gradients_vectorized(const Parameters& p, const arma::mat& X, const arma::rowvec& y);

// One step of gradient descent: w := w − α dw, b := b − α db.
void update(Parameters& p, const Gradients& g, double learning_rate);

// ŷ = σ(wᵀX + b): the probability that each example (column of X) is a positive (1 × m).
arma::rowvec predict_probability(const Parameters& p, const arma::mat& X);

// The predicted class: 1 where ŷ > 0.5, else 0 (1 × m).
arma::urowvec predict(const Parameters& p, const arma::mat& X);

// The fraction of examples whose predicted class equals the label.
double accuracy(const Parameters& p, const arma::mat& X, const arma::rowvec& y);

// Checks that X (n_x × m), y (1 × m) and w (n_x × 1) fit together; throws
// std::invalid_argument naming `where` and both shapes otherwise.
void check_shapes(const char* where, const Parameters& p, const arma::mat& X, const arma::rowvec& y);

// ---------------------------------------------------------------------------
// Training: `iterations` steps of batch gradient descent from `start`
// ---------------------------------------------------------------------------

enum class Method { loop, vectorized };

struct TrainingRun {
  Parameters parameters;      // after the last step
  std::vector<double> costs;  // J before each step (costs[k] = J after k steps)
  double seconds = 0.0;       // wall time of the whole loop
};

// Called after each step with (step number from 1, cost before that step); may be empty.
using StepCallback = std::function<void(int, double)>;

TrainingRun train(Method method, const Parameters& start, const arma::mat& X, const arma::rowvec& y, int iterations,
                  double learning_rate, const StepCallback& on_step = {});

// ---------------------------------------------------------------------------
// The data: a binary task cut out of MNIST
// ---------------------------------------------------------------------------

struct BinaryTask {
  arma::mat X;        // n_x × m, double (pixels in [0, 1])
  arma::rowvec y;     // 1 × m: 1 for the positive digit, 0 for the negative one
  arma::uvec source;  // the column of each example in the original data set
};

// The examples of `data` whose label is `positive` (y = 1) or `negative` (y = 0), in order.
BinaryTask binary_task(const Dataset& data, std::uint8_t positive, std::uint8_t negative);

// ---------------------------------------------------------------------------
// The learning slowdown (note 000): one neuron, one input, one target
// ---------------------------------------------------------------------------
//
// Input x = 1, target y = 0, start w = b = 2 (so z = 4 and a = σ(4) ≈ 0.98: badly wrong).
//   quadratic cost      C = (a − y)² / 2       ∂C/∂w = (a − y) σ'(z) x,  ∂C/∂b = (a − y) σ'(z)
//   cross-entropy cost  C = −[y ln a + (1 − y) ln(1 − a)]
//                                              ∂C/∂w = (a − y) x,        ∂C/∂b = (a − y)
// σ'(z) = σ(z)(1 − σ(z)) ≈ 0.018 at z = 4: the quadratic cost's gradient is 57× smaller
// exactly when the neuron is most wrong, so it learns slowly at first.

enum class NeuronCost { quadratic, cross_entropy };

struct Neuron {
  double w = 2.0, b = 2.0;
};

struct NeuronGradient {
  double dw = 0.0, db = 0.0, cost = 0.0, output = 0.0;
};

// The cost, output and gradient of one sigmoid neuron on one example (x, y).
NeuronGradient neuron_gradient(NeuronCost kind, const Neuron& n, double x, double y);

struct SlowdownRun {
  std::vector<double> cost;    // cost after each epoch (index 0: before training)
  std::vector<double> output;  // a after each epoch (index 0: before training)
};

// `epochs` steps of gradient descent on the single example (x, y) from `start`.
SlowdownRun slowdown(NeuronCost kind, Neuron start, double x, double y, double learning_rate, int epochs);

}  // namespace course::ch01
