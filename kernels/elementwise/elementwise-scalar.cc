// elementwise.h kernels compiled for baseline (SSE2 on x86-64, ASIMD on AArch64): the loops of elementwise-impl.h, vectorized by the
// compiler for this file's flags. gemm_nb = 8 (four vector registers of double accumulators).
//
// FMA contraction is turned off for the whole translation unit (before any include, so inlined
// library code agrees): a·t + b·r must round both products, as the portable reference does.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/elementwise/elementwise.h"

namespace sfc {
namespace {
#include "kernels/elementwise/elementwise-impl.h"
}  // namespace

namespace detail {
const elementwise_kernels& elementwise_kernels_scalar() {
  static const elementwise_kernels k = ew_make_table<8>("scalar");
  return k;
}
}  // namespace detail
}  // namespace sfc
