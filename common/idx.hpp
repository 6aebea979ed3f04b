// The IDX format of MNIST (and Fashion-MNIST): a big-endian header, then bytes.
//   labels: magic 0x00000801, count n, then n bytes
//   images: magic 0x00000803, count n, rows, cols, then n*rows*cols bytes
// Files may be raw or gzip-compressed (detected from the content, not the name).
#pragma once
#include <armadillo>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace course {

namespace fs = std::filesystem;

// Every failure to read an IDX file: the message names the file, what was expected and what was found.
struct IdxError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One image per column: rows*cols × n, raw bytes 0..255. Within a column the pixels are
// in the file's order, row after row: pixel (r, c) is element r*cols + c, so
// arma::reshape(column, cols, rows).t() gives the image as a rows × cols matrix.
struct IdxImages {
  arma::Mat<std::uint8_t> pixels;
  std::uint32_t rows = 0, cols = 0;
};

IdxImages read_idx_images(const fs::path& file);
arma::Row<std::uint8_t> read_idx_labels(const fs::path& file);

// Writes an IDX file (gzip-compressed when the name ends in .gz), atomically.
// Used to make the embedded sample and the tests' files.
void write_idx_images(const fs::path& file, const arma::Mat<std::uint8_t>& pixels, std::uint32_t rows,
                      std::uint32_t cols);
void write_idx_labels(const fs::path& file, const arma::Row<std::uint8_t>& labels);

}  // namespace course
