// Output transform kernels, NEON (q8-ukernels.h; built with +dotprod as part of the neondot tier,
// though they use only Advanced SIMD): 4 output channels per int32x4 vector, Y = Aᵢᵀ·mi·Aᵢ in two
// unrolled passes (columns, then rows; wrap-around int32 adds are exact because Y fits), then the
// scalar kernel's epilogue in the same order: f = float(Y)·2^−F (fmul), + bias (fadd, no fused
// multiply-add), clamp to [qmin − zp, qmax − zp] (0 below with relu), round half to even (fcvtns),
// + zp, and the low byte of each lane is stored (the values lie in [qmin, qmax], so the bytes are
// right for u8 and s8). Clamping to those integral bounds before rounding equals the reference's
// relu, round, + zp, saturate. A tail of oc % 4 channels is stored byte by byte, so nothing beyond
// oc bytes per pixel is written; mi is read in whole vectors (its nc_pad lanes are padded to 16).
// Fused residual add (sfc_q8_output_params::res_mode, s8 stage with zero point 0): the s8 value t
// the kernel would store becomes sat(round_half_even(act(a·t + b·r))), the two products rounded
// separately as in the separate pass (the empty asm keeps GCC from contracting them into an FMA).
#include <arm_neon.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"

#include "kernels/fastconv/neon-tf.inc"

// 4 residual bytes (n of them) at r, widened to int32 (kS8: signed).
template <bool kS8>
inline int32x4_t load_residual(const uint8_t* r, size_t n) {
  uint8_t buf[8] = {};
  if (n == 4)
    std::memcpy(buf, r, 4);
  else
    std::memcpy(buf, r, n);
  const uint8x8_t b = vld1_u8(buf);
  if constexpr (kS8) return vmovl_s16(vget_low_s16(vmovl_s8(vreinterpret_s8_u8(b))));
  return vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(vmovl_u8(b))));
}

// kRes: −1 (none) or sfc_q8_output_params::res_mode − 1 (bit 0: residual s8, bit 1: dst s8).
template <class A, int kRes>
__attribute__((flatten)) void output_neon(size_t oc, size_t tiles, size_t rows, size_t cols,
                                          const int32_t* m, size_t m_point_stride,
                                          size_t m_tile_stride, const float* bias, void* dst,
                                          size_t dst_row_stride, size_t dst_pixel_stride,
                                          const sfc_q8_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows >= 1 && rows <= size_t(mo) && cols >= 1 && cols <= tiles * mo);
  const float32x4_t vscale = vdupq_n_f32(params->scale);
  const float32x4_t vmin = vdupq_n_f32(params->min), vmax = vdupq_n_f32(params->max);
  const int32x4_t vzp = vdupq_n_s32(params->zero_point);
  const float32x4_t ra = vdupq_n_f32(params->res_a), rb = vdupq_n_f32(params->res_b);
  const float32x4_t rlo = vdupq_n_f32(params->res_relu || !(kRes & 2) ? 0.f : -128.f);
  const float32x4_t rhi = vdupq_n_f32(kRes & 2 ? 127.f : 255.f);
  const char* mb = reinterpret_cast<const char*>(m);
  uint8_t* db = static_cast<uint8_t*>(dst);
  int32x4_t T[mo][R];
  for (size_t t = 0; t < tiles; t++) {
    const size_t x0 = t * mo;
    const size_t ncols = cols - x0 < size_t(mo) ? cols - x0 : size_t(mo);
    for (size_t o0 = 0; o0 < oc; o0 += 4) {
      const size_t n = oc - o0 < 4 ? oc - o0 : 4;
      float32x4_t vbias;
      if (n == 4) {
        vbias = vld1q_f32(bias + o0);
      } else {
        float buf[4] = {};
        std::memcpy(buf, bias + o0, n * sizeof(float));
        vbias = vld1q_f32(buf);
      }
      const char* mt = mb + t * m_tile_stride + o0 * 4;
      for (int b = 0; b < R; b++) {  // T[i][b] = Σ_a Aᵀ[i][a] mi[a][b]
        int32x4_t x[R];
        for (int a = 0; a < R; a++)
          x[a] = vld1q_s32(reinterpret_cast<const int32_t*>(mt + size_t(a * R + b) * m_point_stride));
        tf_rows<ops32, at_mat<A>, mo, R>(x, [&](int i, int32x4_t v) { T[i][b] = v; });
      }
      for (size_t i = 0; i < rows; i++) {  // Y[i][j] = Σ_b Aᵀ[j][b] T[i][b]
        int32x4_t y[R];
        for (int b = 0; b < R; b++) y[b] = T[i][b];
        uint8_t* di = db + i * dst_row_stride + x0 * dst_pixel_stride + o0;
        tf_rows<ops32, at_mat<A>, mo, R>(y, [&](int j, int32x4_t v) {
          if (size_t(j) >= ncols) return;
          float32x4_t f = vaddq_f32(vmulq_f32(vcvtq_f32_s32(v), vscale), vbias);
          f = vminq_f32(vmaxq_f32(f, vmin), vmax);
          int32x4_t q = vaddq_s32(vcvtnq_s32_f32(f), vzp);
          uint8_t* d = di + size_t(j) * dst_pixel_stride;
          if constexpr (kRes >= 0) {  // q = t, the s8 value (zp 0, clamped to [−128, 127])
            const int32x4_t r = load_residual<(kRes & 1) != 0>(d + params->res_offset, n);
            float32x4_t fa = vmulq_f32(vcvtq_f32_s32(q), ra);
            float32x4_t fb = vmulq_f32(vcvtq_f32_s32(r), rb);
            asm("" : "+w"(fa), "+w"(fb));
            q = vcvtnq_s32_f32(vminq_f32(vmaxq_f32(vaddq_f32(fa, fb), rlo), rhi));
          }
          const int16x4_t h = vmovn_s32(q);
          const uint8x8_t bytes = vreinterpret_u8_s8(vmovn_s16(vcombine_s16(h, h)));
          if (n == 4) {
            vst1_lane_u32(reinterpret_cast<uint32_t*>(d), vreinterpret_u32_u8(bytes), 0);
          } else {
            uint8_t buf[8];
            vst1_u8(buf, bytes);
            std::memcpy(d, buf, n);
          }
        });
      }
    }
  }
}

template <class A>
void output_neon_dispatch(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                          size_t mps, size_t mts, const float* bias, void* dst, size_t drs,
                          size_t dps, const sfc_q8_output_params* params) {
  switch (params->res_mode) {  // the layer sets it only for an s8 stage with zp 0, no relu
#define SFC_RES(k)                                                                            \
  case k:                                                                                     \
    return output_neon<A, k - 1>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, dps, params);
    SFC_RES(1) SFC_RES(2) SFC_RES(3) SFC_RES(4)
#undef SFC_RES
    default:
      return output_neon<A, -1>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, dps, params);
  }
}

}  // namespace

#define SFC_Q8_OUTPUT(isa, tile, fn) SFC_Q8_OUTPUT_##isa(tile, fn)
#define SFC_Q8_OUTPUT_scalar(tile, fn)
#define SFC_Q8_OUTPUT_avx512vnni(tile, fn)
#define SFC_Q8_OUTPUT_avx2(tile, fn)
#define SFC_Q8_OUTPUT_neondot(tile, fn)                                                       \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const float* bias, void* dst, size_t drs,        \
                     size_t dps, const sfc_q8_output_params* params) {                        \
    output_neon_dispatch<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs,    \
                                       dps, params);                                          \
  }
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q8-ukernels.inc"
