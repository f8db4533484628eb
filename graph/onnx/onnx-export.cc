// graph -> ONNX ModelProto (unfused fp32 graphs: the zoo models, test graphs).
#include <set>

#include "graph/onnx/onnx-proto-util.h"
#include "graph/onnx/onnx.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

void add_value_info(const value& v, onnx::ValueInfoProto* vi) {
  vi->set_name(v.name);
  onnx::TypeProto_Tensor* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_util::dtype_to_onnx(v.desc.type));
  onnx::TensorShapeProto* s = tt->mutable_shape();
  for (int64_t d : v.desc.shape) {
    if (d < 0) s->add_dim()->set_dim_param("N");
    else s->add_dim()->set_dim_value(d);
  }
}

}  // namespace

std::vector<uint8_t> onnx_export(const graph& g) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("sfc");
  m.add_opset_import()->set_version(g.opset);
  onnx::GraphProto* gp = m.mutable_graph();
  gp->set_name(g.name.empty() ? "sfc" : g.name);
  std::set<int> written;
  for (const node& n : g.nodes) {
    if (n.dead) continue;
    if (n.op == op_type::conv && (n.input(3) >= 0 || n.conv.act != activation_kind::none))
      throw error(error::unsupported, n.label() + ": fused convolutions cannot be exported");
    onnx::NodeProto* np = gp->add_node();
    np->set_name(n.name);
    np->set_op_type(op_type_name(n.op));
    for (int i : n.inputs) {
      np->add_input(i < 0 ? std::string() : g.values[size_t(i)].name);
      if (i >= 0 && g.values[size_t(i)].is_const && written.insert(i).second)
        onnx_util::tensor_to_proto(*g.values[size_t(i)].data, g.values[size_t(i)].name,
                                   gp->add_initializer());
    }
    for (int o : n.outputs) np->add_output(g.values[size_t(o)].name);
    for (const auto& a : n.attrs) onnx_util::attribute_to_proto(a.first, a.second, np->add_attribute());
  }
  for (int i : g.inputs) add_value_info(g.values[size_t(i)], gp->add_input());
  for (int o : g.outputs) {
    if (g.values[size_t(o)].is_const && written.insert(o).second)
      onnx_util::tensor_to_proto(*g.values[size_t(o)].data, g.values[size_t(o)].name,
                                 gp->add_initializer());
    add_value_info(g.values[size_t(o)], gp->add_output());
  }
  std::string bytes;
  if (!m.SerializeToString(&bytes)) throw error(error::internal, "onnx_export: serialization failed");
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace sfc
