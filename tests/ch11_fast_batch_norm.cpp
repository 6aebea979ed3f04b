// Chapter 11's FastBatchNorm (fast_batch_norm.hpp): chapter 10's batch norm in fewer passes.
// The same outputs, statistics, running averages and gradients as the lesson's layer
// (float, to a stated tolerance), its backward pass against a numerical gradient
// (double), evaluation mode, and the final net using it behind fast_layers.
#include <gtest/gtest.h>

#include <armadillo>
#include <cstdio>
#include <vector>

#include "batch_norm_gradients.hpp"
#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/10_batch_norm/batch_norm.hpp"
#include "chapters/10_batch_norm/bn_mlp.hpp"
#include "chapters/11_final_classifier/fast_batch_norm.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "common/numerical.hpp"

using namespace course;
using namespace course::ch11;

namespace {

// max |a − b| / max |b|: the difference on the scale of the values (dz mixes signs, so an
// element's own relative difference is unbounded where it cancels to near 0).
double scaled_difference(const arma::fmat& a, const arma::fmat& b) {
  return double(arma::abs(a - b).max()) / double(arma::abs(b).max());
}

// The two layers with the same γ and β (away from 1 and 0).
template <typename eT>
void same_parameters(ch10::BatchNorm<eT>& a, ch10::BatchNorm<eT>& b, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  a.gamma = arma::Mat<eT>(a.gamma.n_rows, 1, arma::fill::randn);
  a.beta = arma::Mat<eT>(a.beta.n_rows, 1, arma::fill::randn);
  b.gamma = a.gamma;
  b.beta = a.beta;
}

}  // namespace

// The tolerance: 10⁻⁶ of the values' scale, 8 float ulps (2⁻²³ ≈ 1.2 · 10⁻⁷ each). The
// loops do the lesson's operations in its order without fused multiply-adds, so on
// this machine the difference is 0 (printed); the gate allows a compiler's different
// rounding of 1/√· or a sum, and fails a wrong formula (a missing − μ, m − 1 for m).
constexpr double kTolerance = 1e-6;

TEST(Ch11FastBatchNorm, TrainingForwardEqualsChapter10sLayer) {
  ch10::BatchNorm<float> lesson(256);
  FastBatchNorm<float> fast(256);
  same_parameters(lesson, fast, 1);
  for (unsigned batch = 0; batch < 3; ++batch) {  // three batches: the running averages too
    const arma::fmat z = test_support::scaled_features<float>(256, 128, 10 + batch);
    arma::fmat out_lesson, out_fast;
    lesson.forward(z, out_lesson);
    fast.forward(z, out_fast);
    const double d = scaled_difference(out_fast, out_lesson);
    std::printf("batch %u: forward's largest difference %.3g of the values' scale\n", batch, d);
    EXPECT_LE(d, kTolerance);
    EXPECT_LE(scaled_difference(fast.batch_mean(), lesson.batch_mean()), kTolerance);
    EXPECT_LE(scaled_difference(fast.batch_variance(), lesson.batch_variance()), kTolerance);
    EXPECT_LE(scaled_difference(fast.running_mean, lesson.running_mean), kTolerance);
    EXPECT_LE(scaled_difference(fast.running_var, lesson.running_var), kTolerance);
  }
}

TEST(Ch11FastBatchNorm, TrainingBackwardEqualsChapter10sLayer) {
  ch10::BatchNorm<float> lesson(128);
  FastBatchNorm<float> fast(128);
  same_parameters(lesson, fast, 2);
  const arma::fmat z = test_support::scaled_features<float>(128, 64, 3);
  arma::arma_rng::set_seed(4);
  const arma::fmat dout(128, 64, arma::fill::randn);
  arma::fmat out_lesson, out_fast, dz_lesson, dz_fast;
  lesson.forward(z, out_lesson);
  fast.forward(z, out_fast);
  lesson.backward(z, out_lesson, dout, dz_lesson);
  fast.backward(z, out_fast, dout, dz_fast);
  const double d = scaled_difference(dz_fast, dz_lesson);
  std::printf("backward's largest difference in dz: %.3g of the values' scale\n", d);
  EXPECT_LE(d, kTolerance);
  EXPECT_LE(scaled_difference(fast.dgamma, lesson.dgamma), kTolerance);
  EXPECT_LE(scaled_difference(fast.dbeta, lesson.dbeta), kTolerance);
}

TEST(Ch11FastBatchNorm, AnInputThatIsAlsoTheOutputGivesTheSameResult) {
  FastBatchNorm<float> apart(16), in_place(16);
  const arma::fmat z = test_support::scaled_features<float>(16, 32, 5);
  arma::fmat out, same = z;
  apart.forward(z, out);
  in_place.forward(same, same);
  EXPECT_TRUE(arma::approx_equal(same, out, "absdiff", 0.0f));
  arma::fmat dz, dout = z;
  apart.backward(z, out, z, dz);
  in_place.backward(z, out, dout, dout);
  EXPECT_TRUE(arma::approx_equal(dout, dz, "absdiff", 0.0f));
}

// J = Σ R ⊙ FastBatchNorm(z): the layer's ∂J/∂z, ∂J/∂γ, ∂J/∂β against two-sided
// differences (double), with chapter 10's check (tests/batch_norm_gradients.hpp).
TEST(Ch11FastBatchNorm, BackwardPassesTheNumericalGradientCheck) {
  const arma::mat z0 = test_support::scaled_features<double>(4, 10, 6);
  arma::arma_rng::set_seed(7);
  const arma::mat R(4, 10, arma::fill::randn);
  FastBatchNorm<double> bn(4);
  bn.gamma = arma::vec{1.5, -0.7, 0.3, 2.0};
  bn.beta = arma::vec{0.1, 0.2, -0.3, 0.4};
  const test_support::BatchNormGradientErrors errors = test_support::batch_norm_gradient_errors(bn, z0, R);
  EXPECT_LT(errors.dz, 1e-7) << "∂J/∂z";
  EXPECT_LT(errors.dgamma, 1e-7) << "∂J/∂γ";
  EXPECT_LT(errors.dbeta, 1e-7) << "∂J/∂β";
}

// z, γ and β through a network: every layer's slice of θ (double, seeded).
TEST(Ch11FastBatchNorm, ANetworkWithItPassesTheGradientCheck) {
  arma::arma_rng::set_seed(8);
  ch07::MlpOptions<double> options = ch10::bn_mlp_options<double>(/*batch_norm=*/true, "tanh");
  options.normalization = [](arma::uword units) { return std::make_unique<FastBatchNorm<double>>(units); };
  Network<double> net = ch07::make_mlp<double>({6, 5, 4, 3}, options);
  ASSERT_NE(dynamic_cast<FastBatchNorm<double>*>(&net.layer(1)), nullptr);
  randomize_biases(net);  // γ and β away from 1 and 0
  test_support::expect_network_passes_gradient_check(net);
}

TEST(Ch11FastBatchNorm, EvaluationModeIsChapter10s) {
  ch10::BatchNorm<float> lesson(32);
  FastBatchNorm<float> fast(32);
  same_parameters(lesson, fast, 9);
  arma::fmat out_lesson, out_fast, dz_lesson, dz_fast;
  lesson.forward(test_support::scaled_features<float>(32, 40, 10), out_lesson);  // the same running averages
  fast.forward(test_support::scaled_features<float>(32, 40, 10), out_fast);
  lesson.set_training(false);
  fast.set_training(false);
  const arma::fmat z = test_support::scaled_features<float>(32, 3, 11),
                   dout = test_support::scaled_features<float>(32, 3, 12);
  lesson.forward(z, out_lesson);
  fast.forward(z, out_fast);
  EXPECT_LE(scaled_difference(out_fast, out_lesson), kTolerance);
  lesson.backward(z, out_lesson, dout, dz_lesson);
  fast.backward(z, out_fast, dout, dz_fast);
  EXPECT_LE(scaled_difference(dz_fast, dz_lesson), kTolerance);
}

TEST(Ch11FastBatchNorm, TheFinalNetUsesItBehindFastLayers) {
  Network<float> fast = make_final_net<float>({{784, 32, 16, 10}, 0.8, true, false});
  Network<float> lesson = make_final_net<float>({{784, 32, 16, 10}, 0.8, false});
  EXPECT_NE(dynamic_cast<FastBatchNorm<float>*>(&fast.layer(1)), nullptr);
  EXPECT_EQ(dynamic_cast<FastBatchNorm<float>*>(&lesson.layer(1)), nullptr);
  EXPECT_EQ(fast.layer(1).kind(), "BatchNorm");  // model files as chapter 10's
}
