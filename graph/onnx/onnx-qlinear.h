// ONNX's QOperator form (the QLinear* ops of onnxruntime's quantize_static(quant_format=
// QOperator)) as its QDQ equivalent, so that graph/passes/fold-qdq.h folds both forms the same
// way. Every op: its quantized operands dequantized, the float op, the result quantized.
//
//   QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B])
//     = Q(Conv(DQ(x, x_scale, x_zp), DQ(w, w_scale, w_zp, axis 0),
//              DQ(B, x_scale · w_scale, axis 0)), y_scale, y_zp)
//     (the int32 bias B is in accumulator units, scale x_scale · w_scale[oc], zero point 0)
//   QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp)
//     = Q(MatMul(DQ(a, a_scale, a_zp), DQ(b, b_scale, b_zp, axis -1)), y_scale, y_zp)
//     (b_scale / b_zp: one value, or one per column of b, i.e. along its last axis)
//   com.microsoft QLinearAdd(A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp)
//     = Q(Add(DQ(A, A_scale, A_zp), DQ(B, B_scale, B_zp)), C_scale, C_zp)
//   com.microsoft QLinearGlobalAveragePool(X, x_scale, x_zp, y_scale, y_zp)
//     = Q(GlobalAveragePool(DQ(X, x_scale, x_zp)), y_scale, y_zp)
//   com.microsoft QLinearAveragePool(X, x_scale, x_zp, y_scale, y_zp)
//     = Q(AveragePool(DQ(X, x_scale, x_zp)), y_scale, y_zp)   (AveragePool's attributes)
//
// Zero points are optional, but an absent one reads as QuantizeLinear's default, uint8 zero
// point 0 (so int8 tensors need theirs stated, as onnxruntime's quantizer always does); scales
// are required float32 constants, one value each except w_scale and b_scale. The two pooling
// ops take channels_last = 0 only (NCHW, onnxruntime's default).
#pragma once
#include <string>

#include "graph/ir.h"

namespace sfc {

struct qlinear_op;  // one entry of the table in onnx-qlinear.cc

// The QLinear op called `name` in ONNX domain `domain` ("" / "ai.onnx" or "com.microsoft"), or
// nullptr: QLinearConv and QLinearMatMul in the default domain, QLinearAdd,
// QLinearGlobalAveragePool and QLinearAveragePool in com.microsoft.
const qlinear_op* qlinear_find(const std::string& domain, const std::string& name);
// The float op the QLinear op is expanded around (the importer creates node k with it).
op_type qlinear_float_op(const qlinear_op& q);
// Whether attribute `attr` is accepted beyond those of the float op ("channels_last").
bool qlinear_accepts_attr(const qlinear_op& q, const std::string& attr);

// Rewrites node k of g, a node of op qlinear_float_op(q) that holds the QLinear op's inputs,
// outputs and attributes, into the form above (adds the DQ / Q nodes and, for QLinearConv, the
// bias-scale constant; the caller compacts). Throws sfc::error(invalid_model) naming the node
// and input for a wrong input count, a missing data or scale input, a scale that is not a
// float32 constant (or holds several values where the op takes one) and a zero point that is not
// a constant; sfc::error(unsupported) for channels_last != 0.
void qlinear_expand(graph& g, int k, const qlinear_op& q, const std::string& label);

}  // namespace sfc
