// Building a network from names: chapter 6's shorthand for the networks of its
// experiments and tests (chapter 7's make_mlp builds on make_activation).
#pragma once
#include <armadillo>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "chapters/05_softmax/softmax.hpp"
#include "chapters/06_backprop/network.hpp"

namespace course {

// A network from a list of layer sizes and activations:
//   make_network<float>({784, 64, 16, 10}, {"sigmoid", "tanh", "softmax"}, "cross_entropy")
// gives Linear(784→64), Sigmoid, Linear(64→16), Tanh, Linear(16→10), and
//   - "softmax" with "cross_entropy": no Softmax layer; the fused
//     SoftmaxCrossEntropy loss takes the logits (dZ = (A − Y)/m, chapter 5);
//   - "softmax_layer" with "cross_entropy": a Softmax layer and the plain
//     CrossEntropy loss (the Jacobian route: the same gradient, slower);
//   - "identity" with "mse": linear output for regression;
//   - "sigmoid" with "binary_cross_entropy": one logistic output.
// Activations: sigmoid, tanh, relu, leaky_relu, identity (and softmax / softmax_layer last).
// Losses: mse, binary_cross_entropy, cross_entropy.
template <typename eT>
std::unique_ptr<Layer<eT>> make_activation(const std::string& name) {
  if (name == "sigmoid") return std::make_unique<Sigmoid<eT>>();
  if (name == "tanh") return std::make_unique<Tanh<eT>>();
  if (name == "relu") return std::make_unique<ReLU<eT>>();
  if (name == "leaky_relu") return std::make_unique<LeakyReLU<eT>>(eT(0.01));
  if (name == "identity") return std::make_unique<Identity<eT>>();
  if (name == "softmax" || name == "softmax_layer") return std::make_unique<Softmax<eT>>();
  throw std::invalid_argument("unknown activation \"" + name +
                              "\" (expected sigmoid, tanh, relu, leaky_relu, identity, softmax or softmax_layer)");
}

template <typename eT>
Network<eT> make_network(const std::vector<arma::uword>& sizes, const std::vector<std::string>& activations,
                         const std::string& loss) {
  if (sizes.size() < 2) throw std::invalid_argument("make_network: give at least two sizes (input and output)");
  if (activations.size() != sizes.size() - 1) {
    throw std::invalid_argument("make_network: " + std::to_string(sizes.size()) + " sizes make " +
                                std::to_string(sizes.size() - 1) + " layers, but " +
                                std::to_string(activations.size()) + " activations were given");
  }
  Network<eT> net;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    net.template add<Linear>(sizes[l], sizes[l + 1]);  // z^l = W^l a^{l−1} + b^l: W^l is n_l × n_{l−1}
    const bool last = l + 2 == sizes.size();
    const std::string& f = activations[l];
    if ((f == "softmax" || f == "softmax_layer") && !last)
      throw std::invalid_argument("make_network: softmax belongs to the last layer only");
    if (last && f == "softmax" && loss == "cross_entropy") break;  // fused into the loss below
    net.add(make_activation<eT>(f));                               // a^l = f(z^l)
  }
  if (loss == "mse") {
    net.set_loss(std::make_unique<MeanSquaredError<eT>>());
  } else if (loss == "binary_cross_entropy") {
    net.set_loss(std::make_unique<BinaryCrossEntropy<eT>>());
  } else if (loss == "cross_entropy") {
    if (activations.back() == "softmax")
      net.set_loss(std::make_unique<SoftmaxCrossEntropy<eT>>());
    else
      net.set_loss(std::make_unique<CrossEntropy<eT>>());
  } else {
    throw std::invalid_argument("unknown loss \"" + loss + "\" (expected mse, binary_cross_entropy or cross_entropy)");
  }
  return net;
}

}  // namespace course
