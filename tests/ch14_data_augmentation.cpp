// Chapter 14: bilinear resampling, the affine map, the elastic field, the producer thread,
// and a short training with augmentation.
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "chapters/07_mnist_mlp/fast_batches.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "chapters/14_data_augmentation/affine.hpp"
#include "chapters/14_data_augmentation/augmented_training.hpp"
#include "chapters/14_data_augmentation/bilinear.hpp"
#include "chapters/14_data_augmentation/distortion.hpp"
#include "chapters/14_data_augmentation/elastic.hpp"
#include "chapters/14_data_augmentation/producer.hpp"
#include "common/data.hpp"
#include "messages.hpp"

using namespace course;
using namespace course::ch14;
using test_support::message_of;

namespace {

const Mnist& sample() {
  static const Mnist data = load_dataset("sample", {});
  return data;
}

const arma::Mat<std::uint8_t>& sample_bytes() {
  static const arma::Mat<std::uint8_t> bytes = ch07::to_bytes(sample().train.X);
  return bytes;
}

// Pixel (x, y) of a 784 column, 0 outside.
float at(const arma::fvec& image, long x, long y) { return pixel_or_zero(image.memptr(), kSide, kSide, x, y); }

// The lag-d correlation of a field component along x, pooled over many fields.
double lag_correlation(const std::vector<arma::fmat>& fields, arma::uword d) {
  double sxy = 0, sxx = 0;
  for (const arma::fmat& f : fields)
    for (arma::uword y = 0; y < kSide; ++y)
      for (arma::uword x = 0; x + d < kSide; ++x) {
        sxy += double(f(y, x)) * f(y, x + d);
        sxx += 0.5 * (double(f(y, x)) * f(y, x) + double(f(y, x + d)) * f(y, x + d));
      }
  return sxy / sxx;  // the field's mean is 0 (noise of mean 0, smoothed)
}

double field_std(const std::vector<arma::fmat>& fields) {
  double s = 0, n = 0;
  for (const arma::fmat& f : fields) {
    s += arma::accu(arma::square(arma::conv_to<arma::mat>::from(f)));
    n += double(f.n_elem);
  }
  return std::sqrt(s / n);
}

std::vector<arma::fmat> dx_fields(const ElasticSettings& e, int count, std::uint64_t seed) {
  const arma::fmat G = gaussian_band(kSide, e.sigma);
  std::mt19937_64 gen(seed);
  std::vector<arma::fmat> fields;
  for (int i = 0; i < count; ++i) fields.push_back(elastic_field(e, G, gen).dx);
  return fields;
}

// Chapter 11's net, 784-256-256-10, trained 4 epochs on distortions of the sample's 5,000 digits.
struct Trained {
  Network<float> net;
  AugmentedRun run;
};
Trained& trained_with_distortions() {
  static Trained t = [] {
    arma::arma_rng::set_seed(1);
    Trained r{ch11::make_final_net<float>(wide_net(256)), {}};
    const arma::fmat Y = one_hot<float>(sample().train.y);
    std::mt19937_64 gen(2);
    r.run = train_augmented(r.net, sample_bytes(), Y, {}, {}, Distortion{}, 3,
                            {.epochs = 4, .batch_size = 128, .lr = 2e-3}, gen);
    return r;
  }();
  return t;
}

}  // namespace

// ---------------------------------------------------------------- bilinear sampling

TEST(ch14_bilinear, TheIdentityMapReturnsTheImageExactly) {
  const arma::mat identity = identity_positions();
  for (arma::uword i = 0; i < 20; ++i) {
    const arma::fvec image = sample().train.X.col(i);
    const arma::fvec out = resample(image, identity);
    EXPECT_TRUE(arma::all(out == image)) << "image " << i;
  }
}

TEST(ch14_bilinear, AWholePixelShiftMovesTheImageExactly) {
  const arma::fvec image = sample().train.X.col(3);
  for (const auto& [tx, ty] : std::vector<std::pair<int, int>>{{2, 0}, {0, -3}, {-1, 2}, {5, 5}}) {
    arma::mat p = identity_positions();
    p.row(0) += tx;
    p.row(1) += ty;
    const arma::fvec out = resample(image, p);  // out(x, y) = I(x + tx, y + ty), 0 from outside
    for (long y = 0; y < long(kSide); ++y)
      for (long x = 0; x < long(kSide); ++x)
        ASSERT_EQ(at(out, x, y), at(image, x + tx, y + ty))
            << "shift (" << tx << ", " << ty << ") at " << x << ", " << y;
  }
}

TEST(ch14_bilinear, ASubPixelValueComputedByHand) {
  // I(0,0) = 0, I(1,0) = 1 (top row), I(0,1) = 2, I(1,1) = 3 (bottom row), stored row by row.
  const float image[4] = {0, 1, 2, 3};
  // At (0.25, 0.5): top row 0.75·0 + 0.25·1 = 0.25, bottom row 0.75·2 + 0.25·3 = 2.25, then 0.5·0.25 + 0.5·2.25.
  EXPECT_NEAR(bilinear(image, 2, 2, 0.25, 0.5), 1.25, 1e-6);
  // At (0.5, 0.25): left column 0.75·0 + 0.25·2 = 0.5, right 0.75·1 + 0.25·3 = 1.5, mean 1.0.
  EXPECT_NEAR(bilinear(image, 2, 2, 0.5, 0.25), 1.0, 1e-6);
  // Half a pixel beyond the right edge: half of the right column, half of the background.
  EXPECT_NEAR(bilinear(image, 2, 2, 1.5, 0.0), 0.5, 1e-6);
  EXPECT_EQ(bilinear(image, 2, 2, -1.0, 0.0), 0.0f) << "outside the image is background";
}

TEST(Ch14Checks, BilinearRejectsPositionsOfTheWrongShape) {
  const arma::fvec image(kPixels, arma::fill::zeros);
  EXPECT_NE(message_of([&] { resample(image, arma::mat(2, 10, arma::fill::zeros)); }).find("2 × 784"),
            std::string::npos);
}

// ---------------------------------------------------------------- the affine map

TEST(ch14_affine_map, TheMatrixOfAKnownRotationScaleAndShear) {
  const arma::mat22 A = affine_matrix({.rotation = std::numbers::pi / 2, .scale_x = 2, .scale_y = 3});
  // R(90°) · S(2, 3) = [0 −1; 1 0] · [2 0; 0 3] = [0 −3; 2 0]
  EXPECT_NEAR(A(0, 0), 0, 1e-12);
  EXPECT_NEAR(A(0, 1), -3, 1e-12);
  EXPECT_NEAR(A(1, 0), 2, 1e-12);
  EXPECT_NEAR(A(1, 1), 0, 1e-12);
  // R(30°) · H(0.2) · S(1.1, 0.9), each entry by hand.
  const double c = std::cos(std::numbers::pi / 6), s = std::sin(std::numbers::pi / 6);
  const arma::mat22 B = affine_matrix({.rotation = std::numbers::pi / 6, .scale_x = 1.1, .scale_y = 0.9, .shear = 0.2});
  EXPECT_NEAR(B(0, 0), c * 1.1, 1e-12);
  EXPECT_NEAR(B(0, 1), (c * 0.2 - s) * 0.9, 1e-12);
  EXPECT_NEAR(B(1, 0), s * 1.1, 1e-12);
  EXPECT_NEAR(B(1, 1), (s * 0.2 + c) * 0.9, 1e-12);
  EXPECT_NEAR(arma::det(B), 1.1 * 0.9, 1e-12) << "det A = s_x s_y: rotations and shears keep areas";
}

TEST(ch14_affine_map, TheCentreMovesOnlyByTheShiftAndAQuarterTurnMovesEveryPixelToItsPlace) {
  const arma::mat p =
      affine_positions({.rotation = 0.3, .scale_x = 1.1, .scale_y = 1.1, .shift_x = 1.5, .shift_y = -2});
  // q = (13, 13) and (14, 14) lie symmetrically about c = (13.5, 13.5): their mean maps to c + t.
  const arma::vec mid = 0.5 * (p.col(13 * kSide + 13) + p.col(14 * kSide + 14));
  EXPECT_NEAR(mid(0), 13.5 + 1.5, 1e-12);
  EXPECT_NEAR(mid(1), 13.5 - 2, 1e-12);
  // A quarter turn about the centre reads pixel (27 − y, x) for (x, y): a rotated copy, no interpolation.
  const arma::fvec image = sample().train.X.col(7);
  const arma::fvec out = resample(image, affine_positions({.rotation = std::numbers::pi / 2}));
  for (long y = 0; y < long(kSide); ++y)
    for (long x = 0; x < long(kSide); ++x) ASSERT_NEAR(at(out, x, y), at(image, 27 - y, x), 1e-5) << x << ", " << y;
}

TEST(ch14_affine_map, SmallDistortionsKeepTheInkOverDetA) {
  // Stated tolerance: the ink Σ out · |det A| is the original's within 1% on average and
  // 5% for every one of 200 digits under rotations ±10° and scalings ±10% (bilinear weights
  // sum to 1); with the shifts of ±2 px as well, within 2% on average (a digit pushed
  // against the frame loses the ink that leaves it).
  for (const double shift : {0.0, 2.0}) {
    std::mt19937_64 gen(3);
    double total_error = 0, worst = 0;
    for (arma::uword i = 0; i < 200; ++i) {
      const arma::fvec image = sample().train.X.col(i);
      const AffineParams a = random_affine({.rotation_degrees = 10, .scale = 0.10, .shift = shift}, gen);
      const arma::fvec out = resample(image, affine_positions(a));
      const double ratio = arma::accu(out) * std::abs(arma::det(affine_matrix(a))) / arma::accu(image);
      total_error += std::abs(ratio - 1);
      worst = std::max(worst, std::abs(ratio - 1));
    }
    EXPECT_LT(total_error / 200, shift == 0 ? 0.01 : 0.02) << "shifts ±" << shift;
    if (shift == 0) {
      EXPECT_LT(worst, 0.05);
    }
  }
}

// ---------------------------------------------------------------- the elastic field

TEST(Ch14Checks, TheSmoothingKernelSumsToOneOnEveryRow) {
  const arma::fmat G = gaussian_band(kSide, 4.0);
  EXPECT_EQ(G.n_cols, kSide + 2 * 12);
  for (arma::uword i = 0; i < kSide; ++i) EXPECT_NEAR(arma::accu(G.row(i)), 1.0, 1e-5);
}

TEST(ch14_elastic_field, ItsSpatialCorrelationGrowsWithSigmaAsEquationTwoSays) {
  double previous = -1;
  for (const double sigma : {1.0, 2.0, 4.0}) {
    const ElasticSettings e{.sigma = sigma, .alpha = alpha_for_std(1.0, sigma)};
    const double measured = lag_correlation(dx_fields(e, 200, 11), 1);
    const double predicted = std::exp(-1.0 / (4 * sigma * sigma));  // e^{−d²/4σ²} at d = 1
    EXPECT_NEAR(measured, predicted, 0.03) << "σ = " << sigma;
    EXPECT_GT(measured, previous) << "a larger σ: neighbours move more alike";
    previous = measured;
  }
  // Two pixels 8 apart at σ = 4: e^{−1} ≈ 0.37.
  EXPECT_NEAR(lag_correlation(dx_fields({.sigma = 4, .alpha = 25}, 400, 12), 8), std::exp(-1.0), 0.08);
}

TEST(ch14_elastic_field, ItsStandardDeviationIsProportionalToAlphaAsEquationOneSays) {
  // Stated tolerance: within 8% of α / (2σ√(3π)) over 300 fields.
  for (const double sigma : {2.0, 4.0})
    for (const double alpha : {10.0, 34.0}) {
      const ElasticSettings e{.sigma = sigma, .alpha = alpha};
      const double measured = field_std(dx_fields(e, 300, 21));
      EXPECT_NEAR(measured / displacement_std(e), 1.0, 0.08) << "σ = " << sigma << ", α = " << alpha;
    }
  // With the same noise (the same seed) the field is linear in α: twice α, exactly twice the field.
  const std::vector<arma::fmat> one = dx_fields({.sigma = 4, .alpha = 10}, 3, 5);
  const std::vector<arma::fmat> two = dx_fields({.sigma = 4, .alpha = 20}, 3, 5);
  for (int i = 0; i < 3; ++i) EXPECT_LT(arma::abs(two[i] - 2 * one[i]).max(), 1e-5f);
}

TEST(ch14_elastic_field, TheSameSeedGivesTheSameFieldAndAnotherSeedAnother) {
  const ElasticSettings e;
  EXPECT_TRUE(arma::approx_equal(dx_fields(e, 2, 7)[1], dx_fields(e, 2, 7)[1], "absdiff", 0.0));
  EXPECT_GT(arma::abs(dx_fields(e, 1, 7)[0] - dx_fields(e, 1, 8)[0]).max(), 0.1f);
}

// ---------------------------------------------------------------- distortions keep the label

TEST(Ch14Distortion, NoDistortionGivesTheOriginalsAndUnknownNamesAreRefused) {
  arma::fmat out;
  distort_epoch(sample_bytes().cols(0, 49), distortion_named("none"), 1, out);
  EXPECT_TRUE(arma::all(arma::vectorise(out == sample().train.X.cols(0, 49))));
  EXPECT_NE(message_of([] { distortion_named("flip"); }).find("--augment"), std::string::npos);
}

// ---------------------------------------------------------------- the producer thread

TEST(Ch14Producer, TheThreadMakesTheSameImagesAsASingleThreadedRunWithTheSameSeed) {
  const arma::Mat<std::uint8_t> X = sample_bytes().cols(0, 399);
  DistortionProducer threaded(X, Distortion{}, 17, /*background=*/true, 3);
  DistortionProducer single(X, Distortion{}, 17, /*background=*/false, 3);
  arma::fmat previous;
  for (int epoch = 1; epoch <= 3; ++epoch) {
    const arma::fmat a = threaded.images(epoch);
    const arma::fmat& b = single.images(epoch);
    EXPECT_TRUE(arma::approx_equal(a, b, "absdiff", 0.0)) << "epoch " << epoch;
    if (epoch > 1) {
      EXPECT_GT(arma::abs(a - previous).max(), 0.1f) << "new distortions every epoch";
    }
    previous = a;
  }
  DistortionProducer other(X, Distortion{}, 18, true, 1);
  EXPECT_GT(arma::abs(other.images(1) - previous).max(), 0.1f);
}

TEST(Ch14Producer, EpochsMustComeInOrder) {
  DistortionProducer p(sample_bytes().cols(0, 9), Distortion{}, 1, false);
  p.images(1);
  EXPECT_NE(message_of([&] { p.images(3); }).find("in order"), std::string::npos);
}

// ---------------------------------------------------------------- a short training

TEST(Ch14Training, FourEpochsWithDistortionsOnTheSampleBeatNinetyPercentInSeconds) {
  const AugmentedRun& run = trained_with_distortions().run;
  ASSERT_EQ(run.history.size(), 4u);
  EXPECT_GT(run.produce_seconds, 0.0);
  const Evaluation e = evaluate(trained_with_distortions().net, sample().test.X, one_hot<float>(sample().test.y));
  EXPECT_GT(e.accuracy, 0.90) << "784-256-256-10, 4 epochs of distorted sample digits";
}

TEST(Ch14Training, DistortedDigitsKeepTheirLabelsAndFlippedOnesDoNot) {
  // The labels are not changed (column i of an epoch is a distortion of image i, trained
  // with label i), and they stay right: the net trained on distortions (4 short epochs)
  // reads new distortions of the test digits within 15 points of the digits themselves
  // (measured: 95.3% and 83.5%), and their mirror images (x' = 27 − x: the affine map
  // with s_x = −1) at least 25 points worse than the distortions (measured: 45.4%).
  Network<float>& net = trained_with_distortions().net;
  const Dataset& test = sample().test;
  const arma::fmat Y = one_hot<float>(test.y);
  arma::fmat distorted;
  distort_epoch(ch07::to_bytes(test.X), Distortion{}, 6, distorted);
  arma::fmat flipped(arma::size(test.X), arma::fill::zeros);
  const arma::mat mirror = affine_positions({.scale_x = -1});
  for (arma::uword i = 0; i < test.X.n_cols; ++i) flipped.col(i) = resample(test.X.col(i), mirror);
  const double original = evaluate(net, test.X, Y).accuracy;
  const double kept = evaluate(net, distorted, Y).accuracy;
  const double mirrored = evaluate(net, flipped, Y).accuracy;
  // printed: the numbers chapter 14's README quotes
  std::printf(
      "  the sample's %u test digits: %.1f%% right, new distortions of them %.1f%%, their mirror images %.1f%%\n",
      unsigned(test.X.n_cols), 100 * original, 100 * kept, 100 * mirrored);
  EXPECT_GT(kept, original - 0.15) << "originals: " << original;
  EXPECT_LT(mirrored, kept - 0.25) << "distorted: " << kept;
}
