// The command line, output folder, seeding and error handling that every chapter
// program shares (see chapter.hpp for how a program uses it).
#include "common/chapter.hpp"

#include <cmath>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <sstream>

#include "common/blas_threads.hpp"
#include "common/data.hpp"
#include "common/files.hpp"

namespace course {

namespace {

// "ch04" -> "04": the number in a chapter id.
std::string chapter_number(const std::string& id) {
  std::string digits;
  for (char c : id)
    if (c >= '0' && c <= '9') digits += c;
  return digits;
}

// The folder name of chapter `id` ("ch04" -> "04_xor"), found by looking for
// chapters/04_* in the repository; the id itself when there is no such folder.
std::string chapter_folder(const std::string& id) {
  const std::string number = chapter_number(id);
  std::error_code ec;
  const fs::path chapters = source_dir() / "chapters";
  if (!number.empty() && fs::is_directory(chapters, ec)) {
    std::string best;
    for (const fs::directory_entry& entry : fs::directory_iterator(chapters, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && name.rfind(number + "_", 0) == 0 && (best.empty() || name < best)) best = name;
    }
    if (!best.empty()) return best;
  }
  return id;
}

std::string format_number(double value) {
  std::ostringstream s;
  if (value == std::floor(value) && std::abs(value) < 1e15)
    s << static_cast<long long>(value);  // 1000000, not 1e+06
  else
    s << value;
  return s.str();
}

// A range check with a message that says what is allowed, e.g.
//   --lr: must be in (0, 100], got -1
// (CLI11 puts the flag's name in front). Doubles and integers alike.
CLI::Validator in_range(double lo, double hi, bool lo_open = false) {
  const std::string interval = std::string(lo_open ? "(" : "[") + format_number(lo) + ", " + format_number(hi) + "]";
  return CLI::Validator(
      [=](std::string& input) -> std::string {
        double value = 0;
        std::size_t used = 0;
        try {
          value = std::stod(input, &used);
        } catch (const std::exception&) {
          return "must be a number in " + interval + ", got '" + input + "'";
        }
        if (used != input.size()) return "must be a number in " + interval + ", got '" + input + "'";
        const bool low_ok = lo_open ? value > lo : value >= lo;
        if (!low_ok || value > hi) return "must be in " + interval + ", got " + input;
        return std::string{};
      },
      "in " + interval, "RANGE");
}

CLI::Validator one_of(const std::vector<std::string>& allowed) {
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : "|") + a;
  return CLI::Validator(
      [=](std::string& input) -> std::string {
        for (const std::string& a : allowed)
          if (input == a) return std::string{};
        return "must be one of " + list + ", got '" + input + "'";
      },
      list, "ONE_OF");
}

std::string plot_mode_name(PlotMode mode) {
  switch (mode) {
    case PlotMode::png:
      return "png";
    case PlotMode::window:
      return "window";
    case PlotMode::none:
      return "none";
  }
  return "png";
}

}  // namespace

std::string display_path(const fs::path& path) {
  std::error_code ec;
  const fs::path relative = fs::proximate(path, ec);
  if (ec || relative.empty()) return path.string();
  const std::string text = relative.string();
  if (text.rfind("..", 0) == 0) return path.string();
  return text;
}

fs::path source_dir() {
#ifdef COURSE_SOURCE_DIR
  return fs::path(COURSE_SOURCE_DIR);
#else
  return fs::current_path();
#endif
}

// The default folder of the outputs: out/ of the repository, out/workspace/ in a learner's workspace build
// (common/CMakeLists.txt), so that the learner's programs never overwrite the reference's figures.
static fs::path default_out_dir() {
#ifdef COURSE_OUT_DIR
  return fs::path(COURSE_OUT_DIR);
#else
  return source_dir() / "out";
#endif
}

fs::path default_data_dir() {
  if (const char* env = std::getenv("COURSE_DATA_DIR"); env && *env) return fs::path(env);
  return source_dir() / "datasets" / "mnist";
}

Chapter::Chapter(std::string id, std::string title, Options defaults)
    : id_(std::move(id)), title_(std::move(title)), options_(std::move(defaults)), app_(title_, id_) {
  if (options_.data_dir.empty()) options_.data_dir = default_data_dir();
  if (options_.out.empty()) options_.out = default_out_dir() / chapter_folder(id_);
  plot_name_ = plot_mode_name(options_.plot);

  app_.option_defaults()->always_capture_default();
  app_.failure_message([id = id_](const CLI::App*, const CLI::Error& e) {
    return id + ": error: " + std::string(e.what()) + "\nRun with --help for more information.\n";
  });

  app_.add_option("--seed", options_.seed, "seed of every random number of the run (same seed, same run)");
  app_.add_option("--epochs", options_.epochs, "passes over the training data")->check(in_range(1, 1000000));
  app_.add_option("--lr", options_.lr, "learning rate α")->check(in_range(0, 100, /*lo_open=*/true));
  app_.add_option("--batch-size", options_.batch_size, "examples per mini-batch")->check(in_range(1, 60000));
  app_.add_option("--data-dir", options_.data_dir, "folder of the MNIST IDX files (or set COURSE_DATA_DIR)");
  app_.add_option("--dataset", options_.dataset,
                  "data set: mnist, fashion (Fashion-MNIST) or sample (the embedded one)")
      ->check(one_of({"mnist", "fashion", "sample"}));
  app_.add_option("--out", options_.out, "folder for the figures, CSV files and logs");
  app_.add_flag("--quick", options_.quick, "the embedded MNIST sample and short runs (what the tests use)");
  app_.add_option("--plot", plot_name_, "figures: png files, a window (and png files), or none (CSV only)")
      ->check(one_of({"png", "window", "none"}));
}

int Chapter::run(int argc, char** argv, const std::function<void(const Options&)>& body) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app_.exit(e);  // --help prints the help and exits with 0; a bad flag prints its message, non-zero
  }
  options_.plot = plot_name_ == "window" ? PlotMode::window : plot_name_ == "none" ? PlotMode::none : PlotMode::png;

  try {
    ensure_directory(options_.out);
    seed_everything(options_.seed);
    std::cout << "== " << id_ << ": " << title_ << " ==\n"
              << "   seed " << options_.seed << (options_.quick ? ", --quick (embedded sample, short runs)" : "")
              << ", output in " << display_path(options_.out) << "\n"
              << std::endl;
    if (blas_threads_ > 0 && !set_blas_threads(blas_threads_))
      std::cout << "(not OpenBLAS: --blas-threads has no effect)\n";
    body(options_);
    std::cout.flush();
    return 0;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << id_ << ": error: " << e.what() << std::endl;
  } catch (...) {
    std::cout.flush();
    std::cerr << id_ << ": error: unknown exception" << std::endl;
  }
  return 1;
}

void Chapter::add_blas_threads_option(const std::string& help) {
  blas_threads_ = 1;
  app_.add_option("--blas-threads", blas_threads_, help)->check(CLI::Range(1, 64));
}

void Chapter::summary(const std::string& line) {
  std::cout << "\n" << id_ << " summary: " << line << std::endl;
  write_file_atomically(options_.out / "summary.txt", [&](std::ostream& out) { out << line << "\n"; });
}

}  // namespace course
