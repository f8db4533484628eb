// Shape inference with constant folding, and the prepare_graph() driver.
#include <memory>

#include "graph/ops/ops.h"
#include "graph/passes/passes.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

bool is_integer(dtype t) { return t == dtype::i64 || t == dtype::i32; }

// Evaluates n on known (plain) inputs into fresh plain tensors.
void evaluate_node(graph& g, const node& n) {
  std::vector<tensor_desc> saved;
  for (int o : n.outputs) {
    saved.push_back(g.values[size_t(o)].desc);
    g.values[size_t(o)].desc.layout = tensor_layout::plain;
  }
  exec_config cfg;
  std::unique_ptr<node_kernel> k = make_node_kernel(g, n, cfg);
  std::vector<tview> in, out;
  for (int i : n.inputs) {
    if (i < 0) {
      in.push_back(tview{});
      continue;
    }
    const value& v = g.values[size_t(i)];
    in.push_back(tview{&v.data->desc(), const_cast<void*>(v.data->data())});
  }
  std::vector<std::shared_ptr<tensor>> results;
  for (int o : n.outputs) {
    results.push_back(std::make_shared<tensor>(g.values[size_t(o)].desc));
    out.push_back(tview{&results.back()->desc(), results.back()->data()});
  }
  k->run(in, out);
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    value& v = g.values[size_t(n.outputs[i])];
    v.data = results[i];
    v.desc.layout = saved[i].layout;
  }
}

void reset_values(graph& g) {
  for (value& v : g.values) {
    if (v.is_const) continue;
    v.data.reset();
    v.shape_known = false;
  }
  for (int i : g.inputs) {
    value& v = g.values[size_t(i)];
    for (int64_t d : v.desc.shape)
      if (d < 0)
        throw error(error::invalid_argument, "input '" + v.name + "' has dynamic shape " +
                                                 shape_str(v.desc.shape) +
                                                 ": set the input shapes first");
    shape_numel(v.desc.shape, "input '" + v.name + "'");
    v.shape_known = true;
    v.desc.layout = v.desc.rank() == 4 ? tensor_layout::nhwc : tensor_layout::plain;
  }
}

}  // namespace

void set_input_shapes(graph& g, const std::vector<shape_t>& shapes) {
  if (shapes.size() != g.inputs.size())
    throw error(error::invalid_argument, "expected " + std::to_string(g.inputs.size()) +
                                             " input shapes, got " + std::to_string(shapes.size()));
  for (size_t i = 0; i < shapes.size(); ++i) {
    value& v = g.values[size_t(g.inputs[i])];
    bool ok = shapes[i].size() == v.desc.shape.size();
    for (size_t d = 0; ok && d < shapes[i].size(); ++d)
      ok = shapes[i][d] > 0 && (v.desc.shape[d] < 0 || v.desc.shape[d] == shapes[i][d]);
    if (!ok)
      throw error(error::invalid_argument, "input '" + v.name + "': shape " +
                                               shape_str(shapes[i]) + " does not match " +
                                               shape_str(v.desc.shape));
    v.desc.shape = shapes[i];
  }
}

std::vector<shape_t> input_shapes_with_batch(const graph& g, int64_t n) {
  std::vector<shape_t> r;
  for (int i : g.inputs) {
    shape_t s = g.values[size_t(i)].desc.shape;
    if (!s.empty() && s[0] < 0) s[0] = n;
    r.push_back(s);
  }
  return r;
}

void infer_shapes(graph& g, const infer_options& o) {
  g.compact();
  reset_values(g);
  for (node& n : g.nodes) {
    infer_node(g, n);
    for (int out : n.outputs) {
      value& v = g.values[size_t(out)];
      v.desc.layout = v.desc.rank() == 4 ? tensor_layout::nhwc : tensor_layout::plain;
    }
    if (!op_is_foldable(n.op)) continue;
    bool known = true;
    for (int i : n.inputs) known = known && (i < 0 || g.values[size_t(i)].data != nullptr);
    bool out_known = g.values[size_t(n.outputs[0])].data != nullptr;  // set by infer (Shape)
    if (!out_known && known && (o.fold_constants || is_integer(g.values[size_t(n.outputs[0])].desc.type))) {
      evaluate_node(g, n);
      out_known = true;
    }
    if (!out_known || !o.fold_constants) continue;
    for (int out : n.outputs) {
      value& v = g.values[size_t(out)];
      v.is_const = true;
      v.desc.layout = tensor_layout::plain;
      v.producer = -1;
    }
    n.dead = true;
  }
  g.compact();
  // Outputs of removed nodes stay reachable as constants; drop the rest.
  if (o.fold_constants) g.remove_unused();
}

void prepare_graph(graph& g, const prepare_options& o) {
  infer_options io;
  io.fold_constants = o.fold_constants;
  infer_shapes(g, io);
  bool changed = false;
  if (o.fold_batch_norm) changed = fold_batch_norm(g) > 0 || changed;
  if (o.fuse) changed = fuse_conv(g) > 0 || changed;
  if (changed) {
    g.remove_unused();
    infer_shapes(g, io);
  }
}

}  // namespace sfc
