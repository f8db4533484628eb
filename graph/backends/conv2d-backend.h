// Quantized convolution through the baseline libraries (oneDNN 2.6, XNNPACK 2022-02): the speed
// baseline and the fallback for every layer SFC does not cover. Only graph/backends/ includes the
// libraries' headers.
//
// Semantics shared by every backend (and by sfc's own int8 layers):
//   acc[oc]  = Σ (src − src_zero_point) · weights                 (exact int32)
//   real     = src_scale · weight_scale[oc] · acc + bias[oc]        (bias is real-valued, may be null)
//   real     = max(real, 0) if relu
//   dst      = saturate(round(real / dst_scale) + dst_zero_point)   for u8 / s8 dst
//   dst      = real                                                  for f32 dst
// Activations are NHWC, weights OIHW int8 (per-output-channel symmetric).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/common/quant.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {

// qtype (u8 / s8 / f32) comes from kernels/common/quant.h.

struct q8_conv2d_config {
  conv2d_params p;
  qtype src_type = qtype::u8;  // u8 or s8
  int32_t src_zero_point = 0;
  float src_scale = 1.f;
  std::vector<float> weight_scale;  // [oc]
  std::vector<int8_t> weights;      // OIHW
  std::vector<float> bias;          // [oc] real-valued, or empty
  qtype dst_type = qtype::u8;       // u8, s8 or f32
  float dst_scale = 1.f;
  int32_t dst_zero_point = 0;
  bool relu = false;
  // Residual add ("sum" post-op, oneDNN only): before run(), dst holds the residual, of sum_type
  // (same element size as dst, zero point 0) with real value sum_scale · residual; it is added to
  // real before the relu.
  bool sum = false;
  qtype sum_type = qtype::s8;
  float sum_scale = 1.f;
  // Grouped convolution (depthwise: groups = ic): weights OIHW with I = ic / groups. XNNPACK only
  // (oneDNN's int8 path here is groups = 1).
  int groups = 1;
  int threads = 1;
};

// A prepared convolution: weights packed once at construction, run() many times.
class conv2d_backend {
 public:
  virtual ~conv2d_backend() = default;
  // src: [n][h][w][ic] of src_type; dst: [n][oh][ow][oc] of dst_type.
  virtual void run(const void* src, void* dst) = 0;
  // The implementation the library chose, e.g. "brgconv:avx512_core_vnni".
  virtual std::string impl_name() const = 0;
};

// oneDNN int8 convolution. winograd = true asks for algorithm::convolution_winograd (lossy int8
// F(2x2,3x3), oneDNN 2.x only). Throws sfc::error(unsupported) if oneDNN has no implementation.
std::unique_ptr<conv2d_backend> make_onednn_conv2d(const q8_conv2d_config& cfg, bool winograd = false);
// oneDNN fp32 direct convolution (src/dst float NHWC, weights float OIHW, bias float or empty).
std::unique_ptr<conv2d_backend> make_onednn_conv2d_f32(const conv2d_params& p,
                                                       const std::vector<float>& weights,
                                                       const std::vector<float>& bias, bool relu,
                                                       int threads);
// XNNPACK qc8 convolution (src s8 with zero point, dst s8; the u8/f32 types are unsupported).
std::unique_ptr<conv2d_backend> make_xnnpack_conv2d(const q8_conv2d_config& cfg);

bool have_onednn();
bool have_xnnpack();

}  // namespace sfc
