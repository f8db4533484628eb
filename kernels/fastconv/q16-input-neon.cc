// Input transform kernels of the exact layer, NEON (q16-ukernels.h; plain ASIMD, ARMv8.0):
// 8 channels per int16x8 vector, X = src − zp from one widening subtract (usubl / ssubl, exact:
// |X| ≤ 255), U = Bᵢᵀ X Bᵢ in two unrolled passes (q8-tf-unroll.inc; int16 wrap-around is exact
// because |U| ≤ 32767), stored as int16. A partial vector is loaded through a buffer filled with
// the zero point (X = 0 there, so the padding channel of an odd ic comes out 0, and nothing past
// the ic bytes of a pixel is read) and stored through a buffer (only the kc − c0 valid int16).
#include <arm_neon.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"

#include "kernels/fastconv/neon-tf.inc"

// flatten: keeps the per-output lambdas of the 12- and 20-output transforms inline.
template <class A, bool kSigned>
__attribute__((flatten)) void input_neon(size_t ic, size_t tiles, const void* const* rows,
                                         ptrdiff_t ix0, size_t w, int16_t* u,
                                         size_t u_point_stride, size_t u_tile_stride,
                                         const sfc_q16_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  const uint8_t zp_byte = uint8_t(params->zero_point & 0xff);
  const uint8x8_t vzp = vdup_n_u8(zp_byte);  // s8: the same byte read as int8
  const size_t kc = sfc_q16_kc(ic);
  int16x8_t T[R][L];
  for (size_t t = 0; t < tiles; t++) {
    const ptrdiff_t x0 = ix0 + ptrdiff_t(t) * m;
    char* ut = reinterpret_cast<char*>(u) + t * u_tile_stride;
    for (size_t c0 = 0; c0 < kc; c0 += 8) {
      // n source channels (≥ 1: c0 < kc ≤ ic + 1), ns int16 to store (even, kc is).
      const size_t n = ic - c0 < 8 ? ic - c0 : 8, ns = kc - c0 < 8 ? kc - c0 : 8;
      first_pass<A, kSigned>(rows, ic, x0, w, c0, n, zp_byte, vzp, T);
      for (int i = 0; i < R; i++) {  // U[i][j] = Σ_b Bᵀ[j][b] T[i][b]
        int16x8_t a0[L];
        for (int b = 0; b < L; b++) a0[b] = T[i][b];
        char* ui = ut + size_t(i) * R * u_point_stride + 2 * c0;
        tf_rows<ops16, bt_mat<A>, R, L>(a0, [&](int j, int16x8_t v) {
          int16_t* d = reinterpret_cast<int16_t*>(ui + size_t(j) * u_point_stride);
          if (ns == 8) {
            vst1q_s16(d, v);
          } else {
            int16_t buf[8];
            vst1q_s16(buf, v);
            std::memcpy(d, buf, 2 * ns);
          }
        });
      }
    }
  }
}

using u8_t = std::false_type;
using s8_t = std::true_type;

}  // namespace

#define SFC_Q16_INPUT(isa, tile, src, fn) SFC_Q16_INPUT_##isa(tile, src, fn)
#define SFC_Q16_INPUT_scalar(tile, src, fn)
#define SFC_Q16_INPUT_avx512vnni(tile, src, fn)
#define SFC_Q16_INPUT_avx2(tile, src, fn)
#define SFC_Q16_INPUT_neon(tile, src, fn)                                                     \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, int16_t* u, size_t ups, size_t uts,                            \
                     const sfc_q16_input_params* params) {                                    \
    input_neon<q8_tf_##tile, src##_t::value>(ic, tiles, rows, ix0, w, u, ups, uts, params);   \
  }
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
