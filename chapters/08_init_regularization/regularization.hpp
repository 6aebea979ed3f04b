// Regularisation: closing the gap between the training and the dev error (note 001 §1.2–1.9),
// one idea per header, all five included here:
//
//   diagnose        (diagnosis.hpp) bias and variance from the train and dev errors (§1.2), and what to do (§1.3)
//   L2Penalty       (penalties.hpp) J + (λ/2m) Σ_l ‖W^l‖²_F, gradient (λ/m) W^l: "weight decay" (§1.4–1.5)
//   L1Penalty       J + (λ/m) Σ_l Σ |w|, subgradient (λ/m) sign(w), sign(0) = 0
//   Dropout         (dropout.hpp) inverted dropout with keep_prob: scaled by 1/keep_prob while training,
//                   the identity in evaluation mode (§1.6–1.7, note 004 §8)
//   OriginalDropout note 000's version: drop units while training, scale by keep_prob at test time
//   EarlyStopping   (early_stopping.hpp) keep the best dev epoch's θ, stop after `patience` epochs without progress (§1.8)
//   InputNormalizer (input_normalizer.hpp) μ and σ² of the training set, applied to every set (§1.9)
//
// The penalties are chapter 6's Penalty: the network adds them to J and their
// gradient to dθ, so the gradient check checks them with the rest. Both apply to
// the weights only: the parameters whose entry `decays` (chapter 6); biases,
// and batch norm's γ and β (chapter 10), are left alone.
#pragma once
#include "chapters/08_init_regularization/diagnosis.hpp"
#include "chapters/08_init_regularization/dropout.hpp"
#include "chapters/08_init_regularization/early_stopping.hpp"
#include "chapters/08_init_regularization/input_normalizer.hpp"
#include "chapters/08_init_regularization/penalties.hpp"
