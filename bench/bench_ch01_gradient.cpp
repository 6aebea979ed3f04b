// Chapter 1's two gradients of the logistic-regression cost, over m examples of
// n_x = 784 features (the size of an MNIST image):
//   lr_gradient/double/loop/m         the two loops of note 001 §2.6 (examples, features)
//   lr_gradient/double/vectorized/m   note 001 §3.1: wᵀX and X dZᵀ, two BLAS matrix-vector products
// Each step reads X (784 × m doubles) and does about 4·784·m floating-point operations
// (2 for z = wᵀx + b and 2 for dw += x dz per pixel and example).
//   lr_gradient/double/vectorized_2_threads/m   the same on two OpenBLAS threads
// The loop and "vectorized" run on one thread each (OpenBLAS set to 1), so their ratio
// compares the same hardware; the two-thread variant shows what the second core adds.
// All report real (wall-clock) time. m doubles from 16 to 16,384, so that the curve shows
// where X (784 × m doubles, 6.3 kB per example) leaves each cache: L2 at m ≈ 160 for 1 MiB,
// L3 at m ≈ 5,000 for 32 MiB (the sizes of the course's machine; lscpu gives yours).
#include <benchmark/benchmark.h>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "common/blas_threads.hpp"

namespace {

constexpr arma::uword n_x = 784;

template <bool vectorized, int threads = 1>
void lr_gradient(benchmark::State& state) {
  course::set_blas_threads(threads);
  const auto m = static_cast<arma::uword>(state.range(0));
  arma::arma_rng::set_seed(4);
  const arma::mat X(n_x, m, arma::fill::randu);
  const arma::rowvec y = arma::conv_to<arma::rowvec>::from(arma::rowvec(m, arma::fill::randu) > 0.5);
  course::ch01::Parameters p = course::ch01::zero_parameters(n_x);
  p.w = 0.01 * arma::vec(n_x, arma::fill::randn);
  for (auto _ : state) {
    course::ch01::Gradients g =
        vectorized ? course::ch01::gradients_vectorized(p, X, y) : course::ch01::gradients_loop(p, X, y);
    benchmark::DoNotOptimize(g.dw.memptr());
    benchmark::DoNotOptimize(g.db);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(m));  // examples
  state.counters["FLOP/s"] =
      benchmark::Counter(4.0 * n_x * static_cast<double>(m), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes/s"] = benchmark::Counter(
      8.0 * n_x * static_cast<double>(m), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1024);
}

}  // namespace

BENCHMARK(lr_gradient<false>)
    ->Name("lr_gradient/double/loop")
    ->RangeMultiplier(2)
    ->Range(16, 16384)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(lr_gradient<true>)
    ->Name("lr_gradient/double/vectorized")
    ->RangeMultiplier(2)
    ->Range(16, 16384)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(lr_gradient<true, 2>)
    ->Name("lr_gradient/double/vectorized_2_threads")
    ->RangeMultiplier(2)
    ->Range(16, 16384)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
