// History (the per-epoch CSV), Progress (never fails, prints plain lines in tests) and check_finite.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "common/progress.hpp"

namespace {

namespace fs = std::filesystem;

std::vector<std::vector<std::string>> read_csv(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream s(line);
    std::string field;
    while (std::getline(s, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

TEST(CommonProgress, HistoryCsvRoundTrip) {
  course::History history;
  const double nan = course::EpochRecord::none;
  history.add({.epoch = 1, .train_cost = 0.693147, .dev_accuracy = 0.5});
  history.add({.epoch = 2, .train_cost = 0.25, .dev_accuracy = 0.875});
  history.add({.epoch = 3, .learning_rate = 0.01, .train_cost = 0.125, .dev_accuracy = 0.9375});  // measured late
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history.epochs(), (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(history.column(&course::EpochRecord::train_cost), (std::vector<double>{0.693147, 0.25, 0.125}));
  EXPECT_EQ(history.back().dev_accuracy, 0.9375);
  EXPECT_TRUE(std::isnan(history.records()[0].learning_rate) && std::isnan(nan));
  EXPECT_THROW(course::History().back(), std::out_of_range);

  const fs::path file = fs::temp_directory_path() / ("course_test_history_" + std::to_string(::getpid()) + ".csv");
  history.write_csv(file);
  const auto rows = read_csv(file);
  fs::remove(file);
  ASSERT_EQ(rows.size(), 4u);
  // only the metrics some epoch measured, in EpochRecord's order
  EXPECT_EQ(rows[0], (std::vector<std::string>{"epoch", "learning_rate", "train_cost", "dev_accuracy"}));
  EXPECT_EQ(rows[1][0], "1");
  EXPECT_EQ(rows[1][1], "nan");  // epochs before the metric was measured
  EXPECT_DOUBLE_EQ(std::stod(rows[1][2]), 0.693147);
  EXPECT_DOUBLE_EQ(std::stod(rows[2][3]), 0.875);
  EXPECT_DOUBLE_EQ(std::stod(rows[3][1]), 0.01);
}

TEST(CommonProgress, CheckFiniteNamesEpochAndQuantity) {
  EXPECT_NO_THROW(course::check_finite(0.5, "cost", 3));
  try {
    course::check_finite(std::numeric_limits<double>::quiet_NaN(), "cost", 12);
    FAIL() << "NaN passed";
  } catch (const course::TrainingDiverged& e) {  // its own type: a lesson tells it from other errors
    EXPECT_STREQ(e.what(), "training diverged at epoch 12: cost is nan; try a smaller --lr");
  }
  EXPECT_THROW(course::check_finite(std::numeric_limits<double>::infinity(), "cost", 1), course::TrainingDiverged);
}

TEST(CommonProgress, PlainLinesWhenNotATerminal) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  course::Progress progress("epoch", 20);
  for (int e = 1; e <= 20; ++e) progress.update(e, {{"cost", 1.0 / e}});
  progress.finish();
  const std::string out = testing::internal::GetCapturedStdout();
  const std::string err = testing::internal::GetCapturedStderr();
  if (::isatty(::fileno(stderr))) GTEST_SKIP() << "stderr is a terminal: the bar is drawn instead";
  EXPECT_NE(out.find("epoch 20/20"), std::string::npos) << out;
  EXPECT_NE(out.find("cost 0.05"), std::string::npos) << out;
  // every 10 %: about 10 lines, not 20
  const auto lines = std::count(out.begin(), out.end(), '\n');
  EXPECT_LE(lines, 11) << out;
  EXPECT_GE(lines, 5) << out;
}

TEST(CommonProgress, QuietPrintsNothing) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  course::Progress progress("step", 5, /*quiet=*/true);
  for (int s = 1; s <= 5; ++s) progress.update(s);
  progress.finish();
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
