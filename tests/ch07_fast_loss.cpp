// Chapter 7's FastSoftmaxCrossEntropy (fast_loss.hpp) gives chapter 5's numbers bit for
// bit: the cost and dZ on batches of every shape the programs use and some they do not
// (an odd number of classes, one class, one example, logits of ±1000), dZ with and
// without the cost asked first, dZ of a new batch written into the same matrix, and a
// whole epoch of chapter 7's net trained with each loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <armadillo>
#include <random>
#include <typeinfo>

#include "chapters/05_softmax/softmax.hpp"
#include "chapters/07_mnist_mlp/fast_activations.hpp"
#include "chapters/07_mnist_mlp/fast_loss.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "common/data.hpp"

using namespace course;
using namespace course::ch07;

namespace {

arma::fmat one_hot_targets(arma::uword classes, arma::uword m, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  arma::fmat Y(classes, m, arma::fill::zeros);
  const arma::uvec labels = arma::randi<arma::uvec>(m, arma::distr_param(0, int(classes) - 1));
  for (arma::uword j = 0; j < m; ++j) Y(labels[j], j) = 1;
  return Y;
}

bool identical(const arma::fmat& a, const arma::fmat& b) {
  return a.n_rows == b.n_rows && a.n_cols == b.n_cols &&
         std::equal(a.begin(), a.end(), b.begin(), [](float x, float y) { return x == y; });
}

}  // namespace

TEST(Ch07FastLoss, CostAndGradientAreChapter5sBitForBit) {
  const SoftmaxCrossEntropy<float> lesson;
  const FastSoftmaxCrossEntropy<float> fast;
  struct Shape {
    arma::uword classes, m;
    float scale;
  };
  for (const Shape& s : {Shape{10, 64, 3}, Shape{10, 37, 30}, Shape{7, 64, 1}, Shape{1, 5, 2}, Shape{10, 1, 1000},
                         Shape{11, 128, 0.01f}}) {
    arma::arma_rng::set_seed(s.classes * 1000 + s.m);
    const arma::fmat Z = s.scale * arma::fmat(s.classes, s.m, arma::fill::randn);
    const arma::fmat Y = one_hot_targets(s.classes, s.m, 7);
    EXPECT_EQ(lesson.cost(Z, Y), fast.cost(Z, Y)) << s.classes << " × " << s.m << ", scale " << s.scale;
    arma::fmat dZ_lesson, dZ_fast;
    lesson.gradient(Z, Y, dZ_lesson);
    fast.gradient(Z, Y, dZ_fast);  // after the cost of the same Z: its e^{z − max z} reused
    EXPECT_TRUE(identical(dZ_lesson, dZ_fast)) << s.classes << " × " << s.m << ", scale " << s.scale;
  }
}

TEST(Ch07FastLoss, TheGradientOfANewBatchIsNotTheCostsOld) {
  const SoftmaxCrossEntropy<float> lesson;
  const FastSoftmaxCrossEntropy<float> fast;
  arma::arma_rng::set_seed(3);
  arma::fmat Z(10, 64, arma::fill::randn);
  const arma::fmat Y = one_hot_targets(10, 64, 4);
  (void)fast.cost(Z, Y);
  Z(4, 17) += 1.0f;  // the next batch, written into the same matrix
  arma::fmat dZ_lesson, dZ_fast;
  lesson.gradient(Z, Y, dZ_lesson);
  fast.gradient(Z, Y, dZ_fast);
  EXPECT_TRUE(identical(dZ_lesson, dZ_fast));
  const FastSoftmaxCrossEntropy<float> fresh;  // no cost asked at all
  fresh.gradient(Z, Y, dZ_fast);
  EXPECT_TRUE(identical(dZ_lesson, dZ_fast));
}

TEST(Ch07FastLoss, ChapterSevensNetTrainsAsWithTheLessonsLoss) {
  Network<float> with_fast = make_mnist_mlp(/*fast_layers=*/true);
  ASSERT_EQ(typeid(with_fast.loss()), typeid(FastSoftmaxCrossEntropy<float>));
  Network<float> with_lesson = make_mnist_mlp(/*fast_layers=*/true);
  with_lesson.set_loss(std::make_unique<SoftmaxCrossEntropy<float>>());
  with_lesson.assign(with_fast.flatten());  // the same initial θ
  static const Mnist data = load_dataset("sample", {});
  const arma::fmat X = data.train.X.cols(0, 511), Y = one_hot<float>(data.train.y.cols(0, 511));
  for (Network<float>* net : {&with_fast, &with_lesson}) {
    SGD<float> sgd(0.5f);
    MinibatchTrainer<float> trainer;
    std::mt19937_64 gen(11);  // the same mini-batch order
    trainer.train_epoch(*net, sgd, X, Y, 64, gen);
  }
  EXPECT_TRUE(identical(with_fast.flatten(), with_lesson.flatten()));
  EXPECT_EQ(make_mnist_mlp(/*fast_layers=*/false).loss().name(), with_fast.loss().name());  // printed alike
}
