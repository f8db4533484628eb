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
// Everything else stays as it is: f32 ops with Q/DQ nodes at their borders, which the int8
// executor runs as such. DequantizeLinear of a constant that no folded conv consumes (weights of
// a Gemm, a grouped conv) becomes an f32 constant, so that per-axis scales work there too.
#pragma once
#include "graph/ir.h"

namespace sfc {

// Folds the pattern above in a freshly imported (unprepared) graph. Returns the number of folded
// convs; when it is > 0 the graph is marked quantized. Throws sfc::error(invalid_model) for
// malformed Q/DQ nodes the pattern touches (missing or non-constant scale, zero / negative / non-
// finite scale, per-axis scales whose count or axis does not fit) and sfc::error(unsupported) for
// well-formed ones it cannot fold (weight zero points, per-axis activation scales, weight -128).
int fold_qdq(graph& g);

}  // namespace sfc
