// The IDX reader and writer, and SHA-256.
//
// A file is read whole into memory (through zlib, which reads gzip and raw files
// alike), then its header is checked against its length before anything is
// allocated from it: a damaged file gives an IdxError, never a crash or a huge
// allocation.
#include "common/idx.hpp"

#include "common/files.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
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

// The whole content of `file`, uncompressed when it is gzip. `is_gzip` tells which.
std::vector<std::uint8_t> slurp(const fs::path& file, const char* expected, bool& is_gzip) {
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (!fs::exists(st)) fail(file, std::string("cannot read: expected ") + expected + ", found no such file");
  if (fs::is_directory(st)) fail(file, std::string("cannot read: expected ") + expected + ", found a directory");
  if (!fs::is_regular_file(st)) fail(file, std::string("cannot read: expected ") + expected + ", found something that is not a regular file");
  const std::uintmax_t on_disk = fs::file_size(file, ec);

  // Is it gzip? Look at the first two bytes ourselves (gzread would hide it), and
  // take the uncompressed size modulo 2^32 from the gzip trailer as a hint.
  std::size_t hint = static_cast<std::size_t>(on_disk);
  is_gzip = false;
  {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail(file, std::string("cannot open: expected ") + expected + ", found " + std::strerror(errno));
    unsigned char head[2] = {0, 0};
    in.read(reinterpret_cast<char*>(head), 2);
    if (in.gcount() == 2 && head[0] == 0x1f && head[1] == 0x8b) {
      is_gzip = true;
      unsigned char tail[4] = {0, 0, 0, 0};
      if (on_disk >= 18) {
        in.seekg(-4, std::ios::end);
        in.read(reinterpret_cast<char*>(tail), 4);
      }
      hint = std::size_t(tail[0]) | std::size_t(tail[1]) << 8 | std::size_t(tail[2]) << 16 | std::size_t(tail[3]) << 24;
    }
  }

  gzFile gz = gzopen(file.c_str(), "rb");
  if (gz == nullptr) fail(file, std::string("cannot open: expected ") + expected + ", found " + std::strerror(errno));
  gzbuffer(gz, 1u << 18);
  std::vector<std::uint8_t> bytes;
  constexpr unsigned kChunk = 1u << 22;
  bytes.reserve(std::min<std::size_t>(hint, std::size_t(1) << 28) + kChunk);  // a damaged trailer must not reserve gigabytes
  for (;;) {
    const std::size_t old = bytes.size();
    bytes.resize(old + kChunk);
    const int got = gzread(gz, bytes.data() + old, kChunk);
    if (got < 0) {
      int code = 0;
      const std::string msg = gzerror(gz, &code);
      gzclose(gz);
      fail(file, std::string("damaged gzip data: expected ") + expected + ", found a read error (" + msg + ")");
    }
    bytes.resize(old + static_cast<std::size_t>(got));
    if (got == 0) break;
  }
  int code = 0;
  const std::string msg = gzerror(gz, &code);
  gzclose(gz);
  if (code != Z_OK) {
    // zlib says "unexpected end of file" for a gzip stream cut short.
    fail(file, std::string("damaged or truncated gzip data: expected ") + expected + ", found a read error after " +
                   std::to_string(bytes.size()) + " uncompressed bytes (" + msg + ")");
  }
  return bytes;
}

std::uint32_t big_endian(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | std::uint32_t(p[3]);
}

void put_big_endian(std::string& out, std::uint32_t v) {
  out.push_back(char((v >> 24) & 0xff));
  out.push_back(char((v >> 16) & 0xff));
  out.push_back(char((v >> 8) & 0xff));
  out.push_back(char(v & 0xff));
}

// Checks the header (magic and sizes) of `bytes`; returns the header's dimensions.
std::vector<std::uint32_t> check_header(const fs::path& file, const std::vector<std::uint8_t>& bytes, std::uint32_t magic,
                                        std::size_t n_dims, const char* kind, bool is_gzip) {
  const std::size_t header = 4 + 4 * n_dims;
  const std::string expected_kind = std::string("an IDX ") + kind + " file (magic " + hex32(magic) + ")";
  const std::string where = is_gzip ? " after gzip decompression" : "";
  if (bytes.empty()) fail(file, "empty file: expected " + expected_kind + ", found 0 bytes" + where);
  if (bytes.size() < 4)
    fail(file, "too short: expected " + expected_kind + " with a " + std::to_string(header) + "-byte header, found " +
                   std::to_string(bytes.size()) + " bytes" + where);
  const std::uint32_t found = big_endian(bytes.data());
  if (found != magic) fail(file, "wrong magic number: expected " + expected_kind + ", found " + describe_magic(found));
  if (bytes.size() < header)
    fail(file, "truncated header: expected " + std::to_string(header) + " bytes of header, found " +
                   std::to_string(bytes.size()) + " bytes" + where);
  std::vector<std::uint32_t> dims(n_dims);
  for (std::size_t d = 0; d < n_dims; ++d) dims[d] = big_endian(bytes.data() + 4 + 4 * d);
  return dims;
}

void check_length(const fs::path& file, std::size_t found, std::size_t header, std::uint64_t payload, const std::string& what,
                  bool is_gzip) {
  const std::uint64_t expected = header + payload;
  if (found == expected) return;
  const std::string where = is_gzip ? " (after gzip decompression)" : "";
  const std::string problem = found < expected ? "truncated" : "trailing bytes";
  fail(file, problem + ": expected " + std::to_string(expected) + " bytes (" + std::to_string(header) + "-byte header + " + what +
                 "), found " + std::to_string(found) + " bytes" + where);
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
  write_file_atomically(file, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); },
                        /*binary=*/true);
}

}  // namespace

IdxImages read_idx_images(const fs::path& file) {
  bool is_gzip = false;
  const std::vector<std::uint8_t> bytes = slurp(file, "an IDX image file (magic 0x00000803)", is_gzip);
  const std::vector<std::uint32_t> dims = check_header(file, bytes, kImageMagic, 3, "image", is_gzip);
  const std::uint32_t n = dims[0], rows = dims[1], cols = dims[2];
  if (n == 0) fail(file, "no images: expected a count of at least 1, found 0");
  if (rows == 0 || cols == 0 || rows > kMaxSide || cols > kMaxSide)
    fail(file, "wrong dimensions: expected rows and cols in 1.." + std::to_string(kMaxSide) + ", found " + std::to_string(rows) +
                   "×" + std::to_string(cols));
  const std::uint64_t pixels_per_image = std::uint64_t(rows) * cols;
  const std::uint64_t payload = pixels_per_image * n;
  check_length(file, bytes.size(), 16, payload,
               std::to_string(n) + " images of " + std::to_string(rows) + "×" + std::to_string(cols) + " bytes", is_gzip);

  // The IDX order (image after image, each row after row) is exactly Armadillo's
  // column-major order for a (rows*cols) × n matrix: one image per column.
  IdxImages images;
  images.rows = rows;
  images.cols = cols;
  images.pixels = arma::Mat<std::uint8_t>(pixels_per_image, n, arma::fill::none);
  std::memcpy(images.pixels.memptr(), bytes.data() + 16, payload);
  return images;
}

arma::Row<std::uint8_t> read_idx_labels(const fs::path& file) {
  bool is_gzip = false;
  const std::vector<std::uint8_t> bytes = slurp(file, "an IDX label file (magic 0x00000801)", is_gzip);
  const std::vector<std::uint32_t> dims = check_header(file, bytes, kLabelMagic, 1, "label", is_gzip);
  const std::uint32_t n = dims[0];
  if (n == 0) fail(file, "no labels: expected a count of at least 1, found 0");
  check_length(file, bytes.size(), 8, n, std::to_string(n) + " labels of 1 byte", is_gzip);
  arma::Row<std::uint8_t> labels(n, arma::fill::none);
  std::memcpy(labels.memptr(), bytes.data() + 8, n);
  return labels;
}

void write_idx_images(const fs::path& file, const arma::Mat<std::uint8_t>& pixels, std::uint32_t rows, std::uint32_t cols) {
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

// ---------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), compact: the sums in datasets/SHA256SUMS are checked with it
// and with sha256sum, so no OpenSSL is needed.

namespace {

class Sha256 {
 public:
  void update(const std::uint8_t* data, std::size_t n) {
    length_ += n;
    while (n > 0) {
      const std::size_t take = std::min<std::size_t>(64 - fill_, n);
      std::memcpy(block_.data() + fill_, data, take);
      fill_ += take;
      data += take;
      n -= take;
      if (fill_ == 64) {
        compress(block_.data());
        fill_ = 0;
      }
    }
  }

  std::string hex_digest() {
    const std::uint64_t bits = length_ * 8;
    const std::uint8_t one = 0x80, zero = 0;
    update(&one, 1);
    while (fill_ != 56) update(&zero, 1);
    std::uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = std::uint8_t(bits >> (56 - 8 * i));
    update(len, 8);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::uint32_t word : h_)
      for (int shift = 28; shift >= 0; shift -= 4) out.push_back(digits[(word >> shift) & 0xf]);
    return out;
  }

 private:
  static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

  void compress(const std::uint8_t* p) {
    static constexpr std::uint32_t k[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
        0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
        0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
        0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
        0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
        0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) w[i] = big_endian(p + 4 * i);
    for (int i = 16; i < 64; ++i) {
      const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4], f = h_[5], g = h_[6], h = h_[7];
    for (int i = 0; i < 64; ++i) {
      const std::uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + S1 + ch + k[i] + w[i];
      const std::uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = S0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
    h_[5] += f;
    h_[6] += g;
    h_[7] += h;
  }

  std::array<std::uint32_t, 8> h_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<std::uint8_t, 64> block_{};
  std::size_t fill_ = 0;
  std::uint64_t length_ = 0;
};

}  // namespace

std::string sha256_bytes(std::string_view bytes) {
  Sha256 sha;
  sha.update(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return sha.hex_digest();
}

std::string sha256_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in || fs::is_directory(file)) throw std::runtime_error("sha256: cannot read " + file.string());
  Sha256 sha;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const std::streamsize got = in.gcount();
    if (got > 0) sha.update(reinterpret_cast<const std::uint8_t*>(buffer.data()), static_cast<std::size_t>(got));
  }
  if (in.bad()) throw std::runtime_error("sha256: error while reading " + file.string());
  return sha.hex_digest();
}

}  // namespace course
