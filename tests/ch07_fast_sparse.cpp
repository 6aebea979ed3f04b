// Chapter 7's SparseInputLinear (fast_sparse.hpp) computes chapter 3's Linear: the same
// Z = W·X + b, dW = dZ·Xᵀ, db and dX, to float rounding, on images (81% zeros), on
// dense inputs, on columns that are all 0, on input sizes that are and are not a
// multiple of its 8-pixel steps and layer widths that are and are not a multiple of its
// 64-row block; NaN and ±∞ in the input reach the output as in the dense product; a
// backward pass after another forward pass lists its own input; its dW is the
// derivative of J (a central difference, exact for a J that is linear in W); a net
// built with it trains like the dense one; and it names itself in the errors.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <limits>
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

// A float sum of n products, in any order, is within γ_n·Σ|terms| of the exact one, with
// γ_n = n·u/(1 − n·u) ≤ (n + 1)·u for n·u ≤ 1/(n+1) (u = 2⁻²⁴, the unit roundoff; Higham,
// Accuracy and Stability of Numerical Algorithms, §3.1). Every entry: finite, and within
// (n + 1)·u·magnitude of exact (exact = A·B in double, magnitude = |A|·|B| (+ |b|) in double).
::testing::AssertionResult within_rounding(const arma::fmat& result, const arma::mat& exact, const arma::mat& magnitude,
                                           double n) {
  if (result.n_rows != exact.n_rows || result.n_cols != exact.n_cols)
    return ::testing::AssertionFailure() << "shape " << result.n_rows << " × " << result.n_cols;
  if (!result.is_finite()) return ::testing::AssertionFailure() << "not finite";
  const double u = std::ldexp(1.0, -24);
  const arma::mat error = arma::abs(as_double(result) - exact);
  const arma::mat bound = (n + 1) * u * magnitude;
  if (!arma::all(arma::vectorise(error <= bound)))
    return ::testing::AssertionFailure() << "largest error / bound " << (error / (bound + 1e-300)).max();
  return ::testing::AssertionSuccess();
}

// Z, dW, db and dX of the sparse layer against the exact products and against Linear's.
void expect_linear(arma::uword n_in, arma::uword n_out, bool with_bias, const arma::fmat& X, const std::string& where) {
  arma::arma_rng::set_seed(11);
  SparseInputLinear sparse(n_in, n_out, with_bias);
  if (with_bias) sparse.bias.randn();
  Linear<float> dense(n_in, n_out, with_bias);
  dense.weights = sparse.weights;
  dense.bias = sparse.bias;
  arma::fmat Z, Z_dense, dX, dX_dense;
  sparse.forward(X, Z);
  dense.forward(X, Z_dense);
  arma::mat Z_exact = as_double(sparse.weights) * as_double(X);  // Z = W·X + b, in double
  arma::mat Z_magnitude = arma::abs(as_double(sparse.weights)) * arma::abs(as_double(X));
  if (with_bias) {
    Z_exact.each_col() += as_double(sparse.bias);
    Z_magnitude.each_col() += arma::abs(as_double(sparse.bias));
  }
  EXPECT_TRUE(within_rounding(Z, Z_exact, Z_magnitude, double(n_in) + 1)) << where;
  EXPECT_TRUE(within_rounding(Z_dense, Z_exact, Z_magnitude, double(n_in) + 1)) << where;  // as the dense layer
  const arma::fmat dZ = arma::randn<arma::fmat>(n_out, X.n_cols);
  sparse.want_input_gradient(true);
  dense.want_input_gradient(true);
  sparse.backward(X, Z, dZ, dX);
  dense.backward(X, Z_dense, dZ, dX_dense);
  EXPECT_TRUE(within_rounding(sparse.dweights, as_double(dZ) * as_double(X).t(),
                              arma::abs(as_double(dZ)) * arma::abs(as_double(X)).t(), double(X.n_cols)))
      << where;  // dW = dZ·Xᵀ
  if (with_bias) {
    EXPECT_TRUE(arma::approx_equal(sparse.dbias, dense.dbias, "absdiff", 0.0f)) << where;
  }
  EXPECT_TRUE(arma::approx_equal(dX, dX_dense, "absdiff", 0.0f)) << where;  // Wᵀ·dZ, the same product
  sparse.want_input_gradient(false);
  sparse.backward(X, Z, dZ, dX);
  EXPECT_TRUE(dX.is_empty()) << where;  // not wanted: not computed
}

}  // namespace

TEST(Ch07FastSparse, TheImagesAreMostlyZero) {  // the premise of part 5 (README: 81% of full MNIST)
  const arma::fmat& X = sample().train.X;
  const double zeros = double(arma::accu(X == 0.0f)) / double(X.n_elem);
  EXPECT_GT(zeros, 0.75);
  EXPECT_LT(zeros, 0.9);
}

TEST(Ch07FastSparse, ComputesTheLinearLayerToFloatRounding) {
  arma::fmat images = sample().train.X.cols(0, 63);
  images.col(5).zeros();
  arma::arma_rng::set_seed(3);
  const arma::fmat dense_input(784, 37, arma::fill::randn);
  for (arma::uword n_out : {64u, 10u, 70u, 128u, 130u}) {
    for (bool with_bias : {true, false}) {
      const std::string where = "n_out " + std::to_string(n_out) + (with_bias ? "" : ", no bias");
      expect_linear(784, n_out, with_bias, images, "images, " + where);
      expect_linear(784, n_out, with_bias, dense_input, "dense, " + where);
    }
  }
  // inputs of 13 and 785 rows (not whole 8-pixel steps: the index's last pixels one by one)
  for (arma::uword n_in : {13u, 785u}) {
    arma::arma_rng::set_seed(4);
    arma::fmat X(n_in, 20, arma::fill::randn);
    X.elem(arma::find(arma::randu<arma::fmat>(n_in, 20) < 0.7f)).zeros();
    expect_linear(n_in, 64, true, X, std::to_string(n_in) + " inputs");
    expect_linear(n_in, 70, false, X, std::to_string(n_in) + " inputs, 70 rows");
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
  arma::fmat Z0;  // no examples at all
  layer.forward(arma::fmat(784, 0, arma::fill::zeros), Z0);
  EXPECT_EQ(Z0.n_rows, 64u);
  EXPECT_EQ(Z0.n_cols, 0u);
}

TEST(Ch07FastSparse, NaNAndInfinityReachTheOutputAsInTheDenseProduct) {
  arma::fmat X = sample().train.X.cols(0, 3);
  X(200, 0) = std::numeric_limits<float>::quiet_NaN();
  X(0, 1) = std::numeric_limits<float>::infinity();   // a corner pixel: 0 in every image
  X(783, 2) = -0.0f;                                  // counts as 0
  X(1, 3) = -std::numeric_limits<float>::infinity();  // another corner pixel
  arma::arma_rng::set_seed(5);
  SparseInputLinear sparse(784, 64);
  Linear<float> dense(784, 64);
  dense.weights = sparse.weights;
  arma::fmat Z, Z_dense;
  sparse.forward(X, Z);
  dense.forward(X, Z_dense);
  for (arma::uword j = 0; j < 4; ++j) {
    for (arma::uword r = 0; r < 64; ++r) {
      EXPECT_EQ(std::isnan(Z(r, j)), std::isnan(Z_dense(r, j))) << "Z(" << r << ", " << j << ")";
      EXPECT_EQ(std::isinf(Z(r, j)), std::isinf(Z_dense(r, j))) << "Z(" << r << ", " << j << ")";
    }
  }
  EXPECT_TRUE(Z.col(0).has_nan());
  EXPECT_TRUE(Z.col(1).has_inf());
  EXPECT_TRUE(Z.col(2).is_finite());
  EXPECT_TRUE(Z.col(3).has_inf());
}

TEST(Ch07FastSparse, ABackwardPassAfterAnotherForwardListsItsOwnInput) {
  const arma::fmat X1 = sample().train.X.cols(0, 15), X2 = sample().train.X.cols(16, 31);
  arma::arma_rng::set_seed(6);
  SparseInputLinear layer(784, 64);
  arma::fmat Z1, Z2, dX;
  layer.forward(X1, Z1);
  layer.forward(X2, Z2);  // the list is now X2's
  const arma::fmat dZ = arma::randn<arma::fmat>(64, 16);
  layer.backward(X1, Z1, dZ, dX);
  EXPECT_TRUE(within_rounding(layer.dweights, as_double(dZ) * as_double(X1).t(),
                              arma::abs(as_double(dZ)) * arma::abs(as_double(X1)).t(), 16.0));
}

// J = Σ R ⊙ Z is linear in W, so (J(W + h e) − J(W − h e)) / 2h is ∂J/∂W_ri up to the
// rounding of J; dZ = R. Checked at pixels that are nonzero in some of the images (at the
// others dW is 0 and so is the difference) and in every 64-row block and the rows after.
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
  const arma::uvec used = arma::find(arma::sum(X, 1) > 0.0f);  // pixels nonzero in some image
  ASSERT_GT(used.n_elem, 100u);
  int checked = 0;
  for (arma::uword k = 0; k < used.n_elem; k += 9) {
    const arma::uword i = used[k];
    for (arma::uword r : {0u, 33u, 63u, 64u, 69u}) {
      const float w = layer.weights(r, i), h = 0.5f;
      layer.weights(r, i) = w + h;
      const double up = J();
      layer.weights(r, i) = w - h;
      const double down = J();
      layer.weights(r, i) = w;
      const double numeric = (up - down) / (2.0 * h);
      EXPECT_NE(dW(r, i), 0.0f) << "W(" << r << ", " << i << ")";
      EXPECT_NEAR(dW(r, i), numeric, 2e-4 * (1.0 + std::abs(numeric))) << "W(" << r << ", " << i << ")";
      ++checked;
    }
  }
  EXPECT_GT(checked, 50);
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

TEST(Ch07FastSparse, NamesItselfInItsErrors) {
  SparseInputLinear layer(784, 64);
  arma::fmat Z;
  const std::string message =
      test_support::message_of([&] { layer.forward(arma::fmat(783, 2, arma::fill::zeros), Z); });
  EXPECT_NE(message.find("SparseInputLinear(784 -> 64)"), std::string::npos) << message;
  EXPECT_NE(message.find("783"), std::string::npos) << message;
  arma::fmat X(784, 2, arma::fill::zeros);
  EXPECT_NE(test_support::message_of([&] { layer.forward(X, X); }).find("may not be the input"), std::string::npos);
}
