// Regularisation: closing the gap between the training and the dev error (note 001 §1.2–1.9).
//
//   diagnose        bias and variance from the train and dev errors (§1.2), and what to do (§1.3)
//   L2Penalty       J + (λ/2m) Σ_l ‖W^l‖²_F, gradient (λ/m) W^l: "weight decay" (§1.4–1.5)
//   L1Penalty       J + (λ/m) Σ_l Σ |w|, subgradient (λ/m) sign(w), sign(0) = 0
//   Dropout         inverted dropout with keep_prob: scaled by 1/keep_prob while training,
//                   the identity in evaluation mode (§1.6–1.7, note 004 §8)
//   OriginalDropout note 000's version: drop units while training, scale by keep_prob at test time
//   EarlyStopping   keep the best dev epoch's θ, stop after `patience` epochs without progress (§1.8)
//   InputNormalizer μ and σ² of the training set, applied to every set (§1.9)
//
// The penalties are chapter 6's Penalty: the network adds them to J and their
// gradient to dθ, so the gradient check checks them with the rest. Both apply to
// the weights only: the parameters whose entry `decays` (chapter 6); biases,
// and batch norm's γ and β (chapter 10), are left alone.
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
// Bias and variance (note 001 §1.2): with a Bayes (human) error near 0,
//   bias     ≈ train error − Bayes error       (the model does not fit the training set)
//   variance ≈ dev error − train error         (it does not carry over to new data)
// The note's table: 1%/11% high variance; 15%/16% high bias; 15%/30% both; 0.5%/1% neither.
// "High" is a judgement; here: more than `threshold` (2 percentage points by default:
// the note's examples are far from it on either side).
// ---------------------------------------------------------------------------
struct Diagnosis {
  bool high_bias = false, high_variance = false;
  std::string verdict() const {
    if (high_bias && high_variance) return "high bias and high variance";
    if (high_bias) return "high bias";
    if (high_variance) return "high variance";
    return "low bias, low variance";
  }
  // The recipe of §1.3: bias first (a bigger network, longer training), then
  // variance (more data, regularisation).
  std::string remedy() const {
    if (high_bias) return "a bigger network, train longer (then look at the variance again)";
    if (high_variance) return "more data, regularisation (L2, dropout, early stopping)";
    return "done";
  }
};

inline Diagnosis diagnose(double train_error, double dev_error, double bayes_error = 0.0, double threshold = 0.02) {
  Diagnosis d;
  d.high_bias = train_error - bayes_error > threshold;
  d.high_variance = dev_error - train_error > threshold;
  return d;
}

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
    // hint: add up arma::accu(arma::square(*p.value)) over the parameters p whose p.decays is true (weights only)
    // hint: and return λ/(2m) times that sum (lambda_, m): J's penalty for a batch of m examples
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
    // hint: for each parameter p with p.decays: *p.gradient += eT(λ/m) * *p.value (biases: nothing)
    const eT scale = eT(lambda_ / double(m));
    for (const Parameter<eT>& p : params)
      if (p.decays) *p.gradient += scale * *p.value;      // dW += (λ/m) W
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
// (m: the training set's size when given, as for L2.)
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

// ---------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------

// Inverted dropout (note 001 §1.6): while training, each unit of each example is
// kept with probability keep_prob and the kept ones are divided by keep_prob,
//   d = [u < keep_prob] (u ~ U(0, 1)),   a = a ⊙ d / keep_prob,
// so that E[a] is unchanged and nothing needs to change at test time: in
// evaluation mode the layer is the identity. The mask d/keep_prob is kept from the
// forward pass for the backward pass, da ⊙ d / keep_prob (the dropped units get no
// gradient). Place it after an activation.
template <typename eT>
class Dropout : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  explicit Dropout(double keep_prob) : keep_prob_(keep_prob) {
    if (!(keep_prob > 0 && keep_prob <= 1))
      throw std::invalid_argument("Dropout: keep_prob must be in (0, 1], found " + std::to_string(keep_prob));
  }
  std::string name() const override {
    std::ostringstream s;
    s << "Dropout(keep " << keep_prob_ << ")";
    return s.str();
  }
  std::string kind() const override { return "Dropout"; }  // the rate is not in the model file
  double keep_prob() const { return keep_prob_; }
  const Mat& mask() const { return mask_; }                // d / keep_prob of the last training forward pass

  void forward(const Mat& input, Mat& output) override {
    if (!this->training()) {                               // evaluation: nothing is dropped, nothing scaled
      output = input;
      return;
    }
    const bool reuse = held_ && mask_.n_rows == input.n_rows && mask_.n_cols == input.n_cols;
    // BEGIN EXERCISE ch08.dropout_forward
    // hint: unless reuse: draw u = arma::randu<Mat>(input.n_rows, input.n_cols) and set
    // hint: mask_ = d / keep_prob with d = 1 where u < keep_prob_, else 0 (arma::conv_to<Mat>::from(u < eT(keep_prob_)))
    // hint: then output = input ⊙ mask_ (the % operator)
    if (!reuse) {
      const Mat u = arma::randu<Mat>(input.n_rows, input.n_cols);  // u ~ U(0, 1)
      mask_ = arma::conv_to<Mat>::from(u < eT(keep_prob_)) / eT(keep_prob_);  // d / keep_prob
    }
    output = input % mask_;                                // a ⊙ d / keep_prob
    // END EXERCISE
  }

  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    (void)input;
    check_same_shape(*this, "dout", dout, "output", output);
    if (!this->training()) {
      dinput = dout;
      return;
    }
    // BEGIN EXERCISE ch08.dropout_backward
    // hint: the same mask as the forward pass: dinput = dout ⊙ mask_ (mask_ is already d / keep_prob)
    dinput = dout % mask_;                                 // da ⊙ d / keep_prob
    // END EXERCISE
  }

  void hold_randomness(bool hold) override { held_ = hold; }

 private:
  double keep_prob_;
  Mat mask_;
  bool held_ = false;
};

// Note 000's dropout: while training, delete each hidden unit with probability
// 1 − keep_prob (no scaling); at test time use all of them with "the outgoing
// weights halved" (keep_prob = 0.5), which is the same as multiplying the
// activations by keep_prob. The expected input of the next layer is keep_prob·a
// in both modes. It is inverted dropout times keep_prob, in both modes and both
// directions: a ⊙ d / keep_prob · keep_prob = a ⊙ d while training, a · keep_prob
// at test time. Inverted dropout moves the factor to training time.
template <typename eT>
class OriginalDropout : public Dropout<eT> {
 public:
  using Mat = arma::Mat<eT>;
  explicit OriginalDropout(double keep_prob) : Dropout<eT>(keep_prob) {}
  std::string name() const override {
    std::ostringstream s;
    s << "OriginalDropout(keep " << this->keep_prob() << ")";
    return s.str();
  }
  std::string kind() const override { return "OriginalDropout"; }
  void forward(const Mat& input, Mat& output) override {
    Dropout<eT>::forward(input, output);                   // a ⊙ d / keep_prob (training), a (test)
    output *= eT(this->keep_prob());                       // a ⊙ d (training), a · keep_prob (test)
  }
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    Dropout<eT>::backward(input, output, dout, dinput);    // da ⊙ d / keep_prob, or da
    dinput *= eT(this->keep_prob());                       // da ⊙ d, or da · keep_prob
  }
};

// ---------------------------------------------------------------------------
// Early stopping (§1.8): watch the dev cost after every epoch; keep θ (and any
// layer state) of the best epoch so far; stop when `patience` epochs in a row
// brought no improvement of at least min_delta; give back the best θ, not the last.
// ---------------------------------------------------------------------------
template <typename eT>
class EarlyStopping {
 public:
  explicit EarlyStopping(int patience, double min_delta = 0.0) : patience_(patience), min_delta_(min_delta) {
    if (patience < 1) throw std::invalid_argument("EarlyStopping: patience must be at least 1");
  }

  // After an epoch: records it; returns false when training should stop.
  bool observe(int epoch, double dev_cost, Network<eT>& net) {
    // BEGIN EXERCISE ch08.early_stopping
    // hint: an improvement is dev_cost < best_cost_ − min_delta_: then best_cost_ = dev_cost, best_epoch_ = epoch,
    // hint: keep a copy of θ (best_theta_ = net.flatten()) and of the layers' state (copy_state(net)), waiting_ = 0;
    // hint: otherwise ++waiting_. Return waiting_ < patience_ (false: stop)
    if (dev_cost < best_cost_ - min_delta_) {
      best_cost_ = dev_cost;
      best_epoch_ = epoch;
      best_theta_ = net.flatten();                         // θ of the best epoch
      copy_state(net);                                     // and the layers' state (batch norm's averages)
      waiting_ = 0;
    } else {
      ++waiting_;                                          // one more epoch without progress
    }
    return waiting_ < patience_;
    // END EXERCISE
  }

  // Puts the best epoch's θ and state back into the network.
  void restore_best(Network<eT>& net) const {
    if (best_epoch_ == 0) throw std::logic_error("EarlyStopping: no epoch observed yet");
    net.assign(best_theta_);
    const std::vector<State<eT>> state = net.state();
    for (std::size_t i = 0; i < state.size(); ++i) *state[i].value = best_state_.at(i);
  }

  int best_epoch() const { return best_epoch_; }
  double best_cost() const { return best_cost_; }
  bool stopped_early(int last_epoch) const { return last_epoch > best_epoch_ && waiting_ >= patience_; }

 private:
  void copy_state(Network<eT>& net) {
    best_state_.clear();
    for (const State<eT>& s : net.state()) best_state_.push_back(*s.value);
  }

  int patience_;
  double min_delta_;
  double best_cost_ = std::numeric_limits<double>::infinity();
  int best_epoch_ = 0;
  int waiting_ = 0;
  arma::Col<eT> best_theta_;
  std::vector<arma::Mat<eT>> best_state_;
};

// ---------------------------------------------------------------------------
// Normalising inputs (§1.9): per feature (row), from the training set only,
//   μ = (1/m) Σ_i x_i,   σ² = (1/m) Σ_i (x_i − μ)²,   x ← (x − μ)/σ
// and the same μ and σ for the dev and test sets (they must see the transformation
// the network was trained on). A feature that is constant in the training set
// (MNIST's corner pixels, always 0) has σ = 0: it is only centred (σ taken as 1).
// ---------------------------------------------------------------------------
template <typename eT>
struct InputNormalizer {
  arma::Col<eT> mean, std;  // n × 1

  void fit(const arma::Mat<eT>& X_train) {
    if (X_train.n_cols == 0) throw std::invalid_argument("InputNormalizer: the training set is empty");
    // BEGIN EXERCISE ch08.normalize
    // hint: mean = arma::mean(X_train, 1) (per row); variance = the mean of (x − μ)² per row (divide by m, not m − 1)
    // hint: std = √variance, with 1 where it is below 1e-6 (a constant feature: only centred)
    mean = arma::mean(X_train, 1);                         // μ: n × 1
    const arma::Mat<eT> centred = X_train.each_col() - mean;
    const arma::Col<eT> variance = arma::mean(arma::square(centred), 1);  // σ² = (1/m) Σ (x − μ)²
    std = arma::sqrt(variance);
    std.transform([](eT s) { return s < eT(1e-6) ? eT(1) : s; });
    // END EXERCISE
  }

  arma::Mat<eT> transform(const arma::Mat<eT>& X) const {
    if (mean.n_elem != X.n_rows)
      throw std::invalid_argument("InputNormalizer: fitted on " + std::to_string(mean.n_elem) + " features, X has " +
                                  std::to_string(X.n_rows) + " rows");
    arma::Mat<eT> Z = X.each_col() - mean;                 // x − μ
    Z.each_col() /= std;                                   // (x − μ)/σ
    return Z;
  }
};

}  // namespace course::ch08
