// The 2-3-3 network of note 003 ("非线性多分类") on a generated set of three
// classes that no straight line separates.
//
//   x (2 × m) ─ Linear(2 -> 3) ─ Sigmoid ─ Linear(3 -> 3) ─ softmax ─ a (3 × m)
//   J = −(1/m) Σ Σ y ln a   (categorical cross-entropy),   dZ2 = (A2 − Y)/m
//
// In the course's convention (one example per column) and note 003's (one per row):
//   Z1 = W1·X + b1   (W1: 3 × 2)          Z1 = X·W1 + B1   (its W1: 2 × 3 = our W1ᵀ)
//   A1 = σ(Z1)                            A1 = Sigmoid(Z1)
//   Z2 = W2·A1 + b2  (W2: 3 × 3)          Z2 = A1·W2 + B2  (its W2 = our W2ᵀ)
//   A2 = softmax(Z2), column by column    A2 = Softmax(Z2), row by row
//   dZ2 = (A2 − Y)/m                      dZ2 = A2 − Y
//   dW2 = dZ2·A1ᵀ,  db2 = Σ dZ2           dW2 = A1ᵀ·dZ2, dB2 = dZ2
//   dZ1 = W2ᵀ·dZ2 ⊙ A1 ⊙ (1 − A1)         dZ1 = dZ2·W2ᵀ ⊙ A1 ⊙ (1 − A1)
//   dW1 = dZ1·Xᵀ,   db1 = Σ dZ1           dW1 = Xᵀ·dZ1,  dB1 = dZ1
// The layers of chapter 3 (Linear, Sigmoid) and this chapter's SoftmaxCrossEntropy
// do exactly these steps; chapter 3's TwoLayerNetwork (two_layer.hpp) calls them in
// order, forward and then backward, and its loop trains it.
//
// The data ("disc and two halves"): points uniform in the square [−1, 1]²;
//   class 0: inside the disc of radius 0.5 around the origin;
//   class 1: outside the disc, upper half (x2 > 0);
//   class 2: outside the disc, lower half (x2 ≤ 0).
// Class 0 is surrounded by the two others, so no straight line separates it from
// them (a linear softmax can only cut the plane into convex wedges that meet at
// lines); three sigmoid units can draw a triangle around the disc, and the output
// layer combines "inside all three lines" (class 0) with "which side of the
// horizontal one" (classes 1 and 2).
#pragma once
#include <armadillo>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/two_layer.hpp"  // the layers chained by hand, and their loop
#include "chapters/05_softmax/softmax.hpp"
#include "common/data.hpp"

namespace course {

struct ClassificationData {
  arma::mat X;           // 2 × m
  arma::urowvec labels;  // 1 × m, in 0..C−1
  arma::mat Y;           // C × m one-hot
};

inline arma::uword disc_and_halves_class(double x1, double x2, double radius = 0.5) {
  if (x1 * x1 + x2 * x2 < radius * radius) return 0;
  return x2 > 0.0 ? 1 : 2;
}

// m points uniform in [−1, 1]², labelled as above, from the course's generator.
inline ClassificationData make_disc_and_halves(std::size_t m, std::mt19937_64& gen, double radius = 0.5) {
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  ClassificationData data{arma::mat(2, m, arma::fill::zeros), arma::urowvec(m, arma::fill::zeros),
                          arma::mat(3, m, arma::fill::zeros)};
  for (std::size_t i = 0; i < m; ++i) {
    const double x1 = uniform(gen), x2 = uniform(gen);
    data.X(0, i) = x1;
    data.X(1, i) = x2;
    data.labels(i) = disc_and_halves_class(x1, x2, radius);
    data.Y(data.labels(i), i) = 1.0;
  }
  return data;
}

inline ClassificationData subset(const ClassificationData& data, const arma::uvec& indices) {
  return {data.X.cols(indices), data.labels.cols(indices), data.Y.cols(indices)};
}

using Classifier = TwoLayerNetwork<SoftmaxCrossEntropy<double>>;
using LinearClassifier = LinearModel<SoftmaxCrossEntropy<double>>;

// The 2-h-C network: Linear(2 -> h), Sigmoid, Linear(h -> C). Its output is the
// logits Z2; SoftmaxCrossEntropy applies the softmax inside the cost.
inline Classifier make_classifier(int inputs, int hidden_units, int classes, double init_std = 1.0) {
  Linear<double> hidden(inputs, hidden_units);
  hidden.init_normal(init_std);
  Linear<double> output(hidden_units, classes);
  output.init_normal(init_std);
  return Classifier(std::move(hidden), std::move(output));
}

// The linear softmax: Linear(inputs -> C) and SoftmaxCrossEntropy, no hidden layer.
inline LinearClassifier make_linear_classifier(int inputs, int classes, double init_std = 1.0) {
  Linear<double> layer(inputs, classes);
  layer.init_normal(init_std);
  return LinearClassifier(std::move(layer));
}

// The fraction of columns whose largest score is the label.
inline double classification_accuracy(const arma::mat& scores, const arma::urowvec& labels) {
  return classification_accuracy(predict_classes(scores), labels);
}

}  // namespace course
