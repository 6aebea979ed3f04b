// Making chapter 11 fast (README, "How fast"): batch norm, ReLU and dropout in one layer.
//
// In the final net each hidden Linear is followed by FastBatchNorm, FastReLU and
// FastDropout: three layers, three n × m outputs, and between them one pass to
// write ẑ, one to read it and write a = max(ẑ, 0), one to read a and write
// a ⊙ d / keep_prob (and the same three backwards). FastBnReluDropout computes
// their composition in batch norm's last pass:
//
//   forward:   1. μ   2. σ²   (FastBatchNorm's)
//              3. z_norm = (z − μ) ⊙ 1/√(σ² + ε),  ẑ = γ ⊙ z_norm + β,
//                 k = [ẑ > 0] · [r < t]  (ReLU's gate and dropout's mask, r from FastDropout's streams),
//                 out = k ? ẑ / keep_prob : 0          all at once, per element
//   backward:  dẑ = dout ⊙ k / keep_prob, never stored: computed in both of batch norm's passes,
//              1. dβ = Σ_i dẑ_i, dγ = Σ_i dẑ_i ⊙ z_norm_i   2. dz = (γ/√(σ² + ε)) ⊙ (dẑ − dβ/m − z_norm ⊙ dγ/m)
//
// The same numbers as the three layers (tests/ch11_fast_bn_relu_dropout.cpp): the same
// operations in the same order, and the same mask, drawn from streams seeded as
// FastDropout's (two draws of Armadillo's generator when the layer is made) in the same
// blocks. Evaluation mode: chapter 10's batch norm with the running averages, then ReLU
// (dropout is the identity). It is one layer where the lessons have three; in a model
// file it is those three (SavedAsLayers): BatchNorm with γ, β and the running averages,
// ReLU and Dropout, so that a model saved with it loads into the lessons' net (a
// learner's workspace build) and the other way round. The loops are in fast_bn_relu_dropout.cpp
// (-march=native, -ffp-contract=off, as fast_batch_norm.cpp).
#pragma once
#include <armadillo>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/06_backprop/model_file.hpp"
#include "chapters/11_final_classifier/fast_batch_norm.hpp"
#include "chapters/11_final_classifier/fast_dropout.hpp"
#include "common/format.hpp"

namespace course::ch11 {

// z, z_norm, out: n × m; mean, var, inv_std, gamma, beta: n; kept: n × m bytes, k above.
void bn_relu_dropout_forward(DropoutStreams& streams, std::uint32_t threshold, float scale, const float* z,
                             std::size_t n, std::size_t m, const float* gamma, const float* beta, float epsilon,
                             float* mean, float* var, float* inv_std, float* z_norm, std::uint8_t* kept, float* out);
void bn_relu_dropout_forward(DropoutStreams& streams, std::uint32_t threshold, double scale, const double* z,
                             std::size_t n, std::size_t m, const double* gamma, const double* beta, double epsilon,
                             double* mean, double* var, double* inv_std, double* z_norm, std::uint8_t* kept,
                             double* out);
void bn_relu_dropout_backward(const float* dout, const std::uint8_t* kept, float scale, const float* z_norm,
                              std::size_t n, std::size_t m, const float* gamma, const float* inv_std, float* dgamma,
                              float* dbeta, float* dz);
void bn_relu_dropout_backward(const double* dout, const std::uint8_t* kept, double scale, const double* z_norm,
                              std::size_t n, std::size_t m, const double* gamma, const double* inv_std, double* dgamma,
                              double* dbeta, double* dz);

template <typename eT>
class FastBnReluDropout : public FastBatchNorm<eT>, public SavedAsLayers<eT> {
 public:
  using Mat = arma::Mat<eT>;
  FastBnReluDropout(arma::uword features, double keep_prob)
      : FastBatchNorm<eT>(features), keep_prob_(keep_prob), threshold_(keep_threshold(keep_prob)) {
    if (!(keep_prob > 0 && keep_prob <= 1))
      throw std::invalid_argument("FastBnReluDropout: keep_prob must be in (0, 1], found " +
                                  format_value("%g", keep_prob));
    streams_ = seed_dropout_streams(draw_dropout_seed());  // as FastDropout's, made after the batch norm
  }

  std::string name() const override {
    return "BatchNorm(" + std::to_string(this->features_) + ") + ReLU + Dropout(keep " +
           format_value("%g", keep_prob_) + ")";
  }
  std::string kind() const override { return "BatchNormReLUDropout"; }
  // In a model file: the three layers it stands for, as the lessons' net lists them.
  std::vector<SavedLayer<eT>> saved_layers() override {
    return {{"BatchNorm", saved_matrices<eT>(*this), ""}, {"ReLU", {}, ""}, {"Dropout", {}, ""}};
  }
  double keep_prob() const { return keep_prob_; }
  // k of the last training forward pass: 1 where the unit passed ReLU and dropout, input's shape.
  const arma::Mat<std::uint8_t>& kept() const { return kept_; }

  void forward(const Mat& z, Mat& out) override {
    ch10::BatchNorm<eT>::forward(z, out);  // training: forward_training below, then the running averages
    if (!this->training()) out.for_each([](eT& a) { a = a > eT(0) ? a : eT(0); });  // a = max(ẑ, 0)
  }

  void forward_training(const Mat& z, Mat& out) override {
    if (&out == &z) {
      const Mat input = z;
      return forward_training(input, out);
    }
    const arma::uword n = z.n_rows, m = z.n_cols;
    this->size_caches(n, m, out);
    const bool reuse = held_ && kept_.n_rows == n && kept_.n_cols == m;
    DropoutStreams held_streams = held_streams_;  // held: the streams as they were before the held draw
    if (!reuse) {
      held_streams_ = streams_;
      kept_.set_size(n, m);
    }
    DropoutStreams& streams = reuse ? held_streams : streams_;
    bn_relu_dropout_forward(streams, threshold_, eT(1 / keep_prob_), z.memptr(), n, m, this->gamma.memptr(),
                            this->beta.memptr(), eT(this->epsilon()), this->mu_.memptr(), this->var_.memptr(),
                            this->inv_std_.memptr(), this->z_norm_.memptr(), kept_.memptr(), out.memptr());
  }

  void backward(const Mat& z, const Mat& out, const Mat& dout, Mat& dz) override {
    check_rows(*this, "input", z, this->features_);
    check_same_shape(*this, "dout", dout, "output", out);
    if (!this->training()) {  // dẑ = dout ⊙ [a > 0], then chapter 10's evaluation-mode backward
      const Mat dhat = dout % arma::conv_to<Mat>::from(out > eT(0));
      return ch10::BatchNorm<eT>::backward(z, out, dhat, dz);
    }
    check_same_shape(*this, "input", z, "the cached z_norm", this->z_norm_);
    if (kept_.n_rows != dout.n_rows || kept_.n_cols != dout.n_cols)
      throw std::logic_error(name() + ": backward without the forward pass of this batch");
    if (&dz == &dout) {
      const Mat incoming = dout;
      return backward(z, out, incoming, dz);
    }
    const arma::uword n = dout.n_rows, m = dout.n_cols;
    this->size_gradients(n, m, dz);
    bn_relu_dropout_backward(dout.memptr(), kept_.memptr(), eT(1 / keep_prob_), this->z_norm_.memptr(), n, m,
                             this->gamma.memptr(), this->inv_std_.memptr(), this->dgamma.memptr(), this->dbeta.memptr(),
                             dz.memptr());
  }

  // Held (the gradient check): every forward pass redraws the same mask from the saved streams.
  void hold_randomness(bool hold) override { held_ = hold; }

 private:
  double keep_prob_;
  std::uint32_t threshold_;
  DropoutStreams streams_, held_streams_;
  arma::Mat<std::uint8_t> kept_;
  bool held_ = false;
};

}  // namespace course::ch11
