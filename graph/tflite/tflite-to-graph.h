// TFLite int8 model -> sfc graph IR, as a quantized graph (graph::quantized) that the int8
// executor runs without calibration: the convolutions run on oneDNN / XNNPACK / SFC / reference
// with the model's own scales and zero points (docs/tflite.md, "Running on the graph executor").
//
// Mapping
//   tensors      a TFLite int8 activation with zero point −128 becomes a u8 value with zero point
//                0 and the same scale (u8 = q + 128, the same real values); any other int8 zero
//                point z becomes an s8 value with zero point z (the same bytes); uint8 stays u8.
//                4-D tensors are NCHW in the graph's logical order (NHWC in memory, as always).
//   CONV_2D, FULLY_CONNECTED   int8 Conv nodes (FC: a 1x1 conv between two Reshapes) with s8
//                OIHW weights, per-channel weight scales, src / dst zero points, and a real-valued
//                bias chosen so that the oneDNN-order epilogue sees exactly the int32 bias; fused
//                RELU -> relu, RELU6 / RELU_N1_TO_1 -> clip (reference implementation only).
//   MAX_POOL_2D, RESHAPE       stay int8 (MaxPool / Transpose / Reshape).
//   DEPTHWISE_CONV_2D, and CONV_2D with uint8 weights (TF1 quantization-aware models, weight
//                zero points != 0): f32 graph ops on integer values, bit-exact with XNNPACK's fp32
//                requantization: DequantizeLinear(scale 1) -> Conv with float(w − z_w), float(b)
//                -> Mul float(s_x·s_w)/s_y -> Clip (activation range) -> QuantizeLinear(scale 1).
//   ADD          XNNPACK's fixed-point ADD, exactly, as f32 elementwise ops on integers
//                (multipliers split so that every step is exact).
//   AVERAGE_POOL_2D (other quantization), MEAN, SOFTMAX, PAD, QUANTIZE (int -> int)
//                run in f32 between DequantizeLinear and QuantizeLinear nodes: the result is
//                requantized to the TFLite output's grid, but rounding ties are not reproduced
//                bit for bit.
//
// Inputs and outputs are f32 real values: input = s · (q − zp) of the TFLite input tensor (a
// QuantizeLinear node in front turns it back into q exactly), NCHW for 4-D inputs, batch
// dimension dynamic; each output is the dequantized TFLite output s · (q − zp), so that
// q = round(y / s) + zp recovers the TFLite bytes exactly.
//
// Errors: sfc::error(unsupported) for valid models outside this subset, (invalid_model) for
// inconsistent ones; the message names the file, the operator index and the operator.
#pragma once
#include "graph/ir.h"
#include "graph/tflite/tflite-reader.h"

namespace sfc {

graph tflite_to_graph(const tflite::model& m);

}  // namespace sfc
