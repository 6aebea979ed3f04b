// Chapter 10: batch normalisation.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <filesystem>
#include <vector>

#include "batch_norm_gradients.hpp"
#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/06_backprop/per_example.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/10_batch_norm/batch_norm.hpp"
#include "chapters/10_batch_norm/bn_mlp.hpp"
#include "common/numerical.hpp"
#include "exercises/compare.hpp"
#include "messages.hpp"
#include "temp_folder.hpp"

using namespace course;
using namespace course::ch10;
using test_support::message_of;
using test_support::TempFolder;

namespace {

// 4 features of different scales and offsets, m examples.
arma::mat features(arma::uword m, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  arma::mat z = arma::randn(4, m);
  const arma::vec scale = {0.5, 3.0, 10.0, 1.0}, offset = {2.0, -1.0, 5.0, 0.0};
  z.each_col() %= scale;
  z.each_col() += offset;
  return z;
}

// The network's outputs (the logits) in evaluation mode.
template <typename eT>
arma::Mat<eT> scores(Network<eT>& net, const arma::Mat<eT>& X) {
  EvaluationMode<eT> evaluation(net);
  return net.forward(X);
}

}  // namespace

// ---------------------------------------------------------------- forward

TEST(ch10_forward, EachFeatureHasMeanZeroAndVarianceOneBeforeGammaAndBeta) {
  BatchNorm<double> bn(4, 1e-8);
  const arma::mat z = features(64, 1);
  arma::mat out;
  bn.forward(z, out);  // γ = 1, β = 0: out = z_norm
  // The batch's statistics first (the cause when the rest is off): μ, and the biased σ².
  const arma::vec mu = arma::mean(z, 1);
  EXPECT_LT(arma::abs(bn.batch_mean() - mu).max(), 1e-12);
  EXPECT_LT(arma::abs(bn.batch_variance() - arma::var(z, 1, 1)).max(), 1e-10) << "σ² divides by m, not m − 1";
  const arma::vec mean = arma::mean(out, 1);
  const arma::vec var = arma::mean(arma::square(out.each_col() - mean), 1);  // biased, as the layer's
  const double m = 64;
  for (arma::uword i = 0; i < 4; ++i) {
    EXPECT_NEAR(mean(i), 0.0, 1e-12) << "feature " << i;
    EXPECT_NEAR(var(i), 1.0, 1e-6) << "feature " << i
                                   << course::test::diagnosis(
                                          var(i),
                                          {{(m - 1) / m, "(m − 1)/m: σ² divides by m − 1, it should divide by m"}},
                                          1e-6);
  }
}

TEST(ch10_forward, GammaAndBetaScaleAndShift) {
  BatchNorm<double> bn(4, 1e-5);
  bn.gamma = arma::vec{2.0, 0.5, -1.0, 3.0};
  bn.beta = arma::vec{1.0, 0.0, 4.0, -2.0};
  const arma::mat z = features(32, 2);
  arma::mat out;
  bn.forward(z, out);
  const arma::vec mu = arma::mean(z, 1), var = arma::var(z, 1, 1);
  for (arma::uword i = 0; i < 4; ++i)
    for (arma::uword j = 0; j < 32; j += 7)
      EXPECT_NEAR(out(i, j), bn.gamma(i) * (z(i, j) - mu(i)) / std::sqrt(var(i) + 1e-5) + bn.beta(i), 1e-12);
}

TEST(ch10_forward, TheIdentityCase) {
  // γ = √(σ² + ε), β = μ gives back z (note 001 §3.2).
  const arma::mat z = features(50, 3);
  BatchNorm<double> bn(4, 1e-5);
  bn.gamma = arma::sqrt(arma::var(z, 1, 1) + 1e-5);
  bn.beta = arma::mean(z, 1);
  arma::mat out;
  bn.forward(z, out);
  EXPECT_LT(arma::abs(out - z).max(), 1e-12);
}

TEST(Ch10BatchNorm, ABatchOfOneInTrainingModeIsAClearError) {
  BatchNorm<double> bn(4);
  arma::mat out;
  const std::string message = message_of([&] { bn.forward(arma::mat(4, 1, arma::fill::ones), out); });
  EXPECT_NE(message.find("BatchNorm(4)"), std::string::npos) << message;
  EXPECT_NE(message.find("batch of 1"), std::string::npos) << message;
  bn.set_training(false);  // evaluation mode takes one example
  bn.forward(arma::mat(4, 1, arma::fill::ones), out);
  EXPECT_TRUE(out.is_finite());
}

TEST(Ch10BatchNorm, ShapesAndSettingsAreChecked) {
  BatchNorm<double> bn(4);
  arma::mat out;
  EXPECT_NE(message_of([&] { bn.forward(arma::mat(5, 8, arma::fill::ones), out); }).find("BatchNorm(4)"),
            std::string::npos);
  EXPECT_THROW(BatchNorm<double>(4, 0.0), std::invalid_argument);
  EXPECT_THROW(BatchNorm<double>(4, 1e-5, 1.0), std::invalid_argument);
}

// ---------------------------------------------------------------- backward

// J = Σ R ⊙ BN(z) for a fixed random R: the layer's ∂J/∂z, ∂J/∂γ, ∂J/∂β against
// two-sided differences (tests/batch_norm_gradients.hpp), for BN's ε in the variance.
void check_layer_gradients(double layer_epsilon) {
  const arma::mat z0 = features(10, 4);
  arma::arma_rng::set_seed(5);
  const arma::mat R = arma::randn(4, 10);
  BatchNorm<double> bn(4, layer_epsilon);
  bn.gamma = arma::vec{1.5, -0.7, 0.3, 2.0};
  bn.beta = arma::vec{0.1, 0.2, -0.3, 0.4};
  const test_support::BatchNormGradientErrors errors = test_support::batch_norm_gradient_errors(bn, z0, R);
  EXPECT_LT(errors.dz, 1e-7) << "∂J/∂z, ε = " << layer_epsilon;
  EXPECT_LT(errors.dgamma, 1e-7) << "∂J/∂γ, ε = " << layer_epsilon;
  EXPECT_LT(errors.dbeta, 1e-7) << "∂J/∂β, ε = " << layer_epsilon;
}

TEST(ch10_backward, InputGammaAndBetaPassTheGradientCheckWithEpsilon1em5) { check_layer_gradients(1e-5); }
TEST(ch10_backward, InputGammaAndBetaPassTheGradientCheckWithEpsilon1em8) { check_layer_gradients(1e-8); }

TEST(ch10_backward, ANetworkWithBatchNormPassesTheGradientCheck) {
  arma::arma_rng::set_seed(6);
  Network<double> net = make_bn_mlp<double>({6, 5, 4, 3}, true, "tanh");
  randomize_biases(net);  // γ and β away from 1 and 0
  test_support::expect_network_passes_gradient_check(net);
}

TEST(ch10_backward, EvaluationModeTreatsTheAveragesAsConstants) {
  BatchNorm<double> bn(4);
  arma::mat out, dz;
  bn.forward(features(20, 7), out);  // some running averages
  bn.set_training(false);
  const arma::mat z = features(6, 8);
  arma::arma_rng::set_seed(9);
  const arma::mat R = arma::randn(4, 6);
  bn.forward(z, out);
  bn.backward(z, out, R, dz);
  const arma::mat expected = R.each_col() % (bn.gamma.col(0) / arma::sqrt(bn.running_var.col(0) + 1e-5));
  EXPECT_LT(arma::abs(dz - expected).max(), 1e-13);
}

// ---------------------------------------------------------------- running averages and inference

TEST(ch10_running_average, AfterKBatchesTheAveragesAreTheClosedForm) {
  // r_k = 0.9^k r_0 + Σ_i 0.1 · 0.9^(k−i) x_i, with r_0 = 0 for the mean and 1 for the variance.
  BatchNorm<double> bn(4, 1e-5, 0.9);
  arma::vec mean_sum(4, arma::fill::zeros), var_sum(4, arma::fill::zeros);
  const int k = 6;
  std::vector<arma::mat> batches;
  for (int i = 1; i <= k; ++i) batches.push_back(features(16, 20 + unsigned(i)));
  arma::mat out;
  for (int i = 1; i <= k; ++i) {
    bn.forward(batches[i - 1], out);
    mean_sum += 0.1 * std::pow(0.9, k - i) * arma::vec(arma::mean(batches[i - 1], 1));
    var_sum += 0.1 * std::pow(0.9, k - i) * arma::vec(arma::var(batches[i - 1], 1, 1));
  }
  const arma::vec expected_mean = std::pow(0.9, k) * arma::vec(4, arma::fill::zeros) + mean_sum;
  const arma::vec expected_var = std::pow(0.9, k) * arma::vec(4, arma::fill::ones) + var_sum;
  EXPECT_LT(arma::abs(bn.running_mean - expected_mean).max(), 1e-12);
  EXPECT_LT(arma::abs(bn.running_var - expected_var).max(), 1e-12);
}

TEST(ch10_running_average, EvaluationModeChangesNothing) {
  BatchNorm<double> bn(4);
  arma::mat out;
  bn.forward(features(16, 30), out);
  const arma::mat mean = bn.running_mean, var = bn.running_var;
  bn.set_training(false);
  bn.forward(features(16, 31), out);
  EXPECT_TRUE(arma::approx_equal(bn.running_mean, mean, "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(bn.running_var, var, "absdiff", 0.0));
}

TEST(Ch10Inference, AnExampleGivesTheSameOutputWhateverElseIsInItsBatch) {
  arma::arma_rng::set_seed(10);
  Network<double> net = make_bn_mlp<double>({6, 5, 4, 3}, true);
  const arma::mat X = arma::randn(6, 40);
  const arma::mat Y = random_targets("cross_entropy", 3, 40);
  SGD<double> sgd(0.1);
  for (int t = 0; t < 5; ++t) minibatch_step(net, sgd, X, Y);  // running averages away from 0 and 1
  const arma::mat example = X.col(3);
  const arma::mat with_a = arma::join_rows(X.cols(10, 19), example);
  const arma::mat with_b = arma::join_rows(example, 5.0 * arma::randn(6, 7));
  const arma::mat alone = scores(net, example);
  const arma::mat batch_a = scores(net, with_a);
  const arma::mat batch_b = scores(net, with_b);
  EXPECT_LT(arma::abs(batch_a.col(10) - alone).max(), 1e-14);
  EXPECT_LT(arma::abs(batch_b.col(0) - alone).max(), 1e-14);
  // In training mode it would depend on the batch:
  net.forward(with_a);
  const arma::mat training_a = net.output().col(10);
  net.forward(with_b);
  EXPECT_GT(arma::abs(training_a - net.output().col(0)).max(), 1e-3);
}

TEST(Ch10Inference, SaveAndLoadReproduceEvaluationOutputsExactly) {
  TempFolder folder("ch10_save");
  arma::arma_rng::set_seed(11);
  Network<float> net = make_bn_mlp<float>({8, 6, 5, 3}, true);
  const arma::fmat X = arma::randn<arma::fmat>(8, 30);
  arma::fmat Y(3, 30, arma::fill::zeros);
  for (arma::uword j = 0; j < 30; ++j) Y(j % 3, j) = 1;
  ch09::Adam<float> adam(0.01f);
  for (int t = 0; t < 10; ++t) minibatch_step(net, adam, X, Y);
  const arma::fmat before = scores(net, X);
  const std::filesystem::path file = folder.fresh("model") / "bn.model";
  save_model(net, file);
  Network<float> other = make_bn_mlp<float>({8, 6, 5, 3}, true);  // other weights, fresh averages (0 and 1)
  EXPECT_GT(arma::abs(scores(other, X) - before).max(), 0.0f);
  load_model(other, file);
  EXPECT_TRUE(arma::approx_equal(scores(other, X), before, "absdiff", 0.0f)) << "the running averages are saved too";
  EXPECT_TRUE(arma::approx_equal(other.layer_as<BatchNorm<float>>(1).running_var,
                                 net.layer_as<BatchNorm<float>>(1).running_var, "absdiff", 0.0f));
}

TEST(Ch10Network, TheLinearLayerBeforeBatchNormHasNoBias) {
  Network<double> net = make_bn_mlp<double>({6, 5, 4, 3}, true);
  std::vector<std::string> names;
  for (const Parameter<double>& p : net.parameters()) names.push_back(p.name);
  const std::vector<std::string> expected = {"layer 1 W", "layer 2 γ", "layer 2 β", "layer 4 W",
                                             "layer 5 γ", "layer 5 β", "layer 7 W", "layer 7 b"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(net.describe().find("no bias") != std::string::npos, true) << net.describe();
  Network<double> plain = make_bn_mlp<double>({6, 5, 4, 3}, false);
  EXPECT_EQ(plain.parameters().size(), 6u);
}
