// The 2-2-1 XOR network, one formula of note 003 per line (see xor.hpp for the
// convention: every matrix here is the transpose of note 003's).
#include "chapters/04_xor/xor.hpp"

#include <cmath>

#include "chapters/03_activations/activations.hpp"  // σ(z), chapter 3
#include "chapters/03_activations/losses.hpp"       // binary cross-entropy, chapter 3
#include "common/exercise.hpp"

namespace course::ch04 {

XorData xor_data() {
  XorData data;
  data.X = arma::mat{{0.0, 0.0, 1.0, 1.0},    // x1 of the four examples
                     {0.0, 1.0, 0.0, 1.0}};   // x2
  data.Y = arma::rowvec{0.0, 1.0, 1.0, 0.0};  // y = x1 XOR x2
  return data;
}

XorNetwork random_network(double std) {
  XorNetwork net;
  net.W1 = std * arma::mat(2, 2, arma::fill::randn);  // W1 ~ N(0, std²)
  net.b1 = arma::vec(2, arma::fill::zeros);
  net.W2 = std * arma::mat(1, 2, arma::fill::randn);  // W2 ~ N(0, std²)
  net.b2 = 0.0;
  return net;
}

XorNetwork constant_network(double value) {
  XorNetwork net;
  net.W1 = arma::mat(2, 2, arma::fill::value(value));
  net.b1 = arma::vec(2, arma::fill::value(value));
  net.W2 = arma::mat(1, 2, arma::fill::value(value));
  net.b2 = value;
  return net;
}

Forward forward(const XorNetwork& net, const arma::mat& X) {
  // BEGIN EXERCISE ch04.forward
  // hint: four lines, one per formula: Z1 = W1·X + b1 (b1 added to each column: .each_col() += b1),
  // hint: A1 = σ(Z1) (course::sigmoid: chapter 1's σ, which chapter 3 reuses), Z2 = W2·A1 + b2, A2 = σ(Z2)
  Forward f;
  f.Z1 = net.W1 * X;  // z1_k = w1_k1 x1 + w1_k2 x2 + b1_k     note 003: Z1 = X·W1 + B1
  f.Z1.each_col() += net.b1;
  f.A1 = sigmoid(f.Z1);             // a1_k = σ(z1_k)                          A1 = Sigmoid(Z1)
  f.Z2 = net.W2 * f.A1 + net.b2;    // z2 = w2_1 a1_1 + w2_2 a1_2 + b2         Z2 = A1·W2 + B2
  f.A2 = sigmoid(arma::mat(f.Z2));  // a2 = σ(z2)                              A2 = Logistic(Z2)
  return f;
  // END EXERCISE
}

double cost(const arma::rowvec& A2, const arma::rowvec& Y) {
  // (12) J = −(1/m) Σ [y ln a2 + (1 − y) ln(1 − a2)]   (note 003's formula 12 misses the brackets)
  return BinaryCrossEntropy<double>().cost(A2, Y);
}

Gradients backward(const XorNetwork& net, const arma::mat& X, const arma::rowvec& Y, const Forward& f) {
  // BEGIN EXERCISE ch04.backward
  // hint: (13) dZ2 = (A2 − Y)/m   (14) dW2 = dZ2·A1ᵀ   (15) dB2 = Σ dZ2   (16) dA1 = W2ᵀ·dZ2
  // hint: (17) σ'(Z1) = A1 ⊙ (1 − A1)   (18) dZ1 = dA1 ⊙ σ'(Z1)   (19) dW1 = dZ1·Xᵀ   (20) dB1 = Σ_columns dZ1;
  // hint: m = X.n_cols; % is Armadillo's element-wise product ⊙; arma::sum(M, 1) sums each row
  const double m = double(X.n_cols);
  Gradients g;
  g.dZ2 = (f.A2 - Y) / m;      // (13) ∂J/∂Z2 = A2 − Y (per example; /m: the mean)   note 003: A2 − Y
  g.dW2 = g.dZ2 * f.A1.t();    // (14) ∂J/∂W2 = dZ2·A1ᵀ                               A1ᵀ·dZ2
  g.dB2 = arma::accu(g.dZ2);   // (15) ∂J/∂b2 = Σ dZ2                                 dZ2
  g.dA1 = net.W2.t() * g.dZ2;  // (16) ∂J/∂A1 = W2ᵀ·dZ2                               dZ2·W2ᵀ
  g.dsigma1 = f.A1 % (1.0 - f.A1);  // (17) ∂A1/∂Z1 = A1 ⊙ (1 − A1)                        A1 ⊙ (1 − A1) → "dA1"
  g.dZ1 = g.dA1 % g.dsigma1;    // (18) ∂J/∂Z1 = W2ᵀ·dZ2 ⊙ A1 ⊙ (1 − A1)               dZ2·W2ᵀ ⊙ dA1
  g.dW1 = g.dZ1 * X.t();        // (19) ∂J/∂W1 = dZ1·Xᵀ                                Xᵀ·dZ1
  g.dB1 = arma::sum(g.dZ1, 1);  // (20) ∂J/∂b1 = Σ_columns dZ1                         dZ1
  return g;
  // END EXERCISE
}

void update(XorNetwork& net, const Gradients& g, double learning_rate) {
  net.W1 -= learning_rate * g.dW1;  // W1 ← W1 − α dW1
  net.b1 -= learning_rate * g.dB1;  // b1 ← b1 − α dB1
  net.W2 -= learning_rate * g.dW2;  // W2 ← W2 − α dW2
  net.b2 -= learning_rate * g.dB2;  // b2 ← b2 − α dB2
}

bool solved(const arma::rowvec& A2, const arma::rowvec& Y, double tolerance) {
  return arma::abs(A2 - Y).max() < tolerance;
}

double accuracy(const arma::rowvec& A2, const arma::rowvec& Y) {
  const arma::urowvec predicted = A2 > 0.5;
  const arma::urowvec target = Y > 0.5;
  return double(arma::accu(predicted == target)) / double(Y.n_elem);
}

TrainingRun train(XorNetwork start, const XorData& data, int max_epochs, double learning_rate, int extra_epochs,
                  double tolerance) {
  TrainingRun run;
  run.net = std::move(start);
  Forward f = forward(run.net, data.X);
  run.cost.push_back(cost(f.A2, data.Y));
  for (int epoch = 1; epoch <= max_epochs; ++epoch) {
    const Gradients g = backward(run.net, data.X, data.Y, f);
    update(run.net, g, learning_rate);
    f = forward(run.net, data.X);
    run.cost.push_back(cost(f.A2, data.Y));
    run.epochs = epoch;
    if (run.solved_at < 0 && solved(f.A2, data.Y, tolerance)) run.solved_at = epoch;
    if (run.solved_at >= 0 && extra_epochs >= 0 && epoch >= run.solved_at + extra_epochs) break;
  }
  return run;
}

}  // namespace course::ch04
