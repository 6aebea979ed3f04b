// Running gnuplot: finding it, the shared look of the figures, drawing a script
// to a PNG (atomically: <name>.png.tmp-<pid>, renamed once gnuplot has exited) and
// showing gnuplot's complaints only when it made some.
#include "common/gnuplot.hpp"

#include <gnuplot-iostream.h>

#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace course::gnuplot {

namespace {

const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const char* const kLightColours[] = {"#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
                                     "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"};

// A shell single-quoted word (for the gnuplot command line given to popen).
std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// ---------------------------------------------------------------- finding gnuplot

bool executable(const fs::path& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0 && !fs::is_directory(p); }

// $COURSE_GNUPLOT (a path, or "none" to draw no PNG at all), else the gnuplot found
// at configure time, else the first one on the PATH.
std::string find_gnuplot() {
  if (const char* env = std::getenv("COURSE_GNUPLOT"); env && *env) {
    if (std::string(env) == "none") return "";
    if (executable(env)) return env;
  }
#ifdef COURSE_GNUPLOT
  if (executable(COURSE_GNUPLOT)) return COURSE_GNUPLOT;
#endif
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':'))
      if (!dir.empty() && executable(fs::path(dir) / "gnuplot")) return (fs::path(dir) / "gnuplot").string();
  }
  return "";
}

// Runs `gnuplot -e "<commands>"` quietly; true when gnuplot accepted them.
bool gnuplot_accepts(const std::string& gnuplot, const std::string& commands) {
  const std::string cmd = shell_quote(gnuplot) + " -e " + shell_quote(commands) + " >/dev/null 2>&1 </dev/null";
  return std::system(cmd.c_str()) == 0;
}

struct GnuplotInfo {
  std::string path;             // empty: no gnuplot
  bool pngcairo = false;        // it can draw PNG files
  std::string window_terminal;  // qt, wxt or x11 when one exists and there is a display
};

const GnuplotInfo& gnuplot_info() {
  static const GnuplotInfo info = [] {
    GnuplotInfo i;
    i.path = find_gnuplot();
    if (i.path.empty()) return i;
    i.pngcairo = gnuplot_accepts(i.path, "set terminal pngcairo");
    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    if ((display && *display) || (wayland && *wayland)) {
      for (const char* term : {"qt", "wxt", "x11"})
        if (gnuplot_accepts(i.path, std::string("set terminal ") + term)) {
          i.window_terminal = term;
          break;
        }
    }
    return i;
  }();
  return info;
}

void warn_once(bool& warned, const std::string& message) {
  if (warned) return;
  warned = true;
  std::cerr << "warning: " << message << std::endl;
}

bool warned_no_gnuplot = false, warned_no_window = false;

// Pipes `script` to gnuplot with the given terminal; gnuplot's messages go to `log`.
void run_gnuplot(const std::string& terminal, const std::string& output, const std::string& script, const fs::path& log,
                 bool persist) {
  static bool sigpipe_ignored = false;
  if (!sigpipe_ignored) {  // a gnuplot that exits early must not kill the program with SIGPIPE
    std::signal(SIGPIPE, SIG_IGN);
    sigpipe_ignored = true;
  }
  std::string cmd = shell_quote(gnuplot_info().path) + (persist ? " -persist" : "") + " 2>" + shell_quote(log.string());
  Gnuplot gp(cmd);
  gp << "set terminal " << terminal << "\n";
  if (!output.empty()) gp << "set output " << quote(output) << "\n";
  gp << script;
  if (!output.empty()) gp << "\nunset output\n";
  gp << "exit\n";
  gp.flush();
}  // ~Gnuplot waits for gnuplot to exit (pclose)

// Shows gnuplot's complaints (if any) with the name of the figure, then removes the log.
void report_log(const fs::path& log, const std::string& figure) {
  std::ifstream in(log);
  std::string line, text;
  while (std::getline(in, line))
    if (!line.empty()) text += "  " + line + "\n";
  in.close();
  std::error_code ignored;
  fs::remove(log, ignored);
  if (!text.empty()) std::cerr << "gnuplot said, drawing " << figure << ":\n" << text;
}

}  // namespace

std::string colour(std::size_t k) { return kColours[k % kNumColours]; }
std::string light_colour(std::size_t k) { return kLightColours[k % kNumColours]; }

// A gnuplot double-quoted string.
std::string quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

// What every figure starts with: fonts, colours, a light grid.
std::string preamble(const std::string& title) {
  std::ostringstream s;
  s << "set encoding utf8\n"
    << "set termoption noenhanced\n"
    << "set border lw 1 lc rgb '#404040'\n"
    << "set tics textcolor rgb '#202020'\n"
    << "set key textcolor rgb '#202020' noautotitle\n";
  for (int k = 0; k < kNumColours; ++k)
    s << "set linetype " << k + 1 << " lc rgb '" << colour(k) << "' lw 2 pt 7 ps 0.7\n";
  if (!title.empty()) s << "set title " << quote(title) << " font ',12'\n";
  return s.str();
}

bool can_draw_png() {
  const GnuplotInfo& info = gnuplot_info();
  return !info.path.empty() && info.pngcairo;
}

// Draws `figure` as <out>/<name>.png (and in a window when asked). Returns the PNG's
// path, or an empty path when nothing was drawn.
fs::path render(const fs::path& out, const std::string& name, PlotMode mode, const Figure& figure) {
  if (mode == PlotMode::none) return {};
  const GnuplotInfo& info = gnuplot_info();
  if (info.path.empty() || !info.pngcairo) {
    warn_once(warned_no_gnuplot,
              info.path.empty()
                  ? "gnuplot not found: figures are written as CSV only; install gnuplot-nox"
                  : "gnuplot has no pngcairo terminal: figures are written as CSV only; install gnuplot-nox");
    return {};
  }
  const std::string pid = std::to_string(::getpid());
  const fs::path png = out / (name + ".png");
  const fs::path tmp = out / (name + ".png.tmp-" + pid);
  const fs::path log = out / (name + ".gnuplot-log-" + pid);
  std::ostringstream terminal;
  terminal << "pngcairo size " << figure.width << "," << figure.height << " noenhanced font 'DejaVu Sans,10'";
  run_gnuplot(terminal.str(), tmp.string(), figure.script, log, false);
  report_log(log, png.string());

  std::error_code ec;
  if (!fs::exists(tmp, ec) || fs::file_size(tmp, ec) == 0) {
    fs::remove(tmp, ec);
    std::cerr << "warning: gnuplot did not draw " << png.string() << " (its data is in " << name << ".csv)"
              << std::endl;
    return {};
  }
  fs::rename(tmp, png, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("could not write " + png.string() + ": " + ec.message());
  }

  if (mode == PlotMode::window) {
    if (info.window_terminal.empty()) {
      warn_once(warned_no_window,
                "--plot window: no display or no interactive gnuplot terminal (qt, wxt, x11; install gnuplot-qt): "
                "the figures are only written as PNG files");
    } else {
      std::ostringstream window;
      window << info.window_terminal << " size " << figure.width << "," << figure.height
             << " noenhanced font 'DejaVu Sans,10' title " << quote(name);
      run_gnuplot(window.str(), "", figure.script, log, /*persist=*/true);
      report_log(log, name + " (window)");
    }
  }
  return png;
}

}  // namespace course::gnuplot
