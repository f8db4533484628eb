// Quantization vocabulary shared by sfc's own layers and the backends.
//   acc  = Σ (src − src_zero_point) · weights                  exact int32 accumulator
//   real = src_scale · weight_scale[oc] · acc + bias[oc]         (bias real-valued)
//   real = max(real, 0) if relu
//   dst  = saturate(round_half_even(real / dst_scale) + dst_zero_point)   (u8 / s8 dst)
#pragma once
#include <cmath>
#include <cstdint>

namespace sfc {

enum class qtype { u8, s8, f32 };

inline int32_t qtype_min(qtype t) { return t == qtype::u8 ? 0 : -128; }
inline int32_t qtype_max(qtype t) { return t == qtype::u8 ? 255 : 127; }

// Output stage of a quantized convolution (pointers are borrowed, [oc] each; bias may be null).
struct q8_output_params {
  float src_scale = 1.f;
  const float* weight_scale = nullptr;  // [oc]
  const float* bias = nullptr;          // [oc] real-valued, or null
  qtype dst_type = qtype::u8;
  float dst_scale = 1.f;
  int32_t dst_zero_point = 0;
  bool relu = false;
};

// Round half to even (what cvtps2dq does in the default MXCSR mode) and saturate.
inline int32_t quantize_round_sat(float v, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float r = std::nearbyint(v);
  if (!(r > -2147483520.f)) r = -2147483520.f;  // also maps NaN to the minimum
  if (r > 2147483520.f) r = 2147483520.f;
  int64_t q = static_cast<int64_t>(r) + zero_point;
  if (q < qmin) q = qmin;
  if (q > qmax) q = qmax;
  return static_cast<int32_t>(q);
}

// Requantize one exact accumulator with the shared semantics (reference for every int8 path).
inline float dequantize_acc(int64_t acc, int oc, const q8_output_params& o) {
  double real = double(o.src_scale) * o.weight_scale[oc] * double(acc) + (o.bias ? o.bias[oc] : 0.0);
  if (o.relu && real < 0) real = 0;
  return static_cast<float>(real);
}
inline int32_t requantize_acc(int64_t acc, int oc, const q8_output_params& o) {
  float real = dequantize_acc(acc, oc, o);
  return quantize_round_sat(real / o.dst_scale, o.dst_zero_point, qtype_min(o.dst_type),
                            qtype_max(o.dst_type));
}

}  // namespace sfc
