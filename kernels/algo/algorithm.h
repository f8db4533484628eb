// Fast-convolution algorithm descriptors: SFC (Symbolic Fourier Convolution) and Winograd
// (Toom-Cook), built from their construction rules in exact rational arithmetic
// (../shared/docs/sfc-algorithm.md §2, §8).
//
// 1D:  y = Aᵀ [ (G w) ⊙ (Bᵀ x) ]              x: L inputs, w: r taps, y: m outputs (correlation)
// 2D:  Y = Aᵀ [ (G W Gᵀ) ⊙ (Bᵀ X B) ] A        X: L×L tile, W: r×r, Y: m×m, R×R transform points
//   Bᵀ: R×L (input transform), G: R×r (filter transform), Aᵀ: m×R (output transform).
#pragma once
#include <string>
#include <vector>

#include "kernels/algo/matrix.h"

namespace sfc {

enum class algo_kind { sfc, winograd };

// One correction term of an SFC algorithm (§2.5): (x[t] − x[wrapped]) · w[k] added to output i.
struct sfc_correction {
  int i, t, k, wrapped;
};

struct fastconv_algorithm {
  std::string name;   // CLI / API name, e.g. "sfc6_7x7_3x3", "wino_4x4_3x3"
  std::string label;  // paper notation, e.g. "SFC-6(7x7,3x3)", "F(4x4,3x3)"
  std::string tile;   // kernel-name tile code (house style §4), e.g. "n6o7x7k3x3", "f4x4k3x3"
  algo_kind kind = algo_kind::sfc;
  int n = 0;  // SFC core length (4 or 6); 0 for Winograd
  int m = 0;  // output tile (1D)
  int r = 0;  // kernel size (1D)
  int L = 0;  // input tile = m + r − 1
  int R = 0;  // transform points per dimension (1D multiplications)

  rmatrix BT, G, AT;        // nested 1D matrices (R×L, R×r, m×R), exact
  imatrix BT_i, G_i, AT_i;  // integer forms (matrix = entries / denom)

  // SFC only
  int window_offset = 0;                   // core window x[a .. a+N−1]
  std::vector<sfc_correction> corrections;  // in row order
  rmatrix Tc, Fc, Oc;                      // component form (§4.2): nc×L, nc×r, m×nc
  int real_blocks = 0;                     // R-blocks per dimension: bin0, bin N/2, corrections
  int complex_blocks = 0;                  // C-blocks per dimension: N/2 − 1

  // Multiplication counts (§3.6). For Winograd, symbolic == nested.
  int mults_1d = 0, direct_1d = 0;                      // R, m·r
  int mults_2d_nested = 0, mults_2d_symbolic = 0;       // R², symbolic
  int direct_2d = 0;                                    // m²·r²
  double reduction_nested() const { return double(direct_2d) / mults_2d_nested; }
  double reduction_symbolic() const { return double(direct_2d) / mults_2d_symbolic; }

  // Bit growth (§7.2), on the exact rational matrices.
  double bt_max_abs = 0, g_max_abs = 0, at_max_abs = 0;
  double bt_row_l1 = 0;  // worst-case 1D input growth
  double g_row_l1 = 0;   // worst-case 1D filter growth
  double at_row_l1 = 0;
  double data_growth_2d() const { return bt_row_l1 * bt_row_l1; }
  double extra_bits_2d() const;  // log2(data_growth_2d)
  // Per-row L1 norms of the integer forms (|row| of BT_i, G_i): bound on |U| at point (i, j) for
  // integer input |x| ≤ X is X · bt_row_l1_i[i] · bt_row_l1_i[j] (in integer-form units).
  std::vector<int64_t> bt_row_l1_i, g_row_l1_i;
};

// The built-in algorithms, built once from the construction rules:
//   sfc4_4x4_3x3, sfc6_6x6_3x3, sfc6_7x7_3x3, sfc6_6x6_5x5, sfc6_4x4_7x7, sfc6_6x6_7x7,
//   wino_2x2_3x3, wino_4x4_3x3, wino_6x6_3x3.
const std::vector<fastconv_algorithm>& all_algorithms();
// nullptr if unknown.
const fastconv_algorithm* find_algorithm(const std::string& name);

// Construction rules (exposed for tests).
// SFC-N(m, r) by the general rule of §2.6 (canonical filter transform).
fastconv_algorithm build_sfc(int n, int m, int r);
// Winograd / Toom-Cook F(m, r) with the given finite interpolation points (m + r − 2 of them)
// plus the point at infinity.
fastconv_algorithm build_winograd(int m, int r, const std::vector<rational>& points);

}  // namespace sfc
