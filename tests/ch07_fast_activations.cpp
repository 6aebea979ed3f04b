// Chapter 7's vectorised σ, tanh and e^x (fast_activations.hpp) against the double
// std::exp and std::tanh over the whole float range: every 251st bit pattern of the
// 2³² floats (17 million values: every exponent, both signs, normal and subnormal),
// the limits where e^x overflows and underflows, ±0, ±∞ and NaN.
// The bounds, in ulps of the correctly rounded float result (an ulp of a subnormal
// result is 2⁻¹⁴⁹): e^x 1 (the polynomial and the scaling), tanh 1.5, σ 2.5 (e^{−|z|},
// then 1 + e and a division, each rounded); the largest error measured is printed
// (this machine, AVX-512 with FMA: 0.97, 1.31 and 2.26 ulps).
#include <gtest/gtest.h>

#include <armadillo>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <typeinfo>
#include <vector>

#include "chapters/07_mnist_mlp/fast_activations.hpp"
#include "chapters/07_mnist_mlp/fast_sparse.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"

using namespace course;
using namespace course::ch07;

namespace {

// Every 251st float, and the values where the functions change regime.
std::vector<float> whole_float_range() {
  std::vector<float> x;
  for (std::uint64_t bits = 0; bits < (std::uint64_t(1) << 32); bits += 251)
    x.push_back(std::bit_cast<float>(std::uint32_t(bits)));
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.0f,
                  -0.0f,
                  inf,
                  -inf,
                  std::numeric_limits<float>::quiet_NaN(),
                  88.7228f,
                  88.72284f,
                  88.7229f,
                  -87.33655f,
                  -87.3366f,
                  -103.9720f,
                  -103.9721f,
                  -104.0f,
                  0.625f,
                  -0.625f,
                  0.62499994f,
                  9.0f,
                  1e-30f,
                  std::numeric_limits<float>::denorm_min(),
                  std::numeric_limits<float>::max(),
                  -std::numeric_limits<float>::max()})
    x.push_back(v);
  return x;
}

// The distance of `got` from the exact value `exact` in ulps of the float nearest to it.
double ulps(float got, double exact) {
  if (std::isnan(exact)) return std::isnan(got) ? 0.0 : std::numeric_limits<double>::infinity();
  const float rounded = float(exact);
  if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? 0.0 : std::numeric_limits<double>::infinity();
  const int exponent = std::max(std::ilogb(rounded == 0 ? std::numeric_limits<float>::min() : rounded), -126);
  return std::abs(double(got) - exact) / std::ldexp(1.0, exponent - 23);
}

double worst_error(const std::function<void(const float*, float*, std::size_t)>& fast,
                   const std::function<double(double)>& exact, float* worst_x) {
  const std::vector<float> x = whole_float_range();
  std::vector<float> y(x.size());
  fast(x.data(), y.data(), x.size());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = ulps(y[i], exact(double(x[i])));
    if (!(e <= worst)) {
      worst = e;
      *worst_x = x[i];
    }
  }
  return worst;
}

}  // namespace

TEST(Ch07FastActivations, ExpIsWithinOneUlpOverTheWholeFloatRange) {
  float at = 0;
  const double worst = worst_error(
      vector_exp, [](double x) { return std::exp(x); }, &at);
  std::printf("vector_exp: at most %.3f ulps (at x = %.9g)\n", worst, at);
  EXPECT_LE(worst, 1.0) << "at x = " << at;
}

TEST(Ch07FastActivations, SigmoidIsWithinTwoAndAHalfUlpsOverTheWholeFloatRange) {
  float at = 0;
  const double worst = worst_error(
      vector_sigmoid, [](double x) { return 1 / (1 + std::exp(-x)); }, &at);
  std::printf("vector_sigmoid: at most %.3f ulps (at x = %.9g)\n", worst, at);
  EXPECT_LE(worst, 2.5) << "at x = " << at;
}

TEST(Ch07FastActivations, TanhIsWithinOneAndAHalfUlpsOverTheWholeFloatRange) {
  float at = 0;
  const double worst = worst_error(
      vector_tanh, [](double x) { return std::tanh(x); }, &at);
  std::printf("vector_tanh: at most %.3f ulps (at x = %.9g)\n", worst, at);
  EXPECT_LE(worst, 1.5) << "at x = " << at;
}

// The layers: the lesson's forward pass to within the bound, the lesson's backward pass,
// and chapter 7's network built with them.
TEST(Ch07FastActivations, TheLayersMatchTheLessonsLayers) {
  arma::arma_rng::set_seed(1);
  const arma::fmat z = 6 * arma::fmat(64, 129, arma::fill::randn), dout(64, 129, arma::fill::randn);
  FastSigmoid fast_sigmoid;
  FastTanh fast_tanh;
  Sigmoid<float> sigmoid;
  Tanh<float> tanh;
  for (auto [fast, lesson] : {std::pair<Layer<float>*, Layer<float>*>{&fast_sigmoid, &sigmoid}, {&fast_tanh, &tanh}}) {
    arma::fmat a_fast, a_lesson, dz_fast, dz_lesson;
    fast->forward(z, a_fast);
    lesson->forward(z, a_lesson);
    EXPECT_TRUE(arma::approx_equal(a_fast, a_lesson, "reldiff", 2.5f * std::numeric_limits<float>::epsilon()))
        << lesson->name();
    EXPECT_EQ(fast->name(), lesson->name());
    fast->backward(z, a_lesson, dout, dz_fast);
    lesson->backward(z, a_lesson, dout, dz_lesson);
    EXPECT_TRUE(arma::approx_equal(dz_fast, dz_lesson, "absdiff", 0.0f)) << lesson->name();
  }
  FastReLU fast_relu;
  ReLU<float> relu;
  arma::fmat dz_fast, dz_lesson;
  fast_relu.backward(z, z, dout, dz_fast);
  relu.backward(z, z, dout, dz_lesson);
  EXPECT_TRUE(arma::approx_equal(dz_fast, dz_lesson, "absdiff", 0.0f));
  Network<float> fast_net = make_mnist_mlp(/*fast_layers=*/true);
  EXPECT_NE(dynamic_cast<FastSigmoid*>(&fast_net.layer(1)), nullptr);
  EXPECT_NE(dynamic_cast<FastTanh*>(&fast_net.layer(3)), nullptr);
}

// A learner's workspace build (CMake defines COURSE_WORKSPACE_BUILD) builds chapter 7's net
// with the lesson's layers, whose σ and tanh are the learner's; every other build with the
// fast ones. The lesson's layers are exactly chapter 3's classes (typeid), not a subclass
// overriding a pass.
TEST(Ch07FastActivations, AWorkspaceBuildRunsTheLessonsLayers) {
#ifdef COURSE_WORKSPACE_BUILD
  EXPECT_FALSE(fast_layers_by_default) << "a workspace build must run the learner's own layers";
#else
  EXPECT_TRUE(fast_layers_by_default) << "the programs of the reference build run the fast layers";
#endif
  Network<float> lesson_net = make_mnist_mlp(/*fast_layers=*/false);
  EXPECT_EQ(typeid(lesson_net.layer(1)), typeid(Sigmoid<float>));
  EXPECT_EQ(typeid(lesson_net.layer(3)), typeid(Tanh<float>));
  EXPECT_EQ(typeid(lesson_net.loss()), typeid(SoftmaxCrossEntropy<float>));
  // chapter 7's program: the sparse first layer (part 5) only with the fast layers, so that a
  // workspace build runs the learner's Linear there too
  Network<float> program_net = make_mnist_mlp(fast_layers_by_default, /*sparse_input=*/true);
  if (fast_layers_by_default) {
    EXPECT_EQ(typeid(program_net.layer(0)), typeid(SparseInputLinear));
  } else {
    EXPECT_EQ(typeid(program_net.layer(0)), typeid(Linear<float>));
  }
  Network<float> net = make_mnist_mlp();  // what the programs of chapters 8, 9 and 11 build
  if (fast_layers_by_default) {
    EXPECT_EQ(typeid(net.layer(1)), typeid(FastSigmoid));
    EXPECT_EQ(typeid(net.layer(3)), typeid(FastTanh));
    EXPECT_EQ(typeid(net.loss()), typeid(FastSoftmaxCrossEntropy<float>));
  } else {
    EXPECT_EQ(typeid(net.layer(1)), typeid(Sigmoid<float>));
    EXPECT_EQ(typeid(net.layer(3)), typeid(Tanh<float>));
    EXPECT_EQ(typeid(net.loss()), typeid(SoftmaxCrossEntropy<float>));
  }
}

// to_bytes (fast_batches.cpp) takes every pixel k/255 and refuses anything else, NaN included.
TEST(Ch07FastBytes, ToBytesKeepsEveryLevelAndRefusesOtherValues) {
  arma::fmat levels(256, 1, arma::fill::none);
  for (int k = 0; k < 256; ++k) levels[k] = float(k) * (1.0f / 255.0f);  // as common/data.cpp
  const arma::Mat<std::uint8_t> bytes = to_bytes(levels);
  for (int k = 0; k < 256; ++k) EXPECT_EQ(int(bytes[k]), k);
  for (float bad : {-1.0f / 255.0f, 256.0f / 255.0f, 2.0f, 0.5f, -0.0005f - 1.0f,
                    std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    arma::fmat X = levels;
    X[100] = bad;
    EXPECT_THROW(to_bytes(X), std::invalid_argument) << "value " << bad;
  }
}
