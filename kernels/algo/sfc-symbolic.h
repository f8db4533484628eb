// The 2D symbolic form of an SFC algorithm (sfc-algorithm.md §4.2), in exact arithmetic: the
// reference for a symbolic-form kernel and the check that mults_2d_symbolic is achievable.
//
// Per dimension the nc components (Tc, Fc, Oc) split into blocks: R-blocks (one real component:
// bin 0, bin N/2, each correction) and C-blocks (the (re, ω) pair of a complex bin, one ring
// element). For U = Tc·X·Tcᵀ and V = Fc·W·Fcᵀ (nc×nc), each pair of blocks is multiplied in its
// own ring:
//   R×R: scalar product                                       1 multiplication
//   R×C, C×R: one element of Z[ω] times one (Karatsuba)       3
//   C×C: u = u00 + u01·t + u10·s + u11·s·t in Z[s]⊗Z[t]; the CRT map M sends it to
//        (P, Q) = (u at t = s, u at t = s̄) ∈ Z[s]²; P_u·P_v and Q_u·Q_v by Karatsuba, then M⁻¹
//                                                             6
// and Y = Oc·P·Ocᵀ with P the nc×nc product.
#pragma once
#include <vector>

#include "kernels/algo/algorithm.h"

namespace sfc {

struct sfc_block {
  int first;  // component index of the block's first component
  int size;   // 1: R-block; 2: C-block (components first = re, first + 1 = ω)
};

// The blocks of one dimension, in component order (bin 0, complex bins, bin N/2, corrections).
std::vector<sfc_block> sfc_blocks(const fastconv_algorithm& a);

// CRT map of a C×C block for core length n: [P0, P1, Q0, Q1] = M·[u00, u01, u10, u11],
// derived from the ring (t ↦ ω and t ↦ ω̄). Its inverse is inverse(M).
rmatrix sfc_crt_map(int n);

// Y (m×m) = the 2D correlation of x (L×L) with w (r×r) computed through the symbolic form.
// *mults (if not null) receives the number of transformed-data × transformed-filter
// multiplications, which equals a.mults_2d_symbolic.
rmatrix sfc_symbolic_correlate_2d(const fastconv_algorithm& a, const rmatrix& x, const rmatrix& w,
                                  int* mults);

}  // namespace sfc
