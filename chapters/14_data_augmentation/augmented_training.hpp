// Training with distortions regenerated every epoch: chapter 7's loop, chapter
// 11's network, this chapter's producer.
//
//   network:    chapter 11's family widened, 784-800-800-10 (Linear → BatchNorm → ReLU → Dropout ×2 → softmax)
//   optimiser:  chapter 9's Adam (fused), α = α0 · decay^epoch
//   epoch e:    the producer's distortions of the training images (made while epoch e − 1 trained),
//               shuffled, in mini-batches: fit()'s loop, with an order that first swaps in epoch e's images
//
// Without distortions the training images are chapter 7's bytes, as in chapter 11.
#pragma once
#include <armadillo>

#include <cstdint>
#include <random>
#include <string>

#include "chapters/07_mnist_mlp/fast_batches.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "chapters/14_data_augmentation/distortion.hpp"
#include "chapters/14_data_augmentation/producer.hpp"

namespace course::ch14 {

// Chapter 11's net widened: two hidden layers of 800 (Simard's MLP had one of 800), dropout keep_prob 0.9.
inline ch11::FinalNetSettings wide_net(arma::uword hidden = 800, double keep_prob = 0.9) {
  return {.sizes = {784, hidden, hidden, 10}, .keep_prob = keep_prob};
}

struct AugmentedSettings {
  int epochs = 30;
  arma::uword batch_size = 128;
  double lr = 2e-3;               // α0
  double decay = 0.95;            // α = α0 · decay^epoch
  bool background = true;         // the producer on its own thread (false: in the trainer's, same images)
  std::string progress = "";      // a progress bar's label ("" for none)
  arma::uword eval_chunk = 2000;  // examples per forward pass in the evaluations (bounds the caches' memory)
};

struct AugmentedRun {
  History history;
  double wait_seconds = 0;     // the trainer waiting for distortions (producer.hpp: what it measures)
  double produce_seconds = 0;  // the distortions' own time, on whichever thread made them
};

// Trains net on the images X_bytes (784 × m, labels Y) distorted by d, new distortions
// every epoch drawn from `seed`; train_eval and dev are evaluated (undistorted) after
// every epoch; gen shuffles the mini-batches.
inline AugmentedRun train_augmented(Network<float>& net, const arma::Mat<std::uint8_t>& X_bytes, const arma::fmat& Y,
                                    LabelledSet<float> train_eval, LabelledSet<float> dev, const Distortion& d,
                                    std::uint64_t seed, const AugmentedSettings& s, std::mt19937_64& gen,
                                    const OnRecord& on_record = {}) {
  ch09::FusedAdam<float> adam(float(s.lr));
  const ch09::ExponentialDecay schedule(s.lr, s.decay);  // α = α0 · decay^epoch
  FitSettings fit_settings{.epochs = s.epochs,
                           .batch_size = s.batch_size,
                           .record_every = 1,
                           .schedule = &schedule,
                           .progress = s.progress,
                           .order = {},
                           .eval_chunk = s.eval_chunk};
  AugmentedRun run;
  if (!d.any()) {  // the originals, every epoch
    run.history = fit(net, adam, X_bytes, Y, train_eval, dev, fit_settings, gen, on_record);
    return run;
  }
  DistortionProducer producer(X_bytes, d, seed, s.background, s.epochs);
  EpochImages images{.producer = &producer, .current = nullptr, .n_rows = X_bytes.n_rows, .n_cols = X_bytes.n_cols};
  fit_settings.order = images.epoch_order();  // epoch e: swap in its images, then shuffle
  run.history = fit(net, adam, images, Y, train_eval, dev, fit_settings, gen, on_record);
  run.wait_seconds = producer.wait_seconds();
  run.produce_seconds = producer.produce_seconds();
  return run;
}

}  // namespace course::ch14
