// The L2 and L1 penalties on the weights (note 001 §1.4–1.5): chapter 6's Penalty, added to J and to dθ
// by the network, so the gradient check checks them with the rest.
#pragma once
#include <armadillo>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/03_activations/layer.hpp"
#include "chapters/06_backprop/network.hpp"
#include "common/exercise.hpp"

namespace course::ch08 {

// ---------------------------------------------------------------------------
// L2 and L1 penalties
// ---------------------------------------------------------------------------

// Which m? J(θ) is the mean over the whole training set of M examples, plus
// (λ/2M) Σ‖W‖²; each mini-batch's cost estimates that J, so its penalty keeps the
// training set's M (give it as `examples`). Without it (0) the penalty uses the m
// of the cost it is added to: the same thing in full-batch training and in the
// gradient checks, but with mini-batches of m_b it would be M/m_b times stronger.
template <typename eT>
class L2Penalty : public Penalty<eT> {
 public:
  explicit L2Penalty(double lambda, arma::uword examples = 0) : lambda_(lambda), examples_(examples) {
    if (!(lambda >= 0)) throw std::invalid_argument("L2Penalty: λ must be >= 0");
  }
  std::string name() const override { return "L2(λ = " + format(lambda_) + ")"; }
  double lambda() const { return lambda_; }

  // (λ/2m) Σ_l ‖W^l‖²_F over the weights (the entries that decay)
  eT cost(const std::vector<Parameter<eT>>& params, arma::uword batch) const override {
    const arma::uword m = examples_ ? examples_ : batch;
    // BEGIN EXERCISE ch08.l2_cost
    // hint: J's penalty (λ/2m) Σ_l ‖W^l‖²_F: the square of every weight, over the parameters that decay (weights, not
    // hint: biases); add up in double, with the m given above
    double sum_of_squares = 0;
    for (const Parameter<eT>& p : params)
      if (p.decays) sum_of_squares += double(arma::accu(arma::square(*p.value)));  // ‖W‖²_F
    return eT(lambda_ / (2.0 * double(m)) * sum_of_squares);
    // END EXERCISE
  }

  // dW += (λ/m) W: the update W ← W − η(dW_data + (λ/m) W) = (1 − ηλ/m) W − η dW_data
  // shrinks W by the factor (1 − ηλ/m) every step, hence "weight decay".
  void add_gradient(const std::vector<Parameter<eT>>& params, arma::uword batch) const override {
    const arma::uword m = examples_ ? examples_ : batch;
    // BEGIN EXERCISE ch08.l2_gradient
    // hint: the derivative of (λ/2m) ‖W‖²_F with respect to W, added to the gradient of each parameter that decays
    // hint: (biases get nothing); m is the one given above
    const eT scale = eT(lambda_ / double(m));
    for (const Parameter<eT>& p : params)
      if (p.decays) *p.gradient += scale * *p.value;  // dW += (λ/m) W
    // END EXERCISE
  }

 private:
  static std::string format(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
  }
  double lambda_;
  arma::uword examples_;
};

// (λ/m) Σ |w|, subgradient (λ/m) sign(w) with sign(0) = 0 (any value in [−1, 1]
// is a subgradient at 0; 0 keeps a weight that is exactly 0 where it is).
// (m: the training set's size when given, as for L2.) Note 001 writes the L1 term
// (λ/2m) Σ|w|; the code uses λ/m: the 1/2 of L2 is there to cancel the 2 of the
// derivative of w², and |w| has none. The code's λ is therefore the note's λ/2.
template <typename eT>
class L1Penalty : public Penalty<eT> {
 public:
  explicit L1Penalty(double lambda, arma::uword examples = 0) : lambda_(lambda), examples_(examples) {
    if (!(lambda >= 0)) throw std::invalid_argument("L1Penalty: λ must be >= 0");
  }
  std::string name() const override {
    std::ostringstream s;
    s << "L1(λ = " << lambda_ << ")";
    return s.str();
  }
  eT cost(const std::vector<Parameter<eT>>& params, arma::uword batch) const override {
    const arma::uword m = examples_ ? examples_ : batch;
    double sum = 0;
    for (const Parameter<eT>& p : params)
      if (p.decays) sum += double(arma::accu(arma::abs(*p.value)));  // Σ |w|
    return eT(lambda_ / double(m) * sum);
  }
  void add_gradient(const std::vector<Parameter<eT>>& params, arma::uword batch) const override {
    const eT scale = eT(lambda_ / double(examples_ ? examples_ : batch));
    for (const Parameter<eT>& p : params)
      if (p.decays) *p.gradient += scale * arma::sign(*p.value);  // (λ/m) sign(w); arma::sign(0) = 0
  }

 private:
  double lambda_;
  arma::uword examples_;
};

}  // namespace course::ch08
