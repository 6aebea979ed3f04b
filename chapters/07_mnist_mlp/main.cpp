// Chapter 7: the 784-64-16-10 MNIST network of note 003.
//
//   build/release/bin/ch07                         train on MNIST (dev set held out), test, save the model
//   build/release/bin/ch07 --load out/07_mnist_mlp/model.bin   evaluate a saved model on the test set
//   build/release/bin/ch07 --quick                 the embedded sample, in seconds
//   build/release/bin/ch07 --epochs 20 --lr 0.5 --batch-size 32
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
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


}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch07", "The three-layer MNIST network (784-64-16-10)", {.epochs = 100, .lr = 0.2, .batch_size = 128});
  int dev_size = 10000;
  int sweep_epochs = 5;
  std::string load_path;
  int blas_threads = 1;
  chapter.app().add_option("--dev-size", dev_size, "training images held out as the dev set")->check(CLI::Range(100, 30000));
  chapter.app()
      .add_option("--blas-threads", blas_threads, "threads for OpenBLAS's matrix products (1 is fastest at these sizes)")
      ->check(CLI::Range(1, 64));
  chapter.app().add_option("--load", load_path, "evaluate this saved model on the test set instead of training");
  chapter.app()
      .add_option("--sweep-epochs", sweep_epochs, "epochs per run of the batch size / learning rate comparison (0: skip it)")
      ->check(CLI::Range(0, 100));

  return chapter.run(argc, argv, [&](const Options& opt) {
    if (!set_blas_threads(blas_threads)) std::cout << "(not OpenBLAS: --blas-threads has no effect)\n";
    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);

    Network<float> net = make_mnist_mlp();
    std::cout << "Network (note 003): " << net.describe() << "\n"
              << "  " << net.parameter_count() << " parameters, Xavier-uniform initialisation\n";

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
    const arma::Mat<std::uint8_t> X_train = to_bytes(split.train.X);   // the pixels as bytes, for fast gathering
    const int epochs = opt.quick ? std::min(opt.epochs, 10) : opt.epochs;
    std::cout << data.name << ": train " << split.train.size() << ", dev " << split.dev.size() << ", test "
              << data.test.size() << " images\n"
              << "Mini-batch gradient descent: " << epochs << " epochs, batch " << opt.batch_size << ", η = " << opt.lr
              << "\n\n";

    // ---- Training, with the learning curve: the one loop (training.hpp), plain SGD ----
    const arma::fmat Y_dev = one_hot<float>(split.dev.y);
    SGD<float> sgd(float(opt.lr));
    const History history = fit(net, sgd, X_train, Y_train, LabelledSet<float>{&split.train.X, &Y_train},
                                LabelledSet<float>{&split.dev.X, &Y_dev},
                                {.epochs = epochs, .batch_size = arma::uword(opt.batch_size), .record_every = 1,
                                 .schedule = nullptr, .progress = "epochs"},
                                rng());
    const double train_seconds = history.back().seconds;
    const std::vector<double> dev_accuracy = history.column(&course::EpochRecord::dev_accuracy);
    std::cout << "Training: " << format_value("%.2f s", train_seconds) << " (" << format_value("%.3f s", train_seconds / epochs)
              << " per epoch of " << split.train.size() << " examples, "
              << format_value("%.0f", split.train.size() * epochs / train_seconds) << " examples/s)\n"
              << "After epoch " << epochs << ": train cost " << format_value("%.4f", history.back().train_cost)
              << ", train accuracy " << format_percent(history.back().train_accuracy) << ", dev cost "
              << format_value("%.4f", history.back().dev_cost) << ", dev accuracy " << format_percent(dev_accuracy.back()) << "\n";
    history.write_csv(opt.out / "history.csv");

    Plotter plot(opt);
    const std::vector<double> x = history.epochs();
    plot.lines("learning_curve_cost", {.title = "Learning curve: cost (784-64-16-10, batch " + std::to_string(opt.batch_size) + ", η = " + format_value("%g", opt.lr) + ")",
                                       .xlabel = "epoch",
                                       .ylabel = "cross-entropy cost J",
                                       .series = {{"train", x, history.column(&course::EpochRecord::train_cost), "lines"},
                                                  {"dev", x, history.column(&course::EpochRecord::dev_cost), "lines"}},
                                       .logx = false,
                                       .logy = true,
                                       .yrange = {}});
    std::vector<double> train_pct, dev_pct;
    for (double a : history.column(&course::EpochRecord::train_accuracy)) train_pct.push_back(100 * a);
    for (double a : dev_accuracy) dev_pct.push_back(100 * a);
    plot.lines("learning_curve_accuracy", {.title = "Learning curve: accuracy",
                                           .xlabel = "epoch",
                                           .ylabel = "accuracy (%)",
                                           .series = {{"train", x, train_pct, "lines"}, {"dev", x, dev_pct, "lines"}},
                                           .logx = false,
                                           .logy = false,
                                           .yrange = {}});

    // ---- The model, saved atomically (a crash never leaves half a file) ----
    const fs::path model = opt.out / "model.bin";
    save_model(net, model);
    std::cout << "Saved the model to " << model.string() << " (evaluate it again with --load " << model.string() << ")\n\n";

    // ---- The test set, once, at the end ----
    const Evaluation test = report_test(net, data.test, plot);
    write_results(opt.out, {{"test_accuracy", test.accuracy}, {"training_seconds", train_seconds}, {"epochs", epochs}});

    // ---- How the batch size and the learning rate interact (note 003, note 001 §2.1) ----
    const int short_epochs = opt.quick ? std::min(sweep_epochs, 1) : sweep_epochs;
    if (short_epochs > 0) {
      const std::vector<arma::uword> batches = {16, 64, 256, 1024};
      const std::vector<double> rates = {0.05, 0.1, 0.2, 0.5, 1.0, 2.0};
      std::cout << "\nBatch size and learning rate: dev accuracy after " << short_epochs << " epoch(s), same start\n"
                << "   η →   ";
      for (double lr : rates) std::cout << std::setw(9) << format_value("%g", lr);
      std::cout << "   (time per epoch)\n";
      const arma::Col<float> start_state = make_mnist_mlp().flatten();  // the same initial θ for every run
      std::vector<Series> series;
      for (arma::uword b : batches) {
        Series s{"batch " + std::to_string(b), {}, {}, "linespoints"};
        std::cout << "  m = " << std::setw(4) << b << " ";
        double seconds = 0;
        for (double lr : rates) {
          Network<float> trial = make_mnist_mlp();
          trial.assign(start_state);
          std::mt19937_64 gen(opt.seed + 7);
          MinibatchTrainer<float> sweep;
          SGD<float> sweep_sgd{float(lr)};
          const Clock::time_point t = Clock::now();
          double accuracy = 0;
          bool diverged = false;
          for (int e = 0; e < short_epochs; ++e) {
            const double J = sweep.train_epoch(trial, sweep_sgd, X_train, Y_train, b, gen);
            if (!std::isfinite(J)) diverged = true;
          }
          seconds += seconds_since(t);
          accuracy = diverged ? 0.0 : evaluate(trial, split.dev.X, Y_dev).accuracy;
          std::cout << std::setw(9) << (diverged ? std::string("diverged") : format_value("%.2f%%", 100 * accuracy));
          if (!diverged) {                                 // a diverged run has no accuracy to draw
            s.x.push_back(lr);
            s.y.push_back(100 * accuracy);
          }
        }
        std::cout << "   " << format_value("%.2f s", seconds / (rates.size() * short_epochs)) << "\n";
        series.push_back(s);
      }
      plot.lines("batch_size_learning_rate",
                 {.title = "Dev accuracy after " + std::to_string(short_epochs) + " epoch(s): batch size m and learning rate η (diverged runs left out)",
                  .xlabel = "learning rate η",
                  .ylabel = "dev accuracy (%)",
                  .series = series,
                  .logx = true,
                  .logy = false,
                  .yrange = {}});
    }

    chapter.summary(format_percent(test.accuracy) + " test accuracy after " + std::to_string(epochs) + " epochs (" +
                    format_value("%.3f s", train_seconds / epochs) + " per epoch); model saved");
  });
}
