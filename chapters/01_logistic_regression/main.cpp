// Chapter 1: logistic regression on two MNIST digits, trained twice (loops, then
// vectorized), plus the learning-slowdown experiment of note 000.
//
//   build/release/bin/ch01                     3 against 5 on MNIST, 300 steps at α = 0.5
//   build/release/bin/ch01 --positive 4 --negative 9 --lr 0.1
//   build/release/bin/ch01 --quick             the embedded sample, 60 steps
#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "common/blas_threads.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"

using namespace course;
using namespace course::ch01;

namespace {}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch01", "Logistic regression: one neuron, two digits",
                  {.epochs = 300, .lr = 0.5, .batch_size = 60000});
  int positive = 3, negative = 5, dev_size = 1000;
  chapter.app().add_option("--positive", positive, "the digit labelled y = 1")->check(CLI::Range(0, 9));
  chapter.app().add_option("--negative", negative, "the digit labelled y = 0")->check(CLI::Range(0, 9));
  chapter.app()
      .add_option("--dev-size", dev_size, "examples of the two digits held out of training as the dev set")
      ->check(CLI::Range(1, 10000));

  return chapter.run(argc, argv, [&](const Options& opt) {
    if (positive == negative)
      throw std::invalid_argument("--positive and --negative must be two different digits, both are " +
                                  std::to_string(positive));
    const int iterations = opt.quick ? 60 : opt.epochs;  // steps of (full-batch) gradient descent

    // ---- The data: the two digits, a dev set split from training, the test set ----
    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    const arma::uvec two_digits = arma::find(data.train.y == positive || data.train.y == negative);
    const std::size_t dev = opt.quick ? two_digits.n_elem / 5 : std::min<std::size_t>(dev_size, two_digits.n_elem / 5);
    const Split split = split_dev(subset(data.train, two_digits), dev, rng());
    const BinaryTask train_set =
        binary_task(split.train, static_cast<std::uint8_t>(positive), static_cast<std::uint8_t>(negative));
    const BinaryTask dev_set =
        binary_task(split.dev, static_cast<std::uint8_t>(positive), static_cast<std::uint8_t>(negative));
    const BinaryTask test_set =
        binary_task(data.test, static_cast<std::uint8_t>(positive), static_cast<std::uint8_t>(negative));
    std::cout << data.name << ": " << positive << " (y = 1) against " << negative << " (y = 0)\n"
              << "  train " << train_set.X.n_cols << ", dev " << dev_set.X.n_cols << ", test " << test_set.X.n_cols
              << " examples of n_x = " << train_set.X.n_rows << " pixels\n\n";

    // ---- Training twice from w = 0, b = 0: the loops of §2.6, then vectorized (§3.1) ----
    // The loops run on one thread, so BLAS does too: the ratio then compares the same hardware.
    if (!set_blas_threads(1)) std::cout << "(not OpenBLAS: the BLAS's thread count could not be fixed)\n";
    const Parameters start = zero_parameters(train_set.X.n_rows);
    std::cout << "Training " << iterations << " steps at α = " << opt.lr
              << " with the explicit loops (note 001 §2.6)...\n";
    Progress loop_progress("loop steps", iterations);
    const TrainingRun loop =
        train(Method::loop, start, train_set.X, train_set.y, iterations, opt.lr, [&](int step, double J) {
          loop_progress.update(step, {{"cost", J}});
        });
    loop_progress.finish();
    std::cout << "Training " << iterations << " steps at α = " << opt.lr << " vectorized (note 001 §3.1)...\n";
    Progress vec_progress("vectorized steps", iterations);
    const TrainingRun vec =
        train(Method::vectorized, start, train_set.X, train_set.y, iterations, opt.lr, [&](int step, double J) {
          check_finite(J, "the training cost", step);
          vec_progress.update(step, {{"cost", J}});
        });
    vec_progress.finish();
    // The vectorized training once more with two OpenBLAS threads: how much the second core adds.
    set_blas_threads(2);
    const TrainingRun vec_two = train(Method::vectorized, start, train_set.X, train_set.y, iterations, opt.lr);
    set_blas_threads(1);

    const double max_w_difference = arma::abs(loop.parameters.w - vec.parameters.w).max();
    const double b_difference = std::abs(loop.parameters.b - vec.parameters.b);
    std::cout << "\n  loops:      " << format_value("%8.3f s", loop.seconds)
              << format_value("  (%.2f ms per step)\n", 1000.0 * loop.seconds / iterations)
              << "  vectorized: " << format_value("%8.3f s", vec.seconds)
              << format_value("  (%.2f ms per step)\n", 1000.0 * vec.seconds / iterations)
              << "  ratio:      " << format_value("%8.1fx", loop.seconds / vec.seconds)
              << " (loops / vectorized, one thread each)\n"
              << "  vectorized on 2 BLAS threads: " << format_value("%.3f s", vec_two.seconds)
              << format_value(" (%.1fx the loops)\n", loop.seconds / vec_two.seconds)
              << "  same weights? max |w_loop − w_vec| = " << format_value("%.2e", max_w_difference)
              << ", |b_loop − b_vec| = " << format_value("%.2e", b_difference) << "\n\n";

    const Parameters& p = vec.parameters;
    const double train_accuracy = accuracy(p, train_set.X, train_set.y);
    const double dev_accuracy = accuracy(p, dev_set.X, dev_set.y);
    const double test_accuracy = accuracy(p, test_set.X, test_set.y);
    std::cout << "  cost J: " << format_value("%.4f", vec.costs.front()) << " -> "
              << format_value("%.4f", vec.costs.back()) << "\n"
              << "  accuracy: train " << format_percent(train_accuracy) << ", dev " << format_percent(dev_accuracy)
              << ", test " << format_percent(test_accuracy) << "\n\n";

    Plotter plot(opt);

    // ---- Cost curves for several learning rates ----
    std::vector<double> rates = {0.01, 0.1, 0.5, 2.0};  // and --lr, if it is not one of them
    if (std::find(rates.begin(), rates.end(), opt.lr) == rates.end()) rates.push_back(opt.lr);
    std::sort(rates.begin(), rates.end());
    LinePlot cost_plot;
    cost_plot.title =
        "Logistic regression, " + std::to_string(positive) + " vs " + std::to_string(negative) + ": training cost";
    cost_plot.xlabel = "step of gradient descent";
    cost_plot.ylabel = "cost J (cross-entropy, log scale)";
    cost_plot.logy = true;
    std::cout << "Learning rates (vectorized, " << iterations << " steps each):\n";
    for (double rate : rates) {
      const TrainingRun run =
          rate == opt.lr ? vec : train(Method::vectorized, start, train_set.X, train_set.y, iterations, rate);
      std::cout << "  α = " << format_value("%-6g", rate) << " cost " << format_value("%.4f", run.costs.back())
                << ", dev accuracy " << format_percent(accuracy(run.parameters, dev_set.X, dev_set.y)) << "\n";
      cost_plot.series.push_back(Series{"α = " + format_value("%g", rate),
                                        arma::regspace<arma::vec>(0, double(run.costs.size()) - 1), run.costs});
    }
    plot.lines("cost_by_learning_rate", cost_plot);

    // ---- The learning slowdown (note 000): one neuron, x = 1, y = 0, w = b = 2 ----
    const int slowdown_epochs = 300;
    const SlowdownRun quadratic = slowdown(NeuronCost::quadratic, Neuron{2.0, 2.0}, 1.0, 0.0, 0.15, slowdown_epochs);
    const SlowdownRun cross_entropy =
        slowdown(NeuronCost::cross_entropy, Neuron{2.0, 2.0}, 1.0, 0.0, 0.005, slowdown_epochs);
    const SlowdownRun cross_entropy_fast =
        slowdown(NeuronCost::cross_entropy, Neuron{2.0, 2.0}, 1.0, 0.0, 0.15, slowdown_epochs);
    const NeuronGradient q0 = neuron_gradient(NeuronCost::quadratic, Neuron{2.0, 2.0}, 1.0, 0.0);
    const NeuronGradient c0 = neuron_gradient(NeuronCost::cross_entropy, Neuron{2.0, 2.0}, 1.0, 0.0);
    std::cout << "\nLearning slowdown (note 000): x = 1, y = 0, w = b = 2, so a = σ(4) = "
              << format_value("%.4f", q0.output) << "\n"
              << "  first gradient ∂C/∂w: quadratic " << format_value("%.5f", q0.dw) << ", cross-entropy "
              << format_value("%.5f", c0.dw) << " (ratio σ'(4) = " << format_value("%.4f", q0.dw / c0.dw) << ")\n";
    for (int epoch : {0, 50, 100, 150, 200, 250, 300}) {
      std::cout << "  epoch " << format_value("%3.0f", epoch)
                << ": a = " << format_value("%.4f", quadratic.output[epoch]) << " (quadratic, η = 0.15)   "
                << format_value("%.4f", cross_entropy.output[epoch]) << " (cross-entropy, η = 0.005)   "
                << format_value("%.4f", cross_entropy_fast.output[epoch]) << " (cross-entropy, η = 0.15)\n";
    }
    const arma::vec epochs = arma::regspace<arma::vec>(0, slowdown_epochs);  // 0, 1, ..., slowdown_epochs
    LinePlot output_plot;
    output_plot.title = "One neuron learning to output 0 from a = 0.98 (note 000)";
    output_plot.xlabel = "epoch";
    output_plot.ylabel = "output a = σ(w + b)";
    output_plot.series = {Series{"quadratic cost, η = 0.15", epochs, quadratic.output},
                          Series{"cross-entropy, η = 0.005", epochs, cross_entropy.output},
                          Series{"cross-entropy, η = 0.15", epochs, cross_entropy_fast.output}};
    output_plot.yrange = std::make_pair(0.0, 1.0);
    output_plot.key = "below";  // every corner of this plot has a curve in it
    plot.lines("slowdown_output", output_plot);
    LinePlot slowdown_cost_plot;
    slowdown_cost_plot.title = "The same runs: the cost each one lowers";
    slowdown_cost_plot.xlabel = "epoch";
    slowdown_cost_plot.ylabel = "cost C (log scale)";
    slowdown_cost_plot.logy = true;  // the quadratic plateau and the cross-entropy's fall, both legible
    slowdown_cost_plot.series = {Series{"quadratic (a − y)²/2, η = 0.15", epochs, quadratic.cost},
                                 Series{"cross-entropy, η = 0.005", epochs, cross_entropy.cost},
                                 Series{"cross-entropy, η = 0.15", epochs, cross_entropy_fast.cost}};
    plot.lines("slowdown_cost", slowdown_cost_plot);

    // ---- Test digits with their predicted probability; the wrong ones marked ----
    const arma::rowvec probability = predict_probability(p, test_set.X);
    const arma::urowvec predicted = predict(p, test_set.X);
    const arma::uvec wrong = arma::find(predicted != arma::conv_to<arma::urowvec>::from(test_set.y > 0.5));
    std::vector<arma::uword> shown;
    for (arma::uword i = 0; i < test_set.X.n_cols && shown.size() < 24; ++i) shown.push_back(i);  // the first 24
    for (arma::uword k = 0; k < wrong.n_elem && k < 8; ++k)  // and up to 8 mistakes
      if (std::find(shown.begin(), shown.end(), wrong[k]) == shown.end()) shown.push_back(wrong[k]);
    ImageGrid grid;
    grid.title = "Test digits: P(" + std::to_string(positive) + ") under each (red: misclassified)";
    grid.columns = 8;
    grid.images = arma::fmat(test_set.X.n_rows, shown.size(), arma::fill::zeros);
    for (std::size_t k = 0; k < shown.size(); ++k) {
      const arma::uword i = shown[k];
      grid.images.col(k) = arma::conv_to<arma::fvec>::from(test_set.X.col(i));
      grid.captions.push_back(format_value("%.2f", probability[i]));
      grid.marked.push_back(predicted[i] != (test_set.y[i] > 0.5 ? 1u : 0u));
    }
    plot.images("test_digits", grid);

    // ---- The weights w as a 28 × 28 image: red pixels push towards the positive digit, blue towards the negative ----
    ImageGrid weights;
    weights.title = "w: red for " + std::to_string(positive) + ", blue for " + std::to_string(negative);
    weights.columns = 1;
    weights.pixel_size = 10;
    weights.images = arma::conv_to<arma::fmat>::from(p.w);
    weights.captions = {"w (784 = 28 x 28)"};
    plot.images("weights", weights);
    std::cout << "\n  " << wrong.n_elem << " of " << test_set.X.n_cols << " test digits misclassified\n"
              << "  figures and CSV files in " << opt.out.string() << "\n";

    chapter.summary(std::to_string(positive) + " vs " + std::to_string(negative) + ": test accuracy " +
                    format_percent(test_accuracy) + " (dev " + format_percent(dev_accuracy) +
                    "); vectorized training " + format_value("%.1fx", loop.seconds / vec.seconds) +
                    " faster than the loops, same weights to " +
                    format_value("%.0e", std::max(max_w_difference, b_difference)));
  });
}
