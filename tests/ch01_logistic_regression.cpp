// Chapter 1: logistic regression. Suites named ch01_<exercise> test that exercise.
#include <gtest/gtest.h>

#include <cmath>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"
#include "exercises/compare.hpp"

using namespace course::ch01;
using course::test::close_parts;
using course::test::equal_parts;

namespace {

// A small random problem: n_x features, m examples, labels 0/1, and a random point (w, b).
struct Problem {
  arma::mat X;
  arma::rowvec y;
  Parameters p;
};

Problem random_problem(arma::uword n_x, arma::uword m, unsigned long seed) {
  course::seed_everything(seed);
  Problem pr;
  pr.X = arma::mat(n_x, m, arma::fill::randn);
  pr.y = arma::conv_to<arma::rowvec>::from(arma::rowvec(m, arma::fill::randu) > 0.5);
  pr.p.w = arma::vec(n_x, arma::fill::randn) * 0.5;
  pr.p.b = 0.3;
  return pr;
}

// The test's own σ and J, so that a gradient's expected value does not depend on the learner's
// sigmoid and cost (each exercise has tests of its own: a verdict is about one exercise).
double reference_cost(const arma::vec& w, double b, const arma::mat& X, const arma::rowvec& y) {
  const arma::rowvec a = arma::clamp(1.0 / (1.0 + arma::exp(-(w.t() * X + b))), cost_floor, 1.0 - cost_floor);
  return -arma::accu(y % arma::log(a) + (1.0 - y) % arma::log(1.0 - a)) / double(y.n_elem);
}

// The gradient a correct answer gives at pr.p: numerical (J at θ = [w; b] ± ε), or by the vectorized
// formulas of note 001 §3.1.
struct Expected {
  arma::vec dw;
  double db = 0.0;
  double cost = 0.0;
};

Expected numerical(const Problem& pr) {
  const arma::uword n_x = pr.X.n_rows;
  const arma::mat theta = arma::join_cols(arma::mat(pr.p.w), arma::mat(1, 1, arma::fill::value(pr.p.b)));
  const arma::mat g = course::numerical_gradient(
      [&](const arma::mat& t) { return reference_cost(t.col(0).head(n_x), t(n_x, 0), pr.X, pr.y); }, theta);
  return {g.col(0).head(n_x), g(n_x, 0), reference_cost(pr.p.w, pr.p.b, pr.X, pr.y)};
}

Expected vectorized_formulas(const Problem& pr) {
  const double m = double(pr.X.n_cols);
  const arma::rowvec dZ = 1.0 / (1.0 + arma::exp(-(pr.p.w.t() * pr.X + pr.p.b))) - pr.y;
  return {pr.X * dZ.t() / m, arma::accu(dZ) / m, reference_cost(pr.p.w, pr.p.b, pr.X, pr.y)};
}

arma::mat stacked(const Parameters& p) {
  return arma::join_cols(arma::mat(p.w), arma::mat(1, 1, arma::fill::value(p.b)));
}

}  // namespace

// --- σ -----------------------------------------------------------------------

TEST(ch01_sigmoid, KnownValues) {
  const arma::mat z = {{0.0, 2.0, -2.0, 4.0}};
  const arma::mat a = sigmoid(z);
  ASSERT_EQ(a.n_rows, 1u);
  ASSERT_EQ(a.n_cols, 4u);
  EXPECT_DOUBLE_EQ(a(0, 0), 0.5);                    // σ(0) = 1/2
  EXPECT_NEAR(a(0, 1), 0.8807970779778823, 1e-15);   // σ(2) = 1 / (1 + e^{-2})
  EXPECT_NEAR(a(0, 2), 0.11920292202211755, 1e-15);  // σ(−2)
  EXPECT_NEAR(a(0, 3), 0.9820137900379085, 1e-15);   // σ(4) ≈ 0.98 (the slowdown start)
}

TEST(ch01_sigmoid, SymmetryAndLimits) {
  course::seed_everything(1);
  const arma::mat z(5, 7, arma::fill::randn);
  const arma::mat z_scaled = 5.0 * z;
  const arma::mat a = sigmoid(z_scaled);
  const arma::mat a_minus = sigmoid(arma::mat(-z_scaled));
  EXPECT_EQ(a.n_rows, 5u);
  EXPECT_EQ(a.n_cols, 7u);
  EXPECT_LT(arma::abs(a_minus - (1.0 - a)).max(), 1e-15);  // σ(−z) = 1 − σ(z)
  EXPECT_NEAR(sigmoid(arma::mat(1, 1, arma::fill::value(50.0)))(0, 0), 1.0, 1e-15);
  EXPECT_NEAR(sigmoid(arma::mat(1, 1, arma::fill::value(-50.0)))(0, 0), 0.0, 1e-15);
}

// The one sigmoid of the course is a template: chapter 3's layers use it in float too.
TEST(ch01_sigmoid, FloatAgreesWithDouble) {
  const arma::mat z = {{0.0, 2.0, -2.0, 40.0, -40.0}};
  const arma::fmat a = sigmoid(arma::fmat(arma::conv_to<arma::fmat>::from(z)));
  ASSERT_EQ(a.n_rows, 1u);
  ASSERT_EQ(a.n_cols, 5u);
  EXPECT_LT(arma::abs(arma::conv_to<arma::mat>::from(a) - sigmoid(z)).max(), 1e-7);
  EXPECT_FLOAT_EQ(a(0, 0), 0.5f);
  EXPECT_GE(a(0, 4), 0.0f);  // σ(−40) underflows towards 0 but stays inside [0, 1]
  EXPECT_FLOAT_EQ(a(0, 3), 1.0f);
}

TEST(ch01_sigmoid, DerivativeIsSigmaTimesOneMinusSigma) {
  course::seed_everything(2);
  const arma::mat z(3, 4, arma::fill::randn);
  const arma::mat a = sigmoid(z);
  const arma::mat numeric = course::numerical_derivative([](const arma::mat& v) { return sigmoid(v); }, z);
  EXPECT_LT(course::relative_error(numeric, arma::mat(a % (1.0 - a))), 1e-7);  // σ' = σ(1 − σ)
}

// --- the cost ----------------------------------------------------------------

TEST(ch01_cost, HandWorkedExample) {
  // a = (0.9, 0.2), y = (1, 0): J = −(log 0.9 + log 0.8) / 2 = (0.10536 + 0.22314) / 2
  EXPECT_NEAR(cost(arma::rowvec{0.9, 0.2}, arma::rowvec{1.0, 0.0}), 0.164252033486018, 1e-14);
  // One example, a = 0.5: J = log 2 whatever the label.
  EXPECT_NEAR(cost(arma::rowvec{0.5}, arma::rowvec{1.0}), std::log(2.0), 1e-15);
  EXPECT_NEAR(cost(arma::rowvec{0.5}, arma::rowvec{0.0}), std::log(2.0), 1e-15);
}

TEST(ch01_cost, ConfidentAndRightIsNearZeroConfidentAndWrongIsLarge) {
  EXPECT_LT(cost(arma::rowvec{0.999999, 0.000001}, arma::rowvec{1.0, 0.0}), 1e-5);
  const double wrong = cost(arma::rowvec{1.0, 0.0}, arma::rowvec{0.0, 1.0});  // a exactly 0 or 1: clamped, finite
  EXPECT_TRUE(std::isfinite(wrong));
  EXPECT_GT(wrong, 30.0);  // −log(1e-15) ≈ 34.5
}

TEST(Ch01Shapes, MismatchedShapesNameBothShapes) {
  Parameters p = zero_parameters(3);
  const arma::mat X(4, 5, arma::fill::zeros);
  const arma::rowvec y(5, arma::fill::zeros);
  try {
    gradients_vectorized(p, X, y);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("3 × 1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("4 × 5"), std::string::npos) << msg;
  }
  EXPECT_THROW(cost(arma::rowvec{0.5, 0.5}, arma::rowvec{1.0}), std::invalid_argument);
}

// --- the gradient: loops, vectorized, numerical ------------------------------

TEST(ch01_gradients_loop, MatchesNumericalGradient) {
  const Problem pr = random_problem(6, 9, 3);
  const Gradients g = gradients_loop(pr.p, pr.X, pr.y);
  const Expected e = numerical(pr);
  EXPECT_PARTS(close_parts({{"dw", g.dw, e.dw}, {"db", g.db, e.db}}, 1e-7, double(pr.X.n_cols)));
  EXPECT_NEAR(g.cost, e.cost, 1e-12) << "the cost J";
}

TEST(ch01_gradients_vectorized, MatchesNumericalGradient) {
  const Problem pr = random_problem(6, 9, 4);
  const Gradients g = gradients_vectorized(pr.p, pr.X, pr.y);
  const Expected e = numerical(pr);
  EXPECT_PARTS(close_parts({{"dw", g.dw, e.dw}, {"db", g.db, e.db}}, 1e-7, double(pr.X.n_cols)));
  EXPECT_NEAR(g.cost, e.cost, 1e-12) << "the cost J";
}

TEST(ch01_gradients_vectorized, HandWorkedOneExample) {
  // x = (1, 2), y = 1, w = 0, b = 0: a = 0.5, dz = −0.5, dw = x dz = (−0.5, −1), db = −0.5, J = log 2.
  Parameters p = zero_parameters(2);
  const Gradients g = gradients_vectorized(p, arma::mat(arma::vec{1.0, 2.0}), arma::rowvec{1.0});
  EXPECT_PARTS(equal_parts({{"dw", g.dw, arma::vec{-0.5, -1.0}}, {"db", g.db, -0.5}}, 1e-15));
  EXPECT_NEAR(g.cost, std::log(2.0), 1e-15) << "the cost J";
}

// The loop against the vectorized formulas (written in this test: the learner's gradients_vectorized has
// tests of its own, so that a mistake there is not blamed on the loop).
TEST(ch01_gradients_loop, EqualsVectorizedOnRandomData) {
  const Problem pr = random_problem(50, 200, 5);
  const Gradients loop = gradients_loop(pr.p, pr.X, pr.y);
  const Expected vec = vectorized_formulas(pr);
  EXPECT_PARTS(close_parts({{"dw", loop.dw, vec.dw}, {"db", loop.db, vec.db}}, 1e-12, double(pr.X.n_cols)));
  EXPECT_NEAR(loop.cost, vec.cost, 1e-12) << "the cost J";
}

// --- the update and the predictions -----------------------------------------

TEST(ch01_update, OneStepDownhill) {
  Parameters p;
  p.w = arma::vec{1.0, -2.0};
  p.b = 0.5;
  Gradients g;
  g.dw = arma::vec{0.2, -0.4};
  g.db = 1.0;
  update(p, g, 0.5);  // w := w − α dw, b := b − α db with α = 0.5
  EXPECT_NEAR(p.w[0], 0.9, 1e-15);
  EXPECT_NEAR(p.w[1], -1.8, 1e-15);
  EXPECT_NEAR(p.b, 0.0, 1e-15);
}

TEST(ch01_predict, ThresholdAtOneHalf) {
  Parameters p;
  p.w = arma::vec{1.0, -1.0};
  p.b = 0.0;
  const arma::mat X = {{2.0, 0.0, 1.0, 0.1}, {1.0, 3.0, 1.0, 0.0}};  // z = 1, −3, 0, 0.1
  const arma::urowvec predicted = predict(p, X);
  ASSERT_EQ(predicted.n_elem, 4u);
  EXPECT_EQ(predicted[0], 1u);
  EXPECT_EQ(predicted[1], 0u);
  EXPECT_EQ(predicted[2], 0u);  // ŷ = 0.5 exactly is not > 0.5
  EXPECT_EQ(predicted[3], 1u);
  EXPECT_DOUBLE_EQ(accuracy(p, X, arma::rowvec{1.0, 0.0, 1.0, 1.0}), 0.75);
}

// --- training ------------------------------------------------------------------

TEST(Ch01Training, LoopAndVectorizedReachTheSameWeights) {
  const Problem pr = random_problem(30, 120, 6);
  const TrainingRun loop = train(Method::loop, pr.p, pr.X, pr.y, 25, 0.3);
  const TrainingRun vec = train(Method::vectorized, pr.p, pr.X, pr.y, 25, 0.3);
  EXPECT_LT(course::relative_error(stacked(loop.parameters), stacked(vec.parameters)), 1e-12);
  EXPECT_LT(arma::abs(loop.parameters.w - vec.parameters.w).max(), 1e-12);
  EXPECT_NEAR(loop.parameters.b, vec.parameters.b, 1e-12);
}

TEST(Ch01Training, CostDecreases) {
  const Problem pr = random_problem(10, 80, 7);
  const TrainingRun run = train(Method::vectorized, zero_parameters(10), pr.X, pr.y, 50, 0.1);
  ASSERT_EQ(run.costs.size(), 51u);
  EXPECT_NEAR(run.costs.front(), std::log(2.0), 1e-12);  // w = 0, b = 0: a = 1/2 everywhere
  for (std::size_t k = 1; k < run.costs.size(); ++k) EXPECT_LE(run.costs[k], run.costs[k - 1]) << "step " << k;
  EXPECT_LT(run.costs.back(), run.costs.front());
}

TEST(Ch01Training, BinaryTaskKeepsTwoDigits) {
  course::Dataset data;
  data.X = arma::fmat(2, 5, arma::fill::zeros);
  for (arma::uword i = 0; i < 5; ++i) data.X(0, i) = static_cast<float>(i);
  data.y = arma::Row<std::uint8_t>{3, 5, 7, 5, 3};
  const BinaryTask task = binary_task(data, 3, 5);
  ASSERT_EQ(task.X.n_cols, 4u);
  EXPECT_EQ(task.X.n_rows, 2u);
  EXPECT_TRUE(arma::approx_equal(task.y, arma::rowvec{1.0, 0.0, 0.0, 1.0}, "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(task.X.row(0), arma::rowvec{0.0, 1.0, 3.0, 4.0}, "absdiff", 0.0));
  EXPECT_THROW(binary_task(data, 3, 3), std::invalid_argument);
}

// The real thing on the embedded MNIST sample: 3 against 5.
TEST(Ch01Training, AccuracyOnTheEmbeddedSample) {
  course::seed_everything(1);
  const course::Mnist sample = course::load_dataset("sample", course::sample_dir());
  const BinaryTask train_set = binary_task(sample.train, 3, 5);
  const BinaryTask test_set = binary_task(sample.test, 3, 5);
  ASSERT_GT(train_set.X.n_cols, 50u);
  ASSERT_GT(test_set.X.n_cols, 20u);
  const TrainingRun run =
      train(Method::vectorized, zero_parameters(train_set.X.n_rows), train_set.X, train_set.y, 100, 0.5);
  const double test_accuracy = accuracy(run.parameters, test_set.X, test_set.y);
  EXPECT_GT(test_accuracy, 0.85) << "3 vs 5 on the sample, 100 steps at α = 0.5";
  EXPECT_LT(run.costs.back(), 0.5 * run.costs.front());
}

// --- the learning slowdown (note 000) -------------------------------------------

TEST(Ch01Slowdown, StartIsBadlyWrong) {
  const NeuronGradient g = neuron_gradient(NeuronCost::quadratic, Neuron{2.0, 2.0}, 1.0, 0.0);
  EXPECT_NEAR(g.output, 0.98, 0.005);  // σ(4) ≈ 0.98 (note 000)
  EXPECT_NEAR(g.output, 0.9820137900379085, 1e-15);
}

TEST(Ch01Slowdown, FirstGradientsDifferBySigmaPrime) {
  const Neuron start{2.0, 2.0};
  const NeuronGradient quadratic = neuron_gradient(NeuronCost::quadratic, start, 1.0, 0.0);
  const NeuronGradient cross_entropy = neuron_gradient(NeuronCost::cross_entropy, start, 1.0, 0.0);
  // ∂C/∂w: (a − y) σ'(z) x against (a − y) x: their ratio is σ'(4) = σ(4)(1 − σ(4)) ≈ 0.0177.
  EXPECT_NEAR(quadratic.dw / cross_entropy.dw, 0.017662706213291107, 1e-12);
  EXPECT_NEAR(quadratic.db / cross_entropy.db, 0.017662706213291107, 1e-12);
  // Each gradient against a numerical derivative of its cost.
  for (NeuronCost kind : {NeuronCost::quadratic, NeuronCost::cross_entropy}) {
    const NeuronGradient g = neuron_gradient(kind, start, 1.0, 0.0);
    const arma::mat theta(arma::vec{start.w, start.b});
    const arma::mat numeric = course::numerical_gradient(
        [&](const arma::mat& t) {
          return neuron_gradient(kind, Neuron{t(0, 0), t(1, 0)}, 1.0, 0.0).cost;
        },
        theta);
    EXPECT_LT(course::relative_error(arma::mat(arma::vec{g.dw, g.db}), numeric), 1e-7);
  }
}

TEST(Ch01Slowdown, QuadraticStartsSlowCrossEntropyDoesNot) {
  const SlowdownRun quadratic = slowdown(NeuronCost::quadratic, Neuron{2.0, 2.0}, 1.0, 0.0, 0.15, 300);
  const SlowdownRun cross_entropy = slowdown(NeuronCost::cross_entropy, Neuron{2.0, 2.0}, 1.0, 0.0, 0.005, 300);
  ASSERT_EQ(quadratic.cost.size(), 301u);
  ASSERT_EQ(cross_entropy.cost.size(), 301u);
  const auto drop = [](const SlowdownRun& r, std::size_t epoch) { return r.cost[epoch] - r.cost[epoch + 1]; };
  // Quadratic: the first step barely moves the cost; by epoch 200 it falls 50× faster.
  EXPECT_GT(drop(quadratic, 200), 50.0 * drop(quadratic, 0));
  EXPECT_GT(quadratic.output[50], 0.97);  // still ≈ 0.98 after 50 epochs: the plateau
  EXPECT_LT(quadratic.output.back(), 0.25);
  // Cross-entropy: the cost falls fastest at the very start, when the neuron is most wrong.
  for (std::size_t epoch = 1; epoch < 300; ++epoch)
    EXPECT_LE(drop(cross_entropy, epoch), drop(cross_entropy, 0)) << epoch;
  EXPECT_LT(cross_entropy.output.back(), cross_entropy.output.front());
}
