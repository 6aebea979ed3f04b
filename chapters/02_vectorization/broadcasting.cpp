// Chapter 2's broadcasting helpers: numpy's implicit stretching, made explicit.
#include "chapters/02_vectorization/vectorization.hpp"

#include "common/exercise.hpp"

namespace course::ch02 {

arma::mat add_row_to_each_row(const arma::mat& A, const arma::rowvec& r) {
  require_shape(r, 1, A.n_cols, "add_row_to_each_row: the row r");   // (1, n) against (m, n)
  // BEGIN EXERCISE ch02.add_row_to_each_row
  // hint: numpy's A + r with r of shape (1, n) is A.each_row() + r in Armadillo
  return A.each_row() + r;                                          // (m, n) + (1, n) -> (m, n)
  // END EXERCISE
}

arma::mat divide_each_column(const arma::mat& A, const arma::vec& c) {
  require_shape(c, A.n_rows, 1, "divide_each_column: the column c");  // (m, 1) against (m, n)
  // BEGIN EXERCISE ch02.divide_each_column
  // hint: numpy's A / c with c of shape (m, 1) is A.each_col() / c in Armadillo
  return A.each_col() / c;                                          // (m, n) / (m, 1) -> (m, n)
  // END EXERCISE
}

arma::mat column_percentages(const arma::mat& A) {
  // BEGIN EXERCISE ch02.column_percentages
  // hint: the totals of the columns are arma::sum(A, 0), a 1 × n rowvec (numpy: A.sum(axis=0));
  // hint: then 100 · A.each_row() / totals
  const arma::rowvec totals = arma::sum(A, 0);                      // Σ_i A(i, j): (1, n)
  return 100.0 * (A.each_row() / totals);                           // (m, n) / (1, n) -> (m, n)
  // END EXERCISE
}

arma::mat normalize_rows(const arma::mat& A) {
  // BEGIN EXERCISE ch02.normalize_rows
  // hint: the norms of the rows: arma::sqrt(arma::sum(arma::square(A), 1)), an m × 1 column
  // hint: (numpy: np.linalg.norm(A, axis=1, keepdims=True)); divide each column by it (each_col);
  // hint: a zero row must stay zero: replace its norm by 1 first (e.g. norms.replace(0.0, 1.0))
  arma::vec norms = arma::sqrt(arma::sum(arma::square(A), 1));       // ‖x_i‖₂ of each row: (m, 1)
  norms.replace(0.0, 1.0);                                          // 0 / 1 = 0 for a zero row
  return A.each_col() / norms;                                      // (m, n) / (m, 1) -> (m, n)
  // END EXERCISE
}

}  // namespace course::ch02
