// One trial of the MNIST search: chapter 7's 784-h-16-10 network (sigmoid,
// tanh, softmax; Xavier), trained by chapter 9's momentum for a few epochs on a
// subset, scored by its accuracy on the dev set.
//
//   configuration (α, h, β):  α the learning rate, h the first hidden layer's
//                             units, β momentum's (v = βv + (1 − β)dW, W −= αv)
//   score:                    dev accuracy after the last epoch (NaN: diverged)
#pragma once
#include <armadillo>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/12_hyperparameter_search/search.hpp"

namespace course::ch12 {

// The search space of the chapter, in the order of a Config: (α, h, β).
// α on a log scale. α's four decades are 10⁻³ to 10, not note 003's 10⁻⁴ to 1:
// this sigmoid-tanh network with momentum in Ng's form (the step is α times an
// average of gradients) learns best near α = 1 (chapter 9 trains it with SGD at
// α = 1), and a range should hold its optimum inside, not at an end.
// h = exp U(ln 16, ln 256): smaller than note 003's [50, 2000] so that a trial
// takes a fraction of a second (its cost grows with h).
// β = 1 − 10^U(−2, −1), from 0.9 to 0.99, not to the notes' 0.999: a trial is
// about 375 steps (3 epochs of 125 batches), and Ng's momentum has no bias
// correction. v starts at 0, so after t steps it carries 1 − β^t of the
// gradients' weight: at β = 0.999, 1 − 0.999³⁷⁵ = 31% at the end of the trial,
// its window 1/(1 − β) = 1000 steps longer than the training. Such a trial
// scores the slow start, not the momentum; β = 0.99 (a window of 100 steps,
// 98% of the weight after 375) is the most a trial this short can judge.
inline Space mnist_space() {
  return {{"learning rate α", 1e-3, 10.0, Scale::log, false},
          {"hidden units h", 16, 256, Scale::log, true},
          {"momentum β", 0.9, 0.99, Scale::one_minus_log, false}};
}

// What every trial trains on; the data is shared, read only, by all the threads.
template <typename Images>
struct MnistTask {
  const Images* X = nullptr;          // training images, 784 × m (chapter 7's bytes, or floats)
  const arma::fmat* Y = nullptr;      // 10 × m one-hot
  const arma::fmat* X_dev = nullptr;  // the dev set the trials are scored on
  const arma::fmat* Y_dev = nullptr;
  int epochs = 3;
  arma::uword batch_size = 64;
  arma::uword second_hidden = 16;  // the second hidden layer (tanh), fixed
};

// Trains one network with config (α, h, β). Everything random comes from the
// trial: the Xavier initialisation from Armadillo's generator (run_trials seeds
// it on this thread), the mini-batches' order from gen. A training whose cost
// became inf or NaN has diverged: its score is NaN (it never wins).
template <typename Images>
Outcome train_trial(const MnistTask<Images>& task, const Config& config, std::mt19937_64& gen) {
  if (config.size() != 3)
    throw std::invalid_argument("train_trial: expected (α, hidden units, β), got " + std::to_string(config.size()) +
                                " values");
  const double alpha = config[0], beta = config[2];
  const arma::uword hidden = arma::uword(config[1]);
  Network<float> net = ch07::make_mlp<float>({task.X->n_rows, hidden, task.second_hidden, task.Y->n_rows});
  ch09::Momentum<float> momentum(float(alpha), beta);  // v = βv + (1 − β)dW, W −= αv
  try {
    const History h =
        fit(net, momentum, *task.X, *task.Y, LabelledSet<float>{}, LabelledSet<float>{task.X_dev, task.Y_dev},
            {.epochs = task.epochs,
             .batch_size = task.batch_size,
             .record_every = task.epochs,
             .schedule = nullptr,
             .progress = ""},
            gen);
    return {h.back().dev_accuracy, h.back().dev_cost};
  } catch (const TrainingDiverged&) {  // NaN score: diverged (any other error goes on)
    return {};
  }
}

// The objective of run_trials for this task.
template <typename Images>
Objective mnist_objective(const MnistTask<Images>& task) {
  return [&task](const Config& config, std::uint64_t, std::mt19937_64& gen) { return train_trial(task, config, gen); };
}

}  // namespace course::ch12
