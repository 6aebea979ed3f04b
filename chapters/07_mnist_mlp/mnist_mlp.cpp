#include "chapters/07_mnist_mlp/mnist_mlp.hpp"

#include <algorithm>
#include <cmath>

#include "chapters/07_mnist_mlp/fast_activations.hpp"
#include "common/exercise.hpp"

namespace course::ch07 {

Network<float> make_mnist_mlp(bool fast_layers, bool sparse_input) {
  MlpOptions<float> options;                                        // the lesson's σ and tanh (chapter 3) ...
  if (fast_layers) options.make_activation = make_fast_activation;  // ... or the same layers, vectorised
  if (fast_layers && sparse_input) options.first_linear = make_sparse_input_linear;  // W^1 x over x's nonzeros
  Network<float> net = make_mlp<float>({784, 64, 16, 10}, options);
  if (fast_layers) net.set_loss(std::make_unique<FastSoftmaxCrossEntropy<float>>());  // chapter 5's, bit for bit
  return net;
}

double training_flops(const std::vector<arma::uword>& sizes, double examples) {
  double per_example = 0;
  for (std::size_t l = 1; l < sizes.size(); ++l) {
    const double products = double(sizes[l]) * double(sizes[l - 1]);  // W^l is n_l × n_{l−1}
    per_example += 2 * products;                                      // forward W·A
    per_example += 2 * products;                                      // dW = dZ·Aᵀ
    if (l > 1) per_example += 2 * products;                           // dA = Wᵀ·dZ (not for the first layer)
  }
  return per_example * examples;
}

}  // namespace course::ch07
