// Chapter 11's speed: one training epoch of the final classifier (784-256-128-10,
// batch norm + ReLU + dropout 0.2, Adam at 10⁻³, batch 128, float32, one
// OpenBLAS thread) on full MNIST's 60,000 training images, against the floor set
// by its matrix products alone (sgemm at the net's own shapes, in the same run);
// and the same epoch with the lessons' dropout, ReLU and batch norm (chapters 8, 3 and 10,
// before FastDropout, FastReLU and FastBatchNorm), with the lesson's batch norm alone, without batch norm, without dropout, and with SGD instead of
// Adam, whose differences are each part's share of the epoch.
//
// All the variants run interleaved (floor, final, lesson's dropout, …, then again)
// for --rounds=N rounds (default 5); the summary takes each one's fastest and
// prints the spread. --csv=PATH writes the times for bench/run.py's peer table;
// --only=TEXT runs the variants with TEXT in their name (for perf record), no summary.
//
//   build/release/bin/bench_ch11_final [--rounds=5] [--csv=bench/results/bench_ch11_final.csv]
//
// Without the full MNIST files it falls back to the embedded sample (and says so).
#include <sys/resource.h>

#include <algorithm>
#include <armadillo>
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>
#include <string>

#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "common/blas_threads.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "interleaved.hpp"
#include "mnist_data.hpp"
#include "sgemm_floor.hpp"

using namespace course;
using namespace course::ch11;

namespace {

const std::vector<arma::uword> kSizes = {784, 256, 128, 10};
constexpr arma::uword kBatch = 128;

course::bench::MnistData& data() { return course::bench::mnist_data("bench_ch11_final"); }

// One epoch of the training loop on one variant of the net.
struct Epoch {
  Network<float> net;
  std::unique_ptr<Optimizer<float>> optimizer;
  MinibatchTrainer<float> trainer;
  std::mt19937_64 gen{1};
  void run() { trainer.train_epoch(net, *optimizer, data().X_bytes, data().Y_train, kBatch, gen); }
};

// kFinal: the default (FastBnReluDropout); kUnfused: FastBatchNorm → FastReLU → FastDropout, three layers.
enum class Part { kFinal, kLessonDropout, kLessonBatchNorm, kNoBatchNorm, kNoDropout, kSgd, kUnfused };

// The final net's fast ReLU and dropout, with chapter 10's BatchNorm (the lesson's, not
// FastBatchNorm) or without batch norm (then the Linear layers have a bias).
Network<float> net_with_lessons_batch_norm(bool batch_norm) {
  ch07::MlpOptions<float> options = ch10::bn_mlp_options<float>(batch_norm);
  options.make_activation = ch07::make_fast_activation;
  options.after_activation = [] { return std::make_unique<FastDropout<float>>(0.8); };
  return ch07::make_mlp<float>(kSizes, options);
}

std::unique_ptr<Epoch> make_epoch(Part part) {
  seed_everything(1);
  auto e = std::make_unique<Epoch>();
  if (part == Part::kNoBatchNorm || part == Part::kLessonBatchNorm) {
    e->net = net_with_lessons_batch_norm(part == Part::kLessonBatchNorm);
  } else {
    e->net = make_final_net<float>(
        {kSizes, part == Part::kNoDropout ? 1.0 : 0.8, part != Part::kLessonDropout, part != Part::kUnfused});
  }
  if (part == Part::kSgd)
    e->optimizer = std::make_unique<SGD<float>>(0.01f);
  else
    e->optimizer = std::make_unique<ch09::FusedAdam<float>>(1e-3f);
  return e;
}

}  // namespace

int main(int argc, char** argv) try {
  const int rounds = course::bench::take_rounds(argc, argv, 5);
  const std::string csv = course::bench::take_csv(argc, argv);
  set_blas_threads(1);
  const arma::uword examples = data().mnist.train.size();
  // The epochs read the images as bytes; their floats (188 MB) go, so that the seven nets
  // fit beside the data in the memory goal.
  data().mnist.train.X.reset();
  course::bench::SgemmFloor floor_products(kSizes, kBatch, examples);
  std::unique_ptr<Epoch> final_net = make_epoch(Part::kFinal), lesson = make_epoch(Part::kLessonDropout),
                         lesson_bn = make_epoch(Part::kLessonBatchNorm), no_bn = make_epoch(Part::kNoBatchNorm),
                         no_dropout = make_epoch(Part::kNoDropout), sgd = make_epoch(Part::kSgd),
                         unfused = make_epoch(Part::kUnfused);
  std::vector<course::bench::Variant> v = {
      {"sgemm floor", [&] { floor_products.run(); }},
      {"final net (FastBnReluDropout: BN, ReLU, dropout fused)", [&] { final_net->run(); }},
      {"final net, the lessons' Dropout, ReLU, BatchNorm", [&] { lesson->run(); }},
      {"final net, the lesson's BatchNorm", [&] { lesson_bn->run(); }},
      {"without batch norm", [&] { no_bn->run(); }},
      {"without dropout", [&] { no_dropout->run(); }},
      {"SGD instead of Adam", [&] { sgd->run(); }},
      {"final net unfused (FastBatchNorm, FastReLU, FastDropout)", [&] { unfused->run(); }},
  };
  course::bench::take_only(argc, argv, v);
  if (argc > 1) {
    std::cerr << "bench_ch11_final: unknown argument '" << argv[1]
              << "' (expected --rounds=N, --csv=PATH, --only=TEXT)\n";
    return 1;
  }
  if (v.size() < 8) {  // a profile of some of them: no summary
    course::bench::run_interleaved(v, rounds);
    course::bench::print_spread(v);
    return 0;
  }
  std::cerr << "bench_ch11_final: " << v.size() << " variants, interleaved, " << rounds << " rounds (and a warm-up)\n";
  course::bench::run_interleaved(v, rounds);
  if (!csv.empty()) course::bench::write_csv(v, csv);

  const double m = double(examples);
  const double flops = ch07::training_flops(kSizes, m);
  const double floor = v[0].fastest(), epoch = v[1].fastest();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "\nSummary: 784-256-128-10, BN + ReLU + dropout 0.2, Adam (fused), batch %llu, float32, 1 BLAS thread, %s (%.0f "
      "images)\n",
      static_cast<unsigned long long>(kBatch), data().full ? "full MNIST" : "THE EMBEDDED SAMPLE", m);
  std::printf("  %.1f GFLOP of matrix products per epoch; %d rounds, interleaved\n", flops * 1e-9, rounds);
  course::bench::print_spread(v);
  std::printf(
      "  epoch %.3f s, %.0f examples/s, %.1f GFLOP/s achieved; sgemm floor %.3f s (%.1f GFLOP/s); epoch / floor "
      "%.2f×\n",
      epoch, m / epoch, flops * 1e-9 / epoch, floor, flops * 1e-9 / floor, epoch / floor);
  std::printf(
      "  the lessons' Dropout, ReLU and BatchNorm / the fast fused layer: %.2f× (epoch / floor with the lessons': "
      "%.2f×)\n",
      v[2].fastest() / epoch, v[2].fastest() / floor);
  std::printf(
      "  the lesson's BatchNorm / FastBatchNorm (the rest fast, unfused): %.3f× (epoch / floor with it: %.2f×)\n",
      v[3].fastest() / v[7].fastest(), v[3].fastest() / floor);
  // A part's share, round by round (interleaved.hpp's paired_share). Batch norm and dropout are taken out
  // of the unfused net (v[7]: its layers come out one at a time), Adam is replaced in the default one.
  using course::bench::paired_share;
  std::printf(
      "  share of the epoch, median of the rounds' paired differences: batch norm %s, dropout %s, Adam over SGD %s\n",
      paired_share(v[7], v[4]).c_str(), paired_share(v[7], v[5]).c_str(), paired_share(v[1], v[6]).c_str());
  std::printf(
      "  unfused: epoch %.3f s, epoch / floor %.2f×; the fusion's saving, the unfused epoch / the fused one: %.3f× "
      "(paired rounds: %s of the unfused epoch)\n",
      v[7].fastest(), v[7].fastest() / floor, v[7].fastest() / epoch, paired_share(v[7], v[1]).c_str());
  std::printf("  goal: epoch <= 1.2× the floor (%s); peer table: ./course bench (numpy in the same session)\n",
              epoch <= 1.2 * floor ? "met" : "not met");
  std::printf("  peak memory (ru_maxrss): %.0f MB for the seven nets (goal: below 300 MB)\n",
              double(usage.ru_maxrss) / 1024.0);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "bench_ch11_final: " << e.what() << "\n";
  return 1;
}
