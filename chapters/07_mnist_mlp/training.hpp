// The one training loop of the course: mini-batch gradient descent over epochs.
//
// Every network from chapter 7's on (chapters 3–5 wrote a small loop by hand)
// to the final MNIST classifier trains here. One epoch (note 001 §2.1):
//
//   shuffle the m examples (a new order every epoch; or an order of the caller's:
//                            chapter 13 repeats the rare class, chapter 9 drops the last short batch)
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
// from 7 on that trains a network runs it (chapters 3–5 wrote a small one by hand).
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
#include "common/format.hpp"
#include "common/progress.hpp"

namespace course {

// X_b = the columns order[first..last] of X (n × b), into X_b's memory when its
// size is already right. Images kept in another form (chapter 7's bytes,
// fast_batches.hpp) specialise BatchGather for their type.
template <typename Images>
struct BatchGather {
  template <typename eT>
  static void gather(const Images& X, const arma::uvec& order, arma::uword first, arma::uword last, arma::Mat<eT>& Xb) {
    Xb = X.cols(order.subvec(first, last));
  }
};

template <typename Images, typename eT>
void gather_batch(const Images& X, const arma::uvec& order, arma::uword first, arma::uword last, arma::Mat<eT>& Xb) {
  BatchGather<Images>::gather(X, order, first, last, Xb);
}

// Called after every step with the batch's cost J_b (taken before the step);
// returning false ends the epoch there (chapter 9 counts steps, not epochs).
using OnStep = std::function<bool(double batch_cost)>;

// One epoch of mini-batch training, with the buffers it reuses: no allocation in
// the loop once the first epoch has sized them.
template <typename eT>
class MinibatchTrainer {
 public:
  using Mat = arma::Mat<eT>;

  // One optimiser step per mini-batch of `order` (positions of columns of (X, Y),
  // cut into batches of batch_size, the last one smaller). Returns the mean of
  // the mini-batches' costs J (each taken before its own step), weighted by
  // their sizes. X: n_0 × m (a matrix, or chapter 7's bytes); Y: n_L × m.
  template <typename Images>
  double train_epoch(Network<eT>& net, Optimizer<eT>& optimizer, const Images& X, const Mat& Y, arma::uword batch_size,
                     const arma::uvec& order, const OnStep& on_step = {}) {
    if (X.n_cols != Y.n_cols)
      throw std::invalid_argument("train_epoch: X has " + std::to_string(X.n_cols) + " columns but Y is " +
                                  shape_of(Y) + " (one column per example in both)");
    if (batch_size == 0) throw std::invalid_argument("train_epoch: the batch size must be at least 1");
    if (!order.is_empty() && order.max() >= X.n_cols)
      throw std::invalid_argument("train_epoch: the order names example " + std::to_string(order.max()) + " of " +
                                  std::to_string(X.n_cols));
    const std::vector<Parameter<eT>> params = net.parameters();  // θ and dθ: the optimiser's view of the network
    // BEGIN EXERCISE ch07.train_epoch
    // hint: the positions first..last of `order` are one mini-batch, for first = 0, batch_size, 2·batch_size, ...
    // hint: gather_batch copies those columns of X (and of Y) into a buffer that is reused batch after batch
    // hint: then forward, the batch's cost (before the step), backward, one optimiser step
    // hint: the mean cost weights each batch by its size; on_step (when given) hears each batch's cost
    const arma::uword n = order.n_elem;
    double total_cost = 0;
    arma::uword seen = 0;
    for (arma::uword first = 0; first < n; first += batch_size) {
      const arma::uword last = std::min(first + batch_size, n) - 1;  // the last batch may be smaller
      gather_batch(X, order, first, last, Xb_);                      // X_b: n_0 × b (into a reused buffer)
      gather_batch(Y, order, first, last, Yb_);                      // Y_b: n_L × b
      net.forward(Xb_);                                              // a^L = net(X_b)
      const double batch_cost = double(net.loss_value(Yb_));         // J of this batch, before its step
      total_cost += batch_cost * double(last - first + 1);
      seen += last - first + 1;
      net.backward(Yb_);       // dθ = ∂J/∂θ (BP1–BP4)
      optimizer.step(params);  // θ ← θ − η dθ (or chapter 9's steps)
      if (on_step && !on_step(batch_cost)) break;
    }
    return seen ? total_cost / double(seen) : 0.0;
    // END EXERCISE
  }

  // The usual epoch: every example once, in a new random order (note 001 §2.1).
  template <typename Images>
  double train_epoch(Network<eT>& net, Optimizer<eT>& optimizer, const Images& X, const Mat& Y, arma::uword batch_size,
                     std::mt19937_64& gen) {
    return train_epoch(net, optimizer, X, Y, batch_size, shuffled_indices(X.n_cols, gen));
  }

 private:
  Mat Xb_, Yb_;  // one mini-batch
};

// ---------------------------------------------------------------------------
// Evaluation: cost and accuracy on a whole set, forward only, in evaluation
// mode, in chunks (bounded memory for the cache).
// ---------------------------------------------------------------------------

struct Evaluation {
  double cost = 0;  // the loss alone, (1/m) Σ loss (no penalty: comparable across regularisers)
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // classification (Y one-hot, C > 1 rows) only
  arma::urowvec predicted;                                     // 1 × m predicted classes (classification only)
};

template <typename eT>
Evaluation evaluate(Network<eT>& net, const arma::Mat<eT>& X, const arma::Mat<eT>& Y, arma::uword chunk = 10000) {
  if (X.n_cols != Y.n_cols)
    throw std::invalid_argument("evaluate: X has " + std::to_string(X.n_cols) + " columns but Y has " +
                                std::to_string(Y.n_cols));
  EvaluationMode<eT> evaluation(net);  // dropout off, batch norm's running averages
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

// Each epoch's order of the m training examples (positions 0..m−1, repeats
// allowed); none: a new shuffle every epoch.
using ExampleOrder = std::function<arma::uvec(arma::uword m, std::mt19937_64& gen)>;

struct FitSettings {
  int epochs = 10;
  arma::uword batch_size = 64;
  int record_every = 1;                            // evaluate every k epochs (and after the last)
  const LearningRateSchedule* schedule = nullptr;  // η per epoch; none: the optimiser's own, unchanged
  std::string progress;                            // a progress bar with this label ("" for none)
  ExampleOrder order = {};                         // each epoch's order of the examples (none: shuffled)
  // A run that blows up is stopped: fit throws "training diverged at epoch e ..." (naming the epoch
  // and the rate) when an epoch's training cost J is NaN or infinite, or when it is more than
  // divergence_factor × J₀, the cost of the very first mini-batch (before any step). 0 turns the
  // second rule off, for a lesson that shows a net which blows up and then sits there (chapter 10).
  double divergence_factor = 10;
  arma::uword eval_chunk = 10000;  // examples per forward pass when evaluating (the layers'
                                   // caches grow with it: 800 units × 10,000 is 32 MB a layer)
};

// fit records an EpochRecord (common/progress.hpp) per recorded epoch: the
// learning rate, the running cost, the train and dev costs (the loss alone, in
// evaluation mode) and accuracies (classification), and the seconds of
// training so far (the evaluations left out).
// It stops a run that blew up (FitSettings::divergence_factor) with TrainingDiverged.
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
  double first_cost = std::numeric_limits<double>::quiet_NaN();  // J₀: the first mini-batch's cost, before its step
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    if (settings.schedule) optimizer.set_learning_rate(eT(settings.schedule->rate(epoch)));  // η for this epoch
    const Clock::time_point start = Clock::now();
    const arma::uvec order =
        settings.order ? settings.order(X_train.n_cols, gen) : shuffled_indices(X_train.n_cols, gen);
    const double running_cost =
        trainer.train_epoch(net, optimizer, X_train, Y_train, settings.batch_size, order, [&](double batch_cost) {
          if (std::isnan(first_cost)) first_cost = batch_cost;  // J₀
          return true;
        });
    seconds += std::chrono::duration<double>(Clock::now() - start).count();
    const std::string rate = format_value("%g", double(optimizer.learning_rate()));
    check_finite(running_cost, "the training cost J (learning rate " + rate + ")", epoch);
    if (settings.divergence_factor > 0 && running_cost > settings.divergence_factor * first_cost)
      throw TrainingDiverged("training diverged at epoch " + std::to_string(epoch) +
                             ": the training cost J = " + format_value("%.4g", running_cost) + " is more than " +
                             format_value("%g", settings.divergence_factor) + " × its start J₀ = " +
                             format_value("%.4g", first_cost) + " (learning rate " + rate + "); try a smaller --lr");
    if (epoch % settings.record_every != 0 && epoch != settings.epochs) continue;
    EpochRecord record{
        .epoch = epoch, .learning_rate = double(optimizer.learning_rate()), .running_cost = running_cost};
    std::vector<std::pair<std::string, double>> shown;  // what the progress line prints
    auto measure = [&](const LabelledSet<eT>& set, const std::string& label, double& cost, double& accuracy) {
      if (set.empty()) return;
      const Evaluation e = evaluate(net, *set.X, *set.Y, settings.eval_chunk);
      cost = e.cost;
      accuracy = e.accuracy;
      shown.emplace_back(label + " cost", e.cost);
      if (!std::isnan(e.accuracy)) shown.emplace_back(label + " acc", e.accuracy);
    };
    measure(train_eval, "train", record.train_cost, record.train_accuracy);
    measure(dev, "dev", record.dev_cost, record.dev_accuracy);
    record.seconds = seconds;
    history.add(record);
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

}  // namespace course
