// Shared helpers of the tiny ONNX int8 model tests (onnx-qlinear-test.cc, onnx-qdq-fc-test.cc):
// a graph builder for Q / DQ models, an exporter for ops that the IR does not have (the QLinear*
// ops, com.microsoft's domain: a placeholder node is exported, then renamed in the protobuf
// bytes), and the ONNX quantization semantics as the test oracle.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.h"
#include "graph/onnx/onnx.h"
#include "int8-test-util.h"

namespace sfc_test {

// ---- ONNX quantization semantics (the oracle) ----------------------------------------------

// Per-tensor quantization: scale, integer type (u8 / s8) and zero point.
struct qparam {
  float scale = 1.f;
  sfc::dtype type = sfc::dtype::u8;
  int32_t zp = 0;
};

// QuantizeLinear: saturate(round_half_even(x / scale) + zp), the division in float as ONNX.
inline int32_t quantize(float x, const qparam& q) {
  const int32_t lo = q.type == sfc::dtype::u8 ? 0 : -128, hi = q.type == sfc::dtype::u8 ? 255 : 127;
  const double r = std::nearbyint(double(x / q.scale)) + q.zp;  // default mode: half to even
  return int32_t(std::min<double>(hi, std::max<double>(lo, r)));
}
// DequantizeLinear: (q − zp) · scale.
inline float dequantize(int32_t v, const qparam& q) { return float(v - q.zp) * q.scale; }
// The real value a Q -> DQ pair gives x.
inline float fake_quant(double x, const qparam& q) { return dequantize(quantize(float(x), q), q); }

// Elements of `v` strictly inside the representable range of q (not saturated).
inline int unsaturated(const std::vector<float>& v, const qparam& q) {
  const float lo = dequantize(q.type == sfc::dtype::u8 ? 0 : -128, q);
  const float hi = dequantize(q.type == sfc::dtype::u8 ? 255 : 127, q);
  return int(std::count_if(v.begin(), v.end(), [&](float x) { return x > lo && x < hi; }));
}

// ---- building models ----------------------------------------------------------------------

struct qmodel {
  sfc::graph g;

  int input(const std::string& name, const sfc::shape_t& s) {
    const int x = g.add_value(name);
    g.values[size_t(x)].desc = sfc::tensor_desc{sfc::dtype::f32, s, sfc::tensor_layout::plain};
    g.inputs.push_back(x);
    return x;
  }
  int f32(const std::string& name, const sfc::shape_t& s, const std::vector<float>& v) {
    return g.add_constant(name, sfc::make_f32_tensor(s, v));
  }
  // An integer constant (u8, s8 or i32) of shape s holding v.
  int ints(const std::string& name, sfc::dtype t, const sfc::shape_t& s,
           const std::vector<int32_t>& v) {
    auto c = std::make_shared<sfc::tensor>(sfc::tensor_desc{t, s, sfc::tensor_layout::plain});
    for (size_t i = 0; i < v.size(); ++i) {
      if (t == sfc::dtype::u8) c->as<uint8_t>()[i] = uint8_t(v[i]);
      else if (t == sfc::dtype::s8) c->as<int8_t>()[i] = int8_t(v[i]);
      else c->as<int32_t>()[i] = v[i];
    }
    return g.add_constant(name, c);
  }
  // Scalar scale and zero point constants of q; returns the scale id (the zero point is +1).
  int scale_zp(const std::string& name, const qparam& q) {
    const int s = f32(name + "_scale", {}, {q.scale});
    ints(name + "_zp", q.type, {}, {q.zp});
    return s;
  }
  int node(sfc::op_type op, const std::string& name, std::vector<int> ins) {
    const int out = g.add_value(name);
    g.add_node(op, name, std::move(ins), {out});
    return out;
  }
  void attr(const std::string& a, int64_t v) {
    sfc::attribute at;
    at.kind = sfc::attribute::i, at.int_value = v;
    g.nodes.back().attrs[a] = at;
  }
  void attr(const std::string& a, const std::vector<int64_t>& v) {
    sfc::attribute at;
    at.kind = sfc::attribute::ints, at.int_values = v;
    g.nodes.back().attrs[a] = at;
  }
  void attr_f(const std::string& a, float v) {
    sfc::attribute at;
    at.kind = sfc::attribute::f, at.float_value = v;
    g.nodes.back().attrs[a] = at;
  }
  int q(int v, const qparam& p, const std::string& name) {
    const int s = scale_zp(name, p);
    return node(sfc::op_type::quantize_linear, name, {v, s, s + 1});
  }
  int dq(int v, const qparam& p, const std::string& name) {
    const int s = scale_zp(name, p);
    return node(sfc::op_type::dequantize_linear, name, {v, s, s + 1});
  }
};

// ---- exporting QLinear* ops ------------------------------------------------------------------

// Protobuf wire format, just enough to rename a node of an exported ModelProto: a message is a
// list of (field number, wire type, payload) with the payload of length-delimited fields
// (wire type 2) stored without its length.
struct pb_field {
  uint32_t number = 0;
  int wire = 0;
  std::string payload;
};

inline uint64_t pb_varint(const std::string& s, size_t* p) {
  uint64_t v = 0;
  for (int shift = 0; *p < s.size() && shift < 64; shift += 7) {
    const uint8_t b = uint8_t(s[(*p)++]);
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}
inline void pb_put_varint(std::string* o, uint64_t v) {
  do {
    o->push_back(char((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
    v >>= 7;
  } while (v);
}
inline std::vector<pb_field> pb_parse(const std::string& s) {
  std::vector<pb_field> out;
  for (size_t p = 0; p < s.size();) {
    const uint64_t key = pb_varint(s, &p);
    pb_field f;
    f.number = uint32_t(key >> 3), f.wire = int(key & 7);
    const size_t start = p;
    if (f.wire == 0) pb_varint(s, &p);
    else if (f.wire == 1) p += 8;
    else if (f.wire == 5) p += 4;
    size_t len = p - start, from = start;
    if (f.wire == 2) len = size_t(pb_varint(s, &p)), from = p, p += len;
    f.payload = s.substr(from, len);
    out.push_back(std::move(f));
  }
  return out;
}
inline std::string pb_write(const std::vector<pb_field>& fs) {
  std::string o;
  for (const pb_field& f : fs) {
    pb_put_varint(&o, uint64_t(f.number) << 3 | uint64_t(f.wire));
    if (f.wire == 2) pb_put_varint(&o, f.payload.size());
    o += f.payload;
  }
  return o;
}
inline pb_field pb_string(uint32_t number, const std::string& s) { return {number, 2, s}; }

// Exports g, then gives its node `node_name` the op_type `op` in `domain` (ModelProto.graph = 7,
// GraphProto.node = 1, NodeProto.name = 3, op_type = 4, domain = 7; a com.microsoft domain also
// gets its opset_import = 8).
inline std::vector<uint8_t> export_renamed(const sfc::graph& g, const std::string& node_name,
                                           const std::string& op, const std::string& domain = "") {
  const std::vector<uint8_t> bytes = sfc::onnx_export(g);
  std::vector<pb_field> model = pb_parse(std::string(bytes.begin(), bytes.end()));
  int renamed = 0;
  for (pb_field& gf : model) {
    if (gf.number != 7) continue;
    std::vector<pb_field> graph = pb_parse(gf.payload);
    for (pb_field& nf : graph) {
      if (nf.number != 1) continue;
      std::vector<pb_field> node = pb_parse(nf.payload);
      const bool hit = std::any_of(node.begin(), node.end(), [&](const pb_field& f) {
        return f.number == 3 && f.payload == node_name;
      });
      if (!hit) continue;
      for (pb_field& f : node)
        if (f.number == 4) f.payload = op;
      if (!domain.empty()) node.push_back(pb_string(7, domain));
      nf.payload = pb_write(node);
      ++renamed;
    }
    gf.payload = pb_write(graph);
  }
  EXPECT_EQ(renamed, 1) << node_name;
  if (!domain.empty()) {
    std::string opset = pb_write({pb_string(1, domain)});
    pb_put_varint(&opset, 2 << 3 | 0);  // version = 1
    pb_put_varint(&opset, 1);
    model.push_back({8, 2, opset});
  }
  const std::string out = pb_write(model);
  return std::vector<uint8_t>(out.begin(), out.end());
}

// ---- running --------------------------------------------------------------------------------

// The direct int8 policies the tiny models run under (the test skips those not built).
inline const std::vector<std::string>& direct_policies() {
  static const std::vector<std::string> p = {"reference", "onednn", "xnnpack"};
  return p;
}

// Runs g in the int8 mode under `policy` on the f32 input x (shape s, plain / NCHW order; x is
// also the calibration data an unfolded graph needs).
// `conv_impls`: the implementation of each int8 conv, as executor::node_impl names it.
inline std::vector<float> run_int8(const sfc::graph& g, const sfc::shape_t& s,
                                   const std::vector<float>& x, const std::string& policy,
                                   std::vector<std::string>* conv_impls = nullptr) {
  sfc::executor_options o = make_int8_options(policy, x);
  o.int8.calibration.layout = sfc::tensor_layout::plain;
  sfc::executor ex(g, {s}, o);
  ex.set_input(0, x.data(), sfc::tensor_layout::plain);
  ex.run();
  for (size_t k = 0; conv_impls && k < ex.prepared_graph().nodes.size(); ++k)
    if (ex.prepared_graph().nodes[k].op == sfc::op_type::conv) conv_impls->push_back(ex.node_impl(k));
  sfc::tensor t = ex.output(0);
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numel());
}

// Runs g (already folded) under each direct policy that is built and checks the outputs against
// `want` (the oracle): at most one step of the output quantization y apart, and every int8 conv
// on the policy's own kernels. The oracle must not be mostly saturated, or the check would prove
// little.
inline void expect_int8_matches(const sfc::graph& g, const sfc::shape_t& s,
                                const std::vector<float>& x, const std::vector<float>& want,
                                const qparam& y) {
  EXPECT_GT(unsaturated(want, y), int(want.size()) / 2) << "oracle mostly saturated";
  for (const std::string& p : direct_policies()) {
    if (!policy_available(p)) continue;
    std::vector<std::string> impls;
    const std::vector<float> got = run_int8(g, s, x, p, &impls);
    ASSERT_EQ(got.size(), want.size()) << p;
    for (const std::string& i : impls) EXPECT_EQ(impl_family(i), p) << i;  // int8 kernels ran
    EXPECT_LE(max_abs_diff(got, want), y.scale * (1 + 1e-4f)) << p;
  }
}

// Int8 convs (folded Conv / Gemm / MatMul) of a graph.
inline int int8_convs(const sfc::graph& g) {
  int n = 0;
  for (const sfc::node& k : g.nodes)
    n += !k.dead && k.op == sfc::op_type::conv && k.conv.quant.valid &&
         g.values[size_t(k.inputs[1])].desc.type == sfc::dtype::s8;
  return n;
}

}  // namespace sfc_test
