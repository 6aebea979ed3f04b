// Gradient checking (note 001 §1.11): is backpropagation right?
//
// Put every parameter of the network, in order, into one long vector
//   θ = (W¹, b¹, W², b², ..., W^L, b^L)        (each matrix flattened column by column)
// and backpropagation's gradients into dθ, in the same order. For each i, the
// two-sided difference
//   dθ_approx[i] = ( J(θ + ε e_i) − J(θ − ε e_i) ) / (2ε),     ε = 1e-7
// approximates ∂J/∂θ_i with an error of order ε². Then
//   relative error = ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂)
// is about 1e-7 or less when backpropagation is right, and 1e-3 or more when it
// has a bug. The check is made per layer (the slice of θ that belongs to each
// Linear layer) and overall, so that a bug points at its layer.
//
// It needs double precision: J changes by about ε·|∂J/∂θ_i| ≈ 1e-8 when θ_i
// moves by ε, and float (7 digits) cannot see that. Build the network as
// Network<double> to check it; train it as Network<float>.
//
// It costs two forward passes per parameter: use a small network and a few
// examples (a check is a test of the code, not of the data).
#pragma once
#include <armadillo>

#include <iomanip>
#include <ostream>
#include <string>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "common/data.hpp"
#include "common/exercise.hpp"
#include "common/format.hpp"
#include "common/numerical.hpp"

namespace course {

// A check is made at a random point. A new network has b = 0, and then a ReLU
// whose inputs are all zero (a dead unit before it) sits exactly on its kink
// z = 0: the two-sided difference straddles the jump of f', backpropagation
// does not, and the check reports an error that is not a bug. Random biases
// move every z off the kink.
// (Every parameter that does not decay is a bias-like vector: b, γ, β.)
inline void randomize_biases(Network<double>& net, double scale = 0.5) {
  for (const Parameter<double>& p : net.parameters())
    if (!p.decays) *p.value = scale * arma::randn<arma::mat>(p.value->n_rows, p.value->n_cols);
}

// dθ: backpropagation's gradient of J(X, Y) (loss and penalty), all parameters
// flattened in order.
inline arma::vec backprop_gradient(Network<double>& net, const arma::mat& X, const arma::mat& Y) {
  net.forward(X);
  net.backward(Y);
  return net.flatten_gradients();
}

// dθ_approx: the two-sided differences, one parameter at a time, in the same
// order as backprop_gradient. Every parameter is restored exactly afterwards.
inline arma::vec network_numerical_gradient(Network<double>& net, const arma::mat& X, const arma::mat& Y,
                                            double epsilon = 1e-7) {
  // BEGIN EXERCISE ch06.gradient_check
  // hint: for each parameter p of net.parameters() and each element i of its value (p.value->n_elem of them):
  // hint: remember θ_i = (*p.value)(i); set θ_i + ε, J+ = net.cost(X, Y); set θ_i − ε, J− = net.cost(X, Y); restore θ_i
  // hint: dθ_approx[offset + i] = (J+ − J−) / (2ε), where offset counts the elements of the matrices before p
  arma::vec dtheta_approx(net.parameter_count(), arma::fill::zeros);
  arma::uword offset = 0;
  for (const Parameter<double>& p : net.parameters()) {
    arma::mat& theta = *p.value;
    for (arma::uword i = 0; i < theta.n_elem; ++i) {
      const double theta_i = theta(i);
      theta(i) = theta_i + epsilon;
      const double J_plus = net.cost(X, Y);  // J(θ + ε e_i)
      theta(i) = theta_i - epsilon;
      const double J_minus = net.cost(X, Y);  // J(θ − ε e_i)
      theta(i) = theta_i;                     // restore θ_i
      dtheta_approx(offset + i) = (J_plus - J_minus) / (2.0 * epsilon);
    }
    offset += theta.n_elem;
  }
  return dtheta_approx;
  // END EXERCISE
}

// The result of a check: one row per layer with parameters, and the overall error.
struct GradientCheckRow {
  std::string layer;       // "layer 1 (Linear(4 -> 5))"
  arma::uword parameters;  // its share of θ
  double relative_error;   // over its slice of θ
};

struct GradientCheckReport {
  std::vector<GradientCheckRow> layers;
  double overall = 0;  // over all of θ
  arma::uword parameters = 0;
  bool passed(double tolerance = 1e-7) const { return overall < tolerance; }
  double worst() const {
    double w = overall;
    for (const GradientCheckRow& row : layers) w = std::max(w, row.relative_error);
    return w;
  }
};

// The whole check: dθ by backpropagation, dθ_approx by differences, compared per layer and overall.
// J is the whole cost (loss and any penalty). A layer that draws random numbers
// (dropout) draws them once, in the first forward pass, and is held to that draw
// for every J(θ ± ε e_i): the check is of one fixed function of θ.
inline GradientCheckReport gradient_check(Network<double>& net, const arma::mat& X, const arma::mat& Y,
                                          double epsilon = 1e-7) {
  const arma::vec dtheta = backprop_gradient(net, X, Y);  // draws the random numbers, if any
  net.hold_randomness(true);
  arma::vec dtheta_approx;
  try {
    dtheta_approx = network_numerical_gradient(net, X, Y, epsilon);
  } catch (...) {
    net.hold_randomness(false);
    throw;
  }
  net.hold_randomness(false);
  GradientCheckReport report;
  report.parameters = dtheta.n_elem;
  report.overall =
      relative_error(arma::mat(dtheta_approx), arma::mat(dtheta));  // ‖dθ_approx − dθ‖ / (‖dθ_approx‖ + ‖dθ‖)
  arma::uword offset = 0;
  for (std::size_t k = 0; k < net.size(); ++k) {
    const arma::uword n = parameter_count(net.layer(k).parameters());
    if (n == 0) continue;  // an activation: nothing to check
    const arma::mat approx = dtheta_approx.subvec(offset, offset + n - 1);
    const arma::mat exact = dtheta.subvec(offset, offset + n - 1);
    report.layers.push_back({net.layer_label(k), n, relative_error(approx, exact)});
    offset += n;
  }
  return report;
}

// Prints the report as a table: one line per layer, then the overall error.
inline void print_gradient_check(std::ostream& out, const GradientCheckReport& report, double tolerance = 1e-7) {
  const auto flags = out.flags();
  for (const GradientCheckRow& row : report.layers) {
    out << "    " << std::left << std::setw(30) << row.layer << std::right << std::setw(7) << row.parameters << "   "
        << format_value("%.2e", row.relative_error) << "\n";
    out.flags(flags);
  }
  out << "    " << std::left << std::setw(30) << "all of θ" << std::right << std::setw(7) << report.parameters << "   "
      << format_value("%.2e", report.overall) << (report.passed(tolerance) ? "   ok" : "   WRONG") << "\n";
  out.flags(flags);
}

}  // namespace course

namespace course {

// A deliberately broken layer, for the demonstration and the test: a sigmoid
// whose backward pass forgets the (1 − a) of σ'(z) = a(1 − a), a classic slip.
// Its forward pass is right, so the network still runs and even learns a little;
// only the gradient check shows that something is wrong.
template <typename eT>
class BrokenSigmoid : public Sigmoid<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "BrokenSigmoid"; }
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    (void)input;
    dinput = dout % output;  // WRONG: should be dout ⊙ a ⊙ (1 − a)
  }
};

// Random targets that suit a loss, for gradient checks: one-hot columns for
// cross-entropy, 0/1 for binary cross-entropy, real numbers for MSE.
inline arma::mat random_targets(const std::string& loss, arma::uword n_out, arma::uword m) {
  if (loss == "mse") return arma::mat(n_out, m, arma::fill::randn);
  if (loss == "binary_cross_entropy") return arma::conv_to<arma::mat>::from(arma::randu<arma::mat>(n_out, m) > 0.5);
  arma::Row<std::uint8_t> labels(m);
  for (arma::uword i = 0; i < m; ++i) labels[i] = static_cast<std::uint8_t>(i % n_out);
  return one_hot<double>(labels, n_out);
}

// The network of the demonstration (and its test): 4-5-3-3 whose second layer is
// the broken sigmoid above, with softmax + cross-entropy.
inline Network<double> network_with_broken_sigmoid() {
  Network<double> net;
  net.add<Linear>(4, 5);
  net.add(std::make_unique<BrokenSigmoid<double>>());
  net.add<Linear>(5, 3);
  net.add<Tanh>();
  net.add<Linear>(3, 3);
  net.set_loss<SoftmaxCrossEntropy>();
  return net;
}

}  // namespace course
