// Chapter 6: the network contract that chapters 8–13 build on: typed parameter
// lists, one θ vector, optimisers, training and evaluation modes, a penalty in
// the cost, layers with state and randomness, and model files that hold both.
#include <gtest/gtest.h>

#include <unistd.h>
#include <armadillo>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/06_backprop/model_file.hpp"
#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/06_backprop/optimizer.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "common/data.hpp"
#include "messages.hpp"

namespace {

using namespace course;

using test_support::message_of;

std::filesystem::path temp_model(const std::string& name) {
  return std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()) + ".bin");
}

// A layer with untrained state, standing in for batch norm until chapter 10:
// in training mode it subtracts the batch's mean per feature and keeps a
// running average of it (μ ← 0.9 μ + 0.1 μ_batch); in evaluation mode it
// subtracts the running average. It records the mode of its last forward pass.
class RunningCentre : public Layer<double> {
 public:
  explicit RunningCentre(arma::uword n) : running_mean(n, 1, arma::fill::zeros) {}
  std::string name() const override { return "RunningCentre"; }
  void forward(const arma::mat& input, arma::mat& output) override {
    last_forward_training = this->training();
    if (this->training()) {
      const arma::vec mean = arma::mean(input, 1);
      running_mean = 0.9 * running_mean + 0.1 * mean;
      output = input.each_col() - mean;
    } else {
      output = input.each_col() - running_mean;
    }
  }
  void backward(const arma::mat& input, const arma::mat&, const arma::mat& dout, arma::mat& dinput) override {
    (void)input;
    dinput = dout.each_col() - arma::mean(dout, 1);  // ∂/∂x of x − mean(x)
  }
  std::vector<State<double>> state() override { return {{"running mean", &running_mean}}; }

  arma::mat running_mean;
  bool last_forward_training = true;
};

// A layer that draws a random ±1 per unit and example in every forward pass
// (dropout's kind of randomness), unless it is held to its last draw.
class RandomSign : public Layer<double> {
 public:
  std::string name() const override { return "RandomSign"; }
  void forward(const arma::mat& input, arma::mat& output) override {
    if (!held_ || mask_.n_rows != input.n_rows || mask_.n_cols != input.n_cols) {
      mask_ = arma::sign(arma::randu<arma::mat>(input.n_rows, input.n_cols) - 0.5);
      ++draws;
    }
    output = input % mask_;
  }
  void backward(const arma::mat&, const arma::mat&, const arma::mat& dout, arma::mat& dinput) override {
    dinput = dout % mask_;  // the same mask as the forward pass
  }
  void hold_randomness(bool hold) override { held_ = hold; }
  int draws = 0;

 private:
  arma::mat mask_;
  bool held_ = false;
};

// (λ/2m) Σ ‖W‖² over the parameters that decay; its gradient (λ/m) W can be left out.
class SquaredWeights : public Penalty<double> {
 public:
  SquaredWeights(double lambda, bool with_gradient) : lambda_(lambda), with_gradient_(with_gradient) {}
  std::string name() const override { return "SquaredWeights"; }
  double cost(const std::vector<Parameter<double>>& params, arma::uword m) const override {
    double sum = 0;
    for (const Parameter<double>& p : params)
      if (p.decays) sum += arma::accu(arma::square(*p.value));
    return lambda_ / (2.0 * double(m)) * sum;
  }
  void add_gradient(const std::vector<Parameter<double>>& params, arma::uword m) const override {
    if (!with_gradient_) return;
    for (const Parameter<double>& p : params)
      if (p.decays) *p.gradient += lambda_ / double(m) * *p.value;
  }

 private:
  double lambda_;
  bool with_gradient_;
};

Network<double> network_with_state() {
  Network<double> net;
  net.add<Linear>(4, 5);
  net.add(std::make_unique<RunningCentre>(5));
  net.add<Tanh>();
  net.add<Linear>(5, 3);
  net.set_loss<SoftmaxCrossEntropy>();
  return net;
}

// ---------------------------------------------------------------------------
// The parameter list
// ---------------------------------------------------------------------------
TEST(Ch06Contract, ParametersAreNamedByLayerAndKnowWhetherTheyDecay) {
  Network<double> net = make_network<double>({4, 3, 2}, {"tanh", "softmax"}, "cross_entropy");
  const std::vector<Parameter<double>> params = net.parameters();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].name, "layer 1 W");
  EXPECT_EQ(params[1].name, "layer 1 b");
  EXPECT_EQ(params[2].name, "layer 3 W");  // layer 2 is the Tanh: no parameters
  EXPECT_EQ(params[3].name, "layer 3 b");
  EXPECT_TRUE(params[0].decays);
  EXPECT_FALSE(params[1].decays);
  EXPECT_EQ(net.parameter_count(), 4u * 3 + 3 + 3 * 2 + 2);
}

TEST(Ch06Contract, FlattenAndAssignRoundTrip) {
  seed_everything(21);
  Network<double> net = make_network<double>({4, 3, 2}, {"tanh", "softmax"}, "cross_entropy");
  const std::vector<Parameter<double>> params = net.parameters();
  const arma::vec theta = net.flatten();
  ASSERT_EQ(theta.n_elem, net.parameter_count());
  EXPECT_EQ(theta(0), (*params[0].value)(0, 0));  // W¹ column by column first
  EXPECT_EQ(theta(1), (*params[0].value)(1, 0));
  EXPECT_EQ(theta(12), (*params[1].value)(0));  // then b¹
  const arma::vec other(theta.n_elem, arma::fill::randn);
  net.assign(other);
  EXPECT_TRUE(arma::approx_equal(net.flatten(), other, "absdiff", 0.0));
  EXPECT_EQ((*params[2].value)(1, 2), other(12 + 3 + 1 + 2 * 2));  // W³(1, 2): after W¹, b¹, then column 2
  net.assign(theta);
  EXPECT_TRUE(arma::approx_equal(net.flatten(), theta, "absdiff", 0.0));
  const std::string m = message_of([&] { net.assign(arma::vec(5, arma::fill::zeros)); });
  EXPECT_NE(m.find("θ has 5 numbers"), std::string::npos) << m;
}

// ---------------------------------------------------------------------------
// Optimisers
// ---------------------------------------------------------------------------
TEST(Ch06Contract, SgdIsThetaMinusEtaTimesTheGradientBitForBit) {
  seed_everything(22);
  Network<float> net = make_network<float>({6, 5, 3}, {"sigmoid", "softmax"}, "cross_entropy");
  const arma::fmat X(6, 8, arma::fill::randn);
  arma::Row<std::uint8_t> labels(8);
  for (arma::uword i = 0; i < 8; ++i) labels[i] = std::uint8_t(i % 3);
  const arma::fmat Y = one_hot<float>(labels, 3);
  net.forward(X);
  net.backward(Y);
  const float eta = 0.3f;
  std::vector<arma::fmat> expected;
  for (const Parameter<float>& p : net.parameters()) expected.push_back(*p.value - eta * *p.gradient);  // θ − η dθ
  SGD<float> sgd(eta);
  sgd.step(net.parameters());
  const std::vector<Parameter<float>> params = net.parameters();
  for (std::size_t i = 0; i < params.size(); ++i)
    EXPECT_TRUE(arma::approx_equal(*params[i].value, expected[i], "absdiff", 0.0f)) << params[i].name;
  EXPECT_NE(message_of([] { SGD<float> bad(0.0f); }).find("learning rate must be positive"), std::string::npos);
}

TEST(Ch06Contract, TheTrainingLoopAsksTheScheduleForEachEpochsRate) {
  class Halving : public LearningRateSchedule {
   public:
    std::string name() const override { return "halving"; }
    double rate(int epoch) const override { return 0.4 / double(1 << (epoch - 1)); }
  };
  seed_everything(23);
  Network<double> net = make_network<double>({3, 4, 2}, {"tanh", "softmax"}, "cross_entropy");
  const arma::mat X(3, 30, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 2, 30);
  SGD<double> sgd(1.0);
  Halving schedule;
  const History history =
      fit(net, sgd, X, Y, LabelledSet<double>{},
          {.epochs = 3, .batch_size = 10, .record_every = 1, .schedule = &schedule, .progress = ""}, rng());
  const std::vector<double> rates = history.column(&course::EpochRecord::learning_rate);
  ASSERT_EQ(rates.size(), 3u);
  EXPECT_DOUBLE_EQ(rates[0], 0.4);
  EXPECT_DOUBLE_EQ(rates[1], 0.2);
  EXPECT_DOUBLE_EQ(rates[2], 0.1);
  EXPECT_EQ(history.column(&course::EpochRecord::train_cost).size(), 3u);
}

TEST(Ch06Contract, TheTrainingLoopStopsWhenTheCallbackSaysSo) {
  seed_everything(24);
  Network<double> net = make_network<double>({3, 4, 2}, {"tanh", "softmax"}, "cross_entropy");
  const arma::mat X(3, 30, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 2, 30);
  SGD<double> sgd(0.1);
  const History history = fit(net, sgd, X, Y, LabelledSet<double>{&X, &Y},
                              {.epochs = 10, .batch_size = 10, .record_every = 1, .schedule = nullptr, .progress = ""},
                              rng(), [](int epoch, const History&) { return epoch < 4; });
  EXPECT_EQ(history.size(), 4u);
  EXPECT_EQ(history.column(&course::EpochRecord::dev_cost).size(), 4u);
}

TEST(Ch06Contract, ADivergingRunStopsWithAClearError) {
  seed_everything(25);
  Network<double> net = make_network<double>({3, 4, 1}, {"tanh", "identity"}, "mse");
  const arma::mat X = 100.0 * arma::mat(3, 40, arma::fill::randn);
  const arma::mat Y(1, 40, arma::fill::randn);
  SGD<double> sgd(50.0);
  const std::string m = message_of([&] {
    fit(net, sgd, X, Y, LabelledSet<double>{},
        {.epochs = 50, .batch_size = 10, .record_every = 1, .schedule = nullptr, .progress = ""}, rng());
  });
  EXPECT_NE(m.find("training cost"), std::string::npos) << m;
  EXPECT_NE(m.find("learning rate"), std::string::npos) << m;
}

// ---------------------------------------------------------------------------
// Training and evaluation modes
// ---------------------------------------------------------------------------
TEST(Ch06Contract, PredictAndEvaluateRunInEvaluationModeAndSwitchBack) {
  seed_everything(26);
  Network<double> net = network_with_state();
  auto& centre = net.layer_as<RunningCentre>(1);
  const arma::mat X(4, 6, arma::fill::randn);
  net.forward(X);
  EXPECT_TRUE(centre.last_forward_training);
  net.predict(X);
  EXPECT_FALSE(centre.last_forward_training);
  EXPECT_TRUE(net.training());
  EXPECT_TRUE(centre.training());
  evaluate(net, X, random_targets("cross_entropy", 3, 6));
  EXPECT_FALSE(centre.last_forward_training);
  EXPECT_TRUE(centre.training());
}

TEST(Ch06Contract, TheModeGuardRestoresTrainingModeWhenEvaluationThrows) {
  Network<double> net = network_with_state();
  const arma::mat wrong(7, 3, arma::fill::randn);  // 7 rows: Linear(4 -> 5) throws
  EXPECT_THROW(net.predict(wrong), std::invalid_argument);
  EXPECT_TRUE(net.training());
  EXPECT_TRUE(net.layer(1).training());
  net.set_training(false);
  EXPECT_THROW(net.predict(wrong), std::invalid_argument);
  EXPECT_FALSE(net.layer(1).training());  // it restores the mode it found
}

// ---------------------------------------------------------------------------
// Saving and loading parameters and state
// ---------------------------------------------------------------------------
TEST(Ch06Contract, SaveThenLoadReproducesEvaluationOutputsExactly) {
  seed_everything(27);
  const std::filesystem::path file = temp_model("ch06_state");
  Network<double> net = network_with_state();
  for (int i = 0; i < 5; ++i) {  // training moves the running mean away from 0
    const arma::mat X = arma::mat(4, 8, arma::fill::randn) + 2.0;
    net.forward(X);
  }
  ASSERT_GT(arma::abs(net.layer_as<RunningCentre>(1).running_mean).max(), 0.1);
  save_model(net, file);
  Network<double> loaded = network_with_state();  // new parameters, running mean 0
  load_model(loaded, file);
  std::filesystem::remove(file);
  const arma::mat X(4, 9, arma::fill::randn);
  net.set_training(false);
  loaded.set_training(false);
  const arma::mat expected = net.forward(X);
  const arma::mat got = loaded.forward(X);
  EXPECT_TRUE(arma::approx_equal(got, expected, "absdiff", 0.0));
  EXPECT_TRUE(arma::approx_equal(loaded.layer_as<RunningCentre>(1).running_mean,
                                 net.layer_as<RunningCentre>(1).running_mean, "absdiff", 0.0));
}

TEST(Ch06Contract, AModelFileWithAnotherLayerKindOrShapeIsRejectedNamingTheLayer) {
  seed_everything(28);
  const std::filesystem::path file = temp_model("ch06_kinds");
  Network<double> net = network_with_state();
  save_model(net, file);
  {
    Network<double> other;  // a Sigmoid where the file has RunningCentre
    other.add<Linear>(4, 5);
    other.add<Sigmoid>();
    other.add<Tanh>();
    other.add<Linear>(5, 3);
    other.set_loss<SoftmaxCrossEntropy>();
    const arma::vec before = other.flatten();
    const std::string m = message_of([&] { load_model(other, file); });
    EXPECT_NE(m.find("layer 2 is RunningCentre in the file but layer 2 (Sigmoid)"), std::string::npos) << m;
    EXPECT_TRUE(arma::approx_equal(other.flatten(), before, "absdiff", 0.0));  // nothing changed
  }
  {
    Network<double> other;  // Linear(5 -> 2) where the file has 5 -> 3
    other.add<Linear>(4, 5);
    other.add(std::make_unique<RunningCentre>(5));
    other.add<Tanh>();
    other.add<Linear>(5, 2);
    other.set_loss<SoftmaxCrossEntropy>();
    const arma::vec before = other.flatten();
    const std::string m = message_of([&] { load_model(other, file); });
    EXPECT_NE(m.find("layer 4 (Linear(5 -> 2)): W is 3 × 5 in the file, expected 2 × 5"), std::string::npos) << m;
    EXPECT_TRUE(arma::approx_equal(other.flatten(), before, "absdiff", 0.0));  // layer 1 was not loaded either
  }
  {
    std::ofstream old(file, std::ios::binary);  // a file of format 1 (chapter 7 before this contract)
    old << "course-network 1\nLinear(4 -> 5) → ...\n2\n";
  }
  const std::string m = message_of([&] { load_model(net, file); });
  EXPECT_NE(m.find("saved before format 2"), std::string::npos) << m;
  EXPECT_NE(m.find(file.string()), std::string::npos) << m;
  std::filesystem::remove(file);
}

// ---------------------------------------------------------------------------
// The gradient check covers the whole cost, and can hold a layer's randomness
// ---------------------------------------------------------------------------
TEST(Ch06Contract, GradientCheckCoversAPenaltyAndCatchesItsMissingGradient) {
  seed_everything(29);
  const arma::mat X(4, 6, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 3, 6);
  Network<double> net = make_network<double>({4, 5, 3}, {"tanh", "softmax"}, "cross_entropy");
  randomize_biases(net);
  net.set_penalty(std::make_unique<SquaredWeights>(0.7, /*with_gradient=*/true));
  const GradientCheckReport right = gradient_check(net, X, Y);
  EXPECT_LT(right.overall, 1e-7);
  // The penalty is really in J: the cost with it is larger than without.
  const double with_penalty = net.cost(X, Y);
  EXPECT_GT(with_penalty, net.data_loss(Y) + 1e-3);
  net.set_penalty(std::make_unique<SquaredWeights>(0.7, /*with_gradient=*/false));
  const GradientCheckReport wrong = gradient_check(net, X, Y);
  EXPECT_GT(wrong.overall, 1e-3);
}

TEST(Ch06Contract, GradientCheckHoldsARandomLayerToOneDraw) {
  seed_everything(30);
  Network<double> net;
  net.add<Linear>(4, 5);
  net.add<Tanh>();
  RandomSign& random = net.add(std::make_unique<RandomSign>());
  net.add<Linear>(5, 3);
  net.set_loss<SoftmaxCrossEntropy>();
  randomize_biases(net);
  const arma::mat X(4, 6, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 3, 6);
  net.forward(X);
  net.forward(X);
  EXPECT_EQ(random.draws, 2);  // not held: a new draw every forward pass
  const GradientCheckReport report = gradient_check(net, X, Y);
  EXPECT_EQ(random.draws, 3);  // one draw for the whole check
  EXPECT_LT(report.overall, 1e-7);
  net.forward(X);
  EXPECT_EQ(random.draws, 4);  // released afterwards
}

}  // namespace
