// Reference interpreter for quantized TFLite models, with TFLite's exact integer semantics:
// plain NHWC loops, no speed tricks. It is the oracle that a later import of these models into
// the graph IR is checked against, and it is itself checked against the official TFLite
// runtime's outputs (docs/tflite.md has the agreement numbers).
//
// Operators: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED (int8 per-channel or per-tensor
// weights, uint8 per-tensor weights, int32 bias), ADD (same shapes), AVERAGE_POOL_2D,
// MAX_POOL_2D, MEAN (over H and W), RESHAPE, SOFTMAX, QUANTIZE, DEQUANTIZE, PAD; fused RELU,
// RELU6, RELU_N1_TO_1; SAME / VALID padding, strides, dilation. Activations are int8 or uint8
// with per-tensor quantization; model inputs may also be float32 (through QUANTIZE).
//
// Which rounding? The official reference outputs come from TFLite with its default XNNPACK
// delegate (tfjs-tflite 0.0.1-alpha.10, WASM). XNNPACK runs the convolutions, fully connected
// layers and ADD with its own requantization; TFLite's built-in kernels run the rest (softmax,
// average pooling). `ref_options` selects the scheme per op family; the defaults are the ones
// that reproduce those outputs (see docs/tflite.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/tflite/tflite-reader.h"

namespace sfc::tflite {

// Requantization of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED accumulators.
enum class conv_requant : uint8_t {
  tflite_double_rounding,  // QuantizeMultiplier + MultiplyByQuantizedMultiplier (SRDHM, then RDBPOT)
  tflite_single_rounding,  // the same under TFLITE_SINGLE_ROUNDING (one 64-bit round-half-up shift)
  xnnpack_fp32,            // XNNPACK: float(acc) * (s_in * s_w / s_out) in float, round to nearest-even
};

// Requantization of ADD.
enum class add_requant : uint8_t {
  tflite_double_rounding,  // TFLite: inputs << 20, per-input multipliers, output multiplier (double rounding)
  tflite_single_rounding,  // the same with single-rounding multiplies
  xnnpack,                 // XNNPACK qs8/qu8 vadd: 21-bit multipliers from the float scale ratios,
                           // one arithmetic shift with round-half-up
};

struct ref_options {
  conv_requant conv = conv_requant::xnnpack_fp32;
  add_requant add = add_requant::xnnpack;
};

class ref_interpreter {
 public:
  // Validates every operator (types, quantization, shapes against the declared output shapes):
  // sfc::error(invalid_model) or (unsupported) naming the operator index. Keeps a copy of `m`.
  explicit ref_interpreter(model m, ref_options opt = {});

  const model& graph() const { return m_; }
  // Raw little-endian bytes of model input `i` (its declared type and shape).
  void set_input(int i, const void* data, size_t bytes);
  void run();
  // Contents of any tensor after run() (constants included), and of model output `i`.
  const std::vector<uint8_t>& tensor_data(int tensor_index) const;
  const std::vector<uint8_t>& output(int i) const;

 private:
  void validate(const op& o) const;
  void execute(const op& o);

  model m_;
  ref_options opt_;
  std::vector<std::vector<uint8_t>> values_;  // per tensor (constants: a copy of their data)
};

}  // namespace sfc::tflite
