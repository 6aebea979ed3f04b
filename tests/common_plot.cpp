// Plotter: every figure writes its CSV; with gnuplot (pngcairo) it also draws a real PNG.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "common/plot.hpp"
#include "tests/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;

// Every test of this file writes under one temporary folder, removed when the program ends.
const course::test_support::TempFolder temp_folder("plot");

fs::path fresh_dir(const std::string& name) { return temp_folder.fresh(name); }

std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

std::size_t line_count(const fs::path& file) {
  std::ifstream in(file);
  std::size_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

// A PNG starts with these 8 bytes; then the IHDR chunk holds width and height (big-endian).
void expect_png(const fs::path& png, int min_width, int min_height) {
  ASSERT_TRUE(fs::exists(png)) << png;
  std::ifstream in(png, std::ios::binary);
  unsigned char head[24] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  EXPECT_TRUE(std::equal(signature, signature + 8, head)) << png << " is not a PNG";
  const auto be32 = [&](int at) {
    return (unsigned(head[at]) << 24) | (unsigned(head[at + 1]) << 16) | (unsigned(head[at + 2]) << 8) | head[at + 3];
  };
  EXPECT_GE(int(be32(16)), min_width) << png;
  EXPECT_GE(int(be32(20)), min_height) << png;
  EXPECT_LE(be32(16), 4000u) << png;
  EXPECT_GT(fs::file_size(png), 2000u) << png << " is too small to hold a figure";
}

course::LinePlot sample_lines() {
  course::LinePlot plot{.title = "cost per epoch", .xlabel = "epoch", .ylabel = "cost"};
  course::Series train{"train_cost", {}, {}}, dev{"dev cost, held out", {}, {}, "linespoints"};
  for (int e = 1; e <= 30; ++e) {
    train.x.push_back(e), train.y.push_back(1.0 / e);
    dev.x.push_back(e), dev.y.push_back(1.2 / e + 0.05);
  }
  plot.series = {train, dev};
  return plot;
}

TEST(CommonPlot, LinePlotWritesCsvAndPng) {
  const fs::path dir = fresh_dir("lines");
  course::Plotter plotter(dir, course::PlotMode::png);
  const fs::path png = plotter.lines("cost", sample_lines());
  ASSERT_TRUE(fs::exists(dir / "cost.csv"));
  EXPECT_EQ(first_line(dir / "cost.csv"), "series,epoch,cost");
  EXPECT_EQ(line_count(dir / "cost.csv"), 61u);
  if (!course::Plotter::gnuplot_available()) GTEST_SKIP() << "gnuplot with pngcairo not installed: CSV only";
  EXPECT_EQ(png, dir / "cost.png");
  expect_png(png, 400, 300);
  for (const auto& entry : fs::directory_iterator(dir))  // no temporary files or logs left behind
    EXPECT_TRUE(entry.path().extension() == ".png" || entry.path().extension() == ".csv") << entry.path();
}

TEST(CommonPlot, NoneWritesOnlyTheCsv) {
  const fs::path dir = fresh_dir("none");
  course::Plotter plotter(dir, course::PlotMode::none);
  EXPECT_TRUE(plotter.lines("cost", sample_lines()).empty());
  EXPECT_TRUE(fs::exists(dir / "cost.csv"));
  EXPECT_FALSE(fs::exists(dir / "cost.png"));
}

TEST(CommonPlot, EveryKindOfFigure) {
  const fs::path dir = fresh_dir("kinds");
  course::Plotter plotter(dir, course::PlotMode::png);
  std::vector<std::pair<std::string, fs::path>> drawn;

  // log axes and a y range
  course::LinePlot lr = sample_lines();
  lr.logx = lr.logy = true;
  lr.yrange = std::make_pair(0.01, 2.0);
  drawn.emplace_back("log", plotter.lines("log", lr));

  // decision regions with points and a line
  course::RegionPlot regions{.title = "regions"};
  regions.grid_x = arma::linspace<arma::rowvec>(-1, 1, 40);
  regions.grid_y = arma::linspace<arma::rowvec>(-1, 1, 30);
  regions.region.set_size(30, 40);
  for (arma::uword i = 0; i < 30; ++i)
    for (arma::uword j = 0; j < 40; ++j) regions.region(i, j) = regions.grid_x(j) + regions.grid_y(i) > 0 ? 1 : 0;
  regions.points = {{-0.5, 0.5, 0.2}, {-0.5, 0.5, -0.1}};
  regions.labels = {0, 1, 1};
  regions.class_names = {"blue", "orange"};
  regions.lines.push_back({arma::vec{1.0, 1.0, 0.0}, "x1 + x2 = 0"});
  drawn.emplace_back("regions", plotter.regions("regions", regions));
  EXPECT_EQ(line_count(dir / "regions.csv"), 1u + 30 * 40 + 3);
  EXPECT_EQ(first_line(dir / "regions_lines.csv"), "title,w1,w2,b");

  // image grid
  course::ImageGrid grid{.title = "digits", .columns = 3};
  grid.images = arma::fmat(784, 5, arma::fill::randu);
  grid.captions = {"0", "1", "2", "3", "4"};
  grid.marked = {false, true, false, false, true};
  drawn.emplace_back("images", plotter.images("images", grid));
  EXPECT_EQ(line_count(dir / "images.csv"), 6u);

  // heat map
  course::HeatMap map{.title = "confusion", .xlabel = "predicted", .ylabel = "true"};
  map.values = {{50, 2, 0}, {3, 40, 7}, {0, 1, 60}};
  map.row_names = map.col_names = {"a", "b", "c"};
  drawn.emplace_back("heat", plotter.heatmap("heat", map));
  EXPECT_EQ(first_line(dir / "heat.csv"), "true,a,b,c");

  // bars, log y
  course::BarChart bars{.title = "speed-up", .ylabel = "time (ms)", .categories = {"dot", "sigmoid", "matmul"}};
  bars.series = {{"loop", {}, {12, 30, 900}}, {"vectorized", {}, {1, 2, 3}}};
  bars.logy = true;
  drawn.emplace_back("bars", plotter.bars("bars", bars));
  EXPECT_EQ(first_line(dir / "bars.csv"), "category,loop,vectorized");

  // histogram
  course::Histogram hist{.title = "weights", .xlabel = "w"};
  hist.samples = {{"layer 1", arma::vec(1000, arma::fill::randn)},
                  {"layer 2", 0.5 * arma::vec(1000, arma::fill::randn)}};
  hist.bins = 30;
  drawn.emplace_back("hist", plotter.histogram("hist", hist));
  EXPECT_EQ(line_count(dir / "hist.csv"), 31u);

  for (const auto& [name, png] : drawn) EXPECT_TRUE(fs::exists(dir / (name + ".csv"))) << name;
  if (!course::Plotter::gnuplot_available()) GTEST_SKIP() << "gnuplot with pngcairo not installed: CSV only";
  for (const auto& [name, png] : drawn) expect_png(png, 300, 150);
}

TEST(CommonPlot, BadShapesAreRejectedWithTheFigureName) {
  const fs::path dir = fresh_dir("bad");
  course::Plotter plotter(dir, course::PlotMode::none);
  course::ImageGrid grid;
  grid.images = arma::fmat(783, 2, arma::fill::zeros);
  try {
    plotter.images("weird", grid);
    FAIL() << "783 pixels accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("weird"), std::string::npos) << e.what();
  }
  course::BarChart bars{.categories = {"a", "b"}};
  bars.series = {{"s", {}, {1.0}}};
  EXPECT_THROW(plotter.bars("short", bars), std::invalid_argument);
}

}  // namespace

namespace {

TEST(CommonPlot, RegionGridClassifiesEveryGridPointInPlace) {
  // class 1 right of x1 = 0.25 and above x2 = 0 ... i.e. a classifier we can check by hand
  const course::RegionPlot plot = course::region_grid(
      [](const arma::mat& p) { return arma::conv_to<arma::urowvec>::from((p.row(0) > 0.25) + 2 * (p.row(1) > 0.0)); },
      -1.0, 1.0, 9);
  ASSERT_EQ(plot.region.n_rows, 9u);
  ASSERT_EQ(plot.region.n_cols, 9u);
  for (arma::uword i = 0; i < 9; ++i)
    for (arma::uword j = 0; j < 9; ++j)
      EXPECT_EQ(plot.region(i, j), arma::uword(plot.grid_x(j) > 0.25) + 2 * arma::uword(plot.grid_y(i) > 0.0))
          << "row " << i << ", column " << j;
  EXPECT_DOUBLE_EQ(plot.grid_x(0), -1.0);
  EXPECT_DOUBLE_EQ(plot.grid_y(8), 1.0);
  EXPECT_THROW(course::region_grid([](const arma::mat&) { return arma::urowvec(3, arma::fill::zeros); }, 0, 1, 5),
               std::invalid_argument);
}

}  // namespace
