// ONNX QDQ models (QuantizeLinear / DequantizeLinear around float ops, as onnxruntime's
// quantize_static(quant_format=QDQ) or PyTorch export them) -> a quantized graph that the int8
// executor runs without calibration (graph::quantized, docs in graph/executor.h).
//
// The pattern folded into one int8 Conv (groups = 1):
//
//   xq -> DequantizeLinear(s_x, zp_x)                                  (Conv input 0)
//   w (s8 const OIHW) -> DequantizeLinear(s_w[oc] or s_w, axis 0)      (Conv input 1)
//   b (f32 const, or int32 const -> DequantizeLinear)                  (Conv input 2, optional)
//   Conv [-> Relu] -> QuantizeLinear(s_y, zp_y)
//
// becomes  xq -> Conv(int8: conv_quant_params from s_x, zp_x, s_w, s_y, zp_y; s8 weights; real-
// valued bias, fused ReLU) -> the QuantizeLinear's output. Activation scales are per tensor;
// weights per tensor or per output channel with zero point 0. Zero points follow tflite-to-graph:
// an int8 activation with zero point −128 is stored as u8 with zero point 0 (its bytes + 128),
// any other zero point (int8 or uint8) is kept.
//
// Gemm (transA = 0, alpha = 1, beta = 1) and MatMul with a constant s8 weight B are folded the
// same way, into an int8 1×1 Conv between two Reshapes (as tflite-to-graph.cc's
// FULLY_CONNECTED):
//
//   xq -> DequantizeLinear(s_x, zp_x)                                  (input A, [.., K])
//   B (s8 const [O, K] with transB = 1, else [K, O]) -> DequantizeLinear(per tensor or per O)
//   Gemm(C: f32 [O] / [1, O], or int32 -> DequantizeLinear)  or  MatMul [-> Add(same bias)]
//   [-> Relu] -> QuantizeLinear(s_y, zp_y)
//
// becomes  xq -> Reshape [-1, K, 1, 1] -> Conv(int8, W[o, k, 0, 0] = B[o, k] or B[k, o])
// -> Reshape to [-1, O] (Gemm) or A's leading dims ++ [O] (MatMul, Shape -> Concat) -> the
// QuantizeLinear's output. QLinearMatMul with a constant b folds this way once expanded
// (graph/onnx/onnx-qlinear.h). A Gemm / MatMul that does not fit (other attributes, weight zero
// points, weight -128, scales along K, per-axis activations, another bias shape) stays f32,
// without an error; malformed Q/DQ nodes are still errors.
//
// Everything else stays as it is: f32 ops with Q/DQ nodes at their borders, which the int8
// executor runs as such. DequantizeLinear of a constant that no folded op consumes (weights of
// an unfolded Gemm, a grouped conv) becomes an f32 constant, so that per-axis scales work there
// too (also when nothing folds, unless the graph is already quantized).
#pragma once
#include "graph/ir.h"

namespace sfc {

// Folds the patterns above in a freshly imported (unprepared) graph. Returns the number of
// folded convs, Gemms and MatMuls; when it is > 0 the graph is marked quantized. Throws
// sfc::error(invalid_model) for malformed Q/DQ nodes (missing or non-constant scale, zero /
// negative / non-finite scale, per-axis scales whose count or axis does not fit) and
// sfc::error(unsupported) for well-formed conv patterns it cannot fold (weight zero points,
// per-axis activation scales, weight -128).
int fold_qdq(graph& g);

}  // namespace sfc
