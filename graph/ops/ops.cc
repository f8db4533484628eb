// Op dispatch (infer_node, make_node_kernel) and the helpers of op-util.h.
#include "graph/ops/ops.h"

#include <cmath>

#include "graph/ops/op-util.h"

namespace sfc {
namespace ops {

void check_arity(const node& n, size_t min_in, size_t max_in, size_t outs) {
  if (n.inputs.size() < min_in || n.inputs.size() > max_in)
    fail_invalid(n, "expects " + std::to_string(min_in) +
                        (max_in != min_in ? ".." + std::to_string(max_in) : std::string()) +
                        " inputs, got " + std::to_string(n.inputs.size()));
  for (size_t i = 0; i < min_in; ++i)
    if (n.inputs[i] < 0) fail_invalid(n, "required input " + std::to_string(i) + " is missing");
  if (n.outputs.size() != outs)
    fail_unsupported(n, "expects " + std::to_string(outs) + " output(s), got " +
                            std::to_string(n.outputs.size()));
}

bool has_input(const node& n, size_t i) { return n.input(i) >= 0; }

const value& input(const graph& g, const node& n, size_t i) {
  const int id = n.input(i);
  if (id < 0) fail_invalid(n, "required input " + std::to_string(i) + " is missing");
  const value& v = g.values[size_t(id)];
  if (!v.shape_known) fail_invalid(n, "input '" + v.name + "' has no known shape");
  return v;
}

const tensor* const_input(const graph& g, const node& n, size_t i, const char* what,
                          bool optional) {
  if (!has_input(n, i)) {
    if (optional) return nullptr;
    fail_invalid(n, std::string("missing input ") + what);
  }
  const value& v = input(g, n, i);
  if (!v.data)
    fail_unsupported(n, std::string(what) + " ('" + v.name +
                            "') must be known at load time (constant or computable from shapes)");
  return v.data.get();
}

std::vector<int64_t> const_ints(const graph& g, const node& n, size_t i, const char* what) {
  const tensor* t = const_input(g, n, i, what);
  if (t->desc().type != dtype::i64 && t->desc().type != dtype::i32)
    fail_invalid(n, std::string(what) + " must be an integer tensor");
  return tensor_to_i64(*t);
}

float const_scalar_f32(const graph& g, const node& n, size_t i, const char* what, float def) {
  const tensor* t = const_input(g, n, i, what, true);
  if (!t) return def;
  if (t->numel() != 1) fail_invalid(n, std::string(what) + " must be a scalar");
  switch (t->desc().type) {
    case dtype::f32: return t->as<float>()[0];
    case dtype::i64: return float(t->as<int64_t>()[0]);
    case dtype::i32: return float(t->as<int32_t>()[0]);
    default: fail_unsupported(n, std::string(what) + " has an unsupported type");
  }
}

void set_output(graph& g, const node& n, size_t i, dtype t, const shape_t& s) {
  value& v = g.values[size_t(n.outputs[i])];
  shape_numel(s, n.label() + " output '" + v.name + "'");
  v.desc.type = t;
  v.desc.shape = s;
  v.shape_known = true;
}

const value& output(const graph& g, const node& n, size_t i) {
  return g.values[size_t(n.outputs[i])];
}

int normalize_axis(const node& n, int64_t axis, int rank) {
  if (axis < -rank || axis >= rank)
    fail_invalid(n, "axis " + std::to_string(axis) + " is out of range for rank " +
                        std::to_string(rank));
  return int(axis < 0 ? axis + rank : axis);
}

int64_t window2d::out(int64_t in, bool vertical) const {
  const int64_t k = vertical ? kh : kw, s = vertical ? sh : sw;
  const int64_t lo = vertical ? pad_t : pad_l, hi = vertical ? pad_b : pad_r;
  const int64_t span = in + lo + hi - k;
  if (span < 0) return 0;
  if (!ceil_mode) return span / s + 1;
  int64_t o = (span + s - 1) / s + 1;
  if ((o - 1) * s >= in + lo) --o;  // the last window must start inside the input (PyTorch rule)
  return o;
}

namespace {
int checked_small(const node& n, const char* what, int64_t v, int64_t lo) {
  if (v < lo || v > 65535)
    fail_invalid(n, std::string(what) + " value " + std::to_string(v) + " is out of range");
  return int(v);
}
}  // namespace

window2d resolve_window2d(const node& n, int64_t h, int64_t w, int kh, int kw) {
  window2d wd;
  wd.kh = kh, wd.kw = kw;
  const std::vector<int64_t> dil = n.attr_ints("dilations", {1, 1});
  if (dil.size() != 2) fail_unsupported(n, "only 2-D windows are supported");
  if (dil[0] != 1 || dil[1] != 1) fail_unsupported(n, "dilations other than 1 are not supported");
  const std::vector<int64_t> st = n.attr_ints("strides", {1, 1});
  const std::vector<int64_t> pads = n.attr_ints("pads", {0, 0, 0, 0});
  if (st.size() != 2 || pads.size() != 4) fail_unsupported(n, "only 2-D windows are supported");
  wd.sh = checked_small(n, "strides", st[0], 1), wd.sw = checked_small(n, "strides", st[1], 1);
  wd.ceil_mode = n.attr_int("ceil_mode", 0) != 0;
  const std::string ap = n.attr_string("auto_pad", "NOTSET");
  if (ap == "NOTSET") {
    wd.pad_t = checked_small(n, "pads", pads[0], 0), wd.pad_l = checked_small(n, "pads", pads[1], 0);
    wd.pad_b = checked_small(n, "pads", pads[2], 0), wd.pad_r = checked_small(n, "pads", pads[3], 0);
  } else if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    const int64_t oh = (h + wd.sh - 1) / wd.sh, ow = (w + wd.sw - 1) / wd.sw;
    const int64_t ph = std::max<int64_t>(0, (oh - 1) * wd.sh + kh - h);
    const int64_t pw = std::max<int64_t>(0, (ow - 1) * wd.sw + kw - w);
    const bool upper = ap == "SAME_UPPER";
    wd.pad_t = int(upper ? ph / 2 : ph - ph / 2), wd.pad_b = int(ph) - wd.pad_t;
    wd.pad_l = int(upper ? pw / 2 : pw - pw / 2), wd.pad_r = int(pw) - wd.pad_l;
  } else if (ap != "VALID") {
    fail_unsupported(n, "auto_pad '" + ap + "' is not supported");
  }
  if (wd.out(h, true) < 1 || wd.out(w, false) < 1)
    fail_invalid(n, "window " + std::to_string(kh) + "x" + std::to_string(kw) +
                        " does not fit the padded input " + std::to_string(h) + "x" +
                        std::to_string(w));
  return wd;
}

}  // namespace ops

void infer_node(graph& g, node& n) {
  switch (n.op) {
    case op_type::conv: return infer_conv(g, n);
    case op_type::batch_norm:
    case op_type::relu:
    case op_type::clip:
    case op_type::add:
    case op_type::sub:
    case op_type::mul:
    case op_type::div:
    case op_type::identity:
    case op_type::cast: return infer_elementwise(g, n);
    case op_type::max_pool:
    case op_type::avg_pool:
    case op_type::global_avg_pool:
    case op_type::reduce_mean: return infer_pool(g, n);
    case op_type::gemm:
    case op_type::matmul:
    case op_type::softmax: return infer_linear(g, n);
    case op_type::quantize_linear:
    case op_type::dequantize_linear: return infer_quant(g, n);
    default: return infer_movement(g, n);
  }
}

bool op_is_foldable(op_type op) {
  switch (op) {
    case op_type::conv:
    case op_type::batch_norm:
    case op_type::max_pool:
    case op_type::avg_pool:
    case op_type::global_avg_pool:
    case op_type::reduce_mean:
    case op_type::gemm:
    case op_type::matmul:
    case op_type::softmax:
    case op_type::quantize_linear:
    case op_type::dequantize_linear: return false;
    default: return true;
  }
}

std::unique_ptr<node_kernel> make_node_kernel(const graph& g, const node& n,
                                              const exec_config& cfg) {
  switch (n.op) {
    case op_type::conv: return make_conv_kernel(g, n, cfg);
    case op_type::batch_norm:
    case op_type::relu:
    case op_type::clip:
    case op_type::add:
    case op_type::sub:
    case op_type::mul:
    case op_type::div:
    case op_type::identity:
    case op_type::cast: return make_elementwise_kernel(g, n);
    case op_type::max_pool:
    case op_type::avg_pool:
    case op_type::global_avg_pool:
    case op_type::reduce_mean: return make_pool_kernel(g, n, cfg.threads);
    case op_type::gemm:
    case op_type::matmul:
    case op_type::softmax: return make_linear_kernel(g, n, cfg.threads);
    case op_type::quantize_linear:
    case op_type::dequantize_linear: return make_quant_kernel(g, n, cfg.threads);
    default: return make_movement_kernel(g, n);
  }
}

}  // namespace sfc
