// Data utilities (common/data.hpp): loading with its checks and messages, the embedded
// sample, splits, seeded shuffling, mini-batches, one-hot labels.
#include "common/data.hpp"
#include "common/idx.hpp"
#include "tests/temp_folder.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>

namespace {

namespace fs = std::filesystem;

const course::test_support::TempFolder temp_folder("data");  // one folder per test inside it

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

class DataFiles : public ::testing::Test {
 protected:
  void SetUp() override { dir = temp_folder.fresh(course::test_support::current_test_name()); }
  void TearDown() override { fs::remove_all(dir); }

  // n images of rows × cols (pixel k of image i = (i + k) mod 256) and labels i mod 10.
  void write_pair(const std::string& images_name, const std::string& labels_name, arma::uword n_images,
                  arma::uword n_labels, std::uint32_t rows = 28, std::uint32_t cols = 28) {
    arma::Mat<std::uint8_t> pixels(rows * cols, n_images, arma::fill::zeros);
    for (arma::uword i = 0; i < n_images; ++i)
      for (arma::uword k = 0; k < pixels.n_rows; ++k) pixels(k, i) = static_cast<std::uint8_t>((i + k) % 256);
    arma::Row<std::uint8_t> labels(n_labels, arma::fill::zeros);
    for (arma::uword i = 0; i < n_labels; ++i) labels[i] = static_cast<std::uint8_t>(i % 10);
    course::write_idx_images(dir / images_name, pixels, rows, cols);
    course::write_idx_labels(dir / labels_name, labels);
  }

  fs::path dir;
};

// ---- loading ----------------------------------------------------------------------

TEST_F(DataFiles, PixelsAreScaledToZeroOne) {
  write_pair("img", "lab", 3, 3);
  const course::Dataset data = course::load_idx_pair(dir / "img", dir / "lab");
  ASSERT_EQ(data.X.n_rows, 784u);
  ASSERT_EQ(data.size(), 3u);
  EXPECT_FLOAT_EQ(data.X(0, 0), 0.0f);             // byte 0
  EXPECT_FLOAT_EQ(data.X(255, 0), 1.0f);           // byte 255
  EXPECT_FLOAT_EQ(data.X(51, 0), 0.2f);            // byte 51 = 0.2 · 255
  EXPECT_FLOAT_EQ(data.X(10, 2), 12.0f / 255.0f);  // byte (2 + 10)
  EXPECT_GE(data.X.min(), 0.0f);
  EXPECT_LE(data.X.max(), 1.0f);
  EXPECT_EQ(data.y[2], 2);
}

TEST_F(DataFiles, ImagesAndLabelsMustAgreeInCount) {
  write_pair("images-idx3-ubyte", "labels-idx1-ubyte.gz", 3, 4);
  try {
    (void)course::load_idx_pair(dir / "images-idx3-ubyte", dir / "labels-idx1-ubyte.gz");
    FAIL() << "no error for 3 images and 4 labels";
  } catch (const course::IdxError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, (dir / "images-idx3-ubyte").string())) << message;
    EXPECT_TRUE(contains(message, (dir / "labels-idx1-ubyte.gz").string())) << message;
    EXPECT_TRUE(contains(message, "3 images")) << message;
    EXPECT_TRUE(contains(message, "4 labels")) << message;
    EXPECT_TRUE(contains(message, "expected")) << message;
  }
}

TEST_F(DataFiles, ImagesOfTheWrongSizeAreRejected) {
  write_pair("img", "lab", 2, 2, 4, 5);
  try {
    (void)course::load_idx_pair(dir / "img", dir / "lab");
    FAIL() << "no error for 4×5 images";
  } catch (const course::IdxError& e) {
    EXPECT_TRUE(contains(e.what(), (dir / "img").string())) << e.what();
    EXPECT_TRUE(contains(e.what(), "expected 28×28")) << e.what();
    EXPECT_TRUE(contains(e.what(), "found 4×5")) << e.what();
  }
  EXPECT_EQ(course::load_idx_pair(dir / "img", dir / "lab", 4, 5).X.n_rows, 20u);
}

TEST_F(DataFiles, LabelsAboveNineAreRejected) {
  write_pair("img", "lab", 11, 11);
  EXPECT_NO_THROW((void)course::load_idx_pair(dir / "img", dir / "lab"));
  arma::Row<std::uint8_t> bad(11, arma::fill::zeros);
  bad[7] = 10;
  course::write_idx_labels(dir / "lab", bad);
  try {
    (void)course::load_idx_pair(dir / "img", dir / "lab");
    FAIL() << "no error for label 10";
  } catch (const course::IdxError& e) {
    EXPECT_TRUE(contains(e.what(), (dir / "lab").string())) << e.what();
    EXPECT_TRUE(contains(e.what(), "expected 0..9, found 10 at position 7")) << e.what();
  }
}

TEST_F(DataFiles, MissingMnistSaysHowToGetIt) {
  write_pair("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 2, 2);  // only two of the four
  try {
    (void)course::load_dataset("mnist", dir);
    FAIL() << "no error for an incomplete MNIST folder";
  } catch (const course::DatasetNotFound& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "MNIST not found in " + dir.string())) << message;
    EXPECT_TRUE(contains(message, "t10k-images-idx3-ubyte[.gz]")) << message;
    EXPECT_TRUE(contains(message, "missing: t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte")) << message;
    EXPECT_TRUE(contains(message, "./course fetch")) << message;
    EXPECT_TRUE(contains(message, "--quick")) << message;
    EXPECT_TRUE(contains(message, "by hand")) << message;
  }
}

TEST_F(DataFiles, LoadsTheFourFilesRawOrGzip) {
  write_pair("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte", 30, 30);
  write_pair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte.gz", 12, 12);
  const course::Mnist mnist = course::load_dataset("mnist", dir);
  EXPECT_EQ(mnist.name, "MNIST");
  EXPECT_EQ(mnist.train.size(), 30u);
  EXPECT_EQ(mnist.test.size(), 12u);
  EXPECT_EQ(mnist.train.y.n_elem, 30u);
  // The same folder given explicitly serves as Fashion-MNIST too (same file names).
  EXPECT_EQ(course::load_dataset("fashion", dir).name, "Fashion-MNIST");
}

TEST_F(DataFiles, ACountMismatchInTheFourFilesNamesBothFiles) {
  write_pair("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 5, 5);
  write_pair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 4, 3);
  try {
    (void)course::load_dataset("mnist", dir);
    FAIL() << "no error";
  } catch (const course::IdxError& e) {
    EXPECT_TRUE(contains(e.what(), "t10k-images-idx3-ubyte")) << e.what();
    EXPECT_TRUE(contains(e.what(), "t10k-labels-idx1-ubyte")) << e.what();
  }
}

TEST(DataLoading, UnknownDatasetName) {
  try {
    (void)course::load_dataset("cifar", "");
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "'cifar'")) << e.what();
    EXPECT_TRUE(contains(e.what(), "mnist, fashion or sample")) << e.what();
  }
}

TEST(DataLoading, EmbeddedSampleHasTheStatedCounts) {
  const course::Mnist sample = course::load_dataset("sample", "");
  EXPECT_EQ(sample.name, "MNIST sample (embedded)");
  ASSERT_EQ(sample.train.size(), 5000u);
  ASSERT_EQ(sample.test.size(), 1000u);
  EXPECT_EQ(sample.train.X.n_rows, 784u);
  EXPECT_EQ(sample.train.y.n_elem, 5000u);
  EXPECT_EQ(sample.test.y.n_elem, 1000u);
  EXPECT_LE(sample.train.y.max(), 9);
  EXPECT_LE(sample.test.y.max(), 9);
  EXPECT_GE(sample.train.X.min(), 0.0f);
  EXPECT_LE(sample.train.X.max(), 1.0f);
  EXPECT_FLOAT_EQ(sample.train.X.max(), 1.0f);  // real digits use the whole range
  // Balanced, as datasets/make_sample.py made it: 500 and 100 of each digit.
  for (int digit = 0; digit < 10; ++digit) {
    EXPECT_EQ(arma::accu(sample.train.y == digit), 500u) << "digit " << digit;
    EXPECT_EQ(arma::accu(sample.test.y == digit), 100u) << "digit " << digit;
  }
  // The first training digit is MNIST's first (index 0 is always chosen: a 5).
  EXPECT_EQ(sample.train.y[0], 5);
}

TEST(DataLoading, FullMnistWhenPresent) {
  const char* env = std::getenv("COURSE_DATA_DIR");
  const fs::path dir = env && *env ? fs::path(env) : fs::path(COURSE_SOURCE_DIR) / "datasets" / "mnist";
  course::Mnist mnist;
  try {
    mnist = course::load_dataset("mnist", dir);
  } catch (const course::DatasetNotFound&) {
    GTEST_SKIP() << "MNIST is not in " << dir << " (./course fetch)";
  }
  EXPECT_EQ(mnist.train.size(), 60000u);
  EXPECT_EQ(mnist.test.size(), 10000u);
  EXPECT_EQ(mnist.train.y[0], 5);  // the well-known first labels of MNIST
  EXPECT_EQ(mnist.train.y[1], 0);
  EXPECT_EQ(mnist.test.y[0], 7);
  EXPECT_EQ(mnist.test.y[1], 2);
}

TEST(DataLoading, FashionMnistWhenInstalled) {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  // Given the MNIST folder (what a chapter passes by default), it still finds Fashion-MNIST:
  // the file names are the same, so the MNIST folder is never taken for it.
  const course::Mnist fashion = course::load_dataset("fashion", fs::path(COURSE_SOURCE_DIR) / "datasets" / "mnist");
  EXPECT_EQ(fashion.name, "Fashion-MNIST");
  EXPECT_EQ(fashion.train.size(), 60000u);
  EXPECT_EQ(fashion.test.size(), 10000u);
  EXPECT_EQ(fashion.train.y[0], 9);  // an ankle boot (MNIST's first label is a 5)
  EXPECT_EQ(fashion.test.y[0], 9);
}

// ---- splits -----------------------------------------------------------------------

TEST(DataSplits, SplitSizesAddUp) {
  const course::SplitSizes s = course::split_sizes(10, 0.6, 0.2);
  EXPECT_EQ(s.train, 6u);
  EXPECT_EQ(s.dev, 2u);
  EXPECT_EQ(s.test, 2u);
  const course::SplitSizes big = course::split_sizes(1000000, 0.98, 0.01);  // note 001 §1.1 for big data
  EXPECT_EQ(big.train, 980000u);
  EXPECT_EQ(big.dev, 10000u);
  EXPECT_EQ(big.test, 10000u);
  for (std::size_t m : {0u, 1u, 2u, 3u, 7u, 99u, 1001u})
    for (double tf : {0.0, 0.33, 0.6, 0.7, 1.0})
      for (double df : {0.0, 0.15, 0.2, 0.3}) {
        if (tf + df > 1.0) continue;
        const course::SplitSizes x = course::split_sizes(m, tf, df);
        EXPECT_EQ(x.train + x.dev + x.test, m) << m << " " << tf << " " << df;
      }
  EXPECT_THROW(course::split_sizes(10, 0.9, 0.2), std::invalid_argument);
  EXPECT_THROW(course::split_sizes(10, -0.1, 0.2), std::invalid_argument);
}

course::Dataset numbered(std::size_t m) {  // example i has X(0, i) = i
  course::Dataset d;
  d.X = arma::fmat(2, m, arma::fill::zeros);
  d.y = arma::Row<std::uint8_t>(m, arma::fill::zeros);
  for (arma::uword i = 0; i < m; ++i) {
    d.X(0, i) = static_cast<float>(i);
    d.y[i] = static_cast<std::uint8_t>(i % 10);
  }
  return d;
}

TEST(DataSplits, SplitDevIsADisjointCover) {
  const course::Dataset data = numbered(100);
  std::mt19937_64 gen(7);
  const course::Split split = course::split_dev(data, 20, gen);
  EXPECT_EQ(split.train.size(), 80u);
  EXPECT_EQ(split.dev.size(), 20u);
  std::set<int> seen;
  for (const course::Dataset* part : {&split.train, &split.dev})
    for (arma::uword i = 0; i < part->size(); ++i) {
      const int index = static_cast<int>(part->X(0, i));
      EXPECT_TRUE(seen.insert(index).second) << "example " << index << " twice";
      EXPECT_EQ(part->y[i], index % 10) << "labels must follow their images";
    }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_THROW(course::split_dev(data, 100, gen), std::invalid_argument);
}

TEST(DataSplits, SubsetChecksItsIndices) {
  const course::Dataset data = numbered(5);
  const arma::uvec pick = {4, 0};
  const course::Dataset part = course::subset(data, pick);
  EXPECT_EQ(part.X(0, 0), 4.0f);
  EXPECT_EQ(part.y[1], 0);
  const arma::uvec bad = {5};
  EXPECT_THROW(course::subset(data, bad), std::out_of_range);
}

// ---- seeded randomness ------------------------------------------------------------------

TEST(DataShuffling, SameSeedSameOrderDifferentSeedDifferentOrder) {
  std::mt19937_64 a(1), b(1), c(2);
  const arma::uvec pa = course::shuffled_indices(1000, a);
  const arma::uvec pb = course::shuffled_indices(1000, b);
  const arma::uvec pc = course::shuffled_indices(1000, c);
  EXPECT_TRUE(arma::all(pa == pb));
  EXPECT_FALSE(arma::all(pa == pc));
  const arma::uvec sorted = arma::sort(pa);
  EXPECT_TRUE(arma::all(sorted == arma::regspace<arma::uvec>(0, 999))) << "a permutation of 0..999";
  EXPECT_FALSE(arma::all(pa == sorted)) << "actually shuffled";
}

TEST(DataShuffling, SeedEverythingSeedsBothGenerators) {
  course::seed_everything(123);
  const std::uint64_t first = course::rng()();
  const arma::mat r1(3, 3, arma::fill::randu);
  course::seed_everything(123);
  EXPECT_EQ(course::rng()(), first);
  const arma::mat r2(3, 3, arma::fill::randu);
  EXPECT_TRUE(arma::approx_equal(r1, r2, "absdiff", 0.0));
  course::seed_everything(124);
  EXPECT_NE(course::rng()(), first);
  const arma::mat r3(3, 3, arma::fill::randu);
  EXPECT_FALSE(arma::approx_equal(r1, r3, "absdiff", 0.0));

  course::seed_everything(5);
  const course::Split s1 = course::split_dev(numbered(50), 10, course::rng());
  course::seed_everything(5);
  const course::Split s2 = course::split_dev(numbered(50), 10, course::rng());
  EXPECT_TRUE(arma::approx_equal(s1.dev.X, s2.dev.X, "absdiff", 0.0f));
}

// ---- mini-batches -------------------------------------------------------------------------

TEST(DataMinibatches, CoverEveryIndexExactlyOnce) {
  std::mt19937_64 gen(3);
  for (std::size_t m : {1u, 9u, 10u, 64u, 1000u}) {
    const std::vector<arma::uvec> batches = course::minibatches(m, 64, gen);
    std::vector<int> count(m, 0);
    for (std::size_t b = 0; b < batches.size(); ++b) {
      if (b + 1 < batches.size()) {
        EXPECT_EQ(batches[b].n_elem, 64u);
      }
      for (arma::uword i : batches[b]) {
        ASSERT_LT(i, m);
        ++count[i];
      }
    }
    EXPECT_EQ(batches.size(), (m + 63) / 64);
    for (std::size_t i = 0; i < m; ++i) EXPECT_EQ(count[i], 1) << "index " << i << " of " << m;
  }
}

TEST(DataMinibatches, SizesOrderAndSeeds) {
  std::mt19937_64 gen(3);
  const std::vector<arma::uvec> plain = course::minibatches(10, 3, gen, /*shuffle=*/false);
  ASSERT_EQ(plain.size(), 4u);
  EXPECT_EQ(plain[3].n_elem, 1u);  // the last batch is smaller
  EXPECT_TRUE(arma::all(plain[1] == arma::uvec({3, 4, 5})));
  EXPECT_TRUE(course::minibatches(0, 3, gen).empty());
  EXPECT_THROW(course::minibatches(10, 0, gen), std::invalid_argument);
  std::mt19937_64 a(9), b(9);
  const std::vector<arma::uvec> ba = course::minibatches(100, 16, a), bb = course::minibatches(100, 16, b);
  for (std::size_t i = 0; i < ba.size(); ++i) EXPECT_TRUE(arma::all(ba[i] == bb[i]));
  // A second epoch from the same generator is a different order.
  const std::vector<arma::uvec> next = course::minibatches(100, 16, a);
  EXPECT_FALSE(arma::all(next[0] == ba[0]));
}

// ---- one-hot --------------------------------------------------------------------------------

TEST(DataOneHot, KnownMatrix) {
  const arma::Row<std::uint8_t> labels = {2, 0, 9};
  const arma::fmat Y = course::one_hot(labels);
  ASSERT_EQ(Y.n_rows, 10u);
  ASSERT_EQ(Y.n_cols, 3u);
  EXPECT_EQ(Y(2, 0), 1.0f);
  EXPECT_EQ(Y(0, 1), 1.0f);
  EXPECT_EQ(Y(9, 2), 1.0f);
  EXPECT_EQ(arma::accu(Y), 3.0f);
  const arma::mat Y3 = course::one_hot<double>(arma::Row<std::uint8_t>{1, 2}, 3);
  EXPECT_TRUE(arma::approx_equal(Y3, arma::mat({{0, 0}, {1, 0}, {0, 1}}), "absdiff", 0.0));
  EXPECT_THROW(course::one_hot(arma::Row<std::uint8_t>{3}, 3), std::invalid_argument);
}

}  // namespace
