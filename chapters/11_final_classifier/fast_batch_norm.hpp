// Making chapter 11 fast (README, "How fast"): batch normalisation in fewer passes over the batch.
//
// Chapter 10's BatchNorm writes each step of its formulas as one Armadillo
// expression: the forward pass goes over the n × m batch eight times (the mean,
// a copy into z_norm, − μ, the squares' sum, ⊙ 1/√(σ² + ε), a copy into the
// output, ⊙ γ, + β) and the backward pass seven times, with two temporary
// matrices (dẑ ⊙ z_norm and z_norm ⊙ mean(dẑ ⊙ z_norm)). FastBatchNorm
// computes the same formulas, in the same order of operations, in
//
//   forward:   1. μ = (1/m) Σ_i z_i          2. σ² = (1/m) Σ_i (z_i − μ)²
//              3. z_norm = (z − μ) ⊙ 1/√(σ² + ε) and ẑ = γ ⊙ z_norm + β, both written at once
//   backward:  1. dβ = Σ_i dẑ_i and dγ = Σ_i dẑ_i ⊙ z_norm_i together
//              2. dz = (γ/√(σ² + ε)) ⊙ (dẑ − dβ/m − z_norm ⊙ dγ/m)
//
// passes and no temporary. It overrides chapter 10's forward_training hook and,
// in training mode, the backward pass (as chapter 9's FusedAdam overrides Adam's
// update); evaluation mode, the running averages, the parameters, the name and
// the model file's kind "BatchNorm" are chapter 10's. The loops are in
// fast_batch_norm.cpp (-march=native, -ffp-contract=off: no fused multiply-adds,
// so each element is rounded as in the lesson's expressions; tests/ch11_fast_batch_norm.cpp).
#pragma once
#include <armadillo>

#include <cstddef>

#include "chapters/10_batch_norm/batch_norm.hpp"

namespace course::ch11 {

// z, z_norm, out: n × m, column-major; mean, var, inv_std, gamma, beta: n.
void batch_norm_forward(const float* z, std::size_t n, std::size_t m, const float* gamma, const float* beta,
                        float epsilon, float* mean, float* var, float* inv_std, float* z_norm, float* out);
void batch_norm_forward(const double* z, std::size_t n, std::size_t m, const double* gamma, const double* beta,
                        double epsilon, double* mean, double* var, double* inv_std, double* z_norm, double* out);
// dout, z_norm, dz: n × m; gamma, inv_std, dgamma, dbeta: n.
void batch_norm_backward(const float* dout, const float* z_norm, std::size_t n, std::size_t m, const float* gamma,
                         const float* inv_std, float* dgamma, float* dbeta, float* dz);
void batch_norm_backward(const double* dout, const double* z_norm, std::size_t n, std::size_t m, const double* gamma,
                         const double* inv_std, double* dgamma, double* dbeta, double* dz);

template <typename eT>
class FastBatchNorm : public ch10::BatchNorm<eT> {
 public:
  using Mat = arma::Mat<eT>;
  using ch10::BatchNorm<eT>::BatchNorm;

  // Training mode: μ, σ², 1/√(σ² + ε), z_norm and ẑ in three passes.
  void forward_training(const Mat& z, Mat& out) override {
    if (&out == &z) {  // the loops read z and write out through distinct pointers
      const Mat input = z;
      return forward_training(input, out);
    }
    const arma::uword n = z.n_rows, m = z.n_cols;
    size_caches(n, m, out);
    batch_norm_forward(z.memptr(), n, m, this->gamma.memptr(), this->beta.memptr(), eT(this->epsilon()),
                       this->mu_.memptr(), this->var_.memptr(), this->inv_std_.memptr(), this->z_norm_.memptr(),
                       out.memptr());
  }

  // Training mode: dβ, dγ and dz in two passes; evaluation mode: chapter 10's.
  void backward(const Mat& z, const Mat& out, const Mat& dout, Mat& dz) override {
    if (!this->training()) return ch10::BatchNorm<eT>::backward(z, out, dout, dz);
    check_rows(*this, "input", z, this->features_);
    check_same_shape(*this, "dout", dout, "output", out);
    check_same_shape(*this, "input", z, "the cached z_norm", this->z_norm_);
    if (&dz == &dout) {  // likewise dout and dz
      const Mat incoming = dout;
      return backward(z, out, incoming, dz);
    }
    const arma::uword n = dout.n_rows, m = dout.n_cols;
    size_gradients(n, m, dz);
    batch_norm_backward(dout.memptr(), this->z_norm_.memptr(), n, m, this->gamma.memptr(), this->inv_std_.memptr(),
                        this->dgamma.memptr(), this->dbeta.memptr(), dz.memptr());
  }

 protected:
  // The loops write into these; n features, m examples.
  void size_caches(arma::uword n, arma::uword m, Mat& out) {
    this->mu_.set_size(n);
    this->var_.set_size(n);
    this->inv_std_.set_size(n);
    this->z_norm_.set_size(n, m);
    out.set_size(n, m);
  }
  void size_gradients(arma::uword n, arma::uword m, Mat& dz) {
    this->dgamma.set_size(n, 1);
    this->dbeta.set_size(n, 1);
    dz.set_size(n, m);
  }
};

}  // namespace course::ch11
