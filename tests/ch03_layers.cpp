// Chapter 3: every layer's backward pass and every loss's gradient against a
// numerical gradient (double precision, seeded, relative-error gate).
#include <gtest/gtest.h>

#include <armadillo>
#include <memory>
#include <string>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"

namespace {

using course::relative_error;
using Mat = arma::mat;

// J(input) = Σ G ⊙ layer(input) for a fixed random G: then ∂J/∂output = G, and
// the layer's backward(dout = G) must give ∂J/∂input and ∂J/∂(each parameter).
void expect_backward_matches_numerical(course::Layer<double>& layer, const Mat& input, arma::uword n_out,
                                       double gate = 1e-7) {
  const Mat G(n_out, input.n_cols, arma::fill::randn);
  Mat output, dinput;
  layer.forward(input, output);
  layer.backward(input, output, G, dinput);

  auto J_of_input = [&](const Mat& x) {
    Mat out;
    layer.forward(x, out);
    return arma::accu(G % out);
  };
  const Mat dinput_numerical = course::numerical_gradient(J_of_input, input);
  EXPECT_LT(relative_error(dinput, dinput_numerical), gate) << layer.name() << ": dinput";

  const std::vector<course::Parameter<double>> params = layer.parameters();
  for (std::size_t k = 0; k < params.size(); ++k) {
    const Mat analytic = *params[k].gradient;
    Mat& theta = *params[k].value;
    auto J_of_param = [&](const Mat& value) {
      const Mat saved = theta;
      theta = value;
      Mat out;
      layer.forward(input, out);
      theta = saved;
      return arma::accu(G % out);
    };
    const Mat numerical = course::numerical_gradient(J_of_param, Mat(theta));
    EXPECT_LT(relative_error(analytic, numerical), gate) << layer.name() << ": parameter " << params[k].name;
  }
}

TEST(Ch03Layers, LinearBackwardMatchesNumerical) {
  course::seed_everything(3);
  course::Linear<double> linear(4, 3);
  linear.bias.randn();
  const Mat X(4, 5, arma::fill::randn);
  expect_backward_matches_numerical(linear, X, 3);
}

TEST(Ch03Layers, ActivationBackwardMatchesNumerical) {
  course::seed_everything(4);
  const Mat Z(3, 6, arma::fill::randn);
  course::Sigmoid<double> sigmoid;
  course::Tanh<double> tanh;
  course::ReLU<double> relu;
  course::LeakyReLU<double> leaky(0.1);
  course::Identity<double> identity;
  for (course::Layer<double>* layer : std::vector<course::Layer<double>*>{&sigmoid, &tanh, &relu, &leaky, &identity}) {
    expect_backward_matches_numerical(*layer, Z, 3);
  }
}

TEST(Ch03Layers, LinearHandsOutWeightsThatDecayAndABiasThatDoesNot) {
  course::Linear<double> layer(4, 3);
  const std::vector<course::Parameter<double>> params = layer.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "W");
  EXPECT_EQ(params[0].value, &layer.weights);
  EXPECT_EQ(params[0].gradient, &layer.dweights);
  EXPECT_TRUE(params[0].decays);
  EXPECT_EQ(params[1].name, "b");
  EXPECT_EQ(params[1].value, &layer.bias);
  EXPECT_EQ(params[1].gradient, &layer.dbias);
  EXPECT_FALSE(params[1].decays);
  EXPECT_TRUE(layer.state().empty());
  EXPECT_EQ(layer.kind(), "Linear");  // what a model file checks; name() carries the sizes
}

TEST(Ch03Layers, LinearForwardIsWTimesAPlusB) {
  course::Linear<double> linear(2, 1);
  linear.weights = Mat{{2.0, -1.0}};
  linear.bias = Mat(1, 1, arma::fill::value(0.5));
  const Mat X{{1.0, 0.0, 3.0}, {1.0, 2.0, 1.0}};
  Mat Z;
  linear.forward(X, Z);
  EXPECT_DOUBLE_EQ(Z(0, 0), 1.5);   // 2·1 − 1·1 + 0.5
  EXPECT_DOUBLE_EQ(Z(0, 1), -1.5);  // 0 − 2 + 0.5
  EXPECT_DOUBLE_EQ(Z(0, 2), 5.5);   // 6 − 1 + 0.5
}

TEST(Ch03Layers, ShapeMismatchNamesTheLayerAndBothShapes) {
  course::Linear<double> linear(784, 64);
  const Mat X(783, 2, arma::fill::zeros);
  Mat Z;
  try {
    linear.forward(X, Z);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Linear(784 -> 64)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("783"), std::string::npos) << msg;
    EXPECT_NE(msg.find("784"), std::string::npos) << msg;
  }
  course::MeanSquaredError<double> mse;
  try {
    (void)mse.cost(Mat(1, 10, arma::fill::zeros), Mat(1, 9, arma::fill::zeros));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("MeanSquaredError"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1 × 10"), std::string::npos) << msg;
    EXPECT_NE(msg.find("1 × 9"), std::string::npos) << msg;
  }
}

void expect_loss_gradient_matches_numerical(const course::Loss<double>& loss, const Mat& A, const Mat& Y) {
  Mat dA;
  loss.gradient(A, Y, dA);
  auto J = [&](const Mat& a) { return loss.cost(a, Y); };
  const Mat numerical = course::numerical_gradient(J, A);
  EXPECT_LT(relative_error(dA, numerical), 1e-7) << loss.name();
}

TEST(Ch03Losses, GradientsMatchNumerical) {
  course::seed_everything(5);
  const Mat A(2, 7, arma::fill::randu);
  const Mat Y(2, 7, arma::fill::randu);
  expect_loss_gradient_matches_numerical(course::MeanSquaredError<double>(), A, Y);
  const Mat P = 0.1 + 0.8 * A;                      // probabilities away from 0 and 1
  const Mat B = arma::conv_to<Mat>::from(Y > 0.5);  // 0/1 targets
  expect_loss_gradient_matches_numerical(course::BinaryCrossEntropy<double>(), P, B);
}

TEST(Ch03Losses, MeanSquaredErrorIsHalfTheMeanSquare) {
  const Mat A{{1.0, 2.0, 4.0}};
  const Mat Y{{1.0, 0.0, 1.0}};
  // (0 + 4 + 9) / (2·3)
  EXPECT_DOUBLE_EQ(course::MeanSquaredError<double>().cost(A, Y), 13.0 / 6.0);
}

}  // namespace

// Exercise ch03.linear_backward: BP3, BP4 and dA = Wᵀ·dZ on numbers worked by hand, then
// against the numerical gradient, and no ∂J/∂A when it is not wanted.
TEST(ch03_linear_backward, HandWorkedValues) {
  course::Linear<double> linear(2, 2);
  linear.weights = Mat{{1.0, 2.0}, {3.0, 4.0}};
  linear.bias = arma::vec{0.5, -0.5};
  const Mat A{{1.0, 0.0}, {2.0, 1.0}};  // 2 × m, m = 2
  Mat Z, dA;
  linear.forward(A, Z);
  const Mat dZ{{1.0, -1.0}, {0.5, 2.0}};
  linear.backward(A, Z, dZ, dA);
  // dW = dZ·Aᵀ = [[1·1 + (−1)·0, 1·2 + (−1)·1], [0.5·1 + 2·0, 0.5·2 + 2·1]] = [[1, 1], [0.5, 3]]
  const Mat dW_expected{{1.0, 1.0}, {0.5, 3.0}};
  EXPECT_TRUE(arma::approx_equal(linear.dweights, dW_expected, "absdiff", 1e-12)) << linear.dweights;
  // db = Σ_columns dZ = [0, 2.5]
  const Mat db_expected = arma::vec{0.0, 2.5};
  EXPECT_TRUE(arma::approx_equal(linear.dbias, db_expected, "absdiff", 1e-12)) << linear.dbias;
  // dA = Wᵀ·dZ = [[1·1 + 3·0.5, 1·(−1) + 3·2], [2·1 + 4·0.5, 2·(−1) + 4·2]] = [[2.5, 5], [4, 6]]
  const Mat dA_expected{{2.5, 5.0}, {4.0, 6.0}};
  EXPECT_TRUE(arma::approx_equal(dA, dA_expected, "absdiff", 1e-12)) << dA;
}

TEST(ch03_linear_backward, MatchesNumericalGradient) {
  course::seed_everything(31);
  course::Linear<double> linear(4, 3);
  linear.init_normal(0.7);
  linear.bias.randn();
  const Mat X(4, 5, arma::fill::randn);
  expect_backward_matches_numerical(linear, X, 3);
}

TEST(ch03_linear_backward, NoInputGradientWhenNotWanted) {
  course::Linear<double> linear(3, 2);
  linear.init_normal(1.0);
  linear.want_input_gradient(false);
  const Mat A(3, 4, arma::fill::ones);
  Mat Z, dA(3, 4, arma::fill::ones);
  linear.forward(A, Z);
  linear.backward(A, Z, Mat(2, 4, arma::fill::ones), dA);
  EXPECT_TRUE(dA.is_empty()) << "dA should be left empty, is " << dA.n_rows << "x" << dA.n_cols;
  EXPECT_TRUE(arma::approx_equal(linear.dweights, Mat(2, 3, arma::fill::value(4.0)), "absdiff", 1e-12));
}
