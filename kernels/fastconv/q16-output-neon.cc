// Output transform kernels of the exact layer, NEON (q16-ukernels.h; plain ASIMD, ARMv8.0):
// 4 output channels per int32x4 vector, Y = Aᵢᵀ M Aᵢ in two unrolled passes (int32 wrap-around),
// acc = (Y·d⁻¹) >> s (mul, sshl by −s: the exact division by D), then the scalar kernel's
// arithmetic in the same order on two float64x2 halves: scale·acc (fmul, rounded), + bias (fadd,
// rounded: the empty asm keeps GCC from contracting the pair into an fmla), relu (fmax with 0),
// float (fcvtn), / dst_scale (fdiv), clamp to [qmin − zp, qmax − zp], round half to even
// (fcvtns), + zp. The values then lie in [qmin, qmax], so the low byte of each lane is the result
// for u8 and s8 alike. A tail of oc % 4 channels is stored through a buffer (nothing beyond oc
// bytes per pixel is written); M is read in whole vectors (its nc_pad lanes are padded to 16).
#include <arm_neon.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"
#include "kernels/fastconv/q16-at-sfc6.inc"

#include "kernels/fastconv/neon-tf.inc"

SFC_TF_INLINE float64x2_t opaque(float64x2_t x) {
  asm("" : "+w"(x));
  return x;
}

struct epilogue {
  int32x4_t vinv, vshift, vzp;  // vshift = −d_shift (sshl by a negative count shifts right)
  float32x4_t vdst, vmin, vmax;
  float64x2_t s0, s1, b0, b1;   // scale, bias of channels 0..1 and 2..3

  // 4 output values in [qmin, qmax].
  SFC_TF_INLINE int32x4_t operator()(int32x4_t y, bool relu) const {
    const int32x4_t acc = vshlq_s32(vmulq_s32(y, vinv), vshift);
    float64x2_t d0 = vcvtq_f64_s64(vmovl_s32(vget_low_s32(acc)));
    float64x2_t d1 = vcvtq_f64_s64(vmovl_high_s32(acc));
    d0 = vaddq_f64(opaque(vmulq_f64(d0, s0)), b0);
    d1 = vaddq_f64(opaque(vmulq_f64(d1, s1)), b1);
    if (relu) {
      d0 = vmaxq_f64(d0, vdupq_n_f64(0));
      d1 = vmaxq_f64(d1, vdupq_n_f64(0));
    }
    float32x4_t f = vcvt_high_f32_f64(vcvt_f32_f64(d0), d1);
    f = vdivq_f32(f, vdst);
    f = vminq_f32(vmaxq_f32(f, vmin), vmax);
    return vaddq_s32(vcvtnq_s32_f32(f), vzp);
  }
};

// Two doubles per half of 4 channels; n < 4 valid values are read through a zero-filled buffer.
inline void load_pd(const double* p, size_t n, float64x2_t& lo, float64x2_t& hi) {
  double buf[4] = {};
  if (n < 4) p = static_cast<const double*>(std::memcpy(buf, p, n * sizeof(double)));
  lo = vld1q_f64(p), hi = vld1q_f64(p + 2);
}

// flatten: keeps the per-output lambdas of the 12-point transforms inline.
template <class A, bool kRelu>
__attribute__((flatten)) void output_neon(size_t oc, size_t tiles, size_t rows, size_t cols,
                                          const int32_t* m, size_t m_point_stride,
                                          size_t m_tile_stride, const double* scale,
                                          const double* bias, void* dst, size_t dst_row_stride,
                                          size_t dst_pixel_stride,
                                          const sfc_q16_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows >= 1 && rows <= size_t(mo) && cols >= 1 && cols <= tiles * mo);
  epilogue ep;
  ep.vinv = vdupq_n_s32(int32_t(params->d_inverse));
  ep.vshift = vdupq_n_s32(-params->d_shift);
  ep.vzp = vdupq_n_s32(params->zero_point);
  ep.vdst = vdupq_n_f32(params->dst_scale);
  ep.vmin = vdupq_n_f32(params->min), ep.vmax = vdupq_n_f32(params->max);
  const char* mb = reinterpret_cast<const char*>(m);
  uint8_t* db = static_cast<uint8_t*>(dst);
  int32x4_t T[mo][R];
  for (size_t o0 = 0; o0 < oc; o0 += 4) {
    const size_t n = oc - o0 < 4 ? oc - o0 : 4;
    load_pd(scale + o0, n, ep.s0, ep.s1);
    load_pd(bias + o0, n, ep.b0, ep.b1);
    for (size_t t = 0; t < tiles; t++) {
      const size_t x0 = t * mo;
      const size_t ncols = cols - x0 < size_t(mo) ? cols - x0 : size_t(mo);
      const char* mt = mb + t * m_tile_stride + o0 * 4;
      for (int b = 0; b < R; b++) {  // T[i][b] = Σ_a Aᵀ[i][a] M[a][b]
        int32x4_t x[R];
        for (int a = 0; a < R; a++)
          x[a] = vld1q_s32(reinterpret_cast<const int32_t*>(mt + size_t(a * R + b) * m_point_stride));
        at_rows<ops32, A, at_mat<A>>(x, [&](int i, int32x4_t v) { T[i][b] = v; });
      }
      for (size_t i = 0; i < rows; i++) {  // Y[i][j] = Σ_b Aᵀ[j][b] T[i][b]
        int32x4_t y[R];
        for (int b = 0; b < R; b++) y[b] = T[i][b];
        uint8_t* di = db + i * dst_row_stride + x0 * dst_pixel_stride + o0;
        at_rows<ops32, A, at_mat<A>>(y, [&](int j, int32x4_t v) {
          if (size_t(j) >= ncols) return;
          const int16x4_t h = vmovn_s32(ep(v, kRelu));
          const uint8x8_t bytes = vreinterpret_u8_s8(vmovn_s16(vcombine_s16(h, h)));
          uint8_t* d = di + size_t(j) * dst_pixel_stride;
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
void output_dispatch(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                     size_t mps, size_t mts, const double* scale, const double* bias, void* dst,
                     size_t drs, size_t dps, const sfc_q16_output_params* params) {
  if (params->relu)
    output_neon<A, true>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs, dps, params);
  else
    output_neon<A, false>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs, dps, params);
}

}  // namespace

#define SFC_Q16_OUTPUT(isa, tile, fn) SFC_Q16_OUTPUT_##isa(tile, fn)
#define SFC_Q16_OUTPUT_scalar(tile, fn)
#define SFC_Q16_OUTPUT_avx512vnni(tile, fn)
#define SFC_Q16_OUTPUT_avx2(tile, fn)
#define SFC_Q16_OUTPUT_neon(tile, fn)                                                         \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const double* scale, const double* bias,         \
                     void* dst, size_t drs, size_t dps, const sfc_q16_output_params* params) { \
    output_dispatch<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs,  \
                                  dps, params);                                               \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q16-ukernels.inc"
