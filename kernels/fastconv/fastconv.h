// Scalar fast-convolution layers (SFC and Winograd) for every algorithm of kernels/algo: the
// portable path and the oracle for the SIMD kernels. Activations NHWC, weights OIHW, stride 1,
// kernel r×r of the algorithm, any batch / H / W / channels / (asymmetric) padding; partial edge
// tiles are computed on zero-extended input and cropped.
//
// Tiling: output tile (ty, tx) covers rows [ty·m, ty·m + m) ∩ [0, oh); its L×L input tile starts
// at input row ty·m − pad_t (rows outside [0, h) read as zero, i.e. the zero point).
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/quant.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {

// Throws sfc::error unless p is a stride-1 r×r convolution the algorithm can run.
void fastconv_validate(const fastconv_algorithm& alg, const conv2d_params& p);

// fp32: transforms, GEMM and output transform in float (matrices rounded from exact rationals).
void fastconv_f32(const fastconv_algorithm& alg, const conv2d_params& p, const float* src,
                  const float* weights, const float* bias, float* dst);

// int8 exact (lossless): integer transforms (integer forms of Bᵀ, G, Aᵀ), wide integer products
// and output transform, one exact division by the common denominator at the end.
// dst = Σ (src − zp)·w + bias, bit-identical to conv2d_ref_s8 / conv2d_ref_u8.
void fastconv_s8_exact(const fastconv_algorithm& alg, const conv2d_params& p, const int8_t* src,
                       int32_t src_zero_point, const int8_t* weights, const int32_t* bias,
                       int32_t* dst);
void fastconv_u8_exact(const fastconv_algorithm& alg, const conv2d_params& p, const uint8_t* src,
                       int32_t src_zero_point, const int8_t* weights, const int32_t* bias,
                       int32_t* dst);

// ---------------------------------------------------------------------------------------------
// int8 requantized path (the paper's regime, sfc-algorithm.md §5), in integer-form units:
//   U  = Bᵢᵀ X Bᵢ            exact int32 (X = src − zp, Bᵢᵀ the integer form of Bᵀ)
//   Uq = sat_b((U · mul[p] + 2¹⁴) >> 15)     one Q15 multiplier per point p (vpmulhrsw semantics);
//                                           activation scale sx[p] = 32768 / mul[p]
//   V  = Gᵢ W Gᵢᵀ            exact; Vq = sat_b(round(V / sw[oc,p])), sw = max_ic |V| / qmax
//   M[p] = Σ_ic Uq · Vq      int32
//   acc ≈ Aᵢᵀ (M ⊙ sx ⊙ sw) Aᵢ / D            D = (dA·dB·dG)², the integer forms' denominators
// with qmax = 2^(b−1) − 1 and b ∈ {8, 6, 4}.
struct fastconv_q8_weights {
  int bits = 8;
  int oc = 0, ic = 0, points = 0;  // points = R²
  std::vector<int8_t> vq;          // [p][oc][ic]
  std::vector<float> scale;        // [oc][p], integer-form units
};
// scales: [oc][points] given scales (e.g. fine-tuned by sfc_quantize); null or empty: per
// (oc, point) max |V| / qmax. Values beyond ±qmax·scale saturate.
fastconv_q8_weights fastconv_q8_transform_weights(const fastconv_algorithm& alg, int oc, int ic,
                                                  const int8_t* weights, int bits,
                                                  const std::vector<float>* scales = nullptr);

struct fastconv_q8_act_scales {
  int bits = 8;
  std::vector<int16_t> mul;  // [p] Q15 multipliers, 1 ≤ mul ≤ 32767
  float scale(int p) const { return 32768.f / float(mul[p]); }
};
// From per-point max |U| (integer-form units): s = max(maxabs / qmax, 1), mul = round(32768 / s).
fastconv_q8_act_scales fastconv_q8_act_scales_from_maxabs(const std::vector<double>& maxabs,
                                                          int bits);
// From real-valued scales (integer-form units), e.g. read from a file.
fastconv_q8_act_scales fastconv_q8_act_scales_from_scales(const std::vector<float>& scales,
                                                          int bits);
// Max-abs calibration: per-point max |U| over all tiles and channels of src (accumulates into
// maxabs, which must have R² entries, so several inputs can be folded in).
void fastconv_q8_calibrate(const fastconv_algorithm& alg, const conv2d_params& p, const void* src,
                           qtype src_type, int32_t src_zero_point, std::vector<double>& maxabs);

// Output with a double-precision output transform: dst_acc[n,oh,ow,oc] ≈ the int32 accumulator
// Σ (src − zp)·w (bias and scales not applied). For error measurement and float output.
void fastconv_q8_run_acc(const fastconv_algorithm& alg, const conv2d_params& p, const void* src,
                         qtype src_type, int32_t src_zero_point, const fastconv_q8_weights& w,
                         const fastconv_q8_act_scales& s, float* dst_acc);

// Fixed-point output pipeline that the SIMD kernels reproduce bit-exactly:
//   f[p]  = float(M[p]) · c[oc][p]                 c = sx·sw·src_scale·w_scale[oc]/(dst_scale·D)·2^F
//   mi[p] = clamp(round_half_even(f[p]), ±mi_limit) mi_limit keeps Aᵢᵀ·mi·Aᵢ inside int32
//   Y     = Aᵢᵀ · mi · Aᵢ                          int32 (exact, any summation order)
//   out   = float(Y) · 2^−F + bias[oc]/dst_scale,  relu, round_half_even, + zero point, saturate
struct fastconv_q8_output {
  int frac_bits = 10;                // F
  int32_t mi_limit = 0;
  std::vector<float> coef;           // [oc][p]  c above
  std::vector<float> bias_q;         // [oc]     bias / dst_scale
  qtype dst_type = qtype::u8;
  int32_t dst_zero_point = 0;
  bool relu = false;
};
fastconv_q8_output fastconv_q8_prepare_output(const fastconv_algorithm& alg,
                                              const fastconv_q8_weights& w,
                                              const fastconv_q8_act_scales& s,
                                              const q8_output_params& o);
// dst: [n, oh, ow, oc] u8 or s8 (o.dst_type).
void fastconv_q8_run(const fastconv_algorithm& alg, const conv2d_params& p, const void* src,
                     qtype src_type, int32_t src_zero_point, const fastconv_q8_weights& w,
                     const fastconv_q8_act_scales& s, const fastconv_q8_output& o, void* dst);

}  // namespace sfc
