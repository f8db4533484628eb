// TFLite model -> quantized graph IR (tflite-to-graph.h).
#include "graph/tflite/tflite-to-graph.h"

#include <cmath>
#include <cstring>
#include <memory>
#include <utility>

#include "graph/passes/qdq-util.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

namespace tfl = tflite;

attribute ints_attr(std::vector<int64_t> v) {
  attribute a;
  a.kind = attribute::ints, a.int_values = std::move(v);
  return a;
}
attribute int_attr(int64_t v) {
  attribute a;
  a.kind = attribute::i, a.int_value = v;
  return a;
}
attribute string_attr(const std::string& v) {
  attribute a;
  a.kind = attribute::s, a.string_value = v;
  return a;
}

// How a TFLite quantized tensor is held in the graph: our type and zero point, its scale.
struct qrep {
  bool quantized = false;
  qtype t = qtype::u8;
  float scale = 1.f;
  int32_t zp = 0;  // our zero point: ours = q − tfl_zp + zp
};

class converter {
 public:
  explicit converter(const tfl::model& m) : m_(m) {
    q_.assign(m.tensors.size(), -1);
    f_.assign(m.tensors.size(), -1);
    i_.assign(m.tensors.size(), -1);
  }

  graph run() {
    g_.name = m_.name;
    g_.opset = 13;
    g_.quantized = true;
    if (m_.inputs.size() != 1) fail_model("models with " + std::to_string(m_.inputs.size()) +
                                          " inputs are not supported (one input)");
    for (int32_t t : m_.inputs) add_input(t);
    for (const tfl::op& o : m_.ops) {
      op_ = &o;
      convert(o);
    }
    op_ = nullptr;
    for (int32_t t : m_.outputs) {
      const int v = as_f32(t);
      g_.outputs.push_back(v);
    }
    return std::move(g_);
  }

 private:
  // ---- errors -----------------------------------------------------------------------------
  std::string where() const {
    if (!op_) return m_.name + ": ";
    return m_.name + ": operator " + std::to_string(op_->index) + " (" +
           tfl::tfl_op_name(op_->code) + "): ";
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw error(error::unsupported, where() + what);
  }
  [[noreturn]] void fail_invalid(const std::string& what) const {
    throw error(error::invalid_model, where() + what);
  }
  [[noreturn]] void fail_model(const std::string& what) const {
    throw error(error::unsupported, m_.name + ": " + what);
  }

  const tfl::tensor& T(int32_t t) const { return m_.tensors.at(size_t(t)); }

  // ---- representation ---------------------------------------------------------------------
  qrep rep(int32_t t) const {
    const tfl::tensor& x = T(t);
    qrep r;
    if (x.type == tfl::tensor_type::float32) return r;
    if (x.type != tfl::tensor_type::int8 && x.type != tfl::tensor_type::uint8)
      fail("tensor " + std::to_string(t) + ": " + tfl::tensor_type_name(x.type) +
           " activations are not supported");
    if (x.quant.scale.size() != 1 || x.quant.zero_point.size() != 1)
      fail("tensor " + std::to_string(t) + ": activations need per-tensor quantization");
    r.quantized = true;
    r.scale = x.quant.scale[0];
    const int64_t zp = x.quant.zero_point[0];
    if (!(r.scale > 0.f) || !std::isfinite(r.scale))
      fail_invalid("tensor " + std::to_string(t) + ": scale must be positive");
    if (x.type == tfl::tensor_type::int8) {
      if (zp < -128 || zp > 127) fail_invalid("tensor " + std::to_string(t) + ": zero point out of range");
      // zero point −128: the u8 value q + 128 with zero point 0 (sfc's own post-ReLU scheme).
      r.t = zp == -128 ? qtype::u8 : qtype::s8;
      r.zp = zp == -128 ? 0 : int32_t(zp);
    } else {
      if (zp < 0 || zp > 255) fail_invalid("tensor " + std::to_string(t) + ": zero point out of range");
      r.t = qtype::u8, r.zp = int32_t(zp);
    }
    return r;
  }

  static dtype to_dtype(qtype t) { return t == qtype::u8 ? dtype::u8 : dtype::s8; }

  std::string vname(int32_t t, const std::string& suffix) const {
    return "t" + std::to_string(t) + suffix;
  }
  std::string nname(const std::string& what) const {
    return "op" + std::to_string(op_ ? op_->index : -1) + ":" + what;
  }

  int scalar_f32(const std::string& name, float v) {
    auto c = std::make_shared<tensor>(tensor_desc{dtype::f32, {}, tensor_layout::plain});
    c->as<float>()[0] = v;
    return g_.add_constant(name, c);
  }
  int scalar_zp(const std::string& name, const qrep& r) {
    auto c = std::make_shared<tensor>(tensor_desc{to_dtype(r.t), {}, tensor_layout::plain});
    if (r.t == qtype::u8)
      c->as<uint8_t>()[0] = uint8_t(r.zp);
    else
      c->as<int8_t>()[0] = int8_t(r.zp);
    return g_.add_constant(name, c);
  }
  int ints_const(const std::string& name, const std::vector<int64_t>& v) {
    auto c = std::make_shared<tensor>(
        tensor_desc{dtype::i64, {int64_t(v.size())}, tensor_layout::plain});
    for (size_t i = 0; i < v.size(); ++i) c->as<int64_t>()[i] = v[i];
    return g_.add_constant(name, c);
  }
  int f32_const(const std::string& name, shape_t shape, const std::vector<float>& v) {
    auto c = std::make_shared<tensor>(tensor_desc{dtype::f32, std::move(shape), tensor_layout::plain});
    std::copy(v.begin(), v.end(), c->as<float>());
    return g_.add_constant(name, c);
  }

  // One node with one new output value.
  int add(op_type op, const std::string& what, std::vector<int> ins, const std::string& out_name) {
    const int out = g_.add_value(out_name);
    g_.add_node(op, nname(what), std::move(ins), {out});
    return out;
  }

  // The int8 value of TFLite tensor t (QuantizeLinear from its f32 value if needed).
  int as_q(int32_t t) {
    if (q_[size_t(t)] >= 0) return q_[size_t(t)];
    const qrep r = rep(t);
    if (!r.quantized) fail("tensor " + std::to_string(t) + " must be quantized");
    if (f_[size_t(t)] < 0) fail("tensor " + std::to_string(t) + " is read before it is computed");
    const std::string base = vname(t, "/q");
    q_[size_t(t)] = add(op_type::quantize_linear, "quantize t" + std::to_string(t),
                        {f_[size_t(t)], scalar_f32(base + "/scale", r.scale),
                         scalar_zp(base + "/zero_point", r)},
                        base);
    return q_[size_t(t)];
  }

  // The f32 (real-valued) value of TFLite tensor t (DequantizeLinear if needed).
  int as_f32(int32_t t) {
    if (f_[size_t(t)] >= 0) return f_[size_t(t)];
    const qrep r = rep(t);
    if (q_[size_t(t)] < 0) fail("tensor " + std::to_string(t) + " is read before it is computed");
    const std::string base = vname(t, "/f32");
    f_[size_t(t)] = add(op_type::dequantize_linear, "dequantize t" + std::to_string(t),
                        {q_[size_t(t)], scalar_f32(base + "/scale", r.scale),
                         scalar_zp(base + "/zero_point", r)},
                        base);
    return f_[size_t(t)];
  }

  // A freshly computed f32 value for output tensor t: quantized right away when t is quantized,
  // so that every later reader sees values on the TFLite grid.
  void set_f32_result(int32_t t, int v) {
    f_[size_t(t)] = v;
    if (rep(t).quantized) {
      as_q(t);
      f_[size_t(t)] = -1;  // later f32 readers dequantize the quantized value
    }
  }

  // Graph-logical shape of TFLite tensor t (NHWC -> NCHW for rank 4), batch kept.
  static shape_t logical(const tfl::tensor& x) {
    shape_t s(x.shape.begin(), x.shape.end());
    if (s.size() == 4) s = {s[0], s[3], s[1], s[2]};
    return s;
  }

  void add_input(int32_t t) {
    const tfl::tensor& x = T(t);
    if (x.is_constant()) fail_model("input tensor " + std::to_string(t) + " is constant");
    shape_t s = logical(x);
    if (!s.empty()) s[0] = -1;  // dynamic batch
    const int v = g_.add_value(x.name.empty() ? vname(t, "") : x.name);
    g_.values[size_t(v)].desc = tensor_desc{dtype::f32, s, tensor_layout::plain};
    g_.inputs.push_back(v);
    f_[size_t(t)] = v;
  }

  // ---- operators --------------------------------------------------------------------------
  void convert(const tfl::op& o) {
    switch (o.code) {
      case tfl::tfl_op::conv_2d: return conv(o);
      case tfl::tfl_op::fully_connected: return fully_connected(o);
      case tfl::tfl_op::depthwise_conv_2d: return depthwise(o);
      case tfl::tfl_op::add: return add_op(o);
      case tfl::tfl_op::average_pool_2d: return pool(o, false);
      case tfl::tfl_op::max_pool_2d: return pool(o, true);
      case tfl::tfl_op::mean: return mean(o);
      case tfl::tfl_op::reshape: return reshape(o);
      case tfl::tfl_op::softmax: return softmax(o);
      case tfl::tfl_op::quantize: {
        const int x = as_f32(o.inputs[0]);
        f_[size_t(o.outputs[0])] = x;  // real values; as_q quantizes to the output grid
        as_q(o.outputs[0]);
        f_[size_t(o.outputs[0])] = -1;
        return;
      }
      case tfl::tfl_op::dequantize:
        f_[size_t(o.outputs[0])] = as_f32(o.inputs[0]);
        return;
      case tfl::tfl_op::pad: return pad(o);
    }
    fail("operator not supported by the graph import");
  }

  void set_window_attrs(node& n, const tfl::op_options& opt) {
    n.attrs["strides"] = ints_attr({opt.stride_h, opt.stride_w});
    n.attrs["auto_pad"] = string_attr(opt.pad == tfl::padding::same ? "SAME_UPPER" : "VALID");
  }

  // Fused activation as f32 nodes after v (relu: Relu; relu6 / relu_n1_to_1: Clip).
  int f32_activation(int v, tfl::activation a, int32_t out_t) {
    if (a == tfl::activation::none) return v;
    if (a == tfl::activation::relu)
      return add(op_type::relu, "relu", {v}, vname(out_t, "/act"));
    const float lo = a == tfl::activation::relu6 ? 0.f : -1.f;
    const float hi = a == tfl::activation::relu6 ? 6.f : 1.f;
    const std::string b = vname(out_t, "/clip");
    return add(op_type::clip, "clip", {v, scalar_f32(b + "/min", lo), scalar_f32(b + "/max", hi)},
               b);
  }

  // TFLite's quantized activation range (reference activation_range: zp + round(limit / s),
  // within the type's range) of output tensor out_t, relative to its zero point.
  std::pair<int32_t, int32_t> activation_range(int32_t out_t, tfl::activation a, float scale) const {
    const tfl::tensor& yt = T(out_t);
    const int32_t tzp = int32_t(yt.quant.zero_point[0]);
    const int32_t qmin = yt.type == tfl::tensor_type::int8 ? -128 : 0, qmax = qmin + 255;
    auto quant = [&](float v) { return tzp + int32_t(std::round(v / scale)); };
    int32_t lo = qmin, hi = qmax;
    if (a == tfl::activation::relu || a == tfl::activation::relu6) lo = std::max(qmin, quant(0.f));
    if (a == tfl::activation::relu6) hi = std::min(qmax, quant(6.f));
    if (a == tfl::activation::relu_n1_to_1)
      lo = std::max(qmin, quant(-1.f)), hi = std::min(qmax, quant(1.f));
    return {lo - tzp, hi - tzp};
  }

  void set_conv_act(conv_info& ci, tfl::activation a) {
    switch (a) {
      case tfl::activation::none: ci.act = activation_kind::none; break;
      case tfl::activation::relu: ci.act = activation_kind::relu, ci.act_min = 0.f; break;
      case tfl::activation::relu6:
        ci.act = activation_kind::clip, ci.act_min = 0.f, ci.act_max = 6.f;
        break;
      case tfl::activation::relu_n1_to_1:
        ci.act = activation_kind::clip, ci.act_min = -1.f, ci.act_max = 1.f;
        break;
    }
  }

  // Weight tensor w ([O, ..., I] int8, zero point 0, per-channel along dim 0 or per tensor) as
  // s8 OIHW with kh x kw; its per-channel scales.
  int conv_weights(int32_t wt, int kh, int kw, std::vector<float>* scales) {
    const tfl::tensor& w = T(wt);
    if (!w.is_constant()) fail("non-constant weights are not supported");
    if (w.type != tfl::tensor_type::int8) fail("weights must be int8 (got " +
                                               std::string(tfl::tensor_type_name(w.type)) + ")");
    const int64_t oc = w.shape.at(0), numel = w.numel();
    const int64_t ic = numel / (oc * kh * kw);
    if (w.quant.empty() || (w.quant.per_channel() && (w.quant.quantized_dimension != 0 ||
                                                       int64_t(w.quant.scale.size()) != oc)))
      fail("weights need per-tensor or per-output-channel (dimension 0) scales");
    for (int64_t z : w.quant.zero_point)
      if (z != 0) fail("weights with a non-zero zero point are not supported");
    scales->assign(size_t(oc), w.quant.scale[0]);
    if (w.quant.per_channel()) scales->assign(w.quant.scale.begin(), w.quant.scale.end());
    for (float s : *scales)
      if (!(s > 0.f) || !std::isfinite(s)) fail_invalid("weight scales must be positive");
    auto t = std::make_shared<tensor>(tensor_desc{dtype::s8, {oc, ic, kh, kw}, tensor_layout::plain});
    const int8_t* src = reinterpret_cast<const int8_t*>(w.data.data());  // OHWI
    int8_t* dst = t->as<int8_t>();
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          for (int64_t i = 0; i < ic; ++i) {
            const int8_t v = src[((o * kh + y) * kw + x) * ic + i];
            if (v == -128) fail("weight value -128: int8 weights must lie in [-127, 127]");
            dst[((o * ic + i) * kh + y) * kw + x] = v;
          }
    return g_.add_constant(vname(wt, "/oihw"), t);
  }

  // Real value of weight element i of tensor w (int8, or uint8 with a zero point), channel ch.
  static float weight_real(const tfl::tensor& w, int64_t i, int64_t ch) {
    const size_t k = w.quant.per_channel() ? size_t(ch) : 0;
    const int32_t z = int32_t(w.quant.zero_point.empty() ? 0 : w.quant.zero_point[k]);
    const int32_t q = w.type == tfl::tensor_type::uint8 ? int32_t(w.data[size_t(i)])
                                                        : int32_t(int8_t(w.data[size_t(i)]));
    return float(double(w.quant.scale[k]) * double(q - z));
  }

  // True when weight tensor wt cannot be an s8 weight of an int8 conv (uint8 weights of the TF1
  // quantization-aware models, with a non-zero zero point): such convs run in f32.
  bool f32_weights(int32_t wt) const {
    const tfl::tensor& w = T(wt);
    if (w.type != tfl::tensor_type::uint8) return false;
    if (!w.is_constant()) fail("non-constant weights are not supported");
    if (w.quant.empty() || w.quant.per_channel())
      fail("uint8 weights need per-tensor quantization");
    return true;
  }

  // f32: DequantizeLinear -> Conv with dequantized OIHW weights (from OHWI uint8) and real bias
  // -> activation -> QuantizeLinear onto the output grid. Not bit-exact with TFLite's fixed-point
  // uint8 requantization (near-ties differ).
  int f32_conv_value(const tfl::op& o, int x, int64_t kh, int64_t kw) {
    const tfl::tensor& w = T(o.inputs[1]);
    const qrep ri = rep(o.inputs[0]);
    if (!ri.quantized) fail("input must be quantized");
    const int64_t oc = w.shape.at(0), ic = w.numel() / (oc * kh * kw);
    std::vector<float> wf(size_t(w.numel())), bf(size_t(oc), 0.f);
    for (int64_t oo = 0; oo < oc; ++oo)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t xx = 0; xx < kw; ++xx)
          for (int64_t i = 0; i < ic; ++i)
            wf[size_t(((oo * ic + i) * kh + y) * kw + xx)] =
                weight_real(w, ((oo * kh + y) * kw + xx) * ic + i, oo);
    const int32_t bt = o.inputs.size() > 2 ? o.inputs[2] : -1;
    if (bt >= 0) {
      const tfl::tensor& b = T(bt);
      if (!b.is_constant() || b.type != tfl::tensor_type::int32 || b.numel() != oc)
        fail("bias must be a constant int32 vector with one value per output channel");
      for (int64_t oo = 0; oo < oc; ++oo) {
        int32_t v;
        std::memcpy(&v, b.data.data() + 4 * oo, 4);
        bf[size_t(oo)] = float(double(v) * double(ri.scale) * double(w.quant.scale[0]));
      }
    }
    const std::string base = vname(o.outputs[0], "");
    const int wv = f32_const(base + "/w", {oc, ic, kh, kw}, wf);
    const int bv = f32_const(base + "/b", {oc}, bf);
    return add(op_type::conv, "conv (f32)", {x, wv, bv}, base + "/f32conv");
  }

  // The integer-domain f32 value of quantized TFLite tensor t: float(q − zp), exact
  // (DequantizeLinear with scale 1).
  int as_int_f32(int32_t t) {
    if (i_[size_t(t)] >= 0) return i_[size_t(t)];
    const qrep r = rep(t);
    if (!r.quantized) fail("tensor " + std::to_string(t) + " must be quantized");
    const int q = as_q(t);
    const std::string base = vname(t, "/int");
    i_[size_t(t)] = add(op_type::dequantize_linear, "integer value of t" + std::to_string(t),
                        {q, scalar_f32(base + "/scale", 1.f), scalar_zp(base + "/zero_point", r)},
                        base);
    return i_[size_t(t)];
  }

  // A convolution computed exactly as XNNPACK's fp32-requantized quantized conv, in f32 graph
  // ops on integer values: Conv of float(q_x − z_x) with float(w − z_w) and float(b) (exact
  // integers while every partial sum stays below 2^24), Mul by float(s_x · s_w / s_y), Clip to
  // the activation range [lo − z_y, hi − z_y], QuantizeLinear with scale 1 and z_y (round half to
  // even, saturating): fp32_requantize of tflite-quant-math.h. Used for the uint8 weights with
  // zero points of the TF1 quantization-aware models (no s8 weights possible) and for
  // DEPTHWISE_CONV_2D (no grouped int8 conv). `group` = 1 or the channel count (depthwise; w is
  // then [1, KH, KW, O]). Sets q_ of the output tensor.
  void exact_conv(const tfl::op& o, int64_t kh, int64_t kw, int64_t group, bool dw) {
    const tfl::tensor& w = T(o.inputs[1]);
    const qrep ri = rep(o.inputs[0]), ro = rep(o.outputs[0]);
    if (!ri.quantized || !ro.quantized) fail("input and output must be quantized");
    if (w.quant.empty()) fail("weights must be quantized");
    const bool per_channel = w.quant.per_channel();
    const int64_t oc = dw ? w.shape.at(3) : w.shape.at(0);
    const int64_t ic = dw ? 1 : w.numel() / (oc * kh * kw);
    if (per_channel && (int64_t(w.quant.scale.size()) != oc ||
                        w.quant.quantized_dimension != (dw ? 3 : 0)))
      fail("weights need per-tensor or per-output-channel scales");
    auto wzp = [&](int64_t ch) {
      return int32_t(w.quant.zero_point.empty() ? 0 : w.quant.zero_point[per_channel ? size_t(ch) : 0]);
    };
    auto wq = [&](int64_t i) {
      return w.type == tfl::tensor_type::uint8 ? int32_t(w.data[size_t(i)])
                                               : int32_t(int8_t(w.data[size_t(i)]));
    };
    std::vector<float> wf(size_t(oc * ic * kh * kw)), bf(size_t(oc), 0.f), fs(size_t(oc), 0.f);
    for (int64_t c = 0; c < oc; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          for (int64_t i = 0; i < ic; ++i) {
            const int64_t src = dw ? (y * kw + x) * oc + c : ((c * kh + y) * kw + x) * ic + i;
            wf[size_t(((c * ic + i) * kh + y) * kw + x)] = float(wq(src) - wzp(c));
          }
    const int32_t bt = o.inputs.size() > 2 ? o.inputs[2] : -1;
    if (bt >= 0) {
      const tfl::tensor& b = T(bt);
      if (!b.is_constant() || b.type != tfl::tensor_type::int32 || b.numel() != oc)
        fail("bias must be a constant int32 vector with one value per output channel");
      for (int64_t c = 0; c < oc; ++c) {
        int32_t v;
        std::memcpy(&v, b.data.data() + 4 * c, 4);
        bf[size_t(c)] = float(v);
      }
    }
    bool same_scale = true;
    for (int64_t c = 0; c < oc; ++c) {
      const float sw = w.quant.scale[per_channel ? size_t(c) : 0];
      const float prod = ri.scale * sw;  // in float, as XNNPACK
      fs[size_t(c)] = prod / ro.scale;
      same_scale = same_scale && fs[size_t(c)] == fs[0];
    }
    const std::string base = vname(o.outputs[0], "");
    const int wv = f32_const(base + "/w_int", {oc, ic, kh, kw}, wf);
    const int bv = f32_const(base + "/b_int", {oc}, bf);
    int y = add(op_type::conv, dw ? "depthwise conv (exact f32)" : "conv (exact f32)",
                {as_int_f32(o.inputs[0]), wv, bv}, base + "/acc");
    node& n = g_.nodes.back();
    set_window_attrs(n, o.opt);
    if (group > 1) n.attrs["group"] = int_attr(group);
    const int sv = same_scale ? scalar_f32(base + "/requant_scale", fs[0])
                              : f32_const(base + "/requant_scale", {1, oc, 1, 1}, fs);
    y = add(op_type::mul, "requantization scale", {y, sv}, base + "/scaled");
    if (o.opt.act != tfl::activation::none) {
      // tflite ref activation_range: zp + round(limit / s), within the type's range.
      const auto [lo, hi] = activation_range(o.outputs[0], o.opt.act, ro.scale);
      const std::string cb = base + "/clip";
      y = add(op_type::clip, "activation", {y, scalar_f32(cb + "/min", float(lo)),
                                            scalar_f32(cb + "/max", float(hi))}, cb);
    }
    const std::string qb = base + "/exact";
    q_[size_t(o.outputs[0])] =
        add(op_type::quantize_linear, "requantize",
            {y, scalar_f32(qb + "/scale", 1.f), scalar_zp(qb + "/zero_point", ro)}, vname(o.outputs[0], ""));
  }

  // Real-valued bias for int32 bias tensor bt (or -1).
  int conv_bias(int32_t bt, float s_in, const std::vector<float>& w_scale) {
    if (bt < 0) return -1;
    const tfl::tensor& b = T(bt);
    if (!b.is_constant() || b.type != tfl::tensor_type::int32 || b.numel() != int64_t(w_scale.size()))
      fail("bias must be a constant int32 vector with one value per output channel");
    std::vector<float> bf(w_scale.size());
    for (size_t o = 0; o < bf.size(); ++o) {
      int32_t v;
      std::memcpy(&v, b.data.data() + 4 * o, 4);
      bf[o] = qdq::exact_bias(v, s_in, w_scale[o]);  // float(acc) + bias == float(acc + b)
    }
    return f32_const(vname(bt, "/real"), {int64_t(bf.size())}, bf);
  }

  // An int8 Conv node from src value x (TFLite tensor in_t) to a new int8 value for out_t.
  int int8_conv(int32_t in_t, int x, int w, int b, const std::vector<float>& w_scale,
                int32_t out_t, tfl::activation a, const tfl::op_options* window) {
    const qrep ri = rep(in_t), ro = rep(out_t);
    if (!ri.quantized || !ro.quantized) fail("input and output must be quantized");
    const int out = g_.add_value(vname(out_t, ""));
    std::vector<int> ins = {x, w};
    if (b >= 0) ins.push_back(b);
    const int k = g_.add_node(op_type::conv, nname("conv"), ins, {out});
    node& n = g_.nodes[size_t(k)];
    if (window) set_window_attrs(n, *window);
    conv_quant_params& q = n.conv.quant;
    q.valid = true;
    q.src_type = ri.t, q.src_scale = ri.scale, q.src_zero_point = ri.zp;
    q.weight_scale = w_scale;
    q.dst_type = ro.t, q.dst_scale = ro.scale, q.dst_zero_point = ro.zp;
    set_conv_act(n.conv, a);
    return out;
  }

  void conv(const tfl::op& o) {
    const tfl::tensor& w = T(o.inputs[1]);
    if (w.shape.size() != 4) fail_invalid("weights must be [O, KH, KW, I]");
    if (o.opt.dilation_h != 1 || o.opt.dilation_w != 1) fail("dilation > 1 is not supported");
    if (T(o.inputs[0]).shape.size() != 4 || T(o.inputs[0]).shape[3] != w.shape[3])
      fail("grouped convolutions are not supported");
    if (f32_weights(o.inputs[1])) return exact_conv(o, w.shape[1], w.shape[2], 1, false);
    std::vector<float> ws;
    const int wv = conv_weights(o.inputs[1], w.shape[1], w.shape[2], &ws);
    const int x = as_q(o.inputs[0]);
    const int b = conv_bias(o.inputs.size() > 2 ? o.inputs[2] : -1, rep(o.inputs[0]).scale, ws);
    q_[size_t(o.outputs[0])] = int8_conv(o.inputs[0], x, wv, b, ws, o.outputs[0], o.opt.act, &o.opt);
  }

  // [.., K] -> Reshape [N, K, 1, 1] -> 1x1 Conv -> Reshape [N, O].
  void fully_connected(const tfl::op& o) {
    const tfl::tensor& w = T(o.inputs[1]);
    const tfl::tensor& y = T(o.outputs[0]);
    if (w.shape.size() != 2) fail_invalid("weights must be [O, K]");
    if (y.shape.size() != 2) fail("only outputs of rank 2 are supported (keep_num_dims)");
    const int64_t K = w.shape[1], O = w.shape[0];
    if (f32_weights(o.inputs[1])) {
      const std::string base = vname(o.outputs[0], "");
      const int x4 = add(op_type::reshape, "reshape to [N, K, 1, 1]",
                         {as_f32(o.inputs[0]), ints_const(base + "/shape4", {-1, K, 1, 1})},
                         base + "/in4");
      int y = f32_conv_value(o, x4, 1, 1);
      y = add(op_type::reshape, "reshape to [N, O]", {y, ints_const(base + "/shape2", {-1, O})},
              base + "/f32fc");
      set_f32_result(o.outputs[0], f32_activation(y, o.opt.act, o.outputs[0]));
      return;
    }
    std::vector<float> ws;
    const int wv = conv_weights(o.inputs[1], 1, 1, &ws);
    const int x = as_q(o.inputs[0]);
    const std::string base = vname(o.outputs[0], "");
    const int x4 = add(op_type::reshape, "reshape to [N, K, 1, 1]",
                       {x, ints_const(base + "/shape4", {-1, K, 1, 1})}, base + "/in4");
    const int b = conv_bias(o.inputs.size() > 2 ? o.inputs[2] : -1, rep(o.inputs[0]).scale, ws);
    const int y4 = int8_conv(o.inputs[0], x4, wv, b, ws, o.outputs[0], o.opt.act, nullptr);
    g_.values[size_t(y4)].name = base + "/out4";
    q_[size_t(o.outputs[0])] = add(op_type::reshape, "reshape to [N, O]",
                                   {y4, ints_const(base + "/shape2", {-1, O})}, base);
  }

  // int8 weights (zero point 0, per-tensor or per-channel along dimension 3): an int8 grouped
  // conv (groups = C, channel multiplier OC / C), run by XNNPACK or the reference
  // (conv2d-int8.h); weights [1, KH, KW, OC] -> OIHW [OC, 1, KH, KW].
  void int8_depthwise(const tfl::op& o, int64_t kh, int64_t kw, int64_t c) {
    const tfl::tensor& w = T(o.inputs[1]);
    const int64_t oc = w.shape[3];
    if (w.quant.empty() || (w.quant.per_channel() && (w.quant.quantized_dimension != 3 ||
                                                       int64_t(w.quant.scale.size()) != oc)))
      fail("weights need per-tensor or per-channel (dimension 3) scales");
    for (int64_t z : w.quant.zero_point)
      if (z != 0) fail("weights with a non-zero zero point are not supported");
    std::vector<float> ws(size_t(oc), w.quant.scale[0]);
    if (w.quant.per_channel()) ws.assign(w.quant.scale.begin(), w.quant.scale.end());
    for (float s : ws)
      if (!(s > 0.f) || !std::isfinite(s)) fail_invalid("weight scales must be positive");
    auto t = std::make_shared<tensor>(tensor_desc{dtype::s8, {oc, 1, kh, kw}, tensor_layout::plain});
    const auto* src = reinterpret_cast<const int8_t*>(w.data.data());
    for (int64_t ch = 0; ch < oc; ++ch)
      for (int64_t i = 0; i < kh * kw; ++i) {
        const int8_t v = src[i * oc + ch];
        if (v == -128) fail("weight value -128: int8 weights must lie in [-127, 127]");
        t->as<int8_t>()[ch * kh * kw + i] = v;
      }
    const int wv = g_.add_constant(vname(o.inputs[1], "/oihw"), t);
    const int x = as_q(o.inputs[0]);
    const int b = conv_bias(o.inputs.size() > 2 ? o.inputs[2] : -1, rep(o.inputs[0]).scale, ws);
    q_[size_t(o.outputs[0])] = int8_conv(o.inputs[0], x, wv, b, ws, o.outputs[0], o.opt.act, &o.opt);
    g_.nodes.back().attrs["group"] = int_attr(c);
  }

  // f32: DequantizeLinear -> grouped Conv (dequantized weights) -> activation -> QuantizeLinear.
  void depthwise(const tfl::op& o) {
    const tfl::tensor& w = T(o.inputs[1]);  // [1, KH, KW, C·m]
    const tfl::tensor& xin = T(o.inputs[0]);
    if (w.shape.size() != 4 || w.shape[0] != 1 || xin.shape.size() != 4)
      fail_invalid("weights must be [1, KH, KW, C*m]");
    if (o.opt.dilation_h != 1 || o.opt.dilation_w != 1) fail("dilation > 1 is not supported");
    if (!w.is_constant() || (w.type != tfl::tensor_type::int8 && w.type != tfl::tensor_type::uint8))
      fail("weights must be constant int8 or uint8");
    const int64_t kh = w.shape[1], kw = w.shape[2], oc = w.shape[3], c = xin.shape[3];
    const qrep ri = rep(o.inputs[0]);
    if (!ri.quantized) fail("input must be quantized");
    if (rep(o.outputs[0]).quantized && oc % c == 0) {
      if (w.type == tfl::tensor_type::int8) return int8_depthwise(o, kh, kw, c);
      return exact_conv(o, kh, kw, c, true);  // uint8 weights with zero points: no s8 weights
    }
    if (w.quant.empty() || (w.quant.per_channel() && (w.quant.quantized_dimension != 3 ||
                                                       int64_t(w.quant.scale.size()) != oc)))
      fail("weights need per-tensor or per-channel (dimension 3) scales");
    if (w.type == tfl::tensor_type::int8)
      for (int64_t z : w.quant.zero_point)
        if (z != 0) fail("weights with a non-zero zero point are not supported");
    std::vector<float> wf(size_t(oc * kh * kw)), bf(size_t(oc), 0.f);
    for (int64_t ch = 0; ch < oc; ++ch) {
      const float s = w.quant.scale[w.quant.per_channel() ? size_t(ch) : 0];
      for (int64_t i = 0; i < kh * kw; ++i) wf[size_t(ch * kh * kw + i)] = weight_real(w, i * oc + ch, ch);
      if (o.inputs.size() > 2 && o.inputs[2] >= 0) {
        int32_t v;
        std::memcpy(&v, T(o.inputs[2]).data.data() + 4 * ch, 4);
        bf[size_t(ch)] = float(double(v) * double(ri.scale) * double(s));
      }
    }
    const std::string base = vname(o.outputs[0], "");
    const int wv = f32_const(base + "/w", {oc, 1, kh, kw}, wf);
    const int bv = f32_const(base + "/b", {oc}, bf);
    const int y = add(op_type::conv, "depthwise conv (f32)", {as_f32(o.inputs[0]), wv, bv},
                      base + "/f32conv");
    node& n = g_.nodes.back();
    set_window_attrs(n, o.opt);
    n.attrs["group"] = int_attr(c);
    set_f32_result(o.outputs[0], f32_activation(y, o.opt.act, o.outputs[0]));
  }

  // XNNPACK's quantized ADD (tflite-int8-ops.cc, add_requant::xnnpack) exactly: one quantized
  // Add node (graph/ops/elementwise.cc, qadd_params) computing
  //   out = clamp(floor((m_a·(q_a − z_a) + m_b·(q_b − z_b) + 2^(s−1)) / 2^s), lo, hi) + z_y
  // in int32 with XNNPACK's 21-bit multipliers (shift = 20 − exponent(max(r_a, r_b))). Returns
  // false (nothing added) when an operand or the output is not quantized or the shift is outside
  // [1, 30].
  bool exact_add(const tfl::op& o) {
    const qrep ra_ = rep(o.inputs[0]), rb_ = rep(o.inputs[1]), ry = rep(o.outputs[0]);
    if (!ra_.quantized || !rb_.quantized || !ry.quantized) return false;
    const float ra = ra_.scale / ry.scale, rb = rb_.scale / ry.scale;
    const float rmax = std::max(ra, rb);
    uint32_t bits;
    std::memcpy(&bits, &rmax, 4);
    const int shift = 20 - (int32_t(bits >> 23) - 127);
    if (shift < 1 || shift > 30) return false;
    const int32_t ma = int32_t(std::nearbyint(std::ldexp(ra, shift)));
    const int32_t mb = int32_t(std::nearbyint(std::ldexp(rb, shift)));
    if (ma < 0 || mb < 0 || ma >= (1 << 21) || mb >= (1 << 21)) return false;
    const auto [lo, hi] = activation_range(o.outputs[0], o.opt.act, ry.scale);
    const int y = add(op_type::add, "add (XNNPACK fixed point)",
                      {as_q(o.inputs[0]), as_q(o.inputs[1])}, vname(o.outputs[0], ""));
    auto& at = g_.nodes.back().attrs;
    at["xnn_a_mult"] = int_attr(ma), at["xnn_b_mult"] = int_attr(mb);
    at["xnn_shift"] = int_attr(shift);
    at["a_zero_point"] = int_attr(ra_.zp), at["b_zero_point"] = int_attr(rb_.zp);
    at["y_zero_point"] = int_attr(ry.zp);
    at["xnn_min"] = int_attr(lo), at["xnn_max"] = int_attr(hi);
    at["to"] = int_attr(ry.t == qtype::u8 ? 2 : 3);
    q_[size_t(o.outputs[0])] = y;
    return true;
  }

  void add_op(const tfl::op& o) {
    if (T(o.inputs[0]).shape != T(o.inputs[1]).shape) fail("broadcasting ADD is not supported");
    if (exact_add(o)) return;
    const int y = add(op_type::add, "add (f32)", {as_f32(o.inputs[0]), as_f32(o.inputs[1])},
                      vname(o.outputs[0], "/sum"));
    set_f32_result(o.outputs[0], f32_activation(y, o.opt.act, o.outputs[0]));
  }

  void pool(const tfl::op& o, bool is_max) {
    if (T(o.inputs[0]).shape.size() != 4) fail("input must be 4-D");
    const qrep ri = rep(o.inputs[0]), ro = rep(o.outputs[0]);
    // int8 when in and out share the quantization (TFLite requires it): MaxPool is exact on any
    // monotonic encoding; the int8 AveragePool reproduces TFLite's rounding of the raw sums
    // (ties away from raw 0, i.e. from 128 in the u8 = q + 128 encoding).
    const bool int8 = ri.quantized && ro.quantized && ri.t == ro.t && ri.zp == ro.zp &&
                      ri.scale == ro.scale && o.opt.act == tfl::activation::none;
    const int x = int8 ? as_q(o.inputs[0]) : as_f32(o.inputs[0]);
    const int y = add(is_max ? op_type::max_pool : op_type::avg_pool,
                      is_max ? "max pool" : int8 ? "average pool" : "average pool (f32)", {x},
                      vname(o.outputs[0], int8 ? "" : "/pool"));
    node& n = g_.nodes.back();
    set_window_attrs(n, o.opt);
    n.attrs["kernel_shape"] = ints_attr({o.opt.filter_h, o.opt.filter_w});
    if (!is_max) n.attrs["count_include_pad"] = int_attr(0);  // TFLite clips the window
    if (!is_max && int8) {
      const bool shifted = T(o.inputs[0]).type == tfl::tensor_type::int8 && ri.t == qtype::u8;
      n.attrs["round_center"] = int_attr(shifted ? 128 : 0);
    }
    if (int8)
      q_[size_t(o.outputs[0])] = y;
    else
      set_f32_result(o.outputs[0], f32_activation(y, o.opt.act, o.outputs[0]));
  }

  void mean(const tfl::op& o) {
    const tfl::tensor& a = T(o.inputs[1]);
    if (T(o.inputs[0]).shape.size() != 4 || !a.is_constant() || a.type != tfl::tensor_type::int32 ||
        a.numel() != 2)
      fail("only MEAN over the two spatial axes of a 4-D input is supported");
    int32_t ax[2];
    std::memcpy(ax, a.data.data(), 8);
    if (!((ax[0] == 1 && ax[1] == 2) || (ax[0] == 2 && ax[1] == 1)))
      fail("only MEAN over the two spatial axes of a 4-D input is supported");
    const int y = add(op_type::reduce_mean, "mean (f32)", {as_f32(o.inputs[0])},
                      vname(o.outputs[0], "/mean"));
    g_.nodes.back().attrs["axes"] = ints_attr({2, 3});
    g_.nodes.back().attrs["keepdims"] = int_attr(o.opt.keep_dims ? 1 : 0);
    set_f32_result(o.outputs[0], y);
  }

  // NHWC-order reshape: 4-D values are NCHW in the graph, so they go through NHWC first (a
  // Transpose, skipped when H = W = 1) and 4-D results come back to NCHW.
  void reshape(const tfl::op& o) {
    const tfl::tensor& xi = T(o.inputs[0]);
    const tfl::tensor& yo = T(o.outputs[0]);
    const qrep ri = rep(o.inputs[0]), ro = rep(o.outputs[0]);
    const bool int8 = ri.quantized && ro.quantized && ri.t == ro.t && ri.zp == ro.zp &&
                      ri.scale == ro.scale;
    if (ri.quantized != ro.quantized) fail("input and output types differ");
    int v = int8 ? as_q(o.inputs[0]) : as_f32(o.inputs[0]);
    const std::string base = vname(o.outputs[0], "");
    if (xi.shape.size() == 4 && int64_t(xi.shape[1]) * xi.shape[2] != 1) {
      v = add(op_type::transpose, "to NHWC", {v}, base + "/nhwc_in");
      g_.nodes.back().attrs["perm"] = ints_attr({0, 2, 3, 1});
    }
    shape_t s(yo.shape.begin(), yo.shape.end());
    if (!s.empty() && !xi.shape.empty() && s[0] == xi.shape[0]) s[0] = 0;  // keep the batch
    const bool back = s.size() == 4 && int64_t(s[1]) * s[2] != 1;
    if (s.size() == 4 && !back) s = {s[0], s[3], s[1], s[2]};
    v = add(op_type::reshape, "reshape", {v, ints_const(base + "/shape", s)},
            back ? base + "/nhwc_out" : (int8 ? base : base + "/f32"));
    if (back) {
      v = add(op_type::transpose, "to NCHW", {v}, int8 ? base : base + "/f32");
      g_.nodes.back().attrs["perm"] = ints_attr({0, 3, 1, 2});
    }
    if (int8)
      q_[size_t(o.outputs[0])] = v;
    else
      set_f32_result(o.outputs[0], v);
  }

  void softmax(const tfl::op& o) {
    int x = as_f32(o.inputs[0]);
    const std::string base = vname(o.outputs[0], "");
    if (o.opt.beta != 1.f)
      x = add(op_type::mul, "beta", {x, scalar_f32(base + "/beta", o.opt.beta)}, base + "/scaled");
    const int y = add(op_type::softmax, "softmax (f32)", {x}, base + "/softmax");
    const size_t r = T(o.inputs[0]).shape.size();
    g_.nodes.back().attrs["axis"] = int_attr(r == 4 ? 1 : -1);  // TFLite: the last (channel) axis
    set_f32_result(o.outputs[0], y);
  }

  void pad(const tfl::op& o) {
    const tfl::tensor& p = T(o.inputs[1]);
    const size_t r = T(o.inputs[0]).shape.size();
    if (!p.is_constant() || p.numel() != int64_t(2 * r) ||
        (p.type != tfl::tensor_type::int32 && p.type != tfl::tensor_type::int64))
      fail("paddings must be a constant [rank, 2] integer tensor");
    std::vector<int64_t> before(r), after(r);
    for (size_t d = 0; d < r; ++d) {
      for (int k = 0; k < 2; ++k) {
        int64_t v;
        if (p.type == tfl::tensor_type::int32) {
          int32_t v32;
          std::memcpy(&v32, p.data.data() + 4 * (2 * d + k), 4);
          v = v32;
        } else {
          std::memcpy(&v, p.data.data() + 8 * (2 * d + k), 8);
        }
        (k ? after : before)[d] = v;
      }
    }
    if (r == 4) {  // NHWC -> NCHW order
      before = {before[0], before[3], before[1], before[2]};
      after = {after[0], after[3], after[1], after[2]};
    }
    std::vector<int64_t> pads = before;
    pads.insert(pads.end(), after.begin(), after.end());
    const std::string base = vname(o.outputs[0], "");
    const int y = add(op_type::pad, "pad (f32)", {as_f32(o.inputs[0]), ints_const(base + "/pads", pads)},
                      base + "/pad");
    set_f32_result(o.outputs[0], y);
  }

  const tfl::model& m_;
  graph g_;
  const tfl::op* op_ = nullptr;
  std::vector<int> q_, f_;  // per TFLite tensor: its int8 and f32 value ids (-1: none yet)
  std::vector<int> i_;      // per TFLite tensor: its integer-domain f32 value float(q − zp)
};

}  // namespace

graph tflite_to_graph(const tflite::model& m) { return converter(m).run(); }

}  // namespace sfc
