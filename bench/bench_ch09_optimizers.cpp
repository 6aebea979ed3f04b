// Chapter 9: what an optimiser's update costs, beside the gradient it updates
// from. The network is chapter 7's (784-64-16-10, float32, one OpenBLAS thread)
// and chapter 11's (784-256-128-10); each benchmark is one step of the
// optimiser over all of the net's parameters (gradients fixed and random), and
// BM_Gradient is one forward and backward pass over a mini-batch of 128: the
// ratio of the two is the optimiser's share of a training step.
//
// Momentum reads v and dθ and writes v and θ; RMSprop the same with s; Adam
// reads and writes v, s and θ: about 3 passes over the parameters for SGD's 1.
//
//   build/release/bin/bench_ch09_optimizers
#include <benchmark/benchmark.h>

#include <armadillo>
#include <memory>
#include <string>
#include <vector>

#include "chapters/06_backprop/network_builder.hpp"
#include "chapters/06_backprop/per_example.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "common/blas_threads.hpp"

using namespace course;
using namespace course::ch09;

namespace {

// state.range(0): 0 for 784-64-16-10, 1 for 784-256-128-10.
Network<float> network(int which) {
  set_blas_threads(1);
  arma::arma_rng::set_seed(1);
  Network<float> net = which == 0
                           ? make_network<float>({784, 64, 16, 10}, {"sigmoid", "tanh", "softmax"}, "cross_entropy")
                           : make_network<float>({784, 256, 128, 10}, {"relu", "relu", "softmax"}, "cross_entropy");
  for (const Parameter<float>& p : net.parameters()) {
    p.value->randn();
    *p.value *= 0.05f;
    p.gradient->randn();
    *p.gradient *= 1e-3f;
  }
  return net;
}

std::unique_ptr<Optimizer<float>> make(const std::string& name) {
  if (name == "SGD") return std::make_unique<SGD<float>>(1e-6f);
  if (name == "momentum") return std::make_unique<Momentum<float>>(1e-6f, 0.9);
  if (name == "RMSprop") return std::make_unique<RMSprop<float>>(1e-6f, 0.9);
  if (name == "Adam") return std::make_unique<Adam<float>>(1e-6f);
  return std::make_unique<FusedAdam<float>>(1e-6f);
}

void optimizer_step(benchmark::State& state, const std::string& name) {
  Network<float> net = network(int(state.range(0)));
  const std::vector<Parameter<float>> params = net.parameters();
  const std::unique_ptr<Optimizer<float>> optimizer = make(name);
  for (auto _ : state) {
    optimizer->step(params);
    benchmark::ClobberMemory();
  }
  state.counters["parameters"] = double(net.parameter_count());
  state.counters["parameters/s"] =
      benchmark::Counter(double(net.parameter_count()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SGD(benchmark::State& state) { optimizer_step(state, "SGD"); }
void BM_Momentum(benchmark::State& state) { optimizer_step(state, "momentum"); }
void BM_RMSprop(benchmark::State& state) { optimizer_step(state, "RMSprop"); }
void BM_Adam(benchmark::State& state) { optimizer_step(state, "Adam"); }
void BM_FusedAdam(benchmark::State& state) { optimizer_step(state, "fused Adam"); }

// One forward and backward pass at batch 128 (random pixels in [0, 1]).
void BM_Gradient(benchmark::State& state) {
  Network<float> net = network(int(state.range(0)));
  const arma::fmat X = arma::randu<arma::fmat>(784, 128);
  arma::fmat Y(10, 128, arma::fill::zeros);
  for (arma::uword j = 0; j < 128; ++j) Y(j % 10, j) = 1;
  for (auto _ : state) {
    net.forward(X);
    net.backward(Y);
  }
}

BENCHMARK(BM_SGD)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Momentum)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RMSprop)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Adam)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FusedAdam)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Gradient)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
