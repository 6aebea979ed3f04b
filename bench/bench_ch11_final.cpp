// uses: ch11
//
// Chapter 11's speed: one training epoch of the final classifier (784-256-128-10,
// batch norm + ReLU + dropout 0.2, Adam at 10⁻³, batch 128, float32, one
// OpenBLAS thread) on full MNIST's 60,000 training images, against the floor set
// by its matrix products alone (sgemm at the net's own shapes, in the same run);
// and the same epoch without batch norm, without dropout, and with SGD instead
// of Adam, whose differences are each part's share of the epoch.
//
//   build/release/bin/bench_ch11_final
//
// Without the full MNIST files it falls back to the embedded sample (and says so).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <armadillo>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "common/blas_threads.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "collector.hpp"
#include "mnist_data.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"

using namespace course;
using namespace course::ch11;

namespace {

const std::vector<arma::uword> kSizes = {784, 256, 128, 10};
constexpr arma::uword kBatch = 128;

course::bench::MnistData& data() { return course::bench::mnist_data("bench_ch11_final"); }

// The floor: the epoch's matrix products only, into preallocated matrices.
void BM_SgemmFloor(benchmark::State& state) {
  set_blas_threads(1);
  const arma::uword batches = (data().mnist.train.size() + kBatch - 1) / kBatch;
  arma::fmat X(784, kBatch, arma::fill::randu), W1(256, 784, arma::fill::randn), W2(128, 256, arma::fill::randn),
      W3(10, 128, arma::fill::randn);
  arma::fmat Z1(256, kBatch, arma::fill::zeros), Z2(128, kBatch, arma::fill::zeros), Z3(10, kBatch, arma::fill::zeros);
  arma::fmat dZ1(256, kBatch, arma::fill::randn), dZ2(128, kBatch, arma::fill::randn), dZ3(10, kBatch, arma::fill::randn);
  arma::fmat dW1(256, 784, arma::fill::zeros), dW2(128, 256, arma::fill::zeros), dW3(10, 128, arma::fill::zeros);
  arma::fmat dA1(256, kBatch, arma::fill::zeros), dA2(128, kBatch, arma::fill::zeros);
  for (auto _ : state) {
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
    benchmark::DoNotOptimize(dW1.memptr());
    benchmark::ClobberMemory();
  }
}

// One epoch of the training loop. state.range(0): 0 the final net; 1 without
// batch norm (Linear with bias, ReLU, dropout); 2 without dropout; 3 with SGD.
void BM_Epoch(benchmark::State& state) {
  set_blas_threads(1);
  course::bench::MnistData& d = data();
  seed_everything(1);
  const int variant = int(state.range(0));
  Network<float> net;
  if (variant == 1) {  // the same net without batch norm
    for (std::size_t l = 0; l + 2 < kSizes.size(); ++l) {
      net.add<Linear>(kSizes[l], kSizes[l + 1]);
      net.add<ReLU>();
      net.add<ch08::Dropout>(0.8);
    }
    net.add<Linear>(kSizes[2], kSizes[3]);
    net.set_loss(std::make_unique<SoftmaxCrossEntropy<float>>());
  } else {
    net = make_final_net<float>({kSizes, variant == 2 ? 1.0 : 0.8});
  }
  std::unique_ptr<Optimizer<float>> optimizer;
  if (variant == 3) optimizer = std::make_unique<SGD<float>>(0.01f);
  else optimizer = std::make_unique<ch09::FusedAdam<float>>(1e-3f);
  MinibatchTrainer<float> trainer;
  std::mt19937_64 gen(1);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.train_epoch(net, *optimizer, d.X_bytes, d.Y_train, kBatch, gen));
  state.counters["examples/s"] = benchmark::Counter(double(d.mnist.train.size()), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_SgemmFloor)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1)->Repetitions(5)->ComputeStatistics("min", course::bench::fastest)->ReportAggregatesOnly(true);
BENCHMARK(BM_Epoch)->DenseRange(0, 3)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1)->Repetitions(3)->ComputeStatistics("min", course::bench::fastest)->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  data();
  course::bench::Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  auto seconds = [&](const std::string& name) {
    auto it = collector.results.find(name);
    return it == collector.results.end() ? 0.0 : it->second.seconds;
  };
  const double m = double(data().mnist.train.size());
  const double flops = ch07::training_flops(kSizes, m);
  const double epoch = seconds("BM_Epoch/0"), floor = seconds("BM_SgemmFloor");
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("\nSummary: 784-256-128-10, BN + ReLU + dropout 0.2, Adam (fused), batch %llu, float32, 1 BLAS thread, %s (%.0f images)\n",
              static_cast<unsigned long long>(kBatch), data().full ? "full MNIST" : "THE EMBEDDED SAMPLE", m);
  std::printf("  %.1f GFLOP of matrix products per epoch\n", flops * 1e-9);
  std::printf("  epoch %.3f s, %.0f examples/s, %.1f GFLOP/s achieved; sgemm floor %.3f s (%.1f GFLOP/s); epoch / floor %.2f×\n",
              epoch, m / epoch, flops * 1e-9 / epoch, floor, flops * 1e-9 / floor, epoch / floor);
  std::printf("  share of the epoch: batch norm %.1f%%, dropout %.1f%%, Adam over SGD %.1f%%\n",
              100 * (epoch - seconds("BM_Epoch/1")) / epoch, 100 * (epoch - seconds("BM_Epoch/2")) / epoch,
              100 * (epoch - seconds("BM_Epoch/3")) / epoch);
  std::printf("  reference (the issue, same machine type): numpy 1.07 s, PyTorch 1.13 CPU 1.27 s; goal <= 0.70 s and <= 1.2× the floor\n");
  std::printf("  peak memory (ru_maxrss): %.0f MB (goal: below 300 MB for the full run)\n", double(usage.ru_maxrss) / 1024.0);
  benchmark::Shutdown();
  return 0;
}
