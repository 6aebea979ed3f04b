// Chapter 0: a tour of the tools.
//
// Before any neural network, the four things every later chapter stands on:
//   1. Armadillo, the matrix library, and the BLAS that does its heavy lifting;
//   2. the handful of matrix operations the course uses all the time;
//   3. MNIST, the data set: 28 × 28 pictures of handwritten digits;
//   4. figures: every chapter draws its results (PNG through gnuplot, plus CSV).
//
// Run it:  build/release/bin/ch00           (full MNIST, if ./course fetch got it)
//          build/release/bin/ch00 --quick   (the small sample embedded in the repository)
#include <armadillo>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

namespace {

using course::format_value;

namespace fs = std::filesystem;

// ---------------------------------------------------------------- 1. the tools

// OpenBLAS can tell how it was built and how many threads it uses. Other BLAS
// libraries have no such functions, so we look them up at run time (dlsym)
// instead of linking to them: the program runs on any BLAS.
std::string openblas_description() {
  using config_fn = char* (*)();
  using threads_fn = int (*)();
  const auto config = reinterpret_cast<config_fn>(::dlsym(RTLD_DEFAULT, "openblas_get_config"));
  const auto threads = reinterpret_cast<threads_fn>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (config == nullptr) return "not OpenBLAS (no openblas_get_config): expect slow matrix products";
  std::ostringstream s;
  s << config();
  if (threads != nullptr) s << ", " << threads() << (threads() == 1 ? " thread" : " threads");
  return s.str();
}

// "OpenBLAS (2 threads)" or the BLAS library's file name, for the summary line.
std::string blas_name() {
  using threads_fn = int (*)();
  const auto threads = reinterpret_cast<threads_fn>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (threads != nullptr) return "OpenBLAS (" + std::to_string(threads()) + (threads() == 1 ? " thread)" : " threads)");
  return std::filesystem::path(COURSE_BLAS_LIBRARY).filename().string();
}

void show_tools() {
  std::cout << "1. The tools\n"
            << "   Armadillo  " << arma::arma_version::as_string() << "\n"
            << "   BLAS       " << COURSE_BLAS_LIBRARY << "\n"
            << "   OpenBLAS   " << openblas_description() << "\n"
            << "   gnuplot    "
            << (course::Plotter::gnuplot_available()
                    ? "found, with PNG output (pngcairo)"
                    : "not found: figures are written as CSV only (install gnuplot-nox)")
            << "\n";

  // What the BLAS buys: one 1000 × 1000 matrix product is 2·10⁹ floating-point operations
  // (n³ multiplications and n³ additions). The best of three runs: the first one also
  // starts OpenBLAS's threads.
  const arma::uword n = 1000;
  arma::mat A(n, n, arma::fill::randu);
  arma::mat B(n, n, arma::fill::randu);
  arma::mat C(n, n, arma::fill::zeros);
  double seconds = 1e30;
  for (int run = 0; run < 3; ++run) {
    const auto start = std::chrono::steady_clock::now();
    C = A * B;
    seconds = std::min(seconds, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::cout << "   a " << n << " × " << n << " matrix product took " << format_value("%.1f", seconds * 1e3) << " ms ("
            << format_value("%.0f", 2.0 * n * n * n / seconds / 1e9)
            << " GFLOP/s; C(0,0) = " << format_value("%.2f", C(0, 0)) << ")\n\n";
}

// ---------------------------------------------------------------- 2. Armadillo basics

// Prints a small matrix with its name and shape, one row per line.
void print(const std::string& name, const arma::mat& M) {
  std::cout << "   " << name << "   [" << M.n_rows << " × " << M.n_cols << "]\n";
  for (arma::uword i = 0; i < M.n_rows; ++i) {
    std::cout << "      ";
    for (arma::uword j = 0; j < M.n_cols; ++j) std::cout << std::setw(7) << M(i, j);
    std::cout << "\n";
  }
}

std::string armadillo_version() {
  return std::to_string(arma::arma_version::major) + "." + std::to_string(arma::arma_version::minor) + "." +
         std::to_string(arma::arma_version::patch);
}

void show_armadillo_basics() {
  std::cout << "2. Armadillo basics (one example per column: X is n_x × m)\n";

  // Three examples (columns) of two features (rows): X is 2 × 3.
  arma::mat X = {{1, 2, 3}, {4, 5, 6}};
  print("X, 2 features × 3 examples", X);

  // A layer's weights map 2 features to 1 output: W is 1 × 2, the bias b is 1 × 1.
  arma::mat W = {{0.5, -1.0}};
  arma::vec b = {0.25};

  // The matrix product: Z = W·X is (1 × 2)·(2 × 3) = 1 × 3, one value per example.
  arma::mat Z = W * X;
  print("Z = W * X (matrix product)", Z);

  // Broadcasting: add b to every column. numpy does it silently; Armadillo says so: each_col.
  Z.each_col() += b;
  print("Z.each_col() += b", Z);

  // Element-wise product: % (not *). Both operands must have the same shape.
  arma::mat squares = X % X;
  print("X % X (element by element)", squares);

  // The transpose: .t(). X.t() is 3 × 2: one example per row, as note 003 writes it.
  arma::mat Xt = X.t();
  print("X.t()", Xt);

  // Sums along a dimension: sum(X, 0) adds down each column (one value per example),
  // sum(X, 1) adds along each row (one value per feature).
  arma::mat per_example = arma::sum(X, 0);
  arma::mat per_feature = arma::sum(X, 1);
  print("sum(X, 0): one sum per example", per_example);
  print("sum(X, 1): one sum per feature", per_feature);

  // Centring the features: subtract each row's mean from that row (each_col again,
  // with the n_x × 1 column of means) ...
  arma::mat centred = X;
  centred.each_col() -= arma::mat(arma::mean(X, 1));
  print("X.each_col() - mean(X, 1)", centred);
  // ... and scaling each example by its own number: each_row with a 1 × m row.
  arma::mat scaled = X;
  scaled.each_row() %= arma::rowvec{1.0, 0.5, 0.1};
  print("X.each_row() % [1 0.5 0.1]", scaled);

  // Shapes must agree: X * X is (2 × 3)·(2 × 3), and the inner sizes 3 and 2 differ.
  // Debug builds and the tests stop with "matrix multiplication: incompatible matrix
  // dimensions: 2x3 and 2x3"; Release builds (ARMA_NO_DEBUG, what ./course run uses)
  // skip Armadillo's checks for speed, so the course's code checks its shapes itself
  // with messages that name the layer: never rely on a wrong product failing.
  std::cout << "   X * X: (" << X.n_rows << " × " << X.n_cols << ")·(" << X.n_rows << " × " << X.n_cols
            << ") is not a product: the inner sizes " << X.n_cols << " and " << X.n_rows << " differ\n";
  std::cout << "\n";
}

// ---------------------------------------------------------------- 3. the data, 4. figures

course::Mnist load_data(const course::Options& opt) {
  if (opt.quick) return course::load_dataset("sample", opt.data_dir);
  try {
    return course::load_dataset(opt.dataset, opt.data_dir);
  } catch (const course::DatasetNotFound& e) {
    std::cout << "   " << e.what() << "\n   The tour goes on with the embedded sample.\n";
    return course::load_dataset("sample", opt.data_dir);
  }
}

// Each figure is <name>.png (when gnuplot drew it) and always <name>.csv, its data.
void announce(const fs::path& png, const std::string& name, const std::string& what) {
  const std::string file = png.empty() ? name + ".csv" : name + ".png";
  std::cout << "   " << file << std::string(file.size() < 17 ? 17 - file.size() : 1, ' ') << what << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  course::Chapter chapter("ch00", "A tour of the tools");
  return chapter.run(argc, argv, [&](const course::Options& opt) {
    show_tools();
    show_armadillo_basics();

    std::cout << "3. The data\n";
    const course::Mnist data = load_data(opt);
    const course::Dataset& train = data.train;
    std::cout << "   " << data.name << ": " << train.size() << " training and " << data.test.size()
              << " test images, each a column of " << train.X.n_rows << " pixels in [0, 1]\n"
              << "   X is " << train.X.n_rows << " × " << train.X.n_cols << " ("
              << format_value("%.1f", train.X.n_elem * sizeof(float) / 1e6) << " MB of floats), y is " << train.y.n_rows
              << " × " << train.y.n_cols << "\n";

    // How many of each digit? hist counts the labels 0..9.
    const arma::uvec counts = arma::hist(arma::conv_to<arma::uvec>::from(train.y), arma::regspace<arma::uvec>(0, 9));
    std::cout << "   training images per label:";
    for (arma::uword d = 0; d < 10; ++d) std::cout << "  " << d << ": " << counts(d);
    std::cout << "\n\n";

    std::cout << "4. Figures, in the output folder\n";
    course::Plotter plotter(opt);

    // The first 40 training images with their labels.
    const arma::uword shown = std::min<arma::uword>(40, train.size());
    course::ImageGrid grid{.title = "The first " + std::to_string(shown) + " training images of " + data.name,
                           .columns = 10};
    grid.images = train.X.cols(0, shown - 1);
    for (arma::uword i = 0; i < shown; ++i) grid.captions.push_back("label " + std::to_string(train.y(i)));
    const fs::path digits = plotter.images("digits", grid);
    announce(digits, "digits", "the first " + std::to_string(shown) + " training images, with their labels");

    // The mean image of each digit: average the columns whose label is d.
    arma::fmat means(train.X.n_rows, 10, arma::fill::zeros);
    for (arma::uword d = 0; d < 10; ++d) {
      const arma::uvec of_d = arma::find(train.y == d);
      if (!of_d.is_empty()) means.col(d) = arma::mean(train.X.cols(of_d), 1);
    }
    course::ImageGrid mean_grid{.title = "The mean image of each digit", .columns = 10};
    mean_grid.images = means;
    for (arma::uword d = 0; d < 10; ++d) mean_grid.captions.push_back("mean " + std::to_string(d));
    const fs::path mean_digits = plotter.images("mean_digits", mean_grid);
    announce(mean_digits, "mean_digits", "the mean image of each digit");

    // A first line plot: the mean ink in each of the 28 rows of the picture, per digit.
    // Pixel (r, c) is at row 28·r + c of a column, so reshaping a column to 28 × 28
    // puts c down and r across; the mean over c (dimension 0) is the ink of row r.
    course::LinePlot rows{.title = "Where the ink is: mean intensity of each image row, per digit",
                          .xlabel = "image row (0 = top)",
                          .ylabel = "mean pixel intensity"};
    for (arma::uword d : {0u, 1u, 4u, 7u, 8u}) {
      const arma::fmat picture = arma::reshape(means.col(d), 28, 28);  // picture(c, r)
      const arma::frowvec ink = arma::mean(picture, 0);                // one value per image row r
      course::Series s{.title = "digit " + std::to_string(d)};
      for (arma::uword r = 0; r < 28; ++r) s.x.push_back(r), s.y.push_back(ink(r));
      rows.series.push_back(s);
    }
    const fs::path row_profile = plotter.lines("row_profile", rows);
    announce(row_profile, "row_profile", "the mean ink per image row of the digits 0, 1, 4, 7 and 8");

    std::ostringstream headline;
    headline << "Armadillo " << armadillo_version() << " on " << blas_name() << "; " << data.name
             << " loaded: " << train.size() << " training + " << data.test.size() << " test images";
    chapter.summary(headline.str());
  });
}
