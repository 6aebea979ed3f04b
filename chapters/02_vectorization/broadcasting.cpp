// Chapter 2's broadcasting helpers: numpy's implicit stretching, made explicit.
#include "chapters/02_vectorization/vectorization.hpp"

#include "common/exercise.hpp"

namespace course::ch02 {

arma::mat add_row_to_each_row(const arma::mat& A, const arma::rowvec& r) {
  require_shape(r, 1, A.n_cols, "add_row_to_each_row: the row r");  // (1, n) against (m, n)
  // BEGIN EXERCISE ch02.add_row_to_each_row
  // hint: numpy broadcasts the (1, n) row down the m rows silently; Armadillo does it only when asked, per row
  return A.each_row() + r;  // (m, n) + (1, n) -> (m, n)
  // END EXERCISE
}

arma::mat divide_each_column(const arma::mat& A, const arma::vec& c) {
  require_shape(c, A.n_rows, 1, "divide_each_column: the column c");  // (m, 1) against (m, n)
  // BEGIN EXERCISE ch02.divide_each_column
  // hint: the (m, 1) column is stretched across the n columns: ask Armadillo to apply it to each column
  return A.each_col() / c;  // (m, n) / (m, 1) -> (m, n)
  // END EXERCISE
}

arma::mat column_percentages(const arma::mat& A) {
  // BEGIN EXERCISE ch02.column_percentages
  // hint: first one total per column, a 1 × n row (numpy: A.sum(axis=0, keepdims=True)); which dimension does
  // hint: Armadillo's sum take for that? then divide every row by that row of totals, times 100
  const arma::rowvec totals = arma::sum(A, 0);  // Σ_i A(i, j): (1, n)
  return 100.0 * (A.each_row() / totals);       // (m, n) / (1, n) -> (m, n)
  // END EXERCISE
}

arma::mat normalize_rows(const arma::mat& A) {
  // BEGIN EXERCISE ch02.normalize_rows
  // hint: the norm of row i is √(Σ_j A_ij²): one number per row, an m × 1 column
  // hint: (numpy: np.linalg.norm(A, axis=1, keepdims=True)); then divide every column of A by it (broadcasting);
  // hint: a zero row must stay zero rather than become 0/0
  arma::vec norms = arma::sqrt(arma::sum(arma::square(A), 1));  // ‖x_i‖₂ of each row: (m, 1)
  norms.replace(0.0, 1.0);                                      // 0 / 1 = 0 for a zero row
  return A.each_col() / norms;                                  // (m, n) / (m, 1) -> (m, n)
  // END EXERCISE
}

}  // namespace course::ch02
