// Chapter 8: initialisation and regularisation.
//
//   build/release/bin/ch08              note 000's experiment, the deep nets, over-fitting and its remedies
//   build/release/bin/ch08 --quick      the same on the embedded sample, in seconds
//   build/release/bin/ch08 --deep-epochs 5 --small-train 1000 --epochs 150 --l1 0.01,0.1,1
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/08_init_regularization/initialization.hpp"
#include "chapters/08_init_regularization/regularization.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch08;

namespace {

// ---------------------------------------------------------------- 1. note 000's experiment

void note_000(Plotter& plot) {
  std::cout << "1. Note 000: p = 1000 inputs, half of them 1; z = w·x + b for 20,000 draws of w and b\n"
            << "   initialisation                     formula: std of z            measured   |z| > 4 (σ saturated)\n";
  struct Row {
    std::string name;
    double weight_var, bias_var;
  };
  const std::vector<Row> rows = {{"w, b ~ N(0, 1)", 1.0, 1.0},
                                 {"w, b ~ N(0, 1/(n_in + 1)) (note 000)", 1.0 / 1001, 1.0 / 1001},
                                 {"w ~ N(0, 1/n_in), b ~ N(0, 1) (Nielsen)", 1.0 / 1000, 1.0}};
  Histogram hist{.title = "Note 000: z = w·x + b with 500 of 1000 inputs on (each panel its own z axis)",
                 .xlabel = "z",
                 .ylabel = "count",
                 .bins = 60,
                 .panels = true};
  for (const Row& r : rows) {
    const arma::vec z = sample_z(1000, 20000, std::sqrt(r.weight_var), std::sqrt(r.bias_var));
    const double formula = z_standard_deviation(500, r.weight_var, r.bias_var);
    const double saturated = arma::mean(arma::conv_to<arma::vec>::from(arma::abs(z) > 4.0));
    std::printf("   %-40s √(%g·%.4g + %.4g) = %-8.4f  %8.4f   %5.1f%%\n", r.name.c_str(), 500.0, r.weight_var,
                r.bias_var, formula, arma::stddev(z), 100 * saturated);
    hist.samples.emplace_back(r.name, z);
  }
  std::cout << "   Note 000 calls z \"standard normal\" after the cure; with half of the inputs on, its variance is\n"
            << "   (p/2 + 1)/(p + 1) = 501/1001 ≈ 0.50 (std 0.71), as measured: narrow enough not to saturate σ,\n"
            << "   but not 1. Nielsen's version gives variance 1/2 + 1 = 1.5.\n\n";
  plot.histogram("note000_z", hist);
}

// ---------------------------------------------------------------- 2. deep networks

struct DeepRun {
  std::string activation, init;
  std::vector<arma::fvec> activations;  // a^l of 1,000 examples, per hidden layer
  std::vector<double> spread, gradient_norm;
  std::vector<double> epochs, dev_accuracy;
  std::string outcome;
  std::string divergence;  // fit's message, if it stopped the run
};

Network<float> deep_network(const std::string& activation, int depth, arma::uword width) {
  std::vector<arma::uword> sizes = {784};
  std::vector<std::string> fs;
  for (int l = 0; l < depth; ++l) sizes.push_back(width), fs.push_back(activation);
  sizes.push_back(10);
  fs.push_back("softmax");
  return make_network<float>(sizes, fs, "cross_entropy");
}

void deep_networks(const Split& split, const Options& opt, Plotter& plot, int depth, arma::uword width, int epochs,
                   arma::uword train_size, std::vector<DeepRun>& runs) {
  const arma::uword n_train = std::min<arma::uword>(train_size, split.train.size());
  const arma::fmat X = split.train.X.cols(0, n_train - 1);
  const arma::fmat Y = one_hot<float>(split.train.y.subvec(0, n_train - 1));
  const arma::fmat Y_dev = one_hot<float>(split.dev.y);
  const arma::uword probe = std::min<arma::uword>(1000, n_train);
  const arma::fmat X_probe = X.cols(0, probe - 1), Y_probe = Y.cols(0, probe - 1);
  std::cout << "2. A deep network: 784, " << depth << " hidden layers of " << width << ", 10 (softmax); "
            << "at the start (1,000 images), then " << epochs << " epochs of SGD (η = " << opt.lr << ", batch "
            << opt.batch_size << ") on " << n_train << " images\n"
            << "   activation  init          std of a^l, layers 1.." << depth
            << "                      ‖∂J/∂W^l‖, layer 1 and " << depth + 1 << "     dev accuracy after each epoch\n";
  for (const std::string activation : {"sigmoid", "tanh", "relu"}) {
    for (const std::string& init : initialisation_names()) {
      DeepRun run{activation, init, {}, {}, {}, {}, {}, "", ""};
      Network<float> net = deep_network(activation, depth, width);
      initialise(net, init);
      net.forward(X_probe);
      net.backward(Y_probe);
      for (int l = 0; l < depth; ++l) {
        const arma::fmat& a = net.layer_output(2 * l + 1);  // layer 2l is Linear, 2l + 1 its activation
        run.activations.push_back(arma::vectorise(a));
        run.spread.push_back(arma::stddev(arma::conv_to<arma::vec>::from(arma::vectorise(a))));
      }
      for (const Parameter<float>& p : net.parameters())
        if (p.decays) run.gradient_norm.push_back(arma::norm(arma::conv_to<arma::mat>::from(*p.gradient), "fro"));
      SGD<float> sgd(float(opt.lr));
      try {
        const History h = fit(net, sgd, X, Y, LabelledSet<float>{&split.dev.X, &Y_dev},
                              {.epochs = epochs,
                               .batch_size = arma::uword(opt.batch_size),
                               .record_every = 1,
                               .schedule = nullptr,
                               .progress = ""},
                              rng());
        run.epochs = h.epochs();
        run.dev_accuracy = h.column(&course::EpochRecord::dev_accuracy);
        run.outcome = format_percent(run.dev_accuracy.back());
      } catch (const TrainingDiverged& e) {  // fit's stop: a result; any other error goes on
        run.outcome = "diverged";
        run.divergence = e.what();
      }
      std::printf("   %-10s  %s ", activation.c_str(), pad(init, 11).c_str());  // pad: ² is two bytes
      for (double s : run.spread) std::printf(" %8.2g", s);
      std::printf("   %8.2g %8.2g    ", run.gradient_norm.front(), run.gradient_norm.back());
      for (double a : run.dev_accuracy) std::printf(" %5.1f%%", 100 * a);
      if (run.outcome == "diverged") std::printf(" %s", run.divergence.c_str());
      std::printf("\n");
      runs.push_back(std::move(run));
    }
  }

  // The shrink per layer under N(0, 0.01²), layers 1 → depth (geometric mean), against the rule
  // Var(z^l) = n Var(W) E[(a^{l−1})²]: tanh (slope 1 at 0) E[a²] ≈ Var(z), a factor 1/(√n·0.01) per layer;
  // ReLU E[a²] = Var(z)/2, a factor √2/(√n·0.01).
  for (const DeepRun& r : runs)
    if (r.init == "N(0,0.01²)" && r.activation != "sigmoid" && r.spread.size() > 1 && r.spread.back() > 0) {
      const double factor = std::pow(r.spread.front() / r.spread.back(), 1.0 / double(r.spread.size() - 1));
      const double predicted = (r.activation == "relu" ? std::sqrt(2.0) : 1.0) / (std::sqrt(double(width)) * 0.01);
      std::printf("   %s under N(0, 0.01²): the spread shrinks by %.1f per layer (layers 1 → %d; predicted %.1f)\n",
                  r.activation.c_str(), factor, depth, predicted);
    }
  std::vector<double> layer_axis;
  for (int l = 1; l <= depth; ++l) layer_axis.push_back(l);
  for (const std::string activation : {"sigmoid", "tanh", "relu"}) {
    // One line per initialisation, whole-number ticks (layers, epochs), and the legend to the right
    // of the plot: the curves fill every corner of these figures.
    auto per_initialisation = [](std::string title, std::string xlabel, std::string ylabel, bool logy) {
      return LinePlot{.title = std::move(title),
                      .xlabel = std::move(xlabel),
                      .ylabel = std::move(ylabel),
                      .logy = logy,
                      .integer_x = true,
                      .key = "outside right top"};
    };
    LinePlot spread =
        per_initialisation("Spread of the activations at the start, " + activation + " (std of aˡ over 1,000 images)",
                           "hidden layer l", "std of aˡ", true);
    LinePlot grads = per_initialisation("Gradient norm per layer at the start, " + activation, "layer l (weights Wˡ)",
                                        "‖∂J/∂Wˡ‖ (Frobenius)", true);
    LinePlot curves =
        per_initialisation("Dev accuracy in the first epochs, " + activation + " (diverged runs left out)", "epoch",
                           "dev accuracy (%)", false);
    curves.yrange = std::make_pair(0.0, 100.0);
    for (const DeepRun& r : runs) {
      if (r.activation != activation) continue;
      std::vector<double> stds = r.spread;
      for (double& s : stds) s = std::max(s, 1e-12);  // log axis: a dead layer (std 0) drawn at 1e-12
      spread.series.push_back({r.init, layer_axis, stds, "linespoints"});
      std::vector<double> g_axis;
      for (std::size_t l = 1; l <= r.gradient_norm.size(); ++l) g_axis.push_back(double(l));
      std::vector<double> g = r.gradient_norm;
      for (double& v : g) v = std::max(v, 1e-30);
      grads.series.push_back({r.init, g_axis, g, "linespoints"});
      if (!r.epochs.empty()) curves.series.push_back({r.init, r.epochs, percent(r.dev_accuracy), "linespoints"});
    }
    plot.lines("activation_spread_" + activation, spread);
    plot.lines("gradient_norms_" + activation, grads);
    plot.lines("deep_learning_curves_" + activation, curves);
  }
  // Histograms of every hidden layer's activations for the telling cases.
  for (const auto& [activation, init] : std::vector<std::pair<std::string, std::string>>{
           {"tanh", "N(0,1)"}, {"tanh", "N(0,0.01²)"}, {"tanh", "Xavier"}, {"relu", "He"}, {"relu", "N(0,0.01²)"}}) {
    for (const DeepRun& r : runs) {
      if (r.activation != activation || r.init != init) continue;
      Histogram hist{
          .title = activation + ", " + init + ": activations a^l of 1,000 images, one panel per hidden layer",
          .xlabel = "a^l",
          .ylabel = "count (log)",
          .bins = 60,
          .panels = true,
          .logy = true};
      for (std::size_t l = 0; l < r.activations.size(); l += 1)
        hist.samples.emplace_back("layer " + std::to_string(l + 1), arma::conv_to<arma::vec>::from(r.activations[l]));
      std::string name = "activation_histograms_" + activation + "_" +
                         (init == "N(0,1)"       ? "normal1"
                          : init == "N(0,0.01²)" ? "normal001"
                          : init == "Xavier"     ? "xavier"
                                                 : "he");
      plot.histogram(name, hist);
    }
  }
  std::cout << "\n";
}

// ---------------------------------------------------------------- 3. over-fitting and its remedies

// The small net of the experiment: 784-128-10, ReLU, He, with an optional dropout after the hidden layer.
Network<float> small_network(double keep_prob, bool original_dropout = false) {
  Network<float> net;
  net.add<Linear>(784, 128);
  net.add<ReLU>();
  if (keep_prob < 1 && original_dropout) net.add(std::make_unique<OriginalDropout<float>>(keep_prob));
  if (keep_prob < 1 && !original_dropout) net.add(std::make_unique<Dropout<float>>(keep_prob));
  net.add<Linear>(128, 10);
  net.set_loss<SoftmaxCrossEntropy>();
  he_init(net);
  return net;
}

struct Remedy {
  std::string name;
  History history;
  double train_error = 0, dev_error = 0;
  int chosen_epoch = 0;  // early stopping: the epoch whose θ it kept
  Network<float> net;
  int patience = 0;  // early stopping's (0: none)
};

// Trains the small net on the first n training images for `epochs`, recording every `every` epochs.
Remedy train_small(const std::string& name, const Split& split, const arma::fmat& Y_dev, arma::uword n, int epochs,
                   int every, const Options& opt, double keep_prob, std::unique_ptr<Penalty<float>> penalty,
                   int patience = 0, bool original_dropout = false) {
  seed_everything(opt.seed + 8);  // every remedy starts from the same θ and order
  Remedy r{name, {}, 0, 0, 0, small_network(keep_prob, original_dropout), patience};
  r.net.set_penalty(std::move(penalty));
  const arma::fmat X = split.train.X.cols(0, n - 1);
  const arma::fmat Y = one_hot<float>(split.train.y.subvec(0, n - 1));
  SGD<float> sgd(float(opt.lr));
  std::optional<EarlyStopping<float>> stopping;
  if (patience > 0) stopping.emplace(patience);
  r.history = fit(r.net, sgd, X, Y, LabelledSet<float>{&split.dev.X, &Y_dev},
                  {.epochs = epochs,
                   .batch_size = arma::uword(opt.batch_size),
                   .record_every = every,
                   .schedule = nullptr,
                   .progress = ""},
                  rng(), [&](int epoch, const History& h) {
                    return !stopping || stopping->observe(epoch, h.back().dev_cost, r.net);
                  });
  if (stopping) {
    stopping->restore_best(r.net);  // the best dev epoch's θ, not the last
    r.chosen_epoch = stopping->best_epoch();
  }
  r.train_error = 1 - evaluate(r.net, X, Y).accuracy;
  r.dev_error = 1 - evaluate(r.net, split.dev.X, Y_dev).accuracy;
  return r;
}

std::size_t near_zero(const arma::fmat& W, float tolerance = 1e-3f) { return arma::accu(arma::abs(W) < tolerance); }

// The values of the four sweeps, each chosen on the dev set (empty: the defaults in overfitting()).
struct RemedySettings {
  std::vector<double> lambdas, l1_lambdas, keep_probs;
  std::vector<int> patiences;
};

// The keep_prob of the network's dropout layer.
double dropout_keep_prob(Network<float>& net) {
  for (std::size_t i = 0; i < net.size(); ++i)
    if (const auto* d = dynamic_cast<const Dropout<float>*>(&net.layer(i))) return d->keep_prob();
  throw std::logic_error("no dropout layer in the network");
}

std::string with_value(const std::string& what, double v) {
  std::ostringstream s;
  s << what << v;
  return s.str();
}

void overfitting(const Split& split, const Options& opt, Plotter& plot, arma::uword small, int epochs,
                 const RemedySettings& set, std::vector<Remedy>& remedies) {
  const arma::fmat Y_dev = one_hot<float>(split.dev.y);
  const arma::uword n = std::min<arma::uword>(small, split.train.size());
  const int every = std::max(1, epochs / 30);
  std::cout << "3. Over-fitting: 784-128-10 (ReLU, He) on " << n << " training images, " << epochs
            << " epochs of SGD (η = " << opt.lr << ", batch " << opt.batch_size << "), dev set " << split.dev.size()
            << " images; then each remedy alone\n";
  remedies.push_back(train_small("no regularisation", split, Y_dev, n, epochs, every, opt, 1.0, nullptr));
  // Each regulariser's strength is chosen on the dev set: a sweep of λ (L2) and of keep_prob (dropout), each
  // run from the same start and order; the run with the lowest dev error is the remedy below (its dev error
  // is therefore a little optimistic: it was chosen on it).
  LinePlot l2_sweep{.title = "L2: train and dev error against λ (" + std::to_string(n) + " images)",
                    .xlabel = "λ (of (λ/2m) Σ‖W‖²)",
                    .ylabel = "error (%)",
                    .logx = true,
                    .x_ticks_at_values = true};
  LinePlot keep_sweep{.title = "Dropout: train and dev error against keep_prob (" + std::to_string(n) + " images)",
                      .xlabel = "keep_prob",
                      .ylabel = "error (%)",
                      .logx = true,
                      .x_ticks_at_values = true};
  auto sweep = [&](const std::string& what, const std::vector<double>& values, LinePlot* figure,
                   const std::function<Remedy(double)>& run) {
    std::cout << "   " << what << " sweep (train error / dev error):";
    std::vector<double> train_err, dev_err;
    std::optional<Remedy> best;
    for (double v : values) {
      Remedy r = run(v);
      std::printf("  %g: %.2f%% / %.2f%%", v, 100 * r.train_error, 100 * r.dev_error);
      std::fflush(stdout);
      train_err.push_back(100 * r.train_error), dev_err.push_back(100 * r.dev_error);
      if (!best || r.dev_error < best->dev_error) best.emplace(std::move(r));
    }
    std::cout << "\n     → " << best->name << " (the lowest dev error)\n";
    if (figure) {
      figure->series.push_back({"train error", values, train_err, "linespoints"});
      figure->series.push_back({"dev error", values, dev_err, "linespoints"});
    }
    return std::move(*best);
  };
  const std::vector<double> lambdas = set.lambdas.empty() ? std::vector<double>{0.3, 1, 3, 10, 30} : set.lambdas;
  const std::vector<double> l1_lambdas =
      set.l1_lambdas.empty() ? std::vector<double>{0.01, 0.03, 0.1, 0.3, 1} : set.l1_lambdas;
  const std::vector<double> keeps =
      set.keep_probs.empty() ? std::vector<double>{0.2, 0.35, 0.5, 0.7, 0.9} : set.keep_probs;
  const std::vector<int> patiences = set.patiences.empty() ? std::vector<int>{1, 2, 3, 5, 8} : set.patiences;
  remedies.push_back(sweep("L2 λ", lambdas, &l2_sweep, [&](double lambda) {
    return train_small(with_value("L2, λ = ", lambda), split, Y_dev, n, epochs, every, opt, 1.0,
                       std::make_unique<L2Penalty<float>>(lambda, n));
  }));
  std::vector<double> l1_sparsity;  // the share of hidden-layer weights with |w| < 0.001, per λ
  arma::fmat W_l1_strongest;        // the hidden layer's weights under the sweep's largest λ, for the figure
  remedies.push_back(sweep("L1 λ", l1_lambdas, nullptr, [&](double lambda) {
    Remedy r = train_small(with_value("L1, λ = ", lambda), split, Y_dev, n, epochs, every, opt, 1.0,
                           std::make_unique<L1Penalty<float>>(lambda, n));
    const arma::fmat& W = *r.net.parameters()[0].value;
    l1_sparsity.push_back(double(near_zero(W)) / double(W.n_elem));
    if (lambda == *std::max_element(l1_lambdas.begin(), l1_lambdas.end())) W_l1_strongest = W;
    return r;
  }));
  std::cout << "     L1's hidden-layer weights with |w| < 0.001, per λ:";
  for (std::size_t i = 0; i < l1_lambdas.size(); ++i) std::printf("  %g: %.1f%%", l1_lambdas[i], 100 * l1_sparsity[i]);
  std::cout << "\n";
  Remedy dropout = sweep("dropout keep_prob", keeps, &keep_sweep, [&](double keep) {
    return train_small(with_value("dropout, keep_prob = ", keep), split, Y_dev, n, epochs, every, opt, keep, nullptr);
  });
  const double chosen_keep = dropout_keep_prob(dropout.net);
  remedies.push_back(std::move(dropout));
  remedies.push_back(train_small(with_value("original dropout, keep_prob = ", chosen_keep), split, Y_dev, n, epochs,
                                 every, opt, chosen_keep, nullptr, 0, /*original_dropout=*/true));
  plot.lines("l2_sweep", l2_sweep);
  plot.lines("keep_prob_sweep", keep_sweep);
  // Early stopping's strength is its patience: a longer one sees more records, so it may keep a later θ.
  const std::vector<double> patience_values(patiences.begin(), patiences.end());
  remedies.push_back(sweep("early stopping patience", patience_values, nullptr, [&](double patience) {
    return train_small(with_value("early stopping, patience ", patience), split, Y_dev, n, epochs, every, opt, 1.0,
                       nullptr, int(patience));
  }));
  const int chosen_patience = remedies.back().patience;
  // More data: the same number of examples seen (n · epochs), spread over 5 and 50 times as many images.
  for (arma::uword factor : {5u, 50u}) {
    const arma::uword more = std::min<arma::uword>(n * factor, split.train.size());
    const int more_epochs = std::max(1, int(double(n) * epochs / double(more)));
    remedies.push_back(train_small("more data: " + std::to_string(more) + " images", split, Y_dev, more, more_epochs,
                                   std::max(1, more_epochs / 30), opt, 1.0, nullptr));
    if (more == split.train.size()) break;
  }

  std::cout << "   remedy                          train error   dev error   gap      diagnosis (note 001 §1.2)\n";
  for (const Remedy& r : remedies) {
    const Diagnosis d = diagnose(r.train_error, r.dev_error);
    std::printf("   %-30s  %9.2f%%  %9.2f%%  %6.2f   %s%s\n", r.name.c_str(), 100 * r.train_error, 100 * r.dev_error,
                100 * (r.dev_error - r.train_error), d.verdict().c_str(),
                r.chosen_epoch ? ("  (kept epoch " + std::to_string(r.chosen_epoch) + " of " +
                                  std::to_string(int(r.history.epochs().back())) + ")")
                                     .c_str()
                               : "");
  }

  // The largest rise of the dev error from one record to the next, with the training error and cost at the
  // same records: if they jump too, the step threw the whole fit off (optimisation), not the dev set alone.
  for (const Remedy& r : remedies) {
    if (r.name.rfind("more data", 0) != 0 || r.history.size() < 3) continue;
    const std::vector<double> dev_acc = r.history.column(&course::EpochRecord::dev_accuracy);
    const std::vector<double> train_acc = r.history.column(&course::EpochRecord::train_accuracy);
    const std::vector<double> train_cost = r.history.column(&course::EpochRecord::train_cost);
    const std::vector<double> epoch = r.history.epochs();
    std::size_t k = 1;
    for (std::size_t i = 1; i + 1 < dev_acc.size(); ++i)
      if (dev_acc[i - 1] - dev_acc[i] > dev_acc[k - 1] - dev_acc[k]) k = i;
    if (dev_acc[k - 1] - dev_acc[k] <= 0) {
      std::printf("   %s: the dev error never rises from one record to the next\n", r.name.c_str());
      continue;
    }
    std::printf(
        "   %s, the largest rise of the dev error, epochs %g → %g → %g: dev %.2f%% → %.2f%% → %.2f%%, "
        "train %.2f%% → %.2f%% → %.2f%% (train cost %.3f → %.3f → %.3f)\n",
        r.name.c_str(), epoch[k - 1], epoch[k], epoch[k + 1], 100 * (1 - dev_acc[k - 1]), 100 * (1 - dev_acc[k]),
        100 * (1 - dev_acc[k + 1]), 100 * (1 - train_acc[k - 1]), 100 * (1 - train_acc[k]),
        100 * (1 - train_acc[k + 1]), train_cost[k - 1], train_cost[k], train_cost[k + 1]);
  }

  // Two figures: the regularisers (at their chosen strengths) against the epochs, and early stopping and
  // more data against the examples seen (epochs × images), each with the unregularised run for reference.
  LinePlot dev{.title = "Dev error during training: the regularisers at their chosen strengths (" + std::to_string(n) +
                        " images)",
               .xlabel = "epoch",
               .ylabel = "dev error (%)",
               .integer_x = true};
  LinePlot data_dev{.title = "Dev error during training: early stopping and more data",
                    .xlabel = "examples seen (thousands)",
                    .ylabel = "dev error (%)",
                    .key = "bottom left"};  // the top right holds the 5,000-image run's spike
  // Train and dev error of three runs: one figure each (small multiples on one y axis, shown side by side).
  std::vector<std::pair<std::string, LinePlot>> gaps;
  double gap_top = 0;
  for (const Remedy& r : remedies) {
    const double images = double(r.name.rfind("more data", 0) == 0 ? std::stoul(r.name.substr(11)) : n);
    std::vector<double> seen, dev_err, train_err;
    for (double e : r.history.epochs()) seen.push_back(e * images / 1000.0);
    for (double a : r.history.column(&course::EpochRecord::dev_accuracy)) dev_err.push_back(100 * (1 - a));
    for (double a : r.history.column(&course::EpochRecord::train_accuracy)) train_err.push_back(100 * (1 - a));
    const bool regulariser = r.name.rfind("more data", 0) != 0 && r.name.rfind("early", 0) != 0;
    if (regulariser) dev.series.push_back({r.name, r.history.epochs(), dev_err, "lines"});
    if (!regulariser || r.name == "no regularisation") data_dev.series.push_back({r.name, seen, dev_err, "lines"});
    if (r.name == "no regularisation" || r.name.rfind("L2", 0) == 0 || r.name.rfind("dropout", 0) == 0) {
      const std::string file = r.name == "no regularisation" ? "train_dev_gap_none"
                               : r.name.rfind("L2", 0) == 0  ? "train_dev_gap_l2"
                                                             : "train_dev_gap_dropout";
      gaps.push_back({file, LinePlot{.title = "Train and dev error: " + r.name,
                                     .xlabel = "epoch",
                                     .ylabel = "error (%)",
                                     .series = {{"train", r.history.epochs(), train_err, "lines"},
                                                {"dev", r.history.epochs(), dev_err, "lines"}},
                                     .integer_x = true,
                                     .key = "top right"}});
      for (double e : dev_err) gap_top = std::max(gap_top, e);
      for (double e : train_err) gap_top = std::max(gap_top, e);
    }
    if (r.chosen_epoch) {
      const std::vector<double> epochs_seen = r.history.epochs();
      const std::vector<double> cost = r.history.column(&course::EpochRecord::dev_cost);
      LinePlot es{.title = "Early stopping: the dev cost, the epoch whose θ it keeps, and where it stopped",
                  .xlabel = "epoch",
                  .ylabel = "dev cost J",
                  .series = {{"dev cost (one record every 5 epochs)", epochs_seen, cost, "linespoints"}},
                  .integer_x = true,
                  .key = "top right"};
      for (std::size_t i = 0; i < epochs_seen.size(); ++i)
        if (int(epochs_seen[i]) == r.chosen_epoch)
          es.series.push_back({"kept: epoch " + std::to_string(r.chosen_epoch) + " (the lowest dev cost)",
                               {epochs_seen[i]},
                               {cost[i]},
                               "points pt 7 ps 2.2"});
      if (!epochs_seen.empty() && int(epochs_seen.back()) != r.chosen_epoch)
        es.series.push_back({"stopped: epoch " + std::to_string(int(epochs_seen.back())) + " (" +
                                 std::to_string(chosen_patience) + (chosen_patience == 1 ? " record" : " records") +
                                 " without a lower one)",
                             {epochs_seen.back()},
                             {cost.back()},
                             "points pt 5 ps 2"});
      plot.lines("early_stopping", es);
    }
  }
  plot.lines("remedies_dev_error", dev);
  plot.lines("remedies_dev_error_data", data_dev);
  for (auto& [file, figure] : gaps) {
    figure.yrange = std::pair{0.0, std::ceil(gap_top / 5) * 5};  // the same axis in the three panels
    plot.lines(file, figure);
  }

  // L1 against L2: the hidden layer's weights.
  const arma::fmat& W_l2 = *remedies[1].net.parameters()[0].value;
  const arma::fmat& W_l1 = *remedies[2].net.parameters()[0].value;
  const arma::fmat& W_none = *remedies[0].net.parameters()[0].value;
  std::printf(
      "   hidden-layer weights with |w| < 0.001, at the chosen strengths: none %.1f%%, L2 %.1f%%, L1 %.1f%% (of "
      "%llu)\n\n",
      100.0 * near_zero(W_none) / W_none.n_elem, 100.0 * near_zero(W_l2) / W_l2.n_elem,
      100.0 * near_zero(W_l1) / W_l1.n_elem, (unsigned long long)W_l1.n_elem);
  // One panel each, counts on a log axis: L1's spike at 0 would otherwise flatten the others. L1 at its chosen
  // λ and at the sweep's largest: the sparsity grows with λ.
  plot.histogram(
      "l1_l2_weights",
      {.title = "Hidden-layer weights after training: no penalty, L2, L1 at two λs (one panel each, log counts)",
       .xlabel = "w",
       .ylabel = "count (log)",
       .samples = {{"no penalty", arma::conv_to<arma::vec>::from(arma::vectorise(W_none))},
                   {remedies[1].name, arma::conv_to<arma::vec>::from(arma::vectorise(W_l2))},
                   {remedies[2].name + " (chosen)", arma::conv_to<arma::vec>::from(arma::vectorise(W_l1))},
                   {with_value("L1, λ = ", *std::max_element(l1_lambdas.begin(), l1_lambdas.end())) +
                        " (the sweep's largest)",
                    arma::conv_to<arma::vec>::from(arma::vectorise(W_l1_strongest))}},
       .bins = 80,
       .panels = true,
       .logy = true});

  // Dropout, pictured: the hidden layer's 128 units for 24 images, before and after a mask.
  Network<float>& net = remedies[3].net;
  const arma::fmat X = split.dev.X.cols(0, 23);
  net.forward(X);                                 // training mode: a mask is drawn
  const arma::fmat after = net.layer_output(2);   // Dropout's output
  const arma::fmat before = net.layer_output(1);  // ReLU's output
  // Ticks: units 1, 5, 10, ..., 30; images 1, 5, 10, ..., 24 on each side of the divider.
  auto every_fifth = [](arma::uword count) {
    std::vector<std::string> names(count);
    for (arma::uword i = 1; i <= count; ++i)
      if (i == 1 || i % 5 == 0 || i == count) names[i - 1] = std::to_string(i);
    return names;
  };
  std::vector<std::string> image_names = every_fifth(24), second = every_fifth(24);
  image_names.push_back("");  // the divider
  image_names.insert(image_names.end(), second.begin(), second.end());
  plot.heatmap("dropout_mask",
               {.title = "Hidden units 1–32 of 24 images: a^1 (left) | a^1 ⊙ d / keep_prob (right)",
                .xlabel = "image: 24 before the mask | the same 24 after",
                .ylabel = "hidden unit",
                .values = arma::join_rows(arma::conv_to<arma::mat>::from(before.rows(0, 31)),
                                          arma::mat(32, 1, arma::fill::value(double(after.max()))),  // a dark divider
                                          arma::conv_to<arma::mat>::from(after.rows(0, 31))),
                .row_names = every_fifth(32),
                .col_names = image_names,
                .annotate = false});
}

// ---------------------------------------------------------------- 4. normalising inputs

void normalising_inputs(const Split& split, const Options& opt, Plotter& plot, int epochs) {
  std::cout << "4. Normalising inputs (note 001 §1.9): μ and σ² from the training set, applied to every set\n";
  // Two features on different scales: x1 ~ U(0, 1), x2 ~ U(0, 10); y = x1 + 0.1 x2 + noise. The cost of a linear
  // model is a bowl; the condition number of its Hessian is how elongated it is.
  arma::mat X2(2, 500, arma::fill::randu);
  X2.row(1) *= 10.0;
  InputNormalizer<double> norm2;
  norm2.fit(X2);
  const arma::mat Z2 = norm2.transform(X2);
  const arma::rowvec y2 = X2.row(0) + 0.1 * X2.row(1) + 0.1 * arma::rowvec(500, arma::fill::randn);  // noise: J* > 0
  // With an intercept b, J(w, b) = (1/2m) ‖wᵀX + b − y‖². For each w the best b is mean(y − wᵀX), and then
  // J(w) = (1/2m) ‖wᵀ(X − x̄) − (y − ȳ)‖²: a bowl whose Hessian is the features' covariance (1/m)(X − x̄)(X − x̄)ᵀ.
  // Normalising is an invertible affine map of the features, so both bowls have the same minimum J*; only
  // their shape (and where w* is) differs.
  auto centred = [](const arma::mat& X) {
    arma::mat C = X;
    C.each_col() -= arma::mean(X, 1);
    return C;
  };
  const arma::mat C_raw = centred(X2), C_norm = centred(Z2);
  const arma::rowvec yc = y2 - arma::mean(y2);
  const double kappa_raw = arma::cond(arma::mat(C_raw * C_raw.t() / 500.0));
  const double kappa_norm = arma::cond(arma::mat(C_norm * C_norm.t() / 500.0));
  std::printf(
      "   two features, scales 1 and 10, with an intercept: the cost bowl's Hessian has condition number %.1f;"
      " normalised %.2f\n",
      kappa_raw, kappa_norm);
  for (const auto& [name, C] : {std::pair{"cost_surface_raw", C_raw}, std::pair{"cost_surface_normalised", C_norm}}) {
    const arma::vec w_star = arma::solve(arma::mat(C * C.t()), arma::vec(C * yc.t()));
    auto J = [&](double w1, double w2) {  // b at its best for this w
      return arma::accu(arma::square(arma::rowvec(w1 * C.row(0) + w2 * C.row(1)) - yc)) / (2.0 * 500);
    };
    // A box 3 wide and 2.4 high: a square one is clipped to the figure's height, and its legend then
    // covers the x axis' label.
    const double J_star = J(w_star(0), w_star(1)), range = 1.5, range_y = 1.2;
    std::printf("   %s: w* = (%.3f, %.3f), J* = %.6f\n",
                std::string(name) == "cost_surface_raw" ? "raw       " : "normalised", w_star(0), w_star(1), J_star);
    ContourPlot map{
        .title = std::string("J(w1, w2) with the best intercept, ") +
                 (std::string(name) == "cost_surface_raw" ? "raw features (scales 1 and 10)" : "normalised features") +
                 ": contours J* + 0.005·2^k",
        .xlabel = "w1",
        .ylabel = "w2",
        .grid_x = arma::linspace<arma::rowvec>(w_star(0) - range, w_star(0) + range, 161),
        .grid_y = arma::linspace<arma::rowvec>(w_star(1) - range_y, w_star(1) + range_y, 129),
        .values = {},
        .levels = {},
        .paths = {},
        .marks = {{"minimum w*", {w_star(0), w_star(1)}}}};
    map.values.set_size(map.grid_y.n_elem, map.grid_x.n_elem);
    for (arma::uword i = 0; i < map.grid_y.n_elem; ++i)
      for (arma::uword j = 0; j < map.grid_x.n_elem; ++j) map.values(i, j) = J(map.grid_x(j), map.grid_y(i));
    for (double level = 0.005; level < 50; level *= 2) map.levels.push_back(J_star + level);
    plot.contours(name, map);
  }
  // On MNIST: chapter 7's network, with and without normalised pixels.
  const arma::fmat Y = one_hot<float>(split.train.y), Y_dev = one_hot<float>(split.dev.y);
  InputNormalizer<float> norm;
  norm.fit(split.train.X);  // the training set's μ and σ only
  const arma::fmat X_norm = norm.transform(split.train.X), X_dev_norm = norm.transform(split.dev.X);
  LinePlot curves{.title = "784-64-16-10 (chapter 7) with raw and normalised pixels",
                  .xlabel = "epoch",
                  .ylabel = "dev accuracy (%)"};
  for (const bool normalised : {false, true}) {
    seed_everything(opt.seed + 9);
    Network<float> net = ch07::make_mnist_mlp();
    SGD<float> sgd(0.2f);
    const History h =
        fit(net, sgd, normalised ? X_norm : split.train.X, Y,
            LabelledSet<float>{normalised ? &X_dev_norm : &split.dev.X, &Y_dev},
            {.epochs = epochs, .batch_size = 128, .record_every = 1, .schedule = nullptr, .progress = ""}, rng());
    std::cout << "   " << (normalised ? "normalised pixels" : "raw pixels [0, 1]") << ": dev accuracy per epoch";
    for (double a : h.column(&course::EpochRecord::dev_accuracy)) std::cout << " " << format_percent(a);
    std::cout << "\n";
    curves.series.push_back({normalised ? "normalised" : "raw", h.epochs(),
                             percent(h.column(&course::EpochRecord::dev_accuracy)), "linespoints"});
  }
  plot.lines("normalised_inputs_mnist", curves);
  std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch08", "Initialisation and regularisation", {.epochs = 150, .lr = 0.1, .batch_size = 64});
  int deep_epochs = 5, depth = 6, small_train = 1000;
  int deep_train = 10000;
  RemedySettings remedy;
  chapter.app()
      .add_option("--l2", remedy.lambdas, "the λs of the L2 sweep, (λ/2m)·Σ‖W‖², m = the training images")
      ->delimiter(',')
      ->check(CLI::Range(0.0, 1000.0));
  chapter.app()
      .add_option("--keep-probs", remedy.keep_probs, "the keep_probs of the dropout sweep")
      ->delimiter(',')
      ->check(CLI::Range(0.05, 1.0));
  chapter.app()
      .add_option("--l1", remedy.l1_lambdas, "the λs of the L1 sweep, (λ/m)·Σ|w|")
      ->delimiter(',')
      ->check(CLI::Range(0.0, 1000.0));
  chapter.app()
      .add_option("--patience", remedy.patiences, "early stopping's sweep: records without a better dev cost")
      ->delimiter(',')
      ->check(CLI::Range(1, 100));
  chapter.app().add_option("--deep-epochs", deep_epochs, "epochs of each deep network")->check(CLI::Range(1, 100));
  chapter.app().add_option("--depth", depth, "hidden layers of the deep network")->check(CLI::Range(2, 20));
  chapter.app()
      .add_option("--deep-train", deep_train, "training images of the deep networks")
      ->check(CLI::Range(100, 50000));
  chapter.app()
      .add_option("--small-train", small_train, "training images of the over-fitting experiment")
      ->check(CLI::Range(100, 50000));
  chapter.add_blas_threads_option();

  return chapter.run(argc, argv, [&](const Options& opt) {
    Plotter plot(opt);
    note_000(plot);

    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    const Split split = split_dev(data.train, opt.quick ? data.train.size() / 5 : 10000, rng());
    std::vector<DeepRun> runs;
    deep_networks(split, opt, plot, depth, 64, opt.quick ? std::min(deep_epochs, 2) : deep_epochs,
                  opt.quick ? 2000 : arma::uword(deep_train), runs);

    std::vector<Remedy> remedies;
    const arma::uword small = opt.quick ? 500 : arma::uword(small_train);
    overfitting(split, opt, plot, small, opt.quick ? std::min(opt.epochs, 30) : opt.epochs, remedy, remedies);
    normalising_inputs(split, opt, plot, opt.quick ? 2 : 5);

    auto outcome = [&](const std::string& activation, const std::string& init) {
      for (const DeepRun& r : runs)
        if (r.activation == activation && r.init == init) return r.outcome;
      return std::string("?");
    };
    const Remedy& none = remedies[0];
    double best_gap = 1e9;
    std::string best;
    for (std::size_t i = 1; i < remedies.size(); ++i)
      if (remedies[i].dev_error < best_gap) best_gap = remedies[i].dev_error, best = remedies[i].name;
    chapter.summary(std::to_string(depth) + "-hidden-layer ReLU net: N(0,1) " + outcome("relu", "N(0,1)") +
                    ", N(0,0.01²) " + outcome("relu", "N(0,0.01²)") + ", He " + outcome("relu", "He") + " dev; " +
                    std::to_string(small) + " images: dev error " + format_value("%.1f%%", 100 * none.dev_error) +
                    " (train " + format_value("%.1f%%", 100 * none.train_error) + "), best remedy " + best + " " +
                    format_value("%.1f%%", 100 * best_gap));
  });
}
