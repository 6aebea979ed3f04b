// Chapter 7's speed: one training epoch of the 784-64-16-10 network on full
// MNIST (60,000 images, batch 64, float32), against the floor set by the
// matrix products alone (sgemm at the network's own shapes, measured here, in
// the same run), for 1 and 2 OpenBLAS threads; and the per-example loop of
// chapter 6 against the vectorized mini-batch on the same examples.
//
//   build/release/bin/bench_ch07_mnist                       everything, then a summary table
//   build/release/bin/bench_ch07_mnist --benchmark_filter=Epoch
//
// The summary prints: epoch time, examples/s, achieved GFLOP/s (matrix
// products of the epoch / epoch time) beside the sgemm ceiling, epoch / floor,
// peak memory (getrusage ru_maxrss), and per example / vectorized.
// Then, interleaved (floor, epoch, epoch with the lesson's σ and tanh, then again) for
// --rounds=N rounds (default 5), one BLAS thread: the ratios of the goals, each
// variant's fastest and the spread. --csv=PATH writes those times for bench/run.py.
// Without the full MNIST files it falls back to the embedded sample (and says so).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <armadillo>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "chapters/06_backprop/per_example.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "collector.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "interleaved.hpp"
#include "mnist_data.hpp"
#include "sgemm_floor.hpp"

using namespace course;
using namespace course::ch07;

namespace {

const std::vector<arma::uword> kSizes = {784, 64, 16, 10};
constexpr arma::uword kBatch = 64;
constexpr arma::uword kPerExampleSubset = 6400;

course::bench::MnistData& data() { return course::bench::mnist_data("bench_ch07_mnist"); }

// The floor: only the matrix products of one epoch, at the network's shapes (sgemm_floor.hpp).
void BM_SgemmFloor(benchmark::State& state) {
  set_blas_threads(int(state.range(0)));
  course::bench::SgemmFloor floor(kSizes, kBatch, data().mnist.train.size());
  for (auto _ : state) {
    floor.run();
    benchmark::DoNotOptimize(floor.result());
    benchmark::ClobberMemory();
  }
  const double flops = training_flops(kSizes, double(floor.batches() * kBatch));
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// One epoch of chapter 7's training loop: shuffle, gather, forward, cost, backward, step.
void BM_Epoch(benchmark::State& state) {
  set_blas_threads(int(state.range(0)));
  course::bench::MnistData& d = data();
  seed_everything(1);
  Network<float> net = make_mnist_mlp();
  MinibatchTrainer<float> trainer;
  SGD<float> sgd(0.1f);
  std::mt19937_64 gen(1);
  trainer.train_epoch(net, sgd, d.X_bytes, d.Y_train, kBatch, gen);  // sizes the buffers (warm-up)
  for (auto _ : state) {
    benchmark::DoNotOptimize(trainer.train_epoch(net, sgd, d.X_bytes, d.Y_train, kBatch, gen));
  }
  const double m = double(d.mnist.train.size());
  state.counters["examples/s"] = benchmark::Counter(m, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(training_flops(kSizes, m) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["test_accuracy"] = evaluate(net, d.mnist.test.X, one_hot<float>(d.mnist.test.y)).accuracy;
}

// Chapter 6's two ways on the same 6,400 examples, batch 64, one BLAS thread.
// The same mini-batches of the first kPerExampleSubset images, one step each: `step(net, sgd, Xb, Yb)` is
// the per-example loop or the vectorized step, so that the two benchmarks differ in nothing else.
template <typename Step>
void train_subset(benchmark::State& state, Step step) {
  set_blas_threads(1);
  course::bench::MnistData& d = data();
  const arma::uword n = std::min<arma::uword>(kPerExampleSubset, d.mnist.train.size());
  Network<float> net = make_mnist_mlp();
  SGD<float> sgd(0.1f);
  arma::fmat Xb, Yb;
  for (auto _ : state) {
    for (arma::uword first = 0; first < n; first += kBatch) {
      Xb = d.mnist.train.X.cols(first, first + kBatch - 1);
      Yb = d.Y_train.cols(first, first + kBatch - 1);
      step(net, sgd, Xb, Yb);
    }
  }
  state.counters["examples/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_PerExample(benchmark::State& state) {
  PerExample<float> per_example;
  train_subset(state, [&](Network<float>& net, SGD<float>& sgd, const arma::fmat& Xb, const arma::fmat& Yb) {
    per_example.step(net, sgd, Xb, Yb);
  });
}

void BM_Vectorized(benchmark::State& state) {
  train_subset(state, [](Network<float>& net, SGD<float>& sgd, const arma::fmat& Xb, const arma::fmat& Yb) {
    minibatch_step(net, sgd, Xb, Yb);
  });
}

// Seven short repetitions each; the summary takes the fastest (on a shared
// machine the other jobs only ever add time, so the minimum is the best estimate).
// Real time: OpenBLAS's second thread is not in the CPU timer of this one.
void fastest_of_seven(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MinTime(0.5)
      ->Repetitions(7)
      ->ComputeStatistics("min", course::bench::fastest)
      ->ReportAggregatesOnly(true);
}
BENCHMARK(BM_SgemmFloor)->Arg(1)->Arg(2)->Apply(fastest_of_seven);
BENCHMARK(BM_Epoch)->Arg(1)->Arg(2)->Apply(fastest_of_seven);
BENCHMARK(BM_PerExample)->Apply(fastest_of_seven);
BENCHMARK(BM_Vectorized)->Apply(fastest_of_seven);

}  // namespace

// One epoch of chapter 7's loop on a net of its own (for the interleaved rounds).
struct Ch07Epoch {
  Network<float> net;
  MinibatchTrainer<float> trainer;
  SGD<float> sgd{0.1f};
  std::mt19937_64 gen{1};
  void run() { trainer.train_epoch(net, sgd, data().X_bytes, data().Y_train, kBatch, gen); }
};

int main(int argc, char** argv) {
  const int rounds = course::bench::take_rounds(argc, argv, 5);
  const std::string csv = course::bench::take_csv(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  data();  // load before timing
  course::bench::Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);

  auto get = [&](const std::string& name) -> const course::bench::Collector::Result* {
    auto it = collector.results.find(name);
    return it == collector.results.end() ? nullptr : &it->second;
  };
  const double m = double(data().mnist.train.size());
  const double flops = training_flops(kSizes, m);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "\nSummary: 784-64-16-10, batch %llu, float32, %s (%.0f training images), %.2f GFLOP of matrix products per "
      "epoch\n",
      static_cast<unsigned long long>(kBatch), data().full ? "full MNIST" : "THE EMBEDDED SAMPLE (no full MNIST found)",
      m, flops * 1e-9);
  std::printf(
      "  BLAS threads   epoch      examples/s   achieved GFLOP/s   sgemm floor (GFLOP/s)   epoch / floor   (CPU time: "
      "epoch, floor)\n");
  for (int threads : {1, 2}) {
    const course::bench::Collector::Result* epoch = get("BM_Epoch/" + std::to_string(threads));
    const course::bench::Collector::Result* floor = get("BM_SgemmFloor/" + std::to_string(threads));
    if (!epoch || !floor) continue;
    std::printf("  %12d   %.3f s   %10.0f   %16.1f   %.3f s (%5.1f)        %.2f×          (%.3f s, %.3f s)\n", threads,
                epoch->seconds, m / epoch->seconds, flops * 1e-9 / epoch->seconds, floor->seconds,
                flops * 1e-9 / floor->seconds, epoch->seconds / floor->seconds, epoch->cpu_seconds, floor->cpu_seconds);
  }
  if (const course::bench::Collector::Result* e = get("BM_Epoch/1")) {
    std::printf("  test accuracy after the benchmark's epochs (1 thread run): %.2f%%\n",
                100.0 * e->counters.at("test_accuracy"));
  }
  const course::bench::Collector::Result* slow = get("BM_PerExample");
  const course::bench::Collector::Result* fast = get("BM_Vectorized");
  if (slow && fast) {
    std::printf("  per example / vectorized (chapter 6, %llu examples, batch 64, 1 thread): %.3f s / %.3f s = %.1f×\n",
                static_cast<unsigned long long>(std::min<arma::uword>(kPerExampleSubset, data().mnist.train.size())),
                slow->seconds, fast->seconds, slow->seconds / fast->seconds);
  }
  std::printf("  peak memory (ru_maxrss): %.0f MB (the 60,000 + 10,000 images as float: %.0f MB)\n",
              double(usage.ru_maxrss) / 1024.0, 784.0 * 70000 * 4 / 1048576.0);
  std::printf(
      "  (the fastest of 7 repetitions of each, wall-clock; on a machine busy with other work every time grows)\n");

  // The goals' ratios, measured interleaved.
  set_blas_threads(1);
  seed_everything(1);
  Ch07Epoch fast_epoch, lesson_epoch;
  fast_epoch.net = make_mnist_mlp();
  seed_everything(1);
  lesson_epoch.net = make_mlp<float>(kSizes);  // chapter 3's Sigmoid and Tanh layers
  const arma::uword batches = (data().mnist.train.size() + kBatch - 1) / kBatch;
  arma::fmat X(784, kBatch, arma::fill::randu), W1(64, 784, arma::fill::randn), W2(16, 64, arma::fill::randn),
      W3(10, 16, arma::fill::randn), Z1, Z2, Z3, dW1, dW2, dW3, dA1, dA2;
  const arma::fmat dZ1(64, kBatch, arma::fill::randn), dZ2(16, kBatch, arma::fill::randn),
      dZ3(10, kBatch, arma::fill::randn);
  std::vector<course::bench::Variant> v = {
      {"sgemm floor",
       [&] {
         for (arma::uword b = 0; b < batches; ++b) {
           Z1 = W1 * X;
           Z2 = W2 * Z1;
           Z3 = W3 * Z2;
           dW3 = dZ3 * Z2.t();
           dA2 = W3.t() * dZ3;
           dW2 = dZ2 * Z1.t();
           dA1 = W2.t() * dZ2;
           dW1 = dZ1 * X.t();
         }
       }},
      {"epoch (FastSigmoid, FastTanh)", [&] { fast_epoch.run(); }},
      {"epoch, the lesson's Sigmoid and Tanh", [&] { lesson_epoch.run(); }},
  };
  std::fprintf(stderr, "bench_ch07_mnist: %zu variants, interleaved, %d rounds\n", v.size(), rounds);
  course::bench::run_interleaved(v, rounds);
  if (!csv.empty()) course::bench::write_csv(v, csv);
  std::printf("\nInterleaved, 1 BLAS thread, %d rounds (fastest of each):\n", rounds);
  course::bench::print_spread(v);
  const double floor = v[0].fastest(), epoch = v[1].fastest();
  std::printf("  epoch / floor %.2f× (goal <= 1.2×: %s); the lesson's activations: %.2f× the floor, %.2f× this epoch\n",
              epoch / floor, epoch <= 1.2 * floor ? "met" : "not met", v[2].fastest() / floor, v[2].fastest() / epoch);
  benchmark::Shutdown();
  return 0;
}
