// Chapter 11: the final classifier, its saved model, and the preprocessing of a digit image.
#include <gtest/gtest.h>

#include <armadillo>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/06_backprop/model_file.hpp"
#include "chapters/07_mnist_mlp/mnist_mlp.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/09_optimizers/optimizers.hpp"
#include "chapters/11_final_classifier/digit_image.hpp"
#include "chapters/11_final_classifier/final_net.hpp"
#include "common/chapter.hpp"
#include "common/data.hpp"
#include "messages.hpp"
#include "temp_folder.hpp"

using namespace course;
using namespace course::ch11;
using test_support::message_of;
using test_support::TempFolder;

namespace {

const Mnist& sample() {
  static const Mnist data = load_dataset("sample", {});
  return data;
}

// The final net (784-512-256-10, batch norm, dropout, Adam) trained for 5 epochs on
// the embedded sample's 4,000 training images: a few seconds.
Network<float>& trained_on_sample() {
  static Network<float> net = [] {
    arma::arma_rng::set_seed(1);
    // The lessons' layers: the same draws as the net these tests were written against.
    Network<float> n = make_final_net<float>({.fast_layers = false});
    ch09::FusedAdam<float> adam(1e-3f);
    std::mt19937_64 gen(2);
    const arma::fmat Y = one_hot<float>(sample().train.y);
    fit(n, adam, sample().train.X, Y, LabelledSet<float>{},
        {.epochs = 5, .batch_size = 128, .record_every = 5, .schedule = nullptr, .progress = ""}, gen);
    return n;
  }();
  return net;
}

arma::uword classify(Network<float>& net, const arma::fvec& x) {
  EvaluationMode<float> evaluation(net);
  const arma::fmat input = x;
  return net.forward(input).index_max();
}

}  // namespace

TEST(Ch11Classifier, BeatsNinetyPercentOnTheSampleAfterAFewSeconds) {
  const Evaluation e = evaluate(trained_on_sample(), sample().test.X, one_hot<float>(sample().test.y));
  EXPECT_GT(e.accuracy, 0.90) << "5 epochs on 4,000 images";
}

TEST(Ch11Classifier, SavingAndLoadingReproducesThePredictionsExactly) {
  TempFolder folder("ch11_model");
  const std::filesystem::path file = folder.fresh("m") / "model.bin";
  Network<float>& net = trained_on_sample();
  save_model(net, file);
  Network<float> loaded = make_final_net<float>();  // other weights, fresh running averages
  load_model(loaded, file);
  arma::fmat a, b;
  {
    EvaluationMode<float> ea(net), eb(loaded);
    a = net.forward(sample().test.X);
    b = loaded.forward(sample().test.X);
  }
  EXPECT_TRUE(arma::approx_equal(a, b, "absdiff", 0.0f)) << "the logits, bit for bit (batch norm's averages included)";
}

TEST(Ch11Classifier, ASmallVersionOfTheFullNetPassesTheGradientCheck) {
  // Batch norm, ReLU, dropout (its mask held fixed by the check), softmax with cross-entropy.
  arma::arma_rng::set_seed(3);
  Network<double> net = make_final_net<double>({{12, 8, 6, 4}, 0.8});
  randomize_biases(net);
  const arma::mat X = arma::randn(12, 16);
  const arma::mat Y = random_targets("cross_entropy", 4, 16);
  const GradientCheckReport report = gradient_check(net, X, Y);
  EXPECT_LT(report.overall, 1e-7);
}

// ---------------------------------------------------------------- the preprocessing

TEST(Ch11Preprocessing, AScaledUpSampleDigitOnWhiteComesBackNearlyAsItWas) {
  // Test digits 0..9 of the sample, three times larger, dark on white paper: the
  // preprocessing must find the same digit in the same place (MNIST's own digits
  // are already 20 × 20 boxes centred by their mass). Tolerance: a mean absolute
  // difference per pixel below 0.02 (of a range of 1; measured: 10⁻⁸ to 10⁻³), and the same prediction.
  for (arma::uword k = 0; k < 10; ++k) {
    const arma::fmat original = as_square(sample().test.X.col(k));
    const arma::fmat page = 1.0f - arma::kron(original, arma::fmat(3, 3, arma::fill::ones));  // 84 × 84
    const Preprocessed p = preprocess_digit(page, "digit " + std::to_string(k));
    EXPECT_TRUE(p.inverted);
    ASSERT_EQ(p.digit.n_rows, 28u);
    const double difference = arma::mean(arma::vectorise(arma::abs(p.digit - original)));
    EXPECT_LT(difference, 0.02) << "test digit " << k;
    EXPECT_EQ(classify(trained_on_sample(), p.input), classify(trained_on_sample(), sample().test.X.col(k)))
        << "test digit " << k;
  }
}

TEST(Ch11Preprocessing, TheFittedDigitIsTwentyPixelsOnItsLongerSideAndCentredByMass) {
  const arma::fmat page = draw_strokes({{{0.2, 0.1}, {0.3, 0.9}}}, 90, 300, 0.04);  // a wide page, a thin stroke
  const Preprocessed p = preprocess_digit(page, "stroke");
  EXPECT_EQ(std::max(p.fitted.n_rows, p.fitted.n_cols), 20u);
  const arma::frowvec index = arma::regspace<arma::frowvec>(0, 27);
  const double mass = arma::accu(p.digit);
  EXPECT_NEAR(arma::accu(arma::sum(p.digit, 1).t() % index) / mass, 14.0, 0.51);
  EXPECT_NEAR(arma::accu(arma::sum(p.digit, 0) % index) / mass, 14.0, 0.51);
  EXPECT_TRUE(p.digit.is_finite());
  EXPECT_LE(p.digit.max(), 1.0f);
  EXPECT_GE(p.digit.min(), 0.0f);
}

// ---------------------------------------------------------------- exercise ch11.area_resample

TEST(ch11_area_resample, KeepsTheMeanAndUndoesADoubling) {
  arma::arma_rng::set_seed(4);
  const arma::fmat image = arma::randu<arma::fmat>(37, 23);
  for (auto [r, c] : {std::pair{20u, 12u}, std::pair{74u, 46u}, std::pair{5u, 31u}})
    EXPECT_NEAR(arma::mean(arma::vectorise(area_resample(image, r, c))), arma::mean(arma::vectorise(image)), 1e-5);
  const arma::fmat block = arma::kron(image, arma::fmat(2, 2, arma::fill::ones));
  EXPECT_LT(arma::abs(area_resample(block, 37, 23) - image).max(), 1e-5f) << "halving a doubled image gives it back";
}

TEST(ch11_area_resample, ThreeOldPixelsIntoTwoByHand) {
  // 1 × 3 → 1 × 2: new pixel 0 covers old [0, 1.5): (a + b/2) / 1.5; new pixel 1 covers [1.5, 3): (b/2 + c) / 1.5.
  const arma::fmat row = {{3.0f, 6.0f, 9.0f}};
  const arma::fmat halves = area_resample(row, 1, 2);
  ASSERT_EQ(halves.n_cols, 2u);
  EXPECT_NEAR(halves(0, 0), (3.0 + 3.0) / 1.5, 1e-5);
  EXPECT_NEAR(halves(0, 1), (3.0 + 9.0) / 1.5, 1e-5);
  // Upsampling 1 → 3 copies the pixel; a constant image stays constant at any size.
  EXPECT_TRUE(arma::approx_equal(area_resample(arma::fmat(1, 1, arma::fill::value(0.25f)), 3, 3),
                                 arma::fmat(3, 3, arma::fill::value(0.25f)), "absdiff", 1e-6f));
  EXPECT_TRUE(arma::approx_equal(area_resample(arma::fmat(7, 5, arma::fill::ones), 4, 9),
                                 arma::fmat(4, 9, arma::fill::ones), "absdiff", 1e-5f));
}

// ---------------------------------------------------------------- exercise ch11.centre_of_mass

TEST(ch11_centre_of_mass, PutsTheCentreOfMassAtFourteenFourteen) {
  arma::arma_rng::set_seed(8);
  for (auto [h, w] : {std::pair{20u, 20u}, std::pair{20u, 9u}, std::pair{11u, 20u}}) {
    arma::fmat fitted = arma::randu<arma::fmat>(h, w);
    fitted.submat(0, 0, h / 2, w / 2) *= 4.0f;  // heavier top-left: the mass is off the box's centre
    const arma::fmat digit = place_by_centre_of_mass(fitted);
    ASSERT_EQ(digit.n_rows, 28u);
    ASSERT_EQ(digit.n_cols, 28u);
    EXPECT_NEAR(arma::accu(digit), arma::accu(fitted), 1e-3) << "every pixel placed once";
    const arma::frowvec index = arma::regspace<arma::frowvec>(0, 27);
    const double mass = arma::accu(digit);
    EXPECT_NEAR(arma::accu(arma::sum(digit, 1).t() % index) / mass, 14.0, 0.5) << h << " × " << w;
    EXPECT_NEAR(arma::accu(arma::sum(digit, 0) % index) / mass, 14.0, 0.5) << h << " × " << w;
  }
}

TEST(ch11_centre_of_mass, CountsPixelsFromZeroAsMnistDoes) {
  // A column of weights 3 and 1 on rows 2 and 3: r̄ = (3·2 + 1·3) / 4 = 2.25, c̄ = 0, so the
  // top-left corner goes to (round(11.75), round(14)) = (12, 14): the weights land on rows 14 and 15.
  // Pixel centres at r + 0.5 (r̄ = 2.75) would put them one row higher, on rows 13 and 14.
  arma::fmat fitted(4, 1, arma::fill::zeros);
  fitted(2, 0) = 3.0f;
  fitted(3, 0) = 1.0f;
  const arma::fmat digit = place_by_centre_of_mass(fitted);
  EXPECT_FLOAT_EQ(digit(14, 14), 3.0f);
  EXPECT_FLOAT_EQ(digit(15, 14), 1.0f);
  EXPECT_FLOAT_EQ(arma::accu(digit), 4.0f);
}

TEST(ch11_centre_of_mass, KeepsTheDigitInsideWhenItsMassIsAtAnEdge) {
  arma::fmat fitted(20, 4, arma::fill::zeros);
  fitted.row(19).fill(1.0f);  // all the mass on the bottom row: r̄ = 19
  const arma::fmat digit = place_by_centre_of_mass(fitted);
  // round(14 − 19) = −5 is clamped to 0: the digit starts at the top row, whole.
  EXPECT_FLOAT_EQ(arma::accu(digit.row(19)), 4.0f);
  EXPECT_FLOAT_EQ(arma::accu(digit), 4.0f);
  // c̄ = 1.5: the left edge at round(12.5) = 13 (round half away from zero), columns 13..16.
  EXPECT_FLOAT_EQ(arma::accu(digit.cols(13, 16)), 4.0f);
}

// ---------------------------------------------------------------- what a photo adds

namespace {
std::vector<std::pair<std::string, arma::uword>> examples() {
  const std::filesystem::path dir = source_dir() / "chapters/11_final_classifier/examples";
  std::ifstream list(dir / "expected.txt");
  std::vector<std::pair<std::string, arma::uword>> all;
  std::string line;
  while (std::getline(list, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string file;
    arma::uword label = 0;
    fields >> file >> label;
    all.emplace_back(file, label);
  }
  return all;
}

Preprocessed example(const std::string& file) {
  return preprocess_digit(read_grey_image(source_dir() / "chapters/11_final_classifier/examples" / file), file);
}
}  // namespace

TEST(Ch11Preprocessing, AThinPenLineIsThickenedToMnistsStrokeWidth) {
  const Preprocessed p = example("pen2_900x1200.png");
  EXPECT_LT(p.stroke_width, 1.0) << "7 pixels of a 450-pixel digit";
  EXPECT_TRUE(p.dilated);
  // After the dilation: the input's stroke is in MNIST's range (measured the same way on the 28 × 28 input).
  const arma::fmat input = p.digit;
  double area = 0, edge = 0;
  for (arma::uword r = 1; r + 1 < 28; ++r)
    for (arma::uword c = 1; c + 1 < 28; ++c)
      if (input(r, c) > 0.5f) {
        ++area;
        if (input(r - 1, c) <= 0.5f || input(r + 1, c) <= 0.5f || input(r, c - 1) <= 0.5f || input(r, c + 1) <= 0.5f)
          ++edge;
      }
  EXPECT_GT(2 * area / edge, 1.5) << "stroke width of the input";
  EXPECT_FLOAT_EQ(p.fitted.max(), 1.0f) << "contrast renormalised after the resampling";
}

TEST(Ch11Preprocessing, UnevenLightIsNotInk) {
  const Preprocessed p = example("shadow5_300x400.png");
  // The paper darkens to 0.45 in the bottom right: after the plane is removed, that corner is paper (0).
  EXPECT_LT(p.ink.submat(p.ink.n_rows - 20, p.ink.n_cols - 20, p.ink.n_rows - 1, p.ink.n_cols - 1).max(), 0.1f);
  EXPECT_LT(p.cropped.n_rows, p.ink.n_rows * 3 / 4) << "the crop is the digit, not the dark half of the page";
}

TEST(Ch11Preprocessing, DimGreyPaperIsReadTheRightWayRound) {
  // A dim photo: paper at 0.45 (below the middle grey), dark ink. The ink is the side that
  // holds the mass, so the page is inverted and gives the digit of the same page in full light.
  const arma::fmat page = draw_strokes({{{0.3, 0.2}, {0.7, 0.2}, {0.45, 0.9}}}, 120, 100, 0.05);
  const Preprocessed bright = preprocess_digit(page, "bright"), dim = preprocess_digit(0.45f * page, "dim");
  EXPECT_TRUE(dim.inverted);
  EXPECT_LT(arma::mean(arma::vectorise(arma::abs(dim.digit - bright.digit))), 0.02);
}

TEST(Ch11Preprocessing, AStrokeReachingTheEdgeDoesNotLiftThePaper) {
  // A tight crop: a bar 5 pixels wide from the top edge to the bottom edge of a 20 × 20 image.
  // The frame holds ink; the plane fitted again without it stays at the paper's level.
  arma::fmat page(20, 20, arma::fill::ones);
  page.cols(8, 12).fill(0.0f);
  const Preprocessed p = preprocess_digit(page, "tight");
  EXPECT_EQ(p.cropped.n_rows, 20u) << "the whole bar is ink";
  EXPECT_EQ(p.cropped.n_cols, 5u);
  EXPECT_FLOAT_EQ(p.ink(10, 10), 1.0f);
  EXPECT_FLOAT_EQ(p.ink(10, 2), 0.0f) << "the paper beside the bar";
}

TEST(Ch11Preprocessing, ASpeckOnABlankPageIsNoDigit) {
  arma::fmat page(100, 100, arma::fill::ones);
  page.submat(49, 49, 52, 52).fill(0.0f);  // 4 × 4 pixels: less than 5% of 100
  const std::string message = message_of([&] { preprocess_digit(page, "speck.png"); });
  EXPECT_NE(message.find("speck.png: no digit found"), std::string::npos) << message;
  EXPECT_NE(message.find("4×4 pixels"), std::string::npos) << message;
}

TEST(Ch11Preprocessing, ASpeckFarFromTheDigitIsDropped) {
  const Preprocessed p = example("speck3_300x300.pgm");
  EXPECT_EQ(p.components, 2u) << "the 3 and the speck";
  EXPECT_LT(p.kept.submat(20, 255, 40, 275).max(), 0.01f) << "the speck is not kept";
  EXPECT_LT(p.cropped.n_cols, 150u) << "the crop holds the 3 alone";
}

TEST(Ch11Preprocessing, TheExampleImagesAreClassifiedAsTheirLabels) {
  int checked = 0;
  for (const auto& [file, label] : examples()) {
    EXPECT_EQ(classify(trained_on_sample(), example(file).input), label) << file;
    ++checked;
  }
  EXPECT_GE(checked, 10) << "sample digits, drawn digits, a thin pen, uneven light, a speck, three printed digits";
}

TEST(Ch11Images, PngAndPgmReadBackWhatWasWritten) {
  TempFolder folder("ch11_png");
  const std::filesystem::path dir = folder.fresh("images");
  arma::arma_rng::set_seed(5);
  const arma::fmat grey = arma::round(arma::randu<arma::fmat>(13, 17) * 255.0f) / 255.0f;
  write_grey_png(dir / "a.png", grey);
  EXPECT_LT(arma::abs(read_grey_image(dir / "a.png") - grey).max(), 1e-6f);
  std::ofstream(dir / "b.pgm") << "P2\n# comment\n3 8\n4\n0 1 2\n3 4 0\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n4 4 4\n";
  const arma::fmat pgm = [&] {
    try {
      return read_grey_image(dir / "b.pgm");
    } catch (const std::exception& e) {
      return arma::fmat();  // 3 × 8 is below the 8 × 8 minimum: expected
    }
  }();
  EXPECT_TRUE(pgm.is_empty());
  std::ofstream pgm_ok(dir / "c.pgm", std::ios::binary);
  pgm_ok << "P5 8 8 255\n" << std::string(64, char(200));
  pgm_ok.close();
  const arma::fmat c = read_grey_image(dir / "c.pgm");
  EXPECT_NEAR(c(3, 4), 200.0f / 255.0f, 1e-6f);
}

TEST(Ch11Images, BadFilesAreRejectedWithTheirName) {
  TempFolder folder("ch11_bad");
  const std::filesystem::path dir = folder.fresh("bad");
  std::ofstream(dir / "empty.png").close();
  std::ofstream(dir / "notes.txt") << "this is not an image\n";
  write_grey_png(dir / "tiny.png", arma::fmat(1, 1, arma::fill::zeros));
  write_grey_png(dir / "good.png", arma::fmat(28, 28, arma::fill::ones));
  {  // a PNG cut after 40 bytes
    std::ifstream in(dir / "good.png", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(dir / "cut.png", std::ios::binary) << bytes.substr(0, 40);
  }
  std::ofstream(dir / "cut.pgm", std::ios::binary) << "P5 28 28 255\n" << std::string(100, 'x');
  std::ofstream(dir / "over.pgm", std::ios::binary) << "P5 8 8 100\n" << std::string(64, char(200));
  {  // a plain PGM whose last pixel is above its maxval
    std::ofstream plain(dir / "over_plain.pgm");
    plain << "P2 8 8 255\n";
    for (int k = 0; k < 63; ++k) plain << "7 ";
    plain << "256\n";
  }
  const std::vector<std::pair<std::string, std::string>> cases = {{"missing.png", "cannot open"},
                                                                  {"empty.png", "empty"},
                                                                  {"notes.txt", "not a PNG or PGM"},
                                                                  {"tiny.png", "1×1"},
                                                                  {"cut.png", "PNG"},
                                                                  {"cut.pgm", "truncated"},
                                                                  {"over.pgm", "200, above its maxval 100"},
                                                                  {"over_plain.pgm", "256, above its maxval 255"}};
  for (const auto& [file, why] : cases) {
    const std::string message = message_of([&] { read_grey_image(dir / file); });
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_NE(message.find(why), std::string::npos) << message;
  }
  // A blank page has no digit on it.
  const std::string blank = message_of([&] { preprocess_digit(read_grey_image(dir / "good.png"), "good.png"); });
  EXPECT_NE(blank.find("good.png: no digit found"), std::string::npos) << blank;
}

// A big-endian 32-bit number and the PNG chunk CRC (ISO 3309), to write a PNG header by hand.
namespace {
std::string be32(std::uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }
std::uint32_t crc32(const std::string& bytes) {
  std::uint32_t c = 0xffffffffu;
  for (unsigned char b : bytes) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}
}  // namespace

TEST(Ch11Images, HeadersClaimingTooManyPixelsAreRefusedBeforeAllocation) {
  TempFolder folder("ch11_huge");
  const std::filesystem::path dir = folder.fresh("huge");
  std::ofstream(dir / "huge.pgm", std::ios::binary) << "P5 200000 200000 255\n" << std::string(64, 'x');
  std::ofstream(dir / "lying.pgm", std::ios::binary) << "P5 2000 1000 255\n" << std::string(5000, 'x');
  std::ofstream(dir / "lying_plain.pgm") << "P2 100 100 255\n0 1 2 3\n";
  std::ofstream(dir / "long_number.pgm") << "P2 123456789012345678901 8 255\n0\n";
  {  // a valid PNG signature and IHDR chunk claiming 100000 × 100000 pixels, and no pixels
    const std::string ihdr = "IHDR" + be32(100000) + be32(100000) + std::string{8, 0, 0, 0, 0};
    const std::string idat = "IDAT" + std::string(16, 0), iend = "IEND";
    std::ofstream(dir / "huge.png", std::ios::binary)
        << std::string{char(0x89), 'P', 'N', 'G', '\r', '\n', char(0x1a), '\n'} << be32(13) << ihdr << be32(crc32(ihdr))
        << be32(16) << idat << be32(crc32(idat)) << be32(0) << iend << be32(crc32(iend));
  }
  const std::string limit = "at most " + std::to_string(kMaxImagePixels) + " pixels";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"huge.pgm", {"200000×200000", limit}},
      {"huge.png", {"100000×100000", limit}},
      {"lying.pgm", {"truncated", "2000×1000", "2000000 bytes", "5000"}},
      {"lying_plain.pgm", {"truncated", "100×100"}},
      {"long_number.pgm", {"corrupt PGM", "21 digits"}}};
  for (const auto& [file, expected] : cases) {
    const std::string message = message_of([&] { read_grey_image(dir / file); });
    EXPECT_NE(message.find(file), std::string::npos) << message;
    for (const std::string& part : expected)
      EXPECT_NE(message.find(part), std::string::npos) << file << ": " << message;
  }
}

TEST(Ch11Images, AFolderGivenAsTheImageIsNamedAsAFolder) {
  TempFolder folder("ch11_folder");
  const std::filesystem::path dir = folder.fresh("digits");
  const std::string message = message_of([&] { read_grey_image(dir); });
  EXPECT_NE(message.find(dir.string() + ": is a folder"), std::string::npos) << message;
}

// ch11 --load (and ch07 --load) read a model through load_model: a file holding a
// NaN or an infinity is refused, naming the layer and the matrix, and the network is left as it was.
TEST(Ch11Classifier, AModelFileHoldingNonFiniteNumbersIsRefusedAtLoad) {
  TempFolder folder("ch11_nan");
  const std::filesystem::path dir = folder.fresh("m");
  arma::arma_rng::set_seed(6);
  Network<float> net = make_final_net<float>();
  const std::vector<Parameter<float>> params = net.parameters();
  const arma::fmat W1 = *params[0].value;
  (*params[0].value)(3, 5) = std::numeric_limits<float>::quiet_NaN();
  save_model(net, dir / "nan.bin");
  (*params[0].value)(3, 5) = W1(3, 5);
  (*params[2].value)(0, 0) = std::numeric_limits<float>::infinity();  // the first batch norm's β
  save_model(net, dir / "inf.bin");
  Network<float> fresh = make_final_net<float>();
  const arma::fmat fresh_W1 = *fresh.parameters()[0].value;
  for (const std::string file : {"nan.bin", "inf.bin"}) {
    const std::string message = message_of([&] { load_model(fresh, dir / file); });
    EXPECT_NE(message.find(file), std::string::npos) << message;
    EXPECT_NE(message.find("NaN or an infinity"), std::string::npos) << message;
    // Layer 2 is BatchNorm(512), or in the fused fast path "BatchNorm(512) + ReLU + ... (its BatchNorm)".
    EXPECT_NE(message.find(file == "nan.bin" ? "layer 1 (Linear(784 -> 512, no bias)): W" : "layer 2 (BatchNorm(512)"),
              std::string::npos)
        << message;
    if (file == "inf.bin") {
      EXPECT_NE(message.find("): β holds"), std::string::npos) << message;
    }
  }
  EXPECT_TRUE(arma::approx_equal(*fresh.parameters()[0].value, fresh_W1, "absdiff", 0.0f)) << "left unchanged";
}
