// The chapter's MNIST network, with or without batch normalisation:
//   plain:  Linear → ReLU → Linear → ReLU → ... → Linear → softmax + cross-entropy
//   BN:     Linear (no bias) → BatchNorm → ReLU → ... → Linear → softmax + cross-entropy
// (batch norm sits between the linear part and the activation: note 001 §3.2),
// He-initialised (chapter 8) from Armadillo's generator.
#pragma once
#include <armadillo>

#include <memory>
#include <stdexcept>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "chapters/08_init_regularization/initialization.hpp"
#include "chapters/10_batch_norm/batch_norm.hpp"

namespace course::ch10 {

template <typename eT>
Network<eT> make_bn_mlp(const std::vector<arma::uword>& sizes, bool batch_norm, const std::string& activation = "relu") {
  if (sizes.size() < 2) throw std::invalid_argument("make_bn_mlp: give at least two sizes (input and output)");
  Network<eT> net;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const bool last = l + 2 == sizes.size();
    if (last) {
      net.template add<Linear>(sizes[l], sizes[l + 1]);  // the logits
      break;
    }
    net.template add<Linear>(sizes[l], sizes[l + 1], !batch_norm);  // z = W a (+ b without batch norm)
    if (batch_norm) net.template add<BatchNorm>(sizes[l + 1]);     // ẑ = γ z_norm + β
    net.add(make_activation<eT>(activation));                      // a = f(ẑ)
  }
  net.set_loss(std::make_unique<SoftmaxCrossEntropy<eT>>());
  ch08::he_init(net);
  return net;
}

// Where the input of the k-th hidden activation (k = 1, 2, ...) is in the layer list.
inline std::size_t activation_input_index(bool batch_norm, std::size_t k) {
  return batch_norm ? 3 * k - 2 : 2 * k - 2;  // BN: [Linear, BN, f]*; plain: [Linear, f]*
}

}  // namespace course::ch10
