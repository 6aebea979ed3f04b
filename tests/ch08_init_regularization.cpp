// Chapter 8: initialisation (note 000's experiment, Xavier, He) and regularisation
// (L2, L1, dropout both ways, early stopping, input normalisation, bias and variance).
#include <gtest/gtest.h>

#include <unistd.h>
#include <armadillo>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/06_backprop/model_file.hpp"
#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/08_init_regularization/initialization.hpp"
#include "chapters/08_init_regularization/regularization.hpp"
#include "common/data.hpp"
#include "exercises/compare.hpp"
#include "messages.hpp"

namespace {

using namespace course;
using namespace course::ch08;

// The sample variance of N values of a distribution with variance v has a
// standard deviation of about v·√(2/N) (normal values; uniform ones are tighter):
// the tests allow five of those.
double variance_tolerance(double variance, double n) { return 5.0 * variance * std::sqrt(2.0 / n); }

double sample_variance(const arma::mat& W) {
  return arma::accu(arma::square(W - arma::mean(arma::vectorise(W)))) / W.n_elem;
}

// What a measured variance of W (n_out × n_in) says about an initialisation that missed `expected`: the common
// mistakes, each with its line (course::test::diagnosis), within the tolerance of the measurement.
std::string variance_diagnosis(double variance, const arma::mat& W, double expected) {
  const double n_in = double(W.n_cols), n_out = double(W.n_rows), n = double(W.n_elem);
  const std::vector<test::Mistake> mistakes = {
      {expected * expected, "the variance is the square of what was expected: is the √ missing (std = √variance)?"},
      {1.0, "the weights are N(0, 1): is the factor std missing?"},
      {2.0 / n_out, "that is 2/n_out: n_in is the number of columns of W (W is n_out × n_in)"},
      {1.0 / n_in, "that is 1/n_in: is the 2 missing?"},
      {2.0 / n_in, "that is He's 2/n_in (Xavier's is 2/(n_in + n_out))"},
      {2.0 / (n_in + n_out), "that is Xavier's 2/(n_in + n_out) (He's is 2/n_in)"},
      {1.0 / (n_in + n_out), "that is 1/(n_in + n_out): is the 2 missing?"},
      {std::sqrt(expected), "the variance is the square root of what was expected: is the std squared twice?"}};
  return test::diagnosis(variance, mistakes, variance_tolerance(expected, n) / expected);
}

// A wide network whose weight matrices are large enough to measure: 400 → 300 → 200.
Network<double> wide_network() { return make_network<double>({400, 300, 200}, {"relu", "identity"}, "mse"); }

// ---------------------------------------------------------------------------
// Note 000's experiment: the known answers, and the measurement
// ---------------------------------------------------------------------------
TEST(Ch08Note000, StandardDeviationOfZ) {
  // N(0, 1) weights and bias, 500 of 1000 inputs on: √(p/2 + 1) = √501 ≈ 22.4
  EXPECT_NEAR(z_standard_deviation(500, 1.0, 1.0), std::sqrt(501.0), 1e-12);
  EXPECT_NEAR(z_standard_deviation(500, 1.0, 1.0), 22.38, 0.01);
  // The cure N(0, 1/(n_in + 1)): variance (p/2 + 1)/(p + 1) ≈ 0.5, not 1 as the note says
  const double cured = z_standard_deviation(500, 1.0 / 1001, 1.0 / 1001);
  EXPECT_NEAR(cured * cured, 501.0 / 1001.0, 1e-12);
  EXPECT_NEAR(cured, 0.7075, 1e-4);
  // Nielsen's w ~ N(0, 1/n_in), b ~ N(0, 1): variance 1/2 + 1 = 3/2
  EXPECT_NEAR(z_standard_deviation(500, 1.0 / 1000, 1.0), std::sqrt(1.5), 1e-12);
}

TEST(Ch08Note000, MeasuredSpreadMatchesTheFormula) {
  seed_everything(81);
  const arma::uword draws = 20000;
  const arma::vec naive = sample_z(1000, draws, 1.0, 1.0);
  const arma::vec cured = sample_z(1000, draws, 1.0 / std::sqrt(1001.0), 1.0 / std::sqrt(1001.0));
  EXPECT_NEAR(arma::var(naive, 1), 501.0, variance_tolerance(501.0, draws));
  EXPECT_NEAR(arma::var(cured, 1), 501.0 / 1001.0, variance_tolerance(0.5, draws));
  // Saturation: with N(0, 1) most |z| are beyond 4 (σ(4) = 0.982); after the cure almost none.
  EXPECT_GT(arma::mean(arma::conv_to<arma::vec>::from(arma::abs(naive) > 4.0)), 0.8);
  EXPECT_LT(arma::mean(arma::conv_to<arma::vec>::from(arma::abs(cured) > 4.0)), 1e-3);
}

// ---------------------------------------------------------------------------
// The initialisers: sample mean and variance against the formula
// ---------------------------------------------------------------------------
TEST(ch08_xavier_normal, VarianceIsTwoOverFanInPlusFanOut) {
  seed_everything(82);
  Network<double> net = wide_network();
  xavier_normal_init(net);
  const std::vector<Parameter<double>> p = net.parameters();
  for (int k : {0, 2}) {
    const arma::mat& W = *p[k].value;
    const double expected = 2.0 / double(W.n_rows + W.n_cols);
    EXPECT_NEAR(arma::mean(arma::vectorise(W)), 0.0, 5.0 * std::sqrt(expected / W.n_elem)) << p[k].name;
    EXPECT_NEAR(sample_variance(W), expected, variance_tolerance(expected, W.n_elem))
        << p[k].name << variance_diagnosis(sample_variance(W), W, expected);
  }
  EXPECT_EQ(arma::abs(*p[1].value).max(), 0.0);  // biases stay 0
}

TEST(ch08_he_init, VarianceIsTwoOverFanIn) {
  seed_everything(83);
  Network<double> net = wide_network();
  he_init(net);
  const std::vector<Parameter<double>> p = net.parameters();
  for (int k : {0, 2}) {
    const arma::mat& W = *p[k].value;
    const double expected = 2.0 / double(W.n_cols);  // n_in = columns of W
    EXPECT_NEAR(arma::mean(arma::vectorise(W)), 0.0, 5.0 * std::sqrt(expected / W.n_elem)) << p[k].name;
    EXPECT_NEAR(sample_variance(W), expected, variance_tolerance(expected, W.n_elem))
        << p[k].name << variance_diagnosis(sample_variance(W), W, expected);
  }
  EXPECT_EQ(arma::abs(*p[3].value).max(), 0.0);
}

TEST(Ch08Init, NormalAndXavierUniformByName) {
  seed_everything(84);
  Network<double> net = wide_network();
  initialise(net, "N(0,0.01²)");
  const arma::mat& W1 = *net.parameters()[0].value;
  EXPECT_NEAR(sample_variance(W1), 1e-4, variance_tolerance(1e-4, W1.n_elem));
  initialise(net, "Xavier");  // U(±√(6/(n_in + n_out))): variance 2/(n_in + n_out)
  const double limit = std::sqrt(6.0 / 700.0);
  EXPECT_LE(arma::abs(W1).max(), limit);
  EXPECT_NEAR(sample_variance(W1), 2.0 / 700.0, variance_tolerance(2.0 / 700.0, W1.n_elem));
  EXPECT_NE(test_support::message_of([&] { initialise(net, "LeCun"); }).find("LeCun"), std::string::npos);
}

// ---------------------------------------------------------------------------
// L2 and L1
// ---------------------------------------------------------------------------
TEST(ch08_l2_cost, HalfLambdaOverMTimesTheSquaredWeightsOnly) {
  Network<double> net = make_network<double>({2, 2, 1}, {"tanh", "identity"}, "mse");
  const std::vector<Parameter<double>> p = net.parameters();
  *p[0].value = {{1.0, 2.0}, {3.0, 4.0}};  // ‖W¹‖² = 30
  *p[1].value = {10.0, 10.0};              // biases: not in the penalty
  *p[2].value = {{1.0, -1.0}};             // ‖W²‖² = 2
  const L2Penalty<double> l2(0.5);
  const double lambda = 0.5, m = 4, expected = lambda / (2 * m) * 32.0;
  const double got = l2.cost(p, 4);
  EXPECT_DOUBLE_EQ(got, expected)  // (λ/2m) Σ ‖W‖²
      << "the penalty (λ/2m) Σ ‖W‖²"
      << test::diagnosis(
             got,
             {{2 * expected, "twice the penalty: is the 1/2 of λ/2m missing?"},
              {m * expected, "m = 4 times the penalty: is the 1/m of λ/2m missing?"},
              {lambda / (2 * m) * 232.0, "the biases are in it: only the weights (p.decays) are"},
              {lambda / (2 * m) * (std::sqrt(30.0) + std::sqrt(2.0)), "that is (λ/2m) Σ ‖W‖: is the norm squared?"}},
             1e-9);
}

TEST(ch08_l2_gradient, PassesTheGradientCheckThroughTheNetworksCost) {
  seed_everything(85);
  Network<double> net = make_network<double>({4, 5, 3}, {"tanh", "softmax"}, "cross_entropy");
  randomize_biases(net);
  net.set_penalty(std::make_unique<L2Penalty<double>>(0.8));
  const arma::mat X(4, 6, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 3, 6);
  EXPECT_LT(gradient_check(net, X, Y).overall, 1e-7);
}

TEST(ch08_l2_gradient, AddsLambdaOverMTimesWAndLeavesBiasesAlone) {
  seed_everything(86);
  Network<double> net = make_network<double>({4, 5, 3}, {"tanh", "softmax"}, "cross_entropy");
  randomize_biases(net);
  const arma::mat X(4, 6, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 3, 6);
  net.forward(X);
  net.backward(Y);
  const arma::vec plain = net.flatten_gradients();
  net.set_penalty(std::make_unique<L2Penalty<double>>(0.8));
  net.forward(X);
  net.backward(Y);
  const std::vector<Parameter<double>> p = net.parameters();
  arma::uword offset = 0;
  for (const Parameter<double>& entry : p) {
    const arma::uword n = entry.value->n_elem;
    const arma::vec added =
        net.flatten_gradients().subvec(offset, offset + n - 1) - plain.subvec(offset, offset + n - 1);
    const arma::vec expected =
        entry.decays ? arma::vec(0.8 / 6.0 * arma::vectorise(*entry.value)) : arma::vec(n, arma::fill::zeros);
    const double c = !entry.decays || arma::abs(added).max() == 0.0 ? 0.0  // added = c · (λ/m) W? (NaN: no c)
                     : test::clean_factor(added, expected) != 0.0   ? test::clean_factor(added, expected)
                                                                    : NAN;
    EXPECT_LT(arma::abs(added - expected).max(), 1e-14)
        << entry.name
        << (entry.decays ? test::diagnosis(c,
                                           {{0.5,
                                             "half of (λ/m) W: the 2 of ‖W‖²'s derivative "
                                             "cancels the 1/2 of λ/2m"},
                                            {6.0, "m = 6 times (λ/m) W: is the 1/m missing?"},
                                            {0.0,
                                             "nothing is added: is the penalty's gradient "
                                             "missing?"}},
                                           1e-6)
                         : ": the biases must not decay (only the parameters with p.decays)");
    offset += n;
  }
}

TEST(Ch08L1, SubgradientIsSignAndZeroAtZero) {
  Network<double> net = make_network<double>({2, 1}, {"identity"}, "mse");
  const std::vector<Parameter<double>> p = net.parameters();
  *p[0].value = {{0.0, -3.0}};
  *p[1].value = {5.0};
  p[0].gradient->zeros();
  p[1].gradient->zeros();
  const L1Penalty<double> l1(0.4);
  EXPECT_DOUBLE_EQ(l1.cost(p, 2), 0.4 / 2 * 3.0);  // (λ/m) Σ |w|, not the bias
  l1.add_gradient(p, 2);
  EXPECT_EQ((*p[0].gradient)(0, 0), 0.0);          // sign(0) = 0: defined, and it stays 0
  EXPECT_DOUBLE_EQ((*p[0].gradient)(0, 1), -0.2);  // (λ/m) sign(−3)
  EXPECT_EQ((*p[1].gradient)(0), 0.0);
}

TEST(Ch08L1, PassesTheGradientCheckAwayFromZero) {
  seed_everything(87);
  Network<double> net = make_network<double>({4, 5, 3}, {"tanh", "softmax"}, "cross_entropy");
  randomize_biases(net);
  net.set_penalty(std::make_unique<L1Penalty<double>>(0.3));
  const arma::mat X(4, 6, arma::fill::randn);
  EXPECT_LT(gradient_check(net, X, random_targets("cross_entropy", 3, 6)).overall, 1e-7);
}

// ---------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------
TEST(ch08_dropout_forward, KeepsTheExpectedActivation) {
  seed_everything(88);
  Dropout<double> dropout(0.8);
  const arma::mat a(100, 100, arma::fill::ones);
  arma::mat out;
  dropout.forward(a, out);
  // Each element is 1/0.8 with probability 0.8, else 0: mean 1, variance 0.25,
  // so the mean of 10,000 has a standard deviation of 0.005; five of them allowed.
  EXPECT_NEAR(arma::mean(arma::vectorise(out)), 1.0, 0.025);
  const double kept = arma::accu(out != 0.0) / 10000.0;
  EXPECT_NEAR(kept, 0.8, 5 * std::sqrt(0.8 * 0.2 / 10000));
  EXPECT_TRUE(arma::all(arma::vectorise((out == 0.0) + (arma::abs(out - 1.25) < 1e-12)) == 1));
}

// The forward pass's contract, which the backward pass relies on: mask() is d / keep_prob (each element 0 or
// 1/keep_prob) and the output is input ⊙ mask(). Storing d alone and dividing the output by keep_prob gives the
// same output, but a backward pass that uses the mask then misses the 1/keep_prob.
TEST(ch08_dropout_forward, TheMaskIsDOverKeepProbAndTheOutputIsInputTimesTheMask) {
  seed_everything(87);
  const double keep_prob = 0.8;
  Dropout<double> dropout(keep_prob);
  const arma::mat a(30, 40, arma::fill::randn);
  arma::mat out;
  dropout.forward(a, out);
  const arma::mat& mask = dropout.mask();
  ASSERT_EQ(mask.n_rows, a.n_rows) << "mask() has the input's shape";
  ASSERT_EQ(mask.n_cols, a.n_cols) << "mask() has the input's shape";
  const arma::uvec kept = arma::find(mask != 0.0);
  ASSERT_FALSE(kept.is_empty()) << "mask() is all zeros";
  const double value = mask(kept(0));
  EXPECT_TRUE(arma::all(arma::abs(mask.elem(kept) - 1.0 / keep_prob) < 1e-12))
      << "the kept elements of mask() are " << value << ", expected 1/keep_prob = " << 1.0 / keep_prob
      << (std::abs(value - 1.0) < 1e-12 ? ": mask() is d, not d / keep_prob (the backward pass uses mask() as it is)"
                                        : "");
  EXPECT_TRUE(arma::approx_equal(out, a % mask, "absdiff", 1e-12)) << "the output is not input ⊙ mask()";
}

TEST(Ch08Dropout, IsTheIdentityInEvaluationMode) {
  seed_everything(89);
  Dropout<double> dropout(0.5);
  dropout.set_training(false);
  const arma::mat a(7, 9, arma::fill::randn);
  arma::mat out;
  dropout.forward(a, out);
  EXPECT_TRUE(arma::approx_equal(out, a, "absdiff", 0.0));
}

TEST(ch08_dropout_forward, DrawsANewMaskEachPassUnlessHeld) {
  seed_everything(90);
  Dropout<double> dropout(0.5);
  const arma::mat a(20, 20, arma::fill::ones);
  arma::mat first, second, third;
  dropout.forward(a, first);
  dropout.forward(a, second);
  EXPECT_FALSE(arma::approx_equal(first, second, "absdiff", 0.0));
  dropout.hold_randomness(true);
  dropout.forward(a, third);
  EXPECT_TRUE(arma::approx_equal(second, third, "absdiff", 0.0));
}

TEST(ch08_dropout_backward, UsesTheForwardPassesMask) {
  seed_everything(91);
  Dropout<double> dropout(0.7);
  const arma::mat a(6, 8, arma::fill::randn), dout(6, 8, arma::fill::randn);
  arma::mat out, din;
  dropout.forward(a, out);
  dropout.backward(a, out, dout, din);
  const arma::mat expected = dout % dropout.mask();  // the dropped units get no gradient
  EXPECT_TRUE(arma::approx_equal(din, expected, "absdiff", 1e-15));
  EXPECT_TRUE(arma::all(arma::vectorise(din.elem(arma::find(out == 0.0))) == 0.0));
}

TEST(ch08_dropout_backward, PassesTheGradientCheckWithTheMaskHeld) {
  seed_everything(92);
  Network<double> net;
  net.add<Linear>(4, 6);
  net.add<Tanh>();
  net.add(std::make_unique<Dropout<double>>(0.6));
  net.add<Linear>(6, 3);
  net.set_loss<SoftmaxCrossEntropy>();
  randomize_biases(net);
  const arma::mat X(4, 5, arma::fill::randn);
  EXPECT_LT(gradient_check(net, X, random_targets("cross_entropy", 3, 5)).overall, 1e-7);
}

TEST(Ch08OriginalDropout, OneMaskPerUnitForTheWholeBatch) {
  seed_everything(92);
  OriginalDropout<double> dropout(0.5);
  const arma::mat a(200, 30, arma::fill::randu);
  arma::mat out;
  dropout.forward(a, out);
  for (arma::uword unit = 0; unit < a.n_rows; ++unit) {  // a unit is kept (a) or deleted (0) in every example
    const bool kept = dropout.unit_mask()(unit) == 1;
    EXPECT_TRUE(arma::approx_equal(out.row(unit), kept ? arma::mat(a.row(unit)) : arma::mat(1, 30, arma::fill::zeros),
                                   "absdiff", 0.0))
        << "unit " << unit;
  }
  const double kept_share = arma::mean(dropout.unit_mask());
  EXPECT_NEAR(kept_share, 0.5, 5 * 0.5 / std::sqrt(200.0));  // 200 units, each kept with probability 1/2
}

TEST(Ch08OriginalDropout, SameExpectationAsInvertedDropoutTimesKeepProb) {
  // E[training output] = keep_prob·a, the test-time output, and keep_prob times inverted dropout's E[a ⊙ d/keep_prob].
  seed_everything(93);
  const double keep = 0.3;
  OriginalDropout<double> original(keep);
  Dropout<double> inverted(keep);
  const arma::mat a = arma::mat(40, 8, arma::fill::randu) + 0.5;
  arma::mat sum_original(40, 8, arma::fill::zeros), sum_inverted(40, 8, arma::fill::zeros), out;
  const int batches = 20000;
  for (int k = 0; k < batches; ++k) {
    original.forward(a, out);
    sum_original += out;
    inverted.forward(a, out);
    sum_inverted += out;
  }
  arma::mat test_out;
  original.set_training(false);
  original.forward(a, test_out);
  EXPECT_TRUE(arma::approx_equal(test_out, keep * a, "absdiff", 1e-15));
  // sd of one entry's mean: a·√(keep(1 − keep)/batches) ≤ 1.5·0.0032 (original); /keep for inverted
  const double sd = 1.5 * std::sqrt(keep * (1 - keep) / batches);
  EXPECT_LT(arma::abs(sum_original / batches - keep * a).max(), 5 * sd);
  EXPECT_LT(arma::abs(keep * sum_inverted / batches - keep * a).max(), 5 * sd);
}

TEST(Ch08OriginalDropout, BackwardUsesTheSameUnitMaskAndPassesTheGradientCheckWhenHeld) {
  seed_everything(95);
  Network<double> net;
  net.add<Linear>(4, 6);
  net.add<ReLU>();
  net.add(std::make_unique<OriginalDropout<double>>(0.5));
  net.add<Linear>(6, 3);
  net.set_loss<SoftmaxCrossEntropy>();
  randomize_biases(net);
  const arma::mat X(4, 5, arma::fill::randn);
  EXPECT_LT(gradient_check(net, X, random_targets("cross_entropy", 3, 5)).overall, 1e-7);
}

TEST(Ch08Dropout, AModelLoadsIntoANetworkWithAnotherRate) {
  seed_everything(94);
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ch08_dropout_" + std::to_string(::getpid()) + ".bin");
  auto make = [](double keep) {
    Network<double> net;
    net.add<Linear>(3, 4);
    net.add<ReLU>();
    net.add(std::make_unique<Dropout<double>>(keep));
    net.add<Linear>(4, 2);
    net.set_loss<SoftmaxCrossEntropy>();
    return net;
  };
  Network<double> saved = make(0.5);
  save_model(saved, file);
  Network<double> loaded = make(0.8);
  load_model(loaded, file);
  std::filesystem::remove(file);
  const arma::mat X(3, 5, arma::fill::randn);
  EXPECT_TRUE(arma::all(saved.predict(X) == loaded.predict(X)));
  EXPECT_EQ(loaded.layer(2).name(), "Dropout(keep 0.8)");
}

// ---------------------------------------------------------------------------
// Early stopping on a scripted sequence of dev costs
// ---------------------------------------------------------------------------
TEST(ch08_early_stopping, ReturnsTheBestEpochsParametersAndStopsAfterThePatience) {
  Network<double> net = make_network<double>({2, 2}, {"identity"}, "mse");
  const std::vector<double> dev_costs = {1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.6, 0.5};
  EarlyStopping<double> stopping(3);
  int last = 0;
  for (int epoch = 1; epoch <= int(dev_costs.size()); ++epoch) {
    net.assign(arma::vec(net.parameter_count(), arma::fill::value(double(epoch))));  // θ of this epoch: all `epoch`
    last = epoch;
    if (!stopping.observe(epoch, dev_costs[epoch - 1], net)) break;
  }
  EXPECT_EQ(last, 6);  // epochs 4, 5, 6 brought nothing: stop after 6
  EXPECT_EQ(stopping.best_epoch(), 3);
  EXPECT_DOUBLE_EQ(stopping.best_cost(), 0.7);
  EXPECT_TRUE(stopping.stopped_early(last));
  stopping.restore_best(net);
  EXPECT_TRUE(arma::all(net.flatten() == 3.0));  // the best epoch's θ, not the last
}

TEST(ch08_early_stopping, MinDeltaIgnoresTinyImprovements) {
  Network<double> net = make_network<double>({2, 2}, {"identity"}, "mse");
  EarlyStopping<double> stopping(2, 0.01);
  EXPECT_TRUE(stopping.observe(1, 1.0, net));
  EXPECT_TRUE(stopping.observe(2, 0.995, net));  // better by less than 0.01: no progress
  EXPECT_FALSE(stopping.observe(3, 0.994, net));
  EXPECT_EQ(stopping.best_epoch(), 1);
}

// ---------------------------------------------------------------------------
// Normalising inputs: statistics from the training set only
// ---------------------------------------------------------------------------
TEST(ch08_normalize, StatisticsComeFromTheTrainingSetOnly) {
  seed_everything(95);
  const arma::mat train = arma::mat(3, 500, arma::fill::randn).each_col() % arma::vec{1.0, 10.0, 0.1};
  arma::mat shifted_train = train;
  shifted_train.each_col() += arma::vec{5.0, -20.0, 0.3};
  const arma::mat dev = arma::mat(3, 200, arma::fill::randn) + 100.0;  // far from the training set
  InputNormalizer<double> norm;
  norm.fit(shifted_train);
  EXPECT_LT(arma::abs(norm.mean - arma::mean(shifted_train, 1)).max(), 1e-12);
  const arma::vec biased_std =
      arma::sqrt(arma::mean(arma::square(shifted_train.each_col() - arma::mean(shifted_train, 1)), 1));
  EXPECT_LT(arma::abs(norm.std - biased_std).max(), 1e-12);  // σ² divides by m, not m − 1
  const arma::mat z = norm.transform(shifted_train);
  EXPECT_LT(arma::abs(arma::mean(z, 1)).max(), 1e-12);
  EXPECT_LT(arma::abs(arma::mean(arma::square(z), 1) - 1.0).max(), 1e-12);
  // The dev set goes through the training set's μ and σ: its mean is not 0.
  const arma::mat z_dev = norm.transform(dev);
  const arma::vec expected_first = (dev.col(0) - norm.mean) / norm.std;
  EXPECT_LT(arma::abs(z_dev.col(0) - expected_first).max(), 1e-12);
  EXPECT_GT(arma::abs(arma::mean(z_dev, 1)).min(), 1.0);
}

TEST(ch08_normalize, ConstantFeaturesAreOnlyCentred) {
  arma::mat train(2, 4, arma::fill::zeros);
  train.row(1) = arma::rowvec{1.0, 2.0, 3.0, 4.0};
  InputNormalizer<double> norm;
  norm.fit(train);
  EXPECT_EQ(norm.std(0), 1.0);
  const arma::mat z = norm.transform(arma::mat(arma::colvec{0.5, 2.5}));
  EXPECT_DOUBLE_EQ(z(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(z(1, 0), 0.0);
  EXPECT_NE(test_support::message_of([&] { norm.transform(arma::mat(3, 1, arma::fill::zeros)); }).find("3 rows"),
            std::string::npos);
}

// ---------------------------------------------------------------------------
// Bias and variance: note 001 §1.2's table
// ---------------------------------------------------------------------------
TEST(Ch08BiasVariance, TheTableOfNote001) {
  EXPECT_EQ(diagnose(0.01, 0.11).verdict(), "high variance");
  EXPECT_EQ(diagnose(0.15, 0.16).verdict(), "high bias");
  EXPECT_EQ(diagnose(0.15, 0.30).verdict(), "high bias and high variance");
  EXPECT_EQ(diagnose(0.005, 0.01).verdict(), "low bias, low variance");
  // With a Bayes error of 15% (blurry images), 15%/16% is no longer high bias.
  EXPECT_EQ(diagnose(0.15, 0.16, 0.15).verdict(), "low bias, low variance");
}

}  // namespace
