// Chapter 7: the 784-64-16-10 MNIST network of note 003.
//
//   build/release/bin/ch07                         train on MNIST (dev set held out), test, save the model
//   build/release/bin/ch07 --load out/07_mnist_mlp/model.bin   evaluate a saved model on the test set
//   build/release/bin/ch07 --quick                 the embedded sample, in seconds
//   build/release/bin/ch07 --epochs 20 --lr 0.5 --batch-size 32
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/test_report.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/files.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"

using namespace course;
using namespace course::ch07;

namespace {

using Clock = std::chrono::steady_clock;

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }

// The sample standard deviation (n − 1); 0 for a single value.
double sd_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double mu = mean_of(v);
  double ss = 0;
  for (double x : v) ss += (x - mu) * (x - mu);
  return std::sqrt(ss / double(v.size() - 1));
}

std::string mean_sd_percent(const std::vector<double>& fractions) {
  return format_value("%.2f", 100 * mean_of(fractions)) + " ± " + format_value("%.2f%%", 100 * sd_of(fractions));
}

// A vertical line at epoch e from y0 to y1: the best dev epoch on a learning curve.
Series epoch_mark(const std::string& title, int e, double y0, double y1) {
  return Series{title, std::vector<double>{double(e), double(e)}, std::vector<double>{y0, y1}, "lines"};
}

// How the batch size m and the learning rate η interact (note 003, note 001 §2.1), on the dev set
// only: every setting trained for `epochs` epochs from each seed's start (the same start for every
// setting of that seed), the dev accuracy averaged over the seeds. A run collapses when its cost
// turns into NaN/inf, or when it ends no better than guessing: dev accuracy below 20% and dev cost
// at least ln 10 (the cost of the uniform guess 1/10). A setting with a collapsed seed is marked
// and left out of the choice and the figure.
void sweep_batch_and_rate(const arma::Mat<std::uint8_t>& X_train, const arma::fmat& Y_train, const arma::fmat& X_dev,
                          const arma::fmat& Y_dev, int epochs, int seeds, unsigned long first_seed, bool sparse_input,
                          Plotter& plot) {
  const std::vector<arma::uword> batches = {16, 64, 128, 256, 1024};
  const std::vector<double> rates = {0.05, 0.1, 0.2, 0.5, 1.0, 2.0};
  std::cout << "Batch size and learning rate: dev accuracy after " << epochs << " epoch(s), mean ± sd over " << seeds
            << " seed(s) (" << first_seed << "…" << first_seed + seeds - 1
            << "), * = a seed collapsed (the mean of the others)\n"
            << "   η →   ";
  for (double lr : rates) std::cout << std::setw(16) << format_value("%g", lr);
  std::cout << "   (time per epoch)\n";
  std::vector<arma::Col<float>> starts;  // each seed's initial θ, shared by every setting
  for (int k = 0; k < seeds; ++k) {
    seed_everything(first_seed + k);
    starts.push_back(make_mnist_mlp(fast_layers_by_default, sparse_input).flatten());
  }
  std::vector<Series> series;
  std::vector<std::string> collapsed;
  double best = -1, best_lr = 0;
  arma::uword best_batch = 0;
  for (arma::uword b : batches) {
    Series s{"batch " + std::to_string(b), {}, {}, "linespoints"};
    std::cout << "  m = " << std::setw(4) << b << " ";
    double seconds = 0;
    for (double lr : rates) {
      std::vector<double> accuracies;
      std::string lost;
      for (int k = 0; k < seeds; ++k) {
        Network<float> trial = make_mnist_mlp(fast_layers_by_default, sparse_input);
        trial.assign(starts[k]);
        std::mt19937_64 gen(first_seed + k);
        MinibatchTrainer<float> trainer;
        FastSGD sgd{float(lr)};  // the lesson's step, bit for bit, in one vector loop (fast_sgd.hpp)
        const Clock::time_point t = Clock::now();
        bool finite = true;
        for (int e = 0; e < epochs && finite; ++e)
          finite = std::isfinite(trainer.train_epoch(trial, sgd, X_train, Y_train, b, gen));
        seconds += seconds_since(t);
        const Evaluation result = finite ? evaluate(trial, X_dev, Y_dev) : Evaluation{};
        const double accuracy = finite ? result.accuracy : 0.0;
        if (!finite || (accuracy < 0.2 && result.cost >= std::log(10.0)))  // no better than guessing uniformly
          lost += " seed " + std::to_string(first_seed + k) +
                  (finite ? " (dev " + format_percent(accuracy) + ")" : " (NaN)");
        else
          accuracies.push_back(accuracy);
      }
      const std::string cell = accuracies.empty() ? std::string("collapsed") : mean_sd_percent(accuracies);
      std::cout << std::setw(16) << cell + (lost.empty() ? " " : "*");
      if (!lost.empty())
        collapsed.push_back("m = " + std::to_string(b) + ", η = " + format_value("%g", lr) + ":" + lost);
      if (lost.empty()) {
        s.x.push_back(lr);
        s.y.push_back(100 * mean_of(accuracies));
        if (mean_of(accuracies) > best) {
          best = mean_of(accuracies);
          best_batch = b;
          best_lr = lr;
        }
      }
    }
    std::cout << "   " << format_value("%.2f s", seconds / double(rates.size() * epochs * seeds)) << "\n";
    if (!s.x.empty()) series.push_back(s);
  }
  for (const std::string& c : collapsed) std::cout << "  * collapsed: " << c << "\n";
  std::cout << "  best mean dev accuracy without a collapse: m = " << best_batch << ", η = " << best_lr << " ("
            << format_percent(best) << ")\n\n";
  plot.lines("batch_size_learning_rate",
             {.title = "Dev accuracy after " + std::to_string(epochs) + " epoch(s), mean of " + std::to_string(seeds) +
                       " seeds (collapsed settings left out)",
              .xlabel = "learning rate η",
              .ylabel = "dev accuracy (%)",
              .series = series,
              .logx = true,
              .x_ticks_at_values = true});
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch07", "The three-layer MNIST network (784-64-16-10)", {.epochs = 50, .lr = 0.2, .batch_size = 16});
  int dev_size = 10000;
  int seeds = 3;
  int sweep_epochs = 10;
  int sweep_seeds = 3;
  std::string first_layer = "sparse";
  std::string load_path;
  chapter.app()
      .add_option("--dev-size", dev_size, "training images held out as the dev set")
      ->check(CLI::Range(100, 30000));
  chapter.add_blas_threads_option();
  chapter.app().add_option("--load", load_path, "evaluate this saved model on the test set instead of training");
  chapter.app()
      .add_option("--seeds", seeds, "independent trainings of the network (seeds --seed, --seed+1, ...): the spread")
      ->check(CLI::Range(1, 20));
  chapter.app()
      .add_option("--sweep-epochs", sweep_epochs,
                  "epochs per run of the batch size / learning rate comparison (0: skip it)")
      ->check(CLI::Range(0, 100));
  chapter.app()
      .add_option("--sweep-seeds", sweep_seeds,
                  "seeds averaged per setting of the batch size / learning rate comparison")
      ->check(CLI::Range(1, 20));

  chapter.app()
      .add_option("--first-layer", first_layer,
                  "sparse: the first layer's products skip the zero pixels (SparseInputLinear, README \"How fast\", "
                  "part 5); dense: chapter 3's Linear")
      ->check(CLI::IsMember({"sparse", "dense"}));

  return chapter.run(argc, argv, [&](const Options& opt) {
    const bool sparse_input = first_layer == "sparse";
    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);

    Network<float> net = make_mnist_mlp(fast_layers_by_default, sparse_input);
    std::cout << "Network (note 003): " << net.describe() << "\n"
              << "  " << net.parameter_count() << " parameters, Xavier-uniform initialisation\n";
    if (!fast_layers_by_default)
      std::cout << "  (your workspace build: the lesson's Sigmoid, Tanh and SoftmaxCrossEntropy, your own code)\n";
    else if (sparse_input)
      std::cout << "  the first layer's products over the nonzero pixels only (SparseInputLinear; --first-layer dense: "
                   "chapter 3's Linear)\n";

    if (!load_path.empty()) {
      load_model(net, load_path);
      std::cout << "Loaded " << load_path << "\n";
      Plotter plot(opt);
      const Evaluation test = report_test(net, data.test, plot);
      chapter.summary("loaded model: " + format_percent(test.accuracy) + " test accuracy");
      return;
    }

    // ---- The data: a dev set held out of the training set; the test set only at the end ----
    const std::size_t dev = opt.quick ? data.train.size() / 5 : std::size_t(dev_size);
    const Split split = split_dev(data.train, dev, rng());
    const arma::fmat Y_train = one_hot<float>(split.train.y);
    const arma::fmat Y_dev = one_hot<float>(split.dev.y);
    const arma::Mat<std::uint8_t> X_train = to_bytes(split.train.X);  // the pixels as bytes, for fast gathering
    const int epochs = opt.quick ? std::min(opt.epochs, 10) : opt.epochs;
    const int runs = opt.quick ? 1 : seeds;
    std::cout << data.name << ": train " << split.train.size() << ", dev " << split.dev.size() << ", test "
              << data.test.size() << " images\n\n";
    Plotter plot(opt);

    // ---- Choosing the batch size and η: the dev set only, averaged over seeds ----
    const int short_epochs = opt.quick ? std::min(sweep_epochs, 1) : sweep_epochs;
    if (short_epochs > 0)
      sweep_batch_and_rate(X_train, Y_train, split.dev.X, Y_dev, short_epochs, opt.quick ? 1 : sweep_seeds, opt.seed,
                           sparse_input, plot);

    // ---- Training, with the learning curve: the one loop (training.hpp), plain SGD, one run per seed ----
    std::cout << "Mini-batch gradient descent: " << epochs << " epochs, batch " << opt.batch_size << ", η = " << opt.lr
              << ", " << runs << " seed(s) from " << opt.seed << "\n";
    std::vector<Network<float>> nets;
    nets.reserve(runs);
    std::vector<History> histories;
    std::vector<std::vector<arma::Col<float>>> snapshots(runs);  // θ after every epoch, to go back to the chosen one
    for (int k = 0; k < runs; ++k) {
      seed_everything(opt.seed + k);  // the initial weights and the order of the examples
      nets.push_back(make_mnist_mlp(fast_layers_by_default, sparse_input));
      FastSGD sgd(float(opt.lr));  // the lesson's SGD step, in one vector loop (fast_sgd.hpp)
      Network<float>& trained = nets.back();
      histories.push_back(fit(nets.back(), sgd, X_train, Y_train, LabelledSet<float>{&split.train.X, &Y_train},
                              LabelledSet<float>{&split.dev.X, &Y_dev},
                              {.epochs = epochs,
                               .batch_size = arma::uword(opt.batch_size),
                               .record_every = 1,
                               .schedule = nullptr,
                               .progress = "seed " + std::to_string(opt.seed + k)},
                              rng(), [&](int, const History&) {
                                snapshots[k].push_back(trained.flatten());
                                return true;
                              }));
      const History& h = histories.back();
      const std::vector<double> acc = h.column(&course::EpochRecord::dev_accuracy);
      const std::vector<double> cost = h.column(&course::EpochRecord::dev_cost);
      const auto best_acc = std::max_element(acc.begin(), acc.end()) - acc.begin();
      const auto best_cost = std::min_element(cost.begin(), cost.end()) - cost.begin();
      std::cout << "  seed " << opt.seed + k << ": " << format_value("%.3f s", h.back().seconds / epochs)
                << " per epoch; after epoch " << epochs << " train cost " << format_value("%.4f", h.back().train_cost)
                << ", train accuracy " << format_percent(h.back().train_accuracy) << ", dev cost "
                << format_value("%.4f", cost.back()) << ", dev accuracy " << format_percent(acc.back())
                << "; best dev accuracy " << format_percent(acc[best_acc]) << " at epoch " << h.epochs()[best_acc]
                << ", lowest dev cost " << format_value("%.4f", cost[best_cost]) << " at epoch "
                << h.epochs()[best_cost] << "\n";
    }
    // The dev curve averaged over the seeds: where it peaks is how many epochs to train. Every seed's
    // network goes back to that epoch (a choice made on the dev set only; chapter 8 makes it per run).
    const std::vector<double> x = histories[0].epochs();
    std::vector<double> mean_dev_acc(x.size(), 0.0), mean_dev_cost(x.size(), 0.0), dev_final;
    for (const History& h : histories) {
      const std::vector<double> acc = h.column(&course::EpochRecord::dev_accuracy);
      const std::vector<double> cost = h.column(&course::EpochRecord::dev_cost);
      for (std::size_t i = 0; i < x.size(); ++i) {
        mean_dev_acc[i] += acc[i] / runs;
        mean_dev_cost[i] += cost[i] / runs;
      }
      dev_final.push_back(acc.back());
    }
    const std::size_t peak = std::max_element(mean_dev_acc.begin(), mean_dev_acc.end()) - mean_dev_acc.begin();
    const std::size_t low = std::min_element(mean_dev_cost.begin(), mean_dev_cost.end()) - mean_dev_cost.begin();
    std::cout << "Dev curve, mean of " << runs << " seed(s): highest accuracy " << format_percent(mean_dev_acc[peak])
              << " at epoch " << x[peak] << ", lowest cost " << format_value("%.4f", mean_dev_cost[low]) << " at epoch "
              << x[low] << "; after epoch " << epochs << ": dev accuracy " << mean_sd_percent(dev_final) << "\n";
    const int chosen_epoch = int(x[peak]);
    std::vector<double> dev_chosen;
    for (int k = 0; k < runs; ++k) {
      nets[k].assign(snapshots[k][peak]);
      dev_chosen.push_back(histories[k].column(&course::EpochRecord::dev_accuracy)[peak]);
    }
    std::cout << "Chosen on the dev set: the networks after epoch " << chosen_epoch << " (dev accuracy "
              << mean_sd_percent(dev_chosen) << ")\n";

    // ---- The first seed's network: its learning curve, with its best dev epoch marked, and its file ----
    const History& history = histories[0];
    history.write_csv(opt.out / "history.csv");
    const std::vector<double> dev_accuracy = history.column(&course::EpochRecord::dev_accuracy);
    const std::vector<double> train_cost = history.column(&course::EpochRecord::train_cost);
    const std::vector<double> dev_cost = history.column(&course::EpochRecord::dev_cost);
    const int best_epoch = chosen_epoch;
    const std::string mark = "chosen: best mean dev accuracy (epoch " + std::to_string(best_epoch) + ")";
    plot.lines("learning_curve_cost",
               {.title = "Learning curve: cost (784-64-16-10, batch " + std::to_string(opt.batch_size) +
                         ", η = " + format_value("%g", opt.lr) + ", seed " + std::to_string(opt.seed) + ")",
                .xlabel = "epoch",
                .ylabel = "cross-entropy cost J",
                .series = {{"train", x, train_cost, "lines"},
                           {"dev", x, dev_cost, "lines"},
                           epoch_mark(mark, best_epoch, *std::min_element(train_cost.begin(), train_cost.end()),
                                      *std::max_element(train_cost.begin(), train_cost.end()))},
                .logy = true});
    const std::vector<double> train_pct = percent(history.column(&course::EpochRecord::train_accuracy));
    const std::vector<double> dev_pct = percent(dev_accuracy);
    plot.lines("learning_curve_accuracy",
               {.title = "Learning curve: accuracy (seed " + std::to_string(opt.seed) + ")",
                .xlabel = "epoch",
                .ylabel = "accuracy (%)",
                .series = {{"train", x, train_pct, "lines"},
                           {"dev", x, dev_pct, "lines"},
                           epoch_mark(mark, best_epoch, *std::min_element(dev_pct.begin(), dev_pct.end()), 100.0)}});

    // ---- The model, saved atomically (a crash never leaves half a file) ----
    const fs::path model = opt.out / "model.bin";
    save_model(nets[0], model);
    std::cout << "Saved the first seed's model (epoch " << chosen_epoch << ") to " << display_path(model)
              << " (evaluate it again with --load " << display_path(model) << ")\n\n";

    // ---- The test set, once, at the end, after every choice: each seed's network, then the spread ----
    std::vector<double> test_accuracy;
    for (int k = 0; k < runs; ++k) {
      std::cout << "seed " << opt.seed + k << ": ";
      test_accuracy.push_back(
          k == 0 ? report_test(nets[0], data.test, plot).accuracy
                 : report_test(nets[k], data.test, plot, {.print_confusion = false, .draw = false}).accuracy);
    }
    const double test_mean = mean_of(test_accuracy);
    std::cout << "\nTest accuracy over " << runs << " seed(s): " << mean_sd_percent(test_accuracy) << " (min "
              << format_percent(*std::min_element(test_accuracy.begin(), test_accuracy.end())) << ", max "
              << format_percent(*std::max_element(test_accuracy.begin(), test_accuracy.end())) << ")\n";
    const double train_seconds = history.back().seconds;
    write_results(opt.out, {{"test_accuracy_mean", test_mean},
                            {"test_accuracy_sd", sd_of(test_accuracy)},
                            {"test_accuracy_first_seed", test_accuracy[0]},
                            {"seeds", runs},
                            {"training_seconds", train_seconds},
                            {"epochs", epochs},
                            {"chosen_epoch", chosen_epoch}});

    chapter.summary(format_percent(test_mean) + " mean test accuracy over " + std::to_string(runs) +
                    " seed(s) at epoch " + std::to_string(chosen_epoch) + " of " + std::to_string(epochs) + " (" +
                    format_value("%.3f s", train_seconds / epochs) + " per epoch); model saved");
  });
}
