// Chapter 6: the network, backpropagation, the gradient check, per example vs vectorized.
#include <gtest/gtest.h>

#include <unistd.h>
#include <armadillo>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/06_backprop/model_file.hpp"
#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/06_backprop/per_example.hpp"
#include "common/data.hpp"
#include "messages.hpp"

namespace {

using namespace course;

// ---------------------------------------------------------------------------
// ch06.forward: the forward pass with its cache
// ---------------------------------------------------------------------------
TEST(ch06_forward, KnownValuesAndCache) {
  Network<double> net;
  Linear<double>& first = net.add<Linear>(2, 2);
  net.add<Sigmoid>();
  Linear<double>& second = net.add<Linear>(2, 1);
  net.add<Identity>();
  net.set_loss<MeanSquaredError>();
  first.weights = {{1.0, -1.0}, {0.5, 2.0}};
  first.bias = arma::vec{0.0, -1.0};
  second.weights = {{2.0, -3.0}};
  second.bias = arma::vec{0.5};
  const arma::mat X = {{1.0, 0.0}, {2.0, -1.0}};  // two examples, as columns
  const arma::mat& out = net.forward(X);
  // z¹ = W¹x + b¹ = (−1, 3.5) and (1, −3); a¹ = σ(z¹); z² = 2a¹₁ − 3a¹₂ + 0.5
  auto s = [](double z) { return 1.0 / (1.0 + std::exp(-z)); };
  ASSERT_EQ(out.n_rows, 1u);
  ASSERT_EQ(out.n_cols, 2u);
  EXPECT_NEAR(out(0, 0), 2 * s(-1) - 3 * s(3.5) + 0.5, 1e-12);
  EXPECT_NEAR(out(0, 1), 2 * s(1) - 3 * s(-3) + 0.5, 1e-12);
  // The cache keeps every layer's output.
  EXPECT_NEAR(net.layer_output(0)(1, 0), 3.5, 1e-12);
  EXPECT_NEAR(net.layer_output(1)(0, 1), s(1), 1e-12);
  EXPECT_EQ(net.layer_output(3).n_cols, 2u);
}

TEST(ch06_forward, AnyDepthGivesOutputShape) {
  seed_everything(3);
  Network<double> net = make_network<double>({7, 6, 5, 4, 3}, {"relu", "tanh", "sigmoid", "softmax"}, "cross_entropy");
  const arma::mat X(7, 9, arma::fill::randn);
  const arma::mat& out = net.forward(X);
  EXPECT_EQ(out.n_rows, 3u);
  EXPECT_EQ(out.n_cols, 9u);
  EXPECT_EQ(net.size(), 7u);  // 4 Linear + 3 activations (softmax fused into the loss)
}

// A layer that returns the wrong number of columns, or the wrong ∂J/∂input shape: the network's forward and
// backward passes (exercises ch06.forward and ch06.backward) name it and both shapes.
class BadLayer : public Layer<double> {
 public:
  explicit BadLayer(bool bad_forward) : bad_forward_(bad_forward) {}
  std::string name() const override { return "BadLayer"; }
  void forward(const arma::mat& input, arma::mat& output) override {
    output = bad_forward_ ? arma::mat(input.n_rows, input.n_cols + 1, arma::fill::zeros) : input;
  }
  void backward(const arma::mat& input, const arma::mat&, const arma::mat&, arma::mat& dinput) override {
    dinput = arma::mat(input.n_rows + 1, input.n_cols, arma::fill::zeros);
  }

 private:
  bool bad_forward_;
};

TEST(ch06_forward, ALayerOutputWithTheWrongColumnsNamesTheLayerAndBothShapes) {
  Network<double> net;
  net.add<Linear>(3, 2);
  net.add(std::make_unique<BadLayer>(true));
  net.set_loss<MeanSquaredError>();
  const arma::mat X(3, 4, arma::fill::zeros);
  const std::string m = test_support::message_of([&] { net.forward(X); });
  EXPECT_NE(m.find("layer 2 (BadLayer)"), std::string::npos) << m;
  EXPECT_NE(m.find("2 × 5"), std::string::npos) << m;
  EXPECT_NE(m.find("2 × 4"), std::string::npos) << m;
}

// ---------------------------------------------------------------------------
// ch06.backward: BP1–BP4, checked against the numerical gradient
// ---------------------------------------------------------------------------
TEST(ch06_backward, EveryActivationWithEveryLoss) {
  seed_everything(1);
  struct Output {
    std::string activation, loss;
  };
  const std::vector<Output> outputs = {{"identity", "mse"},
                                       {"sigmoid", "binary_cross_entropy"},
                                       {"softmax_layer", "cross_entropy"},
                                       {"softmax", "cross_entropy"}};
  for (const std::string f : {"sigmoid", "tanh", "relu", "leaky_relu", "identity"}) {
    for (const Output& out : outputs) {
      Network<double> net = make_network<double>({4, 5, 3, 3}, {f, f, out.activation}, out.loss);
      randomize_biases(net);
      const arma::mat X(4, 6, arma::fill::randn);
      const GradientCheckReport report = gradient_check(net, X, random_targets(out.loss, 3, 6));
      EXPECT_LT(report.overall, 1e-7) << f << " with " << out.activation << " + " << out.loss;
      for (const GradientCheckRow& row : report.layers)
        EXPECT_LT(row.relative_error, 1e-6) << f << " with " << out.loss << ": " << row.layer;
    }
  }
}

TEST(ch06_backward, DeepNetworkWithInputGradient) {
  seed_everything(2);
  Network<double> net =
      make_network<double>({3, 4, 4, 4, 4, 2}, {"tanh", "sigmoid", "tanh", "leaky_relu", "identity"}, "mse");
  randomize_biases(net);
  net.want_input_gradient(true);
  const arma::mat X(3, 5, arma::fill::randn);
  const arma::mat Y(2, 5, arma::fill::randn);
  EXPECT_LT(gradient_check(net, X, Y).overall, 1e-7);
  // ∂J/∂X by backpropagation against the numerical one.
  net.forward(X);
  net.backward(Y);
  const arma::mat dX = net.input_gradient();
  const arma::mat dX_numerical = numerical_gradient([&](const arma::mat& x) { return net.cost(x, Y); }, X);
  EXPECT_LT(relative_error(dX, dX_numerical), 1e-7);
}

TEST(ch06_backward, InputGradientOffByDefault) {
  seed_everything(2);
  Network<double> net = make_network<double>({3, 4, 2}, {"tanh", "identity"}, "mse");
  const arma::mat X(3, 5, arma::fill::randn);
  net.forward(X);
  net.backward(arma::mat(2, 5, arma::fill::randn));
  EXPECT_TRUE(net.input_gradient().is_empty());
}

TEST(ch06_backward, AGradientWithTheWrongShapeNamesTheLayerAndBothShapes) {
  Network<double> net;
  net.add<Linear>(3, 2);
  net.add(std::make_unique<BadLayer>(false));
  net.set_loss<MeanSquaredError>();
  const arma::mat X(3, 4, arma::fill::zeros);
  net.forward(X);
  const std::string m = test_support::message_of([&] { net.backward(arma::mat(2, 4, arma::fill::zeros)); });
  EXPECT_NE(m.find("layer 2 (BadLayer)"), std::string::npos) << m;
  EXPECT_NE(m.find("3 × 4"), std::string::npos) << m;
  EXPECT_NE(m.find("2 × 4"), std::string::npos) << m;
}

// ---------------------------------------------------------------------------
// ch06.gradient_check: the numerical gradient over θ, and a bug caught
// ---------------------------------------------------------------------------
TEST(ch06_gradient_check, NumericalGradientOfKnownCost) {
  // One Linear layer + identity + MSE: J = (1/2m) Σ (w·x + b − y)², so ∂J/∂w = (1/m) Σ (a − y) x, ∂J/∂b = (1/m) Σ (a − y).
  Network<double> net;
  Linear<double>& layer = net.add<Linear>(1, 1);
  net.add<Identity>();
  net.set_loss<MeanSquaredError>();
  layer.weights = arma::vec{2.0};
  layer.bias = arma::vec{-1.0};
  const arma::mat X = {{1.0, 2.0, 3.0}};
  const arma::mat Y = {{0.0, 1.0, 1.0}};
  const arma::vec dtheta = network_numerical_gradient(net, X, Y);
  // a = 1, 3, 5; a − y = 1, 2, 4
  ASSERT_EQ(dtheta.n_elem, 2u);
  EXPECT_NEAR(dtheta(0), (1 * 1 + 2 * 2 + 4 * 3) / 3.0, 1e-6);
  EXPECT_NEAR(dtheta(1), (1 + 2 + 4) / 3.0, 1e-6);
  EXPECT_DOUBLE_EQ(layer.weights(0, 0), 2.0);  // θ restored
  EXPECT_DOUBLE_EQ(layer.bias(0, 0), -1.0);
}

TEST(ch06_gradient_check, CatchesBrokenBackward) {
  seed_everything(4);
  Network<double> net = network_with_broken_sigmoid();
  const arma::mat X(4, 6, arma::fill::randn);
  const GradientCheckReport report = gradient_check(net, X, random_targets("cross_entropy", 3, 6));
  EXPECT_GT(report.overall, 1e-3);
  EXPECT_FALSE(report.passed());
  ASSERT_EQ(report.layers.size(), 3u);
  EXPECT_GT(report.layers[0].relative_error, 1e-3);  // the layer before the bug is wrong
  EXPECT_LT(report.layers[1].relative_error, 1e-7);  // the layers after it are right
  EXPECT_LT(report.layers[2].relative_error, 1e-7);
}

TEST(Ch06GradientCheck, PrintsATable) {
  seed_everything(5);
  Network<double> net = make_network<double>({3, 4, 2}, {"sigmoid", "softmax"}, "cross_entropy");
  const GradientCheckReport report =
      gradient_check(net, arma::mat(3, 4, arma::fill::randn), random_targets("cross_entropy", 2, 4));
  std::ostringstream out;
  print_gradient_check(out, report);
  EXPECT_NE(out.str().find("layer 1 (Linear(3 -> 4))"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("all of θ"), std::string::npos);
  EXPECT_EQ(report.parameters, 3u * 4 + 4 + 4 * 2 + 2);
}

// ---------------------------------------------------------------------------
// Per example (note 000) = vectorized
// ---------------------------------------------------------------------------
TEST(Ch06PerExample, SameGradientsAsVectorized) {
  seed_everything(6);
  for (const std::string loss : {"cross_entropy", "mse"}) {
    Network<double> net =
        make_network<double>({6, 5, 4, 3}, {"sigmoid", "tanh", loss == "mse" ? "identity" : "softmax"}, loss);
    const arma::mat X(6, 11, arma::fill::randn);
    const arma::mat Y = random_targets(loss, 3, 11);
    net.forward(X);
    net.backward(Y);
    const arma::vec vectorized = net.flatten_gradients();
    PerExample<double> per_example;
    per_example.gradients(net, X, Y);
    EXPECT_LT(arma::abs(net.flatten_gradients() - vectorized).max(), 1e-14) << loss;
    EXPECT_LT(per_example_difference(net, X, Y), 1e-13) << loss;
  }
}

TEST(Ch06PerExample, SameStepInFloat) {
  seed_everything(7);
  Network<float> a = make_network<float>({8, 6, 4}, {"sigmoid", "softmax"}, "cross_entropy");
  Network<float> b = make_network<float>({8, 6, 4}, {"sigmoid", "softmax"}, "cross_entropy");
  b.assign(a.flatten());
  const arma::fvec start = a.flatten();
  const arma::fmat X(8, 16, arma::fill::randu);
  arma::Row<std::uint8_t> labels(16);
  for (arma::uword i = 0; i < 16; ++i) labels[i] = std::uint8_t(i % 4);
  const arma::fmat Y = one_hot<float>(labels, 4);
  PerExample<float> slow;
  SGD<float> sgd_a(0.5f), sgd_b(0.5f);
  slow.step(a, sgd_a, X, Y);
  minibatch_step(b, sgd_b, X, Y);
  EXPECT_LT(arma::abs(a.flatten() - b.flatten()).max(), 1e-6f);
  EXPECT_GT(arma::abs(a.flatten() - start).max(), 1e-4f);  // both took a real step
}

TEST(Ch06Training, OneStepLowersTheCost) {
  seed_everything(8);
  Network<double> net = make_network<double>({5, 8, 3}, {"tanh", "softmax"}, "cross_entropy");
  const arma::mat X(5, 20, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 3, 20);
  const double before = net.cost(X, Y);
  SGD<double> sgd(0.1);
  minibatch_step(net, sgd, X, Y);
  EXPECT_LT(net.cost(X, Y), before);
}

// ---------------------------------------------------------------------------
// Shapes: every mismatch names the layer and both shapes
// ---------------------------------------------------------------------------
using test_support::message_of;

TEST(Ch06Shapes, WrongInputNamesTheLayer) {
  Network<double> net = make_network<double>({5, 4, 2}, {"tanh", "softmax"}, "cross_entropy");
  const arma::mat X(4, 3, arma::fill::zeros);
  const std::string m = message_of([&] { net.forward(X); });
  EXPECT_NE(m.find("Linear(5 -> 4)"), std::string::npos) << m;
  EXPECT_NE(m.find("4 × 3"), std::string::npos) << m;
  EXPECT_NE(m.find("5"), std::string::npos) << m;
}

TEST(Ch06Shapes, WrongTargetsNameBothShapes) {
  Network<double> net = make_network<double>({5, 4, 2}, {"tanh", "softmax"}, "cross_entropy");
  const arma::mat X(5, 3, arma::fill::zeros);
  net.forward(X);
  const std::string m = message_of([&] { net.backward(arma::mat(3, 3, arma::fill::zeros)); });
  EXPECT_NE(m.find("3 × 3"), std::string::npos) << m;
  EXPECT_NE(m.find("2 × 3"), std::string::npos) << m;
  EXPECT_NE(m.find("layer 3 (Linear(4 -> 2))"), std::string::npos) << m;
  const std::string c = message_of([&] { net.loss_value(arma::mat(2, 4, arma::fill::zeros)); });
  EXPECT_NE(c.find("2 × 4"), std::string::npos) << c;
}

TEST(Ch06Shapes, MakeNetworkChecksItsArguments) {
  EXPECT_NE(message_of([] {
              make_network<double>({5, 4, 2}, {"tanh"}, "mse");
            }).find("3 sizes make 2 layers"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              make_network<double>({5, 4, 2}, {"softmax", "identity"}, "mse");
            }).find("last layer"),
            std::string::npos);
  EXPECT_NE(message_of([] { make_network<double>({5, 2}, {"swish"}, "mse"); }).find("swish"), std::string::npos);
  EXPECT_NE(message_of([] { make_network<double>({5, 2}, {"identity"}, "hinge"); }).find("hinge"), std::string::npos);
}

// ---------------------------------------------------------------------------
// Saving and loading
// ---------------------------------------------------------------------------
TEST(Ch06SaveLoad, SamePredictionsAndChecks) {
  seed_everything(9);
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ch06_model_" + std::to_string(::getpid()) + ".bin");
  Network<float> net = make_network<float>({6, 5, 3}, {"sigmoid", "softmax"}, "cross_entropy");
  save_model(net, file);
  Network<float> other = make_network<float>({6, 5, 3}, {"sigmoid", "softmax"}, "cross_entropy");
  load_model(other, file);
  const arma::fmat X(6, 10, arma::fill::randn);
  const arma::fmat a = net.forward(X);
  const arma::fmat b = other.forward(X);
  EXPECT_TRUE(arma::approx_equal(a, b, "absdiff", 0.0f));
  Network<float> different = make_network<float>({6, 4, 3}, {"sigmoid", "softmax"}, "cross_entropy");
  const std::string m = message_of([&] { load_model(different, file); });
  EXPECT_NE(m.find("layer 1 (Linear(6 -> 4))"), std::string::npos) << m;
  EXPECT_NE(m.find("5 × 6 in the file, expected 4 × 6"), std::string::npos) << m;
  std::filesystem::remove(file);
  EXPECT_NE(message_of([&] { load_model(other, file); }).find("cannot open"), std::string::npos);
}

}  // namespace
