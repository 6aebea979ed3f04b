// Running gnuplot (through gnuplot-iostream): finding it, the look every figure
// shares, and drawing a composed script to <out>/<name>.png atomically (and in a
// window when asked). The figure kinds themselves are in plot.cpp.
#pragma once
#include <filesystem>
#include <string>

#include "common/chapter.hpp"

namespace course::gnuplot {

namespace fs = std::filesystem;

// The number of colours (and of gnuplot line types set by the preamble).
inline constexpr int kNumColours = 10;

// Matplotlib's "tab10" colour k (lines, bars, points) and its light "tab20" twin
// (the background of decision regions), as "#rrggbb".
std::string colour(std::size_t k);
std::string light_colour(std::size_t k);

// A gnuplot double-quoted string.
std::string quote(const std::string& text);

// What every figure starts with: fonts, colours, a light grid, the title.
std::string preamble(const std::string& title);

// Whether a gnuplot with the pngcairo terminal was found ($COURSE_GNUPLOT, the
// one found at configure time, or the PATH).
bool can_draw_png();

struct Figure {
  int width = 800, height = 500;
  std::string script;  // everything after "set terminal" / "set output"
};

// Draws `figure` as <out>/<name>.png (and in a window when asked). Returns the
// PNG's path, or an empty path when nothing was drawn (no gnuplot: one warning).
fs::path render(const fs::path& out, const std::string& name, PlotMode mode, const Figure& figure);

}  // namespace course::gnuplot
