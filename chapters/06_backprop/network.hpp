// A network of any depth: a chain of layers, a loss, and backpropagation.
//
// Chapters 3–5 gave us layers (Linear, the activations, Softmax) that each know
// their own forward and backward pass, and losses that give J and ∂J/∂A. A
// network is nothing more than those layers in a row (after mlpack's FFN):
//
//   a⁰ = X                                    (n_0 × m: one example per column)
//   z^l = W^l a^{l−1} + b^l                   (Linear layer l:     n_l × m)
//   a^l = f^l(z^l)                            (activation layer l: n_l × m)
//   J   = loss(a^L, Y)                        (the mean over the m examples)
//
// The dimensions (note 001 §5.1): W^l is n_l × n_{l−1}, b^l is n_l × 1, and
// z^l, a^l, δ^l are n_l × m; dW^l and db^l have the shapes of W^l and b^l.
//
// forward() keeps the input and output of every layer: that is the cache of
// note 001 §5.2, which backward() needs (a^{l−1} for dW^l, a^l or z^l for f').
//
// backward() runs the four equations of backpropagation (notes 000, 004 §2),
// written with δ^l = ∂J/∂z^l:
//
//   BP1  δ^L = ∇_a J ⊙ f'(z^L)                    the output layer's error
//   BP2  δ^l = ((W^{l+1})ᵀ δ^{l+1}) ⊙ f'(z^l)      one layer back
//   BP3  ∂J/∂W^l = δ^l (a^{l−1})ᵀ                 (summed over the m columns)
//   BP4  ∂J/∂b^l = δ^l                            (summed over the m columns: Σ_columns δ^l)
//
// (Note 000 numbers the last two the other way round: its BP3 is the bias, its
// BP4 the weights. The course follows the syllabus and note 004.) Each layer
// does its part of these equations: an activation layer multiplies by f'(z)
// (the "⊙ f'(z)" of BP1 and BP2), a Linear layer computes BP3, BP4 and the
// (W^l)ᵀ δ^l that BP2 hands to the layer before. The 1/m of the mean is in the
// loss's gradient ∇_a J, so it is in every δ.
//
// Every matrix's shape is checked as it goes: a wrong one stops with a message
// naming the layer and both shapes.
//
// Saving and loading the layers' matrices is model_file.hpp; building a
// network from names ("sigmoid", "cross_entropy") is network_builder.hpp.
//
// What the network does not do is change θ: an optimiser does that from the
// parameter list (optimizer.hpp; chapter 9 adds momentum, RMSprop and Adam),
// and chapter 7's training loop (training.hpp) runs forward, backward and the
// optimiser's step over the mini-batches. A penalty on θ (chapter 8's L2 and L1)
// is part of the cost: J = loss + penalty, and backward adds its gradient, so
// the gradient check (gradient_check.hpp) checks the whole of J.
#pragma once
#include <armadillo>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "chapters/05_softmax/softmax.hpp"
#include "common/exercise.hpp"

namespace course {

// A term added to the cost that depends on θ only (chapter 8: L2, L1):
//   J = (1/m) Σ loss + penalty(θ, m)
template <typename eT>
class Penalty {
 public:
  virtual ~Penalty() = default;
  virtual std::string name() const = 0;
  // The term for a batch of m examples, e.g. L2: (λ/2m) Σ_l ‖W^l‖²
  virtual eT cost(const std::vector<Parameter<eT>>& params, arma::uword m) const = 0;
  // Adds ∂(term)/∂θ to each parameter's gradient, e.g. L2: dW += (λ/m) W
  virtual void add_gradient(const std::vector<Parameter<eT>>& params, arma::uword m) const = 0;
};

// θ as one vector (each matrix flattened column by column, in the list's order),
// dθ the same way, and θ written back from such a vector.
template <typename eT>
arma::uword parameter_count(const std::vector<Parameter<eT>>& params) {
  arma::uword n = 0;
  for (const Parameter<eT>& p : params) n += p.value->n_elem;
  return n;
}

template <typename eT>
arma::Col<eT> flatten(const std::vector<Parameter<eT>>& params, bool gradients = false) {
  arma::Col<eT> all(parameter_count(params), arma::fill::zeros);
  arma::uword offset = 0;
  for (const Parameter<eT>& p : params) {
    const arma::Mat<eT>& m = gradients ? *p.gradient : *p.value;
    if (m.n_elem != p.value->n_elem)
      throw std::logic_error("flatten: the gradient of " + p.name + " is " + shape_of(m) + " but its value is " +
                             shape_of(*p.value) + " (no backward pass yet?)");
    if (m.n_elem) all.subvec(offset, offset + m.n_elem - 1) = arma::vectorise(m);
    offset += m.n_elem;
  }
  return all;
}

template <typename eT>
void assign(const std::vector<Parameter<eT>>& params, const arma::Col<eT>& theta) {
  if (theta.n_elem != parameter_count(params))
    throw std::invalid_argument("assign: θ has " + std::to_string(theta.n_elem) + " numbers, the parameters " +
                                std::to_string(parameter_count(params)));
  arma::uword offset = 0;
  for (const Parameter<eT>& p : params) {
    arma::Mat<eT>& m = *p.value;
    if (m.n_elem) m = arma::reshape(theta.subvec(offset, offset + m.n_elem - 1), m.n_rows, m.n_cols);
    offset += m.n_elem;
  }
}

template <typename eT>
class Network {
 public:
  using Mat = arma::Mat<eT>;

  Network() = default;
  Network(Network&&) noexcept = default;
  Network& operator=(Network&&) noexcept = default;

  // Appends a layer; returns it (typed) so that its parameters can be set.
  template <class L>
  L& add(std::unique_ptr<L> layer) {
    L& ref = *layer;
    layers_.push_back(std::move(layer));
    cache_.resize(layers_.size());
    deltas_.resize(layers_.size() + 1);
    return ref;
  }
  template <template <typename> class L, typename... Args>
  L<eT>& add(Args&&... args) {
    return add(std::make_unique<L<eT>>(std::forward<Args>(args)...));
  }

  void set_loss(std::unique_ptr<Loss<eT>> loss) { loss_ = std::move(loss); }
  template <template <typename> class L>
  void set_loss() {
    loss_ = std::make_unique<L<eT>>();
  }

  // A penalty on θ added to the cost (none by default); nullptr removes it.
  void set_penalty(std::unique_ptr<Penalty<eT>> penalty) { penalty_ = std::move(penalty); }
  const Penalty<eT>* penalty() const { return penalty_.get(); }

  std::size_t size() const { return layers_.size(); }
  Layer<eT>& layer(std::size_t k) { return *layers_.at(k); }
  const Layer<eT>& layer(std::size_t k) const { return *layers_.at(k); }
  const Loss<eT>& loss() const { return require_loss(); }

  // Layer k as its own type, for reading its parameters in a figure:
  // net.layer_as<Linear<double>>(0). A wrong type is an error naming the layer.
  template <class L>
  L& layer_as(std::size_t k) {
    if (auto* typed = dynamic_cast<L*>(layers_.at(k).get())) return *typed;
    throw std::invalid_argument("Network: " + layer_label(k) + " is not of the type asked for");
  }

  // "layer 3 (Linear(64 -> 16))": how messages and tables name a layer (counting from 1).
  std::string layer_label(std::size_t k) const {
    return "layer " + std::to_string(k + 1) + " (" + layers_.at(k)->name() + ")";
  }

  // One line: "Linear(784 -> 64) → Sigmoid → ... → SoftmaxCrossEntropy".
  std::string describe() const {
    std::ostringstream s;
    for (std::size_t k = 0; k < layers_.size(); ++k) s << (k ? " → " : "") << layers_[k]->name();
    if (loss_) s << " → " << loss_->name();
    if (penalty_) s << " + " << penalty_->name();
    return s.str();
  }

  // ---------------------------------------------------------------------
  // Forward: a⁰ = X, then each layer's output from the one before.
  // X must stay alive until backward() (the cache points to it).
  // ---------------------------------------------------------------------
  const Mat& forward(const Mat& X) {
    if (layers_.empty()) throw std::logic_error("Network: forward() on a network without layers");
    input_ = &X;
    // BEGIN EXERCISE ch06.forward
    // hint: layer k reads the previous output (X for k = 0, else cache_[k − 1]) and writes cache_[k]:
    // hint: layers_[k]->forward(input, cache_[k]); then check that cache_[k] still has X.n_cols columns
    // hint: (throw std::invalid_argument naming layer_label(k) and both shapes), and return cache_.back()
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      const Mat& a_prev = k == 0 ? X : cache_[k - 1];  // a^{l−1}: n_{l−1} × m
      layers_[k]->forward(a_prev, cache_[k]);          // z^l = W^l a^{l−1} + b^l, or a^l = f(z^l): n_l × m
      if (cache_[k].n_cols != X.n_cols) {
        throw std::invalid_argument("Network: " + layer_label(k) + " gave an output of " + shape_of(cache_[k]) +
                                    " from an input of " + shape_of(a_prev) + ": expected " + std::to_string(X.n_cols) +
                                    " columns (one per example)");
      }
    }
    return cache_.back();  // a^L: n_L × m
    // END EXERCISE
  }
  // The cache points to X, so X must outlive the backward pass: a temporary
  // (forward(X.cols(0, 9)), forward(arma::mat(...))) would be gone by then.
  // Name the matrix first; this overload makes the mistake a compile error.
  const Mat& forward(Mat&& X) = delete;

  // The output a^L of the last forward().
  const Mat& output() const {
    if (cache_.empty() || input_ == nullptr) throw std::logic_error("Network: no forward() yet");
    return cache_.back();
  }

  // The cached output of layer k (z^l or a^l, n_l × m) from the last forward().
  const Mat& layer_output(std::size_t k) const { return cache_.at(k); }

  // The loss alone, (1/m) Σ loss(a^L, Y), for the last forward(): the figure
  // that dev and test sets report (comparable with and without a penalty).
  eT data_loss(const Mat& Y) const {
    check_targets(Y);
    return require_loss().cost(output(), Y);
  }

  // J = loss + penalty for the last forward(): what training minimises.
  eT loss_value(const Mat& Y) {
    const eT J = data_loss(Y);
    return penalty_ ? J + penalty_->cost(parameters(), Y.n_cols) : J;
  }

  // Forward and cost in one: J(X, Y) = loss + penalty.
  eT cost(const Mat& X, const Mat& Y) {
    forward(X);
    return loss_value(Y);
  }

  // ---------------------------------------------------------------------
  // Backward: BP1–BP4 from the cache of the last forward(X), for targets Y.
  // Leaves ∂J/∂θ beside every parameter (parameters()).
  // ---------------------------------------------------------------------
  void backward(const Mat& Y) {
    check_targets(Y);  // Y: n_L × m, like a^L
    const std::size_t L = layers_.size();
    // BEGIN EXERCISE ch06.backward
    // hint: BP1 starts at the loss, which gives ∂J/∂a^L (its 1/m included); then walk the layers from the last to
    // hint: the first, each turning ∂J/∂(its output) into ∂J/∂(its input) and its own dW, db (BP2–BP4); each layer
    // hint: needs the input it saw in the forward pass and its cache; the first layer's ∂J/∂X may be skipped
    // hint: check that each deltas_[k] has the shape of layer k's input (std::invalid_argument naming layer_label(k)),
    // hint: and finish with check_gradient_shapes()
    require_loss().gradient(cache_[L - 1], Y, deltas_[L]);  // ∇_a J = ∂J/∂a^L (n_L × m, carries the 1/m)
    layers_[0]->want_input_gradient(input_gradient_);       // ∂J/∂X only when wanted (want_input_gradient)
    for (std::size_t k = L; k-- > 0;) {
      const Mat& a_prev = k == 0 ? *input_ : cache_[k - 1];  // the layer's input a^{l−1} (or z^l)
      const Mat& d_output = deltas_[k + 1];                  // ∂J/∂(its output)
      Mat& d_input = deltas_[k];                             // ∂J/∂(its input), for the layer before
      // An activation layer:  δ^l = ∂J/∂a^l ⊙ f'(z^l)          BP1 for the last layer, the "⊙ f'(z^l)" of BP2 otherwise
      // A Linear layer:       ∂J/∂W^l = δ^l (a^{l−1})ᵀ          BP3  (n_l × n_{l−1}, summed over the m columns)
      //                       ∂J/∂b^l = Σ_columns δ^l            BP4  (n_l × 1)
      //                       ∂J/∂a^{l−1} = (W^l)ᵀ δ^l           the first half of BP2 (n_{l−1} × m)
      layers_[k]->backward(a_prev, cache_[k], d_output, d_input);
      if (k == 0 && !input_gradient_) break;  // ∂J/∂X was not computed
      if (d_input.n_rows != a_prev.n_rows || d_input.n_cols != a_prev.n_cols) {
        throw std::invalid_argument("Network: " + layer_label(k) + " gave ∂J/∂input of " + shape_of(d_input) +
                                    " but its input is " + shape_of(a_prev));
      }
    }
    check_gradient_shapes();  // dW^l like W^l, db^l like b^l
    // END EXERCISE
    if (penalty_) penalty_->add_gradient(parameters(), Y.n_cols);  // J = loss + penalty: dθ += ∂penalty/∂θ
  }

  // The input gradient ∂J/∂X, the gradient with respect to the data: whether
  // backward() computes it, and its value after backward() (n_0 × m; empty when
  // not wanted). Training never needs it, and for the first Linear layer it is
  // a whole matrix product (Wᵀ·δ: for 784-64-16-10, a third of the backward
  // work), so it is off by default; a gradient check of the input turns it on.
  void want_input_gradient(bool wanted) { input_gradient_ = wanted; }
  bool wants_input_gradient() const { return input_gradient_; }
  const Mat& input_gradient() const { return deltas_.at(0); }

  // ---------------------------------------------------------------------
  // Parameters θ with their gradients dθ, in order: "layer 1 W", "layer 1 b",
  // "layer 3 W", ... (the network's list is its layers' lists one after another).
  // ---------------------------------------------------------------------
  std::vector<Parameter<eT>> parameters() {
    return named_by_layer([](Layer<eT>& layer) { return layer.parameters(); });
  }
  // The number of trainable numbers (the length of θ).
  std::size_t parameter_count() { return course::parameter_count(parameters()); }
  // θ and dθ as one vector each, and θ written back from one (the gradient check's view).
  arma::Col<eT> flatten() { return course::flatten(parameters()); }
  arma::Col<eT> flatten_gradients() { return course::flatten(parameters(), /*gradients=*/true); }
  void assign(const arma::Col<eT>& theta) { course::assign(parameters(), theta); }

  // The untrained state of every layer (batch norm's running averages), named like the parameters.
  std::vector<State<eT>> state() {
    return named_by_layer([](Layer<eT>& layer) { return layer.state(); });
  }

  // ---------------------------------------------------------------------
  // Training and evaluation modes. Training is the default; predict() and
  // evaluation (training.hpp's evaluate) switch to evaluation mode for their
  // forward passes with an EvaluationMode guard (below), which switches back
  // even when something throws.
  // ---------------------------------------------------------------------
  void set_training(bool training) {
    training_ = training;
    for (auto& layer : layers_) layer->set_training(training);
  }
  bool training() const { return training_; }

  // The gradient check needs J(θ) to be a function of θ alone: held, a layer
  // that draws random numbers (dropout) reuses its last draw.
  void hold_randomness(bool hold) {
    for (auto& layer : layers_) layer->hold_randomness(hold);
  }

  // The predicted class of each column (argmax of a^L; for SoftmaxCrossEntropy
  // the last layer gives the logits z^L, whose argmax is the same), in evaluation mode.
  arma::urowvec predict(const Mat& X);

 private:
  // Every layer's entries (parameters or state) in order, each name prefixed
  // with its layer: "W" of the first layer is "layer 1 W".
  template <class Entries>
  auto named_by_layer(Entries entries_of) {
    decltype(entries_of(*layers_.front())) all;
    for (std::size_t k = 0; k < layers_.size(); ++k)
      for (auto entry : entries_of(*layers_[k])) {
        entry.name = "layer " + std::to_string(k + 1) + " " + entry.name;
        all.push_back(std::move(entry));
      }
    return all;
  }

  const Loss<eT>& require_loss() const {
    if (!loss_) throw std::logic_error("Network: no loss set (call set_loss)");
    return *loss_;
  }

  void check_targets(const Mat& Y) const {
    const Mat& A = output();
    if (Y.n_rows != A.n_rows || Y.n_cols != A.n_cols) {
      throw std::invalid_argument("Network: the targets Y are " + shape_of(Y) + " but the output a^L of " +
                                  layer_label(layers_.size() - 1) + " is " + shape_of(A));
    }
  }

  void check_gradient_shapes() {
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      for (const Parameter<eT>& p : layers_[k]->parameters()) {
        if (p.gradient->n_rows != p.value->n_rows || p.gradient->n_cols != p.value->n_cols) {
          throw std::invalid_argument("Network: " + layer_label(k) + ": the gradient of " + p.name + " is " +
                                      shape_of(*p.gradient) + " but " + p.name + " is " + shape_of(*p.value));
        }
      }
    }
  }

  std::vector<std::unique_ptr<Layer<eT>>> layers_;
  std::unique_ptr<Loss<eT>> loss_;
  std::unique_ptr<Penalty<eT>> penalty_;
  const Mat* input_ = nullptr;  // a⁰ = X of the last forward()
  std::vector<Mat> cache_;      // cache_[k] = output of layer k (z^l or a^l)
  std::vector<Mat> deltas_;     // deltas_[k + 1] = ∂J/∂(output of layer k); deltas_[0] = ∂J/∂X
  bool input_gradient_ = false;
  bool training_ = true;
};

// Evaluation mode for as long as it lives; the mode before comes back when it
// goes, also when an exception leaves the scope:
//   { EvaluationMode eval(net); scores = net.forward(X); }
template <typename eT>
class EvaluationMode {
 public:
  explicit EvaluationMode(Network<eT>& net) : net_(net), was_training_(net.training()) { net_.set_training(false); }
  ~EvaluationMode() { net_.set_training(was_training_); }
  EvaluationMode(const EvaluationMode&) = delete;
  EvaluationMode& operator=(const EvaluationMode&) = delete;

 private:
  Network<eT>& net_;
  bool was_training_;
};

template <typename eT>
arma::urowvec Network<eT>::predict(const Mat& X) {
  EvaluationMode<eT> evaluation(*this);
  return arma::index_max(forward(X), 0);
}

}  // namespace course
