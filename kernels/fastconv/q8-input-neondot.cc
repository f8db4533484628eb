// Input transform kernels, NEON (q8-ukernels.h; built with +dotprod as part of the neondot tier,
// though they use only Advanced SIMD): 8 channels per int16x8 vector. X = src − zp comes from one
// widening subtract (usubl / ssubl: exact, |X| ≤ 255). Two vectors A, B go through the transform
// together; each point is requantized with sqrdmulh ((2·U·mul + 2¹⁵) >> 16 = (U·mul + 2¹⁴) >> 15,
// exact: |U| ≤ 25500 fits int16, and mul ≥ 1 so the one saturating case −2¹⁵·−2¹⁵ never occurs),
// narrowed with sqxtn / sqxtn2 into one 16-byte vector [A, B], clamped to ±qmax and xor 0x80.
// The kc channel order (shared with x86) comes out of the choice of A and B:
//   * a full group of 64 (or 33..63, padded): A = channels 8k..8k+7, B = 32+8k..32+8k+7 → bytes
//     16k..16k+15, k = 0..3 (byte q holds channel (q/16)·8 + q%8 + (q%16 ≥ 8 ? 32 : 0));
//   * a short last group of ≤ 32 channels (natural order): A = 16k.., B = 16k+8.. → bytes 16k..,
//     stored only up to the group's padded length (a multiple of 4).
// Partial vectors are loaded through a buffer filled with the zero point (X = 0 there, so padding
// bytes come out as 0x80) and never read past the ic bytes of a pixel.
#include <arm_neon.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"

#include "kernels/fastconv/neon-tf.inc"

// Stores the first n bytes of q (n a multiple of 4, 4 ≤ n ≤ 16).
inline void store_bytes(uint8_t* d, uint8x16_t q, size_t n) {
  if (n == 16) {
    vst1q_u8(d, q);
    return;
  }
  if (n >= 8) {
    vst1_u8(d, vget_low_u8(q));
    d += 8, n -= 8;
    q = vextq_u8(q, q, 8);
  }
  if (n >= 4) vst1q_lane_u32(reinterpret_cast<uint32_t*>(d), vreinterpretq_u32_u8(q), 0);
}

// Vectors A (channels cha.., na valid) and B (chb.., nb valid) of one tile, written as the
// 16 bytes [A, B] per point at ut + p·u_point_stride (only the first `nbytes`).
// flatten: keeps the per-output lambdas of the 12- and 20-output transforms inline.
template <class A, bool kSigned>
__attribute__((flatten)) inline void pair(const void* const* rows, size_t ic, ptrdiff_t x0,
                                          size_t w, size_t cha, size_t na, size_t chb, size_t nb,
                                          uint8_t* ut, size_t u_point_stride, size_t nbytes,
                                          const int16_t* mul, uint8_t zp_byte, uint8x8_t vzp,
                                          int8x16_t vmin, int8x16_t vmax, int16x8_t (*TA)[A::L],
                                          int16x8_t (*TB)[A::L]) {
  constexpr int L = A::L, R = A::R;
  const uint8x16_t vsign = vdupq_n_u8(0x80);
  first_pass<A, kSigned>(rows, ic, x0, w, cha, na, zp_byte, vzp, TA);
  first_pass<A, kSigned>(rows, ic, x0, w, chb, nb, zp_byte, vzp, TB);
  for (int i = 0; i < R; i++) {
    int16x8_t a0[L], a1[L];
    for (int b = 0; b < L; b++) a0[b] = TA[i][b], a1[b] = TB[i][b];
    uint8_t* ui = ut + size_t(i) * R * u_point_stride;
    const int16_t* mi = mul + i * R;
    // U[i][j] = Σ_b Bᵀ[j][b] T[i][b] for both vectors, then requantize, narrow, store.
    tf_rows2<ops16, bt_mat<A>, R, L>(a0, a1, [&](int j, int16x8_t v0, int16x8_t v1) {
      const int16x8_t vm = vld1q_dup_s16(mi + j);
      int8x16_t q = vqmovn_high_s16(vqmovn_s16(vqrdmulhq_s16(v0, vm)), vqrdmulhq_s16(v1, vm));
      q = vminq_s8(vmaxq_s8(q, vmin), vmax);
      const uint8x16_t r = veorq_u8(vreinterpretq_u8_s8(q), vsign);
      uint8_t* dst = ui + size_t(j) * u_point_stride;
      if (nbytes == 16) vst1q_u8(dst, r);
      else store_bytes(dst, r, nbytes);
    });
  }
}

inline size_t clamp8(ptrdiff_t n) { return n <= 0 ? 0 : n < 8 ? size_t(n) : 8; }

template <class A, bool kSigned>
void input_neon(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                uint8_t* u, size_t u_point_stride, size_t u_tile_stride,
                const sfc_q8_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  assert(params->qmax >= 1 && params->qmax <= 127);
  const uint8_t zp_byte = uint8_t(params->zero_point & 0xff);
  const uint8x8_t vzp = vdup_n_u8(zp_byte);
  const int8x16_t vmax = vdupq_n_s8(int8_t(params->qmax));
  const int8x16_t vmin = vdupq_n_s8(int8_t(-params->qmax));
  const int16_t* mul = params->mul;
  int16x8_t TA[R][L], TB[R][L];
  for (size_t t = 0; t < tiles; t++) {
    const ptrdiff_t x0 = ix0 + ptrdiff_t(t) * m;
    uint8_t* ut = u + t * u_tile_stride;
    for (size_t c0 = 0; c0 < ic; c0 += 64) {
      const ptrdiff_t n = ptrdiff_t(ic - c0 < 64 ? ic - c0 : 64);
      if (n > 32) {  // kc order: A = 8k.., B = 32 + 8k.. → bytes 16k..16k+15
        for (int k = 0; k < 4; k++)
          pair<A, kSigned>(rows, ic, x0, w, c0 + 8 * k, clamp8(n - 8 * k), c0 + 32 + 8 * k,
                           clamp8(n - 32 - 8 * k), ut + c0 + 16 * k, u_point_stride, 16, mul,
                           zp_byte, vzp, vmin, vmax, TA, TB);
      } else {  // short last group: natural order, padded to a multiple of 4
        const ptrdiff_t padded = (n + 3) / 4 * 4;
        for (int k = 0; k < 2 && 16 * k < n; k++) {
          const ptrdiff_t nbytes = padded - 16 * k < 16 ? padded - 16 * k : 16;
          pair<A, kSigned>(rows, ic, x0, w, c0 + 16 * k, clamp8(n - 16 * k), c0 + 16 * k + 8,
                           clamp8(n - 16 * k - 8), ut + c0 + 16 * k, u_point_stride,
                           size_t(nbytes), mul, zp_byte, vzp, vmin, vmax, TA, TB);
        }
      }
    }
  }
}

}  // namespace

namespace {
using u8_t = std::false_type;
using s8_t = std::true_type;
}  // namespace

#define SFC_Q8_INPUT(isa, tile, src, fn) SFC_Q8_INPUT_##isa(tile, src, fn)
#define SFC_Q8_INPUT_scalar(tile, src, fn)
#define SFC_Q8_INPUT_avx512vnni(tile, src, fn)
#define SFC_Q8_INPUT_avx2(tile, src, fn)
#define SFC_Q8_INPUT_neondot(tile, src, fn)                                                   \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, uint8_t* u, size_t ups, size_t uts,                            \
                     const sfc_q8_input_params* params) {                                     \
    input_neon<q8_tf_##tile, src##_t::value>(ic, tiles, rows, ix0, w, u, ups, uts, params);   \
  }
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
