// ONNX ModelProto -> graph. See onnx.h for the error contract.
#include <climits>
#include <fstream>
#include <iterator>
#include <set>
#include <unordered_map>

#include "graph/onnx/onnx-proto-util.h"
#include "graph/onnx/onnx-qlinear.h"
#include "graph/onnx/onnx.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

using onnx_util::attribute_from_proto;
using onnx_util::tensor_from_proto;

// Attributes each operator accepts; anything else is rejected as unsupported.
const std::set<std::string>& allowed_attrs(op_type op) {
  static const std::set<std::string> none;
  static const std::set<std::string> conv = {"auto_pad", "dilations", "group", "kernel_shape",
                                             "pads", "strides"};
  static const std::set<std::string> bn = {"epsilon", "momentum", "training_mode"};
  static const std::set<std::string> clip = {"min", "max"};
  static const std::set<std::string> pool = {"auto_pad", "ceil_mode", "count_include_pad",
                                             "dilations", "kernel_shape", "pads",
                                             "storage_order", "strides"};
  static const std::set<std::string> reduce = {"axes", "keepdims", "noop_with_empty_axes"};
  static const std::set<std::string> axis = {"axis"};
  static const std::set<std::string> reshape = {"allowzero"};
  static const std::set<std::string> perm = {"perm"};
  static const std::set<std::string> slice = {"starts", "ends", "axes"};
  static const std::set<std::string> pad = {"mode", "pads", "value"};
  static const std::set<std::string> gemm = {"alpha", "beta", "transA", "transB"};
  static const std::set<std::string> shape = {"start", "end"};
  static const std::set<std::string> axes = {"axes"};
  static const std::set<std::string> cos = {"value"};
  static const std::set<std::string> cast = {"to", "saturate"};
  // Q/DQ: per-axis quantization of QDQ models (folded by graph/passes/fold-qdq.h).
  static const std::set<std::string> quant = {"axis"};
  switch (op) {
    case op_type::conv: return conv;
    case op_type::batch_norm: return bn;
    case op_type::clip: return clip;
    case op_type::max_pool:
    case op_type::avg_pool: return pool;
    case op_type::reduce_mean: return reduce;
    case op_type::flatten:
    case op_type::concat:
    case op_type::softmax:
    case op_type::gather: return axis;
    case op_type::reshape: return reshape;
    case op_type::transpose: return perm;
    case op_type::slice: return slice;
    case op_type::pad: return pad;
    case op_type::gemm: return gemm;
    case op_type::shape: return shape;
    case op_type::unsqueeze:
    case op_type::squeeze: return axes;
    case op_type::constant_of_shape: return cos;
    case op_type::cast: return cast;
    case op_type::quantize_linear:
    case op_type::dequantize_linear: return quant;
    default: return none;
  }
}

std::string node_label(const onnx::NodeProto& n, const std::string& name) {
  return "node '" + name + "' (" + n.op_type() + ")";
}

bool default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

struct importer {
  graph g;
  std::unordered_map<std::string, int> ids;

  int define(const std::string& name, const std::string& where) {
    if (name.empty()) throw error(error::invalid_model, where + ": empty value name");
    if (ids.count(name))
      throw error(error::invalid_model, where + ": value '" + name + "' is defined twice");
    const int id = g.add_value(name);
    ids[name] = id;
    return id;
  }

  void add_constant(const std::string& name, std::shared_ptr<tensor> t, const std::string& where) {
    const int id = define(name, where);
    value& v = g.values[size_t(id)];
    v.desc = t->desc();
    v.shape_known = true;
    v.data = std::move(t);
    v.is_const = true;
  }

  void add_input(const onnx::ValueInfoProto& vi) {
    const std::string where = "graph input '" + vi.name() + "'";
    if (!vi.type().has_tensor_type())
      throw error(error::unsupported, where + ": only tensor inputs are supported");
    const onnx::TypeProto_Tensor& tt = vi.type().tensor_type();
    tensor_desc d;
    if (!onnx_util::dtype_from_onnx(tt.elem_type(), &d.type))
      throw error(error::unsupported, where + ": element type " + std::to_string(tt.elem_type()) +
                                          " is not supported");
    if (!tt.has_shape()) throw error(error::invalid_model, where + ": no shape");
    if (tt.shape().dim_size() > kMaxRank) throw error(error::invalid_model, where + ": rank too large");
    for (const onnx::TensorShapeProto_Dimension& dim : tt.shape().dim()) {
      if (dim.has_dim_value() && (dim.dim_value() < 1 || dim.dim_value() > INT_MAX))
        throw error(error::invalid_model, where + ": bad dimension " + std::to_string(dim.dim_value()));
      d.shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    }
    const int id = define(vi.name(), where);
    g.values[size_t(id)].desc = d;
    g.inputs.push_back(id);
  }

  // Constant node -> constant value.
  void add_constant_node(const onnx::NodeProto& n, const std::string& label) {
    if (n.output_size() != 1 || n.attribute_size() != 1)
      throw error(error::unsupported, label + ": expects one output and one attribute");
    const onnx::AttributeProto& a = n.attribute(0);
    std::shared_ptr<tensor> t;
    if (a.name() == "value") t = tensor_from_proto(a.t(), label);
    else if (a.name() == "value_float") t = make_f32_tensor({}, {a.f()});
    else if (a.name() == "value_floats")
      t = make_f32_tensor({a.floats_size()}, std::vector<float>(a.floats().begin(), a.floats().end()));
    else if (a.name() == "value_int") t = make_i64_tensor({}, {a.i()});
    else if (a.name() == "value_ints")
      t = make_i64_tensor({a.ints_size()}, std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    else throw error(error::unsupported, label + ": attribute '" + a.name() + "' is not supported");
    add_constant(n.output(0), std::move(t), label);
  }

  void add_node(const onnx::NodeProto& np, int index) {
    const std::string name = np.name().empty() ? np.op_type() + "_" + std::to_string(index) : np.name();
    const std::string label = node_label(np, name);
    // QLinear* (QLinearConv, QLinearMatMul and com.microsoft's QLinearAdd, QLinear(Global)-
    // AveragePool): imported as their float op, then expanded into the QDQ form (onnx-qlinear.h).
    const qlinear_op* qlinear = qlinear_find(np.domain(), np.op_type());
    if (!qlinear && !default_domain(np.domain()))
      throw error(error::unsupported, label + ": operator '" + np.op_type() + "' of domain '" +
                                          np.domain() + "' is not supported");
    if (!qlinear && np.op_type() == "Constant") return add_constant_node(np, label);
    op_type op = qlinear ? qlinear_float_op(*qlinear) : op_type::conv;
    if (!qlinear && !op_type_from_onnx(np.op_type(), &op))
      throw error(error::unsupported, label + ": operator '" + np.op_type() + "' is not supported");
    std::vector<int> outs;
    for (const std::string& o : np.output()) outs.push_back(o.empty() ? define(name + ":unused" + std::to_string(outs.size()), label) : define(o, label));
    std::vector<int> ins;
    for (const std::string& i : np.input()) {
      if (i.empty()) {
        ins.push_back(-1);
        continue;
      }
      auto it = ids.find(i);
      if (it == ids.end())
        throw error(error::invalid_model, label + ": input '" + i + "' is not defined before use");
      ins.push_back(it->second);
    }
    const int k = g.add_node(op, name, ins, outs);
    node& n = g.nodes[size_t(k)];
    const std::set<std::string>& ok = allowed_attrs(op);
    for (const onnx::AttributeProto& a : np.attribute()) {
      if (!ok.count(a.name()) && !(qlinear && qlinear_accepts_attr(*qlinear, a.name())))
        throw error(error::unsupported, label + ": attribute '" + a.name() + "' is not supported");
      n.attrs[a.name()] = attribute_from_proto(a, label + " attribute '" + a.name() + "'");
    }
    if (qlinear) qlinear_expand(g, k, *qlinear, label);
  }
};

int default_opset(const onnx::ModelProto& m) {
  int opset = -1;
  for (const onnx::OperatorSetIdProto& o : m.opset_import())
    if (default_domain(o.domain())) opset = int(std::min<int64_t>(o.version(), INT_MAX));
  if (opset < 0) throw error(error::invalid_model, "model imports no default-domain opset");
  if (opset < 7 || opset > 21)
    throw error(error::unsupported, "opset " + std::to_string(opset) + " is not supported (7..21)");
  return opset;
}

graph convert(const onnx::ModelProto& m) {
  if (!m.has_graph()) throw error(error::invalid_model, "model has no graph");
  const onnx::GraphProto& gp = m.graph();
  importer im;
  im.g.name = gp.name();
  im.g.opset = default_opset(m);
  for (const onnx::TensorProto& t : gp.initializer())
    im.add_constant(t.name(), tensor_from_proto(t, "initializer '" + t.name() + "'"), "initializer");
  if (gp.sparse_initializer_size() > 0)
    throw error(error::unsupported, "sparse initializers are not supported");
  for (const onnx::ValueInfoProto& vi : gp.input())
    if (!im.ids.count(vi.name())) im.add_input(vi);  // old exports list initializers as inputs
  for (int i = 0; i < gp.node_size(); ++i) im.add_node(gp.node(i), i);
  for (const onnx::ValueInfoProto& vo : gp.output()) {
    auto it = im.ids.find(vo.name());
    if (it == im.ids.end())
      throw error(error::invalid_model, "graph output '" + vo.name() + "' is not defined");
    im.g.outputs.push_back(it->second);
  }
  if (im.g.outputs.empty()) throw error(error::invalid_model, "graph has no outputs");
  im.g.compact();
  return std::move(im.g);
}

}  // namespace

graph onnx_import_memory(const void* data, size_t size, const std::string& name) {
  if (size > size_t(INT_MAX))
    throw error(error::invalid_model, name + ": models over 2 GiB are not supported");
  onnx::ModelProto m;
  if (!m.ParseFromArray(data, int(size)))
    throw error(error::invalid_model,
                name + ": not a valid ONNX model (protobuf parsing failed: truncated or corrupt)");
  try {
    return convert(m);
  } catch (const error& e) {
    throw error(e.code(), name + ": " + e.what());
  }
}

graph onnx_import_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw error(error::io, path + ": cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw error(error::io, path + ": read error");
  return onnx_import_memory(bytes.data(), bytes.size(), path);
}

}  // namespace sfc
