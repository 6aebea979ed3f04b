// Chapter 11's FastDropout (fast_dropout.hpp): the lesson's dropout (chapter 8) with a fast generator.
// The same statistics as chapter 8's layer, the identity in evaluation mode, the
// backward pass through the forward pass's mask, and the same seed giving the same run.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <cstdint>
#include <random>
#include <typeinfo>
#include <vector>

#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/08_init_regularization/dropout.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/11_final_classifier/fast_bn_relu_dropout.hpp"
#include "chapters/11_final_classifier/fast_dropout.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "common/data.hpp"

using namespace course;
using namespace course::ch11;

namespace {

// The fraction of nonzero entries (kept units of an input without zeros).
template <typename eT>
double kept_fraction(const arma::Mat<eT>& out) {
  return double(arma::accu(out != eT(0))) / double(out.n_elem);
}

}  // namespace

// Over n = 1,000,000 units the kept fraction p̂ has standard deviation
// √(p(1 − p)/n) (0.0004 at p = 0.8); 5 of them is a tolerance that a correct
// layer fails once in 3 million runs, and a rate off by 0.002 fails.
TEST(Ch11FastDropout, KeepsUnitsAtTheRateKeepProbLikeChapter8sLayer) {
  for (double keep_prob : {0.2, 0.5, 0.7, 0.8, 0.95}) {
    arma::arma_rng::set_seed(11);
    FastDropout<float> fast(keep_prob);
    ch08::Dropout<float> lesson(keep_prob);
    const arma::fmat a(1000, 1000, arma::fill::ones);
    arma::fmat out_fast, out_lesson;
    fast.forward(a, out_fast);
    lesson.forward(a, out_lesson);
    const double n = double(a.n_elem), tolerance = 5 * std::sqrt(keep_prob * (1 - keep_prob) / n);
    EXPECT_NEAR(kept_fraction(out_fast), keep_prob, tolerance) << "keep_prob " << keep_prob;
    EXPECT_NEAR(kept_fraction(out_lesson), keep_prob, tolerance) << "keep_prob " << keep_prob;
    // The kept units are divided by keep_prob: every entry is 0 or 1/keep_prob, as the lesson's.
    const float scale = float(1 / keep_prob);
    EXPECT_TRUE(arma::all(arma::vectorise((out_fast == 0.0f) + (out_fast == scale)) == 1)) << "keep_prob " << keep_prob;
    // The expected activation is kept: mean(a ⊙ d / keep_prob) = mean(a) to within the
    // same 5 standard deviations (of p̂ / keep_prob), summed in double.
    EXPECT_NEAR(arma::mean(arma::conv_to<arma::vec>::from(arma::vectorise(out_fast))), 1.0, tolerance / keep_prob)
        << "keep_prob " << keep_prob;
  }
}

// Neighbouring units and successive batches are independent: the fraction of
// pairs (unit i, unit i + 1) both kept is p², and two batches keep different units.
TEST(Ch11FastDropout, UnitsAndBatchesAreDrawnIndependently) {
  arma::arma_rng::set_seed(3);
  const double p = 0.5;
  FastDropout<float> layer(p);
  const arma::fmat a(1000, 1000, arma::fill::ones);
  arma::fmat first, second;
  layer.forward(a, first);
  layer.forward(a, second);
  const arma::fvec d = arma::vectorise(first);
  const double n = double(d.n_elem - 1);
  const double both = double(arma::accu((d.head(d.n_elem - 1) != 0.0f) % (d.tail(d.n_elem - 1) != 0.0f))) / n;
  EXPECT_NEAR(both, p * p, 5 * std::sqrt(p * p * (1 - p * p) / n));
  const double same = double(arma::accu((first != 0.0f) == (second != 0.0f))) / double(a.n_elem);
  EXPECT_NEAR(same, p * p + (1 - p) * (1 - p), 5 * std::sqrt(0.25 / double(a.n_elem)));
}

TEST(Ch11FastDropout, IsTheIdentityInEvaluationMode) {
  arma::arma_rng::set_seed(4);
  FastDropout<float> layer(0.7);
  layer.set_training(false);
  const arma::fmat a(37, 53, arma::fill::randn), dout(37, 53, arma::fill::randn);
  arma::fmat out, din;
  layer.forward(a, out);
  EXPECT_TRUE(arma::approx_equal(out, a, "absdiff", 0.0f));
  layer.backward(a, out, dout, din);
  EXPECT_TRUE(arma::approx_equal(din, dout, "absdiff", 0.0f));
}

// da ⊙ d / keep_prob with the d of the forward pass: the units dropped there get no
// gradient, the kept ones dout / keep_prob; and the output was a ⊙ d / keep_prob.
TEST(Ch11FastDropout, BackwardUsesTheForwardPassMask) {
  arma::arma_rng::set_seed(5);
  const double keep_prob = 0.6;
  FastDropout<double> layer(keep_prob);
  const arma::mat a(64, 129, arma::fill::randu), dout(64, 129, arma::fill::randn);  // 129: a partial last block
  arma::mat out, din;
  layer.forward(a + 0.5, out);
  const arma::mat d = arma::conv_to<arma::mat>::from(layer.kept());
  EXPECT_GT(arma::accu(d), 0.4 * double(d.n_elem));
  EXPECT_LT(arma::accu(d), 0.8 * double(d.n_elem));
  EXPECT_TRUE(arma::approx_equal(out, (a + 0.5) % d * (1 / keep_prob), "absdiff", 1e-15));
  layer.backward(a, out, dout, din);
  EXPECT_TRUE(arma::approx_equal(din, dout % d * (1 / keep_prob), "absdiff", 1e-15));
  // Held (the gradient check), the next forward pass reuses the mask.
  layer.hold_randomness(true);
  arma::mat again;
  layer.forward(a + 0.5, again);
  EXPECT_TRUE(arma::approx_equal(again, out, "absdiff", 0.0));
  layer.hold_randomness(false);
  layer.forward(a + 0.5, again);
  EXPECT_FALSE(arma::approx_equal(again, out, "absdiff", 0.0));
}

TEST(Ch11FastDropout, TheSameSeedGivesTheSameMasksAndAnotherSeedOthers) {
  const arma::fmat a(100, 77, arma::fill::ones);
  auto masks = [&](int seed) {
    arma::arma_rng::set_seed(seed);
    FastDropout<float> layer(0.8);
    arma::fmat one, two;
    layer.forward(a, one);
    layer.forward(a, two);
    return arma::fmat(arma::join_rows(one, two));
  };
  EXPECT_TRUE(arma::approx_equal(masks(1), masks(1), "absdiff", 0.0f));
  EXPECT_FALSE(arma::approx_equal(masks(1), masks(2), "absdiff", 0.0f));
}

// The final net with FastDropout: two trainings from the same seed give the same
// parameters bit for bit; and it learns as well as the lesson's dropout on the sample.
TEST(Ch11FastDropout, TheFinalNetTrainsTheSameFromTheSameSeed) {
  static const Mnist data = load_dataset("sample", {});
  const arma::fmat Y = one_hot<float>(data.train.y);
  auto train = [&](bool fast) {
    seed_everything(9);
    Network<float> net = make_final_net<float>({{784, 64, 32, 10}, 0.8, fast});
    ch09::FusedAdam<float> adam(1e-3f);
    MinibatchTrainer<float> trainer;
    trainer.train_epoch(net, adam, data.train.X, Y, 128, rng());
    trainer.train_epoch(net, adam, data.train.X, Y, 128, rng());
    return net;
  };
  Network<float> one = train(true), two = train(true), lesson = train(false);
  EXPECT_TRUE(arma::approx_equal(one.flatten(), two.flatten(), "absdiff", 0.0f));
  const arma::fmat Y_test = one_hot<float>(data.test.y);
  const double fast_accuracy = evaluate(one, data.test.X, Y_test).accuracy;
  const double lesson_accuracy = evaluate(lesson, data.test.X, Y_test).accuracy;
  EXPECT_GT(fast_accuracy, 0.85);
  EXPECT_NEAR(fast_accuracy, lesson_accuracy, 0.03);  // 2 epochs on 4,000 images: a few points of seed noise
}

// A learner's workspace build (CMake defines COURSE_WORKSPACE_BUILD) builds the final net with
// the lessons' ReLU and dropout (chapters 3 and 8: the learner's code); every other build with
// FastReLU and FastDropout. The lessons' layers are exactly their classes (typeid), not subclasses.
TEST(Ch11FastDropout, AWorkspaceBuildRunsTheLessonsReluAndDropout) {
  const FinalNetSettings defaults;
#ifdef COURSE_WORKSPACE_BUILD
  EXPECT_FALSE(defaults.fast_layers) << "a workspace build must run the learner's own ReLU and dropout";
#else
  EXPECT_TRUE(defaults.fast_layers) << "the reference build's programs run the fast layers";
#endif
  const std::vector<arma::uword> sizes = {784, 32, 16, 10};  // Linear, BatchNorm, ReLU, Dropout, ... Linear
  Network<float> lesson = make_final_net<float>({sizes, 0.8, false});
  Network<float> fast = make_final_net<float>({sizes, 0.8, true, false});
  Network<float> net = make_final_net<float>({.sizes = sizes, .keep_prob = 0.8});  // the default, as ch11 builds it
  for (std::size_t l : {2u, 6u}) {
    EXPECT_EQ(typeid(lesson.layer(l)), typeid(ReLU<float>)) << "layer " << l;
    EXPECT_EQ(typeid(lesson.layer(l + 1)), typeid(ch08::Dropout<float>)) << "layer " << l + 1;
    EXPECT_EQ(typeid(fast.layer(l)), typeid(ch07::FastReLU)) << "layer " << l;
    EXPECT_EQ(typeid(fast.layer(l + 1)), typeid(FastDropout<float>)) << "layer " << l + 1;
  }
  if (defaults.fast_layers) {  // the reference build: batch norm, ReLU and dropout fused
    ASSERT_EQ(net.size(), 5u);
    for (std::size_t l : {1u, 3u}) EXPECT_EQ(typeid(net.layer(l)), typeid(FastBnReluDropout<float>)) << "layer " << l;
  } else {
    ASSERT_EQ(net.size(), lesson.size());
    for (std::size_t l = 0; l < net.size(); ++l)
      EXPECT_EQ(typeid(net.layer(l)), typeid(lesson.layer(l))) << "layer " << l;
  }
}
