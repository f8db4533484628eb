// The cyclotomic ring Z[ω] of an SFC core (sfc-algorithm.md §2.1, §2.3): ω = e^{2πi/N} with
// N ∈ {4, 6}, so φ(N) = 2 and every element is p + q·ω with integer p, q.
//
//   Φ_N(x) = x² − c1·x − c0, i.e. ω² = c0 + c1·ω:   N = 6: ω² = ω − 1 (c0 = −1, c1 = 1)
//                                                    N = 4: ω² = −1    (c0 = −1, c1 = 0)
//   trace:     ω + ω̄ = c1, so 2·Re(p + q·ω) = 2p + c1·q and conj(p + q·ω) = (p + c1·q) − q·ω
//   Karatsuba: (a0 + a1ω)(b0 + b1ω) with m0 = a0b0, m1 = a1b1, m2 = (a0+a1)(b0+b1) is
//              (m0 + c0·m1) + (m2 − m0 + (c1 − 1)·m1)·ω, so K = [[1, c0, 0], [−1, c1 − 1, 1]]
//              (N = 6: [[1,−1,0],[−1,0,1]];  N = 4: [[1,−1,0],[−1,−1,1]]).
#pragma once
#include <array>
#include <cstdint>

#include "kernels/algo/matrix.h"

namespace sfc {

using ring_elem = std::array<int64_t, 2>;  // (p, q) = p + q·ω

struct sfc_ring {
  int n = 0;
  int64_t c0 = 0, c1 = 0;  // ω² = c0 + c1·ω

  ring_elem mul(const ring_elem& a, const ring_elem& b) const {
    const int64_t hi = a[1] * b[1];  // coefficient of ω², reduced by ω² = c0 + c1·ω
    return {a[0] * b[0] + c0 * hi, a[0] * b[1] + a[1] * b[0] + c1 * hi};
  }
  // ω^e for any integer e (taken mod N), built by repeated multiplication by ω.
  ring_elem pow(int e) const {
    e = ((e % n) + n) % n;
    ring_elem x{1, 0};
    for (int i = 0; i < e; ++i) x = mul(x, ring_elem{0, 1});
    return x;
  }
  // 2·Re(x) = x + x̄ (an integer): 2cos(2πe/N) = two_re(pow(e)).
  int64_t two_re(const ring_elem& x) const { return 2 * x[0] + c1 * x[1]; }
  ring_elem conj(const ring_elem& x) const { return {x[0] + c1 * x[1], -x[1]}; }
  // Karatsuba output matrix K (2×3): [re, ω] of the product = K · [m0, m1, m2].
  rmatrix karatsuba_output() const {
    return rmatrix::from_ints(2, 3, {1, c0, 0, -1, c1 - 1, 1});
  }
};

// Throws sfc::error(invalid_argument) unless n is 4 or 6.
sfc_ring make_sfc_ring(int n);

}  // namespace sfc
