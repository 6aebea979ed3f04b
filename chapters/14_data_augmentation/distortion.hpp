// One distortion of a digit, and one epoch of them.
//
// A distortion is the affine map (affine.hpp), the elastic field (elastic.hpp)
// or both, combined into one source position per pixel and resampled once:
//
//   p(q) = A (q − c) + c + t + Δ(q)        then  out(q) = I(p(q))   (bilinear.hpp)
//
// (resampling once, not twice, blurs the digit once). The label is not
// touched: column i of an epoch's distorted images is a distortion of
// training image i, so the labels Y of the originals are the labels of the
// distortions, column for column.
#pragma once
#include <armadillo>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

#include "chapters/14_data_augmentation/affine.hpp"
#include "chapters/14_data_augmentation/bilinear.hpp"
#include "chapters/14_data_augmentation/elastic.hpp"
#include "common/format.hpp"

namespace course::ch14 {

struct Distortion {
  bool affine = true;
  AffineRanges ranges{};
  bool elastic = true;
  ElasticSettings field{};
  bool any() const { return affine || elastic; }
  std::string describe() const;
};

// The chapter's settings by name: none, affine, elastic (alone), affine+elastic.
inline Distortion distortion_named(const std::string& name, const Distortion& strengths = {}) {
  Distortion d = strengths;
  if (name == "none")
    d.affine = d.elastic = false;
  else if (name == "affine")
    d.affine = true, d.elastic = false;
  else if (name == "elastic")
    d.affine = false, d.elastic = true;
  else if (name == "affine+elastic")
    d.affine = d.elastic = true;
  else
    throw std::invalid_argument("--augment: expected none, affine, elastic or affine+elastic, got '" + name + "'");
  return d;
}

inline std::string Distortion::describe() const {
  std::string s;
  if (affine)
    s += "rotation ±" + std::to_string(int(std::lround(ranges.rotation_degrees))) + "°, scale ±" +
         std::to_string(int(std::lround(100 * ranges.scale))) + "%, shift ±" + format_value("%g", ranges.shift) +
         " px" + (ranges.shear > 0 ? ", shear ±" + format_value("%g", ranges.shear) : std::string());
  if (elastic)
    s += std::string(affine ? "; " : "") + "elastic σ = " + format_value("%g", field.sigma) +
         " px, α = " + format_value("%g", field.alpha) + " (displacement std " +
         format_value("%.2f", displacement_std(field)) + " px)";
  return s.empty() ? "none" : s;
}

// Reusable pieces of one distortion: the smoothing matrix G, made once.
class Distorter {
 public:
  explicit Distorter(const Distortion& d) : d_(d) {
    if (d_.elastic) G_ = gaussian_band(kSide, d_.field.sigma);
  }

  // The source positions of one random distortion (2 × 784).
  arma::mat positions(std::mt19937_64& gen) const {
    arma::mat p = d_.affine ? affine_positions(random_affine(d_.ranges, gen))  // p = A (q − c) + c + t
                            : identity_positions();                            // or p = q
    if (d_.elastic) add_field(elastic_field(d_.field, G_, gen), p);            // p += Δ(q)
    return p;
  }

  arma::fvec distort(const arma::fvec& image, std::mt19937_64& gen) const { return resample(image, positions(gen)); }

 private:
  Distortion d_;
  arma::fmat G_;
};

// One epoch's images: out.col(i) = a distortion of original i (the bytes k of
// chapter 7, pixel k/255), all drawn from one generator seeded with `seed`:
// the same seed, the same images, whichever thread runs it.
inline void distort_epoch(const arma::Mat<std::uint8_t>& originals, const Distortion& d, std::uint64_t seed,
                          arma::fmat& out) {
  if (originals.n_rows != kPixels)
    throw std::invalid_argument("distort_epoch: expected 784 pixels per image, got " +
                                std::to_string(originals.n_rows));
  out.set_size(kPixels, originals.n_cols);
  const Distorter distorter(d);
  std::mt19937_64 gen(seed);
  const float scale = 1.0f / 255.0f;  // as common/data.cpp: x = k · (1/255)
  arma::fvec image(kPixels, arma::fill::zeros);
  for (arma::uword i = 0; i < originals.n_cols; ++i) {
    for (arma::uword k = 0; k < kPixels; ++k) image[k] = float(originals(k, i)) * scale;
    out.col(i) = d.any() ? distorter.distort(image, gen) : image;
  }
}

}  // namespace course::ch14
