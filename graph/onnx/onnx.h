// ONNX import (fp32 models as PyTorch exports them) and export (for tests and tools).
//
// Import parses the ModelProto with protobuf (C++ generated at build time from Debian's
// onnx.proto, see graph/CMakeLists.txt), then converts it into a graph: initializers and Constant
// nodes become constants, every other node must be one of graph/op-types.inc with attributes it
// knows. Errors are sfc::error:
//   invalid_model  truncated / corrupt protobuf, inconsistent tensors, undefined or duplicated
//                  names, cycles
//   unsupported    an operator, attribute, domain, data type or external-data tensor this
//                  runtime does not implement (the message names the node and its op)
//   io             the file cannot be read
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/ir.h"

namespace sfc {

// Quantized models: QuantizeLinear / DequantizeLinear (axis allowed) import as nodes, and
// QLinearConv, QLinearMatMul and com.microsoft's QLinearAdd, QLinearGlobalAveragePool and
// QLinearAveragePool as their QDQ expansions (onnx-qlinear.h; any other com.microsoft op is
// unsupported); fold_qdq() (graph/passes/fold-qdq.h) then turns them into a quantized graph for
// the int8 executor.
graph onnx_import_file(const std::string& path);
// name is used in error messages only.
graph onnx_import_memory(const void* data, size_t size, const std::string& name = "<memory>");

// Serializes a graph before fusion (no conv residual / activation) as an ONNX model with the
// graph's opset; dynamic input dims become dim_param "N". Throws sfc::error(unsupported) for
// fused convs.
std::vector<uint8_t> onnx_export(const graph& g);

}  // namespace sfc
