// Chapter 5: softmax and non-linear multi-class classification.
//
//   1. softmax on note 001's example, on huge inputs, and for C = 2 (= logistic regression);
//   2. dZ = A − Y, checked against the numerical gradient;
//   3. the 2-3-3 network on three classes that no straight line separates, against
//      a linear softmax (no hidden layer) on the same data.
#include <armadillo>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/05_softmax/softmax.hpp"
#include "chapters/05_softmax/three_classes.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "common/format.hpp"
#include "common/numerical.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"

namespace {

using course::format_value;

using arma::mat;

void show_softmax(course::Plotter& plotter) {
  std::cout << "1. Softmax\n";
  const mat z = mat{5.0, 2.0, -1.0, 3.0}.t();
  const mat a = course::softmax(z);
  std::printf("   softmax([5, 2, −1, 3]) = [%.3f, %.3f, %.3f, %.3f]   (note 001 §3.4: [0.842, 0.042, 0.002, 0.114])\n",
              a(0), a(1), a(2), a(3));
  const mat big = mat{1000.0, 1000.0}.t();
  const mat naive = arma::exp(big) / arma::accu(arma::exp(big));
  const mat stable = course::softmax(big);
  std::printf("   softmax([1000, 1000]): e^z / Σ e^z gives [%g, %g]; subtracting the maximum first gives [%g, %g]\n",
              naive(0), naive(1), stable(0), stable(1));

  // C = 2: softmax([z1, z2])_1 = e^{z1} / (e^{z1} + e^{z2}) = 1 / (1 + e^{−(z1 − z2)}) = σ(z1 − z2).
  const mat zs = arma::linspace<arma::rowvec>(-6.0, 6.0, 121);
  mat two(2, zs.n_cols, arma::fill::zeros);
  two.row(0) = zs;  // z1 = z, z2 = 0
  const mat p = course::softmax(two);
  const mat s = course::sigmoid(zs);
  std::printf(
      "   C = 2: softmax([z, 0])₁ − σ(z) over z ∈ [−6, 6]: largest difference %.1e (softmax is logistic regression)\n",
      arma::abs(p.row(0) - s).max());
  // The Jacobian's diagonal ∂a₁/∂z₁ = a₁(1 − a₁) is σ'(z) then.
  mat da(2, zs.n_cols, arma::fill::zeros);
  da.row(0).ones();  // dJ/da = (1, 0): the backward pass gives the first row of the Jacobian
  course::Softmax<double> layer;
  mat dz;
  layer.backward(two, p, da, dz);
  std::printf("   and ∂a₁/∂z₁ = a₁(1 − a₁) − σ'(z): largest difference %.1e\n\n",
              arma::abs(dz.row(0) - course::sigmoid_derivative(zs)).max());

  course::LinePlot plot;
  plot.title = "Softmax with two classes is the sigmoid: softmax([z, 0])₁ = σ(z)";
  plot.xlabel = "z";
  plot.ylabel = "value";
  std::vector<double> every4_x, every4_y;
  for (arma::uword i = 0; i < zs.n_cols; i += 4) every4_x.push_back(zs(i)), every4_y.push_back(p(0, i));
  plot.series = {{"σ(z)", zs, s, "lines"},
                 {"softmax([z, 0])₁", every4_x, every4_y, "points"},
                 {"∂a₁/∂z₁ = a₁(1 − a₁)", zs, dz.row(0), "lines"},
                 {"∂a₁/∂z₂ = −a₁a₂", zs, mat(-p.row(0) % p.row(1)), "lines"}};
  plotter.lines("softmax_two_classes", plot);
}

void show_gradient_check() {
  std::cout << "2. Softmax + cross-entropy: dZ = (A − Y)/m\n";
  const mat Z(3, 5, arma::fill::randn);
  const mat Y = course::one_hot<double>(arma::Row<std::uint8_t>{0, 2, 1, 1, 0}, 3);
  course::SoftmaxCrossEntropy<double> loss;
  mat dZ;
  loss.gradient(Z, Y, dZ);
  const mat numerical = course::numerical_gradient([&](const mat& z) { return loss.cost(z, Y); }, Z);
  // The same through the Softmax layer's Jacobian and the cross-entropy's own gradient.
  course::Softmax<double> softmax;
  course::CrossEntropy<double> ce;
  mat A, dA, dZ_chain;
  softmax.forward(Z, A);
  ce.gradient(A, Y, dA);
  softmax.backward(Z, A, dA, dZ_chain);
  std::printf("   on 5 random examples of 3 classes: relative error vs numerical %.1e; vs the Jacobian route %.1e\n\n",
              course::relative_error(dZ, numerical), course::relative_error(dZ, dZ_chain));
}

template <class Model>
course::RegionPlot regions(Model& net, const course::ClassificationData& points, const std::string& title) {
  course::RegionPlot plot = course::region_grid([&](const arma::mat& grid) { return net.predict(grid); }, -1.0, 1.0);
  plot.title = title;
  plot.points = points.X;
  plot.labels = points.labels;
  plot.class_names = {"class 0 (disc)", "class 1 (upper)", "class 2 (lower)"};
  return plot;
}

}  // namespace

int main(int argc, char** argv) {
  course::Chapter chapter("ch05", "Softmax and non-linear multi-class classification",
                          {.epochs = 2000, .lr = 0.2, .batch_size = 10});
  int hidden = 3;
  int samples = 1500;
  chapter.app().add_option("--hidden", hidden, "hidden units of the 2-h-3 network")->check(CLI::Range(1, 64));
  chapter.app()
      .add_option("--samples", samples, "examples of the generated data set (split 60/20/20)")
      ->check(CLI::Range(30, 1000000));

  return chapter.run(argc, argv, [&](const course::Options& opt) {
    course::Plotter plotter(opt);
    show_softmax(plotter);
    show_gradient_check();

    const course::ClassificationData data = course::make_disc_and_halves(samples, course::rng());
    const course::TrainDevTest<course::ClassificationData> sets = course::split_in_order(data, samples, 0.6, 0.2);
    const course::SplitSizes& sizes = sets.sizes;
    const course::ClassificationData& train = sets.train;
    const course::ClassificationData& dev = sets.dev;
    const course::ClassificationData& test = sets.test;
    const int epochs = opt.quick ? std::min(opt.epochs, 400) : opt.epochs;
    arma::uvec counts(3, arma::fill::zeros);
    for (arma::uword label : data.labels) ++counts(label);
    std::cout << "3. The 2-" << hidden << "-3 network on \"a disc and two halves\" (" << samples
              << " points in [−1, 1]²: " << counts(0) << " in the disc, " << counts(1) << " above it, " << counts(2)
              << " below)\n"
              << "   " << sizes.train << " train, " << sizes.dev << " validation, " << sizes.test << " test; " << epochs
              << " epochs of mini-batch gradient descent, batch " << opt.batch_size << ", learning rate " << opt.lr
              << "\n";

    course::Classifier net = course::make_classifier(2, hidden, 3);
    const course::TrainingSettings settings{epochs, opt.lr, opt.batch_size};
    const course::History curve =
        course::train_minibatch(net, train.X, train.Y, dev.X, dev.Y, settings, course::rng(), 10, "epochs");

    // The same data through a linear softmax (no hidden layer): straight boundaries only.
    course::LinearClassifier linear = course::make_linear_classifier(2, 3);
    const course::History linear_curve =
        course::train_minibatch(linear, train.X, train.Y, dev.X, dev.Y, settings, course::rng(), epochs);

    const arma::urowvec predicted = net.predict(test.X);
    const double test_accuracy = course::classification_accuracy(predicted, test.labels);
    const double linear_accuracy = course::classification_accuracy(linear.predict(test.X), test.labels);
    std::printf("   2-%d-3 network: train cost J %.4f, train accuracy %.1f%%, validation %.1f%%, test %.1f%%\n", hidden,
                curve.back().train_cost, 100 * curve.back().train_accuracy, 100 * curve.back().dev_accuracy,
                100 * test_accuracy);
    std::printf("   linear softmax (2-3, no hidden layer): train cost J %.4f, test accuracy %.1f%%\n",
                linear_curve.back().train_cost, 100 * linear_accuracy);

    // Confusion matrix on the test set: rows = true class, columns = predicted.
    const arma::umat confusion = course::confusion_matrix(predicted, test.labels, 3);
    std::cout << "   test confusion matrix (rows: true class 0, 1, 2; columns: predicted):\n";
    for (int r = 0; r < 3; ++r)
      std::printf("     %4llu %4llu %4llu\n", (unsigned long long)confusion(r, 0), (unsigned long long)confusion(r, 1),
                  (unsigned long long)confusion(r, 2));
    const course::Linear<double>& hidden_layer = net.hidden;

    // Figures.
    course::RegionPlot net_regions =
        regions(net, test, "2-" + std::to_string(hidden) + "-3 network: decision regions, test points");
    for (int k = 0; k < hidden; ++k)
      net_regions.lines.push_back(
          {arma::vec{hidden_layer.weights(k, 0), hidden_layer.weights(k, 1), hidden_layer.bias(k)},
           "hidden unit " + std::to_string(k + 1) + ": z1_" + std::to_string(k + 1) + " = 0"});
    plotter.regions("decision_regions", net_regions);
    plotter.regions("decision_regions_linear",
                    regions(linear, test, "Linear softmax (no hidden layer): decision regions"));

    course::LinePlot loss;
    loss.title = "Cost J = −(1/m)ΣΣ y ln a during training";
    loss.xlabel = "epoch";
    loss.ylabel = "J";
    loss.logy = true;
    loss.series = {{"train", curve.epochs(), curve.column(&course::EpochRecord::train_cost), "lines"},
                   {"validation", curve.epochs(), curve.column(&course::EpochRecord::dev_cost), "lines"}};
    plotter.lines("loss", loss);
    course::LinePlot acc;
    acc.title = "Accuracy during training";
    acc.xlabel = "epoch";
    acc.ylabel = "accuracy";
    acc.series = {{"train", curve.epochs(), curve.column(&course::EpochRecord::train_accuracy), "lines"},
                  {"validation", curve.epochs(), curve.column(&course::EpochRecord::dev_accuracy), "lines"}};
    plotter.lines("accuracy", acc);

    chapter.summary("2-" + std::to_string(hidden) + "-3 softmax network: test accuracy " +
                    format_value("%.1f", 100 * test_accuracy) +
                    "% (linear softmax: " + format_value("%.1f", 100 * linear_accuracy) + "%)");
  });
}
