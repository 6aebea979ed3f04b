// Classifying your own digit: reading an image and making it look like MNIST.
//
// MNIST's digits were made (LeCun et al.) from black-and-white scans: each one
// scaled to fit a 20 × 20 box keeping its aspect ratio (anti-aliased, hence the
// grey levels), then placed in a 28 × 28 image so that its centre of mass is at
// the centre. White ink on black, 0 = background, strokes 2–3 pixels wide at full
// intensity. A photo or a drawing of a digit must go through the same steps before
// the network can read it, and be cleaned of what a photo adds (uneven light,
// specks, thin pen lines):
//
//   1. greyscale in [0, 1]                    (PNG through libpng; PGM P2 or P5)
//   2. the paper's level (a plane fitted to the edges, again without the ink there)
//      subtracted; the ink is the side of the paper with more mass beyond its noise
//      (darker: the image is inverted); then stretched by percentiles: the paper's
//      noise to 0, the 95th percentile of the ink to 1
//   3. the digit = the largest connected component of the ink, and those near it
//   4. crop to its bounding box (a mark below 5% of the image's shorter side is a speck)
//   5. strokes to MNIST's width: a thin stroke is dilated (at an 80-pixel scale)
//   6. scale so that the longer side is 20 pixels, keeping the aspect ratio
//      (area averaging: each new pixel is the mean of the old pixels it covers),
//      and renormalise the contrast (the strongest pixel 1)
//   7. place in 28 × 28 with the centre of mass at the centre (14, 14)
//
// Every step's image is kept, for the figure of the preprocessing.
#pragma once
#include <armadillo>

#include <cstddef>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace course::ch11 {

namespace fs = std::filesystem;

// rows × cols grey levels in [0, 1] (0 black, 1 white). Transparent pixels are
// composited on white paper. Errors name the file: missing, a folder, empty, not a
// PNG or PGM, corrupt, truncated (a header claiming more pixels than the file
// holds), larger than kMaxImagePixels (refused from the header, before anything
// is allocated), or smaller than 8 × 8.
inline constexpr std::size_t kMaxImagePixels = 25'000'000;  // a 24-megapixel photo (6000 × 4000) fits
arma::fmat read_grey_image(const fs::path& file);

// Writes a rows × cols grey image (values clamped to [0, 1]) as an 8-bit PNG,
// through a temporary file and a rename.
void write_grey_png(const fs::path& file, const arma::fmat& grey);

struct Preprocessed {
  arma::fmat grey;             // step 1
  bool inverted = false;       // step 2: was the ink darker than the paper?
  arma::fmat ink;              // step 2: paper 0, ink 1
  arma::fmat kept;             // step 3: the digit's components only
  arma::uword components = 0;  // step 3: how many the ink had
  arma::fmat cropped;          // step 4
  arma::fmat stroke;           // step 5: at most 80 pixels on its longer side
  double stroke_width = 0;     // step 5: the measured width, in pixels of the 20-pixel box
  bool dilated = false;        // step 5: was it too thin?
  arma::fmat fitted;           // step 6: at most 20 × 20
  arma::fmat digit;            // step 7: 28 × 28
  arma::fvec input;            // the network's input: 784, pixel (r, c) at 28 r + c (the IDX files' order)
};

// Steps 2–5 on a grey image; `what` names the image in errors ("my_digit.png: ...").
Preprocessed preprocess_digit(const arma::fmat& grey, const std::string& what);

// Step 7: a digit of at most 28 × 28 placed in 28 × 28 so that its centre of mass
// (r̄, c̄) = Σ I(r, c)·(r, c) / Σ I, in pixel indices from 0, lands on (14, 14)
// (rounded, and clamped so that the digit stays inside).
arma::fmat place_by_centre_of_mass(const arma::fmat& fitted);

// area_resample(A, r, c): A resized to r × c by area averaging, as R · A · Cᵀ
// with R (r × rows) and C (c × cols) the shares of each old pixel in each new one.
arma::fmat area_resample(const arma::fmat& image, arma::uword rows, arma::uword cols);

// A digit drawn with a round brush: the strokes are polylines in [0, 1]² (x right,
// y down), drawn dark on light paper into a rows × cols image (grey, 1 = paper).
// How the repository's hand-drawn test images are made (ch11 --write-examples).
arma::fmat draw_strokes(const std::vector<std::vector<std::pair<double, double>>>& strokes, arma::uword rows,
                        arma::uword cols, double brush);

// A 784 column of an MNIST image as 28 × 28 (and back).
arma::fmat as_square(const arma::fvec& column);
arma::fvec as_column(const arma::fmat& square);

}  // namespace course::ch11
