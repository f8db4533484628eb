// quantize_graph: the int8 mode's rewrite of a prepared fp32 graph.
//
// Quantization scheme (zero point 0 everywhere, so a zero pad or conv padding is exactly 0):
//   conv output     u8 with scale max / 255 after ReLU (or a Clip with min >= 0), else s8 with
//                   scale max|x| / 127, from the calibrated range of the (fused) conv output;
//   f32 -> conv     QuantizeLinear: u8 if the calibrated minimum is >= 0, else s8;
//   weights         s8 per output channel, scale max|w[oc]| / 127 (quantized by the kernel);
//   pass-through    MaxPool, Slice, Pad (constant 0), Reshape, Flatten, (Un)Squeeze, Identity,
//                   Transpose keep the int8 type and scale of their data input;
//   anything else   reads f32: a DequantizeLinear node is inserted before it (once per value).
// Grouped convolutions stay f32.
#include <algorithm>
#include <cmath>

#include "graph/passes/passes.h"
#include "kernels/common/error.h"

namespace sfc {


namespace {

dtype to_dtype(qtype t) { return t == qtype::u8 ? dtype::u8 : dtype::s8; }

float scale_for(const value_range& r, qtype t, const range_method& rm) {
  const int levels = t == qtype::u8 ? 255 : 127;
  const float m = clip_threshold(r, t == qtype::u8, levels, rm);
  const float s = m / float(levels);
  return s > 0.f && std::isfinite(s) ? s : 1.f;
}

struct qinfo {
  bool q = false;
  qtype t = qtype::s8;
  float scale = 1.f;
};

class quantizer {
 public:
  quantizer(graph& g, const calibration_ranges& r, const range_method& rm)
      : g_(g), r_(r), rm_(rm) {
    grow();
  }

  int run() {
    const std::vector<node> in = g_.nodes;
    for (size_t i = 0; i < in.size(); ++i) {
      node n = in[i];
      if (n.op == op_type::conv && n.conv.groups == 1) {
        quantize_conv(n, i);
        ++convs_;
      } else if (passes_int8(n)) {
        set_q(n.outputs[0], info_[size_t(n.inputs[0])].t, info_[size_t(n.inputs[0])].scale);
      } else {
        for (int& v : n.inputs)
          if (v >= 0) v = dequantized(v);
      }
      out_.push_back(std::move(n));
    }
    for (int& o : g_.outputs) fix_output(o);
    g_.nodes = std::move(out_);
    g_.compact();
    return convs_;
  }

 private:
  void grow() {
    info_.resize(g_.values.size());
    q_of_.resize(g_.values.size(), -1);
    f_of_.resize(g_.values.size(), -1);
  }

  const value_range& range(int v) const {
    if (size_t(v) >= r_.values.size() || !r_.values[size_t(v)].seen)
      throw error(error::internal, "quantize_graph: no calibration range for value '" +
                                       g_.values[size_t(v)].name + "'");
    return r_.values[size_t(v)];
  }

  void set_q(int v, qtype t, float scale) {
    info_[size_t(v)] = {true, t, scale};
    g_.values[size_t(v)].desc.type = to_dtype(t);
  }

  int scalar_constant(const std::string& name, dtype t, float v) {
    auto c = std::make_shared<tensor>(tensor_desc{t, {}, tensor_layout::plain});
    if (t == dtype::f32)
      c->as<float>()[0] = v;
    else if (t == dtype::u8)
      c->as<uint8_t>()[0] = uint8_t(v);
    else
      c->as<int8_t>()[0] = int8_t(v);
    const int id = g_.add_constant(name, c);
    grow();
    return id;
  }

  // A node `op` reading v into a new value (copy of v's description with type t).
  int insert(op_type op, int v, const std::string& suffix, dtype t, float scale, dtype zp_type) {
    const std::string base = g_.values[size_t(v)].name + suffix;
    const int s = scalar_constant(base + "/scale", dtype::f32, scale);
    const int zp = scalar_constant(base + "/zero_point", zp_type, 0.f);
    const int out = g_.add_value(base);
    grow();
    value& o = g_.values[size_t(out)];
    o.desc = g_.values[size_t(v)].desc;
    o.desc.type = t;
    o.shape_known = true;
    node n;
    n.op = op, n.name = base, n.inputs = {v, s, zp}, n.outputs = {out};
    out_.push_back(std::move(n));
    return out;
  }

  int quantized(int v) {
    if (info_[size_t(v)].q) return v;
    if (q_of_[size_t(v)] >= 0) return q_of_[size_t(v)];
    const value_range& r = range(v);
    const qtype t = r.min >= 0.f ? qtype::u8 : qtype::s8;
    const float scale = scale_for(r, t, rm_);
    const int q = insert(op_type::quantize_linear, v, "/q", to_dtype(t), scale, to_dtype(t));
    q_of_[size_t(v)] = q;
    info_[size_t(q)] = {true, t, scale};
    return q;
  }

  int dequantized(int v) {
    const qinfo qi = info_[size_t(v)];
    if (!qi.q) return v;
    if (f_of_[size_t(v)] >= 0) return f_of_[size_t(v)];
    const int f =
        insert(op_type::dequantize_linear, v, "/dq", dtype::f32, qi.scale, to_dtype(qi.t));
    f_of_[size_t(v)] = f;
    return f;
  }

  void quantize_conv(node& n, size_t index) {
    n.inputs[0] = quantized(n.inputs[0]);
    conv_info& ci = n.conv;
    conv_quant_params& q = ci.quant;
    q.valid = true;
    q.src_type = info_[size_t(n.inputs[0])].t, q.src_scale = info_[size_t(n.inputs[0])].scale;
    if (n.input(3) >= 0) {
      n.inputs[3] = quantized(n.inputs[3]);
      q.residual_type = info_[size_t(n.inputs[3])].t;
      q.residual_scale = info_[size_t(n.inputs[3])].scale;
      const float pre = index < r_.pre_residual_maxabs.size() ? r_.pre_residual_maxabs[index] : 0.f;
      q.pre_residual_scale = pre > 0.f && std::isfinite(pre) ? pre / 127.f : 0.f;
    }
    const bool non_negative =
        ci.act == activation_kind::relu || (ci.act == activation_kind::clip && ci.act_min >= 0.f);
    q.dst_type = non_negative ? qtype::u8 : qtype::s8;
    q.dst_scale = scale_for(range(n.outputs[0]), q.dst_type, rm_);
    set_q(n.outputs[0], q.dst_type, q.dst_scale);
    const value& w = g_.values[size_t(n.inputs[1])];
    const size_t per_oc = size_t(ci.p.ic) * ci.p.kh * ci.p.kw;
    q.weight_scale.assign(size_t(ci.p.oc), 1.f);
    for (size_t o = 0; o < size_t(ci.p.oc); ++o) {
      const float* wo = w.data->as<float>() + o * per_oc;
      float m = 0.f;
      for (size_t i = 0; i < per_oc; ++i) m = std::max(m, std::fabs(wo[i]));
      if (m > 0.f && std::isfinite(m)) q.weight_scale[o] = m / 127.f;
    }
  }

  bool zero_pad(const node& n) const {
    if (n.attr_string("mode", "constant") != "constant") return false;
    float v = n.attr_float("value", 0.f);
    const int c = n.input(2);
    if (c >= 0) {
      const value& cv = g_.values[size_t(c)];
      if (!cv.data || cv.desc.type != dtype::f32 || cv.desc.numel() != 1) return false;
      v = cv.data->as<float>()[0];
    }
    return v == 0.f;
  }

  bool passes_int8(const node& n) const {
    switch (n.op) {
      case op_type::max_pool:
      case op_type::slice:
      case op_type::reshape:
      case op_type::flatten:
      case op_type::squeeze:
      case op_type::unsqueeze:
      case op_type::identity:
      case op_type::transpose:
        break;
      case op_type::pad:
        if (!zero_pad(n)) return false;
        break;
      default:
        return false;
    }
    if (n.inputs.empty() || n.inputs[0] < 0 || !info_[size_t(n.inputs[0])].q ||
        n.outputs.size() != 1)
      return false;
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (n.inputs[i] >= 0 && !g_.values[size_t(n.inputs[i])].is_const) return false;
    return true;
  }

  // An int8 graph output: the int8 data moves to a new value, the output becomes its f32 twin.
  void fix_output(int& o) {
    if (!info_[size_t(o)].q) return;
    const int v2 = g_.add_value(g_.values[size_t(o)].name + "/int8");
    grow();
    g_.values[size_t(v2)].desc = g_.values[size_t(o)].desc;
    g_.values[size_t(v2)].shape_known = true;
    info_[size_t(v2)] = info_[size_t(o)];
    for (node& n : out_) {
      for (int& v : n.inputs) v = v == o ? v2 : v;
      for (int& v : n.outputs) v = v == o ? v2 : v;
    }
    const int f = dequantized(v2);
    for (node& n : out_) n.outputs[0] = n.outputs[0] == f ? o : n.outputs[0];
    g_.values[size_t(o)].desc = g_.values[size_t(f)].desc;
    info_[size_t(o)] = qinfo{};
    f_of_[size_t(v2)] = o;
  }

  graph& g_;
  const calibration_ranges& r_;
  const range_method rm_;
  std::vector<qinfo> info_;
  std::vector<int> q_of_, f_of_;
  std::vector<node> out_;
  int convs_ = 0;
};

}  // namespace

int quantize_graph(graph& g, const calibration_ranges& r, const range_method& m) {
  return quantizer(g, r, m).run();
}

}  // namespace sfc
