// QDQ Conv / Gemm / MatMul patterns -> int8 Conv nodes of a quantized graph (fold-qdq.h).
#include "graph/passes/fold-qdq.h"

#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "graph/passes/qdq-util.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

using namespace qdq;

// One conv (or Gemm / MatMul) to fold, found before anything is rewritten.
struct conv_match {
  int conv = -1, relu = -1, q_out = -1;  // node indices (relu -1: none)
  int add = -1;                          // MatMul's bias Add (-1: none)
  int xq = -1, w = -1;                   // value ids: int8 src, s8 OIHW weights
  act_q src, dst;
  std::vector<float> w_scale;            // [oc]
  std::vector<float> bias;               // real-valued [oc], empty: none
  std::shared_ptr<tensor> w_fc;          // Gemm / MatMul: the weights as s8 [O, K, 1, 1]
};

class folder {
 public:
  explicit folder(graph& g) : g_(g), users_(g.consumers()) {}

  int run() {
    for (const node& n : g_.nodes)
      if (!n.dead && is_qdq(n)) scale_of(g_, n);  // every Q / DQ node: a valid scale
    std::vector<conv_match> ms;
    for (size_t k = 0; k < g_.nodes.size(); ++k) {
      conv_match m;
      const node& n = g_.nodes[k];
      if (n.dead) continue;
      if ((n.op == op_type::conv && match(int(k), &m)) ||
          ((n.op == op_type::gemm || n.op == op_type::matmul) && match_fc(int(k), &m)))
        ms.push_back(std::move(m));
    }
    for (const conv_match& m : ms) m.w_fc ? rewrite_fc(m) : rewrite(m);
    // An unfolded graph still gets f32 constants for DQ(constant) (a quantized one, e.g. from
    // TFLite, is left as it is).
    if (!ms.empty() || (!g_.quantized && has_const_dq())) materialize_const_dq();
    if (ms.empty()) return 0;
    g_.quantized = true;
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
    if (c.input(2) >= 0) bias(c, c.input(2), m);
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
  void bias(const node& c, int bv, conv_match* m) {
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
    const std::string name = g_.nodes[size_t(m.conv)].name;
    const int out = g_.nodes[size_t(m.q_out)].outputs.at(0);
    std::vector<int> ins = {m.xq, m.w};
    if (!m.bias.empty())
      ins.push_back(g_.add_constant(name + "/bias_real",
                                    make_f32_tensor({int64_t(m.bias.size())}, m.bias)));
    node& c = g_.nodes[size_t(m.conv)];
    c.inputs = ins;
    c.outputs = {out};
    set_quant(c, m);
    g_.nodes[size_t(m.q_out)].dead = true;
  }

  // The int8 parameters of folded conv c; its ReLU node goes.
  void set_quant(node& c, const conv_match& m) {
    conv_quant_params& q = c.conv.quant;
    q.valid = true;
    q.src_type = m.src.t, q.src_scale = m.src.scale, q.src_zero_point = m.src.zp;
    q.weight_scale = m.w_scale;
    q.dst_type = m.dst.t, q.dst_scale = m.dst.scale, q.dst_zero_point = m.dst.zp;
    if (m.relu >= 0) {
      c.conv.act = activation_kind::relu, c.conv.act_min = 0.f;
      g_.nodes[size_t(m.relu)].dead = true;
    }
  }

  // ---- Gemm / MatMul: an int8 1x1 conv between two reshapes --------------------------------
  //
  //   xq -> DQ -> Gemm(B: DQ(s8 const), C)  or  MatMul(B: DQ(s8 const)) [-> Add(bias)]
  //      [-> Relu] -> Q
  // becomes (as tflite-to-graph.cc's FULLY_CONNECTED)
  //   xq [.., K] -> Reshape [-1, K, 1, 1] -> Conv(int8, W [O, K, 1, 1]) -> [N, O, 1, 1]
  //      -> Reshape: [-1, O] (Gemm: A is 2-D) or A's leading dims ++ [O] (MatMul)
  // with Y[n, o] = Σ_k A[n, k] · W[o, k] + bias[o], W[o, k] = B[o, k] (Gemm transB = 1) or
  // B[k, o] (transB = 0, MatMul). Anything that does not fit stays f32, without an error.

  // v is an int8 activation: a QuantizeLinear's output, possibly through shape-only ops.
  bool int8_source(int v) const {
    for (int depth = 0; depth < 8; ++depth) {
      const int p = v >= 0 ? g_.values[size_t(v)].producer : -1;
      if (p < 0 || g_.nodes[size_t(p)].dead) return false;
      const node& n = g_.nodes[size_t(p)];
      if (n.op == op_type::quantize_linear) return true;
      if (n.op != op_type::reshape && n.op != op_type::flatten && n.op != op_type::squeeze &&
          n.op != op_type::unsqueeze && n.op != op_type::identity)
        return false;
      v = n.input(0);
    }
    return false;
  }

  // A bias of O values: an f32 constant or DequantizeLinear of an int32 constant, shaped [O]
  // (or [1, O] when `row`, Gemm's C).
  bool fc_bias_ok(int v, int64_t o, bool row) const {
    const tensor* b = const_data(g_, v);
    dtype want = dtype::f32;
    if (!b) {
      const node* db = producer_of(v, op_type::dequantize_linear);
      b = db ? const_data(g_, db->input(0)) : nullptr;
      want = dtype::i32;
    }
    if (!b || b->desc().type != want) return false;
    const shape_t& s = b->desc().shape;
    return (s.size() == 1 && s[0] == o) || (row && s.size() == 2 && s[0] == 1 && s[1] == o);
  }

  // B (s8, [O, K] when `trans`, else [K, O]) as W [O, K, 1, 1] with per-tensor or per-O scales.
  bool fc_weights(const node& dw, const tensor& wq, bool trans, conv_match* m) {
    const shape_t& s = wq.desc().shape;
    const int64_t o_n = trans ? s[0] : s[1], k_n = trans ? s[1] : s[0];
    const int axis = quant_axis(g_, dw, s);
    if (axis >= 0 && axis != (trans ? 0 : 1)) return false;  // scales along K
    dtype zt;
    for (int32_t z : zero_points(g_, dw, &zt))
      if (z != 0) return false;
    if (dw.input(2) >= 0 && zt != dtype::s8)
      fail_model(dw, "zero point type differs from the weights");
    auto w = std::make_shared<tensor>(
        tensor_desc{dtype::s8, {o_n, k_n, 1, 1}, tensor_layout::plain});
    for (int64_t o = 0; o < o_n; ++o)
      for (int64_t k = 0; k < k_n; ++k) {
        const int8_t v = wq.as<int8_t>()[trans ? o * k_n + k : k * o_n + o];
        if (v == -128) return false;  // the int8 kernels take weights in [-127, 127]
        w->as<int8_t>()[o * k_n + k] = v;
      }
    const tensor& sc = scale_of(g_, dw);
    m->w_scale.assign(size_t(o_n), sc.as<float>()[0]);
    if (axis >= 0) m->w_scale.assign(sc.as<float>(), sc.as<float>() + o_n);
    m->w_fc = std::move(w);
    return true;
  }

  bool match_fc(int k, conv_match* m) {
    const node& f = g_.nodes[size_t(k)];
    const bool gemm = f.op == op_type::gemm;
    if (f.outputs.size() != 1 || f.inputs.size() > (gemm ? 3u : 2u)) return false;
    if (gemm && (f.attr_int("transA", 0) != 0 || f.attr_float("alpha", 1.f) != 1.f ||
                 (f.input(2) >= 0 && f.attr_float("beta", 1.f) != 1.f)))
      return false;
    const node* dx = producer_of(f.input(0), op_type::dequantize_linear);
    const node* dw = producer_of(f.input(1), op_type::dequantize_linear);
    if (!dx || !dw || !int8_source(dx->input(0)) || !is_per_tensor_8bit(g_, *dx)) return false;
    const tensor* wq = const_data(g_, dw->input(0));
    if (!wq || wq->desc().type != dtype::s8 || wq->desc().rank() != 2) return false;
    const bool trans = gemm && f.attr_int("transB", 0) != 0;
    const int64_t o_n = wq->desc().shape[trans ? 0 : 1];
    int bv = gemm ? f.input(2) : -1;
    if (bv >= 0 && !fc_bias_ok(bv, o_n, true)) return false;
    // The output: [Add(bias) (MatMul)] [-> Relu] -> QuantizeLinear, each the only reader.
    int y = f.outputs[0], u = only_user(y);
    if (!gemm && u >= 0 && g_.nodes[size_t(u)].op == op_type::add &&
        g_.nodes[size_t(u)].inputs.size() == 2) {
      const node& a = g_.nodes[size_t(u)];
      const int other = a.inputs[a.inputs[0] == y ? 1 : 0];
      if (other == y || !fc_bias_ok(other, o_n, false)) return false;
      m->add = u, bv = other, y = a.outputs.at(0), u = only_user(y);
    }
    if (u >= 0 && g_.nodes[size_t(u)].op == op_type::relu) {
      m->relu = u;
      y = g_.nodes[size_t(u)].outputs.at(0);
      u = only_user(y);
    }
    if (u < 0 || g_.nodes[size_t(u)].op != op_type::quantize_linear ||
        !is_per_tensor_8bit(g_, g_.nodes[size_t(u)]) || !fc_weights(*dw, *wq, trans, m))
      return false;
    m->conv = k, m->q_out = u, m->xq = dx->input(0);
    m->src = activation_q(g_, *dx);
    m->dst = activation_q(g_, g_.nodes[size_t(u)]);
    if (bv >= 0) bias(f, bv, m);
    return true;
  }

  void add_reshape(const std::string& name, int x, int shape, int out) {
    g_.add_node(op_type::reshape, name, {x, shape}, {out});
  }
  static attribute int_attr(int64_t v) {
    attribute a;
    a.kind = attribute::i, a.int_value = v;
    return a;
  }

  void rewrite_fc(const conv_match& m) {
    const node f = g_.nodes[size_t(m.conv)];  // a copy: add_node reallocates
    const std::string& b = f.name;
    const int64_t o_n = m.w_fc->desc().shape[0], k_n = m.w_fc->desc().shape[1];
    // xq [.., K] -> [N, K, 1, 1]
    const int shape4 = g_.add_constant(b + "/shape4", make_i64_tensor({4}, {-1, k_n, 1, 1}));
    const int x4 = g_.add_value(b + "/in4");
    add_reshape(b + "/reshape_in", m.xq, shape4, x4);
    std::vector<int> ins = {x4, g_.add_constant(b + "/w_oihw", m.w_fc)};
    if (!m.bias.empty())
      ins.push_back(g_.add_constant(b + "/bias_real", make_f32_tensor({o_n}, m.bias)));
    // [N, O, 1, 1] -> [N, O] (Gemm), or Concat(Shape(xq)[: -1], [O]) (MatMul: A of any rank)
    int shape2 = -1;
    if (f.op == op_type::gemm) {
      shape2 = g_.add_constant(b + "/shape2", make_i64_tensor({2}, {-1, o_n}));
    } else {
      const int lead = g_.add_value(b + "/lead_dims");
      const int o = g_.add_constant(b + "/o", make_i64_tensor({1}, {o_n}));
      shape2 = g_.add_value(b + "/shape_out");
      const int sh = g_.add_node(op_type::shape, b + "/lead_dims", {m.xq}, {lead});
      g_.nodes[size_t(sh)].attrs["end"] = int_attr(-1);
      const int cat = g_.add_node(op_type::concat, b + "/shape_out", {lead, o}, {shape2});
      g_.nodes[size_t(cat)].attrs["axis"] = int_attr(0);
    }
    const int y4 = g_.add_value(b + "/out4");
    add_reshape(b + "/reshape_out", y4, shape2, g_.nodes[size_t(m.q_out)].outputs.at(0));
    node& c = g_.nodes[size_t(m.conv)];
    c.op = op_type::conv;
    c.attrs.clear();
    c.inputs = ins;
    c.outputs = {y4};
    set_quant(c, m);
    if (m.add >= 0) g_.nodes[size_t(m.add)].dead = true;
    g_.nodes[size_t(m.q_out)].dead = true;
  }

  bool has_const_dq() const {
    for (const node& n : g_.nodes)
      if (!n.dead && n.op == op_type::dequantize_linear && const_data(g_, n.input(0))) return true;
    return false;
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
