// The shape every layer of the course has, from chapter 3 on.
//
// A network is a chain of layers; data flows as matrices with one example per
// column (n × m). Each layer does two things (after mlpack's ann layers):
//
//   forward:   output = f(input)                         (z = W·a + b, or a = σ(z), ...)
//   backward:  given dout = ∂J/∂output, compute
//              dinput = ∂J/∂input  (passed on to the layer before: the chain rule)
//              and ∂J/∂(each parameter), kept beside the parameter
//
// The network keeps every layer's input and output from the forward pass (the
// "cache" of note 001 §5.2) and hands them back to backward. A layer may keep
// more of its own forward pass when its backward pass needs it and it cannot be
// rebuilt from the input and output: dropout's mask (chapter 8), batch norm's
// normalised values and 1/σ (chapter 10). What it keeps belongs to the last
// forward pass, so backward must follow the forward pass it belongs to.
//
// A layer hands out its trainable parameters as a list of entries (value,
// gradient, a name, whether weight decay applies: see Parameter below), and any
// state that is not trained but must be saved with the model (batch norm's
// running averages). Optimisers (chapter 9) update the list; they never need to
// know which layer an entry came from.
//
// Layers are templates over the element type: float for speed in the MNIST
// chapters, double for gradient checks (chapter 6).
#pragma once
#include <armadillo>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace course {

// "9 × 64": how every shape message of the course writes a matrix's shape.
template <typename eT>
std::string shape_of(const arma::Mat<eT>& m) {
  return std::to_string(m.n_rows) + " × " + std::to_string(m.n_cols);
}

// One trainable parameter θ of a layer and its gradient ∂J/∂θ (same shape).
template <typename eT>
struct Parameter {
  std::string name;         // "W", "b", "γ": the network prefixes its layer ("layer 1 W")
  arma::Mat<eT>* value;     // θ, updated in place by an optimiser
  arma::Mat<eT>* gradient;  // ∂J/∂θ from the last backward pass
  // Weight decay (L2, L1: chapter 8) applies to the weights W only; biases and
  // batch norm's γ and β are left alone. Initialisers draw the entries that decay.
  bool decays;
};

// State that a layer keeps but does not train (batch norm's running mean and
// variance): saved and loaded with the model, never touched by an optimiser.
template <typename eT>
struct State {
  std::string name;
  arma::Mat<eT>* value;
};

template <typename eT>
class Layer {
 public:
  using Mat = arma::Mat<eT>;
  virtual ~Layer() = default;

  // name(): how messages and describe() show the layer, with its settings
  // ("Linear(784 -> 64)", "Dropout(keep 0.8)"). kind(): what a model file
  // records and checks ("Linear", "Dropout"); settings that are not saved
  // matrices (a dropout rate) may change between saving and loading.
  virtual std::string name() const = 0;
  virtual std::string kind() const { return name(); }

  // input: n_in × m  ->  output: n_out × m
  virtual void forward(const Mat& input, Mat& output) = 0;

  // input, output: what forward saw and gave; dout = ∂L/∂output (n_out × m).
  // Writes dinput = ∂L/∂input (n_in × m) and the parameters' gradients.
  virtual void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) = 0;

  // The trainable parameters with their gradients (none for an activation), and
  // the untrained state that a model file must also hold (none for most layers).
  virtual std::vector<Parameter<eT>> parameters() { return {}; }
  virtual std::vector<State<eT>> state() { return {}; }

  // Training or evaluation mode: dropout and batch normalisation behave
  // differently in each (chapters 8, 10); the network switches all its layers.
  virtual void set_training(bool training) { training_ = training; }
  bool training() const { return training_; }

  // A layer that draws random numbers in its forward pass (dropout's mask)
  // reuses its last draw while held: the gradient check (chapter 6) needs the
  // same J(θ) at every evaluation. Layers without randomness ignore it.
  virtual void hold_randomness(bool hold) { (void)hold; }

  // Whether backward must compute dinput = ∂J/∂input. The network turns it off
  // for its first layer, whose dinput would be ∂J/∂X: training never uses it,
  // and for a Linear layer it is a whole matrix product (Wᵀ·dZ).
  virtual void want_input_gradient(bool wanted) { (void)wanted; }

 protected:
  bool training_ = true;
};

// A shape check whose message names the layer and both shapes:
//   "Linear(784 -> 64): input has 783 rows, expected 784"
template <typename eT>
void check_rows(const Layer<eT>& layer, const char* what, const arma::Mat<eT>& m, arma::uword expected) {
  if (m.n_rows != expected) {
    std::ostringstream msg;
    msg << layer.name() << ": " << what << " is " << shape_of(m) << ", expected " << expected << " rows";
    throw std::invalid_argument(msg.str());
  }
}

// "Sigmoid: dout is 3 × 9 but output is 3 × 10": the message names who checks (a layer, a loss).
template <typename eT>
void check_same_shape(const std::string& who, const char* what, const arma::Mat<eT>& a, const char* other,
                      const arma::Mat<eT>& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols)
    throw std::invalid_argument(who + ": " + what + " is " + shape_of(a) + " but " + other + " is " + shape_of(b));
}
template <typename eT>
void check_same_shape(const Layer<eT>& layer, const char* what, const arma::Mat<eT>& a, const char* other,
                      const arma::Mat<eT>& b) {
  check_same_shape(layer.name(), what, a, other, b);
}

// A loss compares the network's output A with the targets Y (both n × m, one
// example per column) and gives the cost J (the mean of the m examples' losses)
// and its gradient ∂J/∂A, which starts the backward pass. The 1/m of the mean is
// in the gradient, so the layers' backward passes need not divide by m.
template <typename eT>
class Loss {
 public:
  using Mat = arma::Mat<eT>;
  virtual ~Loss() = default;
  // name(): how messages and describe() show the loss ("MeanSquaredError",
  // "BinaryCrossEntropy"). kind(): the same by default; a loss has no matrices
  // for a model file to save.
  virtual std::string name() const = 0;
  virtual std::string kind() const { return name(); }
  // J = (1/m) Σ_i loss(a_i, y_i)
  virtual eT cost(const Mat& A, const Mat& Y) const = 0;
  // dA = ∂J/∂A (n × m), with its 1/m
  virtual void gradient(const Mat& A, const Mat& Y, Mat& dA) const = 0;
};

template <typename eT>
void check_same_shape(const Loss<eT>& loss, const char* what, const arma::Mat<eT>& a, const char* other,
                      const arma::Mat<eT>& b) {
  check_same_shape(loss.name(), what, a, other, b);
}

}  // namespace course
