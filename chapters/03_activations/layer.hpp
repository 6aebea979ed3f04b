// The shape every layer of the course has, from chapter 3 on.
//
// A network is a chain of layers; data flows as matrices with one example per
// column (n × m). Each layer does two things (after mlpack's ann layers):
//
//   forward:   output = f(input)                         (z = W·a + b, or a = σ(z), ...)
//   backward:  given dout = ∂L/∂output, compute
//              dinput = ∂L/∂input  (passed on to the layer before: the chain rule)
//              and ∂L/∂(each parameter), kept in gradients()
//
// The network keeps every layer's input and output from the forward pass (the
// "cache" of note 001 §5.2) and hands them back to backward, so a layer stores
// nothing between the two calls but its parameters.
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

template <typename eT>
class Layer {
 public:
  using Mat = arma::Mat<eT>;
  virtual ~Layer() = default;

  virtual std::string name() const = 0;

  // input: n_in × m  ->  output: n_out × m
  virtual void forward(const Mat& input, Mat& output) = 0;

  // input, output: what forward saw and gave; dout = ∂L/∂output (n_out × m).
  // Writes dinput = ∂L/∂input (n_in × m) and the parameters' gradients.
  virtual void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) = 0;

  // The trainable parameters and their gradients, in the same order (none for an activation).
  virtual std::vector<Mat*> parameters() { return {}; }
  virtual std::vector<Mat*> gradients() { return {}; }

  // Dropout and batch normalisation behave differently when training (chapters 8, 10).
  virtual void set_training(bool training) { training_ = training; }
  bool training() const { return training_; }

 protected:
  bool training_ = true;
};

// A shape check whose message names the layer and both shapes:
//   "Linear(784 -> 64): input has 783 rows, expected 784"
template <typename eT>
void check_rows(const Layer<eT>& layer, const char* what, const arma::Mat<eT>& m, arma::uword expected) {
  if (m.n_rows != expected) {
    std::ostringstream msg;
    msg << layer.name() << ": " << what << " is " << m.n_rows << " × " << m.n_cols << ", expected " << expected
        << " rows";
    throw std::invalid_argument(msg.str());
  }
}

template <typename eT>
void check_same_shape(const Layer<eT>& layer, const char* what, const arma::Mat<eT>& a, const char* other,
                      const arma::Mat<eT>& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols) {
    std::ostringstream msg;
    msg << layer.name() << ": " << what << " is " << a.n_rows << " × " << a.n_cols << " but " << other << " is "
        << b.n_rows << " × " << b.n_cols;
    throw std::invalid_argument(msg.str());
  }
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
  virtual std::string name() const = 0;
  // J = (1/m) Σ_i loss(a_i, y_i)
  virtual eT cost(const Mat& A, const Mat& Y) const = 0;
  // dA = ∂J/∂A (n × m), with its 1/m
  virtual void gradient(const Mat& A, const Mat& Y, Mat& dA) const = 0;
};

// The same shape check for a loss: "MeanSquaredError: A is 1 × 10 but Y is 1 × 9"
template <typename eT>
void check_same_shape(const Loss<eT>& loss, const char* what, const arma::Mat<eT>& a, const char* other,
                      const arma::Mat<eT>& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols) {
    std::ostringstream msg;
    msg << loss.name() << ": " << what << " is " << a.n_rows << " × " << a.n_cols << " but " << other << " is "
        << b.n_rows << " × " << b.n_cols;
    throw std::invalid_argument(msg.str());
  }
}

}  // namespace course
