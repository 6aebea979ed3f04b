// How many threads OpenBLAS uses for a matrix product.
//
// Armadillo hands every matrix product to the BLAS (chapter 0); OpenBLAS splits
// a large one across the cores. At the sizes of these chapters' networks (a
// 64 × 784 matrix times 784 × 64, or a matrix times one vector) the work per
// product is a few microseconds, and waking a second thread costs about as
// much as it saves: one thread is the fastest on a 2-core machine (chapter 7's
// README has the measurement). The programs set 1 unless --blas-threads says
// otherwise; the OPENBLAS_NUM_THREADS variable is left alone.
#pragma once
#include <dlfcn.h>

namespace course {

// Sets OpenBLAS's thread count through openblas_set_num_threads, looked up at
// run time (Armadillo reaches OpenBLAS through libblas.so.3, so the symbol is
// there only when OpenBLAS is the BLAS). Returns false, changing nothing, on
// another BLAS.
inline bool set_blas_threads(int threads) {
  using Setter = void (*)(int);
  auto setter = reinterpret_cast<Setter>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (setter == nullptr) return false;
  setter(threads);
  return true;
}

}  // namespace course
