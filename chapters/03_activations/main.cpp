// Chapter 3: activations and non-linear regression.
//
//   1. every activation and its derivative, checked against a numerical derivative, drawn;
//   2. why a network without activations is linear whatever its depth (the numbers);
//   3. the 1-3-1 network fitting a noisy sine curve, against a linear model, with the
//      six regression metrics of note 003 on the test set.
#include <armadillo>

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "chapters/03_activations/metrics.hpp"
#include "chapters/03_activations/sine.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/numerical.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"

namespace {

using course::format_value;

using arma::mat;

// ------------------------------------------------------------------ 1. activations

void show_activations(const course::Options& opt, course::Plotter& plotter) {
  std::cout << "1. Activations and their derivatives\n"
            << "   largest |f'(z) − numerical f'(z)| over 201 points z ∈ [−5, 5] (two-sided difference, ε = 1e-7):\n";
  const mat z = arma::linspace<arma::rowvec>(-5.0, 5.0, 201);
  const double slope = 0.1;  // a large slope so that the leaky part is visible in the figure

  struct Activation {
    std::string name, file;
    mat f, df;
    std::function<mat(const mat&)> g;
  };
  std::vector<Activation> activations = {
      {"sigmoid σ(z)", "activation_sigmoid", course::sigmoid(z), course::sigmoid_derivative(z),
       [](const mat& v) { return course::sigmoid(v); }},
      {"tanh(z)", "activation_tanh", course::tanh_activation(z), course::tanh_derivative(z),
       [](const mat& v) { return course::tanh_activation(v); }},
      {"ReLU(z)", "activation_relu", course::relu(z), course::relu_derivative(z),
       [](const mat& v) { return course::relu(v); }},
      {"leaky ReLU(z), slope 0.1", "activation_leaky_relu", course::leaky_relu(z, slope),
       course::leaky_relu_derivative(z, slope), [slope](const mat& v) { return course::leaky_relu(v, slope); }},
  };
  // z = 0 is where ReLU has no derivative: the check skips it.
  const arma::uvec away_from_0 = arma::find(arma::abs(z) > 1e-9);
  for (const Activation& a : activations) {
    const mat numerical = course::numerical_derivative(a.g, z);
    const double worst = arma::max(arma::abs(numerical.elem(away_from_0) - a.df.elem(away_from_0)));
    std::printf("   %-26s %.1e\n", a.name.c_str(), worst);
    course::LinePlot plot;
    plot.title = a.name + " and its derivative";
    plot.xlabel = "z";
    plot.ylabel = "value";
    plot.series = {{"f(z)", z, a.f, "lines"}, {"f'(z)", z, a.df, "lines"}};
    if (a.file == "activation_relu" || a.file == "activation_leaky_relu") {
      // f' jumps at z = 0 (f has a corner there): draw it as two pieces, each ending at z = 0,
      // with a gap between them (NaN), instead of a slanted line across the jump.
      std::vector<double> x, y;
      for (arma::uword i = 0; i < z.n_elem; ++i) {
        if (std::abs(z(i)) < 1e-9) {
          x.insert(x.end(), {0.0, 0.0, 0.0});
          y.insert(y.end(), {a.df(i - 1), std::nan(""), a.df(i + 1)});  // left limit, gap, right limit
        } else {
          x.push_back(z(i));
          y.push_back(a.df(i));
        }
      }
      plot.series[1] = {"f'(z) (jumps at z = 0)", x, y, "lines"};
    }
    plotter.lines(a.file, plot);
  }
  const mat identity = course::tanh_activation(z) - (2.0 * course::sigmoid(mat(2.0 * z)) - 1.0);
  std::printf("   tanh(z) = 2σ(2z) − 1: largest difference %.1e\n\n", arma::abs(identity).max());
  (void)opt;
}

// ------------------------------------------------------------------ 2. stacking linear layers

void show_linear_stack() {
  std::cout << "2. Three linear layers without activations are one linear layer\n";
  course::Linear<double> l1(2, 4), l2(4, 3), l3(3, 1);
  for (course::Linear<double>* l : {&l1, &l2, &l3}) l->bias.randn();
  const mat X(2, 4, arma::fill::randn);
  mat A1, A2, A3;
  l1.forward(X, A1);
  l2.forward(A1, A2);
  l3.forward(A2, A3);
  // W3(W2(W1 x + b1) + b2) + b3 = (W3 W2 W1) x + (W3 W2 b1 + W3 b2 + b3)
  const mat W = l3.weights * l2.weights * l1.weights;
  const mat b = l3.weights * (l2.weights * l1.bias + l2.bias) + l3.bias;
  mat single = W * X;
  single.each_col() += b;
  std::cout << "   W = W3·W2·W1 = [" << format_value("%.6f", W(0, 0)) << ", " << format_value("%.6f", W(0, 1))
            << "],  b = W3·(W2·b1 + b2) + b3 = " << format_value("%.6f", b(0, 0))
            << "\n   four random inputs through the three layers: ";
  for (arma::uword i = 0; i < X.n_cols; ++i)
    std::cout << format_value("%.6f", A3(0, i)) << (i + 1 < X.n_cols ? ", " : "\n");
  std::cout << "   the same inputs through the one layer (W, b):  ";
  for (arma::uword i = 0; i < X.n_cols; ++i)
    std::cout << format_value("%.6f", single(0, i)) << (i + 1 < X.n_cols ? ", " : "\n");
  std::cout << "   largest difference " << format_value("%.1e", arma::abs(A3 - single).max())
            << ": depth without non-linearity adds nothing (the linear model below cannot bend either)\n\n";
}

// ------------------------------------------------------------------ 3. the sine curve

void print_metrics_table(const course::RegressionMetrics& net, const course::RegressionMetrics& line, int hidden) {
  std::printf("   %-6s %14s %14s\n", "metric", ("1-" + std::to_string(hidden) + "-1 net").c_str(), "linear model");
  std::printf("   %-6s %14.5f %14.5f\n", "MAE", net.mae, line.mae);
  std::printf("   %-6s %13.3f%% %13.3f%%\n", "MAPE", net.mape, line.mape);
  std::printf("   %-6s %14.5f %14.5f\n", "SSE", net.sse, line.sse);
  std::printf("   %-6s %14.6f %14.6f\n", "MSE", net.mse, line.mse);
  std::printf("   %-6s %14.5f %14.5f\n", "RMSE", net.rmse, line.rmse);
  std::printf("   %-6s %14.5f %14.5f\n", "R²", net.r2, line.r2);
}

}  // namespace

int main(int argc, char** argv) {
  course::Chapter chapter("ch03", "Activations and non-linear regression",
                          {.epochs = 5000, .lr = 0.5, .batch_size = 10});
  int hidden = 3;
  int samples = 500;
  double noise = 0.025;
  chapter.app().add_option("--hidden", hidden, "hidden units of the 1-h-1 network")->check(CLI::Range(1, 64));
  chapter.app()
      .add_option("--samples", samples, "examples of the sine data set (split 60/20/20)")
      ->check(CLI::Range(20, 1000000));
  chapter.app()
      .add_option("--noise", noise, "standard deviation of the noise added to the sine")
      ->check(CLI::Range(0.0, 1.0));

  return chapter.run(argc, argv, [&](const course::Options& opt) {
    course::Plotter plotter(opt);
    show_activations(opt, plotter);
    show_linear_stack();

    // The data: y = 0.5 + 0.4 sin(2πx) + N(0, noise²), split 60/20/20.
    const course::RegressionData data = course::make_sine_data(samples, noise, course::rng());
    const course::TrainDevTest<course::RegressionData> sets = course::split_in_order(data, samples, 0.6, 0.2);
    const course::SplitSizes& sizes = sets.sizes;
    const course::RegressionData& train = sets.train;
    const course::RegressionData& dev = sets.dev;
    const course::RegressionData& test = sets.test;
    const int epochs = opt.quick ? std::min(opt.epochs, 1500) : opt.epochs;
    std::cout << "3. The 1-" << hidden << "-1 network on y = 0.5 + 0.4 sin(2πx) + noise (σ = " << noise << ")\n"
              << "   " << samples << " examples: " << sizes.train << " train, " << sizes.dev << " validation, "
              << sizes.test << " test; " << epochs << " epochs of mini-batch gradient descent, batch " << opt.batch_size
              << ", learning rate " << opt.lr << "\n";

    course::SineNetwork net = course::make_sine_network(hidden);
    const course::TrainingSettings settings{epochs, opt.lr, opt.batch_size};
    const course::History curve =
        course::train_minibatch(net, train.x, train.y, dev.x, dev.y, settings, course::rng(), 10, "epochs");
    curve.write_csv(opt.out / "history.csv");

    course::SineLine line = course::make_linear_model();
    const course::History line_curve =
        course::train_minibatch(line, train.x, train.y, dev.x, dev.y, settings, course::rng(), epochs);

    const mat prediction = net.forward(test.x);
    const mat line_prediction = line.forward(test.x);
    const course::RegressionMetrics metrics = course::regression_metrics(prediction, test.y);
    const course::RegressionMetrics line_metrics = course::regression_metrics(line_prediction, test.y);
    std::printf("   final cost J = (1/2m)Σ(a − y)²: train %.6f, validation %.6f (linear model: %.6f, %.6f)\n",
                curve.back().train_cost, curve.back().dev_cost, line_curve.back().train_cost,
                line_curve.back().dev_cost);
    std::cout << "   on the " << sizes.test << " test examples (MSE here is formula 4, (1/m)Σ(a − y)², = 2J):\n";
    print_metrics_table(metrics, line_metrics, hidden);

    // The fitted curve and each hidden unit's weighted contribution w2_k·σ(w1_k x + b1_k).
    const mat xs = arma::linspace<arma::rowvec>(0.0, 1.0, 201);
    const mat fit = net.forward(xs);
    const mat hidden_out = net.hidden_activation();  // A1 = σ(W1 x + b1): h × 201
    const course::Linear<double>& out_layer = net.output;
    const course::Linear<double>& in_layer = net.hidden;
    std::cout << "   learned parameters (column convention; note 003's W1, W2 are their transposes):\n"
              << "     W1ᵀ = " << arma::rowvec(in_layer.weights.t()) << "     b1ᵀ = " << arma::rowvec(in_layer.bias.t())
              << "     W2  = " << arma::rowvec(out_layer.weights) << "     b2  = " << out_layer.bias(0, 0) << "\n";
    course::LinePlot fit_plot;
    fit_plot.title = "1-" + std::to_string(hidden) + "-1 network fitting a noisy sine";
    fit_plot.xlabel = "x";
    fit_plot.ylabel = "y";
    fit_plot.series.push_back({"training data", train.x, train.y, "points"});
    fit_plot.series.push_back({"network a(x)", xs, fit, "lines"});
    fit_plot.series.push_back({"linear model", xs, line.forward(xs), "lines"});
    for (int k = 0; k < hidden; ++k) {
      const mat contribution = out_layer.weights(0, k) * hidden_out.row(k);
      fit_plot.series.push_back(
          {"w2_" + std::to_string(k + 1) + "·σ(w1_" + std::to_string(k + 1) + "x + b1_" + std::to_string(k + 1) + ")",
           xs, contribution, "lines"});
    }
    fit_plot.key = "below";  // the hidden units' curves reach every corner
    plotter.lines("fit", fit_plot);

    course::LinePlot loss_plot;
    loss_plot.title = "Cost J = (1/2m)Σ(a − y)² during training";
    loss_plot.xlabel = "epoch";
    loss_plot.ylabel = "J";
    loss_plot.logy = true;
    loss_plot.series = {{"train", curve.epochs(), curve.column(&course::EpochRecord::train_cost), "lines"},
                        {"validation", curve.epochs(), curve.column(&course::EpochRecord::dev_cost), "lines"}};
    plotter.lines("loss", loss_plot);

    chapter.summary("1-" + std::to_string(hidden) + "-1 sine fit: test R² " + format_value("%.4f", metrics.r2) +
                    ", RMSE " + format_value("%.4f", metrics.rmse) + " (linear model: R² " +
                    format_value("%.4f", line_metrics.r2) + ")");
  });
}
