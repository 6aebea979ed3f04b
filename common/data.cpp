// Data sets as the whole course uses them: loading, splitting, shuffling, batching.
#include "common/data.hpp"

#include "common/idx.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <stdexcept>

#ifndef COURSE_SOURCE_DIR
#define COURSE_SOURCE_DIR "."
#endif

namespace course {

std::mt19937_64& rng() {
  static std::mt19937_64 generator(42);  // reseeded from --seed by Chapter::run
  return generator;
}

void seed_everything(unsigned long seed) {
  rng().seed(seed);
  arma::arma_rng::set_seed(seed);
}

fs::path sample_dir() { return fs::path(COURSE_SOURCE_DIR) / "datasets" / "sample"; }

namespace {

const char* kTrainImages = "train-images-idx3-ubyte";
const char* kTrainLabels = "train-labels-idx1-ubyte";
const char* kTestImages = "t10k-images-idx3-ubyte";
const char* kTestLabels = "t10k-labels-idx1-ubyte";

// The default MNIST folder, as default_data_dir() in common/chapter.hpp.
fs::path mnist_dir_or_default(const fs::path& data_dir) {
  if (!data_dir.empty()) return data_dir;
  if (const char* env = std::getenv("COURSE_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return fs::path(COURSE_SOURCE_DIR) / "datasets" / "mnist";
}

// "<dir>/<base>" if it is there, else "<dir>/<base>.gz", else empty.
fs::path find_idx(const fs::path& dir, const std::string& base) {
  std::error_code ec;
  for (const fs::path& candidate : {dir / base, dir / (base + ".gz")})
    if (fs::is_regular_file(candidate, ec)) return candidate;
  return {};
}

bool has_all_four(const fs::path& dir) {
  for (const char* base : {kTrainImages, kTrainLabels, kTestImages, kTestLabels})
    if (find_idx(dir, base).empty()) return false;
  return true;
}

std::string missing_list(const fs::path& dir) {
  std::string missing;
  for (const char* base : {kTrainImages, kTrainLabels, kTestImages, kTestLabels})
    if (find_idx(dir, base).empty()) missing += (missing.empty() ? "" : ", ") + std::string(base);
  return missing;
}

bool same_folder(const fs::path& a, const fs::path& b) {
  std::error_code ec1, ec2;
  const fs::path ca = fs::weakly_canonical(a, ec1), cb = fs::weakly_canonical(b, ec2);
  return !ec1 && !ec2 && ca == cb;
}

Mnist load_four(const fs::path& dir, const std::string& name) {
  Mnist data;
  data.name = name;
  data.train = load_idx_pair(find_idx(dir, kTrainImages), find_idx(dir, kTrainLabels));
  data.test = load_idx_pair(find_idx(dir, kTestImages), find_idx(dir, kTestLabels));
  return data;
}

}  // namespace

Dataset load_idx_pair(const fs::path& images_file, const fs::path& labels_file, std::uint32_t rows, std::uint32_t cols,
                      std::size_t classes) {
  const IdxImages images = read_idx_images(images_file);
  const arma::Row<std::uint8_t> labels = read_idx_labels(labels_file);
  if ((rows != 0 && images.rows != rows) || (cols != 0 && images.cols != cols))
    throw IdxError("IDX file " + images_file.string() + ": wrong image size: expected " + std::to_string(rows) + "×" +
                   std::to_string(cols) + " pixels, found " + std::to_string(images.rows) + "×" +
                   std::to_string(images.cols));
  if (images.pixels.n_cols != labels.n_elem)
    throw IdxError("images and labels disagree in count: expected as many labels as images, found " +
                   std::to_string(images.pixels.n_cols) + " images in " + images_file.string() + " and " +
                   std::to_string(labels.n_elem) + " labels in " + labels_file.string());
  for (arma::uword i = 0; i < labels.n_elem; ++i)
    if (labels[i] >= classes)
      throw IdxError("IDX file " + labels_file.string() + ": bad label: expected 0.." + std::to_string(classes - 1) +
                     ", found " + std::to_string(labels[i]) + " at position " + std::to_string(i));

  // x = pixel / 255: the bytes 0..255 become floats in [0, 1].
  Dataset data;
  data.X = arma::fmat(images.pixels.n_rows, images.pixels.n_cols, arma::fill::none);
  const std::uint8_t* in = images.pixels.memptr();
  float* out = data.X.memptr();
  const float scale = 1.0f / 255.0f;
  for (arma::uword k = 0; k < images.pixels.n_elem; ++k) out[k] = static_cast<float>(in[k]) * scale;
  data.y = labels;
  return data;
}

Mnist load_dataset(const std::string& name, const fs::path& data_dir) {
  if (name == "sample") {
    const fs::path dir = sample_dir();
    if (!has_all_four(dir))
      throw DatasetNotFound("the embedded MNIST sample is missing from " + dir.string() + " (expected " + kTrainImages +
                            ".gz and the three other files; missing: " + missing_list(dir) +
                            "): it is part of the repository, restore it with git checkout -- datasets/sample");
    return load_four(dir, "MNIST sample (embedded)");
  }

  if (name == "mnist") {
    const fs::path dir = mnist_dir_or_default(data_dir);
    if (!has_all_four(dir))
      throw DatasetNotFound("MNIST not found in " + dir.string() + " (expected " + kTrainImages + "[.gz], " +
                            kTrainLabels + "[.gz], " + kTestImages + "[.gz], " + kTestLabels +
                            "[.gz]; missing: " + missing_list(dir) +
                            "): run ./course fetch, or pass --quick to use the embedded sample, or copy the four files "
                            "there by hand (see datasets/README.md)");
    return load_four(dir, "MNIST");
  }

  if (name == "fashion") {
    // Fashion-MNIST has the same file names as MNIST, so the MNIST folder itself is
    // never taken for it: an explicit --data-dir other than the MNIST default, then
    // datasets/fashion-mnist, then Debian's package.
    std::vector<fs::path> candidates;
    const bool is_mnist_folder = same_folder(data_dir, mnist_dir_or_default({})) ||
                                 same_folder(data_dir, fs::path(COURSE_SOURCE_DIR) / "datasets" / "mnist");
    if (!data_dir.empty() && !is_mnist_folder) candidates.push_back(data_dir);
    candidates.push_back(fs::path(COURSE_SOURCE_DIR) / "datasets" / "fashion-mnist");
    candidates.push_back("/usr/share/datasets/fashion-mnist");
    std::string looked;
    for (const fs::path& dir : candidates) {
      if (has_all_four(dir)) return load_four(dir, "Fashion-MNIST");
      looked += (looked.empty() ? "" : ", ") + dir.string();
    }
    throw DatasetNotFound(
        "Fashion-MNIST not found (looked in " + looked + " for " + kTrainImages + "[.gz], " + kTrainLabels + "[.gz], " +
        kTestImages + "[.gz], " + kTestLabels +
        "[.gz]): install Debian's package with sudo apt-get install dataset-fashion-mnist, "
        "or copy the four files into datasets/fashion-mnist, or pass --data-dir <folder holding them>");
  }

  throw std::invalid_argument("unknown data set '" + name + "': expected mnist, fashion or sample");
}

arma::uvec shuffled_indices(std::size_t n, std::mt19937_64& gen) {
  arma::uvec order(n, arma::fill::none);
  std::iota(order.begin(), order.end(), arma::uword(0));
  std::shuffle(order.begin(), order.end(), gen);
  return order;
}

Dataset subset(const Dataset& data, const arma::uvec& indices) {
  if (!indices.empty() && indices.max() >= data.size())
    throw std::out_of_range("subset: index " + std::to_string(indices.max()) + " out of range for a data set of " +
                            std::to_string(data.size()) + " examples");
  Dataset part;
  part.X = data.X.cols(indices);
  part.y = data.y.cols(indices);
  return part;
}

Split split_dev(const Dataset& data, std::size_t dev_size, std::mt19937_64& gen) {
  const std::size_t m = data.size();
  if (dev_size >= m)
    throw std::invalid_argument("split_dev: a dev set of " + std::to_string(dev_size) +
                                " examples leaves no training examples out of " + std::to_string(m));
  const arma::uvec order = shuffled_indices(m, gen);
  Split split;
  split.train = subset(data, order.head(m - dev_size));
  split.dev = subset(data, order.tail(dev_size));
  return split;
}

SplitSizes split_sizes(std::size_t m, double train_fraction, double dev_fraction) {
  if (!(train_fraction >= 0.0 && dev_fraction >= 0.0 && train_fraction + dev_fraction <= 1.0 + 1e-12))
    throw std::invalid_argument("split_sizes: expected fractions >= 0 adding up to at most 1, found train " +
                                std::to_string(train_fraction) + " and dev " + std::to_string(dev_fraction));
  // m_train = round(f_train · m), m_dev = round(f_dev · m), m_test = the rest.
  SplitSizes sizes{};
  sizes.train = std::min<std::size_t>(m, static_cast<std::size_t>(std::llround(train_fraction * double(m))));
  sizes.dev = std::min<std::size_t>(m - sizes.train, static_cast<std::size_t>(std::llround(dev_fraction * double(m))));
  sizes.test = m - sizes.train - sizes.dev;
  return sizes;
}

std::vector<arma::uvec> minibatches(std::size_t m, std::size_t batch_size, std::mt19937_64& gen, bool shuffle) {
  if (batch_size == 0) throw std::invalid_argument("minibatches: expected a batch size of at least 1, found 0");
  arma::uvec order(m, arma::fill::none);
  if (shuffle) {
    order = shuffled_indices(m, gen);
  } else {
    std::iota(order.begin(), order.end(), arma::uword(0));
  }
  std::vector<arma::uvec> batches;
  batches.reserve((m + batch_size - 1) / batch_size);
  for (std::size_t start = 0; start < m; start += batch_size) {
    const std::size_t end = std::min(m, start + batch_size);  // the last batch may be smaller
    batches.push_back(order.subvec(start, end - 1));
  }
  return batches;
}

}  // namespace course
