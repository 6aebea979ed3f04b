// Making chapter 7 fast, part 5: a first layer that skips the zero pixels.
//
// 81% of MNIST's pixels are 0 (the background: only about 150 of an image's 784 are not),
// and a product term x_ij · W(:, i) with x_ij = 0 adds nothing. The first layer's
// two products are nearly all of the epoch's arithmetic (12.0 of its 12.47 GFLOP),
// so computing them over the nonzero pixels only does a fifth of the work:
//
//   forward   z_j = Σ_{i: x_ij ≠ 0} x_ij W(:, i)  (+ b)       column j of Z = W·X + b
//   backward  dW(:, i) = Σ_{j: x_ij ≠ 0} x_ij dZ(:, j)         dW = dZ·Xᵀ (BP3)
//
// and db = Σ_columns dZ and, when wanted, dX = Wᵀ·dZ as chapter 3's Linear computes them.
// The sums are those of the dense products without their zero terms, in another
// order than sgemm's: the results agree with Linear's to float rounding, not bit
// for bit (tests/ch07_fast_sparse.cpp), so the program's numbers differ from a run
// with the dense layer by what rounding grows into over training (README, "How fast").
// One more difference: a weight (or an entry of dZ) that is ±∞ or NaN meets only the
// nonzero pixels here, where the dense product also forms 0·∞ = NaN: the two differ once
// the weights or the gradients are no longer finite.
//
// The forward pass lists each input column's nonzero rows once (SparseColumns); the
// backward pass reuses the list when it gets the same input, unchanged, which is the
// layer contract (layer.hpp: backward follows the forward pass it belongs to). The
// arithmetic is in fast_sparse.cpp: plain functions on raw arrays, compiled with
// -march=native, which instantiate no template (this header sizes the matrices).
#pragma once
#include <armadillo>

#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "chapters/03_activations/linear.hpp"

namespace course::ch07 {

// The kernels (fast_sparse.cpp), on column-major arrays:
// start[j] .. start[j + 1] − 1 index rows[] for the nonzero rows of X's column j (X: n_rows × n_cols;
// rows must have room for n_rows · n_cols entries).
void list_nonzero_rows(const float* X, arma::uword n_rows, arma::uword n_cols, arma::uword* start, std::uint32_t* rows);
// Z = W·X over X's nonzero entries; W: n_out × n_in, X: n_in × m, Z: n_out × m.
void sparse_input_product(const float* W, arma::uword n_out, arma::uword n_in, const float* X, arma::uword m,
                          const arma::uword* start, const std::uint32_t* rows, float* Z);
// dW = dZ·Xᵀ over X's nonzero entries; dZ: n_out × m, X: n_in × m, dW: n_out × n_in (overwritten).
void sparse_input_weight_gradient(const float* dZ, arma::uword n_out, const float* X, arma::uword n_in, arma::uword m,
                                  const arma::uword* start, const std::uint32_t* rows, float* dW);

// The nonzero rows of each column of X: column j's are rows[start[j] .. start[j + 1]).
struct SparseColumns {
  arma::uvec start;               // n_cols + 1 offsets
  arma::Col<std::uint32_t> rows;  // the row indices, column after column
  const float* of = nullptr;      // the matrix they were listed for (its memory), and its shape
  arma::uword n_rows = 0, n_cols = 0;

  void list(const arma::fmat& X) {
    if (X.n_rows > std::numeric_limits<std::int32_t>::max())
      throw std::invalid_argument("SparseColumns: " + std::to_string(X.n_rows) + " rows, more than 2^31 − 1");
    start.set_size(X.n_cols + 1);
    rows.set_size(X.n_elem);  // room for every entry (keeps its memory batch after batch)
    list_nonzero_rows(X.memptr(), X.n_rows, X.n_cols, start.memptr(), rows.memptr());
    of = X.memptr();
    n_rows = X.n_rows;
    n_cols = X.n_cols;
  }
  bool lists(const arma::fmat& X) const { return of == X.memptr() && n_rows == X.n_rows && n_cols == X.n_cols; }
};

// Chapter 3's Linear layer, its two products computed over the input's nonzero entries.
class SparseInputLinear : public Linear<float> {
 public:
  using Linear<float>::Linear;

  std::string name() const override {  // (kind() stays "Linear": model files do not tell the two apart)
    return "SparseInputLinear(" + std::to_string(n_in()) + " -> " + std::to_string(n_out()) +
           (has_bias() ? ")" : ", no bias)");
  }

  void forward(const arma::fmat& input, arma::fmat& output) override {
    check_rows(*this, "input", input, n_in());
    if (&output == &input) throw std::invalid_argument(name() + ": the output may not be the input");
    nonzeros_.list(input);
    output.set_size(n_out(), input.n_cols);
    sparse_input_product(weights.memptr(), n_out(), n_in(), input.memptr(), input.n_cols, nonzeros_.start.memptr(),
                         nonzeros_.rows.memptr(), output.memptr());  // W·A over A's nonzeros
    if (has_bias()) output.each_col() += bias;                       // + b, as Linear adds it
  }

  void backward(const arma::fmat& input, const arma::fmat& output, const arma::fmat& dout,
                arma::fmat& dinput) override {
    check_rows(*this, "input", input, n_in());
    check_same_shape(*this, "dout", dout, "output", output);
    if (!nonzeros_.lists(input)) nonzeros_.list(input);  // (not the last forward pass's input)
    dweights.set_size(n_out(), n_in());
    sparse_input_weight_gradient(dout.memptr(), n_out(), input.memptr(), n_in(), input.n_cols, nonzeros_.start.memptr(),
                                 nonzeros_.rows.memptr(),
                                 dweights.memptr());  // dW = dZ·Aᵀ  (BP3)
    if (has_bias()) dbias = arma::sum(dout, 1);       // db = Σ_columns dZ  (BP4)
    if (wants_input_gradient()) {
      dinput = weights.t() * dout;  // dA = Wᵀ·dZ (dense: dZ has no zeros to skip)
    } else {
      dinput.reset();
    }
  }

 private:
  SparseColumns nonzeros_;
};

// MlpOptions::first_linear for a network whose inputs are mostly 0 (make_mnist_mlp's).
inline std::unique_ptr<Layer<float>> make_sparse_input_linear(arma::uword n_in, arma::uword n_out, bool with_bias) {
  return std::make_unique<SparseInputLinear>(n_in, n_out, with_bias);
}

}  // namespace course::ch07
