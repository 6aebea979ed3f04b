// Chapter 2's loop/vectorized pairs over a range of sizes:
//   dot/<type>/{loop,vectorized}/n             aᵀb of n elements: O(n)
//   sigmoid/double/{loop,vectorized}/n         σ of n values: O(n)
//   matmul/<type>/{naive_loop,reordered_loop,vectorized}/n   n × n times n × n: O(n³)
// Names are <operation>/<element type>/<variant>/<size>: bench/run.py divides each
// variant's time by the "vectorized" one of the same operation, type and size.
// The vectorized variants report real (wall-clock) time (UseRealTime): OpenBLAS may use
// several threads for ddot and dgemm, and CPU time would then count every thread.
// The loops run on one thread and report CPU time, which a busy machine disturbs least.
//   build/release/bin/bench_ch02_primitives --benchmark_filter=matmul
#include <benchmark/benchmark.h>

#include <string>

#include "chapters/01_logistic_regression/logistic_regression.hpp"
#include "chapters/02_vectorization/vectorization.hpp"

namespace {

using course::ch02::dot_loop;
using course::ch02::matmul_loop;
using course::ch02::matmul_loop_reordered;
using course::ch02::sigmoid_loop;

template <typename eT>
std::string type_name() {
  return sizeof(eT) == 4 ? "float" : "double";
}

// ---- dot product: 2n floating-point operations, n items ----

template <typename eT, bool vectorized>
void dot(benchmark::State& state) {
  const auto n = static_cast<arma::uword>(state.range(0));
  arma::arma_rng::set_seed(1);
  const arma::Col<eT> a(n, arma::fill::randu), b(n, arma::fill::randu);
  for (auto _ : state) {
    eT result = vectorized ? arma::dot(a, b) : dot_loop(a, b);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}

// ---- sigmoid: n exponentials, n items ----

template <bool vectorized>
void sigmoid(benchmark::State& state) {
  const auto n = static_cast<arma::uword>(state.range(0));
  arma::arma_rng::set_seed(2);
  const arma::mat z(n, 1, arma::fill::randn);
  arma::mat a;
  for (auto _ : state) {
    a = vectorized ? course::ch01::sigmoid(z) : sigmoid_loop(z);
    benchmark::DoNotOptimize(a.memptr());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

// ---- matrix product: 2n³ floating-point operations ----

enum class Matmul { naive_loop, reordered_loop, vectorized };

template <typename eT, Matmul method>
void matmul(benchmark::State& state) {
  const auto n = static_cast<arma::uword>(state.range(0));
  arma::arma_rng::set_seed(3);
  const arma::Mat<eT> A(n, n, arma::fill::randn), B(n, n, arma::fill::randn);
  arma::Mat<eT> C;
  for (auto _ : state) {
    if constexpr (method == Matmul::naive_loop) C = matmul_loop(A, B);
    if constexpr (method == Matmul::reordered_loop) C = matmul_loop_reordered(A, B);
    if constexpr (method == Matmul::vectorized) C = A * B;  // BLAS sgemm/dgemm
    benchmark::DoNotOptimize(C.memptr());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n * n));  // elements of C
}

template <typename eT>
void register_for_type() {
  const std::string t = type_name<eT>();
  benchmark::RegisterBenchmark(("dot/" + t + "/loop").c_str(), dot<eT, false>)
      ->RangeMultiplier(10)
      ->Range(1000, 10000000);
  benchmark::RegisterBenchmark(("dot/" + t + "/vectorized").c_str(), dot<eT, true>)
      ->RangeMultiplier(10)
      ->Range(1000, 10000000)
      ->UseRealTime();
  // The naive loop is O(n³) with a cache miss per step: stop at 512 (≈ a second per product).
  benchmark::RegisterBenchmark(("matmul/" + t + "/naive_loop").c_str(), matmul<eT, Matmul::naive_loop>)
      ->RangeMultiplier(2)
      ->Range(16, 512)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("matmul/" + t + "/reordered_loop").c_str(), matmul<eT, Matmul::reordered_loop>)
      ->RangeMultiplier(2)
      ->Range(16, 1024)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(("matmul/" + t + "/vectorized").c_str(), matmul<eT, Matmul::vectorized>)
      ->RangeMultiplier(2)
      ->Range(16, 1024)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

const bool registered = [] {
  register_for_type<double>();
  register_for_type<float>();
  benchmark::RegisterBenchmark("sigmoid/double/loop", sigmoid<false>)->RangeMultiplier(10)->Range(1000, 10000000);
  // Armadillo's exp runs on one thread (no OpenMP in this build): CPU time for both.
  benchmark::RegisterBenchmark("sigmoid/double/vectorized", sigmoid<true>)->RangeMultiplier(10)->Range(1000, 10000000);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
