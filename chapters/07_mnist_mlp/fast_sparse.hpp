// Making chapter 7 fast, part 5: a first layer that skips the zero pixels.
//
// 81% of MNIST's pixels are 0 (150 of 784 per image on average: the background),
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
//
// The forward pass lists each input column's nonzero rows once (SparseColumns); the
// backward pass, which gets the same input (the layer contract, layer.hpp), reuses
// the list. The arithmetic is in fast_sparse.cpp (plain functions, -march=native).
#pragma once
#include <armadillo>

#include <cstdint>
#include <memory>
#include <string>

#include "chapters/03_activations/linear.hpp"

namespace course::ch07 {

// The nonzero rows of each column of X: column j's are rows[start[j] .. start[j + 1]).
struct SparseColumns {
  arma::uvec start;               // n_cols + 1 offsets
  arma::Col<std::uint32_t> rows;  // the row indices, column after column (and room to spare)
  const float* of = nullptr;      // the matrix they were listed for (its memory), and its shape
  arma::uword n_rows = 0, n_cols = 0;
  bool lists(const arma::fmat& X) const { return of == X.memptr() && n_rows == X.n_rows && n_cols == X.n_cols; }
};
void list_nonzeros(const arma::fmat& X, SparseColumns& nonzeros);

// Z = W·X over X's nonzero entries (Z: W.n_rows × X.n_cols; no bias).
void sparse_input_product(const arma::fmat& W, const arma::fmat& X, const SparseColumns& nonzeros, arma::fmat& Z);
// dW = dZ·Xᵀ over X's nonzero entries (dW: dZ.n_rows × X.n_rows).
void sparse_input_weight_gradient(const arma::fmat& dZ, const arma::fmat& X, const SparseColumns& nonzeros,
                                  arma::fmat& dW);

class SparseInputLinear;
// MlpOptions::first_linear for a network whose inputs are mostly 0 (make_mnist_mlp's).
std::unique_ptr<Layer<float>> make_sparse_input_linear(arma::uword n_in, arma::uword n_out, bool with_bias);

// Chapter 3's Linear layer, its two products computed over the input's nonzero entries.
class SparseInputLinear : public Linear<float> {
 public:
  using Linear<float>::Linear;

  void forward(const arma::fmat& input, arma::fmat& output) override {
    check_rows(*this, "input", input, n_in());
    list_nonzeros(input, nonzeros_);
    sparse_input_product(weights, input, nonzeros_, output);  // W·A over A's nonzeros
    if (has_bias()) output.each_col() += bias;                // + b, as Linear adds it
  }

  void backward(const arma::fmat& input, const arma::fmat& output, const arma::fmat& dout,
                arma::fmat& dinput) override {
    check_rows(*this, "input", input, n_in());
    check_same_shape(*this, "dout", dout, "output", output);
    if (!nonzeros_.lists(input)) list_nonzeros(input, nonzeros_);    // (not the forward pass's input)
    sparse_input_weight_gradient(dout, input, nonzeros_, dweights);  // dW = dZ·Aᵀ  (BP3)
    if (has_bias()) dbias = arma::sum(dout, 1);                      // db = Σ_columns dZ  (BP4)
    if (input_gradient_) {
      dinput = weights.t() * dout;  // dA = Wᵀ·dZ (dense: dZ has no zeros to skip)
    } else {
      dinput.reset();
    }
  }

  void want_input_gradient(bool wanted) override {
    input_gradient_ = wanted;
    Linear<float>::want_input_gradient(wanted);
  }

 private:
  SparseColumns nonzeros_;
  bool input_gradient_ = true;
};

}  // namespace course::ch07
