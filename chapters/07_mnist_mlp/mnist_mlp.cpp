#include "chapters/07_mnist_mlp/mnist_mlp.hpp"

#include <algorithm>
#include <cmath>

#include "common/exercise.hpp"

namespace course::ch07 {

Network<float> make_mnist_mlp() { return make_mlp<float>(784, 64, 16, 10); }

arma::Mat<std::uint8_t> to_bytes(const arma::fmat& X) {
  arma::Mat<std::uint8_t> bytes(X.n_rows, X.n_cols, arma::fill::none);
  for (arma::uword k = 0; k < X.n_elem; ++k) {
    const float scaled = X[k] * 255.0f;                    // k/255 · 255 = k (to rounding)
    const long level = std::lround(scaled);
    if (level < 0 || level > 255 || std::abs(scaled - float(level)) > 1e-3f)
      throw std::invalid_argument("to_bytes: element " + std::to_string(k) + " is " + std::to_string(X[k]) +
                                  ", not a pixel k/255 with k in 0..255");
    bytes[k] = static_cast<std::uint8_t>(level);
  }
  return bytes;
}

void gather_batch(const arma::Mat<std::uint8_t>& X, const arma::uvec& order, arma::uword first, arma::uword last,
                  arma::fmat& Xb) {
  const float scale = 1.0f / 255.0f;                       // as common/data.cpp: x = k · (1/255)
  Xb.set_size(X.n_rows, last - first + 1);                 // keeps its memory when the size is unchanged
  // The images are read in a random order, so each one is a fresh trip to main
  // memory; asking for image j + 8 while converting image j keeps several trips
  // under way at once (a software prefetch, one per 64-byte cache line).
  const arma::uword n = last - first + 1, ahead = 8;
  for (arma::uword j = 0; j < n + ahead; ++j) {
    if (j < n) {
      const std::uint8_t* upcoming = X.colptr(order[first + j]);
      for (arma::uword byte = 0; byte < X.n_rows; byte += 64) __builtin_prefetch(upcoming + byte);
    }
    if (j < ahead) continue;
    const std::uint8_t* __restrict in = X.colptr(order[first + j - ahead]);  // one image: 784 contiguous bytes
    float* __restrict out = Xb.colptr(j - ahead);          // (restrict: they do not overlap, so the loop vectorises)
    for (arma::uword i = 0; i < X.n_rows; ++i) out[i] = static_cast<float>(in[i]) * scale;
  }
}

double MinibatchTrainer::train_epoch(Network<float>& net, const arma::Mat<std::uint8_t>& X, const arma::fmat& Y,
                                     arma::uword batch_size, float learning_rate, std::mt19937_64& gen) {
  if (X.n_cols != Y.n_cols)
    throw std::invalid_argument("train_epoch: X is " + shape_of(X) + " but Y is " + shape_of(Y) + " (one column per example in both)");
  if (batch_size == 0) throw std::invalid_argument("train_epoch: the batch size must be at least 1");
  const arma::uword m = X.n_cols;
  // BEGIN EXERCISE ch07.train_epoch
  // hint: order_ = shuffled_indices(m, gen): an epoch visits every example once, in a new random order
  // hint: for first = 0, batch_size, 2·batch_size, ...: the positions first..last of order_ are one mini-batch:
  // hint:   gather_batch(X, order_, first, last, Xb_); Yb_ = Y.cols(order_.subvec(first, last)); net.forward(Xb_);
  // hint:   add net.loss_value(Yb_) · (its size) to the total; net.backward(Yb_); net.step(learning_rate)
  // hint: return total / m
  order_ = shuffled_indices(m, gen);                       // shuffle: a new order every epoch
  double total_cost = 0;
  for (arma::uword first = 0; first < m; first += batch_size) {
    const arma::uword last = std::min(first + batch_size, m) - 1;      // the last batch may be smaller
    gather_batch(X, order_, first, last, Xb_);             // X_b: 784 × b floats (into a reused buffer)
    Yb_ = Y.cols(order_.subvec(first, last));              // Y_b: 10 × b
    net.forward(Xb_);                                      // formulas (1)–(6)
    total_cost += double(net.loss_value(Yb_)) * double(last - first + 1);  // J of this batch, before its step
    net.backward(Yb_);                                     // formulas (7)–(17)
    net.step(learning_rate);                               // θ ← θ − η dθ
  }
  return total_cost / double(m);
  // END EXERCISE
}

Evaluation evaluate(Network<float>& net, const arma::fmat& X, const arma::Row<std::uint8_t>& labels) {
  if (X.n_cols != labels.n_elem)
    throw std::invalid_argument("evaluate: X has " + std::to_string(X.n_cols) + " columns but there are " +
                                std::to_string(labels.n_elem) + " labels");
  Evaluation result;
  result.predicted.set_size(X.n_cols);
  const arma::uword chunk = 10000;                         // bounded memory for the cache
  double total_cost = 0;
  for (arma::uword first = 0; first < X.n_cols; first += chunk) {
    const arma::uword last = std::min(first + chunk, arma::uword(X.n_cols)) - 1;
    const arma::fmat Xc = X.cols(first, last);
    const arma::fmat Yc = one_hot<float>(labels.subvec(first, last));
    const arma::fmat& scores = net.forward(Xc);
    total_cost += double(net.loss_value(Yc)) * double(last - first + 1);
    result.predicted.subvec(first, last) = arma::index_max(scores, 0);
  }
  result.cost = total_cost / double(X.n_cols);
  result.accuracy = double(arma::accu(result.predicted == arma::conv_to<arma::urowvec>::from(labels))) / double(X.n_cols);
  return result;
}

arma::umat confusion_matrix(const arma::urowvec& predicted, const arma::Row<std::uint8_t>& labels, arma::uword classes) {
  if (predicted.n_elem != labels.n_elem)
    throw std::invalid_argument("confusion_matrix: " + std::to_string(predicted.n_elem) + " predictions for " +
                                std::to_string(labels.n_elem) + " labels");
  arma::umat counts(classes, classes, arma::fill::zeros);
  for (arma::uword i = 0; i < labels.n_elem; ++i) {
    if (labels[i] >= classes || predicted[i] >= classes)
      throw std::invalid_argument("confusion_matrix: class out of range at example " + std::to_string(i));
    ++counts(labels[i], predicted[i]);
  }
  return counts;
}

double training_flops(const std::vector<arma::uword>& sizes, double examples) {
  double per_example = 0;
  for (std::size_t l = 1; l < sizes.size(); ++l) {
    const double products = double(sizes[l]) * double(sizes[l - 1]);  // W^l is n_l × n_{l−1}
    per_example += 2 * products;                   // forward W·A
    per_example += 2 * products;                   // dW = dZ·Aᵀ
    if (l > 1) per_example += 2 * products;        // dA = Wᵀ·dZ (not for the first layer)
  }
  return per_example * examples;
}

}  // namespace course::ch07
