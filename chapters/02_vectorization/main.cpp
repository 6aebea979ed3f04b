// Chapter 2: broadcasting in Armadillo, shapes without rank-1 arrays, and how much
// a loop costs against its vectorized twin in compiled C++.
//
//   build/release/bin/ch02            the full sizes (10⁶ elements, m = 10,000, 512 × 512)
//   build/release/bin/ch02 --quick    small sizes, a few seconds
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "chapters/02_vectorization/vectorization.hpp"
#include "common/blas_threads.hpp"
#include "common/chapter.hpp"
#include "common/files.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch02;

namespace {

// The fastest of several runs of f, in seconds of wall-clock (real) time: real time,
// not CPU time, because BLAS may use several threads. Repeats until `budget` seconds
// have passed (at least 3 runs), so short operations are measured many times.
double fastest_seconds(const std::function<void()>& f, double budget) {
  using clock = std::chrono::steady_clock;
  double best = 1e300, total = 0.0;
  for (int run = 0; run < 3 || total < budget; ++run) {
    const auto t0 = clock::now();
    f();
    const double seconds = std::chrono::duration<double>(clock::now() - t0).count();
    best = std::min(best, seconds);
    total += seconds;
    if (run > 10000) break;
  }
  return best;
}

std::string shape(const arma::mat& M) { return "(" + std::to_string(M.n_rows) + ", " + std::to_string(M.n_cols) + ")"; }

void show(const std::string& title, const arma::mat& M) {
  std::cout << title << "  shape " << shape(M) << "\n";
  const std::ios_base::fmtflags flags = std::cout.flags();
  const std::streamsize precision = std::cout.precision();
  std::cout.setf(std::ios::fixed, std::ios::floatfield);
  std::cout.precision(4);
  M.raw_print(std::cout);
  std::cout.flags(flags);
  std::cout.precision(precision);
}

struct Timing {
  std::string name, loop_name, vectorized_name;
  double loop_seconds, vectorized_seconds;  // both on one thread: the ratio compares like with like
  double vectorized_two_threads;            // the vectorized side again with two BLAS threads
  double agreement;                         // max |loop − vectorized| / max |vectorized|
  std::string label;                        // short, for the bar chart
};

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch02", "Vectorization and broadcasting");
  int n = 1000000, m = 10000, matrix_size = 512;
  chapter.app().add_option("--n", n, "elements of the dot product and the sigmoid")->check(CLI::Range(1, 100000000));
  chapter.app()
      .add_option("--m", m, "examples of the logistic-regression gradient (n_x = 784)")
      ->check(CLI::Range(1, 100000));
  chapter.app().add_option("--matrix-size", matrix_size, "n of the n × n matrix product")->check(CLI::Range(1, 4096));

  return chapter.run(argc, argv, [&](const Options& opt) {
    if (opt.quick) {
      n = std::min(n, 100000);
      m = std::min(m, 1000);
      matrix_size = std::min(matrix_size, 128);
    }
    const double budget = opt.quick ? 0.05 : 0.5;  // seconds of repeated runs per measurement

    // ---- 1. Broadcasting: the examples of note 001 §3.2 ----
    std::cout << "1. Broadcasting (note 001 §3.2)\n\n";
    const arma::vec column = {1.0, 2.0, 3.0};
    show("(m, 1) + scalar: [1 2 3]ᵀ + 100", arma::mat(column + 100.0));
    show("(1, n) + scalar: [1 2 3] + 100", arma::mat(column.t() + 100.0));
    const arma::mat A = {{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};
    const arma::rowvec r = {100.0, 200.0, 300.0};
    show("(m, n) + (1, n): [[1 2 3] [4 5 6]] + [100 200 300]  (numpy: A + r)", add_row_to_each_row(A, r));
    show("(m, n) / (m, 1): [[1 2 3] [4 5 6]] / [1 2]ᵀ  (numpy: A / c)", divide_each_column(A, arma::vec{1.0, 2.0}));
    // Andrew Ng's example: calories from carbohydrates, proteins, fats (rows) in 100 g of
    // apples, beef, eggs, potatoes (columns); which share of each food's calories comes from each?
    const arma::mat calories = {{56.0, 0.0, 4.4, 68.0}, {1.2, 104.0, 52.0, 8.0}, {1.8, 135.0, 99.0, 0.9}};
    show("calories: carbs/protein/fat (rows) of apples/beef/eggs/potatoes (columns)", calories);
    show("arma::sum(calories, 0): the totals of the columns (numpy: axis=0)", arma::mat(arma::sum(calories, 0)));
    show("column_percentages(calories): 100 × each entry / its column's total", column_percentages(calories));
    show("normalize_rows([[0 3 4] [1 6 4]]): each row / its Euclidean norm",
         normalize_rows(arma::mat{{0.0, 3.0, 4.0}, {1.0, 6.0, 4.0}}));

    // ---- 2. Shapes: no rank-1 arrays ----
    std::cout << "\n2. Shapes (note 001 §3.3): numpy's randn(5) has shape (5,); Armadillo has no such thing\n";
    const arma::vec a(5, arma::fill::randn);
    const arma::mat inner = a.t() * a;  // (1, 5)·(5, 1) = (1, 1)
    const arma::mat outer = a * a.t();  // (5, 1)·(1, 5) = (5, 5)
    std::cout << "  arma::vec a(5)   is " << a.n_rows << " × " << a.n_cols << ", a.t() is " << a.t().eval().n_rows
              << " × " << a.t().eval().n_cols << "\n"
              << "  a.t() * a        is " << shape(inner) << " = " << format_value("%.6f", inner(0, 0))
              << " (arma::dot(a, a) = " << format_value("%.6f", arma::dot(a, a)) << ")\n"
              << "  a * a.t()        is " << shape(outer) << ": the outer product, as the shapes say\n"
              << "  a + a.t()        is an error (\"addition: incompatible matrix dimensions: 5x1 and 1x5\") where\n"
              << "                   numpy would silently broadcast (5,1) + (1,5) to (5,5); see "
                 "tests/ch02_vectorization.cpp\n";
    try {
      require_shape(arma::mat(outer), 5, 1, "a * a.t()");
    } catch (const std::invalid_argument& e) {
      std::cout << "  require_shape(a * a.t(), 5, 1, ...) throws: " << e.what() << "\n";
    }

    // ---- 3. Loops against their vectorized twins ----
    std::cout << "\n3. Loops against vectorized code (best of repeated runs, wall-clock time)\n";
    std::vector<Timing> timings;
    // The loops run on one thread, so the vectorized side does too: the ratio is then what SIMD,
    // the order of the additions and the memory access do, not the number of cores. Two
    // threads are timed separately, as one more column.
    if (!set_blas_threads(1)) std::cout << "  (not OpenBLAS: the BLAS's thread count could not be fixed)\n";
    auto two_threads = [&](const std::function<void()>& f) {
      set_blas_threads(2);
      const double seconds = fastest_seconds(f, budget);
      set_blas_threads(1);
      return seconds;
    };

    {  // the dot product of n elements
      const arma::vec x(n, arma::fill::randu), y(n, arma::fill::randu);
      double loop_result = 0.0, vec_result = 0.0;
      const double t_loop = fastest_seconds([&] { loop_result = dot_loop(x, y); }, budget);
      const double t_vec = fastest_seconds([&] { vec_result = arma::dot(x, y); }, budget);
      const double t_vec2 = two_threads([&] { vec_result = arma::dot(x, y); });
      timings.push_back({"dot product, n = " + std::to_string(n), "for loop", "arma::dot (BLAS)", t_loop, t_vec, t_vec2,
                         std::abs(loop_result - vec_result) / std::abs(vec_result), "dot"});
    }
    {  // the sigmoid of n values
      const arma::mat z(n, 1, arma::fill::randn);
      arma::mat loop_result, vec_result;
      const double t_loop = fastest_seconds([&] { loop_result = sigmoid_loop(z); }, budget);
      const double t_vec = fastest_seconds([&] { vec_result = ch01::sigmoid(z); }, budget);
      const double t_vec2 = two_threads([&] { vec_result = ch01::sigmoid(z); });
      timings.push_back({"sigmoid, n = " + std::to_string(n), "for loop, std::exp", "1 / (1 + arma::exp(-z))", t_loop,
                         t_vec, t_vec2, arma::abs(loop_result - vec_result).max(), "sigmoid"});
    }
    {  // the logistic-regression gradient over m examples of 784 features
      const arma::mat X(784, m, arma::fill::randu);
      const arma::rowvec y = arma::conv_to<arma::rowvec>::from(arma::rowvec(m, arma::fill::randu) > 0.5);
      ch01::Parameters p = ch01::zero_parameters(784);
      p.w = arma::vec(784, arma::fill::randn) * 0.01;
      ch01::Gradients loop_result, vec_result;
      const double t_loop = fastest_seconds([&] { loop_result = ch01::gradients_loop(p, X, y); }, budget);
      const double t_vec = fastest_seconds([&] { vec_result = ch01::gradients_vectorized(p, X, y); }, budget);
      const double t_vec2 = two_threads([&] { vec_result = ch01::gradients_vectorized(p, X, y); });
      timings.push_back({"LR gradient, 784 x " + std::to_string(m), "ch01 gradients_loop", "ch01 gradients_vectorized",
                         t_loop, t_vec, t_vec2,
                         arma::abs(loop_result.dw - vec_result.dw).max() / arma::abs(vec_result.dw).max(), "LR grad."});
    }
    {  // the matrix product of two n × n matrices: i-j-k loops, j-k-i loops, BLAS
      const arma::mat P(matrix_size, matrix_size, arma::fill::randn), Q(matrix_size, matrix_size, arma::fill::randn);
      arma::mat naive, reordered, blas;
      const double t_naive = fastest_seconds([&] { naive = matmul_loop(P, Q); }, budget);
      const double t_reordered = fastest_seconds([&] { reordered = matmul_loop_reordered(P, Q); }, budget);
      const double t_blas = fastest_seconds([&] { blas = P * Q; }, budget);
      const double t_blas2 = two_threads([&] { blas = P * Q; });
      const std::string size = std::to_string(matrix_size);
      timings.push_back({"matmul " + size + "x" + size + ", naive", "i-j-k loops", "P * Q (BLAS dgemm)", t_naive,
                         t_blas, t_blas2, arma::abs(naive - blas).max() / arma::abs(blas).max(), "i-j-k"});
      timings.push_back({"matmul " + size + "x" + size + ", reordered", "j-k-i loops", "P * Q (BLAS dgemm)",
                         t_reordered, t_blas, t_blas2, arma::abs(reordered - blas).max() / arma::abs(blas).max(),
                         "j-k-i"});
    }

    std::printf("\n  %-28s %-20s %12s   %-26s %12s %10s %12s   %12s %8s\n", "operation", "loop", "time", "vectorized",
                "time", "ratio", "difference", "2 threads", "ratio");
    for (const Timing& t : timings) {
      std::printf("  %-28s %-20s %10.3f ms   %-26s %10.3f ms %9.1fx %12.1e   %9.3f ms %7.1fx\n", t.name.c_str(),
                  t.loop_name.c_str(), 1000.0 * t.loop_seconds, t.vectorized_name.c_str(),
                  1000.0 * t.vectorized_seconds, t.loop_seconds / t.vectorized_seconds, t.agreement,
                  1000.0 * t.vectorized_two_threads, t.loop_seconds / t.vectorized_two_threads);
    }
    std::cout
        << "  (ratio = loop time / vectorized time, both on one thread; difference = largest relative disagreement\n"
        << "   of the results; 2 threads: the vectorized side again with two OpenBLAS threads, the loop still on one)\n"
        << "  These timings are illustrative: bench/ measures each pair properly over a range of sizes.\n";

    write_file_atomically(opt.out / "timings.csv", [&](std::ostream& out) {
      out << "operation,loop,loop_seconds,vectorized,vectorized_seconds,ratio,vectorized_seconds_2_threads\n";
      for (const Timing& t : timings)
        out << '"' << t.name << "\",\"" << t.loop_name << "\"," << t.loop_seconds << ",\"" << t.vectorized_name << "\","
            << t.vectorized_seconds << "," << t.loop_seconds / t.vectorized_seconds << "," << t.vectorized_two_threads
            << "\n";
    });

    BarChart chart;
    chart.title = "Loop / vectorized (BLAS on 1 or 2 threads)";
    chart.ylabel = "loop time / vectorized time (log scale)";
    chart.logy = true;
    Series ratios, ratios_two;
    ratios.title = "1 thread";
    ratios_two.title = "2 threads";
    for (const Timing& t : timings) {
      chart.categories.push_back(t.label);
      ratios.y.push_back(t.loop_seconds / t.vectorized_seconds);
      ratios_two.y.push_back(t.loop_seconds / t.vectorized_two_threads);
    }
    chart.series.push_back(ratios);
    chart.series.push_back(ratios_two);
    Plotter(opt).bars("speedups", chart);

    const Timing& dot = timings[0];
    const Timing& naive = timings[3];
    chapter.summary("vectorized vs loop: dot " + format_value("%.1fx", dot.loop_seconds / dot.vectorized_seconds) +
                    ", sigmoid " + format_value("%.1fx", timings[1].loop_seconds / timings[1].vectorized_seconds) +
                    ", LR gradient " + format_value("%.1fx", timings[2].loop_seconds / timings[2].vectorized_seconds) +
                    ", matmul " + std::to_string(matrix_size) + " " +
                    format_value("%.0fx", naive.loop_seconds / naive.vectorized_seconds));
  });
}
