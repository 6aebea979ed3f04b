// common/format.hpp: the one way the course turns numbers into text.
#include "common/format.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace {

using course::csv_number;
using course::format_percent;
using course::format_value;
using course::pad;

TEST(CommonFormat, FormatValueFollowsItsPrintfFormat) {
  EXPECT_EQ(format_value("%.4f", 0.12345), "0.1235");
  EXPECT_EQ(format_value("%.2e", 2.2e-8), "2.20e-08");
  EXPECT_EQ(format_value("%.0f", 99.6), "100");
  EXPECT_EQ(format_percent(0.9512), "95.12%");
}

TEST(CommonFormat, CsvNumbersKeepTenSignificantDigitsAndSpellOutNanAndInf) {
  EXPECT_EQ(csv_number(0.1), "0.1");
  EXPECT_EQ(csv_number(1.0 / 3.0), "0.3333333333");
  EXPECT_EQ(csv_number(123456789012.0), "1.23456789e+11");
  EXPECT_EQ(csv_number(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(csv_number(INFINITY), "inf");
  EXPECT_EQ(csv_number(-INFINITY), "-inf");
  // Ten digits read back to within a relative 5e-10: enough for every figure's data.
  const double x = 0.0123456789123;
  EXPECT_NEAR(std::stod(csv_number(x)), x, 5e-10 * x);
}

TEST(CommonFormat, PadCountsCharactersOnScreenNotBytes) {
  EXPECT_EQ(pad("α", 3), "α  ");
  EXPECT_EQ(pad("abc", 2), "abc");
}

}  // namespace
