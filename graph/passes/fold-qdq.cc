// QDQ Conv patterns -> int8 Conv nodes of a quantized graph (fold-qdq.h).
#include "graph/passes/fold-qdq.h"

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "kernels/common/error.h"

namespace sfc {
namespace {

// Per-tensor quantization of an activation as a Q / DQ node states it.
struct act_q {
  float scale = 1.f;
  qtype t = qtype::u8;
  int32_t zp = 0;
};

// One conv to fold, found before anything is rewritten.
struct conv_match {
  int conv = -1, relu = -1, q_out = -1;  // node indices (relu -1: none)
  int xq = -1, w = -1;                   // value ids: int8 src, s8 OIHW weights
  act_q src, dst;
  std::vector<float> w_scale;            // [oc]
  std::vector<float> bias;               // real-valued [oc], empty: none
};

[[noreturn]] void fail_model(const node& n, const std::string& what) {
  throw error(error::invalid_model, n.label() + ": " + what);
}
[[noreturn]] void fail_unsup(const node& n, const std::string& what) {
  throw error(error::unsupported, n.label() + ": " + what);
}

bool is_qdq(const node& n) {
  return n.op == op_type::quantize_linear || n.op == op_type::dequantize_linear;
}

const tensor* const_data(const graph& g, int v) {
  if (v < 0 || !g.values[size_t(v)].is_const) return nullptr;
  return g.values[size_t(v)].data.get();
}

// The scale constant of Q / DQ node n, validated: present, constant f32, positive and finite.
const tensor& scale_of(const graph& g, const node& n) {
  if (n.input(1) < 0) fail_model(n, "missing scale (input 1)");
  const tensor* s = const_data(g, n.input(1));
  if (!s) fail_model(n, "scale '" + g.values[size_t(n.input(1))].name + "' must be a constant");
  if (s->desc().type != dtype::f32) fail_model(n, "scale must be float32");
  if (s->numel() < 1) fail_model(n, "scale is empty");
  for (int64_t i = 0; i < s->numel(); ++i) {
    const float v = s->as<float>()[i];
    if (!(v > 0.f) || !std::isfinite(v))
      fail_model(n, "scale must be positive and finite (got " + std::to_string(v) + ")");
  }
  return *s;
}

// Zero points of n as int32 (empty: absent, i.e. zero), and the integer type they state.
std::vector<int32_t> zero_points(const graph& g, const node& n, dtype* type) {
  *type = dtype::u8;  // ONNX: no zero point = uint8 zero point 0
  if (n.input(2) < 0) return {};
  const tensor* z = const_data(g, n.input(2));
  if (!z) fail_model(n, "zero point must be a constant");
  *type = z->desc().type;
  std::vector<int32_t> out(size_t(z->numel()));
  for (size_t i = 0; i < out.size(); ++i) {
    switch (*type) {
      case dtype::u8: out[i] = z->as<uint8_t>()[i]; break;
      case dtype::s8: out[i] = z->as<int8_t>()[i]; break;
      case dtype::i32: out[i] = z->as<int32_t>()[i]; break;
      default: fail_unsup(n, std::string("zero point of type ") + dtype_name(*type));
    }
  }
  return out;
}

// Per-tensor activation quantization of Q / DQ node n.
act_q activation_q(const graph& g, const node& n) {
  const tensor& s = scale_of(g, n);
  dtype zt;
  const std::vector<int32_t> zp = zero_points(g, n, &zt);
  if (s.numel() != 1 || zp.size() > 1)
    fail_unsup(n, "per-axis activation quantization is not supported (per tensor only)");
  if (zt != dtype::u8 && zt != dtype::s8) fail_unsup(n, "activations must be int8 or uint8");
  act_q q;
  q.scale = s.as<float>()[0];
  q.t = zt == dtype::u8 ? qtype::u8 : qtype::s8;
  q.zp = zp.empty() ? 0 : zp[0];
  return q;
}

// The axis a per-axis Q / DQ node n quantizes along, validated against input shape `shape`
// (scale count = that dimension). -1 for per-tensor scales.
int quant_axis(const graph& g, const node& n, const shape_t& shape) {
  const tensor& s = scale_of(g, n);
  if (s.numel() == 1 && s.desc().rank() <= 1) return -1;
  const int r = int(shape.size());
  int64_t axis = n.attr_int("axis", 1);
  if (axis < -r || axis >= r)
    fail_model(n, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
  if (axis < 0) axis += r;
  if (s.desc().rank() != 1 || s.numel() != shape[size_t(axis)])
    fail_model(n, std::to_string(s.numel()) + " scales do not match axis " + std::to_string(axis) +
                      " of size " + std::to_string(shape[size_t(axis)]) + " (wrong axis?)");
  return int(axis);
}

// f32 values of DequantizeLinear node n applied to its constant input q (s8 / u8 / i32).
std::shared_ptr<tensor> dequantize_const(const graph& g, const node& n, const tensor& q) {
  const tensor& s = scale_of(g, n);
  const int axis = quant_axis(g, n, q.desc().shape);
  dtype zt;
  const std::vector<int32_t> zp = zero_points(g, n, &zt);
  if (n.input(2) >= 0 && zt != q.desc().type) fail_model(n, "zero point type differs from the input");
  if (!zp.empty() && zp.size() != size_t(s.numel())) fail_model(n, "scale and zero point sizes differ");
  int64_t inner = 1;
  for (size_t d = size_t(axis + 1); axis >= 0 && d < q.desc().shape.size(); ++d) inner *= q.desc().shape[d];
  const int64_t channels = axis >= 0 ? q.desc().shape[size_t(axis)] : 1;
  auto out = std::make_shared<tensor>(tensor_desc{dtype::f32, q.desc().shape, tensor_layout::plain});
  for (int64_t i = 0; i < q.numel(); ++i) {
    const size_t c = size_t(axis >= 0 ? (i / inner) % channels : 0);
    int32_t v;
    switch (q.desc().type) {
      case dtype::s8: v = q.as<int8_t>()[i]; break;
      case dtype::u8: v = q.as<uint8_t>()[i]; break;
      case dtype::i32: v = q.as<int32_t>()[i]; break;
      default: fail_unsup(n, std::string("cannot dequantize ") + dtype_name(q.desc().type));
    }
    const int32_t z = zp.empty() ? 0 : zp[c];
    out->as<float>()[i] = float(double(int64_t(v) - z) * double(s.as<float>()[c]));
  }
  return out;
}

// As tflite-to-graph.cc: a real bias whose accumulator-unit value float(b_f / (s_in · s_w)) is
// exactly float(b), so that the int8 epilogue adds the int32 bias exactly.
float exact_bias(int32_t b, float s_in, float s_w) {
  const float want = float(b);
  auto acc_units = [&](float bf) { return float(double(bf) / (double(s_in) * double(s_w))); };
  float bf = float(double(b) * double(s_in) * double(s_w));
  float up = bf, down = bf;
  for (int i = 0; i < 64 && acc_units(bf) != want; ++i) {
    up = std::nextafter(up, std::numeric_limits<float>::infinity());
    if (acc_units(up) == want) return up;
    down = std::nextafter(down, -std::numeric_limits<float>::infinity());
    if (acc_units(down) == want) return down;
  }
  return bf;
}

class folder {
 public:
  explicit folder(graph& g) : g_(g), users_(g.consumers()) {}

  int run() {
    for (const node& n : g_.nodes)
      if (!n.dead && is_qdq(n)) scale_of(g_, n);  // every Q / DQ node: a valid scale
    std::vector<conv_match> ms;
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      conv_match m;
      if (!g_.nodes[k].dead && g_.nodes[k].op == op_type::conv && match(int(k), &m))
        ms.push_back(std::move(m));
    }
    for (const conv_match& m : ms) rewrite(m);
    if (ms.empty()) return 0;
    g_.quantized = true;
    materialize_const_dq();
    remap_zero_points();
    g_.remove_unused();
    return int(ms.size());
  }

 private:
  // The single live consumer of value v (-1 if none, several, or v is a graph output).
  int only_user(int v) const {
    if (g_.is_graph_output(v) || users_[size_t(v)].size() != 1) return -1;
    return users_[size_t(v)][0];
  }
  const node* producer_of(int v, op_type op) const {
    if (v < 0) return nullptr;
    const int p = g_.values[size_t(v)].producer;
    if (p < 0 || g_.nodes[size_t(p)].dead || g_.nodes[size_t(p)].op != op) return nullptr;
    return &g_.nodes[size_t(p)];
  }

  bool match(int k, conv_match* m) {
    const node& c = g_.nodes[size_t(k)];
    if (c.attr_int("group", 1) != 1 || c.outputs.size() != 1) return false;
    const node* dx = producer_of(c.input(0), op_type::dequantize_linear);
    const node* dw = producer_of(c.input(1), op_type::dequantize_linear);
    if (!dx || !dw || !producer_of(dx->input(0), op_type::quantize_linear)) return false;
    const tensor* wq = const_data(g_, dw->input(0));
    if (!wq || wq->desc().type != dtype::s8 || wq->desc().rank() != 4) return false;
    // The output: Conv [-> Relu] -> QuantizeLinear, each the only reader.
    int y = c.outputs[0], u = only_user(y);
    if (u >= 0 && g_.nodes[size_t(u)].op == op_type::relu) {
      m->relu = u;
      y = g_.nodes[size_t(u)].outputs.at(0);
      u = only_user(y);
    }
    if (u < 0 || g_.nodes[size_t(u)].op != op_type::quantize_linear) return false;
    m->conv = k, m->q_out = u, m->xq = dx->input(0), m->w = dw->input(0);
    m->src = activation_q(g_, *dx);
    m->dst = activation_q(g_, g_.nodes[size_t(u)]);
    weights(*dw, *wq, m);
    if (c.input(2) >= 0) bias(c, m);
    return true;
  }

  void weights(const node& dw, const tensor& wq, conv_match* m) {
    const int64_t oc = wq.desc().shape[0];
    const tensor& s = scale_of(g_, dw);
    const int axis = quant_axis(g_, dw, wq.desc().shape);
    if (axis > 0)
      fail_unsup(dw, "weight scales along axis " + std::to_string(axis) +
                         ": only per-tensor or per-output-channel (axis 0) scales can be folded");
    dtype zt;
    for (int32_t z : zero_points(g_, dw, &zt))
      if (z != 0) fail_unsup(dw, "weights with a non-zero zero point are not supported");
    if (dw.input(2) >= 0 && zt != dtype::s8) fail_model(dw, "zero point type differs from the weights");
    for (int64_t i = 0; i < wq.numel(); ++i)
      if (wq.as<int8_t>()[i] == -128)
        fail_unsup(dw, "weight value -128: int8 weights must lie in [-127, 127]");
    m->w_scale.assign(size_t(oc), s.as<float>()[0]);
    if (axis == 0) m->w_scale.assign(s.as<float>(), s.as<float>() + oc);
  }

  // Bias: an f32 constant, or DequantizeLinear of an int32 constant (exact when its scale is
  // s_x · s_w, the usual QDQ convention).
  void bias(const node& c, conv_match* m) {
    const int bv = c.input(2);
    const size_t oc = m->w_scale.size();
    if (const tensor* b = const_data(g_, bv)) {
      if (b->desc().type != dtype::f32 || size_t(b->numel()) != oc)
        fail_model(c, "bias must hold one float per output channel");
      m->bias.assign(b->as<float>(), b->as<float>() + oc);
      return;
    }
    const node* db = producer_of(bv, op_type::dequantize_linear);
    const tensor* bq = db ? const_data(g_, db->input(0)) : nullptr;
    if (!bq || bq->desc().type != dtype::i32 || size_t(bq->numel()) != oc)
      fail_unsup(c, "bias must be a constant, or DequantizeLinear of a constant int32 [oc] vector");
    const std::shared_ptr<tensor> real = dequantize_const(g_, *db, *bq);
    const tensor& s = scale_of(g_, *db);
    m->bias.assign(real->as<float>(), real->as<float>() + oc);
    for (size_t o = 0; o < oc; ++o) {
      const double want = double(m->src.scale) * m->w_scale[o];
      const double got = s.as<float>()[s.numel() == 1 ? 0 : o];
      if (std::fabs(got - want) <= 1e-6 * want && zero_points_absent_or_zero(*db))
        m->bias[o] = exact_bias(bq->as<int32_t>()[o], m->src.scale, m->w_scale[o]);
    }
  }
  bool zero_points_absent_or_zero(const node& n) const {
    dtype t;
    for (int32_t z : zero_points(g_, n, &t))
      if (z != 0) return false;
    return true;
  }

  void rewrite(const conv_match& m) {
    node& c = g_.nodes[size_t(m.conv)];
    const int out = g_.nodes[size_t(m.q_out)].outputs.at(0);
    std::vector<int> ins = {m.xq, m.w};
    if (!m.bias.empty())
      ins.push_back(g_.add_constant(c.name + "/bias_real",
                                    make_f32_tensor({int64_t(m.bias.size())}, m.bias)));
    c.inputs = ins;
    c.outputs = {out};
    conv_quant_params& q = c.conv.quant;
    q.valid = true;
    q.src_type = m.src.t, q.src_scale = m.src.scale, q.src_zero_point = m.src.zp;
    q.weight_scale = m.w_scale;
    q.dst_type = m.dst.t, q.dst_scale = m.dst.scale, q.dst_zero_point = m.dst.zp;
    if (m.relu >= 0) {
      c.conv.act = activation_kind::relu, c.conv.act_min = 0.f;
      g_.nodes[size_t(m.relu)].dead = true;
    }
    g_.nodes[size_t(m.q_out)].dead = true;
    folded_.insert(m.conv);
  }

  // DequantizeLinear of a constant still read by someone: an f32 constant (per-axis allowed).
  void materialize_const_dq() {
    g_.compact();  // producers of the folded convs' outputs
    users_ = g_.consumers();
    for (node& n : g_.nodes) {
      if (n.op != op_type::dequantize_linear || users_[size_t(n.outputs.at(0))].empty()) continue;
      const tensor* q = const_data(g_, n.input(0));
      if (!q) continue;
      value& v = g_.values[size_t(n.outputs[0])];
      v.data = dequantize_const(g_, n, *q);
      v.desc = v.data->desc();
      v.is_const = v.shape_known = true;
      n.dead = true;
    }
    g_.compact();  // node indices change: find the folded convs again
    folded_.clear();
    for (size_t k = 0; k < g_.nodes.size(); ++k)
      if (g_.nodes[k].op == op_type::conv && g_.nodes[k].conv.quant.valid) folded_.insert(int(k));
    users_ = g_.consumers();
  }

  int zp_const(const std::string& name, int32_t zp) {
    auto t = std::make_shared<tensor>(tensor_desc{dtype::u8, {}, tensor_layout::plain});
    t->as<uint8_t>()[0] = uint8_t(zp);
    return g_.add_constant(name, t);
  }

  // int8 values with zero point −128 (from a QuantizeLinear or a folded conv) become u8 with
  // zero point 0: the producer and every reader (DequantizeLinear, folded conv) shift by 128.
  void remap_zero_points() {
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      node& p = g_.nodes[k];
      const bool conv = folded_.count(int(k)) != 0;
      if (!conv && p.op != op_type::quantize_linear) continue;
      const int v = p.outputs.at(0);
      const act_q q = conv ? act_q{p.conv.quant.dst_scale, p.conv.quant.dst_type,
                                   p.conv.quant.dst_zero_point}
                           : activation_q(g_, p);
      if (q.t != qtype::s8 || q.zp != -128 || g_.is_graph_output(v)) continue;
      bool ok = true;
      for (int u : users_[size_t(v)]) {
        const node& r = g_.nodes[size_t(u)];
        ok = ok && ((r.op == op_type::dequantize_linear && r.input(0) == v) ||
                    (folded_.count(u) && r.input(0) == v && r.input(3) != v));
      }
      if (!ok) continue;
      if (conv) p.conv.quant.dst_type = qtype::u8, p.conv.quant.dst_zero_point = 0;
      else p.inputs.resize(3), p.inputs[2] = zp_const(g_.values[size_t(v)].name + "/zp_u8", 0);
      for (int u : users_[size_t(v)]) {
        node& r = g_.nodes[size_t(u)];
        if (folded_.count(u)) {
          r.conv.quant.src_type = qtype::u8, r.conv.quant.src_zero_point += 128;
        } else {
          const int32_t z = activation_q(g_, r).zp;  // s8 as the producer's
          r.inputs.resize(3);
          r.inputs[2] = zp_const(g_.values[size_t(v)].name + "/zp_u8_" + std::to_string(u), z + 128);
        }
      }
    }
  }

  graph& g_;
  std::vector<std::vector<int>> users_;
  std::set<int> folded_;
};

}  // namespace

int fold_qdq(graph& g) { return folder(g).run(); }

}  // namespace sfc
