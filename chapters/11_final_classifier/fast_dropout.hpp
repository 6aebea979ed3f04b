// Making chapter 11 fast (README, "How fast"): dropout's mask without std::mt19937 and float uniforms.
//
// Chapter 8's Dropout draws u ~ U(0, 1) for every unit of every example with
// Armadillo's randu (a Mersenne twister behind a thread-local instance, one
// number at a time, converted to float), builds the float mask d / keep_prob in
// a temporary matrix and multiplies: a quarter of the final net's epoch went
// there (perf, README). FastDropout computes the same layer,
//
//   d = [r < t]  with r uniform on {0, …, 2³² − 1} and t = round(keep_prob · 2³²),
//   so P(d = 1) = t / 2³² = keep_prob (to 2⁻³³);   a = a ⊙ d / keep_prob,
//
// with a fast generator (xoshiro128+, 8 streams side by side, so that the
// compiler draws 8 numbers per vector instruction), an integer comparison
// instead of a float uniform, and the mask applied in the same pass that draws
// it; the mask is kept as bytes for the backward pass, da ⊙ d / keep_prob.
// Its generator is seeded from Armadillo's (seeded by --seed) when the layer is
// made: the same seed gives the same run. It overrides the two passes of the
// lesson's layer, as chapter 9's FusedAdam overrides Adam's update; everything
// else (keep_prob, the evaluation mode's identity, the name and the model
// file's kind "Dropout") is chapter 8's. The loops are in fast_dropout.cpp, the one file
// of this chapter compiled with -march=native.
#pragma once
#include <armadillo>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "chapters/08_init_regularization/dropout.hpp"

namespace course::ch11 {

// xoshiro128+ (Blackman and Vigna 2018) in kLanes independent streams: state
// word w of lane l is words[w * kLanes + l]. Its low bits are its weak ones;
// the comparison r < t is decided by the high bits.
struct DropoutStreams {
  static constexpr std::size_t kLanes = 8;
  static constexpr std::size_t kBlock = 256;  // numbers drawn at a time: kBlock / kLanes steps of every stream
  std::array<std::uint32_t, 4 * kLanes> words{};
};

// The streams' state from a 64-bit seed (splitmix64, as the generator's authors advise).
DropoutStreams seed_dropout_streams(std::uint64_t seed);

// The next kBlock numbers r of the streams (kBlock / kLanes steps of each), into r[0 .. kBlock).
// FastDropout draws its mask in these blocks, and so does FastBnReluDropout (fast_bn_relu_dropout.hpp).
void dropout_draw_block(DropoutStreams& streams, std::uint32_t* r);

// The next kLanes · ⌈n / kLanes⌉ numbers r; for each i < n: d_i = [r_i < threshold],
// mask[i] = d_i, out[i] = d_i ? in[i] · scale : 0.
void dropout_draw_forward(DropoutStreams& streams, const float* in, float* out, std::uint8_t* mask, std::size_t n,
                          std::uint32_t threshold, float scale);
void dropout_draw_forward(DropoutStreams& streams, const double* in, double* out, std::uint8_t* mask, std::size_t n,
                          std::uint32_t threshold, double scale);
// out[i] = mask[i] ? in[i] · scale : 0: the backward pass (and a forward pass with a held mask).
void dropout_apply(const float* in, const std::uint8_t* mask, float* out, std::size_t n, float scale);
void dropout_apply(const double* in, const std::uint8_t* mask, double* out, std::size_t n, double scale);

// t = round(keep_prob · 2³²) for keep_prob in (0, 1) (keep_prob = 1 keeps every unit and draws nothing).
inline std::uint32_t keep_threshold(double keep_prob) {
  const double t = std::round(std::ldexp(keep_prob, 32));
  return t >= 4294967295.0 ? 4294967295u : std::uint32_t(t);
}

// A layer's seed: two draws of Armadillo's generator (seeded by --seed), 32 bits of each.
inline std::uint64_t draw_dropout_seed() {
  const double high = arma::randu<double>(), low = arma::randu<double>();  // U(0, 1)
  return (std::uint64_t(std::ldexp(high, 32)) << 32) ^ std::uint64_t(std::ldexp(low, 32));
}

template <typename eT>
class FastDropout : public ch08::Dropout<eT> {
 public:
  using Mat = arma::Mat<eT>;
  // The seed: two draws of Armadillo's generator, so that every layer
  // has its own streams and --seed decides them all.
  explicit FastDropout(double keep_prob)
      : ch08::Dropout<eT>(keep_prob),
        threshold_(keep_threshold(keep_prob)),
        streams_(seed_dropout_streams(draw_dropout_seed())) {}

  // The units kept by the last training forward pass (1 kept, 0 dropped), input's shape.
  const arma::Mat<std::uint8_t>& kept() const { return kept_; }

  void forward(const Mat& input, Mat& output) override {
    if (!this->training() || this->keep_prob() == 1) {  // evaluation (or nothing to drop): the identity
      output = input;
      return;
    }
    output.set_size(input.n_rows, input.n_cols);
    const eT scale = eT(1 / this->keep_prob());  // 1 / keep_prob
    if (held_ && kept_.n_rows == input.n_rows && kept_.n_cols == input.n_cols) {
      dropout_apply(input.memptr(), kept_.memptr(), output.memptr(), input.n_elem, scale);  // the held mask
      return;
    }
    kept_.set_size(input.n_rows, input.n_cols);
    // d = [r < t], a ⊙ d / keep_prob, in one pass
    dropout_draw_forward(streams_, input.memptr(), output.memptr(), kept_.memptr(), input.n_elem, threshold_, scale);
  }

  void backward(const Mat& input, const Mat& output, const Mat& dout, Mat& dinput) override {
    (void)input;
    check_same_shape(*this, "dout", dout, "output", output);
    if (!this->training() || this->keep_prob() == 1) {
      dinput = dout;
      return;
    }
    if (kept_.n_rows != dout.n_rows || kept_.n_cols != dout.n_cols)
      throw std::logic_error(this->name() + ": backward without the forward pass of this batch");
    dinput.set_size(dout.n_rows, dout.n_cols);
    dropout_apply(dout.memptr(), kept_.memptr(), dinput.memptr(), dout.n_elem,
                  eT(1 / this->keep_prob()));  // da ⊙ d / keep_prob
  }

  void hold_randomness(bool hold) override {
    held_ = hold;
    ch08::Dropout<eT>::hold_randomness(hold);
  }

 private:
  std::uint32_t threshold_;
  DropoutStreams streams_;
  arma::Mat<std::uint8_t> kept_;
  bool held_ = false;
};

}  // namespace course::ch11
