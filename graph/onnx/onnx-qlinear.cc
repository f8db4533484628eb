// QLinear* ops -> DequantizeLinear / float op / QuantizeLinear (onnx-qlinear.h).
#include "graph/onnx/onnx-qlinear.h"

#include <memory>
#include <utility>
#include <vector>

#include "kernels/common/error.h"

namespace sfc {

// Inputs come as `operands` triplets (data, scale, zero point), then the output's scale and
// zero point, then (QLinearConv) the optional bias.
struct qlinear_op {
  const char* name;
  bool contrib;      // com.microsoft domain
  op_type op;        // the float op
  int operands;      // quantized operands
  int per_axis;      // operand whose scale may hold several values (-1: none)
  int per_axis_dim;  // the axis of that operand its scales run along
  bool bias;         // QLinearConv's int32 B
  bool pool;         // takes channels_last
  const char* inputs[9];
};

namespace {

const qlinear_op kOps[] = {
    {"QLinearConv", false, op_type::conv, 2, 1, 0, true, false,
     {"x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point",
      "B"}},
    {"QLinearMatMul", false, op_type::matmul, 2, 1, -1, false, false,
     {"a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale", "y_zero_point"}},
    {"QLinearAdd", true, op_type::add, 2, -1, 0, false, false,
     {"A", "A_scale", "A_zero_point", "B", "B_scale", "B_zero_point", "C_scale", "C_zero_point"}},
    {"QLinearGlobalAveragePool", true, op_type::global_avg_pool, 1, -1, 0, false, true,
     {"X", "x_scale", "x_zero_point", "y_scale", "y_zero_point"}},
    {"QLinearAveragePool", true, op_type::avg_pool, 1, -1, 0, false, true,
     {"X", "x_scale", "x_zero_point", "y_scale", "y_zero_point"}},
};

attribute int_attr(int64_t v) {
  attribute a;
  a.kind = attribute::i, a.int_value = v;
  return a;
}

class expander {
 public:
  expander(graph& g, int k, const qlinear_op& q, const std::string& label)
      : g_(g), k_(k), n_(g.nodes[size_t(k)]), q_(q), label_(label) {}

  void run() {
    const int out_scale = 3 * q_.operands;
    const size_t lo = size_t(out_scale + 1), hi = size_t(out_scale + 2 + (q_.bias ? 1 : 0));
    if (n_.inputs.size() < lo || n_.inputs.size() > hi || n_.outputs.size() != 1)
      fail(std::string(q_.name) + " takes " + std::to_string(lo) + " to " + std::to_string(hi) +
           " inputs and one output");
    if (q_.pool) channels_last();
    // Validate everything before the first node is added.
    for (int i = 0; i < q_.operands; ++i) {
      require(3 * i);
      scale(3 * i + 1, i == q_.per_axis);
      zero_point(3 * i + 2);
    }
    scale(out_scale, false);
    zero_point(out_scale + 1);
    std::vector<int> ins;
    for (int i = 0; i < q_.operands; ++i) {
      const int x = 3 * i;
      ins.push_back(add1(op_type::dequantize_linear, std::string("/") + q_.inputs[x] + "_dq",
                         {n_.inputs[size_t(x)], n_.inputs[size_t(x + 1)], n_.input(size_t(x + 2))},
                         i == q_.per_axis));
    }
    if (q_.bias && n_.input(size_t(out_scale + 2)) >= 0) ins.push_back(bias(out_scale + 2));
    const int y = g_.add_value(n_.name + "/y_f32");
    node& f = g_.nodes[size_t(k_)];
    f.inputs = ins;
    f.outputs = {y};
    g_.add_node(op_type::quantize_linear, n_.name + "/y_q",
                {y, n_.inputs[size_t(out_scale)], n_.input(size_t(out_scale + 1))}, n_.outputs);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw error(error::invalid_model, label_ + ": " + what);
  }
  std::string quoted(int i) const { return std::string("'") + q_.inputs[i] + "'"; }

  void require(int i) const {
    if (n_.input(size_t(i)) < 0) fail("missing input " + quoted(i));
  }

  // Input i: a float32 constant, one value unless `per_axis`.
  const tensor& scale(int i, bool per_axis) const {
    require(i);
    const value& v = g_.values[size_t(n_.inputs[size_t(i)])];
    if (!v.is_const || !v.data || v.data->desc().type != dtype::f32 || v.data->numel() < 1)
      fail(quoted(i) + " must be a float32 constant");
    if (!per_axis && v.data->numel() != 1) fail(quoted(i) + " must be one value (per tensor)");
    return *v.data;
  }

  void zero_point(int i) const {
    const int v = n_.input(size_t(i));
    if (v >= 0 && !g_.values[size_t(v)].is_const) fail(quoted(i) + " must be a constant");
  }

  // onnxruntime's QLinear pooling ops also run on NHWC data (channels_last = 1); only NCHW is
  // imported.
  void channels_last() {
    node& f = g_.nodes[size_t(k_)];
    const auto it = f.attrs.find("channels_last");
    if (it == f.attrs.end()) return;
    if (it->second.kind != attribute::i || it->second.int_value != 0)
      throw error(error::unsupported,
                  label_ + ": channels_last = 1 is not supported (NCHW only, channels_last = 0)");
    f.attrs.erase(it);
  }

  // A node `op` reading `ins` into a new value; returns the value.
  int add1(op_type op, const std::string& suffix, std::vector<int> ins, bool per_axis) {
    const int out = g_.add_value(n_.name + suffix);
    const int idx = g_.add_node(op, n_.name + suffix, std::move(ins), {out});
    if (per_axis) g_.nodes[size_t(idx)].attrs["axis"] = int_attr(q_.per_axis_dim);
    return out;
  }

  // QLinearConv's B: int32 accumulator units, i.e. real value B[oc] · x_scale · w_scale[oc].
  int bias(int i) {
    const tensor& xs = scale(1, false);
    const tensor& ws = scale(4, true);
    std::vector<float> bs(size_t(ws.numel()));
    for (size_t o = 0; o < bs.size(); ++o) bs[o] = xs.as<float>()[0] * ws.as<float>()[o];
    const int bsc =
        g_.add_constant(n_.name + "/b_scale", make_f32_tensor({int64_t(bs.size())}, bs));
    return add1(op_type::dequantize_linear, "/b_dq", {n_.inputs[size_t(i)], bsc}, true);
  }

  graph& g_;
  const int k_;
  const node n_;  // a copy: add_node reallocates g_.nodes
  const qlinear_op& q_;
  const std::string& label_;
};

}  // namespace

const qlinear_op* qlinear_find(const std::string& domain, const std::string& name) {
  const bool contrib = domain == "com.microsoft";
  if (!contrib && !domain.empty() && domain != "ai.onnx") return nullptr;
  for (const qlinear_op& q : kOps)
    if (name == q.name && contrib == q.contrib) return &q;
  return nullptr;
}

op_type qlinear_float_op(const qlinear_op& q) { return q.op; }

bool qlinear_accepts_attr(const qlinear_op& q, const std::string& attr) {
  return q.pool && attr == "channels_last";
}

void qlinear_expand(graph& g, int k, const qlinear_op& q, const std::string& label) {
  expander(g, k, q, label).run();
}

}  // namespace sfc
