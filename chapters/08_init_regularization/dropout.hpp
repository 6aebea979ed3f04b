// Dropout (note 001 §1.6–1.7, note 004 §8, note 000): inverted dropout and the original version.
#pragma once
#include <armadillo>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/03_activations/layer.hpp"
#include "common/exercise.hpp"

namespace course::ch08 {

// ---------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------

// Inverted dropout (note 001 §1.6): while training, each unit of each example is
// kept with probability keep_prob and the kept ones are divided by keep_prob,
//   d = [u < keep_prob] (u ~ U(0, 1)),   a = a ⊙ d / keep_prob,
// so that E[a] is unchanged and nothing needs to change at test time: in
// evaluation mode the layer is the identity. The mask d/keep_prob is kept from the
// forward pass for the backward pass, da ⊙ d / keep_prob (the dropped units get no
// gradient). Place it after an activation.
template <typename eT>
class Dropout : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  explicit Dropout(double keep_prob) : keep_prob_(keep_prob) {
    if (!(keep_prob > 0 && keep_prob <= 1))
      throw std::invalid_argument("Dropout: keep_prob must be in (0, 1], found " + std::to_string(keep_prob));
  }
  std::string name() const override {
    std::ostringstream s;
    s << "Dropout(keep " << keep_prob_ << ")";
    return s.str();
  }
  std::string kind() const override { return "Dropout"; }  // the rate is not in the model file
  double keep_prob() const { return keep_prob_; }
  const Mat& mask() const { return mask_; }  // d / keep_prob of the last training forward pass

  void forward(const Mat& input, Mat& output) override {
    if (!this->training()) {  // evaluation: nothing is dropped, nothing scaled
      output = input;
      return;
    }
    const bool reuse = held_ && mask_.n_rows == input.n_rows && mask_.n_cols == input.n_cols;
    // BEGIN EXERCISE ch08.dropout_forward
    // hint: inverted dropout keeps each entry of input on its own with probability keep_prob_ (a uniform draw per entry:
    // hint: kept where it is below keep_prob_) and divides the kept ones by keep_prob_, so that E[output] = input
    // hint: mask_ (input's shape) holds d / keep_prob for backward; when reuse is true, apply the mask already there
    if (!reuse) {
      const Mat u = arma::randu<Mat>(input.n_rows, input.n_cols);             // u ~ U(0, 1)
      mask_ = arma::conv_to<Mat>::from(u < eT(keep_prob_)) / eT(keep_prob_);  // d / keep_prob
    }
    output = input % mask_;  // a ⊙ d / keep_prob
    // END EXERCISE
  }

  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    (void)input;
    check_same_shape(*this, "dout", dout, "output", output);
    if (!this->training()) {
      dinput = dout;
      return;
    }
    // BEGIN EXERCISE ch08.dropout_backward
    // hint: the forward pass multiplied input element-wise by a fixed matrix (the one it kept):
    // hint: what is ∂output_ij/∂input_ij, and so dinput in terms of dout?
    dinput = dout % mask_;  // da ⊙ d / keep_prob
    // END EXERCISE
  }

  void hold_randomness(bool hold) override { held_ = hold; }

 private:
  double keep_prob_;
  Mat mask_;
  bool held_ = false;
};

// Note 000's dropout: while training, delete each hidden unit with probability
// 1 − keep_prob for the whole mini-batch (one mask per unit, shared by every
// example of the batch, no scaling); at test time use all of them with "the
// outgoing weights halved" (keep_prob = 0.5), which is the same as multiplying
// the activations by keep_prob. The expected input of the next layer is
// keep_prob·a in both modes (tested). Two differences from inverted dropout
// besides the factor: the mask is drawn per batch, not per example, so a batch's
// examples all train the same thinned network; and the factor keep_prob is
// applied at test time instead of 1/keep_prob at training time.
template <typename eT>
class OriginalDropout : public Layer<eT> {
 public:
  using Mat = arma::Mat<eT>;
  explicit OriginalDropout(double keep_prob) : keep_prob_(keep_prob) {
    if (!(keep_prob > 0 && keep_prob <= 1))
      throw std::invalid_argument("OriginalDropout: keep_prob must be in (0, 1], found " + std::to_string(keep_prob));
  }
  std::string name() const override {
    std::ostringstream s;
    s << "OriginalDropout(keep " << keep_prob_ << ")";
    return s.str();
  }
  std::string kind() const override { return "OriginalDropout"; }
  double keep_prob() const { return keep_prob_; }
  const arma::Col<eT>& unit_mask() const { return unit_mask_; }  // d: 1 kept, 0 deleted, one per unit

  void forward(const Mat& input, Mat& output) override {
    if (!this->training()) {  // test time: every unit, times keep_prob
      output = input * eT(keep_prob_);
      return;
    }
    if (!(held_ && unit_mask_.n_elem == input.n_rows)) {                 // a new mask per mini-batch
      const arma::Col<eT> u = arma::randu<arma::Col<eT>>(input.n_rows);  // u ~ U(0, 1), one per unit
      unit_mask_ = arma::conv_to<arma::Col<eT>>::from(u < eT(keep_prob_));
    }
    output = input;
    output.each_col() %= unit_mask_;  // a ⊙ d, the same d for every example
  }
  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    (void)input;
    check_same_shape(*this, "dout", dout, "output", output);
    if (!this->training()) {
      dinput = dout * eT(keep_prob_);
      return;
    }
    dinput = dout;
    dinput.each_col() %= unit_mask_;  // da ⊙ d: deleted units get no gradient
  }
  void hold_randomness(bool hold) override { held_ = hold; }

 private:
  double keep_prob_;
  arma::Col<eT> unit_mask_;
  bool held_ = false;
};

}  // namespace course::ch08
