// Input transform kernels, scalar: a plain port of fastconv_q8_run's U / Uq stage (q8-ukernels.h).
#include <algorithm>
#include <cassert>
#include <cstdint>

#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

using namespace sfc::q8tf;
namespace {



template <class A, class Src>
void input_scalar(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                  uint8_t* u, size_t u_point_stride, size_t u_tile_stride,
                  const sfc_q8_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  const int32_t zp = params->zero_point, qmax = params->qmax;
  assert(qmax >= 1 && qmax <= 127);
  const size_t kc = sfc_q8_kc(ic);
  for (size_t t = 0; t < tiles; t++) {
    uint8_t* ut = u + t * u_tile_stride;
    for (size_t c = 0; c < kc; c++) {
      int32_t X[L][L], T[R][L], U[R][R];
      for (int a = 0; a < L; a++)
        for (int b = 0; b < L; b++) {
          const ptrdiff_t ix = ix0 + ptrdiff_t(t) * m + b;
          int32_t v = zp;
          if (c < ic && ix >= 0 && ix < ptrdiff_t(w))
            v = static_cast<const Src*>(rows[a])[size_t(ix) * ic + c];
          X[a][b] = c < ic ? v - zp : 0;
        }
      for (int i = 0; i < R; i++)  // T = Bᵀ X
        for (int b = 0; b < L; b++) {
          int32_t s = 0;
          for (int a = 0; a < L; a++) s += A::bt[i][a] * X[a][b];
          T[i][b] = s;
        }
      for (int i = 0; i < R; i++)  // U = T B
        for (int j = 0; j < R; j++) {
          int32_t s = 0;
          for (int b = 0; b < L; b++) s += A::bt[j][b] * T[i][b];
          U[i][j] = s;
        }
      const size_t pos = sfc_q8_kc_position(c, ic);  // a bijection of [0, kc)
      for (int p = 0; p < R * R; p++) {
        const int64_t v = (int64_t(U[p / R][p % R]) * params->mul[p] + (1 << 14)) >> 15;
        const int32_t q = int32_t(std::clamp<int64_t>(v, -qmax, qmax));
        ut[size_t(p) * u_point_stride + pos] = uint8_t(q ^ 0x80);
      }
    }
  }
}

}  // namespace

namespace {
using u8_t = uint8_t;
using s8_t = int8_t;
}  // namespace

#define SFC_Q8_INPUT(isa, tile, src, fn) SFC_Q8_INPUT_##isa(tile, src, fn)
#define SFC_Q8_INPUT_avx512vnni(tile, src, fn)
#define SFC_Q8_INPUT_avx2(tile, src, fn)
#define SFC_Q8_INPUT_neondot(tile, src, fn)
#define SFC_Q8_INPUT_scalar(tile, src, fn)                                                    \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, uint8_t* u, size_t ups, size_t uts,                            \
                     const sfc_q8_input_params* params) {                                     \
    input_scalar<q8_tf_##tile, src##_t>(ic, tiles, rows, ix0, w, u, ups, uts, params);        \
  }
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
