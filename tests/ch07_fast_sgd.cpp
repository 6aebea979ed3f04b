// Chapter 7's FastSGD (fast_sgd.hpp) takes chapter 6's SGD steps bit for bit: on every
// parameter of chapter 7's net (sizes that are and are not a multiple of the vector
// width), for rates and gradients of very different sizes, over several steps; and it
// refuses a gradient whose shape is not its parameter's, naming the parameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <armadillo>
#include <string>
#include <vector>

#include "chapters/06_backprop/optimizer.hpp"
#include "chapters/07_mnist_mlp/fast_sgd.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "messages.hpp"

using namespace course;
using namespace course::ch07;

namespace {

bool identical(const arma::fvec& a, const arma::fvec& b) {
  return a.n_elem == b.n_elem && std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) { return x == y; });
}

// Gradients of mixed magnitudes (so that w − η·dw rounds differently with a fused multiply-add).
void draw_gradients(Network<float>& net, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  for (const Parameter<float>& p : net.parameters()) {
    p.gradient->set_size(p.value->n_rows, p.value->n_cols);
    p.gradient->randn();
    *p.gradient %= arma::exp(3.0f * arma::fmat(p.value->n_rows, p.value->n_cols, arma::fill::randn));
  }
}

}  // namespace

TEST(Ch07FastSgd, TakesTheLessonsStepsBitForBit) {
  for (float eta : {0.1f, 0.7f, 3e-4f}) {
    seed_everything(5);
    Network<float> lesson_net = make_mnist_mlp();
    seed_everything(5);
    Network<float> fast_net = make_mnist_mlp();
    ASSERT_TRUE(identical(lesson_net.flatten(), fast_net.flatten()));
    SGD<float> lesson(eta);
    FastSGD fast(eta);
    for (unsigned step = 0; step < 3; ++step) {
      draw_gradients(lesson_net, 100 + step);
      draw_gradients(fast_net, 100 + step);
      lesson.step(lesson_net.parameters());
      fast.step(fast_net.parameters());
      EXPECT_TRUE(identical(lesson_net.flatten(), fast_net.flatten())) << "η = " << eta << ", step " << step + 1;
    }
    EXPECT_FALSE(identical(lesson_net.flatten(), make_mnist_mlp().flatten()));  // the steps moved θ
  }
  EXPECT_EQ(FastSGD(0.1f).name(), SGD<float>(0.1f).name());  // printed alike
}

TEST(Ch07FastSgd, RefusesAGradientOfAnotherShape) {
  Network<float> net = make_mnist_mlp();
  draw_gradients(net, 1);
  std::vector<Parameter<float>> params = net.parameters();
  params[2].gradient->set_size(3, 3);  // layer 3's W is 16 × 64
  FastSGD fast(0.1f);
  EXPECT_EQ(test_support::message_of([&] { fast.step(params); }),
            "FastSGD: layer 3 W: the gradient is 3 × 3 but the value is 16 × 64");
}
