// How an exercise's test says which part of an answer is wrong (./course check shows the message).
//
// An answer with several parts (dw and db, or Z1, A1, Z2 and A2) is compared part by part, and each wrong
// part says how it is wrong: its first wrong element, or the factor it is off by when that factor is clean
// ("dw is m = 9 times too large: is the 1/m missing?"), or the constant it is off by.
//
//     EXPECT_PARTS(course::test::close_parts({{"dw", g.dw, numeric_dw}, {"db", g.db, numeric_db}}, 1e-7, m));
//     EXPECT_PARTS(course::test::equal_parts({{"Z1", f.Z1, Z1}, {"A1", f.A1, A1}}, 1e-10));
//
// close_parts: each part's relative error (common/numerical.hpp) at most `tolerance` (gradients against
// numerical ones); equal_parts: each element within `tolerance` of the expected one (hand-computed values).
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "common/numerical.hpp"

namespace course::test {

struct Part {
  Part(std::string name_, const arma::mat& got_, const arma::mat& expected_)
      : name(std::move(name_)), got(got_), expected(expected_) {}
  Part(std::string name_, double got_, double expected_)
      : name(std::move(name_)),
        got(arma::mat(1, 1, arma::fill::value(got_))),
        expected(arma::mat(1, 1, arma::fill::value(expected_))) {}
  std::string name;  // as the lesson calls it: "dw", "Z1"
  arma::mat got;     // the answer's
  arma::mat expected;
};

inline std::string number(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", x);
  return text;
}

inline std::string shape(const arma::mat& m) { return std::to_string(m.n_rows) + "x" + std::to_string(m.n_cols); }

inline std::string element(const Part& p, arma::uword i) {
  if (p.got.n_elem == 1) return p.name;
  if (p.got.n_rows == 1 || p.got.n_cols == 1) return p.name + "(" + std::to_string(i) + ")";
  return p.name + "(" + std::to_string(i % p.got.n_rows) + ", " + std::to_string(i / p.got.n_rows) + ")";
}

// c when got = c · expected in every element (to 1e-4 relatively, enough for a numerical gradient), else 0.
inline double clean_factor(const arma::mat& got, const arma::mat& expected) {
  const double scale = arma::abs(expected).max();
  if (scale == 0.0) return 0.0;
  double c = 0.0;
  for (arma::uword i = 0; i < got.n_elem; ++i) {
    if (std::abs(expected(i)) < 1e-6 * scale) continue;
    if (c == 0.0) c = got(i) / expected(i);
  }
  for (arma::uword i = 0; i < got.n_elem; ++i) {
    if (std::abs(got(i) - c * expected(i)) > 1e-4 * std::abs(c) * scale) return 0.0;
  }
  return c;
}

// What a clean factor c suggests, given the m examples of the batch (0: not a batch).
inline std::string factor_words(const std::string& name, double c, double m) {
  const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-3 * std::abs(b); };
  if (m > 1 && near(c, m)) return name + " is m = " + number(m) + " times too large: is the 1/m missing?";
  if (m > 1 && near(c, 1.0 / m)) return name + " is m = " + number(m) + " times too small: is it divided by m twice?";
  if (near(c, -1.0)) return name + " has the wrong sign";
  return name + " is " + number(c) + " times what it should be";
}

// Why one part is wrong, or "" when it is right (within `tolerance`, relative or absolute).
inline std::string what_is_wrong(const Part& p, double tolerance, bool relative, double m) {
  if (p.got.n_rows != p.expected.n_rows || p.got.n_cols != p.expected.n_cols) {
    return p.name + " is " + shape(p.got) + " but should be " + shape(p.expected);
  }
  if (!p.got.is_finite()) {
    const arma::uvec bad = arma::find_nonfinite(p.got);
    return element(p, bad(0)) + " is " + number(p.got(bad(0))) + " (not a finite number)";
  }
  const arma::mat error = arma::abs(p.got - p.expected);
  const double rel = course::relative_error(p.got, p.expected);
  if ((relative ? rel : error.max()) <= tolerance) return "";
  std::string why =
      p.name + ": " + (relative ? "relative error " + number(rel) + " > " + number(tolerance) + ": " : "");
  const double c = clean_factor(p.got, p.expected);
  const arma::mat offset = p.got - p.expected;
  if (arma::abs(p.got).max() == 0.0) return why + p.name + " is all zeros";
  const auto near = [](double a, double b) { return std::abs(a - b) <= 1e-3 * std::abs(b); };
  const bool telling = (m > 1 && (near(c, m) || near(c, 1.0 / m))) || near(c, -1.0);  // for a single number
  if (c != 0.0 && std::abs(c - 1.0) > 1e-3 && (p.got.n_elem > 1 || telling)) return why + factor_words(p.name, c, m);
  if (p.got.n_elem > 1 && offset.max() - offset.min() <= tolerance + 1e-12 * arma::abs(p.expected).max()) {
    return why + "every element of " + p.name + " is " + number(std::abs(offset(0))) +
           (offset(0) > 0 ? " too large" : " too small");
  }
  const arma::uvec off = arma::find(error > (relative ? tolerance * arma::abs(p.expected).max() : tolerance));
  const arma::uword first = off.is_empty() ? error.index_max() : off(0);
  const arma::uword wrong = std::max<arma::uword>(off.n_elem, 1);
  why += element(p, first) + " is " + number(p.got(first)) + " but should be " + number(p.expected(first));
  if (p.got.n_elem > 1)
    why += " (" + std::to_string(wrong) + " of its " + std::to_string(p.got.n_elem) + " elements are wrong)";
  return why;
}

inline ::testing::AssertionResult report(const std::vector<Part>& parts, double tolerance, bool relative, double m) {
  std::string wrong, right;
  for (const Part& p : parts) {
    const std::string why = what_is_wrong(p, tolerance, relative, m);
    if (!why.empty()) {
      wrong += (wrong.empty() ? "" : "\n") + why;
    } else {
      right += (right.empty() ? "" : ", ") + p.name;
    }
  }
  if (wrong.empty()) return ::testing::AssertionSuccess();
  if (!right.empty()) wrong += "\n(right: " + right + ")";
  return ::testing::AssertionFailure() << wrong;
}

// Each part's relative error at most `tolerance`; m: the batch's number of examples (to name a factor m).
inline ::testing::AssertionResult close_parts(const std::vector<Part>& parts, double tolerance, double m = 0) {
  return report(parts, tolerance, true, m);
}

// Each part's every element within `tolerance` of the expected one.
inline ::testing::AssertionResult equal_parts(const std::vector<Part>& parts, double tolerance, double m = 0) {
  return report(parts, tolerance, false, m);
}

// A common mistake in an answer: the value the answer gives when it makes it, and what to say about it.
struct Mistake {
  double value;
  std::string why;
};

// ": <why>" for the mistake whose value `got` is within `relative` (relatively) of, the nearest one when several
// are, or "" (for a number a test measures: "the variance is the square of what was expected: is the √ missing?").
//     EXPECT_NEAR(v, expected, tol) << diagnosis(v, {{expected * expected, "..."}, {expected / 2, "..."}}, 0.1);
inline std::string diagnosis(double got, const std::vector<Mistake>& mistakes, double relative) {
  const Mistake* best = nullptr;
  double nearest = relative;
  for (const Mistake& m : mistakes) {
    const double off = std::abs(got - m.value) / std::max(std::abs(m.value), 1e-300);
    if (off <= nearest) {
      nearest = off;
      best = &m;
    }
  }
  return best ? ": " + best->why : "";
}

inline ::testing::AssertionResult as_is(const char*, const ::testing::AssertionResult& result) { return result; }

}  // namespace course::test

// A failure whose message is the report alone (more can be streamed: EXPECT_PARTS(...) << "trial " << k).
#define EXPECT_PARTS(result) EXPECT_PRED_FORMAT1(::course::test::as_is, result)
