// Data sets as the whole course uses them: one example per column.
//
// Convention (settled once for the course): X is n_x × m, one example per column,
// as in notes 001/004 (Z = W·X + b). Armadillo stores matrices column by column,
// so each example is contiguous in memory. Note 003 writes one example per row
// (Z = X·W + B): its matrices are the transposes of ours.
#pragma once
#include <armadillo>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace course {

namespace fs = std::filesystem;

// The course's random generator, seeded by Chapter::run from --seed (and by
// seed_everything in tests). Armadillo's randu/randn are seeded at the same time.
std::mt19937_64& rng();
void seed_everything(unsigned long seed);

// Images (pixels scaled to [0, 1], 784 × m, float) with their labels (0..9).
struct Dataset {
  arma::fmat X;               // n_x × m
  arma::Row<std::uint8_t> y;  // 1 × m
  std::size_t size() const { return X.n_cols; }
};

struct Mnist {
  Dataset train;     // the 60,000 training images (or the embedded sample's training part)
  Dataset test;      // the 10,000 test images (or the sample's test part)
  std::string name;  // "MNIST", "Fashion-MNIST" or "MNIST sample (embedded)"
};

// A data set that is not where it was looked for; the message says how to get it.
struct DatasetNotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One pair of IDX files (images, labels) as a Dataset: pixels / 255, and checks that
// the two agree in count, that the images are rows × cols (0 = any) and that every
// label is below `classes`. Errors (IdxError) name the file(s).
Dataset load_idx_pair(const fs::path& images_file, const fs::path& labels_file, std::uint32_t rows = 28,
                      std::uint32_t cols = 28, std::size_t classes = 10);

// Loads a data set by name:
//   "mnist"    the four IDX files in data_dir (raw or .gz), SHA-256-checked by ./course fetch;
//              an empty data_dir means $COURSE_DATA_DIR, else datasets/mnist of the repository;
//   "fashion"  Fashion-MNIST from data_dir (unless it is the MNIST folder: the file names are the
//              same), else datasets/fashion-mnist, else /usr/share/datasets/fashion-mnist
//              (Debian's dataset-fashion-mnist);
//   "sample"   the small sample of real MNIST committed in datasets/sample/ (works offline).
// A missing data set stops with an error that says how to get it (./course fetch,
// --quick for the sample, or where to put the files by hand): a DatasetNotFound.
Mnist load_dataset(const std::string& name, const fs::path& data_dir);

// Path of the embedded sample folder (datasets/sample of the repository).
fs::path sample_dir();

// A random permutation of 0..n-1 from the course's generator.
arma::uvec shuffled_indices(std::size_t n, std::mt19937_64& gen);

// The examples (columns) of `data` at `indices`.
Dataset subset(const Dataset& data, const arma::uvec& indices);

// Splits off the last `dev_size` examples of a shuffled copy as a dev set.
struct Split {
  Dataset train, dev;
};
Split split_dev(const Dataset& data, std::size_t dev_size, std::mt19937_64& gen);

// Fractions (e.g. 0.6, 0.2, 0.2) of m, as sizes that add up to m: for the small generated sets.
struct SplitSizes {
  std::size_t train, dev, test;
};
SplitSizes split_sizes(std::size_t m, double train_fraction, double dev_fraction);

// Train, dev and test sets (note 001 §1.1) of a generated set, cut in order: the first train_fraction
// of the m examples, then the next dev_fraction, then the rest. The generators draw
// the examples in random order already, so no shuffle is needed. Any data with a
// subset(data, indices) will do (chapter 3's sine, chapter 5's three classes).
template <typename Data>
struct TrainDevTest {
  Data train, dev, test;
  SplitSizes sizes;
};

template <typename Data>
TrainDevTest<Data> split_in_order(const Data& data, std::size_t m, double train_fraction, double dev_fraction) {
  const SplitSizes sizes = split_sizes(m, train_fraction, dev_fraction);
  const arma::uvec order = arma::regspace<arma::uvec>(0, m - 1);
  return {subset(data, order.subvec(0, sizes.train - 1)),
          subset(data, order.subvec(sizes.train, sizes.train + sizes.dev - 1)),
          subset(data, order.subvec(sizes.train + sizes.dev, m - 1)), sizes};
}

// One-hot: the C × m matrix Y with Y(y_i, i) = 1.
template <typename eT = float>
arma::Mat<eT> one_hot(const arma::Row<std::uint8_t>& labels, std::size_t classes = 10) {
  arma::Mat<eT> Y(classes, labels.n_elem, arma::fill::zeros);
  for (arma::uword i = 0; i < labels.n_elem; ++i) {
    if (labels[i] >= classes)
      throw std::invalid_argument("one_hot: label " + std::to_string(labels[i]) + " >= " + std::to_string(classes) +
                                  " classes");
    Y(labels[i], i) = eT(1);
  }
  return Y;
}

// Mini-batches of column ranges over a (shuffled) index order: for (auto b : batches(m, 64, gen)) ...
// Each batch is the index vector of its examples; the last one may be smaller.
std::vector<arma::uvec> minibatches(std::size_t m, std::size_t batch_size, std::mt19937_64& gen, bool shuffle = true);

}  // namespace course
