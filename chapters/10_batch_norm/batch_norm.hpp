// Batch normalisation (note 001 §3.2, note 004 §9; Ioffe and Szegedy 2015).
//
// A layer between a unit's linear part and its activation:
//   z (n × m) → ẑ = γ ⊙ z_norm + β → activation
// normalising each of the n features over the m examples of the mini-batch:
//   μ   = (1/m) Σ_i z_i                    (n × 1)
//   σ²  = (1/m) Σ_i (z_i − μ)²             (the biased variance, as the note)
//   z_norm = (z − μ) / √(σ² + ε)
//   ẑ   = γ ⊙ z_norm + β                   (γ, β: n × 1, learned; γ = 1, β = 0 at the start)
// With γ = √(σ² + ε) and β = μ, ẑ = z: the layer can learn to undo itself, so
// normalising takes nothing away from what the network can represent.
//
// Because μ is subtracted, a bias b in z = W a + b cancels: the linear layer
// before batch norm goes without one (Linear(n_in, n_out, false)) and β takes
// its place.
//
// Inference. One example has no batch to take μ and σ² from, and an example's
// output should not depend on what else is in its batch. During training the
// layer keeps exponentially weighted averages of the batches' μ and σ²
// (chapter 9, §2.2), and evaluation mode uses them:
//   running_mean ← β_run · running_mean + (1 − β_run) · μ       β_run = 0.9
//   running_var  ← β_run · running_var  + (1 − β_run) · σ²
// β_run = 0.9 is PyTorch's momentum 0.1 (PyTorch writes r ← (1 − 0.1) r + 0.1 μ).
// They start at 0 and 1 and are not bias-corrected (as in PyTorch); they are
// state, saved and loaded with the model. One difference from PyTorch: its
// running variance averages the unbiased σ²·m/(m − 1); this one averages the σ²
// that training used (at m = 128 the two differ by 0.8%).
#pragma once
#include <armadillo>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/03_activations/layer.hpp"
#include "common/exercise.hpp"
#include "common/format.hpp"

namespace course::ch10 {

template <typename eT>
class BatchNorm : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  using Col = arma::Col<eT>;

  Mat gamma, beta;                // γ, β: n × 1
  Mat dgamma, dbeta;              // ∂J/∂γ, ∂J/∂β
  Mat running_mean, running_var;  // for evaluation mode: n × 1

  explicit BatchNorm(arma::uword features, double epsilon = 1e-5, double running_beta = 0.9)
      : gamma(features, 1, arma::fill::ones),
        beta(features, 1, arma::fill::zeros),
        dgamma(features, 1, arma::fill::zeros),
        dbeta(features, 1, arma::fill::zeros),
        running_mean(features, 1, arma::fill::zeros),
        running_var(features, 1, arma::fill::ones),
        features_(features),
        epsilon_(epsilon),
        running_beta_(running_beta) {
    if (features == 0) throw std::invalid_argument("BatchNorm: expected at least 1 feature");
    if (!(epsilon > 0))
      throw std::invalid_argument("BatchNorm: ε must be positive, found " + format_value("%g", epsilon));
    if (!(running_beta >= 0 && running_beta < 1))
      throw std::invalid_argument("BatchNorm: the running averages' β must be in [0, 1), found " +
                                  format_value("%g", running_beta));
  }

  std::string name() const override { return "BatchNorm(" + std::to_string(features_) + ")"; }
  std::string kind() const override { return "BatchNorm"; }
  double epsilon() const { return epsilon_; }

  void forward(const Mat& z, Mat& out) override {
    check_rows(*this, "input", z, features_);
    if (this->training()) {
      if (z.n_cols < 2)
        throw std::invalid_argument(name() + ": a batch of " + std::to_string(z.n_cols) +
                                    " example in training mode has no variance to normalise by "
                                    "(train with batches of 2 or more; evaluation mode takes one example)");
      forward_training(z, out);
      update_running_averages();
    } else {
      // Evaluation: the running averages in place of the batch's μ and σ².
      inv_std_ = Col(1 / arma::sqrt(running_var.col(0) + eT(epsilon_)));
      z_norm_ = z;
      z_norm_.each_col() -= running_mean.col(0);
      z_norm_.each_col() %= inv_std_;
      out = z_norm_;
      out.each_col() %= gamma.col(0);
      out.each_col() += beta.col(0);
    }
  }

  // Training mode: μ and σ² of this batch, z_norm, ẑ. Keeps μ, σ², 1/√(σ² + ε)
  // and z_norm for the backward pass and the running averages. (Virtual: chapter
  // 11's FastBatchNorm computes the same in fewer passes over the batch.)
  virtual void forward_training(const Mat& z, Mat& out) {
    const eT m = eT(z.n_cols);
    // BEGIN EXERCISE ch10.forward
    // hint: per feature, i.e. per row of z over the batch's m columns: μ and the biased σ² = (1/m) Σ_i (z_i − μ)² (n × 1)
    // hint: z_norm = (z − μ)/√(σ² + ε), then out = γ ⊙ z_norm + β, each n × 1 vector applied to every column
    // hint: keep mu_, var_, inv_std_ = 1/√(σ² + ε) and z_norm_: the running averages and the backward pass read them
    mu_ = arma::mean(z, 1);  // μ = (1/m) Σ_i z_i
    z_norm_ = z;
    z_norm_.each_col() -= mu_;                            // z − μ
    var_ = Col(arma::sum(arma::square(z_norm_), 1) / m);  // σ² = (1/m) Σ_i (z_i − μ)²
    inv_std_ = Col(1 / arma::sqrt(var_ + eT(epsilon_)));  // 1/√(σ² + ε)
    z_norm_.each_col() %= inv_std_;                       // z_norm = (z − μ)/√(σ² + ε)
    out = z_norm_;
    out.each_col() %= gamma.col(0);  // γ ⊙ z_norm
    out.each_col() += beta.col(0);   // + β
    // END EXERCISE
  }

  // r ← β_run r + (1 − β_run) x for the mean and the variance of the last batch.
  void update_running_averages() {
    const eT b = eT(running_beta_), one_minus_b = eT(1 - running_beta_);  // 1 − β_run in double (chapter 9)
    // BEGIN EXERCISE ch10.running_average
    // hint: chapter 9's exponentially weighted average, once for the mean and once for the variance, with weights
    // hint: b on the old value and one_minus_b on this batch's mu_ or var_
    running_mean = b * running_mean + one_minus_b * mu_;  // EWA of μ (chapter 9, §2.2)
    running_var = b * running_var + one_minus_b * var_;   // EWA of σ²
    // END EXERCISE
  }

  // The backward pass (README, "The backward pass", for the derivation):
  //   dβ = Σ_i dẑ_i,   dγ = Σ_i dẑ_i ⊙ z_norm_i
  //   dz = (γ / √(σ² + ε)) ⊙ (dẑ − mean_i(dẑ_i) − z_norm ⊙ mean_i(dẑ_i ⊙ z_norm_i))
  // (dẑ already holds the loss's 1/m, so the sums are the gradients themselves.)
  // In evaluation mode μ and σ² are constants: dz = (γ / √(running σ² + ε)) ⊙ dẑ.
  void backward(const Mat& z, const Mat& out, const Mat& dout, Mat& dz) override {
    check_rows(*this, "input", z, features_);
    check_same_shape(*this, "dout", dout, "output", out);
    check_same_shape(*this, "input", z, "the cached z_norm", z_norm_);
    const eT m = eT(z.n_cols);
    // BEGIN EXERCISE ch10.backward
    // hint: β and γ act on every column, so their gradients are sums over the batch (n × 1): of dẑ, and of dẑ ⊙ z_norm
    // hint: training mode: dz is the formula above, whose two means are those sums divided by m; evaluation mode:
    // hint: μ and σ² are constants, and only the factor γ/√(σ² + ε) remains
    dbeta = arma::sum(dout, 1);             // dβ = Σ_i dẑ_i
    dgamma = arma::sum(dout % z_norm_, 1);  // dγ = Σ_i dẑ_i ⊙ z_norm_i
    dz = dout;
    if (this->training()) {
      dz.each_col() -= dbeta.col(0) / m;               // − mean_i dẑ_i          (through μ)
      dz -= z_norm_.each_col() % (dgamma.col(0) / m);  // − z_norm ⊙ mean(dẑ ⊙ z_norm) (through σ²)
    }
    dz.each_col() %= gamma.col(0) % inv_std_;  // ⊙ γ/√(σ² + ε)
    // END EXERCISE
  }

  // γ and β do not decay: L2 and L1 (chapter 8) leave them alone.
  std::vector<Parameter<eT>> parameters() override {
    return {{"γ", &gamma, &dgamma, false}, {"β", &beta, &dbeta, false}};
  }
  std::vector<State<eT>> state() override {
    return {{"running mean", &running_mean}, {"running variance", &running_var}};
  }

  // The last training batch's statistics (for the tests and the chapter's figures).
  const Col& batch_mean() const { return mu_; }
  const Col& batch_variance() const { return var_; }

 protected:  // (chapter 11's FastBatchNorm fills the same caches)
  arma::uword features_;
  double epsilon_, running_beta_;
  Col mu_, var_, inv_std_;  // μ, σ², 1/√(σ² + ε) (evaluation: of the running averages)
  Mat z_norm_;              // the cache of the backward pass
};

}  // namespace course::ch10
