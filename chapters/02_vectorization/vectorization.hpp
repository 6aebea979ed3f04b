// Chapter 2: vectorization and broadcasting, in Armadillo instead of numpy.
//
// Two halves:
//  1. Broadcasting (note 001 §3.2): numpy stretches a (1, n) row or an (m, 1) column
//     to (m, n) silently. Armadillo does it only when asked, by name:
//        (m, n) + (1, n)   numpy: A + r            Armadillo: A.each_row() + r
//        (m, n) / (m, 1)   numpy: A / c            Armadillo: A.each_col() / c
//        (m, 1) + ℝ        numpy: v + 100          Armadillo: v + 100 (a scalar needs no broadcast)
//        sum down columns  numpy: A.sum(axis=0)    Armadillo: arma::sum(A, 0)   -> 1 × n
//        sum along rows    numpy: A.sum(axis=1)    Armadillo: arma::sum(A, 1)   -> m × 1
//  2. Shapes (note 001 §3.3): numpy's rank-1 arrays of shape (n,) are neither rows nor
//     columns, so a.T does nothing and np.dot(a, a.T) is a number. Armadillo has no
//     such thing: arma::vec is always n × 1, arma::rowvec always 1 × n, and a size
//     mismatch is an error (in builds with checks on) instead of a silent broadcast.
//     require_shape below is the `assert(a.shape == (5, 1))` habit of the notes.
//
// And the loop twins of the vectorized primitives, timed by main.cpp and bench/:
// the dot product, the sigmoid, and the matrix product (the logistic-regression
// gradient's twins are chapter 1's gradients_loop and gradients_vectorized).
#pragma once
#include <armadillo>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include "common/exercise.hpp"

namespace course::ch02 {

// ---------------------------------------------------------------------------
// Shape checks
// ---------------------------------------------------------------------------

// Throws std::invalid_argument "<what> is 3x4, expected 3x5" unless M is rows × cols.
template <typename eT>
void require_shape(const arma::Mat<eT>& M, arma::uword rows, arma::uword cols, const std::string& what) {
  if (M.n_rows != rows || M.n_cols != cols) {
    std::ostringstream msg;
    msg << what << " is " << M.n_rows << "x" << M.n_cols << ", expected " << rows << "x" << cols;
    throw std::invalid_argument(msg.str());
  }
}

// ---------------------------------------------------------------------------
// Broadcasting helpers (exercises; definitions in broadcasting.cpp)
// ---------------------------------------------------------------------------

// (m, n) + (1, n) -> (m, n): the row r is added to every row of A.
arma::mat add_row_to_each_row(const arma::mat& A, const arma::rowvec& r);

// (m, n) / (m, 1) -> (m, n): every column of A is divided element-wise by c.
arma::mat divide_each_column(const arma::mat& A, const arma::vec& c);

// Each column as percentages of its total: 100 · A(i, j) / Σ_i A(i, j)
// (Andrew Ng's calories example: A.sum(axis=0), then a (m, n) / (1, n) broadcast).
arma::mat column_percentages(const arma::mat& A);

// Each row divided by its Euclidean norm: x_i / ‖x_i‖₂ (rows of norm 0 are left at 0).
arma::mat normalize_rows(const arma::mat& A);

// ---------------------------------------------------------------------------
// Loop twins of vectorized primitives (header templates: float and double)
// ---------------------------------------------------------------------------

// aᵀb = Σᵢ aᵢ bᵢ with one loop. Its vectorized twin: arma::dot(a, b) (BLAS ddot/sdot).
template <typename eT>
eT dot_loop(const arma::Col<eT>& a, const arma::Col<eT>& b) {
  require_shape(b, a.n_rows, 1, "dot_loop: b");
  eT sum = 0;
  const eT* pa = a.memptr();
  const eT* pb = b.memptr();
  for (arma::uword i = 0; i < a.n_elem; ++i) sum += pa[i] * pb[i];  // s += aᵢ bᵢ
  return sum;
}

// σ(z) element by element with one loop. Its vectorized twin: chapter 1's sigmoid.
template <typename eT>
arma::Mat<eT> sigmoid_loop(const arma::Mat<eT>& z) {
  arma::Mat<eT> a(z.n_rows, z.n_cols, arma::fill::none);
  const eT* pz = z.memptr();
  eT* pa = a.memptr();
  for (arma::uword i = 0; i < z.n_elem; ++i) pa[i] = eT(1) / (eT(1) + std::exp(-pz[i]));  // aᵢ = σ(zᵢ)
  return a;
}

// Throws std::invalid_argument naming `where` and both shapes unless A·B is defined
// (A's columns = B's rows).
template <typename eT>
void check_product_shapes(const char* where, const arma::Mat<eT>& A, const arma::Mat<eT>& B) {
  if (A.n_cols == B.n_rows) return;
  std::ostringstream msg;
  msg << where << ": A is " << A.n_rows << "x" << A.n_cols << " but B is " << B.n_rows << "x" << B.n_cols
      << " (A's columns must equal B's rows)";
  throw std::invalid_argument(msg.str());
}

// C = A·B with the textbook triple loop: C(i, j) = Σ_k A(i, k) B(k, j), in the order
// i, j, k. The inner loop walks along a row of A, which Armadillo stores n_rows apart
// (column-major): almost every A(i, k) is a cache miss once A outgrows the cache.
template <typename eT>
arma::Mat<eT> matmul_loop(const arma::Mat<eT>& A, const arma::Mat<eT>& B) {
  check_product_shapes("matmul_loop", A, B);
  arma::Mat<eT> C(A.n_rows, B.n_cols, arma::fill::zeros);
  for (arma::uword i = 0; i < A.n_rows; ++i) {
    for (arma::uword j = 0; j < B.n_cols; ++j) {
      eT sum = 0;
      for (arma::uword k = 0; k < A.n_cols; ++k) sum += A.at(i, k) * B.at(k, j);  // Σ_k A(i,k) B(k,j)
      C.at(i, j) = sum;
    }
  }
  return C;
}

// The same three loops in the order j, k, i: the inner loop now runs down a column
// of C and a column of A, both contiguous, and the compiler turns it into SIMD
// instructions. Same arithmetic, same result up to rounding; several times faster.
template <typename eT>
arma::Mat<eT> matmul_loop_reordered(const arma::Mat<eT>& A, const arma::Mat<eT>& B) {
  check_product_shapes("matmul_loop_reordered", A, B);
  // BEGIN EXERCISE ch02.matmul_loop_reordered
  // hint: read C = A·B by columns: C(:, j) = Σ_k A(:, k) B(k, j), column j of C is a sum of A's columns,
  // hint: column k scaled by the one number B(k, j); C is A.n_rows × B.n_cols and starts at zero
  // hint: the loops: j outside, then k, then i innermost, down a column of C and a column of A (contiguous in
  // hint: memory: a pointer from colptr walks them one element at a time), the same number B(k, j) for the whole i loop
  arma::Mat<eT> C(A.n_rows, B.n_cols, arma::fill::zeros);
  const arma::uword m = A.n_rows;
  for (arma::uword j = 0; j < B.n_cols; ++j) {
    eT* c = C.colptr(j);
    for (arma::uword k = 0; k < A.n_cols; ++k) {
      const eT b = B.at(k, j);
      const eT* a = A.colptr(k);
      for (arma::uword i = 0; i < m; ++i) c[i] += a[i] * b;  // C(:, j) += A(:, k) B(k, j)
    }
  }
  return C;
  // END EXERCISE
}

}  // namespace course::ch02
