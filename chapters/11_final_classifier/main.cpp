// Chapter 11: the final MNIST classifier, and classifying your own digit.
//
//   build/release/bin/ch11                                  train, evaluate, save out/11_final_classifier/model.bin
//   build/release/bin/ch11 --quick                          the same on the embedded sample, in seconds
//   build/release/bin/ch11 --load model.bin                 evaluate a saved model on the test set
//   build/release/bin/ch11 --load model.bin --classify my_digit.png [more.png ...]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/test_report.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/08_init_regularization/regularization.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/10_batch_norm/bn_mlp.hpp"
#include "chapters/11_final_classifier/digit_image.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/files.hpp"
#include "common/format.hpp"
#include "common/gnuplot.hpp"
#include "common/plot.hpp"

using namespace course;
using namespace course::ch11;

namespace {

// "784-512-256-10"
std::string shape_name(const std::vector<arma::uword>& sizes) {
  std::string name;
  for (arma::uword n : sizes) name += (name.empty() ? "" : "-") + std::to_string(n);
  return name;
}

struct Settings {
  FinalNetSettings net;
  double decay = 0.85;  // α = α0 · decay^epoch
  int patience = 4;     // early stopping on the dev error
  int dev_size = 10000;
};

// ---------------------------------------------------------------- the test set, the figures

void learning_curves(Plotter& plot, const History& h, int best_epoch, const std::string& shape) {
  const std::vector<double> x = h.epochs();
  auto marker = [&](double lo, double hi) {  // early stopping's epoch as a vertical line
    return Series{"best dev epoch (" + std::to_string(best_epoch) + ")",
                  {double(best_epoch), double(best_epoch)},
                  {lo, hi},
                  "lines dt 2 lw 2 lc rgb '#606060'"};
  };
  const std::vector<double> train_cost = h.column(&course::EpochRecord::train_cost),
                            dev_cost = h.column(&course::EpochRecord::dev_cost);
  const double lo = std::min(*std::min_element(train_cost.begin(), train_cost.end()),
                             *std::min_element(dev_cost.begin(), dev_cost.end()));
  const double hi = std::max(*std::max_element(train_cost.begin(), train_cost.end()),
                             *std::max_element(dev_cost.begin(), dev_cost.end()));
  plot.lines("learning_curve_cost",
             {.title = "Learning curve: cost (" + shape + ", BN, dropout, Adam)",
              .xlabel = "epoch",
              .ylabel = "cross-entropy cost J (evaluation mode)",
              .series = {{"train", x, train_cost, "linespoints"}, {"dev", x, dev_cost, "linespoints"}, marker(lo, hi)},
              .logy = true});
  const std::vector<double> train_acc = percent(h.column(&course::EpochRecord::train_accuracy)),
                            dev_acc = percent(h.column(&course::EpochRecord::dev_accuracy));
  plot.lines("learning_curve_accuracy", {.title = "Learning curve: accuracy",
                                         .xlabel = "epoch",
                                         .ylabel = "accuracy (%)",
                                         .series = {{"train", x, train_acc, "linespoints"},
                                                    {"dev", x, dev_acc, "linespoints"},
                                                    marker(*std::min_element(dev_acc.begin(), dev_acc.end()), 100.0)}});
  const std::vector<double> rate = h.column(&course::EpochRecord::learning_rate);
  plot.lines("learning_rate", {.title = "Adam's learning rate per epoch (exponential decay)",
                               .xlabel = "epoch",
                               .ylabel = "α",
                               .series = {{"α", x, rate, "linespoints"}, marker(0, rate.front())}});
}

// ---------------------------------------------------------------- training

struct Trained {
  History history;
  int best_epoch = 0;
  double seconds = 0;
};

Trained train_final(Network<float>& net, const Split& split, const Settings& s, const Options& opt, int epochs) {
  const arma::fmat Y_train = one_hot<float>(split.train.y), Y_dev = one_hot<float>(split.dev.y);
  const arma::Mat<std::uint8_t> X_bytes = ch07::to_bytes(split.train.X);  // chapter 7's fast path
  ch09::FusedAdam<float> adam(float(opt.lr));                             // chapter 9: Adam, in one pass
  const ch09::ExponentialDecay schedule(opt.lr, s.decay);                 // α = α0 · decay^epoch
  ch08::EarlyStopping<float> stopping(s.patience);                        // chapter 8, on the dev error
  Trained t;
  t.history =
      fit(net, adam, X_bytes, Y_train, LabelledSet<float>{&split.train.X, &Y_train},
          LabelledSet<float>{&split.dev.X, &Y_dev},
          {.epochs = epochs,
           .batch_size = arma::uword(opt.batch_size),
           .record_every = 1,
           .schedule = &schedule,
           .progress = "epochs"},
          rng(), [&](int epoch, const History& h) { return stopping.observe(epoch, 1 - h.back().dev_accuracy, net); });
  stopping.restore_best(net);  // θ and batch norm's averages of the best epoch
  t.best_epoch = stopping.best_epoch();
  t.seconds = t.history.back().seconds;
  return t;
}

// ---------------------------------------------------------------- every network of the course

struct Row {
  std::string model;
  std::size_t parameters;
  int epochs;
  double seconds, accuracy;
};

template <typename MakeOptimizer>
Row short_training(const std::string& name, Network<float> net, MakeOptimizer make_optimizer, int epochs,
                   const Dataset& test, const arma::Mat<std::uint8_t>& X_bytes, const arma::fmat& Y_train) {
  std::unique_ptr<Optimizer<float>> optimizer = make_optimizer();
  std::mt19937_64 gen(5);
  const History h =
      fit(net, *optimizer, X_bytes, Y_train, LabelledSet<float>{}, LabelledSet<float>{},
          {.epochs = epochs, .batch_size = 128, .record_every = epochs, .schedule = nullptr, .progress = ""}, gen);
  const Evaluation e = evaluate(net, test.X, one_hot<float>(test.y));
  return {name, net.parameter_count(), epochs, h.back().seconds, e.accuracy};
}

void compare(const Split& split, const Dataset& test, const Row& final_row, bool quick) {
  std::string images = std::to_string(split.train.size());  // 50000 -> "50,000"
  for (std::size_t k = images.size(); k > 3; k -= 3) images.insert(k - 3, ",");
  std::cout << "\nEvery network of the course on the same test set (short retrainings on the same " << images
            << (quick ? " images of the sample" : " images") << ",\n"
            << "batch 128, one BLAS thread; this chapter's net from the run above):\n";
  const arma::fmat Y_train = one_hot<float>(split.train.y);
  const arma::Mat<std::uint8_t> X_bytes = ch07::to_bytes(split.train.X);
  const int e = quick ? 1 : 5;
  std::vector<Row> rows;
  arma::arma_rng::set_seed(1);
  rows.push_back(short_training(
      "ch05: linear softmax 784-10", make_network<float>({784, 10}, {"softmax"}, "cross_entropy"),
      [] { return std::make_unique<SGD<float>>(0.5f); }, e, test, X_bytes, Y_train));
  rows.push_back(short_training(
      "ch07: 784-64-16-10 sigmoid/tanh, SGD", ch07::make_mnist_mlp(), [] { return std::make_unique<SGD<float>>(0.2f); },
      2 * e, test, X_bytes, Y_train));
  Network<float> regularised = ch10::make_bn_mlp<float>({784, 100, 100, 10}, false);  // ReLU, He
  regularised.set_penalty(std::make_unique<ch08::L2Penalty<float>>(1.0, split.train.size()));
  rows.push_back(short_training(
      "ch08: ch10's plain 784-100-100-10, He, L2", std::move(regularised),
      [] { return std::make_unique<ch09::Momentum<float>>(0.3f, 0.9); }, e, test, X_bytes, Y_train));
  rows.push_back(short_training(
      "ch10: 784-100-100-10 with batch norm", ch10::make_bn_mlp<float>({784, 100, 100, 10}, true),
      [] { return std::make_unique<ch09::Momentum<float>>(1.0f, 0.9); }, e, test, X_bytes, Y_train));
  rows.push_back(final_row);
  std::cout
      << "     model                                              parameters   epochs   training (s)   test accuracy\n";
  for (const Row& r : rows)
    std::printf("     %s %10zu   %6d   %12.1f   %13s\n", pad(r.model, 50).c_str(), r.parameters, r.epochs, r.seconds,
                format_percent(r.accuracy).c_str());
}

// ---------------------------------------------------------------- classifying your own digit

// An image fitted into side × side keeping its aspect ratio, as a column in the IDX
// order (row by row): one panel of the figure of the steps.
constexpr arma::uword kPanel = 112;

arma::fvec panel(const arma::fmat& image) {
  const double scale = double(kPanel) / double(std::max(image.n_rows, image.n_cols));
  const arma::uword h = std::max<arma::uword>(1, arma::uword(std::lround(image.n_rows * scale)));
  const arma::uword w = std::max<arma::uword>(1, arma::uword(std::lround(image.n_cols * scale)));
  arma::fmat square(kPanel, kPanel, arma::fill::zeros);
  square.submat((kPanel - h) / 2, (kPanel - w) / 2, (kPanel - h) / 2 + h - 1, (kPanel - w) / 2 + w - 1) =
      arma::clamp(area_resample(image, h, w), 0.0f, 1.0f);
  return arma::vectorise(arma::fmat(square.t()));
}

void classify(Network<float>& net, const fs::path& file, Plotter& plot) {
  const arma::fmat grey = read_grey_image(file);
  const Preprocessed p = preprocess_digit(grey, file.string());
  arma::fmat probabilities;
  {
    EvaluationMode<float> evaluation(net);
    const arma::fmat x = p.input;  // 784 × 1
    const arma::fmat logits = net.forward(x);
    probabilities = softmax(logits);
  }
  const arma::uword predicted = probabilities.index_max();
  std::cout << file.string() << " (" << grey.n_cols << "×" << grey.n_rows << " pixels, "
            << (p.inverted ? "light background: inverted" : "dark background") << "; " << p.components
            << (p.components == 1 ? " component" : " components") << "; stroke " << format_value("%.1f", p.stroke_width)
            << " px at MNIST's scale" << (p.dilated ? ", dilated" : "") << "):\n  probabilities:";
  for (int d = 0; d < 10; ++d) std::cout << "  " << d << ": " << format_value("%.3f", probabilities(d));
  std::cout << "\n  prediction: " << predicted << " (" << format_percent(probabilities(predicted)) << ")\n";
  // Every step drawn the same way: ink black on white paper.
  ImageGrid steps{.title = file.filename().string() + " → " + std::to_string(predicted),
                  .images = arma::fmat(kPanel * kPanel, 7, arma::fill::zeros),
                  .captions = {},
                  .marked = {},
                  .columns = 4};
  steps.images.col(0) = panel(p.inverted ? arma::fmat(1.0f - grey) : grey);
  steps.images.col(1) = panel(p.ink);
  steps.images.col(2) = panel(p.kept);
  steps.images.col(3) = panel(p.cropped);
  steps.images.col(4) = panel(p.stroke);
  arma::fmat fitted(20, 20, arma::fill::zeros);
  fitted.submat(0, 0, p.fitted.n_rows - 1, p.fitted.n_cols - 1) = p.fitted;
  steps.images.col(5) = panel(fitted);
  steps.images.col(6) = panel(p.digit);
  steps.captions = {
      "1. original",
      "2. paper removed",
      "3. digit" + std::string(p.components > 1 ? " (of " + std::to_string(p.components) + " parts)" : ""),
      "4. cropped",
      std::string("5. stroke ") + format_value("%.1f", p.stroke_width) + (p.dilated ? ", dilated" : ""),
      "6. " + std::to_string(p.fitted.n_cols) + "×" + std::to_string(p.fitted.n_rows),
      "7. input"};
  plot.images("classify_" + file.stem().string(), steps);
}

// A digit printed in a font (rendered by gnuplot's pngcairo terminal, antialiased,
// dark on white) as a rows × cols grey image, or an empty matrix without gnuplot.
arma::fmat printed_digit(const std::string& digit, const std::string& font, int size, arma::uword rows,
                         arma::uword cols, const fs::path& scratch) {
  gnuplot::Figure figure{int(cols), int(rows),
                         "unset border\nunset tics\nunset key\nset margins 0,0,0,0\nset label 1 " +
                             gnuplot::quote(digit) + " at graph 0.5, graph 0.5 center font " +
                             gnuplot::quote(font + "," + std::to_string(size)) + "\nplot [0:1][0:1] NaN notitle\n"};
  const fs::path png = gnuplot::render(scratch, "printed_" + digit, PlotMode::png, figure);
  if (png.empty()) return {};
  arma::fmat grey = read_grey_image(png);
  fs::remove(png);
  return grey;
}

// The repository's example images (examples/), with their labels in expected.txt:
// sample digits at other sizes and backgrounds, digits drawn with a brush, and what
// a photo or a scan adds: a thin pen on a large page, uneven light, a speck, print.
void write_examples(const fs::path& dir) {
  fs::create_directories(dir);
  const Mnist sample = load_dataset("sample", {});
  auto write_pgm = [](const fs::path& file, const arma::fmat& grey, bool plain) {
    write_file_atomically(
        file,
        [&](std::ostream& out) {
          out << (plain ? "P2" : "P5") << "\n# a digit for ch11 --classify\n"
              << grey.n_cols << " " << grey.n_rows << "\n255\n";
          for (arma::uword r = 0; r < grey.n_rows; ++r)
            for (arma::uword c = 0; c < grey.n_cols; ++c) {
              const int v = int(std::lround(255 * std::clamp(grey(r, c), 0.0f, 1.0f)));
              if (plain)
                out << v << (c + 1 == grey.n_cols ? "\n" : " ");
              else
                out.put(char(v));
            }
        },
        /*binary=*/true);
  };
  std::vector<std::pair<std::string, int>> expected;
  // Test image 0 three times larger (each pixel a 3 × 3 block), dark ink on white.
  const arma::fmat first = as_square(sample.test.X.col(0));
  const arma::fmat big = arma::kron(first, arma::fmat(3, 3, arma::fill::ones));
  write_grey_png(dir / "sample0_light_84x84.png", 1.0f - big);
  expected.emplace_back("sample0_light_84x84.png", int(sample.test.y[0]));
  // Test image 1 stretched to 70 × 56, white ink on black (as MNIST), a binary PGM.
  write_pgm(dir / "sample1_dark_56x70.pgm", area_resample(as_square(sample.test.X.col(1)), 70, 56), false);
  expected.emplace_back("sample1_dark_56x70.pgm", int(sample.test.y[1]));
  // Drawn with a brush: a 7 (PNG) and a 4 (plain PGM), dark on white, off-centre.
  write_grey_png(
      dir / "drawn7_200x160.png",
      draw_strokes({{{0.15, 0.25}, {0.75, 0.22}, {0.42, 1.05}}, {{0.3, 0.62}, {0.62, 0.6}}}, 200, 160, 0.045));
  expected.emplace_back("drawn7_200x160.png", 7);
  write_pgm(dir / "drawn4_120x150.pgm",
            draw_strokes({{{0.5, 0.12}, {0.2, 0.62}, {0.82, 0.62}}, {{0.62, 0.3}, {0.6, 1.05}}}, 150, 120, 0.05), true);
  expected.emplace_back("drawn4_120x150.pgm", 4);
  // A thin pen on a large page: a 2 about 450 pixels high drawn 7 pixels wide on 900 × 1200
  // (0.3 pixels at MNIST's scale: the preprocessing must thicken it).
  write_grey_png(dir / "pen2_900x1200.png", draw_strokes({{{0.36, 0.56},
                                                           {0.43, 0.49},
                                                           {0.53, 0.48},
                                                           {0.61, 0.53},
                                                           {0.62, 0.62},
                                                           {0.55, 0.73},
                                                           {0.36, 0.96},
                                                           {0.66, 0.96}}},
                                                         1200, 900, 0.004));
  expected.emplace_back("pen2_900x1200.png", 2);
  // Uneven light: a 5 on paper whose brightness falls from 1 (top left) to 0.45 (bottom right).
  {
    arma::fmat page = draw_strokes({{{0.68, 0.2}, {0.36, 0.2}, {0.33, 0.5}},
                                    {{0.33, 0.5}, {0.5, 0.44}, {0.64, 0.52}, {0.67, 0.7}, {0.56, 0.84}, {0.32, 0.82}}},
                                   400, 300, 0.03);
    for (arma::uword r = 0; r < page.n_rows; ++r)
      for (arma::uword c = 0; c < page.n_cols; ++c)
        page(r, c) *= float(1 - 0.55 * (double(r) / page.n_rows + double(c) / page.n_cols) / 2);
    write_grey_png(dir / "shadow5_300x400.png", page);
    expected.emplace_back("shadow5_300x400.png", 5);
  }
  // A speck far from the digit: a 3 in the lower left, a dark spot 16 pixels wide in the top right.
  {
    arma::fmat page = draw_strokes({{{0.12, 0.42}, {0.25, 0.36}, {0.4, 0.4}, {0.4, 0.55}, {0.27, 0.63}},
                                    {{0.27, 0.63}, {0.43, 0.7}, {0.44, 0.86}, {0.3, 0.95}, {0.1, 0.9}}},
                                   300, 300, 0.03);
    for (arma::uword r = 0; r < page.n_rows; ++r)
      for (arma::uword c = 0; c < page.n_cols; ++c)
        if (std::hypot(double(r) - 30, double(c) - 265) < 8) page(r, c) = 0.1f;
    write_pgm(dir / "speck3_300x300.pgm", page, false);
    expected.emplace_back("speck3_300x300.pgm", 3);
  }
  // Printed digits in common fonts (DejaVu Sans and Serif, drawn by gnuplot): a 4, a 2 and a 6.
  const fs::path scratch = dir / ".printing";
  fs::create_directories(scratch);
  for (const auto& [digit, font, file] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"4", "DejaVu Sans", "print4_sans_160x200.png"},
           {"2", "DejaVu Serif", "print2_serif_160x200.png"},
           {"6", "DejaVu Sans", "print6_sans_160x200.png"}}) {
    const arma::fmat grey = printed_digit(digit, font, 110, 200, 160, scratch);
    if (grey.is_empty()) {
      std::cout << "(no gnuplot with pngcairo: the printed digits were not written)\n";
      break;
    }
    write_grey_png(dir / file, grey);
    expected.emplace_back(file, std::stoi(digit));
  }
  fs::remove_all(scratch);
  write_file_atomically(dir / "expected.txt", [&](std::ostream& out) {
    out << "# file, the digit it shows (written by ch11 --write-examples)\n";
    for (const auto& [file, label] : expected) out << file << " " << label << "\n";
  });
  std::cout << "Wrote " << expected.size() << " example images and expected.txt to " << dir.string() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch11", "The final MNIST classifier", {.epochs = 20, .lr = 2e-3, .batch_size = 64});
  Settings s;
  std::string load_path;
  std::vector<std::string> images;
  bool skip_compare = false;
  bool dev_only = false;
  std::string examples_dir;
  chapter.app().add_option("--hidden1", s.net.sizes[1], "units of the first hidden layer")->check(CLI::Range(1, 4096));
  chapter.app().add_option("--hidden2", s.net.sizes[2], "units of the second hidden layer")->check(CLI::Range(1, 4096));
  chapter.app()
      .add_option("--keep-prob", s.net.keep_prob, "dropout's keep_prob after each hidden ReLU (1: none)")
      ->check(CLI::Range(0.05, 1.0));
  chapter.app()
      .add_option("--decay", s.decay, "the learning rate's factor per epoch, α = α0·decay^epoch")
      ->check(CLI::Range(0.5, 1.0));
  chapter.app()
      .add_option("--patience", s.patience, "early stopping: epochs without a better dev error")
      ->check(CLI::Range(1, 100));
  chapter.app()
      .add_option("--dev-size", s.dev_size, "training images held out as the dev set")
      ->check(CLI::Range(1000, 30000));
  chapter.add_blas_threads_option();
  chapter.app().add_option("--load", load_path,
                           "a model saved by ch11: evaluate it (and classify --classify's images)");
  chapter.app().add_option("--classify", images, "PNG or PGM images of one digit each, classified with --load's model");
  chapter.app().add_option("--write-examples", examples_dir,
                           "write the example images of examples/ into this folder, and stop");
  chapter.app().add_flag("--skip-compare", skip_compare, "leave out the table of every network of the course");
  chapter.app().add_flag("--dev-only", dev_only,
                         "choosing settings: train and report the dev set only, never touching the test set");

  return chapter.run(argc, argv, [&](const Options& opt) {
    if (!examples_dir.empty()) {
      write_examples(examples_dir);
      chapter.summary("wrote the example images to " + examples_dir);
      return;
    }
    Plotter plot(opt);
    Network<float> net = make_final_net<float>(s.net);
    std::cout << "Network: " << net.describe() << "\n  " << net.parameter_count() << " parameters\n";
    if (!s.net.fast_layers) std::cout << "  (the lessons' ReLU and dropout: in your workspace build, your own code)\n";
    if (!images.empty() && load_path.empty())
      throw std::invalid_argument(
          "--classify needs --load MODEL (a model saved by ch11, e.g. out/11_final_classifier/model.bin)");
    if (!load_path.empty()) {
      load_model(net, load_path);
      std::cout << "Loaded " << load_path << "\n";
      if (!images.empty()) {
        for (const std::string& image : images) classify(net, image, plot);
        chapter.summary("classified " + std::to_string(images.size()) + " image(s) with " + load_path);
        return;
      }
      const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
      const Evaluation test = ch07::report_test(net, data.test, plot,
                                                {.print_confusion = false, .gallery_size = 60, .gallery_columns = 12});
      chapter.summary("loaded model: " + format_percent(test.accuracy) + " test accuracy");
      return;
    }

    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    const Split split = split_dev(data.train, opt.quick ? data.train.size() / 5 : std::size_t(s.dev_size), rng());
    const int epochs = opt.quick ? std::min(opt.epochs, 5) : opt.epochs;
    std::cout << data.name << ": train " << split.train.size() << ", dev " << split.dev.size() << ", test "
              << data.test.size() << " images\n"
              << "Adam (fused), α0 = " << opt.lr << " × " << s.decay << "^epoch, batch " << opt.batch_size
              << ", dropout keep_prob " << s.net.keep_prob << ", at most " << epochs << " epochs, early stopping after "
              << s.patience << " epochs without a better dev error\n\n";
    const Trained t = train_final(net, split, s, opt, epochs);
    const int ran = int(t.history.size());
    std::cout << "Training: " << format_value("%.1f s", t.seconds) << " for " << ran << " epochs ("
              << format_value("%.2f s", t.seconds / ran) << " per epoch); best dev accuracy "
              << format_percent(t.history.column(&course::EpochRecord::dev_accuracy)[std::size_t(t.best_epoch - 1)])
              << " at epoch " << t.best_epoch << (ran < epochs ? " (stopped early)" : "") << ", restored\n";
    t.history.write_csv(opt.out / "history.csv");
    learning_curves(plot, t.history, t.best_epoch, shape_name(s.net.sizes));
    const fs::path model = opt.out / "model.bin";
    save_model(net, model);
    std::cout << "Saved the model to " << model.string() << " (parameters and batch norm's running averages)\n\n";
    const double best_dev = t.history.column(&course::EpochRecord::dev_accuracy)[std::size_t(t.best_epoch - 1)];
    if (dev_only) {  // choosing the settings: the test set stays unseen
      write_results(
          opt.out,
          {{"dev_accuracy", best_dev}, {"training_seconds", t.seconds}, {"epochs", ran}, {"best_epoch", t.best_epoch}});
      chapter.summary(format_percent(best_dev) + " dev accuracy after " + std::to_string(ran) + " epochs (" +
                      format_value("%.0f s", t.seconds) + " of training); the test set not used");
      return;
    }
    const Evaluation test =
        ch07::report_test(net, data.test, plot, {.print_confusion = false, .gallery_size = 60, .gallery_columns = 12});
    write_results(opt.out, {{"test_accuracy", test.accuracy},
                            {"dev_accuracy", best_dev},
                            {"training_seconds", t.seconds},
                            {"epochs", ran},
                            {"best_epoch", t.best_epoch}});
    if (!skip_compare)
      compare(split, data.test,
              {"ch11: " + shape_name(s.net.sizes) + " BN, dropout, Adam (this run)", net.parameter_count(), ran,
               t.seconds, test.accuracy},
              opt.quick);
    chapter.summary(format_percent(test.accuracy) + " test accuracy after " + std::to_string(ran) + " epochs (" +
                    format_value(t.seconds < 10 ? "%.1f s" : "%.0f s", t.seconds) + " of training); model saved");
  });
}
