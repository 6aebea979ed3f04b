// The final MNIST classifier: everything of chapters 5–10 in one network.
//
//   x (784) → [Linear (no bias) → BatchNorm → ReLU → Dropout] × 2 → Linear → softmax + cross-entropy
//
// chapter 5: softmax with cross-entropy (fused, dZ = A − Y);  chapter 8: He
// initialisation, inverted dropout, early stopping;  chapter 9: Adam (fused) and
// an exponential decay of its rate;  chapter 10: batch normalisation before each
// ReLU (so the linear layers have no bias).
#pragma once
#include <armadillo>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "chapters/08_init_regularization/initialization.hpp"
#include "chapters/08_init_regularization/regularization.hpp"
#include "chapters/10_batch_norm/batch_norm.hpp"

namespace course::ch11 {

struct FinalNetSettings {
  std::vector<arma::uword> sizes = {784, 256, 128, 10};
  double keep_prob = 0.7;  // dropout 0.3 after each hidden ReLU
};

template <typename eT>
Network<eT> make_final_net(const FinalNetSettings& s = {}) {
  if (s.sizes.size() < 2) throw std::invalid_argument("make_final_net: give at least two sizes");
  Network<eT> net;
  for (std::size_t l = 0; l + 2 < s.sizes.size(); ++l) {
    net.template add<Linear>(s.sizes[l], s.sizes[l + 1], false);  // z = W a
    net.template add<ch10::BatchNorm>(s.sizes[l + 1]);            // ẑ = γ z_norm + β
    net.template add<ReLU>();                                     // a = max(0, ẑ)
    if (s.keep_prob < 1) net.template add<ch08::Dropout>(s.keep_prob);  // a ⊙ d / keep_prob (training only)
  }
  net.template add<Linear>(s.sizes[s.sizes.size() - 2], s.sizes.back());  // the logits
  net.set_loss(std::make_unique<SoftmaxCrossEntropy<eT>>());
  ch08::he_init(net);
  return net;
}

}  // namespace course::ch11
