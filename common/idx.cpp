// The IDX reader and writer.
//
// Files are read through zlib, which reads gzip and raw files alike: the header
// first, checked against the file's length, then the bytes straight into their
// matrix (see IdxStream and read_payload below).
#include "common/idx.hpp"

#include "common/files.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace course {

namespace {

constexpr std::uint32_t kLabelMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr std::uint32_t kImageMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kMaxSide = 4096;           // rows and cols above this are a damaged header

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string describe_magic(std::uint32_t magic) {
  std::string s = hex32(magic);
  if (magic == kLabelMagic) return s + " (an IDX label file)";
  if (magic == kImageMagic) return s + " (an IDX image file)";
  if ((magic >> 16) == 0x1f8b) return s + " (gzip data inside gzip: compressed twice?)";
  if ((magic >> 16) != 0) return s + " (not an IDX file at all)";
  return s + " (another IDX type)";
}

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw IdxError("IDX file " + file.string() + ": " + what);
}

// An IDX file opened for reading, raw or gzip (zlib's gzread reads both; gzip is
// detected from the first two bytes, 0x1f 0x8b). The reader takes the header first,
// checks it against the file's length where it can, and only then reads the pixels,
// straight into their matrix: a damaged file gives an IdxError, never a crash or a
// huge allocation.
class IdxStream {
 public:
  IdxStream(const fs::path& file, const std::string& expected) : file_(file), expected_(expected) {
    std::error_code ec;
    const fs::file_status st = fs::status(file, ec);
    if (!fs::exists(st)) fail(file, "cannot read: expected " + expected + ", found no such file");
    if (fs::is_directory(st)) fail(file, "cannot read: expected " + expected + ", found a directory");
    if (!fs::is_regular_file(st))
      fail(file, "cannot read: expected " + expected + ", found something that is not a regular file");
    on_disk_ = fs::file_size(file, ec);
    if (ec) fail(file, "cannot read: expected " + expected + ", found an unreadable size (" + ec.message() + ")");

    std::FILE* in = std::fopen(file.c_str(), "rb");
    if (in == nullptr) fail(file, "cannot open: expected " + expected + ", found " + std::strerror(errno));
    unsigned char head[2] = {0, 0};
    is_gzip_ = std::fread(head, 1, 2, in) == 2 && head[0] == 0x1f && head[1] == 0x8b;
    // gzip's last 4 bytes: the uncompressed size modulo 2^32 (of the last member).
    unsigned char tail[4] = {0, 0, 0, 0};
    if (is_gzip_ && on_disk_ >= 18 && std::fseek(in, -4, SEEK_END) == 0 && std::fread(tail, 1, 4, in) == 4)
      isize_ = std::uint32_t(tail[0]) | std::uint32_t(tail[1]) << 8 | std::uint32_t(tail[2]) << 16 |
               std::uint32_t(tail[3]) << 24;
    std::fclose(in);

    gz_ = gzopen(file.c_str(), "rb");
    if (gz_ == nullptr) fail(file, "cannot open: expected " + expected + ", found " + std::strerror(errno));
    gzbuffer(gz_, 1u << 17);
  }
  ~IdxStream() {
    if (gz_ != nullptr) gzclose(gz_);
  }
  IdxStream(const IdxStream&) = delete;
  IdxStream& operator=(const IdxStream&) = delete;

  bool is_gzip() const { return is_gzip_; }
  std::uintmax_t size_on_disk() const { return on_disk_; }
  // The uncompressed size the gzip trailer announces (mod 2^32); 0 when unknown or raw.
  std::uint32_t gzip_size_hint() const { return isize_; }

  // Reads up to n bytes into dst; returns how many (fewer only at the end of the data).
  std::size_t read(void* dst, std::size_t n) {
    auto* out = static_cast<unsigned char*>(dst);
    std::size_t total = 0;
    while (total < n) {
      const unsigned want = static_cast<unsigned>(std::min<std::size_t>(n - total, std::size_t(1) << 30));
      const int got = gzread(gz_, out + total, want);
      if (got < 0) damaged(total);
      if (got == 0) break;
      total += static_cast<std::size_t>(got);
    }
    int code = Z_OK;
    gzerror(gz_, &code);
    if (code != Z_OK) damaged(total);
    consumed_ += total;
    return total;
  }

  // Reads to the end, discarding; returns how many bytes there were.
  std::uint64_t skip_rest() {
    std::vector<unsigned char> scratch(1 << 16);
    std::uint64_t total = 0;
    for (;;) {
      const std::size_t got = read(scratch.data(), scratch.size());
      total += got;
      if (got < scratch.size()) return total;
    }
  }

 private:
  [[noreturn]] void damaged(std::size_t partial) {
    int code = Z_OK;
    const std::string msg = gzerror(gz_, &code);
    // zlib says "unexpected end of file" for a gzip stream cut short.
    fail(file_, std::string(is_gzip_ ? "damaged or truncated gzip data" : "read error") + ": expected " + expected_ +
                    ", found an error after " + std::to_string(consumed_ + partial) + " bytes (" + msg + ")");
  }

  fs::path file_;
  std::string expected_;
  gzFile gz_ = nullptr;
  bool is_gzip_ = false;
  std::uintmax_t on_disk_ = 0;
  std::uint32_t isize_ = 0;
  std::uint64_t consumed_ = 0;
};

std::uint32_t big_endian(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

void put_big_endian(std::string& out, std::uint32_t v) {
  out.push_back(char((v >> 24) & 0xff));
  out.push_back(char((v >> 16) & 0xff));
  out.push_back(char((v >> 8) & 0xff));
  out.push_back(char(v & 0xff));
}

// Reads and checks the header (magic number, then n_dims sizes); returns the sizes.
std::vector<std::uint32_t> read_header(IdxStream& in, const fs::path& file, std::uint32_t magic, std::size_t n_dims,
                                       const char* kind) {
  const std::size_t header = 4 + 4 * n_dims;
  const std::string expected_kind = std::string("an IDX ") + kind + " file (magic " + hex32(magic) + ")";
  const std::string where = in.is_gzip() ? " after gzip decompression" : "";
  std::uint8_t bytes[16] = {};
  std::size_t got = in.read(bytes, 4);
  if (got == 0) fail(file, "empty file: expected " + expected_kind + ", found 0 bytes" + where);
  if (got < 4)
    fail(file, "too short: expected " + expected_kind + " with a " + std::to_string(header) + "-byte header, found " +
                   std::to_string(got) + " bytes" + where);
  const std::uint32_t found = big_endian(bytes);
  if (found != magic) fail(file, "wrong magic number: expected " + expected_kind + ", found " + describe_magic(found));
  got += in.read(bytes + 4, header - 4);
  if (got < header)
    fail(file, "truncated header: expected " + std::to_string(header) + " bytes of header, found " +
                   std::to_string(got) + " bytes" + where);
  std::vector<std::uint32_t> dims(n_dims);
  for (std::size_t d = 0; d < n_dims; ++d) dims[d] = big_endian(bytes + 4 + 4 * d);
  return dims;
}

void length_error(const fs::path& file, std::uint64_t found, std::size_t header, std::uint64_t payload,
                  const std::string& what, bool is_gzip) {
  const std::uint64_t expected = header + payload;
  if (found == expected) return;
  const std::string where = is_gzip ? " (after gzip decompression)" : "";
  const std::string problem = found < expected ? "truncated" : "trailing bytes";
  fail(file, problem + ": expected " + std::to_string(expected) + " bytes (" + std::to_string(header) +
                 "-byte header + " + what + "), found " + std::to_string(found) + " bytes" + where);
}

// Reads the payload of `in` (its header already read) into dst: exactly `payload` bytes,
// no more, no fewer. The length is checked before anything is read where it can be: from
// the size on disk (raw files) or from the gzip trailer (which, if it disagrees, is
// confirmed by decompressing without keeping anything), so that a header claiming
// billions of images is rejected without allocating for them.
template <typename Allocate>
void read_payload(IdxStream& in, const fs::path& file, std::size_t header, std::uint64_t payload,
                  const std::string& what, Allocate allocate) {
  const std::uint64_t expected = header + payload;
  if (!in.is_gzip()) {
    length_error(file, in.size_on_disk(), header, payload, what, false);
  } else if (in.gzip_size_hint() != static_cast<std::uint32_t>(expected)) {
    const std::uint64_t found = header + in.skip_rest();
    length_error(file, found, header, payload, what, true);
    // The trailer was wrong but the content is right (e.g. several gzip members): read it again.
    IdxStream again(file, "");
    std::uint8_t skip[16];
    again.read(skip, header);
    void* dst = allocate();
    again.read(dst, payload);
    return;
  }
  void* dst = allocate();
  const std::size_t got = in.read(dst, payload);
  if (got < payload) length_error(file, header + got, header, payload, what, in.is_gzip());
  const std::uint64_t extra = in.skip_rest();  // the file may have grown since we looked at its size
  if (extra > 0) length_error(file, expected + extra, header, payload, what, in.is_gzip());
}

// gzip-compresses `data` in memory (a complete .gz file, readable by gzip -d).
std::string gzip_bytes(const std::string& data, const fs::path& file) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("could not write " + file.string() + ": zlib deflateInit2 failed");
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const std::size_t n = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("could not write " + file.string() + ": zlib deflate failed");
  out.resize(n);
  return out;
}

void write_bytes(const fs::path& file, const std::string& raw) {
  const bool gz = file.extension() == ".gz";
  const std::string bytes = gz ? gzip_bytes(raw, file) : raw;
  write_file_atomically(
      file, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); },
      /*binary=*/true);
}

}  // namespace

IdxImages read_idx_images(const fs::path& file) {
  IdxStream in(file, "an IDX image file (magic 0x00000803)");
  const std::vector<std::uint32_t> dims = read_header(in, file, kImageMagic, 3, "image");
  const std::uint32_t n = dims[0], rows = dims[1], cols = dims[2];
  if (n == 0) fail(file, "no images: expected a count of at least 1, found 0");
  if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide)
    fail(file, "wrong dimensions: expected rows and cols in 1.." + std::to_string(kMaxSide) + ", found " +
                   std::to_string(rows) + "×" + std::to_string(cols));
  const std::uint64_t pixels_per_image = std::uint64_t(rows) * cols;
  const std::string what =
      std::to_string(n) + " images of " + std::to_string(rows) + "×" + std::to_string(cols) + " bytes";

  // The IDX order (image after image, each row after row) is exactly Armadillo's
  // column-major order for a (rows*cols) × n matrix: one image per column.
  IdxImages images;
  images.rows = rows;
  images.cols = cols;
  read_payload(in, file, 16, pixels_per_image * n, what, [&]() -> void* {
    images.pixels = arma::Mat<std::uint8_t>(pixels_per_image, n, arma::fill::none);
    return images.pixels.memptr();
  });
  return images;
}

arma::Row<std::uint8_t> read_idx_labels(const fs::path& file) {
  IdxStream in(file, "an IDX label file (magic 0x00000801)");
  const std::vector<std::uint32_t> dims = read_header(in, file, kLabelMagic, 1, "label");
  const std::uint32_t n = dims[0];
  if (n == 0) fail(file, "no labels: expected a count of at least 1, found 0");
  arma::Row<std::uint8_t> labels;
  read_payload(in, file, 8, n, std::to_string(n) + " labels of 1 byte", [&]() -> void* {
    labels = arma::Row<std::uint8_t>(n, arma::fill::none);
    return labels.memptr();
  });
  return labels;
}

void write_idx_images(const fs::path& file, const arma::Mat<std::uint8_t>& pixels, std::uint32_t rows,
                      std::uint32_t cols) {
  if (rows == 0 || cols == 0 || pixels.n_rows != std::uint64_t(rows) * cols)
    throw std::invalid_argument("write_idx_images(" + file.string() + "): expected " + std::to_string(rows) + "×" +
                                std::to_string(cols) + " = " + std::to_string(std::uint64_t(rows) * cols) +
                                " pixels per column, found " + std::to_string(pixels.n_rows));
  std::string raw;
  raw.reserve(16 + pixels.n_elem);
  put_big_endian(raw, kImageMagic);
  put_big_endian(raw, static_cast<std::uint32_t>(pixels.n_cols));
  put_big_endian(raw, rows);
  put_big_endian(raw, cols);
  raw.append(reinterpret_cast<const char*>(pixels.memptr()), pixels.n_elem);
  write_bytes(file, raw);
}

void write_idx_labels(const fs::path& file, const arma::Row<std::uint8_t>& labels) {
  std::string raw;
  raw.reserve(8 + labels.n_elem);
  put_big_endian(raw, kLabelMagic);
  put_big_endian(raw, static_cast<std::uint32_t>(labels.n_elem));
  raw.append(reinterpret_cast<const char*>(labels.memptr()), labels.n_elem);
  write_bytes(file, raw);
}

}  // namespace course
