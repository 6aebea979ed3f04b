// A small network chained by hand: its layers called one after another forward,
// and in reverse backward. That is all a network does; chapter 6 turns it into
// a Network of any depth (network.hpp), and chapter 7 into the course's one
// training loop. Chapters 3, 4 and 5 write theirs out.
//
// The two-layer network (chapter 3's 1-3-1 sine fit, chapter 5's 2-3-3 classifier):
//
//   forward    Z1 = W1·X + b1        (Linear 1: h × m)
//              A1 = σ(Z1)            (Sigmoid:  h × m)
//              Z2 = W2·A1 + b2       (Linear 2: k × m; the output, or the logits for a softmax loss)
//              J  = loss(Z2, Y)
//   backward   dZ2 = ∂J/∂Z2                              (the loss's gradient, with its 1/m)
//              dW2 = dZ2·A1ᵀ,  db2 = Σ_cols dZ2,  dA1 = W2ᵀ·dZ2   (Linear 2)
//              dZ1 = dA1 ⊙ A1 ⊙ (1 − A1)                 (Sigmoid: σ' = σ(1 − σ))
//              dW1 = dZ1·Xᵀ,   db1 = Σ_cols dZ1          (Linear 1; ∂J/∂X is never needed)
//
// and the linear model, one Linear layer and the loss (no hidden layer).
#pragma once
#include <armadillo>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/linear.hpp"
#include "common/data.hpp"
#include "common/progress.hpp"

namespace course {

template <class OutputLoss>
class TwoLayerNetwork {
 public:
  // The two Linear layers, already initialised (their draws happen in the caller's order).
  TwoLayerNetwork(Linear<double> hidden, Linear<double> output) : hidden(std::move(hidden)), output(std::move(output)) {
    this->hidden.want_input_gradient(false);  // dW1 needs dZ1, not ∂J/∂X
  }

  Linear<double> hidden;  // W1: h × n, b1: h × 1
  Sigmoid<double> activation;
  Linear<double> output;  // W2: k × h, b2: k × 1
  OutputLoss loss;

  const arma::mat& forward(const arma::mat& X) {
    X_ = X;
    hidden.forward(X_, Z1_);       // Z1 = W1·X + b1
    activation.forward(Z1_, A1_);  // A1 = σ(Z1)
    output.forward(A1_, Z2_);      // Z2 = W2·A1 + b2
    return Z2_;
  }
  double cost(const arma::mat& Y) const { return loss.cost(Z2_, Y); }  // J of the last forward

  void backward(const arma::mat& Y) {
    loss.gradient(Z2_, Y, dZ2_);                // dZ2 = ∂J/∂Z2
    output.backward(A1_, Z2_, dZ2_, dA1_);      // dW2 = dZ2·A1ᵀ, db2 = Σ dZ2, dA1 = W2ᵀ·dZ2
    activation.backward(Z1_, A1_, dA1_, dZ1_);  // dZ1 = dA1 ⊙ A1 ⊙ (1 − A1)
    hidden.backward(X_, Z1_, dZ1_, dX_);        // dW1 = dZ1·Xᵀ, db1 = Σ dZ1
  }

  // The class of each column: the row of its largest output (classification).
  arma::urowvec predict(const arma::mat& X) { return arma::index_max(forward(X), 0); }

  // A1 of the last forward (h × m): what each hidden unit computed.
  const arma::mat& hidden_activation() const { return A1_; }

  std::vector<Parameter<double>> parameters() {
    std::vector<Parameter<double>> all = hidden.parameters();
    for (const Parameter<double>& p : output.parameters()) all.push_back(p);
    return all;
  }

 private:
  arma::mat X_, Z1_, A1_, Z2_;      // the forward pass (the cache of note 001 §5.2)
  arma::mat dZ2_, dA1_, dZ1_, dX_;  // the backward pass (dX_ stays empty)
};

// The linear model Z = W·X + b with a loss: no hidden layer, so no bend.
template <class OutputLoss>
class LinearModel {
 public:
  explicit LinearModel(Linear<double> layer) : layer(std::move(layer)) { this->layer.want_input_gradient(false); }

  Linear<double> layer;
  OutputLoss loss;

  const arma::mat& forward(const arma::mat& X) {
    X_ = X;
    layer.forward(X_, Z_);  // Z = W·X + b
    return Z_;
  }
  double cost(const arma::mat& Y) const { return loss.cost(Z_, Y); }
  void backward(const arma::mat& Y) {
    loss.gradient(Z_, Y, dZ_);         // dZ = ∂J/∂Z
    layer.backward(X_, Z_, dZ_, dX_);  // dW = dZ·Xᵀ, db = Σ dZ
  }
  arma::urowvec predict(const arma::mat& X) { return arma::index_max(forward(X), 0); }
  std::vector<Parameter<double>> parameters() { return layer.parameters(); }

 private:
  arma::mat X_, Z_, dZ_, dX_;
};

// ---------------------------------------------------------------------------
// Mini-batch gradient descent (note 001 §2.1), for any of the models above:
//   every epoch: shuffle the m examples, then for each mini-batch (X_b, Y_b)
//   forward, backward, and θ ← θ − α ∂J_b/∂θ for every parameter.
// Every `record_every` epochs (and after the last) it records the cost J on the
// whole train and dev sets, and the accuracy when Y has several rows (one-hot).
// ---------------------------------------------------------------------------

struct TrainingSettings {
  int epochs = 1000;
  double lr = 0.1;  // α
  int batch_size = 10;
};

// The fraction of columns whose largest score is the one-hot target's class.
inline double one_hot_accuracy(const arma::mat& scores, const arma::mat& Y) {
  const arma::urowvec predicted = arma::index_max(scores, 0), labels = arma::index_max(Y, 0);
  return double(arma::accu(predicted == labels)) / double(Y.n_cols);
}

template <class Model>
History train_minibatch(Model& model, const arma::mat& X, const arma::mat& Y, const arma::mat& X_dev,
                        const arma::mat& Y_dev, const TrainingSettings& settings, std::mt19937_64& gen,
                        int record_every = 1, const std::string& progress_label = "") {
  const arma::uword m = X.n_cols, batch = arma::uword(settings.batch_size);
  std::unique_ptr<Progress> progress;
  if (!progress_label.empty()) progress = std::make_unique<Progress>(progress_label, settings.epochs);
  History history;
  arma::mat Xb, Yb;
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    const arma::uvec order = shuffled_indices(m, gen);  // a new order every epoch
    for (arma::uword first = 0; first < m; first += batch) {
      const arma::uword last = std::min(first + batch, m) - 1;  // the last batch may be smaller
      Xb = X.cols(order.subvec(first, last));
      Yb = Y.cols(order.subvec(first, last));
      model.forward(Xb);
      model.backward(Yb);
      for (const Parameter<double>& p : model.parameters()) *p.value -= settings.lr * *p.gradient;  // θ ← θ − α dθ
    }
    if (epoch % record_every != 0 && epoch != settings.epochs) continue;
    EpochRecord record{.epoch = epoch, .learning_rate = settings.lr};
    record.train_cost = (model.forward(X), model.cost(Y));
    check_finite(record.train_cost,
                 "the training cost J (try a smaller learning rate than " + std::to_string(settings.lr) + ")", epoch);
    if (Y.n_rows > 1) record.train_accuracy = one_hot_accuracy(model.forward(X), Y);
    if (!X_dev.is_empty()) {
      record.dev_cost = (model.forward(X_dev), model.cost(Y_dev));
      if (Y.n_rows > 1) record.dev_accuracy = one_hot_accuracy(model.forward(X_dev), Y_dev);
    }
    history.add(record);
    if (progress) progress->update(epoch, {{"train cost", record.train_cost}, {"dev cost", record.dev_cost}});
  }
  if (progress) progress->finish();
  return history;
}

}  // namespace course
