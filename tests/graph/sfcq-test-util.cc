// Helpers of the .sfcq tests (sfcq-test.cc, sfcq-corrupt-test.cc, which declare what they use):
// a hand-made graph with every IR feature the format stores, and a thorough structural
// comparison of two graphs.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>

#include "graph/passes/passes.h"
#include "graph/sfcq/sfcq.h"
#include "graph/zoo/zoo.h"

namespace sfcq_test {

template <class T>
std::shared_ptr<sfc::tensor> make_tensor(sfc::dtype type, const sfc::shape_t& shape,
                                         sfc::tensor_layout layout, uint32_t seed) {
  auto t = std::make_shared<sfc::tensor>(sfc::tensor_desc{type, shape, layout});
  std::mt19937 rng(seed);
  for (int64_t i = 0; i < t->numel(); ++i) t->as<T>()[i] = T(int64_t(rng() % 2001) - 1000) / T(7);
  return t;
}

// A graph with every IR feature the format stores (not meant to run): value 0 is the s8 conv
// weight constant, node 0 the conv (no attributes), node 1 carries every attribute kind.
sfc::graph hand_graph() {
  using sfc::dtype;
  using sfc::tensor_layout;
  sfc::graph g;
  g.name = "hand-made";
  g.opset = 17;
  g.quantized = true;
  g.add_constant("w", make_tensor<int8_t>(dtype::s8, {4, 4, 3, 3}, tensor_layout::plain, 1));
  const int x = g.add_value("x"), r = g.add_value("r"), y = g.add_value("y");
  g.values[size_t(x)].desc = {dtype::f32, {-1, 4, 8, 8}, tensor_layout::plain};
  g.values[size_t(x)].shape_known = true;
  g.values[size_t(r)].desc = {dtype::s8, {1, 4, 8, 8}, tensor_layout::nhwc};
  g.values[size_t(r)].shape_known = true;
  g.values[size_t(y)].desc = {dtype::u8, {1, 4, 8, 8}, tensor_layout::nhwc};
  g.values[size_t(y)].shape_known = true;
  g.add_constant("b", make_tensor<int32_t>(dtype::i32, {4}, tensor_layout::plain, 2));
  const int shape = g.add_value("shape");  // known at shape inference, still computed at run time
  g.values[size_t(shape)].data = sfc::make_i64_tensor({4}, {1, 4, 8, -8});
  g.values[size_t(shape)].desc = g.values[size_t(shape)].data->desc();
  g.values[size_t(shape)].shape_known = true;
  g.add_constant("u", make_tensor<uint8_t>(dtype::u8, {3}, tensor_layout::plain, 3));
  g.add_constant("empty", sfc::make_f32_tensor({0, 5}, {}));
  const int scalar = g.add_constant("scalar", sfc::make_f32_tensor({}, {2.5f}));
  const int z = g.add_value("z"), m = g.add_value("m");

  const int c = g.add_node(sfc::op_type::conv, "conv0", {x, 0, -1, r}, {y});
  sfc::conv_info& ci = g.nodes[size_t(c)].conv;
  ci.p = sfc::conv2d_params{1, 4, 4, 8, 8, 3, 3, 1, 2, 1, 0, 2, 1};
  ci.groups = 1;
  ci.act = sfc::activation_kind::clip;
  ci.act_min = -1.5f;  // act_max stays +inf
  ci.impls.push_back({sfc::conv_impl_kind::sfc, "n6o6x6k3x3", ""});
  ci.chosen_impl = 0;
  sfc::conv_quant_params& q = ci.quant;
  q.valid = true;
  q.src_type = sfc::qtype::s8, q.src_scale = 0.02f, q.src_zero_point = 3;
  q.weight_scale = {0.1f, 0.2f, 0.3f, 1e-30f};
  q.dst_type = sfc::qtype::u8, q.dst_scale = 0.05f, q.dst_zero_point = -7;
  q.residual_type = sfc::qtype::s8, q.residual_scale = 0.03f, q.pre_residual_scale = 0.04f;
  q.impl = "sfc6_6x6_3x3";
  q.td_bits = 6;
  for (int i = 0; i < 64; ++i) q.td_act_scale.push_back(0.5f + float(i));
  for (int i = 0; i < 4 * 64; ++i) q.td_weight_scale.push_back(1.f / float(i + 1));
  q.td_bias_correction = {0.25f, -1e-3f, 0.f, 7.5f};

  const int a = g.add_node(sfc::op_type::cast, "attrs", {y, -1, shape}, {z});
  auto& at = g.nodes[size_t(a)].attrs;
  at["axis"].kind = sfc::attribute::i, at["axis"].int_value = -3;
  at["alpha"].kind = sfc::attribute::f, at["alpha"].float_value = 0.25f;
  at["nan"].kind = sfc::attribute::f, at["nan"].float_value = std::nanf("0x123");
  at["mode"].kind = sfc::attribute::s, at["mode"].string_value = std::string("con\0st", 6);
  at["perm"].kind = sfc::attribute::ints;
  at["perm"].int_values = {0, 2, 3, 1, std::numeric_limits<int64_t>::min()};
  at["none"].kind = sfc::attribute::ints;
  at["scales"].kind = sfc::attribute::floats;
  at["scales"].float_values = {1.5f, -std::numeric_limits<float>::infinity()};
  at["value"].kind = sfc::attribute::t;
  at["value"].tensor_value = make_tensor<float>(dtype::f32, {2, 3}, tensor_layout::plain, 4);
  at["nhwc"].kind = sfc::attribute::t;
  at["nhwc"].tensor_value = make_tensor<int64_t>(dtype::i64, {1, 2, 2, 3}, tensor_layout::nhwc, 5);
  at["null"].kind = sfc::attribute::t;
  g.add_node(sfc::op_type::add, "second", {z, scalar}, {m});
  g.inputs = {x, r};
  g.outputs = {m, y};
  return g;
}

sfc::sfcq_metadata hand_metadata() {
  sfc::sfcq_metadata m;
  m.entries = {{"producer", "sfc_quantize 0.1"}, {"", std::string("bin\0ary", 7)}, {"k", "v"}};
  return m;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void expect_same_tensor(const sfc::tensor* a, const sfc::tensor* b) {
  ASSERT_EQ(a == nullptr, b == nullptr);
  if (!a) return;
  EXPECT_EQ(a->desc().str(), b->desc().str());
  ASSERT_EQ(a->desc().bytes(), b->desc().bytes());
  EXPECT_EQ(std::memcmp(a->data(), b->data(), a->desc().bytes()), 0);
}

void expect_same_floats(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(same_bits(a[i], b[i])) << "at " << i;
}

void expect_same_conv(const sfc::conv_info& a, const sfc::conv_info& b) {
  const sfc::conv2d_params &p = a.p, &o = b.p;
  EXPECT_TRUE(p.n == o.n && p.ic == o.ic && p.oc == o.oc && p.h == o.h && p.w == o.w &&
              p.kh == o.kh && p.kw == o.kw && p.stride_h == o.stride_h &&
              p.stride_w == o.stride_w && p.pad_t == o.pad_t && p.pad_l == o.pad_l &&
              p.pad_b == o.pad_b && p.pad_r == o.pad_r);
  EXPECT_EQ(a.groups, b.groups);
  EXPECT_EQ(a.act, b.act);
  EXPECT_TRUE(same_bits(a.act_min, b.act_min) && same_bits(a.act_max, b.act_max));
  EXPECT_TRUE(b.impls.empty());  // decided by the executor, not stored
  EXPECT_EQ(b.chosen_impl, -1);
  const sfc::conv_quant_params &q = a.quant, &r = b.quant;
  EXPECT_EQ(q.valid, r.valid);
  EXPECT_TRUE(q.src_type == r.src_type && q.dst_type == r.dst_type &&
              q.residual_type == r.residual_type);
  EXPECT_TRUE(same_bits(q.src_scale, r.src_scale) && same_bits(q.dst_scale, r.dst_scale) &&
              same_bits(q.residual_scale, r.residual_scale) &&
              same_bits(q.pre_residual_scale, r.pre_residual_scale));
  EXPECT_EQ(q.src_zero_point, r.src_zero_point);
  EXPECT_EQ(q.dst_zero_point, r.dst_zero_point);
  EXPECT_EQ(q.impl, r.impl);
  EXPECT_EQ(q.td_bits, r.td_bits);
  expect_same_floats(q.weight_scale, r.weight_scale);
  expect_same_floats(q.td_act_scale, r.td_act_scale);
  expect_same_floats(q.td_weight_scale, r.td_weight_scale);
  expect_same_floats(q.td_bias_correction, r.td_bias_correction);
}

void expect_same_node(const sfc::node& a, const sfc::node& b) {
  EXPECT_EQ(a.op, b.op);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.outputs, b.outputs);
  EXPECT_FALSE(b.dead);
  ASSERT_EQ(a.attrs.size(), b.attrs.size());
  for (auto i = a.attrs.begin(), j = b.attrs.begin(); i != a.attrs.end(); ++i, ++j) {
    SCOPED_TRACE("attribute " + i->first);
    ASSERT_EQ(i->first, j->first);
    const sfc::attribute &x = i->second, &y = j->second;
    ASSERT_EQ(x.kind, y.kind);
    switch (x.kind) {
      case sfc::attribute::i: EXPECT_EQ(x.int_value, y.int_value); break;
      case sfc::attribute::f: EXPECT_TRUE(same_bits(x.float_value, y.float_value)); break;
      case sfc::attribute::s: EXPECT_EQ(x.string_value, y.string_value); break;
      case sfc::attribute::ints: EXPECT_EQ(x.int_values, y.int_values); break;
      case sfc::attribute::floats: expect_same_floats(x.float_values, y.float_values); break;
      case sfc::attribute::t: expect_same_tensor(x.tensor_value.get(), y.tensor_value.get()); break;
    }
  }
  if (a.op == sfc::op_type::conv) expect_same_conv(a.conv, b.conv);
}

// Structural equality of everything the format stores (a: original, b: loaded).
void expect_same_graph(const sfc::graph& a, const sfc::graph& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.opset, b.opset);
  EXPECT_EQ(a.quantized, b.quantized);
  EXPECT_EQ(a.inputs, b.inputs);
  EXPECT_EQ(a.outputs, b.outputs);
  ASSERT_EQ(a.values.size(), b.values.size());
  for (size_t i = 0; i < a.values.size(); ++i) {
    const sfc::value &x = a.values[i], &y = b.values[i];
    SCOPED_TRACE("value " + std::to_string(i) + " '" + x.name + "'");
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.desc.str(), y.desc.str());
    EXPECT_TRUE(x.desc.type == y.desc.type && x.desc.shape == y.desc.shape &&
                x.desc.layout == y.desc.layout);
    EXPECT_EQ(x.shape_known, y.shape_known);
    EXPECT_EQ(x.is_const, y.is_const);
    EXPECT_EQ(x.producer, y.producer);
    expect_same_tensor(x.data.get(), y.data.get());
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t k = 0; k < a.nodes.size(); ++k) {
    SCOPED_TRACE(a.nodes[k].label());
    expect_same_node(a.nodes[k], b.nodes[k]);
  }
}

std::vector<uint8_t> resnet20_file() {
  sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  sfc::set_input_shapes(g, sfc::input_shapes_with_batch(g, 1));
  sfc::prepare_graph(g);
  return sfc::sfcq_serialize(g);
}

}  // namespace sfcq_test
