// Chapter 13: evaluation and imbalanced classes.
//
//   build/release/bin/ch13              digit 5 against the rest at 1:10 and 1:100, every remedy of note 003
//   build/release/bin/ch13 --quick      the same on the embedded sample, in seconds
//   build/release/bin/ch13 --digit 8 --ratio 300 --hidden 0
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "chapters/13_imbalanced_classes/imbalance.hpp"
#include "chapters/13_imbalanced_classes/metrics.hpp"
#include "common/blas_threads.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch13;

namespace {

struct Settings {
  int digit = 5;
  double ratio = 100;  // the harsh task's n₋ : n₊ (the other is 1:10)
  int hidden = 32;     // 0: logistic regression
  int members = 10;    // the ensemble
  int neighbours = 5;  // SMOTE's k
  int dev_size = 5000;
};

struct Result {
  std::string name, train_set;  // the remedy, and its training set "n₊ : n₋"
  BinaryEvaluation test, dev;
  arma::rowvec test_scores;
};

std::string counts(arma::uword positives, arma::uword negatives) {
  return std::to_string(positives) + " : " + std::to_string(negatives);
}

// Every remedy trains for the same number of examples seen as "nothing" does
// in --epochs epochs: epochs × m₀ / m epochs on a set of m examples.
int epochs_for(int epochs, arma::uword base, arma::uword m) {
  return std::max(1, int(std::lround(double(epochs) * double(base) / double(m))));
}

void print_row(const Result& r) {
  const BinaryScores& s = r.test.scores;
  std::printf("   %s %s %6.3f  %6.3f  %6.3f  %6.4f  %6.4f  %7.2f%%   %6.3f\n", pad(r.name, 38).c_str(),
              pad(r.train_set, 17).c_str(), s.precision, s.recall, s.f1, r.test.auc, r.test.average_precision,
              100 * s.accuracy, r.dev.scores.f1);
}

// A few SMOTE samples, each between the two real digits it was made from: x, x + λ(x̃ − x), x̃.
ImageGrid smote_triples(const SmoteResult& s, const BinarySet& train, arma::uword count) {
  const arma::uword shown = std::min<arma::uword>(count, s.lambdas.n_elem);
  ImageGrid grid{.title = "SMOTE: x (left), x + λ(x̃ − x) (middle), its neighbour x̃ (right)",
                 .images = arma::fmat(784, 3 * shown, arma::fill::zeros),
                 .captions = {},
                 .marked = {},
                 .columns = 9};
  for (arma::uword i = 0; i < shown; ++i) {
    grid.images.col(3 * i) = train.X.col(s.origins(0, i));
    grid.images.col(3 * i + 1) = s.set.X.col(train.size() + i);  // the new samples follow the originals
    grid.images.col(3 * i + 2) = train.X.col(s.origins(1, i));
    grid.captions.insert(grid.captions.end(), {"x", format_value("λ = %.2f", s.lambdas[i]), "x̃"});
  }
  return grid;
}

struct Experiment {
  ImbalancedTask task;
  std::vector<Result> results;
  ImageGrid smote_digits;  // a few SMOTE samples between their two real digits (the figure)
  std::size_t best = 0;    // the remedy with the best dev F1
};

Experiment run_task(const Mnist& data, double ratio, const Settings& set, const Options& opt) {
  Experiment ex;
  seed_everything(opt.seed + 130);
  ex.task = make_imbalanced_task(data, std::uint8_t(set.digit), ratio, arma::uword(set.dev_size), rng());
  const ImbalancedTask& task = ex.task;
  const BinarySet& train = task.train;
  const arma::uword n_pos = train.positives(), n_neg = train.negatives();
  const int E = opt.epochs;
  const arma::uword hidden = arma::uword(set.hidden);
  const arma::uword batch = arma::uword(opt.batch_size);
  std::printf(
      "Digit %d against the rest, training set 1:%g: %llu positives, %llu negatives (%s of the training images);\n"
      "   dev set %llu images (%llu positives: MNIST's natural share), test set %llu images (%llu positives: %.1f%%)\n",
      set.digit, ratio, (unsigned long long)n_pos, (unsigned long long)n_neg,
      format_percent(double(train.size()) / double(data.train.size())).c_str(), (unsigned long long)task.dev.size(),
      (unsigned long long)task.dev.positives(), (unsigned long long)task.test.size(),
      (unsigned long long)task.test.positives(), 100.0 * double(task.test.positives()) / double(task.test.size()));

  // Each remedy starts from the same θ and the same random stream.
  auto fresh = [&](std::unique_ptr<Loss<float>> loss = nullptr) {
    seed_everything(opt.seed + 131);
    return binary_classifier<float>(784, hidden, std::move(loss));
  };
  auto finish = [&](const std::string& name, const std::string& train_set, const arma::rowvec& test_scores,
                    const arma::rowvec& dev_scores, double threshold = 0.5) {
    Result r{name, train_set, evaluate_scores(test_scores, task.test.y, threshold),
             evaluate_scores(dev_scores, task.dev.y, threshold), test_scores};
    print_row(r);
    ex.results.push_back(std::move(r));
  };
  const auto start = std::chrono::steady_clock::now();
  std::printf("   %s %s %6s  %6s  %6s  %6s  %6s  %8s   %6s\n", pad("remedy (test set; threshold 0.5)", 38).c_str(),
              pad("train n₊ : n₋", 17).c_str(), "prec", "recall", "F1", "AUC", "AP", "accuracy", "dev F1");

  // The classifier that always says "negative": every score 0.
  finish("always \"negative\"", "-", arma::rowvec(task.test.size(), arma::fill::zeros),
         arma::rowvec(task.dev.size(), arma::fill::zeros));

  // 1. Nothing: the imbalanced set as it is.
  Network<float> plain = fresh();
  train_classifier(plain, train, E, opt.lr, batch, rng());
  const arma::rowvec plain_test = scores_of(plain, task.test.X), plain_dev = scores_of(plain, task.dev.X);
  finish("nothing", counts(n_pos, n_neg), plain_test, plain_dev);

  // 2. Undersampling the large class.
  {
    Network<float> net = fresh();
    const BinarySet under = undersample(train, rng());
    train_classifier(net, under, epochs_for(E, train.size(), under.size()), opt.lr, batch, rng());
    finish("undersampling", counts(under.positives(), under.negatives()), scores_of(net, task.test.X),
           scores_of(net, task.dev.X));
  }
  // 3. Oversampling the small one (copies).
  {
    Network<float> net = fresh();
    const BinarySet over = oversample(train, rng());
    train_classifier(net, over, epochs_for(E, train.size(), over.size()), opt.lr, batch, rng());
    finish("oversampling (copies)", counts(over.positives(), over.negatives()), scores_of(net, task.test.X),
           scores_of(net, task.dev.X));
  }
  // 4. SMOTE.
  {
    Network<float> net = fresh();
    const SmoteResult sm = smote(train, arma::uword(set.neighbours), rng());
    const BinarySet& s = sm.set;
    train_classifier(net, s, epochs_for(E, train.size(), s.size()), opt.lr, batch, rng());
    finish("SMOTE (k = " + std::to_string(set.neighbours) + ")", counts(s.positives(), s.negatives()),
           scores_of(net, task.test.X), scores_of(net, task.dev.X));
    ex.smote_digits = smote_triples(sm, train, 6);  // keep six for the figure, not the whole set
  }
  // 5. Class weights in the loss.
  {
    const ClassWeights w = balanced_class_weights(n_pos, n_neg);
    Network<float> net = fresh(std::make_unique<WeightedBinaryCrossEntropy<float>>(w.positive, w.negative));
    train_classifier(net, train, E, opt.lr, batch, rng());
    finish("class weights w₊ " + format_value("%.2f", w.positive) + ", w₋ " + format_value("%.2f", w.negative),
           counts(n_pos, n_neg), scores_of(net, task.test.X), scores_of(net, task.dev.X));
  }
  // 6. Repeating rare examples in SGD, L = n₋/n₊ times in a row.
  {
    const arma::uword L = std::max<arma::uword>(1, arma::uword(std::lround(double(n_neg) / double(n_pos))));
    Network<float> net = fresh();
    const arma::uword seen = n_neg + L * n_pos;
    train_repeating_rare(net, train, L, epochs_for(E, train.size(), seen), opt.lr, batch, rng());
    finish("repeating positives, L = " + std::to_string(L), counts(L * n_pos, n_neg), scores_of(net, task.test.X),
           scores_of(net, task.dev.X));
  }
  // 7. An ensemble on balanced subsets: the mean of the members' scores.
  {
    seed_everything(opt.seed + 132);
    const std::vector<BinarySet> subsets = balanced_subsets(train, arma::uword(set.members), rng());
    arma::rowvec test_scores(task.test.size(), arma::fill::zeros), dev_scores(task.dev.size(), arma::fill::zeros);
    for (std::size_t j = 0; j < subsets.size(); ++j) {
      seed_everything(opt.seed + 133 + j);  // each member its own θ₀
      Network<float> net = binary_classifier<float>(784, hidden);
      train_classifier(net, subsets[j], epochs_for(E, train.size(), subsets[j].size()), opt.lr, batch, rng());
      test_scores += scores_of(net, task.test.X) / double(subsets.size());
      dev_scores += scores_of(net, task.dev.X) / double(subsets.size());
    }
    finish("ensemble of " + std::to_string(set.members) + " on balanced subsets",
           std::to_string(set.members) + " × " + counts(n_pos, n_pos), test_scores, dev_scores);
  }
  // 8. Moving the threshold of "nothing": the t of the best F1 on the dev set.
  const double t = best_f1_threshold(plain_dev, task.dev.y);
  finish("nothing, threshold " + format_value("%.3g", t) + " (dev)", counts(n_pos, n_neg), plain_test, plain_dev, t);

  for (std::size_t i = 1; i < ex.results.size(); ++i)
    if (ex.results[i].dev.scores.f1 > ex.results[ex.best].dev.scores.f1) ex.best = i;
  std::printf("   best by dev F1: %s (test F1 %.3f); %.1f s\n\n", ex.results[ex.best].name.c_str(),
              ex.results[ex.best].test.scores.f1,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return ex;
}

std::string ratio_name(double ratio) { return "1to" + format_value("%g", ratio); }

void figures(const Experiment& ex, const Settings& set, Plotter& plot) {
  const ImbalancedTask& task = ex.task;
  const std::string digit = std::to_string(set.digit), tag = ratio_name(task.ratio);
  const std::string about = "digit " + digit + " against the rest, trained at 1:" + format_value("%g", task.ratio);
  LinePlot roc{.title = "ROC curves on the test set, " + about,
               .xlabel = "false positive rate FP/(FP + TN)",
               .ylabel = "true positive rate (recall) TP/(TP + FN)",
               .series = {},
               .logx = false,
               .logy = false,
               .yrange = std::make_pair(0.0, 1.0)};
  LinePlot pr{.title = "Precision–recall curves on the test set, " + about,
              .xlabel = "recall TP/(TP + FN)",
              .ylabel = "precision TP/(TP + FP)",
              .series = {},
              .logx = false,
              .logy = false,
              .yrange = std::make_pair(0.0, 1.02)};
  for (std::size_t i = 1; i < ex.results.size(); ++i) {
    const Result& r = ex.results[i];
    if (r.test.threshold != 0.5) continue;  // the moved threshold: the same curve as "nothing"
    const Curve c = roc_curve(r.test_scores, task.test.y);
    roc.series.push_back({r.name + format_value(" (AUC %.4f)", r.test.auc), c.x, c.y, "lines"});
    const Curve p = precision_recall_curve(r.test_scores, task.test.y);
    pr.series.push_back({r.name + format_value(" (AP %.4f)", r.test.average_precision), p.x, p.y, "lines"});
  }
  const double share = double(task.test.positives()) / double(task.test.size());
  roc.series.push_back({"random ranking (AUC 0.5)", {0.0, 1.0}, {0.0, 1.0}, "lines"});
  pr.series.push_back({"random ranking (precision = share of positives)", {0.0, 1.0}, {share, share}, "lines"});
  // "nothing" at t = 0.5 and at the moved threshold: two points of one curve.
  for (const Result& r : ex.results) {
    if (r.name.rfind("nothing", 0) != 0) continue;
    const BinaryCounts& c = r.test.counts;
    const std::string at = "nothing at t = " + format_value("%.3g", r.test.threshold);
    roc.series.push_back({at, {double(c.fp) / double(c.negatives())}, {r.test.scores.recall}, "points pt 7 ps 1.5"});
    pr.series.push_back({at, {r.test.scores.recall}, {r.test.scores.precision}, "points pt 7 ps 1.5"});
  }
  plot.lines("roc_" + tag, roc);
  // The same curves with FPR on a log axis, where the remedies differ (FPR = 0 cannot be drawn there).
  LinePlot roc_log = roc;
  roc_log.title = "ROC curves, false positive rate on a log axis, " + about;
  roc_log.logx = true;
  std::vector<Series> on_log_axis;
  for (const Series& series : roc.series) {
    Series kept{series.title, {}, {}, series.style};
    for (std::size_t k = 0; k < series.x.size(); ++k)
      if (series.x[k] > 0) kept.x.push_back(series.x[k]), kept.y.push_back(series.y[k]);
    if (series.title.rfind("random", 0) == 0) continue;           // TPR = FPR: near 0 over most of a log axis
    if (!kept.x.empty()) on_log_axis.push_back(std::move(kept));  // a point at FPR = 0 is left out
  }
  roc_log.series = std::move(on_log_axis);
  plot.lines("roc_log_" + tag, roc_log);
  plot.lines("precision_recall_" + tag, pr);

  // The confusion matrices of "nothing" and of the best remedy.
  for (const auto& [file, index] : {std::pair{std::string("confusion_nothing_"), std::size_t(1)},
                                    std::pair{std::string("confusion_best_"), ex.best}}) {
    const Result& r = ex.results[index];
    const BinaryCounts& c = r.test.counts;
    const arma::mat values = {{double(c.tn), double(c.fp)}, {double(c.fn), double(c.tp)}};
    plot.heatmap(file + tag, {.title = r.name + " (1:" + format_value("%g", task.ratio) + ")",
                              .xlabel = "predicted" + format_value(" (F1 %.3f, ", r.test.scores.f1) +
                                        format_value("acc. %.2f%%)", 100 * r.test.scores.accuracy),
                              .ylabel = "actual (test set)",
                              .values = values,
                              .row_names = {"not " + digit, digit},
                              .col_names = {"not " + digit, digit},
                              .annotate = true});
  }

  if (ex.smote_digits.images.n_cols > 0) plot.images("smote_digits", ex.smote_digits);
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch13", "Evaluation and imbalanced classes", {.epochs = 5, .lr = 0.1, .batch_size = 64});
  Settings set;
  int blas_threads = 1;
  CLI::App& app = chapter.app();
  app.add_option("--digit", set.digit, "the positive class: this digit against the other nine")
      ->check(CLI::Range(0, 9));
  app.add_option("--ratio", set.ratio, "negatives per positive in the harsher task's training set (the other is 10)")
      ->check(CLI::Range(2.0, 1000.0));
  app.add_option("--hidden", set.hidden, "hidden ReLU units of the classifier (0: logistic regression)")
      ->check(CLI::Range(0, 1024));
  app.add_option("--members", set.members, "models in the ensemble on balanced subsets")->check(CLI::Range(1, 100));
  app.add_option("--neighbours", set.neighbours, "SMOTE's k nearest minority neighbours")->check(CLI::Range(1, 50));
  app.add_option("--dev-size", set.dev_size, "training images held out as the dev set (natural balance)")
      ->check(CLI::Range(100, 30000));
  app.add_option("--blas-threads", blas_threads, "threads for OpenBLAS's matrix products (1 is fastest at these sizes)")
      ->check(CLI::Range(1, 64));

  return chapter.run(argc, argv, [&](const Options& opt) {
    if (!set_blas_threads(blas_threads)) std::cout << "(not OpenBLAS: --blas-threads has no effect)\n";
    Plotter plot(opt);
    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    Settings s = set;
    if (opt.quick) s.dev_size = std::min(s.dev_size, 1000);
    std::cout << data.name << "; classifier 784-" << (s.hidden ? std::to_string(s.hidden) + "-" : std::string()) << "1"
              << (s.hidden ? " (ReLU, He; sigmoid output)" : " (logistic regression)") << ", SGD η = " << opt.lr
              << ", batch " << opt.batch_size << ", " << opt.epochs
              << " epochs of the imbalanced set (every remedy sees as many examples)\n\n";
    std::vector<Experiment> experiments;
    for (double ratio : {10.0, s.ratio}) {
      experiments.push_back(run_task(data, ratio, s, opt));
      figures(experiments.back(), s, plot);
    }
    const Experiment& harsh = experiments.back();
    const Result& none = harsh.results[1];
    const Result& best = harsh.results[harsh.best];
    const Result& always = harsh.results[0];
    chapter.summary("digit " + std::to_string(s.digit) + " vs rest at 1:" + format_value("%g", s.ratio) +
                    ": always-negative accuracy " + format_percent(always.test.scores.accuracy) +
                    " (F1 0); nothing F1 " + format_value("%.3f", none.test.scores.f1) + ", AUC " +
                    format_value("%.4f", none.test.auc) + "; best by dev F1: " + best.name + ", test F1 " +
                    format_value("%.3f", best.test.scores.f1) + ", AUC " + format_value("%.4f", best.test.auc));
  });
}
