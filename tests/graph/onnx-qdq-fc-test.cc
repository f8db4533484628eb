// QDQ Gemm / MatMul folded into int8 1x1 convs between reshapes (graph/passes/fold-qdq.h), in
// tiny models exported and imported back: the graph really holds int8 convs after fold_qdq, and
// the int8 executor under the direct policies gives the ONNX semantics computed here (dequantize,
// float op in double, requantize with round-half-even and saturation) within one output step.
// Patterns that do not fit stay f32 and still compute the same; malformed Q/DQ is an error.
#include "graph-test-util.h"
#include "graph/passes/fold-qdq.h"
#include "kernels/common/error.h"
#include "qlinear-test-util.h"

namespace {

using sfc::dtype;
using sfc::op_type;
using sfc_test::fake_quant;
using sfc_test::qmodel;
using sfc_test::qparam;

int32_t weight(int64_t o, int64_t k, int seed) { return int32_t((o * 37 + k * 11 + seed) % 255) - 127; }

// A dense layer's constants: W[o][k] (s8), scales per o (or one), real bias per o (or none).
struct dense {
  int64_t o = 0, k = 0;
  int seed = 0;
  std::vector<float> w_scale;  // [o] or [1]
  std::vector<int32_t> bias;   // int32 at s_x · s_w[o], empty: none
  float s(int64_t i) const { return w_scale[w_scale.size() == 1 ? 0 : size_t(i)]; }
  double w(int64_t i, int64_t j) const { return double(weight(i, j, seed)) * s(i); }
};

// y[r][o] = Σ_k a[r][k] · W[o][k] + bias[o], a = fake-quantized x (rows of k).
std::vector<double> dense_ref(const dense& d, const std::vector<float>& a, float s_x) {
  const size_t rows = a.size() / size_t(d.k);
  std::vector<double> y(rows * size_t(d.o));
  for (size_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < d.o; ++o) {
      double acc = d.bias.empty() ? 0.0 : double(d.bias[size_t(o)]) * double(s_x * d.s(o));
      for (int64_t k = 0; k < d.k; ++k) acc += double(a[r * size_t(d.k) + size_t(k)]) * d.w(o, k);
      y[r * size_t(d.o) + size_t(o)] = acc;
    }
  return y;
}

// DQ of the weights as B [o, k] (`trans`, scales along axis 0) or [k, o] (axis 1).
int weights_dq(qmodel& m, const dense& d, bool trans, const std::string& name) {
  std::vector<int32_t> w;
  for (int64_t i = 0; i < (trans ? d.o : d.k); ++i)
    for (int64_t j = 0; j < (trans ? d.k : d.o); ++j)
      w.push_back(trans ? weight(i, j, d.seed) : weight(j, i, d.seed));
  const int wv = m.ints(name + "_w", dtype::s8, trans ? sfc::shape_t{d.o, d.k} : sfc::shape_t{d.k, d.o}, w);
  const bool per_o = d.w_scale.size() > 1;
  const int ws = m.f32(name + "_w_scale", per_o ? sfc::shape_t{d.o} : sfc::shape_t{}, d.w_scale);
  const int out = m.node(op_type::dequantize_linear, name + "_w_dq", {wv, ws});
  if (per_o) m.attr("axis", trans ? 0 : 1);
  return out;
}

// Gemm C as DQ(int32 [o], scale s_x · s_w[o], axis 0), onnxruntime's form.
int bias_dq(qmodel& m, const dense& d, float s_x, const std::string& name) {
  std::vector<float> bs;
  for (int64_t o = 0; o < d.o; ++o) bs.push_back(s_x * d.s(o));
  const int b = m.ints(name + "_b", dtype::i32, {d.o}, d.bias);
  const int out = m.node(op_type::dequantize_linear, name + "_b_dq", {b, m.f32(name + "_b_scale", {d.o}, bs)});
  m.attr("axis", 0);
  return out;
}

// ---- folded -----------------------------------------------------------------------------------

// x [4, 16] -> Q/DQ -> Gemm(transB = 1, per-row scales, int32 C) -> Relu -> Q/DQ (int8 with
// zero point -128) -> Gemm(transB = 0, per-tensor scale, f32 C [1, 6]) -> Q/DQ (uint8, 128).
TEST(OnnxQdqFc, GemmChainFoldsIntoInt8Convs) {
  const qparam qx{0.03f, dtype::s8, 0}, qh{0.02f, dtype::s8, -128}, qy{0.05f, dtype::u8, 128};
  dense d1{12, 16, 3, {}, {}}, d2{6, 12, 7, {0.01f}, {}};
  for (int64_t o = 0; o < 12; ++o) d1.w_scale.push_back(0.003f * float(1 + o % 4));
  for (int64_t o = 0; o < 12; ++o) d1.bias.push_back(int32_t(o * 500 - 3000));
  const std::vector<float> c2 = {0.5f, -0.25f, 0.f, 1.f, -1.f, 0.125f};
  qmodel m;
  const int x = m.input("x", {4, 16});
  const int xd = m.dq(m.q(x, qx, "x_q"), qx, "x_dq");
  const int g1 = m.node(op_type::gemm, "fc1",
                        {xd, weights_dq(m, d1, true, "fc1"), bias_dq(m, d1, qx.scale, "fc1")});
  m.attr("transB", 1);
  const int h = m.node(op_type::relu, "relu1", {g1});
  const int hd = m.dq(m.q(h, qh, "h_q"), qh, "h_dq");
  const int g2 = m.node(op_type::gemm, "fc2", {hd, weights_dq(m, d2, false, "fc2"), m.f32("fc2_c", {1, 6}, c2)});
  m.attr("transB", 0);
  m.attr_f("alpha", 1.f);
  m.g.outputs = {m.dq(m.q(g2, qy, "y_q"), qy, "y_dq")};
  const std::vector<uint8_t> bytes = sfc::onnx_export(m.g);
  sfc::graph g = sfc::onnx_import_memory(bytes.data(), bytes.size(), "gemm-chain");
  ASSERT_EQ(sfc::fold_qdq(g), 2);
  EXPECT_EQ(sfc_test::int8_convs(g), 2);
  for (const sfc::node& n : g.nodes) {
    EXPECT_NE(n.op, op_type::gemm) << n.name;
    const bool fc1 = n.name == "fc1";
    if (n.op == op_type::conv) {  // W [O, K, 1, 1]
      EXPECT_EQ(g.values[size_t(n.inputs[1])].desc.shape,
                (sfc::shape_t{fc1 ? 12 : 6, fc1 ? 16 : 12, 1, 1}));
    }
  }
  const std::vector<float> x0 = sfc_test::random_input(64, 8);
  std::vector<float> a(x0.size()), hq, want;
  for (size_t i = 0; i < x0.size(); ++i) a[i] = fake_quant(x0[i], qx);
  for (double v : dense_ref(d1, a, qx.scale)) hq.push_back(fake_quant(std::max(0.0, v), qh));
  const std::vector<double> y = dense_ref(d2, hq, qh.scale);
  for (size_t i = 0; i < y.size(); ++i) want.push_back(fake_quant(y[i] + c2[i % 6], qy));
  EXPECT_GT(sfc_test::unsaturated(hq, qh), 12);  // the ReLU layer is not all zero
  sfc_test::expect_int8_matches(g, {4, 16}, x0, want, qy);
}

// x [2, 3, 16] -> Q/DQ (uint8, 128) -> MatMul(B [16, 8], per-column scales) -> Add(bias, y)
// -> Q/DQ (int8, 5): the output keeps A's leading dims, [2, 3, 8].
sfc::graph matmul_model(const dense& d, const qparam& qx, const qparam& qy,
                        const std::vector<float>& bias, int w_zp = 0) {
  qmodel m;
  const int x = m.input("x", {2, 3, d.k});
  const int xd = m.dq(m.q(x, qx, "x_q"), qx, "x_dq");
  int wd = weights_dq(m, d, false, "mm");
  if (w_zp) {  // a weight zero point on column 1
    std::vector<int32_t> z(size_t(d.o), 0);
    z[1] = w_zp;
    sfc::node& dq = m.g.nodes.back();
    dq.inputs.push_back(m.ints("mm_w_zp", dtype::s8, {d.o}, z));
  }
  const int y = m.node(op_type::matmul, "mm", {xd, wd});
  const int yb = m.node(op_type::add, "mm_bias", {m.f32("mm_b", {d.o}, bias), y});
  m.g.outputs = {m.dq(m.q(yb, qy, "y_q"), qy, "y_dq")};
  const std::vector<uint8_t> bytes = sfc::onnx_export(m.g);
  return sfc::onnx_import_memory(bytes.data(), bytes.size(), "matmul");
}

std::vector<float> matmul_oracle(const dense& d, const qparam& qx, const qparam& qy,
                                 const std::vector<float>& bias, const std::vector<float>& x,
                                 int w_zp = 0) {
  std::vector<float> a(x.size()), want;
  for (size_t i = 0; i < x.size(); ++i) a[i] = fake_quant(x[i], qx);
  std::vector<double> y = dense_ref(d, a, qx.scale);
  for (size_t i = 0; i < y.size(); ++i) {
    if (i % size_t(d.o) == 1)  // (w − zp) · s: the zero point's share on column 1
      for (int64_t k = 0; k < d.k; ++k)
        y[i] -= double(a[i / size_t(d.o) * size_t(d.k) + size_t(k)]) * w_zp * d.s(1);
    want.push_back(fake_quant(y[i] + bias[i % size_t(d.o)], qy));
  }
  return want;
}

TEST(OnnxQdqFc, MatMulOfRank3InputWithBiasAddFolds) {
  const qparam qx{0.03f, dtype::u8, 128}, qy{0.05f, dtype::s8, 5};
  dense d{8, 16, 5, {}, {}};
  for (int64_t o = 0; o < 8; ++o) d.w_scale.push_back(0.004f * float(1 + o % 3));
  std::vector<float> bias;
  for (int o = 0; o < 8; ++o) bias.push_back(0.1f * float(o) - 0.3f);
  sfc::graph g = matmul_model(d, qx, qy, bias);
  ASSERT_EQ(sfc::fold_qdq(g), 1);
  EXPECT_EQ(sfc_test::int8_convs(g), 1);
  for (const sfc::node& n : g.nodes) {
    EXPECT_NE(n.op, op_type::matmul) << n.name;
    EXPECT_NE(n.op, op_type::add) << n.name;  // the bias went into the conv
  }
  const std::vector<float> x = sfc_test::random_input(96, 9);
  sfc::executor ex(g, {{2, 3, 16}}, sfc_test::make_int8_options("reference", x));
  EXPECT_EQ(ex.output_desc(0).shape, (sfc::shape_t{2, 3, 8}));
  sfc_test::expect_int8_matches(g, {2, 3, 16}, x, matmul_oracle(d, qx, qy, bias, x), qy);
}

// ---- not folded -------------------------------------------------------------------------------

TEST(OnnxQdqFc, PatternsThatDoNotFitStayFloat) {
  const qparam qx{0.03f, dtype::u8, 128}, qy{0.05f, dtype::s8, 5};
  dense d{8, 16, 5, {0.006f}, {}};
  const std::vector<float> bias(8, 0.2f);
  const std::vector<float> x = sfc_test::random_input(96, 10);
  {  // a weight zero point: MatMul stays f32 (weights dequantized at import) with the same result
    SCOPED_TRACE("weight zero point");
    d.w_scale.assign(8, 0.006f);  // per column: the zero point vector needs as many scales
    sfc::graph g = matmul_model(d, qx, qy, bias, 3);
    EXPECT_EQ(sfc::fold_qdq(g), 0);
    EXPECT_EQ(sfc_test::int8_convs(g), 0);
    int matmuls = 0;
    for (const sfc::node& n : g.nodes) matmuls += n.op == op_type::matmul;
    EXPECT_EQ(matmuls, 1);
    sfc_test::expect_int8_matches(g, {2, 3, 16}, x, matmul_oracle(d, qx, qy, bias, x, 3), qy);
  }
  {  // Gemm with alpha = 0.5
    SCOPED_TRACE("alpha");
    qmodel m;
    const int xi = m.input("x", {6, 16});
    const int xd = m.dq(m.q(xi, qx, "x_q"), qx, "x_dq");
    const int y = m.node(op_type::gemm, "fc", {xd, weights_dq(m, d, true, "fc")});
    m.attr("transB", 1);
    m.attr_f("alpha", 0.5f);
    m.g.outputs = {m.dq(m.q(y, qy, "y_q"), qy, "y_dq")};
    sfc::graph g = m.g;
    EXPECT_EQ(sfc::fold_qdq(g), 0);
    EXPECT_EQ(sfc_test::int8_convs(g), 0);
    std::vector<float> a(x.size()), want;
    for (size_t i = 0; i < x.size(); ++i) a[i] = fake_quant(x[i], qx);
    for (double v : dense_ref(d, a, qx.scale)) want.push_back(fake_quant(0.5 * v, qy));
    sfc_test::expect_int8_matches(g, {6, 16}, x, want, qy);
  }
  {  // a weight of -128 (outside the int8 kernels' [-127, 127])
    SCOPED_TRACE("weight -128");
    qmodel m;
    const int xi = m.input("x", {6, 16});
    const int xd = m.dq(m.q(xi, qx, "x_q"), qx, "x_dq");
    const int wd = weights_dq(m, d, true, "fc");
    const int wv = m.g.nodes.back().inputs[0];
    auto w = std::make_shared<sfc::tensor>(*m.g.values[size_t(wv)].data);
    w->as<int8_t>()[5] = -128;
    m.g.values[size_t(wv)].data = w;
    const int y = m.node(op_type::gemm, "fc", {xd, wd});
    m.attr("transB", 1);
    m.g.outputs = {m.dq(m.q(y, qy, "y_q"), qy, "y_dq")};
    sfc::graph g = m.g;
    EXPECT_EQ(sfc::fold_qdq(g), 0);
    EXPECT_EQ(sfc_test::int8_convs(g), 0);
  }
}

// ---- malformed --------------------------------------------------------------------------------

TEST(OnnxQdqFc, MalformedWeightQdqIsAnError) {
  const qparam qx{0.03f, dtype::s8, 0}, qy{0.05f, dtype::s8, 0};
  dense d{8, 16, 5, {}, {}};
  for (int64_t o = 0; o < 8; ++o) d.w_scale.push_back(0.004f);
  auto model = [&](int64_t axis, bool scale) {
    qmodel m;
    const int xi = m.input("x", {6, 16});
    const int xd = m.dq(m.q(xi, qx, "x_q"), qx, "x_dq");
    const int wd = weights_dq(m, d, true, "fc");  // B [8, 16], 8 scales on axis 0
    m.attr("axis", axis);
    if (!scale) m.g.nodes.back().inputs.resize(1);
    m.node(op_type::gemm, "fc", {xd, wd});
    m.attr("transB", 1);
    m.g.outputs = {m.dq(m.q(int(m.g.values.size()) - 1, qy, "y_q"), qy, "y_dq")};
    return m.g;
  };
  EXPECT_EQ(sfc::fold_qdq(*std::make_unique<sfc::graph>(model(0, true))), 1);  // well-formed
  sfc_test::expect_fold_error(model(1, true), sfc::error::invalid_model, "8 scales do not match axis 1");
  sfc_test::expect_fold_error(model(0, false), sfc::error::invalid_model, "missing scale");
}

}  // namespace
