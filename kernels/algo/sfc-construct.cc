// SFC-N(m, r) by the general construction of sfc-algorithm.md §2.6.
//
// Component order (nc = N + #corr components):
//   0            bin 0                      (real)
//   2k−1, 2k     bin k = 1..N/2−1: (re, ω)  (one ring element)
//   N−1          bin N/2                    (real)
//   N + c        correction c               (real)
// The nested (Winograd-form) algorithm expands each complex pair into the three Karatsuba rows
// [re, ω, re+ω], so R = nc + (N/2 − 1):  BT = E·Tc,  G = E·Fc,  AT = Oc·Kb  with E the R×nc
// expansion and Kb the nc×R block-diagonal Karatsuba output map (identity on real components,
// the ring's K on each complex pair).
#include <string>

#include "kernels/algo/algorithm-build.h"
#include "kernels/algo/sfc-ring.h"
#include "kernels/common/error.h"

namespace sfc {

sfc_ring make_sfc_ring(int n) {
  sfc_ring ring;
  ring.n = n;
  if (n == 6) {  // Φ6 = x² − x + 1  =>  s² = s − 1
    ring.c0 = -1;
    ring.c1 = 1;
  } else if (n == 4) {  // Φ4 = x² + 1  =>  i² = −1
    ring.c0 = -1;
    ring.c1 = 0;
  } else {
    throw_invalid("SFC core length N must be 4 or 6, got " + std::to_string(n));
  }
  return ring;
}

namespace {

int mod(int x, int n) { return ((x % n) + n) % n; }

// Step 1: pairs (i, k) whose input index i + k falls outside the core window [a, a+N−1].
int count_corrections(int n, int m, int r, int a) {
  int count = 0;
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < r; ++k) count += (i + k < a || i + k > a + n - 1) ? 1 : 0;
  return count;
}

// The offset a ∈ [0, L − N] with the fewest corrections; the smallest a on ties.
int choose_window(int n, int m, int r) {
  const int L = m + r - 1;
  int best = 0, best_count = count_corrections(n, m, r, 0);
  for (int a = 1; a <= L - n; ++a) {
    const int c = count_corrections(n, m, r, a);
    if (c < best_count) {
      best = a;
      best_count = c;
    }
  }
  return best;
}

// Step 3: one correction per pair (i, k) outside the window, in order of i then k:
// y_i += (x[t] − x[wrapped]) · w_k with t = i + k, wrapped = a + ((t − a) mod N).
std::vector<sfc_correction> make_corrections(int n, int m, int r, int a) {
  std::vector<sfc_correction> corr;
  for (int i = 0; i < m; ++i) {
    for (int k = 0; k < r; ++k) {
      const int t = i + k;
      if (t >= a && t <= a + n - 1) continue;
      corr.push_back({i, t, k, a + mod(t - a, n)});
    }
  }
  return corr;
}

// Step 2 + 3, data side: Tc (nc×L). Core rows act on z_n = x[a + n] and hold the components of
// the forward DFT Z_k = Σ_n z_n ω^{−kn}; correction rows are e_t − e_wrapped.
rmatrix data_components(const sfc_ring& ring, int L, int a, const std::vector<sfc_correction>& corr) {
  const int n = ring.n;
  rmatrix tc(n + static_cast<int>(corr.size()), L);
  for (int p = 0; p < n; ++p) {
    tc.at(0, a + p) = 1;
    for (int k = 1; k < n / 2; ++k) {
      const ring_elem w = ring.pow(-k * p);
      tc.at(2 * k - 1, a + p) = w[0];
      tc.at(2 * k, a + p) = w[1];
    }
    tc.at(n - 1, a + p) = (p % 2 == 0) ? 1 : -1;  // ω^{−(N/2)p} = (−1)^p
  }
  for (size_t c = 0; c < corr.size(); ++c) {
    tc.at(n + static_cast<int>(c), corr[c].t) += 1;
    tc.at(n + static_cast<int>(c), corr[c].wrapped) -= 1;
  }
  return tc;
}

// Filter side: Fc (nc×r). Core rows hold the components of W̃_k = Σ_j w_j ω^{+kj mod N} (the
// conjugate DFT, so the kernel is never flipped); correction rows are e_k.
rmatrix filter_components(const sfc_ring& ring, int r, const std::vector<sfc_correction>& corr) {
  const int n = ring.n;
  rmatrix fc(n + static_cast<int>(corr.size()), r);
  for (int j = 0; j < r; ++j) {
    fc.at(0, j) = 1;
    for (int k = 1; k < n / 2; ++k) {
      const ring_elem w = ring.pow(k * j);
      fc.at(2 * k - 1, j) = w[0];
      fc.at(2 * k, j) = w[1];
    }
    fc.at(n - 1, j) = (j % 2 == 0) ? 1 : -1;
  }
  for (size_t c = 0; c < corr.size(); ++c) fc.at(n + static_cast<int>(c), corr[c].k) = 1;
  return fc;
}

// Step 4: Oc (m×nc). Output i reads the cyclic output c_j, j = (i − a) mod N, through the inverse
// DFT c_j = (1/N)[C_0 + (−1)^j C_{N/2} + Σ_k 2·Re(C_k ω^{kj})], where for C_k = p + q·ω
// 2·Re(C_k ω^e) = p·2cos(2πe/N) + q·2cos(2π(e+1)/N), e = kj mod N; plus 1 per owned correction.
rmatrix output_components(const sfc_ring& ring, int m, int a, const std::vector<sfc_correction>& corr) {
  const int n = ring.n;
  rmatrix oc(m, n + static_cast<int>(corr.size()));
  for (int i = 0; i < m; ++i) {
    const int j = mod(i - a, n);
    oc.at(i, 0) = rational(1, n);
    for (int k = 1; k < n / 2; ++k) {
      const int e = mod(k * j, n);
      oc.at(i, 2 * k - 1) = rational(ring.two_re(ring.pow(e)), n);
      oc.at(i, 2 * k) = rational(ring.two_re(ring.pow(e + 1)), n);
    }
    oc.at(i, n - 1) = rational(j % 2 == 0 ? 1 : -1, n);
  }
  for (size_t c = 0; c < corr.size(); ++c) oc.at(corr[c].i, n + static_cast<int>(c)) = 1;
  return oc;
}

// Step 5: the expansion E (R×nc) and the Karatsuba output map Kb (nc×R).
void karatsuba_maps(const sfc_ring& ring, int nc, rmatrix* e, rmatrix* kb) {
  const int n = ring.n, R = nc + n / 2 - 1;
  const rmatrix K = ring.karatsuba_output();
  *e = rmatrix(R, nc);
  *kb = rmatrix(nc, R);
  int row = 0;
  for (int c = 0; c < nc; ++c) {
    const bool complex_pair = c >= 1 && c < n - 1;  // c = 2k−1 opens the pair (2k−1, 2k)
    if (!complex_pair) {
      e->at(row, c) = 1;
      kb->at(c, row) = 1;
      ++row;
      continue;
    }
    // rows [re, ω, re+ω] and columns Oc[:,re]·K[0][t] + Oc[:,ω]·K[1][t]
    e->at(row, c) = 1;
    e->at(row + 1, c + 1) = 1;
    e->at(row + 2, c) = 1;
    e->at(row + 2, c + 1) = 1;
    for (int t = 0; t < 3; ++t) {
      kb->at(c, row + t) = K.at(0, t);
      kb->at(c + 1, row + t) = K.at(1, t);
    }
    row += 3;
    ++c;  // the ω component is consumed with its pair
  }
}

std::string sfc_name(int n, int m, int r) {
  const std::string mm = std::to_string(m), rr = std::to_string(r);
  return "sfc" + std::to_string(n) + "_" + mm + "x" + mm + "_" + rr + "x" + rr;
}

}  // namespace

fastconv_algorithm build_sfc(int n, int m, int r) {
  const sfc_ring ring = make_sfc_ring(n);
  if (m < 1 || r < 1) throw_invalid("build_sfc: m and r must be >= 1");
  const int L = m + r - 1;
  if (L < n) {
    throw_invalid("build_sfc: input tile L = m + r - 1 = " + std::to_string(L) +
                  " is shorter than the core N = " + std::to_string(n));
  }
  fastconv_algorithm a;
  a.kind = algo_kind::sfc;
  a.n = n;
  a.m = m;
  a.r = r;
  a.L = L;
  a.window_offset = choose_window(n, m, r);
  a.corrections = make_corrections(n, m, r, a.window_offset);
  a.Tc = data_components(ring, L, a.window_offset, a.corrections);
  a.Fc = filter_components(ring, r, a.corrections);
  a.Oc = output_components(ring, m, a.window_offset, a.corrections);
  rmatrix e, kb;
  karatsuba_maps(ring, a.Tc.rows, &e, &kb);
  a.BT = e * a.Tc;
  a.G = e * a.Fc;
  a.AT = a.Oc * kb;
  a.R = a.BT.rows;

  a.real_blocks = 2 + static_cast<int>(a.corrections.size());
  a.complex_blocks = n / 2 - 1;
  detail::finish_algorithm(a);
  // §4.2: R×R blocks cost 1, R×C and C×R 3 (Karatsuba), C×C 6 (CRT into two ring products).
  const int rb = a.real_blocks, cb = a.complex_blocks;
  a.mults_2d_symbolic = rb * rb + 2 * rb * cb * 3 + cb * cb * 6;

  const std::string mm = std::to_string(m), rr = std::to_string(r), nn = std::to_string(n);
  a.name = sfc_name(n, m, r);
  a.label = "SFC-" + nn + "(" + mm + "x" + mm + "," + rr + "x" + rr + ")";
  a.tile = "n" + nn + "o" + mm + "x" + mm + "k" + rr + "x" + rr;
  return a;
}

}  // namespace sfc
