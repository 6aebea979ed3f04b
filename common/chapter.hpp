// What every chapter program shares: its command line, its output folder, its seed,
// its error handling and the one-line summary that ./course run prints at the end.
//
//   int main(int argc, char** argv) {
//     course::Chapter chapter("ch04", "XOR: the first two-layer network",
//                             {.epochs = 5000, .lr = 0.5, .batch_size = 4});
//     int hidden = 2;
//     chapter.app().add_option("--hidden", hidden, "hidden units")->check(CLI::Range(1, 64));
//     return chapter.run(argc, argv, [&](const course::Options& opt) {
//       ...                                   // train, plot into opt.out
//       chapter.summary("100% on the four points after 3120 epochs");
//     });
//   }
#pragma once
#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace course {

namespace fs = std::filesystem;

enum class PlotMode { png, window, none };

// The flags every chapter shares. A chapter gives its own defaults; the ranges
// are checked by CLI11 and a bad value stops with a message naming the flag.
struct Options {
  unsigned long seed = 42;  // --seed: every random number of the run follows from it
  int epochs = 10;          // --epochs  [1, 1000000]
  double lr = 0.1;          // --lr      (0, 100]
  int batch_size = 64;      // --batch-size [1, 60000]
  fs::path data_dir =
      "";  // --data-dir: folder of the MNIST IDX files (default: datasets/mnist of the repository, or $COURSE_DATA_DIR)
  std::string dataset = "mnist";  // --dataset mnist|fashion|sample
  fs::path out = "";              // --out: folder for figures, CSVs, logs (default: out/<chapter folder>)
  bool quick = false;             // --quick: the embedded sample and short runs (what the tests use)
  PlotMode plot = PlotMode::png;  // --plot png|window|none
};

class Chapter {
 public:
  Chapter(std::string id, std::string title, Options defaults = {});

  // Add chapter-specific flags here before run().
  CLI::App& app() { return app_; }

  // Adds --blas-threads (default 1, common/blas_threads.hpp says why); run() then
  // sets OpenBLAS's thread count before the body. help describes the flag.
  void add_blas_threads_option(
      const std::string& help = "threads for OpenBLAS's matrix products (1 is fastest at these sizes)");

  // Parses the command line, seeds Armadillo's and the course's generators with
  // --seed, creates --out, then calls body. Returns the process exit code: 0, or
  // non-zero after printing "<id>: error: <message>" for a bad flag or any
  // exception (a missing dataset, a diverged run, a bad file).
  int run(int argc, char** argv, const std::function<void(const Options&)>& body);

  // The chapter's headline result, one line: printed, and written to
  // <out>/summary.txt for ./course run's final table.
  void summary(const std::string& line);

  const Options& options() const { return options_; }

 private:
  std::string id_, title_;
  Options options_;
  CLI::App app_;
  std::string plot_name_;  // --plot as typed, turned into options_.plot after parsing
  int blas_threads_ = 0;   // --blas-threads; 0: the chapter has no such flag and leaves the BLAS alone
};

// The repository's root, as configured by CMake (used for default paths).
fs::path source_dir();

// A path for humans: relative to the current folder when it lies inside it.
std::string display_path(const fs::path& path);

// The default data folder: $COURSE_DATA_DIR if set, else <repository>/datasets/mnist.
fs::path default_data_dir();

}  // namespace course
