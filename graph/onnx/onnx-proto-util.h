// Conversions between ONNX protobuf messages and the IR (tensors, attributes). Internal to
// graph/onnx/; the only place besides onnx-*.cc that sees the generated protobuf classes.
#pragma once
#include <memory>
#include <string>

#include "graph/ir.h"
#include "sfc_onnx.pb.h"

namespace sfc {
namespace onnx_util {

// TensorProto -> plain tensor. Throws invalid_model (size mismatch, bad dims) or unsupported
// (external data, data type). `what` names the tensor in messages.
std::shared_ptr<tensor> tensor_from_proto(const onnx::TensorProto& t, const std::string& what);
void tensor_to_proto(const tensor& t, const std::string& name, onnx::TensorProto* out);

// AttributeProto -> attribute. Throws unsupported for graph / sparse / string-list attributes.
attribute attribute_from_proto(const onnx::AttributeProto& a, const std::string& what);
void attribute_to_proto(const std::string& name, const attribute& a, onnx::AttributeProto* out);

// ONNX TensorProto.DataType <-> dtype (double and bool are read as f32 / u8).
bool dtype_from_onnx(int onnx_type, dtype* t);
int dtype_to_onnx(dtype t);

}  // namespace onnx_util
}  // namespace sfc
