// Symmetric max-abs quantization of float tensors to int8 (spatial domain):
// per-tensor for activations, per-output-channel for weights. q = clamp(round(x / s), −127, 127).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sfc {

// Returns the scale s = max|x| / 127 (1 if x is all zero).
float quantize_per_tensor_s8(const float* x, size_t n, int8_t* out);
// Quantize with a given scale.
void quantize_with_scale_s8(const float* x, size_t n, float scale, int8_t* out);
// weights [oc][per_oc] -> int8, returns the oc scales.
std::vector<float> quantize_per_channel_s8(const float* w, int oc, size_t per_oc, int8_t* out);

}  // namespace sfc
