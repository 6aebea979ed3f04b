// Chapter 13: evaluation and imbalanced classes.
//
//   build/release/bin/ch13              digit 5 against the rest at 1:10 and 1:100, every remedy of note 003
//   build/release/bin/ch13 --quick      the same on the embedded sample, in seconds
//   build/release/bin/ch13 --digit 8 --ratio 300 --hidden 0
//
// For each task (1:10, then 1:ratio): every remedy trains from the same θ₀, stopped
// early on the tuning half of the dev set (its AP, in rounds of examples seen); its
// threshold is the best F1 on the tuning half. Table 1 shows every remedy at t = 0.5,
// table 2 at its own threshold, ranked by AP; the choice between remedies is made on
// the selection half alone, and the test set is only reported.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "chapters/13_imbalanced_classes/imbalance.hpp"
#include "chapters/13_imbalanced_classes/metrics.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/gnuplot.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch13;

namespace {

struct Settings {
  int digit = 5;
  double ratio = 100;         // the harsh task's n₋ : n₊ (the other is 1:10)
  int hidden = 32;            // 0: logistic regression
  int members = 10;           // the ensemble
  int neighbours = 5;         // SMOTE's k
  int dev_size = 10000;       // split in a tuning and a selection half
  int rounds_per_epoch = 10;  // a round of early stopping: this fraction of an epoch of the imbalanced set
  int patience = 10;          // rounds without a better tuning AP
};

// One remedy: its scores on the three sets, its threshold (tuned on the tuning
// half) and its evaluations at t = 0.5 and at that threshold.
struct Result {
  std::string name, short_name, train_set;  // the remedy (and a short name for a small figure), its training set
  std::size_t colour = 0;                   // one colour per remedy in every figure
  int rounds = 0;                           // rounds trained (the ensemble: all its members')
  double best_round = 0;                    // the round kept (the ensemble: the members' mean)
  double best_epochs = 0;                   // examples seen until then, in epochs of the remedy's own set
  arma::rowvec test_scores;
  double threshold = 0.5;                        // best F1 on the tuning half
  BinaryEvaluation test, selection;              // at t = 0.5
  BinaryEvaluation test_tuned, selection_tuned;  // at `threshold`
};

std::string counts(arma::uword positives, arma::uword negatives) {
  return std::to_string(positives) + " : " + std::to_string(negatives);
}

// Table 1: at t = 0.5, what a remedy does to the decisions of the untouched rule.
void print_at_half_header() {
  std::printf("   %s %s %6s %6s %8s  %6s  %6s  %6s  %8s  %7s\n", pad("remedy", 36).c_str(),
              pad("train n₊ : n₋", 17).c_str(), "rounds", "best", "(epochs)", "prec", "recall", "F1", "accuracy",
              "sel. F1");
}
void print_at_half(const Result& r) {
  const BinaryScores& s = r.test.scores;
  std::printf("   %s %s %6d %6.0f %8.1f  %6.3f  %6.3f  %6.3f  %7.2f%%  %7.3f\n", pad(r.name, 36).c_str(),
              pad(r.train_set, 17).c_str(), r.rounds, r.best_round, r.best_epochs, s.precision, s.recall, s.f1,
              100 * s.accuracy, r.selection.scores.f1);
}

// Table 2: at its own threshold, what is left when the threshold is no longer the difference.
void print_at_own_threshold_header() {
  std::printf("   %s %8s  %6s  %6s  %6s  %8s  %6s  %6s  %7s  %7s\n", pad("remedy", 36).c_str(), "t", "prec", "recall",
              "F1", "accuracy", "AUC", "AP", "sel. F1", "sel. AP");
}
void print_at_own_threshold(const Result& r) {
  const BinaryScores& s = r.test_tuned.scores;
  std::printf("   %s %8.3g  %6.3f  %6.3f  %6.3f  %7.2f%%  %6.4f  %6.4f  %7.3f  %7.4f\n", pad(r.name, 36).c_str(),
              r.threshold, s.precision, s.recall, s.f1, 100 * s.accuracy, r.test.auc, r.test.average_precision,
              r.selection_tuned.scores.f1, r.selection.average_precision);
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
  std::vector<Result> results;  // [0]: always "negative", [1]: nothing, then the remedies
  ImageGrid smote_digits;       // a few SMOTE samples between their two real digits (the figure)
  std::size_t chosen = 1;       // the best F1 at its own threshold on the selection half
  std::size_t best_ap = 1;      // the best AP on the selection half
};

Experiment run_task(const Mnist& data, double ratio, const Settings& set, const Options& opt) {
  Experiment ex;
  seed_everything(opt.seed + 130);
  ex.task = make_imbalanced_task(data, std::uint8_t(set.digit), ratio, arma::uword(set.dev_size), rng());
  const ImbalancedTask& task = ex.task;
  const BinarySet& train = task.train;
  const arma::uword n_pos = train.positives(), n_neg = train.negatives();
  const arma::uword hidden = arma::uword(set.hidden);
  const arma::uword batch = arma::uword(opt.batch_size);
  // A round: a tenth of an epoch of the imbalanced set, in whole mini-batches; at most --epochs of those epochs.
  const arma::uword batches = std::max<arma::uword>(
      1, arma::uword(std::ceil(double(train.size()) / double(set.rounds_per_epoch) / double(batch))));
  const StoppingRule rule{
      .round = batches * batch, .max_rounds = opt.epochs * set.rounds_per_epoch, .patience = set.patience};
  auto share = [](const BinarySet& s) { return format_percent(double(s.positives()) / double(s.size())); };
  std::printf(
      "Digit %d against the rest, training set 1:%g: %llu positives, %llu negatives (%s of the training images)\n"
      "   dev set %d images in two halves: tuning %llu (%llu positives, %s: early stopping, thresholds), "
      "selection %llu (%llu positives, %s: the choice between remedies)\n"
      "   test set %llu images (%llu positives, %s); early stopping on the tuning half's AP, rounds of %llu examples, "
      "patience %d rounds, at most %d\n",
      set.digit, ratio, (unsigned long long)n_pos, (unsigned long long)n_neg,
      format_percent(double(train.size()) / double(data.train.size())).c_str(), set.dev_size,
      (unsigned long long)task.tuning.size(), (unsigned long long)task.tuning.positives(), share(task.tuning).c_str(),
      (unsigned long long)task.selection.size(), (unsigned long long)task.selection.positives(),
      share(task.selection).c_str(), (unsigned long long)task.test.size(), (unsigned long long)task.test.positives(),
      share(task.test).c_str(), (unsigned long long)rule.round, rule.patience, rule.max_rounds);

  // Each remedy starts from the same θ and the same random stream.
  auto fresh = [&](const ClassWeights& w = {}) {
    seed_everything(opt.seed + 131);
    return binary_classifier<float>(784, hidden, w);
  };
  auto scores = [&](Network<float>& net) {
    return std::array<arma::rowvec, 3>{scores_of(net, task.tuning.X), scores_of(net, task.selection.X),
                                       scores_of(net, task.test.X)};
  };
  // The threshold of the best F1 on the tuning half; both evaluations on the selection half and the test set.
  auto finish = [&](const std::string& name, const std::string& short_name, const std::string& train_set,
                    const std::array<arma::rowvec, 3>& s, const std::vector<TrainingRun>& runs, arma::uword set_size) {
    Result r;
    r.name = name;
    r.short_name = short_name;
    r.train_set = train_set;
    r.colour = ex.results.empty() ? 0 : ex.results.size() - 1;  // "nothing" 0, then the remedies in order
    r.test_scores = s[2];
    for (const TrainingRun& run : runs) {
      r.rounds += run.rounds;
      r.best_round += double(run.best_round) / double(runs.size());
    }
    r.best_epochs = r.best_round * double(rule.round) / double(set_size);
    r.threshold = runs.empty() ? 0.5 : best_f1_threshold(s[0], task.tuning.y);
    r.test = evaluate_scores(s[2], task.test.y);
    r.selection = evaluate_scores(s[1], task.selection.y);
    r.test_tuned = evaluate_scores(s[2], task.test.y, r.threshold);
    r.selection_tuned = evaluate_scores(s[1], task.selection.y, r.threshold);
    ex.results.push_back(std::move(r));
  };
  const auto start = std::chrono::steady_clock::now();

  // The classifier that always says "negative": every score 0.
  finish("always \"negative\"", "always negative", "-",
         {arma::rowvec(task.tuning.size(), arma::fill::zeros), arma::rowvec(task.selection.size(), arma::fill::zeros),
          arma::rowvec(task.test.size(), arma::fill::zeros)},
         {}, 1);

  // 1. Nothing: the imbalanced set as it is.
  {
    Network<float> net = fresh();
    const TrainingRun run = train_classifier(net, train, task.tuning, opt.lr, batch, rule, rng());
    finish("nothing", "nothing", counts(n_pos, n_neg), scores(net), {run}, train.size());
  }
  // 2. Undersampling the large class.
  {
    Network<float> net = fresh();
    const BinarySet under = undersample(train, rng());
    const TrainingRun run = train_classifier(net, under, task.tuning, opt.lr, batch, rule, rng());
    finish("undersampling", "undersampling", counts(under.positives(), under.negatives()), scores(net), {run},
           under.size());
  }
  // 3. Oversampling the small one (copies).
  {
    Network<float> net = fresh();
    const BinarySet over = oversample(train, rng());
    const TrainingRun run = train_classifier(net, over, task.tuning, opt.lr, batch, rule, rng());
    finish("oversampling (copies)", "oversampling", counts(over.positives(), over.negatives()), scores(net), {run},
           over.size());
  }
  // 4. SMOTE.
  {
    Network<float> net = fresh();
    const SmoteResult sm = smote(train, arma::uword(set.neighbours), rng());
    const BinarySet& s = sm.set;
    const TrainingRun run = train_classifier(net, s, task.tuning, opt.lr, batch, rule, rng());
    finish("SMOTE (k = " + std::to_string(set.neighbours) + ")", "SMOTE", counts(s.positives(), s.negatives()),
           scores(net), {run}, s.size());
    ex.smote_digits = smote_triples(sm, train, 6);  // keep six for the figure, not the whole set
  }
  // 5. Class weights in the loss.
  {
    const ClassWeights w = balanced_class_weights(n_pos, n_neg);
    Network<float> net = fresh(w);
    const TrainingRun run = train_classifier(net, train, task.tuning, opt.lr, batch, rule, rng());
    finish("class weights w₊ " + format_value("%.2f", w.positive) + ", w₋ " + format_value("%.2f", w.negative),
           "class weights", counts(n_pos, n_neg), scores(net), {run}, train.size());
  }
  // 6. Repeating rare examples in SGD, L = n₋/n₊ times in a row.
  {
    const arma::uword L = std::max<arma::uword>(1, arma::uword(std::lround(double(n_neg) / double(n_pos))));
    Network<float> net = fresh();
    const TrainingRun run = train_repeating_rare(net, train, task.tuning, L, opt.lr, batch, rule, rng());
    finish("repeating positives, L = " + std::to_string(L), "repeating positives", counts(L * n_pos, n_neg),
           scores(net), {run}, n_neg + L * n_pos);
  }
  // 7. An ensemble on balanced subsets: the mean of the members' scores, each member stopped on its own.
  {
    seed_everything(opt.seed + 132);
    const std::vector<BinarySet> subsets = balanced_subsets(train, arma::uword(set.members), rng());
    std::array<arma::rowvec, 3> mean{arma::rowvec(task.tuning.size(), arma::fill::zeros),
                                     arma::rowvec(task.selection.size(), arma::fill::zeros),
                                     arma::rowvec(task.test.size(), arma::fill::zeros)};
    std::vector<TrainingRun> runs;
    for (std::size_t j = 0; j < subsets.size(); ++j) {
      seed_everything(opt.seed + 133 + j);  // each member its own θ₀
      Network<float> net = binary_classifier<float>(784, hidden);
      runs.push_back(train_classifier(net, subsets[j], task.tuning, opt.lr, batch, rule, rng()));
      const std::array<arma::rowvec, 3> s = scores(net);
      for (int k = 0; k < 3; ++k) mean[k] += s[k] / double(subsets.size());
    }
    finish("ensemble of " + std::to_string(set.members) + " on balanced subsets", "ensemble",
           std::to_string(set.members) + " × " + counts(n_pos, n_pos), mean, runs, 2 * n_pos);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("\n   1. at t = 0.5 (test set; sel. F1: the selection half)\n");
  print_at_half_header();
  for (const Result& r : ex.results) print_at_half(r);

  // The choice between remedies, on the selection half only: by F1 at each remedy's own threshold, and by AP.
  for (std::size_t i = 2; i < ex.results.size(); ++i) {
    if (ex.results[i].selection_tuned.scores.f1 > ex.results[ex.chosen].selection_tuned.scores.f1) ex.chosen = i;
    if (ex.results[i].selection.average_precision > ex.results[ex.best_ap].selection.average_precision) ex.best_ap = i;
  }
  std::vector<std::size_t> by_ap;  // the remedies, best selection AP first
  for (std::size_t i = 1; i < ex.results.size(); ++i) by_ap.push_back(i);
  std::stable_sort(by_ap.begin(), by_ap.end(), [&](std::size_t a, std::size_t b) {
    return ex.results[a].selection.average_precision > ex.results[b].selection.average_precision;
  });
  std::printf("\n   2. each at its own threshold t (best F1 on the tuning half), ranked by the selection half's AP\n");
  print_at_own_threshold_header();
  for (std::size_t i : by_ap) print_at_own_threshold(ex.results[i]);

  const Result& none = ex.results[1];
  const Result& chosen = ex.results[ex.chosen];
  std::printf(
      "   chosen on the selection half: by F1 at its own threshold, %s (t = %.3g: test F1 %.3f); by AP, %s "
      "(test AP %.4f)\n",
      chosen.name.c_str(), chosen.threshold, chosen.test_tuned.scores.f1, ex.results[ex.best_ap].name.c_str(),
      ex.results[ex.best_ap].test.average_precision);
  // How much of rebalancing is a threshold shift: nothing's own gain from its threshold, against the chosen remedy's
  // gain over nothing at 0.5 (as a share only when that gain is at least 0.01: a ratio of two noises says nothing);
  // and the spread of the remedies' test F1 at 0.5 and at their own thresholds.
  double low_half = 1, high_half = 0, low_own = 1, high_own = 0;
  for (std::size_t i = 1; i < ex.results.size(); ++i) {
    const Result& r = ex.results[i];
    low_half = std::min(low_half, r.test.scores.f1), high_half = std::max(high_half, r.test.scores.f1);
    low_own = std::min(low_own, r.test_tuned.scores.f1), high_own = std::max(high_own, r.test_tuned.scores.f1);
  }
  const double threshold_gain = none.test_tuned.scores.f1 - none.test.scores.f1;
  const double remedy_gain = chosen.test_tuned.scores.f1 - none.test.scores.f1;
  std::printf(
      "   threshold shift: nothing's test F1 %.3f at t = 0.5, %.3f at its own t = %.3g (%+.3f); the chosen remedy's "
      "%.3f at its own t (%+.3f over nothing at 0.5)%s\n"
      "   test F1 of the remedies from %.3f to %.3f at t = 0.5, from %.3f to %.3f at their own thresholds; %.1f s\n\n",
      none.test.scores.f1, none.test_tuned.scores.f1, none.threshold, threshold_gain, chosen.test_tuned.scores.f1,
      remedy_gain,
      remedy_gain >= 0.01
          ? (": the threshold alone is " + format_percent(threshold_gain / remedy_gain) + " of it").c_str()
          : "",
      low_half, high_half, low_own, high_own, seconds);
  return ex;
}

std::string ratio_name(double ratio) { return "1to" + format_value("%g", ratio); }

// gnuplot styles in a remedy's own colour (the same in every figure).
std::string lines_in(std::size_t colour) { return "lines lw 2 lc rgb '" + gnuplot::colour(colour) + "'"; }
std::string dot_in(std::size_t colour, bool open) {
  return std::string(open ? "points pt 6 ps 2 lw 2" : "points pt 7 ps 1.4") + " lc rgb '" + gnuplot::colour(colour) +
         "'";
}
const std::string grey_dashes = "lines lw 1.5 dt 2 lc rgb '#8c8c8c'";

void figures(const Experiment& ex, const Settings& set, Plotter& plot) {
  const ImbalancedTask& task = ex.task;
  const std::string digit = std::to_string(set.digit), tag = ratio_name(task.ratio);
  const std::string about = "digit " + digit + " against the rest, trained at 1:" + format_value("%g", task.ratio);
  const double n_neg = double(task.test.negatives());
  // On the log axis an FPR of 0 cannot be drawn: it is drawn at 1/(2N), left of the smallest FPR there is, 1/N.
  const double fpr_zero = 0.5 / n_neg;
  LinePlot roc{.title = "ROC curves on the test set, " + about,
               .xlabel = "false positive rate FP/(FP + TN)",
               .ylabel = "true positive rate (recall) TP/(TP + FN)",
               .yrange = std::make_pair(0.0, 1.0),
               .key = "bottom right"};  // the curves climb at the left: the bottom right is empty
  LinePlot roc_log = roc;
  roc_log.title = "ROC curves, false positive rate on a log axis, " + about;
  roc_log.xlabel =
      "false positive rate FP/(FP + TN), log axis (FPR = 0 drawn at 1/(2N) = " + format_value("%.1e", fpr_zero) + ")";
  roc_log.logx = true;
  LinePlot pr{.title = "Precision–recall curves on the test set, " + about,
              .xlabel = "recall TP/(TP + FN)",
              .ylabel = "precision TP/(TP + FP)",
              .yrange = std::make_pair(0.5, 1.005),  // where the curves differ (a random ranking is far below)
              .key = "bottom left"};
  auto on_log_axis = [&](std::vector<double> x) {
    for (double& v : x) v = std::max(v, fpr_zero);
    return x;
  };
  for (std::size_t i = 1; i < ex.results.size(); ++i) {
    const Result& r = ex.results[i];
    const Curve c = roc_curve(r.test_scores, task.test.y);
    roc.series.push_back({r.name + format_value(" (AUC %.4f)", r.test.auc), c.x, c.y, lines_in(r.colour)});
    roc_log.series.push_back({r.name, on_log_axis(c.x), c.y, lines_in(r.colour)});
    const Curve p = precision_recall_curve(r.test_scores, task.test.y);
    pr.series.push_back({r.name + format_value(" (AP %.4f)", r.test.average_precision), p.x, p.y, lines_in(r.colour)});
  }
  const double share = double(task.test.positives()) / double(task.test.size());
  roc.series.push_back({"random ranking (AUC 0.5)", {0.0, 1.0}, {0.0, 1.0}, grey_dashes});
  roc_log.series.push_back({"random ranking", {fpr_zero, 1.0}, {fpr_zero, 1.0}, grey_dashes});
  pr.title += "\n(a random ranking: precision " + format_value("%.3f", share) + " at every recall, below the axis)";
  // The operating points: every remedy at its own threshold (filled dots), and "nothing" at t = 0.5 (open circle).
  auto dot = [&](const Result& r, const BinaryEvaluation& e, const std::string& title, bool open) {
    const double fpr = double(e.counts.fp) / n_neg;
    roc.series.push_back({title, {fpr}, {e.scores.recall}, dot_in(r.colour, open)});
    roc_log.series.push_back({title, {std::max(fpr, fpr_zero)}, {e.scores.recall}, dot_in(r.colour, open)});
    pr.series.push_back({title, {e.scores.recall}, {e.scores.precision}, dot_in(r.colour, open)});
  };
  const Result& none = ex.results[1];
  dot(none, none.test, "nothing at t = 0.5", true);
  dot(none, none.test_tuned, "each remedy at its own t (nothing's: " + format_value("%.3g", none.threshold) + ")",
      false);
  for (std::size_t i = 2; i < ex.results.size(); ++i) dot(ex.results[i], ex.results[i].test_tuned, "", false);
  plot.lines("roc_" + tag, roc);
  plot.lines("roc_log_" + tag, roc_log);
  plot.lines("precision_recall_" + tag, pr);

  // The confusion matrices of "nothing" at t = 0.5 and of the chosen remedy at its own threshold, laid out as
  // the README's table: actual 1 on top, predicted 1 on the left (TP top-left, TN bottom-right).
  for (const auto& [file, result, e] :
       {std::tuple{std::string("confusion_nothing_"), &none, &none.test},
        std::tuple{std::string("confusion_chosen_"), &ex.results[ex.chosen], &ex.results[ex.chosen].test_tuned}}) {
    const BinaryCounts& c = e->counts;
    const arma::mat values = {{double(c.tp), double(c.fn)}, {double(c.fp), double(c.tn)}};
    plot.heatmap(file + tag, {.title = result->short_name + ", t = " + format_value("%.3g", e->threshold) +
                                       "\ntrained at 1:" + format_value("%g", task.ratio),
                              .xlabel = "predicted" + format_value(" (F1 %.3f, ", e->scores.f1) +
                                        format_value("acc. %.2f%%)", 100 * e->scores.accuracy),
                              .ylabel = "actual (test set)",
                              .values = values,
                              .row_names = {digit, "not " + digit},
                              .col_names = {digit, "not " + digit},
                              .annotate = true,
                              .mask_diagonal = true});  // the colour shows the two errors (TN's 9,000 would swamp them)
  }

  if (ex.smote_digits.images.n_cols > 0) plot.images("smote_digits", ex.smote_digits);
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch13", "Evaluation and imbalanced classes", {.epochs = 30, .lr = 0.1, .batch_size = 64});
  Settings set;
  CLI::App& app = chapter.app();
  app.add_option("--digit", set.digit, "the positive class: this digit against the other nine")
      ->check(CLI::Range(0, 9));
  app.add_option("--ratio", set.ratio, "negatives per positive in the harsher task's training set (the other is 10)")
      ->check(CLI::Range(2.0, 1000.0));
  app.add_option("--hidden", set.hidden, "hidden ReLU units of the classifier (0: logistic regression)")
      ->check(CLI::Range(0, 1024));
  app.add_option("--members", set.members, "models in the ensemble on balanced subsets")->check(CLI::Range(1, 100));
  app.add_option("--neighbours", set.neighbours, "SMOTE's k nearest minority neighbours")->check(CLI::Range(1, 50));
  app.add_option("--dev-size", set.dev_size,
                 "training images held out as the dev set (natural balance), in a tuning and a selection half")
      ->check(CLI::Range(100, 30000));
  app.add_option("--rounds-per-epoch", set.rounds_per_epoch,
                 "early stopping looks at the tuning half this many times per epoch of the imbalanced set")
      ->check(CLI::Range(1, 100));
  app.add_option("--patience", set.patience, "rounds without a better tuning AP before a training stops")
      ->check(CLI::Range(1, 1000));
  chapter.add_blas_threads_option();

  return chapter.run(argc, argv, [&](const Options& opt) {
    Plotter plot(opt);
    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    Settings s = set;
    if (opt.quick) s.dev_size = std::min(s.dev_size, 1000);
    std::cout << data.name << "; classifier 784-" << (s.hidden ? std::to_string(s.hidden) + "-" : std::string()) << "1"
              << (s.hidden ? " (ReLU, He; sigmoid output" : " (logistic regression") << ", fused with the loss)"
              << ", SGD η = " << opt.lr << ", batch " << opt.batch_size
              << "; every remedy stopped early, after at most " << opt.epochs
              << " epochs' worth of examples of the imbalanced set\n\n";
    std::vector<Experiment> experiments;
    for (double ratio : {10.0, s.ratio}) {
      experiments.push_back(run_task(data, ratio, s, opt));
      figures(experiments.back(), s, plot);
    }
    const Experiment& harsh = experiments.back();
    const Result& none = harsh.results[1];
    const Result& chosen = harsh.results[harsh.chosen];
    const Result& always = harsh.results[0];
    chapter.summary("digit " + std::to_string(s.digit) + " vs rest at 1:" + format_value("%g", s.ratio) +
                    ": always-negative accuracy " + format_percent(always.test.scores.accuracy) +
                    " (F1 0); nothing F1 " + format_value("%.3f", none.test.scores.f1) + " at t = 0.5, " +
                    format_value("%.3f", none.test_tuned.scores.f1) +
                    " at its tuned t; chosen on the selection half: " + chosen.name + ", test F1 " +
                    format_value("%.3f", chosen.test_tuned.scores.f1) + " at its t, AP " +
                    format_value("%.4f", chosen.test.average_precision));
  });
}
