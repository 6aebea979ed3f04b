// Resampling: reading an image between its pixels.
//
// Every distortion of this chapter says, for each pixel q = (x, y) of the new
// image, where in the original it comes from: a source position p = (x', y')
// that is almost never a whole pixel. (Backward mapping: walking the new
// image's pixels and asking where each comes from leaves no holes; pushing the
// original's pixels forward would.) The value there is interpolated from the
// four pixels around p, bilinearly (linear in x, then linear in y):
//
//   x0 = ⌊x'⌋, y0 = ⌊y'⌋,  fx = x' − x0,  fy = y' − y0  (both in [0, 1))
//   I(x', y') = (1 − fx)(1 − fy) I(x0, y0)     + fx (1 − fy) I(x0 + 1, y0)
//             + (1 − fx) fy      I(x0, y0 + 1) + fx fy       I(x0 + 1, y0 + 1)
//
// The four weights are ≥ 0 and add up to 1 (a weighted mean of the
// neighbours). Outside the image the background is 0 (no ink), so a digit
// moved partly off the frame loses that part. At a whole pixel (fx = fy = 0)
// the formula returns that pixel: the identity map and whole-pixel shifts are
// exact (tests/ch14_data_augmentation.cpp).
//
// Coordinates: x is the column (0..cols−1, to the right), y the row (0..rows−1,
// downwards), a pixel's value sits at its integer coordinates. Images are the
// course's columns of 784 = 28 · 28 values, pixel (row y, column x) at 28·y + x
// (the IDX files' order, common/plot.hpp's ImageGrid).
#pragma once
#include <armadillo>

#include <cmath>
#include <stdexcept>
#include <string>

#include "common/exercise.hpp"

namespace course::ch14 {

inline constexpr arma::uword kSide = 28;  // MNIST's images are 28 × 28
inline constexpr arma::uword kPixels = kSide * kSide;

// The pixel (x, y) of a rows × cols image stored row by row at `image`, 0 outside.
inline float pixel_or_zero(const float* image, arma::uword rows, arma::uword cols, long x, long y) {
  if (x < 0 || y < 0 || x >= long(cols) || y >= long(rows)) return 0.0f;
  return image[arma::uword(y) * cols + arma::uword(x)];
}

// I(x', y'): the bilinear interpolation of the image at the source position (x', y').
inline float bilinear(const float* image, arma::uword rows, arma::uword cols, double x, double y) {
  // BEGIN EXERCISE ch14.bilinear
  // hint: the four neighbours are the pixels at (⌊x'⌋ or ⌊x'⌋+1, ⌊y'⌋ or ⌊y'⌋+1);
  // hint: pixel_or_zero reads them (0 off the image)
  // hint: fx = x' − ⌊x'⌋ and fy = y' − ⌊y'⌋ say how far p is from the top-left neighbour; each neighbour's weight is
  // hint: a product of fx or (1 − fx) and fy or (1 − fy): the nearer a neighbour, the larger its weight
  const double fx0 = std::floor(x), fy0 = std::floor(y);
  const long x0 = long(fx0), y0 = long(fy0);
  const double fx = x - fx0, fy = y - fy0;                                  // in [0, 1)
  const double top = (1 - fx) * pixel_or_zero(image, rows, cols, x0, y0) +  // row y0, linear in x
                     fx * pixel_or_zero(image, rows, cols, x0 + 1, y0);
  const double bottom = (1 - fx) * pixel_or_zero(image, rows, cols, x0, y0 + 1) +  // row y0 + 1
                        fx * pixel_or_zero(image, rows, cols, x0 + 1, y0 + 1);
  return float((1 - fy) * top + fy * bottom);  // then linear in y
  // END EXERCISE
}

// The resampled image: out(q) = I(p(q)) for every pixel q, the source positions
// given as a 2 × 784 matrix (row 0: x', row 1: y'; column 28·y + x for q = (x, y)).
inline arma::fvec resample(const arma::fvec& image, const arma::mat& source) {
  if (image.n_elem != kPixels)
    throw std::invalid_argument("resample: expected a 28 × 28 image (784 values), got " + std::to_string(image.n_elem));
  if (source.n_rows != 2 || source.n_cols != kPixels)
    throw std::invalid_argument("resample: expected 2 × 784 source positions, got " + std::to_string(source.n_rows) +
                                " × " + std::to_string(source.n_cols));
  arma::fvec out(kPixels, arma::fill::zeros);
  for (arma::uword q = 0; q < kPixels; ++q) out[q] = bilinear(image.memptr(), kSide, kSide, source(0, q), source(1, q));
  return out;
}

// The source positions of the identity map: p(q) = q.
inline arma::mat identity_positions() {
  arma::mat p(2, kPixels, arma::fill::zeros);
  for (arma::uword y = 0; y < kSide; ++y)
    for (arma::uword x = 0; x < kSide; ++x) {
      p(0, y * kSide + x) = double(x);
      p(1, y * kSide + x) = double(y);
    }
  return p;
}

}  // namespace course::ch14
