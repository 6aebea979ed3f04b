// Chapter 6: deep networks and backpropagation in general.
//
//   build/release/bin/ch06                  the shapes, the gradient checks, per-example vs mini-batch on MNIST
//   build/release/bin/ch06 --quick          the same on the embedded MNIST sample, in seconds
//   build/release/bin/ch06 --hidden 128,32  another MNIST network for the speed comparison
//
// 1. Builds networks of any depth from a list of sizes and activations and
//    prints every matrix's shape (note 001 §5.1).
// 2. Gradient-checks every activation with every loss (note 001 §1.11) and
//    prints the relative errors per layer; then catches a broken backward pass.
// 3. Computes the same mini-batch gradient per example (note 000) and
//    vectorized, checks they agree, times both over batch sizes 1..512 on MNIST,
//    and trains one epoch each way from the same start.
#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/06_backprop/per_example.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"

using namespace course;

namespace {

using Clock = std::chrono::steady_clock;

std::string join_sizes(const std::vector<arma::uword>& sizes) {
  std::string s;
  for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? "-" : "") + std::to_string(sizes[i]);
  return s;
}

// One full pass over (X, Y) in mini-batches of `batch` examples (in order), either way.
// Returns the seconds it took.
double time_pass(Network<float>& net, const arma::fmat& X, const arma::fmat& Y, arma::uword batch, bool per_example,
                 float lr) {
  PerExample<float> slow;
  SGD<float> sgd(lr);
  arma::fmat Xb, Yb;
  const Clock::time_point start = Clock::now();
  for (arma::uword first = 0; first < X.n_cols; first += batch) {
    const arma::uword last = std::min<arma::uword>(first + batch, X.n_cols) - 1;
    Xb = X.cols(first, last);
    Yb = Y.cols(first, last);
    if (per_example)
      slow.step(net, sgd, Xb, Yb);
    else
      minibatch_step(net, sgd, Xb, Yb);
  }
  return seconds_since(start);
}

double accuracy(Network<float>& net, const Dataset& data) {
  return classification_accuracy(net.predict(data.X), arma::conv_to<arma::urowvec>::from(data.y));
}

}  // namespace

int main(int argc, char** argv) {
  Chapter chapter("ch06", "Deep networks and backpropagation in general", {.epochs = 1, .lr = 0.2, .batch_size = 64});
  std::vector<arma::uword> hidden = {64, 16};
  int timing_examples = 6400;
  chapter.app()
      .add_option("--hidden", hidden, "hidden layer sizes of the MNIST network (sigmoid, tanh, ...)")
      ->delimiter(',')
      ->check(CLI::Range(1, 4096));
  chapter.app()
      .add_option("--timing-examples", timing_examples, "examples per timed pass in the speed comparison")
      ->check(CLI::Range(512, 60000));

  chapter.add_blas_threads_option();

  return chapter.run(argc, argv, [&](const Options& opt) {
    // ------------------------------------------------------------------
    // 1. A network of any depth, and the shape of every matrix
    // ------------------------------------------------------------------
    std::cout << "1. A network from a list of sizes and activations: sizes {5, 4, 3, 2}, tanh, relu, softmax\n";
    {
      Network<double> net = make_network<double>({5, 4, 3, 2}, {"tanh", "relu", "softmax"}, "cross_entropy");
      const arma::uword m = 7;
      const arma::mat X(5, m, arma::fill::randn);
      net.forward(X);
      net.backward(random_targets("cross_entropy", 2, m));
      std::cout << "   " << net.describe() << "\n"
                << "   with m = " << m << " examples (X is 5 × " << m << "):\n";
      std::cout << "     layer                     parameters (W, b)          output (z or a)\n";
      for (std::size_t k = 0; k < net.size(); ++k) {
        std::string shapes;
        for (const Parameter<double>& p : net.layer(k).parameters())
          shapes += (shapes.empty() ? "" : ", ") + shape_of(*p.value);
        std::ostringstream row;
        row << "     " << std::left << std::setw(26) << net.layer_label(k) << std::setw(27)
            << (shapes.empty() ? "-" : shapes) << shape_of(net.layer_output(k));
        std::cout << row.str() << "\n";
      }
      std::cout
          << "   W^l is n_l × n_{l-1}, b^l is n_l × 1; dW^l, db^l have the same shapes; z^l, a^l, δ^l are n_l × m.\n";
      // A wrong shape stops with a message naming the layer and both shapes:
      try {
        const arma::mat wrong(4, m, arma::fill::randn);
        net.forward(wrong);
      } catch (const std::invalid_argument& e) {
        std::cout << "   a 4 × " << m << " input: " << e.what() << "\n";
      }
      try {
        net.forward(X);
        net.backward(arma::mat(3, m, arma::fill::zeros));
      } catch (const std::invalid_argument& e) {
        std::cout << "   3 × " << m << " targets: " << e.what() << "\n";
      }
    }

    // ------------------------------------------------------------------
    // 2. Gradient checking: every activation with every loss
    // ------------------------------------------------------------------
    std::cout << "\n2. Gradient check (ε = 1e-7, double), network 4-5-3-3 with two hidden layers of the activation,\n"
              << "   m = 6 random examples. Relative error ‖dθ_approx − dθ‖₂ / (‖dθ_approx‖₂ + ‖dθ‖₂):\n";
    struct Output {
      std::string activation, loss, label;
    };
    const std::vector<Output> outputs = {
        {"identity", "mse", "identity + MSE"},
        {"sigmoid", "binary_cross_entropy", "sigmoid + binary CE"},
        {"softmax_layer", "cross_entropy", "Softmax layer + CE"},
        {"softmax", "cross_entropy", "fused softmax-CE"},
    };
    const std::vector<std::string> activations = {"sigmoid", "tanh", "relu", "leaky_relu", "identity"};
    std::cout << "   hidden      output + loss          layer 1    layer 3    layer 5    all of θ\n";
    double worst = 0, worst_layer = 0;
    int checks = 0;
    for (const std::string& f : activations) {
      for (const Output& out : outputs) {
        Network<double> net = make_network<double>({4, 5, 3, 3}, {f, f, out.activation}, out.loss);
        randomize_biases(net);  // a random point (see gradient_check.hpp)
        const arma::mat X(4, 6, arma::fill::randn);
        const arma::mat Y = random_targets(out.loss, 3, 6);
        const GradientCheckReport report = gradient_check(net, X, Y);
        std::cout << "   " << std::left << std::setw(12) << f << std::setw(21) << out.label << std::right;
        for (const GradientCheckRow& row : report.layers)
          std::cout << "   " << format_value("%.2e", row.relative_error);
        std::cout << "   " << format_value("%.2e", report.overall) << (report.passed() ? "" : "  WRONG") << "\n";
        worst = std::max(worst, report.overall);
        worst_layer = std::max(worst_layer, report.worst());
        ++checks;
      }
    }
    std::cout << "   worst of " << checks << " checks over all of θ: " << format_value("%.2e", worst)
              << " (worst single layer " << format_value("%.2e", worst_layer)
              << "); note 001: ≈1e-7 is right, ≈1e-3 is a bug\n";

    std::cout << "\n   The same check on a network with a bug: layer 2 is a sigmoid whose backward pass\n"
              << "   forgot the (1 − a) of σ'(z) = a(1 − a):\n";
    double broken_error = 0;
    {
      Network<double> net = network_with_broken_sigmoid();
      const arma::mat X(4, 6, arma::fill::randn);
      const GradientCheckReport report = gradient_check(net, X, random_targets("cross_entropy", 3, 6));
      print_gradient_check(std::cout, report);
      broken_error = report.overall;
      std::cout << "   Layer 1 is wrong (its δ goes through the broken σ'); layers 3 and 5 are right: the\n"
                << "   per-layer errors point at the bug.\n";
    }

    // ------------------------------------------------------------------
    // 3. Per example (note 000) against vectorized, on MNIST
    // ------------------------------------------------------------------
    const Mnist data = load_dataset(opt.quick ? "sample" : opt.dataset, opt.data_dir);
    std::vector<arma::uword> sizes = {data.train.X.n_rows};
    std::vector<std::string> f_names;
    for (std::size_t l = 0; l < hidden.size(); ++l) {
      sizes.push_back(hidden[l]);
      f_names.push_back(l % 2 == 0 ? "sigmoid" : "tanh");
    }
    sizes.push_back(10);
    f_names.push_back("softmax");
    const arma::fmat Y_train = one_hot<float>(data.train.y);
    std::cout << "\n3. Per example (note 000) and vectorized, on " << data.name << " (" << data.train.size()
              << " training images), network " << join_sizes(sizes) << " (sigmoid, tanh, ..., softmax + CE), float\n";

    // Same gradients: one mini-batch of --batch-size examples, both ways, from the same parameters.
    Network<float> net = make_network<float>(sizes, f_names, "cross_entropy");
    {
      const arma::uword m = std::min<arma::uword>(opt.batch_size, data.train.size());
      const arma::fmat X = data.train.X.cols(0, m - 1);
      const arma::fmat Y = Y_train.cols(0, m - 1);
      const double gradient_difference = per_example_difference(net, X, Y);
      std::cout << "   gradients of one mini-batch of " << m
                << ": largest relative difference per example vs vectorized = "
                << format_value("%.1e", gradient_difference) << " (float rounding)\n";
    }

    // Speed over batch sizes: the same examples, the same number of updates per batch.
    const arma::uword n_time = std::min<arma::uword>(opt.quick ? 1024 : timing_examples, data.train.size());
    const arma::fmat X_time = data.train.X.cols(0, n_time - 1);
    const arma::fmat Y_time = Y_train.cols(0, n_time - 1);
    std::cout << "   time for one pass over " << n_time
              << " examples (one gradient step per mini-batch; the fastest of\n"
              << "   5 passes each, the two algorithms in alternating order):\n"
              << "   batch   per example   vectorized   speed-up    (examples/s per example, vectorized)\n";
    std::vector<double> batch_axis, per_example_rate, vectorized_rate;
    for (arma::uword batch : {1u, 4u, 16u, 64u, 256u, 512u}) {
      // Five passes each, in alternating order (per example first, then vectorized first, ...),
      // keeping the fastest of each: on a shared machine other jobs only ever add time, and
      // neither algorithm always runs first, on a cold cache.
      double t_per_example = 1e300, t_vectorized = 1e300;
      for (int repeat = 0; repeat < 5; ++repeat) {
        const bool per_example_first = repeat % 2 == 0;
        for (bool per_example : {per_example_first, !per_example_first}) {
          const double t = time_pass(net, X_time, Y_time, batch, per_example, float(opt.lr));
          (per_example ? t_per_example : t_vectorized) = std::min(per_example ? t_per_example : t_vectorized, t);
        }
      }
      std::cout << "   " << std::setw(5) << batch << std::setw(12) << format_value("%.3f s", t_per_example)
                << std::setw(13) << format_value("%.3f s", t_vectorized) << std::setw(10)
                << format_value("%.1f×", t_per_example / t_vectorized) << "      ("
                << format_value("%.0f", n_time / t_per_example) << ", " << format_value("%.0f", n_time / t_vectorized)
                << ")\n";
      batch_axis.push_back(double(batch));
      per_example_rate.push_back(n_time / t_per_example);
      vectorized_rate.push_back(n_time / t_vectorized);
    }

    // Training from the same start, both ways: the same network at the end (to float rounding).
    std::cout << "   training " << opt.epochs << " epoch(s) from the same start, batch " << opt.batch_size
              << ", η = " << opt.lr << ":\n";
    Network<float> a = make_network<float>(sizes, f_names, "cross_entropy");
    Network<float> b = make_network<float>(sizes, f_names, "cross_entropy");
    b.assign(a.flatten());  // the same start θ
    double time_a = 0, time_b = 0;
    arma::fmat Xb, Yb;
    PerExample<float> per_example;
    SGD<float> sgd_a(float(opt.lr)), sgd_b(float(opt.lr));
    for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
      for (const arma::uvec& batch : minibatches(data.train.size(), opt.batch_size, rng())) {
        Xb = data.train.X.cols(batch);
        Yb = Y_train.cols(batch);
        Clock::time_point t = Clock::now();
        per_example.step(a, sgd_a, Xb, Yb);
        time_a += seconds_since(t);
        t = Clock::now();
        minibatch_step(b, sgd_b, Xb, Yb);
        time_b += seconds_since(t);
      }
    }
    const double parameter_difference = double(arma::abs(a.flatten() - b.flatten()).max());
    const double acc_a = accuracy(a, data.test), acc_b = accuracy(b, data.test);
    std::cout << "     per example: " << format_value("%.2f s", time_a) << ", test accuracy "
              << format_value("%.2f%%", 100 * acc_a) << "\n"
              << "     vectorized:  " << format_value("%.2f s", time_b) << ", test accuracy "
              << format_value("%.2f%%", 100 * acc_b) << "\n"
              << "     largest difference between their parameters: " << format_value("%.1e", parameter_difference)
              << "\n"
              << "     per example is " << format_value("%.1f", time_a / time_b) << "× slower\n";

    Plotter plot(opt);
    plot.lines("speed",
               {.title = "One gradient step per mini-batch: examples per second (" + join_sizes(sizes) + ", float)",
                .xlabel = "mini-batch size m",
                .ylabel = "examples per second",
                .series = {{"per example (note 000)", batch_axis, per_example_rate, "linespoints"},
                           {"vectorized mini-batch", batch_axis, vectorized_rate, "linespoints"}},
                .logx = true,
                .logy = true});

    chapter.summary("gradient check: worst relative error " + format_value("%.1e", worst) + " over " +
                    std::to_string(checks) + " networks, the broken one " + format_value("%.1e", broken_error) +
                    "; per example " + format_value("%.1f", time_a / time_b) + "× slower than batch " +
                    std::to_string(opt.batch_size));
  });
}
