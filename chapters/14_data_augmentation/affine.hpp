// Affine distortions: a small rotation, scaling, shear and shift of the digit.
//
// A "2" turned by 8°, written 10% larger, slanted a little or moved two pixels
// is still a "2" (its label survives), and MNIST's writers did all of these.
// All of them are one affine map of the coordinates about the image centre
// c = (13.5, 13.5) (the middle of the 28 × 28 grid):
//
//   p = A (q − c) + c + t          q: a pixel of the new image, p: where it is read in the original
//   A = R(θ) · H(k) · S(s_x, s_y)
//
//   R(θ) = [cos θ  −sin θ]    H(k) = [1  k]    S = [s_x   0 ]
//          [sin θ   cos θ]           [0  1]        [ 0   s_y]
//
// θ a rotation, k a horizontal shear (the slant of handwriting: x moves by
// k · y), s_x and s_y scales, t = (t_x, t_y) a shift in pixels. The map is the
// backward one of bilinear.hpp (where each new pixel comes from), so the digit
// appears turned by −θ, scaled by 1/s and shifted by −t: for parameters drawn
// symmetrically around the identity (θ ∈ [−10°, 10°], s ∈ [0.9, 1.1],
// t ∈ [−2, 2]², or the narrower defaults below) the difference does not matter. Since the centre is fixed
// (p(c) = c + t), rotating or scaling does not move the digit out of the frame.
//
// Ink: a region of area a in the new image reads a region of area |det A| · a
// of the original, so the total ink of the new image is about (Σ original) / |det A|
// (det R = det H = 1, det S = s_x s_y): rotations, shears and shifts keep the
// ink, scalings change it by 1/(s_x s_y).
#pragma once
#include <armadillo>

#include <cmath>
#include <numbers>
#include <random>

#include "chapters/14_data_augmentation/bilinear.hpp"
#include "common/exercise.hpp"

namespace course::ch14 {

struct AffineParams {
  double rotation = 0;  // θ in radians
  double scale_x = 1, scale_y = 1;
  double shear = 0;                 // k
  double shift_x = 0, shift_y = 0;  // t in pixels
};

// A = R(θ) · H(k) · S(s_x, s_y), the 2 × 2 matrix of the map.
inline arma::mat22 affine_matrix(const AffineParams& a) {
  // BEGIN EXERCISE ch14.affine_map
  // hint: build the three 2 × 2 matrices of the lesson (a rotation by θ, a shear with k above the diagonal, a
  // hint: diagonal of the two scales) and multiply them in the order R · H · S (S acts first on q − c)
  const double c = std::cos(a.rotation), s = std::sin(a.rotation);
  arma::mat22 R, H, S;
  R = {{c, -s}, {s, c}};                 // R(θ)
  H = {{1, a.shear}, {0, 1}};            // H(k): x += k · y
  S = {{a.scale_x, 0}, {0, a.scale_y}};  // S(s_x, s_y)
  arma::mat22 A = R * H * S;
  return A;
  // END EXERCISE
}

// The source positions p = A (q − c) + c + t of every pixel q, as resample() takes them (2 × 784).
inline arma::mat affine_positions(const AffineParams& a) {
  const arma::mat22 A = affine_matrix(a);
  const double centre = 0.5 * double(kSide - 1);  // c = (13.5, 13.5)
  arma::mat q = identity_positions();
  q -= centre;                     // q − c
  arma::mat p = A * q;             // A (q − c)
  p.row(0) += centre + a.shift_x;  // + c + t
  p.row(1) += centre + a.shift_y;
  return p;
}

// The ranges the parameters are drawn from, uniformly, around the identity.
// The defaults are the ones chapter 14's dev set chose (README, "How strong"): half the issue's
// recipe (±10°, ±10%, ±2 px), which was 0.05 points behind on the dev error of two seeds.
struct AffineRanges {
  double rotation_degrees = 5;  // θ ∈ [−5°, 5°]
  double scale = 0.05;          // s_x = s_y ∈ [0.95, 1.05] (one scale for both axes: the digit keeps its shape)
  double shear = 0.0;           // k ∈ [−shear, shear] (0: none)
  double shift = 1.0;           // t_x, t_y ∈ [−1, 1] pixels
};

inline double uniform(double lo, double hi, std::mt19937_64& gen) {
  return std::uniform_real_distribution<double>(lo, hi)(gen);
}

inline AffineParams random_affine(const AffineRanges& r, std::mt19937_64& gen) {
  AffineParams a;
  const double max_theta = r.rotation_degrees * std::numbers::pi / 180.0;
  a.rotation = uniform(-max_theta, max_theta, gen);
  a.scale_x = a.scale_y = uniform(1 - r.scale, 1 + r.scale, gen);
  a.shear = r.shear > 0 ? uniform(-r.shear, r.shear, gen) : 0.0;
  a.shift_x = uniform(-r.shift, r.shift, gen);
  a.shift_y = uniform(-r.shift, r.shift, gen);
  return a;
}

}  // namespace course::ch14
