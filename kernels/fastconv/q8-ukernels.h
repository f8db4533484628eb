// Microkernel families of the int8 requantized fast-convolution layer (fastconv_q8_layer,
// q8-layer.h). They compute exactly what fastconv_q8_run (fastconv.h) computes, split in three
// stages per block of tiles; every SIMD kernel is bit-exact with the scalar kernel of its family.
//
//   input   X (L×L pixels, NHWC, src − zp) → U = Bᵢᵀ X Bᵢ → Uq = sat(±qmax, (U·mul[p] + 2¹⁴) >> 15)
//           → U[p][tile][kc] = u8(Uq) ^ 0x80                      (the +128 of the u8×s8 dot product)
//   bgemm   per point p: M = Σ_k U·W − 128·Σ_k W   (= Σ Uq·Vq, exact int32)
//           → mi[tile][p][oc] = clamp(round_half_even(float(M)·coef[oc][p]), ±mi_limit)
//   output  Y = Aᵢᵀ·mi·Aᵢ (int32) → float(Y)·2^−F + bias[oc] → relu / saturation → round_half_even
//           + zero point → dst (u8 or s8, the bytes are the same for both)
//
// Names (house style §4): sfc_q{u8,s8}_sfc_input_ukernel_<tile>__<isa> (u8 / s8 source),
// sfc_qs8_sfc_bgemm_fp32_ukernel_<MR>x<NR>c4__<isa>, sfc_qs32_sfc_output_minmax_fp32_ukernel_<tile>__<isa>.
// The list of kernels is q8-ukernels.inc. Kernels only assert; the layer validates.
//
// ---------------------------------------------------------------------------------------------
// Layouts (all strides in bytes; buffers should be 64-byte aligned for speed, none is required)
//
// Channel order of U ("kc layout"), shared by every ISA. ic channels are split in groups of 64:
//   * a full group, or a last group of 33..63 channels (padded to 64), is stored in the order that
//     one AVX-512 vpacksswb of two 32-channel int16 vectors produces: byte q of the group holds
//     channel (q / 16) * 8 + (q % 8) + (q % 16 >= 8 ? 32 : 0);
//   * a last group of 1..32 channels is stored in natural order, padded to a multiple of 4.
//   sfc_q8_kc(ic) is the padded length, sfc_q8_kc_position(c, ic) the byte of channel c. Padding
//   bytes hold 0x80 (Uq = 0). AVX2 produces the same order with vpacksswb of channels {0–15, 32–47}
//   and {16–31, 48–63}; NEON with narrowing moves.
// U:   u[p · u_point_stride + t · u_tile_stride + q], q < kc; bytes are Uq ^ 0x80 with |Uq| ≤ qmax, so
//      never 0 (bgemm kernels may rely on it, e.g. AVX2's sign trick). The layer pads u_point_stride to an
//      odd number of cache lines (a power-of-two stride puts all points of a tile in one L1 set).
// W:   packed weights, per point p at w + p · w_point_stride, nc_pad = round_up(nc, 16):
//        int32 comp[nc_pad]      −128 · Σ_c Vq[p][oc][c]   (0 in padding; kernels that compute
//                                Σ Uq·Vq directly may ignore it)
//        float coef[nc_pad]      output-stage coefficient c[oc][p]   (0 in padding)
//        int8  vq[kc/4][nc_pad][4]  |Vq| ≤ 127, VNNI order, channel c of oc at [pos/4][oc][pos%4],
//                                pos = sfc_q8_kc_position(c, ic); 0 in padding
//      w_point_stride ≥ 8·nc_pad + kc·nc_pad.
// mi:  m[t · m_tile_stride + p · m_point_stride + oc], int32, nc_pad values per (t, p) are written
//      by bgemm (padding lanes are 0) and read by output (only oc < nc are stored to dst).
// dst: NHWC; the output kernel stores only the rows × cols pixels given, oc bytes each.
//
// Over-read allowance: SFC_Q8_EXTRA_BYTES = 0. Input kernels read exactly ic bytes per pixel
// (masked tails), the other kernels only the padded buffers described above.
// ---------------------------------------------------------------------------------------------
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SFC_Q8_EXTRA_BYTES 0

#ifdef __cplusplus
extern "C" {
#endif

struct sfc_q8_input_params {
  int32_t zero_point;  // src zero point: 0..255 (u8) or −128..127 (s8)
  int32_t qmax;        // 2^(bits−1) − 1, 1..127
  const int16_t* mul;  // [R²] Q15 multipliers, 1..32767
};

struct sfc_q8_bgemm_params {
  float mi_limit;  // float(fastconv_q8_output::mi_limit)
  int32_t clamp;   // 0: the caller guarantees |float(M)·coef| ≤ mi_limit, the clamp may be skipped
};

struct sfc_q8_output_params {
  float scale;         // 2^−F
  float min, max;      // SIMD form: clamp of float(Y)·scale + bias before rounding:
                       //   [qmin − zp, qmax − zp], min raised to 0 with relu
  int32_t zero_point;  // dst zero point, qmin..qmax
  int32_t qmin, qmax;  // reference form (scalar kernels): relu, round, + zp, saturate
  int32_t relu;
  int32_t bias_bounded;  // 1: |bias| ≤ 2^30 for every channel, so |float(Y)·scale + bias| < 2^31
                         // and kernels may round to int32 first, then add zp, relu as
                         // max(·, zp) and saturate while narrowing (same result, fewer ops)
  // Fused residual add (every ISA's kernels; s8 output with zero point 0 and bias_bounded only;
  // res_mode 0 elsewhere). The value t the kernel would store (s8) becomes
  //   dst = sat(round_half_even(act(res_a·t + res_b·r))), both products rounded (no FMA),
  // act = max(·, 0) if res_relu, r the residual byte at (dst address + res_offset), the same
  // bytes as the separate pass (elementwise.h residual_add).
  int32_t res_mode;  // 0: none; else 1 + (residual s8 ? 1 : 0) + (dst s8 ? 2 : 0)
  int32_t res_relu;
  float res_a, res_b;
  ptrdiff_t res_offset;  // residual address − dst address (same [n][oh][ow][oc] geometry)
};

// Input transform of `tiles` horizontally consecutive tiles of one tile row.
//   rows[a] (a < L): input row iy0 + a, pointing at its pixel x = 0 (w pixels of ic bytes, u8 or
//     s8 by the kernel's name); for rows outside the image the caller passes a row of w pixels
//     that all equal the zero point.
//   Tile t reads columns ix0 + t·m + b (b < L); columns outside [0, w) read as the zero point.
//   Writes U for points p < R² of tile t at u + p·u_point_stride + t·u_tile_stride.
typedef void (*sfc_q8_input_ukernel_fn)(size_t ic, size_t tiles, const void* const* rows,
                                        ptrdiff_t ix0, size_t w, uint8_t* u,
                                        size_t u_point_stride, size_t u_tile_stride,
                                        const struct sfc_q8_input_params* params);

// Batched GEMM over `points` points of `tiles` tiles: nc ≤ NR output channels (one packed chunk),
// kc = sfc_q8_kc(ic) bytes of reduction. Writes mi for every (t, p) and nc_pad channels.
typedef void (*sfc_q8_bgemm_ukernel_fn)(size_t points, size_t tiles, size_t kc, size_t nc,
                                        const uint8_t* u, size_t u_point_stride,
                                        size_t u_tile_stride, const void* w,
                                        size_t w_point_stride, int32_t* m, size_t m_point_stride,
                                        size_t m_tile_stride,
                                        const struct sfc_q8_bgemm_params* params);

// Output transform of `tiles` horizontally consecutive tiles and oc channels (mi as written by
// bgemm). Stores output rows i < rows (rows ≤ m) and columns x < cols counted from the first
// tile's first column (tile t covers x ∈ [t·m, t·m + m)), i.e. pixel (i, x) at
// dst + i·dst_row_stride + x·dst_pixel_stride, oc bytes. bias: [oc] (bias / dst_scale).
typedef void (*sfc_q8_output_ukernel_fn)(size_t oc, size_t tiles, size_t rows, size_t cols,
                                         const int32_t* m, size_t m_point_stride,
                                         size_t m_tile_stride, const float* bias, void* dst,
                                         size_t dst_row_stride, size_t dst_pixel_stride,
                                         const struct sfc_q8_output_params* params);

#define SFC_Q8_INPUT(isa, tile, src, fn) void fn(size_t, size_t, const void* const*, ptrdiff_t, size_t, uint8_t*, size_t, size_t, const struct sfc_q8_input_params*);
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod) void fn(size_t, size_t, size_t, size_t, const uint8_t*, size_t, size_t, const void*, size_t, int32_t*, size_t, size_t, const struct sfc_q8_bgemm_params*);
#define SFC_Q8_OUTPUT(isa, tile, fn) void fn(size_t, size_t, size_t, size_t, const int32_t*, size_t, size_t, const float*, void*, size_t, size_t, const struct sfc_q8_output_params*);
#include "kernels/fastconv/q8-ukernels.inc"
#undef SFC_Q8_INPUT
#undef SFC_Q8_BGEMM
#undef SFC_Q8_OUTPUT

#ifdef __cplusplus
}  // extern "C"
#endif

// Padded reduction length of U for ic channels, and the byte of channel c (see above).
static inline size_t sfc_q8_kc(size_t ic) {
  const size_t rem = ic % 64;
  return ic - rem + (rem == 0 ? 0 : rem <= 32 ? (rem + 3) / 4 * 4 : 64);
}
static inline size_t sfc_q8_kc_position(size_t c, size_t ic) {
  const size_t g = c / 64 * 64, j = c % 64;
  if (ic - g <= 32) return c;  // short last group: natural order
  return g + (j % 32) / 8 * 16 + (j >= 32 ? 8 : 0) + j % 8;
}
