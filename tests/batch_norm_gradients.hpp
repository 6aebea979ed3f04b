// The numerical-gradient check of a batch-norm layer, shared by chapter 10's lesson
// layer and chapter 11's FastBatchNorm. J = Σ R ⊙ BN(z) for a fixed random R, so
// ∂J/∂out = R and the layer's backward with dout = R gives ∂J/∂z, ∂J/∂γ and ∂J/∂β;
// each is compared with two-sided differences of J (double precision).
#pragma once
#include <gtest/gtest.h>

#include <armadillo>

#include "chapters/06_backprop/gradient_check.hpp"
#include "common/numerical.hpp"

namespace course::test_support {

struct BatchNormGradientErrors {
  double dz, dgamma, dbeta;  // relative_error(numerical, backward's) of each
};

template <typename Layer>
BatchNormGradientErrors batch_norm_gradient_errors(Layer& bn, const arma::mat& z0, const arma::mat& R,
                                                   double h = 1e-7) {
  auto J = [&](const arma::mat& z) {
    arma::mat out;
    bn.forward(z, out);
    return arma::accu(R % out);
  };
  arma::mat out, dz;
  bn.forward(z0, out);
  bn.backward(z0, out, R, dz);
  const arma::mat dgamma = bn.dgamma, dbeta = bn.dbeta;
  // J as a function of one parameter (γ or β), the other held where it is.
  auto J_of = [&](arma::mat& parameter) {
    return [&, value = arma::mat(parameter)](const arma::mat& p) {
      parameter = p;
      const double j = J(z0);
      parameter = value;
      return j;
    };
  };
  const arma::mat gamma0 = bn.gamma, beta0 = bn.beta;
  return {relative_error(numerical_gradient(J, z0, h), dz),
          relative_error(numerical_gradient(J_of(bn.gamma), gamma0, h), dgamma),
          relative_error(numerical_gradient(J_of(bn.beta), beta0, h), dbeta)};
}

// n features of different scales and offsets (far from mean 0, variance 1), m examples,
// seeded: the batch-norm tests' input.
template <typename eT>
arma::Mat<eT> scaled_features(arma::uword n, arma::uword m, unsigned seed) {
  arma::arma_rng::set_seed(seed);
  arma::Mat<eT> z(n, m, arma::fill::randn);
  const arma::Col<eT> scale(n, arma::fill::randu), offset(n, arma::fill::randn);
  z.each_col() %= 0.1 + 10 * scale;
  z.each_col() += 5 * offset;
  return z;
}

// A small network with a batch-norm layer passes the numerical gradient check on a batch
// of 12 random examples (6 inputs, 3 classes): overall and in every layer.
inline void expect_network_passes_gradient_check(Network<double>& net) {
  const arma::mat X(6, 12, arma::fill::randn);
  const arma::mat Y = random_targets("cross_entropy", 3, 12);
  const GradientCheckReport report = gradient_check(net, X, Y);
  EXPECT_LT(report.overall, 1e-7);
  for (const GradientCheckRow& row : report.layers) EXPECT_LT(row.relative_error, 1e-6) << row.layer;
}

}  // namespace course::test_support
