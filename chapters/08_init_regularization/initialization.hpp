// Initialisation: where θ starts, and why it matters (notes 000, 004 §4 and §6, 001 §1.10).
//
// A unit computes z = Σ_i w_i x_i + b. If the n inputs and the weights are
// independent with mean 0, the variance adds up:
//
//   Var(z) = Σ_i Var(w_i) E[x_i²] + Var(b)
//
// Note 000's experiment: p = 1000 inputs of which half are 1 (the others 0), w and b
// drawn from N(0, 1). Then Var(z) = (p/2)·1 + 1 = 501 and z has standard deviation
// √(p/2 + 1) ≈ 22.4: |z| is almost always far beyond 4, σ(z) sits at 0 or 1, σ'(z)
// is almost 0, and learning is slow. The cure of note 000: w and b from
// N(0, 1/(n_in + 1)) (n_in = p), which gives Var(z) = (p/2 + 1)/(p + 1) ≈ 0.5, not the
// "standard normal" of the note: its standard deviation is ≈ 0.71. (Nielsen's
// version, w ~ N(0, 1/n_in) with b ~ N(0, 1), gives Var(z) = 1/2 + 1 = 3/2.)
//
// The rules for deep networks keep the variance the same from layer to layer, in
// the forward direction (Var(z^l) = Var(z^{l−1})) and for the backward signal δ:
//
//   Xavier (Glorot) uniform   W ~ U(−√(6/(n_in + n_out)), +√(6/(n_in + n_out)))   Var = 2/(n_in + n_out)
//   Xavier (Glorot) normal    W ~ N(0, 2/(n_in + n_out))                           (note 004 §4)
//   He (Kaiming) normal       W ~ N(0, 2/n_in)  for ReLU, which zeroes half of its inputs
//
// (Var U(−a, a) = a²/3, so the uniform limit a = √(6/(n_in + n_out)) gives the same
// variance as the normal.) Xavier's compromise 2/(n_in + n_out) is the harmonic mean
// of the forward condition 1/n_in and the backward one 1/n_out, 2/(n_in + n_out) =
// 2 / (1/(1/n_in) + 1/(1/n_out)), for tanh-like activations
// (slope 1 at 0); ReLU keeps half of z's second moment (E[a²] = E[z²]/2, not
// Var(a): a = max(0, z) has a mean > 0), so He doubles it. Biases start
// at 0 in all of them: a random bias adds variance without breaking any symmetry
// the weights have not broken already.
//
// The initialisers walk the network's parameter list (chapter 6) and draw the
// entries that decay, the weight matrices W^l (n_out × n_in); biases stay 0.
#pragma once
#include <armadillo>

#include <cmath>
#include <stdexcept>
#include <string>

#include "chapters/06_backprop/network.hpp"
#include "chapters/07_mnist_mlp/xavier.hpp"  // xavier_init: Xavier uniform, chapter 7
#include "common/exercise.hpp"

namespace course::ch08 {

// ---------------------------------------------------------------------------
// Note 000's experiment, as formulas and as a measurement
// ---------------------------------------------------------------------------

// The standard deviation of z = w·x + b when `on` of the inputs are 1 and the rest 0,
// with Var(w_i) = weight_variance and Var(b) = bias_variance:  √(on·Var(w) + Var(b)).
inline double z_standard_deviation(double on, double weight_variance, double bias_variance) {
  return std::sqrt(on * weight_variance + bias_variance);
}

// z of `draws` independent units (each with new w and b) on the input with the first
// p/2 of p inputs on: the measurement behind the formula.
inline arma::vec sample_z(arma::uword p, arma::uword draws, double weight_std, double bias_std) {
  arma::vec x(p, arma::fill::zeros);
  x.head(p / 2).ones();  // half of the p inputs are 1
  const arma::mat w = weight_std * arma::mat(draws, p, arma::fill::randn);
  const arma::vec b = bias_std * arma::vec(draws, arma::fill::randn);
  return w * x + b;  // z = w·x + b, one per row
}

// ---------------------------------------------------------------------------
// The initialisers (every weight matrix W of the network; biases stay 0)
// ---------------------------------------------------------------------------

// W ~ N(0, std²): the naive N(0, 1) and the "small" N(0, 0.01²).
template <typename eT>
void normal_init(Network<eT>& net, double std) {
  for (const Parameter<eT>& p : net.parameters())
    if (p.decays) *p.value = eT(std) * arma::Mat<eT>(p.value->n_rows, p.value->n_cols, arma::fill::randn);
}

// Xavier normal: W ~ N(0, 2/(n_in + n_out)), W: n_out × n_in.
template <typename eT>
void xavier_normal_init(Network<eT>& net) {
  for (const Parameter<eT>& p : net.parameters()) {
    if (!p.decays) continue;
    // BEGIN EXERCISE ch08.xavier_normal
    // hint: Var(W) = 2/(n_in + n_out), one over the mean of n_in and n_out; W is n_out × n_in
    // hint: replace W by a matrix of its shape drawn from N(0, 1), scaled by the standard deviation (compute it in double)
    const double n_out = double(p.value->n_rows), n_in = double(p.value->n_cols);
    const double std = std::sqrt(2.0 / (n_in + n_out));  // Var(W) = 2/(n_in + n_out)
    *p.value = eT(std) * arma::Mat<eT>(p.value->n_rows, p.value->n_cols, arma::fill::randn);
    // END EXERCISE
  }
}

// He normal: W ~ N(0, 2/n_in), for ReLU layers.
template <typename eT>
void he_init(Network<eT>& net) {
  for (const Parameter<eT>& p : net.parameters()) {
    if (!p.decays) continue;
    // BEGIN EXERCISE ch08.he_init
    // hint: Var(W) = 2/n_in: ReLU zeroes half of z, so E[a²] = Var(z)/2, and the 2 makes up for it
    // hint: W is n_out × n_in; replace it by a matrix of its shape drawn from N(0, 1), scaled by the standard deviation
    const double n_in = double(p.value->n_cols);
    const double std = std::sqrt(2.0 / n_in);  // Var(W) = 2/n_in
    *p.value = eT(std) * arma::Mat<eT>(p.value->n_rows, p.value->n_cols, arma::fill::randn);
    // END EXERCISE
  }
}

// The initialisations the chapter compares, by name.
inline const std::vector<std::string>& initialisation_names() {
  static const std::vector<std::string> names = {"N(0,1)", "N(0,0.01²)", "Xavier", "He"};
  return names;
}

template <typename eT>
void initialise(Network<eT>& net, const std::string& name) {
  if (name == "N(0,1)") return normal_init(net, 1.0);
  if (name == "N(0,0.01²)") return normal_init(net, 0.01);
  if (name == "Xavier") return ch07::xavier_init(net);  // uniform, chapter 7
  if (name == "Xavier normal") return xavier_normal_init(net);
  if (name == "He") return he_init(net);
  throw std::invalid_argument("unknown initialisation \"" + name +
                              "\" (expected N(0,1), N(0,0.01²), Xavier, Xavier normal or He)");
}

}  // namespace course::ch08
