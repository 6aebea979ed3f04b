// The IDX reader and writer (common/idx.hpp) on good files, raw and gzip, and on every
// kind of bad file; SHA-256 on its known test vectors.
#include "common/idx.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <unistd.h>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "tests/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;
using course::IdxError;

const course::test_support::TempFolder temp_folder("idx");  // one folder per test inside it

// A fresh temporary folder per test, removed afterwards.
class IdxFiles : public ::testing::Test {
 protected:
  void SetUp() override { dir = temp_folder.fresh(course::test_support::current_test_name()); }
  void TearDown() override { fs::remove_all(dir); }

  // n images of rows × cols with known pixel values, written with write_idx_images.
  fs::path images(const std::string& name, arma::uword n = 3, std::uint32_t rows = 4, std::uint32_t cols = 5) {
    pixels = arma::Mat<std::uint8_t>(rows * cols, n, arma::fill::zeros);
    for (arma::uword k = 0; k < pixels.n_elem; ++k) pixels[k] = static_cast<std::uint8_t>((7 * k + 3) % 256);
    course::write_idx_images(dir / name, pixels, rows, cols);
    return dir / name;
  }
  fs::path labels(const std::string& name, arma::uword n = 3) {
    label_values = arma::Row<std::uint8_t>(n, arma::fill::zeros);
    for (arma::uword i = 0; i < n; ++i) label_values[i] = static_cast<std::uint8_t>(i % 10);
    course::write_idx_labels(dir / name, label_values);
    return dir / name;
  }

  static std::string bytes_of(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  fs::path write_bytes(const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return dir / name;
  }
  // Any content, gzip-compressed (for bad files that write_idx_* would refuse to make).
  fs::path write_gzip(const std::string& name, const std::string& content) {
    const fs::path file = dir / name;
    gzFile gz = gzopen(file.c_str(), "wb");
    if (!content.empty()) gzwrite(gz, content.data(), static_cast<unsigned>(content.size()));
    gzclose(gz);
    return file;
  }

  // Expects read(file) to throw an IdxError whose message names the file and holds every part.
  template <typename Read>
  void expect_error(Read read, const fs::path& file, std::initializer_list<std::string> parts) {
    try {
      read(file);
      ADD_FAILURE() << "no error for " << file;
    } catch (const IdxError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(file.string()), std::string::npos) << "the message does not name the file: " << message;
      EXPECT_NE(message.find("expected"), std::string::npos)
          << "the message does not say what was expected: " << message;
      EXPECT_NE(message.find("found"), std::string::npos) << "the message does not say what was found: " << message;
      for (const std::string& part : parts)
        EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
    }
  }
  static void read_images(const fs::path& f) { (void)course::read_idx_images(f); }
  static void read_labels(const fs::path& f) { (void)course::read_idx_labels(f); }

  fs::path dir;
  arma::Mat<std::uint8_t> pixels;
  arma::Row<std::uint8_t> label_values;
};

// An IDX header: the magic number and the dimensions, each 4 bytes big-endian.
std::string header(std::uint32_t magic, std::initializer_list<std::uint32_t> dims) {
  std::string h;
  auto put = [&h](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) h.push_back(char((v >> shift) & 0xff));
  };
  put(magic);
  for (std::uint32_t v : dims) put(v);
  return h;
}

// ---- good files ----------------------------------------------------------------

TEST_F(IdxFiles, RawImagesRoundTrip) {
  const fs::path file = images("images-idx3-ubyte", 3, 4, 5);
  EXPECT_EQ(fs::file_size(file), 16u + 3 * 4 * 5);
  const course::IdxImages read = course::read_idx_images(file);
  EXPECT_EQ(read.rows, 4u);
  EXPECT_EQ(read.cols, 5u);
  ASSERT_EQ(read.pixels.n_rows, 20u);
  ASSERT_EQ(read.pixels.n_cols, 3u);
  EXPECT_TRUE(arma::all(arma::vectorise(read.pixels == pixels)));
}

TEST_F(IdxFiles, GzipImagesAndLabelsRoundTrip) {
  const fs::path file = images("images-idx3-ubyte.gz", 7, 28, 28);
  const std::string content = bytes_of(file);
  ASSERT_GE(content.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(content[0]), 0x1f) << "a .gz name is written gzip-compressed";
  EXPECT_EQ(static_cast<unsigned char>(content[1]), 0x8b);
  const course::IdxImages read = course::read_idx_images(file);
  EXPECT_EQ(read.rows, 28u);
  EXPECT_TRUE(arma::all(arma::vectorise(read.pixels == pixels)));

  const fs::path lfile = labels("labels-idx1-ubyte.gz", 7);
  const arma::Row<std::uint8_t> read_labels = course::read_idx_labels(lfile);
  ASSERT_EQ(read_labels.n_elem, 7u);
  EXPECT_TRUE(arma::all(read_labels == label_values));
}

TEST_F(IdxFiles, RawLabelsRoundTrip) {
  const fs::path file = labels("labels-idx1-ubyte", 12);
  EXPECT_EQ(fs::file_size(file), 8u + 12);
  const arma::Row<std::uint8_t> read = course::read_idx_labels(file);
  EXPECT_TRUE(arma::all(read == label_values));
}

TEST_F(IdxFiles, CompressionIsDetectedFromTheContentNotTheName) {
  const fs::path gz = images("a.gz");
  fs::rename(gz, dir / "gzip-content-without-gz-name");
  EXPECT_TRUE(
      arma::all(arma::vectorise(course::read_idx_images(dir / "gzip-content-without-gz-name").pixels == pixels)));
  const fs::path raw = images("b-raw");
  fs::rename(raw, dir / "raw-content-with-gz-name.gz");
  EXPECT_TRUE(
      arma::all(arma::vectorise(course::read_idx_images(dir / "raw-content-with-gz-name.gz").pixels == pixels)));
}

TEST_F(IdxFiles, MultiMemberGzipIsReadWhole) {
  // Two gzip members one after the other (what "cat a.gz b.gz" makes): one file to gzip -d,
  // whose trailer gives only the last member's size.
  const std::string raw = bytes_of(images("whole", 9, 28, 28));
  const fs::path file = dir / "two-members.gz";
  for (const char* mode : {"wb", "ab"}) {
    gzFile gz = gzopen(file.c_str(), mode);
    const std::string part = std::string(mode) == "wb" ? raw.substr(0, 1000) : raw.substr(1000);
    gzwrite(gz, part.data(), static_cast<unsigned>(part.size()));
    gzclose(gz);
  }
  EXPECT_TRUE(arma::all(arma::vectorise(course::read_idx_images(file).pixels == pixels)));
}

TEST_F(IdxFiles, PixelsOfAnImageAreRowAfterRow) {
  // Pixel (r, c) of image i is element r*cols + c of column i, as the header says.
  arma::Mat<std::uint8_t> one(6, 1, arma::fill::zeros);
  one(1 * 3 + 2, 0) = 200;  // row 1, col 2 of a 2 × 3 image
  course::write_idx_images(dir / "one", one, 2, 3);
  const std::string content = bytes_of(dir / "one");
  ASSERT_EQ(content.size(), 16u + 6);
  EXPECT_EQ(static_cast<unsigned char>(content[16 + 5]), 200);
  const course::IdxImages read = course::read_idx_images(dir / "one");
  const arma::Mat<std::uint8_t> image = arma::reshape(read.pixels.col(0), read.cols, read.rows).t();
  EXPECT_EQ(image(1, 2), 200);
}

TEST_F(IdxFiles, WritesLeaveNoTemporaryFiles) {
  images("x-idx3-ubyte.gz");
  labels("y-idx1-ubyte");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(files, 2);
}

TEST_F(IdxFiles, WriterRejectsPixelsThatDoNotMatchTheSize) {
  arma::Mat<std::uint8_t> wrong(10, 2, arma::fill::zeros);
  EXPECT_THROW(course::write_idx_images(dir / "w", wrong, 4, 5), std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir / "w"));
}

// ---- bad files ------------------------------------------------------------------

TEST_F(IdxFiles, TruncatedImagesAreRejected) {
  const std::string good = bytes_of(images("good", 3, 4, 5));
  const fs::path raw = write_bytes("cut-idx3-ubyte", good.substr(0, good.size() - 1));
  expect_error(read_images, raw, {"truncated", "76 bytes", "75 bytes", "3 images of 4×5"});
  const fs::path gz = write_gzip("cut-idx3-ubyte.gz", good.substr(0, good.size() - 7));
  expect_error(read_images, gz, {"truncated", "76 bytes", "69 bytes", "gzip"});
}

TEST_F(IdxFiles, ACutGzipStreamIsRejected) {
  const std::string compressed = bytes_of(images("good.gz", 50, 28, 28));
  const fs::path cut = write_bytes("cut.gz", compressed.substr(0, compressed.size() / 2));
  expect_error(read_images, cut, {"gzip"});
}

TEST_F(IdxFiles, TrailingBytesAreRejected) {
  const std::string good = bytes_of(images("good", 3, 4, 5));
  expect_error(read_images, write_bytes("long-idx3-ubyte", good + "xyz"), {"trailing bytes", "76 bytes", "79 bytes"});
  expect_error(read_images, write_gzip("long-idx3-ubyte.gz", good + "x"), {"trailing bytes", "77 bytes"});
  const std::string good_labels = bytes_of(labels("good-labels", 4));
  expect_error(read_labels, write_bytes("long-labels", good_labels + "\x01"),
               {"trailing bytes", "12 bytes", "13 bytes"});
}

TEST_F(IdxFiles, TruncatedLabelsAreRejected) {
  const std::string good = bytes_of(labels("good", 10));
  expect_error(read_labels, write_bytes("cut-labels", good.substr(0, 15)),
               {"truncated", "18 bytes", "15 bytes", "10 labels"});
}

TEST_F(IdxFiles, WrongMagicIsRejected) {
  const fs::path label_file = labels("labels-idx1-ubyte");
  expect_error(read_images, label_file, {"wrong magic", "0x00000803", "0x00000801", "label file"});
  const fs::path image_file = images("images-idx3-ubyte");
  expect_error(read_labels, image_file, {"wrong magic", "0x00000801", "0x00000803", "image file"});
  expect_error(read_images, write_bytes("text", "hello, this is not an IDX file at all"),
               {"wrong magic", "not an IDX file"});
}

TEST_F(IdxFiles, WrongOrZeroDimensionsAreRejected) {
  expect_error(read_images, write_bytes("zero-rows", header(0x803, {1, 0, 28})), {"wrong dimensions", "0×28"});
  expect_error(read_images, write_bytes("zero-cols", header(0x803, {1, 28, 0})), {"wrong dimensions", "28×0"});
  expect_error(read_images, write_bytes("huge", header(0x803, {1, 100000, 100000})),
               {"wrong dimensions", "100000×100000"});
  expect_error(read_images, write_bytes("no-images", header(0x803, {0, 28, 28})), {"no images", "at least 1"});
  expect_error(read_labels, write_bytes("no-labels", header(0x801, {0})), {"no labels", "at least 1"});
  // A header that claims far more images than the file holds: rejected before any allocation.
  expect_error(read_images, write_bytes("claims-too-many", header(0x803, {4000000, 28, 28}) + std::string(784, '\0')),
               {"truncated", "4000000 images"});
}

TEST_F(IdxFiles, EmptyAndShortFilesAreRejected) {
  expect_error(read_images, write_bytes("empty", ""), {"empty file", "0 bytes", "0x00000803"});
  expect_error(read_labels, write_bytes("empty-labels", ""), {"empty file", "0x00000801"});
  expect_error(read_images, write_gzip("empty.gz", ""), {"empty file", "gzip"});
  expect_error(read_images, write_bytes("three", std::string("\0\0\x08", 3)), {"too short", "3 bytes"});
  expect_error(read_images, write_bytes("short-header", header(0x803, {1, 28})),
               {"truncated header", "16 bytes", "12 bytes"});
}

TEST_F(IdxFiles, SomethingThatIsNotAFileIsRejected) {
  expect_error(read_images, dir, {"a directory"});
  expect_error(read_images, dir / "does-not-exist", {"no such file"});
  expect_error(read_labels, dir / "does-not-exist", {"no such file", "0x00000801"});
}

}  // namespace
