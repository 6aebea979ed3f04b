// Chapter 13: evaluation (precision, recall, F1, ROC/AUC, PR/AP) and the remedies
// for imbalanced classes (resampling, SMOTE, class weights, repeating, ensembles).
#include <gtest/gtest.h>

#include <armadillo>
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "chapters/06_backprop/gradient_check.hpp"
#include "chapters/13_imbalanced_classes/imbalance.hpp"
#include "chapters/13_imbalanced_classes/metrics.hpp"
#include "common/data.hpp"
#include "common/numerical.hpp"
#include "messages.hpp"

namespace {

using namespace course;
using namespace course::ch13;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---------------------------------------------------------------------------
// Precision, recall, F1 on hand-computed confusion matrices
// ---------------------------------------------------------------------------
TEST(ch13_precision_recall, HandComputedConfusionMatrix) {
  // TP 6, FP 2, TN 10, FN 4: precision 6/8, recall 6/10, F1 = 2TP/(2TP + FP + FN) = 12/18
  const BinaryScores s = binary_scores(BinaryCounts{.tp = 6, .fp = 2, .tn = 10, .fn = 4});
  EXPECT_DOUBLE_EQ(s.accuracy, 16.0 / 22.0);
  EXPECT_DOUBLE_EQ(s.precision, 0.75);
  EXPECT_DOUBLE_EQ(s.recall, 0.6);
  EXPECT_NEAR(s.f1, 12.0 / 18.0, 1e-15);
  EXPECT_NEAR(s.f1, 2 * 0.75 * 0.6 / (0.75 + 0.6), 1e-15);
}

TEST(ch13_precision_recall, PrecisionAndRecallDiffer) {
  // many false alarms: precision 2/10, recall 2/3
  const BinaryScores s = binary_scores(BinaryCounts{.tp = 2, .fp = 8, .tn = 89, .fn = 1});
  EXPECT_DOUBLE_EQ(s.precision, 0.2);
  EXPECT_DOUBLE_EQ(s.recall, 2.0 / 3.0);
  EXPECT_NEAR(s.f1, 4.0 / 13.0, 1e-15);  // 2·2 / (2·2 + 8 + 1)
  EXPECT_DOUBLE_EQ(s.accuracy, 0.91);
}

TEST(ch13_precision_recall, NoPositivePredictionsGiveZeroNotNaN) {
  // the classifier that always says "negative" on 2 positives in 10
  const BinaryScores s = binary_scores(BinaryCounts{.tp = 0, .fp = 0, .tn = 8, .fn = 2});
  EXPECT_EQ(s.precision, 0.0);  // 0/0: the course's convention
  EXPECT_EQ(s.recall, 0.0);
  EXPECT_EQ(s.f1, 0.0);
  EXPECT_DOUBLE_EQ(s.accuracy, 0.8);  // high accuracy, nothing found
}

TEST(ch13_precision_recall, NoPositivesAtAll) {
  const BinaryScores s = binary_scores(BinaryCounts{.tp = 0, .fp = 3, .tn = 5, .fn = 0});
  EXPECT_EQ(s.recall, 0.0);     // 0/0
  EXPECT_EQ(s.precision, 0.0);  // 0/3
  EXPECT_EQ(s.f1, 0.0);
  const BinaryScores perfect = binary_scores(BinaryCounts{.tp = 4, .fp = 0, .tn = 5, .fn = 0});
  EXPECT_EQ(perfect.precision, 1.0);
  EXPECT_EQ(perfect.recall, 1.0);
  EXPECT_EQ(perfect.f1, 1.0);
  EXPECT_EQ(perfect.accuracy, 1.0);
}

TEST(Ch13Metrics, CountsFromDecisionsAndLabels) {
  const arma::urowvec labels = {1, 1, 1, 0, 0, 0, 0};
  const arma::rowvec scores = {0.9, 0.5, 0.2, 0.7, 0.5, 0.1, 0.0};
  const BinaryCounts c = binary_counts(decide(scores, 0.5), labels);  // s ≥ 0.5 is positive
  EXPECT_EQ(c.tp, 2u);
  EXPECT_EQ(c.fn, 1u);
  EXPECT_EQ(c.fp, 2u);
  EXPECT_EQ(c.tn, 2u);
  EXPECT_EQ(c.positives(), 3u);
  EXPECT_EQ(c.negatives(), 4u);
}

TEST(Ch13Metrics, BadInputIsNamed) {
  EXPECT_TRUE(contains(test_support::message_of([] { binary_counts({0, 1}, {0, 2}); }), "label 2 at example 1"));
  EXPECT_TRUE(contains(test_support::message_of([] { binary_scores(BinaryCounts{}); }), "empty"));
  EXPECT_TRUE(contains(test_support::message_of([] { auc({0.1, 0.2}, {1, 1}); }), "needs both classes"));
  EXPECT_TRUE(contains(test_support::message_of([] { auc({0.1, 0.2, 0.3}, {1, 0}); }), "3 scores for 2 labels"));
  EXPECT_TRUE(contains(test_support::message_of([] { auc({0.1, arma::datum::nan}, {1, 0}); }), "NaN"));
}

// ---------------------------------------------------------------------------
// AUC
// ---------------------------------------------------------------------------
TEST(ch13_auc, PerfectReversedAndTiedRankings) {
  const arma::urowvec labels = {0, 0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(auc({0.1, 0.2, 0.3, 0.8, 0.9}, labels), 1.0);  // every positive above every negative
  EXPECT_DOUBLE_EQ(auc({0.9, 0.8, 0.7, 0.2, 0.1}, labels), 0.0);  // every positive below
  EXPECT_DOUBLE_EQ(auc({0.5, 0.5, 0.5, 0.5, 0.5}, labels), 0.5);  // all tied: ½ per pair
}

TEST(ch13_auc, MannWhitneyByHand) {
  // positives 0.35, 0.8; negatives 0.1, 0.4: U = (1 + 0) + (1 + 1) = 3 of 4 pairs
  EXPECT_DOUBLE_EQ(auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
  // with ties: positives 0.5, 0.9; negatives 0.5, 0.2, 0.5:
  // 0.5 beats 0.2 and ties twice (½ + 1 + ½ = 2), 0.9 beats all three: U = 5 of 6
  const arma::rowvec s = {0.5, 0.5, 0.2, 0.9, 0.5};
  const arma::urowvec y = {1, 0, 0, 1, 0};
  EXPECT_NEAR(auc(s, y), 5.0 / 6.0, 1e-15);
  EXPECT_NEAR(auc_pairwise(s, y), 5.0 / 6.0, 1e-15);
  // the rank sum: mid-ranks of (0.2, 0.5, 0.5, 0.5, 0.9) are 1, 3, 3, 3, 5; R₊ = 3 + 5 = 8, U = 8 − 3 = 5
  const arma::vec r = midranks(s);
  EXPECT_DOUBLE_EQ(r[0], 3.0);
  EXPECT_DOUBLE_EQ(r[2], 1.0);
  EXPECT_DOUBLE_EQ(r[3], 5.0);
}

TEST(ch13_auc, AgreesWithThePairwiseDefinitionAndTheRocArea) {
  seed_everything(131);
  arma::rowvec s = arma::round(10 * arma::randu<arma::rowvec>(300)) / 10;  // many ties
  const arma::urowvec y = arma::conv_to<arma::urowvec>::from(arma::randu<arma::rowvec>(300) + s > 1.0);
  const double a = auc(s, y);
  EXPECT_GT(a, 0.7);  // the scores carry some signal
  EXPECT_NEAR(a, auc_pairwise(s, y), 1e-12);
  EXPECT_NEAR(a, trapezoid_area(roc_curve(s, y)), 1e-12);
}

TEST(ch13_auc, RandomRankingIsNearOneHalf) {
  // Under a random ranking U/(n₊n₋) has mean ½ and variance (n₊ + n₋ + 1)/(12 n₊ n₋)
  // (Mann–Whitney): with n₊ = n₋ = 2000 a standard deviation of 0.0091. Allow five.
  seed_everything(132);
  const arma::uword n = 2000;
  const arma::urowvec y = arma::join_rows(arma::urowvec(n, arma::fill::ones), arma::urowvec(n, arma::fill::zeros));
  const double sd = std::sqrt(double(2 * n + 1) / (12.0 * double(n) * double(n)));
  for (int trial = 0; trial < 3; ++trial) {
    const arma::rowvec s = arma::randu<arma::rowvec>(2 * n);
    EXPECT_NEAR(auc(s, y), 0.5, 5 * sd) << "trial " << trial;
  }
}

// ---------------------------------------------------------------------------
// The curves and average precision
// ---------------------------------------------------------------------------
TEST(Ch13Curves, RocRunsFromZeroToOneAndNeverGoesBack) {
  seed_everything(133);
  const arma::rowvec s = arma::randu<arma::rowvec>(200);
  const arma::urowvec y = arma::conv_to<arma::urowvec>::from(arma::randu<arma::rowvec>(200) > 0.8);
  const Curve c = roc_curve(s, y);
  EXPECT_EQ(c.x.front(), 0.0);
  EXPECT_EQ(c.y.front(), 0.0);
  EXPECT_DOUBLE_EQ(c.x.back(), 1.0);
  EXPECT_DOUBLE_EQ(c.y.back(), 1.0);
  for (std::size_t k = 1; k < c.x.size(); ++k) {
    EXPECT_GE(c.x[k], c.x[k - 1]);
    EXPECT_GE(c.y[k], c.y[k - 1]);
    EXPECT_LT(c.thresholds[k], c.thresholds[k - 1]);
  }
}

TEST(ch13_average_precision, PrecisionRecallAndAveragePrecisionByHand) {
  // ranked 1, 0, 1, 0: (R, P) = (½, 1), (½, ½), (1, ⅔), (1, ½); AP = ½·1 + 0·½ + ½·⅔ + 0·½ = ⅚
  const arma::rowvec s = {0.9, 0.8, 0.7, 0.6};
  const arma::urowvec y = {1, 0, 1, 0};
  const Curve pr = precision_recall_curve(s, y);
  ASSERT_EQ(pr.x.size(), 4u);
  EXPECT_DOUBLE_EQ(pr.x[0], 0.5);
  EXPECT_DOUBLE_EQ(pr.y[0], 1.0);
  EXPECT_DOUBLE_EQ(pr.y[2], 2.0 / 3.0);
  // the F1 of each threshold: 2/3, 1/2, 4/5, 2/3: the best is t = 0.7
  EXPECT_DOUBLE_EQ(best_f1_threshold(s, y), 0.7);
  EXPECT_NEAR(average_precision(s, y), 5.0 / 6.0, 1e-15);
  EXPECT_DOUBLE_EQ(average_precision({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);  // a perfect ranking
}

TEST(ch13_average_precision, ByHandWithATieAndANegativeOnTop) {
  // scores 0.9 (neg), 0.7 (pos), 0.7 (neg), 0.4 (pos), 0.2 (pos); n₊ = 3. Thresholds from the top:
  //   t = 0.9: TP 0, FP 1: R 0,   P 0    adds 0
  //   t = 0.7: TP 1, FP 2: R 1/3, P 1/3  adds (1/3)(1/3) = 1/9   (the tie is one threshold)
  //   t = 0.4: TP 2, FP 2: R 2/3, P 1/2  adds (1/3)(1/2) = 1/6
  //   t = 0.2: TP 3, FP 2: R 1,   P 3/5  adds (1/3)(3/5) = 1/5
  // AP = 1/9 + 1/6 + 1/5 = 43/90
  EXPECT_NEAR(average_precision({0.9, 0.7, 0.7, 0.4, 0.2}, {0, 1, 0, 1, 1}), 43.0 / 90.0, 1e-15);
  // the order of the examples does not matter, only their scores
  EXPECT_NEAR(average_precision({0.2, 0.7, 0.4, 0.9, 0.7}, {1, 0, 1, 0, 1}), 43.0 / 90.0, 1e-15);
}

TEST(ch13_average_precision, AlwaysNegativeScoresAccuracyButNothingElse) {
  // 1 positive in 11: accuracy 10/11, F1 0, AUC ½ (all tied), AP = the share of positives
  arma::urowvec y(1100, arma::fill::zeros);
  y.head(100).ones();
  const BinaryEvaluation e = evaluate_scores(arma::rowvec(1100, arma::fill::zeros), y);
  EXPECT_NEAR(e.scores.accuracy, 10.0 / 11.0, 1e-15);
  EXPECT_EQ(e.scores.f1, 0.0);
  EXPECT_EQ(e.scores.recall, 0.0);
  EXPECT_DOUBLE_EQ(e.auc, 0.5);
  EXPECT_NEAR(e.average_precision, 1.0 / 11.0, 1e-15);
}

TEST(ch13_average_precision, RandomRankingsAveragePrecisionIsTheShareOfPositives) {
  seed_everything(134);
  arma::urowvec y(20000, arma::fill::zeros);
  y.head(2000).ones();  // 10% positives
  const double ap = average_precision(arma::randu<arma::rowvec>(20000), y);
  EXPECT_NEAR(ap, 0.1, 0.02);  // not ½: AP depends on the share of positives
}

// ---------------------------------------------------------------------------
// SMOTE
// ---------------------------------------------------------------------------
TEST(Ch13Smote, OnTheSegmentFromXToItsNeighbour) {
  const arma::fvec x = {0.0f, 1.0f, 0.5f}, n = {1.0f, 0.0f, 0.5f};
  EXPECT_TRUE(arma::approx_equal(smote_sample(x, n, 0.0), x, "absdiff", 0.0f));
  EXPECT_TRUE(arma::approx_equal(smote_sample(x, n, 1.0), n, "absdiff", 1e-7f));
  const arma::fvec quarter = {0.25f, 0.75f, 0.5f};
  EXPECT_TRUE(arma::approx_equal(smote_sample(x, n, 0.25), quarter, "absdiff", 1e-7f));
}

TEST(Ch13Smote, BadInputIsNamed) {
  EXPECT_TRUE(contains(test_support::message_of([] {
                         smote_sample(arma::fvec(3, arma::fill::zeros), arma::fvec(4, arma::fill::zeros), 0.5);
                       }),
                       "3 features"));
  EXPECT_TRUE(contains(test_support::message_of([] {
                         smote_sample(arma::fvec(3, arma::fill::zeros), arma::fvec(3, arma::fill::zeros), 1.5);
                       }),
                       "λ"));
  EXPECT_TRUE(
      contains(test_support::message_of([] { nearest_neighbours(arma::fmat(2, 3, arma::fill::zeros), 3); }), "k = 3"));
}

TEST(Ch13Smote, NearestNeighboursOnALine) {
  // points at 0, 1, 3, 7, 8 on the first axis
  arma::fmat X(2, 5, arma::fill::zeros);
  X.row(0) = arma::frowvec{0, 1, 3, 7, 8};
  const arma::umat nn = nearest_neighbours(X, 2);
  EXPECT_EQ(nn(0, 0), 1u);
  EXPECT_EQ(nn(1, 0), 2u);
  EXPECT_EQ(nn(0, 2), 1u);  // 3: 1 (distance 2), then 0 (3)
  EXPECT_EQ(nn(1, 2), 0u);
  EXPECT_EQ(nn(0, 4), 3u);
  EXPECT_EQ(nn(1, 4), 2u);
}

// A small two-class set: positives around (1, 1, ...), negatives around 0.
BinarySet toy_set(arma::uword positives, arma::uword negatives, arma::uword features = 6) {
  BinarySet s{arma::randu<arma::fmat>(features, positives + negatives),
              arma::join_rows(arma::urowvec(positives, arma::fill::ones), arma::urowvec(negatives, arma::fill::zeros))};
  s.X.head_cols(positives) += 1.0f;
  return s;
}

TEST(Ch13Smote, SamplesLieOnSegmentsBetweenMinorityNeighbours) {
  seed_everything(135);
  const BinarySet train = toy_set(12, 60);
  const arma::uword k = 3;
  const SmoteResult r = smote(train, k, rng());
  ASSERT_EQ(r.set.size(), 120u);  // 60 + 60: n₋ − n₊ = 48 new positives
  EXPECT_EQ(r.set.positives(), 60u);
  EXPECT_TRUE(arma::approx_equal(r.set.X.head_cols(72), train.X, "absdiff", 0.0f));  // the originals, unchanged
  const arma::uvec pos = arma::find(train.y == 1);
  const arma::umat nn = nearest_neighbours(arma::fmat(train.X.cols(pos)), k);
  for (arma::uword i = 0; i < r.lambdas.n_elem; ++i) {
    const arma::uword a = r.origins(0, i), b = r.origins(1, i);
    EXPECT_EQ(train.y[a], 1u);
    EXPECT_EQ(train.y[b], 1u);
    // x̃ is one of x's k nearest positives
    const arma::uword ia = arma::as_scalar(arma::find(pos == a)), ib = arma::as_scalar(arma::find(pos == b));
    EXPECT_TRUE(arma::any(nn.col(ia) == ib)) << "sample " << i;
    // and the new point is x + λ(x̃ − x), λ in [0, 1]
    const double lambda = r.lambdas[i];
    EXPECT_GE(lambda, 0.0);
    EXPECT_LE(lambda, 1.0);
    const arma::fvec expected = train.X.col(a) + float(lambda) * (train.X.col(b) - train.X.col(a));
    EXPECT_TRUE(arma::approx_equal(arma::fvec(r.set.X.col(72 + i)), expected, "absdiff", 1e-6f)) << "sample " << i;
  }
}

TEST(Ch13Smote, NeedsTwoPositives) {
  seed_everything(136);
  EXPECT_TRUE(contains(test_support::message_of([] { smote(toy_set(1, 5), 5, rng()); }), "at least 2 positives"));
}

// ---------------------------------------------------------------------------
// Class weights in the loss
// ---------------------------------------------------------------------------
TEST(ch13_weighted_loss, CostByHand) {
  const WeightedSigmoidCrossEntropy<double> loss(3.0, 0.5);
  const arma::mat Z = {{1.5, -0.4, 0.2}}, Y = {{1, 0, 0}};
  // a = σ(z); J = (1/3)[3·(−ln σ(1.5)) + 0.5·(−ln(1 − σ(−0.4))) + 0.5·(−ln(1 − σ(0.2)))]
  auto sig = [](double z) { return 1 / (1 + std::exp(-z)); };
  const double expected =
      (3 * -std::log(sig(1.5)) + 0.5 * -std::log(1 - sig(-0.4)) + 0.5 * -std::log(1 - sig(0.2))) / 3;
  EXPECT_NEAR(loss.cost(Z, Y), expected, 1e-14);
}

TEST(ch13_weighted_loss, UnitWeightsAreChapter3sBinaryCrossEntropyOfTheSigmoid) {
  seed_everything(137);
  const arma::mat Z = 3 * arma::randn<arma::mat>(1, 20);
  const arma::mat Y = arma::conv_to<arma::mat>::from(arma::randu<arma::mat>(1, 20) > 0.5);
  EXPECT_NEAR(WeightedSigmoidCrossEntropy<double>().cost(Z, Y), BinaryCrossEntropy<double>().cost(sigmoid(Z), Y),
              1e-12);
}

TEST(ch13_weighted_loss, FiniteAndExactAtAnyLogit) {
  // ln(1 + e^z) − y z without overflow: a positive at z = −800 costs 800, a negative at z = 800 costs 800,
  // and a right answer at |z| = 800 costs e^{−800} ≈ 0 (the clipped two-layer cost would give −ln ε ≈ 27.6)
  const WeightedSigmoidCrossEntropy<double> loss;
  const arma::mat one(1, 1, arma::fill::ones), zero(1, 1, arma::fill::zeros);
  EXPECT_NEAR(loss.cost(-800 * one, one), 800.0, 1e-9);
  EXPECT_NEAR(loss.cost(800 * one, zero), 800.0, 1e-9);
  EXPECT_NEAR(loss.cost(arma::mat{800.0, -800.0}, arma::mat{1.0, 0.0}), 0.0, 1e-12);
  const arma::fmat one_f(1, 1, arma::fill::ones);
  const float in_float = WeightedSigmoidCrossEntropy<float>(2.0, 1.0).cost(-100 * one_f, one_f);
  EXPECT_NEAR(in_float, 200.0f, 1e-3f);  // w₊ · 100
}

TEST(ch13_weighted_gradient, IsTheWeightTimesAMinusYOverM) {
  seed_everything(138);
  const arma::mat Z = 2 * arma::randn<arma::mat>(1, 12);
  arma::mat Y(1, 12, arma::fill::zeros);
  Y.cols(0, 3).ones();
  const double w_pos = 4.0, w_neg = 0.25;
  arma::mat dZ;
  WeightedSigmoidCrossEntropy<double>(w_pos, w_neg).gradient(Z, Y, dZ);
  const arma::mat A = sigmoid(Z);
  for (arma::uword i = 0; i < 12; ++i)
    EXPECT_NEAR(dZ(0, i), (Y(0, i) == 1 ? w_pos : w_neg) * (A(0, i) - Y(0, i)) / 12.0, 1e-15) << "example " << i;
}

TEST(ch13_weighted_gradient, MatchesTheNumericalGradientOfTheCost) {
  // double precision, seeded, relative error below 1e-7: unit weights and class weights
  seed_everything(146);
  const arma::mat Z = 2 * arma::randn<arma::mat>(1, 15);
  const arma::mat Y = arma::conv_to<arma::mat>::from(arma::randu<arma::mat>(1, 15) > 0.7);
  for (const auto& [w_pos, w_neg] : {std::pair{1.0, 1.0}, std::pair{6.0, 0.4}}) {
    const WeightedSigmoidCrossEntropy<double> loss(w_pos, w_neg);
    arma::mat dZ;
    loss.gradient(Z, Y, dZ);
    const arma::mat numerical = numerical_gradient([&](const arma::mat& z) { return loss.cost(z, Y); }, Z);
    EXPECT_LT(relative_error(dZ, numerical), 1e-7) << "w₊ " << w_pos << ", w₋ " << w_neg;
  }
}

TEST(ch13_weighted_gradient, AgreesWithASigmoidLayerThenTheCrossEntropy) {
  // where nothing is clipped, the fused gradient is the chain through the two layers of chapter 3
  seed_everything(147);
  const arma::mat Z = arma::randn<arma::mat>(1, 10);
  const arma::mat Y = arma::conv_to<arma::mat>::from(arma::randu<arma::mat>(1, 10) > 0.5);
  Sigmoid<double> layer;
  arma::mat A, dA, dZ_chain, dZ_fused;
  layer.forward(Z, A);
  BinaryCrossEntropy<double>().gradient(A, Y, dA);
  layer.backward(Z, A, dA, dZ_chain);
  WeightedSigmoidCrossEntropy<double>().gradient(Z, Y, dZ_fused);
  EXPECT_LT(relative_error(dZ_chain, dZ_fused), 1e-10);
}

TEST(ch13_weighted_gradient, AConfidentlyWrongExampleKeepsItsGradient) {
  // A positive scored z = −20 in float: a = σ(−20) ≈ 2·10⁻⁹ is below the clip ε ≈ 1.2·10⁻⁵. Through a Sigmoid
  // layer and the clipped cross-entropy the gradient all but vanishes; fused it is w(a − y)/m ≈ −w/m.
  const arma::fmat Z = {{-20.0f, 0.0f}}, Y = {{1.0f, 0.0f}};  // m = 2
  Sigmoid<float> layer;
  arma::fmat A, dA, dZ_chain, dZ_fused;
  layer.forward(Z, A);
  BinaryCrossEntropy<float>().gradient(A, Y, dA);
  layer.backward(Z, A, dA, dZ_chain);
  WeightedSigmoidCrossEntropy<float>(3.0, 1.0).gradient(Z, Y, dZ_fused);
  EXPECT_LT(std::abs(dZ_chain(0, 0)), 1e-3f);     // as two layers: about −1.7·10⁻⁴/m
  EXPECT_NEAR(dZ_fused(0, 0), -3.0f / 2, 1e-6f);  // fused: w₊ (a − y)/m = 3 · (−1)/2
  EXPECT_NEAR(dZ_fused(0, 1), 0.5f / 2, 1e-6f);   // a negative at z = 0: (0.5 − 0)/2
}

TEST(ch13_weighted_gradient, PassesTheGradientCheck) {
  // double precision, seeded, relative error below 1e-7; through a 6-4-1 ReLU net and logistic regression,
  // with class weights and with unit weights
  for (const arma::uword hidden : {4u, 0u}) {
    for (const ClassWeights& w : {ClassWeights{5.0, 0.3}, ClassWeights{}}) {
      seed_everything(139);
      Network<double> net = binary_classifier<double>(6, hidden, w);
      randomize_biases(net);
      const arma::mat X(6, 9, arma::fill::randn);
      arma::mat Y(1, 9, arma::fill::zeros);
      Y.cols(0, 2).ones();
      const GradientCheckReport report = gradient_check(net, X, Y);
      EXPECT_LT(report.overall, 1e-7) << "hidden " << hidden << ", w₊ " << w.positive;
    }
    // and the weights matter: the same net with unit weights has another gradient
    seed_everything(139);
    Network<double> net = binary_classifier<double>(6, hidden, ClassWeights{5.0, 0.3});
    randomize_biases(net);
    const arma::mat X(6, 9, arma::fill::randn);
    arma::mat Y(1, 9, arma::fill::zeros);
    Y.cols(0, 2).ones();
    const arma::vec weighted = backprop_gradient(net, X, Y);
    net.set_loss(std::make_unique<WeightedSigmoidCrossEntropy<double>>());
    EXPECT_GT(relative_error(arma::mat(weighted), arma::mat(backprop_gradient(net, X, Y))), 0.1);
  }
}

TEST(Ch13Weights, BalancedWeightsGiveEachClassHalfTheTotal) {
  const ClassWeights w = balanced_class_weights(10, 90);
  EXPECT_DOUBLE_EQ(w.positive, 5.0);  // 100 / (2·10)
  EXPECT_DOUBLE_EQ(w.negative, 100.0 / 180.0);
  EXPECT_NEAR(10 * w.positive + 90 * w.negative, 100.0, 1e-12);  // Σ w_i = m
  EXPECT_TRUE(contains(test_support::message_of([] { balanced_class_weights(0, 5); }), "needs both classes"));
  EXPECT_TRUE(contains(test_support::message_of([] { WeightedSigmoidCrossEntropy<float>(0, 1); }), "positive"));
}

// ---------------------------------------------------------------------------
// The task and the resampling: the test set is never touched
// ---------------------------------------------------------------------------

// A made-up "MNIST" whose image i carries its identity in pixel 0: i for the
// training images, 100000 + i for the test images; labels i mod 10.
Mnist tagged_mnist(arma::uword train_size, arma::uword test_size) {
  Mnist m;
  for (auto [set, size, offset] : {std::tuple{&m.train, train_size, 0.0f}, std::tuple{&m.test, test_size, 100000.0f}}) {
    set->X = arma::fmat(784, size, arma::fill::randu);
    set->y.set_size(size);
    for (arma::uword i = 0; i < size; ++i) {
      set->X(0, i) = offset + float(i);
      set->y[i] = std::uint8_t(i % 10);
    }
  }
  m.name = "tagged";
  return m;
}

TEST(Ch13Task, TheRatioTheDevHalvesAndTheTestSet) {
  seed_everything(140);
  const Mnist data = tagged_mnist(3000, 500);
  const ImbalancedTask task = make_imbalanced_task(data, 3, 100.0, 500, rng());
  EXPECT_EQ(task.tuning.size(), 250u);
  EXPECT_EQ(task.selection.size(), 250u);
  EXPECT_EQ(task.train.negatives() + task.tuning.negatives() + task.selection.negatives(), 2700u);  // every negative
  const arma::uword negatives = task.train.negatives();
  EXPECT_EQ(task.train.positives(), arma::uword(std::lround(double(negatives) / 100.0)));
  // the two halves share the dev set's positives evenly (the dev set keeps the natural share: about 50 of 500)
  const arma::uword dev_positives = task.tuning.positives() + task.selection.positives();
  EXPECT_GT(dev_positives, 25u);
  EXPECT_LE(task.selection.positives(), task.tuning.positives());
  EXPECT_LE(task.tuning.positives(), task.selection.positives() + 1);
  // the test set: every test image, in order, digit 3 against the rest
  ASSERT_EQ(task.test.size(), 500u);
  EXPECT_TRUE(arma::approx_equal(task.test.X, data.test.X, "absdiff", 0.0f));
  EXPECT_EQ(task.test.positives(), 50u);
  // train, tuning and selection share no image
  std::set<float> train_ids(task.train.X.row(0).begin(), task.train.X.row(0).end());
  std::set<float> tuning_ids(task.tuning.X.row(0).begin(), task.tuning.X.row(0).end());
  EXPECT_EQ(tuning_ids.size(), 250u);
  for (float id : task.tuning.X.row(0)) EXPECT_EQ(train_ids.count(id), 0u);
  for (float id : task.selection.X.row(0)) {
    EXPECT_EQ(train_ids.count(id), 0u);
    EXPECT_EQ(tuning_ids.count(id), 0u);
  }
  EXPECT_TRUE(contains(test_support::message_of([&] { make_imbalanced_task(data, 3, 0.5, 500, rng()); }), "ratio"));
  EXPECT_TRUE(
      contains(test_support::message_of([&] { make_imbalanced_task(data, 3, 10, 3000, rng()); }), "dev set of 3000"));
}

TEST(Ch13Task, SplitInHalvesAlternatesWithinEachClass) {
  const BinarySet set{arma::fmat(1, 7, arma::fill::zeros), arma::urowvec{1, 0, 0, 1, 1, 0, 1}};
  BinarySet s = set;
  s.X.row(0) = arma::regspace<arma::frowvec>(0, 6);
  const auto [first, second] = split_in_halves(s);
  // positives 0, 3, 4, 6 → first 0, 4; second 3, 6. Negatives 1, 2, 5 → first 1, 5; second 2
  EXPECT_TRUE(arma::approx_equal(first.X, arma::fmat{{0, 1, 4, 5}}, "absdiff", 0.0f));
  EXPECT_TRUE(arma::approx_equal(second.X, arma::fmat{{2, 3, 6}}, "absdiff", 0.0f));
  EXPECT_EQ(first.positives(), 2u);
  EXPECT_EQ(second.positives(), 2u);
}

TEST(Ch13Task, ResamplingKeepsTheTestAndDevSetsUntouched) {
  seed_everything(141);
  const Mnist data = tagged_mnist(2000, 300);
  ImbalancedTask task = make_imbalanced_task(data, 7, 10.0, 400, rng());
  const BinarySet test_before = task.test, tuning_before = task.tuning, selection_before = task.selection;
  const BinarySet under = undersample(task.train, rng());
  const BinarySet over = oversample(task.train, rng());
  const SmoteResult sm = smote(task.train, 5, rng());
  const std::vector<BinarySet> parts = balanced_subsets(task.train, 4, rng());
  EXPECT_TRUE(arma::approx_equal(task.test.X, test_before.X, "absdiff", 0.0f));
  EXPECT_TRUE(arma::all(task.test.y == test_before.y));
  EXPECT_TRUE(arma::approx_equal(task.tuning.X, tuning_before.X, "absdiff", 0.0f));
  EXPECT_TRUE(arma::approx_equal(task.selection.X, selection_before.X, "absdiff", 0.0f));
  // every example of every resampled set is a training image (pixel 0 < 100000), none a test or dev image
  std::set<float> dev_ids(task.tuning.X.row(0).begin(), task.tuning.X.row(0).end());
  dev_ids.insert(task.selection.X.row(0).begin(), task.selection.X.row(0).end());
  std::vector<const BinarySet*> sets = {&under, &over, &sm.set};
  for (const BinarySet& p : parts) sets.push_back(&p);
  for (const BinarySet* s : sets)
    for (float id : s->X.row(0)) {
      EXPECT_LT(id, 100000.0f);
      EXPECT_EQ(dev_ids.count(id), 0u);
    }
}

TEST(Ch13Resampling, UnderAndOversamplingBalanceTheClasses) {
  seed_everything(142);
  BinarySet train = toy_set(10, 70);
  train.X.row(0) = arma::regspace<arma::frowvec>(0, 79);  // identities
  const BinarySet under = undersample(train, rng());
  EXPECT_EQ(under.positives(), 10u);
  EXPECT_EQ(under.negatives(), 10u);
  const std::set<float> under_ids(under.X.row(0).begin(), under.X.row(0).end());
  EXPECT_EQ(under_ids.size(), 20u);                                               // without replacement
  for (arma::uword i = 0; i < 10; ++i) EXPECT_EQ(under_ids.count(float(i)), 1u);  // every positive kept
  const BinarySet over = oversample(train, rng());
  EXPECT_EQ(over.positives(), 70u);
  EXPECT_EQ(over.negatives(), 70u);
  EXPECT_TRUE(arma::approx_equal(over.X.head_cols(80), train.X, "absdiff", 0.0f));  // the originals first
  for (float id : over.X.row(0).tail(60)) EXPECT_LT(id, 10.0f);                     // then copies of positives
}

TEST(Ch13Resampling, BalancedSubsetsTakeDisjointNegatives) {
  seed_everything(143);
  BinarySet train = toy_set(5, 40);
  train.X.row(0) = arma::regspace<arma::frowvec>(0, 44);
  const std::vector<BinarySet> parts = balanced_subsets(train, 8, rng());
  ASSERT_EQ(parts.size(), 8u);
  std::set<float> negatives;
  for (const BinarySet& p : parts) {
    EXPECT_EQ(p.positives(), 5u);
    EXPECT_EQ(p.negatives(), 5u);
    for (arma::uword i = 0; i < p.size(); ++i)
      if (p.y[i] == 0) negatives.insert(p.X(0, i));
  }
  EXPECT_EQ(negatives.size(), 40u);  // 8 × 5 = all 40, each once
  EXPECT_TRUE(
      contains(test_support::message_of([] { balanced_subsets(toy_set(0, 5), 2, rng()); }), "needs both classes"));
}

TEST(Ch13Resampling, RepeatRareOrderRepeatsEachPositiveLTimesInARow) {
  seed_everything(144);
  const arma::urowvec y = {0, 1, 0, 0, 1, 0, 0};
  const arma::uvec order = repeat_rare_order(y, 3, rng());
  ASSERT_EQ(order.n_elem, 5u + 2u * 3u);
  for (arma::uword i = 0; i < y.n_elem; ++i) {
    const arma::uvec at = arma::find(order == i);
    ASSERT_EQ(at.n_elem, y[i] == 1 ? 3u : 1u) << "example " << i;
    EXPECT_EQ(at.back() - at.front(), at.n_elem - 1) << "example " << i << " not in a row";
  }
  EXPECT_TRUE(contains(test_support::message_of([&] { repeat_rare_order(y, 0, rng()); }), "L must be"));
}

// The 20-8-1 classifier trained on a toy set in rounds of `round` examples, stopped early on another toy set.
struct ToyTraining {
  BinarySet train, tuning;
  Network<float> net;
  TrainingRun run;
};
ToyTraining train_toy(unsigned long seed, arma::uword round, int max_rounds, int patience) {
  seed_everything(seed);
  ToyTraining t{toy_set(40, 200, 20), toy_set(20, 100, 20), binary_classifier<float>(20, 8), {}};
  t.run = train_classifier(t.net, t.train, t.tuning, 0.1, 16,
                           {.round = round, .max_rounds = max_rounds, .patience = patience}, rng());
  return t;
}

TEST(Ch13Classifier, LearnsAToySetAndRanksItWell) {
  ToyTraining t = train_toy(145, 64, 40, 5);
  EXPECT_GT(auc(scores_of(t.net, t.train.X), t.train.y), 0.99);
  const arma::rowvec scores = scores_of(t.net, t.tuning.X);
  EXPECT_TRUE(arma::all(scores >= 0.0) && arma::all(scores <= 1.0));  // a = σ(z)
  // the network is left at its best round: its tuning AP is the one recorded there
  EXPECT_DOUBLE_EQ(average_precision(scores, t.tuning.y), t.run.tuning_ap);
  EXPECT_GE(t.run.best_round, 1);
  EXPECT_LE(t.run.best_round, t.run.rounds);
  EXPECT_LE(t.run.rounds, 40);
}

TEST(Ch13Classifier, EarlyStoppingStopsAfterPatienceRoundsWithoutProgress) {
  // rounds of one epoch: the separable toy set's tuning AP reaches 1 and cannot improve, so training stops
  // `patience` rounds after the first round that reached it
  const ToyTraining t = train_toy(148, 240, 200, 3);
  EXPECT_DOUBLE_EQ(t.run.tuning_ap, 1.0);
  EXPECT_EQ(t.run.rounds, t.run.best_round + 3);
  EXPECT_LT(t.run.rounds, 200);
}

TEST(Ch13Classifier, TheStreamCutsEpochsIntoRounds) {
  // rounds of 3 over 7 examples: every 7 consecutive positions (one epoch) are a permutation of 0..6
  seed_everything(149);
  ExampleStream stream(7, {});
  arma::uvec seen;
  for (int round = 0; round < 7; ++round) seen = arma::join_cols(seen, stream.next(3, rng()));
  ASSERT_EQ(seen.n_elem, 21u);
  for (arma::uword epoch = 0; epoch < 3; ++epoch) {
    const arma::uvec one = arma::sort(seen.subvec(7 * epoch, 7 * epoch + 6));
    EXPECT_TRUE(arma::all(one == arma::regspace<arma::uvec>(0, 6))) << "epoch " << epoch;
  }
  // an order of the caller's: repeat_rare_order's epochs, every positive L times
  const arma::urowvec y = {0, 1, 0};
  ExampleStream repeated(3, [&](arma::uword, std::mt19937_64& g) { return repeat_rare_order(y, 4, g); });
  const arma::uvec two_epochs = repeated.next(12, rng());  // 2 × (2 negatives + 4 copies of the positive)
  EXPECT_EQ(arma::accu(two_epochs == 1u), 8u);
}

}  // namespace
