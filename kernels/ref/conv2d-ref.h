// Reference (naive direct) 2D convolution: the oracle every fast path is checked against.
// Cross-correlation as in CNNs. Weights are always OIHW [oc][ic][kh][kw]; activations NCHW
// [n][c][h][w] or NHWC [n][h][w][c]; any stride and (asymmetric) zero padding, batch n, groups 1.
#pragma once
#include <cstdint>

namespace sfc {

enum class layout { nchw, nhwc };

struct conv2d_params {
  int n = 1, ic = 1, oc = 1, h = 1, w = 1;
  int kh = 3, kw = 3;
  int stride_h = 1, stride_w = 1;
  int pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;
  int oh() const { return (h + pad_t + pad_b - kh) / stride_h + 1; }
  int ow() const { return (w + pad_l + pad_r - kw) / stride_w + 1; }
  // Direct multiply-accumulates (all taps, padded ones included), the benchmark unit.
  double direct_macs() const { return double(n) * oc * oh() * ow() * ic * kh * kw; }
};

// Throws sfc::error(invalid_argument) for non-positive sizes, pads < 0, or an empty output.
void conv2d_validate(const conv2d_params& p);

// dst[n, oc, oh, ow] (in the same layout as src) = bias[oc] + Σ src · weights. bias may be null.
void conv2d_ref_f64(const conv2d_params& p, layout l, const double* src, const double* weights,
                    const double* bias, double* dst);
// float inputs, accumulation in double, rounded to float once.
void conv2d_ref_f32(const conv2d_params& p, layout l, const float* src, const float* weights,
                    const float* bias, float* dst);
// Exact integer convolution: dst = bias + Σ (src − src_zero_point) · weights, int64 accumulation,
// throws sfc::error(internal) if a result does not fit int32. Padding is real zero (== zero point).
void conv2d_ref_s8(const conv2d_params& p, layout l, const int8_t* src, int32_t src_zero_point,
                   const int8_t* weights, const int32_t* bias, int32_t* dst);
void conv2d_ref_u8(const conv2d_params& p, layout l, const uint8_t* src, int32_t src_zero_point,
                   const int8_t* weights, const int32_t* bias, int32_t* dst);

}  // namespace sfc
