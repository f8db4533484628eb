// Microkernel families of the EXACT (lossless) int8 fast-convolution layer (fastconv_q16_layer,
// q16-layer.h). Together they compute, bit for bit, what conv2d_ref_{u8,s8} followed by
// requantize_acc (kernels/common/quant.h) computes; fastconv_{u8,s8}_exact (fastconv.h) is the
// scalar statement of the integer part. Every SIMD kernel is bit-exact with the scalar kernel of
// its family.
//
//   input   X (L×L pixels, NHWC, x − zp) → U = Bᵢᵀ X Bᵢ, int16 (exact: |U| ≤ 255·rowL1(Bᵢᵀ)²)
//   bgemm   per point p: M[p] = Σ_c U[p][c] · V[p][c][oc]  (int16 × int16 → int32, wrapping)
//   output  Y = Aᵢᵀ M Aᵢ (int32, wrapping) → acc = Y / D exactly → requantize_acc's arithmetic:
//           real = (double(src_scale)·double(w_scale[oc]))·double(acc) + double(bias[oc]),
//           relu in double, float(real) / dst_scale in float, round half even, + zp, saturate.
//
// Why int32 wrap-around is exact (the whole pipeline is ring arithmetic modulo 2³²): the true
// Y equals D·acc with D = (dA·dB·dG)² (SFC-6: 36, SFC-4: 16, F(2x2,3x3): 4). Write
// D = 2^s·d with d odd. Then (uint32(Y)·d⁻¹ mod 2³²) = 2^s·acc mod 2³², and an arithmetic shift
// right by s gives acc exactly whenever |acc| < 2^(31−s). The layer checks, at creation,
// max|x − zp| · max_oc Σ|w[oc]| < 2^(31−s) (worst case Cin·r²·255·128: SFC-6 3×3 Cin ≤ 1827,
// 5×5 ≤ 657, 7×7 ≤ 335; SFC-4 3×3 ≤ 456; F(2x2,3x3) ≤ 1827), so M and Y may overflow int32
// without harm and no wider path is needed. vpdpwssd / vpmaddwd + vpaddd do not saturate, and
// |U|, |V| < 2¹⁵ keeps every int16 pair product exact.
//
// Names (house style §4): sfc_q{u8,s8}_sfc_input_exact_ukernel_<tile>__<isa> (u8 / s8 source),
// sfc_qs16_sfc_bgemm_ukernel_<MR>x<NR>c2__<isa>, sfc_qs32_sfc_output_exact_minmax_fp64_ukernel_<tile>__<isa>.
// The list is q16-ukernels.inc. Kernels only assert; the layer validates.
//
// ---------------------------------------------------------------------------------------------
// Layouts (strides in bytes; 64-byte aligned buffers are faster, none is required)
// kc = sfc_q16_kc(ic) = ic rounded up to even: the reduction length in int16 elements.
// U:   int16 at u + p·u_point_stride + t·u_tile_stride + 2·c, natural channel order, c < kc;
//      the padding channel (odd ic) holds 0.
// W:   packed weights V = Gᵢ W Gᵢᵀ, per point p at w + p·w_point_stride, nc_pad = round_up(nc, 16):
//        int16 v[kc/2][nc_pad][2]: channel c of oc at [c/2][oc][c%2]; 0 in padding.
//      w_point_stride ≥ 2·kc·nc_pad.
// M:   int32 at m + t·m_tile_stride + p·m_point_stride + 4·oc; bgemm writes nc_pad values per
//      (t, p) (padding lanes 0), output reads oc of them.
// dst: NHWC u8 / s8; the output kernel stores only the rows × cols pixels given, oc bytes each.
// Over-read allowance: SFC_Q16_EXTRA_BYTES = 0 (masked or buffered tails).
// ---------------------------------------------------------------------------------------------
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SFC_Q16_EXTRA_BYTES 0

#ifdef __cplusplus
extern "C" {
#endif

struct sfc_q16_input_params {
  int32_t zero_point;  // src zero point: 0..255 (u8) or −128..127 (s8)
};

struct sfc_q16_output_params {
  int32_t d_shift;     // D = 2^d_shift · d_odd
  uint32_t d_inverse;  // d_odd⁻¹ mod 2³²
  float dst_scale;
  float min, max;      // SIMD form of the saturation: [qmin − zp, qmax − zp], clamped before rounding
  int32_t zero_point;  // dst zero point, qmin..qmax
  int32_t qmin, qmax;
  int32_t relu;
};

// Input transform of `tiles` horizontally consecutive tiles of one tile row (as q8-ukernels.h):
//   rows[a] (a < L): input row iy0 + a at its pixel x = 0, or a row of w zero-point pixels;
//   tile t reads columns ix0 + t·m + b (b < L); columns outside [0, w) read as the zero point.
//   Writes U for points p < R² of tile t at u + p·u_point_stride + t·u_tile_stride.
typedef void (*sfc_q16_input_ukernel_fn)(size_t ic, size_t tiles, const void* const* rows,
                                         ptrdiff_t ix0, size_t w, int16_t* u,
                                         size_t u_point_stride, size_t u_tile_stride,
                                         const struct sfc_q16_input_params* params);

// Batched GEMM over `points` points of `tiles` tiles, nc ≤ NR output channels (one packed chunk),
// kc = sfc_q16_kc(ic). Writes M for every (t, p) and nc_pad channels.
typedef void (*sfc_q16_bgemm_ukernel_fn)(size_t points, size_t tiles, size_t kc, size_t nc,
                                         const int16_t* u, size_t u_point_stride,
                                         size_t u_tile_stride, const void* w,
                                         size_t w_point_stride, int32_t* m, size_t m_point_stride,
                                         size_t m_tile_stride);

// Output transform of `tiles` horizontally consecutive tiles and oc channels. Stores output rows
// i < rows (≤ m) and columns x < cols counted from the first tile's first column, pixel (i, x) at
// dst + i·dst_row_stride + x·dst_pixel_stride. scale[o] = double(src_scale)·double(w_scale[o]),
// bias[o] = double(bias[o]) (0 without bias), both [oc].
typedef void (*sfc_q16_output_ukernel_fn)(size_t oc, size_t tiles, size_t rows, size_t cols,
                                          const int32_t* m, size_t m_point_stride,
                                          size_t m_tile_stride, const double* scale,
                                          const double* bias, void* dst, size_t dst_row_stride,
                                          size_t dst_pixel_stride,
                                          const struct sfc_q16_output_params* params);

#define SFC_Q16_INPUT(isa, tile, src, fn) void fn(size_t, size_t, const void* const*, ptrdiff_t, size_t, int16_t*, size_t, size_t, const struct sfc_q16_input_params*);
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod) void fn(size_t, size_t, size_t, size_t, const int16_t*, size_t, size_t, const void*, size_t, int32_t*, size_t, size_t);
#define SFC_Q16_OUTPUT(isa, tile, fn) void fn(size_t, size_t, size_t, size_t, const int32_t*, size_t, size_t, const double*, const double*, void*, size_t, size_t, const struct sfc_q16_output_params*);
#include "kernels/fastconv/q16-ukernels.inc"
#undef SFC_Q16_INPUT
#undef SFC_Q16_BGEMM
#undef SFC_Q16_OUTPUT

#ifdef __cplusplus
}  // extern "C"
#endif

// Reduction length of U in int16 elements (ic rounded up to a whole channel pair).
static inline size_t sfc_q16_kc(size_t ic) { return (ic + 1) / 2 * 2; }
