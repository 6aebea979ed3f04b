// Distortions regenerated every epoch, on the other core.
//
// Training on the same distorted copies every epoch would give the net a
// larger, fixed training set; new distortions every epoch give it a new set
// each time (Cireşan et al. 2010), so it never sees one image twice. Making
// 50,000 distortions takes seconds; on a machine with two cores it need not
// cost the training any time: a producer thread distorts epoch e + 1's images
// while the network trains on epoch e's.
//
//   trainer:  [distort e=1][train e=1  ][train e=2  ][train e=3  ] ...
//   producer:              [distort e=2][distort e=3][distort e=4]
//
// Two buffers (double buffering): the trainer reads one while the producer
// writes the other; they swap when both are done. The first epoch, which
// nothing can overlap, the trainer distorts itself; after it, the trainer waits
// only when the producer is slower than an epoch of training. That waiting
// (the first epoch included) is measured and printed: the wall time the
// trainer loses to augmentation directly. It is not all of it if the producer
// also slows the trainer's own work (the two cores share a cache and the
// memory bus); that part shows only by comparing runs.
//
// Reproducible: epoch e's images come from their own generator, seeded with
// ch12::trial_seed(seed, e) (chapter 12's SplitMix64 of the pair), and depend
// on nothing else: not on the thread that draws them, nor on when. A
// single-threaded run (background = false) makes exactly the same images.
// The producer uses no generator of the trainer's (chapter 12: one generator
// per thread). It sets no BLAS thread count of its own: Armadillo's products in
// it (elastic.hpp's G N Gᵀ) run with the program's, one thread unless
// --blas-threads says otherwise (Chapter::add_blas_threads_option), so that the
// trainer's products and the producer's each keep to one core.
#pragma once
#include <armadillo>

#include <chrono>
#include <cstdint>
#include <future>
#include <stdexcept>
#include <string>

#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/12_hyperparameter_search/search.hpp"
#include "chapters/14_data_augmentation/distortion.hpp"

namespace course::ch14 {

class DistortionProducer {
 public:
  // originals: 784 × m bytes (kept by the caller); background: a producer thread, or none;
  // epochs: the last epoch that will be asked for (0: no end), so none is made in vain.
  DistortionProducer(const arma::Mat<std::uint8_t>& originals, const Distortion& d, std::uint64_t seed, bool background,
                     int epochs = 0)
      : originals_(&originals), distortion_(d), seed_(seed), background_(background), epochs_(epochs) {}
  DistortionProducer(const DistortionProducer&) = delete;
  DistortionProducer& operator=(const DistortionProducer&) = delete;
  ~DistortionProducer() {
    if (pending_.valid()) pending_.wait();  // the thread may still write into a buffer
  }

  // The seed of epoch e's distortions.
  std::uint64_t epoch_seed(int epoch) const { return ch12::trial_seed(seed_, epoch); }

  // Epoch e's images (e = 1, 2, ... in order): waits for the producer if it is
  // not done, then starts it on epoch e + 1. The reference is valid until the
  // call for epoch e + 1.
  const arma::fmat& images(int epoch) {
    if (epoch != last_epoch_ + 1)
      throw std::invalid_argument("DistortionProducer: asked for epoch " + std::to_string(epoch) + " after epoch " +
                                  std::to_string(last_epoch_) + " (epochs come in order)");
    const auto start = std::chrono::steady_clock::now();
    arma::fmat& current = buffers_[epoch % 2];
    if (pending_.valid()) {
      produce_seconds_ += pending_.get();  // epoch e, made while e − 1 trained
    } else {
      produce_seconds_ += produce(epoch, current);  // the first epoch, or no thread
    }
    wait_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    last_epoch_ = epoch;
    if (background_ && (epochs_ == 0 || epoch < epochs_)) {
      arma::fmat& next = buffers_[(epoch + 1) % 2];  // the buffer epoch e − 1 trained on: free now
      pending_ = std::async(std::launch::async, [this, epoch, &next] { return produce(epoch + 1, next); });
    }
    return current;
  }

  double wait_seconds() const { return wait_seconds_; }        // the trainer's waiting for distortions
  double produce_seconds() const { return produce_seconds_; }  // the producer's work (on either thread)
  int epochs_produced() const { return last_epoch_; }

 private:
  double produce(int epoch, arma::fmat& out) const {
    const auto start = std::chrono::steady_clock::now();
    distort_epoch(*originals_, distortion_, epoch_seed(epoch), out);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  const arma::Mat<std::uint8_t>* originals_;
  Distortion distortion_;
  std::uint64_t seed_;
  bool background_;
  int epochs_;
  arma::fmat buffers_[2];
  std::future<double> pending_;
  int last_epoch_ = 0;
  double wait_seconds_ = 0, produce_seconds_ = 0;
};

// What the training loop trains on: this epoch's distorted images. fit()
// (chapter 7) asks for each epoch's order of the examples at the start of the
// epoch; the order this chapter gives it first moves the view to the next
// epoch's images (epoch_order), so the loop itself is chapter 7's, unchanged.
struct EpochImages {
  DistortionProducer* producer = nullptr;
  const arma::fmat* current = nullptr;
  arma::uword n_rows = kPixels, n_cols = 0;
  int epoch = 0;

  // fit's ExampleOrder: the next epoch's images, and a new shuffle.
  ExampleOrder epoch_order() {
    return [this](arma::uword m, std::mt19937_64& gen) {
      current = &producer->images(++epoch);
      if (current->n_cols != m)
        throw std::logic_error("EpochImages: the producer made " + std::to_string(current->n_cols) + " images, not " +
                               std::to_string(m));
      return shuffled_indices(m, gen);
    };
  }
};

}  // namespace course::ch14

namespace course {
// X_b = the columns order[first..last] of this epoch's distorted images.
template <>
struct BatchGather<ch14::EpochImages> {
  static void gather(const ch14::EpochImages& X, const arma::uvec& order, arma::uword first, arma::uword last,
                     arma::fmat& Xb) {
    if (X.current == nullptr) throw std::logic_error("EpochImages: no epoch's images yet (use epoch_order())");
    Xb = X.current->cols(order.subvec(first, last));
  }
};
}  // namespace course
