// Chapter 5: softmax, categorical cross-entropy, dZ = A − Y.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "chapters/05_softmax/softmax.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"

namespace {

using Mat = arma::mat;
using course::relative_error;

// Known answer, note 001 §3.4: softmax([5, 2, −1, 3]) = [0.842, 0.042, 0.002, 0.114].
TEST(ch05_softmax, KnownValuesOfNote001) {
  const Mat z{5.0, 2.0, -1.0, 3.0};
  const Mat a = course::softmax(Mat(z.t()));
  ASSERT_EQ(a.n_rows, 4u);
  ASSERT_EQ(a.n_cols, 1u);
  EXPECT_NEAR(a(0), 0.842, 5e-4);
  EXPECT_NEAR(a(1), 0.042, 5e-4);
  EXPECT_NEAR(a(2), 0.002, 5e-4);
  EXPECT_NEAR(a(3), 0.114, 5e-4);
  EXPECT_NEAR(arma::accu(a), 1.0, 1e-12);
}

TEST(ch05_softmax, LargeInputsStayFinite) {
  const Mat z(2, 1, arma::fill::value(1000.0));
  const Mat a = course::softmax(z);
  EXPECT_TRUE(a.is_finite());
  EXPECT_DOUBLE_EQ(a(0), 0.5);
  EXPECT_DOUBLE_EQ(a(1), 0.5);
  const Mat mixed{{1000.0, -1000.0}, {-1000.0, 1000.0}};
  const Mat b = course::softmax(mixed);
  EXPECT_TRUE(b.is_finite());
  EXPECT_NEAR(b(0, 0), 1.0, 1e-15);
  EXPECT_NEAR(b(1, 1), 1.0, 1e-15);
}

TEST(ch05_softmax, EachColumnOnItsOwn) {
  const Mat Z{{1.0, 0.0}, {2.0, 0.0}, {3.0, 0.0}};
  const Mat A = course::softmax(Z);
  EXPECT_NEAR(A(0, 1), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(arma::accu(A.col(0)), 1.0, 1e-15);
  EXPECT_NEAR(A(2, 0), std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), 1e-15);
}

// ch05.softmax_backward: the Jacobian-vector product. The probabilities A are computed
// here (not with the learner's softmax), so these tests check the backward pass alone.
template <typename eT>
arma::Mat<eT> softmax_of(const arma::Mat<eT>& Z) {
  arma::Mat<eT> E = arma::exp(Z.each_row() - arma::max(Z, 0));
  E.each_row() /= arma::sum(E, 0);
  return E;
}

TEST(ch05_softmax_backward, IsTheJacobianTimesDaInEveryColumn) {
  course::seed_everything(50);
  course::Softmax<double> layer;
  const Mat Z(4, 5, arma::fill::randn);
  const Mat G(4, 5, arma::fill::randn);
  const Mat A = softmax_of(Z);
  Mat dZ;
  layer.backward(Z, A, G, dZ);
  ASSERT_EQ(dZ.n_rows, 4u);
  ASSERT_EQ(dZ.n_cols, 5u);
  // The Jacobian of each column, a_i(δ_ij − a_j), applied to its da.
  for (arma::uword j = 0; j < Z.n_cols; ++j) {
    const arma::vec a = A.col(j);
    const Mat jacobian = arma::diagmat(a) - a * a.t();
    EXPECT_LT(relative_error(Mat(jacobian * G.col(j)), Mat(dZ.col(j))), 1e-12) << "column " << j;
  }
  // And the numerical gradient of J(Z) = Σ G ⊙ softmax(Z).
  auto J = [&](const Mat& z) { return arma::accu(G % softmax_of(z)); };
  EXPECT_LT(relative_error(dZ, course::numerical_gradient(J, Z)), 1e-7);
}

// Adding one number to every score of a column leaves its softmax unchanged, so a da that is
// the same in every row of a column (the direction of that shift) must give dz = 0.
TEST(ch05_softmax_backward, ADaEqualInEveryRowGivesZero) {
  course::seed_everything(55);
  course::Softmax<float> layer;
  const arma::fmat Z = 3 * arma::fmat(3, 7, arma::fill::randn);
  const arma::fmat A = softmax_of(Z);
  arma::fmat G(3, 7, arma::fill::none);
  G.each_row() = arma::frowvec(7, arma::fill::randn);  // column j: c_j (1, 1, 1)ᵀ
  arma::fmat dZ;
  layer.backward(Z, A, G, dZ);
  ASSERT_EQ(dZ.n_rows, 3u);
  ASSERT_EQ(dZ.n_cols, 7u);
  EXPECT_LT(arma::abs(dZ).max(), 1e-6f) << dZ;
  // A da that is not such a shift moves z: da = e_0 in column 0 gives dz_0 = a_0(1 − a_0).
  G.zeros();
  G(0, 0) = 1;
  layer.backward(Z, A, G, dZ);
  EXPECT_NEAR(dZ(0, 0), A(0, 0) * (1 - A(0, 0)), 1e-6f);
  EXPECT_NEAR(dZ(1, 0), -A(0, 0) * A(1, 0), 1e-6f);
}

TEST(Ch05Losses, CrossEntropyGradientMatchesNumerical) {
  course::seed_everything(51);
  const Mat A = course::softmax(Mat(3, 6, arma::fill::randn));
  const Mat Y = course::one_hot<double>(arma::Row<std::uint8_t>{0, 1, 2, 2, 1, 0}, 3);
  course::CrossEntropy<double> loss;
  Mat dA;
  loss.gradient(A, Y, dA);
  auto J = [&](const Mat& a) { return loss.cost(a, Y); };
  EXPECT_LT(relative_error(dA, course::numerical_gradient(J, A)), 1e-7);
}

TEST(ch05_softmax_cross_entropy_gradient, IsAMinusYOverM) {
  course::seed_everything(52);
  const Mat Z(3, 6, arma::fill::randn);
  const Mat Y = course::one_hot<double>(arma::Row<std::uint8_t>{0, 1, 2, 2, 1, 0}, 3);
  course::SoftmaxCrossEntropy<double> loss;
  Mat dZ;
  loss.gradient(Z, Y, dZ);
  EXPECT_LT(relative_error(dZ, Mat((course::softmax(Z) - Y) / 6.0)), 1e-14);
  auto J = [&](const Mat& z) { return loss.cost(z, Y); };
  EXPECT_LT(relative_error(dZ, course::numerical_gradient(J, Z)), 1e-7);
  // The fused cost equals softmax followed by cross-entropy.
  EXPECT_NEAR(loss.cost(Z, Y), course::CrossEntropy<double>().cost(course::softmax(Z), Y), 1e-12);
}

TEST(ch05_softmax_cross_entropy_gradient, AgreesWithSoftmaxLayerThenCrossEntropy) {
  course::seed_everything(53);
  const Mat Z(3, 4, arma::fill::randn);
  const Mat Y = course::one_hot<double>(arma::Row<std::uint8_t>{2, 0, 1, 2}, 3);
  course::Softmax<double> softmax;
  course::CrossEntropy<double> ce;
  Mat A, dA, dZ_chain, dZ_fused;
  softmax.forward(Z, A);
  ce.gradient(A, Y, dA);
  softmax.backward(Z, A, dA, dZ_chain);
  course::SoftmaxCrossEntropy<double>().gradient(Z, Y, dZ_fused);
  EXPECT_LT(relative_error(dZ_chain, dZ_fused), 1e-10);
}

TEST(Ch05Layers, FloatInstantiations) {
  course::seed_everything(54);
  course::Linear<float> linear(3, 2);
  course::Softmax<float> softmax;
  course::Sigmoid<float> sigmoid;
  course::Tanh<float> tanh;
  course::ReLU<float> relu;
  course::LeakyReLU<float> leaky;
  const arma::fmat X(3, 4, arma::fill::randn);
  arma::fmat Z, A, dA, dZ, dX, H;
  linear.forward(X, Z);
  sigmoid.forward(Z, H);
  tanh.forward(Z, H);
  relu.forward(Z, H);
  leaky.forward(Z, H);
  softmax.forward(Z, A);
  const arma::fmat Y = course::one_hot<float>(arma::Row<std::uint8_t>{0, 1, 0, 1}, 2);
  course::SoftmaxCrossEntropy<float>().gradient(Z, Y, dZ);
  linear.backward(X, Z, dZ, dX);
  EXPECT_TRUE(dX.is_finite());
  EXPECT_NEAR(arma::accu(A), 4.0f, 1e-5f);
}

}  // namespace
