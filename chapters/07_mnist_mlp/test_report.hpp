// The test set, once, at the end: its cost and accuracy, the confusion matrix
// (rows: true digit, columns: predicted) and a gallery of misclassified digits.
// Chapters 7 and 11 report their networks with it.
#pragma once
#include <armadillo>

#include "chapters/06_backprop/network.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "common/data.hpp"
#include "common/plot.hpp"

namespace course::ch07 {

struct TestReportSettings {
  bool print_confusion = true;    // the confusion matrix as a table on stdout, with each digit's recall
  arma::uword gallery_size = 40;  // misclassified digits drawn (the first ones in the test set's order)
  arma::uword gallery_columns = 10;
  bool draw = true;  // the confusion matrix and the gallery as figures
};

// Evaluates net on test (in evaluation mode), prints the result and draws
// "confusion" and "misclassified".
Evaluation report_test(Network<float>& net, const Dataset& test, Plotter& plot,
                       const TestReportSettings& settings = {});

}  // namespace course::ch07
