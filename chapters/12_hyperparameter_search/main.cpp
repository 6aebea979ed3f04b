// Chapter 12: hyperparameter search.
//
//   build/release/bin/ch12              the toy, the samplers, then the searches on MNIST (about a minute)
//   build/release/bin/ch12 --quick      the same on the embedded sample, in seconds
//   build/release/bin/ch12 --grid 5,5,1 --search-seeds 2
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/12_hyperparameter_search/mnist_trial.hpp"
#include "chapters/12_hyperparameter_search/search.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/files.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch12;

namespace {

using Clock = std::chrono::steady_clock;

std::vector<double> column_of(const std::vector<Config>& configs, std::size_t j) {
  std::vector<double> v;
  for (const Config& c : configs) v.push_back(c[j]);
  return v;
}

std::size_t distinct(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return std::size_t(std::unique(v.begin(), v.end()) - v.begin());
}

// ---------------------------------------------------------------- 1. the toy

double toy_best(const std::vector<Config>& configs) {
  double best = 0;
  for (const Config& c : configs) best = std::max(best, toy_score(c[0], c[1]));
  return best;
}

void toy(Plotter& plot, std::mt19937_64& gen, int searches) {
  const Space space = toy_space();
  const std::vector<Config> grid = grid_configs(space, {3, 3});
  const std::vector<Config> random = random_configs(space, 9, gen);
  std::cout << "1. The toy (Bergstra and Bengio 2012, figure 1): score f(x, y) = g(x) = exp(−(x − 0.7)²/(2·0.06²)),\n"
            << "   y does not matter. Nine trials each over [0, 1]²:\n";
  auto show = [](const char* name, const std::vector<Config>& configs) {
    std::vector<double> xs = column_of(configs, 0);
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    std::cout << "     " << name << distinct(column_of(configs, 0)) << " values of x:";
    for (double x : xs) std::cout << " " << format_value("%.3f", x);
    std::cout << "\n       best score " << format_value("%.3f", toy_best(configs)) << "\n";
  };
  show("grid 3 × 3:  ", grid);
  show("random 9:    ", random);
  // Over many random searches: P(best > ½) = P(some x within w of 0.7), w = 0.06·√(2 ln 2),
  // = 1 − (1 − 2w)⁹ for nine independent uniform x.
  int over_half = 0;
  double total = 0;
  for (int s = 0; s < searches; ++s) {
    const double b = toy_best(random_configs(space, 9, gen));
    total += b;
    over_half += b > 0.5;
  }
  const double w = 0.06 * std::sqrt(2 * std::log(2.0));
  std::cout << "   Over " << searches << " random searches of 9: mean best score "
            << format_value("%.3f", total / searches) << "; best above ½ in "
            << format_percent(double(over_half) / searches) << " of them (1 − (1 − 2·" << format_value("%.4f", w)
            << ")⁹ = " << format_percent(1 - std::pow(1 - 2 * w, 9)) << " expected).\n"
            << "   The grid's best is " << format_value("%.3f", toy_best(grid))
            << " every time: its 9 trials are 3 values of x, each tried 3 times.\n\n";

  // Two figures, one quantity on each y axis: where the trials are in the plane, and what they score.
  LinePlot trials{.title = "Nine trials each: the grid tries 3 values of x, random search 9",
                  .xlabel = "x (the hyperparameter that matters)",
                  .ylabel = "y (the hyperparameter that does not)",
                  .yrange = std::pair{-0.03, 1.03},  // [0, 1] and a margin: no trial on the frame
                  .key = "outside right top",
                  .xrange = std::pair{-0.03, 1.03}};
  trials.series.push_back({"", {0, 1, 1, 0, 0}, {0, 0, 1, 1, 0}, "lines lw 1 lc rgb '#999999'"});
  trials.series.push_back(
      {"grid trials (x, y)", column_of(grid, 0), column_of(grid, 1), "points pt 5 ps 1.6 lc rgb '#1f77b4'"});
  trials.series.push_back(
      {"random trials (x, y)", column_of(random, 0), column_of(random, 1), "points pt 7 ps 1.6 lc rgb '#ff7f0e'"});
  plot.lines("toy", trials);

  LinePlot scored{.title = "Their scores: f(x, y) = g(x), whatever y is",
                  .xlabel = "x (the hyperparameter that matters)",
                  .ylabel = "score g(x)",
                  .yrange = std::pair{-0.04, 1.05},  // scores of 0 just above the frame
                  .key = "top left",
                  .xrange = std::pair{-0.02, 1.02}};
  std::vector<double> cx, cy;
  for (int i = 0; i <= 400; ++i) cx.push_back(i / 400.0), cy.push_back(toy_score(i / 400.0, 0));
  scored.series.push_back({"score g(x)", cx, cy, "lines lw 2 lc rgb '#555555'"});
  auto scores = [](const std::vector<Config>& c) {
    std::vector<double> s;
    for (const Config& k : c) s.push_back(toy_score(k[0], k[1]));
    return s;
  };
  scored.series.push_back(
      {"grid: 9 trials, 3 values of x", column_of(grid, 0), scores(grid), "points pt 5 ps 1.6 lc rgb '#1f77b4'"});
  scored.series.push_back(
      {"random: 9 trials, 9 values of x", column_of(random, 0), scores(random), "points pt 7 ps 1.3 lc rgb '#ff7f0e'"});
  plot.lines("toy_scores", scored);
}

// ---------------------------------------------------------------- 2. sampling on a scale

void sampling(Plotter& plot, std::mt19937_64& gen, int n) {
  std::cout << "2. Sampling on the right scale (note 003; note 001 §3.1), " << n << " draws each\n";
  std::vector<double> log_rate, uniform_rate;
  std::uniform_real_distribution<double> uniform(1e-4, 1.0);
  for (int i = 0; i < n; ++i) {
    log_rate.push_back(log_uniform(1e-4, 1.0, gen));  // α = 10^U(−4, 0)
    uniform_rate.push_back(uniform(gen));             // α = U(10⁻⁴, 1)
  }
  const std::vector<double> in_log = decade_fractions(log_rate, -4, 0),
                            in_uniform = decade_fractions(uniform_rate, -4, 0);
  std::cout << "   learning rate α over [10⁻⁴, 1]:  decade           10^U(−4, 0)   expected   U(10⁻⁴, 1)   expected\n";
  const char* decades[] = {"[10⁻⁴, 10⁻³)", "[10⁻³, 10⁻²)", "[10⁻², 10⁻¹)", "[10⁻¹, 1]   "};
  for (int d = 0; d < 4; ++d) {
    const double lo = std::pow(10.0, d - 4), hi = std::pow(10.0, d - 3);
    std::printf("                                    %s    %8s   %8s   %9s   %8s\n", decades[d],
                format_percent(in_log[d]).c_str(), format_percent(0.25).c_str(), format_percent(in_uniform[d]).c_str(),
                format_percent((hi - lo) / (1 - 1e-4)).c_str());
  }
  // Hidden units n = exp U(ln 50, ln 2000): the fraction in [a, b] is ln(b/a)/ln 40.
  const Dimension hidden{"hidden units", 50, 2000, Scale::log, true};
  const Dimension beta{"β", 0.9, 0.999, Scale::one_minus_log, false};
  int below_100 = 0, above_1000 = 0, beta_high = 0, uniform_beta_high = 0;
  std::uniform_real_distribution<double> uniform_beta(0.9, 0.999);
  for (int i = 0; i < n; ++i) {
    const double h = sample(hidden, gen), b = sample(beta, gen);
    below_100 += h<100, above_1000 += h> 1000, beta_high += b > 0.99, uniform_beta_high += uniform_beta(gen) > 0.99;
  }
  std::cout << "   hidden units exp U(ln 50, ln 2000): below 100 " << format_percent(double(below_100) / n)
            << ", above 1000 " << format_percent(double(above_1000) / n)
            << " (ln 2/ln 40 = " << format_percent(std::log(2.0) / std::log(40.0))
            << " each; uniform: 2.56% and 51.3%)\n"
            << "   momentum β = 1 − 10^U(−3, −1): above 0.99 " << format_percent(double(beta_high) / n)
            << " (expected 50%); β = U(0.9, 0.999): " << format_percent(double(uniform_beta_high) / n)
            << " (expected 9.09%)\n\n";
  std::vector<double> e_log, e_uniform;
  for (int i = 0; i < n; ++i)
    e_log.push_back(std::log10(log_rate[i])), e_uniform.push_back(std::log10(uniform_rate[i]));
  plot.histogram("sampling_learning_rate",
                 {.title = "Where " + std::to_string(n) + " learning rates land: uniform in the exponent, or uniform",
                  .xlabel = "log₁₀ α",
                  .ylabel = "draws per bin",
                  .samples = {{"α = 10^U(−4, 0)", arma::vec(e_log)}, {"α = U(10⁻⁴, 1)", arma::vec(e_uniform)}},
                  .bins = 40});
}

// ---------------------------------------------------------------- 3. the searches on MNIST

// A difference of accuracy in points, signed with a true minus: "+0.52", "−2.84".
std::string signed_points(double d) { return (d < 0 ? "−" : "+") + format_value("%.2f", std::abs(d)); }

std::string describe(const Config& c) {
  return "α = " + format_value("%.3g", c[0]) + ", h = " + format_value("%.0f", c[1]) +
         ", β = " + format_value("%.4f", c[2]);
}

double seconds_of(const std::vector<Trial>& trials) {
  double s = 0;
  for (const Trial& t : trials) s += t.seconds;
  return s;
}

// The top trials of a search, best first, and its best.
void report(const Search& search, double wall, int top) {
  std::vector<Trial> sorted = search.trials;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Trial& a, const Trial& b) {
    if (std::isnan(a.outcome.score)) return false;
    if (std::isnan(b.outcome.score)) return true;
    return a.outcome.score > b.outcome.score;
  });
  int diverged = 0;
  for (const Trial& t : search.trials) diverged += std::isnan(t.outcome.score);
  std::cout << "   " << search.name << ": " << search.trials.size() << " trials, "
            << distinct(column_of(
                   [&] {
                     std::vector<Config> c;
                     for (const Trial& t : search.trials) c.push_back(t.config);
                     return c;
                   }(),
                   0))
            << " values of α, " << diverged << " diverged, " << format_value("%.1f", wall)
            << " s (the trials' own times " << format_value("%.1f", seconds_of(search.trials)) << " s added up). Best "
            << top << ":\n"
            << "       #    α          h      β        dev accuracy   dev cost\n";
  for (int k = 0; k < top && k < int(sorted.size()); ++k) {
    const Trial& t = sorted[std::size_t(k)];
    std::printf("     %3d    %-9s %4.0f    %-7s  %11s   %8.4f\n", t.index + 1,
                format_value("%.3g", t.config[0]).c_str(), t.config[1], format_value("%.4f", t.config[2]).c_str(),
                std::isnan(t.outcome.score) ? "diverged" : format_percent(t.outcome.score).c_str(), t.outcome.cost);
  }
}

// Every trial of every search, one line each (written to a temporary file, then renamed).
void write_trials(const fs::path& file, const std::vector<const Search*>& searches) {
  write_file_atomically(file, [&](std::ostream& out) {
    out << "search,trial,seed,learning_rate,hidden_units,beta,dev_accuracy,dev_cost,seconds\n";
    for (const Search* s : searches)
      for (const Trial& t : s->trials)
        out << s->name << "," << t.index + 1 << "," << t.seed << "," << format_value("%.6g", t.config[0]) << ","
            << format_value("%.0f", t.config[1]) << "," << format_value("%.6g", t.config[2]) << ","
            << format_value("%.4f", t.outcome.score) << "," << format_value("%.5f", t.outcome.cost) << ","
            << format_value("%.3f", t.seconds) << "\n";
  });
}

Series dev_accuracy_series(const std::string& title, const Search& s, const std::string& style) {
  Series series{title, {}, {}, style};
  for (const Trial& t : s.trials)
    if (!std::isnan(t.outcome.score)) series.x.push_back(t.config[0]), series.y.push_back(100 * t.outcome.score);
  return series;
}

// Best-so-far curves of several runs of a search: their mean, and their range as a band.
// colour: the band's and its mean's (the same), e.g. "#1f77b4".
// from: the number of the curves' first trial.
void add_band(LinePlot& figure, const std::string& name, const std::vector<std::vector<double>>& curves,
              const std::string& colour, std::size_t from) {
  const std::size_t n = curves.front().size();
  std::vector<double> lo(n), hi(n), mean(n);
  for (std::size_t t = 0; t < n; ++t) {
    lo[t] = 100, hi[t] = 0, mean[t] = 0;
    for (const std::vector<double>& c : curves) {
      const double v = std::isnan(c[t]) ? 0.0 : 100 * c[t];
      lo[t] = std::min(lo[t], v), hi[t] = std::max(hi[t], v), mean[t] += v / double(curves.size());
    }
  }
  const arma::vec x = arma::regspace<arma::vec>(double(from), double(from + n - 1));  // trial from, from + 1, ...
  // The bands go before every line (a transparent band drawn over a line would tint it).
  const auto first_line =
      std::find_if(figure.series.begin(), figure.series.end(), [](const Series& s) { return s.y2.empty(); });
  const std::ptrdiff_t at = first_line - figure.series.begin();
  figure.series.insert(figure.series.begin() + at,
                       {name + ": lowest to highest of " + std::to_string(curves.size()) + " runs", x, lo,
                        "filledcurves fs transparent solid 0.2 noborder lc rgb '" + colour + "'", hi});
  figure.series.push_back({name + ": mean", x, mean, "linespoints lw 2 pt 7 ps 0.8 lc rgb '" + colour + "'"});
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch12", "Hyperparameter search", {.epochs = 3, .lr = 0.1, .batch_size = 64});
  int train_size = 8000, search_seeds = 8, timing_trials = 8, timing_repeats = 3, final_epochs = 10, draws = 10000;
  int workers = std::min(2, int(std::max(1u, std::thread::hardware_concurrency())));
  double fine_fraction = 0.25;
  std::vector<int> levels = {4, 2, 2};
  chapter.add_blas_threads_option("threads for OpenBLAS's matrix products within one trial (keep 1 with --workers 2)");
  chapter.app()
      .add_option("--workers", workers, "trials run side by side (default: 2 on a machine with 2 cores or more)")
      ->check(CLI::Range(1, 64));
  chapter.app()
      .add_option("--train-size", train_size, "training images of each trial (a subset of the training split)")
      ->check(CLI::Range(100, 50000));
  chapter.app()
      .add_option(
          "--grid", levels,
          "values of α, hidden units and β in the grid (comma-separated); the budget of every search is their product")
      ->delimiter(',')
      ->expected(3)
      ->check(CLI::Range(1, 20));
  chapter.app()
      .add_option("--search-seeds", search_seeds, "random searches (and shuffled grid orders) for the best-so-far band")
      ->check(CLI::Range(1, 20));
  chapter.app()
      .add_option("--fine-fraction", fine_fraction,
                  "coarse to fine: the part of each range, on its scale, searched around the best")
      ->check(CLI::Range(0.01, 1.0));
  chapter.app()
      .add_option("--timing-trials", timing_trials,
                  "trials run both one after the other and side by side to time them (0: skip)")
      ->check(CLI::Range(0, 100));
  chapter.app()
      .add_option("--timing-repeats", timing_repeats,
                  "times the timing alternates the two ways (the fastest of each counts)")
      ->check(CLI::Range(1, 20));
  chapter.app()
      .add_option("--final-epochs", final_epochs,
                  "epochs of the best configuration retrained on the whole training split")
      ->check(CLI::Range(1, 100));
  chapter.app()
      .add_option("--draws", draws, "draws of each sampler in the sampling section")
      ->check(CLI::Range(100, 10000000));
  // --epochs and --batch-size are each trial's; --lr is not used: it is what the searches look for.

  return chapter.run(argc, argv, [&](const Options& opt) {
    Plotter plot(opt);
    std::cout
        << "What to tune first (note 001 §3.1): the learning rate α; then momentum's β, the mini-batch size and the\n"
        << "hidden units; then the layers and the learning-rate decay. Three ways to search (note 003): by hand,\n"
        << "a grid, random draws (Bergstra and Bengio 2012).\n\n";
    toy(plot, rng(), opt.quick ? 200 : 10000);
    sampling(plot, rng(), opt.quick ? std::min(draws, 2000) : draws);

    const Mnist mnist = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    const std::size_t dev_size = opt.quick ? mnist.train.size() / 5 : 10000;
    const Split split = split_dev(mnist.train, dev_size, rng());
    const arma::uword m = std::min<arma::uword>(opt.quick ? 2000 : arma::uword(train_size), split.train.size());
    const int epochs = opt.quick ? std::min(opt.epochs, 2) : opt.epochs;
    if (opt.quick)
      levels = {2, 2, 1}, search_seeds = std::min(search_seeds, 2), timing_trials = std::min(timing_trials, 2),
      timing_repeats = 1, final_epochs = 1;
    const int budget = grid_budget(levels);

    const arma::fmat Y_train = one_hot<float>(split.train.y), Y_dev = one_hot<float>(split.dev.y);
    const arma::Mat<std::uint8_t> X_bytes = ch07::to_bytes(split.train.X);
    const arma::Mat<std::uint8_t> X_small = X_bytes.head_cols(m);
    const arma::fmat Y_small = Y_train.head_cols(m);
    const MnistTask<arma::Mat<std::uint8_t>> task{
        &X_small, &Y_small, &split.dev.X, &Y_dev, epochs, arma::uword(opt.batch_size), 16};
    const Objective objective = mnist_objective(task);
    const Space space = mnist_space();
    // β's range: v = βv + (1 − β)dW starts at 0 and is not bias-corrected (Ng's form), so after t steps it
    // carries 1 − β^t of the gradients' weight; its window is 1/(1 − β) steps. Both against a trial's length:
    const double steps = double(epochs) * std::ceil(double(m) / double(opt.batch_size));
    auto weight_after = [&](double beta) { return 1 - std::pow(beta, steps); };  // 1 − β^t
    std::cout << "3. The searches on " << mnist.name << ": 784-h-16-10 (sigmoid, tanh, softmax), momentum, " << epochs
              << (epochs == 1 ? " epoch" : " epochs") << " of\n   batch " << opt.batch_size << " on " << m
              << " training images per trial (" << format_value("%.0f", steps) << " steps), scored by the accuracy on "
              << split.dev.size()
              << " dev images.\n   Space: α = 10^U(−3, 1), h = exp U(ln 16, ln 256), β = 1 − 10^U(−2, −1)."
              << "\n   β stops at 0.99: after the " << format_value("%.0f", steps) << " steps of a trial, v holds "
              << format_percent(weight_after(0.99)) << " of the gradients' weight at β = 0.99 (a window of 100 steps),"
              << "\n   " << format_percent(weight_after(0.999))
              << " at 0.999 (a window of 1000 steps): Ng's momentum has no bias correction.\n   Budget " << budget
              << " trials per search, " << workers << " worker(s), one BLAS thread each.\n";

    // Each search is run `search_seeds` times, the grid as often as random search, each run with its own seed
    // s = seed, seed + 1, ...: the trials' seeds (initialisation, order of the mini-batches) follow from it, and
    // random search's draws too. Run s of the grid and run s of random search get the same trial seeds.
    // The first run of each (seed s = seed) is the search; the others only measure how much its result is luck.
    std::vector<Search> grids, randoms;
    grids.reserve(std::size_t(search_seeds)), randoms.reserve(std::size_t(search_seeds));  // `grid` below stays valid
    double grid_wall = 0, random_wall = 0;
    auto run_pair = [&](std::uint64_t s) {
      Clock::time_point start = Clock::now();
      grids.push_back(grid_search(space, levels, s, objective, workers));
      grid_wall += seconds_since(start);
      start = Clock::now();
      randoms.push_back(random_search(space, budget, s, objective, workers));
      random_wall += seconds_since(start);
      grids.back().name = "grid " + std::to_string(levels[0]) + " α × " + std::to_string(levels[1]) + " h × " +
                          std::to_string(levels[2]) + " β";
      randoms.back().name = "random";
      if (s != opt.seed) {  // the runs that measure the noise, told apart in trials.csv
        grids.back().name += " (seed " + std::to_string(s) + ")";
        randoms.back().name += " (seed " + std::to_string(s) + ")";
      }
    };
    run_pair(opt.seed);
    const Search& grid = grids[0];
    report(grid, grid_wall, 5);
    report(randoms[0], random_wall, 5);

    // Coarse to fine: a second random search, with the same budget, in the region around the best trial so far.
    std::vector<Trial> coarse = grid.trials;
    coarse.insert(coarse.end(), randoms[0].trials.begin(), randoms[0].trials.end());
    const Trial best_coarse = best_trial(coarse);
    const Space fine_space = refine(space, best_coarse.config, fine_fraction);
    std::cout << "   Coarse to fine: around the best so far (" << describe(best_coarse.config) << ", "
              << format_percent(best_coarse.outcome.score) << "),\n   " << format_value("%g", fine_fraction)
              << " of each range on its scale: α ∈ [" << format_value("%.3g", fine_space[0].lo) << ", "
              << format_value("%.3g", fine_space[0].hi) << "], h ∈ [" << format_value("%.0f", fine_space[1].lo) << ", "
              << format_value("%.0f", fine_space[1].hi) << "], β ∈ [" << format_value("%.4f", fine_space[2].lo) << ", "
              << format_value("%.4f", fine_space[2].hi) << "]\n";
    Clock::time_point start = Clock::now();
    Search fine = random_search(fine_space, budget, opt.seed + 1000, objective, workers);
    fine.name = "fine (random)";
    report(fine, seconds_since(start), 5);

    // The same two searches with other seeds: the noise of the comparison.
    start = Clock::now();
    for (int s = 1; s < search_seeds; ++s) run_pair(opt.seed + std::uint64_t(s));
    if (search_seeds > 1)
      std::cout << "   " << search_seeds - 1 << (search_seeds == 2 ? " more run" : " more runs")
                << " of the grid and of random search (seed " << opt.seed + 1
                << (search_seeds == 2 ? "" : "–" + std::to_string(opt.seed + std::uint64_t(search_seeds) - 1))
                << ") to compare them under the same noise: " << format_value("%.1f", seconds_since(start)) << " s\n";
    std::cout << "\n   Best dev accuracy of each search of " << budget << " trials:\n"
              << "     seed   grid     its best configuration           random   its best configuration\n";
    int grid_wins = 0;
    for (std::size_t s = 0; s < grids.size(); ++s) {
      const Trial& g = best_trial(grids[s].trials);
      const Trial& r = best_trial(randoms[s].trials);
      grid_wins += g.outcome.score > r.outcome.score;
      std::cout << "     " << pad(std::to_string(opt.seed + s), 4) << "   " << pad(format_percent(g.outcome.score), 7)
                << "  " << pad(describe(g.config), 31) << "  " << pad(format_percent(r.outcome.score), 7) << "  "
                << describe(r.config) << "\n";
    }
    std::cout << "     then fine (seed " << opt.seed
              << "'s best, refined): " << format_percent(best_trial(fine.trials).outcome.score) << "  ("
              << describe(best_trial(fine.trials).config) << ")\n"
              << "   The grid's best beat random search's in " << grid_wins << " of " << grids.size() << " seeds.\n";

    // The best-so-far curve of each run. A grid visits its points in any order: each run in a random one,
    // drawn from its seed, as random search's trials come in the random order they were drawn.
    std::vector<std::vector<double>> grid_curves, random_curves;
    for (std::size_t s = 0; s < grids.size(); ++s) {
      std::vector<Trial> visited = grids[s].trials;
      std::mt19937_64 order(trial_seed(opt.seed + s, -1));  // a stream of its own (trials use indices 0, 1, ...)
      std::shuffle(visited.begin(), visited.end(), order);
      grid_curves.push_back(best_so_far(visited));
      random_curves.push_back(best_so_far(randoms[s].trials));
    }
    auto mean_at = [](const std::vector<std::vector<double>>& curves, std::size_t t) {
      double s = 0;
      for (const std::vector<double>& c : curves) s += std::isnan(c[t]) ? 0.0 : c[t];
      return s / double(curves.size());
    };
    // How much of a difference is luck: the two best configurations trained again with other seeds.
    for (const Search* s : {&grid, static_cast<const Search*>(&randoms[0])}) {
      const Trial& b = best_trial(s->trials);
      const std::vector<Trial> again =
          run_trials(std::vector<Config>(std::size_t(search_seeds), b.config), opt.seed + 5000, objective, workers);
      double lo = 1, hi = 0, mean = 0;
      for (const Trial& t : again)
        lo = std::min(lo, t.outcome.score), hi = std::max(hi, t.outcome.score),
        mean += t.outcome.score / double(again.size());
      std::cout << "   " << pad(s == &grid ? "the grid's best" : "random's best", 15) << " with " << again.size()
                << " other seeds (initialisation, order of the mini-batches): " << format_percent(lo) << " to "
                << format_percent(hi) << ", mean " << format_percent(mean) << "\n";
    }
    // What each hyperparameter is worth near the top: the grid's best point of the search (seed `seed`) against
    // the grid points that differ from it in that hyperparameter alone, in the other runs of the grid (their
    // configurations are the same; seed `seed` chose the point, so it would flatter it). One pair of trials
    // differs by its seeds' luck as well; the mean over the runs is the hyperparameter's effect.
    if (grids.size() > 1) {
      const Trial& top = best_trial(grid.trials);
      const std::size_t others = grids.size() - 1;
      std::cout << "   Each hyperparameter changed alone at the grid's best point (" << describe(top.config)
                << "), in the " << (others == 1 ? "other run" : std::to_string(others) + " other runs")
                << " of the grid (seed " << opt.seed + 1 << (others == 1 ? "" : "–" + std::to_string(opt.seed + others))
                << "):\n";
      for (std::size_t j = 0; j < space.size(); ++j)
        for (const Trial& other : grid.trials) {
          bool differs_in_j_only = other.config[j] != top.config[j];
          for (std::size_t i = 0; i < space.size(); ++i)
            differs_in_j_only = differs_in_j_only && (i == j || other.config[i] == top.config[i]);
          if (!differs_in_j_only) continue;
          double sum = 0;  // of score(other) − score(top) over the runs, in points
          int wins = 0, pairs = 0;
          for (std::size_t s = 1; s < grids.size(); ++s) {
            const double d = grids[s].trials[std::size_t(top.index)].outcome.score -
                             grids[s].trials[std::size_t(other.index)].outcome.score;
            if (std::isnan(d)) continue;  // a diverged trial: no pair
            sum -= 100 * d, wins += d > 0, ++pairs;
          }
          std::cout << "     "
                    << pad(space[j].name + " = " +
                               format_value(space[j].scale == Scale::one_minus_log ? "%.4f" : "%.3g", other.config[j]),
                           26)
                    << " instead: " << signed_points(pairs ? sum / pairs : std::nan("")) << " points on average"
                    << "; the best point higher in " << wins << " of " << pairs << "\n";
        }
    }
    std::cout << "   Mean best-so-far over " << search_seeds << " runs of each, after ";
    std::vector<std::size_t> shown = {1};
    for (std::size_t t : {std::size_t(budget / 4), std::size_t(budget / 2), std::size_t(budget)})
      if (t > shown.back()) shown.push_back(t);
    for (std::size_t t : shown)
      std::cout << t << (t == 1 ? " trial" : " trials") << ": grid " << format_percent(mean_at(grid_curves, t - 1))
                << ", random " << format_percent(mean_at(random_curves, t - 1))
                << (t == std::size_t(budget) ? "\n" : "; ");
    std::string random_ahead;  // the trials after which random search's mean best is higher than the grid's
    for (std::size_t t = 0; t < std::size_t(budget); ++t)
      if (mean_at(random_curves, t) > mean_at(grid_curves, t)) random_ahead += " " + std::to_string(t + 1);
    std::cout << "   Random search's mean is ahead after trials:" << (random_ahead.empty() ? " none" : random_ahead)
              << "; the grid's after the others\n"
              << "   (each run a search with its own seed; the grid's trials in a random order drawn from it)\n\n";

    std::vector<const Search*> all;
    for (std::size_t s = 0; s < grids.size(); ++s) all.push_back(&grids[s]), all.push_back(&randoms[s]);
    all.push_back(&fine);
    write_trials(opt.out / "trials.csv", all);

    LinePlot by_rate{
        .title = "Dev accuracy of every trial against its learning rate (seed " + std::to_string(opt.seed) + ")",
        .xlabel = "learning rate α",
        .ylabel = "dev accuracy (%)",
        .logx = true};
    by_rate.series.push_back(dev_accuracy_series(
        "grid (" + std::to_string(budget) + " trials, " + std::to_string(levels[0]) + " values of α)", grid,
        "points pt 5 ps 1.3"));
    by_rate.series.push_back(
        dev_accuracy_series("random (" + std::to_string(budget) + " trials)", randoms[0], "points pt 7 ps 1.1"));
    by_rate.series.push_back(dev_accuracy_series("fine: random around the best (" + std::to_string(budget) + " trials)",
                                                 fine, "points pt 9 ps 1.1"));
    by_rate.xrange = std::pair{space[0].lo / 1.4, space[0].hi * 1.4};  // α's range and a little: no point on the frame
    plot.lines("dev_accuracy_by_rate", by_rate);
    // The best so far, twice: the whole range (the first trials), and the last three quarters of the budget
    // close up (where the two searches end). Both bands are drawn the same way: lowest to highest of the runs.
    for (const bool close_up : {false, true}) {
      const std::size_t from = close_up ? std::size_t(std::max(1, budget / 4)) : 1;  // trial numbers from 1
      LinePlot curves{.title = std::string(close_up ? "Close up from trial " + std::to_string(from) + ": b" : "B") +
                               "est dev accuracy so far (" + std::to_string(search_seeds) + " runs of each search)",
                      .xlabel = "trials",
                      .ylabel = "best dev accuracy so far (%)",
                      .integer_x = true,
                      .key = "bottom right"};
      auto tail = [&](const std::vector<std::vector<double>>& set) {
        std::vector<std::vector<double>> cut;
        for (const std::vector<double>& c : set) cut.emplace_back(c.begin() + std::ptrdiff_t(from - 1), c.end());
        return cut;
      };
      double lo = 100, hi = 0;  // the lowest and highest points of either band: nothing is clipped
      for (const auto* set : {&grid_curves, &random_curves})
        for (const std::vector<double>& c : tail(*set))
          lo = std::min(lo, std::isnan(c.front()) ? 0.0 : 100 * c.front()), hi = std::max(hi, 100 * c.back());
      curves.yrange = close_up ? std::pair{std::floor(lo - 0.5), std::ceil(hi + 0.5)}
                               : std::pair{10 * std::floor(lo / 10), std::min(100.0, 10 * std::ceil(hi / 10))};
      add_band(curves, "grid", tail(grid_curves), "#1f77b4", from);  // the colours of dev_accuracy_by_rate
      add_band(curves, "random", tail(random_curves), "#ff7f0e", from);
      plot.lines(close_up ? "best_so_far_end" : "best_so_far", curves);
    }

    // Side by side against one after the other, on the same trials (the grid's first ones): the speed-up, and the same results.
    if (timing_trials > 0 && workers > 1) {
      std::vector<Config> configs = grid_configs(space, levels);
      configs.resize(std::min(configs.size(), std::size_t(timing_trials)));
      // Alternately one after the other and side by side, `timing_repeats` times: the machine is shared, so each
      // way's fastest repeat is the one least slowed by other programs. The process's CPU time over the wall clock
      // says how many cores a repeat actually got.
      struct Timing {
        double wall, cores;
      };
      auto timed = [&](int w, std::vector<Trial>& trials) {
        const Clock::time_point t0 = Clock::now();
        const std::clock_t cpu = std::clock();
        trials = run_trials(configs, opt.seed, objective, w);
        const double wall = seconds_since(t0);
        return Timing{wall, double(std::clock() - cpu) / CLOCKS_PER_SEC / wall};
      };
      std::vector<Timing> serial_times, parallel_times;
      std::vector<Trial> serial, parallel;
      bool same = true;
      for (int r = 0; r < timing_repeats; ++r) {
        serial_times.push_back(timed(1, serial));
        parallel_times.push_back(timed(workers, parallel));
        for (std::size_t t = 0; t < configs.size(); ++t)
          same = same && serial[t].outcome.score == parallel[t].outcome.score &&
                 serial[t].outcome.cost == parallel[t].outcome.cost &&
                 serial[t].outcome.score == grid.trials[t].outcome.score;
      }
      std::cout << "4. Trials side by side: the grid's first " << configs.size()
                << " trials, alternately one after the other and on " << workers << " workers, "
                << (timing_repeats == 1 ? std::string("once") : std::to_string(timing_repeats) + " times") << ":\n"
                << "     repeat   one after the other   side by side   speed-up   cores used (CPU time / wall clock)\n";
      double best_serial = 1e300, best_parallel = 1e300;
      for (int r = 0; r < timing_repeats; ++r) {
        const Timing& a = serial_times[std::size_t(r)];
        const Timing& b = parallel_times[std::size_t(r)];
        best_serial = std::min(best_serial, a.wall), best_parallel = std::min(best_parallel, b.wall);
        std::printf("     %4d     %12.2f s        %9.2f s     %6.2f×     %.2f and %.2f\n", r + 1, a.wall, b.wall,
                    a.wall / b.wall, a.cores, b.cores);
      }
      std::cout << "   Fastest of each: " << format_value("%.2f", best_serial) << " s against "
                << format_value("%.2f", best_parallel) << " s, " << format_value("%.2f", best_serial / best_parallel)
                << "× faster side by side;\n   " << (same ? "the same" : "DIFFERENT")
                << " dev accuracies and costs to the last bit every time, and the same as in the grid search.\n\n";
      if (!same)
        throw std::runtime_error("trials gave different results on 1 and " + std::to_string(workers) + " workers");
    } else {
      std::cout << "4. Trials side by side: not timed (--workers 1 or --timing-trials 0)\n\n";
    }

    // The setting the search chose: the best dev score of its own trials, the coarse searches' (seed `seed`) and
    // the fine one's. The other seeds' runs and the retrainings measured the noise; they choose nothing.
    std::vector<Trial> own = coarse;
    own.insert(own.end(), fine.trials.begin(), fine.trials.end());
    const Trial best = best_trial(own);
    const MnistTask<arma::Mat<std::uint8_t>> full{
        &X_bytes, &Y_train, &split.dev.X, &Y_dev, final_epochs, arma::uword(opt.batch_size), 16};
    arma::arma_rng::set_seed(opt.seed);
    std::mt19937_64 gen(opt.seed);
    Network<float> net = ch07::make_mlp<float>({784, arma::uword(best.config[1]), 16, 10});
    ch09::Momentum<float> momentum(float(best.config[0]), best.config[2]);
    start = Clock::now();
    const History h =
        fit(net, momentum, *full.X, *full.Y, LabelledSet<float>{}, LabelledSet<float>{full.X_dev, full.Y_dev},
            {.epochs = final_epochs,
             .batch_size = full.batch_size,
             .record_every = 1,
             .schedule = nullptr,
             .progress = "retraining"},
            gen);
    const arma::fmat Y_test = one_hot<float>(mnist.test.y);
    const Evaluation test = evaluate(net, mnist.test.X, Y_test);
    std::cout << "5. The best of the search's own " << own.size() << " trials (" << grid.trials.size() << " grid, "
              << randoms[0].trials.size() << " random, " << fine.trials.size() << " fine; " << describe(best.config)
              << ", " << format_percent(best.outcome.score) << " on " << m << " images)\n   retrained on all "
              << split.train.size() << " training images for " << final_epochs
              << (final_epochs == 1 ? " epoch (" : " epochs (") << format_value("%.1f", seconds_since(start))
              << " s): dev accuracy " << format_percent(h.back().dev_accuracy) << ", test accuracy "
              << format_percent(test.accuracy) << " (the test set, once).\n";

    chapter.summary(std::to_string(budget) + " trials, best dev (mean of " + std::to_string(search_seeds) +
                    " runs): grid " + format_percent(mean_at(grid_curves, std::size_t(budget) - 1)) + ", random " +
                    format_percent(mean_at(random_curves, std::size_t(budget) - 1)) + "; then fine " +
                    format_percent(best_trial(fine.trials).outcome.score) +
                    "; chosen setting retrained: " + format_percent(test.accuracy) + " test");
  });
}
