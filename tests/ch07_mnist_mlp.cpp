// Chapter 7: the 784-64-16-10 network of note 003, its training loop, its model file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <armadillo>
#include <filesystem>
#include <random>
#include <string>

#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "common/data.hpp"
#include "messages.hpp"

namespace {

using namespace course;
using namespace course::ch07;

// The embedded sample, loaded once for the whole suite.
const Mnist& sample() {
  static const Mnist data = load_dataset("sample", {});
  return data;
}

// An optimiser whose step changes nothing: the epoch then sees one fixed network.
class FrozenParameters : public Optimizer<float> {
 public:
  FrozenParameters() : Optimizer<float>(1.0f) {}
  std::string name() const override { return "frozen"; }
  void step(const std::vector<Parameter<float>>& params) override { steps += params.empty() ? 0 : 1; }
  int steps = 0;
};

// ---------------------------------------------------------------------------
// ch07.train_epoch: the mini-batch loop
// ---------------------------------------------------------------------------
// Chapter 7's own net, as its program builds it. In a workspace build (the learner's,
// and the exercise verification's) it has the lesson's layers, chapter 3's Sigmoid and
// Tanh, which call the learner's σ and tanh: so these tests run the exercises ch01.sigmoid
// and ch03.tanh (tools/exercise_dependencies.json, which the verification checks). With
// FastSigmoid and FastTanh in a workspace build they would not: the learner's code would
// never run in the program (fast_activations.hpp, fast_layers_by_default).
static Network<float> lesson_mlp() { return make_mnist_mlp(); }

TEST(ch07_train_epoch, LowersTheCostOnAFixedSet) {
  seed_everything(11);
  Network<float> net = lesson_mlp();
  const arma::fmat X = sample().train.X.cols(0, 511);
  const arma::fmat Y = one_hot<float>(sample().train.y.subvec(0, 511));
  const double before = net.cost(X, Y);
  MinibatchTrainer<float> trainer;
  SGD<float> sgd(0.5f);
  std::mt19937_64 gen(11);
  double last = 0;
  for (int epoch = 0; epoch < 5; ++epoch) last = trainer.train_epoch(net, sgd, to_bytes(X), Y, 64, gen);
  const double after = net.cost(X, Y);
  EXPECT_TRUE(std::isfinite(last));
  EXPECT_LT(after, 0.8 * before) << "before " << before << ", after 5 epochs " << after;
}

TEST(ch07_train_epoch, ReturnsTheMeanBatchCostAndVisitsEveryExample) {
  seed_everything(12);
  // With steps that change nothing, the epoch's mean cost is the cost of the whole set,
  // whatever the order and the batch size (the last batch smaller: 100 = 3·32 + 4).
  Network<float> net = lesson_mlp();
  const arma::fmat X = sample().train.X.cols(0, 99);
  const arma::fmat Y = one_hot<float>(sample().train.y.subvec(0, 99));
  MinibatchTrainer<float> trainer;
  FrozenParameters sgd;  // steps that change nothing
  std::mt19937_64 gen(12);
  const double epoch_cost = trainer.train_epoch(net, sgd, to_bytes(X), Y, 32, gen);
  EXPECT_NEAR(epoch_cost, net.cost(X, Y), 1e-5);
  EXPECT_EQ(sgd.steps, 4);  // one step per mini-batch: 32, 32, 32, 4
}

TEST(ch07_train_epoch, SameSeedSameNetwork) {
  const arma::fmat X = sample().train.X.cols(0, 255);
  const arma::fmat Y = one_hot<float>(sample().train.y.subvec(0, 255));
  arma::fmat first_W1;
  for (int run = 0; run < 2; ++run) {
    seed_everything(13);
    Network<float> net = lesson_mlp();
    MinibatchTrainer<float> trainer;
    SGD<float> sgd(0.2f);
    std::mt19937_64 gen(13);
    trainer.train_epoch(net, sgd, to_bytes(X), Y, 32, gen);
    if (run == 0)
      first_W1 = *net.parameters()[0].value;
    else
      EXPECT_TRUE(arma::approx_equal(first_W1, *net.parameters()[0].value, "absdiff", 0.0f));
  }
}

// ---------------------------------------------------------------------------
// The network of note 003
// ---------------------------------------------------------------------------
TEST(Ch07Network, ShapesOfNote003) {
  seed_everything(14);
  Network<float> net = make_mnist_mlp();
  const std::vector<Parameter<float>> p = net.parameters();
  ASSERT_EQ(p.size(), 6u);
  EXPECT_EQ(shape_of(*p[0].value), "64 × 784");  // W1 (note 003: 784 × 64, its transpose)
  EXPECT_EQ(shape_of(*p[1].value), "64 × 1");
  EXPECT_EQ(shape_of(*p[2].value), "16 × 64");
  EXPECT_EQ(shape_of(*p[3].value), "16 × 1");
  EXPECT_EQ(shape_of(*p[4].value), "10 × 16");
  EXPECT_EQ(shape_of(*p[5].value), "10 × 1");
  EXPECT_EQ(net.parameter_count(), 51450u);
  EXPECT_EQ(net.describe(),
            "Linear(784 -> 64) → Sigmoid → Linear(64 -> 16) → Tanh → Linear(16 -> 10) → SoftmaxCrossEntropy");
}

TEST(Ch07Network, XavierUniformLimits) {
  seed_everything(15);
  Network<float> net = make_mnist_mlp();
  const std::vector<Parameter<float>> p = net.parameters();
  const arma::fmat& W1 = *p[0].value;
  const float limit1 = std::sqrt(6.0f / (784 + 64));
  EXPECT_LE(arma::abs(W1).max(), limit1);
  EXPECT_GT(arma::abs(W1).max(), 0.95f * limit1);  // the whole range is used
  EXPECT_NEAR(arma::accu(arma::square(W1)) / W1.n_elem, limit1 * limit1 / 3,
              0.05 * limit1 * limit1 / 3);  // Var U(−a, a) = a²/3
  EXPECT_LE(arma::abs(*p[4].value).max(), std::sqrt(6.0f / (16 + 10)));
  EXPECT_EQ(arma::accu(arma::abs(*p[1].value)), 0.0f);  // b = 0
}

TEST(Ch07GradientCheck, SmallVersionOfTheNet) {
  seed_everything(16);
  Network<double> net = make_mlp<double>({30, 8, 6, 10});  // 30-8-6-10: sigmoid, tanh, softmax + CE
  randomize_biases(net);
  const arma::mat X(30, 12, arma::fill::randu);  // pixels in [0, 1]
  arma::Row<std::uint8_t> labels(12);
  for (arma::uword i = 0; i < 12; ++i) labels[i] = std::uint8_t((7 * i) % 10);
  const GradientCheckReport report = gradient_check(net, X, one_hot<double>(labels));
  EXPECT_LT(report.overall, 1e-7);
  ASSERT_EQ(report.layers.size(), 3u);
  for (const GradientCheckRow& row : report.layers) EXPECT_LT(row.relative_error, 1e-7) << row.layer;
}

TEST(Ch07Training, OneStepLowersTheLossOnAFixedBatch) {
  seed_everything(17);
  Network<float> net = make_mnist_mlp();
  const arma::fmat X = sample().train.X.cols(0, 63);
  const arma::fmat Y = one_hot<float>(sample().train.y.subvec(0, 63));
  const float before = net.cost(X, Y);
  net.backward(Y);
  SGD<float> sgd(0.2f);
  sgd.step(net.parameters());
  EXPECT_LT(net.cost(X, Y), before);
}

// A run that blows up stops with a message naming the epoch and the rate. η = 100 on
// note 003's net: the cost stays finite (the loss is computed stably) but climbs far
// above its start J₀ = ln 10 ≈ 2.3, and accuracy sits at chance.
TEST(Ch07Training, ARunThatBlowsUpStopsNamingTheEpochAndTheRate) {
  const arma::fmat X = sample().train.X.cols(0, 1023);
  const arma::fmat Y = one_hot<float>(sample().train.y.subvec(0, 1023));
  const FitSettings settings{.epochs = 3, .batch_size = 64, .record_every = 1, .schedule = nullptr, .progress = ""};
  seed_everything(19);
  Network<float> net = make_mnist_mlp();
  SGD<float> sgd(100.0f);
  std::mt19937_64 gen(19);
  const std::string message =
      test_support::message_of([&] { fit(net, sgd, X, Y, LabelledSet<float>{}, settings, gen); });
  EXPECT_NE(message.find("training diverged at epoch 1"), std::string::npos) << message;
  EXPECT_NE(message.find("learning rate 100"), std::string::npos) << message;
  EXPECT_NE(message.find("10 × its start"), std::string::npos) << message;
  seed_everything(19);
  Network<float> again = make_mnist_mlp();
  SGD<float> sgd_again(100.0f);
  std::mt19937_64 gen_again(19);
  EXPECT_THROW(fit(again, sgd_again, X, Y, LabelledSet<float>{}, settings, gen_again), course::TrainingDiverged);
  // Opted out (a lesson that shows such a net): the same run goes to the end, its cost finite and high.
  seed_everything(19);
  Network<float> shown = make_mnist_mlp();
  SGD<float> sgd_shown(100.0f);
  std::mt19937_64 gen_shown(19);
  FitSettings opted_out = settings;
  opted_out.divergence_factor = 0;
  const History h = fit(shown, sgd_shown, X, Y, LabelledSet<float>{}, opted_out, gen_shown);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_GT(h.back().running_cost, 10 * std::log(10.0));
  // A sane rate never trips the rule.
  seed_everything(19);
  Network<float> sane = make_mnist_mlp();
  SGD<float> sgd_sane(0.2f);
  std::mt19937_64 gen_sane(19);
  EXPECT_EQ(fit(sane, sgd_sane, X, Y, LabelledSet<float>{}, settings, gen_sane).size(), 3u);
}

TEST(Ch07Model, SaveAndLoadGiveIdenticalPredictions) {
  seed_everything(18);
  Network<float> net = make_mnist_mlp();
  const arma::fmat X = sample().train.X.cols(0, 499);
  const arma::fmat Y = one_hot<float>(sample().train.y.subvec(0, 499));
  MinibatchTrainer<float> trainer;
  SGD<float> sgd(0.2f);
  std::mt19937_64 gen(18);
  trainer.train_epoch(net, sgd, to_bytes(X), Y, 50, gen);
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ch07_model_" + std::to_string(::getpid()) + ".bin");
  save_model(net, file);
  Network<float> loaded = make_mnist_mlp();  // other random weights...
  load_model(loaded, file);                  // ...replaced by the saved ones
  std::filesystem::remove(file);
  const arma::fmat& test = sample().test.X;
  const arma::fmat a = net.forward(test);
  const arma::fmat b = loaded.forward(test);
  EXPECT_TRUE(arma::approx_equal(a, b, "absdiff", 0.0f));
  EXPECT_TRUE(arma::all(net.predict(test) == loaded.predict(test)));
}

TEST(Ch07Model, LoadRejectsAnotherFile) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ch07_not_a_model_" + std::to_string(::getpid()) + ".bin");
  { std::ofstream(file) << "hello\n"; }
  Network<float> net = make_mnist_mlp();
  try {
    load_model(net, file);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a saved network"), std::string::npos) << e.what();
  }
  std::filesystem::remove(file);
}

// The stated accuracy on the embedded sample: 10 epochs on its 5,000 training
// images, batch 64, η = 0.5, tested on its 1,000 test images: above 85%
// (the reference code reaches about 90%).
TEST(Ch07Sample, BeatsStatedAccuracy) {
  seed_everything(19);
  Network<float> net = make_mnist_mlp();
  const arma::fmat Y = one_hot<float>(sample().train.y);
  const arma::Mat<std::uint8_t> X = to_bytes(sample().train.X);
  MinibatchTrainer<float> trainer;
  SGD<float> sgd(0.5f);
  std::mt19937_64 gen(19);
  for (int epoch = 0; epoch < 10; ++epoch) trainer.train_epoch(net, sgd, X, Y, 64, gen);
  const Evaluation test = evaluate(net, sample().test.X, one_hot<float>(sample().test.y));
  EXPECT_GT(test.accuracy, 0.85);
  const arma::umat confusion =
      confusion_matrix(test.predicted, arma::conv_to<arma::urowvec>::from(sample().test.y), 10);
  EXPECT_EQ(arma::accu(confusion), sample().test.size());
  EXPECT_NEAR(double(arma::trace(confusion)) / sample().test.size(), test.accuracy, 1e-12);
}

TEST(Ch07Bytes, PixelsRoundTripExactly) {
  const arma::fmat& X = sample().test.X;
  const arma::Mat<std::uint8_t> bytes = to_bytes(X);
  arma::uvec order = arma::regspace<arma::uvec>(X.n_cols - 1, 0);  // backwards
  arma::fmat Xb;
  gather_batch(bytes, order, 0, 9, Xb);
  ASSERT_EQ(Xb.n_cols, 10u);
  for (arma::uword j = 0; j < 10; ++j)
    EXPECT_TRUE(arma::approx_equal(Xb.col(j), X.col(X.n_cols - 1 - j), "absdiff", 0.0f)) << "column " << j;
  arma::fmat not_pixels(2, 2, arma::fill::value(0.5f));
  EXPECT_THROW(to_bytes(not_pixels), std::invalid_argument);
}

TEST(Ch07Evaluation, ConfusionMatrixByHand) {
  const arma::urowvec predicted = {0, 1, 1, 2, 2, 2};
  const arma::urowvec labels = {0, 1, 2, 2, 2, 0};
  const arma::umat c = confusion_matrix(predicted, labels, 3);
  EXPECT_EQ(c(0, 0), 1u);
  EXPECT_EQ(c(0, 2), 1u);
  EXPECT_EQ(c(1, 1), 1u);
  EXPECT_EQ(c(2, 1), 1u);
  EXPECT_EQ(c(2, 2), 2u);
  EXPECT_EQ(arma::accu(c), 6u);
}

TEST(Ch07Evaluation, FlopsOfAnEpoch) {
  // Forward 2·(784·64 + 64·16 + 16·10), dW the same, dA for layers 2 and 3 only: 2·(64·16 + 16·10).
  const double per_example = 2.0 * (784 * 64 + 64 * 16 + 16 * 10) * 2 + 2.0 * (64 * 16 + 16 * 10);
  EXPECT_DOUBLE_EQ(training_flops({784, 64, 16, 10}, 60000), per_example * 60000);
  EXPECT_NEAR(training_flops({784, 64, 16, 10}, 60000) * 1e-9, 12.47, 0.01);
}

TEST(Ch07Data, MissingMnistSaysHowToGetIt) {
  const std::filesystem::path empty =
      std::filesystem::temp_directory_path() / ("ch07_empty_" + std::to_string(::getpid()));
  std::filesystem::create_directories(empty);
  try {
    load_dataset("mnist", empty);
    FAIL() << "no exception";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("./course fetch"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(empty);
}

}  // namespace
