// Chapter 5: the 2-3-3 network on three classes, and softmax with two classes.
#include <gtest/gtest.h>

#include <armadillo>

#include "chapters/03_activations/activations.hpp"
#include "chapters/05_softmax/softmax.hpp"
#include "chapters/05_softmax/three_classes.hpp"
#include "common/data.hpp"

namespace {

using Mat = arma::mat;

TEST(Ch05Softmax, TwoClassesIsLogisticRegression) {
  // softmax([z1, z2])₁ = σ(z1 − z2): with C = 2 softmax is logistic regression.
  course::seed_everything(55);
  const Mat Z(2, 50, arma::fill::randn);
  const Mat A = course::softmax(Mat(3.0 * Z));
  const Mat s = course::sigmoid(Mat(3.0 * (Z.row(0) - Z.row(1))));
  EXPECT_LT(arma::abs(A.row(0) - s).max(), 1e-15);
  // and the fused gradient of its first row is logistic regression's dz = (a − y)/m
  const Mat Y = course::one_hot<double>(arma::Row<std::uint8_t>(50, arma::fill::zeros), 2);
  Mat dZ;
  course::SoftmaxCrossEntropy<double>().gradient(Mat(3.0 * Z), Y, dZ);
  EXPECT_LT(arma::abs(dZ.row(0) - (s - 1.0) / 50.0).max(), 1e-15);
}

TEST(Ch05Data, DiscAndHalvesLabels) {
  EXPECT_EQ(course::disc_and_halves_class(0.0, 0.0), 0u);
  EXPECT_EQ(course::disc_and_halves_class(0.3, -0.3), 0u);
  EXPECT_EQ(course::disc_and_halves_class(0.9, 0.1), 1u);
  EXPECT_EQ(course::disc_and_halves_class(-0.9, -0.1), 2u);
  course::seed_everything(56);
  const course::ClassificationData d = course::make_disc_and_halves(200, course::rng());
  EXPECT_EQ(d.X.n_rows, 2u);
  EXPECT_EQ(d.Y.n_rows, 3u);
  EXPECT_TRUE(arma::all(arma::sum(d.Y, 0) == 1.0));
  for (arma::uword c = 0; c < 3; ++c) EXPECT_GT(arma::accu(d.labels == c), 20u) << "class " << c;
}

using Sets = course::TrainDevTest<course::ClassificationData>;

Sets three_class_sets(std::size_t m, unsigned long seed) {
  course::seed_everything(seed);
  return course::split_in_order(course::make_disc_and_halves(m, course::rng()), m, 0.6, 0.2);
}

TEST(Ch05Network, ReachesNinetyFivePercentOnTheTestSet) {
  const Sets sets = three_class_sets(1000, 42);
  course::Classifier net = course::make_classifier(2, 3, 3);
  const course::History curve = course::train_minibatch(net, sets.train.X, sets.train.Y, sets.dev.X, sets.dev.Y,
                                                        {1500, 0.2, 10}, course::rng(), 1500);
  const double test_accuracy = course::classification_accuracy(net.forward(sets.test.X), sets.test.labels);
  EXPECT_GE(test_accuracy, 0.95);
  EXPECT_LT(curve.back().train_cost, 0.15);
}

TEST(Ch05Network, NoStraightLineSeparatesTheClasses) {
  const Sets sets = three_class_sets(1000, 42);
  course::LinearClassifier linear = course::make_linear_classifier(2, 3);
  course::train_minibatch(linear, sets.train.X, sets.train.Y, sets.dev.X, sets.dev.Y, {300, 0.2, 10}, course::rng(),
                          300);
  EXPECT_LT(course::classification_accuracy(linear.forward(sets.test.X), sets.test.labels), 0.9);
}

}  // namespace
