// Making chapter 7 fast (README, "How fast"): the training images as bytes.
//
// MNIST's pixels are k/255 for k = 0..255 (common/data.cpp: x = k · (1/255)),
// so one byte holds each one exactly and the float is rebuilt bit for bit. A
// training epoch reads every image once, in a random order: 188 MB of floats
// for 60,000 images, 47 MB of bytes. Reading the floats was a quarter of the
// epoch (perf, see the README); the bytes take a quarter of that.
//
// The training loop (training.hpp) gathers its mini-batches through
// BatchGather; the bytes bring their own (fast_batches.cpp, the one file
// compiled with -march=native). Include this header wherever bytes are trained on.
#pragma once
#include <armadillo>

#include <cstdint>

#include "chapters/07_mnist_mlp/training.hpp"

namespace course {

namespace ch07 {
// The images as bytes k with x = k/255; an error for an element that is not such a pixel.
arma::Mat<std::uint8_t> to_bytes(const arma::fmat& X);

// MNIST as the MNIST chapters train on it (a view of matrices kept by the
// caller): the training images as bytes for the mini-batches and as floats for
// evaluating the training set, the labels one-hot, and the dev set.
struct MnistTraining {
  const arma::Mat<std::uint8_t>* X_bytes = nullptr;  // 784 × m
  const arma::fmat* X = nullptr;                     // the same images as floats
  const arma::fmat* Y = nullptr;                     // 10 × m one-hot
  const arma::fmat* X_dev = nullptr;
  const arma::fmat* Y_dev = nullptr;
};

// fit (training.hpp) on such a set, recording train and dev.
inline History fit(Network<float>& net, Optimizer<float>& optimizer, const MnistTraining& data,
                   const FitSettings& settings, std::mt19937_64& gen, const OnRecord& on_record = {}) {
  return course::fit(net, optimizer, *data.X_bytes, *data.Y, LabelledSet<float>{data.X, data.Y},
                     LabelledSet<float>{data.X_dev, data.Y_dev}, settings, gen, on_record);
}
}  // namespace ch07

// X_b (floats, n × b) = the byte columns order[first..last] of X, times 1/255.
template <>
struct BatchGather<arma::Mat<std::uint8_t>> {
  static void gather(const arma::Mat<std::uint8_t>& X, const arma::uvec& order, arma::uword first, arma::uword last,
                     arma::fmat& Xb);
};

}  // namespace course
