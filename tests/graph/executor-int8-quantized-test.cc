// Quantized models (graph::quantized, executor::quantized_model()): an int8 executor's prepared
// graph exported with s8 weights and its per-conv choices (implementation, transform-domain bits
// and scales) runs without calibration and reproduces the original executor byte for byte; the
// transform-domain options (td_bits, stored activation / weight scales) change what they should.
#include "graph/zoo/zoo.h"
#include "kernels/common/error.h"
#include "int8-test-util.h"

namespace {

constexpr int kHw = 32;
constexpr size_t kPerImage = 3 * kHw * kHw;

sfc::graph resnet20() {
  sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  g.values[size_t(g.inputs[0])].desc.shape = {-1, 3, kHw, kHw};
  return g;
}

std::vector<float> run(sfc::executor& ex, const std::vector<float>& x) {
  ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);
  ex.run();
  const sfc::tensor t = ex.output(0);
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numel());
}

sfc::executor_options no_calibration(const std::string& policy) {
  sfc::executor_options o = sfc_test::make_int8_options(policy, {});
  return o;
}

// Constructs (and drops) an executor for batch 1; for EXPECT_THROW.
void construct(const sfc::graph& g, const sfc::executor_options& o) {
  sfc::executor e(g, {{1, 3, kHw, kHw}}, o);
}

const std::vector<float>& calib() {
  static const std::vector<float> c = sfc_test::random_input(8 * kPerImage, 21);
  return c;
}

class Int8Quantized : public testing::TestWithParam<std::string> {};

TEST_P(Int8Quantized, ExportedModelRunsIdenticallyWithoutCalibration) {
  const std::string policy = GetParam();
  if (!sfc_test::policy_available(policy)) GTEST_SKIP() << policy << " not built";
  const sfc::graph g = resnet20();
  const std::vector<float> x = sfc_test::random_input(2 * kPerImage, 22);
  sfc::executor a(g, {{2, 3, kHw, kHw}}, sfc_test::make_int8_options(policy, calib()));
  const std::vector<float> want = run(a, x);
  const sfc::graph q = a.quantized_model();
  EXPECT_TRUE(q.quantized);
  int convs = 0, sfc_convs = 0;
  for (const sfc::node& n : q.nodes) {
    if (n.op != sfc::op_type::conv) continue;
    ++convs;
    SCOPED_TRACE(n.name);
    EXPECT_TRUE(n.conv.quant.valid);
    EXPECT_FALSE(n.conv.quant.impl.empty());
    EXPECT_EQ(q.values[size_t(n.inputs[1])].desc.type, sfc::dtype::s8);
    if (n.conv.quant.impl.rfind("sfc", 0) == 0 || n.conv.quant.impl.rfind("wino", 0) == 0) {
      ++sfc_convs;
      EXPECT_FALSE(n.conv.quant.td_act_scale.empty());
    }
  }
  EXPECT_EQ(convs, 19);  // CIFAR ResNet-20: option-A shortcuts have no conv
  if (policy.rfind("sfc", 0) == 0) {
    EXPECT_GT(sfc_convs, 10);
  }
  // Same batch, no calibration, "auto" takes the model's choices: byte-identical.
  sfc::executor b(q, {{2, 3, kHw, kHw}}, no_calibration("auto"));
  EXPECT_EQ(run(b, x), want);
  for (size_t k = 0; k < a.num_nodes(); ++k) EXPECT_EQ(b.node_impl(k), a.node_impl(k));
  // Another batch size: each image's logits are the same as in the batch of 2.
  sfc::executor c(q, {{1, 3, kHw, kHw}}, no_calibration("auto"));
  const std::vector<float> x1(x.begin() + long(kPerImage), x.end());
  const std::vector<float> got1 = run(c, x1);
  EXPECT_EQ(got1, std::vector<float>(want.begin() + long(want.size() / 2), want.end()));
}

INSTANTIATE_TEST_SUITE_P(Policies, Int8Quantized,
                         testing::Values("onednn", "sfc6_7x7_3x3", "sfc4_4x4_3x3", "wino_4x4_3x3",
                                         "exact:sfc6_7x7_3x3", "auto"),
                         [](const testing::TestParamInfo<std::string>& i) {
                           return sfc_test::policy_test_name(i.param);
                         });

TEST(Int8QuantizedModel, ForcedPolicyOverridesTheModelsChoices) {
  if (!sfc::have_onednn()) GTEST_SKIP() << "oneDNN not built";
  const sfc::graph g = resnet20();
  const std::vector<float> x = sfc_test::random_input(kPerImage, 23);
  sfc::executor sfc6(g, {{1, 3, kHw, kHw}}, sfc_test::make_int8_options("sfc6_7x7_3x3", calib()));
  sfc::executor dnn(g, {{1, 3, kHw, kHw}}, sfc_test::make_int8_options("onednn", calib()));
  const sfc::graph q = sfc6.quantized_model();
  sfc::executor forced(q, {{1, 3, kHw, kHw}}, no_calibration("onednn"));
  EXPECT_EQ(run(forced, x), run(dnn, x));  // same calibration, same quantization
  // An SFC variant the model has no scales for needs calibration images.
  EXPECT_THROW(construct(q, no_calibration("sfc4_4x4_3x3")), sfc::error);
  sfc::executor_options o = sfc_test::make_int8_options("sfc4_4x4_3x3", calib());
  sfc::executor with_cal(q, {{1, 3, kHw, kHw}}, o);
  sfc::executor direct(g, {{1, 3, kHw, kHw}}, o);
  EXPECT_EQ(run(with_cal, x), run(direct, x));
}

TEST(Int8QuantizedModel, Fp32ExecutorRejectsAQuantizedModel) {
  const sfc::graph g = resnet20();
  sfc::executor a(g, {{1, 3, kHw, kHw}}, sfc_test::make_int8_options("reference", calib()));
  sfc::executor_options o;
  EXPECT_THROW(construct(a.quantized_model(), o), sfc::error);
}

// Transform-domain bits: fewer bits change the SFC layers' outputs and the kernel names; only
// 8, 6 and 4 are accepted.
TEST(Int8QuantizedModel, TransformDomainBits) {
  const sfc::graph g = resnet20();
  const std::vector<float> x = sfc_test::random_input(kPerImage, 24);
  sfc::executor_options o = sfc_test::make_int8_options("sfc6_7x7_3x3", calib());
  sfc::executor b8(g, {{1, 3, kHw, kHw}}, o);
  o.int8.td_bits = 4;
  sfc::executor b4(g, {{1, 3, kHw, kHw}}, o);
  const std::vector<float> y8 = run(b8, x), y4 = run(b4, x);
  EXPECT_NE(y8, y4);
  EXPECT_LT(sfc_test::relative_max_diff(y4, y8), 1.0);
  bool named = false;
  for (size_t k = 0; k < b4.num_nodes(); ++k)
    named = named || b4.node_impl(k).find("sfc6_7x7_3x3@4:") != std::string::npos;
  EXPECT_TRUE(named);
  const sfc::graph q4 = b4.quantized_model();
  sfc::executor r4(q4, {{1, 3, kHw, kHw}}, no_calibration("auto"));
  EXPECT_EQ(run(r4, x), y4);  // bits travel with the model
  o.int8.td_bits = 5;
  EXPECT_THROW(construct(g, o), sfc::error);
}

// Stored scales are used: doubling one conv's weight scales (coarser grid) or activation scales
// changes the output a little; malformed scales are rejected.
TEST(Int8QuantizedModel, StoredTransformDomainScalesAreUsed) {
  const sfc::graph g = resnet20();
  const std::vector<float> x = sfc_test::random_input(kPerImage, 25);
  sfc::executor a(g, {{1, 3, kHw, kHw}}, sfc_test::make_int8_options("sfc6_7x7_3x3", calib()));
  const std::vector<float> want = run(a, x);
  const sfc::graph q = a.quantized_model();
  size_t k = 0;
  while (q.nodes[k].op != sfc::op_type::conv || q.nodes[k].conv.quant.impl != "sfc6_7x7_3x3") ++k;
  const sfc::node& n = q.nodes[k];
  sfc::graph m = q;
  for (float& s : m.nodes[k].conv.quant.td_act_scale) s *= 2.f;
  sfc::executor coarse(m, {{1, 3, kHw, kHw}}, no_calibration("auto"));
  const std::vector<float> y = run(coarse, x);
  EXPECT_NE(y, want);
  EXPECT_LT(sfc_test::relative_max_diff(y, want), 0.5);
  sfc::graph w = q;
  w.nodes[k].conv.quant.td_weight_scale.assign(size_t(n.conv.p.oc) * 144, 4.f);
  sfc::executor wexec(w, {{1, 3, kHw, kHw}}, no_calibration("auto"));
  EXPECT_NE(run(wexec, x), want);
  // A bias correction shifts the SFC layer's outputs (here by a whole output step).
  sfc::graph b = q;
  b.nodes[k].conv.quant.td_bias_correction.assign(size_t(n.conv.p.oc), n.conv.quant.dst_scale);
  sfc::executor bexec(b, {{1, 3, kHw, kHw}}, no_calibration("auto"));
  EXPECT_NE(run(bexec, x), want);
  sfc::graph bad = q;
  bad.nodes[k].conv.quant.td_bias_correction.assign(2, 0.f);
  EXPECT_THROW(construct(bad, no_calibration("auto")), sfc::error);
  bad = q;
  bad.nodes[k].conv.quant.td_act_scale.resize(3);
  EXPECT_THROW(construct(bad, no_calibration("auto")), sfc::error);
  bad = q;
  bad.nodes[k].conv.quant.td_weight_scale.assign(7, 1.f);
  EXPECT_THROW(construct(bad, no_calibration("auto")), sfc::error);
}

}  // namespace
