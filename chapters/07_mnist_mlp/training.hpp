// The one training loop of the course: mini-batch gradient descent over epochs.
//
// Every network from chapter 3's sine fit to the final MNIST classifier trains
// here. One epoch (note 001 §2.1):
//
//   shuffle the m examples (a new order every epoch)
//   for each mini-batch (X_b, Y_b) of batch_size examples (the last may be smaller):
//     forward:   a^L = net(X_b)                 (chapter 6)
//     cost:      J_b = loss(a^L, Y_b) + penalty  (recorded before the step)
//     backward:  dθ = ∂J_b/∂θ                  (BP1–BP4)
//     step:      θ ← optimiser(θ, dθ)          (SGD: θ − η dθ; chapter 9: momentum, Adam...)
//
// and fit() runs epochs: it asks the learning-rate schedule for each epoch's η,
// evaluates the train and dev sets in evaluation mode, records one History
// (learning rate, costs, accuracies, seconds), stops a run that diverged, and
// tells a callback after each record, which may stop the training (early
// stopping, chapter 8).
//
// Writing the loop is chapter 7's exercise (ch07.train_epoch): every chapter
// that trains a network runs it.
#pragma once
#include <armadillo>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chapters/05_softmax/softmax.hpp"
#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/optimizer.hpp"
#include "common/data.hpp"
#include "common/exercise.hpp"
#include "common/progress.hpp"

namespace course {

// X_b = the columns order[first..last] of X (n × b), into X_b's memory when its
// size is already right.
template <typename eT>
void gather_batch(const arma::Mat<eT>& X, const arma::uvec& order, arma::uword first, arma::uword last,
                  arma::Mat<eT>& Xb) {
  Xb = X.cols(order.subvec(first, last));
}

// Chapter 7's fast path for MNIST (mnist_mlp.cpp, "making it fast"): the images
// kept as bytes k (pixel k/255), turned into floats batch by batch.
void gather_batch(const arma::Mat<std::uint8_t>& X, const arma::uvec& order, arma::uword first, arma::uword last,
                  arma::fmat& Xb);

// One epoch of mini-batch training, with the buffers it reuses: no allocation in
// the loop once the first epoch has sized them.
template <typename eT>
class MinibatchTrainer {
 public:
  using Mat = arma::Mat<eT>;

  // Shuffles the m columns of (X, Y), cuts them into mini-batches of batch_size
  // (the last one smaller), and takes one optimiser step per mini-batch.
  // Returns the mean over the epoch of the mini-batches' costs J (each taken
  // before its own step), weighted by their sizes.
  // X: n_0 × m (a matrix, or chapter 7's bytes); Y: n_L × m.
  template <typename Images>
  double train_epoch(Network<eT>& net, Optimizer<eT>& optimizer, const Images& X, const Mat& Y,
                     arma::uword batch_size, std::mt19937_64& gen) {
    if (X.n_cols != Y.n_cols)
      throw std::invalid_argument("train_epoch: X is " + shape_of(X) + " but Y is " + shape_of(Y) +
                                  " (one column per example in both)");
    if (batch_size == 0) throw std::invalid_argument("train_epoch: the batch size must be at least 1");
    const arma::uword m = X.n_cols;
    const std::vector<Parameter<eT>> params = net.parameters();  // θ and dθ: the optimiser's view of the network
    // BEGIN EXERCISE ch07.train_epoch
    // hint: order_ = shuffled_indices(m, gen): an epoch visits every example once, in a new random order
    // hint: for first = 0, batch_size, 2·batch_size, ...: the positions first..last of order_ are one mini-batch:
    // hint:   gather_batch(X, order_, first, last, Xb_); gather_batch(Y, order_, first, last, Yb_); net.forward(Xb_);
    // hint:   add net.loss_value(Yb_) · (its size) to the total; net.backward(Yb_); optimizer.step(params)
    // hint: return total / m
    order_ = shuffled_indices(m, gen);                     // shuffle: a new order every epoch
    double total_cost = 0;
    for (arma::uword first = 0; first < m; first += batch_size) {
      const arma::uword last = std::min(first + batch_size, m) - 1;  // the last batch may be smaller
      gather_batch(X, order_, first, last, Xb_);           // X_b: n_0 × b (into a reused buffer)
      gather_batch(Y, order_, first, last, Yb_);           // Y_b: n_L × b
      net.forward(Xb_);                                    // a^L = net(X_b)
      total_cost += double(net.loss_value(Yb_)) * double(last - first + 1);  // J of this batch, before its step
      net.backward(Yb_);                                   // dθ = ∂J/∂θ (BP1–BP4)
      optimizer.step(params);                              // θ ← θ − η dθ (or chapter 9's steps)
    }
    return total_cost / double(m);
    // END EXERCISE
  }

 private:
  arma::uvec order_;  // the shuffled positions 0..m−1
  Mat Xb_, Yb_;       // one mini-batch
};

// ---------------------------------------------------------------------------
// Evaluation: cost and accuracy on a whole set, forward only, in evaluation
// mode, in chunks (bounded memory for the cache).
// ---------------------------------------------------------------------------

struct Evaluation {
  double cost = 0;           // the loss alone, (1/m) Σ loss (no penalty: comparable across regularisers)
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // classification (Y one-hot, C > 1 rows) only
  arma::urowvec predicted;   // 1 × m predicted classes (classification only)
};

template <typename eT>
Evaluation evaluate(Network<eT>& net, const arma::Mat<eT>& X, const arma::Mat<eT>& Y, arma::uword chunk = 10000) {
  if (X.n_cols != Y.n_cols)
    throw std::invalid_argument("evaluate: X has " + std::to_string(X.n_cols) + " columns but Y has " +
                                std::to_string(Y.n_cols));
  EvaluationMode<eT> evaluation(net);                      // dropout off, batch norm's running averages
  const bool classification = Y.n_rows > 1;
  Evaluation result;
  if (classification) result.predicted.set_size(X.n_cols);
  double total_cost = 0;
  for (arma::uword first = 0; first < X.n_cols; first += chunk) {
    const arma::uword last = std::min(first + chunk, arma::uword(X.n_cols)) - 1;
    const arma::Mat<eT> Xc = X.cols(first, last);
    const arma::Mat<eT> Yc = Y.cols(first, last);
    const arma::Mat<eT>& scores = net.forward(Xc);
    total_cost += double(net.data_loss(Yc)) * double(last - first + 1);
    if (classification) result.predicted.subvec(first, last) = predict_classes(scores);
  }
  result.cost = total_cost / double(X.n_cols);
  if (classification) result.accuracy = classification_accuracy(result.predicted, predict_classes(Y));
  return result;
}

// ---------------------------------------------------------------------------
// fit: epochs of train_epoch, with the learning curve.
// ---------------------------------------------------------------------------

// A labelled set for evaluation: X (n_0 × m) and Y (n_L × m), or none.
template <typename eT>
struct LabelledSet {
  const arma::Mat<eT>* X = nullptr;
  const arma::Mat<eT>* Y = nullptr;
  bool empty() const { return X == nullptr; }
};

struct FitSettings {
  int epochs = 10;
  arma::uword batch_size = 64;
  int record_every = 1;                           // evaluate every k epochs (and after the last)
  const LearningRateSchedule* schedule = nullptr; // η per epoch; none: the optimiser's own, unchanged
  std::string progress;                           // a progress bar with this label ("" for none)
};

// What fit records, per recorded epoch, in a History (common/progress.hpp):
//   learning_rate, running_cost (mean J of the epoch's mini-batches, with any
//   penalty), train_cost, dev_cost (the loss alone, in evaluation mode),
//   train_accuracy, dev_accuracy (classification), seconds (of training so far,
//   the evaluations left out).
// on_record(epoch, history) is called after each record; returning false stops
// the training there (early stopping).
using OnRecord = std::function<bool(int epoch, const History& history)>;

template <typename eT, typename Images>
History fit(Network<eT>& net, Optimizer<eT>& optimizer, const Images& X_train, const arma::Mat<eT>& Y_train,
            LabelledSet<eT> train_eval, LabelledSet<eT> dev, const FitSettings& settings, std::mt19937_64& gen,
            const OnRecord& on_record = {}) {
  using Clock = std::chrono::steady_clock;
  if (settings.epochs < 1) throw std::invalid_argument("fit: expected at least 1 epoch");
  if (settings.record_every < 1) throw std::invalid_argument("fit: record_every must be at least 1");
  MinibatchTrainer<eT> trainer;
  History history;
  std::unique_ptr<Progress> progress;
  if (!settings.progress.empty()) progress = std::make_unique<Progress>(settings.progress, settings.epochs);
  double seconds = 0;
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    if (settings.schedule) optimizer.set_learning_rate(eT(settings.schedule->rate(epoch)));  // η for this epoch
    const Clock::time_point start = Clock::now();
    const double running_cost = trainer.train_epoch(net, optimizer, X_train, Y_train, settings.batch_size, gen);
    seconds += std::chrono::duration<double>(Clock::now() - start).count();
    check_finite(running_cost, "the training cost J (try a smaller learning rate than " +
                                   std::to_string(double(optimizer.learning_rate())) + ")", epoch);
    if (epoch % settings.record_every != 0 && epoch != settings.epochs) continue;
    std::vector<std::pair<std::string, double>> row = {{"learning_rate", double(optimizer.learning_rate())},
                                                       {"running_cost", running_cost}};
    std::vector<std::pair<std::string, double>> shown;
    for (const auto& [set, data] : {std::pair{"train", train_eval}, std::pair{"dev", dev}}) {
      if (data.empty()) continue;
      const Evaluation e = evaluate(net, *data.X, *data.Y);
      row.emplace_back(std::string(set) + "_cost", e.cost);
      shown.emplace_back(std::string(set) + " cost", e.cost);
      if (!std::isnan(e.accuracy)) {
        row.emplace_back(std::string(set) + "_accuracy", e.accuracy);
        shown.emplace_back(std::string(set) + " acc", e.accuracy);
      }
    }
    row.emplace_back("seconds", seconds);
    history.add(epoch, row);
    if (progress) progress->update(epoch, shown);
    if (on_record && !on_record(epoch, history)) break;
  }
  if (progress) progress->finish();
  return history;
}

// The common case: the training set is a matrix, evaluated as it is.
template <typename eT>
History fit(Network<eT>& net, Optimizer<eT>& optimizer, const arma::Mat<eT>& X_train, const arma::Mat<eT>& Y_train,
            LabelledSet<eT> dev, const FitSettings& settings, std::mt19937_64& gen, const OnRecord& on_record = {}) {
  return fit(net, optimizer, X_train, Y_train, LabelledSet<eT>{&X_train, &Y_train}, dev, settings, gen, on_record);
}

// Plain SGD at one learning rate, recording the train and dev sets every
// `record_every` epochs: how chapters 3 and 5 train their small networks.
struct SgdSettings {
  int epochs = 1000;
  double lr = 0.1;
  int batch_size = 10;
};

template <typename eT>
History train_sgd(Network<eT>& net, const arma::Mat<eT>& X, const arma::Mat<eT>& Y, LabelledSet<eT> dev,
                  const SgdSettings& settings, std::mt19937_64& gen, int record_every = 1,
                  const std::string& progress = "") {
  SGD<eT> sgd(eT(settings.lr));
  return fit(net, sgd, X, Y, dev,
             {.epochs = settings.epochs, .batch_size = arma::uword(settings.batch_size), .record_every = record_every,
              .schedule = nullptr, .progress = progress},
             gen);
}

}  // namespace course
