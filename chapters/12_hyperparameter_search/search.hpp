// Hyperparameter search: sampling on the right scale, grid search, random
// search, coarse to fine, and trials run on several cores.
//
// A hyperparameter is a number the training does not learn: the learning rate
// α, momentum's β, the batch size, the hidden units, the layers, the decay
// (note 001 §3.1 ranks them: α first; then β, the mini-batch size and the
// hidden units; then the layers and the decay). A search tries configurations
// (one value of each), trains a network with each (a trial), scores it on the
// dev set, and keeps the best (note 003, "超参数优化的初步认识"):
//
//   by hand   change one value at a time, look, think (α first: if you can tune
//             one thing, tune α);
//   grid      k_1 values of the first, k_2 of the second...: all k_1·k_2·...
//             combinations (the Cartesian product);
//   random    every trial draws each hyperparameter from its own distribution
//             (Bergstra and Bengio 2012): with the same budget, no two trials
//             share a value, so a hyperparameter that matters gets as many
//             values as there are trials, not k_i.
//
// The scale: α from 10⁻⁴ to 1 spans four decades; drawn uniformly, 90% of the
// draws land in the top one, [0.1, 1]. Drawn as α = 10^U(−4, 0) (note 003;
// note 001 §3.1: "对数方式"), each decade gets a quarter. Hidden units:
// n = exp U(ln 50, ln 2000) (note 003). Momentum's β from 0.9 to 0.999:
// 1 − β = 10^U(−3, −1), because what β sets is the average's window
// 1/(1 − β) (chapter 9): 0.9 → 0.95 doubles it (10 → 20 steps), and so does
// 0.999 → 0.9995 (1000 → 2000); a uniform β over [0.9, 0.999] puts 91% of
// its draws below 0.99, the log scale half.
#pragma once
#include <armadillo>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/exercise.hpp"
#include "common/format.hpp"

namespace course::ch12 {

// ---------------------------------------------------------------------------
// Sampling on a scale
// ---------------------------------------------------------------------------

inline void check_log_range(double lo, double hi, const std::string& what) {
  if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi))
    throw std::invalid_argument(what + ": expected 0 < lo < hi, got [" + format_value("%g", lo) + ", " +
                                format_value("%g", hi) + "]");
}

// x = 10^U(log₁₀ lo, log₁₀ hi): uniform in the exponent, so every decade (and
// every factor of 2, or of e) of [lo, hi] gets the same share of the draws:
// the fraction in [a, b] ⊂ [lo, hi] is (log b − log a)/(log hi − log lo).
// log_uniform(1e-4, 1, gen) is note 003's learning rate 10^U(−4, 0).
inline double log_uniform(double lo, double hi, std::mt19937_64& gen) {
  check_log_range(lo, hi, "log_uniform");
  // BEGIN EXERCISE ch12.log_uniform
  // hint: uniform in the exponent, not in x: draw the exponent r uniformly between the exponents of the
  // hint: two ends, then turn r back into a number (which base? the one whose exponents you drew)
  std::uniform_real_distribution<double> exponent(std::log10(lo), std::log10(hi));
  const double r = exponent(gen);  // r ~ U(log₁₀ lo, log₁₀ hi)
  return std::pow(10.0, r);        // x = 10^r
  // END EXERCISE
}

// How a hyperparameter is drawn (random search) and spaced (grid search).
enum class Scale {
  linear,         // x ~ U(lo, hi)
  log,            // x = 10^U(log₁₀ lo, log₁₀ hi)                 (α, hidden units)
  one_minus_log,  // 1 − x = 10^U(log₁₀(1 − hi), log₁₀(1 − lo))     (momentum's β: 0.9 to 0.999)
};

struct Dimension {
  std::string name;       // "learning rate α"
  double lo = 0, hi = 1;  // the range, lo < hi (for one_minus_log: lo < hi < 1)
  Scale scale = Scale::linear;
  bool integer = false;  // rounded to the nearest integer (hidden units)
};

// A configuration: one value per dimension of the space, in its order.
using Config = std::vector<double>;
using Space = std::vector<Dimension>;

inline void check_dimension(const Dimension& d) {
  const std::string what = "hyperparameter '" + d.name + "'";
  if (!(d.lo < d.hi) || !std::isfinite(d.lo) || !std::isfinite(d.hi))
    throw std::invalid_argument(what + ": expected lo < hi, got [" + format_value("%g", d.lo) + ", " +
                                format_value("%g", d.hi) + "]");
  if (d.scale == Scale::log) check_log_range(d.lo, d.hi, what + " (log scale)");
  if (d.scale == Scale::one_minus_log) check_log_range(1 - d.hi, 1 - d.lo, what + " (1 − x on a log scale)");
}

// The position u ∈ [0, 1] of x along the dimension, on its own scale, and back:
// to_unit(d, lo) = 0, to_unit(d, hi) = 1, and equal steps of u are equal
// factors of x (log) or of 1 − x (one_minus_log).
inline double to_unit(const Dimension& d, double x) {
  switch (d.scale) {
    case Scale::linear:
      return (x - d.lo) / (d.hi - d.lo);
    case Scale::log:
      return (std::log10(x) - std::log10(d.lo)) / (std::log10(d.hi) - std::log10(d.lo));
    case Scale::one_minus_log:
      return (std::log10(1 - x) - std::log10(1 - d.lo)) / (std::log10(1 - d.hi) - std::log10(1 - d.lo));
  }
  throw std::logic_error("to_unit: unknown scale");
}

inline double from_unit(const Dimension& d, double u) {
  double x = 0;
  switch (d.scale) {
    case Scale::linear:
      x = d.lo + u * (d.hi - d.lo);
      break;
    case Scale::log:
      x = std::pow(10.0, std::log10(d.lo) + u * (std::log10(d.hi) - std::log10(d.lo)));
      break;
    case Scale::one_minus_log:
      x = 1 - std::pow(10.0, std::log10(1 - d.lo) + u * (std::log10(1 - d.hi) - std::log10(1 - d.lo)));
      break;
  }
  return d.integer ? std::round(x) : x;
}

// One draw of the dimension on its scale (random search).
inline double sample(const Dimension& d, std::mt19937_64& gen) {
  check_dimension(d);
  double x = 0;
  switch (d.scale) {
    case Scale::linear:
      x = std::uniform_real_distribution<double>(d.lo, d.hi)(gen);
      break;
    case Scale::log:
      x = log_uniform(d.lo, d.hi, gen);
      break;  // 10^U(log lo, log hi)
    case Scale::one_minus_log:
      x = 1 - log_uniform(1 - d.hi, 1 - d.lo, gen);
      break;  // β = 1 − 10^U(...)
  }
  return d.integer ? std::round(x) : x;
}

// k values of the dimension for a grid: the centres of k equal cells of its
// scale, u = (i + ½)/k for i = 0..k−1. For α over [10⁻⁴, 1] and k = 4:
// 10^−3.5, 10^−2.5, 10^−1.5, 10^−0.5. (Centres, not the ends: the ends of a
// range are its least likely good values, and the cells give the grid the same
// coverage of the range as the random draws get on average.)
inline std::vector<double> grid_values(const Dimension& d, int k) {
  check_dimension(d);
  if (k < 1)
    throw std::invalid_argument("grid_values: hyperparameter '" + d.name + "' needs at least 1 value, got " +
                                std::to_string(k));
  std::vector<double> values;
  for (int i = 0; i < k; ++i) values.push_back(from_unit(d, (i + 0.5) / k));
  return values;
}

// ---------------------------------------------------------------------------
// The two searches' configurations
// ---------------------------------------------------------------------------

// Grid search: the Cartesian product of levels[j] values of each dimension j,
// k_1·k_2·...·k_n configurations, in the order of nested loops with the first
// dimension outermost (the last one changes fastest):
//   levels {2, 3}: (a₁,b₁) (a₁,b₂) (a₁,b₃) (a₂,b₁) (a₂,b₂) (a₂,b₃).
inline std::vector<Config> grid_configs(const Space& space, const std::vector<int>& levels) {
  if (levels.size() != space.size())
    throw std::invalid_argument("grid_configs: " + std::to_string(space.size()) + " hyperparameters but " +
                                std::to_string(levels.size()) + " numbers of levels");
  std::vector<std::vector<double>> values;
  std::size_t total = 1;
  for (std::size_t j = 0; j < space.size(); ++j) {
    values.push_back(grid_values(space[j], levels[j]));
    total *= values.back().size();
  }
  std::vector<Config> configs;
  // BEGIN EXERCISE ch12.grid_configs
  // hint: total configurations, numbered t = 0, 1, ..., total − 1; read t as a number whose digits have
  // hint: different bases, k_1 (first, slowest) ... k_n (last, fastest), like an odometer: the last digit is
  // hint: t mod k_n; divide by k_n and repeat, from the last dimension to the first. Digit j picks values[j][·]
  for (std::size_t t = 0; t < total; ++t) {
    // t written in the mixed radix (k_1, ..., k_n): its last digit is the last dimension's index.
    Config c(space.size());
    std::size_t rest = t;
    for (std::size_t j = space.size(); j-- > 0;) {
      c[j] = values[j][rest % values[j].size()];  // digit j of t: the index of dimension j's value
      rest /= values[j].size();
    }
    configs.push_back(c);
  }
  return configs;
  // END EXERCISE
}

// Random search: `budget` configurations, each value drawn from its own
// dimension on its own scale, from gen (one seed, the same configurations).
inline std::vector<Config> random_configs(const Space& space, int budget, std::mt19937_64& gen) {
  if (budget < 1)
    throw std::invalid_argument("random_configs: the budget must be at least 1 trial, got " + std::to_string(budget));
  for (const Dimension& d : space) check_dimension(d);
  std::vector<Config> configs;
  for (int t = 0; t < budget; ++t) {
    Config c;
    for (const Dimension& d : space) c.push_back(sample(d, gen));  // each hyperparameter on its own scale
    configs.push_back(c);
  }
  return configs;
}

// Coarse to fine: the region around the best configuration of a first search,
// for a second one. Each dimension keeps its scale; its range becomes
// `fraction` of the old one, measured on that scale (fraction 0.25 of α's four
// decades is one decade), centred on the best value, and slid back inside the
// old range where it would stick out.
inline Space refine(const Space& space, const Config& best, double fraction) {
  if (best.size() != space.size())
    throw std::invalid_argument("refine: " + std::to_string(space.size()) +
                                " hyperparameters but the best "
                                "configuration has " +
                                std::to_string(best.size()) + " values");
  if (!(fraction > 0 && fraction <= 1))
    throw std::invalid_argument("refine: the fraction of the range must be in (0, 1], got " +
                                format_value("%g", fraction));
  Space fine = space;
  // BEGIN EXERCISE ch12.refine
  // hint: work in u, the position on the dimension's own scale (0 at its lo, 1 at its hi): there "a fraction
  // hint: of the range" is an interval of length fraction, whatever the scale. Centre it on the best value's u,
  // hint: slide it back into [0, 1] if it sticks out, and map its two ends back to values (the ends of an
  // hint: integer dimension are not rounded: only its draws are)
  for (std::size_t j = 0; j < space.size(); ++j) {
    const double centre = std::clamp(to_unit(space[j], best[j]), 0.0, 1.0);
    const double lo = std::clamp(centre - fraction / 2, 0.0, 1.0 - fraction);  // [lo, lo + fraction] ⊂ [0, 1]
    Dimension d = space[j];
    d.integer = false;  // the ends are not rounded; the draws are
    fine[j].lo = from_unit(d, lo);
    fine[j].hi = from_unit(d, lo + fraction);
  }
  return fine;
  // END EXERCISE
}

// ---------------------------------------------------------------------------
// Trials
// ---------------------------------------------------------------------------

// What one trial returns: its score (the dev accuracy: higher is better; NaN
// for a training that diverged) and anything else worth reporting.
struct Outcome {
  double score = std::numeric_limits<double>::quiet_NaN();
  double cost = std::numeric_limits<double>::quiet_NaN();  // e.g. the dev cost
};

struct Trial {
  int index = 0;  // 0-based, in the order of the configurations
  Config config;
  std::uint64_t seed = 0;  // everything random in the trial follows from it
  Outcome outcome;
  double seconds = 0;  // wall clock of the trial
};

// Trains with config, generators seeded from seed; must not touch shared state.
using Objective = std::function<Outcome(const Config& config, std::uint64_t seed, std::mt19937_64& gen)>;

// The seed of trial `index` of a search with seed `search_seed`: SplitMix64 of
// the pair, so neighbouring trials get unrelated streams.
inline std::uint64_t trial_seed(std::uint64_t search_seed, int index) {
  std::uint64_t z = search_seed * 0x9E3779B97F4A7C15ull + std::uint64_t(index) + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Runs objective(config_t, seed_t) for every configuration on `workers`
// threads; results in the configurations' order, whichever thread ran each.
//
// Trials are independent, so they run side by side: each worker takes the
// next trial not yet started. A trial's result must not depend on which thread
// runs it or when: each gets its own std::mt19937_64 seeded from its seed, and
// Armadillo's generator (randu/randn, used by the initialisers), which in
// Armadillo 11 is one std::mt19937_64 per thread (thread_local), is seeded with
// the trial's seed on the worker's thread just before the trial. The caller
// sets the BLAS to one thread per trial (set_blas_threads(1)).
// An exception in a trial stops the others from starting and is rethrown here.
inline std::vector<Trial> run_trials(const std::vector<Config>& configs, std::uint64_t search_seed,
                                     const Objective& objective, int workers = 1) {
  if (workers < 1)
    throw std::invalid_argument("run_trials: expected at least 1 worker, got " + std::to_string(workers));
  std::vector<Trial> trials(configs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (std::size_t t = next++; t < configs.size() && !failed; t = next++) {
      Trial& trial = trials[t];
      trial.index = int(t);
      trial.config = configs[t];
      trial.seed = trial_seed(search_seed, int(t));
      try {
        arma::arma_rng::set_seed(trial.seed);  // this thread's Armadillo generator
        std::mt19937_64 gen(trial.seed);       // the trial's own (shuffling, dropout...)
        const std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
        trial.outcome = objective(trial.config, trial.seed, gen);
        trial.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
      }
    }
  };
  const int threads = std::min<int>(workers, int(std::max<std::size_t>(configs.size(), 1)));
  if (threads == 1) {
    worker();  // on the caller's thread: its Armadillo generator is reseeded per trial, as a worker's is
  } else {
    std::vector<std::thread> pool;
    for (int w = 0; w < threads; ++w) pool.emplace_back(worker);
    for (std::thread& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
  return trials;
}

// The best score after each trial, in the trials' order: b_t = max(s_1..s_t),
// NaN (a diverged trial) counting as worse than any score; NaN until the first
// trial with a score. Never decreases.
inline std::vector<double> best_so_far(const std::vector<Trial>& trials) {
  std::vector<double> best;
  // BEGIN EXERCISE ch12.best_so_far
  // hint: one pass, carrying the best score seen so far (NaN before any): each trial's score replaces it only
  // hint: when it is a number and beats it; every trial appends the carried value, so the curve has one point
  // hint: per trial. Comparisons with NaN are false: which test does a NaN score fail, and a NaN best?
  double b = std::numeric_limits<double>::quiet_NaN();
  for (const Trial& t : trials) {
    const double s = t.outcome.score;
    if (!std::isnan(s) && (std::isnan(b) || s > b)) b = s;  // b_t = max(b_{t−1}, s_t), a NaN s_t skipped
    best.push_back(b);
  }
  return best;
  // END EXERCISE
}

// The trial with the highest score (diverged trials never win).
inline const Trial& best_trial(const std::vector<Trial>& trials) {
  const Trial* best = nullptr;
  for (const Trial& t : trials)
    if (!std::isnan(t.outcome.score) && (best == nullptr || t.outcome.score > best->outcome.score)) best = &t;
  if (best == nullptr) throw std::runtime_error("best_trial: no trial has a score (all diverged, or none ran)");
  return *best;
}

// A search: its configurations run as trials.
struct Search {
  std::string name;
  std::vector<Trial> trials;
};

inline Search grid_search(const Space& space, const std::vector<int>& levels, std::uint64_t seed,
                          const Objective& objective, int workers) {
  return {"grid", run_trials(grid_configs(space, levels), seed, objective, workers)};
}

inline Search random_search(const Space& space, int budget, std::uint64_t seed, const Objective& objective,
                            int workers) {
  std::mt19937_64 gen(seed);  // the configurations follow from the search's seed
  return {"random", run_trials(random_configs(space, budget, gen), seed, objective, workers)};
}

// The number of trials of a grid: k_1·k_2·...·k_n.
inline int grid_budget(const std::vector<int>& levels) {
  int budget = 1;
  for (int k : levels) budget *= k;
  return budget;
}

// Grid and random search with the same budget: the random search gets as many
// trials as the grid has points. Both use `seed` for their trials' seeds (the
// random one also for its configurations).
struct GridAndRandom {
  Search grid, random;
};

inline GridAndRandom grid_and_random(const Space& space, const std::vector<int>& levels, std::uint64_t seed,
                                     const Objective& objective, int workers) {
  GridAndRandom both;
  both.grid = grid_search(space, levels, seed, objective, workers);
  both.random = random_search(space, grid_budget(levels), seed, objective, workers);
  return both;
}

// The fraction of the values in each decade [10^e, 10^(e+1)), e = first..last−1
// (a value equal to 10^last counts in the last decade).
inline std::vector<double> decade_fractions(const std::vector<double>& values, int first, int last) {
  if (last <= first) throw std::invalid_argument("decade_fractions: expected first < last");
  std::vector<double> count(std::size_t(last - first), 0.0);
  for (double v : values) {
    if (!(v > 0)) continue;
    const int e = int(std::floor(std::log10(v)));
    if (e >= first && e < last)
      count[std::size_t(e - first)] += 1;
    else if (e == last && v == std::pow(10.0, last))
      count.back() += 1;
  }
  for (double& c : count) c /= double(values.size());
  return count;
}

// ---------------------------------------------------------------------------
// The toy of Bergstra and Bengio (2012, figure 1): a score of two
// hyperparameters of which only the first matters, f(x, y) = g(x), with one
// narrow peak. Nine grid trials try three values of x; nine random ones, nine.
// ---------------------------------------------------------------------------

// g(x) = exp(−(x − 0.7)²/(2·0.06²)), x ∈ [0, 1]: the score, whatever y is.
inline double toy_score(double x, double /*y: does not matter*/) {
  const double d = x - 0.7;
  return std::exp(-d * d / (2 * 0.06 * 0.06));
}

inline Space toy_space() {
  return {{"x (matters)", 0.0, 1.0, Scale::linear, false}, {"y (does not)", 0.0, 1.0, Scale::linear, false}};
}

}  // namespace course::ch12
