#include "chapters/07_mnist_mlp/test_report.hpp"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <string>

#include "chapters/05_softmax/softmax.hpp"
#include "common/format.hpp"

namespace course::ch07 {

Evaluation report_test(Network<float>& net, const Dataset& test, Plotter& plot, const TestReportSettings& settings) {
  const arma::urowvec labels = arma::conv_to<arma::urowvec>::from(test.y);
  const Evaluation result = evaluate(net, test.X, one_hot<float>(test.y));
  const arma::umat confusion = confusion_matrix(result.predicted, labels, 10);
  std::cout << "Test set (" << test.size() << " images): cost " << format_value("%.4f", result.cost) << ", accuracy "
            << format_percent(result.accuracy) << " (" << arma::accu(result.predicted != labels) << " errors)\n";
  if (settings.print_confusion) {
    std::cout << "\nConfusion matrix (rows: true digit, columns: predicted):\n      ";
    for (int p = 0; p < 10; ++p) std::cout << std::setw(6) << p;
    std::cout << "   recall\n";
    for (int t = 0; t < 10; ++t) {
      std::cout << "  " << std::setw(4) << t;
      for (int p = 0; p < 10; ++p) std::cout << std::setw(6) << confusion(t, p);
      const double row = double(arma::accu(confusion.row(t)));
      std::cout << "   " << format_value("%.1f%%", row > 0 ? 100.0 * confusion(t, t) / row : 0.0) << "\n";
    }
  }

  HeatMap map{.title = "Confusion matrix on the test set (" + format_percent(result.accuracy) + " correct)",
              .xlabel = "predicted digit",
              .ylabel = "true digit",
              .values = arma::conv_to<arma::mat>::from(confusion),
              .row_names = {},
              .col_names = {},
              .annotate = true,
              .off_diagonal_scale = settings.confusion_off_diagonal_scale};
  if (settings.confusion_off_diagonal_scale)  // the title shorter, to fit beside the note
    map.title = "Confusion matrix (" + format_percent(result.accuracy) + " correct), colours: errors only";
  for (int d = 0; d < 10; ++d) {
    map.row_names.push_back(std::to_string(d));
    map.col_names.push_back(std::to_string(d));
  }
  plot.heatmap("confusion", map);

  const arma::uvec wrong = arma::find(result.predicted != labels);
  const arma::uword shown = std::min<arma::uword>(wrong.n_elem, settings.gallery_size);
  ImageGrid gallery{.title = "Misclassified test digits: predicted (true)",
                    .images = arma::fmat(test.X.n_rows, shown, arma::fill::zeros),
                    .captions = {},
                    .marked = {},
                    .columns = int(settings.gallery_columns)};
  for (arma::uword i = 0; i < shown; ++i) {
    gallery.images.col(i) = test.X.col(wrong[i]);
    gallery.captions.push_back(std::to_string(result.predicted[wrong[i]]) + " (" + std::to_string(test.y[wrong[i]]) +
                               ")");
  }
  if (shown > 0) plot.images("misclassified", gallery);
  return result;
}

}  // namespace course::ch07
