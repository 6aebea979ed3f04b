// Chapter 4: XOR, the first two-layer network, written out formula by formula.
//
// The 2-2-1 network of note 003 ("非线性二分类"): two inputs, two sigmoid hidden
// units, one logistic output, binary cross-entropy. Nothing generic here on
// purpose: every matrix has a name and every line of forward() and backward() is
// one numbered formula of note 003 (12–20), rewritten for the course's convention.
//
// Convention. The course puts one example per column; note 003 puts one per row.
// Every matrix below is the transpose of note 003's:
//
//   course (column per example)         note 003 (row per example)
//   X   2 × m                           X   m × 2
//   W1  2 × 2 (row k = hidden unit k)   W1  2 × 2 (column k = hidden unit k)  = our W1ᵀ
//   b1  2 × 1                           B1  1 × 2
//   Z1 = W1·X + b1,  A1 = σ(Z1)  2 × m  Z1 = X·W1 + B1,  A1 = σ(Z1)  m × 2
//   W2  1 × 2                           W2  2 × 1                             = our W2ᵀ
//   Z2 = W2·A1 + b2, A2 = σ(Z2)  1 × m  Z2 = A1·W2 + B2, A2 = σ(Z2)  m × 1
//
// and each backward formula transposes the same way (note 003's A1ᵀ·dZ2 is our
// dZ2·A1ᵀ). Note 003 writes the loss of one example; the course averages over the
// m examples, so its 1/m sits in dZ2 and every later gradient inherits it.
#pragma once
#include <armadillo>

#include <functional>
#include <vector>

namespace course::ch04 {

// The four points of XOR: x = (0,0), (0,1), (1,0), (1,1) with y = 0, 1, 1, 0.
struct XorData {
  arma::mat X;     // 2 × 4
  arma::rowvec Y;  // 1 × 4
};
XorData xor_data();

// The parameters of the 2-2-1 network.
struct XorNetwork {
  arma::mat W1;  // 2 × 2: row k holds hidden unit k's two weights
  arma::vec b1;  // 2 × 1
  arma::mat W2;  // 1 × 2
  double b2 = 0.0;
};

// Random start: every weight N(0, std²), biases 0, from Armadillo's generator (seeded by --seed).
// Small weights (note 001 §4.5) keep the sigmoids out of their flat tails; 0.2 rather
// than the note's 0.01 because with 0.01 the start is so nearly symmetric that it
// takes tens of thousands of epochs to break; larger ones (std 1) land more often in
// a local minimum where points stay at 0.5. The program's --init-std and
// --seeds-sweep show both (README).
XorNetwork random_network(double std = 0.2);
// Every weight and bias set to `value` (0: the zero initialisation of note 001 §4.5).
XorNetwork constant_network(double value);

// What the forward pass computes and the backward pass needs (the "cache").
struct Forward {
  arma::mat Z1, A1;     // 2 × m
  arma::rowvec Z2, A2;  // 1 × m
};

// Z1 = W1·X + b1, A1 = σ(Z1), Z2 = W2·A1 + b2, A2 = σ(Z2)
Forward forward(const XorNetwork& net, const arma::mat& X);

// (12) J = −(1/m) Σ [y ln a2 + (1 − y) ln(1 − a2)]
double cost(const arma::rowvec& A2, const arma::rowvec& Y);

// Every gradient of the backward pass, intermediate ones included (the tests and
// the program look at them).
struct Gradients {
  arma::rowvec dZ2;   // 1 × m   (13)
  arma::mat dW2;      // 1 × 2   (14)
  double dB2 = 0.0;   //         (15)
  arma::mat dA1;      // 2 × m   (16)
  arma::mat dsigma1;  // 2 × m   (17)  σ'(Z1) = A1 ⊙ (1 − A1)   (note 003 calls it dA1)
  arma::mat dZ1;      // 2 × m   (18)
  arma::mat dW1;      // 2 × 2   (19)
  arma::vec dB1;      // 2 × 1   (20)
};

// Formulas 13–20, from the cache of forward().
Gradients backward(const XorNetwork& net, const arma::mat& X, const arma::rowvec& Y, const Forward& f);

// Gradient descent: every parameter θ ← θ − α dθ.
void update(XorNetwork& net, const Gradients& g, double learning_rate);

// Every output within `tolerance` of its target (0.05: the chapter's goal).
bool solved(const arma::rowvec& A2, const arma::rowvec& Y, double tolerance = 0.05);

// The fraction of examples on the right side of 0.5.
double accuracy(const arma::rowvec& A2, const arma::rowvec& Y);

struct TrainingRun {
  XorNetwork net;            // after the last epoch
  std::vector<double> cost;  // J after each epoch (cost[0]: before training)
  int epochs = 0;            // epochs run
  int solved_at = -1;        // first epoch after which every output was within the tolerance (−1: never)
};

// Full-batch gradient descent on the four points for at most `max_epochs` epochs,
// stopping early `extra_epochs` after the goal is reached (−1: never stop early).
TrainingRun train(XorNetwork start, const XorData& data, int max_epochs, double learning_rate, int extra_epochs = -1,
                  double tolerance = 0.05);

}  // namespace course::ch04
