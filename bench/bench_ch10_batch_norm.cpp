// Chapter 10: what batch normalisation costs. One training step (forward,
// backward, SGD) on a mini-batch of 128 random images, for the chapter's
// 784-100-100-10 net and chapter 11's 784-256-128-10, plain and with batch norm;
// and the layer's forward and backward alone on 100, 128 and 256 features × 128 examples (the
// hidden layers of both nets).
// float32, one OpenBLAS thread, real time. "× plain" is read from the
// examples/s counters of the two Step benchmarks of a size.
//
//   build/release/bin/bench_ch10_batch_norm
#include <benchmark/benchmark.h>

#include <armadillo>
#include <vector>

#include "chapters/06_backprop/per_example.hpp"
#include "chapters/10_batch_norm/bn_mlp.hpp"
#include "common/blas_threads.hpp"

using namespace course;
using namespace course::ch10;

namespace {

const std::vector<std::vector<arma::uword>> kNets = {{784, 100, 100, 10}, {784, 256, 128, 10}};

// state.range(0): which net; state.range(1): 1 with batch norm, 0 without.
void BM_Step(benchmark::State& state) {
  set_blas_threads(1);
  arma::arma_rng::set_seed(1);
  Network<float> net = make_bn_mlp<float>(kNets[std::size_t(state.range(0))], state.range(1) == 1);
  const arma::fmat X = arma::randu<arma::fmat>(784, 128);
  arma::fmat Y(10, 128, arma::fill::zeros);
  for (arma::uword j = 0; j < 128; ++j) Y(j % 10, j) = 1;
  SGD<float> sgd(1e-4f);
  for (auto _ : state) minibatch_step(net, sgd, X, Y);
  state.counters["examples/s"] = benchmark::Counter(128, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_BatchNormLayer(benchmark::State& state) {
  const arma::uword n = arma::uword(state.range(0)), m = 128;
  arma::arma_rng::set_seed(2);
  BatchNorm<float> bn(n);
  const arma::fmat z = arma::randn<arma::fmat>(n, m), dout = arma::randn<arma::fmat>(n, m);
  arma::fmat out, dz;
  for (auto _ : state) {
    bn.forward(z, out);
    bn.backward(z, out, dout, dz);
    benchmark::DoNotOptimize(dz.memptr());
  }
  state.counters["elements/s"] = benchmark::Counter(double(n * m), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_Step)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"net", "bn"})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BatchNormLayer)->Arg(100)->Arg(128)->Arg(256)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
