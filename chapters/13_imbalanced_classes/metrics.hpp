// Evaluating a binary classifier: the confusion matrix and what is read from it,
// and the curves that do not depend on a threshold.
//
// A binary classifier gives each example a score s (here the network's σ output,
// an estimate of P(y = 1 | x)); a threshold t turns it into a decision, "positive"
// when s ≥ t. Against the labels the decisions fall into four counts:
//
//                      predicted 1   predicted 0
//      actual 1 (P)        TP            FN          P = TP + FN  positives
//      actual 0 (N)        FP            TN          N = FP + TN  negatives
//
//   accuracy  = (TP + TN) / (P + N)
//   precision = TP / (TP + FP)         of the examples called positive, the share that is
//   recall    = TP / (TP + FN) = TPR   of the positives, the share that was found
//   F1        = 2 · precision · recall / (precision + recall) = 2TP / (2TP + FP + FN)
//   FPR       = FP / (FP + TN)         of the negatives, the share wrongly called positive
//
// The convention of this course for the 0/0 cases (sklearn's zero_division=0):
//   no positive predictions (TP + FP = 0): precision = 0   (nothing was found)
//   no positives at all     (TP + FN = 0): recall    = 0
//   precision + recall = 0:                F1        = 0   (2TP/(2TP + FP + FN) is 0/0 only when
//                                                           the set has no positives and none is predicted)
// so that the classifier that always says "negative" scores F1 = 0, not NaN,
// and a table of remedies can be sorted by F1. The alternative (precision = 1
// when nothing is predicted: "no false alarms") is defensible too; it is not
// what this course prints.
//
// Why accuracy misleads on imbalanced data: with 1 positive in 11, the
// classifier that always says "negative" is right 10 times in 11 (91%
// accuracy) and has found nothing (recall 0, F1 0).
//
// The curves sweep t over every distinct score, from the highest down:
//   ROC:  (FPR(t), TPR(t)) from (0, 0) to (1, 1); its area AUC is the
//         probability that a random positive gets a higher score than a random
//         negative (ties count ½): the Mann–Whitney U statistic over n₊n₋,
//           AUC = U / (n₊ n₋),   U = Σ_{i positive} Σ_{j negative} ([s_i > s_j] + ½[s_i = s_j])
//             = R₊ − n₊(n₊ + 1)/2      (R₊ the sum of the positives' ranks, ties given their mean rank)
//         1 for a perfect ranking, 0 for a reversed one, 0.5 for a random one or all ties.
//   PR:   (recall(t), precision(t)) at each threshold; its summary, the average precision
//           AP = Σ_k (R_k − R_{k−1}) P_k        (sklearn's definition: no interpolation)
//         with R_k, P_k the recall and precision at the k-th threshold (R_0 = 0).
//         A random ranking has AP ≈ the share of positives n₊/(n₊ + n₋), not 0.5.
// AUC does not change with the share of positives (TPR and FPR are each within
// one class); precision, F1 and AP do.
#pragma once
#include <armadillo>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/05_softmax/softmax.hpp"
#include "common/exercise.hpp"

namespace course::ch13 {

// ---------------------------------------------------------------------------
// The confusion matrix of a binary task
// ---------------------------------------------------------------------------
struct BinaryCounts {
  arma::uword tp = 0, fp = 0, tn = 0, fn = 0;
  arma::uword positives() const { return tp + fn; }  // P
  arma::uword negatives() const { return fp + tn; }  // N
  arma::uword total() const { return tp + fp + tn + fn; }
};

// Labels must be 0 or 1: the message names the first that is not.
inline void check_binary_labels(const char* who, const arma::urowvec& labels) {
  for (arma::uword i = 0; i < labels.n_elem; ++i)
    if (labels[i] > 1)
      throw std::invalid_argument(std::string(who) + ": label " + std::to_string(labels[i]) + " at example " +
                                  std::to_string(i) + " is not 0 or 1");
}

// The four counts from decisions and labels (both 0/1), through chapter 5's
// confusion matrix (rows: actual class, columns: predicted class).
inline BinaryCounts binary_counts(const arma::urowvec& predicted, const arma::urowvec& labels) {
  check_binary_labels("binary_counts", labels);
  check_binary_labels("binary_counts (predictions)", predicted);
  const arma::umat C = confusion_matrix(predicted, labels, 2);
  return {.tp = C(1, 1), .fp = C(0, 1), .tn = C(0, 0), .fn = C(1, 0)};
}

// The decisions s ≥ t (1) or s < t (0).
inline arma::urowvec decide(const arma::rowvec& scores, double threshold) {
  return arma::conv_to<arma::urowvec>::from(scores >= threshold);
}

struct BinaryScores {
  double accuracy = 0, precision = 0, recall = 0, f1 = 0;
};

// Accuracy, precision, recall and F1 from the four counts, with the 0/0
// convention above (precision = 0 without positive predictions, recall = 0
// without positives, F1 = 0 when both are 0).
inline BinaryScores binary_scores(const BinaryCounts& c) {
  if (c.total() == 0) throw std::invalid_argument("binary_scores: the confusion matrix is empty (no examples)");
  BinaryScores s;
  // BEGIN EXERCISE ch13.precision_recall
  // hint: accuracy = (TP + TN) / total; precision = TP / (TP + FP), but 0 when TP + FP = 0 (no positive predictions)
  // hint: recall = TP / (TP + FN), but 0 when TP + FN = 0; F1 = 2·P·R / (P + R), but 0 when P + R = 0
  // hint: the counts are integers (arma::uword): divide as double; return s
  s.accuracy = double(c.tp + c.tn) / double(c.total());                       // (TP + TN) / (P + N)
  s.precision = c.tp + c.fp == 0 ? 0.0 : double(c.tp) / double(c.tp + c.fp);  // TP / (TP + FP); 0/0 → 0
  s.recall = c.tp + c.fn == 0 ? 0.0 : double(c.tp) / double(c.tp + c.fn);     // TP / (TP + FN); 0/0 → 0
  s.f1 = s.precision + s.recall == 0 ? 0.0                                    // 2PR / (P + R); 0/0 → 0
                                     : 2 * s.precision * s.recall / (s.precision + s.recall);
  return s;
  // END EXERCISE
}

inline BinaryScores binary_scores(const arma::urowvec& predicted, const arma::urowvec& labels) {
  return binary_scores(binary_counts(predicted, labels));
}

// ---------------------------------------------------------------------------
// Ranking: AUC, the ROC and precision–recall curves, average precision
// ---------------------------------------------------------------------------

// Scores and labels of the same length, labels 0/1, at least one of each class
// (an AUC, a TPR and an FPR need both): the message says which is missing.
inline void check_ranking(const char* who, const arma::rowvec& scores, const arma::urowvec& labels) {
  if (scores.n_elem != labels.n_elem)
    throw std::invalid_argument(std::string(who) + ": " + std::to_string(scores.n_elem) + " scores for " +
                                std::to_string(labels.n_elem) + " labels");
  check_binary_labels(who, labels);
  const arma::uword positives = arma::accu(labels);
  if (positives == 0 || positives == labels.n_elem)
    throw std::invalid_argument(std::string(who) + ": needs both classes, found " + std::to_string(positives) +
                                " positives among " + std::to_string(labels.n_elem) + " examples");
  if (!scores.is_finite()) throw std::invalid_argument(std::string(who) + ": a score is NaN or infinite");
}

// AUC by its definition: the share of (positive, negative) pairs in which the
// positive has the higher score, ties counting ½. O(n₊ n₋): for the tests and
// small sets; auc() below gives the same number in O(m log m).
inline double auc_pairwise(const arma::rowvec& scores, const arma::urowvec& labels) {
  check_ranking("auc_pairwise", scores, labels);
  double U = 0;  // Mann–Whitney U
  double pairs = 0;
  for (arma::uword i = 0; i < scores.n_elem; ++i) {
    if (labels[i] != 1) continue;
    for (arma::uword j = 0; j < scores.n_elem; ++j) {
      if (labels[j] != 0) continue;
      U += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  return U / pairs;  // U / (n₊ n₋)
}

// The ranks 1..m of the scores in increasing order, each group of tied scores
// given the mean of the ranks it spans (the "mid-rank": 2 ties at ranks 3 and 4 get 3.5 each).
inline arma::vec midranks(const arma::rowvec& scores) {
  const arma::uvec order = arma::stable_sort_index(scores);  // ascending
  arma::vec rank(scores.n_elem, arma::fill::zeros);
  for (arma::uword first = 0; first < order.n_elem;) {
    arma::uword last = first;  // the tie group is order[first..last]
    while (last + 1 < order.n_elem && scores[order[last + 1]] == scores[order[first]]) ++last;
    const double mean_rank = 0.5 * double(first + 1 + last + 1);  // mean of ranks first+1 .. last+1
    for (arma::uword k = first; k <= last; ++k) rank[order[k]] = mean_rank;
    first = last + 1;
  }
  return rank;
}

// AUC = U / (n₊ n₋) with U = R₊ − n₊(n₊ + 1)/2, R₊ the sum of the positives' mid-ranks.
inline double auc(const arma::rowvec& scores, const arma::urowvec& labels) {
  check_ranking("auc", scores, labels);
  // BEGIN EXERCISE ch13.auc
  // hint: n₊ = number of labels equal to 1, n₋ = the rest; rank = midranks(scores) (1-based, ties share their mean rank)
  // hint: R₊ = the sum of rank[i] over the positives i; U = R₊ − n₊(n₊ + 1)/2 (the Mann–Whitney statistic)
  // hint: return U / (n₊ · n₋), in double
  const double n_pos = double(arma::accu(labels));     // n₊
  const double n_neg = double(labels.n_elem) - n_pos;  // n₋
  const arma::vec rank = midranks(scores);
  double R_pos = 0;  // R₊: the positives' rank sum
  for (arma::uword i = 0; i < labels.n_elem; ++i)
    if (labels[i] == 1) R_pos += rank[i];
  const double U = R_pos - n_pos * (n_pos + 1) / 2;  // U = R₊ − n₊(n₊ + 1)/2
  return U / (n_pos * n_neg);                        // AUC = U / (n₊ n₋)
  // END EXERCISE
}

// One point of the sweep: predict positive when s ≥ threshold.
struct OperatingPoint {
  double threshold = 0;
  arma::uword tp = 0, fp = 0;  // with this threshold (fn = n₊ − tp, tn = n₋ − fp)
};

// Every distinct score, from the highest down, with the TP and FP it gives as a threshold.
inline std::vector<OperatingPoint> sweep_thresholds(const arma::rowvec& scores, const arma::urowvec& labels) {
  check_ranking("sweep_thresholds", scores, labels);
  const arma::uvec order = arma::stable_sort_index(scores, "descend");
  std::vector<OperatingPoint> points;
  arma::uword tp = 0, fp = 0;
  for (arma::uword k = 0; k < order.n_elem; ++k) {
    if (labels[order[k]] == 1)
      ++tp;
    else
      ++fp;
    const bool last_of_tie = k + 1 == order.n_elem || scores[order[k + 1]] != scores[order[k]];
    if (last_of_tie) points.push_back({scores[order[k]], tp, fp});  // a threshold takes a whole tie group
  }
  return points;
}

struct Curve {
  std::vector<double> x, y, thresholds;
};

// ROC: (FPR, TPR) = (FP/n₋, TP/n₊) at every threshold, starting at (0, 0) (a threshold above every score).
inline Curve roc_curve(const arma::rowvec& scores, const arma::urowvec& labels) {
  const std::vector<OperatingPoint> points = sweep_thresholds(scores, labels);
  const double n_pos = double(arma::accu(labels)), n_neg = double(labels.n_elem) - n_pos;
  Curve c{{0.0}, {0.0}, {std::numeric_limits<double>::infinity()}};
  for (const OperatingPoint& p : points) {
    c.x.push_back(double(p.fp) / n_neg);  // FPR
    c.y.push_back(double(p.tp) / n_pos);  // TPR = recall
    c.thresholds.push_back(p.threshold);
  }
  return c;
}

// The area under a curve by trapezoids: for the ROC curve it is the AUC (a tie
// group is a diagonal segment, whose trapezoid counts each tied pair ½).
inline double trapezoid_area(const Curve& c) {
  double area = 0;
  for (std::size_t k = 1; k < c.x.size(); ++k) area += (c.x[k] - c.x[k - 1]) * (c.y[k] + c.y[k - 1]) / 2;
  return area;
}

// Precision–recall: (recall, precision) = (TP/n₊, TP/(TP + FP)) at every threshold
// (each one predicts at least one positive, so precision is never 0/0 here).
inline Curve precision_recall_curve(const arma::rowvec& scores, const arma::urowvec& labels) {
  const std::vector<OperatingPoint> points = sweep_thresholds(scores, labels);
  const double n_pos = double(arma::accu(labels));
  Curve c;
  for (const OperatingPoint& p : points) {
    c.x.push_back(double(p.tp) / n_pos);                // recall
    c.y.push_back(double(p.tp) / double(p.tp + p.fp));  // precision
    c.thresholds.push_back(p.threshold);
  }
  return c;
}

// AP = Σ_k (R_k − R_{k−1}) P_k, R_0 = 0: precision weighted by the recall each threshold adds.
inline double average_precision(const arma::rowvec& scores, const arma::urowvec& labels) {
  const Curve pr = precision_recall_curve(scores, labels);
  // BEGIN EXERCISE ch13.average_precision
  // hint: pr.x holds the recalls R_k and pr.y the precisions P_k, one per threshold, from the highest threshold down
  // hint: AP = Σ_k (R_k − R_{k−1}) P_k with R_0 = 0: each precision weighted by the recall its threshold adds
  // hint: (a tie group's threshold adds its recall at the tie's precision: no interpolation)
  double ap = 0, previous_recall = 0;
  for (std::size_t k = 0; k < pr.x.size(); ++k) {
    ap += (pr.x[k] - previous_recall) * pr.y[k];  // (R_k − R_{k−1}) P_k
    previous_recall = pr.x[k];
  }
  return ap;
  // END EXERCISE
}

// The threshold (one of the scores) whose decisions s ≥ t have the highest F1 =
// 2TP / (2TP + FP + FN): "moving the decision threshold", chosen on a dev set.
inline double best_f1_threshold(const arma::rowvec& scores, const arma::urowvec& labels) {
  const std::vector<OperatingPoint> points = sweep_thresholds(scores, labels);
  const double n_pos = double(arma::accu(labels));
  double best = -1, threshold = 0.5;
  for (const OperatingPoint& p : points) {
    const double fn = n_pos - double(p.tp);
    const double f1 = 2.0 * double(p.tp) / (2.0 * double(p.tp) + double(p.fp) + fn);
    if (f1 > best) best = f1, threshold = p.threshold;
  }
  return threshold;
}

// Everything the chapter's table reports for one classifier on one set.
struct BinaryEvaluation {
  BinaryCounts counts;
  BinaryScores scores;
  double auc = 0, average_precision = 0, threshold = 0.5;
};

inline BinaryEvaluation evaluate_scores(const arma::rowvec& scores, const arma::urowvec& labels,
                                        double threshold = 0.5) {
  BinaryEvaluation e;
  e.threshold = threshold;
  e.counts = binary_counts(decide(scores, threshold), labels);
  e.scores = binary_scores(e.counts);
  e.auc = auc(scores, labels);
  e.average_precision = average_precision(scores, labels);
  return e;
}

}  // namespace course::ch13
