// Xavier (Glorot) uniform initialisation (note 004 §4), chapter 7's start for θ:
//   W ~ U(−√(6/(n_in + n_out)), +√(6/(n_in + n_out))),  W: n_out × n_in,  b = 0
// Var U(−a, a) = a²/3, so Var(W) = 2/(n_in + n_out); chapter 8 derives why.
#pragma once
#include <armadillo>

#include <cmath>

#include "chapters/06_backprop/network.hpp"

namespace course::ch07 {

// Every weight matrix (the parameters that decay) from Armadillo's generator;
// the biases keep their 0.
template <typename eT>
void xavier_init(Network<eT>& net) {
  for (const Parameter<eT>& p : net.parameters()) {
    if (!p.decays) continue;
    const eT limit = std::sqrt(eT(6) / eT(p.value->n_rows + p.value->n_cols));
    p.value->randu();                               // U(0, 1)
    *p.value = (*p.value * eT(2) - eT(1)) * limit;  // U(−limit, limit)
  }
}

}  // namespace course::ch07
