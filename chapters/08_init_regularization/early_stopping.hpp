// Early stopping (note 001 §1.8).
#pragma once
#include <armadillo>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "common/exercise.hpp"

namespace course::ch08 {

// ---------------------------------------------------------------------------
// Early stopping (§1.8): watch the dev cost after every epoch; keep θ (and any
// layer state) of the best epoch so far; stop when `patience` epochs in a row
// brought no improvement of at least min_delta; give back the best θ, not the last.
// ---------------------------------------------------------------------------
template <typename eT>
class EarlyStopping {
 public:
  explicit EarlyStopping(int patience, double min_delta = 0.0) : patience_(patience), min_delta_(min_delta) {
    if (patience < 1) throw std::invalid_argument("EarlyStopping: patience must be at least 1");
  }

  // After an epoch: records it; returns false when training should stop.
  bool observe(int epoch, double dev_cost, Network<eT>& net) {
    // BEGIN EXERCISE ch08.early_stopping
    // hint: an epoch improves when its dev cost is below the best so far by more than min_delta_; then remember it:
    // hint: its cost and epoch, θ (the network flattened) and the layers' state (copy_state), for restore() to give back,
    // hint: and start counting again; otherwise count one more epoch without progress. Go on (true) while that count is
    // hint: below the patience
    if (dev_cost < best_cost_ - min_delta_) {
      best_cost_ = dev_cost;
      best_epoch_ = epoch;
      best_theta_ = net.flatten();  // θ of the best epoch
      copy_state(net);              // and the layers' state (batch norm's averages)
      waiting_ = 0;
    } else {
      ++waiting_;  // one more epoch without progress
    }
    return waiting_ < patience_;
    // END EXERCISE
  }

  // Puts the best epoch's θ and state back into the network.
  void restore_best(Network<eT>& net) const {
    if (best_epoch_ == 0) throw std::logic_error("EarlyStopping: no epoch observed yet");
    net.assign(best_theta_);
    const std::vector<State<eT>> state = net.state();
    for (std::size_t i = 0; i < state.size(); ++i) *state[i].value = best_state_.at(i);
  }

  int best_epoch() const { return best_epoch_; }
  double best_cost() const { return best_cost_; }
  bool stopped_early(int last_epoch) const { return last_epoch > best_epoch_ && waiting_ >= patience_; }

 private:
  void copy_state(Network<eT>& net) {
    best_state_.clear();
    for (const State<eT>& s : net.state()) best_state_.push_back(*s.value);
  }

  int patience_;
  double min_delta_;
  double best_cost_ = std::numeric_limits<double>::infinity();
  int best_epoch_ = 0;
  int waiting_ = 0;
  arma::Col<eT> best_theta_;
  std::vector<arma::Mat<eT>> best_state_;
};

}  // namespace course::ch08
