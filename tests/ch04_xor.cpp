// Chapter 4: the 2-2-1 XOR network.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "chapters/04_xor/xor.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"
#include "exercises/compare.hpp"

namespace {

using course::test::close_parts;
using course::test::equal_parts;

using course::ch04::XorData;
using course::ch04::XorNetwork;

// Hand-set weights, and the values computed by hand (σ(1) = 0.7310585786, σ(2) = 0.8807970780,
// σ(3) = 0.9525741268):
//   W1 = [1 2; −1 0], b1 = [0; 1], W2 = [2 −1], b2 = 0.5
//   x = (0,0): z1 = (0, 1), a1 = (0.5, 0.7310585786),          z2 = 1 − 0.7310585786 + 0.5 = 0.7689414214, a2 = 0.6832918574
//   x = (0,1): z1 = (2, 1), a1 = (0.8807970780, 0.7310585786), z2 = 1.5305355773, a2 = 0.8220846621
//   x = (1,0): z1 = (1, 0), a1 = (0.7310585786, 0.5),          z2 = 1.4621171573, a2 = 0.8118562749
//   x = (1,1): z1 = (3, 0), a1 = (0.9525741268, 0.5),          z2 = 1.9051482536, a2 = 0.8704730976
XorNetwork hand_set_network() {
  XorNetwork net;
  net.W1 = arma::mat{{1.0, 2.0}, {-1.0, 0.0}};
  net.b1 = arma::vec{0.0, 1.0};
  net.W2 = arma::mat{{2.0, -1.0}};
  net.b2 = 0.5;
  return net;
}

TEST(ch04_forward, HandSetWeightsGiveHandComputedValues) {
  const XorData data = course::ch04::xor_data();
  const course::ch04::Forward f = course::ch04::forward(hand_set_network(), data.X);
  const arma::mat Z1{{0.0, 2.0, 1.0, 3.0}, {1.0, 1.0, 0.0, 0.0}};
  const arma::mat A1{{0.5, 0.8807970780, 0.7310585786, 0.9525741268}, {0.7310585786, 0.7310585786, 0.5, 0.5}};
  const arma::rowvec Z2{0.7689414214, 1.5305355773, 1.4621171573, 1.9051482536};
  const arma::rowvec A2{0.6832918574, 0.8220846621, 0.8118562749, 0.8704730976};
  EXPECT_PARTS(equal_parts({{"Z1", f.Z1, Z1}, {"A1", f.A1, A1}, {"Z2", f.Z2, Z2}, {"A2", f.A2, A2}}, 1e-10));
}

TEST(ch04_forward, ClassicSolutionComputesXor) {
  // h1 = OR, h2 = NAND, output = AND of the two.
  XorNetwork net;
  net.W1 = arma::mat{{20.0, 20.0}, {-20.0, -20.0}};
  net.b1 = arma::vec{-10.0, 30.0};
  net.W2 = arma::mat{{20.0, 20.0}};
  net.b2 = -30.0;
  const XorData data = course::ch04::xor_data();
  const course::ch04::Forward f = course::ch04::forward(net, data.X);
  EXPECT_PARTS(equal_parts({{"A2", f.A2, data.Y}}, 1e-4));
}

// The test's own forward pass and cost, so that the backward pass is checked against a reference of its
// own: a mistake in the learner's forward (or σ) is reported by ch04.forward's tests, not blamed on backward.
arma::mat reference_sigmoid(const arma::mat& z) { return 1.0 / (1.0 + arma::exp(-z)); }

course::ch04::Forward reference_forward(const XorNetwork& net, const arma::mat& X) {
  course::ch04::Forward f;
  f.Z1 = net.W1 * X;
  f.Z1.each_col() += net.b1;
  f.A1 = reference_sigmoid(f.Z1);
  f.Z2 = net.W2 * f.A1 + net.b2;
  f.A2 = reference_sigmoid(f.Z2);
  return f;
}

double reference_cost(const arma::rowvec& A2, const arma::rowvec& Y) {
  return -arma::accu(Y % arma::log(A2) + (1.0 - Y) % arma::log(1.0 - A2)) / double(Y.n_elem);
}

// J(θ) for one parameter block replaced by θ.
double cost_with(XorNetwork net, int block, const arma::mat& theta, const XorData& data) {
  switch (block) {
    case 0:
      net.W1 = theta;
      break;
    case 1:
      net.b1 = theta;
      break;
    case 2:
      net.W2 = theta;
      break;
    default:
      net.b2 = theta(0, 0);
      break;
  }
  return reference_cost(reference_forward(net, data.X).A2, data.Y);
}

TEST(ch04_backward, MatchesNumericalGradient) {
  course::seed_everything(4);
  const XorData data = course::ch04::xor_data();
  for (int trial = 0; trial < 3 && !HasFailure(); ++trial) {  // the first trial that fails is enough
    const XorNetwork net = course::ch04::random_network(1.0);
    const course::ch04::Gradients g = course::ch04::backward(net, data.X, data.Y, reference_forward(net, data.X));
    const arma::mat blocks[4] = {net.W1, arma::mat(net.b1), net.W2, arma::mat(1, 1, arma::fill::value(net.b2))};
    arma::mat numerical[4];
    for (int block = 0; block < 4; ++block) {
      numerical[block] = course::numerical_gradient(
          [&](const arma::mat& theta) { return cost_with(net, block, theta, data); }, blocks[block]);
    }
    EXPECT_PARTS(close_parts({{"dW1", g.dW1, numerical[0]},
                              {"dB1", g.dB1, numerical[1]},
                              {"dW2", g.dW2, numerical[2]},
                              {"dB2", g.dB2, numerical[3](0, 0)}},
                             1e-7, double(data.X.n_cols)))
        << "(random weights, trial " << trial + 1 << " of 3)";
  }
}

TEST(ch04_backward, IntermediateGradientsOnHandSetWeights) {
  const XorData data = course::ch04::xor_data();
  const XorNetwork net = hand_set_network();
  const course::ch04::Forward f = reference_forward(net, data.X);
  const course::ch04::Gradients g = course::ch04::backward(net, data.X, data.Y, f);
  // (13) dZ2 = (A2 − Y)/m with m = 4
  const arma::rowvec dZ2 = (arma::rowvec{0.6832918574, 0.8220846621, 0.8118562749, 0.8704730976} - data.Y) / 4.0;
  EXPECT_PARTS(equal_parts({{"dZ2", g.dZ2, dZ2},                // (13)
                            {"dB2", g.dB2, arma::accu(dZ2)},    // (15)
                            {"dA1", g.dA1, net.W2.t() * dZ2}},  // (16)
                           1e-10, double(data.X.n_cols)));
  EXPECT_PARTS(equal_parts({{"dsigma1", g.dsigma1, f.A1 % (1.0 - f.A1)}}, 1e-15));  // (17) σ'(Z1)
  EXPECT_NEAR(g.dsigma1(0, 0), 0.25, 1e-15);                                        // σ'(0) = ¼
}

TEST(Ch04Xor, LogisticRegressionCannotSolveIt) {
  course::seed_everything(42);
  const XorData data = course::ch04::xor_data();
  course::ch01::Parameters start;
  start.w = arma::vec(2, arma::fill::randn);
  start.b = 0.0;
  const course::ch01::TrainingRun run =
      course::ch01::train(course::ch01::Method::vectorized, start, data.X, data.Y, 2000, 4.0);
  const arma::rowvec a = course::ch01::predict_probability(run.parameters, data.X);
  EXPECT_GT(run.costs.back(), std::log(2.0) - 1e-6);  // stuck at ln 2
  EXPECT_LT(arma::abs(a - 0.5).max(), 1e-3);          // 0.5 for all four points
  EXPECT_FALSE(course::ch04::solved(a, data.Y));
}

TEST(Ch04Xor, DefaultSeedReachesTheGoal) {
  course::seed_everything(42);
  const XorData data = course::ch04::xor_data();
  const course::ch04::TrainingRun run = course::ch04::train(course::ch04::random_network(), data, 10000, 4.0);
  const course::ch04::Forward f = course::ch04::forward(run.net, data.X);
  EXPECT_GT(run.solved_at, 0);
  EXPECT_DOUBLE_EQ(course::ch04::accuracy(f.A2, data.Y), 1.0);
  EXPECT_LT(arma::abs(f.A2 - data.Y).max(), 0.05);
}

TEST(Ch04Xor, AtLeast18Of20SeedsSolveIt) {
  const XorData data = course::ch04::xor_data();
  int solved = 0;
  for (unsigned long seed = 1; seed <= 20; ++seed) {
    course::seed_everything(seed);
    const course::ch04::TrainingRun run =
        course::ch04::train(course::ch04::random_network(), data, 10000, 4.0, /*extra_epochs=*/0);
    if (run.solved_at > 0) ++solved;
  }
  EXPECT_GE(solved, 18);
}

TEST(Ch04Xor, SymmetricStartKeepsHiddenUnitsIdentical) {
  const XorData data = course::ch04::xor_data();
  for (double value : {0.0, 0.5, -0.3}) {
    const course::ch04::TrainingRun run = course::ch04::train(course::ch04::constant_network(value), data, 500, 4.0);
    EXPECT_TRUE(arma::approx_equal(run.net.W1.row(0), run.net.W1.row(1), "absdiff", 0.0)) << value;
    EXPECT_EQ(run.net.b1(0), run.net.b1(1)) << value;
    EXPECT_EQ(run.net.W2(0, 0), run.net.W2(0, 1)) << value;
    EXPECT_LT(run.solved_at, 0) << value;  // a network with one effective hidden unit cannot solve XOR
  }
  // From exactly zero the gradient itself is zero: nothing moves at all.
  const XorNetwork zero = course::ch04::constant_network(0.0);
  const course::ch04::Gradients g = course::ch04::backward(zero, data.X, data.Y, course::ch04::forward(zero, data.X));
  EXPECT_EQ(arma::abs(g.dW1).max(), 0.0);
  EXPECT_EQ(arma::abs(g.dW2).max(), 0.0);
  EXPECT_EQ(g.dB2, 0.0);
}

}  // namespace
