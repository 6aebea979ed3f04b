// Chapter 14: data augmentation. Distorted digits take the MLP past 99%.
//
//   build/release/bin/ch14                        affine + elastic distortions, 30 epochs, model saved
//   build/release/bin/ch14 --compare              none, affine, affine + elastic, one after the other
//   build/release/bin/ch14 --augment affine       one setting (none | affine | elastic | affine+elastic)
//   build/release/bin/ch14 --quick                the same on the embedded sample, in seconds
//   build/release/bin/ch11 --hidden1 800 --hidden2 800 --load out/14_data_augmentation/model.bin --classify my.png
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "chapters/06_backprop/model_file.hpp"
#include "chapters/07_mnist_mlp/fast_batches.hpp"
#include "chapters/07_mnist_mlp/test_report.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "chapters/14_data_augmentation/affine.hpp"
#include "chapters/14_data_augmentation/augmented_training.hpp"
#include "chapters/14_data_augmentation/bilinear.hpp"
#include "chapters/14_data_augmentation/distortion.hpp"
#include "chapters/14_data_augmentation/elastic.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/files.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch14;

namespace {

// ---------------------------------------------------------------- the figures of the lesson

// Originals beside two distortions of each kind.
void distortion_grid(Plotter& plot, const Dataset& train, const Distortion& strengths, std::uint64_t seed) {
  const std::vector<std::pair<std::string, Distortion>> kinds = {
      {"affine", distortion_named("affine", strengths)},
      {"elastic", distortion_named("elastic", strengths)},
      {"both", distortion_named("affine+elastic", strengths)}};
  const int digits = 8, per_kind = 2, columns = 1 + per_kind * int(kinds.size());
  ImageGrid grid{.title = "Originals and two distortions of each kind",
                 .images = arma::fmat(kPixels, digits * columns, arma::fill::zeros),
                 .captions = {},
                 .marked = {},
                 .columns = columns};
  std::mt19937_64 gen(seed);
  int k = 0;
  for (int d = 0; d < digits; ++d) {
    const arma::fvec image = train.X.col(arma::uword(d));
    grid.images.col(k++) = image;
    grid.captions.push_back("original " + std::to_string(train.y[arma::uword(d)]));
    for (const auto& [name, distortion] : kinds) {
      const Distorter distorter(distortion);
      for (int j = 0; j < per_kind; ++j) {
        grid.images.col(k++) = distorter.distort(image, gen);
        grid.captions.push_back(name);
      }
    }
  }
  plot.images("distortions", grid);
}

// One elastic field: its two components as images (white: the most negative shift, dark blue: the
// most positive), and what it does.
void field_figure(Plotter& plot, const Dataset& train, const ElasticSettings& e, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  const ElasticField f = elastic_field(e, gaussian_band(kSide, e.sigma), gen);
  std::vector<std::string> ticks(kSide);  // pixels 0, 5, 10, ..., 25
  for (arma::uword i = 0; i < kSide; i += 5) ticks[i] = std::to_string(i);
  for (const auto& [name, component] : {std::pair{std::string("x"), &f.dx}, std::pair{std::string("y"), &f.dy}})
    plot.heatmap("elastic_field_d" + name,
                 {.title = "Δ" + name + " of one elastic field (σ = " + format_value("%g", e.sigma) +
                           " px, α = " + format_value("%g", e.alpha) + "), pixels",
                  .xlabel = "x (column)",
                  .ylabel = "y (row)",
                  .values = arma::conv_to<arma::mat>::from(*component),
                  .row_names = ticks,
                  .col_names = ticks,
                  .annotate = false,
                  .diverging = true});  // Δ < 0 blue, Δ > 0 red, no move white
  arma::mat p = identity_positions();
  add_field(f, p);
  ImageGrid effect{.title = "Field applied",
                   .images = arma::fmat(kPixels, 2, arma::fill::zeros),
                   .captions = {"original", "distorted"},
                   .marked = {},
                   .columns = 2,
                   .pixel_size = 9};  // as large as the field's maps beside it
  effect.images.col(0) = train.X.col(0);
  effect.images.col(1) = resample(train.X.col(0), p);
  plot.images("elastic_field_applied", effect);
}

// Changes that do not keep the label: mirror images (s_x = −1) and half turns (θ = 180°).
void label_changing(Plotter& plot, const Dataset& train) {
  struct Change {
    int digit;
    std::string what;
    AffineParams map;
  };
  const AffineParams mirror{.scale_x = -1}, half_turn{.rotation = std::numbers::pi};
  const std::vector<Change> changes = {
      {2, "mirrored", mirror}, {3, "mirrored", mirror},       {4, "mirrored", mirror},      {5, "mirrored", mirror},
      {7, "mirrored", mirror}, {6, "turned 180°", half_turn}, {9, "turned 180°", half_turn}};
  ImageGrid grid{.title = "Changes that do not keep the label: mirrored digits are no digits, a 6 turned 180° is a 9",
                 .images = arma::fmat(kPixels, 2 * changes.size(), arma::fill::zeros),
                 .captions = {},
                 .marked = {},
                 .columns = 2 * int(changes.size())};
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const arma::uvec found = arma::find(train.y == changes[i].digit, 1);
    const arma::fvec image = train.X.col(found[0]);
    grid.images.col(2 * i) = image;
    grid.images.col(2 * i + 1) = resample(image, affine_positions(changes[i].map));
    grid.captions.push_back(std::to_string(changes[i].digit));
    grid.captions.push_back(changes[i].what);
  }
  plot.images("label_changing", grid);
}

// ---------------------------------------------------------------- one setting's training

struct Setting {
  std::string name;
  Distortion distortion;
};

struct Outcome {
  std::string name;
  History history;
  std::vector<double> test_error;  // per epoch, for the figure only (never used for a choice)
  double test_accuracy = 0, seconds = 0, wait_seconds = 0, produce_seconds = 0;
  double cpu_seconds = 0;  // the training thread's own CPU time (training and its train/dev evaluations)
};

// The calling thread's CPU time in seconds: on a shared machine the wall time of an
// epoch includes the time other programs held the core; this does not.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

struct Data {
  Split split;
  Dataset test;
  arma::Mat<std::uint8_t> X_bytes;  // the training images as bytes: what the producer distorts
  arma::fmat X_eval, Y, Y_eval, Y_dev, Y_test;
};

Outcome train_setting(const Setting& setting, Data& data, const ch11::FinalNetSettings& net_settings,
                      const AugmentedSettings& settings, const Options& opt, Network<float>& net) {
  arma::arma_rng::set_seed(opt.seed);  // the same initial θ for every setting
  std::mt19937_64 gen(opt.seed + 1);   // the same mini-batch orders
  net = ch11::make_final_net<float>(net_settings);
  Outcome o;
  o.name = setting.name;
  std::cout << "\n" << setting.name << ": " << setting.distortion.describe() << "\n";
  double test_cpu = 0;  // the per-epoch test evaluations (for the figure): not part of the training
  const double cpu_start = thread_cpu_seconds();
  const AugmentedRun run = train_augmented(
      net, data.X_bytes, data.Y, LabelledSet<float>{&data.X_eval, &data.Y_eval},
      LabelledSet<float>{&data.split.dev.X, &data.Y_dev}, setting.distortion, opt.seed + 2, settings, gen,
      [&](int epoch, const History& h) {
        const EpochRecord& r = h.back();
        // the test error per epoch: for the figure only, never for a choice
        const double test_start = thread_cpu_seconds();
        o.test_error.push_back(1 - evaluate(net, data.test.X, data.Y_test, settings.eval_chunk).accuracy);
        test_cpu += thread_cpu_seconds() - test_start;
        std::printf("  epoch %2d/%d  α %.2e  train acc %s  dev acc %s  (%.1f s)\n", epoch, settings.epochs,
                    r.learning_rate, format_percent(r.train_accuracy).c_str(), format_percent(r.dev_accuracy).c_str(),
                    r.seconds);
        std::fflush(stdout);
        return true;
      });
  o.cpu_seconds = thread_cpu_seconds() - cpu_start - test_cpu;
  o.history = run.history;
  o.seconds = run.history.back().seconds;
  o.wait_seconds = run.wait_seconds;
  o.produce_seconds = run.produce_seconds;
  o.test_accuracy = 1 - o.test_error.back();  // the last epoch's: no choice made on the test set
  std::printf(
      "  %s: dev %s, test %s after %d epochs; %.1f s of training (%.2f s per epoch), of which %.1f s (%.1f%%)\n"
      "  waiting for distortions (the producer worked %.1f s in all)\n",
      setting.name.c_str(), format_percent(run.history.back().dev_accuracy).c_str(),
      format_percent(o.test_accuracy).c_str(), settings.epochs, o.seconds, o.seconds / settings.epochs, o.wait_seconds,
      100 * o.wait_seconds / o.seconds, o.produce_seconds);
  std::printf(
      "  the training thread's own CPU time: %.1f s (%.2f s per epoch, with its train and dev evaluations):\n"
      "  what the training's wall time would be on a core of its own (a little more: the evaluations are in it)\n",
      o.cpu_seconds, o.cpu_seconds / settings.epochs);
  return o;
}

std::vector<double> error_percent(const std::vector<double>& accuracy) {
  std::vector<double> e = percent(accuracy);
  for (double& v : e) v = 100 - v;
  return e;
}

void outcome_figures(Plotter& plot, const std::vector<Outcome>& outcomes, const std::string& net_name) {
  for (const Outcome& o : outcomes) {
    const std::vector<double> x = o.history.epochs();
    plot.lines("learning_curve_" + o.name,
               {.title = "Learning curve, " + o.name + " (" + net_name + ")",
                .xlabel = "epoch",
                .ylabel = "error (%)",
                .series = {{"train (10,000 undistorted training images)", x,
                            error_percent(o.history.column(&EpochRecord::train_accuracy)), "linespoints"},
                           {"dev", x, error_percent(o.history.column(&EpochRecord::dev_accuracy)), "linespoints"}},
                .logy = true,
                .integer_x = true});
  }
  LinePlot dev{
      .title = "Dev error per epoch", .xlabel = "epoch", .ylabel = "dev error (%)", .logy = true, .integer_x = true};
  LinePlot test{.title = "Test error per epoch (drawn, never used to choose)",
                .xlabel = "epoch",
                .ylabel = "test error (%)",
                .logy = true,
                .integer_x = true};
  for (const Outcome& o : outcomes) {
    const std::vector<double> x = o.history.epochs();
    dev.series.push_back({o.name, x, error_percent(o.history.column(&EpochRecord::dev_accuracy)), "linespoints"});
    test.series.push_back({o.name, x, percent(o.test_error), "linespoints"});
  }
  plot.lines("dev_error", dev);
  plot.lines("test_error", test);
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch14", "Data augmentation", {.epochs = 30, .lr = 2e-3, .batch_size = 128});
  arma::uword hidden = 800;
  double keep_prob = 0.9, decay = 0.95, elastic_std = -1;
  int dev_size = 10000, eval_size = 10000;
  std::string augment = "affine+elastic";
  bool compare = false, single_thread = false;
  Distortion strengths;
  CLI::App& app = chapter.app();
  app.add_option("--augment", augment, "none | affine | elastic | affine+elastic (the distortions trained on)");
  app.add_flag("--compare", compare, "train none, affine and affine+elastic one after the other (3 times as long)");
  app.add_option("--hidden", hidden, "units of each of the two hidden layers")->check(CLI::Range(1, 4096));
  app.add_option("--keep-prob", keep_prob, "dropout's keep_prob after each hidden ReLU")->check(CLI::Range(0.05, 1.0));
  app.add_option("--decay", decay, "the learning rate's factor per epoch, α = α0·decay^epoch")
      ->check(CLI::Range(0.5, 1.0));
  app.add_option("--rotation", strengths.ranges.rotation_degrees, "affine: rotations up to ± this many degrees")
      ->check(CLI::Range(0.0, 90.0));
  app.add_option("--scale", strengths.ranges.scale, "affine: scalings by 1 ± this")->check(CLI::Range(0.0, 0.5));
  app.add_option("--shear", strengths.ranges.shear, "affine: shears k up to ± this")->check(CLI::Range(0.0, 1.0));
  app.add_option("--shift", strengths.ranges.shift, "affine: shifts up to ± this many pixels")
      ->check(CLI::Range(0.0, 8.0));
  app.add_option("--sigma", strengths.field.sigma, "elastic: the Gaussian's σ in pixels")->check(CLI::Range(0.5, 10.0));
  app.add_option("--alpha", strengths.field.alpha, "elastic: the scale α")->check(CLI::Range(0.0, 200.0));
  app.add_option("--elastic-std", elastic_std, "elastic: the displacement's std in pixels (sets α by equation (1))")
      ->check(CLI::Range(0.0, 10.0));
  app.add_option("--dev-size", dev_size, "training images held out as the dev set")->check(CLI::Range(1000, 30000));
  app.add_flag("--single-thread", single_thread, "distort in the training thread (the same images, no overlap)");
  chapter.add_blas_threads_option("threads for OpenBLAS's products (1: the other core distorts)");

  return chapter.run(argc, argv, [&](const Options& opt) {
    if (elastic_std >= 0) strengths.field.alpha = alpha_for_std(elastic_std, strengths.field.sigma);
    std::vector<Setting> settings_to_run;
    for (const std::string& name :
         compare ? std::vector<std::string>{"none", "affine", "affine+elastic"} : std::vector<std::string>{augment})
      settings_to_run.push_back({name, distortion_named(name, strengths)});

    Plotter plot(opt);
    Data data;
    {
      const Mnist mnist = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
      data.split = split_dev(mnist.train, opt.quick ? mnist.train.size() / 5 : std::size_t(dev_size), rng());
      data.test = mnist.test;
      std::cout << mnist.name << ": train " << data.split.train.size() << ", dev " << data.split.dev.size() << ", test "
                << data.test.size() << " images\n";
    }
    Dataset& train = data.split.train;
    distortion_grid(plot, train, strengths, opt.seed);
    field_figure(plot, train, strengths.field, opt.seed);
    label_changing(plot, train);

    data.X_bytes = ch07::to_bytes(train.X);
    data.Y = one_hot<float>(train.y);
    const arma::uword n_eval = std::min<arma::uword>(arma::uword(eval_size), train.X.n_cols);
    data.X_eval = train.X.cols(0, n_eval - 1);  // the train curve: undistorted training images
    data.Y_eval = data.Y.cols(0, n_eval - 1);
    data.Y_dev = one_hot<float>(data.split.dev.y);
    data.Y_test = one_hot<float>(data.test.y);
    train.X.reset();  // the bytes are the training set from here on

    const ch11::FinalNetSettings net_settings = wide_net(hidden, keep_prob);
    const AugmentedSettings settings{.epochs = opt.quick ? std::min(opt.epochs, 3) : opt.epochs,
                                     .batch_size = arma::uword(opt.batch_size),
                                     .lr = opt.lr,
                                     .decay = decay,
                                     .background = !single_thread,
                                     .progress = "",
                                     .eval_chunk = 2000};
    Network<float> net = ch11::make_final_net<float>(net_settings);
    const std::string net_name = net.describe();
    std::cout << "Network: " << net_name << ", " << net.parameter_count() << " parameters\n"
              << "Adam (fused), α = " << opt.lr << " · " << decay << "^epoch, batch " << opt.batch_size
              << ", dropout keep_prob " << keep_prob << ", " << settings.epochs << " epochs; distortions made "
              << (single_thread ? "in the training thread" : "by a producer thread, one epoch ahead") << "\n";

    std::vector<Outcome> outcomes;
    for (const Setting& s : settings_to_run)
      outcomes.push_back(train_setting(s, data, net_settings, settings, opt, net));
    outcome_figures(plot, outcomes, "784-" + std::to_string(hidden) + "-" + std::to_string(hidden) + "-10");

    // The last setting's net (affine + elastic by default and with --compare) is the saved one.
    const fs::path model = opt.out / "model.bin";
    save_model(net, model);
    std::cout << "\nSaved the " << outcomes.back().name << " model to " << model.string() << " (chapter 11's format: "
              << "ch11 --hidden1 " << hidden << " --hidden2 " << hidden << " --load " << model.string()
              << " --classify IMAGE)\n";
    const Evaluation test =
        ch07::report_test(net, data.test, plot, {.print_confusion = false, .gallery_size = 60, .gallery_columns = 12});

    std::cout
        << "\n     setting            dev error   test error   training (s)   s/epoch   waiting for distortions\n";
    std::vector<std::pair<std::string, double>> results;
    for (const Outcome& o : outcomes) {
      std::printf("     %-16s %10s %12s %14.1f %9.2f %12.1f s (%.1f%%)\n", o.name.c_str(),
                  format_percent(1 - o.history.back().dev_accuracy).c_str(),
                  format_percent(1 - o.test_accuracy).c_str(), o.seconds, o.seconds / settings.epochs, o.wait_seconds,
                  100 * o.wait_seconds / o.seconds);
      results.emplace_back("test_accuracy_" + o.name, o.test_accuracy);
      results.emplace_back("dev_accuracy_" + o.name, o.history.back().dev_accuracy);
    }
    const Outcome& last = outcomes.back();
    results.emplace_back("test_accuracy", test.accuracy);
    results.emplace_back("training_seconds", last.seconds);
    results.emplace_back("wait_fraction", last.wait_seconds / last.seconds);
    results.emplace_back("produce_seconds", last.produce_seconds);
    results.emplace_back("training_cpu_seconds", last.cpu_seconds);
    results.emplace_back("epochs", settings.epochs);
    write_results(opt.out, results);
    for (const Outcome& o : outcomes) {
      o.history.write_csv(opt.out / ("history_" + o.name + ".csv"));
      // the test error per epoch, as drawn in test_error.png (a record, never a choice)
      write_file_atomically(opt.out / ("test_error_" + o.name + ".csv"), [&](std::ostream& out) {
        out << "epoch,test_error\n";
        for (std::size_t e = 0; e < o.test_error.size(); ++e) out << e + 1 << "," << o.test_error[e] << "\n";
      });
    }
    chapter.summary(last.name + ": " + format_percent(test.accuracy) + " test accuracy after " +
                    std::to_string(settings.epochs) + " epochs (" + format_value("%.0f s", last.seconds) +
                    " of training, " + format_value("%.1f%%", 100 * last.wait_seconds / last.seconds) +
                    " of it waiting for distortions); model saved");
  });
}
