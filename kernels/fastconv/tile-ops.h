// Tile helpers shared by the scalar fast-convolution layers (baseline-ISA files only: these are
// templates with external linkage, so SIMD files must not include this header; see house-style
// §12, the ODR trap).
#pragma once
#include <cstdint>
#include <type_traits>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {
namespace scalar_tiles {

struct tile_grid {
  int tiles_h, tiles_w;
  tile_grid(const conv2d_params& p, int m)
      : tiles_h((p.oh() + m - 1) / m), tiles_w((p.ow() + m - 1) / m) {}
  int per_image() const { return tiles_h * tiles_w; }
};

// X[a][b][c] (L×L×ic) := src[n, ty·m − pad_t + a, tx·m − pad_l + b, c] − zp, or 0 outside.
template <class Src, class T>
void gather_tile(const conv2d_params& p, int L, int m, const Src* src, int32_t zp, int n, int ty,
                 int tx, T* X) {
  const int iy0 = ty * m - p.pad_t, ix0 = tx * m - p.pad_l;
  for (int a = 0; a < L; a++) {
    for (int b = 0; b < L; b++) {
      T* x = X + (static_cast<size_t>(a) * L + b) * p.ic;
      const int iy = iy0 + a, ix = ix0 + b;
      if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) {
        for (int c = 0; c < p.ic; c++) x[c] = 0;
        continue;
      }
      const Src* s = src + ((static_cast<size_t>(n) * p.h + iy) * p.w + ix) * p.ic;
      if constexpr (std::is_floating_point_v<Src>) {
        for (int c = 0; c < p.ic; c++) x[c] = static_cast<T>(s[c]);
      } else {
        for (int c = 0; c < p.ic; c++) x[c] = static_cast<T>(static_cast<int32_t>(s[c]) - zp);
      }
    }
  }
}

// Separable 2D transform over a channel vector:
//   Y[i][j][c] = Σ_a Σ_b M[i][a] · X[a][b][c] · M[j][b]      M: rows×cols, X: cols×cols×C
// Zero coefficients are skipped; summation runs over a then b in increasing order.
template <class T, class Coef>
void transform_2d(const std::vector<Coef>& M, int rows, int cols, const T* X, int C, T* Y,
                  std::vector<T>& tmp) {
  tmp.assign(static_cast<size_t>(rows) * cols * C, T(0));
  for (int i = 0; i < rows; i++)
    for (int a = 0; a < cols; a++) {
      const Coef k = M[static_cast<size_t>(i) * cols + a];
      if (k == Coef(0)) continue;
      for (int b = 0; b < cols; b++) {
        T* t = &tmp[(static_cast<size_t>(i) * cols + b) * C];
        const T* x = X + (static_cast<size_t>(a) * cols + b) * C;
        for (int c = 0; c < C; c++) t[c] += static_cast<T>(k) * x[c];
      }
    }
  for (size_t q = 0; q < static_cast<size_t>(rows) * rows * C; q++) Y[q] = T(0);
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < rows; j++) {
      T* y = Y + (static_cast<size_t>(i) * rows + j) * C;
      for (int b = 0; b < cols; b++) {
        const Coef k = M[static_cast<size_t>(j) * cols + b];
        if (k == Coef(0)) continue;
        const T* t = &tmp[(static_cast<size_t>(i) * cols + b) * C];
        for (int c = 0; c < C; c++) y[c] += static_cast<T>(k) * t[c];
      }
    }
}

template <class Coef>
std::vector<Coef> imatrix_entries(const imatrix& m) {
  return std::vector<Coef>(m.a.begin(), m.a.end());
}
std::vector<double> rmatrix_doubles(const rmatrix& m);

// Scatter an m×m output tile Y[i][j][oc] into dst[n, oh, ow, oc], cropping at the edges.
template <class T, class Dst, class F>
void scatter_tile(const conv2d_params& p, int m, int n, int ty, int tx, const T* Y, Dst* dst,
                  F&& convert) {
  const int oh = p.oh(), ow = p.ow();
  for (int i = 0; i < m; i++) {
    const int y = ty * m + i;
    if (y >= oh) break;
    for (int j = 0; j < m; j++) {
      const int x = tx * m + j;
      if (x >= ow) break;
      Dst* d = dst + ((static_cast<size_t>(n) * oh + y) * ow + x) * p.oc;
      const T* s = Y + (static_cast<size_t>(i) * m + j) * p.oc;
      for (int c = 0; c < p.oc; c++) d[c] = convert(s[c], c);
    }
  }
}

}  // namespace scalar_tiles
}  // namespace sfc
