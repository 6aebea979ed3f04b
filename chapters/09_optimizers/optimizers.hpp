// Optimisation algorithms (note 001 §2.1–2.7, note 002).
//
//   exponential_average  V_t = β V_{t−1} + (1 − β) θ_t, and its bias correction V_t / (1 − β^t)  (§2.2)
//   Momentum             gradient descent on the average of the gradients                         (§2.3)
//   RMSprop              each parameter's step divided by the root of its mean squared gradient    (§2.4)
//   Adam                 both, with bias correction                                                (§2.5)
//   the decays           α0/(1 + decay·epoch), 0.95^epoch·α0, k/√epoch·α0, a staircase              (§2.6)
//
// All of them are chapter 6's Optimizer and LearningRateSchedule
// (chapters/06_backprop/optimizer.hpp): an optimiser sees the network's list of
// parameters (value and gradient side by side) and nothing else, so the same
// object moves the weights of an MNIST network or the point (x, y) of a test
// surface (surfaces.hpp).
//
// State. Momentum keeps a velocity v per parameter, RMSprop a mean square s,
// Adam both and the step count t. They are kept by the parameter's position in
// the list, created as zeros (V_0 = 0, S_0 = 0: note 001 §2.5) on the first
// step, and checked against the list at every step: handing the optimiser of
// one network the parameters of another is an error, not a silent mix-up.
#pragma once
#include <armadillo>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/03_activations/layer.hpp"
#include "chapters/06_backprop/optimizer.hpp"
#include "common/exercise.hpp"
#include "common/format.hpp"

namespace course::ch09 {

// ---------------------------------------------------------------------------
// Exponentially weighted averages (note 001 §2.2)
//
//   V_0 = 0,   V_t = β V_{t−1} + (1 − β) θ_t
//
// V_t averages roughly the last 1/(1 − β) values: β = 0.5 ≈ 2 days, 0.9 ≈ 10,
// 0.98 ≈ 50 (θ_{t−k} enters with weight (1 − β) β^k, and β^{1/(1−β)} ≈ 1/e).
// Starting from V_0 = 0 biases the first values towards 0:
//   V_1 = 0.02 θ_1,  V_2 = 0.0196 θ_1 + 0.02 θ_2      (β = 0.98)
// and the correction V_t / (1 − β^t) divides by the sum of the weights,
// 1 − β^t, so that a constant series is averaged to itself from t = 1.
// ---------------------------------------------------------------------------
inline arma::vec exponential_average(const arma::vec& theta, double beta, bool bias_correction) {
  if (!(beta >= 0 && beta < 1))
    throw std::invalid_argument("exponential_average: β must be in [0, 1), found " + format_value("%g", beta));
  // BEGIN EXERCISE ch09.weighted_average
  // hint: one pass over θ keeping the running value v (V_0 = 0): each new θ_t enters with weight 1 − β and the
  // hint: old v keeps β; store v, or with bias_correction v divided by the sum of the weights so far (§2.2)
  arma::vec V(theta.n_elem, arma::fill::zeros);  // V_1..V_n
  double v = 0;                                  // V_0 = 0
  for (arma::uword t = 1; t <= theta.n_elem; ++t) {
    v = beta * v + (1 - beta) * theta(t - 1);                         // V_t = β V_{t−1} + (1 − β) θ_t
    V(t - 1) = bias_correction ? v / (1 - std::pow(beta, double(t)))  // V_t / (1 − β^t)
                               : v;
  }
  return V;
  // END EXERCISE
}

// ---------------------------------------------------------------------------
// State per parameter: one matrix per entry of the list, zeros of its shape.
// ---------------------------------------------------------------------------
template <typename eT>
class ParameterSlots {
 public:
  // Sizes the slots on the first call; afterwards checks that `params` is the
  // list they were made for (same length, same shapes), naming the culprit.
  void prepare(const std::vector<Parameter<eT>>& params, const std::string& optimiser) {
    if (slots_.empty()) {
      for (const Parameter<eT>& p : params) slots_.emplace_back(p.value->n_rows, p.value->n_cols, arma::fill::zeros);
      return;
    }
    if (slots_.size() != params.size())
      throw std::invalid_argument(optimiser + ": its state is for " + std::to_string(slots_.size()) +
                                  " parameters but this step has " + std::to_string(params.size()) +
                                  " (one optimiser per network)");
    for (std::size_t i = 0; i < params.size(); ++i)
      if (slots_[i].n_rows != params[i].value->n_rows || slots_[i].n_cols != params[i].value->n_cols)
        throw std::invalid_argument(optimiser + ": parameter '" + params[i].name + "' is " +
                                    shape_of(*params[i].value) + " but its state is " + shape_of(slots_[i]) +
                                    " (one optimiser per network)");
  }
  arma::Mat<eT>& operator[](std::size_t i) { return slots_[i]; }
  const arma::Mat<eT>& operator[](std::size_t i) const { return slots_[i]; }
  std::size_t size() const { return slots_.size(); }

 private:
  std::vector<arma::Mat<eT>> slots_;
};

inline void check_beta(double beta, const std::string& who) {
  if (!(beta >= 0 && beta < 1))
    throw std::invalid_argument(who + ": β must be in [0, 1), found " + format_value("%g", beta));
}

// ---------------------------------------------------------------------------
// Momentum (note 001 §2.3, note 002)
//
// The notes use two forms. Ng's (note 001) averages the gradients:
//   v = β v + (1 − β) dW,      W ← W − α v                      (MomentumForm::average)
// The classic one (Polyak 1964; note 002's "accumulated gradient"; PyTorch's SGD
// with momentum) sums them:
//   v = β v + dW,              W ← W − α v                      (MomentumForm::classic)
// (or v = β v − α dW, W ← W + v: the same steps when α is constant).
// The classic v is the average one divided by (1 − β), so the two give the same
// steps when α_classic = (1 − β) α_average: with β = 0.9, the classic form at
// α = 0.01 is Ng's at α = 0.1. Through a steady slope both step (in the limit)
// α dW / (1 − β) (classic) or α dW (average): momentum's speed-up over plain
// gradient descent at the same α is the classic form's 1/(1 − β) = 10.
// ---------------------------------------------------------------------------
enum class MomentumForm { average, classic };

template <typename eT>
class Momentum : public Optimizer<eT> {
 public:
  explicit Momentum(eT learning_rate, double beta = 0.9, MomentumForm form = MomentumForm::average)
      : Optimizer<eT>(learning_rate), beta_(beta), form_(form) {
    check_beta(beta, "Momentum");
  }
  std::string name() const override {
    return std::string(form_ == MomentumForm::average ? "momentum" : "classic momentum") +
           " (β = " + format_value("%g", beta_) + ")";
  }

  void step(const std::vector<Parameter<eT>>& params) override {
    velocity_.prepare(params, name());
    const eT alpha = this->learning_rate(), beta = eT(beta_);
    // (1 − β) or 1, computed in double: in float, 1 − 0.999f is 1.3·10⁻⁵ too small (the README's §4).
    const eT gradient_weight = form_ == MomentumForm::average ? eT(1 - beta_) : eT(1);
    for (std::size_t i = 0; i < params.size(); ++i) {
      arma::Mat<eT>& W = *params[i].value;
      const arma::Mat<eT>& dW = *params[i].gradient;
      arma::Mat<eT>& v = velocity_[i];
      // BEGIN EXERCISE ch09.momentum_step
      // hint: v is a running average of the gradients (Ng's form; gradient_weight is its weight on the new one,
      // hint: 1 − β, or 1 in the classic form, a running sum); W steps against v, scaled by α
      v = beta * v + gradient_weight * dW;  // v = β v + (1 − β) dW   (classic: β v + dW)
      W -= alpha * v;                       // W ← W − α v
      // END EXERCISE
    }
  }

  const ParameterSlots<eT>& velocity() const { return velocity_; }

 private:
  double beta_;
  MomentumForm form_;
  ParameterSlots<eT> velocity_;
};

// ---------------------------------------------------------------------------
// RMSprop (note 001 §2.4; Hinton's lecture 6e)
//
//   s = β₂ s + (1 − β₂) dW²          (element-wise square: a mean square per weight)
//   W ← W − α dW / (√s + ε),   ε = 1e-8
//
// A direction whose gradient is large (the steep wall that gradient descent
// bounces between) gets a large s and so a small step; a flat one a large step.
// The note writes √(s + ε); the code follows Hinton, Keras and PyTorch with √s + ε.
// For ε ≪ s, √(s + ε) ≈ √s + ε/(2√s), so the two denominators differ by a relative
// ε/(2s) − ε/√s ≈ ε/(2s): more than 1% once s < 50ε = 5·10⁻⁷ (41% at s = ε = 10⁻⁸).
// And where dW → 0, ε inside the root caps the step at α|dW|/√ε (√ε = 10⁻⁴),
// outside at α|dW|/ε: the README's §4 prints the table (epsilon_placement). The note gives
// no β₂ for RMSprop; 0.9 is Hinton's and Keras's default (Adam's 0.999 below
// averages over a longer window, ≈ 1000 steps).
// ---------------------------------------------------------------------------
template <typename eT>
class RMSprop : public Optimizer<eT> {
 public:
  explicit RMSprop(eT learning_rate, double beta2 = 0.9, double epsilon = 1e-8)
      : Optimizer<eT>(learning_rate), beta2_(beta2), epsilon_(epsilon) {
    check_beta(beta2, "RMSprop");
    if (!(epsilon > 0))
      throw std::invalid_argument("RMSprop: ε must be positive, found " + format_value("%g", epsilon));
  }
  std::string name() const override { return "RMSprop (β₂ = " + format_value("%g", beta2_) + ")"; }

  void step(const std::vector<Parameter<eT>>& params) override {
    mean_square_.prepare(params, name());
    const eT alpha = this->learning_rate(), beta2 = eT(beta2_), epsilon = eT(epsilon_);
    const eT one_minus_beta2 = eT(1 - beta2_);  // 1 − β₂ in double, then rounded once
    for (std::size_t i = 0; i < params.size(); ++i) {
      arma::Mat<eT>& W = *params[i].value;
      const arma::Mat<eT>& dW = *params[i].gradient;
      arma::Mat<eT>& s = mean_square_[i];
      // BEGIN EXERCISE ch09.rmsprop_step
      // hint: s is a running average (weights β₂ and one_minus_beta2) of each weight's squared gradient;
      // hint: each weight's step is its gradient divided by the root of its own mean square (ε keeps it finite);
      // hint: everything is element-wise: arma::square, arma::sqrt, and / between matrices
      s = beta2 * s + one_minus_beta2 * arma::square(dW);  // s = β₂ s + (1 − β₂) dW²
      W -= alpha * dW / (arma::sqrt(s) + epsilon);         // W ← W − α dW / (√s + ε)
      // END EXERCISE
    }
  }

  const ParameterSlots<eT>& mean_square() const { return mean_square_; }

 private:
  double beta2_, epsilon_;
  ParameterSlots<eT> mean_square_;
};

// ---------------------------------------------------------------------------
// Adam (note 001 §2.5; Kingma and Ba 2015): momentum and RMSprop together.
// On iteration t = 1, 2, ... (v = s = 0 before the first):
//   v = β₁ v + (1 − β₁) dW               "moment", β₁ = 0.9
//   s = β₂ s + (1 − β₂) dW²              "RMSprop", β₂ = 0.999
//   v̂ = v / (1 − β₁^t),  ŝ = s / (1 − β₂^t)     bias correction (§2.2)
//   W ← W − α v̂ / (√ŝ + ε),              ε = 1e-8
// The first step is therefore α · dW/|dW| = ±α for every weight (with a nonzero
// gradient): Adam's α is a step size in θ's own units, whatever the gradient's scale.
// Besides W it reads and writes v and s, with a square root and two divisions
// per weight: bench_ch09_optimizers measures what that costs (the README's
// "What an update costs"; the program's seconds per epoch do not, on a shared machine).
// ---------------------------------------------------------------------------
template <typename eT>
class Adam : public Optimizer<eT> {
 public:
  explicit Adam(eT learning_rate, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
      : Optimizer<eT>(learning_rate), beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {
    check_beta(beta1, "Adam (β₁)");
    check_beta(beta2, "Adam (β₂)");
    if (!(epsilon > 0)) throw std::invalid_argument("Adam: ε must be positive, found " + format_value("%g", epsilon));
  }
  std::string name() const override { return "Adam"; }

  void step(const std::vector<Parameter<eT>>& params) override {
    v_.prepare(params, name());
    s_.prepare(params, name());
    ++t_;
    const Corrections c{1 - std::pow(beta1_, double(t_)), 1 - std::pow(beta2_, double(t_))};
    for (std::size_t i = 0; i < params.size(); ++i) update(*params[i].value, *params[i].gradient, v_[i], s_[i], c);
  }

  long long steps() const { return t_; }
  const ParameterSlots<eT>& first_moment() const { return v_; }
  const ParameterSlots<eT>& second_moment() const { return s_; }

 protected:
  struct Corrections {
    double first, second;  // 1 − β₁^t and 1 − β₂^t
  };

  // One parameter W with its gradient dW and its moments v and s.
  virtual void update(arma::Mat<eT>& W, const arma::Mat<eT>& dW, arma::Mat<eT>& v, arma::Mat<eT>& s,
                      const Corrections& c) {
    const eT alpha = this->learning_rate(), beta1 = eT(beta1_), beta2 = eT(beta2_), epsilon = eT(epsilon_);
    // 1 − β₁, 1 − β₂ and the corrections 1 − β^t computed in double, then rounded once: in float,
    // 1 − 0.999f = 0.00099998713 would make s (and ŝ, divided by the exact 1 − β₂^t) 1.3·10⁻⁵ too small.
    const eT one_minus_beta1 = eT(1 - beta1_), one_minus_beta2 = eT(1 - beta2_);
    const eT correction1 = eT(c.first), correction2 = eT(c.second);
    // BEGIN EXERCISE ch09.adam_step
    // hint: v is momentum's running average of dW, s RMSprop's of dW² (use the one_minus_ coefficients);
    // hint: divide each by its bias correction (§2.2: correction1 for v, correction2 for s) before the step,
    // hint: which is RMSprop's, with the corrected v in place of dW
    v = beta1 * v + one_minus_beta1 * dW;                                      // v = β₁ v + (1 − β₁) dW
    s = beta2 * s + one_minus_beta2 * arma::square(dW);                        // s = β₂ s + (1 − β₂) dW²
    W -= alpha * (v / correction1) / (arma::sqrt(s / correction2) + epsilon);  // W ← W − α v̂ / (√ŝ + ε)
    // END EXERCISE
  }

  double beta1() const { return beta1_; }
  double beta2() const { return beta2_; }
  double epsilon() const { return epsilon_; }

 private:
  double beta1_, beta2_, epsilon_;
  long long t_ = 0;
  ParameterSlots<eT> v_, s_;
};

// ---------------------------------------------------------------------------
// Making it fast: Adam in one pass (README, "What an update costs").
//
// The update above is three Armadillo statements, three passes over W, v and s,
// with a square root and two divisions per weight; bench_ch09_optimizers
// measures it at 21.6 times SGD's step on chapter 11's net (the README's table).
// FusedAdam computes the same formula in one loop (fast_adam.cpp, compiled with -fno-math-errno so that the square root
// is one vector instruction), with the bias corrections folded into two scalars:
//   α v̂ / (√ŝ + ε) = α (v/c₁) / (√s/√c₂ + ε) = (α √c₂ / c₁) · v / (√s + ε √c₂)
// which is the same number up to rounding (tests/ch09_optimizers.cpp compares them).
// ---------------------------------------------------------------------------
struct AdamCoefficients {
  double beta1, beta2;
  double step;     // α √(1 − β₂^t) / (1 − β₁^t)
  double epsilon;  // ε √(1 − β₂^t)
};

// v = β₁ v + (1 − β₁) g;  s = β₂ s + (1 − β₂) g²;  W −= step · v / (√s + ε), over n entries.
void adam_fused_update(float* W, const float* g, float* v, float* s, std::size_t n, const AdamCoefficients& c);
void adam_fused_update(double* W, const double* g, double* v, double* s, std::size_t n, const AdamCoefficients& c);

template <typename eT>
class FusedAdam : public Adam<eT> {
 public:
  using Adam<eT>::Adam;
  std::string name() const override { return "Adam (fused)"; }

 protected:
  void update(arma::Mat<eT>& W, const arma::Mat<eT>& dW, arma::Mat<eT>& v, arma::Mat<eT>& s,
              const typename Adam<eT>::Corrections& c) override {
    const double root2 = std::sqrt(c.second);
    const AdamCoefficients k{this->beta1(), this->beta2(), double(this->learning_rate()) * root2 / c.first,
                             this->epsilon() * root2};
    adam_fused_update(W.memptr(), dW.memptr(), v.memptr(), s.memptr(), W.n_elem, k);
  }
};

// ---------------------------------------------------------------------------
// Learning-rate decay (note 001 §2.6): a large α early, a small one near the
// minimum, where a mini-batch's noise would keep a constant α bouncing around.
// epoch counts from 1, as the note's epoch-num.
// ---------------------------------------------------------------------------

inline void check_positive(double value, const std::string& what) {
  if (!(value > 0)) throw std::invalid_argument(what + " must be positive, found " + format_value("%g", value));
}

// α = α0 / (1 + decay·epoch). Ng's example, α0 = 0.2, decay 1: 0.1, 0.067, 0.05, 0.04.
class InverseTimeDecay : public LearningRateSchedule {
 public:
  InverseTimeDecay(double alpha0, double decay) : alpha0_(alpha0), decay_(decay) {
    check_positive(alpha0, "InverseTimeDecay: α0");
    if (!(decay >= 0))
      throw std::invalid_argument("InverseTimeDecay: the decay rate must be >= 0, found " + format_value("%g", decay));
  }
  std::string name() const override { return "α0/(1 + " + format_value("%g", decay_) + "·epoch)"; }
  double rate(int epoch) const override {
    // BEGIN EXERCISE ch09.inverse_time_decay
    // hint: α0 divided by a quantity that grows linearly with the epoch: α0 itself at decay 0, α0/2 once decay·epoch = 1
    return alpha0_ / (1 + decay_ * epoch);  // α = α0 / (1 + decay·epoch)
    // END EXERCISE
  }

 private:
  double alpha0_, decay_;
};

// α = base^epoch · α0 (the note's example: base 0.95).
class ExponentialDecay : public LearningRateSchedule {
 public:
  ExponentialDecay(double alpha0, double base = 0.95) : alpha0_(alpha0), base_(base) {
    check_positive(alpha0, "ExponentialDecay: α0");
    if (!(base > 0 && base <= 1))
      throw std::invalid_argument("ExponentialDecay: the base must be in (0, 1], found " + format_value("%g", base));
  }
  std::string name() const override { return format_value("%g", base_) + "^epoch·α0"; }
  double rate(int epoch) const override { return std::pow(base_, epoch) * alpha0_; }

 private:
  double alpha0_, base_;
};

// α = k/√epoch · α0.
class InverseSqrtDecay : public LearningRateSchedule {
 public:
  InverseSqrtDecay(double alpha0, double k = 1) : alpha0_(alpha0), k_(k) {
    check_positive(alpha0, "InverseSqrtDecay: α0");
    check_positive(k, "InverseSqrtDecay: k");
  }
  std::string name() const override { return format_value("%g", k_) + "/√epoch·α0"; }
  double rate(int epoch) const override { return k_ / std::sqrt(double(epoch)) * alpha0_; }

 private:
  double alpha0_, k_;
};

// The staircase: α0 for the first `every` epochs, then α0·factor, α0·factor², ...
//   α = α0 · factor^⌊(epoch − 1)/every⌋
class StepDecay : public LearningRateSchedule {
 public:
  StepDecay(double alpha0, double factor = 0.5, int every = 3) : alpha0_(alpha0), factor_(factor), every_(every) {
    check_positive(alpha0, "StepDecay: α0");
    if (!(factor > 0 && factor <= 1))
      throw std::invalid_argument("StepDecay: the factor must be in (0, 1], found " + format_value("%g", factor));
    if (every < 1)
      throw std::invalid_argument("StepDecay: the step must be at least 1 epoch, found " + std::to_string(every));
  }
  std::string name() const override {
    return "×" + format_value("%g", factor_) + " every " + std::to_string(every_) + " epochs";
  }
  double rate(int epoch) const override { return alpha0_ * std::pow(factor_, (epoch - 1) / every_); }

 private:
  double alpha0_, factor_;
  int every_;
};

}  // namespace course::ch09
