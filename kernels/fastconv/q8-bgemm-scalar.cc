// Batched GEMM kernel, scalar: M = Σ U·W + comp (= Σ Uq·Vq), mi = clamp(round(float(M)·coef)).
// Layouts in q8-ukernels.h.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/fastconv/q8-ukernels.h"

extern "C" void sfc_qs8_sfc_bgemm_fp32_ukernel_1x16c4__scalar(
    size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u, size_t u_point_stride,
    size_t u_tile_stride, const void* w, size_t w_point_stride, int32_t* m, size_t m_point_stride,
    size_t m_tile_stride, const sfc_q8_bgemm_params* params) {
  assert(kc % 4 == 0);
  const size_t ncp = (nc + 15) / 16 * 16;
  const float lim = params->mi_limit;
  for (size_t p = 0; p < points; p++) {
    const uint8_t* wp = static_cast<const uint8_t*>(w) + p * w_point_stride;
    int32_t comp;
    float coef;
    const int8_t* vq = reinterpret_cast<const int8_t*>(wp + 8 * ncp);
    for (size_t t = 0; t < tiles; t++) {
      const uint8_t* a = u + p * u_point_stride + t * u_tile_stride;
      int32_t* c = reinterpret_cast<int32_t*>(reinterpret_cast<char*>(m) + t * m_tile_stride +
                                              p * m_point_stride);
      for (size_t o = 0; o < ncp; o++) {
        std::memcpy(&comp, wp + 4 * o, 4);
        std::memcpy(&coef, wp + 4 * (ncp + o), 4);
        int32_t acc = comp;
        for (size_t k = 0; k < kc; k++) acc += int32_t(a[k]) * vq[(k / 4 * ncp + o) * 4 + k % 4];
        const float f = std::nearbyint(float(acc) * coef);
        c[o] = static_cast<int32_t>(std::clamp(f, -lim, lim));
      }
    }
  }
}
