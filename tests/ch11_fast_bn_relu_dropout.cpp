// Chapter 11's FastBnReluDropout (fast_bn_relu_dropout.hpp): batch norm, ReLU and dropout
// in one layer. The same output, mask, statistics and gradients as the three layers it
// replaces (FastBatchNorm → FastReLU → FastDropout, made after the same seed), its backward
// pass against a numerical gradient (double, mask held), evaluation mode, a network
// with it through the gradient check, and its model file (the lessons' net's).
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "batch_norm_gradients.hpp"
#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/07_mnist_mlp/fast_activations.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/08_init_regularization/initialization.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/11_final_classifier/fast_bn_relu_dropout.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"
#include "messages.hpp"

using namespace course;
using namespace course::ch11;

namespace {

// The three layers and the fused one, each made right after seed_everything-like seeding,
// with the same γ and β.
struct Layers {
  std::unique_ptr<FastBatchNorm<float>> bn;
  std::unique_ptr<ch07::FastReLU> relu;
  std::unique_ptr<FastDropout<float>> dropout;
  std::unique_ptr<FastBnReluDropout<float>> fused;
};

Layers make_layers(arma::uword n, double keep_prob, unsigned seed) {
  Layers l;
  arma::arma_rng::set_seed(seed);
  l.bn = std::make_unique<FastBatchNorm<float>>(n);
  l.relu = std::make_unique<ch07::FastReLU>();
  l.dropout = std::make_unique<FastDropout<float>>(keep_prob);
  arma::arma_rng::set_seed(seed);
  l.fused = std::make_unique<FastBnReluDropout<float>>(n, keep_prob);
  arma::arma_rng::set_seed(seed + 1);
  l.bn->gamma = arma::fmat(n, 1, arma::fill::randn);
  l.bn->beta = arma::fmat(n, 1, arma::fill::randn);
  l.fused->gamma = l.bn->gamma;
  l.fused->beta = l.bn->beta;
  return l;
}

}  // namespace

// Bit for bit (== on every element): the same operations in the same order, the same
// numbers r for the same elements. Two batches, so that the streams move on alike; a
// width (200) that is not a multiple of the 256-number block, so runs cross blocks.
TEST(Ch11FastBnReluDropout, EqualsTheThreeLayersItReplaces) {
  for (arma::uword n : {200u, 256u}) {
    Layers l = make_layers(n, 0.8, 3);
    for (unsigned batch = 0; batch < 2; ++batch) {
      const arma::fmat z = test_support::scaled_features<float>(n, 37, 10 + batch),
                       dout = test_support::scaled_features<float>(n, 37, 20 + batch);
      arma::fmat h, a, out3, out1;
      l.bn->forward(z, h);
      l.relu->forward(h, a);
      l.dropout->forward(a, out3);
      l.fused->forward(z, out1);
      ASSERT_EQ(arma::accu(out1 != out3), 0u) << "n " << n << ", batch " << batch;
      // k = [ẑ > 0] · d
      const arma::Mat<std::uint8_t> expected_k =
          arma::conv_to<arma::Mat<std::uint8_t>>::from((h > 0.0f) % (l.dropout->kept() > 0));
      EXPECT_EQ(arma::accu(l.fused->kept() != expected_k), 0u);
      EXPECT_EQ(arma::accu(l.fused->running_mean != l.bn->running_mean), 0u);
      EXPECT_EQ(arma::accu(l.fused->running_var != l.bn->running_var), 0u);
      arma::fmat da, dh, dz3, dz1;
      l.dropout->backward(a, out3, dout, da);
      l.relu->backward(h, a, da, dh);
      l.bn->backward(z, h, dh, dz3);
      l.fused->backward(z, out1, dout, dz1);
      EXPECT_EQ(arma::accu(dz1 != dz3), 0u) << "∂J/∂z, n " << n;
      EXPECT_EQ(arma::accu(l.fused->dgamma != l.bn->dgamma), 0u) << "∂J/∂γ";
      EXPECT_EQ(arma::accu(l.fused->dbeta != l.bn->dbeta), 0u) << "∂J/∂β";
    }
  }
}

// Dropout's statistics through the fused mask: among the units that pass ReLU, the kept
// fraction is keep_prob within 4 standard deviations √(p(1 − p)/N) of the binomial.
TEST(Ch11FastBnReluDropout, KeepsKeepProbOfTheUnitsReLUPasses) {
  Layers l = make_layers(128, 0.7, 5);
  const arma::fmat z = test_support::scaled_features<float>(128, 512, 6);
  arma::fmat out, h;
  l.fused->forward(z, out);
  l.bn->forward(z, h);  // ẑ
  const double positive = double(arma::accu(h > 0.0f)),
               kept = double(arma::accu(l.fused->kept() > 0));  // (a umat: accu of bytes would wrap)
  const double rate = kept / positive, sd = std::sqrt(0.7 * 0.3 / positive);
  EXPECT_NEAR(rate, 0.7, 4 * sd) << "kept " << kept << " of " << positive;
  EXPECT_GT(positive, 10000);
}

// ∂J/∂z, ∂J/∂γ, ∂J/∂β against two-sided differences (double, seeded, the mask held).
TEST(Ch11FastBnReluDropout, BackwardMatchesANumericalGradient) {
  arma::arma_rng::set_seed(7);
  FastBnReluDropout<double> layer(6, 0.7);
  layer.gamma = arma::mat(6, 1, arma::fill::randn);
  layer.beta = arma::mat(6, 1, arma::fill::randn);
  layer.hold_randomness(true);
  const arma::mat z0 = test_support::scaled_features<double>(6, 9, 8), R(6, 9, arma::fill::randn);
  const test_support::BatchNormGradientErrors errors = test_support::batch_norm_gradient_errors(layer, z0, R);
  std::printf("relative errors: dz %.2e, dgamma %.2e, dbeta %.2e\n", errors.dz, errors.dgamma, errors.dbeta);
  EXPECT_LT(errors.dz, 1e-7) << "∂J/∂z";
  EXPECT_LT(errors.dgamma, 1e-7) << "∂J/∂γ";
  EXPECT_LT(errors.dbeta, 1e-7) << "∂J/∂β";
}

// Evaluation: chapter 10's batch norm with the running averages, then max(·, 0); no dropout.
TEST(Ch11FastBnReluDropout, EvaluationModeIsBatchNormThenReLU) {
  Layers l = make_layers(32, 0.5, 9);
  arma::fmat tmp;
  l.bn->forward(test_support::scaled_features<float>(32, 40, 10), tmp);  // the same running averages
  l.fused->forward(test_support::scaled_features<float>(32, 40, 10), tmp);
  l.bn->set_training(false);
  l.relu->set_training(false);
  l.fused->set_training(false);
  const arma::fmat z = test_support::scaled_features<float>(32, 5, 11),
                   dout = test_support::scaled_features<float>(32, 5, 12);
  arma::fmat h, a, out, dh, dz3, dz1;
  l.bn->forward(z, h);
  l.relu->forward(h, a);
  l.fused->forward(z, out);
  EXPECT_EQ(arma::accu(out != a), 0u);
  EXPECT_GT(arma::accu(out == 0.0f), 0u);  // ReLU did cut something
  l.relu->backward(h, a, dout, dh);
  l.bn->backward(z, h, dh, dz3);
  l.fused->backward(z, out, dout, dz1);
  EXPECT_LT(double(arma::abs(dz1 - dz3).max()), 1e-6 * double(arma::abs(dz3).max()));
}

// In a network (Linear → fused → Linear → softmax): every layer's slice of θ (double, seeded).
TEST(Ch11FastBnReluDropout, ANetworkWithItPassesTheGradientCheck) {
  arma::arma_rng::set_seed(8);
  Network<double> net;
  net.add<Linear>(6, 5, false);
  net.add(std::make_unique<FastBnReluDropout<double>>(5, 0.8));
  net.add<Linear>(5, 3);
  net.set_loss(std::make_unique<SoftmaxCrossEntropy<double>>());
  ch08::he_init(net);
  test_support::expect_network_passes_gradient_check(net);
}

// The final net with it (the default of the reference build) and with the three fast layers
// trains to the same parameters bit for bit from the same seed: the fusion changes no number.
TEST(Ch11FastBnReluDropout, TheFinalNetTrainsAsWithTheThreeLayers) {
  static const Mnist data = load_dataset("sample", {});
  const arma::fmat Y = one_hot<float>(data.train.y);
  auto train = [&](bool fuse) {
    seed_everything(9);
    Network<float> net = make_final_net<float>({{784, 64, 32, 10}, 0.8, true, fuse});
    ch09::FusedAdam<float> adam(1e-3f);
    MinibatchTrainer<float> trainer;
    trainer.train_epoch(net, adam, data.train.X, Y, 128, rng());
    trainer.train_epoch(net, adam, data.train.X, Y, 128, rng());
    return net;
  };
  Network<float> fused = train(true), three = train(false);
  ASSERT_EQ(fused.size(), 5u);
  ASSERT_EQ(three.size(), 9u);
  EXPECT_NE(dynamic_cast<FastBnReluDropout<float>*>(&fused.layer(1)), nullptr);
  EXPECT_TRUE(arma::approx_equal(fused.flatten(), three.flatten(), "absdiff", 0.0f));
}

// Its model file is the lessons' net's: a model trained with the fused layer loads into the
// 9-layer net (a learner's workspace build: the lessons' BatchNorm, ReLU and Dropout) and the
// other way round, and both give the same outputs in evaluation mode; a file that does not fit
// is still refused, naming the layer.
TEST(Ch11FastBnReluDropout, ItsModelFileIsTheLessonsNets) {
  static const Mnist data = load_dataset("sample", {});
  const arma::fmat Y = one_hot<float>(data.train.y);
  const std::vector<arma::uword> sizes = {784, 64, 32, 10};
  seed_everything(11);
  Network<float> fused = make_final_net<float>({sizes, 0.8, true, true});
  ch09::FusedAdam<float> adam(1e-3f);
  MinibatchTrainer<float> trainer;
  trainer.train_epoch(fused, adam, data.train.X, Y, 128, rng());  // γ, β and the running averages move
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "course_ch11_fused_model";
  std::filesystem::create_directories(dir);
  save_model(fused, dir / "fused.bin");

  seed_everything(12);
  Network<float> lessons = make_final_net<float>({sizes, 0.8, false});
  ASSERT_EQ(lessons.size(), 9u);
  load_model(lessons, dir / "fused.bin");
  fused.set_training(false);
  lessons.set_training(false);
  const arma::fmat X = data.test.X.cols(0, 199);
  const arma::fmat a_fused = fused.forward(X), a_lessons = lessons.forward(X);
  EXPECT_LT(arma::abs(a_fused - a_lessons).max(), 1e-5f) << "the fused net's model in the lessons' net";

  save_model(lessons, dir / "lessons.bin");
  seed_everything(13);
  Network<float> fused_again = make_final_net<float>({sizes, 0.8, true, true});
  load_model(fused_again, dir / "lessons.bin");
  fused_again.set_training(false);
  EXPECT_TRUE(arma::approx_equal(fused_again.flatten(), fused.flatten(), "absdiff", 0.0f));
  EXPECT_EQ(arma::accu(fused_again.forward(X) != a_fused), 0u) << "the lessons' file in the fused net";

  Network<float> narrower = make_final_net<float>({{784, 64, 16, 10}, 0.8, true, true});
  const std::string message = test_support::message_of([&] { load_model(narrower, dir / "fused.bin"); });
  EXPECT_NE(message.find("expected 16"), std::string::npos) << message;
  std::filesystem::remove_all(dir);
}
