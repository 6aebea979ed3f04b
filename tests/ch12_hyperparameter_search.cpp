// Chapter 12: the samplers, the grid, random search, coarse to fine, trials on
// several threads, the best-so-far curve.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "chapters/12_hyperparameter_search/mnist_trial.hpp"
#include "chapters/12_hyperparameter_search/search.hpp"
#include "messages.hpp"

using namespace course;
using namespace course::ch12;
using test_support::message_of;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Five standard deviations of a fraction estimated from n draws, p(1 − p)/n its variance:
// a correct sampler fails such a check about once in 1.7 million runs (and the seeds are fixed).
double five_sigma(double p, std::size_t n) { return 5 * std::sqrt(p * (1 - p) / double(n)); }

// A cheap objective that uses both generators of a trial: Armadillo's (as the
// initialisers do) and the trial's own (as the shuffling does).
Outcome noisy(const Config& c, std::uint64_t, std::mt19937_64& gen) {
  const double from_armadillo = arma::randu<double>();
  const double from_gen = std::uniform_real_distribution<double>(0, 1)(gen);
  return {c[0] + from_armadillo, from_gen};
}

std::vector<Trial> with_scores(const std::vector<double>& scores) {
  std::vector<Trial> trials(scores.size());
  for (std::size_t i = 0; i < scores.size(); ++i) trials[i].index = int(i), trials[i].outcome.score = scores[i];
  return trials;
}

void expect_same_trials(const std::vector<Trial>& a, const std::vector<Trial>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t t = 0; t < a.size(); ++t) {
    EXPECT_EQ(a[t].index, b[t].index);
    EXPECT_EQ(a[t].config, b[t].config);
    EXPECT_EQ(a[t].seed, b[t].seed);
    EXPECT_EQ(a[t].outcome.score, b[t].outcome.score) << "trial " << t;  // bit for bit
    EXPECT_EQ(a[t].outcome.cost, b[t].outcome.cost) << "trial " << t;
  }
}

}  // namespace

// ---------------------------------------------------------------- the log-uniform sampler (exercise)

TEST(ch12_log_uniform, PutsAQuarterOfTheDrawsInEachOfFourDecades) {
  std::mt19937_64 gen(12);
  const std::size_t n = 40000;
  std::vector<double> draws;
  for (std::size_t i = 0; i < n; ++i) draws.push_back(log_uniform(1e-4, 1.0, gen));
  const std::vector<double> f = decade_fractions(draws, -4, 0);
  const double tolerance = five_sigma(0.25, n);  // 0.0108 for n = 40,000
  for (std::size_t d = 0; d < 4; ++d) EXPECT_NEAR(f[d], 0.25, tolerance) << "decade 10^" << int(d) - 4;
  EXPECT_NEAR(f[0] + f[1] + f[2] + f[3], 1.0, 1e-12);  // every draw inside [10⁻⁴, 1]
}

TEST(ch12_log_uniform, EveryFactorOfTwoGetsTheSameShare) {
  // [1, 1024] is ten octaves: a tenth of the draws in each [2^k, 2^(k+1)).
  std::mt19937_64 gen(3);
  const std::size_t n = 50000;
  std::vector<double> count(10, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = log_uniform(1.0, 1024.0, gen);
    ASSERT_GE(x, 1.0);
    ASSERT_LE(x, 1024.0);
    count[std::min<std::size_t>(9, std::size_t(std::floor(std::log2(x))))] += 1;
  }
  for (double c : count) EXPECT_NEAR(c / double(n), 0.1, five_sigma(0.1, n));
}

TEST(ch12_log_uniform, TheSameSeedGivesTheSameDraws) {
  std::mt19937_64 a(5), b(5), c(6);
  std::vector<double> da, db, dc;
  for (int i = 0; i < 10; ++i)
    da.push_back(log_uniform(1e-3, 10, a)), db.push_back(log_uniform(1e-3, 10, b)),
        dc.push_back(log_uniform(1e-3, 10, c));
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(Ch12LogUniform, RejectsARangeThatIsNotPositiveAndIncreasingByName) {
  std::mt19937_64 gen(1);
  EXPECT_NE(message_of([&] { log_uniform(0.0, 1.0, gen); }).find("log_uniform: expected 0 < lo < hi, got [0, 1]"),
            std::string::npos);
  EXPECT_NE(message_of([&] { log_uniform(1.0, 0.1, gen); }).find("got [1, 0.1]"), std::string::npos);
}

TEST(Ch12Samplers, AUniformLearningRateSpendsNinetyPercentInTheTopDecade) {
  // The reason for the log scale: U(10⁻⁴, 1) puts (1 − 0.1)/(1 − 10⁻⁴) = 90.01% in [0.1, 1].
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> uniform(1e-4, 1.0);
  const std::size_t n = 40000;
  std::vector<double> draws;
  for (std::size_t i = 0; i < n; ++i) draws.push_back(uniform(gen));
  const std::vector<double> f = decade_fractions(draws, -4, 0);
  EXPECT_NEAR(f[3], 0.9 / (1 - 1e-4), five_sigma(0.9, n));
  EXPECT_NEAR(f[2], 0.09 / (1 - 1e-4), five_sigma(0.09, n));
}

TEST(Ch12Samplers, DecadeFractionsOfKnownValues) {
  const std::vector<double> f = decade_fractions({1e-4, 5e-4, 2e-2, 0.5, 1.0, 3.0, -1.0, 0.0}, -4, 0);
  ASSERT_EQ(f.size(), 4u);
  EXPECT_DOUBLE_EQ(f[0], 2.0 / 8);  // 10⁻⁴, 5·10⁻⁴
  EXPECT_DOUBLE_EQ(f[1], 0.0);
  EXPECT_DOUBLE_EQ(f[2], 1.0 / 8);  // 0.02
  EXPECT_DOUBLE_EQ(f[3], 2.0 / 8);  // 0.5 and 1 (the top end counts in the top decade); 3, −1 and 0 are outside
}

TEST(Ch12Samplers, MomentumBetaFromOneMinusALogUniformHalvesAtPointNineNine) {
  // β = 1 − 10^U(−3, −1): as many β in [0.9, 0.99) as in [0.99, 0.999].
  const Dimension beta{"β", 0.9, 0.999, Scale::one_minus_log, false};
  std::mt19937_64 gen(9);
  const std::size_t n = 20000;
  double high = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double b = sample(beta, gen);
    ASSERT_GE(b, 0.9 - 1e-12);
    ASSERT_LE(b, 0.999 + 1e-12);
    high += b >= 0.99;
  }
  EXPECT_NEAR(high / double(n), 0.5, five_sigma(0.5, n));
}

TEST(Ch12Samplers, HiddenUnitsAreWholeNumbersInTheirRange) {
  const Dimension hidden{"hidden units", 50, 2000, Scale::log, true};
  std::mt19937_64 gen(2);
  for (int i = 0; i < 1000; ++i) {
    const double h = sample(hidden, gen);
    EXPECT_EQ(h, std::round(h));
    EXPECT_GE(h, 50);
    EXPECT_LE(h, 2000);
  }
}

TEST(Ch12Samplers, EveryScaleMapsItsEndsToZeroAndOneAndBack) {
  for (const Dimension& d : {Dimension{"a", -2, 3, Scale::linear, false}, Dimension{"α", 1e-4, 1, Scale::log, false},
                             Dimension{"β", 0.9, 0.999, Scale::one_minus_log, false}}) {
    EXPECT_NEAR(to_unit(d, d.lo), 0.0, 1e-12) << d.name;
    EXPECT_NEAR(to_unit(d, d.hi), 1.0, 1e-9) << d.name;
    EXPECT_NEAR(to_unit(d, from_unit(d, 0.3)), 0.3, 1e-9) << d.name;
  }
  // The middle of a log scale is the geometric mean; of 1 − β's, 1 − √(0.1·0.001) = 0.99.
  EXPECT_NEAR(from_unit({"α", 1e-4, 1, Scale::log, false}, 0.5), 1e-2, 1e-15);
  EXPECT_NEAR(from_unit({"β", 0.9, 0.999, Scale::one_minus_log, false}, 0.5), 0.99, 1e-12);
}

TEST(Ch12Samplers, ABadDimensionIsRejectedByName) {
  std::mt19937_64 gen(1);
  EXPECT_NE(message_of([&] {
              sample({"hidden units", 100, 10, Scale::log, true}, gen);
            }).find("'hidden units'"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              sample({"momentum β", 0.9, 1.0, Scale::one_minus_log, false}, gen);
            }).find("hyperparameter 'momentum β' (1 − x on a log scale)"),
            std::string::npos);
}

// ---------------------------------------------------------------- the grid

TEST(ch12_grid_configs, EnumeratesTheFullProductWithTheLastDimensionFastest) {
  const Space space = {{"a", 0, 1, Scale::linear, false}, {"b", 0, 3, Scale::linear, false}};
  const std::vector<Config> configs = grid_configs(space, {2, 3});
  // a: centres of 2 cells of [0, 1] = 0.25, 0.75; b: of 3 cells of [0, 3] = 0.5, 1.5, 2.5.
  const std::vector<Config> expected = {{0.25, 0.5}, {0.25, 1.5}, {0.25, 2.5}, {0.75, 0.5}, {0.75, 1.5}, {0.75, 2.5}};
  ASSERT_EQ(configs.size(), expected.size());
  for (std::size_t t = 0; t < expected.size(); ++t) {
    EXPECT_DOUBLE_EQ(configs[t][0], expected[t][0]) << "configuration " << t;
    EXPECT_DOUBLE_EQ(configs[t][1], expected[t][1]) << "configuration " << t;
  }
}

TEST(ch12_grid_configs, ThreeDimensionsGiveEveryCombinationOnce) {
  const Space space = mnist_space();
  const std::vector<Config> configs = grid_configs(space, {4, 2, 3});
  EXPECT_EQ(configs.size(), 24u);
  EXPECT_EQ(grid_budget({4, 2, 3}), 24);
  std::set<Config> unique(configs.begin(), configs.end());
  EXPECT_EQ(unique.size(), 24u);
  // The first dimension is outermost: it changes every 2·3 = 6 configurations.
  for (std::size_t t = 0; t < configs.size(); ++t) EXPECT_EQ(configs[t][0], configs[t / 6 * 6][0]);
}

TEST(ch12_grid_configs, ConfigurationTIsTWrittenInTheMixedRadixOfTheLevels) {
  // Levels (2, 3, 4): configuration t = (i·3 + j)·4 + k holds value i of the first dimension, j of the second,
  // k of the third, for every t; a dimension with one level keeps its one value throughout.
  const Space space = {{"a", 0, 2, Scale::linear, false},
                       {"b", 0, 3, Scale::linear, false},
                       {"c", 1e-4, 1, Scale::log, false},
                       {"d", 0, 1, Scale::linear, false}};
  const std::vector<int> levels = {2, 3, 4, 1};
  const std::vector<Config> configs = grid_configs(space, levels);
  ASSERT_EQ(configs.size(), 24u);
  std::vector<std::vector<double>> values;
  for (std::size_t j = 0; j < space.size(); ++j) values.push_back(grid_values(space[j], levels[j]));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 4; ++k) {
        const std::size_t t = (i * 3 + j) * 4 + k;
        const Config expected = {values[0][i], values[1][j], values[2][k], values[3][0]};
        EXPECT_EQ(configs[t], expected) << "configuration " << t << " should be (" << i << ", " << j << ", " << k
                                        << ", 0)";
      }
}

TEST(ch12_grid_configs, OneLevelEachIsOneConfigurationAtTheCentres) {
  const std::vector<Config> one = grid_configs(mnist_space(), {1, 1, 1});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_NEAR(one[0][0], 0.1, 1e-12);                     // the middle of [10⁻³, 10] on the log scale
  EXPECT_EQ(one[0][1], 64);                               // of [16, 256]
  EXPECT_NEAR(one[0][2], 1 - std::pow(10, -1.5), 1e-12);  // of 1 − β in [10⁻², 10⁻¹]
}

TEST(Ch12Grid, ValuesAreTheCentresOfEqualCellsOfTheScale) {
  const std::vector<double> alpha = grid_values({"α", 1e-4, 1.0, Scale::log, false}, 4);
  const std::vector<double> expected = {std::pow(10, -3.5), std::pow(10, -2.5), std::pow(10, -1.5), std::pow(10, -0.5)};
  ASSERT_EQ(alpha.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(alpha[i] / expected[i], 1.0, 1e-12);
  const std::vector<double> hidden = grid_values({"h", 16, 256, Scale::log, true}, 2);  // 16·16^¼ = 32, 16·16^¾ = 128
  EXPECT_EQ(hidden, (std::vector<double>{32, 128}));
}

TEST(Ch12Grid, RejectsLevelsThatDoNotMatchTheSpace) {
  EXPECT_NE(message_of([] {
              grid_configs(mnist_space(), {4, 2});
            }).find("3 hyperparameters but 2 numbers of levels"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              grid_configs(mnist_space(), {4, 0, 2});
            }).find("'hidden units h' needs at least 1 value"),
            std::string::npos);
}

TEST(ch12_grid_configs, NineGridTrialsOfTheToyTryThreeValuesOfX) {
  const std::vector<Config> grid = grid_configs(toy_space(), {3, 3});
  std::set<double> xs;
  for (const Config& c : grid) xs.insert(c[0]);
  EXPECT_EQ(grid.size(), 9u);
  EXPECT_EQ(xs.size(), 3u);
}

TEST(Ch12Toy, OnlyXMatters) {
  EXPECT_DOUBLE_EQ(toy_score(0.7, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(toy_score(0.7, 0.9), 1.0);
  EXPECT_NEAR(toy_score(0.76, 0.3), std::exp(-0.5), 1e-14);  // one width away
  EXPECT_EQ(toy_score(0.3, 0.1), toy_score(0.3, 0.8));
}

// ---------------------------------------------------------------- random search

TEST(Ch12RandomSearch, DrawsTheBudgetWithEveryValueInItsRange) {
  std::mt19937_64 gen(4);
  const Space space = mnist_space();
  const std::vector<Config> configs = random_configs(space, 25, gen);
  ASSERT_EQ(configs.size(), 25u);
  for (const Config& c : configs) {
    ASSERT_EQ(c.size(), 3u);
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_GE(c[j], space[j].lo) << space[j].name;
      EXPECT_LE(c[j], space[j].hi) << space[j].name;
    }
    EXPECT_EQ(c[1], std::round(c[1]));
  }
}

TEST(Ch12RandomSearch, TheSameSeedGivesTheSameConfigurations) {
  std::mt19937_64 a(8), b(8), c(9);
  const std::vector<Config> ca = random_configs(mnist_space(), 10, a), cb = random_configs(mnist_space(), 10, b),
                            cc = random_configs(mnist_space(), 10, c);
  EXPECT_EQ(ca, cb);
  EXPECT_NE(ca, cc);
}

TEST(Ch12RandomSearch, NineRandomTrialsOfTheToyTryNineValuesOfX) {
  std::mt19937_64 gen(1);
  const std::vector<Config> random = random_configs(toy_space(), 9, gen);
  std::set<double> xs, ys;
  for (const Config& c : random) xs.insert(c[0]), ys.insert(c[1]);
  EXPECT_EQ(xs.size(), 9u);
  EXPECT_EQ(ys.size(), 9u);
}

TEST(Ch12RandomSearch, RejectsABudgetBelowOne) {
  std::mt19937_64 gen(1);
  EXPECT_NE(message_of([&] { random_configs(toy_space(), 0, gen); }).find("the budget must be at least 1 trial, got 0"),
            std::string::npos);
}

// ---------------------------------------------------------------- searches and trials

TEST(Ch12Search, GridAndRandomGetTheSameBudget) {
  const GridAndRandom both = grid_and_random(mnist_space(), {3, 2, 2}, 1, noisy, 2);
  EXPECT_EQ(both.grid.trials.size(), 12u);
  EXPECT_EQ(both.random.trials.size(), 12u);
  std::set<double> random_alphas;
  for (const Trial& t : both.random.trials) random_alphas.insert(t.config[0]);
  EXPECT_EQ(random_alphas.size(), 12u);  // against the grid's 3
}

TEST(Ch12Search, AFixedSeedGivesTheSameTrials) {
  const Search a = random_search(mnist_space(), 8, 42, noisy, 2), b = random_search(mnist_space(), 8, 42, noisy, 2);
  expect_same_trials(a.trials, b.trials);
  const Search c = random_search(mnist_space(), 8, 43, noisy, 2);
  EXPECT_NE(a.trials[0].config, c.trials[0].config);
  EXPECT_NE(a.trials[0].seed, c.trials[0].seed);
}

TEST(Ch12Search, OneWorkerAndThreeWorkersGiveTheSameTrials) {
  std::vector<Config> configs;
  for (int t = 0; t < 20; ++t) configs.push_back({double(t)});
  const std::vector<Trial> one = run_trials(configs, 7, noisy, 1), three = run_trials(configs, 7, noisy, 3);
  expect_same_trials(one, three);
  std::set<std::uint64_t> seeds;
  for (const Trial& t : one) seeds.insert(t.seed);
  EXPECT_EQ(seeds.size(), configs.size());                        // every trial its own seed
  EXPECT_NE(one[0].outcome.score - 0, one[1].outcome.score - 1);  // ... and its own draws
}

TEST(Ch12Search, AnErrorInATrialIsRethrownAfterTheOthersStop) {
  std::vector<Config> configs;
  for (int t = 0; t < 10; ++t) configs.push_back({double(t)});
  const Objective failing = [](const Config& c, std::uint64_t, std::mt19937_64&) -> Outcome {
    if (c[0] == 3) throw std::runtime_error("trial with x = 3 failed");
    return {c[0], 0};
  };
  EXPECT_EQ(message_of([&] { run_trials(configs, 1, failing, 2); }), "trial with x = 3 failed");
  EXPECT_NE(message_of([&] { run_trials(configs, 1, failing, 0); }).find("at least 1 worker"), std::string::npos);
}

// ---------------------------------------------------------------- the best-so-far curve (exercise)

TEST(ch12_best_so_far, IsTheRunningMaximumAndNeverDecreases) {
  const std::vector<double> best = best_so_far(with_scores({kNaN, 0.2, kNaN, 0.1, 0.5, 0.4, 0.5}));
  ASSERT_EQ(best.size(), 7u);
  EXPECT_TRUE(std::isnan(best[0]));  // nothing scored yet
  const std::vector<double> expected = {0.2, 0.2, 0.2, 0.5, 0.5, 0.5};
  for (std::size_t t = 1; t < best.size(); ++t) EXPECT_EQ(best[t], expected[t - 1]) << "after trial " << t + 1;

  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> scores;
  for (int t = 0; t < 200; ++t) scores.push_back(t % 7 == 3 ? kNaN : u(gen));
  const std::vector<double> curve = best_so_far(with_scores(scores));
  ASSERT_EQ(curve.size(), scores.size());
  for (std::size_t t = 1; t < curve.size(); ++t) EXPECT_GE(curve[t], curve[t - 1]);
  // b_t is the maximum of the first t scores that are numbers: compared with a direct recount at every t.
  for (std::size_t t = 0; t < curve.size(); ++t) {
    double m = -1;
    for (std::size_t i = 0; i <= t; ++i)
      if (!std::isnan(scores[i])) m = std::max(m, scores[i]);
    EXPECT_EQ(curve[t], m) << "after trial " << t + 1;
  }
}

TEST(ch12_best_so_far, ADivergedTrialNeverLowersOrHidesTheBest) {
  // A NaN score after a score keeps the score (NaN > b and NaN < b are both false: a naive max loses it or keeps
  // the NaN); falling scores keep the first, higher one.
  EXPECT_EQ(best_so_far(with_scores({0.3, kNaN, kNaN})), (std::vector<double>{0.3, 0.3, 0.3}));
  EXPECT_EQ(best_so_far(with_scores({0.9, 0.5, 0.1})), (std::vector<double>{0.9, 0.9, 0.9}));
  const std::vector<double> all_nan = best_so_far(with_scores({kNaN, kNaN}));
  ASSERT_EQ(all_nan.size(), 2u);
  EXPECT_TRUE(std::isnan(all_nan[0]) && std::isnan(all_nan[1]));  // nothing scored: no best yet
  EXPECT_TRUE(best_so_far({}).empty());
}

TEST(Ch12Search, TheBestTrialIsNeverADivergedOne) {
  EXPECT_EQ(best_trial(with_scores({0.3, kNaN, 0.6, 0.2})).index, 2);
  EXPECT_NE(message_of([] { best_trial(with_scores({kNaN, kNaN})); }).find("no trial has a score"), std::string::npos);
}

// ---------------------------------------------------------------- coarse to fine

TEST(ch12_refine, TheFineRangeIsAFractionOfTheScaleAroundTheBest) {
  const Space space = mnist_space();  // α in [10⁻³, 10]: four decades; 1 − β in [10⁻², 10⁻¹]: one
  const double beta = 1 - std::pow(10, -1.5);
  const Space fine = refine(space, {0.1, 64, beta}, 0.25);
  ASSERT_EQ(fine.size(), 3u);
  EXPECT_NEAR(std::log10(fine[0].lo), -1.5, 1e-12);  // one decade centred on 10⁻¹
  EXPECT_NEAR(std::log10(fine[0].hi), -0.5, 1e-12);
  EXPECT_NEAR(fine[1].lo * fine[1].hi, 64.0 * 64.0, 1e-9);                       // centred on 64 on the log scale
  EXPECT_NEAR(std::log(fine[1].hi / fine[1].lo), 0.25 * std::log(16.0), 1e-12);  // a quarter of ln(256/16)
  EXPECT_NEAR((1 - fine[2].lo) * (1 - fine[2].hi), 1e-3, 1e-15);                 // centred on 1 − β = 10^−1.5
  EXPECT_NEAR(std::log10((1 - fine[2].lo) / (1 - fine[2].hi)), 0.25, 1e-12);     // a quarter of its decade
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_EQ(fine[j].name, space[j].name);
    EXPECT_EQ(fine[j].scale, space[j].scale);
    EXPECT_EQ(fine[j].integer, space[j].integer);
  }
}

TEST(ch12_refine, AtAnEndTheFineRangeSlidesBackInside) {
  const Space space = mnist_space();
  const Space top = refine(space, {10.0, 256, 0.9}, 0.25);  // α and h at the top, β at the bottom
  EXPECT_NEAR(top[0].lo, 1.0, 1e-12);                       // the top decade [1, 10]
  EXPECT_NEAR(top[0].hi, 10.0, 1e-12);
  EXPECT_NEAR(top[1].lo, 128.0, 1e-9);  // the top quarter of [16, 256] on the log scale: [128, 256], not rounded
  EXPECT_NEAR(top[1].hi, 256.0, 1e-9);
  EXPECT_NEAR(top[2].lo, 0.9, 1e-12);  // 1 − β from 10⁻¹ down to 10^−0.75... of β: [0.9, 1 − 10^−1.25]
  EXPECT_NEAR(top[2].hi, 1 - std::pow(10, -1.25), 1e-12);
  // Near, not at, an end: the best 0.1 of a linear [0, 1] with a fraction of 0.5 gives [0, 0.5], not [−0.15, 0.35].
  const Space line = {{"x", 0, 1, Scale::linear, false}};
  const Space near_lo = refine(line, {0.1}, 0.5);
  EXPECT_NEAR(near_lo[0].lo, 0.0, 1e-15);
  EXPECT_NEAR(near_lo[0].hi, 0.5, 1e-15);
  // A best value outside the range counts as its nearest end.
  const Space outside = refine(line, {7.0}, 0.2);
  EXPECT_NEAR(outside[0].lo, 0.8, 1e-15);
  EXPECT_NEAR(outside[0].hi, 1.0, 1e-15);
}

TEST(ch12_refine, TheWholeFractionGivesTheRangeBackAndAnIntegerDimensionIsNotRounded) {
  const Space line = {{"a", -2, 3, Scale::linear, false}, {"h", 10, 40, Scale::linear, true}};
  const Space same = refine(line, {0.5, 20}, 1.0);
  EXPECT_NEAR(same[0].lo, -2, 1e-12);
  EXPECT_NEAR(same[0].hi, 3, 1e-12);
  const Space fine = refine(line, {0.5, 21}, 0.1);  // h: 3 wide around 21, [19.5, 22.5]: its ends stay halves
  EXPECT_NEAR(fine[0].lo, 0.25, 1e-12);             // a: 0.5 wide around 0.5
  EXPECT_NEAR(fine[0].hi, 0.75, 1e-12);
  EXPECT_NEAR(fine[1].lo, 19.5, 1e-12);
  EXPECT_NEAR(fine[1].hi, 22.5, 1e-12);
  EXPECT_TRUE(fine[1].integer);  // the draws in it are still whole numbers
}

TEST(Ch12Refine, RejectsAFractionOutsideZeroToOneAndABestOfTheWrongSize) {
  const Space space = mnist_space();
  EXPECT_NE(message_of([&] {
              refine(space, {0.1, 64, 0.95}, 0.0);
            }).find("fraction of the range must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              refine(space, {0.1, 64}, 0.25);
            }).find("3 hyperparameters but the best configuration has 2 values"),
            std::string::npos);
}

TEST(Ch12MnistTrial, BetaStopsWhereATrialCanStillJudgeIt) {
  // Ng's momentum has no bias correction: after t steps v holds 1 − β^t of the gradients' weight. A trial is
  // 3 epochs of 8,000/64 = 125 batches, 375 steps: at the top of the space's β it must hold nearly all of it
  // (at the notes' 0.999 it would hold 31%).
  const Dimension beta = mnist_space()[2];
  EXPECT_EQ(beta.scale, Scale::one_minus_log);
  const double steps = 3 * 125;
  EXPECT_GT(1 - std::pow(beta.hi, steps), 0.95);
  EXPECT_LT(1 - std::pow(0.999, steps), 0.32);
  EXPECT_LE(1 / (1 - beta.hi), steps / 3);  // the window of the average: at most a third of the training
}

// ---------------------------------------------------------------- a real trial

TEST(Ch12MnistTrial, TrainingsOnOneAndTwoThreadsAreTheSameToTheLastBit) {
  // 300 made-up "images" as bytes (chapter 7's form) and labels: small, but the real network and loop.
  arma::arma_rng::set_seed(5);
  const arma::Mat<std::uint8_t> X = arma::randi<arma::Mat<std::uint8_t>>(784, 300, arma::distr_param(0, 255));
  arma::Row<std::uint8_t> labels(300, arma::fill::zeros);
  for (arma::uword i = 0; i < labels.n_elem; ++i) labels(i) = std::uint8_t(i % 10);
  const arma::fmat Y = one_hot<float>(labels);
  const arma::fmat X_dev = arma::conv_to<arma::fmat>::from(X.head_cols(100)) / 255.0f;
  const arma::fmat Y_dev = Y.head_cols(100);
  const MnistTask<arma::Mat<std::uint8_t>> task{&X, &Y, &X_dev, &Y_dev, 2, 32, 8};
  std::mt19937_64 gen(1);
  const std::vector<Config> configs = random_configs(mnist_space(), 6, gen);
  const std::vector<Trial> one = run_trials(configs, 3, mnist_objective(task), 1);
  const std::vector<Trial> two = run_trials(configs, 3, mnist_objective(task), 2);
  expect_same_trials(one, two);
  for (const Trial& t : one) EXPECT_FALSE(std::isnan(t.outcome.cost));
}

TEST(Ch12MnistTrial, ATrainingWhoseCostIsNotFiniteScoresNaNAndNeverWins) {
  // A sigmoid-tanh network hardly diverges (even α = 10⁸ only saturates it): a NaN pixel makes the cost NaN.
  arma::arma_rng::set_seed(5);
  arma::fmat X(784, 64, arma::fill::randu);
  arma::Row<std::uint8_t> labels(64, arma::fill::zeros);
  for (arma::uword i = 0; i < labels.n_elem; ++i) labels(i) = std::uint8_t(i % 10);
  const arma::fmat Y = one_hot<float>(labels);
  const MnistTask<arma::fmat> clean{&X, &Y, &X, &Y, 3, 16, 8};
  const Trial good = run_trials({{0.1, 16, 0.9}}, 1, mnist_objective(clean), 1)[0];
  EXPECT_FALSE(std::isnan(good.outcome.score));
  arma::fmat X_bad = X;
  X_bad(100, 7) = std::numeric_limits<float>::quiet_NaN();
  const MnistTask<arma::fmat> bad{&X_bad, &Y, &X, &Y, 3, 16, 8};
  std::vector<Trial> trials = run_trials({{0.1, 16, 0.9}}, 1, mnist_objective(bad), 1);
  EXPECT_TRUE(std::isnan(trials[0].outcome.score));
  trials.push_back(good);
  trials.back().index = 1;
  EXPECT_EQ(best_trial(trials).index, 1);
}
