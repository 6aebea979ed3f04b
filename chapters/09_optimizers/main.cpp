// Chapter 9: optimisation algorithms.
//
//   build/release/bin/ch09              averages, the test surfaces, then MNIST (about a minute)
//   build/release/bin/ch09 --quick      the same on the embedded sample, in seconds
//   build/release/bin/ch09 --epochs 20 --skip-schedules
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/09_optimizers/surfaces.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch09;

namespace {

using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- 1. exponentially weighted averages

// A year of daily temperatures (°C), London-like: a seasonal sine and day-to-day noise.
arma::vec temperatures(std::mt19937_64& gen) {
  std::normal_distribution<double> noise(0.0, 3.0);
  arma::vec theta(365, arma::fill::zeros);
  for (arma::uword d = 0; d < 365; ++d)
    theta(d) = 11 + 8 * std::sin(2 * arma::datum::pi * (double(d) - 110) / 365) + noise(gen);
  return theta;
}

void averages(Plotter& plot, std::mt19937_64& gen) {
  const arma::vec theta = temperatures(gen);
  std::cout << "1. Exponentially weighted averages of a year of daily temperatures (note 001 §2.2)\n"
            << "   V_t = β V_{t−1} + (1 − β) θ_t, V_0 = 0\n"
            << "     β      window 1/(1 − β)   weight of the last window   V on day 1..4 (θ: ";
  for (int d = 0; d < 4; ++d) std::cout << format_value("%.1f", theta(d)) << (d < 3 ? " " : ")\n");
  LinePlot figure{.title = "Exponentially weighted averages of a year of daily temperatures",
                  .xlabel = "day",
                  .ylabel = "temperature (°C)"};
  const arma::vec days = arma::regspace<arma::vec>(1, double(theta.n_elem));  // day 1, 2, ...
  figure.series.push_back({"θ_t (daily)", days, theta, "points"});
  for (double beta : {0.5, 0.9, 0.98}) {
    const arma::vec V = exponential_average(theta, beta, false);
    const double window = 1 / (1 - beta);
    // θ_{t−k} enters V_t with weight (1 − β) β^k: the last 1/(1 − β) values carry 1 − β^{1/(1−β)} ≈ 1 − 1/e of it.
    std::printf("   %5.2f   %8.0f days          %5.1f%%                  ", beta, window,
                100 * (1 - std::pow(beta, window)));
    for (int d = 0; d < 4; ++d) std::printf("%6.2f", V(d));
    std::printf("\n");
    figure.series.push_back(
        {"β = " + format_value("%g", beta) + " (≈ " + format_value("%.0f", window) + " days)", days, V, "lines"});
  }
  plot.lines("averages", figure);

  const arma::vec plain = exponential_average(theta, 0.98, false), corrected = exponential_average(theta, 0.98, true);
  std::cout << "   β = 0.98 starts near 0 (V_1 = 0.02 θ_1 = " << format_value("%.2f", plain(0))
            << "); corrected, V_t/(1 − β^t) starts at θ_1 = " << format_value("%.2f", corrected(0))
            << ".\n   Day 10: plain " << format_value("%.2f", plain(9)) << ", corrected "
            << format_value("%.2f", corrected(9)) << ", mean of days 1–10 "
            << format_value("%.2f", arma::mean(theta.head(10)))
            << "; by day 200 the correction is a factor 1/(1 − β^200) = "
            << format_value("%.3f", 1 / (1 - std::pow(0.98, 200))) << ".\n\n";
  const std::size_t first = 80;
  std::vector<double> d80(days.begin(), days.begin() + first);
  plot.lines("bias_correction", {.title = "Bias correction: β = 0.98 over the first 80 days",
                                 .xlabel = "day",
                                 .ylabel = "temperature (°C)",
                                 .series = {{"θ_t (daily)", d80, theta.head(first), "points"},
                                            {"V_t (from V_0 = 0)", d80, plain.head(first), "lines"},
                                            {"V_t/(1 − β^t)", d80, corrected.head(first), "lines"}}});
}

// ---------------------------------------------------------------- 2. the test surfaces

// Each optimiser by name, at a learning rate.
std::unique_ptr<Optimizer<double>> make_optimizer(const std::string& name, double lr) {
  if (name == "gradient descent") return std::make_unique<SGD<double>>(lr);
  if (name == "momentum") return std::make_unique<Momentum<double>>(lr, 0.9, MomentumForm::average);
  if (name == "classic momentum") return std::make_unique<Momentum<double>>(lr, 0.9, MomentumForm::classic);
  if (name == "RMSprop") return std::make_unique<RMSprop<double>>(lr, 0.9);
  if (name == "Adam") return std::make_unique<Adam<double>>(lr);
  throw std::logic_error("no optimiser " + name);
}

const std::vector<std::string> kSurfaceOptimizers = {"gradient descent", "momentum", "classic momentum", "RMSprop",
                                                     "Adam"};

// The learning rate from the grid 10^(k/4) that reaches the goal in the fewest steps; when no rate of
// the grid reaches it, the one that ends lowest (reached = false says so); when every rate
// diverges, the grid's smallest (all_diverged says so).
struct BestRate {
  double rate;
  bool reached, all_diverged = false;
};

BestRate best_rate(const Surface& surface, const std::string& optimizer, int max_steps,
                   const std::vector<double>& grid) {
  double fastest = 0, lowest = 0, lowest_f = std::numeric_limits<double>::infinity();
  int fewest = max_steps + 1;
  for (double lr : grid) {
    const std::unique_ptr<Optimizer<double>> o = make_optimizer(optimizer, lr);
    const Descent d = descend(surface, *o, max_steps);
    if (d.reached && d.steps < fewest) fewest = d.steps, fastest = lr;
    if (!d.diverged && d.final_value < lowest_f) lowest_f = d.final_value, lowest = lr;
  }
  if (fewest <= max_steps) return {fastest, true};
  if (lowest_f == std::numeric_limits<double>::infinity()) return {grid.front(), false, true};
  return {lowest, false};
}

std::string outcome(const Descent& d) {
  if (d.reached) return std::to_string(d.steps);
  if (d.diverged) return "diverged at step " + std::to_string(d.steps);
  return "not in " + std::to_string(d.steps) + " (f = " + format_value("%.2g", d.final_value) + ")";
}

// Runs every optimiser on the surface from the same start, at the rates given
// (or, with none, at each one's best rate on it), prints a table, draws the paths.
void surface_race(Plotter& plot, const std::string& figure, const Surface& surface, int max_steps,
                  const std::vector<double>& grid, std::vector<double> rates) {
  const bool tune = rates.empty();
  std::cout << "   " << surface.name << ", from (" << surface.start(0) << ", " << surface.start(1) << "), goal "
            << surface.goal << (tune ? ", each at its best learning rate from the grid:\n" : ", all at α = 0.01:\n");
  ContourPlot map{.title = surface.name + ": paths from the same start",
                  .xlabel = "x",
                  .ylabel = "y",
                  .grid_x = arma::linspace<arma::rowvec>(surface.x_lo, surface.x_hi, 201),
                  .grid_y = arma::linspace<arma::rowvec>(surface.y_lo, surface.y_hi, 161),
                  .values = {},
                  .levels = surface.levels,
                  .paths = {},
                  .marks = {}};
  map.values.set_size(map.grid_y.n_elem, map.grid_x.n_elem);
  for (arma::uword i = 0; i < map.grid_y.n_elem; ++i)
    for (arma::uword j = 0; j < map.grid_x.n_elem; ++j) map.values(i, j) = surface.f(map.grid_x(j), map.grid_y(i));
  for (std::size_t k = 0; k < kSurfaceOptimizers.size(); ++k) {
    const std::string& name = kSurfaceOptimizers[k];
    bool reached = true, all_diverged = false;
    if (tune) {
      const BestRate best = best_rate(surface, name, max_steps, grid);
      rates.push_back(best.rate);
      reached = best.reached, all_diverged = best.all_diverged;
    }
    const std::unique_ptr<Optimizer<double>> optimizer = make_optimizer(name, rates[k]);
    const Descent d = descend(surface, *optimizer, max_steps);
    std::printf("     %-18s α = %-8s steps to the goal: %s%s\n", name.c_str(), format_value("%.3g", rates[k]).c_str(),
                outcome(d).c_str(),
                all_diverged ? "; every rate of the grid diverged: this is its smallest (widen the grid downwards)"
                : reached    ? ""
                             : "; no rate of the grid reached the goal: this one ends lowest");
    // Every step is drawn (long paths thinned to about 3,000 points, the last one kept).
    const arma::uword stride = std::max<arma::uword>(1, d.path.n_cols / 3000);
    arma::uvec kept = arma::regspace<arma::uvec>(0, stride, d.path.n_cols - 1);
    if (kept(kept.n_elem - 1) != d.path.n_cols - 1) kept = arma::join_cols(kept, arma::uvec{d.path.n_cols - 1});
    const arma::mat drawn = d.path.cols(kept);
    map.paths.push_back({name + " (α = " + format_value("%.3g", rates[k]) + ")",
                         arma::conv_to<std::vector<double>>::from(drawn.row(0)),
                         arma::conv_to<std::vector<double>>::from(drawn.row(1)),
                         name == "classic momentum" ? "lines dt 2 lw 3"  // on top of momentum's: the same path
                         : drawn.n_cols <= 150      ? "linespoints"
                                                    : "lines"});
  }
  map.marks.push_back({"start", {surface.start(0), surface.start(1)}});
  if (surface.name.rfind("Rosenbrock", 0) == 0)
    map.marks.push_back({"minimum (1, 1)", {1.0, 1.0}});
  else if (surface.name.rfind("saddle", 0) == 0)
    map.marks.push_back({"saddle point (0, 0)", {0.0, 0.0}});
  else
    map.marks.push_back({"minimum (0, 0)", {0.0, 0.0}});
  std::swap(map.marks[0], map.marks[1]);
  plot.contours(figure, map);
}

// RMSprop's ε inside or outside the root (§4): the two denominators, and the largest step each allows.
void epsilon_placement() {
  const double eps = 1e-8;
  std::cout
      << "   ε inside or outside the root (ε = 10⁻⁸): RMSprop divides dW by √s + ε (the code) or √(s + ε) (the note)\n"
      << "          s       √s + ε      √(s + ε)    relative difference   ε/(2s)\n";
  for (double s : {1e-2, 1e-4, 1e-6, 5e-7, 1e-7, 1e-8, 1e-10, 0.0}) {
    const double outside = std::sqrt(s) + eps, inside = std::sqrt(s + eps);
    std::printf("     %8.0e   %10.3e   %10.3e       %9.3g%%         %s\n", s, outside, inside,
                100 * (inside / outside - 1), s > 0 ? format_value("%.3g%%", 100 * eps / (2 * s)).c_str() : "");
  }
  std::cout << "   (√(s + ε) ≈ √s + ε/(2√s) for s ≫ ε: the two differ by more than 1% once s < 50ε = 5·10⁻⁷; as\n"
            << "   dW → 0 the note's form caps a step at α|dW|/√ε = 10⁴ α|dW|, the code's at α|dW|/ε = 10⁸ α|dW|)\n";
}

void surfaces(Plotter& plot, bool quick) {
  std::cout
      << "2. Optimisers on test surfaces (note 001 §2.3–2.5, §2.7; note 002)\n"
      << "   momentum: v = 0.9 v + 0.1 dθ (Ng); classic: v = 0.9 v + dθ; RMSprop β₂ = 0.9; Adam 0.9, 0.999, ε = 10⁻⁸\n"
      << "   learning rates tried: 10^(k/4) from 10⁻⁴ to 10\n";
  epsilon_placement();
  std::vector<double> grid;
  for (int k = quick ? -12 : -16; k <= 4; k += quick ? 2 : 1) grid.push_back(std::pow(10.0, k / 4.0));
  const int max_steps = quick ? 2000 : 20000;
  surface_race(plot, "paths_bowl", elongated_bowl(), max_steps, grid, {});
  surface_race(plot, "paths_rotated_bowl", rotated_bowl(), max_steps, grid, {});
  // The saddle at one small rate for all (the classic momentum's is (1 − β) times it: the same path as
  // momentum's): near (0, 0) the gradient is almost 0, a plateau that each leaves at its own speed.
  surface_race(plot, "paths_saddle", saddle(), max_steps, grid, {0.01, 0.01, 0.001, 0.01, 0.01});
  std::cout << "   (the best rate of classic momentum is (1 − β) = 0.1 times that of Ng's form: the same steps)\n";
  surface_race(plot, "paths_rosenbrock", rosenbrock(), max_steps, grid, {});
  // Too large a rate: along y the bowl's curvature is 2, a step multiplies y by 1 − 2α.
  SGD<double> too_fast(1.05);
  const Descent d = descend(elongated_bowl(), too_fast, max_steps);
  std::cout << "   Gradient descent on the bowl at α = 1.05 (> 2/curvature = 1): " << outcome(d)
            << ", |y| = " << format_value("%.3g", std::abs(d.path(1, d.path.n_cols - 1))) << " when it stopped.\n\n";
}

// ---------------------------------------------------------------- 3. batch, stochastic, mini-batch

// `iterations` gradient steps with mini-batches of batch_size drawn in a fresh
// shuffled order each epoch (batch_size = m is batch gradient descent, 1 is
// stochastic). Records each step's batch cost J_b (what the algorithm sees,
// before its step) and, every `every` steps, the cost on the whole set.
struct Iterations {
  std::vector<double> batch_cost, full_step, full_cost;
  double seconds = 0;  // the steps only
};

Iterations iterate(Network<float>& net, Optimizer<float>& optimizer, const arma::fmat& X, const arma::fmat& Y,
                   arma::uword batch_size, int iterations, int every, std::mt19937_64& gen) {
  Iterations out;
  MinibatchTrainer<float> trainer;                                       // chapter 7's loop, step by step
  const arma::uword whole_batches = X.n_cols / batch_size * batch_size;  // the short last batch is left out
  int t = 0;
  Clock::time_point start = Clock::now();
  while (t < iterations) {
    const arma::uvec order = shuffled_indices(X.n_cols, gen).head(whole_batches);
    trainer.train_epoch(net, optimizer, X, Y, batch_size, order, [&](double batch_cost) {
      ++t;
      out.seconds += seconds_since(start);
      out.batch_cost.push_back(batch_cost);  // J on this mini-batch, before the step
      if (t % every == 0 || t == 1) {        // the whole set's cost, not timed
        out.full_step.push_back(t);
        out.full_cost.push_back(evaluate(net, X, Y).cost);
      }
      start = Clock::now();
      return t < iterations;
    });
  }
  check_finite(out.batch_cost.back(), "the cost", iterations);
  return out;
}

void gradient_descent_variants(Plotter& plot, Network<float>& net, const arma::fvec& theta0, const arma::fmat& X,
                               const arma::fmat& Y, int iterations, double lr) {
  std::cout << "3. Batch, stochastic and mini-batch gradient descent (note 001 §2.1, note 002): the 784-64-16-10 net,\n"
            << "   the same start, η = " << lr << ", " << iterations << " steps on " << X.n_cols << " training images\n"
            << "     variant                       batch   cost after   time per step\n";
  struct Variant {
    std::string name;
    arma::uword batch;
  };
  const std::vector<Variant> variants = {
      {"batch gradient descent", X.n_cols}, {"mini-batch gradient descent", 64}, {"stochastic gradient descent", 1}};
  LinePlot seen{.title = "What each step sees: the cost J of its own batch",
                .xlabel = "step",
                .ylabel = "cost of the step's batch",
                .logy = true};
  LinePlot whole{.title = "The cost on all " + std::to_string(X.n_cols) + " images after each step",
                 .xlabel = "step",
                 .ylabel = "cost J on the whole set",
                 .logy = true};
  LinePlot by_examples{
      .title = "The cost on all " + std::to_string(X.n_cols) + " images against the examples computed on",
      .xlabel = "examples seen (gradient work)",
      .ylabel = "cost J on the whole set",
      .logx = true,
      .logy = true};
  const arma::vec steps = arma::regspace<arma::vec>(1, double(iterations));
  for (const Variant& v : variants) {
    net.assign(theta0);
    SGD<float> sgd{float(lr)};
    std::mt19937_64 gen(7);
    const Iterations it = iterate(net, sgd, X, Y, v.batch, iterations, std::max(1, iterations / 60), gen);
    std::printf("     %-28s %6llu   %9.4f   %9.3f ms\n", v.name.c_str(), static_cast<unsigned long long>(v.batch),
                it.full_cost.back(), 1e3 * it.seconds / iterations);
    seen.series.push_back({v.name + " (" + std::to_string(v.batch) + ")", steps, it.batch_cost, "lines"});
    whole.series.push_back({v.name, it.full_step, it.full_cost, "lines"});
    if (v.batch == 1) {  // its noise, averaged as in §2.2
      seen.series.push_back({"stochastic, averaged (β = 0.98)", steps,
                             exponential_average(arma::vec(it.batch_cost), 0.98, true), "lines"});
    }
  }
  std::cout << "   A step of batch gradient descent costs " << X.n_cols << " examples' work and is smooth; stochastic\n"
            << "   steps are cheap, noisy and (at a constant η) never settle; mini-batches are between the two.\n";
  // Per step, batch descent wins by construction. The fair comparison gives each the same work: the same number
  // of examples through the forward and backward pass (budget_epochs passes over the images).
  const int budget_epochs = std::max(2, iterations / 15);
  const double budget = double(budget_epochs) * double(X.n_cols);
  std::cout << "   The same work for each: " << budget_epochs << " passes over the " << X.n_cols << " images ("
            << format_value("%.0f", budget) << " examples' gradients)\n"
            << "     variant                       steps   cost after   time\n";
  for (const Variant& v : variants) {
    net.assign(theta0);
    SGD<float> sgd{float(lr)};
    std::mt19937_64 gen(7);
    const int n_steps = int(budget / double(v.batch));
    const Iterations it = iterate(net, sgd, X, Y, v.batch, n_steps, std::max(1, n_steps / 40), gen);
    std::printf("     %-28s %7d   %9.4f   %7.2f s\n", v.name.c_str(), n_steps, it.full_cost.back(), it.seconds);
    std::vector<double> examples = it.full_step;  // after step t: t · batch examples' gradients
    for (double& e : examples) e *= double(v.batch);
    by_examples.series.push_back(
        {v.name + " (" + std::to_string(v.batch) + ")", examples, it.full_cost, "linespoints"});
  }
  std::cout << "\n";
  plot.lines("gd_variants_batch_cost", seen);
  plot.lines("gd_variants_cost", whole);
  plot.lines("gd_variants_cost_examples", by_examples);
}

// ---------------------------------------------------------------- 4. the optimisers on MNIST

struct MnistRun {
  std::string name;
  double lr;
  History history;
};

using MnistData = ch07::MnistTraining;

std::unique_ptr<Optimizer<float>> make_mnist_optimizer(const std::string& name, double lr) {
  if (name == "SGD") return std::make_unique<SGD<float>>(float(lr));
  if (name == "momentum") return std::make_unique<Momentum<float>>(float(lr), 0.9);
  if (name == "RMSprop") return std::make_unique<RMSprop<float>>(float(lr), 0.9);
  if (name == "Adam") return std::make_unique<Adam<float>>(float(lr));
  if (name == "Adam (fused)") return std::make_unique<FusedAdam<float>>(float(lr));
  throw std::logic_error("no optimiser " + name);
}

History train(Network<float>& net, const arma::fvec& theta0, Optimizer<float>& optimizer, const MnistData& data,
              int epochs, arma::uword batch, const LearningRateSchedule* schedule, const std::string& label) {
  net.assign(theta0);
  std::mt19937_64 gen(11);  // the same order of mini-batches for every run
  return ch07::fit(net, optimizer, data,
                   {.epochs = epochs, .batch_size = batch, .record_every = 1, .schedule = schedule, .progress = label},
                   gen);
}

std::vector<MnistRun> optimizers_on_mnist(Plotter& plot, Network<float>& net, const arma::fvec& theta0,
                                          const MnistData& data, const MnistData& pilot, int epochs, bool quick) {
  const arma::uword batch = 128;
  std::cout << "4. The optimisers on MNIST: 784-64-16-10, batch " << batch << ", " << epochs
            << " epochs, the same start\n"
            << "   and the same mini-batches. Each optimiser's learning rate is the best on a pilot (2 epochs on\n"
            << "   " << pilot.X->n_cols
            << " images, scored by the dev accuracy) over rates a factor √10 apart, the grid\n"
            << "   widened on the side of the best until the best has a worse rate on each side.\n";
  struct Candidate {
    std::string name;
    std::vector<int> rates;  // k of η = 10^(k/2): a factor √10 apart
  };
  const std::vector<Candidate> candidates = {{"SGD", {-2, -1, 0}},  // 0.1, 0.316, 1
                                             {"momentum", {-2, -1, 0}},
                                             {"RMSprop", {-7, -6, -5}},  // 3.16·10⁻⁴, 10⁻³, 3.16·10⁻³
                                             {"Adam", {-7, -6, -5}}};
  auto rate = [](int k) { return std::pow(10.0, k / 2.0); };
  std::vector<MnistRun> runs;
  for (const Candidate& c : candidates) {
    std::map<int, double> accuracy;  // k → dev accuracy of the pilot at η = 10^(k/2)
    auto score = [&](int k) {
      if (accuracy.count(k)) return;
      const std::unique_ptr<Optimizer<float>> o = make_mnist_optimizer(c.name, rate(k));
      accuracy[k] = train(net, theta0, *o, pilot, quick ? 1 : 2, batch, nullptr, "").back().dev_accuracy;
    };
    for (int k : c.rates) score(k);
    auto best_entry = [&] {
      return std::max_element(accuracy.begin(), accuracy.end(), [](auto& a, auto& b) { return a.second < b.second; });
    };
    // Widen until the best rate is interior (at most 8 more rates).
    for (int widen = 0; widen < 8; ++widen) {
      const auto best = best_entry();
      if (best == accuracy.begin())
        score(best->first - 1);
      else if (std::next(best) == accuracy.end())
        score(best->first + 1);
      else
        break;
    }
    const double best = rate(best_entry()->first);
    const bool at_edge = best_entry() == accuracy.begin() || std::next(best_entry()) == accuracy.end();
    std::cout << "   " << c.name << " pilot:";
    for (const auto& [k, a] : accuracy) std::cout << "  " << format_value("%.3g", rate(k)) << ": " << format_percent(a);
    std::cout << "  → η = " << format_value("%.3g", best)
              << (at_edge ? " (still at the edge of the rates tried: the best may lie beyond)" : "") << "\n";
    runs.push_back({c.name, best, {}});
  }
  runs.push_back(
      {"Adam (fused)", runs.back().lr, {}});  // the same steps to rounding, in one pass (bench_ch09_optimizers)
  for (MnistRun& run : runs) {
    const std::unique_ptr<Optimizer<float>> optimizer = make_mnist_optimizer(run.name, run.lr);
    run.history = train(net, theta0, *optimizer, data, epochs, batch, nullptr, run.name);
  }
  std::cout << "\n     optimiser    η        train cost   dev cost   dev accuracy   s per epoch   × SGD's time\n";
  const double sgd_seconds = runs.front().history.back().seconds;
  for (const MnistRun& run : runs) {
    const double seconds = run.history.back().seconds;
    std::printf("     %-12s %-8s %9.4f   %8.4f   %11s   %10.3f   %8.2f\n", run.name.c_str(),
                format_value("%.3g", run.lr).c_str(), run.history.back().train_cost, run.history.back().dev_cost,
                format_percent(run.history.back().dev_accuracy).c_str(), seconds / epochs, seconds / sgd_seconds);
  }
  std::cout << "   (the time is the training steps only; momentum, RMSprop and Adam add their element-wise updates of\n"
            << "   every parameter to SGD's; Adam (fused) is the same update in one pass: bench_ch09_optimizers\n"
            << "   measures the update alone)\n\n";

  LinePlot cost{.title = "MNIST 784-64-16-10: training cost per optimiser",
                .xlabel = "epoch",
                .ylabel = "training cost J",
                .logy = true,
                .integer_x = true};
  LinePlot accuracy{.title = "MNIST 784-64-16-10: dev accuracy per optimiser",
                    .xlabel = "epoch",
                    .ylabel = "dev accuracy (%)",
                    .integer_x = true};
  for (const MnistRun& run : runs) {
    const std::string title = run.name + " (η = " + format_value("%.3g", run.lr) + ")";
    cost.series.push_back(
        {title, run.history.epochs(), run.history.column(&course::EpochRecord::train_cost), "linespoints"});
    accuracy.series.push_back(
        {title, run.history.epochs(), percent(run.history.column(&course::EpochRecord::dev_accuracy)), "linespoints"});
  }
  plot.lines("mnist_optimizers_cost", cost);
  plot.lines("mnist_optimizers_accuracy", accuracy);
  return runs;
}

// ---------------------------------------------------------------- 5. learning-rate decay

void schedules(Plotter& plot, Network<float>& net, const arma::fvec& theta0, const MnistData& data, int epochs,
               double alpha0) {
  std::cout << "5. Learning-rate decay (note 001 §2.6): SGD from α0 = " << alpha0 << ", " << epochs << " epochs\n";
  std::vector<std::unique_ptr<LearningRateSchedule>> all;
  all.push_back(std::make_unique<ConstantRate>(alpha0));
  all.push_back(std::make_unique<InverseTimeDecay>(alpha0, 0.5));
  all.push_back(std::make_unique<ExponentialDecay>(alpha0, 0.8));
  all.push_back(std::make_unique<InverseSqrtDecay>(alpha0, 1.0));
  all.push_back(std::make_unique<StepDecay>(alpha0, 0.5, std::max(1, epochs / 4)));
  LinePlot rates{.title = "Learning-rate schedules from α0 = " + format_value("%g", alpha0),
                 .xlabel = "epoch",
                 .ylabel = "learning rate α",
                 .yrange = std::pair{0.0, 1.1 * alpha0},  // the constant rate clear of the top border
                 .integer_x = true};
  LinePlot cost{.title = "SGD on MNIST under each schedule",
                .xlabel = "epoch",
                .ylabel = "training cost J",
                .logy = true,
                .integer_x = true};
  std::cout << "     schedule                   α at epoch 1, " << epochs << "       train cost   dev accuracy\n";
  for (const auto& schedule : all) {
    SGD<float> sgd{float(alpha0)};
    const History h = train(net, theta0, sgd, data, epochs, 128, schedule.get(), "");
    std::printf("     %s %-7s %-9s   %9.4f   %11s\n", pad(schedule->name(), 26).c_str(),
                format_value("%.3g", schedule->rate(1)).c_str(), format_value("%.3g", schedule->rate(epochs)).c_str(),
                h.back().train_cost, format_percent(h.back().dev_accuracy).c_str());
    // α is constant through an epoch: a staircase, epoch t's rate drawn from t to t + 1.
    std::vector<double> epoch_edges = h.epochs(), alpha = h.column(&course::EpochRecord::learning_rate);
    epoch_edges.push_back(epoch_edges.back() + 1);
    alpha.push_back(alpha.back());
    rates.series.push_back({schedule->name(), epoch_edges, alpha, "steps lw 2"});
    cost.series.push_back({schedule->name(), h.epochs(), h.column(&course::EpochRecord::train_cost), "linespoints"});
  }
  std::cout << "\n";
  plot.lines("schedules", rates);
  plot.lines("schedules_cost", cost);
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch09", "Optimisation algorithms", {.epochs = 10, .lr = 1.0, .batch_size = 128});
  int pilot_size = 10000, variant_images = 2048, variant_steps = 300;
  bool skip_mnist = false, skip_schedules = false;
  chapter.add_blas_threads_option();
  chapter.app()
      .add_option("--pilot-size", pilot_size, "training images of the learning-rate pilots")
      ->check(CLI::Range(500, 50000));
  chapter.app()
      .add_option("--variant-images", variant_images, "images of the batch / stochastic / mini-batch comparison")
      ->check(CLI::Range(64, 50000));
  chapter.app().add_option("--variant-steps", variant_steps, "steps of that comparison")->check(CLI::Range(10, 100000));
  chapter.app().add_flag("--skip-mnist", skip_mnist, "only the averages and the test surfaces");
  chapter.app().add_flag("--skip-schedules", skip_schedules, "leave out the learning-rate decays on MNIST");
  // --lr is α0 of the decays (SGD); --epochs the epochs of every MNIST training.

  return chapter.run(argc, argv, [&](const Options& opt) {
    Plotter plot(opt);
    averages(plot, rng());
    surfaces(plot, opt.quick);
    if (skip_mnist) {
      chapter.summary("averages and test surfaces only (--skip-mnist)");
      return;
    }

    const Mnist mnist = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    const std::size_t dev_size = opt.quick ? mnist.train.size() / 5 : 10000;
    const Split split = split_dev(mnist.train, dev_size, rng());
    const int epochs = opt.quick ? std::min(opt.epochs, 3) : opt.epochs;
    std::cout << mnist.name << ": train " << split.train.size() << ", dev " << split.dev.size() << " images\n\n";

    Network<float> net = ch07::make_mnist_mlp();  // one initialisation, θ_0, for every run
    const arma::fvec theta0 = net.flatten();

    const arma::uword variant_m = std::min<arma::uword>(arma::uword(variant_images), split.train.size());
    const Dataset small = subset(split.train, arma::regspace<arma::uvec>(0, variant_m - 1));
    gradient_descent_variants(plot, net, theta0, small.X, one_hot<float>(small.y),
                              opt.quick ? std::min(variant_steps, 60) : variant_steps, 0.2);

    const arma::fmat Y_train = one_hot<float>(split.train.y), Y_dev = one_hot<float>(split.dev.y);
    const arma::Mat<std::uint8_t> X_bytes = ch07::to_bytes(split.train.X);
    const MnistData data{&X_bytes, &split.train.X, &Y_train, &split.dev.X, &Y_dev};
    const arma::uword pilot_m = std::min<arma::uword>(arma::uword(pilot_size), split.train.size());
    const arma::fmat X_pilot = split.train.X.head_cols(pilot_m), Y_pilot = Y_train.head_cols(pilot_m);
    const arma::Mat<std::uint8_t> pilot_bytes = X_bytes.head_cols(pilot_m);
    const MnistData pilot{&pilot_bytes, &X_pilot, &Y_pilot, &split.dev.X, &Y_dev};
    const std::vector<MnistRun> runs = optimizers_on_mnist(plot, net, theta0, data, pilot, epochs, opt.quick);
    if (!skip_schedules) schedules(plot, net, theta0, data, epochs, opt.lr);

    const MnistRun& best = *std::max_element(runs.begin(), runs.end(), [](const MnistRun& a, const MnistRun& b) {
      return a.history.back().dev_accuracy < b.history.back().dev_accuracy;
    });
    chapter.summary(best.name + " best on MNIST: " + format_percent(best.history.back().dev_accuracy) +
                    " dev accuracy after " + std::to_string(epochs) + " epochs (SGD " +
                    format_percent(runs.front().history.back().dev_accuracy) + ")");
  });
}
