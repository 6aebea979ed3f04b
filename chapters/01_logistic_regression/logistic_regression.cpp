// Chapter 1's lesson code: read it top to bottom next to README.md.
#include "chapters/01_logistic_regression/logistic_regression.hpp"

#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "common/exercise.hpp"

namespace course::ch01 {

Parameters zero_parameters(arma::uword n_x) {
  Parameters p;
  p.w = arma::vec(n_x, arma::fill::zeros);  // w ∈ ℝ^{n_x × 1}
  p.b = 0.0;                                // b ∈ ℝ
  return p;
}

// ---------------------------------------------------------------------------
// The loss and the cost (σ itself is in logistic_regression.hpp: a template,
// so that chapter 3's float layers can use it too)
// ---------------------------------------------------------------------------

double cost(const arma::rowvec& a, const arma::rowvec& y) {
  if (a.n_elem != y.n_elem) {
    throw std::invalid_argument("ch01::cost: a is 1 × " + std::to_string(a.n_elem) + " but y is 1 × " +
                                std::to_string(y.n_elem));
  }
  if (a.n_elem == 0) throw std::invalid_argument("ch01::cost: no examples (m = 0)");
  // BEGIN EXERCISE ch01.cost
  // hint: J = −(1/m) Σ [ y log a + (1 − y) log(1 − a) ]; first clamp a into [cost_floor, 1 − cost_floor]
  // hint: (arma::clamp), then arma::log, element-wise products with %, and arma::accu for the sum
  const arma::rowvec a_safe = arma::clamp(a, cost_floor, 1.0 - cost_floor);
  const double m = static_cast<double>(y.n_elem);
  return -arma::accu(y % arma::log(a_safe) + (1.0 - y) % arma::log(1.0 - a_safe)) / m;  // −(1/m) Σ [...]
  // END EXERCISE
}

void check_shapes(const char* where, const Parameters& p, const arma::mat& X, const arma::rowvec& y) {
  std::ostringstream msg;
  if (p.w.n_elem != X.n_rows) {
    msg << where << ": w is " << p.w.n_rows << " × 1 but X is " << X.n_rows << " × " << X.n_cols
        << " (X must be n_x × m with n_x = " << p.w.n_elem << ")";
  } else if (y.n_elem != X.n_cols) {
    msg << where << ": y is 1 × " << y.n_elem << " but X is " << X.n_rows << " × " << X.n_cols
        << " (one label per column of X)";
  } else if (X.n_cols == 0) {
    msg << where << ": X has no examples (m = 0)";
  } else {
    return;
  }
  throw std::invalid_argument(msg.str());
}

// ---------------------------------------------------------------------------
// The gradient, with loops (note 001 §2.6)
// ---------------------------------------------------------------------------

Gradients gradients_loop(const Parameters& p, const arma::mat& X, const arma::rowvec& y) {
  check_shapes("ch01::gradients_loop", p, X, y);
  // BEGIN EXERCISE ch01.gradients_loop
  // hint: start from J = 0, dw = zeros(n_x), db = 0; for each example i (column X.col(i)):
  // hint: z = w·x⁽ⁱ⁾ + b by a loop over the features j, a = 1 / (1 + exp(−z)) (std::exp),
  // hint: J += −[y log a + (1 − y) log(1 − a)] (a clamped as in cost), dz = a − y,
  // hint: for each j: dw_j += x_j⁽ⁱ⁾ dz; db += dz. At the end divide J, dw and db by m.
  const arma::uword n_x = X.n_rows, m = X.n_cols;
  Gradients g;
  g.dw = arma::vec(n_x, arma::fill::zeros);  // dw_1 = dw_2 = ... = 0
  g.db = 0.0;                                // db = 0
  g.cost = 0.0;                              // J = 0
  for (arma::uword i = 0; i < m; ++i) {      // for i = 1 to m
    const double* x = X.colptr(i);           //   x⁽ⁱ⁾ (a column: contiguous in memory)
    double z = p.b;                          //   z⁽ⁱ⁾ = wᵀx⁽ⁱ⁾ + b
    for (arma::uword j = 0; j < n_x; ++j) z += p.w[j] * x[j];
    const double a = 1.0 / (1.0 + std::exp(-z));  //   a⁽ⁱ⁾ = σ(z⁽ⁱ⁾)
    const double a_safe = std::min(std::max(a, cost_floor), 1.0 - cost_floor);
    g.cost += -(y[i] * std::log(a_safe) + (1.0 - y[i]) * std::log(1.0 - a_safe));  // J += L(a⁽ⁱ⁾, y⁽ⁱ⁾)
    const double dz = a - y[i];                                  //   dz⁽ⁱ⁾ = a⁽ⁱ⁾ − y⁽ⁱ⁾
    for (arma::uword j = 0; j < n_x; ++j) g.dw[j] += x[j] * dz;  // dw_j += x_j⁽ⁱ⁾ dz⁽ⁱ⁾
    g.db += dz;                                                  //   db += dz⁽ⁱ⁾
  }
  const double mm = static_cast<double>(m);
  g.cost /= mm;  // J /= m
  g.dw /= mm;    // dw /= m
  g.db /= mm;    // db /= m
  return g;
  // END EXERCISE
}

// ---------------------------------------------------------------------------
// The gradient, vectorized (note 001 §3.1)
// ---------------------------------------------------------------------------

Gradients gradients_vectorized(const Parameters& p, const arma::mat& X, const arma::rowvec& y) {
  check_shapes("ch01::gradients_vectorized", p, X, y);
  // BEGIN EXERCISE ch01.gradients_vectorized
  // hint: Z = wᵀX + b is p.w.t() * X + p.b (1 × m); A = sigmoid(Z); the cost is cost(A, y);
  // hint: dZ = A − y; dw = (1/m) X dZᵀ (n_x × 1); db = (1/m) Σ dZ (arma::accu)
  const double m = static_cast<double>(X.n_cols);
  const arma::rowvec Z = p.w.t() * X + p.b;  // Z = wᵀX + b        (1 × m)
  const arma::rowvec A = sigmoid(Z);         // A = σ(Z)           (1 × m)
  const arma::rowvec dZ = A - y;             // dZ = A − Y         (1 × m)
  Gradients g;
  g.cost = cost(A, y);        // J
  g.dw = X * dZ.t() / m;      // dw = (1/m) X dZᵀ   (n_x × 1)
  g.db = arma::accu(dZ) / m;  // db = (1/m) Σ dZ
  return g;
  // END EXERCISE
}

// ---------------------------------------------------------------------------
// One step downhill, and the predictions
// ---------------------------------------------------------------------------

void update(Parameters& p, const Gradients& g, double learning_rate) {
  if (g.dw.n_elem != p.w.n_elem) {
    throw std::invalid_argument("ch01::update: dw is " + std::to_string(g.dw.n_elem) + " × 1 but w is " +
                                std::to_string(p.w.n_elem) + " × 1");
  }
  // BEGIN EXERCISE ch01.update
  // hint: w := w − α dw and b := b − α db (α = learning_rate); change p in place
  p.w -= learning_rate * g.dw;  // w := w − α dw
  p.b -= learning_rate * g.db;  // b := b − α db
  // END EXERCISE
}

arma::rowvec predict_probability(const Parameters& p, const arma::mat& X) {
  if (p.w.n_elem != X.n_rows) {
    throw std::invalid_argument("ch01::predict_probability: w is " + std::to_string(p.w.n_elem) + " × 1 but X is " +
                                std::to_string(X.n_rows) + " × " + std::to_string(X.n_cols));
  }
  return sigmoid<double>(p.w.t() * X + p.b);  // ŷ = σ(wᵀX + b)
}

arma::urowvec predict(const Parameters& p, const arma::mat& X) {
  // BEGIN EXERCISE ch01.predict
  // hint: ŷ = predict_probability(p, X); the class is 1 where ŷ > 0.5, else 0
  // hint: (an Armadillo comparison such as (v > 0.5) gives a 0/1 urowvec)
  const arma::rowvec probability = predict_probability(p, X);
  return arma::conv_to<arma::urowvec>::from(probability > 0.5);  // 1 if ŷ > 0.5
  // END EXERCISE
}

double accuracy(const Parameters& p, const arma::mat& X, const arma::rowvec& y) {
  check_shapes("ch01::accuracy", p, X, y);
  const arma::urowvec predicted = predict(p, X);
  const arma::urowvec labels = arma::conv_to<arma::urowvec>::from(y > 0.5);
  return static_cast<double>(arma::accu(predicted == labels)) / static_cast<double>(y.n_elem);
}

// ---------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------

TrainingRun train(Method method, const Parameters& start, const arma::mat& X, const arma::rowvec& y, int iterations,
                  double learning_rate, const StepCallback& on_step) {
  check_shapes("ch01::train", start, X, y);
  if (iterations < 0)
    throw std::invalid_argument("ch01::train: iterations must be >= 0, got " + std::to_string(iterations));
  TrainingRun run;
  run.parameters = start;
  run.costs.reserve(static_cast<std::size_t>(iterations) + 1);
  const auto t0 = std::chrono::steady_clock::now();
  for (int step = 1; step <= iterations; ++step) {
    const Gradients g = method == Method::loop ? gradients_loop(run.parameters, X, y)  // dw, db (and J)
                                               : gradients_vectorized(run.parameters, X, y);
    run.costs.push_back(g.cost);
    update(run.parameters, g, learning_rate);  // w := w − α dw, b := b − α db
    if (on_step) on_step(step, g.cost);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // The cost after the last step, so that costs[k] is J after k steps for k = 0..iterations.
  run.costs.push_back(cost(predict_probability(run.parameters, X), y));
  return run;
}

// ---------------------------------------------------------------------------
// The data
// ---------------------------------------------------------------------------

BinaryTask binary_task(const Dataset& data, std::uint8_t positive, std::uint8_t negative) {
  if (positive == negative)
    throw std::invalid_argument("ch01::binary_task: the two digits must differ, both are " + std::to_string(positive));
  if (data.y.n_elem != data.X.n_cols) {
    throw std::invalid_argument("ch01::binary_task: " + std::to_string(data.X.n_cols) + " images but " +
                                std::to_string(data.y.n_elem) + " labels");
  }
  const arma::uvec chosen = arma::find(data.y == positive || data.y == negative);
  BinaryTask task;
  task.source = chosen;
  task.X = arma::conv_to<arma::mat>::from(data.X.cols(chosen));  // n_x × m, in double
  task.y = arma::rowvec(chosen.n_elem, arma::fill::zeros);
  for (arma::uword i = 0; i < chosen.n_elem; ++i) task.y[i] = data.y[chosen[i]] == positive ? 1.0 : 0.0;
  return task;
}

// ---------------------------------------------------------------------------
// The learning slowdown (note 000)
// ---------------------------------------------------------------------------

NeuronGradient neuron_gradient(NeuronCost kind, const Neuron& n, double x, double y) {
  NeuronGradient g;
  const double z = n.w * x + n.b;               // z = wx + b
  const double a = 1.0 / (1.0 + std::exp(-z));  // a = σ(z)
  const double sigma_prime = a * (1.0 - a);     // σ'(z) = σ(z)(1 − σ(z))
  g.output = a;
  if (kind == NeuronCost::quadratic) {
    g.cost = 0.5 * (a - y) * (a - y);  // C = (a − y)² / 2
    g.dw = (a - y) * sigma_prime * x;  // ∂C/∂w = (a − y) σ'(z) x
    g.db = (a - y) * sigma_prime;      // ∂C/∂b = (a − y) σ'(z)
  } else {
    g.cost = -(y * std::log(a) + (1.0 - y) * std::log(1.0 - a));  // C = −[y ln a + (1 − y) ln(1 − a)]
    g.dw = (a - y) * x;                                           // ∂C/∂w = (a − y) x: σ'(z) cancels
    g.db = (a - y);                                               // ∂C/∂b = (a − y)
  }
  return g;
}

SlowdownRun slowdown(NeuronCost kind, Neuron start, double x, double y, double learning_rate, int epochs) {
  SlowdownRun run;
  Neuron n = start;
  for (int epoch = 0; epoch <= epochs; ++epoch) {
    const NeuronGradient g = neuron_gradient(kind, n, x, y);
    run.cost.push_back(g.cost);
    run.output.push_back(g.output);
    if (epoch == epochs) break;
    n.w -= learning_rate * g.dw;  // w := w − η ∂C/∂w
    n.b -= learning_rate * g.db;  // b := b − η ∂C/∂b
  }
  return run;
}

}  // namespace course::ch01
