// QLinearConv (ONNX's QOperator form) as its QDQ equivalent, so that graph/passes/fold-qdq.h
// folds both forms into the same int8 Conv:
//
//   QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp[, B])
//     = QuantizeLinear(Conv(DQ(x, x_scale, x_zp), DQ(w, w_scale, w_zp, axis 0),
//                           DQ(B, x_scale · w_scale, axis 0)), y_scale, y_zp)
//
// (the int32 bias B is in accumulator units, scale x_scale · w_scale[oc], zero point 0).
#pragma once
#include <string>

#include "graph/ir.h"

namespace sfc {

// Rewrites node k of g, a Conv node that holds QLinearConv's inputs, outputs and attributes,
// into the form above (adds the DQ / Q nodes and the bias-scale constant; the caller compacts).
// Throws sfc::error(invalid_model) for a missing scale or input, or x_scale / w_scale that are
// not constants (the bias scale is computed at import).
void expand_qlinear_conv(graph& g, int k, const std::string& label);

}  // namespace sfc
