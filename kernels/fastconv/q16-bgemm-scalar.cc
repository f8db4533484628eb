// Batched GEMM kernel of the exact layer, scalar (q16-ukernels.h): int16 × int16 products summed
// in uint32 (the defined form of the int32 wrap-around the SIMD kernels perform).
#include <cassert>
#include <cstdint>

#include "kernels/fastconv/q16-ukernels.h"

namespace {

void bgemm_scalar(size_t points, size_t tiles, size_t kc, size_t nc, const int16_t* u,
                  size_t u_point_stride, size_t u_tile_stride, const void* w,
                  size_t w_point_stride, int32_t* m, size_t m_point_stride, size_t m_tile_stride) {
  assert(kc % 2 == 0 && nc >= 1);
  const size_t ncp = (nc + 15) / 16 * 16;
  const char* ub = reinterpret_cast<const char*>(u);
  const char* wb = static_cast<const char*>(w);
  char* mb = reinterpret_cast<char*>(m);
  for (size_t p = 0; p < points; p++) {
    const int16_t* v = reinterpret_cast<const int16_t*>(wb + p * w_point_stride);
    for (size_t t = 0; t < tiles; t++) {
      const int16_t* a = reinterpret_cast<const int16_t*>(ub + p * u_point_stride + t * u_tile_stride);
      int32_t* c = reinterpret_cast<int32_t*>(mb + t * m_tile_stride + p * m_point_stride);
      for (size_t o = 0; o < ncp; o++) {
        uint32_t acc = 0;
        for (size_t k = 0; k < kc; k++)
          acc += uint32_t(int32_t(a[k]) * int32_t(v[(k / 2 * ncp + o) * 2 + k % 2]));
        c[o] = int32_t(acc);
      }
    }
  }
}

}  // namespace

#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod) SFC_Q16_BGEMM_##isa(fn)
#define SFC_Q16_BGEMM_avx512vnni(fn)
#define SFC_Q16_BGEMM_avx2(fn)
#define SFC_Q16_BGEMM_neon(fn)
#define SFC_Q16_BGEMM_scalar(fn)                                                              \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const int16_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts) {                                                \
    bgemm_scalar(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts);                    \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
