// Figures through gnuplot (gnuplot-iostream). Every figure is written twice:
//   <out>/<name>.csv   its data, always (so it can be redrawn with anything);
//   <out>/<name>.png   drawn by gnuplot's pngcairo terminal (PlotMode::png),
// or shown in a window (PlotMode::window), or not drawn (PlotMode::none).
// Without gnuplot the programs still run: CSVs only, and one warning.
//
// Text (titles, labels, legends) is drawn as written, without gnuplot's "enhanced"
// markup (so "train_cost" keeps its underscore): write mathematics in Unicode,
// e.g. "σ(z)", "x₁", "10⁻³", "ŷ". Figures are named by a plain file name ("cost",
// not "cost.png"); a name used twice overwrites the earlier figure.
#pragma once
#include <armadillo>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/chapter.hpp"

namespace course {

namespace fs = std::filesystem;

// A series' numbers: a std::vector<double>, or any Armadillo matrix or vector
// (read column by column, so a row vector or a 1 × n matrix in order).
struct Values : std::vector<double> {
  using std::vector<double>::vector;
  Values(std::vector<double> values) : std::vector<double>(std::move(values)) {}
  template <typename T>
  Values(const arma::Mat<T>& m) : std::vector<double>(m.n_elem) {
    for (arma::uword i = 0; i < m.n_elem; ++i) (*this)[i] = double(m[i]);
  }
  template <typename T, typename Expression>  // a row or a part of one: theta.head(80), dz.row(0)
  Values(const arma::Base<T, Expression>& expression) : Values(arma::Mat<T>(expression.get_ref())) {}
};

struct Series {
  std::string title{};
  Values x{}, y{};
  std::string style = "lines";  // gnuplot style: "lines", "points", "linespoints"..., or "band":
  Values y2{};                  // with style "band", the area between y (low) and y2 (high) is shaded
};

struct LinePlot {
  std::string title{}, xlabel{}, ylabel{};
  std::vector<Series> series{};
  bool logx = false, logy = false;
  std::optional<std::pair<double, double>> yrange{};
  bool integer_x = false;          // x counts something (epochs): ticks at whole numbers only
  bool x_ticks_at_values = false;  // ticks at the series' x values only (a sweep's settings)
  std::string key{};               // where the legend goes ("below", "top right"...); empty: the emptiest corner
  std::optional<std::pair<double, double>> xrange{};  // empty: the data's (points at its ends sit on the frame)
};

// Points of a few classes over a grid of predicted classes (decision regions).
struct RegionPlot {
  std::string title{}, xlabel = "x1", ylabel = "x2";
  arma::mat grid_x{};      // 1 × g grid coordinates along x1
  arma::mat grid_y{};      // 1 × h grid coordinates along x2
  arma::umat region{};     // h × g predicted class at (grid_x[j], grid_y[i])
  arma::mat points{};      // 2 × m
  arma::urowvec labels{};  // 1 × m
  std::vector<std::string> class_names{};
  std::vector<std::pair<arma::vec, std::string>>
      lines{};  // optional straight lines w1 x1 + w2 x2 + b = 0 as (w1, w2, b), title
};

// The decision regions of a classifier of the plane: the class of every point
// of an n × n grid over [lo, hi]². classify gets the grid's points as the
// columns of a 2 × n² matrix and returns their classes (1 × n²). The result
// has grid_x, grid_y and region set; the caller adds the points, names and lines.
RegionPlot region_grid(const std::function<arma::urowvec(const arma::mat&)>& classify, double lo, double hi,
                       int n = 161);

struct ImageGrid {
  std::string title{};
  arma::fmat images{};  // 784 × k: pixel (r, c) of image i at images(28·r + c, i), the IDX files' order;
                        // values in [0, 1] are drawn as ink on paper, any others blue-white-red per image
  std::vector<std::string> captions{};  // one per image (or none)
  std::vector<bool> marked{};           // drawn in red (e.g. misclassified); empty = none
  int columns = 10;
  double pixel_size = 0;  // screen pixels per image pixel; 0: chosen from the number of images
};

struct HeatMap {
  std::string title{}, xlabel{}, ylabel{};
  arma::mat values{};                                 // rows × cols
  std::vector<std::string> row_names{}, col_names{};  // a tick per row (column); "" leaves one unlabelled
  bool annotate = true;                               // print the value in each cell
  bool mask_diagonal = false;  // leave the diagonal uncoloured (still annotated), the scale set by the other cells
  bool diverging = false;      // a signed quantity: blue below 0, white at 0, red above, the scale symmetric about 0
};

struct BarChart {
  std::string title{}, ylabel{};
  std::vector<std::string> categories{};
  std::vector<Series> series{};  // one bar per category per series (x ignored)
  bool logy = false;
};

struct Histogram {
  std::string title{}, xlabel{}, ylabel = "count";
  std::vector<std::pair<std::string, arma::vec>> samples{};  // one histogram per sample, overlaid
  int bins = 50;
  bool panels = false;  // one panel per sample instead (small multiples), each with its own bins
  bool logy = false;    // counts on a log axis (a spike at 0 hides the rest otherwise)
};

// Contour lines of f(x, y) over a grid, with paths drawn over them (an
// optimiser's steps, chapter 9). Gnuplot computes the contours.
struct ContourPlot {
  std::string title{}, xlabel = "x", ylabel = "y";
  arma::rowvec grid_x{};         // 1 × g coordinates along x (increasing)
  arma::rowvec grid_y{};         // 1 × h coordinates along y (increasing)
  arma::mat values{};            // h × g: f(grid_x[j], grid_y[i]) at (i, j)
  std::vector<double> levels{};  // the values of the contour lines drawn
  std::vector<Series> paths{};   // over the contours, clipped to the grid's box
  std::vector<std::pair<std::string, std::pair<double, double>>> marks{};  // labelled points (a minimum, a start)
  bool equal_axes = true;  // one unit as long on both axes (a round bowl looks round)
};

class Plotter {
 public:
  Plotter(fs::path out_dir, PlotMode mode);
  explicit Plotter(const Options& options) : Plotter(options.out, options.plot) {}

  // Each returns the path of the PNG (empty when not drawn).
  fs::path lines(const std::string& name, const LinePlot& plot);
  fs::path regions(const std::string& name, const RegionPlot& plot);
  fs::path images(const std::string& name, const ImageGrid& grid);
  fs::path heatmap(const std::string& name, const HeatMap& map);
  fs::path bars(const std::string& name, const BarChart& chart);
  fs::path histogram(const std::string& name, const Histogram& hist);
  fs::path contours(const std::string& name, const ContourPlot& plot);

  // True when gnuplot with pngcairo was found (tests skip their PNG checks otherwise).
  static bool gnuplot_available();

 private:
  fs::path out_;
  PlotMode mode_;
};

}  // namespace course
