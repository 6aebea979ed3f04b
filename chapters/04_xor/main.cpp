// Chapter 4: XOR, the first two-layer network.
//
//   1. logistic regression (chapter 1's code) stuck on the four points;
//   2. the 2-2-1 network trained formula by formula to 100%;
//   3. how many of 20 seeds solve it;
//   4. zero (and constant) initialisation: the two hidden units stay identical.
#include <armadillo>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "chapters/04_xor/xor.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/plot.hpp"

namespace {

using course::format_value;

using course::ch04::XorData;
using course::ch04::XorNetwork;

void print_outputs(const XorData& data, const arma::rowvec& a, const char* what) {
  std::printf("     x1 x2 | y | %s\n", what);
  for (arma::uword i = 0; i < data.X.n_cols; ++i)
    std::printf("      %g  %g | %g | %.4f\n", data.X(0, i), data.X(1, i), data.Y(i), a(i));
}

void print_network(const XorNetwork& net, const char* indent) {
  std::printf("%sW1 = [%8.4f %8.4f; %8.4f %8.4f]   b1 = [%8.4f; %8.4f]\n", indent, net.W1(0, 0), net.W1(0, 1),
              net.W1(1, 0), net.W1(1, 1), net.b1(0), net.b1(1));
  std::printf("%sW2 = [%8.4f %8.4f]                        b2 = %8.4f\n", indent, net.W2(0, 0), net.W2(0, 1), net.b2);
}

// The decision regions a2 > 0.5 over [lo, hi]², from any function of a 2 × k matrix of points.
course::RegionPlot region_plot(const std::function<arma::rowvec(const arma::mat&)>& probability, double lo, double hi) {
  course::RegionPlot plot = course::region_grid(
      [&](const arma::mat& points) { return arma::conv_to<arma::urowvec>::from(probability(points) > 0.5); }, lo, hi);
  plot.class_names = {"y = 0", "y = 1"};
  return plot;
}

}  // namespace

int main(int argc, char** argv) {
  course::Chapter chapter("ch04", "XOR: the first two-layer network", {.epochs = 10000, .lr = 4.0, .batch_size = 4});
  double init_std = 0.2;
  int sweep = 20;
  chapter.app()
      .add_option("--init-std", init_std, "standard deviation of the random initial weights")
      ->check(CLI::Range(0.0, 100.0));
  chapter.app()
      .add_option("--seeds-sweep", sweep, "train from seeds 1..N and count how many solve XOR (0: skip)")
      ->check(CLI::Range(0, 10000));

  return chapter.run(argc, argv, [&](const course::Options& opt) {
    course::Plotter plotter(opt);
    const XorData data = course::ch04::xor_data();
    const double lr = opt.lr;
    const int epochs = opt.epochs;

    // ---------------------------------------------------------------- 1. one neuron
    std::cout << "1. Logistic regression (one neuron, chapter 1's code) on XOR, " << epochs << " steps, learning rate "
              << lr << ", from random weights\n";
    course::ch01::Parameters start;
    start.w = arma::vec(2, arma::fill::randn);
    start.b = 0.0;
    std::printf("   start: w = [%.4f, %.4f], b = %.4f\n", start.w(0), start.w(1), start.b);
    const course::ch01::TrainingRun logistic =
        course::ch01::train(course::ch01::Method::vectorized, start, data.X, data.Y, epochs, lr);
    const arma::rowvec logistic_a = course::ch01::predict_probability(logistic.parameters, data.X);
    std::printf("   end:   w = [%.2e, %.2e], b = %.2e, cost J = %.6f (ln 2 = %.6f)\n", logistic.parameters.w(0),
                logistic.parameters.w(1), logistic.parameters.b, logistic.costs.back(), std::log(2.0));
    print_outputs(data, logistic_a, "a = σ(w1 x1 + w2 x2 + b)");
    std::printf(
        "   accuracy %.0f%%: a = 0.5 everywhere is the cross-entropy's minimum for one line (README: the proof)\n",
        100.0 * course::ch04::accuracy(logistic_a, data.Y));
    // The accuracy's optimum is another line: x1 + x2 = 0.5 (w = (10, 10), b = −5) classifies 3 of the 4 points.
    course::ch01::Parameters three_of_four;
    three_of_four.w = arma::vec{10.0, 10.0};
    three_of_four.b = -5.0;
    const arma::rowvec line_a = course::ch01::predict_probability(three_of_four, data.X);
    std::printf(
        "   the line x1 + x2 = 0.5 (w = [10, 10], b = -5): accuracy %.0f%%, cost J = %.4f > ln 2:\n"
        "   the best line for the accuracy (3 of 4; 4 of 4 is impossible) is not the best for the cost\n\n",
        100.0 * course::ch04::accuracy(line_a, data.Y), course::ch01::cost(line_a, data.Y));

    // ---------------------------------------------------------------- 2. the 2-2-1 network
    std::cout << "2. The 2-2-1 network (sigmoid hidden, logistic output, binary cross-entropy), full batch, "
              << "learning rate " << lr << ", weights N(0, " << init_std << "²)\n";
    course::seed_everything(opt.seed);  // the same start as seed N of the sweep below
    const XorNetwork start_net = course::ch04::random_network(init_std);
    std::cout << "   start:\n";
    print_network(start_net, "     ");
    const course::ch04::TrainingRun run = course::ch04::train(start_net, data, epochs, lr);
    const course::ch04::Forward f = course::ch04::forward(run.net, data.X);
    for (int e : {0, 100, 500, 1000, 2000, 5000, 10000, 20000, 50000})
      if (e <= run.epochs) std::printf("   epoch %6d  J = %.6f\n", e, run.cost[e]);
    if (run.solved_at > 0) {
      std::printf("   every output within 0.05 of its target after epoch %d\n", run.solved_at);
    } else {
      std::printf("   NOT solved within %d epochs (try another --seed or more --epochs)\n", run.epochs);
    }
    std::cout << "   after " << run.epochs << " epochs:\n";
    print_network(run.net, "     ");
    std::printf("     x1 x2 | y | a1_1    a1_2   | a2\n");
    for (arma::uword i = 0; i < 4; ++i)
      std::printf("      %g  %g | %g | %.4f  %.4f | %.4f\n", data.X(0, i), data.X(1, i), data.Y(i), f.A1(0, i),
                  f.A1(1, i), f.A2(i));
    const double accuracy = course::ch04::accuracy(f.A2, data.Y);
    const double worst = arma::abs(f.A2 - data.Y).max();
    std::printf("   accuracy %.0f%%, largest |a2 − y| = %.4f\n\n", 100.0 * accuracy, worst);

    // ---------------------------------------------------------------- 3. seeds
    int solved_seeds = 0;
    if (sweep > 0) {
      std::cout << "3. The same training from seeds 1.." << sweep << " (" << epochs << " epochs each)\n";
      std::vector<int> failed;
      std::vector<int> solved_at;
      for (int seed = 1; seed <= sweep; ++seed) {
        course::seed_everything(seed);
        const course::ch04::TrainingRun r =
            course::ch04::train(course::ch04::random_network(init_std), data, epochs, lr, /*extra_epochs=*/0);
        if (r.solved_at > 0) {
          ++solved_seeds;
          solved_at.push_back(r.solved_at);
        } else {
          failed.push_back(seed);
        }
      }
      std::sort(solved_at.begin(), solved_at.end());
      std::printf("   solved %d of %d", solved_seeds, sweep);
      if (!solved_at.empty()) std::printf(" (median %d epochs)", solved_at[solved_at.size() / 2]);
      if (!failed.empty()) {
        std::printf("; not solved with seed");
        for (int s : failed) std::printf(" %d", s);
        std::printf(" (stuck: some outputs still near 0.5)");
      }
      std::printf("\n\n");
      course::seed_everything(opt.seed);
    }

    // ---------------------------------------------------------------- 4. symmetric starts
    std::cout << "4. Symmetric starts: every weight and bias equal\n";
    for (double value : {0.0, 0.5}) {
      const course::ch04::TrainingRun sym =
          course::ch04::train(course::ch04::constant_network(value), data, epochs, lr);
      const course::ch04::Forward fs = course::ch04::forward(sym.net, data.X);
      std::printf("   all %.1f, after %d epochs: J = %.6f, outputs [%.4f %.4f %.4f %.4f]\n", value, sym.epochs,
                  sym.cost.back(), fs.A2(0), fs.A2(1), fs.A2(2), fs.A2(3));
      print_network(sym.net, "     ");
      const bool same = arma::approx_equal(sym.net.W1.row(0), sym.net.W1.row(1), "absdiff", 0.0) &&
                        sym.net.b1(0) == sym.net.b1(1) && sym.net.W2(0, 0) == sym.net.W2(0, 1);
      std::printf("     the two hidden units are %s\n",
                  same ? "identical (bit for bit): one unit's worth of network" : "different");
    }

    // ---------------------------------------------------------------- figures
    course::LinePlot loss;
    loss.title = "XOR: cost J per epoch";
    loss.xlabel = "epoch";
    loss.ylabel = "J (binary cross-entropy)";
    loss.logy = true;
    std::vector<double> e_net(run.cost.size()), e_lr(logistic.costs.size());
    // A log epoch axis (from epoch 1): the plateau of the first few hundred epochs gets its share of the width.
    loss.logx = true;
    loss.xlabel = "epoch (log scale)";
    for (std::size_t i = 0; i < e_net.size(); ++i) e_net[i] = double(i);
    for (std::size_t i = 0; i < e_lr.size(); ++i) e_lr[i] = double(i);
    auto from_one = [](const std::vector<double>& v) { return std::vector<double>(v.begin() + 1, v.end()); };
    loss.series = {{"2-2-1 network", from_one(e_net), from_one(run.cost), "lines"},
                   {"logistic regression (one neuron)", from_one(e_lr), from_one(logistic.costs), "lines"}};
    plotter.lines("loss", loss);

    course::RegionPlot boundary =
        region_plot([&](const arma::mat& P) { return arma::rowvec(course::ch04::forward(run.net, P).A2); }, -0.5, 1.5);
    boundary.title = "2-2-1 network: decision regions (a2 > 0.5) and the hidden units' lines";
    boundary.points = data.X;
    boundary.labels = arma::conv_to<arma::urowvec>::from(data.Y);
    for (int k = 0; k < 2; ++k)
      boundary.lines.push_back({arma::vec{run.net.W1(k, 0), run.net.W1(k, 1), run.net.b1(k)},
                                "hidden unit " + std::to_string(k + 1) + ": z1_" + std::to_string(k + 1) + " = 0"});
    plotter.regions("decision_boundary", boundary);

    // The four points as the output neuron sees them: (a1_1, a1_2), where one line separates them.
    course::RegionPlot hidden = region_plot(
        [&](const arma::mat& A1) {
          arma::rowvec z2 = run.net.W2 * A1 + run.net.b2;
          return arma::rowvec(1.0 / (1.0 + arma::exp(-z2)));
        },
        -0.1, 1.1);  // a margin around [0, 1]²: the saturated points sit on its edges
    hidden.title = "The four points in the hidden layer's space: now one line separates them";
    hidden.xlabel = "a1_1 (hidden unit 1)";
    hidden.ylabel = "a1_2 (hidden unit 2)";
    hidden.points = f.A1;
    hidden.labels = arma::conv_to<arma::urowvec>::from(data.Y);
    hidden.lines.push_back({arma::vec{run.net.W2(0, 0), run.net.W2(0, 1), run.net.b2}, "output unit: z2 = 0"});
    plotter.regions("hidden_space", hidden);

    std::ostringstream headline;
    headline << "2-2-1 XOR: " << format_value("%.0f", 100.0 * accuracy) << "% accuracy, max |a2 − y| "
             << format_value("%.4f", worst);
    if (run.solved_at > 0) headline << " (within 0.05 at epoch " << run.solved_at << ")";
    if (sweep > 0) headline << "; " << solved_seeds << "/" << sweep << " seeds solve it";
    headline << "; logistic regression stuck at J = " << format_value("%.4f", logistic.costs.back());
    chapter.summary(headline.str());
  });
}
