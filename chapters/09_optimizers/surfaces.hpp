// Test surfaces in two dimensions (note 001 §2.3, §2.7; note 002): where the
// optimisers' behaviour can be seen, because θ = (x, y) is a point on a map.
//
//   elongated bowl   f = x²/200 + y²          curvatures 0.01 and 2, condition number κ = 200: gradient descent
//                                             zigzags across the valley and crawls along it; axis-aligned, so a
//                                             per-coordinate step (RMSprop, Adam) sees each curvature separately
//   rotated bowl     the same bowl turned 45°  the same κ, but each coordinate now mixes both curvatures: what
//                                             is left of the per-coordinate methods' advantage
//   saddle           f = x² − y²              a gradient of almost 0 near (0, 0): a plateau to escape
//   Rosenbrock       f = (1 − x)² + 100 (y − x²)²  a curved valley with a flat floor, minimum (1, 1)
//
// An optimiser moves the point exactly as it moves a network's weights: θ is a
// 2 × 1 parameter with its gradient beside it, handed to the same step().
#pragma once
#include <armadillo>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "chapters/06_backprop/optimizer.hpp"

namespace course::ch09 {

struct Surface {
  std::string name;
  std::function<double(double, double)> f;
  std::function<arma::vec(double, double)> gradient;  // (∂f/∂x, ∂f/∂y)
  arma::vec start;                                    // where every optimiser starts
  std::function<bool(double f)> done;                 // the goal: f below a tolerance, or escaped
  std::string goal;                                   // the goal in words
  double x_lo, x_hi, y_lo, y_hi;                      // the map drawn
  std::vector<double> levels;                         // its contour lines
};

inline Surface elongated_bowl() {
  std::vector<double> levels;
  for (double level = 0.005; level < 20; level *= 2) levels.push_back(level);
  return {.name = "elongated bowl f = x²/200 + y² (κ = 200)",
          .f = [](double x, double y) { return x * x / 200 + y * y; },
          .gradient =
              [](double x, double y) {
                return arma::vec{x / 100, 2 * y};
              },
          .start = arma::vec{-9, 2},
          .done = [](double f) { return f < 1e-6; },
          .goal = "f < 10⁻⁶",
          .x_lo = -10,
          .x_hi = 10,
          .y_lo = -3,
          .y_hi = 3,
          .levels = levels};
}

// The same bowl turned by 45°: f = u²/200 + v² with u = (x + y)/√2, v = (y − x)/√2. The valley runs along
// the diagonal, so neither coordinate is the flat or the steep direction. The start is the bowl's, turned.
inline Surface rotated_bowl() {
  std::vector<double> levels;
  for (double level = 0.005; level < 20; level *= 2) levels.push_back(level);
  const double r = 1 / std::sqrt(2.0);
  return {.name = "rotated bowl (the same, turned 45°)",
          .f =
              [r](double x, double y) {
                const double u = r * (x + y), v = r * (y - x);
                return u * u / 200 + v * v;
              },
          .gradient =
              [r](double x, double y) {
                const double u = r * (x + y), v = r * (y - x);
                const double du = u / 100, dv = 2 * v;           // ∂f/∂u, ∂f/∂v
                return arma::vec{r * (du - dv), r * (du + dv)};  // chain rule: ∂u/∂x = r, ∂v/∂x = −r, ...
              },
          .start = arma::vec{r * (-9 - 2), r * (-9 + 2)},  // (u, v) = (−9, 2)
          .done = [](double f) { return f < 1e-6; },
          .goal = "f < 10⁻⁶",
          .x_lo = -10,
          .x_hi = 10,
          .y_lo = -10,
          .y_hi = 10,
          .levels = levels};
}

// Escaping counts once f < −1: the point has left (0, 0) by more than 1 along y.
inline Surface saddle() {
  return {.name = "saddle f = x² − y²",
          .f = [](double x, double y) { return x * x - y * y; },
          .gradient =
              [](double x, double y) {
                return arma::vec{2 * x, -2 * y};
              },
          .start = arma::vec{-1.5, 1e-4},
          .done = [](double f) { return f < -1; },
          .goal = "escaped: f < −1",
          .x_lo = -2,
          .x_hi = 2,
          .y_lo = -1.5,
          .y_hi = 1.5,
          .levels = {-2, -1.5, -1, -0.5, -0.25, -0.1, 0, 0.1, 0.25, 0.5, 1, 1.5, 2, 3}};
}

inline Surface rosenbrock() {
  std::vector<double> levels;
  for (double level = 0.01; level < 2000; level *= 3) levels.push_back(level);
  return {.name = "Rosenbrock f = (1 − x)² + 100 (y − x²)²",
          .f = [](double x, double y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); },
          .gradient =
              [](double x, double y) {
                return arma::vec{-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)};
              },
          .start = arma::vec{-1.5, 2.5},
          .done = [](double f) { return f < 1e-6; },
          .goal = "f < 10⁻⁶",
          .x_lo = -2,
          .x_hi = 2,
          .y_lo = -1,
          .y_hi = 3.5,
          .levels = levels};
}

// The path of one optimiser from the surface's start.
struct Descent {
  arma::mat path;          // 2 × (steps + 1): θ_0 = start, θ_1, ...
  int steps = 0;           // steps taken
  bool reached = false;    // the surface's goal was met after `steps` steps
  bool diverged = false;   // f or θ stopped being finite, or |θ| passed 10⁶: stopped there
  double final_value = 0;  // f at the last finite θ
};

// Runs optimiser.step on θ = (x, y) until the goal, divergence or max_steps.
inline Descent descend(const Surface& surface, Optimizer<double>& optimizer, int max_steps) {
  arma::mat theta = surface.start;            // θ: 2 × 1
  arma::mat dtheta(2, 1, arma::fill::zeros);  // ∂f/∂θ
  const std::vector<Parameter<double>> params = {{"θ", &theta, &dtheta, false}};
  std::vector<arma::vec> path = {theta};
  Descent d;
  d.final_value = surface.f(theta(0), theta(1));
  while (d.steps < max_steps && !surface.done(d.final_value)) {
    dtheta = surface.gradient(theta(0), theta(1));  // dθ
    optimizer.step(params);                         // θ ← step(θ, dθ)
    ++d.steps;
    const double f = surface.f(theta(0), theta(1));
    if (!std::isfinite(f) || !theta.is_finite() || arma::abs(theta).max() > 1e6) {
      d.diverged = true;  // say so, and keep the path up to here
      break;
    }
    path.push_back(theta);
    d.final_value = f;
  }
  d.reached = !d.diverged && surface.done(d.final_value);
  d.path.set_size(2, path.size());
  for (std::size_t k = 0; k < path.size(); ++k) d.path.col(k) = path[k];
  return d;
}

}  // namespace course::ch09
