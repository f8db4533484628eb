// Input transform kernels of the exact layer, scalar (q16-ukernels.h): U = Bᵢᵀ X Bᵢ in int32,
// stored as int16 (the layer guarantees |U| ≤ 255·rowL1(Bᵢᵀ)² ≤ 32767).
#include <cassert>
#include <cstdint>

#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

template <class A, class Src>
void input_scalar(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                  int16_t* u, size_t u_point_stride, size_t u_tile_stride,
                  const sfc_q16_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  const int32_t zp = params->zero_point;
  const size_t kc = sfc_q16_kc(ic);
  char* ub = reinterpret_cast<char*>(u);
  for (size_t t = 0; t < tiles; t++) {
    char* ut = ub + t * u_tile_stride;
    for (size_t c = 0; c < kc; c++) {
      int32_t X[L][L], T[R][L];
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
          assert(s >= -32768 && s <= 32767);
          *reinterpret_cast<int16_t*>(ut + size_t(i * R + j) * u_point_stride + 2 * c) = int16_t(s);
        }
    }
  }
}

using u8_t = uint8_t;
using s8_t = int8_t;

}  // namespace

#define SFC_Q16_INPUT(isa, tile, src, fn) SFC_Q16_INPUT_##isa(tile, src, fn)
#define SFC_Q16_INPUT_avx512vnni(tile, src, fn)
#define SFC_Q16_INPUT_avx2(tile, src, fn)
#define SFC_Q16_INPUT_neon(tile, src, fn)
#define SFC_Q16_INPUT_scalar(tile, src, fn)                                                   \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, int16_t* u, size_t ups, size_t uts,                            \
                     const sfc_q16_input_params* params) {                                    \
    input_scalar<q8_tf_##tile, src##_t>(ic, tiles, rows, ix0, w, u, ups, uts, params);        \
  }
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
