// The quantized Add node (graph/ops/elementwise.cc: an Add with the xnn_* attributes, XNNPACK's
// fixed-point ADD as TFLite's int8 models use it): against an int64 oracle written here, for u8 and
// s8 operands with zero points, a clamped range and a u8 or s8 output; malformed attributes are
// errors naming the attribute.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "graph/executor.h"
#include "kernels/common/error.h"
#include "int8-test-util.h"

namespace {

sfc::attribute iattr(int64_t v) {
  sfc::attribute a;
  a.kind = sfc::attribute::i, a.int_value = v;
  return a;
}

struct qadd_case {
  int ma, mb, shift, za, zb, zy, lo, hi;
  bool b_u8, y_u8;
};

// x -> Q(0.05, za, u8) = a;  x -> Q(0.03, zb) = b;  Add(a, b) -> y;  DQ(1, zy) -> out = y − zy.
sfc::graph make_graph(const qadd_case& c) {
  sfc::graph g;
  const int x = g.add_value("x");
  g.values[size_t(x)].desc = sfc::tensor_desc{sfc::dtype::f32, {1, 4, 6, 6}, sfc::tensor_layout::plain};
  g.inputs = {x};
  auto zp = [&](const std::string& n, bool u8, int v) {
    sfc::tensor t(sfc::tensor_desc{u8 ? sfc::dtype::u8 : sfc::dtype::s8, {}, sfc::tensor_layout::plain});
    if (u8) t.as<uint8_t>()[0] = uint8_t(v); else t.as<int8_t>()[0] = int8_t(v);
    return g.add_constant(n, std::make_shared<sfc::tensor>(std::move(t)));
  };
  auto node1 = [&](sfc::op_type op, const std::string& n, std::vector<int> in) {
    const int out = g.add_value(n);
    g.add_node(op, n, std::move(in), {out});
    return out;
  };
  const int a = node1(sfc::op_type::quantize_linear, "a",
                      {x, g.add_constant("sa", sfc::make_f32_tensor({}, {0.05f})), zp("za", true, c.za)});
  const int b = node1(sfc::op_type::quantize_linear, "b",
                      {x, g.add_constant("sb", sfc::make_f32_tensor({}, {0.03f})), zp("zb", c.b_u8, c.zb)});
  const int y = node1(sfc::op_type::add, "y", {a, b});
  auto& at = g.nodes.back().attrs;
  at["xnn_a_mult"] = iattr(c.ma), at["xnn_b_mult"] = iattr(c.mb), at["xnn_shift"] = iattr(c.shift);
  at["a_zero_point"] = iattr(c.za), at["b_zero_point"] = iattr(c.zb), at["y_zero_point"] = iattr(c.zy);
  at["xnn_min"] = iattr(c.lo), at["xnn_max"] = iattr(c.hi), at["to"] = iattr(c.y_u8 ? 2 : 3);
  g.outputs = {node1(sfc::op_type::dequantize_linear, "out",
                     {y, g.add_constant("sy", sfc::make_f32_tensor({}, {1.f})), zp("zy", c.y_u8, c.zy)})};
  g.quantized = true;
  return g;
}

int quantize(float x, float s, int zp, bool u8) {
  const int q = int(std::nearbyint(x / s)) + zp;
  return std::min(std::max(q, u8 ? 0 : -128), u8 ? 255 : 127);
}

TEST(QuantizedAdd, MatchesTheFixedPointFormula) {
  const std::vector<qadd_case> cases = {
      {1048576, 629146, 20, 0, 0, 0, -1024, 1024, true, true},     // ra = 1, rb = 0.6
      {1500000, 900001, 21, 3, -7, -20, -100, 80, false, false},   // s8 b and y, clamped
      {2097151, 1, 14, 128, 200, 17, 0, 1024, true, true}};        // relu-like, big zero points
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.f, 3.f);
  std::vector<float> x(4 * 36);
  for (float& v : x) v = d(rng);
  for (const qadd_case& c : cases) {
    const sfc::graph g = make_graph(c);
    sfc::executor ex(g, {{1, 4, 6, 6}}, sfc_test::make_int8_options("reference", {}));
    ex.set_input(0, x.data(), sfc::tensor_layout::plain);
    ex.run();
    const sfc::tensor out = ex.output(0);
    int differ = 0, clamped = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      const int64_t a = quantize(x[i], 0.05f, c.za, true), b = quantize(x[i], 0.03f, c.zb, c.b_u8);
      const int64_t acc = int64_t(c.ma) * (a - c.za) + int64_t(c.mb) * (b - c.zb) + (int64_t(1) << (c.shift - 1));
      const int64_t fl = acc >= 0 ? acc >> c.shift : -((-acc + (int64_t(1) << c.shift) - 1) >> c.shift);
      const int64_t r = std::min<int64_t>(std::max<int64_t>(fl, c.lo), c.hi);
      clamped += r != fl;
      const int64_t want = std::min<int64_t>(std::max<int64_t>(r + c.zy, c.y_u8 ? 0 : -128), c.y_u8 ? 255 : 127);
      differ += int64_t(std::lrint(out.as<float>()[i])) + c.zy != want;
    }
    EXPECT_EQ(differ, 0) << "ma " << c.ma;
    if (c.lo > -1024) {
      EXPECT_GT(clamped, 0) << "the clamp is not exercised";
    }
  }
}

TEST(QuantizedAdd, MalformedAttributesAreErrors) {
  qadd_case c{1048576, 629146, 20, 0, 0, 0, -1024, 1024, true, true};
  for (const char* bad : {"xnn_shift", "xnn_a_mult", "a_zero_point", "to"}) {
    sfc::graph g = make_graph(c);
    for (sfc::node& n : g.nodes)
      if (n.op == sfc::op_type::add) n.attrs[bad] = iattr(1 << 25);
    try {
      sfc::executor ex(g, {{1, 4, 6, 6}}, sfc_test::make_int8_options("reference", {}));
      ADD_FAILURE() << bad << ": no error";
    } catch (const sfc::error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
