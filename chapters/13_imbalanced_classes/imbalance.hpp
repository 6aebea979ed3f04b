// An imbalanced binary task, and the remedies of note 003 ("如何解决样本不平衡问题").
//
//   one_against_rest          y = 1 for one digit, 0 for the other nine
//   make_imbalanced_task      train / dev (a tuning and a selection half) / test, the training
//                             set cut to n₋ : n₊ = ratio : 1
//   undersample               all positives and as many negatives, drawn without replacement
//   oversample                all examples and copies of random positives until n₊ = n₋
//   nearest_neighbours, smote SMOTE: new positives on the segment between a positive
//                             and one of its k nearest positive neighbours
//   balanced_subsets          the ensemble's training sets: all positives, n₊ negatives each
//   repeat_rare_order         an epoch's order in which every positive comes L times in a row
//   WeightedSigmoidCrossEntropy  class weights in the loss, fused with the sigmoid (dz = w(a − y)/m)
//   binary_classifier, train_classifier  the small network every remedy trains, stopped
//                             early on the tuning half, in rounds of examples seen
//
// Every remedy changes the training set or the training, never the dev and the
// test sets: each function here takes the training set and returns a new one.
#pragma once
#include <armadillo>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "chapters/03_activations/activations.hpp"
#include "chapters/03_activations/layer.hpp"
#include "chapters/03_activations/losses.hpp"
#include "chapters/06_backprop/network.hpp"
#include "chapters/06_backprop/optimizer.hpp"
#include "chapters/07_mnist_mlp/training.hpp"
#include "chapters/08_init_regularization/early_stopping.hpp"
#include "chapters/08_init_regularization/initialization.hpp"
#include "chapters/13_imbalanced_classes/metrics.hpp"
#include "common/data.hpp"
#include "common/exercise.hpp"

namespace course::ch13 {

// ---------------------------------------------------------------------------
// The data
// ---------------------------------------------------------------------------

// Images (784 × m, one per column) with binary labels (1 × m, 0 or 1).
struct BinarySet {
  arma::fmat X;
  arma::urowvec y;
  arma::uword size() const { return X.n_cols; }
  arma::uword positives() const { return arma::accu(y); }
  arma::uword negatives() const { return size() - positives(); }
  arma::fmat targets() const { return arma::conv_to<arma::fmat>::from(y); }  // Y (1 × m) for the loss
};

inline BinarySet columns(const BinarySet& s, const arma::uvec& indices) {
  return {s.X.cols(indices), s.y.cols(indices)};
}

// y = 1 for `digit`, 0 for every other digit.
inline BinarySet one_against_rest(const Dataset& data, std::uint8_t digit) {
  if (digit > 9) throw std::invalid_argument("one_against_rest: digit " + std::to_string(digit) + " is not 0–9");
  return {data.X, arma::conv_to<arma::urowvec>::from(data.y == digit)};
}

// The task: `dev_size` of the training images (shuffled) as a dev set with
// MNIST's natural share of the digit; of the rest, every negative and only
// n₊ = min(available, round(n₋ / ratio)) positives (the first ones in the
// shuffled order): a training set of ratio negatives per positive. The test set
// is MNIST's test set, one digit against the rest, in its natural balance.
//
// The dev set is split in two halves, each with the dev set's share of
// positives (the k-th positive and the k-th negative go to the tuning half when
// k is even, to the selection half when it is odd):
//   tuning     early stopping and each remedy's threshold (the decisions made while training one remedy)
//   selection  the choice between the remedies
// Were one dev set used for both, the remedy whose threshold was tuned on it
// would be measured on the data it was fitted to, and its dev F1 favoured
// against remedies that sit at t = 0.5.
struct ImbalancedTask {
  BinarySet train, tuning, selection, test;
  std::uint8_t digit = 0;
  double ratio = 0;  // asked for: n₋ / n₊ of the training set
};

// The two halves of a set, each class split alternately (a stratified split,
// no randomness beyond the set's own order).
inline std::pair<BinarySet, BinarySet> split_in_halves(const BinarySet& set) {
  std::vector<arma::uword> first, second;
  arma::uword seen[2] = {0, 0};  // negatives, positives so far
  for (arma::uword i = 0; i < set.size(); ++i) (seen[set.y[i]]++ % 2 == 0 ? first : second).push_back(i);
  return {columns(set, arma::uvec(first)), columns(set, arma::uvec(second))};
}

inline ImbalancedTask make_imbalanced_task(const Mnist& data, std::uint8_t digit, double ratio, arma::uword dev_size,
                                           std::mt19937_64& gen) {
  if (!(ratio >= 1)) throw std::invalid_argument("make_imbalanced_task: the ratio n₋/n₊ must be at least 1");
  if (dev_size >= data.train.size())
    throw std::invalid_argument("make_imbalanced_task: a dev set of " + std::to_string(dev_size) +
                                " leaves no training images of " + std::to_string(data.train.size()));
  if (dev_size < 2) throw std::invalid_argument("make_imbalanced_task: a dev set of 2 images at least (two halves)");
  ImbalancedTask task;
  task.digit = digit;
  task.ratio = ratio;
  const BinarySet all = one_against_rest(data.train, digit);
  const arma::uvec order = shuffled_indices(all.size(), gen);
  const arma::uword pool = all.size() - dev_size;
  std::tie(task.tuning, task.selection) = split_in_halves(columns(all, order.tail(dev_size)));
  const arma::uvec pooled = order.head(pool);
  const arma::uword negatives = pool - arma::accu(all.y.cols(pooled));
  const arma::uword wanted = std::max<arma::uword>(1, arma::uword(std::lround(double(negatives) / ratio)));
  std::vector<arma::uword> kept;
  arma::uword positives = 0;
  for (arma::uword i : pooled) {
    if (all.y[i] == 0)
      kept.push_back(i);
    else if (positives < wanted)
      kept.push_back(i), ++positives;  // the first `wanted` positives only
  }
  task.train = columns(all, arma::uvec(kept));
  task.test = one_against_rest(data.test, digit);
  return task;
}

// ---------------------------------------------------------------------------
// Resampling the training set (note 003: "对大类下的样本进行欠采样", "对小类下的样本进行过采样")
// ---------------------------------------------------------------------------

inline arma::uvec indices_of(const arma::urowvec& y, arma::uword label) { return arma::find(y == label); }

// Undersampling: every positive, and n₊ negatives drawn without replacement.
inline BinarySet undersample(const BinarySet& train, std::mt19937_64& gen) {
  const arma::uvec pos = indices_of(train.y, 1), neg = indices_of(train.y, 0);
  if (pos.n_elem > neg.n_elem) throw std::invalid_argument("undersample: the negatives are the small class here");
  const arma::uvec pick = neg.elem(shuffled_indices(neg.n_elem, gen).head(pos.n_elem));
  return columns(train, arma::join_cols(pos, pick));
}

// Oversampling: every example, and n₋ − n₊ copies of positives drawn with replacement.
inline BinarySet oversample(const BinarySet& train, std::mt19937_64& gen) {
  const arma::uvec pos = indices_of(train.y, 1), neg = indices_of(train.y, 0);
  if (pos.n_elem == 0) throw std::invalid_argument("oversample: the training set has no positives to copy");
  std::uniform_int_distribution<arma::uword> any(0, pos.n_elem - 1);
  arma::uvec copies(neg.n_elem > pos.n_elem ? neg.n_elem - pos.n_elem : 0, arma::fill::zeros);
  for (arma::uword& c : copies) c = pos[any(gen)];
  return columns(train, arma::join_cols(arma::regspace<arma::uvec>(0, train.size() - 1), copies));
}

// The k nearest neighbours of each column of X among the other columns
// (Euclidean): a k × n matrix of column indices, nearest first. The squared
// distances come from one matrix product, ‖a − b‖² = ‖a‖² + ‖b‖² − 2 aᵀb.
inline arma::umat nearest_neighbours(const arma::fmat& X, arma::uword k) {
  const arma::uword n = X.n_cols;
  if (k == 0 || k >= n)
    throw std::invalid_argument("nearest_neighbours: k = " + std::to_string(k) + " needs at least k + 1 = " +
                                std::to_string(k + 1) + " examples, found " + std::to_string(n));
  const arma::mat Xd = arma::conv_to<arma::mat>::from(X);
  const arma::rowvec sq = arma::sum(arma::square(Xd), 0);  // ‖x_j‖²
  arma::mat D = -2.0 * (Xd.t() * Xd);                      // −2 aᵀb
  D.each_row() += sq;
  D.each_col() += sq.t();  // ‖a‖² + ‖b‖² − 2 aᵀb
  arma::umat neighbours(k, n, arma::fill::zeros);
  std::vector<arma::uword> idx(n);
  for (arma::uword j = 0; j < n; ++j) {
    for (arma::uword i = 0; i < n; ++i) idx[i] = i;
    D(j, j) = std::numeric_limits<double>::infinity();  // not its own neighbour
    std::partial_sort(idx.begin(), idx.begin() + k, idx.end(),
                      [&](arma::uword a, arma::uword b) { return D(a, j) < D(b, j) || (D(a, j) == D(b, j) && a < b); });
    for (arma::uword r = 0; r < k; ++r) neighbours(r, j) = idx[r];
  }
  return neighbours;
}

// One SMOTE sample: the point a fraction λ ∈ [0, 1] of the way from x to its
// neighbour x̃, x_new = x + λ (x̃ − x).
inline arma::fvec smote_sample(const arma::fvec& x, const arma::fvec& neighbour, double lambda) {
  if (x.n_elem != neighbour.n_elem)
    throw std::invalid_argument("smote_sample: x has " + std::to_string(x.n_elem) + " features, its neighbour " +
                                std::to_string(neighbour.n_elem));
  if (!(lambda >= 0 && lambda <= 1)) throw std::invalid_argument("smote_sample: λ must be in [0, 1]");
  return x + float(lambda) * (neighbour - x);  // x + λ(x̃ − x)
}

// SMOTE (Chawla et al. 2002): n₋ − n₊ new positives, each made from a random
// positive x, one of its k nearest positive neighbours x̃ (chosen at random) and
// λ ~ U(0, 1). (Note 003 describes it loosely, as adding noise to one attribute
// at a time; this is the algorithm as the paper's text gives it, one λ per sample:
// its pseudocode draws a new one per attribute, and takes the positives in turn.) Returns the
// training set with the new positives after the originals, and for each new one
// where it came from, for the figure and the tests.
struct SmoteResult {
  BinarySet set;
  arma::umat origins;  // 2 × s: the columns of x and x̃ in the training set
  arma::vec lambdas;   // s: the λ of each new sample
};

inline SmoteResult smote(const BinarySet& train, arma::uword k, std::mt19937_64& gen) {
  const arma::uvec pos = indices_of(train.y, 1);
  const arma::uword negatives = train.negatives();
  if (pos.n_elem < 2)
    throw std::invalid_argument("smote: needs at least 2 positives, found " + std::to_string(pos.n_elem));
  k = std::min<arma::uword>(k, pos.n_elem - 1);
  const arma::fmat P = train.X.cols(pos);
  const arma::umat nn = nearest_neighbours(P, k);  // among the positives only
  const arma::uword s = negatives > pos.n_elem ? negatives - pos.n_elem : 0;
  SmoteResult r{{arma::fmat(train.X.n_rows, train.size() + s, arma::fill::zeros),
                 arma::urowvec(train.size() + s, arma::fill::ones)},
                arma::umat(2, s, arma::fill::zeros),
                arma::vec(s, arma::fill::zeros)};
  r.set.X.head_cols(train.size()) = train.X;
  r.set.y.head(train.size()) = train.y;
  std::uniform_int_distribution<arma::uword> any_positive(0, pos.n_elem - 1), any_neighbour(0, k - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (arma::uword i = 0; i < s; ++i) {
    const arma::uword a = any_positive(gen);          // x: a random positive
    const arma::uword b = nn(any_neighbour(gen), a);  // x̃: one of its k nearest positives
    const double lambda = unit(gen);                  // λ ~ U(0, 1)
    r.set.X.col(train.size() + i) = smote_sample(P.col(a), P.col(b), lambda);
    r.origins(0, i) = pos[a];
    r.origins(1, i) = pos[b];
    r.lambdas[i] = lambda;
  }
  return r;
}

// The ensemble's training sets (note 003, "修改现有算法": L classifiers, each on
// one part of the large class and all of the small one). The note splits the
// large class into L clusters; here the parts are random: member j gets every
// positive and the next n₊ negatives of one shuffled order of them (disjoint
// while there are enough, wrapping around after that).
inline std::vector<BinarySet> balanced_subsets(const BinarySet& train, arma::uword members, std::mt19937_64& gen) {
  const arma::uvec pos = indices_of(train.y, 1), neg = indices_of(train.y, 0);
  if (members == 0) throw std::invalid_argument("balanced_subsets: an ensemble needs at least one member");
  if (pos.is_empty() || neg.is_empty())
    throw std::invalid_argument("balanced_subsets: needs both classes, found " + std::to_string(pos.n_elem) +
                                " positives and " + std::to_string(neg.n_elem) + " negatives");
  const arma::uvec shuffled = neg.elem(shuffled_indices(neg.n_elem, gen));
  std::vector<BinarySet> subsets;
  for (arma::uword j = 0; j < members; ++j) {
    arma::uvec pick(pos.n_elem, arma::fill::zeros);
    for (arma::uword i = 0; i < pos.n_elem; ++i) pick[i] = shuffled[(j * pos.n_elem + i) % neg.n_elem];
    subsets.push_back(columns(train, arma::join_cols(pos, pick)));
  }
  return subsets;
}

// Note 003's "每次遇到一个极小类中样本进行训练时，训练L次": an epoch's order of
// the columns (a shuffle) in which every positive is repeated L times in a row.
// With mini-batches the repeats mostly fall into the same batch or the next.
inline arma::uvec repeat_rare_order(const arma::urowvec& y, arma::uword L, std::mt19937_64& gen) {
  if (L == 0) throw std::invalid_argument("repeat_rare_order: L must be at least 1");
  const arma::uvec order = shuffled_indices(y.n_elem, gen);
  std::vector<arma::uword> repeated;
  repeated.reserve(y.n_elem + (L - 1) * arma::accu(y));
  for (arma::uword i : order)
    for (arma::uword r = 0; r < (y[i] == 1 ? L : 1); ++r) repeated.push_back(i);
  return arma::uvec(repeated);
}

// ---------------------------------------------------------------------------
// Class weights in the loss
// ---------------------------------------------------------------------------

// Binary cross-entropy with a weight per class (note 003's "修改现有算法", in the
// loss), fused with the sigmoid as chapter 5 fused the softmax with its
// cross-entropy. The network's last layer outputs the logit z (a Linear layer,
// no Sigmoid); the score is a = σ(z), and
//   J = −(1/m) Σ_i w_i [y_i ln σ(z_i) + (1 − y_i) ln(1 − σ(z_i))],   w_i = w₊ if y_i = 1, w₋ if y_i = 0
//     =  (1/m) Σ_i w_i [ln(1 + e^{z_i}) − y_i z_i]          (ln σ(z) = −ln(1 + e^{−z}), ln(1 − σ(z)) = −z − ln(1 + e^{−z}))
//   ∂J/∂z_i = (w_i/m) (σ(z_i) − y_i)                         (the derivative of ln(1 + e^z) is σ(z))
// Why fused: as two layers, a Sigmoid and chapter 3's clipped BinaryCrossEntropy,
// the chain is dz = da ⊙ a(1 − a) with da = (1/m)(−y/a + (1 − y)/(1 − a)), a
// clipped to [ε, 1 − ε]. For a confidently wrong example (a positive with
// z = −20: a = 2·10⁻⁹ < ε ≈ 1.2·10⁻⁵ in float) the clip makes da = −1/(mε) while
// a(1 − a) = 2·10⁻⁹: dz ≈ −1.7·10⁻⁴/m instead of −1/m. The example that is most
// wrong would stop teaching the network; the fused gradient w(a − y)/m is largest
// there. ln(1 + e^z) is computed as max(z, 0) + ln(1 + e^{−|z|}): no overflow of
// e^z and no log of 0, at any z.
// Each example's gradient is its unweighted one times w_i. Normalised by m, the
// batch's size (not by Σ w_i): with the balanced weights below Σ w_i = m over
// the training set, so J keeps the scale of the unweighted cost and the same
// learning rate serves both. w_i = w₋ + (w₊ − w₋) y_i: exact for 0/1 labels.
// Unit weights (the default) give the plain binary cross-entropy.
template <typename eT>
class WeightedSigmoidCrossEntropy : public Loss<eT> {
 public:
  using Mat = arma::Mat<eT>;
  explicit WeightedSigmoidCrossEntropy(double positive_weight = 1, double negative_weight = 1)
      : w_pos_(positive_weight), w_neg_(negative_weight) {
    if (!(positive_weight > 0 && negative_weight > 0))
      throw std::invalid_argument("WeightedSigmoidCrossEntropy: the class weights must be positive, found w₊ = " +
                                  std::to_string(positive_weight) + ", w₋ = " + std::to_string(negative_weight));
  }
  std::string name() const override {
    return "WeightedSigmoidCrossEntropy(w₊ " + std::to_string(w_pos_) + ", w₋ " + std::to_string(w_neg_) + ")";
  }
  std::string kind() const override { return "WeightedSigmoidCrossEntropy"; }
  double positive_weight() const { return w_pos_; }
  double negative_weight() const { return w_neg_; }

  // w_i per column: w₋ + (w₊ − w₋) y_i
  Mat weights(const Mat& Y) const { return eT(w_neg_) + eT(w_pos_ - w_neg_) * Y; }

  // J = (1/m) Σ w_i [ln(1 + e^{z_i}) − y_i z_i], on the logits Z
  eT cost(const Mat& Z, const Mat& Y) const override {
    check_same_shape(*this, "Z", Z, "Y", Y);
    const eT m = eT(Z.n_cols);
    // BEGIN EXERCISE ch13.weighted_loss
    // hint: each example's loss is ln(1 + e^z) − y z; e^z overflows for a large z, so write
    // hint: ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|}) (arma::clamp for the max, arma::abs, arma::log1p)
    // hint: J = (1/m) Σ w ⊙ loss with w = weights(Y) (the % operator, arma::accu)
    const Mat softplus = arma::clamp(Z, eT(0), std::numeric_limits<eT>::max()) +
                         arma::log1p(arma::exp(-arma::abs(Z)));  // ln(1 + e^z) = max(z, 0) + ln(1 + e^{−|z|})
    const Mat L = softplus - Y % Z;                              // each example's loss: ln(1 + e^z) − y z
    return arma::accu(weights(Y) % L) / m;                       // (1/m) Σ w_i L_i
    // END EXERCISE
  }

  // dZ = (w/m) ⊙ (σ(Z) − Y)
  void gradient(const Mat& Z, const Mat& Y, Mat& dZ) const override {
    check_same_shape(*this, "Z", Z, "Y", Y);
    // BEGIN EXERCISE ch13.weighted_gradient
    // hint: chain the cross-entropy through the sigmoid (the comment above): a(1 − a) cancels against the
    // hint: denominators, and each column's dz is its weight times (σ(z) − y), over the batch size m
    dZ = weights(Y) % (sigmoid(Z) - Y) / eT(Z.n_cols);  // dz_i = w_i (σ(z_i) − y_i) / m
    // END EXERCISE
  }

 private:
  double w_pos_, w_neg_;
};

// "Balanced" weights: w₊ = m/(2n₊), w₋ = m/(2n₋), so that each class carries
// half of the total weight and Σ_i w_i = m.
struct ClassWeights {
  double positive = 1, negative = 1;
};
inline ClassWeights balanced_class_weights(arma::uword positives, arma::uword negatives) {
  if (positives == 0 || negatives == 0)
    throw std::invalid_argument("balanced_class_weights: needs both classes, found " + std::to_string(positives) +
                                " positives and " + std::to_string(negatives) + " negatives");
  const double m = double(positives + negatives);
  return {m / (2.0 * double(positives)), m / (2.0 * double(negatives))};
}

// ---------------------------------------------------------------------------
// The classifier and its training
// ---------------------------------------------------------------------------

// 784 → hidden (ReLU, He) → 1, or logistic regression (hidden = 0). The last
// layer gives the logit z, and the loss is the fused sigmoid cross-entropy above,
// with the class weights given (unit weights: the plain binary cross-entropy).
// The score a = σ(z), an estimate of P(y = 1 | x), is scores_of's.
template <typename eT>
Network<eT> binary_classifier(arma::uword inputs, arma::uword hidden, const ClassWeights& weights = {}) {
  Network<eT> net;
  if (hidden == 0) {
    net.template add<Linear>(inputs, 1);
  } else {
    net.template add<Linear>(inputs, hidden);
    net.template add<ReLU>();
    net.template add<Linear>(hidden, 1);
  }
  net.set_loss(std::make_unique<WeightedSigmoidCrossEntropy<eT>>(weights.positive, weights.negative));
  ch08::he_init(net);  // W ~ N(0, 2/n_in) (the output layer too: harmless)
  return net;
}

// The scores a = σ(z) of every column of X, in evaluation mode.
template <typename eT>
arma::rowvec scores_of(Network<eT>& net, const arma::Mat<eT>& X) {
  EvaluationMode<eT> evaluation(net);
  const arma::Mat<eT> logits = net.forward(X);  // z
  return arma::conv_to<arma::rowvec>::from(sigmoid(logits));
}

// The images as Mat<eT>: the set's own matrix in float (no copy of a 100,000-image
// set), a converted copy in double (the tests).
template <typename eT>
const arma::Mat<eT>& images_as(const arma::fmat& X, arma::Mat<eT>& copy) {
  if constexpr (std::is_same_v<eT, float>) {
    (void)copy;
    return X;
  } else {
    copy = arma::conv_to<arma::Mat<eT>>::from(X);
    return copy;
  }
}

// ---------------------------------------------------------------------------
// Training with early stopping, in rounds of examples seen
// ---------------------------------------------------------------------------

// The same number of examples seen is not the same budget: at 1:100 an
// undersampled set has 910 images, and the examples of five epochs of the
// imbalanced set are 252 of its epochs, far past the point where it overfits.
// So every remedy is stopped early (chapter 8) on the tuning half of the dev
// set, in one unit for all: a round of `round` examples seen, whatever the size
// of the training set (a few epochs of an undersampled set, a fraction of one
// of an oversampled set). After each round the tuning half's average precision
// is measured (no threshold: a remedy moves the scores, and the threshold is
// tuned afterwards); the θ of the best round is kept; training stops after
// `patience` rounds without a better AP, or after max_rounds.
struct StoppingRule {
  arma::uword round = 5000;  // examples seen between two looks at the tuning half
  int max_rounds = 100;      // the most any remedy trains: max_rounds × round examples
  int patience = 10;         // rounds without a better tuning AP before stopping
};

struct TrainingRun {
  int best_round = 0, rounds = 0;  // the round kept, and the rounds trained
  double tuning_ap = 0;            // the tuning half's AP at the best round
};

// The examples in the order SGD sees them: one epoch order after the other (a
// new shuffle each, or the caller's order, e.g. repeat_rare_order), cut into
// rounds: a round may end in the middle of an epoch, or span several.
class ExampleStream {
 public:
  ExampleStream(arma::uword m, ExampleOrder epoch_order) : m_(m), epoch_order_(std::move(epoch_order)) {
    if (m == 0) throw std::invalid_argument("ExampleStream: the training set is empty");
  }
  arma::uvec next(arma::uword count, std::mt19937_64& gen) {
    arma::uvec out(count, arma::fill::zeros);
    for (arma::uword k = 0; k < count; ++k) {
      if (position_ == epoch_.n_elem) {  // the next epoch
        epoch_ = epoch_order_ ? epoch_order_(m_, gen) : shuffled_indices(m_, gen);
        position_ = 0;
        if (epoch_.is_empty()) throw std::invalid_argument("ExampleStream: an epoch's order is empty");
      }
      out[k] = epoch_[position_++];
    }
    return out;
  }

 private:
  arma::uword m_;
  ExampleOrder epoch_order_;
  arma::uvec epoch_{};
  arma::uword position_ = 0;
};

// Mini-batch SGD (chapter 7's fit, one "epoch" of fit per round) on `set`,
// stopped early on the AP of `tuning`; the network is left at its best round.
template <typename eT>
TrainingRun train_classifier(Network<eT>& net, const BinarySet& set, const BinarySet& tuning, double lr,
                             arma::uword batch_size, const StoppingRule& rule, std::mt19937_64& gen,
                             const ExampleOrder& epoch_order = {}) {
  if (rule.round == 0 || rule.max_rounds < 1)
    throw std::invalid_argument("train_classifier: a round needs at least one example, and training one round");
  SGD<eT> sgd{eT(lr)};
  arma::Mat<eT> copy, tuning_copy;
  const arma::Mat<eT>& X = images_as(set.X, copy);
  const arma::Mat<eT>& X_tuning = images_as(tuning.X, tuning_copy);
  const arma::Mat<eT> Y = arma::conv_to<arma::Mat<eT>>::from(set.y);
  ExampleStream stream(set.size(), epoch_order);
  ch08::EarlyStopping<eT> stopping(rule.patience);
  TrainingRun run;
  fit(net, sgd, X, Y, LabelledSet<eT>{}, LabelledSet<eT>{},
      {.epochs = rule.max_rounds,
       .batch_size = batch_size,
       .record_every = 1,
       .schedule = nullptr,
       .progress = "",
       .order = [&](arma::uword, std::mt19937_64& g) { return stream.next(rule.round, g); }},
      gen, [&](int round, const History&) {
        run.rounds = round;
        const double ap = average_precision(scores_of(net, X_tuning), tuning.y);
        return stopping.observe(round, 1 - ap, net);  // early stopping lowers a cost: 1 − AP
      });
  stopping.restore_best(net);  // θ of the best round
  run.best_round = stopping.best_epoch();
  run.tuning_ap = 1 - stopping.best_cost();
  return run;
}

// The same, every epoch in repeat_rare_order's order: every positive L times in a row.
template <typename eT>
TrainingRun train_repeating_rare(Network<eT>& net, const BinarySet& set, const BinarySet& tuning, arma::uword L,
                                 double lr, arma::uword batch_size, const StoppingRule& rule, std::mt19937_64& gen) {
  return train_classifier(net, set, tuning, lr, batch_size, rule, gen,
                          [&](arma::uword, std::mt19937_64& g) { return repeat_rare_order(set.y, L, g); });
}

}  // namespace course::ch13
