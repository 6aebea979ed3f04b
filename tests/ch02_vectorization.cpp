// Chapter 2: broadcasting, shapes, and each loop against its vectorized twin.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "chapters/02_vectorization/vectorization.hpp"
#include "common/data.hpp"

using namespace course::ch02;

namespace {

void expect_matrix_eq(const arma::mat& actual, const arma::mat& expected, double tolerance = 1e-12) {
  ASSERT_EQ(actual.n_rows, expected.n_rows);
  ASSERT_EQ(actual.n_cols, expected.n_cols);
  EXPECT_LE(arma::abs(actual - expected).max(), tolerance) << "actual:\n" << actual << "expected:\n" << expected;
}

}  // namespace

// --- broadcasting: the examples of note 001 §3.2 ------------------------------------

TEST(Ch02Broadcasting, ColumnPlusScalar) {
  // (m, 1) + ℝ: [1 2 3]ᵀ + 100 = [101 102 103]ᵀ, and the same for a row.
  const arma::vec column = arma::vec{1.0, 2.0, 3.0} + 100.0;
  expect_matrix_eq(column, arma::mat(arma::vec{101.0, 102.0, 103.0}));
  const arma::rowvec row = arma::rowvec{1.0, 2.0, 3.0} + 100.0;
  expect_matrix_eq(row, arma::mat(arma::rowvec{101.0, 102.0, 103.0}));
}

TEST(ch02_add_row_to_each_row, MatrixPlusRow) {
  // (m, n) + (1, n) -> (m, n): the row is copied down to m rows.
  const arma::mat A = {{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};
  const arma::mat sum = add_row_to_each_row(A, arma::rowvec{100.0, 200.0, 300.0});
  expect_matrix_eq(sum, arma::mat{{101.0, 202.0, 303.0}, {104.0, 205.0, 306.0}});
}

TEST(Ch02Shapes, WrongRowLengthNamesBothShapes) {
  const arma::mat A(2, 3, arma::fill::zeros);
  try {
    add_row_to_each_row(A, arma::rowvec{1.0, 2.0});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1x2, expected 1x3"), std::string::npos) << e.what();
  }
}

TEST(ch02_divide_each_column, MatrixOverColumn) {
  // (m, n) / (m, 1) -> (m, n): the column is copied across to n columns.
  const arma::mat A = {{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};
  expect_matrix_eq(divide_each_column(A, arma::vec{1.0, 2.0}), arma::mat{{1.0, 2.0, 3.0}, {2.0, 2.5, 3.0}});
  EXPECT_THROW(divide_each_column(A, arma::vec{1.0, 2.0, 3.0}), std::invalid_argument);
}

TEST(ch02_column_percentages, NgCaloriesExample) {
  // Carbs, proteins, fats (rows) in apples, beef, eggs, potatoes (columns).
  const arma::mat calories = {{56.0, 0.0, 4.4, 68.0}, {1.2, 104.0, 52.0, 8.0}, {1.8, 135.0, 99.0, 0.9}};
  const arma::mat percent = column_percentages(calories);
  ASSERT_EQ(percent.n_rows, 3u);
  ASSERT_EQ(percent.n_cols, 4u);
  EXPECT_NEAR(percent(0, 0), 94.91525423728814, 1e-10);  // 56 / 59 of an apple's calories are carbohydrates
  EXPECT_NEAR(percent(2, 1), 56.48535564853556, 1e-10);  // 135 / 239 of beef's are fat
  const arma::rowvec totals = arma::sum(percent, 0);
  for (double t : totals) EXPECT_NEAR(t, 100.0, 1e-12);
}

TEST(ch02_normalize_rows, UnitRows) {
  const arma::mat A = {{0.0, 3.0, 4.0}, {1.0, 6.0, 4.0}, {0.0, 0.0, 0.0}};
  const arma::mat N = normalize_rows(A);
  expect_matrix_eq(N.row(0), arma::mat(arma::rowvec{0.0, 0.6, 0.8}));
  EXPECT_NEAR(arma::norm(N.row(1), 2), 1.0, 1e-15);
  EXPECT_NEAR(N(1, 1) / N(1, 0), 6.0, 1e-12);                      // direction kept
  expect_matrix_eq(N.row(2), arma::mat(1, 3, arma::fill::zeros));  // a zero row stays zero
}

TEST(Ch02Broadcasting, SumsAlongEachDimension) {
  const arma::mat A = {{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};
  const arma::mat down = arma::sum(A, 0);    // numpy axis=0: one total per column, 1 × n
  const arma::mat across = arma::sum(A, 1);  // numpy axis=1: one total per row, m × 1
  expect_matrix_eq(down, arma::mat(arma::rowvec{5.0, 7.0, 9.0}));
  expect_matrix_eq(across, arma::mat(arma::vec{6.0, 15.0}));
}

// --- shapes: the rank-1 pitfall of note 001 §3.3 cannot happen --------------------------

TEST(Ch02Shapes, VecIsAColumnAndItsTransposeARow) {
  const arma::vec a(5, arma::fill::randn);
  const arma::mat at = a.t();
  EXPECT_EQ(a.n_rows, 5u);
  EXPECT_EQ(a.n_cols, 1u);
  EXPECT_EQ(at.n_rows, 1u);  // numpy's a.T of shape (5,) is still (5,)
  EXPECT_EQ(at.n_cols, 5u);
  const arma::mat inner = a.t() * a;  // (1, 5)·(5, 1) = (1, 1)
  const arma::mat outer = a * a.t();  // (5, 1)·(1, 5) = (5, 5)
  EXPECT_EQ(inner.n_elem, 1u);
  EXPECT_NEAR(inner(0, 0), arma::dot(a, a), 1e-12);
  EXPECT_EQ(outer.n_rows, 5u);
  EXPECT_EQ(outer.n_cols, 5u);
}

TEST(Ch02Shapes, ColumnPlusRowIsAnErrorNotABroadcast) {
  // numpy: (5, 1) + (1, 5) silently becomes (5, 5). Armadillo (checks on, as in the tests
  // and a Debug build) refuses: the shapes must match, or be stretched by name (each_col).
  const arma::vec a(5, arma::fill::ones);
  const arma::rowvec b(5, arma::fill::ones);
  EXPECT_THROW({ arma::mat c = a + b; }, std::logic_error);
  EXPECT_THROW(require_shape(arma::mat(a * b), 5, 1, "a * b"), std::invalid_argument);
  try {
    require_shape(arma::mat(3, 4, arma::fill::zeros), 3, 5, "W1");
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "W1 is 3x4, expected 3x5");
  }
  EXPECT_NO_THROW(require_shape(arma::mat(3, 5, arma::fill::zeros), 3, 5, "W1"));
}

// --- each loop equals its vectorized twin ------------------------------------------------

TEST(Ch02LoopEqualsVectorized, DotProduct) {
  course::seed_everything(11);
  const arma::vec a(10000, arma::fill::randn), b(10000, arma::fill::randn);
  EXPECT_NEAR(dot_loop(a, b), arma::dot(a, b), 1e-10);
  const arma::fvec af(1000, arma::fill::randu), bf(1000, arma::fill::randu);
  EXPECT_NEAR(dot_loop(af, bf), arma::dot(af, bf), 1e-2);
  EXPECT_THROW(dot_loop(a, arma::vec(3, arma::fill::zeros)), std::invalid_argument);
}

TEST(Ch02LoopEqualsVectorized, Sigmoid) {
  course::seed_everything(12);
  const arma::mat z = 4.0 * arma::mat(7, 9, arma::fill::randn);
  const arma::mat loop = sigmoid_loop(z);
  ASSERT_EQ(loop.n_rows, 7u);
  ASSERT_EQ(loop.n_cols, 9u);
  EXPECT_LE(arma::abs(loop - course::ch01::sigmoid(z)).max(), 1e-15);
}

TEST(Ch02LoopEqualsVectorized, MatrixProduct) {
  course::seed_everything(13);
  const arma::mat A(17, 23, arma::fill::randn), B(23, 11, arma::fill::randn);
  const arma::mat blas = A * B;
  EXPECT_LE(arma::abs(matmul_loop(A, B) - blas).max(), 1e-12);
  const arma::fmat Af(9, 5, arma::fill::randn), Bf(5, 6, arma::fill::randn);
  EXPECT_LE(arma::abs(matmul_loop(Af, Bf) - Af * Bf).max(), 1e-5f);
  EXPECT_THROW(matmul_loop(A, A), std::invalid_argument);
  EXPECT_THROW(matmul_loop_reordered(A, A), std::invalid_argument);  // the shapes are checked before the loops
}

// ch02.matmul_loop_reordered: the j-k-i loops give BLAS's product, for any shapes.
TEST(ch02_matmul_loop_reordered, EqualsTheBlasProduct) {
  course::seed_everything(15);
  const arma::mat A(17, 23, arma::fill::randn), B(23, 11, arma::fill::randn);
  const arma::mat C = matmul_loop_reordered(A, B);
  expect_matrix_eq(C, A * B, 1e-12);
  const arma::fmat Af(9, 5, arma::fill::randn), Bf(5, 6, arma::fill::randn);
  const arma::fmat Cf = matmul_loop_reordered(Af, Bf);
  ASSERT_EQ(Cf.n_rows, 9u);
  ASSERT_EQ(Cf.n_cols, 6u);
  EXPECT_LE(arma::abs(Cf - Af * Bf).max(), 1e-5f);
}

// The edge shapes: an outer product (k = 1: every C(i, j) one product), a row times a
// column (one number), and a product computed twice (C starts at zero every time).
TEST(ch02_matmul_loop_reordered, OuterAndInnerProductsByHand) {
  const arma::mat column = arma::vec{1.0, 2.0, 3.0}, row = arma::rowvec{4.0, 5.0};
  expect_matrix_eq(matmul_loop_reordered(column, row), arma::mat{{4.0, 5.0}, {8.0, 10.0}, {12.0, 15.0}});
  const arma::mat r{{1.0, 2.0, 3.0}};
  expect_matrix_eq(matmul_loop_reordered(r, column), arma::mat(1, 1, arma::fill::value(14.0)));
  const arma::mat A{{1.0, 2.0}, {3.0, 4.0}}, B{{5.0, 6.0}, {7.0, 8.0}};
  const arma::mat expected{{19.0, 22.0}, {43.0, 50.0}};
  expect_matrix_eq(matmul_loop_reordered(A, B), expected);
  expect_matrix_eq(matmul_loop_reordered(A, B), expected);
}

TEST(Ch02LoopEqualsVectorized, LogisticRegressionGradient) {
  course::seed_everything(14);
  const arma::mat X(784, 64, arma::fill::randu);
  const arma::rowvec y = arma::conv_to<arma::rowvec>::from(arma::rowvec(64, arma::fill::randu) > 0.5);
  course::ch01::Parameters p = course::ch01::zero_parameters(784);
  p.w = 0.01 * arma::vec(784, arma::fill::randn);
  p.b = -0.2;
  const course::ch01::Gradients loop = course::ch01::gradients_loop(p, X, y);
  const course::ch01::Gradients vec = course::ch01::gradients_vectorized(p, X, y);
  EXPECT_LE(arma::abs(loop.dw - vec.dw).max(), 1e-12 * arma::abs(vec.dw).max());
  EXPECT_NEAR(loop.db, vec.db, 1e-12);
  EXPECT_NEAR(loop.cost, vec.cost, 1e-12);
}
