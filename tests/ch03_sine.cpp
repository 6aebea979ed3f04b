// Chapter 3: the 1-3-1 network reaches the chapter's goal on the sine data.
#include <gtest/gtest.h>

#include <armadillo>

#include "chapters/03_activations/metrics.hpp"
#include "chapters/03_activations/sine.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"

namespace {

using Sets = course::TrainDevTest<course::RegressionData>;

Sets sine_sets(std::size_t m, unsigned long seed) {
  course::seed_everything(seed);
  return course::split_in_order(course::make_sine_data(m, 0.025, course::rng()), m, 0.6, 0.2);
}

TEST(Ch03Sine, DataSplitSixtyTwentyTwenty) {
  const Sets sets = sine_sets(500, 42);
  EXPECT_EQ(sets.train.x.n_cols, 300u);
  EXPECT_EQ(sets.dev.x.n_cols, 100u);
  EXPECT_EQ(sets.test.x.n_cols, 100u);
  EXPECT_GT(sets.train.y.min(), 0.0);  // the targets stay away from 0: MAPE is defined
}

TEST(Ch03Sine, NetworkReachesRSquared098OnTheTestSet) {
  Sets sets = sine_sets(500, 42);
  course::SineNetwork net = course::make_sine_network(3);
  const course::TrainingSettings settings{3000, 0.5, 10};
  course::train_minibatch(net, sets.train.x, sets.train.y, sets.dev.x, sets.dev.y, settings, course::rng(), 3000);
  const double r2 = course::r_squared(net.forward(sets.test.x), sets.test.y);
  EXPECT_GE(r2, 0.98);

  course::SineLine line = course::make_linear_model();
  course::train_minibatch(line, sets.train.x, sets.train.y, sets.dev.x, sets.dev.y, {300, 0.5, 10}, course::rng(), 300);
  const double r2_line = course::r_squared(line.forward(sets.test.x), sets.test.y);
  EXPECT_LT(r2_line, 0.8);  // a straight line cannot follow the sine
}

TEST(Ch03Sine, SameSeedSameNetwork) {
  arma::mat out[2];
  for (int run = 0; run < 2; ++run) {
    Sets sets = sine_sets(100, 7);
    course::SineNetwork net = course::make_sine_network(3);
    course::train_minibatch(net, sets.train.x, sets.train.y, sets.dev.x, sets.dev.y, {20, 0.5, 10}, course::rng(), 20);
    out[run] = net.forward(sets.test.x);
  }
  EXPECT_TRUE(arma::approx_equal(out[0], out[1], "absdiff", 0.0));
}

// The hand-chained backward pass of two_layer.hpp against J's numerical gradient,
// every parameter of a 2-4-3 network with the same cost.
TEST(Ch03Sine, HandChainedBackwardMatchesNumericalGradient) {
  course::seed_everything(3);
  course::SineNetwork net(course::Linear<double>(2, 4), course::Linear<double>(4, 3));
  net.hidden.bias.randn();
  net.output.bias.randn();
  const arma::mat X(2, 7, arma::fill::randn), Y(3, 7, arma::fill::randn);
  net.forward(X);
  net.backward(Y);
  for (const course::Parameter<double>& p : net.parameters()) {
    const arma::mat analytic = *p.gradient;
    const arma::mat numerical = course::numerical_gradient(
        [&](const arma::mat& theta) {
          const arma::mat saved = *p.value;
          *p.value = theta;
          net.forward(X);
          const double J = net.cost(Y);
          *p.value = saved;
          return J;
        },
        arma::mat(*p.value));
    EXPECT_LT(course::relative_error(analytic, numerical), 1e-7) << p.name;
  }
}

}  // namespace
