// The MNIST training set for the benchmarks, loaded once: the images as floats
// and as chapter 7's bytes, the labels one-hot. Without the full MNIST files it
// falls back to the embedded sample and says so (`full` is then false).
#pragma once
#include <armadillo>

#include <cstdint>
#include <iostream>
#include <string>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"

namespace course::bench {

struct MnistData {
  Mnist mnist;
  arma::fmat Y_train;
  arma::Mat<std::uint8_t> X_bytes;
  bool full = true;
};

inline MnistData& mnist_data(const std::string& who) {
  static MnistData d = [&] {
    MnistData loaded;
    try {
      loaded.mnist = load_dataset("mnist", default_data_dir());
    } catch (const std::exception& e) {
      std::cerr << who << ": " << e.what() << "\n  -> using the embedded sample instead\n";
      loaded.mnist = load_dataset("sample", {});
      loaded.full = false;
    }
    loaded.Y_train = one_hot<float>(loaded.mnist.train.y);
    loaded.X_bytes = ch07::to_bytes(loaded.mnist.train.X);
    return loaded;
  }();
  return d;
}

}  // namespace course::bench
