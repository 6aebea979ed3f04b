// Activation functions, their derivatives, and the activation layers.
//
// An activation is applied element by element: a = f(z). Without it a network is
// linear whatever its depth (see main.cpp's demonstration); with it, a network
// with one hidden layer can approximate any continuous function on a bounded set
// (the universal approximation theorem).
//
//   name         f(z)                          f'(z)
//   sigmoid      σ(z) = 1 / (1 + e^{-z})        σ(z)(1 − σ(z)) = a(1 − a)
//   tanh         (e^z − e^{-z}) / (e^z + e^{-z}) = 2σ(2z) − 1
//                                               1 − tanh²(z) = 1 − a²
//   ReLU         max(0, z)                      1 if z > 0, else 0
//   leaky ReLU   z if z > 0, else slope·z       1 if z > 0, else slope
//   identity     z                              1
//
// (notes 001 §4.2, 003 "激活函数", 004 §3). At z = 0 ReLU has no derivative; the
// course takes the left-hand value 0 (the test is z > 0), as most libraries do. A
// gradient check never lands exactly on 0 with random inputs.
//
// Each function takes a matrix and returns a matrix of the same shape; the layers
// below wrap them in the Layer interface of layer.hpp.
#pragma once
#include <armadillo>

#include <limits>
#include <sstream>
#include <string>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "chapters/03_activations/layer.hpp"
#include "common/exercise.hpp"

namespace course {

// ---------------------------------------------------------------------------
// The functions and their derivatives, element-wise
// ---------------------------------------------------------------------------

// σ(z) = 1 / (1 + e^{-z}): written once, in chapter 1 (logistic_regression.hpp,
// exercise ch01.sigmoid), and reused here as course::sigmoid.
using ch01::sigmoid;

// σ'(z) = σ(z)(1 − σ(z))
template <typename eT>
arma::Mat<eT> sigmoid_derivative(const arma::Mat<eT>& z) {
  // BEGIN EXERCISE ch03.sigmoid_derivative
  // hint: σ'(z) = σ(z) ⊙ (1 − σ(z)): compute a = sigmoid(z) once, then a % (1 - a)
  const arma::Mat<eT> a = sigmoid(z);
  return a % (eT(1) - a);
  // END EXERCISE
}

// tanh(z) = (e^z − e^{-z}) / (e^z + e^{-z})   (= 2σ(2z) − 1)
template <typename eT>
arma::Mat<eT> tanh_activation(const arma::Mat<eT>& z) {
  // BEGIN EXERCISE ch03.tanh
  // hint: divide the numerator and the denominator by e^{|z|}: one exponential, e^{−2|z|}, whose exponent is never
  // hint: positive (no overflow at z = 800), times the sign of z
  // hint: near z = 0, 1 − e^{−2|z|} subtracts two numbers close to 1 and loses digits: Armadillo's expm1(x)
  // hint: computes e^x − 1 without that loss
  const arma::Mat<eT> e = arma::expm1(eT(-2) * arma::abs(z));  // e^{−2|z|} − 1, in (−1, 0]
  return arma::sign(z) % (-e / (eT(2) + e));                   // sign(z) (1 − e^{−2|z|}) / (1 + e^{−2|z|})
  // END EXERCISE
}

// tanh'(z) = 1 − tanh²(z)
template <typename eT>
arma::Mat<eT> tanh_derivative(const arma::Mat<eT>& z) {
  // BEGIN EXERCISE ch03.tanh_derivative
  // hint: differentiate (e^z − e^{−z}) / (e^z + e^{−z}) with the quotient rule and write the result in terms of tanh(z) itself
  const arma::Mat<eT> a = arma::tanh(z);
  return eT(1) - arma::square(a);
  // END EXERCISE
}

// ReLU(z) = max(0, z)
template <typename eT>
arma::Mat<eT> relu(const arma::Mat<eT>& z) {
  // BEGIN EXERCISE ch03.relu
  // hint: max(0, z) element-wise: arma::clamp(z, 0, arma::datum::inf), or z % (z > 0)
  return arma::clamp(z, eT(0), std::numeric_limits<eT>::max());
  // END EXERCISE
}

// ReLU'(z) = 1 if z > 0, else 0
template <typename eT>
arma::Mat<eT> relu_derivative(const arma::Mat<eT>& z) {
  // BEGIN EXERCISE ch03.relu_derivative
  // hint: ReLU is z on one side of 0 and a constant on the other: its slope on each side, element-wise, same shape as z
  // hint: (the course takes the slope at z = 0 itself to be 0)
  return arma::conv_to<arma::Mat<eT>>::from(z > eT(0));
  // END EXERCISE
}

// LeakyReLU(z) = z if z > 0, else slope·z   (slope: 0.01 usually)
template <typename eT>
arma::Mat<eT> leaky_relu(const arma::Mat<eT>& z, eT slope) {
  // BEGIN EXERCISE ch03.leaky_relu
  // hint: z where z > 0, slope·z elsewhere; z.transform([slope](eT v) { return ...; }) on a copy
  arma::Mat<eT> a = z;
  a.transform([slope](eT v) { return v > eT(0) ? v : slope * v; });
  return a;
  // END EXERCISE
}

// LeakyReLU'(z) = 1 if z > 0, else slope
template <typename eT>
arma::Mat<eT> leaky_relu_derivative(const arma::Mat<eT>& z, eT slope) {
  // BEGIN EXERCISE ch03.leaky_relu_derivative
  // hint: 1 where z > 0, slope elsewhere (z.transform on a copy, or arma's relational ops)
  arma::Mat<eT> d = z;
  d.transform([slope](eT v) { return v > eT(0) ? eT(1) : slope; });
  return d;
  // END EXERCISE
}

// ---------------------------------------------------------------------------
// The activation layers: forward a = f(z); backward dz = da ⊙ f'(z)
// (BP2's "⊙ f'(z^l)" factor, note 004 §2). Where the derivative is cheaper from
// the output a than from the input z, backward uses the output:
//   σ'(z) = a(1 − a),   tanh'(z) = 1 − a².
// ---------------------------------------------------------------------------

template <typename eT>
class Sigmoid : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "Sigmoid"; }
  void forward(const Mat& input, Mat& output) override { output = sigmoid(input); }  // a = σ(z)
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    check_same_shape(*this, "dout", dout, "output", output);
    (void)input;
    dinput = dout % output % (eT(1) - output);  // dz = da ⊙ a(1 − a)
  }
};

template <typename eT>
class Tanh : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "Tanh"; }
  void forward(const Mat& input, Mat& output) override { output = tanh_activation(input); }  // a = tanh(z)
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    check_same_shape(*this, "dout", dout, "output", output);
    (void)input;
    dinput = dout % (eT(1) - arma::square(output));  // dz = da ⊙ (1 − a²)
  }
};

template <typename eT>
class ReLU : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "ReLU"; }
  void forward(const Mat& input, Mat& output) override { output = relu(input); }  // a = max(0, z)
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    check_same_shape(*this, "dout", dout, "input", input);
    (void)output;
    dinput = dout % relu_derivative(input);  // dz = da ⊙ [z > 0]
  }
};

template <typename eT>
class LeakyReLU : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  explicit LeakyReLU(eT slope = eT(0.01)) : slope_(slope) {}
  std::string name() const override {
    std::ostringstream s;
    s << "LeakyReLU(" << slope_ << ")";
    return s.str();
  }
  eT slope() const { return slope_; }
  void forward(const Mat& input, Mat& output) override { output = leaky_relu(input, slope_); }
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    check_same_shape(*this, "dout", dout, "input", input);
    (void)output;
    dinput = dout % leaky_relu_derivative(input, slope_);  // dz = da ⊙ (1 or slope)
  }

 private:
  eT slope_;
};

// The linear output of a regression network: a = z, dz = da.
template <typename eT>
class Identity : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  std::string name() const override { return "Identity"; }
  void forward(const Mat& input, Mat& output) override { output = input; }
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    check_same_shape(*this, "dout", dout, "output", output);
    (void)input;
    dinput = dout;
  }
};

}  // namespace course
