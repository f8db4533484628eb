// ONNX QDQ models (graph/passes/fold-qdq.h). The QDQ model is built here from akamaster's fp32
// ResNet-20: the int8 executor calibrates it (quantized_model(): s8 weights, per-channel weight
// scales, activation scales), the unfused fp32 graph gets QuantizeLinear / DequantizeLinear pairs
// with those scales around every conv (per-axis weights, int32 bias, residual adds and the FC in
// f32 between Q/DQ borders, post-ReLU tensors as int8 with zero point -128, the network input as
// uint8 with zero point 128), is exported with onnx_export, imported back and folded. Checked:
// top-1 agreement with fp32 on the 200 lossless CIFAR-10 images, and agreement of the int8
// policies. Plus the errors for malformed Q/DQ nodes.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "graph-test-util.h"
#include "graph/onnx/onnx.h"
#include "graph/passes/fold-qdq.h"
#include "int8-test-util.h"
#include "kernels/common/error.h"

namespace {

using sfc_test::data_path;

const char* kModel = "cifar10_resnet_akamaster/resnet20.onnx";
const char* kImages = "cifar10_test_lossless200_eembc/images_u8_nhwc_200x32x32x3.bin";
constexpr int kBatch = 50, kCount = 200;
constexpr size_t kPerImage = 32 * 32 * 3;

bool have_data() {
  return sfc_test::file_exists(data_path(kModel)) && sfc_test::file_exists(data_path(kImages));
}

// ---- building the QDQ model ---------------------------------------------------------------

struct qdq_builder {
  sfc::graph g;
  int counter = 0;

  int f32_const(const std::string& name, const sfc::shape_t& s, const std::vector<float>& v) {
    return g.add_constant(name, sfc::make_f32_tensor(s, v));
  }
  int zp_const(const std::string& name, sfc::dtype t, const std::vector<int32_t>& z, bool vec) {
    auto c = std::make_shared<sfc::tensor>(sfc::tensor_desc{
        t, vec ? sfc::shape_t{int64_t(z.size())} : sfc::shape_t{}, sfc::tensor_layout::plain});
    for (size_t i = 0; i < z.size(); ++i) {
      if (t == sfc::dtype::u8) c->as<uint8_t>()[i] = uint8_t(z[i]);
      else c->as<int8_t>()[i] = int8_t(z[i]);
    }
    return g.add_constant(name, c);
  }
  int node1(sfc::op_type op, const std::string& name, std::vector<int> ins) {
    const int out = g.add_value(name);
    g.add_node(op, name, std::move(ins), {out});
    return out;
  }
  // Per-tensor Q -> DQ of f32 value v in the ONNX spelling chosen for (t, zp): u8 with zero
  // point 0 as int8 with zero point -128 (onnxruntime's post-ReLU form); `asym`: an s8 tensor
  // with zero point 0 as uint8 with zero point 128. Returns the DQ output.
  int qdq(int v, sfc::qtype t, float scale, int32_t zp, bool asym) {
    sfc::dtype zt = t == sfc::qtype::u8 ? sfc::dtype::u8 : sfc::dtype::s8;
    if (t == sfc::qtype::u8 && zp == 0) zt = sfc::dtype::s8, zp = -128;
    else if (asym && t == sfc::qtype::s8 && zp == 0) zt = sfc::dtype::u8, zp = 128;
    const std::string b = g.values[size_t(v)].name + "/qdq" + std::to_string(counter++);
    const int s = f32_const(b + "/scale", {}, {scale});
    const int z = zp_const(b + "/zp", zt, {zp}, false);
    const int q = node1(sfc::op_type::quantize_linear, b + "/q", {v, s, z});
    return node1(sfc::op_type::dequantize_linear, b + "/dq", {q, s, z});
  }
  // Every reader of `from` except node `skip` reads `to` instead.
  void redirect(int from, int to, int skip) {
    for (size_t k = 0; k < g.nodes.size(); ++k)
      if (int(k) != skip)
        for (int& i : g.nodes[k].inputs)
          if (i == from) i = to;
  }
  int only_reader(int v) const {
    const auto users = g.consumers();
    return users[size_t(v)].size() == 1 ? users[size_t(v)][0] : -1;
  }
  // Q -> DQ after value v; its readers read the DQ output.
  void quantize_after(int v, sfc::qtype t, float scale, int32_t zp) {
    const size_t first = g.nodes.size();
    const int d = qdq(v, t, scale, zp, false);
    for (size_t k = 0; k < first; ++k)
      for (int& i : g.nodes[k].inputs)
        if (i == v) i = d;
  }

  // Conv node k of the unfused graph, quantized like `qc` (the same conv of quantized_model()).
  void conv(int k, const sfc::graph& qm, const sfc::node& qc) {
    const sfc::conv_quant_params& q = qc.conv.quant;
    const std::string name = g.nodes[size_t(k)].name;
    const int x = g.nodes[size_t(k)].inputs[0];
    const int px = g.values[size_t(x)].producer;
    if (px < 0 || g.nodes[size_t(px)].op != sfc::op_type::dequantize_linear)
      g.nodes[size_t(k)].inputs[0] = qdq(x, q.src_type, q.src_scale, q.src_zero_point,
                                         g.is_graph_output(x) || px < 0);
    // Weights: s8 OIHW with per-output-channel scales along axis 0, zero points 0.
    const sfc::value& wv = qm.values[size_t(qc.inputs[1])];
    const int64_t oc = wv.desc.shape[0];
    const int w = g.add_constant(name + "/w_q", std::const_pointer_cast<sfc::tensor>(wv.data));
    const int ws = f32_const(name + "/w_scale", {oc}, q.weight_scale);
    const int wz = zp_const(name + "/w_zp", sfc::dtype::s8, std::vector<int32_t>(size_t(oc), 0), true);
    const int wd = node1(sfc::op_type::dequantize_linear, name + "/w_dq", {w, ws, wz});
    sfc::attribute axis;
    axis.kind = sfc::attribute::i, axis.int_value = 0;
    g.nodes.back().attrs["axis"] = axis;
    g.nodes[size_t(k)].inputs[1] = wd;
    // Bias: int32 at scale s_x · s_w[o] (onnxruntime's convention).
    if (qc.input(2) >= 0) {
      const float* bf = qm.values[size_t(qc.inputs[2])].data->as<float>();
      auto b = std::make_shared<sfc::tensor>(sfc::tensor_desc{sfc::dtype::i32, {oc}, sfc::tensor_layout::plain});
      std::vector<float> bs(static_cast<size_t>(oc));
      for (int64_t o = 0; o < oc; ++o) {
        bs[size_t(o)] = q.src_scale * q.weight_scale[size_t(o)];
        b->as<int32_t>()[o] = int32_t(std::lrint(double(bf[o]) / double(bs[size_t(o)])));
      }
      const int bi = g.add_constant(name + "/b_q", b);
      const int bsc = f32_const(name + "/b_scale", {oc}, bs);
      g.nodes[size_t(k)].inputs.resize(3);
      g.nodes[size_t(k)].inputs[2] = node1(sfc::op_type::dequantize_linear, name + "/b_dq", {bi, bsc});
      g.nodes.back().attrs["axis"] = axis;
    }
    // Output: Conv [-> Relu] -> Q -> DQ; with a residual Conv -> Q(pre-residual, s8) -> DQ ->
    // Add [-> Relu] -> Q(dst) -> DQ.
    int y = g.nodes[size_t(k)].outputs[0];
    if (qc.input(3) >= 0) {
      ASSERT_GT(q.pre_residual_scale, 0.f) << name;
      const int add = only_reader(y);
      ASSERT_GE(add, 0) << name;
      quantize_after(y, sfc::qtype::s8, q.pre_residual_scale, 0);
      y = g.nodes[size_t(add)].outputs[0];
    }
    if (qc.conv.act == sfc::activation_kind::relu) {
      const int r = only_reader(y);
      ASSERT_GE(r, 0) << name;
      ASSERT_EQ(g.nodes[size_t(r)].op, sfc::op_type::relu) << name;
      y = g.nodes[size_t(r)].outputs[0];
    }
    quantize_after(y, q.dst_type, q.dst_scale, q.dst_zero_point);
  }
};

// ---- shared data ------------------------------------------------------------------------------

struct qdq_data {
  std::vector<float> x;         // the 200 images, preprocessed, NHWC
  std::vector<float> calib;     // calibration images
  std::vector<float> fp32_out;  // [200][10]
  std::vector<float> int8_out;  // the calibrated int8 executor (reference policy)
  std::vector<uint8_t> onnx;    // the QDQ model
  int int8_convs = 0;
};

const qdq_data& data() {
  static const qdq_data d = [] {
    qdq_data r;
    const sfc::graph g0 = sfc::onnx_import_file(data_path(kModel));
    r.x = sfc_test::cifar_preprocess(sfc_test::read_bytes(data_path(kImages)));
    r.calib = sfc_test::cifar_jpeg_calibration(64);
    if (r.calib.empty()) r.calib.assign(r.x.end() - 32 * long(kPerImage), r.x.end());
    sfc::executor_options fo;
    fo.threads = 1;
    sfc::executor f(g0, {{kBatch, 3, 32, 32}}, fo);
    r.fp32_out = sfc_test::run_batched(f, r.x, kPerImage);
    sfc::executor q(g0, {{kBatch, 3, 32, 32}}, sfc_test::make_int8_options("reference", r.calib));
    r.int8_out = sfc_test::run_batched(q, r.x, kPerImage);
    const sfc::graph qm = q.quantized_model();
    std::map<std::string, const sfc::node*> qconvs;
    for (const sfc::node& n : qm.nodes)
      if (n.op == sfc::op_type::conv && n.conv.quant.valid) qconvs[n.name] = &n;
    r.int8_convs = int(qconvs.size());
    // The unfused fp32 graph (BN folded, shapes fixed at batch kBatch), then Q/DQ around convs.
    qdq_builder b;
    b.g = g0;
    sfc::set_input_shapes(b.g, {{kBatch, 3, 32, 32}});
    sfc::prepare_options po;
    po.fuse = false;
    sfc::prepare_graph(b.g, po);
    std::vector<int> convs;
    for (size_t k = 0; k < b.g.nodes.size(); ++k)
      if (b.g.nodes[k].op == sfc::op_type::conv) convs.push_back(int(k));
    for (int k : convs) {
      const auto it = qconvs.find(b.g.nodes[size_t(k)].name);
      if (it == qconvs.end()) throw std::runtime_error("conv " + b.g.nodes[size_t(k)].name + " not in the quantized model");
      b.conv(k, qm, *it->second);
    }
    b.g.compact();
    r.onnx = sfc::onnx_export(b.g);
    return r;
  }();
  return d;
}

#define REQUIRE_QDQ_DATA()                                                                  \
  do {                                                                                      \
    if (!have_data()) GTEST_SKIP() << "test data not found under SFC_DATA_DIR (" << kModel \
                                   << ", " << kImages << ")";                               \
  } while (0)

sfc::graph import_qdq() {
  sfc::graph g = sfc::onnx_import_memory(data().onnx.data(), data().onnx.size(), "resnet20-qdq");
  EXPECT_EQ(sfc::fold_qdq(g), data().int8_convs);
  return g;
}

std::vector<float> run_policy(const sfc::graph& g, const std::string& policy,
                              std::vector<std::string>* impls) {
  sfc::executor ex(g, {{kBatch, 3, 32, 32}}, sfc_test::make_int8_options(policy, data().calib));
  for (size_t k = 0; k < ex.prepared_graph().nodes.size(); ++k)
    if (ex.prepared_graph().nodes[k].op == sfc::op_type::conv) impls->push_back(ex.node_impl(k));
  return sfc_test::run_batched(ex, data().x, kPerImage);
}

TEST(OnnxQdq, FoldsEveryConvOfResNet20) {
  REQUIRE_QDQ_DATA();
  const sfc::graph g = import_qdq();
  EXPECT_TRUE(g.quantized);
  int convs = 0, qdq = 0;
  for (const sfc::node& n : g.nodes) {
    if (n.op == sfc::op_type::conv) {
      ++convs;
      EXPECT_TRUE(n.conv.quant.valid) << n.name;
      EXPECT_EQ(g.values[size_t(n.inputs[1])].desc.type, sfc::dtype::s8) << n.name;
    }
    qdq += n.op == sfc::op_type::quantize_linear || n.op == sfc::op_type::dequantize_linear;
  }
  EXPECT_EQ(convs, data().int8_convs);
  EXPECT_GT(qdq, 0);  // the f32 borders (residual adds, FC) stay
  // Zero points: int8 with -128 became u8 with 0 (src and dst), the uint8 input kept 128.
  int u8_src = 0, u8_dst = 0, zp128 = 0;
  for (const sfc::node& n : g.nodes) {
    if (n.op != sfc::op_type::conv) continue;
    const sfc::conv_quant_params& q = n.conv.quant;
    u8_src += q.src_type == sfc::qtype::u8 && q.src_zero_point == 0;
    u8_dst += q.dst_type == sfc::qtype::u8 && q.dst_zero_point == 0;
    zp128 += q.src_type == sfc::qtype::u8 && q.src_zero_point == 128;
    EXPECT_FALSE(q.dst_type == sfc::qtype::s8 && q.dst_zero_point == -128) << n.name;
  }
  EXPECT_GT(u8_src, 0);
  EXPECT_GT(u8_dst, 0);
  EXPECT_EQ(zp128, 1);  // the first conv
}

class OnnxQdqPolicy : public testing::TestWithParam<std::string> {};

TEST_P(OnnxQdqPolicy, MatchesFp32Top1) {
  REQUIRE_QDQ_DATA();
  if (!sfc_test::policy_available(GetParam())) GTEST_SKIP() << GetParam() << " not built";
  const sfc::graph g = import_qdq();
  std::vector<std::string> impls;
  const std::vector<float> out = run_policy(g, GetParam(), &impls);
  const qdq_data& d = data();
  const int fp32 = sfc_test::top1_agreement(out, d.fp32_out, 10);
  const int int8 = sfc_test::top1_agreement(out, d.int8_out, 10);
  std::printf("[ qdq %-13s] top-1 agreement with fp32 %d/%d, with the calibrated int8 executor "
              "%d/%d; max |logit diff| vs fp32 %.3f\n",
              GetParam().c_str(), fp32, kCount, int8, kCount, sfc_test::max_abs_diff(out, d.fp32_out));
  std::map<std::string, int> families;
  for (const std::string& s : impls) ++families[sfc_test::impl_family(s)];
  for (const auto& f : families) std::printf("    %2d convs on %s\n", f.second, f.first.c_str());
  EXPECT_GE(fp32, kCount * 97 / 100);
  if (GetParam().rfind("sfc", 0) == 0) {
    int sfc_layers = 0;
    for (const std::string& s : impls) sfc_layers += s.rfind(GetParam(), 0) == 0;
    EXPECT_GT(sfc_layers, 0) << "no conv ran on " << GetParam();
  }
}

INSTANTIATE_TEST_SUITE_P(All, OnnxQdqPolicy,
                         testing::Values("reference", "onednn", "xnnpack", "sfc6_7x7_3x3"),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

TEST(OnnxQdq, DirectPoliciesAgree) {
  REQUIRE_QDQ_DATA();
  const sfc::graph g = import_qdq();
  std::vector<std::string> impls;
  const std::vector<float> ref = run_policy(g, "reference", &impls);
  for (const std::string p : {"onednn", "xnnpack"}) {
    if (!sfc_test::policy_available(p)) continue;
    const std::vector<float> out = run_policy(g, p, &impls);
    EXPECT_EQ(sfc_test::top1_agreement(out, ref, 10), kCount) << p;
    const float diff = sfc_test::max_abs_diff(out, ref);
    std::printf("[ qdq %s vs reference ] max |logit diff| %g\n", p.c_str(), double(diff));
    EXPECT_LE(diff, 0.05f) << p;
  }
}

// ---- malformed Q/DQ ---------------------------------------------------------------------------

// The tiny model's QDQ semantics in double: input quantized at 0.05 (s8), weights at
// 0.01 · (o + 1), optional int32 bias at 0.05 · w_scale, direct 3x3 conv, output Q/DQ at 0.1.
// x NHWC [1, 8, 8, 3]; returns plain NCHW [1, 4, 6, 6].
std::vector<float> tiny_oracle(const std::vector<float>& x, const sfc::tensor& w, const int32_t* bias) {
  std::vector<float> want(4 * 6 * 6);
  for (int o = 0; o < 4; ++o)
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j) {
        const double ws = 0.01f * float(o + 1);
        double acc = bias ? double(bias[o]) * double(0.05f) * double(float(ws)) : 0.0;
        for (int c = 0; c < 3; ++c)
          for (int u = 0; u < 3; ++u)
            for (int v = 0; v < 3; ++v) {
              const float xf = x[size_t(((i + u) * 8 + (j + v)) * 3 + c)];
              const double xq = std::min(127.0, std::max(-128.0, double(std::nearbyint(xf / 0.05f))));
              acc += xq * double(0.05f) * w.as<int8_t>()[((o * 3 + c) * 3 + u) * 3 + v] * double(float(ws));
            }
        const double yq = std::min(127.0, std::max(-128.0, std::nearbyint(acc / double(0.1f))));
        want[size_t((o * 6 + i) * 6 + j)] = float(yq * double(0.1f));
      }
  return want;
}

std::vector<float> tiny_w_scales() { return {0.01f * 1.f, 0.01f * 2.f, 0.01f * 3.f, 0.01f * 4.f}; }

std::shared_ptr<sfc::tensor> tiny_weights() {
  auto w = std::make_shared<sfc::tensor>(sfc::tensor_desc{sfc::dtype::s8, {4, 3, 3, 3}, sfc::tensor_layout::plain});
  for (int64_t i = 0; i < w->numel(); ++i) w->as<int8_t>()[i] = int8_t((i * 37) % 255 - 127);
  return w;
}

// x -> Q -> DQ -> Conv(DQ(w s8 [4, 3, 3, 3], per-channel)) -> Q -> DQ -> y.
sfc::graph tiny_qdq() {
  qdq_builder b;
  const int x = b.g.add_value("x");
  b.g.values[size_t(x)].desc = sfc::tensor_desc{sfc::dtype::f32, {1, 3, 8, 8}, sfc::tensor_layout::plain};
  b.g.inputs = {x};
  const int xd = b.qdq(x, sfc::qtype::s8, 0.05f, 0, false);
  const int wv = b.g.add_constant("w", tiny_weights());
  const int ws = b.f32_const("w_scale", {4}, tiny_w_scales());
  const int wd = b.node1(sfc::op_type::dequantize_linear, "w_dq", {wv, ws});
  sfc::attribute axis;
  axis.kind = sfc::attribute::i, axis.int_value = 0;
  b.g.nodes.back().attrs["axis"] = axis;
  const int y = b.node1(sfc::op_type::conv, "conv", {xd, wd});
  b.g.outputs = {b.qdq(y, sfc::qtype::s8, 0.1f, 0, false)};
  return b.g;
}

sfc::node& node_named(sfc::graph& g, const std::string& name) {
  for (sfc::node& n : g.nodes)
    if (n.name == name) return n;
  throw std::runtime_error("no node " + name);
}

TEST(OnnxQdq, TinyModelFoldsAndMatchesFp32Semantics) {
  sfc::graph g = tiny_qdq();
  // Through ONNX and back, as a user's model would come.
  const std::vector<uint8_t> bytes = sfc::onnx_export(g);
  sfc::graph gi = sfc::onnx_import_memory(bytes.data(), bytes.size(), "tiny");
  ASSERT_EQ(sfc::fold_qdq(gi), 1);
  const std::vector<float> x = sfc_test::random_input(3 * 8 * 8, 7);
  const std::vector<float> calib = x;
  for (const std::string p : {"reference", "onednn", "xnnpack"}) {
    if (!sfc_test::policy_available(p)) continue;
    const std::vector<float> got =
        sfc_test::run_graph(gi, {1, 3, 8, 8}, x, sfc_test::make_int8_options(p, calib));
    const std::vector<float> want = tiny_oracle(x, *g.values[size_t(g.find_value("w"))].data, nullptr);
    EXPECT_GT(std::count_if(want.begin(), want.end(), [](float v) { return v != 0.f; }), 72);
    EXPECT_LE(sfc_test::max_abs_diff(got, want), 0.1f + 1e-5f) << p;  // at most one output step
  }
}

// x -> Q -> QLinearConv(bias) -> DQ -> y. onnx_export knows no QLinearConv, so the model is
// written with an AveragePool placeholder node (same name length) whose op_type is patched.
std::vector<uint8_t> tiny_qlinear_onnx(bool with_w_scale) {
  qdq_builder b;
  const int x = b.g.add_value("x");
  b.g.values[size_t(x)].desc = sfc::tensor_desc{sfc::dtype::f32, {1, 3, 8, 8}, sfc::tensor_layout::plain};
  b.g.inputs = {x};
  const int xs = b.f32_const("x_scale", {}, {0.05f});
  const int xz = b.zp_const("x_zp", sfc::dtype::s8, {0}, false);
  const int xq = b.node1(sfc::op_type::quantize_linear, "x_q", {x, xs, xz});
  const int w = b.g.add_constant("w", tiny_weights());
  const int ws = with_w_scale ? b.f32_const("w_scale", {4}, tiny_w_scales()) : -1;
  const int wz = b.zp_const("w_zp", sfc::dtype::s8, {0, 0, 0, 0}, true);
  const int ys = b.f32_const("y_scale", {}, {0.1f});
  const int yz = b.zp_const("y_zp", sfc::dtype::s8, {0}, false);
  const int bias = b.g.add_constant("B", std::make_shared<sfc::tensor>([] {
    sfc::tensor t(sfc::tensor_desc{sfc::dtype::i32, {4}, sfc::tensor_layout::plain});
    const int32_t v[4] = {1000, -500, 0, 70};
    std::copy(v, v + 4, t.as<int32_t>());
    return t;
  }()));
  const int yq = b.node1(sfc::op_type::avg_pool, "qconv", {xq, xs, xz, w, ws, wz, ys, yz, bias});
  b.g.outputs = {b.node1(sfc::op_type::dequantize_linear, "y_dq", {yq, ys, yz})};
  std::vector<uint8_t> bytes = sfc::onnx_export(b.g);
  const std::string from = "AveragePool", to = "QLinearConv";
  auto it = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
  EXPECT_NE(it, bytes.end());
  if (it != bytes.end()) std::copy(to.begin(), to.end(), it);
  return bytes;
}

TEST(OnnxQdq, QLinearConvImportsAndFolds) {
  const std::vector<uint8_t> bytes = tiny_qlinear_onnx(true);
  sfc::graph g = sfc::onnx_import_memory(bytes.data(), bytes.size(), "qlinear");
  ASSERT_EQ(sfc::fold_qdq(g), 1);
  const std::vector<float> x = sfc_test::random_input(3 * 8 * 8, 11);
  const int32_t bias[4] = {1000, -500, 0, 70};
  const std::vector<float> want = tiny_oracle(x, *tiny_weights(), bias);
  // The bias matters (0.5 and -0.5 = 5 output steps on channels 0 and 1).
  EXPECT_GT(sfc_test::max_abs_diff(want, tiny_oracle(x, *tiny_weights(), nullptr)), 0.3f);
  EXPECT_GT(std::count_if(want.begin(), want.end(), [](float v) { return v != 0.f; }), 72);
  for (const std::string p : {"reference", "onednn", "xnnpack"}) {
    if (!sfc_test::policy_available(p)) continue;
    const std::vector<float> got =
        sfc_test::run_graph(g, {1, 3, 8, 8}, x, sfc_test::make_int8_options(p, x));
    EXPECT_LE(sfc_test::max_abs_diff(got, want), 0.1f + 1e-5f) << p;
  }
  // A missing scale is named.
  const std::vector<uint8_t> bad = tiny_qlinear_onnx(false);
  try {
    sfc::onnx_import_memory(bad.data(), bad.size(), "qlinear");
    ADD_FAILURE() << "no error";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::invalid_model) << e.what();
    EXPECT_NE(std::string(e.what()).find("missing input 'w_scale'"), std::string::npos) << e.what();
  }
}

TEST(OnnxQdq, PerTensorWeightScale) {
  sfc::graph g = tiny_qdq();
  node_named(g, "w_dq").inputs[1] = g.add_constant("w_scale_t", sfc::make_f32_tensor({}, {0.02f}));
  node_named(g, "w_dq").attrs.erase("axis");
  ASSERT_EQ(sfc::fold_qdq(g), 1);
  for (const sfc::node& n : g.nodes) {
    if (n.op == sfc::op_type::conv) {
      EXPECT_EQ(n.conv.quant.weight_scale, std::vector<float>(4, 0.02f));
    }
  }
  const std::vector<float> x = sfc_test::random_input(3 * 8 * 8, 5);
  const std::vector<float> got =
      sfc_test::run_graph(g, {1, 3, 8, 8}, x, sfc_test::make_int8_options("reference", x));
  EXPECT_EQ(got.size(), size_t(4 * 6 * 6));
}

TEST(OnnxQdq, MalformedQdqIsAClearError) {
  {  // missing weight scale
    sfc::graph g = tiny_qdq();
    node_named(g, "w_dq").inputs.resize(1);
    sfc_test::expect_fold_error(g, sfc::error::invalid_model, "missing scale");
  }
  {  // zero activation scale
    sfc::graph g = tiny_qdq();
    const int s = node_named(g, "x/qdq0/dq").inputs[1];
    sfc::value& v = g.values[size_t(s)];
    auto t = std::make_shared<sfc::tensor>(*v.data);
    t->as<float>()[0] = 0.f;
    v.data = t;
    sfc_test::expect_fold_error(g, sfc::error::invalid_model, "scale must be positive");
  }
  {  // per-channel weight scales on the wrong axis (1: 3 input channels, 4 scales)
    sfc::graph g = tiny_qdq();
    node_named(g, "w_dq").attrs["axis"].int_value = 1;
    sfc_test::expect_fold_error(g, sfc::error::invalid_model, "wrong axis");
  }
  {  // no axis attribute: ONNX's default axis 1
    sfc::graph g = tiny_qdq();
    node_named(g, "w_dq").attrs.erase("axis");
    sfc_test::expect_fold_error(g, sfc::error::invalid_model, "do not match axis 1");
  }
  {  // axis out of range
    sfc::graph g = tiny_qdq();
    node_named(g, "w_dq").attrs["axis"].int_value = 4;
    sfc_test::expect_fold_error(g, sfc::error::invalid_model, "out of range");
  }
  {  // non-zero weight zero point
    sfc::graph g = tiny_qdq();
    qdq_builder b;
    b.g = g;
    const int z = b.zp_const("w_zp", sfc::dtype::s8, {0, 1, 0, 0}, true);
    node_named(b.g, "w_dq").inputs.push_back(z);
    sfc_test::expect_fold_error(b.g, sfc::error::unsupported, "non-zero zero point");
  }
}

}  // namespace
