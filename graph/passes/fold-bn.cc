// BatchNormalization folding into the preceding Conv (inference mode):
//   s[o]  = gamma[o] / sqrt(var[o] + eps)
//   W'[o] = W[o] · s[o]                       (every weight of output channel o)
//   b'[o] = (b[o] − mean[o]) · s[o] + beta[o]  (b = 0 without a conv bias)
// Applies when the conv output feeds only the BN, is not a graph output, and every parameter is
// a constant. The rewritten conv produces the BN's output value.
#include <cmath>
#include <cstring>

#include "graph/passes/passes.h"

namespace sfc {
namespace {

bool all_const(const graph& g, const node& n, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    const int v = n.input(i);
    if (v < 0 || !g.values[size_t(v)].is_const || g.values[size_t(v)].desc.type != dtype::f32)
      return false;
  }
  return true;
}

void fold_one(graph& g, node& conv, node& bn) {
  const tensor& w = *g.values[size_t(conv.inputs[1])].data;
  const int64_t oc = w.desc().shape[0], per_oc = w.numel() / oc;
  const float* gamma = g.values[size_t(bn.inputs[1])].data->as<float>();
  const float* beta = g.values[size_t(bn.inputs[2])].data->as<float>();
  const float* mean = g.values[size_t(bn.inputs[3])].data->as<float>();
  const float* var = g.values[size_t(bn.inputs[4])].data->as<float>();
  const double eps = bn.attr_float("epsilon", 1e-5f);
  const float* b = conv.input(2) >= 0 ? g.values[size_t(conv.inputs[2])].data->as<float>() : nullptr;
  auto nw = std::make_shared<tensor>(w.desc());
  auto nb = std::make_shared<tensor>(tensor_desc{dtype::f32, {oc}, tensor_layout::plain});
  for (int64_t o = 0; o < oc; ++o) {
    const double s = double(gamma[o]) / std::sqrt(double(var[o]) + eps);
    for (int64_t k = 0; k < per_oc; ++k)
      nw->as<float>()[o * per_oc + k] = float(double(w.as<float>()[o * per_oc + k]) * s);
    nb->as<float>()[o] = float(((b ? double(b[o]) : 0.0) - mean[o]) * s + beta[o]);
  }
  conv.inputs.resize(3, -1);
  conv.inputs[1] = g.add_constant(conv.name + ".weight_bn", nw);
  conv.inputs[2] = g.add_constant(conv.name + ".bias_bn", nb);
  conv.outputs[0] = bn.outputs[0];
  bn.dead = true;
}

}  // namespace

int fold_batch_norm(graph& g) {
  const std::vector<std::vector<int>> users = g.consumers();
  int count = 0;
  for (node& bn : g.nodes) {
    if (bn.dead || bn.op != op_type::batch_norm || bn.inputs.size() != 5) continue;
    const int x = bn.inputs[0];
    const int p = g.values[size_t(x)].producer;
    if (p < 0 || users[size_t(x)].size() != 1 || g.is_graph_output(x)) continue;
    node& conv = g.nodes[size_t(p)];
    if (conv.dead || conv.op != op_type::conv || conv.input(3) >= 0 ||
        conv.conv.act != activation_kind::none)
      continue;
    if (!all_const(g, bn, 1, 5) || !all_const(g, conv, 1, 2)) continue;
    if (conv.input(2) >= 0 && !all_const(g, conv, 2, 3)) continue;
    fold_one(g, conv, bn);
    ++count;
  }
  g.compact();
  return count;
}

}  // namespace sfc
