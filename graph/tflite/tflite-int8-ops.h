// Operator kernels of the TFLite reference interpreter (internal). Each takes already validated
// tensors (ref_interpreter::validate) and writes its output; NHWC activations throughout.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/tflite/tflite-int8-ref.h"

namespace sfc::tflite::ref {

struct in_t {
  const tensor* t = nullptr;
  const uint8_t* data = nullptr;
};
struct out_t {
  const tensor* t = nullptr;
  uint8_t* data = nullptr;
};

int32_t zero_point(const tensor& t);
float scale(const tensor& t);
// Quantized range of int8 / uint8 narrowed by a fused activation (CalculateActivationRangeQuantized).
void activation_range(activation act, const tensor& out, int32_t* lo, int32_t* hi);
// SAME padding before the data (TFLite ComputePaddingWithOffset), 0 for VALID.
int same_padding(padding p, int in, int filter, int dilation, int stride, int out);
int conv_output_size(padding p, int in, int filter, int dilation, int stride);

void conv2d(const op& o, in_t x, in_t w, in_t bias, out_t y, conv_requant mode);
void depthwise_conv2d(const op& o, in_t x, in_t w, in_t bias, out_t y, conv_requant mode);
void fully_connected(const op& o, in_t x, in_t w, in_t bias, out_t y, conv_requant mode);
void add(const op& o, in_t a, in_t b, out_t y, add_requant mode);
void average_pool(const op& o, in_t x, out_t y);
void max_pool(const op& o, in_t x, out_t y);
void mean_hw(in_t x, out_t y);
void softmax(const op& o, in_t x, out_t y);
void pad(in_t x, in_t paddings, out_t y);
void quantize(in_t x, out_t y);
void dequantize(in_t x, out_t y);

}  // namespace sfc::tflite::ref
