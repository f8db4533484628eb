// Reading QuantizeLinear / DequantizeLinear nodes of an imported graph: their scales, zero points
// and axes, validated (for graph/passes/fold-qdq*.cc). Messages name the node; malformed nodes
// throw sfc::error(invalid_model), well-formed ones outside what sfc runs sfc::error(unsupported).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.h"

namespace sfc {
namespace qdq {

// Per-tensor quantization of an activation as a Q / DQ node states it.
struct act_q {
  float scale = 1.f;
  qtype t = qtype::u8;
  int32_t zp = 0;
};

[[noreturn]] void fail_model(const node& n, const std::string& what);
[[noreturn]] void fail_unsup(const node& n, const std::string& what);

bool is_qdq(const node& n);
// The data of constant value v, or nullptr (v < 0 or not a constant).
const tensor* const_data(const graph& g, int v);
// The scale constant of Q / DQ node n, validated: present, constant f32, positive and finite.
const tensor& scale_of(const graph& g, const node& n);
// Zero points of n as int32 (empty: absent, i.e. zero), and the integer type they state.
std::vector<int32_t> zero_points(const graph& g, const node& n, dtype* type);
// Per-tensor activation quantization of Q / DQ node n (unsupported if per axis or not 8-bit).
act_q activation_q(const graph& g, const node& n);
// Whether activation_q(g, n) would succeed: one scale, at most one u8 / s8 zero point. Throws
// only for malformed nodes.
bool is_per_tensor_8bit(const graph& g, const node& n);
// The axis a per-axis Q / DQ node n quantizes along, validated against input shape `shape`
// (scale count = that dimension). -1 for per-tensor scales.
int quant_axis(const graph& g, const node& n, const shape_t& shape);
// f32 values of DequantizeLinear node n applied to its constant input q (s8 / u8 / i32).
std::shared_ptr<tensor> dequantize_const(const graph& g, const node& n, const tensor& q);
// A real bias whose accumulator-unit value float(b_f / (s_in · s_w)) is exactly float(b), so
// that the int8 epilogue adds the int32 bias exactly (as tflite-to-graph.cc).
float exact_bias(int32_t b, float s_in, float s_w);

}  // namespace qdq
}  // namespace sfc
