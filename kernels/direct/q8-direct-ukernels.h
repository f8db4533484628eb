// Microkernels of the direct int8 convolution for few input channels (q8-direct-layer.h), e.g. the
// RGB stem of a ResNet (ic 3, 7×7, stride 2). One call computes one output row.
//
// Why a kernel of its own: with ic = 3 a VNNI dot product of 4 bytes over channels wastes a
// quarter of its lanes, and an im2col copy costs as much as the convolution. Here the 4-byte
// groups run along a kernel row instead: in NHWC the kw·ic bytes under one kernel row of one
// output pixel are contiguous in the (padded) input row, so they are read in place as
// q broadcast dwords. When kw·ic is not a multiple of 4, the layer may take only the q = ⌊kw·ic/4⌋
// whole dwords per row and gather the leftover bytes of all kh rows of a pixel into a "tail"
// (qt dwords per pixel, built per output row): 7·3 = 21 bytes per row give 7·5 + 2 = 37 dwords
// per pixel instead of 7·6 = 42 (147 of 148 byte lanes used).
//
//   acc[x][oc] = Σ_r Σ_g Σ_j row_r[x·xs + 4g + j] · w[r][g][oc][j]
//              + Σ_g Σ_j tail[x·txs + 4g + j] · w[kh][g][oc][j] + comp[oc]         (exact int32)
//   f = (float(acc) + bias[oc]) · scale[oc]            (oneDNN's order: add, then multiply)
//   f = clamp(f, act_lo, act_hi); f = clamp(f, qmin − zp, qmax − zp)
//   dst = round_half_even(f) + zp                       (bytes; u8 or s8 by the bounds)
// The input rows are u8 (s8 sources are shifted by +128 when the layer pads them); comp[oc] =
// −zp_u8 · Σ w[oc] takes the zero point out, and padding holds zp_u8, so it contributes 0.
//
// Layouts (bytes):
//   rows[r], r < kh: padded input row of kernel row r, at the window start of the row's first
//     output pixel; pixel x's window starts at rows[r] + x·xs; 4·q bytes are read per window.
//   tail: qt dwords per pixel, txs bytes apart (qt = 0: no tail, tail may be null).
//   w: per 64-channel block (kh·q + qt)·256 bytes: [kh][q][64][4] then [qt][64][4], s8, 64-byte
//     aligned, 0 beyond oc and in the padding bytes.
//   comp, bias, scale: [round_up(oc, 64)] (padding 0).
//   dst: ow pixels of oc bytes, dps bytes apart.
// Names (house style §4): sfc_qu8_direct_ukernel_<MR>x64c4__<isa>.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sfc_q8_direct_params {
  float act_lo, act_hi;  // activation clamp in dst units (relu: 0, +inf; none: −inf, +inf)
  float q_lo, q_hi;      // qmin − zp, qmax − zp
  int32_t zero_point;    // dst zero point
};

// The kernel's function type; every kernel below is declared with it.
typedef void sfc_q8_direct_ukernel(size_t ow, size_t oc, size_t kh, size_t q,
                                   const uint8_t* const* rows, size_t xs, size_t qt,
                                   const uint8_t* tail, size_t txs, const int8_t* w,
                                   const int32_t* comp, const float* bias, const float* scale,
                                   void* dst, size_t dps, const struct sfc_q8_direct_params* params);
typedef sfc_q8_direct_ukernel* sfc_q8_direct_ukernel_fn;

sfc_q8_direct_ukernel sfc_qu8_direct_ukernel_1x64c4__scalar;
sfc_q8_direct_ukernel sfc_qu8_direct_ukernel_6x64c4__avx512vnni;

#ifdef __cplusplus
}
#endif
