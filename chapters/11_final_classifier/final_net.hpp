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
#include <type_traits>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "chapters/07_mnist_mlp/fast_activations.hpp"
#include "chapters/08_init_regularization/dropout.hpp"
#include "chapters/10_batch_norm/batch_norm.hpp"
#include "chapters/10_batch_norm/bn_mlp.hpp"
#include "chapters/11_final_classifier/fast_batch_norm.hpp"
#include "chapters/11_final_classifier/fast_bn_relu_dropout.hpp"
#include "chapters/11_final_classifier/fast_dropout.hpp"

namespace course::ch11 {

struct FinalNetSettings {
  std::vector<arma::uword> sizes = {784, 512, 256, 10};  // chosen on the dev set (README)
  double keep_prob = 0.7;                                // dropout 0.3 after each hidden ReLU
  // Chapter 8's dropout with a fast generator (fast_dropout.hpp), chapter 10's batch norm in
  // fewer passes (fast_batch_norm.hpp) and chapter 7's FastReLU (fast_activations.hpp); false:
  // the lessons' layers, the default in a learner's workspace build, whose programs run the
  // learner's own ReLU, dropout and batch norm.
  bool fast_layers = ch07::fast_layers_by_default;
  // With fast_layers and dropout: each FastBatchNorm → FastReLU → FastDropout as the one layer
  // FastBnReluDropout (fast_bn_relu_dropout.hpp), the same numbers in two fewer passes each way
  // (bench_ch11_final measures both), and the same model file as the lessons' net.
  bool fuse_bn_relu_dropout = true;
};

// Chapter 10's options (He, BatchNorm before each ReLU) and chapter 8's dropout
// after each ReLU: a ⊙ d / keep_prob in training, the identity in evaluation.
template <typename eT>
Network<eT> make_final_net(const FinalNetSettings& s = {}) {
  ch07::MlpOptions<eT> options = ch10::bn_mlp_options<eT>(/*batch_norm=*/true);
  if constexpr (std::is_same_v<eT, float>)
    if (s.fast_layers) options.make_activation = ch07::make_fast_activation;  // ReLU's backward in one loop
  if (s.fast_layers)  // the same layer in five passes over the batch instead of fifteen
    options.normalization = [](arma::uword units) { return std::make_unique<FastBatchNorm<eT>>(units); };
  if (s.fast_layers && s.fuse_bn_relu_dropout && s.keep_prob < 1) {
    // Linear (no bias) → FastBnReluDropout per hidden layer, drawn in make_mlp's order (the
    // dropout's seed after the layer's own construction, the weights last): the same run.
    if (s.sizes.size() < 2) throw std::invalid_argument("make_final_net: give at least two sizes (input and output)");
    Network<eT> net;
    for (std::size_t l = 0; l + 2 < s.sizes.size(); ++l) {
      net.template add<Linear>(s.sizes[l], s.sizes[l + 1], false);                    // z^l = W^l a^{l−1}
      net.add(std::make_unique<FastBnReluDropout<eT>>(s.sizes[l + 1], s.keep_prob));  // a^l = max(ẑ^l, 0) ⊙ d / p
    }
    net.template add<Linear>(s.sizes[s.sizes.size() - 2], s.sizes.back());  // the logits z^L
    net.set_loss(std::make_unique<SoftmaxCrossEntropy<eT>>());
    if (options.init) options.init(net);
    return net;
  }
  if (s.keep_prob < 1) {
    const double keep_prob = s.keep_prob;
    const bool fast = s.fast_layers;
    options.after_activation = [keep_prob, fast]() -> std::unique_ptr<Layer<eT>> {
      if (fast) return std::make_unique<FastDropout<eT>>(keep_prob);
      return std::make_unique<ch08::Dropout<eT>>(keep_prob);
    };
  }
  return ch07::make_mlp<eT>(s.sizes, options);
}

}  // namespace course::ch11
