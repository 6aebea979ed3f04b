// The command line every chapter shares (course::Chapter): range checks with messages
// that name the flag, --help, error handling, seeding, the summary file.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/chapter.hpp"
#include "common/data.hpp"
#include "tests/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;

// Every test of this file writes under one temporary folder, removed when the program ends.
const course::test_support::TempFolder temp_folder("cli");
fs::path test_out(const std::string& name) { return temp_folder.root() / name; }

struct Result {
  int code = -1;
  bool body_ran = false;
  course::Options options;
  std::string out, err;
};

// Runs a chapter program's command line: Chapter::run with argv = {"chXX", args...}.
Result run_chapter(std::vector<std::string> args, const std::function<void(const course::Options&)>& body = {},
                   course::Options defaults = {}, bool with_blas_threads = false) {
  Result r;
  course::Chapter chapter("ch99", "Test chapter", defaults);
  if (with_blas_threads) chapter.add_blas_threads_option();
  args.insert(args.begin(), "ch99");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  r.code = chapter.run(int(args.size()), argv.data(), [&](const course::Options& opt) {
    r.body_ran = true;
    r.options = opt;
    if (body) body(opt);
  });
  r.out = testing::internal::GetCapturedStdout();
  r.err = testing::internal::GetCapturedStderr();
  return r;
}

void expect_rejected(const std::vector<std::string>& args, const std::string& flag) {
  std::vector<std::string> full = args;
  full.push_back("--out");
  full.push_back(test_out("rejected").string());
  const Result r = run_chapter(full);
  std::string shown;
  for (const auto& a : args) shown += a + " ";
  EXPECT_NE(r.code, 0) << shown;
  EXPECT_FALSE(r.body_ran) << shown;
  EXPECT_NE(r.err.find(flag), std::string::npos) << shown << "-> stderr: " << r.err;
  EXPECT_NE(r.err.find("ch99: error:"), std::string::npos) << r.err;
}

TEST(CommonCli, RejectsOutOfRangeValuesNamingTheFlag) {
  expect_rejected({"--lr", "-1"}, "--lr");
  expect_rejected({"--lr", "0"}, "--lr");
  expect_rejected({"--lr", "1000"}, "--lr");
  expect_rejected({"--lr", "fast"}, "--lr");
  expect_rejected({"--epochs", "0"}, "--epochs");
  expect_rejected({"--epochs", "-5"}, "--epochs");
  expect_rejected({"--batch-size", "0"}, "--batch-size");
  expect_rejected({"--batch-size", "100000"}, "--batch-size");
  expect_rejected({"--plot", "foo"}, "--plot");
  expect_rejected({"--dataset", "cifar"}, "--dataset");
}

// OpenBLAS's thread count as the library reports it (-1 on another BLAS).
int openblas_threads() {
  using Getter = int (*)();
  auto getter = reinterpret_cast<Getter>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return getter == nullptr ? -1 : getter();
}

TEST(CommonCli, BlasThreadsIsAChaptersOptionCheckedAndAppliedBeforeTheBody) {
  const std::string out = test_out("blas").string();
  for (const char* bad : {"0", "65", "two"}) {
    const Result r = run_chapter({"--blas-threads", bad, "--out", out}, {}, {}, true);
    EXPECT_NE(r.code, 0) << bad;
    EXPECT_FALSE(r.body_ran) << bad;
    EXPECT_NE(r.err.find("--blas-threads"), std::string::npos) << r.err;
  }
  // A chapter that did not ask for the flag does not have it.
  const Result without = run_chapter({"--blas-threads", "1", "--out", out});
  EXPECT_NE(without.code, 0);
  EXPECT_NE(without.err.find("--blas-threads"), std::string::npos) << without.err;

  if (openblas_threads() < 0) GTEST_SKIP() << "the BLAS is not OpenBLAS";
  int seen_in_body = 0;
  const Result two = run_chapter(
      {"--blas-threads", "2", "--out", out}, [&](const course::Options&) { seen_in_body = openblas_threads(); }, {},
      true);
  EXPECT_EQ(two.code, 0) << two.err;
  EXPECT_EQ(seen_in_body, 2);
  const Result by_default = run_chapter(
      {"--out", out}, [&](const course::Options&) { seen_in_body = openblas_threads(); }, {}, true);
  EXPECT_EQ(by_default.code, 0) << by_default.err;
  EXPECT_EQ(seen_in_body, 1);
}

TEST(CommonCli, RejectsUnknownFlags) {
  const Result r = run_chapter({"--no-such-flag"});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

TEST(CommonCli, AcceptsValidValues) {
  const fs::path out = test_out("valid");
  const Result r = run_chapter({"--lr", "100", "--epochs", "3", "--batch-size", "60000", "--plot", "none", "--dataset",
                                "fashion", "--quick", "--seed", "7", "--out", out.string(), "--data-dir", "/nowhere"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(r.body_ran);
  EXPECT_EQ(r.options.lr, 100);
  EXPECT_EQ(r.options.epochs, 3);
  EXPECT_EQ(r.options.batch_size, 60000);
  EXPECT_EQ(r.options.plot, course::PlotMode::none);
  EXPECT_EQ(r.options.dataset, "fashion");
  EXPECT_TRUE(r.options.quick);
  EXPECT_EQ(r.options.seed, 7u);
  EXPECT_EQ(r.options.data_dir, fs::path("/nowhere"));
  EXPECT_TRUE(fs::is_directory(out)) << "--out is created";
  EXPECT_NE(r.out.find("ch99"), std::string::npos) << "the header names the chapter: " << r.out;
}

TEST(CommonCli, ChapterDefaultsAndDefaultFolders) {
  const Result r =
      run_chapter({"--out", test_out("defaults").string()}, {}, {.epochs = 5000, .lr = 0.5, .batch_size = 4});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.options.epochs, 5000);
  EXPECT_EQ(r.options.lr, 0.5);
  EXPECT_EQ(r.options.batch_size, 4);
  EXPECT_EQ(r.options.plot, course::PlotMode::png);
  EXPECT_EQ(r.options.dataset, "mnist");

  course::Chapter tour("ch00", "Tour");
  EXPECT_EQ(tour.options().out.parent_path(), course::source_dir() / "out");
  EXPECT_EQ(tour.options().out.filename().string().substr(0, 3), "00_") << tour.options().out;
  EXPECT_EQ(tour.options().data_dir, course::default_data_dir());
}

TEST(CommonCli, HelpListsTheSharedFlags) {
  const Result r = run_chapter({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_FALSE(r.body_ran);
  for (const char* flag :
       {"--seed", "--epochs", "--lr", "--batch-size", "--data-dir", "--dataset", "--out", "--quick", "--plot"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag << " missing from --help:\n" << r.out;
}

TEST(CommonCli, ExceptionsBecomeAnErrorLineAndExitCode1) {
  const Result r = run_chapter({"--out", test_out("throws").string()},
                               [](const course::Options&) { throw std::runtime_error("cannot open data/x.idx"); });
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("ch99: error: cannot open data/x.idx"), std::string::npos) << r.err;
}

TEST(CommonCli, SameSeedSameNumbers) {
  auto draw = [](const std::string& seed) {
    std::vector<double> numbers;
    const Result r = run_chapter({"--seed", seed, "--out", test_out("seed").string()}, [&](const course::Options&) {
      for (int i = 0; i < 3; ++i) numbers.push_back(double(course::rng()()));
      arma::vec u(4, arma::fill::randu);
      arma::vec n(4, arma::fill::randn);
      for (double v : u) numbers.push_back(v);
      for (double v : n) numbers.push_back(v);
    });
    EXPECT_EQ(r.code, 0) << r.err;
    return numbers;
  };
  const std::vector<double> a = draw("123"), b = draw("123"), c = draw("124");
  ASSERT_EQ(a.size(), 11u);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);

  course::seed_everything(5);
  const auto first = course::rng()();
  const double u1 = arma::randu();
  course::seed_everything(5);
  EXPECT_EQ(course::rng()(), first);
  EXPECT_EQ(arma::randu(), u1);
}

TEST(CommonCli, SummaryWritesOneLine) {
  const fs::path out = test_out("summary");
  course::Chapter chapter("ch99", "Test chapter");
  std::vector<std::string> args = {"ch99", "--out", out.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  testing::internal::CaptureStdout();
  const int code = chapter.run(int(argv.size()), argv.data(),
                               [&](const course::Options&) { chapter.summary("97.5% test accuracy"); });
  const std::string printed = testing::internal::GetCapturedStdout();
  ASSERT_EQ(code, 0);
  std::ifstream in(out / "summary.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "97.5% test accuracy");
  EXPECT_NE(printed.find("97.5% test accuracy"), std::string::npos);
}

}  // namespace
