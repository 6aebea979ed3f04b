// The 1-3-1 network that fits a sine curve (note 003, "双层神经网络实现非线性回归").
//
//   x (1 × m) ─ Linear(1 -> 3) ─ Sigmoid ─ Linear(3 -> 1) ─ a (1 × m),  cost J = (1/2m) Σ (a − y)²
//
// In the course's convention (one example per column):
//   Z1 = W1·X + b1     W1: 3 × 1, b1: 3 × 1, Z1: 3 × m
//   A1 = σ(Z1)                               A1: 3 × m
//   A2 = W2·A1 + b2    W2: 1 × 3, b2: 1 × 1, A2: 1 × m   (linear output: no activation)
// Note 003 writes the same network with one example per row: Z1 = X·W1 + B1 with
// its W1 (1 × 3) = our W1ᵀ, and its W2 (3 × 1) = our W2ᵀ.
//
// The output is a weighted sum of three S-shaped curves plus a constant:
//   a(x) = Σ_k w2_k σ(w1_k x + b1_k) + b2
// and training bends and places those three curves so that their sum follows the
// sine (the figure fit.png draws each term w2_k σ(w1_k x + b1_k)).
#pragma once
#include <armadillo>

#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/linear.hpp"
#include "chapters/03_activations/losses.hpp"
#include "common/data.hpp"

namespace course {

// ---------------------------------------------------------------------------
// The data: y = 0.5 + 0.4 sin(2πx) + noise, x uniform in [0, 1]
// (the targets stay between about 0.05 and 0.95, away from 0, so MAPE is defined)
// ---------------------------------------------------------------------------

struct RegressionData {
  arma::mat x;  // 1 × m
  arma::mat y;  // 1 × m
};

inline double sine_target(double x) { return 0.5 + 0.4 * std::sin(2.0 * arma::datum::pi * x); }

// m examples with Gaussian noise of standard deviation `noise`, from the course's generator.
inline RegressionData make_sine_data(std::size_t m, double noise, std::mt19937_64& gen) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> gaussian(0.0, noise);
  RegressionData data{arma::mat(1, m, arma::fill::zeros), arma::mat(1, m, arma::fill::zeros)};
  for (std::size_t i = 0; i < m; ++i) {
    data.x(0, i) = uniform(gen);
    data.y(0, i) = sine_target(data.x(0, i)) + gaussian(gen);
  }
  return data;
}

// The examples at `indices`.
inline RegressionData subset(const RegressionData& data, const arma::uvec& indices) {
  return {data.x.cols(indices), data.y.cols(indices)};
}

// Train, dev and test sets (note 001 §1.1), cut in order: the first train_fraction
// of the m examples, then the next dev_fraction, then the rest. The generators draw
// the examples in random order already, so no shuffle is needed. Any data with a
// subset(data, indices) will do: chapter 5 splits its three-class data with it too.
template <typename Data>
struct TrainDevTest {
  Data train, dev, test;
  SplitSizes sizes;
};

template <typename Data>
TrainDevTest<Data> split_in_order(const Data& data, std::size_t m, double train_fraction, double dev_fraction) {
  const SplitSizes sizes = split_sizes(m, train_fraction, dev_fraction);
  const arma::uvec order = arma::regspace<arma::uvec>(0, m - 1);
  return {subset(data, order.subvec(0, sizes.train - 1)),
          subset(data, order.subvec(sizes.train, sizes.train + sizes.dev - 1)),
          subset(data, order.subvec(sizes.train + sizes.dev, m - 1)), sizes};
}

// ---------------------------------------------------------------------------
// A chain of layers: the forward pass keeps every layer's input and output (the
// cache), the backward pass walks the layers in reverse, each turning ∂J/∂output
// into ∂J/∂input (the chain rule) and its parameters' gradients.
// ---------------------------------------------------------------------------

class LayerChain {
 public:
  using Mat = arma::mat;

  LayerChain& add(std::unique_ptr<Layer<double>> layer) {
    layers_.push_back(std::move(layer));
    return *this;
  }
  template <typename L, typename... Args>
  L& emplace(Args&&... args) {
    auto layer = std::make_unique<L>(std::forward<Args>(args)...);
    L& ref = *layer;
    layers_.push_back(std::move(layer));
    return ref;
  }

  std::size_t size() const { return layers_.size(); }
  Layer<double>& layer(std::size_t i) { return *layers_.at(i); }

  // a^[0] = X, a^[l] = layer_l(a^[l−1]); returns the last output.
  const Mat& forward(const Mat& X) {
    activations_.resize(layers_.size() + 1);
    activations_[0] = X;
    for (std::size_t l = 0; l < layers_.size(); ++l) layers_[l]->forward(activations_[l], activations_[l + 1]);
    return activations_.back();
  }

  // The output of layer l in the last forward pass (l = 0: the input X).
  const Mat& cached(std::size_t l) const { return activations_.at(l); }

  // dout = ∂J/∂(last output); fills every layer's gradients.
  void backward(const Mat& dout) {
    Mat d = dout, dinput;
    for (std::size_t l = layers_.size(); l-- > 0;) {
      layers_[l]->backward(activations_[l], activations_[l + 1], d, dinput);
      d = std::move(dinput);
    }
  }

  // Gradient descent: θ ← θ − α ∂J/∂θ for every parameter.
  void gradient_descent_step(double lr) {
    for (std::unique_ptr<Layer<double>>& layer : layers_) {
      std::vector<Mat*> params = layer->parameters();
      std::vector<Mat*> grads = layer->gradients();
      for (std::size_t k = 0; k < params.size(); ++k) *params[k] -= lr * *grads[k];
    }
  }

 private:
  std::vector<std::unique_ptr<Layer<double>>> layers_;
  std::vector<Mat> activations_;
};

// The 1-h-1 regression network: Linear(1 -> h), Sigmoid, Linear(h -> 1).
// Weights start as N(0, 1) in the hidden layer (x is in [0, 1], so z1 needs
// weights of a few units to bend at all) and N(0, 1/h) in the output layer.
inline LayerChain make_sine_network(int hidden_units) {
  LayerChain net;
  Linear<double>& hidden = net.emplace<Linear<double>>(1, hidden_units);
  hidden.init_normal(1.0);
  net.emplace<Sigmoid<double>>();
  Linear<double>& output = net.emplace<Linear<double>>(hidden_units, 1);
  output.init_normal(1.0 / std::sqrt(double(hidden_units)));
  return net;
}

// The linear model a = w·x + b: a network without a hidden layer.
inline LayerChain make_linear_model() {
  LayerChain net;
  net.emplace<Linear<double>>(1, 1);
  return net;
}

// ---------------------------------------------------------------------------
// Training: mini-batch gradient descent on J = (1/2m) Σ (a − y)²
// ---------------------------------------------------------------------------

struct TrainingSettings {
  int epochs = 3000;
  double lr = 0.5;
  int batch_size = 10;
};

struct TrainingCurve {
  std::vector<double> epoch, train_cost, dev_cost;
};

// One epoch of mini-batch gradient descent: for each mini-batch (X_batch, Y_batch)
// of the shuffled examples (columns of X and Y): forward pass, ∂J/∂A from `loss`
// (any loss with gradient(A, Y, dA): MeanSquaredError here, chapter 5's
// SoftmaxCrossEntropy), backward pass, θ ← θ − α ∂J/∂θ. Chapter 5 trains with it too.
template <typename Loss>
void train_one_epoch(LayerChain& net, Loss& loss, const arma::mat& X, const arma::mat& Y, int batch_size, double lr,
                     std::mt19937_64& gen) {
  arma::mat dA;
  for (const arma::uvec& batch : minibatches(X.n_cols, batch_size, gen)) {
    const arma::mat X_batch = X.cols(batch);
    const arma::mat Y_batch = Y.cols(batch);
    const arma::mat& A = net.forward(X_batch);  // forward pass
    loss.gradient(A, Y_batch, dA);              // ∂J/∂A of this batch (MSE: (A − Y) / m_batch)
    net.backward(dA);                           // every ∂J/∂W, ∂J/∂b
    net.gradient_descent_step(lr);              // θ ← θ − α ∂J/∂θ
  }
}

// Trains `net` on `train`, recording the cost J on the whole train and dev sets
// after each epoch (every `record_every` epochs). `on_epoch` (optional) is told
// each epoch's number and costs (for a progress bar).
inline TrainingCurve train_regression(LayerChain& net, const RegressionData& train, const RegressionData& dev,
                                      const TrainingSettings& settings, std::mt19937_64& gen, int record_every = 1,
                                      const std::function<void(int, double, double)>& on_epoch = {}) {
  MeanSquaredError<double> loss;
  TrainingCurve curve;
  for (int epoch = 1; epoch <= settings.epochs; ++epoch) {
    train_one_epoch(net, loss, train.x, train.y, settings.batch_size, settings.lr, gen);  // ∂J/∂A = (A − Y) / m_batch
    if (epoch % record_every == 0 || epoch == settings.epochs) {
      const double train_cost = loss.cost(net.forward(train.x), train.y);
      const double dev_cost = loss.cost(net.forward(dev.x), dev.y);
      curve.epoch.push_back(epoch);
      curve.train_cost.push_back(train_cost);
      curve.dev_cost.push_back(dev_cost);
      if (on_epoch) on_epoch(epoch, train_cost, dev_cost);
    }
  }
  return curve;
}

}  // namespace course
