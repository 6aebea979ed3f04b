// Numerical derivatives: the reference every backward pass of the course is checked against.
//
// A derivative is a limit; a computer can take its two-sided difference quotient
// (note 001 §1.11, gradient checking):
//
//     ∂J/∂θ_i ≈ ( J(θ + ε e_i) − J(θ − ε e_i) ) / (2ε)
//
// whose error is O(ε²) (the one-sided quotient's is O(ε)). Too small an ε and the
// two values of J agree in almost every digit, so rounding dominates: ε = 1e-7
// suits double precision (about 16 digits); float (about 7 digits) needs ~1e-3.
//
// The analytic gradient g and the numerical one g_approx are then compared with
//
//     relative_error(g, g_approx) = ‖g − g_approx‖₂ / (‖g‖₂ + ‖g_approx‖₂)
//
// ≈ 1e-7 or less: right; ≈ 1e-5: look again; ≈ 1e-3 or more: almost surely a bug.
//
// Everything here is header-only and templated over the element type (double, float).
// Chapter 6 builds the full per-layer gradient check on top of it.
#pragma once
#include <armadillo>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace course {

// The default step ε for an element type: 1e-7 for double, 1e-3 for float.
template <typename eT>
constexpr eT default_epsilon() {
  if constexpr (std::is_same_v<eT, float>) {
    return eT(1e-3);
  } else {
    return eT(1e-7);
  }
}

// The numerical gradient of a scalar function J of a matrix θ (any shape):
// dθ(i) = ( J(θ + ε e_i) − J(θ − ε e_i) ) / (2ε), one element i at a time.
// J is called 2·numel(θ) times; θ is restored exactly after each element.
template <typename eT, typename Function>
arma::Mat<eT> numerical_gradient(Function&& J, const arma::Mat<eT>& theta, eT epsilon = default_epsilon<eT>()) {
  if (!(epsilon > eT(0)))
    throw std::invalid_argument("numerical_gradient: epsilon must be > 0, got " + std::to_string(epsilon));
  arma::Mat<eT> point = theta;  // perturbed in place, one element at a time
  arma::Mat<eT> gradient(theta.n_rows, theta.n_cols, arma::fill::zeros);
  for (arma::uword i = 0; i < point.n_elem; ++i) {
    const eT original = point(i);
    point(i) = original + epsilon;
    const double J_plus = static_cast<double>(J(static_cast<const arma::Mat<eT>&>(point)));  // J(θ + ε e_i)
    point(i) = original - epsilon;
    const double J_minus = static_cast<double>(J(static_cast<const arma::Mat<eT>&>(point)));  // J(θ − ε e_i)
    point(i) = original;                                                                      // restore θ
    gradient(i) = static_cast<eT>((J_plus - J_minus) / (2.0 * static_cast<double>(epsilon)));
  }
  return gradient;
}

// The numerical derivative of an element-wise function g (e.g. σ, tanh, ReLU) at
// every element of z: g'(z) ≈ ( g(z + ε) − g(z − ε) ) / (2ε), element by element.
// g takes and returns a matrix of the same shape (it must act element-wise).
template <typename eT, typename Function>
arma::Mat<eT> numerical_derivative(Function&& g, const arma::Mat<eT>& z, eT epsilon = default_epsilon<eT>()) {
  if (!(epsilon > eT(0)))
    throw std::invalid_argument("numerical_derivative: epsilon must be > 0, got " + std::to_string(epsilon));
  const arma::Mat<eT> z_plus = z + epsilon;
  const arma::Mat<eT> z_minus = z - epsilon;
  const arma::Mat<eT> g_plus = g(z_plus);
  const arma::Mat<eT> g_minus = g(z_minus);
  if (g_plus.n_rows != z.n_rows || g_plus.n_cols != z.n_cols) {
    throw std::invalid_argument("numerical_derivative: g must be element-wise: g(z) is " +
                                std::to_string(g_plus.n_rows) + " × " + std::to_string(g_plus.n_cols) + " but z is " +
                                std::to_string(z.n_rows) + " × " + std::to_string(z.n_cols));
  }
  return (g_plus - g_minus) / (eT(2) * epsilon);
}

// The relative error ‖a − b‖₂ / (‖a‖₂ + ‖b‖₂) (Euclidean norm over all elements,
// note 001 §1.11), in [0, 1]. Both zero: 0 (0/0 is defined as 0 here).
template <typename eT>
double relative_error(const arma::Mat<eT>& a, const arma::Mat<eT>& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols) {
    throw std::invalid_argument("relative_error: shapes differ: " + std::to_string(a.n_rows) + " × " +
                                std::to_string(a.n_cols) + " vs " + std::to_string(b.n_rows) + " × " +
                                std::to_string(b.n_cols));
  }
  const arma::mat a64 = arma::conv_to<arma::mat>::from(a);
  const arma::mat b64 = arma::conv_to<arma::mat>::from(b);
  const double numerator = arma::norm(arma::vectorise(a64 - b64), 2);  // ‖a − b‖₂
  const double denominator = arma::norm(arma::vectorise(a64), 2) + arma::norm(arma::vectorise(b64), 2);  // ‖a‖₂ + ‖b‖₂
  if (denominator == 0.0) return 0.0;  // 0/0 := 0: both are exactly zero
  return numerator / denominator;
}

// Scalars too (a single weight, a single derivative).
inline double relative_error(double a, double b) {
  const double denominator = std::abs(a) + std::abs(b);
  if (denominator == 0.0) return 0.0;
  return std::abs(a - b) / denominator;
}

}  // namespace course
