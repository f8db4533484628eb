// Conv epilogue fusion:
//   Conv(x) -> Add(·, r)       =>  Conv with residual input r (inputs[3])
//   Conv    -> Relu / Clip     =>  Conv with act = relu / clip(min, max)
// A conv output is fused only if the Add / activation is its single reader and it is not a graph
// output. For an Add of two conv outputs the later conv takes the residual, so the other operand
// has already been computed when it runs (the ResNet downsample branch).
#include <limits>

#include "graph/passes/passes.h"

namespace sfc {
namespace {

bool fusable_conv(const graph& g, const std::vector<std::vector<int>>& users, int v) {
  const int p = g.values[size_t(v)].producer;
  if (p < 0 || users[size_t(v)].size() != 1 || g.is_graph_output(v)) return false;
  const node& c = g.nodes[size_t(p)];
  return !c.dead && c.op == op_type::conv && c.input(3) < 0 && c.conv.act == activation_kind::none;
}

bool const_scalar(const graph& g, const node& n, size_t i, float* out) {
  const int v = n.input(i);
  if (v < 0) return true;
  const value& val = g.values[size_t(v)];
  if (!val.is_const || val.desc.type != dtype::f32 || val.desc.numel() != 1) return false;
  *out = val.data->as<float>()[0];
  return true;
}

int fuse_residual(graph& g) {
  const std::vector<std::vector<int>> users = g.consumers();
  int count = 0;
  for (node& add : g.nodes) {
    if (add.dead || add.op != op_type::add || add.inputs.size() != 2) continue;
    const value& a = g.values[size_t(add.inputs[0])];
    const value& b = g.values[size_t(add.inputs[1])];
    if (a.is_const || b.is_const || a.desc.shape != b.desc.shape || a.desc.type != dtype::f32 ||
        b.desc.type != dtype::f32)
      continue;
    int pick = -1;
    for (int k = 0; k < 2; ++k)
      if (fusable_conv(g, users, add.inputs[size_t(k)]) &&
          (pick < 0 || g.values[size_t(add.inputs[size_t(k)])].producer >
                           g.values[size_t(add.inputs[size_t(pick)])].producer))
        pick = k;
    if (pick < 0) continue;
    node& conv = g.nodes[size_t(g.values[size_t(add.inputs[size_t(pick)])].producer)];
    conv.inputs.resize(4, -1);
    conv.inputs[3] = add.inputs[size_t(1 - pick)];
    conv.outputs[0] = add.outputs[0];
    add.dead = true;
    ++count;
  }
  g.compact();
  return count;
}

int fuse_activation(graph& g) {
  const std::vector<std::vector<int>> users = g.consumers();
  int count = 0;
  for (node& act : g.nodes) {
    if (act.dead || (act.op != op_type::relu && act.op != op_type::clip)) continue;
    if (!fusable_conv(g, users, act.inputs[0])) {
      const int p = g.values[size_t(act.inputs[0])].producer;
      // A conv that already took a residual may still take the activation.
      if (p < 0 || users[size_t(act.inputs[0])].size() != 1 || g.is_graph_output(act.inputs[0]) ||
          g.nodes[size_t(p)].op != op_type::conv || g.nodes[size_t(p)].conv.act != activation_kind::none)
        continue;
    }
    node& conv = g.nodes[size_t(g.values[size_t(act.inputs[0])].producer)];
    float lo = 0.f, hi = std::numeric_limits<float>::infinity();
    if (act.op == op_type::clip) {
      lo = -std::numeric_limits<float>::infinity();
      if (!const_scalar(g, act, 1, &lo) || !const_scalar(g, act, 2, &hi)) continue;
      lo = act.attr_float("min", lo), hi = act.attr_float("max", hi);
    }
    conv.conv.act = act.op == op_type::relu ? activation_kind::relu : activation_kind::clip;
    conv.conv.act_min = lo, conv.conv.act_max = hi;
    conv.outputs[0] = act.outputs[0];
    act.dead = true;
    ++count;
  }
  g.compact();
  return count;
}

}  // namespace

int fuse_conv(graph& g) {
  const int r = fuse_residual(g);
  return r + fuse_activation(g);
}

}  // namespace sfc
