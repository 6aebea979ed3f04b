// Chapter 11: the final classifier, its saved model, and the preprocessing of a digit image.
#include <gtest/gtest.h>

#include <armadillo>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <fstream>
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

// The final net (784-256-128-10, batch norm, dropout, Adam) trained for 5 epochs on
// the embedded sample's 4,000 training images: a few seconds.
Network<float>& trained_on_sample() {
  static Network<float> net = [] {
    arma::arma_rng::set_seed(1);
    Network<float> n = make_final_net<float>();
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
  EXPECT_FLOAT_EQ(p.digit.max(), p.digit.max());  // finite
  EXPECT_LE(p.digit.max(), 1.0f);
  EXPECT_GE(p.digit.min(), 0.0f);
}

TEST(Ch11Preprocessing, AreaResamplingKeepsTheMean) {
  arma::arma_rng::set_seed(4);
  const arma::fmat image = arma::randu<arma::fmat>(37, 23);
  for (auto [r, c] : {std::pair{20u, 12u}, std::pair{74u, 46u}, std::pair{5u, 31u}})
    EXPECT_NEAR(arma::mean(arma::vectorise(area_resample(image, r, c))), arma::mean(arma::vectorise(image)), 1e-5);
  const arma::fmat block = arma::kron(image, arma::fmat(2, 2, arma::fill::ones));
  EXPECT_LT(arma::abs(area_resample(block, 37, 23) - image).max(), 1e-5f) << "halving a doubled image gives it back";
}

TEST(Ch11Preprocessing, TheExampleImagesAreClassifiedAsTheirLabels) {
  const std::filesystem::path dir = source_dir() / "chapters/11_final_classifier/examples";
  std::ifstream list(dir / "expected.txt");
  ASSERT_TRUE(list) << "missing " << (dir / "expected.txt").string();
  std::string line;
  int checked = 0;
  while (std::getline(list, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string file;
    arma::uword label = 0;
    fields >> file >> label;
    const Preprocessed p = preprocess_digit(read_grey_image(dir / file), file);
    EXPECT_EQ(classify(trained_on_sample(), p.input), label) << file;
    ++checked;
  }
  EXPECT_GE(checked, 4);
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
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing.png", "cannot open"}, {"empty.png", "empty"},       {"notes.txt", "not a PNG or PGM"},
      {"tiny.png", "1×1"},            {"cut.png", "PNG"},           {"cut.pgm", "truncated"}};
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
std::string be32(std::uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}
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
    for (const std::string& part : expected) EXPECT_NE(message.find(part), std::string::npos) << file << ": " << message;
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
    EXPECT_NE(message.find(file == "nan.bin" ? "layer 1 (Linear(784 -> 256, no bias)): W" : "layer 2 (BatchNorm(256)): β"),
              std::string::npos) << message;
  }
  EXPECT_TRUE(arma::approx_equal(*fresh.parameters()[0].value, fresh_W1, "absdiff", 0.0f)) << "left unchanged";
}
