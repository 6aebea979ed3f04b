// Chapter 10: batch normalisation.
//
//   build/release/bin/ch10              the layer on one batch, then MNIST with and without BN at several rates
//   build/release/bin/ch10 --quick      the same on the embedded sample, in seconds
//   build/release/bin/ch10 --epochs 10 --rates 0.03,0.3,3
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/10_batch_norm/batch_norm.hpp"
#include "chapters/10_batch_norm/bn_mlp.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch10;

namespace {

const std::vector<arma::uword> kSizes = {784, 100, 100, 10};

std::string net_name(bool bn) { return bn ? "with BN" : "plain"; }

// ---------------------------------------------------------------- 1. the layer on one batch

void one_batch(const arma::fmat& X) {
  std::cout << "1. The layer on one batch of " << X.n_cols << " images (note 001 §3.2): z = W x of the first layer\n";
  Network<double> net = make_bn_mlp<double>(kSizes, true);
  const arma::mat Xd = arma::conv_to<arma::mat>::from(X);
  net.forward(Xd);
  const arma::mat& z = net.layer_output(0);      // z = W x (no bias)
  const arma::mat& z_hat = net.layer_output(1);  // ẑ = γ z_norm + β with γ = 1, β = 0
  auto spread = [](const arma::mat& a) {
    const arma::vec mean = arma::mean(a, 1), var = arma::var(a, 1, 1);
    char line[200];
    std::snprintf(line, sizeof line, "means in [%+.3g, %+.3g], variances in [%.3g, %.3g]", mean.min(), mean.max(),
                  var.min(), var.max());
    return std::string(line);
  };
  std::cout << "   z, per unit:       " << spread(z) << "\n"
            << "   z_norm, per unit:  " << spread(z_hat) << "   (ε = 10⁻⁵: the variance is σ²/(σ² + ε))\n";
  // The identity case: γ = √(σ² + ε), β = μ.
  BatchNorm<double>& bn = net.layer_as<BatchNorm<double>>(1);
  bn.gamma = arma::sqrt(arma::var(z, 1, 1) + bn.epsilon());
  bn.beta = arma::mean(z, 1);
  net.forward(Xd);
  std::cout << "   with γ = √(σ² + ε), β = μ the layer gives back z: max |ẑ − z| = "
            << format_value("%.1e", arma::abs(net.layer_output(1) - net.layer_output(0)).max()) << "\n\n";
}

// ---------------------------------------------------------------- 2. with and without, at several rates

struct Run {
  bool bn;
  double lr;
  History history;
  std::optional<std::string> diverged;  // fit's message when it stopped the run
};

using Data = ch07::MnistTraining;

Run train(bool bn, double lr, const Data& data, int epochs, arma::uword batch, unsigned long seed) {
  arma::arma_rng::set_seed(seed);  // the same initial W for every rate
  Network<float> net = make_bn_mlp<float>(kSizes, bn);
  ch09::Momentum<float> momentum(float(lr), 0.9);  // chapter 9: v = 0.9 v + 0.1 dθ, θ −= α v
  std::mt19937_64 gen(seed + 1);                   // the same mini-batches for every run
  Run run{bn, lr, {}, std::nullopt};
  try {
    ch07::fit(net, momentum, data,
              {.epochs = epochs,
               .batch_size = batch,
               .record_every = 1,
               .schedule = nullptr,
               .progress = net_name(bn) + " η = " + format_value("%g", lr)},
              gen, [&](int, const History& h) {
                run.history = h;  // kept up to a divergence
                return true;
              });
  } catch (const TrainingDiverged& e) {  // fit's stop: a result; any other error goes on
    run.diverged = e.what();
  }
  return run;
}

double final_or(const Run& run, History::Metric metric, double otherwise) {
  return run.history.size() == 0 ? otherwise : run.history.back().*metric;
}

std::vector<Run> rate_sweep(Plotter& plot, const Data& data, const std::vector<double>& rates, int epochs,
                            arma::uword batch, unsigned long seed) {
  std::cout << "2. 784-100-100-10 (ReLU, He) with and without batch norm, momentum (β = 0.9), batch " << batch << ", "
            << epochs << " epochs,\n   the same initial weights and mini-batches for every run\n";
  std::vector<Run> runs;
  for (double lr : rates)
    for (bool bn : {false, true}) runs.push_back(train(bn, lr, data, epochs, batch, seed));

  std::cout << "\n     η        net       train cost   dev cost   dev accuracy   s per epoch\n";
  for (const Run& r : runs) {
    std::printf("     %-8s %-9s", format_value("%g", r.lr).c_str(), net_name(r.bn).c_str());
    if (r.diverged) {
      std::printf(" %s\n", r.diverged->c_str());
      continue;
    }
    std::printf(" %9.4f   %8.4f   %11s   %10.3f\n", final_or(r, &EpochRecord::train_cost, NAN),
                final_or(r, &EpochRecord::dev_cost, NAN),
                format_percent(final_or(r, &EpochRecord::dev_accuracy, NAN)).c_str(),
                final_or(r, &EpochRecord::seconds, NAN) / double(r.history.size()));
  }
  std::cout << "\n";

  for (bool bn : {false, true}) {
    LinePlot cost{.title = "Training cost, " + net_name(bn) + " (784-100-100-10, momentum)",
                  .xlabel = "epoch",
                  .ylabel = "training cost J",
                  .logy = true,
                  .yrange = {{0.005, 5}},
                  .integer_x = true};
    LinePlot accuracy{.title = "Dev accuracy, " + net_name(bn),
                      .xlabel = "epoch",
                      .ylabel = "dev accuracy (%)",
                      .yrange = {{80, 100}},
                      .integer_x = true};
    for (const Run& r : runs) {
      if (r.bn != bn) continue;
      const std::string title = "η = " + format_value("%g", r.lr) + (r.diverged ? " (diverged)" : "");
      const std::vector<double> x = r.history.size() ? r.history.epochs() : std::vector<double>{};
      cost.series.push_back(
          {title, x, r.history.size() ? r.history.column(&course::EpochRecord::train_cost) : std::vector<double>{},
           "linespoints"});
      accuracy.series.push_back(
          {title, x,
           r.history.size() ? percent(r.history.column(&course::EpochRecord::dev_accuracy)) : std::vector<double>{},
           "linespoints"});
    }
    plot.lines(bn ? "cost_bn" : "cost_plain", cost);
    plot.lines(bn ? "accuracy_bn" : "accuracy_plain", accuracy);
  }
  LinePlot final{.title = "Dev accuracy after " + std::to_string(epochs) + " epochs against the learning rate",
                 .xlabel = "learning rate η",
                 .ylabel = "dev accuracy (%)",
                 .logx = true,
                 .yrange = {{0, 100}}};
  for (bool bn : {false, true}) {
    Series s{net_name(bn), {}, {}, "linespoints"};
    for (const Run& r : runs)
      if (r.bn == bn)
        s.x.push_back(r.lr), s.y.push_back(r.diverged ? 0.0 : 100 * final_or(r, &EpochRecord::dev_accuracy, 0));
    final.series.push_back(s);
  }
  plot.lines("accuracy_vs_rate", final);
  return runs;
}

// ---------------------------------------------------------------- 3. the distribution of one unit's input

// The 15th, 50th and 85th percentiles of one hidden unit's activation input over
// fixed dev images, after every chunk of training images (Ioffe and Szegedy's Figure 1).
struct Percentiles {
  std::vector<double> seen, p15, p50, p85;
};

// Measured as training sees it: batch norm normalises the probe with the probe's own μ and σ² (training
// mode), not with the running averages, which start at (0, 1) and lag behind (after 8 batches 0.9⁸ = 43%
// of the initial variance is still in them). The running averages are put back afterwards: the
// measurement changes nothing in the network.
void record(Percentiles& p, Network<float>& net, const arma::fmat& probe, std::size_t layer, double seen) {
  std::vector<arma::fmat> kept;
  for (const State<float>& s : net.state()) kept.push_back(*s.value);
  net.forward(probe);  // training mode: the probe's own statistics
  const std::vector<State<float>> state = net.state();
  for (std::size_t i = 0; i < state.size(); ++i) *state[i].value = kept[i];  // the running averages untouched
  const arma::frowvec z = net.layer_output(layer).row(0);                    // unit 1 of the layer
  const arma::vec q = arma::quantile(arma::conv_to<arma::vec>::from(z.t()), arma::vec{0.15, 0.5, 0.85});
  p.seen.push_back(seen), p.p15.push_back(q(0)), p.p50.push_back(q(1)), p.p85.push_back(q(2));
}

void distributions(Plotter& plot, const Data& data, double lr, arma::uword chunk, arma::uword batch,
                   unsigned long seed) {
  const arma::fmat probe = data.X_dev->head_cols(std::min<arma::uword>(2000, data.X_dev->n_cols));
  std::cout << "3. One unit of the second hidden layer over " << probe.n_cols
            << " dev images, while training one epoch at"
            << " η = " << lr << ":\n   15th / 50th / 85th percentile of its activation's input (after the first "
            << chunk << " images, half of the epoch, all of it)\n";
  struct Probe {
    std::string title, figure;
    bool bn;
    std::size_t layer;
  };
  const std::vector<Probe> probes = {
      {"plain: z", "unit_distribution_plain", false, activation_input_index(false, 2)},
      {"with BN: z before BN", "unit_distribution_before_bn", true, activation_input_index(true, 2) - 1},
      {"with BN: ẑ after BN", "unit_distribution_after_bn", true, activation_input_index(true, 2)}};
  for (bool bn : {false, true}) {
    arma::arma_rng::set_seed(seed);
    Network<float> net = make_bn_mlp<float>(kSizes, bn);
    ch09::Momentum<float> momentum(float(lr), 0.9);
    std::mt19937_64 gen(seed + 1);
    MinibatchTrainer<float> trainer;
    std::vector<Percentiles> recorded(probes.size());
    auto record_all = [&](double seen) {
      for (std::size_t k = 0; k < probes.size(); ++k)
        if (probes[k].bn == bn) record(recorded[k], net, probe, probes[k].layer, seen);
    };
    const arma::uword m = data.X->n_cols;
    for (arma::uword first = 0; first < m; first += chunk) {
      const arma::uword last = std::min(first + chunk, m) - 1;
      const arma::fmat X = data.X->cols(first, last), Y = data.Y->cols(first, last);
      trainer.train_epoch(net, momentum, X, Y, batch, gen);  // one pass over this chunk
      record_all(double(last + 1));
    }
    for (std::size_t k = 0; k < probes.size(); ++k) {
      if (probes[k].bn != bn) continue;
      const Percentiles& p = recorded[k];
      const std::size_t half = p.seen.size() / 2;
      std::printf("     %s %6.2f / %6.2f / %6.2f   %6.2f / %6.2f / %6.2f   %6.2f / %6.2f / %6.2f\n",
                  pad(probes[k].title, 22).c_str(), p.p15[0], p.p50[0], p.p85[0], p.p15[half], p.p50[half], p.p85[half],
                  p.p15.back(), p.p50.back(), p.p85.back());
      // One figure per probe (small multiples), all on the same value axis so that they compare.
      plot.lines(
          probes[k].figure,
          {.title = "One unit of layer 2 in the first epoch, η = " + format_value("%g", lr) + ": " + probes[k].title,
           .xlabel = "training images seen",
           .ylabel = "value",
           .series = {{"15th–85th percentile", p.seen, p.p15, "band", p.p85}, {"median", p.seen, p.p50, "lines"}},
           .yrange = {{-3, 2}}});  // room above the bands for the key
    }
  }
  std::cout << "   Without BN the unit's input drifts as the layers below it learn; after BN it stays where γ and β\n"
            << "   put it (mean β, spread γ), whatever the layer below does.\n\n";
}

// ---------------------------------------------------------------- 5. chapter 8's initialisations, with batch norm

// Chapter 8's deep-network experiment (784, 6 hidden layers of 64, 10; SGD η = 0.1, batch 64, 5 epochs on
// 10,000 images) under its four initialisations (ch08::initialise), with batch norm after every hidden Linear.
void initialisations_with_bn(const Split& split, int epochs, unsigned long seed) {
  const arma::uword n = std::min<arma::uword>(10000, split.train.size());
  const arma::fmat X = split.train.X.head_cols(n), Y = one_hot<float>(split.train.y.head(n));
  const arma::fmat Y_dev = one_hot<float>(split.dev.y);
  std::cout
      << "5. Chapter 8's deep network (784, 6 × 64, 10) with batch norm after every hidden Linear, under chapter\n"
      << "   8's initialisations: SGD η = 0.1, batch 64, " << epochs << " epochs on " << n
      << " images; dev accuracy after each epoch\n";
  for (const std::string activation : {"sigmoid", "tanh", "relu"})
    for (const std::string& init : ch08::initialisation_names()) {
      arma::arma_rng::set_seed(seed + 5);
      ch07::MlpOptions<float> options = bn_mlp_options<float>(true, activation);
      options.init = [&init](Network<float>& net) { ch08::initialise(net, init); };  // γ = 1, β = 0 stay
      Network<float> net = ch07::make_mlp<float>({784, 64, 64, 64, 64, 64, 64, 10}, options);
      SGD<float> sgd(0.1f);
      std::mt19937_64 gen(seed + 6);
      std::printf("   %-8s %s", activation.c_str(), pad(init, 11).c_str());  // pad: ² is two bytes
      try {
        const History h =
            fit(net, sgd, X, Y, LabelledSet<float>{&split.dev.X, &Y_dev},
                {.epochs = epochs, .batch_size = 64, .record_every = 1, .schedule = nullptr, .progress = ""}, gen);
        for (double a : h.column(&EpochRecord::dev_accuracy)) std::printf(" %6.1f%%", 100 * a);
      } catch (const TrainingDiverged& e) {  // fit's stop: a result; any other error goes on
        std::printf(" %s", e.what());
      }
      std::printf("\n");
    }
  std::cout << "\n";
}

// ---------------------------------------------------------------- 6. does batch norm regularise?

// Note 001 §3.2: each example's ẑ depends, through the batch's μ and σ², on the other examples of its batch,
// a noise that may regularise a little. Measured where there is something to regularise: chapter 8's
// over-fitting set-up (the first n training images, many epochs), the chapter's net with and without batch
// norm, the same budget, and for each seed the same seeded start and the same batches for both nets.
void regularisation(const Split& split, double lr, arma::uword batch, arma::uword n, int epochs, int seeds,
                    unsigned long seed) {
  n = std::min<arma::uword>(n, split.train.size());
  const arma::fmat X = split.train.X.head_cols(n), Y = one_hot<float>(split.train.y.head(n));
  const arma::fmat Y_dev = one_hot<float>(split.dev.y);
  std::cout << "6. Does batch norm regularise? 784-100-100-10 with and without BN on the first " << n
            << " training images, " << epochs << " epochs of momentum (η = " << lr << ", β = 0.9, batch " << batch
            << "), " << seeds << " seeds\n"
            << "     seed   net        train error   dev error   gap (points)\n";
  double train_sum[2] = {0, 0}, dev_sum[2] = {0, 0};
  for (int k = 0; k < seeds; ++k)
    for (bool bn : {false, true}) {
      arma::arma_rng::set_seed(seed + 100 + k);
      Network<float> net = make_bn_mlp<float>(kSizes, bn);
      ch09::Momentum<float> momentum(float(lr), 0.9);
      std::mt19937_64 gen(seed + 200 + k);
      fit(net, momentum, X, Y, LabelledSet<float>{},
          {.epochs = epochs, .batch_size = batch, .record_every = epochs, .schedule = nullptr, .progress = ""}, gen);
      const double train_error = 1 - evaluate(net, X, Y).accuracy;
      const double dev_error = 1 - evaluate(net, split.dev.X, Y_dev).accuracy;
      train_sum[bn] += train_error, dev_sum[bn] += dev_error;
      std::printf("     %-6lu %-9s %11.2f%%  %9.2f%%   %6.2f\n", seed + 100 + k, net_name(bn).c_str(),
                  100 * train_error, 100 * dev_error, 100 * (dev_error - train_error));
    }
  for (bool bn : {false, true})
    std::printf("     mean   %-9s %11.2f%%  %9.2f%%   %6.2f\n", net_name(bn).c_str(), 100 * train_sum[bn] / seeds,
                100 * dev_sum[bn] / seeds, 100 * (dev_sum[bn] - train_sum[bn]) / seeds);
  std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch10", "Batch normalisation", {.epochs = 5, .lr = 0.1, .batch_size = 128});
  std::vector<double> rates = {0.01, 0.1, 1.0, 3.0, 10.0};
  chapter.add_blas_threads_option();
  chapter.app()
      .add_option("--rates", rates, "learning rates of the comparison (comma-separated)")
      ->delimiter(',')
      ->check(CLI::Range(1e-6, 100.0));
  // --lr: the rate of the distribution figure; --epochs, --batch-size: of every training.

  return chapter.run(argc, argv, [&](const Options& opt) {
    Plotter plot(opt);
    const Mnist mnist = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    const std::size_t dev_size = opt.quick ? mnist.train.size() / 5 : 10000;
    const Split split = split_dev(mnist.train, dev_size, rng());
    const int epochs = opt.quick ? std::min(opt.epochs, 2) : opt.epochs;
    std::cout << mnist.name << ": train " << split.train.size() << ", dev " << split.dev.size() << " images\n\n";

    one_batch(split.train.X.head_cols(256));

    const arma::fmat Y_train = one_hot<float>(split.train.y), Y_dev = one_hot<float>(split.dev.y);
    const arma::Mat<std::uint8_t> X_bytes = ch07::to_bytes(split.train.X);
    const Data data{&X_bytes, &split.train.X, &Y_train, &split.dev.X, &Y_dev};
    const std::vector<Run> runs = rate_sweep(plot, data, rates, epochs, arma::uword(opt.batch_size), opt.seed);

    distributions(plot, data, opt.lr, opt.quick ? 200 : 1000, arma::uword(opt.batch_size), opt.seed);

    // 4. Saved state: the best BN net trained again, saved, loaded into a fresh net, evaluated on the test set.
    const Run* best = nullptr;
    for (const Run& r : runs)
      if (r.bn && !r.diverged &&
          (!best || final_or(r, &EpochRecord::dev_accuracy, 0) > final_or(*best, &EpochRecord::dev_accuracy, 0)))
        best = &r;
    const Run* best_plain = nullptr;
    for (const Run& r : runs)
      if (!r.bn && !r.diverged &&
          (!best_plain ||
           final_or(r, &EpochRecord::dev_accuracy, 0) > final_or(*best_plain, &EpochRecord::dev_accuracy, 0)))
        best_plain = &r;
    if (!best) throw std::runtime_error("every run with batch norm diverged: try smaller --rates");
    arma::arma_rng::set_seed(opt.seed);
    Network<float> net = make_bn_mlp<float>(kSizes, true);
    ch09::Momentum<float> momentum(float(best->lr), 0.9);
    std::mt19937_64 gen(opt.seed + 1);
    fit(net, momentum, X_bytes, Y_train, LabelledSet<float>{}, LabelledSet<float>{},
        {.epochs = epochs,
         .batch_size = arma::uword(opt.batch_size),
         .record_every = epochs,
         .schedule = nullptr,
         .progress = ""},
        gen);
    const fs::path model = opt.out / "model.bin";
    save_model(net, model);
    Network<float> loaded = make_bn_mlp<float>(kSizes, true);
    load_model(loaded, model);
    const arma::fmat Y_test = one_hot<float>(mnist.test.y);
    const Evaluation test = evaluate(loaded, mnist.test.X, Y_test);
    arma::fmat trained_scores, loaded_scores;
    {
      EvaluationMode<float> a(net), b(loaded);
      trained_scores = net.forward(mnist.test.X);
      loaded_scores = loaded.forward(mnist.test.X);
    }
    const float difference = arma::abs(loaded_scores - trained_scores).max();
    std::cout << "4. The best net with BN (η = " << best->lr << ") trained again, saved to " << model.string()
              << " (γ, β, running averages),\n   loaded into a fresh net: test accuracy "
              << format_percent(test.accuracy)
              << "; largest difference of its outputs from the trained net's: " << difference << "\n\n";

    initialisations_with_bn(split, epochs, opt.seed);
    regularisation(split, opt.lr, arma::uword(opt.batch_size), opt.quick ? 300 : 1000, opt.quick ? 10 : 100, 3,
                   opt.seed);

    chapter.summary("with BN " + format_percent(final_or(*best, &EpochRecord::dev_accuracy, 0)) +
                    " dev accuracy at η = " + format_value("%g", best->lr) + ", plain " +
                    (best_plain ? format_percent(final_or(*best_plain, &EpochRecord::dev_accuracy, 0)) +
                                      " at η = " + format_value("%g", best_plain->lr)
                                : std::string("diverged at every rate")) +
                    " (" + std::to_string(epochs) + " epochs); test " + format_percent(test.accuracy) +
                    " from the saved model");
  });
}
