// Chapter 3: each activation and its derivative (one suite per exercise: ch03_<name>).
// σ itself is chapter 1's (exercise ch01.sigmoid, tested in ch01_logistic_regression.cpp).
// Every derivative is checked against the two-sided numerical derivative of its function.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <limits>

#include "chapters/03_activations/activations.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"

namespace {

using Mat = arma::mat;

// Points spread over [−6, 6], none within 1e-3 of 0 (where ReLU has no derivative).
Mat sample_points() {
  course::seed_everything(30);
  Mat z(3, 40, arma::fill::randu);
  z = 12.0 * z - 6.0;
  z.elem(arma::find(arma::abs(z) < 1e-3)).fill(0.5);
  return z;
}

template <typename F, typename DF>
void expect_derivative_matches_numerical(F f, DF df, double gate = 1e-7) {
  const Mat z = sample_points();
  const Mat analytic = df(z);
  const Mat numerical = course::numerical_derivative([&](const Mat& v) { return Mat(f(v)); }, z);
  EXPECT_LT(course::relative_error(analytic, numerical), gate);
}

TEST(ch03_sigmoid_derivative, MatchesNumericalDerivative) {
  expect_derivative_matches_numerical([](const Mat& z) { return course::sigmoid(z); },
                                      [](const Mat& z) { return course::sigmoid_derivative(z); });
  EXPECT_DOUBLE_EQ(course::sigmoid_derivative(Mat(1, 1, arma::fill::zeros))(0), 0.25);  // σ'(0) = ¼
}

TEST(ch03_tanh, IsTwoSigmaOfTwoZMinusOne) {
  const Mat z = sample_points();
  const Mat lhs = course::tanh_activation(z);
  const Mat rhs = 2.0 * course::sigmoid(Mat(2.0 * z)) - 1.0;  // tanh(z) = 2σ(2z) − 1
  EXPECT_LT(arma::abs(lhs - rhs).max(), 1e-14);
  EXPECT_NEAR(course::tanh_activation(Mat(1, 1, arma::fill::value(0.5)))(0), std::tanh(0.5), 1e-15);
}

// Far from 0 e^z overflows (e^800 is inf in double, e^89 in float); near 0 the difference 1 − e^{−2|z|}
// cancels. The learner's formula must give std::tanh's value to a few ulps over the whole range.
TEST(ch03_tanh, IsAccurateNearZeroAndFiniteFarFromIt) {
  const Mat z = {-800.0, -30.0, -1e-3, -3e-9, -1e-300, 0.0, 1e-300, 1e-12, 2e-7, 0.3, 4.0, 30.0, 800.0};
  const Mat t = course::tanh_activation(z);
  ASSERT_TRUE(t.is_finite());
  for (arma::uword i = 0; i < z.n_elem; ++i) {
    const double expected = std::tanh(z(i));
    EXPECT_LE(std::abs(t(i) - expected), 4 * std::numeric_limits<double>::epsilon() * std::abs(expected))
        << "tanh(" << z(i) << ") = " << t(i) << ", std::tanh gives " << expected;
  }
  const arma::fmat zf = {-100.0f, -1e-6f, 0.0f, 1e-6f, 100.0f};
  const arma::fmat tf = course::tanh_activation(zf);
  ASSERT_TRUE(tf.is_finite());
  for (arma::uword i = 0; i < zf.n_elem; ++i)
    EXPECT_LE(std::abs(tf(i) - std::tanh(zf(i))),
              4 * std::numeric_limits<float>::epsilon() * std::abs(std::tanh(zf(i))))
        << "float tanh(" << zf(i) << ")";
}

TEST(ch03_tanh_derivative, MatchesNumericalDerivative) {
  expect_derivative_matches_numerical([](const Mat& z) { return course::tanh_activation(z); },
                                      [](const Mat& z) { return course::tanh_derivative(z); });
  EXPECT_DOUBLE_EQ(course::tanh_derivative(Mat(1, 1, arma::fill::zeros))(0), 1.0);
}

TEST(ch03_relu, KnownValues) {
  const Mat z{{-2.0, -0.5, 0.0, 0.5, 3.0}};
  const Mat a = course::relu(z);
  const Mat expected{{0.0, 0.0, 0.0, 0.5, 3.0}};
  EXPECT_TRUE(arma::approx_equal(a, expected, "absdiff", 0.0));
}

TEST(ch03_relu_derivative, MatchesNumericalDerivative) {
  expect_derivative_matches_numerical([](const Mat& z) { return course::relu(z); },
                                      [](const Mat& z) { return course::relu_derivative(z); });
  const Mat d = course::relu_derivative(Mat{{-1.0, 0.0, 2.0}});
  EXPECT_DOUBLE_EQ(d(0), 0.0);
  EXPECT_DOUBLE_EQ(d(1), 0.0);  // the course's convention at z = 0
  EXPECT_DOUBLE_EQ(d(2), 1.0);
}

TEST(ch03_leaky_relu, KnownValues) {
  const Mat a = course::leaky_relu(Mat{{-2.0, 0.0, 3.0}}, 0.1);
  EXPECT_DOUBLE_EQ(a(0), -0.2);
  EXPECT_DOUBLE_EQ(a(1), 0.0);
  EXPECT_DOUBLE_EQ(a(2), 3.0);
}

TEST(ch03_leaky_relu_derivative, MatchesNumericalDerivative) {
  for (double slope : {0.01, 0.2}) {
    expect_derivative_matches_numerical([slope](const Mat& z) { return course::leaky_relu(z, slope); },
                                        [slope](const Mat& z) { return course::leaky_relu_derivative(z, slope); });
  }
  const Mat d = course::leaky_relu_derivative(Mat{{-1.0, 2.0}}, 0.05);
  EXPECT_DOUBLE_EQ(d(0), 0.05);
  EXPECT_DOUBLE_EQ(d(1), 1.0);
}

TEST(Ch03Activations, FloatVersionsAgreeWithDouble) {
  const Mat z = sample_points();
  const arma::fmat zf = arma::conv_to<arma::fmat>::from(z);
  EXPECT_LT(arma::abs(arma::conv_to<Mat>::from(course::sigmoid(zf)) - course::sigmoid(z)).max(), 1e-6);
  EXPECT_LT(arma::abs(arma::conv_to<Mat>::from(course::tanh_derivative(zf)) - course::tanh_derivative(z)).max(), 1e-6);
  EXPECT_LT(arma::abs(arma::conv_to<Mat>::from(course::leaky_relu(zf, 0.01f)) - course::leaky_relu(z, 0.01)).max(),
            1e-5);
}

}  // namespace
