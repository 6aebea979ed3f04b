// Chapter 6: the per-example algorithm of note 000 against the vectorized
// mini-batch, for mini-batch sizes 1 to 512, on MNIST images, with the network
// of note 003 (784-64-16-10, sigmoid, tanh, softmax + cross-entropy, float32,
// one OpenBLAS thread: see chapter 7's README for why).
//
// Each iteration is one gradient step on one mini-batch of m examples; the
// counter examples/s is what to compare. Both ways give the same gradients
// (tests/ch06_backprop.cpp); only their speeds differ.
//
//   build/release/bin/bench_ch06_backprop
//   build/release/bin/bench_ch06_backprop --benchmark_filter=PerExample
#include <benchmark/benchmark.h>

#include <armadillo>
#include <iostream>

#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/06_backprop/per_example.hpp"
#include "common/blas_threads.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"

using namespace course;

namespace {

struct Batch {
  arma::fmat X, Y;
};

// The first 512 training images of MNIST (or of the embedded sample).
const Batch& images() {
  static const Batch batch = [] {
    set_blas_threads(1);
    Mnist mnist;
    try {
      mnist = load_dataset("mnist", default_data_dir());
    } catch (const std::exception& e) {
      std::cerr << "bench_ch06_backprop: " << e.what() << "\n  -> using the embedded sample instead\n";
      mnist = load_dataset("sample", {});
    }
    Batch b;
    b.X = mnist.train.X.cols(0, 511);
    b.Y = one_hot<float>(mnist.train.y.subvec(0, 511));
    return b;
  }();
  return batch;
}

Network<float> note_003_network() {
  return make_network<float>({784, 64, 16, 10}, {"sigmoid", "tanh", "softmax"}, "cross_entropy");
}

void BM_PerExample(benchmark::State& state) {
  const arma::uword m = arma::uword(state.range(0));
  const arma::fmat X = images().X.cols(0, m - 1), Y = images().Y.cols(0, m - 1);
  Network<float> net = note_003_network();
  PerExample<float> per_example;
  SGD<float> sgd(0.01f);
  for (auto _ : state) per_example.step(net, sgd, X, Y);
  state.counters["examples/s"] = benchmark::Counter(double(m), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Vectorized(benchmark::State& state) {
  const arma::uword m = arma::uword(state.range(0));
  const arma::fmat X = images().X.cols(0, m - 1), Y = images().Y.cols(0, m - 1);
  Network<float> net = note_003_network();
  SGD<float> sgd(0.01f);
  for (auto _ : state) minibatch_step(net, sgd, X, Y);
  state.counters["examples/s"] = benchmark::Counter(double(m), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_PerExample)->RangeMultiplier(2)->Range(1, 512)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Vectorized)->RangeMultiplier(2)->Range(1, 512)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
