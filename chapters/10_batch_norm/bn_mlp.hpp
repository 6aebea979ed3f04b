// The chapter's MNIST network, with or without batch normalisation:
//   plain:  Linear → ReLU → Linear → ReLU → ... → Linear → softmax + cross-entropy
//   BN:     Linear (no bias) → BatchNorm → ReLU → ... → Linear → softmax + cross-entropy
// (batch norm sits between the linear part and the activation: note 001 §3.2),
// He-initialised (chapter 8) from Armadillo's generator: chapter 7's make_mlp
// with the batch norm of this chapter passed in.
#pragma once
#include <armadillo>

#include <memory>
#include <string>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/08_init_regularization/initialization.hpp"
#include "chapters/10_batch_norm/batch_norm.hpp"

namespace course::ch10 {

// make_mlp's options for a ReLU (or other) network, He-initialised, with batch
// norm after every hidden Linear when asked.
template <typename eT>
ch07::MlpOptions<eT> bn_mlp_options(bool batch_norm, const std::string& activation = "relu") {
  ch07::MlpOptions<eT> options{.activations = {activation}, .init = ch08::he_init<eT>};
  if (batch_norm) options.normalization = [](arma::uword units) { return std::make_unique<BatchNorm<eT>>(units); };
  return options;
}

template <typename eT>
Network<eT> make_bn_mlp(const std::vector<arma::uword>& sizes, bool batch_norm,
                        const std::string& activation = "relu") {
  return ch07::make_mlp<eT>(sizes, bn_mlp_options<eT>(batch_norm, activation));
}

// Where the input of the k-th hidden activation (k = 1, 2, ...) is in the layer list.
inline std::size_t activation_input_index(bool batch_norm, std::size_t k) {
  return batch_norm ? 3 * k - 2 : 2 * k - 2;  // BN: [Linear, BN, f]*; plain: [Linear, f]*
}

}  // namespace course::ch10
