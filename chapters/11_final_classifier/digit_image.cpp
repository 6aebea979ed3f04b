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

#include "common/exercise.hpp"
#include "common/files.hpp"
#include "common/format.hpp"

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
      if (std::isspace(static_cast<unsigned char>(bytes[pos])))
        ++pos;
      else if (bytes[pos] == '#')
        while (pos < bytes.size() && bytes[pos] != '\n') ++pos;
      else
        break;
    }
    std::size_t start = pos;
    while (pos < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[pos]))) ++pos;
    if (start == pos) fail(file, "a corrupt PGM header (expected a number at byte " + std::to_string(start) + ")");
    if (pos - start > 9)
      fail(file, "a corrupt PGM (a number of " + std::to_string(pos - start) + " digits at byte " +
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
  // A pixel's value v in [0, maxval] as the grey level v / maxval; a value above maxval is
  // not a PGM (the format's rule), and would put the grey outside [0, 1].
  auto level = [&](std::size_t k, long v) {
    if (v > maxval)
      fail(file, "a corrupt PGM (pixel " + std::to_string(k) + " is " + std::to_string(v) + ", above its maxval " +
                     std::to_string(maxval) + ")");
    return float(v) / float(maxval);
  };
  arma::fmat grey(arma::uword(height), arma::uword(width), arma::fill::zeros);
  if (raw) {
    ++pos;  // the single whitespace after maxval
    for (std::size_t k = 0; k < size; ++k) {
      const auto* b = reinterpret_cast<const unsigned char*>(&bytes[pos + k * depth]);
      grey(k / std::size_t(width), k % std::size_t(width)) = level(k, depth == 2 ? (long(b[0]) << 8 | b[1]) : b[0]);
    }
  } else {
    for (std::size_t k = 0; k < size; ++k)
      grey(k / std::size_t(width), k % std::size_t(width)) = level(k, next_number());
  }
  return grey;
}

// The coverage matrix of area averaging along one axis: W(i, j) = the share of
// old pixel j in new pixel i (rows sum to 1).
arma::fmat coverage(arma::uword new_size, arma::uword old_size) {
  arma::fmat W(new_size, old_size, arma::fill::zeros);
  // BEGIN EXERCISE ch11.area_resample
  // hint: new pixel i covers the interval [i·s, (i+1)·s) of the old axis, with s = old_size / new_size
  // hint: old pixel j covers [j, j+1): W(i, j) = (length of the overlap of the two intervals) / s
  // hint: each row then sums to 1, and only the few j near i·s are non-zero
  const double scale = double(old_size) / double(new_size);  // old pixels per new pixel
  for (arma::uword i = 0; i < new_size; ++i) {
    const double lo = i * scale, hi = (i + 1) * scale;  // new pixel i covers [lo, hi) of the old axis
    for (arma::uword j = arma::uword(std::floor(lo)); j < old_size && double(j) < hi; ++j)
      W(i, j) = float((std::min(hi, double(j + 1)) - std::max(lo, double(j))) / scale);
  }
  return W;
  // END EXERCISE
}

// The p-th quantile (p in [0, 1]) of some values.
float quantile(arma::fvec values, double p) {
  if (values.is_empty()) return 0;
  values = arma::sort(values);
  return values(arma::uword(std::lround(p * double(values.n_elem - 1))));
}

// The pixels of a frame of width k along the four edges: (row, column, value).
struct Frame {
  arma::mat rc1;    // n × 3: (1, r, c) of each frame pixel
  arma::vec value;  // n
};

Frame frame_of(const arma::fmat& image) {
  const arma::uword rows = image.n_rows, cols = image.n_cols;
  const arma::uword k = std::max<arma::uword>(1, std::min(rows, cols) / 20);  // 5% of the shorter side
  std::vector<double> r1, c1, v;
  for (arma::uword r = 0; r < rows; ++r)
    for (arma::uword c = 0; c < cols; ++c)
      if (r < k || c < k || r + k >= rows || c + k >= cols)
        r1.push_back(double(r)), c1.push_back(double(c)), v.push_back(image(r, c));
  Frame f{arma::mat(v.size(), 3, arma::fill::ones), arma::vec(v)};
  f.rc1.col(1) = arma::vec(r1);
  f.rc1.col(2) = arma::vec(c1);
  return f;
}

// The connected components (8-neighbours) of the pixels above `threshold`, by
// breadth-first search: label 0 is background, 1..n the components.
arma::umat components(const arma::fmat& image, float threshold, arma::uword& count) {
  arma::umat label(image.n_rows, image.n_cols, arma::fill::zeros);
  std::vector<std::pair<arma::uword, arma::uword>> queue;
  count = 0;
  for (arma::uword c0 = 0; c0 < image.n_cols; ++c0)
    for (arma::uword r0 = 0; r0 < image.n_rows; ++r0) {
      if (label(r0, c0) != 0 || image(r0, c0) <= threshold) continue;
      label(r0, c0) = ++count;
      queue.assign(1, {r0, c0});
      for (std::size_t next = 0; next < queue.size(); ++next) {
        const auto [r, c] = queue[next];
        for (long dr = -1; dr <= 1; ++dr)
          for (long dc = -1; dc <= 1; ++dc) {
            const long rr = long(r) + dr, cc = long(c) + dc;
            if (rr < 0 || cc < 0 || rr >= long(image.n_rows) || cc >= long(image.n_cols)) continue;
            if (label(rr, cc) != 0 || image(rr, cc) <= threshold) continue;
            label(rr, cc) = count;
            queue.emplace_back(arma::uword(rr), arma::uword(cc));
          }
      }
    }
  return label;
}

// The mean stroke width of the ink above 0.5: a stroke of width w and length L has
// area w·L and about 2·L edge pixels, so w ≈ 2 · area / edge pixels.
double stroke_width(const arma::fmat& ink) {
  double area = 0, edge = 0;
  for (arma::uword r = 0; r < ink.n_rows; ++r)
    for (arma::uword c = 0; c < ink.n_cols; ++c) {
      if (ink(r, c) <= 0.5f) continue;
      ++area;
      const bool inside = r > 0 && c > 0 && r + 1 < ink.n_rows && c + 1 < ink.n_cols && ink(r - 1, c) > 0.5f &&
                          ink(r + 1, c) > 0.5f && ink(r, c - 1) > 0.5f && ink(r, c + 1) > 0.5f;
      if (!inside) ++edge;
    }
  return edge > 0 ? 2 * area / edge : 0;
}

// Grey dilation by a disc of radius ρ: each pixel becomes the largest value within ρ of it.
arma::fmat dilate(const arma::fmat& ink, double radius) {
  const long k = long(std::floor(radius));
  arma::fmat out = ink;
  for (long dr = -k; dr <= k; ++dr)
    for (long dc = -k; dc <= k; ++dc) {
      if (double(dr * dr + dc * dc) > radius * radius || (dr == 0 && dc == 0)) continue;
      for (long r = std::max(0L, -dr); r < long(ink.n_rows) - std::max(0L, dr); ++r)
        for (long c = std::max(0L, -dc); c < long(ink.n_cols) - std::max(0L, dc); ++c)
          out(r, c) = std::max(out(r, c), ink(r + dr, c + dc));
    }
  return out;
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
  std::string start(8, '\0');  // enough for the PNG signature or "P5"
  in.read(start.data(), 8);
  start.resize(std::size_t(in.gcount()));
  if (start.empty()) fail(file, "the file is empty (expected a PNG or PGM image)");
  static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  arma::fmat grey;
  if (start.size() == 8 &&
      std::equal(png_signature, png_signature + 8, reinterpret_cast<const unsigned char*>(start.data()))) {
    grey = read_png(file);  // libpng reads the file itself
  } else if (start.size() >= 2 && start[0] == 'P' && (start[1] == '2' || start[1] == '5')) {
    // A PGM is read whole: at most 6 characters per pixel ("65535 ") of the largest image, and its header.
    const std::uintmax_t file_size = fs::file_size(file, error);
    if (!error && file_size > 6 * kMaxPixels + 4096)
      fail(file, "a PGM of " + std::to_string(file_size) + " bytes; expected at most " + std::to_string(kMaxPixels) +
                     " pixels (scale a larger photo down first)");
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

arma::fmat place_by_centre_of_mass(const arma::fmat& fitted) {
  if (fitted.n_rows > 28 || fitted.n_cols > 28 || fitted.is_empty())
    throw std::invalid_argument("place_by_centre_of_mass: expected at most 28 × 28, got " +
                                std::to_string(fitted.n_rows) + " × " + std::to_string(fitted.n_cols));
  arma::fmat digit(28, 28, arma::fill::zeros);
  // BEGIN EXERCISE ch11.centre_of_mass
  // hint: the centre of mass (r̄, c̄) = Σ I(r, c)·(r, c) / Σ I(r, c), with r and c pixel indices from 0
  // hint: (row sums weighted by r for r̄, column sums weighted by c for c̄)
  // hint: the top-left corner goes to round(14 − r̄), round(14 − c̄), clamped so the digit stays inside 28 × 28
  const arma::uword h = fitted.n_rows, w = fitted.n_cols;
  const double mass = arma::accu(fitted);
  const arma::frowvec r_index = arma::regspace<arma::frowvec>(0, float(h - 1));
  const arma::frowvec c_index = arma::regspace<arma::frowvec>(0, float(w - 1));
  const double r_bar = mass > 0 ? arma::accu(arma::sum(fitted, 1).t() % r_index) / mass : (h - 1) / 2.0;  // Σ I·r / Σ I
  const double c_bar = mass > 0 ? arma::accu(arma::sum(fitted, 0) % c_index) / mass : (w - 1) / 2.0;  // Σ I·c / Σ I
  const long top = std::clamp(std::lround(14.0 - r_bar), 0L, long(28 - h));
  const long left = std::clamp(std::lround(14.0 - c_bar), 0L, long(28 - w));
  digit.submat(arma::uword(top), arma::uword(left), arma::uword(top) + h - 1, arma::uword(left) + w - 1) = fitted;
  return digit;
  // END EXERCISE
}

Preprocessed preprocess_digit(const arma::fmat& grey, const std::string& what) {
  Preprocessed p;
  p.grey = grey;
  // 2. The paper's level, b(r, c) = a₀ + a₁ r + a₂ c, fitted by least squares to a frame along the
  //    edges (5% of the shorter side): an uneven lighting is a slope of the paper, not ink. The
  //    paper's noise σ = 1.4826 · median |residual| on the frame (the MAD, robust to a stroke that
  //    reaches the edge). The plane is fitted twice, the second time without the frame pixels more
  //    than max(3σ, 0.05) off the first plane: a stroke that reaches the edge does not lift the paper.
  const Frame frame = frame_of(grey);
  arma::vec a = arma::solve(frame.rc1, frame.value);
  const arma::vec first_residual = frame.value - frame.rc1 * a;
  const double first_sigma = 1.4826 * arma::median(arma::abs(first_residual));
  const arma::uvec paper_only = arma::find(arma::abs(first_residual) <= std::max(3 * first_sigma, 0.05));
  if (paper_only.n_elem >= 3)
    a = arma::solve(arma::mat(frame.rc1.rows(paper_only)), arma::vec(frame.value.elem(paper_only)));
  const float sigma = float(1.4826 * arma::median(arma::abs(arma::vec(frame.value - frame.rc1 * a))));
  const arma::fvec r_index = arma::regspace<arma::fvec>(0, float(grey.n_rows - 1));
  const arma::frowvec c_index = arma::regspace<arma::frowvec>(0, float(grey.n_cols - 1));
  arma::fmat paper(grey.n_rows, grey.n_cols, arma::fill::value(float(a(0))));
  paper.each_col() += float(a(1)) * r_index;
  paper.each_row() += float(a(2)) * c_index;
  const arma::fmat offset = grey - paper;  // grey − b
  //    Which way round? The ink is the side of the paper that holds more mass beyond its noise,
  //    t = max(0.1, 5σ): Σ max(0, b − grey − t) for dark ink on light paper (a photo: inverted),
  //    Σ max(0, grey − b − t) for light ink on dark paper (MNIST). Grey paper (a dim photo) is
  //    read the right way round, and a speck or a shadow at the edge weighs little against a digit.
  const float t = std::max(0.1f, 5 * sigma);
  const double dark = arma::accu(arma::clamp(arma::fmat(-offset - t), 0.0f, 2.0f));
  const double light = arma::accu(arma::clamp(arma::fmat(offset - t), 0.0f, 2.0f));
  p.inverted = dark > light;
  const arma::fmat above = p.inverted ? arma::fmat(-offset) : offset;  // ink − paper
  //    Ink is what stands above the paper by more than t; the stretch maps 3σ to 0 and the 95th
  //    percentile of the ink to 1, so neither a single dark pixel nor a faint pen sets the contrast.
  const arma::fvec inked = above.elem(arma::find(above > t));
  if (inked.n_elem < 4)
    throw std::runtime_error(what + ": no digit found (no ink stands " + format_value("%.2f", t) +
                             " above or below its paper: a blank page, a pen too faint, or a border that is "
                             "not plain paper)");
  const float floor = 3 * sigma, top = quantile(inked, 0.95);
  p.ink = arma::clamp((above - floor) / (top - floor), 0.0f, 1.0f);  // paper 0, ink 1
  // 3. The digit: the largest connected component of the ink (above 0.1, 8-neighbours) by
  //    its mass Σ I, and the components near it with at least 5% of its mass (a 5 whose bar
  //    is lifted, a broken pen line); specks and shadows elsewhere are dropped.
  arma::uword count = 0;
  const arma::umat label = components(p.ink, 0.1f, count);
  std::vector<double> mass(count + 1, 0.0);
  std::vector<arma::uword> r0(count + 1, label.n_rows), r1(count + 1, 0), c0(count + 1, label.n_cols), c1(count + 1, 0);
  for (arma::uword c = 0; c < label.n_cols; ++c)
    for (arma::uword r = 0; r < label.n_rows; ++r) {
      const arma::uword l = label(r, c);
      if (l == 0) continue;
      mass[l] += p.ink(r, c);
      r0[l] = std::min(r0[l], r), r1[l] = std::max(r1[l], r), c0[l] = std::min(c0[l], c), c1[l] = std::max(c1[l], c);
    }
  const arma::uword largest = arma::uword(std::max_element(mass.begin() + 1, mass.end()) - mass.begin());
  const double reach = 0.25 * double(std::max(r1[largest] - r0[largest], c1[largest] - c0[largest]) + 1);
  std::vector<bool> keep(count + 1, false);
  for (arma::uword l = 1; l <= count; ++l) {
    const double gap_r = std::max({0.0, double(r0[l]) - double(r1[largest]), double(r0[largest]) - double(r1[l])});
    const double gap_c = std::max({0.0, double(c0[l]) - double(c1[largest]), double(c0[largest]) - double(c1[l])});
    keep[l] = l == largest || (mass[l] >= 0.05 * mass[largest] && std::max(gap_r, gap_c) <= reach);
  }
  p.kept = p.ink;
  for (arma::uword k = 0; k < label.n_elem; ++k)
    if (!keep[label(k)]) p.kept(k) = 0;
  p.components = count;
  // 4. Crop to the bounding box of what was kept.
  const arma::uvec rows = arma::find(arma::max(p.kept, 1) > 0.1f), cols = arma::find(arma::max(p.kept, 0).t() > 0.1f);
  p.cropped = p.kept.submat(rows.min(), cols.min(), rows.max(), cols.max());
  //    A digit fills a good part of the picture: a mark smaller than 5% of the shorter side
  //    (a speck on a blank page) is not read as one.
  if (20 * std::max(p.cropped.n_rows, p.cropped.n_cols) < std::min(grey.n_rows, grey.n_cols))
    throw std::runtime_error(what + ": no digit found (the largest mark is " + std::to_string(p.cropped.n_cols) + "×" +
                             std::to_string(p.cropped.n_rows) + " pixels, less than 5% of the image's shorter side: " +
                             "a speck, or a digit too small in the picture)");
  // 5. Strokes of MNIST's width: MNIST's are 2 to 3 pixels wide in its 20-pixel box. A large
  //    crop is first brought to 80 pixels (4 × 20) on its longer side by area averaging, and
  //    its contrast renormalised (a thin line averages into grey); a stroke thinner than 1.5
  //    pixels at the 20-pixel scale is then dilated to 2.5 (a disc of radius (2.5s − w) / 2).
  const double longer = double(std::max(p.cropped.n_rows, p.cropped.n_cols));
  p.stroke = p.cropped;
  if (longer > 80) {
    p.stroke =
        area_resample(p.cropped, std::max<arma::uword>(1, arma::uword(std::lround(p.cropped.n_rows * 80 / longer))),
                      std::max<arma::uword>(1, arma::uword(std::lround(p.cropped.n_cols * 80 / longer))));
    const float strong = std::max(quantile(p.stroke.elem(arma::find(p.stroke > 0.1f)), 0.95), 0.5f * p.stroke.max());
    p.stroke = arma::clamp(p.stroke / strong, 0.0f, 1.0f);
  }
  const double s = double(std::max(p.stroke.n_rows, p.stroke.n_cols)) / 20.0;  // pixels per MNIST pixel
  p.stroke_width = stroke_width(p.stroke) / s;                                 // in MNIST pixels
  if (p.stroke_width < 1.5) {
    p.stroke = dilate(p.stroke, (2.5 - p.stroke_width) * s / 2);
    p.dilated = true;
  }
  // 6. The longer side to 20 pixels, the aspect ratio kept, by area averaging; then the
  //    contrast renormalised so that the strongest pixel is 1 (MNIST's are).
  const double scale = 20.0 / double(std::max(p.stroke.n_rows, p.stroke.n_cols));
  const arma::uword h = std::max<arma::uword>(1, arma::uword(std::lround(p.stroke.n_rows * scale)));
  const arma::uword w = std::max<arma::uword>(1, arma::uword(std::lround(p.stroke.n_cols * scale)));
  p.fitted = area_resample(p.stroke, h, w);
  p.fitted /= p.fitted.max();
  // 7. Into 28 × 28, the centre of mass at (14, 14) (place_by_centre_of_mass).
  p.digit = place_by_centre_of_mass(p.fitted);
  p.input = as_column(p.digit);
  return p;
}

arma::fmat draw_strokes(const std::vector<std::vector<std::pair<double, double>>>& strokes, arma::uword rows,
                        arma::uword cols, double brush) {
  arma::fmat grey(rows, cols, arma::fill::ones);  // white paper
  const double scale = double(std::min(rows, cols));
  for (arma::uword r = 0; r < rows; ++r)
    for (arma::uword c = 0; c < cols; ++c) {
      const double x = (c + 0.5) / scale, y = (r + 0.5) / scale;
      double nearest = 1e9;  // distance to the nearest stroke segment
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
      grey(r, c) = float(1 - 0.9 * ink);  // dark grey ink
    }
  return grey;
}

arma::fmat as_square(const arma::fvec& column) {
  if (column.n_elem != 784)
    throw std::invalid_argument("as_square: expected 784 pixels, found " + std::to_string(column.n_elem));
  return arma::reshape(column, 28, 28).t();  // column-major reshape gives (c, r): transpose
}

arma::fvec as_column(const arma::fmat& square) {
  if (square.n_rows != 28 || square.n_cols != 28) throw std::invalid_argument("as_column: expected 28 × 28");
  return arma::vectorise(square.t());  // row by row: pixel (r, c) at 28 r + c
}

}  // namespace course::ch11
