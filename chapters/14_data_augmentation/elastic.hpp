// Elastic distortions (Simard, Steinkraus and Platt 2003, §2).
//
// A hand does not move a whole digit rigidly: strokes wobble, loops swell,
// one part of a digit sits a little higher than the other. Simard's elastic
// distortion imitates that with a random displacement field, one vector
// (Δx, Δy) per pixel, smooth so that neighbouring pixels move together:
//
//   1. noise:      N_x(q), N_y(q) ~ U[−1, 1], independent for every pixel q
//   2. smoothing:  G_σ * N       a Gaussian of standard deviation σ pixels,
//                                g(k) = e^{−k²/2σ²} / Σ_j e^{−j²/2σ²} (|k| ≤ 3σ), in x and in y
//   3. scaling:    Δ = α · (G_σ * N)
//
// and the new image reads the original at p = q + Δ(q) (bilinear.hpp).
//
// What σ and α do. Let u = G_σ * N at one pixel: u = Σ_k g_k N_k, a weighted
// sum of independent noises of variance Var N = 1/3 (U[−1, 1]), so
//
//   Var u = (1/3) Σ_k g_k²,    and for the 2-D Gaussian  Σ_k g_k² ≈ ∫ g² = 1/(4πσ²)
//   ⇒  std Δ = α · std u = α / (2σ √(3π))                               (1)
//
// (the sum of the squared 1-D weights is 1/(2σ√π), and the 2-D kernel is the
// product of two). The correlation of u at two pixels d apart along an axis is
// Σ_k g_k g_{k+d} / Σ_k g_k² = e^{−d²/4σ²}                              (2)
// (the convolution of two Gaussians of width σ is one of width σ√2).
//
// So σ is the field's correlation length. By (2) neighbours move alike with
// correlation e^{−1/4σ²}: at σ = 0.5 (0.26 for this discrete kernel) every pixel
// moves on its own and the digit dissolves into noise; at σ = 1 (0.78) pixels 4
// apart already move independently (0.02) and the strokes fray; at σ = 4 (0.98)
// pixels 8 apart still correlate e^{−1} ≈ 0.37, and across the digit (20 px)
// hardly at all (0.002): the strokes bend. With σ large the field varies slowly
// over the digit, close to an affine map, and for very large σ almost a shift.
// α is the size of the push, and (1) says it must grow with σ to keep the same
// push: smoothing averages the noise away, by 1/σ. Simard's σ = 4, α = 34 give
// std Δ = 34 / (8 √(3π)) ≈ 1.38 px with this kernel of sum 1; this chapter's
// default α = 25 gives 1.02 px.
//
// The noise is drawn on a grid larger than the image by 3σ on every side and
// smoothed "valid" (every output pixel sees a whole kernel), so the border
// pixels are displaced as much as the centre ones: with a smaller grid the
// kernel would be cut at the edge and the border would move less.
// Smoothing in x and in y is two matrix products, Δ = α · G N Gᵀ, with G the
// 28 × (28 + 2r) band matrix G(i, j) = g(j − r − i).
#pragma once
#include <armadillo>

#include <cmath>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>

#include "chapters/14_data_augmentation/bilinear.hpp"
#include "common/exercise.hpp"

namespace course::ch14 {

struct ElasticSettings {
  double sigma = 4.0;   // σ: the Gaussian's standard deviation in pixels (the correlation length)
  double alpha = 25.0;  // α: the scale of the smoothed noise (std of the displacement: equation (1))
};

// Equation (1): the standard deviation of each component of the displacement, in pixels.
inline double displacement_std(const ElasticSettings& e) {
  return e.alpha / (2 * e.sigma * std::sqrt(3 * std::numbers::pi));
}

// α for a wanted displacement std (equation (1) solved for α).
inline double alpha_for_std(double std_pixels, double sigma) {
  return std_pixels * 2 * sigma * std::sqrt(3 * std::numbers::pi);
}

// The kernel's reach r = ⌈3σ⌉ (at 3σ a weight is e^{−4.5} ≈ 1.1% of the centre's, and falls fast beyond).
inline arma::uword kernel_radius(double sigma) { return arma::uword(std::ceil(3 * sigma)); }

// G: side × (side + 2r), G(i, j) = g(j − r − i), each row the normalised kernel.
inline arma::fmat gaussian_band(arma::uword side, double sigma) {
  if (!(sigma > 0)) throw std::invalid_argument("elastic distortion: σ must be positive, got " + std::to_string(sigma));
  const arma::uword r = kernel_radius(sigma);
  arma::vec g(2 * r + 1, arma::fill::zeros);
  for (arma::uword k = 0; k <= 2 * r; ++k) {
    const double d = double(k) - double(r);
    g[k] = std::exp(-d * d / (2 * sigma * sigma));  // e^{−k²/2σ²}
  }
  g /= arma::accu(g);  // Σ g = 1: smoothing keeps the mean
  arma::fmat G(side, side + 2 * r, arma::fill::zeros);
  for (arma::uword i = 0; i < side; ++i)  // G(i, j) = g(j − r − i): row i is the kernel centred on column i + r
    G.row(i).cols(i, i + 2 * r) = arma::conv_to<arma::frowvec>::from(g.t());
  return G;
}

// One displacement field: Δx and Δy, each 28 × 28 (row y, column x).
struct ElasticField {
  arma::fmat dx, dy;
};

// One field drawn from gen; G is gaussian_band(28, σ) (made once: every image of an epoch shares it).
inline ElasticField elastic_field(const ElasticSettings& e, const arma::fmat& G, std::mt19937_64& gen) {
  if (G.n_rows != kSide || G.n_cols != kSide + 2 * kernel_radius(e.sigma))
    throw std::invalid_argument("elastic_field: G is " + std::to_string(G.n_rows) + " × " + std::to_string(G.n_cols) +
                                ", not gaussian_band(28, σ = " + std::to_string(e.sigma) + ")");
  // BEGIN EXERCISE ch14.elastic_field
  // hint: for each component, a square of noise U[−1, 1] as wide as G has columns (the image plus 3σ on each side),
  // hint: drawn from gen for Δx's square first, then Δy's, each in Armadillo's element order N[0], N[1], ... (column
  // hint: by column), so that a seed gives one field
  // hint: smoothing in both directions is G · N · Gᵀ (28 × 28); the displacement is α times that (equation (1))
  const arma::uword n = G.n_cols;
  std::uniform_real_distribution<float> noise(-1.0f, 1.0f);
  ElasticField f;
  for (arma::fmat* component : {&f.dx, &f.dy}) {
    arma::fmat N(n, n, arma::fill::none);
    for (arma::uword i = 0; i < N.n_elem; ++i) N[i] = noise(gen);  // 1. N ~ U[−1, 1]
    *component = float(e.alpha) * (G * N * G.t());                 // 2., 3. Δ = α · G N Gᵀ
  }
  return f;
  // END EXERCISE
}

// The source positions p = q + Δ(q) (2 × 784) of a field, added to given positions
// (identity_positions() for an elastic distortion alone, affine_positions() for both).
inline void add_field(const ElasticField& f, arma::mat& positions) {
  for (arma::uword y = 0; y < kSide; ++y)
    for (arma::uword x = 0; x < kSide; ++x) {
      positions(0, y * kSide + x) += double(f.dx(y, x));
      positions(1, y * kSide + x) += double(f.dy(y, x));
    }
}

}  // namespace course::ch14
