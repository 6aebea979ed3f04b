// Chapter 7's speed: one training epoch of the 784-64-16-10 network on full
// MNIST (60,000 images, batch 64, float32), against the floor set by the
// matrix products alone (sgemm at the network's own shapes, measured here, in
// the same run), for 1 and 2 OpenBLAS threads; and the per-example loop of
// chapter 6 against the vectorized mini-batch on the same examples.
//
//   build/release/bin/bench_ch07_mnist                       everything, then a summary table
//   build/release/bin/bench_ch07_mnist --benchmark_filter=Epoch
//
// The summary prints: epoch time, examples/s, dense GFLOP/s (the dense matrix
// products of the epoch / epoch time: the sparse first layer does fewer, so this can
// exceed sgemm's) beside the sgemm ceiling, epoch / floor,
// peak memory (getrusage ru_maxrss), and per example / vectorized.
// Then, interleaved (floor, the epoch, and the epoch with each fast part put back as
// the lesson wrote it, then again) for --rounds=N rounds (default 5), one BLAS thread:
// the ratios of the goals, each variant's fastest and the spread, each part's saving;
// and the gather of the mini-batches alone (with the floor: what an epoch that does the
// dense products takes at the least, the gather timed on its own).
// --csv=PATH writes those times for bench/run.py; --only=TEXT keeps the variants whose
// name contains TEXT (for a profile: bench/ch07_perf.sh).
// Without the full MNIST files it falls back to the embedded sample (and says so).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <armadillo>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
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
  Network<float> net = make_mnist_mlp(/*fast_layers=*/true, /*sparse_input=*/true);  // the program's net
  MinibatchTrainer<float> trainer;
  FastSGD sgd(0.1f);
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

// Each fast part against the lesson's, on one mini-batch of the epoch's shapes (batch 64):
// argument 0 the lesson's code, 1 the fast part. The summary prints both, per batch and per epoch.
// The activations' forward passes: σ on Z¹ (64 × 64) and tanh on Z² (16 × 64).
void BM_Activations(benchmark::State& state) {
  const bool fast = state.range(0) == 1;
  std::unique_ptr<Layer<float>> sigmoid = fast ? make_fast_activation("sigmoid") : make_activation<float>("sigmoid");
  std::unique_ptr<Layer<float>> tanh = fast ? make_fast_activation("tanh") : make_activation<float>("tanh");
  arma::arma_rng::set_seed(1);
  const arma::fmat Z1(64, kBatch, arma::fill::randn), Z2(16, kBatch, arma::fill::randn);
  arma::fmat A1, A2;
  for (auto _ : state) {
    sigmoid->forward(Z1, A1);
    tanh->forward(Z2, A2);
    benchmark::DoNotOptimize(A1.memptr());
    benchmark::DoNotOptimize(A2.memptr());
  }
}

// The loss as the training loop asks it: the cost J, then dZ, of 10 × 64 logits.
void BM_Loss(benchmark::State& state) {
  std::unique_ptr<Loss<float>> loss;
  if (state.range(0) == 1)
    loss = std::make_unique<FastSoftmaxCrossEntropy<float>>();
  else
    loss = std::make_unique<SoftmaxCrossEntropy<float>>();
  arma::arma_rng::set_seed(2);
  const arma::fmat Z = 3.0f * arma::fmat(10, kBatch, arma::fill::randn);
  const arma::Row<std::uint8_t> labels =
      arma::conv_to<arma::Row<std::uint8_t>>::from(arma::randi<arma::urowvec>(kBatch, arma::distr_param(0, 9)));
  const arma::fmat Y = one_hot<float>(labels);
  arma::fmat dZ;
  for (auto _ : state) {
    benchmark::DoNotOptimize(loss->cost(Z, Y));
    loss->gradient(Z, Y, dZ);
    benchmark::DoNotOptimize(dZ.memptr());
  }
}

// One SGD step on every parameter of the 784-64-16-10 net (51,450 numbers).
void BM_Step(benchmark::State& state) {
  std::unique_ptr<Optimizer<float>> sgd;
  if (state.range(0) == 1)
    sgd = std::make_unique<FastSGD>(1e-6f);
  else
    sgd = std::make_unique<SGD<float>>(1e-6f);
  Network<float> net = make_mnist_mlp();
  const std::vector<Parameter<float>> params = net.parameters();
  for (const Parameter<float>& p : params)
    *p.gradient = arma::fmat(p.value->n_rows, p.value->n_cols, arma::fill::randn);
  for (auto _ : state) {
    sgd->step(params);
    benchmark::ClobberMemory();
  }
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

// The parts are short: microseconds, many iterations, the fastest of seven repetitions.
void parts(benchmark::internal::Benchmark* b) {
  b->Arg(0)
      ->Arg(1)
      ->Unit(benchmark::kMicrosecond)
      ->MinTime(0.2)
      ->Repetitions(7)
      ->ComputeStatistics("min", course::bench::fastest)
      ->ReportAggregatesOnly(true);
}
BENCHMARK(BM_Activations)->Apply(parts);
BENCHMARK(BM_Loss)->Apply(parts);
BENCHMARK(BM_Step)->Apply(parts);

}  // namespace

// One epoch of chapter 7's loop on a net and optimiser of its own (for the interleaved rounds).
struct Ch07Epoch {
  Network<float> net;
  std::unique_ptr<Optimizer<float>> optimizer;
  MinibatchTrainer<float> trainer;
  std::mt19937_64 gen{1};
  void run() { trainer.train_epoch(net, *optimizer, data().X_bytes, data().Y_train, kBatch, gen); }
};

// The fast path (the program's: make_mnist_mlp(true, true), FastSGD) with one of its parts
// put back as the lesson wrote it, or all of them.
enum class LessonPart { none, activations, loss, step, first_layer, all };
Ch07Epoch make_epoch(LessonPart part) {
  seed_everything(1);  // the same initial θ for every variant
  const bool lesson_activations = part == LessonPart::activations || part == LessonPart::all,
             lesson_loss = part == LessonPart::loss || part == LessonPart::all,
             lesson_step = part == LessonPart::step || part == LessonPart::all,
             lesson_first_layer = part == LessonPart::first_layer || part == LessonPart::all;
  MlpOptions<float> options;                                                 // as make_mnist_mlp builds it
  if (!lesson_activations) options.make_activation = make_fast_activation;   // else chapter 3's Sigmoid, Tanh
  if (!lesson_first_layer) options.first_linear = make_sparse_input_linear;  // else chapter 3's Linear
  Ch07Epoch e;
  e.net = make_mlp<float>(kSizes, options);
  if (!lesson_loss) e.net.set_loss(std::make_unique<FastSoftmaxCrossEntropy<float>>());  // else chapter 5's
  if (lesson_step)
    e.optimizer = std::make_unique<SGD<float>>(0.1f);  // chapter 6's W −= η dW
  else
    e.optimizer = std::make_unique<FastSGD>(0.1f);
  return e;
}

int main(int argc, char** argv) {
  const int rounds = course::bench::take_rounds(argc, argv, 5);
  const std::string csv = course::bench::take_csv(argc, argv);
  const std::string only = course::bench::take_flag(argc, argv, "--only=");  // interleaved variants (a profile)
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
      "  BLAS threads   epoch      examples/s   dense GFLOP/s      sgemm floor (GFLOP/s)   epoch / floor   (CPU time: "
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
  const double batches_per_epoch = std::ceil(m / double(kBatch));
  bool header = false;
  for (const auto& [part, label] : std::vector<std::pair<std::string, std::string>>{
           {"BM_Activations", "σ and tanh forward (FastSigmoid, FastTanh)"},
           {"BM_Loss", "loss J and dZ (FastSoftmaxCrossEntropy)"},
           {"BM_Step", "SGD step, 51,450 numbers (FastSGD)"}}) {
    const course::bench::Collector::Result* lesson = get(part + "/0");
    const course::bench::Collector::Result* fast_part = get(part + "/1");
    if (!lesson || !fast_part) continue;
    if (!header)
      std::printf("  each fast part on one batch (lesson's → fast, µs; × %.0f batches: ms per epoch):\n",
                  batches_per_epoch);
    header = true;
    std::printf("    %-44s %7.2f → %6.2f µs  (%.2f×; %5.2f → %5.2f ms per epoch)\n", label.c_str(),
                lesson->seconds * 1e6, fast_part->seconds * 1e6, lesson->seconds / fast_part->seconds,
                lesson->seconds * batches_per_epoch * 1e3, fast_part->seconds * batches_per_epoch * 1e3);
  }
  std::printf("  peak memory (ru_maxrss): %.0f MB (the 60,000 + 10,000 images as float: %.0f MB)\n",
              double(usage.ru_maxrss) / 1024.0, 784.0 * 70000 * 4 / 1048576.0);
  std::printf(
      "  (the fastest of 7 repetitions of each, wall-clock; on a machine busy with other work every time grows)\n");

  // The goals' ratios, measured interleaved, and what each fast part saves (the epoch with
  // that part as the lesson wrote it, in the same rounds).
  set_blas_threads(1);
  Ch07Epoch fast_path = make_epoch(LessonPart::none), lesson_activations = make_epoch(LessonPart::activations),
            lesson_loss = make_epoch(LessonPart::loss), lesson_step = make_epoch(LessonPart::step),
            lesson_first_layer = make_epoch(LessonPart::first_layer), lesson_all = make_epoch(LessonPart::all);
  const arma::uword batches = (data().mnist.train.size() + kBatch - 1) / kBatch;
  arma::fmat X(784, kBatch, arma::fill::randu), W1(64, 784, arma::fill::randn), W2(16, 64, arma::fill::randn),
      W3(10, 16, arma::fill::randn), Z1, Z2, Z3, dW1, dW2, dW3, dA1, dA2;
  const arma::fmat dZ1(64, kBatch, arma::fill::randn), dZ2(16, kBatch, arma::fill::randn),
      dZ3(10, kBatch, arma::fill::randn);
  std::mt19937_64 gather_gen(1);
  arma::fmat Xb, Yb;
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
      {"epoch (the fast path)", [&] { fast_path.run(); }},
      {"epoch, the lesson's Sigmoid and Tanh", [&] { lesson_activations.run(); }},
      {"epoch, the lesson's SoftmaxCrossEntropy", [&] { lesson_loss.run(); }},
      {"epoch, the lesson's SGD step", [&] { lesson_step.run(); }},
      {"epoch, the lesson's dense first layer", [&] { lesson_first_layer.run(); }},
      {"epoch, all four as the lessons wrote them", [&] { lesson_all.run(); }},
      // What an epoch with the dense products does besides them, and which no layer can
      // make faster: the mini-batches themselves, X_b and Y_b, gathered in a new random order.
      {"the gather alone (X_b and Y_b, every batch)",
       [&] {
         const arma::uvec order = shuffled_indices(data().X_bytes.n_cols, gather_gen);
         for (arma::uword first = 0; first < order.n_elem; first += kBatch) {
           const arma::uword last = std::min<arma::uword>(first + kBatch, order.n_elem) - 1;
           gather_batch(data().X_bytes, order, first, last, Xb);
           gather_batch(data().Y_train, order, first, last, Yb);
         }
       }},
  };
  const std::size_t all_variants = v.size();
  course::bench::keep_only(v, only);
  std::fprintf(stderr, "bench_ch07_mnist: %zu variants, interleaved, %d rounds\n", v.size(), rounds);
  course::bench::run_interleaved(v, rounds);
  if (!csv.empty()) course::bench::write_csv(v, csv);
  std::printf("\nInterleaved, 1 BLAS thread, %d rounds (fastest of each):\n", rounds);
  course::bench::print_spread(v);
  if (v.size() < all_variants) {  // --only: no ratios
    benchmark::Shutdown();
    return 0;
  }
  const double floor = v[0].fastest(), epoch = v[1].fastest();
  std::printf("  epoch / floor %.2f× (goal <= 1.2×: %s); with all four parts as the lessons wrote them %.2f×\n",
              epoch / floor, epoch <= 1.2 * floor ? "met" : "not met", v[6].fastest() / floor);
  std::printf("  what each fast part saves, as a share of the epoch with the lesson's part (median of the rounds):\n");
  const char* parts[] = {"FastSigmoid, FastTanh (fast_activations.hpp)", "FastSoftmaxCrossEntropy (fast_loss.hpp)",
                         "FastSGD (fast_sgd.hpp)", "SparseInputLinear (fast_sparse.hpp)", "all four"};
  for (int k = 0; k < 5; ++k)
    std::printf("    %-46s %s\n", parts[k], course::bench::paired_share(v[2 + k], v[1]).c_str());
  // With the dense products (chapter 3's Linear first), the floor is what they take, and
  // the floor + the gather what the epoch cannot go below whatever its other layers do.
  const double dense = v[5].fastest(), gather = v[7].fastest();
  std::printf(
      "  the dense first layer's epoch: %.2f× the floor; the floor + the gather alone: %.3f s (%.2f× the floor)\n",
      dense / floor, floor + gather, (floor + gather) / floor);
  benchmark::Shutdown();
  return 0;
}
