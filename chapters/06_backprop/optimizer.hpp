// Optimisers and learning-rate schedules: what changes θ, and by how much.
//
// Backpropagation (network.hpp) leaves ∂J/∂θ beside every parameter; an
// optimiser turns that into a step. It sees only the network's parameter list
// (Parameter entries: value, gradient, name, whether it decays), so a new
// optimiser needs no change to the network. Plain gradient descent is
//
//   θ ← θ − η ∂J/∂θ            for every parameter θ (W^l and b^l of every layer)
//
// Chapter 9 adds momentum, RMSprop and Adam, which keep state per parameter
// (velocities, squared-gradient averages): they keep it by position in the
// list, which is the same for every step of one network.
//
// The learning rate η of a step is the optimiser's; a schedule (chapter 9's
// decays) is a separate object that the training loop asks once per epoch.
#pragma once
#include <armadillo>

#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/03_activations/layer.hpp"

namespace course {

template <typename eT>
class Optimizer {
 public:
  explicit Optimizer(eT learning_rate) { set_learning_rate(learning_rate); }
  virtual ~Optimizer() = default;
  virtual std::string name() const = 0;

  // One step on every parameter of the list, from the gradients beside them.
  virtual void step(const std::vector<Parameter<eT>>& params) = 0;

  eT learning_rate() const { return learning_rate_; }
  void set_learning_rate(eT learning_rate) {
    if (!(learning_rate > eT(0)))
      throw std::invalid_argument("optimiser: the learning rate must be positive, found " +
                                  std::to_string(double(learning_rate)));
    learning_rate_ = learning_rate;
  }

 private:
  eT learning_rate_ = eT(0.1);
};

// Stochastic (mini-batch) gradient descent: θ ← θ − η dθ.
template <typename eT>
class SGD : public Optimizer<eT> {
 public:
  explicit SGD(eT learning_rate) : Optimizer<eT>(learning_rate) {}
  std::string name() const override { return "SGD"; }

  void step(const std::vector<Parameter<eT>>& params) override {
    const eT eta = this->learning_rate();
    for (const Parameter<eT>& p : params) *p.value -= eta * *p.gradient;  // W ← W − η dW, b ← b − η db
  }
};

// η for each epoch (counted from 1). The training loop sets the optimiser's
// learning rate from it at the start of every epoch.
class LearningRateSchedule {
 public:
  virtual ~LearningRateSchedule() = default;
  virtual std::string name() const = 0;
  virtual double rate(int epoch) const = 0;
};

// The same η every epoch.
class ConstantRate : public LearningRateSchedule {
 public:
  explicit ConstantRate(double eta) : eta_(eta) {
    if (!(eta > 0)) throw std::invalid_argument("ConstantRate: the learning rate must be positive");
  }
  std::string name() const override { return "constant"; }
  double rate(int) const override { return eta_; }

 private:
  double eta_;
};

}  // namespace course
