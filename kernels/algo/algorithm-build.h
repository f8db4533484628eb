// Internal helpers shared by the SFC and Winograd constructions (not part of the algorithm API).
#pragma once
#include "kernels/algo/algorithm.h"

namespace sfc {
namespace detail {

// Fills everything derived from BT, G, AT, m, r, R: the integer forms BT_i/G_i/AT_i and their
// per-row L1 norms, the max-abs and max-row-L1 bit-growth metrics (§7.2) and the counts
// mults_1d = R, direct_1d = m·r, mults_2d_nested = R², direct_2d = m²·r².
// mults_2d_symbolic is left to the caller.
void finish_algorithm(fastconv_algorithm& a);

}  // namespace detail
}  // namespace sfc
