// Chapter 9: exponentially weighted averages, momentum, RMSprop, Adam, the decays,
// and the optimisers on test surfaces and on a network.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <memory>
#include <vector>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/09_optimizers/surfaces.hpp"
#include "exercises/compare.hpp"
#include "messages.hpp"

using namespace course;
using namespace course::ch09;
using test_support::message_of;

namespace {

// One parameter θ = W (2 × 1) with a gradient that the test sets before each step.
struct OneParameter {
  arma::mat W = arma::vec{1.0, -2.0};
  arma::mat dW = arma::mat(2, 1, arma::fill::zeros);
  std::vector<Parameter<double>> list() { return {{"W", &W, &dW, true}}; }
};

// The three gradients of the hand-computed steps.
const std::vector<arma::mat> kGradients = {arma::vec{0.5, 1.0}, arma::vec{0.5, -1.0}, arma::vec{1.0, 0.0}};

std::vector<arma::mat> run_three_steps(Optimizer<double>& optimizer) {
  OneParameter p;
  std::vector<arma::mat> after;
  for (const arma::mat& g : kGradients) {
    p.dW = g;
    optimizer.step(p.list());
    after.push_back(p.W);
  }
  return after;
}

void expect_near(const arma::mat& actual, const std::vector<double>& expected, double tol, const char* what) {
  ASSERT_EQ(actual.n_elem, expected.size()) << what;
  for (arma::uword i = 0; i < actual.n_elem; ++i) EXPECT_NEAR(actual(i), expected[i], tol) << what << ", entry " << i;
}

}  // namespace

// ---------------------------------------------------------------- exponentially weighted averages

TEST(ch09_weighted_average, TwoStepsOfNote001) {
  // β = 0.98: V_1 = 0.02 θ_1, V_2 = 0.98·0.02 θ_1 + 0.02 θ_2 = 0.0196 θ_1 + 0.02 θ_2 (note 001 §2.2).
  const arma::vec theta = {3.0, 5.0};
  const arma::vec V = exponential_average(theta, 0.98, false);
  EXPECT_NEAR(V(0), 0.02 * 3.0, 1e-15);
  EXPECT_NEAR(V(1), 0.0196 * 3.0 + 0.02 * 5.0, 1e-15);
}

TEST(ch09_weighted_average, CorrectedAverageOfAConstantIsTheConstantFromTheFirstStep) {
  const arma::vec theta(30, arma::fill::value(7.5));
  for (double beta : {0.5, 0.9, 0.98}) {
    const arma::vec plain = exponential_average(theta, beta, false);
    const arma::vec corrected = exponential_average(theta, beta, true);
    EXPECT_NEAR(plain(0), (1 - beta) * 7.5, 1e-12) << "β = " << beta << ": V_1 = (1 − β) θ_1, biased towards 0";
    for (arma::uword t = 0; t < theta.n_elem; ++t)
      EXPECT_NEAR(corrected(t), 7.5, 1e-12) << "β = " << beta << ", t = " << t + 1;
  }
}

TEST(ch09_weighted_average, TheWindowIsAboutOneOverOneMinusBeta) {
  // A step from 0 to 1: V_t = 1 − β^t, so V has covered 1 − 1/e ≈ 63% of the step after ≈ 1/(1 − β) values.
  for (double beta : {0.5, 0.9, 0.98}) {
    const arma::uword window = arma::uword(std::lround(1 / (1 - beta)));
    const arma::vec V = exponential_average(arma::vec(200, arma::fill::ones), beta, false);
    EXPECT_NEAR(V(window - 1), 1 - std::exp(-1.0), 0.12) << "β = " << beta << ", window " << window;
  }
}

TEST(Ch09WeightedAverage, RejectsABetaOutsideZeroToOne) {
  EXPECT_THROW(exponential_average(arma::vec{1.0}, 1.0, false), std::invalid_argument);
  EXPECT_NE(message_of([] { exponential_average(arma::vec{1.0}, -0.1, true); }).find("β"), std::string::npos);
}

// ---------------------------------------------------------------- momentum

TEST(ch09_momentum_step, ThreeStepsOfNgsFormByHand) {
  // α = 0.1, β = 0.9, W_0 = (1, −2); v = 0.9 v + 0.1 g; W ← W − 0.1 v.
  Momentum<double> momentum(0.1, 0.9, MomentumForm::average);
  const std::vector<arma::mat> W = run_three_steps(momentum);
  // v_1 = 0.1·(0.5, 1) = (0.05, 0.1);                              W_1 = (1 − 0.005, −2 − 0.01) = (0.995, −2.01)
  expect_near(W[0], {0.995, -2.01}, 1e-14, "step 1");
  // v_2 = 0.9·(0.05, 0.1) + 0.1·(0.5, −1) = (0.095, −0.01);          W_2 = (0.995 − 0.0095, −2.01 + 0.001) = (0.9855, −2.009)
  expect_near(W[1], {0.9855, -2.009}, 1e-14, "step 2");
  // v_3 = 0.9·(0.095, −0.01) + 0.1·(1, 0) = (0.1855, −0.009);        W_3 = (0.9855 − 0.01855, −2.009 + 0.0009) = (0.96695, −2.0081)
  expect_near(W[2], {0.96695, -2.0081}, 1e-14, "step 3");
}

TEST(ch09_momentum_step, ThreeStepsOfTheClassicFormByHand) {
  // α = 0.01, β = 0.9: v = 0.9 v + g; W ← W − 0.01 v.
  Momentum<double> momentum(0.01, 0.9, MomentumForm::classic);
  const std::vector<arma::mat> W = run_three_steps(momentum);
  // v_1 = (0.5, 1): W_1 = (0.995, −2.01); v_2 = (0.45 + 0.5, 0.9 − 1) = (0.95, −0.1): W_2 = (0.9855, −2.009);
  // v_3 = (0.855 + 1, −0.09) = (1.855, −0.09): W_3 = (0.96695, −2.0081)
  expect_near(W[0], {0.995, -2.01}, 1e-14, "step 1");
  expect_near(W[1], {0.9855, -2.009}, 1e-14, "step 2");
  expect_near(W[2], {0.96695, -2.0081}, 1e-14, "step 3");
}

TEST(ch09_momentum_step, TheTwoFormsAgreeWhenTheClassicRateIsOneMinusBetaTimesNgs) {
  Momentum<double> ng(0.3, 0.8, MomentumForm::average), classic(0.3 * (1 - 0.8), 0.8, MomentumForm::classic);
  OneParameter a, b;
  arma::arma_rng::set_seed(9);
  for (int t = 0; t < 50; ++t) {
    a.dW = arma::randn(2, 1);
    b.dW = a.dW;
    ng.step(a.list());
    classic.step(b.list());
  }
  EXPECT_LT(arma::abs(a.W - b.W).max(), 1e-12);
}

// ---------------------------------------------------------------- RMSprop

TEST(ch09_rmsprop_step, ThreeStepsByHand) {
  // α = 0.01, β₂ = 0.9, ε = 1e-8: s = 0.9 s + 0.1 g²; W ← W − 0.01 g / (√s + ε).
  RMSprop<double> rmsprop(0.01, 0.9, 1e-8);
  const std::vector<arma::mat> W = run_three_steps(rmsprop);
  const double eps = 1e-8;
  // s_1 = 0.1·(0.25, 1) = (0.025, 0.1)
  const double w1[] = {1 - 0.01 * 0.5 / (std::sqrt(0.025) + eps), -2 - 0.01 * 1.0 / (std::sqrt(0.1) + eps)};
  expect_near(W[0], {w1[0], w1[1]}, 1e-14, "step 1");
  // The first step is α/√(1 − β₂) = 0.0316 for each weight, whatever its gradient's size:
  const double first = 1 - W[0](0);
  EXPECT_NEAR(first, 0.01 / std::sqrt(0.1), 1e-8)  // ε moves it by α·ε/√s ≈ 2e-9
      << "the first step"
      << course::test::diagnosis(first,
                                 {{0.01 * 0.5 / 0.025, "α g / s: is the √ of s missing?"},
                                  {0.01 * 0.5 / std::sqrt(0.9 * 0.25),
                                   "s = 0.9 g² after one step: are β₂ and 1 − β₂ swapped "
                                   "(s = β₂ s + (1 − β₂) g²)?"},
                                  {0.01 * 0.5, "α g: is the division by √s + ε missing?"}},
                                 1e-6);
  EXPECT_NEAR(-2 - W[0](1), 0.01 / std::sqrt(0.1), 1e-8);
  // s_2 = 0.9·(0.025, 0.1) + 0.1·(0.25, 1) = (0.0475, 0.19)
  const double w2[] = {w1[0] - 0.01 * 0.5 / (std::sqrt(0.0475) + eps), w1[1] + 0.01 * 1.0 / (std::sqrt(0.19) + eps)};
  expect_near(W[1], {w2[0], w2[1]}, 1e-14, "step 2");
  // s_3 = 0.9·(0.0475, 0.19) + 0.1·(1, 0) = (0.14275, 0.171); g_3 = (1, 0) leaves the second weight alone
  const double w3[] = {w2[0] - 0.01 * 1.0 / (std::sqrt(0.14275) + eps), w2[1]};
  expect_near(W[2], {w3[0], w3[1]}, 1e-14, "step 3");
  EXPECT_NEAR(rmsprop.mean_square()[0](0), 0.14275, 1e-15);
  EXPECT_NEAR(rmsprop.mean_square()[0](1), 0.171, 1e-15);
}

// ---------------------------------------------------------------- Adam

TEST(ch09_adam_step, ThreeStepsByHand) {
  // α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
  Adam<double> adam(0.001, 0.9, 0.999, 1e-8);
  const std::vector<arma::mat> W = run_three_steps(adam);
  const double eps = 1e-8;
  auto step = [&](double v, double s, int t) {  // α v̂ / (√ŝ + ε)
    return 0.001 * (v / (1 - std::pow(0.9, t))) / (std::sqrt(s / (1 - std::pow(0.999, t))) + eps);
  };
  // t = 1: v = 0.1 g = (0.05, 0.1), s = 0.001 g² = (0.00025, 0.001): v̂ = g, ŝ = g², the step is α·g/|g| = ±0.001
  const double w1[] = {1 - step(0.05, 0.00025, 1), -2 - step(0.1, 0.001, 1)};
  expect_near(W[0], {w1[0], w1[1]}, 1e-15, "step 1");
  const double first = 1 - W[0](0);
  EXPECT_NEAR(first, 0.001, 1e-10)
      << "the first step"
      << course::test::diagnosis(first,
                                 {{0.001 * 0.05 / std::sqrt(0.00025),
                                   "α v / √s = α (1 − β₁)/√(1 − β₂) = 3.2 α: are the bias "
                                   "corrections v̂ = v / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ) missing?"},
                                  {0.001 * 0.5 / std::sqrt(0.00025), "α v̂ / √s: is ŝ = s / (1 − β₂ᵗ) missing?"},
                                  {0.001 * 0.05 / 0.5, "α v / √ŝ: is v̂ = v / (1 − β₁ᵗ) missing?"}},
                                 1e-6)
      << (std::isfinite(first) ? "" : ": not a finite number: is t counted from 1 (1 − β¹ on the first step)?");
  EXPECT_NEAR(-2 - W[0](1), 0.001, 1e-10);
  // t = 2: v = 0.9·(0.05, 0.1) + 0.1·(0.5, −1) = (0.095, −0.01); s = 0.999·(0.00025, 0.001) + 0.001·(0.25, 1) = (0.00049975, 0.001999)
  const double w2[] = {w1[0] - step(0.095, 0.00049975, 2), w1[1] - step(-0.01, 0.001999, 2)};
  expect_near(W[1], {w2[0], w2[1]}, 1e-15, "step 2");
  // t = 3: v = 0.9·(0.095, −0.01) + 0.1·(1, 0) = (0.1855, −0.009); s = 0.999·(0.00049975, 0.001999) + 0.001·(1, 0)
  const double s3[] = {0.999 * 0.00049975 + 0.001, 0.999 * 0.001999};
  const double w3[] = {w2[0] - step(0.1855, s3[0], 3), w2[1] - step(-0.009, s3[1], 3)};
  expect_near(W[2], {w3[0], w3[1]}, 1e-15, "step 3");
  EXPECT_EQ(adam.steps(), 3);
  EXPECT_NEAR(adam.first_moment()[0](0), 0.1855, 1e-15);
  EXPECT_NEAR(adam.second_moment()[0](0), s3[0], 1e-15);
}

TEST(Ch09FusedAdam, TakesTheSameStepsAsAdamToRounding) {
  arma::arma_rng::set_seed(5);
  for (int precision = 0; precision < 2; ++precision) {
    auto run = [&](auto zero) {
      using eT = decltype(zero);
      arma::Mat<eT> a = arma::randn<arma::Mat<eT>>(7, 5), b = a, da(7, 5, arma::fill::zeros), db = da;
      Adam<eT> plain(eT(0.01));
      FusedAdam<eT> fused(eT(0.01));
      const std::vector<Parameter<eT>> pa = {{"W", &a, &da, true}}, pb = {{"W", &b, &db, true}};
      double worst = 0;
      for (int t = 0; t < 100; ++t) {
        da = arma::randn<arma::Mat<eT>>(7, 5) % arma::Mat<eT>(7, 5, arma::fill::value(eT(std::pow(10.0, t % 7 - 3))));
        db = da;
        plain.step(pa);
        fused.step(pb);
        worst = std::max(worst, double(arma::abs(a - b).max()));
      }
      return worst;
    };
    // 100 steps of at most α = 0.01 each: the paths agree to the arithmetic's precision.
    if (precision == 0)
      EXPECT_LT(run(double(0)), 1e-13);
    else
      EXPECT_LT(run(float(0)), 2e-5f);
  }
}

// ---------------------------------------------------------------- float precision

// In float code 1 − β and the bias corrections are computed in double and then rounded once: in float,
// 1 − 0.999f = 0.00099998713 is 1.3·10⁻⁵ too small, which makes RMSprop's and Adam's steps 6.4·10⁻⁶ too
// large (1/√ of it) and momentum's 1.3·10⁻⁵ too small. From W = 0 the float step is the float W itself, so
// a relative tolerance of 10⁻⁶ (a few float roundings) sees that defect; an absolute 2·10⁻⁵ on W ≈ 1 does not.
namespace {

// The steps of a float optimiser from W = 0, relative to the same optimiser in double on the same gradients.
template <template <typename> class O, typename... Settings>
double worst_relative_float_error(int steps, Settings... settings) {
  const arma::vec scales = {1e-3, -0.02, 0.5, -1.0, 7.0, -300.0};  // gradients of many sizes and both signs
  arma::fmat Wf(6, 1, arma::fill::zeros), dWf(6, 1, arma::fill::zeros);
  arma::mat Wd(6, 1, arma::fill::zeros), dWd(6, 1, arma::fill::zeros);
  O<float> of(float(1e-3), settings...);
  O<double> od(1e-3, settings...);
  const std::vector<Parameter<float>> pf = {{"W", &Wf, &dWf, true}};
  const std::vector<Parameter<double>> pd = {{"W", &Wd, &dWd, true}};
  double worst = 0;
  for (int t = 0; t < steps; ++t) {
    dWf = arma::conv_to<arma::fmat>::from(scales * (1.0 + 0.1 * t));  // the same float gradients for both
    dWd = arma::conv_to<arma::mat>::from(dWf);
    of.step(pf);
    od.step(pd);
    worst =
        std::max(worst, arma::max(arma::abs(arma::conv_to<arma::vec>::from(arma::vectorise(Wf)) - Wd) / arma::abs(Wd)));
  }
  return worst;
}

}  // namespace

TEST(Ch09FloatPrecision, FloatStepsAgreeWithDoubleToAFewRoundings) {
  // β = 0.999 everywhere: its 1 − β is the one that float gets wrong by 1.3·10⁻⁵.
  EXPECT_LT(worst_relative_float_error<Adam>(10, 0.9, 0.999, 1e-8), 1e-6) << "Adam";
  EXPECT_LT(worst_relative_float_error<FusedAdam>(10, 0.9, 0.999, 1e-8), 1e-6) << "Adam (fused)";
  EXPECT_LT(worst_relative_float_error<RMSprop>(10, 0.999, 1e-8), 1e-6) << "RMSprop";
  EXPECT_LT(worst_relative_float_error<Momentum>(10, 0.999, MomentumForm::average), 1e-6) << "momentum";
}

TEST(Ch09FloatPrecision, AdamsFirstFloatStepIsAlphaToFloatPrecision) {
  arma::fmat W(4, 1, arma::fill::zeros), dW = arma::fvec{0.5f, -3.0f, 50.0f, -0.7f};
  Adam<float> adam(1e-3f);
  adam.step({{"W", &W, &dW, true}});
  for (arma::uword i = 0; i < W.n_elem; ++i)  // v̂ = dW, ŝ = dW²: the step is α·sign(dW), up to α·ε/|dW|
    EXPECT_NEAR(W(i) / (dW(i) > 0 ? -1e-3 : 1e-3), 1.0, 1e-6) << "entry " << i;
}

// ---------------------------------------------------------------- the decays

TEST(ch09_inverse_time_decay, NgsExample) {
  // α0 = 0.2, decay rate 1: epoch 1 → 0.1, 2 → 0.067, 3 → 0.05, 4 → 0.04 (note 001 §2.6's formula).
  const InverseTimeDecay decay(0.2, 1.0);
  EXPECT_NEAR(decay.rate(1), 0.1, 1e-15);
  EXPECT_NEAR(decay.rate(2), 0.2 / 3, 1e-15);
  EXPECT_NEAR(decay.rate(3), 0.05, 1e-15);
  EXPECT_NEAR(decay.rate(4), 0.04, 1e-15);
  EXPECT_NEAR(InverseTimeDecay(0.5, 0.0).rate(7), 0.5, 1e-15) << "decay 0 is a constant rate";
}

TEST(Ch09Schedules, ExponentialInverseSquareRootAndStaircase) {
  const ExponentialDecay exponential(0.2, 0.95);
  EXPECT_NEAR(exponential.rate(1), 0.19, 1e-15);
  EXPECT_NEAR(exponential.rate(3), 0.95 * 0.95 * 0.95 * 0.2, 1e-15);
  const InverseSqrtDecay sqrt_decay(0.2, 0.5);
  EXPECT_NEAR(sqrt_decay.rate(1), 0.1, 1e-15);
  EXPECT_NEAR(sqrt_decay.rate(4), 0.05, 1e-15);
  const StepDecay staircase(0.4, 0.5, 3);
  const std::vector<double> expected = {0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1};
  for (int epoch = 1; epoch <= 7; ++epoch) EXPECT_NEAR(staircase.rate(epoch), expected[epoch - 1], 1e-15) << epoch;
}

TEST(Ch09Schedules, BadSettingsAreRejectedByName) {
  EXPECT_NE(message_of([] { InverseTimeDecay(0, 1); }).find("α0"), std::string::npos);
  EXPECT_NE(message_of([] { InverseTimeDecay(0.1, -1); }).find("decay"), std::string::npos);
  EXPECT_NE(message_of([] { ExponentialDecay(0.1, 1.5); }).find("base"), std::string::npos);
  EXPECT_NE(message_of([] { StepDecay(0.1, 0.5, 0); }).find("step"), std::string::npos);
  EXPECT_NE(message_of([] { Adam<double>(0.1, 1.0); }).find("β₁"), std::string::npos);
  EXPECT_NE(message_of([] { RMSprop<double>(0.1, 0.9, 0); }).find("ε"), std::string::npos);
}

// ---------------------------------------------------------------- surfaces

TEST(Ch09Surfaces, GradientsMatchDifferences) {
  for (const Surface& s : {elongated_bowl(), rotated_bowl(), saddle(), rosenbrock()}) {
    for (const arma::vec& at : {arma::vec{0.3, -0.7}, arma::vec{-1.1, 1.9}}) {
      const arma::vec g = s.gradient(at(0), at(1));
      const double h = 1e-6;
      const double gx = (s.f(at(0) + h, at(1)) - s.f(at(0) - h, at(1))) / (2 * h);
      const double gy = (s.f(at(0), at(1) + h) - s.f(at(0), at(1) - h)) / (2 * h);
      EXPECT_NEAR(g(0), gx, 1e-6 * (1 + std::abs(gx))) << s.name;
      EXPECT_NEAR(g(1), gy, 1e-6 * (1 + std::abs(gy))) << s.name;
    }
  }
}

TEST(Ch09Surfaces, AdamAndMomentumReachTheMinimumOfTheConvexBowl) {
  const Surface bowl = elongated_bowl();
  Adam<double> adam(0.1);
  Momentum<double> momentum(0.5, 0.9);
  for (Optimizer<double>* optimizer : std::vector<Optimizer<double>*>{&adam, &momentum}) {
    const Descent d = descend(bowl, *optimizer, 5000);
    EXPECT_TRUE(d.reached) << optimizer->name() << " ended at f = " << d.final_value << " after " << d.steps;
    EXPECT_LT(arma::norm(d.path.tail_cols(1)), 2e-2) << optimizer->name() << ": the minimum is (0, 0)";
  }
}

TEST(Ch09Surfaces, GradientDescentWithTooLargeARateDivergesAndSaysSo) {
  // Along y the curvature is 2: a step multiplies y by 1 − 2α, so α > 1 makes |y| grow.
  const Surface bowl = elongated_bowl();
  SGD<double> too_fast(1.05), fine(0.95);
  const Descent bad = descend(bowl, too_fast, 100000);
  EXPECT_TRUE(bad.diverged);
  EXPECT_FALSE(bad.reached);
  EXPECT_TRUE(bad.path.is_finite()) << "the path stops before the first non-finite point";
  EXPECT_TRUE(std::isfinite(bad.final_value));
  const Descent good = descend(bowl, fine, 100000);
  EXPECT_FALSE(good.diverged);
  EXPECT_TRUE(good.reached);
}

TEST(Ch09Surfaces, AdamEscapesTheSaddleFasterThanGradientDescentAtTheSameRate) {
  const Surface s = saddle();
  SGD<double> gd(0.05);
  Adam<double> adam(0.05);
  const Descent slow = descend(s, gd, 10000), fast = descend(s, adam, 10000);
  ASSERT_TRUE(slow.reached);
  ASSERT_TRUE(fast.reached);
  EXPECT_LT(fast.steps, slow.steps);
}

// ---------------------------------------------------------------- the optimisers on a network

TEST(Ch09Network, EveryOptimiserUpdatesEveryParameterWithItsOwnState) {
  arma::arma_rng::set_seed(3);
  Network<double> net = ch07::make_mlp<double>({6, 5, 4, 3});
  const arma::mat X = arma::randn(6, 8);
  arma::mat Y(3, 8, arma::fill::zeros);
  for (arma::uword j = 0; j < 8; ++j) Y(j % 3, j) = 1;

  std::vector<std::unique_ptr<Optimizer<double>>> optimizers;
  optimizers.push_back(std::make_unique<SGD<double>>(0.1));
  optimizers.push_back(std::make_unique<Momentum<double>>(0.1, 0.9));
  optimizers.push_back(std::make_unique<RMSprop<double>>(0.01));
  optimizers.push_back(std::make_unique<Adam<double>>(0.01));
  const arma::vec theta0 = net.flatten();
  for (auto& optimizer : optimizers) {
    net.assign(theta0);
    const std::vector<Parameter<double>> params = net.parameters();
    ASSERT_EQ(params.size(), 6u);
    std::vector<arma::mat> before, gradients;
    net.forward(X);
    net.backward(Y);
    for (const Parameter<double>& p : params) before.push_back(*p.value), gradients.push_back(*p.gradient);
    optimizer->step(params);
    for (std::size_t i = 0; i < params.size(); ++i)
      EXPECT_GT(arma::abs(*params[i].value - before[i]).max(), 0.0)
          << optimizer->name() << " left " << params[i].name << " unchanged";
    // Separate state: after one step, each parameter's state is made from its own gradient alone.
    if (auto* m = dynamic_cast<Momentum<double>*>(optimizer.get())) {
      ASSERT_EQ(m->velocity().size(), params.size());
      for (std::size_t i = 0; i < params.size(); ++i)
        EXPECT_LT(arma::abs(m->velocity()[i] - 0.1 * gradients[i]).max(), 1e-15) << params[i].name;
    }
    if (auto* a = dynamic_cast<Adam<double>*>(optimizer.get())) {
      ASSERT_EQ(a->second_moment().size(), params.size());
      for (std::size_t i = 0; i < params.size(); ++i)
        EXPECT_LT(arma::abs(a->second_moment()[i] - 0.001 * arma::square(gradients[i])).max(), 1e-15) << params[i].name;
    }
  }
}

TEST(Ch09Network, AnOptimiserRefusesTheParametersOfAnotherNetwork) {
  Network<double> a = ch07::make_mlp<double>({6, 5, 4, 3}), b = ch07::make_mlp<double>({6, 7, 4, 3});
  Adam<double> adam(0.01);
  adam.step(a.parameters());
  const std::string message = message_of([&] { adam.step(b.parameters()); });
  EXPECT_NE(message.find("layer 1 W"), std::string::npos) << message;
  EXPECT_NE(message.find("one optimiser per network"), std::string::npos) << message;
}
