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
#pragma once
#include <armadillo>

#include <cstdint>
#include <filesystem>
#include <fstream>
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
#include "common/files.hpp"

namespace course {

// "9 × 64"
template <typename eT>
std::string shape_of(const arma::Mat<eT>& m) {
  return std::to_string(m.n_rows) + " × " + std::to_string(m.n_cols);
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
  void set_loss() { loss_ = std::make_unique<L<eT>>(); }

  std::size_t size() const { return layers_.size(); }
  Layer<eT>& layer(std::size_t k) { return *layers_.at(k); }
  const Layer<eT>& layer(std::size_t k) const { return *layers_.at(k); }
  const Loss<eT>& loss() const { return require_loss(); }

  // "layer 3 (Linear(64 -> 16))": how messages and tables name a layer (counting from 1).
  std::string layer_label(std::size_t k) const {
    return "layer " + std::to_string(k + 1) + " (" + layers_.at(k)->name() + ")";
  }

  // One line per layer: "784 → Linear(784 -> 64) → Sigmoid → ... → SoftmaxCrossEntropy".
  std::string describe() const {
    std::ostringstream s;
    for (std::size_t k = 0; k < layers_.size(); ++k) s << (k ? " → " : "") << layers_[k]->name();
    if (loss_) s << " → " << loss_->name();
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
      const Mat& a_prev = k == 0 ? X : cache_[k - 1];    // a^{l−1}: n_{l−1} × m
      layers_[k]->forward(a_prev, cache_[k]);            // z^l = W^l a^{l−1} + b^l, or a^l = f(z^l): n_l × m
      if (cache_[k].n_cols != X.n_cols) {
        throw std::invalid_argument("Network: " + layer_label(k) + " gave an output of " + shape_of(cache_[k]) +
                                    " from an input of " + shape_of(a_prev) + ": expected " +
                                    std::to_string(X.n_cols) + " columns (one per example)");
      }
    }
    return cache_.back();                                // a^L: n_L × m
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

  // J(a^L, Y) for the last forward().
  eT loss_value(const Mat& Y) const {
    check_targets(Y);
    return require_loss().cost(output(), Y);
  }

  // Forward and cost in one: J(X, Y).
  eT cost(const Mat& X, const Mat& Y) {
    forward(X);
    return loss_value(Y);
  }

  // ---------------------------------------------------------------------
  // Backward: BP1–BP4 from the cache of the last forward(X), for targets Y.
  // Leaves ∂J/∂θ in every layer's gradients().
  // ---------------------------------------------------------------------
  void backward(const Mat& Y) {
    check_targets(Y);                                    // Y: n_L × m, like a^L
    const std::size_t L = layers_.size();
    // BEGIN EXERCISE ch06.backward
    // hint: deltas_[k + 1] holds ∂J/∂(output of layer k); start with the loss: loss_->gradient(a^L, Y, deltas_[L])
    // hint: then for k = L − 1 down to 0: layers_[k]->backward(input of layer k, cache_[k], deltas_[k + 1], deltas_[k])
    // hint: (the input of layer k is *input_ for k = 0, else cache_[k − 1]); skip ∂J/∂X when input_gradient() is false
    // hint: check that each deltas_[k] has the shape of layer k's input (std::invalid_argument naming layer_label(k)),
    // hint: and finish with check_gradient_shapes()
    require_loss().gradient(cache_[L - 1], Y, deltas_[L]);  // ∇_a J = ∂J/∂a^L (n_L × m, carries the 1/m)
    for (std::size_t k = L; k-- > 0;) {
      const Mat& a_prev = k == 0 ? *input_ : cache_[k - 1];
      if (k == 0) set_first_layer_input_gradient();
      // An activation layer:  δ^l = ∂J/∂a^l ⊙ f'(z^l)          BP1 for the last layer, the "⊙ f'(z^l)" of BP2 otherwise
      // A Linear layer:       ∂J/∂W^l = δ^l (a^{l−1})ᵀ          BP3  (n_l × n_{l−1}, summed over the m columns)
      //                       ∂J/∂b^l = Σ_columns δ^l            BP4  (n_l × 1)
      //                       ∂J/∂a^{l−1} = (W^l)ᵀ δ^l           the first half of BP2 (n_{l−1} × m)
      layers_[k]->backward(a_prev, cache_[k], deltas_[k + 1], deltas_[k]);
      if (k == 0 && !input_gradient_) break;             // ∂J/∂X: nobody needs it (see input_gradient())
      if (deltas_[k].n_rows != a_prev.n_rows || deltas_[k].n_cols != a_prev.n_cols) {
        throw std::invalid_argument("Network: " + layer_label(k) + " gave ∂J/∂input of " + shape_of(deltas_[k]) +
                                    " but its input is " + shape_of(a_prev));
      }
    }
    check_gradient_shapes();                             // dW^l like W^l, db^l like b^l
    // END EXERCISE
  }

  // ∂J/∂X after backward() (n_0 × m), when input_gradient(true).
  const Mat& input_gradient_value() const { return deltas_.at(0); }

  // Whether backward() computes ∂J/∂X, the gradient with respect to the data.
  // Training never needs it, and for the first Linear layer it is a whole
  // matrix product (Wᵀ·δ: for 784-64-16-10, a third of the backward work), so
  // it is off by default; a gradient check of the input turns it on.
  void input_gradient(bool needed) { input_gradient_ = needed; }
  bool input_gradient() const { return input_gradient_; }

  // ---------------------------------------------------------------------
  // Parameters θ and gradients dθ, in order: layer 1's W, b, layer 3's W, b, ...
  // ---------------------------------------------------------------------
  std::vector<Mat*> parameters() {
    std::vector<Mat*> all;
    for (auto& layer : layers_)
      for (Mat* p : layer->parameters()) all.push_back(p);
    return all;
  }
  std::vector<Mat*> gradients() {
    std::vector<Mat*> all;
    for (auto& layer : layers_)
      for (Mat* g : layer->gradients()) all.push_back(g);
    return all;
  }
  // The number of trainable numbers (the length of θ).
  std::size_t parameter_count() {
    std::size_t n = 0;
    for (Mat* p : parameters()) n += p->n_elem;
    return n;
  }

  // Gradient descent: θ ← θ − η dθ, every parameter.
  void step(eT learning_rate) {
    for (auto& layer : layers_) {
      std::vector<Mat*> params = layer->parameters();
      std::vector<Mat*> grads = layer->gradients();
      for (std::size_t i = 0; i < params.size(); ++i) *params[i] -= learning_rate * *grads[i];  // W ← W − η dW
    }
  }

  void set_training(bool training) {
    for (auto& layer : layers_) layer->set_training(training);
  }

  // The predicted class of each column (argmax of a^L; for SoftmaxCrossEntropy
  // the last layer gives the logits z^L, whose argmax is the same).
  arma::urowvec predict(const Mat& X) {
    return arma::index_max(forward(X), 0);
  }

  // ---------------------------------------------------------------------
  // Saving and loading the parameters (binary, written atomically).
  //   line 1: "course-network 1"
  //   line 2: the architecture, describe()
  //   line 3: the number of parameter matrices
  //   then each matrix in Armadillo's binary format (its shape in its header)
  // Loading checks the architecture and every shape against this network.
  // ---------------------------------------------------------------------
  void save(const std::filesystem::path& file) {
    const std::vector<Mat*> params = parameters();
    const std::string architecture = describe();
    write_file_atomically(
        file,
        [&](std::ostream& out) {
          out << "course-network 1\n" << architecture << "\n" << params.size() << "\n";
          for (Mat* p : params)
            if (!p->save(out, arma::arma_binary)) throw std::runtime_error("Armadillo could not write a matrix");
        },
        /*binary=*/true);
  }

  void load(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open the model file " + file.string());
    std::string magic, architecture;
    std::size_t count = 0;
    std::getline(in, magic);
    std::getline(in, architecture);
    in >> count;
    in.get();  // the newline
    if (magic != "course-network 1")
      throw std::runtime_error(file.string() + " is not a saved network (its first line is \"" + magic.substr(0, 40) +
                               "\", expected \"course-network 1\")");
    if (architecture != describe())
      throw std::runtime_error(file.string() + " holds the network " + architecture + ", but this one is " + describe());
    std::vector<Mat*> params = parameters();
    if (count != params.size())
      throw std::runtime_error(file.string() + " holds " + std::to_string(count) + " parameter matrices, expected " +
                               std::to_string(params.size()));
    for (std::size_t i = 0; i < params.size(); ++i) {
      Mat value;
      if (!value.load(in, arma::arma_binary))
        throw std::runtime_error(file.string() + ": parameter matrix " + std::to_string(i + 1) + " is unreadable");
      if (value.n_rows != params[i]->n_rows || value.n_cols != params[i]->n_cols)
        throw std::runtime_error(file.string() + ": parameter matrix " + std::to_string(i + 1) + " is " +
                                 shape_of(value) + ", expected " + shape_of(*params[i]));
      *params[i] = value;
    }
  }

 private:
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
      std::vector<Mat*> params = layers_[k]->parameters();
      std::vector<Mat*> grads = layers_[k]->gradients();
      for (std::size_t i = 0; i < params.size(); ++i) {
        if (grads[i]->n_rows != params[i]->n_rows || grads[i]->n_cols != params[i]->n_cols) {
          throw std::invalid_argument("Network: " + layer_label(k) + ": gradient " + std::to_string(i + 1) + " is " +
                                      shape_of(*grads[i]) + " but its parameter is " + shape_of(*params[i]));
        }
      }
    }
  }

  // The first Linear layer skips Wᵀ·δ when ∂J/∂X is not wanted.
  void set_first_layer_input_gradient() {
    if (auto* linear = dynamic_cast<Linear<eT>*>(layers_.front().get())) linear->input_gradient = input_gradient_;
  }

  std::vector<std::unique_ptr<Layer<eT>>> layers_;
  std::unique_ptr<Loss<eT>> loss_;
  const Mat* input_ = nullptr;  // a⁰ = X of the last forward()
  std::vector<Mat> cache_;      // cache_[k] = output of layer k (z^l or a^l)
  std::vector<Mat> deltas_;     // deltas_[k + 1] = ∂J/∂(output of layer k); deltas_[0] = ∂J/∂X
  bool input_gradient_ = false;
};

// ---------------------------------------------------------------------------
// Building a network from a list of layer sizes and activations:
//   make_network<float>({784, 64, 16, 10}, {"sigmoid", "tanh", "softmax"}, "cross_entropy")
// gives Linear(784→64), Sigmoid, Linear(64→16), Tanh, Linear(16→10), and
//   - "softmax" with "cross_entropy": no Softmax layer; the fused
//     SoftmaxCrossEntropy loss takes the logits (dZ = (A − Y)/m, chapter 5);
//   - "softmax_layer" with "cross_entropy": a Softmax layer and the plain
//     CrossEntropy loss (the Jacobian route: the same gradient, slower);
//   - "identity" with "mse": linear output for regression;
//   - "sigmoid" with "binary_cross_entropy": one logistic output.
// Activations: sigmoid, tanh, relu, leaky_relu, identity (and softmax / softmax_layer last).
// Losses: mse, binary_cross_entropy, cross_entropy.
// ---------------------------------------------------------------------------
template <typename eT>
std::unique_ptr<Layer<eT>> make_activation(const std::string& name) {
  if (name == "sigmoid") return std::make_unique<Sigmoid<eT>>();
  if (name == "tanh") return std::make_unique<Tanh<eT>>();
  if (name == "relu") return std::make_unique<ReLU<eT>>();
  if (name == "leaky_relu") return std::make_unique<LeakyReLU<eT>>(eT(0.01));
  if (name == "identity") return std::make_unique<Identity<eT>>();
  if (name == "softmax" || name == "softmax_layer") return std::make_unique<Softmax<eT>>();
  throw std::invalid_argument("unknown activation \"" + name +
                              "\" (expected sigmoid, tanh, relu, leaky_relu, identity, softmax or softmax_layer)");
}

template <typename eT>
Network<eT> make_network(const std::vector<arma::uword>& sizes, const std::vector<std::string>& activations,
                         const std::string& loss) {
  if (sizes.size() < 2) throw std::invalid_argument("make_network: give at least two sizes (input and output)");
  if (activations.size() != sizes.size() - 1) {
    throw std::invalid_argument("make_network: " + std::to_string(sizes.size()) + " sizes make " +
                                std::to_string(sizes.size() - 1) + " layers, but " +
                                std::to_string(activations.size()) + " activations were given");
  }
  Network<eT> net;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    net.template add<Linear>(sizes[l], sizes[l + 1]);     // z^l = W^l a^{l−1} + b^l: W^l is n_l × n_{l−1}
    const bool last = l + 2 == sizes.size();
    const std::string& f = activations[l];
    if ((f == "softmax" || f == "softmax_layer") && !last)
      throw std::invalid_argument("make_network: softmax belongs to the last layer only");
    if (last && f == "softmax" && loss == "cross_entropy") break;  // fused into the loss below
    net.add(make_activation<eT>(f));                      // a^l = f(z^l)
  }
  if (loss == "mse") {
    net.set_loss(std::make_unique<MeanSquaredError<eT>>());
  } else if (loss == "binary_cross_entropy") {
    net.set_loss(std::make_unique<BinaryCrossEntropy<eT>>());
  } else if (loss == "cross_entropy") {
    if (activations.back() == "softmax")
      net.set_loss(std::make_unique<SoftmaxCrossEntropy<eT>>());
    else
      net.set_loss(std::make_unique<CrossEntropy<eT>>());
  } else {
    throw std::invalid_argument("unknown loss \"" + loss + "\" (expected mse, binary_cross_entropy or cross_entropy)");
  }
  return net;
}

}  // namespace course
