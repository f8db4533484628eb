// ONNX QOperator ops (graph/onnx/onnx-qlinear.h): QLinearMatMul and com.microsoft's QLinearAdd,
// QLinearGlobalAveragePool and QLinearAveragePool in tiny models, exported and imported back,
// folded (graph/passes/fold-qdq.h) and run by the int8 executor under the direct policies,
// against the ONNX semantics computed here (dequantize, float op in double, requantize with
// round-half-even and saturation): every output within one output quantization step. Plus the
// import errors for malformed nodes.
#include <functional>

#include "graph-test-util.h"
#include "graph/passes/fold-qdq.h"
#include "kernels/common/error.h"
#include "qlinear-test-util.h"

namespace {

using sfc::dtype;
using sfc::op_type;
using sfc_test::dequantize;
using sfc_test::fake_quant;
using sfc_test::qmodel;
using sfc_test::qparam;
using sfc_test::quantize;

sfc::graph import(const std::vector<uint8_t>& bytes) {
  return sfc::onnx_import_memory(bytes.data(), bytes.size(), "tiny");
}

void expect_import_error(const std::vector<uint8_t>& bytes, sfc::error::kind k,
                         const std::vector<std::string>& what) {
  try {
    sfc::graph g = import(bytes);
    sfc::fold_qdq(g);
    ADD_FAILURE() << "no error, expected: " << what[0];
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), k) << e.what();
    for (const std::string& w : what)
      EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what();
  }
}

// ---- QLinearMatMul --------------------------------------------------------------------------

struct matmul_case {
  qparam a, b, y;  // b: for a non-constant b only
  bool const_b;
  int64_t m, k, n;  // a [m, k], b [k, n]; non-constant b = Q(xᵀ), so n = m
};

int32_t weight(int64_t k, int64_t n) { return int32_t((k * 31 + n * 17) % 255) - 127; }
float column_scale(int64_t n) { return 0.004f * float(1 + n % 3); }

// x [m, k] -> Q(a) -> QLinearMatMul(b) -> DQ(y). b: constant s8 [k, n] with per-column scales
// and zero points 0, or Q(Transpose(x)). Optionally without b_scale, or with a 2-value a_scale.
std::vector<uint8_t> matmul_model(const matmul_case& c, bool b_scale = true, bool a_vec = false) {
  qmodel m;
  const int x = m.input("x", {c.m, c.k});
  const int as = m.scale_zp("a", c.a);
  const int xq = m.node(op_type::quantize_linear, "a_q", {x, as, as + 1});
  const int as_vec = m.f32("a_scale2", {2}, {c.a.scale, c.a.scale});
  int b, bs, bz;
  if (c.const_b) {
    std::vector<int32_t> w;
    std::vector<float> s;
    for (int64_t k = 0; k < c.k; ++k)
      for (int64_t n = 0; n < c.n; ++n) w.push_back(weight(k, n));
    for (int64_t n = 0; n < c.n; ++n) s.push_back(column_scale(n));
    b = m.ints("b", dtype::s8, {c.k, c.n}, w);
    bs = m.f32("b_scale", {c.n}, s);
    bz = m.ints("b_zp", dtype::s8, {c.n}, std::vector<int32_t>(size_t(c.n), 0));
  } else {
    const int xt = m.node(op_type::transpose, "xt", {x});
    m.attr("perm", std::vector<int64_t>{1, 0});
    bs = m.scale_zp("b", c.b), bz = bs + 1;
    b = m.node(op_type::quantize_linear, "b_q", {xt, bs, bz});
  }
  const int ys = m.scale_zp("y", c.y);
  const int yq = m.node(op_type::identity, "qmm",
                        {xq, a_vec ? as_vec : as, as + 1, b, b_scale ? bs : -1, bz, ys, ys + 1});
  m.g.outputs = {m.node(op_type::dequantize_linear, "y_dq", {yq, ys, ys + 1})};
  return sfc_test::export_renamed(m.g, "qmm", "QLinearMatMul");
}

std::vector<float> matmul_oracle(const matmul_case& c, const std::vector<float>& x) {
  std::vector<float> y(size_t(c.m * c.n));
  for (int64_t i = 0; i < c.m; ++i)
    for (int64_t j = 0; j < c.n; ++j) {
      double acc = 0;
      for (int64_t k = 0; k < c.k; ++k) {
        const double a = fake_quant(x[size_t(i * c.k + k)], c.a);
        const double b = c.const_b ? double(weight(k, j)) * column_scale(j)
                                   : fake_quant(x[size_t(j * c.k + k)], c.b);  // b = xᵀ
        acc += a * b;
      }
      y[size_t(i * c.n + j)] = fake_quant(acc, c.y);
    }
  return y;
}

TEST(OnnxQdqQLinear, MatMulWithConstantBFoldsIntoInt8Conv) {
  const matmul_case cases[] = {
      // uint8 activations with zero points
      {{0.03f, dtype::u8, 128}, {}, {0.06f, dtype::u8, 120}, true, 5, 24, 10},
      // int8 activations with zero points
      {{0.03f, dtype::s8, 3}, {}, {0.06f, dtype::s8, -10}, true, 5, 24, 10},
  };
  for (const matmul_case& c : cases) {
    SCOPED_TRACE(std::string("activations ") + sfc::dtype_name(c.a.type));
    sfc::graph g = import(matmul_model(c));
    ASSERT_EQ(sfc::fold_qdq(g), 1);
    EXPECT_TRUE(g.quantized);
    EXPECT_EQ(sfc_test::int8_convs(g), 1);
    for (const sfc::node& n : g.nodes) EXPECT_NE(n.op, op_type::matmul) << n.name;
    const std::vector<float> x = sfc_test::random_input(size_t(c.m * c.k), 3);
    sfc_test::expect_int8_matches(g, {c.m, c.k}, x, matmul_oracle(c, x), c.y);
  }
}

TEST(OnnxQdqQLinear, MatMulWithNonConstantBRunsInFloat) {
  const matmul_case c = {{0.03f, dtype::s8, 0}, {0.025f, dtype::u8, 100}, {0.04f, dtype::u8, 128},
                         false, 6, 8, 6};
  sfc::graph g = import(matmul_model(c));
  EXPECT_EQ(sfc::fold_qdq(g), 0);
  EXPECT_EQ(sfc_test::int8_convs(g), 0);
  int matmuls = 0;
  for (const sfc::node& n : g.nodes) matmuls += n.op == op_type::matmul;
  EXPECT_EQ(matmuls, 1);
  const std::vector<float> x = sfc_test::random_input(size_t(c.m * c.k), 4);
  sfc_test::expect_int8_matches(g, {c.m, c.k}, x, matmul_oracle(c, x), c.y);
}

// ---- QLinearAdd -----------------------------------------------------------------------------

const qparam kAddA{0.04f, dtype::s8, -3}, kAddB{0.02f, dtype::u8, 0}, kAddC{0.05f, dtype::u8, 60};
const int32_t kAddConst[4] = {0, 40, 200, 255};  // constant B, u8 [4, 1, 1]

// x [1, 4, 5, 5] -> QLinearAdd(Q(x), B) -> DQ, B = Q(Relu(x)) or a constant u8 [4, 1, 1].
// `live_scale`: A_scale comes from a node (not a constant).
std::vector<uint8_t> add_model(bool const_b, bool live_scale = false,
                               const std::string& op = "QLinearAdd") {
  qmodel m;
  const int x = m.input("x", {1, 4, 5, 5});
  const int as = m.scale_zp("A", kAddA);
  const int a = m.node(op_type::quantize_linear, "A_q", {x, as, as + 1});
  const int bs = m.scale_zp("B", kAddB);
  const int b = const_b ? m.ints("B_const", dtype::u8, {4, 1, 1}, {kAddConst, kAddConst + 4})
                        : m.node(op_type::quantize_linear, "B_q",
                                 {m.node(op_type::relu, "relu", {x}), bs, bs + 1});
  const int cs = m.scale_zp("C", kAddC);
  const int as_in = live_scale ? m.node(op_type::identity, "A_scale_live", {as}) : as;
  const int yq = m.node(op_type::identity, "qadd", {a, as_in, as + 1, b, bs, bs + 1, cs, cs + 1});
  m.g.outputs = {m.node(op_type::dequantize_linear, "y_dq", {yq, cs, cs + 1})};
  return sfc_test::export_renamed(m.g, "qadd", op, "com.microsoft");
}

TEST(OnnxQdqQLinear, AddMatchesOnnxSemantics) {
  const std::vector<float> x = sfc_test::random_input(100, 5);
  for (bool const_b : {false, true}) {
    SCOPED_TRACE(const_b ? "constant B (broadcast)" : "B = Q(Relu(x))");
    sfc::graph g = import(add_model(const_b));
    sfc::fold_qdq(g);
    int adds = 0;
    for (const sfc::node& n : g.nodes) adds += n.op == op_type::add;
    EXPECT_EQ(adds, 1);
    std::vector<float> want(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const double b = const_b ? dequantize(kAddConst[i / 25], kAddB)
                               : fake_quant(std::max(0.f, x[i]), kAddB);
      want[i] = fake_quant(double(fake_quant(x[i], kAddA)) + b, kAddC);
    }
    sfc_test::expect_int8_matches(g, {1, 4, 5, 5}, x, want, kAddC);
  }
}

// ---- QLinearGlobalAveragePool / QLinearAveragePool -------------------------------------------

const qparam kPoolX{0.03f, dtype::u8, 128};

// x -> Q -> op (placeholder `ph` with its attributes set by `attrs`) -> DQ(y).
std::vector<uint8_t> pool_model(const sfc::shape_t& s, const std::string& op, const qparam& y,
                                const std::function<void(qmodel&)>& attrs) {
  qmodel m;
  const int x = m.input("x", s);
  const int xs = m.scale_zp("x", kPoolX);
  const int xq = m.node(op_type::quantize_linear, "x_q", {x, xs, xs + 1});
  const int ys = m.scale_zp("y", y);
  const int yq = m.node(op_type::identity, "qpool", {xq, xs, xs + 1, ys, ys + 1});
  attrs(m);
  m.g.outputs = {m.node(op_type::dequantize_linear, "y_dq", {yq, ys, ys + 1})};
  return sfc_test::export_renamed(m.g, "qpool", op, "com.microsoft");
}

TEST(OnnxQdqQLinear, GlobalAveragePoolMatchesOnnxSemantics) {
  const qparam y{0.005f, dtype::s8, 2};
  sfc::graph g = import(pool_model({2, 6, 5, 5}, "QLinearGlobalAveragePool", y,
                                   [](qmodel& m) { m.attr("channels_last", 0); }));
  sfc::fold_qdq(g);
  const std::vector<float> x = sfc_test::random_input(2 * 6 * 25, 6);
  std::vector<float> want(12);
  for (size_t c = 0; c < want.size(); ++c) {  // (n, c) planes of 25
    double s = 0;
    for (size_t i = 0; i < 25; ++i) s += fake_quant(x[c * 25 + i], kPoolX);
    want[c] = fake_quant(s / 25, y);
  }
  sfc_test::expect_int8_matches(g, {2, 6, 5, 5}, x, want, y);
}

TEST(OnnxQdqQLinear, AveragePoolMatchesOnnxSemantics) {
  // 3x3 window, stride 2, padding 1, padded elements not counted: [1, 3, 6, 6] -> [1, 3, 3, 3].
  const qparam y{0.01f, dtype::u8, 100};
  sfc::graph g = import(pool_model({1, 3, 6, 6}, "QLinearAveragePool", y, [](qmodel& m) {
    m.attr("kernel_shape", std::vector<int64_t>{3, 3});
    m.attr("strides", std::vector<int64_t>{2, 2});
    m.attr("pads", std::vector<int64_t>{1, 1, 1, 1});
    m.attr("count_include_pad", 0);
    m.attr("channels_last", 0);
  }));
  sfc::fold_qdq(g);
  const std::vector<float> x = sfc_test::random_input(3 * 36, 7);
  std::vector<float> want;
  for (int c = 0; c < 3; ++c)
    for (int oy = 0; oy < 3; ++oy)
      for (int ox = 0; ox < 3; ++ox) {
        double s = 0;
        int count = 0;
        for (int iy = 2 * oy - 1; iy <= 2 * oy + 1; ++iy)
          for (int ix = 2 * ox - 1; ix <= 2 * ox + 1; ++ix)
            if (iy >= 0 && iy < 6 && ix >= 0 && ix < 6)
              s += fake_quant(x[size_t((c * 6 + iy) * 6 + ix)], kPoolX), ++count;
        want.push_back(fake_quant(s / count, y));
      }
  sfc_test::expect_int8_matches(g, {1, 3, 6, 6}, x, want, y);
}

// ---- malformed nodes --------------------------------------------------------------------------

TEST(OnnxQdqQLinear, MalformedNodesAreClearErrors) {
  const matmul_case c = {{0.03f, dtype::u8, 128}, {}, {0.06f, dtype::u8, 120}, true, 2, 4, 3};
  expect_import_error(matmul_model(c, false), sfc::error::invalid_model,
                      {"node 'qmm' (QLinearMatMul)", "missing input 'b_scale'"});
  expect_import_error(matmul_model(c, true, true), sfc::error::invalid_model,
                      {"'a_scale' must be one value"});
  expect_import_error(add_model(false, true), sfc::error::invalid_model,
                      {"node 'qadd' (QLinearAdd)", "'A_scale' must be a float32 constant"});
  expect_import_error(
      pool_model({1, 2, 4, 4}, "QLinearGlobalAveragePool", kPoolX,
                 [](qmodel& m) { m.attr("channels_last", 1); }),
      sfc::error::unsupported, {"node 'qpool' (QLinearGlobalAveragePool)", "channels_last"});
  // Other com.microsoft ops stay unsupported, with node, op and domain named.
  expect_import_error(add_model(false, false, "QLinearMul"), sfc::error::unsupported,
                      {"node 'qadd' (QLinearMul)", "'QLinearMul' of domain 'com.microsoft'"});
  // The well-formed models import (the errors above come from the changes made here).
  EXPECT_NO_THROW(import(matmul_model(c)));
  EXPECT_NO_THROW(import(add_model(false)));
}

}  // namespace
