// The figure kinds (line plots, decision regions, image grids, heat maps, bar
// charts, histograms, contour plots): each writes its CSV and composes its
// gnuplot script; gnuplot.cpp runs gnuplot.
//
// Each figure is built in two steps:
//   1. its data goes to <out>/<name>.csv (always, atomically);
//   2. a gnuplot script is composed here (the data inline, as gnuplot "datablocks")
//      and piped to a gnuplot process that draws <name>.png.tmp-<pid>, renamed to
//      <name>.png once gnuplot has exited: an interrupted run never leaves half a PNG.
// gnuplot reads the script from a pipe and writes a file: it never opens a window
// or waits for input in png mode. Its messages go to a log that is shown only
// when it complained.
//
// Text is drawn as written (gnuplot's "enhanced" markup is off, so "train_cost"
// keeps its underscore): write mathematics in Unicode (σ(z), x₁, 10⁻³, ŷ).
#include "common/plot.hpp"

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/files.hpp"
#include "common/format.hpp"
#include "common/gnuplot.hpp"

namespace course {

using gnuplot::colour;
using gnuplot::Figure;
using gnuplot::kNumColours;
using gnuplot::light_colour;
using gnuplot::preamble;
using gnuplot::quote;
using gnuplot::render;

namespace {

// ---------------------------------------------------------------- text helpers

// One CSV field (RFC 4180: quoted when it holds a comma, a quote or a line break).
std::string csv(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string csv(double value) { return csv_number(value); }

// A number for gnuplot's inline data.
std::string num(double value) { return format_value("%.9g", value); }

// A label for an index-based axis: "class 3" when no names were given.
std::string name_or(const std::vector<std::string>& names, std::size_t k, const std::string& prefix) {
  return k < names.size() ? names[k] : prefix + std::to_string(k);
}

void write_csv(const fs::path& out, const std::string& name, const std::function<void(std::ostream&)>& write) {
  write_file_atomically(out / (name + ".csv"), write);
}

void check_name(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos)
    throw std::invalid_argument("figure name '" + name + "' must be a plain file name (no folder, no extension)");
}

// Formats for annotating a heat map: integers as integers, other numbers with 2 decimals.
std::string cell_format(const arma::mat& values) {
  bool integers = true;
  for (double v : values)
    if (std::isfinite(v) && v != std::round(v)) integers = false;
  if (integers) return "%.0f";
  const double biggest = values.is_empty() ? 0.0 : arma::abs(values).max();
  return biggest < 10 ? "%.2f" : "%.3g";
}

// The part of the line w1·x + w2·y + b = 0 inside the box [x0, x1] × [y0, y1]
// (empty when the line misses the box).
std::vector<std::pair<double, double>> clip_line(double w1, double w2, double b, double x0, double x1, double y0,
                                                 double y1) {
  std::vector<std::pair<double, double>> hits;
  const double eps = 1e-12;
  auto inside = [&](double x, double y) {
    const double tx = 1e-9 * (x1 - x0 + 1), ty = 1e-9 * (y1 - y0 + 1);
    return x >= x0 - tx && x <= x1 + tx && y >= y0 - ty && y <= y1 + ty;
  };
  if (std::abs(w2) > eps)
    for (double x : {x0, x1}) {
      const double y = -(w1 * x + b) / w2;
      if (inside(x, y)) hits.emplace_back(x, y);
    }
  if (std::abs(w1) > eps)
    for (double y : {y0, y1}) {
      const double x = -(w2 * y + b) / w1;
      if (inside(x, y)) hits.emplace_back(x, y);
    }
  if (hits.size() < 2) return {};
  // the two hits farthest apart (corners can be found twice)
  std::pair<double, double> a = hits[0], c = hits[1];
  double best = -1;
  for (std::size_t i = 0; i < hits.size(); ++i)
    for (std::size_t j = i + 1; j < hits.size(); ++j) {
      const double d = std::hypot(hits[i].first - hits[j].first, hits[i].second - hits[j].second);
      if (d > best) best = d, a = hits[i], c = hits[j];
    }
  return {a, c};
}

}  // namespace

// ==================================================================== Plotter

Plotter::Plotter(fs::path out_dir, PlotMode mode) : out_(std::move(out_dir)), mode_(mode) {
  if (out_.empty()) out_ = ".";
  ensure_directory(out_);
}

bool Plotter::gnuplot_available() { return gnuplot::can_draw_png(); }

// ---------------------------------------------------------------- line plots

fs::path Plotter::lines(const std::string& name, const LinePlot& plot) {
  check_name(name);
  // CSV in long form, one row per point: series,x,y (series may have different x).
  write_csv(out_, name, [&](std::ostream& out) {
    out << "series," << csv(plot.xlabel.empty() ? "x" : plot.xlabel) << ","
        << csv(plot.ylabel.empty() ? "y" : plot.ylabel) << "\n";
    for (const Series& s : plot.series) {
      if (s.x.size() != s.y.size())
        throw std::invalid_argument("line plot '" + name + "': series '" + s.title + "' has " +
                                    std::to_string(s.x.size()) + " x values but " + std::to_string(s.y.size()) +
                                    " y values");
      if (!s.y2.empty() && s.y2.size() != s.x.size())
        throw std::invalid_argument("line plot '" + name + "': band '" + s.title + "' has " +
                                    std::to_string(s.x.size()) + " x values but " + std::to_string(s.y2.size()) +
                                    " upper values");
      const bool band = !s.y2.empty();
      for (std::size_t i = 0; i < s.x.size(); ++i)
        out << csv(band ? s.title + " (low)" : s.title) << "," << csv(s.x[i]) << "," << csv(s.y[i]) << "\n";
      if (band)
        for (std::size_t i = 0; i < s.x.size(); ++i)
          out << csv(s.title + " (high)") << "," << csv(s.x[i]) << "," << csv(s.y2[i]) << "\n";
    }
  });
  if (mode_ == PlotMode::none) return {};

  auto usable = [&](double x, double y) {
    return std::isfinite(x) && std::isfinite(y) && (!plot.logx || x > 0) && (!plot.logy || y > 0);
  };
  // Where is the legend least in the way? Count the points that fall in each corner
  // of the plot (the outer 40 % across, 30 % up or down) and take the emptiest corner,
  // preferring the top right.
  auto axis_value = [](double v, bool log) { return log ? std::log10(v) : v; };
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
  for (const Series& s : plot.series)
    for (std::size_t i = 0; i < s.x.size(); ++i)
      if (usable(s.x[i], s.y[i])) {
        const double x = axis_value(s.x[i], plot.logx), y = axis_value(s.y[i], plot.logy);
        xmin = std::min(xmin, x), xmax = std::max(xmax, x), ymin = std::min(ymin, y), ymax = std::max(ymax, y);
      }
  if (plot.yrange) {
    ymin = axis_value(std::max(plot.yrange->first, plot.logy ? 1e-300 : -1e300), plot.logy);
    ymax = axis_value(std::max(plot.yrange->second, plot.logy ? 1e-300 : -1e300), plot.logy);
  }
  if (plot.xrange) {
    xmin = axis_value(std::max(plot.xrange->first, plot.logx ? 1e-300 : -1e300), plot.logx);
    xmax = axis_value(std::max(plot.xrange->second, plot.logx ? 1e-300 : -1e300), plot.logx);
  }
  const char* corners[] = {"top right", "bottom right", "top left", "bottom left"};
  int crowd[4] = {0, 0, 0, 0};
  for (const Series& s : plot.series)
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!usable(s.x[i], s.y[i]) || !(xmax > xmin) || !(ymax > ymin)) continue;
      const double u = (axis_value(s.x[i], plot.logx) - xmin) / (xmax - xmin);
      const double v = (axis_value(s.y[i], plot.logy) - ymin) / (ymax - ymin);
      const bool right = u > 0.6, left = u<0.4, top = v> 0.7, bottom = v < 0.3;
      crowd[0] += right && top, crowd[1] += right && bottom, crowd[2] += left && top, crowd[3] += left && bottom;
    }
  int corner = 0;
  for (int c = 1; c < 4; ++c)
    if (crowd[c] < crowd[corner]) corner = c;

  std::ostringstream g;
  g << preamble(plot.title);
  g << "set xlabel " << quote(plot.xlabel) << "\nset ylabel " << quote(plot.ylabel) << "\n";
  g << "set grid lt 1 lc rgb '#e4e4e4' lw 1\nset autoscale xfix\n";
  g << "set key " << (plot.key.empty() ? std::string(corners[corner]) : plot.key)
    << " opaque box lc rgb '#bbbbbb' samplen 2.5 spacing 1.2\n";
  if (plot.logx) g << "set logscale x\nset mxtics 10\nset format x '%g'\n";
  std::set<double> x_values;  // every series' x values that can be drawn (a series may leave a setting out)
  for (const Series& s : plot.series)
    for (double x : s.x)
      if (std::isfinite(x) && (!plot.logx || x > 0)) x_values.insert(x);
  if ((plot.x_ticks_at_values || (plot.logx && xmax - xmin < 1)) && !x_values.empty()) {
    // Asked for (a sweep's settings), or less than a decade on a log axis, where gnuplot would label no
    // tick at all: label the x values.
    g << "set xtics (";
    for (auto x = x_values.begin(); x != x_values.end(); ++x) g << (x == x_values.begin() ? "" : ", ") << num(*x);
    g << ")\n";
    // The data's range widened by a hair: a tick exactly on the frame (xfix) can round to
    // just outside it on a log axis, and gnuplot then leaves the end value unlabelled.
    const double low = *x_values.begin(), high = *x_values.rbegin();
    if (!plot.xrange && high > low && (!plot.logx || low > 0)) {
      const double pad = plot.logx ? 0 : 1e-9 * (high - low);
      g << "set xrange [" << num(plot.logx ? low * (1 - 1e-6) : low - pad) << ":"
        << num(plot.logx ? high * (1 + 1e-6) : high + pad) << "]\n";
    }
  }
  if (plot.logy) g << "set logscale y\nset mytics 10\nset format y '%g'\n";
  if (plot.xrange) g << "set xrange [" << num(plot.xrange->first) << ":" << num(plot.xrange->second) << "]\n";
  if (plot.yrange) g << "set yrange [" << num(plot.yrange->first) << ":" << num(plot.yrange->second) << "]\n";
  if (plot.integer_x && !plot.logx && xmax > xmin) {
    // A whole-number step giving at most about 10 ticks: 1, 2, 5, 10, 20, 50, ...
    const double wanted = (xmax - xmin) / 10;
    double step = 1;
    for (double decade = 1; step < wanted; decade *= 10)
      for (double m : {1.0, 2.0, 5.0})
        if (step < wanted) step = m * decade;
    g << "set xtics " << num(step) << "\nset mxtics 1\nset format x '%.0f'\n";
  }
  int blocks = 0;
  for (std::size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    g << "$S" << k << " << EOD\n";
    bool any = false;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const bool band = !s.y2.empty();
      if (usable(s.x[i], s.y[i]) && (!band || usable(s.x[i], s.y2[i]))) {
        g << num(s.x[i]) << " " << num(s.y[i]);
        if (band) g << " " << num(s.y2[i]);
        g << "\n";
        any = true;
      } else {
        g << "\n";  // a gap in the curve
      }
    }
    g << "EOD\n";
    if (any) ++blocks;
  }
  if (blocks == 0) {
    g << "set label 1 'no data to draw' at graph 0.5, graph 0.5 center\nset xrange [0:1]\nset yrange [0:1]\n"
      << "plot NaN notitle\n";
  } else {
    const bool one_untitled = plot.series.size() == 1 && plot.series[0].title.empty();
    if (one_untitled) g << "unset key\n";
    g << "plot ";
    bool first = true;
    for (std::size_t k = 0; k < plot.series.size(); ++k) {
      const Series& s = plot.series[k];
      std::string style = s.style.empty() ? "lines" : s.style;
      if (style == "lines")
        style = "lines lw 2";
      else if (style == "points")
        style = "points pt 7 ps 0.7";
      else if (style == "linespoints")
        style = "linespoints lw 2 pt 7 ps 0.7";
      else if (style == "band")
        style = "filledcurves fs transparent solid 0.25 noborder";
      g << (first ? "" : ", \\\n     ") << "$S" << k << (s.y2.empty() ? " using 1:2 with " : " using 1:2:3 with ")
        << style << " lt " << (k % kNumColours) + 1 << (s.title.empty() ? " notitle" : " title " + quote(s.title));
      first = false;
    }
    g << "\n";
  }
  return render(out_, name, mode_, {800, 500, g.str()});
}

// ---------------------------------------------------------------- decision regions

RegionPlot region_grid(const std::function<arma::urowvec(const arma::mat&)>& classify, double lo, double hi, int n) {
  if (n < 2 || !(lo < hi)) throw std::invalid_argument("region_grid: expected n >= 2 and lo < hi");
  RegionPlot plot;
  plot.grid_x = arma::linspace<arma::rowvec>(lo, hi, n);
  plot.grid_y = arma::linspace<arma::rowvec>(lo, hi, n);
  arma::mat points(2, arma::uword(n) * n, arma::fill::zeros);  // point (j, i) of the grid in column i·n + j
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      points(0, i * n + j) = plot.grid_x(j);
      points(1, i * n + j) = plot.grid_y(i);
    }
  const arma::urowvec classes = classify(points);
  if (classes.n_elem != points.n_cols)
    throw std::invalid_argument("region_grid: the classifier gave " + std::to_string(classes.n_elem) + " classes for " +
                                std::to_string(points.n_cols) + " points");
  plot.region = arma::umat(n, n, arma::fill::zeros);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) plot.region(i, j) = classes(i * n + j);
  return plot;
}

fs::path Plotter::regions(const std::string& name, const RegionPlot& plot) {
  check_name(name);
  const arma::uword g_n = plot.grid_x.n_elem, h_n = plot.grid_y.n_elem, m = plot.points.n_cols;
  if (plot.region.n_rows != h_n || plot.region.n_cols != g_n)
    throw std::invalid_argument("region plot '" + name + "': region is " + std::to_string(plot.region.n_rows) + " × " +
                                std::to_string(plot.region.n_cols) + ", expected " + std::to_string(h_n) + " × " +
                                std::to_string(g_n) + " (grid_y × grid_x)");
  if (m > 0 && plot.points.n_rows != 2)
    throw std::invalid_argument("region plot '" + name + "': points is " + std::to_string(plot.points.n_rows) + " × " +
                                std::to_string(m) + ", expected 2 rows (x1, x2)");
  if (plot.labels.n_elem != m)
    throw std::invalid_argument("region plot '" + name + "': " + std::to_string(plot.labels.n_elem) + " labels for " +
                                std::to_string(m) + " points");

  // CSV: kind,x1,x2,class: the grid cells ("region") then the points ("point").
  write_csv(out_, name, [&](std::ostream& out) {
    out << "kind," << csv(plot.xlabel) << "," << csv(plot.ylabel) << ",class\n";
    for (arma::uword i = 0; i < h_n; ++i)
      for (arma::uword j = 0; j < g_n; ++j)
        out << "region," << csv(plot.grid_x(j)) << "," << csv(plot.grid_y(i)) << "," << plot.region(i, j) << "\n";
    for (arma::uword p = 0; p < m; ++p)
      out << "point," << csv(plot.points(0, p)) << "," << csv(plot.points(1, p)) << "," << plot.labels(p) << "\n";
  });
  if (!plot.lines.empty())
    write_csv(out_, name + "_lines", [&](std::ostream& out) {
      out << "title,w1,w2,b\n";
      for (const auto& [w, title] : plot.lines)
        out << csv(title) << "," << csv(w.n_elem > 0 ? w(0) : NAN) << "," << csv(w.n_elem > 1 ? w(1) : NAN) << ","
            << csv(w.n_elem > 2 ? w(2) : NAN) << "\n";
    });
  if (mode_ == PlotMode::none) return {};

  std::size_t classes = plot.class_names.size();
  if (!plot.region.is_empty()) classes = std::max<std::size_t>(classes, plot.region.max() + 1);
  if (m > 0) classes = std::max<std::size_t>(classes, plot.labels.max() + 1);

  // The plotted box: the grid's extent (half a cell beyond its first and last points), or the points'.
  double x0, x1, y0, y1;
  if (g_n > 0 && h_n > 0) {
    const double dx = g_n > 1 ? (plot.grid_x.max() - plot.grid_x.min()) / (g_n - 1) : 1.0;
    const double dy = h_n > 1 ? (plot.grid_y.max() - plot.grid_y.min()) / (h_n - 1) : 1.0;
    x0 = plot.grid_x.min() - dx / 2, x1 = plot.grid_x.max() + dx / 2;
    y0 = plot.grid_y.min() - dy / 2, y1 = plot.grid_y.max() + dy / 2;
  } else if (m > 0) {
    x0 = plot.points.row(0).min(), x1 = plot.points.row(0).max();
    y0 = plot.points.row(1).min(), y1 = plot.points.row(1).max();
    const double px = 0.05 * (x1 - x0 + 1e-9), py = 0.05 * (y1 - y0 + 1e-9);
    x0 -= px, x1 += px, y0 -= py, y1 += py;
  } else {
    x0 = y0 = 0, x1 = y1 = 1;
  }

  std::ostringstream g;
  g << preamble(plot.title);
  g << "set xlabel " << quote(plot.xlabel) << "\nset ylabel " << quote(plot.ylabel) << "\n";
  g << "set xrange [" << num(x0) << ":" << num(x1) << "]\nset yrange [" << num(y0) << ":" << num(y1) << "]\n";
  g << "set key outside right top box lc rgb '#bbbbbb' spacing 1.3 samplen 3.5\nset tics out nomirror\n";
  std::vector<std::string> plots;
  if (g_n > 0 && h_n > 0) {  // the regions: one light colour per predicted class, as an RGB image
    g << "$G << EOD\n";
    for (arma::uword i = 0; i < h_n; ++i) {
      for (arma::uword j = 0; j < g_n; ++j) {
        const unsigned rgb = std::stoul(light_colour(plot.region(i, j)).substr(1), nullptr, 16);
        g << num(plot.grid_x(j)) << " " << num(plot.grid_y(i)) << " " << (rgb >> 16) << " " << ((rgb >> 8) & 255) << " "
          << (rgb & 255) << "\n";
      }
      g << "\n";
    }
    g << "EOD\n";
    plots.push_back("$G using 1:2:3:4:5 with rgbimage notitle");
  }
  const double ps = m > 2000 ? 0.45 : m > 300 ? 0.7 : m > 20 ? 1.1 : 1.8;  // a few points: big ones
  for (std::size_t c = 0; c < classes; ++c) {
    g << "$P" << c << " << EOD\n";
    bool any = false;
    for (arma::uword p = 0; p < m; ++p)
      if (plot.labels(p) == c) g << num(plot.points(0, p)) << " " << num(plot.points(1, p)) << "\n", any = true;
    g << "EOD\n";
    if (!any) continue;
    plots.push_back("$P" + std::to_string(c) + " using 1:2 with points pt 7 ps " + num(ps) + " lc rgb '" + colour(c) +
                    "' title " + quote(name_or(plot.class_names, c, "class ")));
    plots.push_back("$P" + std::to_string(c) + " using 1:2 with points pt 6 ps " + num(ps) +
                    " lw 0.6 lc rgb '#202020' notitle");
  }
  for (std::size_t l = 0; l < plot.lines.size(); ++l) {
    const arma::vec& w = plot.lines[l].first;
    if (w.n_elem != 3)
      throw std::invalid_argument("region plot '" + name + "': line '" + plot.lines[l].second + "' has " +
                                  std::to_string(w.n_elem) + " coefficients, expected 3 (w1, w2, b)");
    const auto segment = clip_line(w(0), w(1), w(2), x0, x1, y0, y1);
    if (segment.empty()) continue;
    g << "$L" << l << " << EOD\n"
      << num(segment[0].first) << " " << num(segment[0].second) << "\n"
      << num(segment[1].first) << " " << num(segment[1].second) << "\nEOD\n";
    plots.push_back("$L" + std::to_string(l) + " using 1:2 with lines lw 2.5 dt " + std::to_string(l % 4 + 1) +
                    " lc rgb '#202020' " +
                    (plot.lines[l].second.empty() ? "notitle" : "title " + quote(plot.lines[l].second)));
  }
  if (plots.empty()) plots.push_back("NaN notitle");
  g << "plot ";
  for (std::size_t i = 0; i < plots.size(); ++i) g << (i ? ", \\\n     " : "") << plots[i];
  g << "\n";
  return render(out_, name, mode_, {780, 600, g.str()});
}

// ---------------------------------------------------------------- image grid

fs::path Plotter::images(const std::string& name, const ImageGrid& grid) {
  check_name(name);
  const arma::uword pixels = grid.images.n_rows, k = grid.images.n_cols;
  const arma::uword side = arma::uword(std::lround(std::sqrt(double(pixels))));
  if (side * side != pixels)
    throw std::invalid_argument("image grid '" + name + "': images have " + std::to_string(pixels) +
                                " pixels, expected a square number (784 = 28 × 28)");
  if (!grid.captions.empty() && grid.captions.size() != k)
    throw std::invalid_argument("image grid '" + name + "': " + std::to_string(grid.captions.size()) +
                                " captions for " + std::to_string(k) + " images");
  if (!grid.marked.empty() && grid.marked.size() != k)
    throw std::invalid_argument("image grid '" + name + "': " + std::to_string(grid.marked.size()) + " marks for " +
                                std::to_string(k) + " images");
  auto marked = [&](arma::uword i) { return !grid.marked.empty() && grid.marked[i]; };
  auto caption = [&](arma::uword i) { return grid.captions.empty() ? std::string() : grid.captions[i]; };

  // CSV: one row per image: index, caption, marked, then its pixels p0..p783 (IDX order: row by row).
  write_csv(out_, name, [&](std::ostream& out) {
    out << "index,caption,marked";
    for (arma::uword p = 0; p < pixels; ++p) out << ",p" << p;
    out << "\n";
    for (arma::uword i = 0; i < k; ++i) {
      out << i << "," << csv(caption(i)) << "," << (marked(i) ? 1 : 0);
      for (arma::uword p = 0; p < pixels; ++p) out << "," << csv(double(grid.images(p, i)));
      out << "\n";
    }
  });
  if (mode_ == PlotMode::none) return {};

  // Pixels in [0, 1] (digits) are drawn as ink on paper (0 white, 1 black). Anything
  // else (weights, differences) is drawn per image on a blue-white-red scale
  // symmetric around 0.
  const bool ink = k == 0 || (grid.images.min() >= 0.0f && grid.images.max() <= 1.0f);
  const int columns = std::max<int>(1, std::min<int>(grid.columns, std::max<int>(1, int(k))));
  const int rows = k == 0 ? 1 : int((k + columns - 1) / columns);
  const bool captions = !grid.captions.empty();
  const int pad = std::max(2, int(side) / 7);    // gap between images (data pixels)
  const int cap = captions ? int(side) / 2 : 0;  // room for the caption under each image
  const int cell_w = int(side) + pad, cell_h = int(side) + pad + cap;
  const int W = columns * cell_w + pad, H = rows * cell_h + pad;

  // One big picture: the images in a grid, background 0 (white).
  arma::mat picture(H, W, arma::fill::zeros);
  for (arma::uword i = 0; i < k; ++i) {
    const int top = pad + int(i / columns) * cell_h, left = pad + int(i % columns) * cell_w;
    double scale = 1.0;
    if (!ink) {
      const double biggest = arma::abs(grid.images.col(i)).max();
      scale = biggest > 0 ? 1.0 / biggest : 1.0;
    }
    for (arma::uword r = 0; r < side; ++r)
      for (arma::uword c = 0; c < side; ++c)
        picture(top + r, left + c) = scale * grid.images(r * side + c, i);  // IDX order: pixel (r, c) at r·side + c
  }

  const double px =
      grid.pixel_size > 0 ? grid.pixel_size : std::clamp(66.0 / cell_w, 1.2, 3.0);  // screen pixels per data pixel
  const int title_h = grid.title.empty() ? 12 : 40;
  Figure fig;
  fig.width = std::max(360, int(W * px) + 20);
  fig.height = int(H * px) + title_h + 12;

  std::ostringstream g;
  g << preamble(grid.title);
  g << "unset border\nunset tics\nunset key\nunset colorbox\n";
  // Map the picture onto the whole canvas below the title, one data pixel = px screen pixels.
  g << "set lmargin at screen " << num(10.0 / fig.width) << "\nset rmargin at screen "
    << num(1.0 - (fig.width - 10.0 - W * px) / fig.width) << "\n";
  g << "set tmargin at screen " << num(1.0 - double(title_h) / fig.height) << "\nset bmargin at screen "
    << num(1.0 - (title_h + H * px) / fig.height) << "\n";
  if (!grid.title.empty()) g << "set title offset 0,-0.3\n";
  g << "set xrange [-0.5:" << W - 0.5 << "]\nset yrange [" << H - 0.5 << ":-0.5]\n";
  if (ink)
    g << "set palette defined (0 'white', 1 'black')\nset cbrange [0:1]\n";
  else
    g << "set palette defined (-1 '#2166ac', 0 'white', 1 '#b2182b')\nset cbrange [-1:1]\n";
  for (arma::uword i = 0; i < k; ++i) {
    const int top = pad + int(i / columns) * cell_h, left = pad + int(i % columns) * cell_w;
    const bool red = marked(i);
    g << "set object " << i + 1 << " rectangle from " << left - 0.5 << "," << top - 0.5 << " to " << left + side - 0.5
      << "," << top + side - 0.5 << " front fillstyle empty border lc rgb '" << (red ? "#d62728" : "#b0b0b0") << "' lw "
      << (red ? 2.5 : 0.8) << "\n";
    if (captions)
      g << "set label " << i + 1 << " " << quote(caption(i)) << " at " << left + side / 2.0 - 0.5 << ","
        << top + side + cap / 2.0 << " center front font '," << (px * cap > 22 ? 10 : 9) << "' textcolor rgb '"
        << (red ? "#d62728" : "#202020") << "'\n";
  }
  g << "$I << EOD\n";
  for (int r = 0; r < H; ++r) {
    for (int c = 0; c < W; ++c) g << (c ? " " : "") << num(picture(r, c));
    g << "\n";
  }
  g << "EOD\n";
  g << "plot $I matrix with image notitle\n";
  fig.script = g.str();
  return render(out_, name, mode_, fig);
}

// ---------------------------------------------------------------- heat map

fs::path Plotter::heatmap(const std::string& name, const HeatMap& map) {
  check_name(name);
  const arma::uword R = map.values.n_rows, C = map.values.n_cols;
  // CSV: the matrix with its names: first column the row name, one column per column name.
  write_csv(out_, name, [&](std::ostream& out) {
    out << csv(map.ylabel.empty() ? "row" : map.ylabel);
    for (arma::uword c = 0; c < C; ++c) out << "," << csv(name_or(map.col_names, c, ""));
    out << "\n";
    for (arma::uword r = 0; r < R; ++r) {
      out << csv(name_or(map.row_names, r, ""));
      for (arma::uword c = 0; c < C; ++c) out << "," << csv(map.values(r, c));
      out << "\n";
    }
  });
  if (mode_ == PlotMode::none) return {};

  // The colour scale: every cell, or only the off-diagonal ones when the diagonal is masked
  // (a confusion matrix's correct counts would otherwise make every mistake look white).
  auto masked = [&](arma::uword r, arma::uword c) { return map.mask_diagonal && r == c; };
  double lo = 0.0, hi = 1.0;
  bool any = false;
  for (arma::uword r = 0; r < R; ++r)
    for (arma::uword c = 0; c < C; ++c) {
      if (masked(r, c) || !std::isfinite(map.values(r, c))) continue;
      lo = any ? std::min(lo, map.values(r, c)) : map.values(r, c);
      hi = any ? std::max(hi, map.values(r, c)) : map.values(r, c);
      any = true;
    }
  hi = std::max(hi, lo + 1e-12);
  if (map.diverging) hi = std::max({std::abs(lo), std::abs(hi), 1e-12}), lo = -hi;        // 0 in the middle, white
  const double cell = std::clamp(480.0 / std::max<arma::uword>({R, C, 1}), 12.0, 150.0);  // a 2 × 2 table readable too
  Figure fig;
  fig.width = int(C * cell) + 240;
  fig.height = int(R * cell) + 150;

  std::ostringstream g;
  g << preamble(map.title);
  g << "set xlabel " << quote(map.xlabel) << "\nset ylabel " << quote(map.ylabel) << "\n";
  g << "unset key\nset tics scale 0\nset size ratio -1\n";
  g << "set xrange [-0.5:" << C - 0.5 << "]\nset yrange [" << R - 0.5 << ":-0.5]\n";
  g << (map.diverging ? "set palette defined (0 '#2166ac', 0.5 '#f7f7f7', 1 '#b2182b')\n"
                      : "set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')\n");
  g << "set cbrange [" << num(lo) << ":" << num(hi) << "]\nset rmargin 12\n";
  auto tics = [&](const char* axis, const std::vector<std::string>& names, arma::uword n) {
    if (names.empty() && n > 40) return;  // too many to number one by one: gnuplot's automatic numbers
    g << "set " << axis << " (";
    for (arma::uword i = 0; i < n; ++i) g << (i ? ", " : "") << quote(name_or(names, i, "")) << " " << i;
    g << ")\n";
  };
  tics("xtics", map.col_names, C);
  tics("ytics", map.row_names, R);
  g << "$M << EOD\n";
  for (arma::uword r = 0; r < R; ++r) {
    for (arma::uword c = 0; c < C; ++c) g << (c ? " " : "") << num(masked(r, c) ? lo : map.values(r, c));
    g << "\n";
  }
  g << "EOD\n";
  std::string white_cells, dark_cells;  // "column row label" lines
  if (map.annotate && R <= 30 && C <= 30) {
    // the cells' values as text: white on the dark cells, dark on the others (and on the masked ones)
    const std::string fmt = cell_format(map.values);
    const double dark = lo + 0.55 * (hi - lo);
    std::ostringstream white, black;
    for (arma::uword r = 0; r < R; ++r)
      for (arma::uword c = 0; c < C; ++c) {
        char text[64];
        std::snprintf(text, sizeof text, fmt.c_str(), map.values(r, c));
        (!masked(r, c) && map.values(r, c) > dark ? white : black) << c << " " << r << " " << quote(text) << "\n";
      }
    white_cells = white.str();
    dark_cells = black.str();
    g << "$W << EOD\n" << white_cells << "EOD\n$D << EOD\n" << dark_cells << "EOD\n";
  }
  if (map.mask_diagonal) {  // the masked cells drawn grey over the image
    g << "$G << EOD\n";
    for (arma::uword i = 0; i < std::min(R, C); ++i) g << i << " " << i << "\n";
    g << "EOD\n";
  }
  g << "plot $M matrix with image";
  if (map.mask_diagonal)
    g << ", \\\n     $G using 1:2:(0.5):(0.5) with boxxyerror fillcolor rgb '#d9d9d9' fillstyle solid noborder";
  const int font = cell >= 40 ? 10 : cell >= 25 ? 8 : 7;
  if (!white_cells.empty()) g << ", \\\n     $W using 1:2:3 with labels font '," << font << "' textcolor rgb 'white'";
  if (!dark_cells.empty()) g << ", \\\n     $D using 1:2:3 with labels font '," << font << "' textcolor rgb '#202020'";
  g << "\n";
  fig.script = g.str();
  return render(out_, name, mode_, fig);
}

// ---------------------------------------------------------------- bar chart

fs::path Plotter::bars(const std::string& name, const BarChart& chart) {
  check_name(name);
  const std::size_t n = chart.categories.size(), S = chart.series.size();
  for (const Series& s : chart.series)
    if (s.y.size() != n)
      throw std::invalid_argument("bar chart '" + name + "': series '" + s.title + "' has " +
                                  std::to_string(s.y.size()) + " values for " + std::to_string(n) + " categories");
  // CSV: category, then one column per series.
  write_csv(out_, name, [&](std::ostream& out) {
    out << "category";
    for (const Series& s : chart.series) out << "," << csv(s.title);
    out << "\n";
    for (std::size_t i = 0; i < n; ++i) {
      out << csv(chart.categories[i]);
      for (const Series& s : chart.series) out << "," << csv(s.y[i]);
      out << "\n";
    }
  });
  if (mode_ == PlotMode::none) return {};

  // Bars drawn as boxes: category i at x = i, its S bars side by side within 0.8.
  const double group = 0.8, width = group / std::max<std::size_t>(S, 1);
  std::size_t longest = 0;
  for (const std::string& c : chart.categories) longest = std::max(longest, c.size());
  Figure fig;
  fig.width = std::clamp(int(n * std::max<std::size_t>(S, 1) * 48 + (S > 1 ? 300 : 160)), 600, 1400);
  const double group_px = double(fig.width - (S > 1 ? 300 : 160)) / std::max<std::size_t>(n, 1);
  const bool rotate = longest * 7.0 > 0.9 * group_px;  // names wider than their group: slant them
  fig.height = 500 + (rotate ? int(std::min<std::size_t>(longest, 30) * 4) : 0);

  std::ostringstream g;
  g << preamble(chart.title);
  g << "set ylabel " << quote(chart.ylabel) << "\n";
  g << "set grid ytics lt 1 lc rgb '#e4e4e4'\nset tics out nomirror\nset xtics scale 0\n";
  g << "set style fill solid 0.85 border lc rgb '#303030'\nset boxwidth " << num(width * 0.95) << " absolute\n";
  g << "set xrange [-0.6:" << num(n - 0.4) << "]\n";
  if (chart.logy) {  // bars grow from a power of ten below the smallest one, so that every bar shows
    double smallest = std::numeric_limits<double>::infinity();
    for (const Series& series : chart.series)
      for (double y : series.y)
        if (std::isfinite(y) && y > 0) smallest = std::min(smallest, y);
    double floor10 = std::isfinite(smallest) ? std::pow(10.0, std::floor(std::log10(smallest))) : 1.0;
    if (smallest / floor10 < 2) floor10 /= 10;
    g << "set logscale y\nset mytics 10\nset yrange [" << num(floor10) << ":*]\n";
  } else
    g << "set yrange [0:*]\nset offsets 0, 0, graph 0.08, 0\n";
  if (S > 1)
    g << "set key outside right top vertical box lc rgb '#bbbbbb' samplen 2\n";
  else
    g << "unset key\n";
  g << "set xtics (";
  for (std::size_t i = 0; i < n; ++i) g << (i ? ", " : "") << quote(chart.categories[i]) << " " << i;
  g << ")" << (rotate ? " rotate by 30 right" : "") << "\n";
  const bool values_on_top = n * S <= 40;
  std::vector<std::string> plots;
  for (std::size_t s = 0; s < S; ++s) {
    g << "$B" << s << " << EOD\n";
    for (std::size_t i = 0; i < n; ++i) {
      const double y = chart.series[s].y[i];
      if (!std::isfinite(y) || (chart.logy && y <= 0)) continue;
      g << num(i + (double(s) - (S - 1) / 2.0) * width) << " " << num(y) << "\n";
    }
    g << "EOD\n";
    const std::string block = "$B" + std::to_string(s);
    plots.push_back(block + " using 1:2 with boxes lc rgb '" + colour(s) + "' " +
                    (chart.series[s].title.empty() ? "notitle" : "title " + quote(chart.series[s].title)));
    if (values_on_top)
      plots.push_back(block + " using 1:2:(sprintf('%.3g', $2)) with labels offset 0,0.6 font '," +
                      std::string(S > 3 ? "7" : "9") + "' textcolor rgb '#202020' notitle");
  }
  if (plots.empty()) plots.push_back("NaN notitle");
  g << "plot ";
  for (std::size_t i = 0; i < plots.size(); ++i) g << (i ? ", \\\n     " : "") << plots[i];
  g << "\n";
  fig.script = g.str();
  return render(out_, name, mode_, fig);
}

// ---------------------------------------------------------------- histogram

namespace {

// The panels' layout: up to 3 in a row (4 as 2 × 2).
std::pair<int, int> panel_layout(std::size_t n) {
  const int cols = n == 0 ? 1 : n <= 3 ? int(n) : (n == 4 ? 2 : 3);
  return {std::max<int>(1, int((n + cols - 1) / cols)), cols};
}

// Small multiples: one panel per sample, each binned over its own range.
std::string histogram_panels(const Histogram& hist, std::ostream& csv_out) {
  const int bins = std::max(1, hist.bins);
  const std::size_t n = hist.samples.size();
  const auto [rows, cols] = panel_layout(n);
  std::ostringstream g;
  g << preamble(hist.title);
  g << "set multiplot layout " << rows << "," << cols << " title " << quote(hist.title) << "\n";
  g << "unset title\nset grid ytics lt 1 lc rgb '#e4e4e4'\nset tics out nomirror\nunset key\n";
  if (hist.logy) g << "set logscale y\nset format y '%g'\n";
  csv_out << "sample,bin_left,bin_right,count\n";
  for (std::size_t s = 0; s < n; ++s) {
    const auto& [title, values] = hist.samples[s];
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;
    const double step = (hi - lo) / bins;
    std::vector<double> counts(bins, 0.0);
    for (double v : values)
      if (std::isfinite(v)) counts[std::min(bins - 1, int((v - lo) / step))] += 1;
    for (int b = 0; b < bins; ++b)
      csv_out << csv(title) << "," << csv(lo + b * step) << "," << csv(lo + (b + 1) * step) << "," << csv(counts[b])
              << "\n";
    g << "set title " << quote(title) << "\n";  // above the panel: never over a bar
    g << "set xlabel " << quote(hist.xlabel) << "\nset ylabel " << quote(hist.ylabel) << "\n";
    g << "set xrange [" << num(lo - step) << ":" << num(hi + step) << "]\n";
    // At most about 5 labelled ticks, a step of 1, 2 or 5 times a power of 10 (narrow panels, tiny values).
    const double wanted = (hi - lo) / 5, decade = std::pow(10.0, std::floor(std::log10(wanted)));
    const double tick = wanted <= decade       ? decade
                        : wanted <= 2 * decade ? 2 * decade
                        : wanted <= 5 * decade ? 5 * decade
                                               : 10 * decade;
    g << "set xtics " << num(tick) << "\nset format x '%g'\n";
    // Headroom above the tallest bar (the axis would end on it; on a log axis, the next decade).
    g << (hist.logy ? "set yrange [0.5:*]\n" : "set yrange [0:*]\n") << "set offsets 0, 0, graph 0.06, 0\n";
    g << "set boxwidth " << num(step) << " absolute\n";
    g << "$H" << s << " << EOD\n";
    for (int b = 0; b < bins; ++b)
      if (!hist.logy || counts[b] > 0) g << num(lo + (b + 0.5) * step) << " " << num(counts[b]) << "\n";
    g << "EOD\n";
    g << "plot $H" << s << " using 1:2 with boxes fs solid 0.8 border lc rgb '" << colour(s) << "' lc rgb '"
      << colour(s) << "' notitle\n";
  }
  g << "unset multiplot\n";
  return g.str();
}

}  // namespace

fs::path Plotter::histogram(const std::string& name, const Histogram& hist) {
  check_name(name);
  if (hist.panels) {
    std::string script;
    write_csv(out_, name, [&](std::ostream& out) { script = histogram_panels(hist, out); });
    if (mode_ == PlotMode::none) return {};
    return render(out_, name, mode_, {1100, 80 + 300 * panel_layout(hist.samples.size()).first, script});
  }
  const int bins = std::max(1, hist.bins);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& [title, values] : hist.samples)
    for (double v : values)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (!(lo <= hi)) lo = 0, hi = 1;            // no finite value at all
  if (hi - lo < 1e-12) lo -= 0.5, hi += 0.5;  // every value the same
  const double step = (hi - lo) / bins;
  std::vector<std::vector<double>> counts(hist.samples.size(), std::vector<double>(bins, 0.0));
  for (std::size_t s = 0; s < hist.samples.size(); ++s)
    for (double v : hist.samples[s].second)
      if (std::isfinite(v)) counts[s][std::min(bins - 1, int((v - lo) / step))] += 1;

  // CSV: bin_left, bin_right, then the count of each sample.
  write_csv(out_, name, [&](std::ostream& out) {
    out << "bin_left,bin_right";
    for (const auto& [title, values] : hist.samples) out << "," << csv(title);
    out << "\n";
    for (int b = 0; b < bins; ++b) {
      out << csv(lo + b * step) << "," << csv(lo + (b + 1) * step);
      for (const auto& c : counts) out << "," << csv(c[b]);
      out << "\n";
    }
  });
  if (mode_ == PlotMode::none) return {};

  std::ostringstream g;
  g << preamble(hist.title);
  g << "set xlabel " << quote(hist.xlabel) << "\nset ylabel " << quote(hist.ylabel) << "\n";
  g << "set grid ytics lt 1 lc rgb '#e4e4e4'\nset tics out nomirror\nset yrange [0:*]\nset offsets 0, 0, graph 0.05, "
       "0\n";
  g << "set xrange [" << num(lo - step) << ":" << num(hi + step) << "]\n";
  g << "set boxwidth " << num(step) << " absolute\n";
  g << "set key top right opaque box lc rgb '#bbbbbb'\n";
  const bool overlay = hist.samples.size() > 1;
  std::vector<std::string> plots;
  for (std::size_t s = 0; s < hist.samples.size(); ++s) {
    g << "$H" << s << " << EOD\n";
    for (int b = 0; b < bins; ++b) g << num(lo + (b + 0.5) * step) << " " << num(counts[s][b]) << "\n";
    g << "EOD\n";
    const std::string& title = hist.samples[s].first;
    plots.push_back("$H" + std::to_string(s) + " using 1:2 with boxes fs transparent solid " +
                    (overlay ? "0.45" : "0.8") + " border lc rgb '" + colour(s) + "' lc rgb '" + colour(s) + "' " +
                    (title.empty() ? "notitle" : "title " + quote(title)));
  }
  if (!overlay && (hist.samples.empty() || hist.samples[0].first.empty())) g << "unset key\n";
  if (plots.empty()) plots.push_back("NaN notitle");
  g << "plot ";
  for (std::size_t i = 0; i < plots.size(); ++i) g << (i ? ", \\\n     " : "") << plots[i];
  g << "\n";
  return render(out_, name, mode_, {800, 500, g.str()});
}

fs::path Plotter::contours(const std::string& name, const ContourPlot& plot) {
  check_name(name);
  const arma::uword g = plot.grid_x.n_elem, h = plot.grid_y.n_elem;
  if (plot.values.n_rows != h || plot.values.n_cols != g)
    throw std::invalid_argument("contour plot '" + name + "': the values are " + std::to_string(plot.values.n_rows) +
                                "×" + std::to_string(plot.values.n_cols) + " but the grid is " + std::to_string(h) +
                                " (y) × " + std::to_string(g) + " (x)");
  if (g < 2 || h < 2) throw std::invalid_argument("contour plot '" + name + "': the grid needs at least 2×2 points");
  for (const Series& s : plot.paths)
    if (s.x.size() != s.y.size())
      throw std::invalid_argument("contour plot '" + name + "': path '" + s.title + "' has " +
                                  std::to_string(s.x.size()) + " x values but " + std::to_string(s.y.size()) +
                                  " y values");
  // CSV in long form: the surface's grid (series "surface", with z), then the paths.
  write_csv(out_, name, [&](std::ostream& out) {
    out << "series," << csv(plot.xlabel) << "," << csv(plot.ylabel) << ",z\n";
    for (arma::uword i = 0; i < h; ++i)
      for (arma::uword j = 0; j < g; ++j)
        out << "surface," << csv(plot.grid_x(j)) << "," << csv(plot.grid_y(i)) << "," << csv(plot.values(i, j)) << "\n";
    for (const Series& s : plot.paths)
      for (std::size_t i = 0; i < s.x.size(); ++i)
        out << csv(s.title) << "," << csv(s.x[i]) << "," << csv(s.y[i]) << ",\n";
  });
  if (mode_ == PlotMode::none) return {};

  const double x0 = plot.grid_x(0), x1 = plot.grid_x(g - 1), y0 = plot.grid_y(0), y1 = plot.grid_y(h - 1);
  std::ostringstream s;
  s << preamble(plot.title);
  // The grid as gnuplot's scan lines (one block per y), then its contours into a datablock.
  s << "$G << EOD\n";
  for (arma::uword i = 0; i < h; ++i) {
    for (arma::uword j = 0; j < g; ++j)
      s << num(plot.grid_x(j)) << " " << num(plot.grid_y(i)) << " " << num(plot.values(i, j)) << "\n";
    s << "\n";
  }
  s << "EOD\n";
  s << "set contour base\nunset surface\nset view map\n";
  if (!plot.levels.empty()) {
    s << "set cntrparam levels discrete ";
    for (std::size_t k = 0; k < plot.levels.size(); ++k) s << (k ? "," : "") << num(plot.levels[k]);
    s << "\n";
  } else {
    s << "set cntrparam levels 12\n";
  }
  s << "set table $C\nsplot $G using 1:2:3 with lines\nunset table\nunset contour\n";
  s << "set xlabel " << quote(plot.xlabel) << "\nset ylabel " << quote(plot.ylabel) << "\n";
  s << "set xrange [" << num(x0) << ":" << num(x1) << "]\nset yrange [" << num(y0) << ":" << num(y1) << "]\n";
  s << "set key below opaque box lc rgb '#bbbbbb' samplen 2.5 spacing 1.2 maxrows 3\n";
  // Room below for the tick labels, the x label and the key's rows: gnuplot's own margin leaves the
  // key over the x label once the figure's height is clamped.
  std::size_t entries = plot.marks.size();
  for (const Series& p : plot.paths) entries += !p.title.empty();
  s << "set bmargin " << 4 + int(std::ceil(1.6 * double(std::min<std::size_t>(entries, 3)))) << "\n";
  if (plot.equal_axes) s << "set size ratio -1\n";
  for (std::size_t k = 0; k < plot.paths.size(); ++k) {
    s << "$P" << k << " << EOD\n";
    for (std::size_t i = 0; i < plot.paths[k].x.size(); ++i) {
      const double x = plot.paths[k].x[i], y = plot.paths[k].y[i];
      if (std::isfinite(x) && std::isfinite(y)) s << num(x) << " " << num(y) << "\n";
    }
    s << "EOD\n";
  }
  s << "plot $C using 1:2 with lines lw 1 lc rgb '#b8b8b8' notitle";
  for (std::size_t k = 0; k < plot.paths.size(); ++k) {
    const Series& p = plot.paths[k];
    std::string style = p.style.empty() || p.style == "lines" ? "lines lw 2"
                        : p.style == "linespoints"            ? "linespoints lw 1.5 pt 7 ps 0.45"
                                                              : p.style;
    s << ", \\\n     $P" << k << " using 1:2 with " << style << " lt " << (k % kNumColours) + 1
      << (p.title.empty() ? " notitle" : " title " + quote(p.title));
  }
  for (std::size_t k = 0; k < plot.marks.size(); ++k) {
    const auto& [label, at] = plot.marks[k];
    s << ", \\\n     '+' using (" << num(at.first) << "):(" << num(at.second) << ") every ::0::0 with points pt "
      << (k == 0 ? 3 : 6) << " ps 2 lw 2 lc rgb '#202020' title " << quote(label);
  }
  s << "\n";
  // Equal axes: as wide as the figure allows, as tall as the box's shape needs (and room for the key).
  const double aspect = (y1 - y0) / (x1 - x0);
  const int height = plot.equal_axes ? std::clamp(int(760 * aspect) + 200, 360, 900) : 600;
  return render(out_, name, mode_, {900, height, s.str()});
}

}  // namespace course
