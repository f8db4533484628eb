// The graph IR: values (tensors with a static description, possibly constant), nodes (an operator
// with ONNX semantics and attributes) and the graph that owns both.
//
// Conventions
// - Shapes are logical and in ONNX order ([N, C, H, W] for images). After shape inference every
//   value that is computed at run time and has rank 4 is stored NHWC; everything else is plain
//   (tensor.h). Constants are always plain, so conv weights stay OIHW.
// - Node inputs are value ids; -1 marks an absent optional input (ONNX's "").
// - Conv nodes carry a conv_info, filled by shape inference (geometry) and by the passes (fused
//   bias / residual / activation). The int8 mode attaches its per-layer implementation list and
//   quantization parameters there too.
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/tensor.h"
#include "kernels/common/quant.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {

enum class op_type : uint8_t {
#define SFC_OP(name, onnx_name) name,
#include "graph/op-types.inc"
#undef SFC_OP
};
const char* op_type_name(op_type op);  // the ONNX name, e.g. "Conv"
// Returns false if `onnx_name` is not a supported operator.
bool op_type_from_onnx(const std::string& onnx_name, op_type* op);

struct attribute {
  enum kind_t { i, f, s, ints, floats, t } kind = i;
  int64_t int_value = 0;
  float float_value = 0.f;
  std::string string_value;
  std::vector<int64_t> int_values;
  std::vector<float> float_values;
  std::shared_ptr<const tensor> tensor_value;
};

enum class activation_kind : uint8_t { none, relu, clip };

// Convolution implementations, in the order of the int8 dispatch policy (best first).
enum class conv_impl_kind : uint8_t {
  sfc,        // SFC / Winograd fast convolution, int8 transform domain (variant: the algorithm)
  sfc_exact,  // the same algorithms with the exact int16 transform domain (q16-layer.h)
  onednn_int8,
  xnnpack_int8,
  reference_int8,
  onednn_f32,
  reference_f32,
  direct_int8,  // sfc's direct kernel for few input channels (kernels/direct/q8-direct-layer.h)
};
struct conv_impl_choice {
  conv_impl_kind kind = conv_impl_kind::reference_f32;
  std::string variant;   // e.g. "n6o7x7k3x3"; empty when the kind has a single variant
  std::string rejected;  // why this candidate declined (empty = accepted / not tried)
};

// Quantization parameters of one conv in the int8 mode (valid = false in fp32 mode).
struct conv_quant_params {
  bool valid = false;
  qtype src_type = qtype::u8;
  float src_scale = 1.f;
  int32_t src_zero_point = 0;
  std::vector<float> weight_scale;  // [oc]
  qtype dst_type = qtype::u8;
  float dst_scale = 1.f;
  int32_t dst_zero_point = 0;
  // Residual input (inputs[3]), when present: its int8 type and scale (zero point 0), and the
  // scale of the conv result before the residual add (conv + bias, calibrated), used by the
  // implementations that cannot fuse the add (they write s8 at pre_residual_scale, then add).
  qtype residual_type = qtype::s8;
  float residual_scale = 1.f;
  float pre_residual_scale = 0.f;  // 0: not calibrated
  // Fixed per-layer choices, set by sfc_quantize and stored in quantized model files (.sfcq);
  // empty / default = decided when the executor prepares the model.
  //   impl: implementation name as conv_impl_from_name() reads it ("sfc6_7x7_3x3", "onednn",
  //         "exact:sfc4_4x4_3x3", ...); honoured by the "auto" policy, overridden by a forced one.
  //   td_bits: transform-domain bits of an SFC / Winograd impl (8, 6 or 4).
  //   td_act_scale: [R²] per-point activation scales of the transform domain (integer-form
  //         units, fastconv_q8_act_scales_from_scales), for `impl`; empty: max-abs calibration.
  //   td_weight_scale: [oc][R²] per-(oc, point) scales of the transformed weights (integer-form
  //         units, fastconv.h fastconv_q8_weights::scale); empty: max-abs of each (oc, point).
  //   td_bias_correction: [oc] real-valued amount that `impl` (a requantized SFC / Winograd
  //         layer) adds to the bias: minus the mean error its transform-domain rounding makes in
  //         each output channel (bias correction, measured by sfc_quantize); empty: none.
  std::string impl;
  int td_bits = 8;
  std::vector<float> td_act_scale;
  std::vector<float> td_weight_scale;
  std::vector<float> td_bias_correction;
};

struct conv_info {
  conv2d_params p;  // resolved geometry; p.ic is the total input channel count
  int groups = 1;
  // dst = act(conv(x) + bias + residual), residual = inputs[3] when present.
  activation_kind act = activation_kind::none;
  float act_min = 0.f, act_max = std::numeric_limits<float>::infinity();
  std::vector<conv_impl_choice> impls;  // int8 mode: ordered candidates, best first
  int chosen_impl = -1;                 // index into impls
  conv_quant_params quant;
};

struct node {
  op_type op = op_type::identity;
  std::string name;
  std::vector<int> inputs;   // value ids, -1 = absent optional input
  std::vector<int> outputs;  // value ids
  std::map<std::string, attribute> attrs;
  conv_info conv;     // op == conv only
  bool dead = false;  // removed by a pass; dropped by graph::compact()

  int input(size_t i) const { return i < inputs.size() ? inputs[i] : -1; }
  bool has_attr(const std::string& a) const { return attrs.count(a) != 0; }
  int64_t attr_int(const std::string& a, int64_t def) const;
  float attr_float(const std::string& a, float def) const;
  std::string attr_string(const std::string& a, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& a, const std::vector<int64_t>& def) const;
  // "node 'name' (Conv)" for messages.
  std::string label() const;
};

struct value {
  std::string name;
  tensor_desc desc;
  bool shape_known = false;
  // Known contents: the constant itself, or (with constant folding off) a value computed at
  // shape-inference time that the executor still recomputes at run time.
  std::shared_ptr<const tensor> data;
  bool is_const = false;  // a model constant (initializer or folded): never computed at run time
  int producer = -1;      // node index, -1 for graph inputs and constants
};

class graph {
 public:
  std::string name;
  int opset = 13;  // default-domain opset the node semantics follow
  // true: a quantized graph (quantize_graph() applied, e.g. loaded from a .sfcq file): int8 value
  // dtypes, conv_info::quant of every int8 conv and the Q/DQ nodes are set; int8 conv weights may
  // be s8 constants (OIHW, quantized with quant.weight_scale). The int8 executor runs it without
  // calibration; the fp32 executor rejects it.
  bool quantized = false;
  std::vector<value> values;
  std::vector<node> nodes;
  std::vector<int> inputs;   // value ids of the graph inputs (dims < 0 = dynamic)
  std::vector<int> outputs;  // value ids of the graph outputs

  int add_value(const std::string& name);
  int add_constant(const std::string& name, std::shared_ptr<const tensor> t);
  // Adds a node and sets the outputs' producer. Returns the node index.
  int add_node(op_type op, const std::string& name, std::vector<int> inputs,
               std::vector<int> outputs);
  int find_value(const std::string& name) const;  // -1 if absent
  // Node indices that read each value (absent inputs ignored, dead nodes skipped).
  std::vector<std::vector<int>> consumers() const;
  bool is_graph_output(int v) const;
  // Drops dead nodes, sorts the rest topologically (stable) and recomputes producers.
  // Throws sfc::error(invalid_model) on a cycle or a value produced twice.
  void compact();
  // Marks nodes whose outputs nobody reads (and that are not graph outputs) dead, transitively,
  // then compacts.
  void remove_unused();
};

}  // namespace sfc
