// Chapter 7's SparseInputLinear (fast_sparse.hpp) computes chapter 3's Linear: the same
// Z = W·X + b, dW = dZ·Xᵀ, db and dX, to float rounding, on images (81% zeros), on
// dense inputs, on columns that are all 0 and on layer widths that are and are not a
// multiple of its 64-row block; its dW is the derivative of J (a central difference,
// exact for a J that is linear in W); a net built with it trains like the dense one;
// and it names itself in the errors of a wrong input.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <string>
#include <vector>

#include "chapters/03_activations/linear.hpp"
#include "chapters/07_mnist_mlp/fast_sparse.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "common/data.hpp"
#include "messages.hpp"

using namespace course;
using namespace course::ch07;

namespace {

const Mnist& sample() {
  static const Mnist data = load_dataset("sample", {});
  return data;
}

arma::mat as_double(const arma::fmat& m) { return arma::conv_to<arma::mat>::from(m); }

// A float sum of n products, in any order, is within n·u·Σ|terms| of the exact one
// (u = 2⁻²⁴, the unit roundoff; Higham, Accuracy and Stability, §3.1): the largest
// ratio of the error to that bound, entry by entry (≤ 1 passes). exact = A·B in double,
// magnitude = |A|·|B| (+ |b|) in double, n = the number of terms.
double worst_error_to_bound(const arma::fmat& result, const arma::mat& exact, const arma::mat& magnitude, double n) {
  EXPECT_EQ(result.n_rows, exact.n_rows);
  EXPECT_EQ(result.n_cols, exact.n_cols);
  const double u = std::ldexp(1.0, -24);
  const arma::mat error = arma::abs(as_double(result) - exact);
  const arma::mat bound = (n + 1) * u * magnitude + 1e-30;
  return (error / bound).max();
}

// The inputs: images of the sample (with one all-zero column), and dense random numbers.
std::vector<std::pair<std::string, arma::fmat>> inputs() {
  arma::fmat images = sample().train.X.cols(0, 63);
  images.col(5).zeros();
  arma::arma_rng::set_seed(3);
  return {{"images", images}, {"dense", arma::fmat(784, 37, arma::fill::randn)}};
}

}  // namespace

TEST(Ch07FastSparse, TheImagesAreMostlyZero) {  // the premise of part 5 (README: 81%)
  const arma::fmat& X = sample().train.X;
  const double zeros = double(arma::accu(X == 0.0f)) / double(X.n_elem);
  EXPECT_GT(zeros, 0.75);
  EXPECT_LT(zeros, 0.9);
}

TEST(Ch07FastSparse, ComputesTheLinearLayerToFloatRounding) {
  for (arma::uword n_out : {64u, 10u, 70u, 128u, 130u}) {
    for (bool with_bias : {true, false}) {
      for (const auto& [kind, X] : inputs()) {
        const std::string where = kind + ", n_out " + std::to_string(n_out) + (with_bias ? "" : ", no bias");
        arma::arma_rng::set_seed(11);
        SparseInputLinear sparse(784, n_out, with_bias);
        if (with_bias) sparse.bias.randn();
        Linear<float> dense(784, n_out, with_bias);
        dense.weights = sparse.weights;
        dense.bias = sparse.bias;
        arma::fmat Z, Z_dense, dX, dX_dense;
        sparse.forward(X, Z);
        dense.forward(X, Z_dense);
        // Z = W·X + b, in double as the reference
        arma::mat Z_exact = as_double(sparse.weights) * as_double(X);
        arma::mat Z_magnitude = arma::abs(as_double(sparse.weights)) * arma::abs(as_double(X));
        if (with_bias) {
          Z_exact.each_col() += as_double(sparse.bias);
          Z_magnitude.each_col() += arma::abs(as_double(sparse.bias));
        }
        EXPECT_LE(worst_error_to_bound(Z, Z_exact, Z_magnitude, 785), 1.0) << where;
        EXPECT_LE(worst_error_to_bound(Z_dense, Z_exact, Z_magnitude, 785), 1.0) << where;  // as the dense layer
        const arma::fmat dZ = arma::randn<arma::fmat>(n_out, X.n_cols);
        sparse.want_input_gradient(true);
        dense.want_input_gradient(true);
        sparse.backward(X, Z, dZ, dX);
        dense.backward(X, Z_dense, dZ, dX_dense);
        EXPECT_LE(worst_error_to_bound(sparse.dweights, as_double(dZ) * as_double(X).t(),
                                       arma::abs(as_double(dZ)) * arma::abs(as_double(X)).t(), double(X.n_cols)),
                  1.0)
            << where;  // dW = dZ·Xᵀ
        if (with_bias) {
          EXPECT_TRUE(arma::approx_equal(sparse.dbias, dense.dbias, "absdiff", 0.0f)) << where;
        }
        EXPECT_TRUE(arma::approx_equal(dX, dX_dense, "absdiff", 0.0f)) << where;  // Wᵀ·dZ, the same product
        sparse.want_input_gradient(false);
        sparse.backward(X, Z, dZ, dX);
        EXPECT_TRUE(dX.is_empty()) << where;  // not wanted: not computed
      }
    }
  }
}

TEST(Ch07FastSparse, AllZeroInputGivesTheBiasAndNoWeightGradient) {
  SparseInputLinear layer(784, 64);
  layer.bias.fill(0.5f);
  const arma::fmat X(784, 8, arma::fill::zeros);
  arma::fmat Z, dX;
  layer.forward(X, Z);
  EXPECT_TRUE(arma::all(arma::vectorise(Z) == 0.5f));
  layer.dweights.fill(7.0f);  // a stale gradient must be overwritten
  layer.backward(X, Z, arma::fmat(64, 8, arma::fill::ones), dX);
  EXPECT_TRUE(arma::all(arma::vectorise(layer.dweights) == 0.0f));
}

// J = Σ R ⊙ Z is linear in W, so (J(W + h e) − J(W − h e)) / 2h is ∂J/∂W_ri up to float
// rounding of J; dZ = R.
TEST(Ch07FastSparse, WeightGradientIsTheCentralDifference) {
  arma::arma_rng::set_seed(21);
  SparseInputLinear layer(784, 70);
  const arma::fmat X = sample().train.X.cols(100, 131);
  const arma::fmat R = arma::randn<arma::fmat>(70, X.n_cols);
  auto J = [&] {
    arma::fmat Z;
    layer.forward(X, Z);
    return arma::accu(as_double(R) % as_double(Z));
  };
  arma::fmat Z, dX;
  layer.forward(X, Z);
  layer.backward(X, Z, R, dX);
  const arma::fmat dW = layer.dweights;
  int checked = 0;
  for (arma::uword i = 0; i < 784; i += 37) {
    for (arma::uword r : {0u, 33u, 63u, 64u, 69u}) {
      const float w = layer.weights(r, i), h = 0.5f;
      layer.weights(r, i) = w + h;
      const double up = J();
      layer.weights(r, i) = w - h;
      const double down = J();
      layer.weights(r, i) = w;
      const double numeric = (up - down) / (2.0 * h);
      EXPECT_NEAR(dW(r, i), numeric, 1e-3 * (1.0 + std::abs(numeric))) << "W(" << r << ", " << i << ")";
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  EXPECT_GT(arma::accu(dW != 0.0f), 0u);
}

TEST(Ch07FastSparse, ANetWithItTrainsLikeTheDenseOne) {
  const arma::fmat X = sample().train.X.cols(0, 511);
  const arma::fmat Y = one_hot<float>(sample().train.y.subvec(0, 511));
  std::vector<double> costs;
  for (bool sparse : {false, true}) {
    seed_everything(7);
    Network<float> net = make_mnist_mlp(/*fast_layers=*/true, sparse);
    EXPECT_EQ(net.layer(0).kind(), "Linear");  // saved and loaded as a Linear layer
    EXPECT_EQ(dynamic_cast<SparseInputLinear*>(&net.layer(0)) != nullptr, sparse);
    SGD<float> sgd(0.2f);
    MinibatchTrainer<float> trainer;
    std::mt19937_64 gen(9);
    double cost = 0;
    for (int epoch = 0; epoch < 3; ++epoch) cost = trainer.train_epoch(net, sgd, X, Y, 32, gen);
    costs.push_back(cost);
  }
  EXPECT_LT(costs[1], 2.0);  // it learned (ln 10 = 2.30 at the start)
  EXPECT_NEAR(costs[1], costs[0], 1e-3 * costs[0]);
}

TEST(Ch07FastSparse, NamesItselfForAWrongInput) {
  SparseInputLinear layer(784, 64);
  arma::fmat Z;
  const std::string message =
      test_support::message_of([&] { layer.forward(arma::fmat(783, 2, arma::fill::zeros), Z); });
  EXPECT_NE(message.find("Linear(784 -> 64)"), std::string::npos) << message;
  EXPECT_NE(message.find("783"), std::string::npos) << message;
}
