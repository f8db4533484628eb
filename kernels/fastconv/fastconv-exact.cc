// int8 exact (lossless) fast convolution, scalar. With integer forms Bᵢᵀ = dB·Bᵀ, Gᵢ = dG·G,
// Aᵢᵀ = dA·Aᵀ (kernels/algo imatrix):
//   U = Bᵢᵀ X Bᵢ (int32), V = Gᵢ W Gᵢᵀ (int32), M[p] = Σ_ic U·V (int64),
//   Y = Aᵢᵀ M Aᵢ (int128), acc = Y / (dA·dB·dG)² exactly (the remainder is always zero).
// SFC: dB = dG = 1 and dA = N, so U fits int16 (|U| ≤ 36·255) — what the int16 kernels use.
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/tile-ops.h"

namespace sfc {

using namespace scalar_tiles;

namespace {

using i128 = __int128;

int64_t max_row_l1(const imatrix& m) {
  int64_t best = 0;
  for (int i = 0; i < m.rows; i++) {
    int64_t s = 0;
    for (int j = 0; j < m.cols; j++) s += m.at(i, j) < 0 ? -m.at(i, j) : m.at(i, j);
    if (s > best) best = s;
  }
  return best;
}

template <class Src>
void exact_impl(const fastconv_algorithm& alg, const conv2d_params& p, const Src* src,
                int32_t zp, const int8_t* weights, const int32_t* bias, int32_t* dst) {
  fastconv_validate(alg, p);
  const int R = alg.R, L = alg.L, m = alg.m, r = alg.r, P = R * R;
  // Transforms run in int32: check the worst-case growth fits (|x − zp| ≤ 255, |w| ≤ 128).
  if (255.0 * max_row_l1(alg.BT_i) * max_row_l1(alg.BT_i) > 2147483647.0 ||
      128.0 * max_row_l1(alg.G_i) * max_row_l1(alg.G_i) > 2147483647.0)
    throw error(error::internal, alg.name + ": integer transform does not fit int32");
  const auto BT = imatrix_entries<int32_t>(alg.BT_i), G = imatrix_entries<int32_t>(alg.G_i);
  const auto AT = imatrix_entries<i128>(alg.AT_i);
  const int64_t d = alg.AT_i.denom * alg.BT_i.denom * alg.G_i.denom;
  const i128 D = i128(d) * d;

  std::vector<int32_t> V(static_cast<size_t>(P) * p.oc * p.ic);  // [p][oc][ic]
  {
    std::vector<int32_t> w(r * r), v(P), tmp;
    for (int o = 0; o < p.oc; o++)
      for (int c = 0; c < p.ic; c++) {
        for (int q = 0; q < r * r; q++) w[q] = weights[(static_cast<size_t>(o) * p.ic + c) * r * r + q];
        transform_2d(G, R, r, w.data(), 1, v.data(), tmp);
        for (int q = 0; q < P; q++) V[(static_cast<size_t>(q) * p.oc + o) * p.ic + c] = v[q];
      }
  }
  const tile_grid grid(p, m);
  const int tiles = p.n * grid.per_image();
  bool overflow = false;
#pragma omp parallel
  {
    std::vector<int32_t> X(static_cast<size_t>(L) * L * p.ic), U(static_cast<size_t>(P) * p.ic), t32;
    std::vector<i128> M(static_cast<size_t>(P) * p.oc), Y(static_cast<size_t>(m) * m * p.oc), t128;
#pragma omp for schedule(static)
    for (int t = 0; t < tiles; t++) {
      const int n = t / grid.per_image(), ty = (t % grid.per_image()) / grid.tiles_w,
                tx = t % grid.tiles_w;
      gather_tile(p, L, m, src, zp, n, ty, tx, X.data());
      transform_2d(BT, R, L, X.data(), p.ic, U.data(), t32);
      for (int q = 0; q < P; q++)
        for (int o = 0; o < p.oc; o++) {
          const int32_t* u = &U[static_cast<size_t>(q) * p.ic];
          const int32_t* v = &V[(static_cast<size_t>(q) * p.oc + o) * p.ic];
          int64_t acc = 0;
          for (int c = 0; c < p.ic; c++) acc += int64_t(u[c]) * v[c];
          M[static_cast<size_t>(q) * p.oc + o] = acc;
        }
      transform_2d(AT, m, R, M.data(), p.oc, Y.data(), t128);
      scatter_tile(p, m, n, ty, tx, Y.data(), dst, [&](i128 y, int o) {
        const i128 acc = y / D + (bias ? bias[o] : 0);
        if (y % D != 0 || acc > INT32_MAX || acc < INT32_MIN) overflow = true;
        return static_cast<int32_t>(acc);
      });
    }
  }
  if (overflow)
    throw error(error::internal, alg.name + ": exact path produced a non-integer or out-of-range result");
}

}  // namespace

void fastconv_s8_exact(const fastconv_algorithm& alg, const conv2d_params& p, const int8_t* src,
                       int32_t zp, const int8_t* weights, const int32_t* bias, int32_t* dst) {
  exact_impl(alg, p, src, zp, weights, bias, dst);
}
void fastconv_u8_exact(const fastconv_algorithm& alg, const conv2d_params& p, const uint8_t* src,
                       int32_t zp, const int8_t* weights, const int32_t* bias, int32_t* dst) {
  exact_impl(alg, p, src, zp, weights, bias, dst);
}

}  // namespace sfc
