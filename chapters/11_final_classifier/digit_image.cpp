// Reading and preprocessing a digit image (digit_image.hpp).
#include "chapters/11_final_classifier/digit_image.hpp"

#include <png.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/files.hpp"

namespace course::ch11 {

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& why) {
  throw std::runtime_error(file.string() + ": " + why);
}

// The largest image read (kMaxImagePixels): a header claiming more is refused before
// anything is allocated.
constexpr std::size_t kMaxPixels = kMaxImagePixels;

void check_size(const fs::path& file, const char* format, std::size_t width, std::size_t height) {
  if (width == 0 || height == 0 || width > kMaxPixels || height > kMaxPixels || width * height > kMaxPixels)
    fail(file, std::string("a ") + format + " of " + std::to_string(width) + "×" + std::to_string(height) +
                   " pixels; expected at most " + std::to_string(kMaxPixels) +
                   " pixels (scale a larger photo down first)");
}

// PNG through libpng's simplified API: grey + alpha, 8 bits, composited on white here.
arma::fmat read_png(const fs::path& file) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, file.c_str()))
    fail(file, std::string("not a readable PNG (libpng: ") + image.message + ")");
  if (std::size_t(image.width) * image.height > kMaxPixels) {  // from the header, before the pixels are allocated
    png_image_free(&image);
    check_size(file, "PNG", image.width, image.height);
  }
  image.format = PNG_FORMAT_GA;
  std::vector<png_byte> pixels(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr)) {
    const std::string message = image.message;
    png_image_free(&image);
    fail(file, "a corrupt PNG (libpng: " + message + ")");
  }
  arma::fmat grey(image.height, image.width, arma::fill::zeros);
  for (png_uint_32 r = 0; r < image.height; ++r)
    for (png_uint_32 c = 0; c < image.width; ++c) {
      const png_byte* p = &pixels[2 * (std::size_t(r) * image.width + c)];
      const float g = p[0] / 255.0f, alpha = p[1] / 255.0f;
      grey(r, c) = alpha * g + (1 - alpha) * 1.0f;  // on white paper
    }
  return grey;
}

// PGM, plain (P2) or raw (P5), maxval up to 65535.
arma::fmat read_pgm(const fs::path& file, const std::string& bytes) {
  std::size_t pos = 2;
  auto next_number = [&]() -> long {
    while (pos < bytes.size()) {  // whitespace and # comments
      if (std::isspace(static_cast<unsigned char>(bytes[pos]))) ++pos;
      else if (bytes[pos] == '#') while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
      else break;
    }
    std::size_t start = pos;
    while (pos < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[pos]))) ++pos;
    if (start == pos) fail(file, "a corrupt PGM header (expected a number at byte " + std::to_string(start) + ")");
    if (pos - start > 9) fail(file, "a corrupt PGM (a number of " + std::to_string(pos - start) + " digits at byte " +
                                        std::to_string(start) + ")");
    return std::stol(bytes.substr(start, pos - start));
  };
  const bool raw = bytes[1] == '5';
  const long width = next_number(), height = next_number(), maxval = next_number();
  if (maxval < 1 || maxval > 65535) fail(file, "a PGM with maxval " + std::to_string(maxval) + "; expected 1 to 65535");
  check_size(file, "PGM", std::size_t(width), std::size_t(height));
  const std::size_t size = std::size_t(width) * std::size_t(height), depth = maxval > 255 ? 2 : 1;
  // The header must not claim more pixels than the file holds (checked before the image is allocated):
  // P5 holds depth bytes per pixel, P2 at least two characters per pixel (a digit and a separator).
  const std::size_t left = bytes.size() - std::min(bytes.size(), pos + 1), needed = raw ? size * depth : 2 * size - 1;
  if (left < needed)
    fail(file, "a truncated PGM (its header claims " + std::to_string(width) + "×" + std::to_string(height) +
                   " pixels, " + std::to_string(needed) + (raw ? " bytes" : " characters at least") +
                   ", but the file holds " + std::to_string(left) + " after the header)");
  arma::fmat grey(arma::uword(height), arma::uword(width), arma::fill::zeros);
  if (raw) {
    ++pos;  // the single whitespace after maxval
    for (std::size_t k = 0; k < size; ++k) {
      const auto* b = reinterpret_cast<const unsigned char*>(&bytes[pos + k * depth]);
      const long v = depth == 2 ? (long(b[0]) << 8 | b[1]) : b[0];
      grey(k / std::size_t(width), k % std::size_t(width)) = float(v) / float(maxval);
    }
  } else {
    for (std::size_t k = 0; k < size; ++k)
      grey(k / std::size_t(width), k % std::size_t(width)) = float(std::min(next_number(), maxval)) / float(maxval);
  }
  return grey;
}

// The coverage matrix of area averaging along one axis: W(i, j) = the share of
// old pixel j in new pixel i (rows sum to 1).
arma::fmat coverage(arma::uword new_size, arma::uword old_size) {
  arma::fmat W(new_size, old_size, arma::fill::zeros);
  const double scale = double(old_size) / double(new_size);  // old pixels per new pixel
  for (arma::uword i = 0; i < new_size; ++i) {
    const double lo = i * scale, hi = (i + 1) * scale;       // new pixel i covers [lo, hi) of the old axis
    for (arma::uword j = arma::uword(std::floor(lo)); j < old_size && double(j) < hi; ++j)
      W(i, j) = float((std::min(hi, double(j + 1)) - std::max(lo, double(j))) / scale);
  }
  return W;
}

}  // namespace

arma::fmat area_resample(const arma::fmat& image, arma::uword rows, arma::uword cols) {
  if (image.is_empty() || rows == 0 || cols == 0) throw std::invalid_argument("area_resample: empty image or size");
  return coverage(rows, image.n_rows) * image * coverage(cols, image.n_cols).t();  // R · A · Cᵀ
}

arma::fmat read_grey_image(const fs::path& file) {
  std::error_code error;
  if (fs::is_directory(file, error)) fail(file, "is a folder, not an image file (expected a PNG or PGM image)");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot open it (does it exist?)");
  std::string start(8, '\0');                              // enough for the PNG signature or "P5"
  in.read(start.data(), 8);
  start.resize(std::size_t(in.gcount()));
  if (start.empty()) fail(file, "the file is empty (expected a PNG or PGM image)");
  static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  arma::fmat grey;
  if (start.size() == 8 && std::equal(png_signature, png_signature + 8, reinterpret_cast<const unsigned char*>(start.data()))) {
    grey = read_png(file);                                  // libpng reads the file itself
  } else if (start.size() >= 2 && start[0] == 'P' && (start[1] == '2' || start[1] == '5')) {
    // A PGM is read whole: at most 6 characters per pixel ("65535 ") of the largest image, and its header.
    const std::uintmax_t file_size = fs::file_size(file, error);
    if (!error && file_size > 6 * kMaxPixels + 4096)
      fail(file, "a PGM of " + std::to_string(file_size) + " bytes; expected at most " +
                     std::to_string(kMaxPixels) + " pixels (scale a larger photo down first)");
    std::ostringstream content;
    content << start << in.rdbuf();
    grey = read_pgm(file, content.str());
  } else {
    fail(file, "not a PNG or PGM image (its first bytes are neither the PNG signature nor P2/P5)");
  }
  if (grey.n_rows < 8 || grey.n_cols < 8)
    fail(file, "the image is " + std::to_string(grey.n_cols) + "×" + std::to_string(grey.n_rows) +
                   " pixels; expected at least 8×8");
  return grey;
}

void write_grey_png(const fs::path& file, const arma::fmat& grey) {
  std::vector<png_byte> pixels(grey.n_elem);
  for (arma::uword r = 0; r < grey.n_rows; ++r)
    for (arma::uword c = 0; c < grey.n_cols; ++c)
      pixels[r * grey.n_cols + c] = png_byte(std::lround(255 * std::clamp(grey(r, c), 0.0f, 1.0f)));
  const fs::path tmp = file.string() + ".tmp";
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = png_uint_32(grey.n_cols);
  image.height = png_uint_32(grey.n_rows);
  image.format = PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&image, tmp.c_str(), 0, pixels.data(), 0, nullptr)) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    fail(file, std::string("could not write the PNG (libpng: ") + image.message + ")");
  }
  fs::rename(tmp, file);
}

Preprocessed preprocess_digit(const arma::fmat& grey, const std::string& what) {
  Preprocessed p;
  p.grey = grey;
  // 2. Which way round? The border is background: light border, dark digit.
  const arma::fvec border = arma::join_cols(arma::join_cols(arma::vectorise(grey.row(0)), arma::vectorise(grey.row(grey.n_rows - 1))),
                                            arma::join_cols(grey.col(0), grey.col(grey.n_cols - 1)));
  p.inverted = arma::median(border) > 0.5f;
  arma::fmat ink = p.inverted ? arma::fmat(1.0f - grey) : grey;
  const float background = arma::median(p.inverted ? arma::fvec(1.0f - border) : border), darkest = ink.max();
  if (!(darkest - background > 0.1f))
    throw std::runtime_error(what + ": no digit found (the image is blank: its ink is within 0.1 of its background)");
  ink = arma::clamp((ink - background) / (darkest - background), 0.0f, 1.0f);  // background 0, darkest ink 1
  p.ink = ink;
  // 3. The bounding box of the ink.
  const arma::uvec rows = arma::find(arma::max(ink, 1) > 0.1f), cols = arma::find(arma::max(ink, 0).t() > 0.1f);
  p.cropped = ink.submat(rows.min(), cols.min(), rows.max(), cols.max());
  // 4. The longer side to 20 pixels, the aspect ratio kept.
  const double scale = 20.0 / double(std::max(p.cropped.n_rows, p.cropped.n_cols));
  const arma::uword h = std::max<arma::uword>(1, arma::uword(std::lround(p.cropped.n_rows * scale)));
  const arma::uword w = std::max<arma::uword>(1, arma::uword(std::lround(p.cropped.n_cols * scale)));
  p.fitted = area_resample(p.cropped, h, w);
  // 5. Into 28 × 28, the centre of mass (r̄, c̄) = Σ I(r, c)·(r, c) / Σ I at (14, 14), in pixel indices
  //    from 0 (MNIST's convention: its digits' centres of mass are there, measured that way).
  const float mass = arma::accu(p.fitted);
  const arma::frowvec r_index = arma::regspace<arma::frowvec>(0, float(h - 1));
  const arma::frowvec c_index = arma::regspace<arma::frowvec>(0, float(w - 1));
  const double r_bar = arma::accu(arma::sum(p.fitted, 1).t() % r_index) / mass;
  const double c_bar = arma::accu(arma::sum(p.fitted, 0) % c_index) / mass;
  const long top = std::clamp(std::lround(14.0 - r_bar), 0L, long(28 - h));
  const long left = std::clamp(std::lround(14.0 - c_bar), 0L, long(28 - w));
  p.digit.zeros(28, 28);
  p.digit.submat(arma::uword(top), arma::uword(left), arma::uword(top) + h - 1, arma::uword(left) + w - 1) = p.fitted;
  p.input = as_column(p.digit);
  return p;
}

arma::fmat draw_strokes(const std::vector<std::vector<std::pair<double, double>>>& strokes, arma::uword rows,
                        arma::uword cols, double brush) {
  arma::fmat grey(rows, cols, arma::fill::ones);          // white paper
  const double scale = double(std::min(rows, cols));
  for (arma::uword r = 0; r < rows; ++r)
    for (arma::uword c = 0; c < cols; ++c) {
      const double x = (c + 0.5) / scale, y = (r + 0.5) / scale;
      double nearest = 1e9;                                // distance to the nearest stroke segment
      for (const auto& stroke : strokes)
        for (std::size_t k = 0; k + 1 < stroke.size(); ++k) {
          const auto [x0, y0] = stroke[k];
          const auto [x1, y1] = stroke[k + 1];
          const double dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
          const double t = length2 > 0 ? std::clamp(((x - x0) * dx + (y - y0) * dy) / length2, 0.0, 1.0) : 0.0;
          nearest = std::min(nearest, std::hypot(x - x0 - t * dx, y - y0 - t * dy));
        }
      // ink 1 inside the brush, fading to 0 over 1.5 pixels at its edge (a soft pen)
      const double ink = std::clamp((brush - nearest) * scale / 1.5 + 0.5, 0.0, 1.0);
      grey(r, c) = float(1 - 0.9 * ink);                   // dark grey ink
    }
  return grey;
}

arma::fmat as_square(const arma::fvec& column) {
  if (column.n_elem != 784) throw std::invalid_argument("as_square: expected 784 pixels, found " + std::to_string(column.n_elem));
  return arma::reshape(column, 28, 28).t();  // column-major reshape gives (c, r): transpose
}

arma::fvec as_column(const arma::fmat& square) {
  if (square.n_rows != 28 || square.n_cols != 28) throw std::invalid_argument("as_column: expected 28 × 28");
  return arma::vectorise(square.t());        // row by row: pixel (r, c) at 28 r + c
}

}  // namespace course::ch11
