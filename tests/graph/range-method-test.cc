// Activation range methods (graph/passes/passes.h): percentile and MSE thresholds from
// histograms, parsing, and their effect on a calibrated int8 network.
#include <cmath>
#include <random>

#include "graph/passes/passes.h"
#include "graph/zoo/zoo.h"
#include "int8-test-util.h"

namespace {

sfc::value_range two_pass(const std::vector<float>& x) {
  sfc::value_range r;
  r.add(x.data(), x.size());
  r.hist_max = std::max(std::fabs(r.min), std::fabs(r.max));
  r.add_hist(x.data(), x.size());
  return r;
}

// Direct evaluation of the expected squared error of symmetric quantization with threshold t.
double quant_mse(const std::vector<float>& x, double t, int levels) {
  const double s = t / levels;
  double e = 0;
  for (float v : x) {
    const double q = std::max(-t, std::min(t, s * std::nearbyint(v / s)));
    e += (v - q) * (v - q);
  }
  return e / double(x.size());
}

TEST(RangeMethod, Parse) {
  sfc::range_method m;
  EXPECT_TRUE(sfc::parse_range_method("minmax", &m));
  EXPECT_EQ(m.kind, sfc::range_method::minmax);
  EXPECT_TRUE(sfc::parse_range_method("mse", &m));
  EXPECT_EQ(m.kind, sfc::range_method::mse);
  EXPECT_TRUE(sfc::parse_range_method("percentile:99.9", &m));
  EXPECT_EQ(m.kind, sfc::range_method::percentile);
  EXPECT_DOUBLE_EQ(m.pct, 99.9);
  EXPECT_TRUE(sfc::parse_range_method("percentile", &m));
  EXPECT_DOUBLE_EQ(m.pct, 99.99);
  for (const char* bad : {"", "max", "percentile:", "percentile:0", "percentile:101",
                          "percentile:9x", "MSE"})
    EXPECT_FALSE(sfc::parse_range_method(bad, &m)) << bad;
}

TEST(RangeMethod, PercentileOfUniformData) {
  std::vector<float> x(100000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(i + 1) / float(x.size());  // (0, 1]
  const sfc::value_range r = two_pass(x);
  sfc::range_method m;
  ASSERT_TRUE(sfc::parse_range_method("percentile:90", &m));
  EXPECT_NEAR(sfc::clip_threshold(r, true, 255, m), 0.90, 1.0 / sfc::kRangeBins + 1e-6);
  EXPECT_FLOAT_EQ(sfc::clip_threshold(r, true, 255, sfc::range_method{}), 1.f);  // minmax
}

// Heavy tails (Laplace with a few outliers): the MSE threshold clips well below max |x| and
// gives a lower quantization error than max-abs; for 4 bits it clips harder than for 8.
TEST(RangeMethod, MseClipsHeavyTails) {
  std::mt19937 g(3);
  std::exponential_distribution<float> e(1.f);
  std::vector<float> x(200000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = (i % 2 ? 1.f : -1.f) * e(g);
  x[7] = 60.f;  // one outlier
  const sfc::value_range r = two_pass(x);
  sfc::range_method m;
  ASSERT_TRUE(sfc::parse_range_method("mse", &m));
  const float t8 = sfc::clip_threshold(r, false, 127, m);
  const float t4 = sfc::clip_threshold(r, false, 7, m);
  EXPECT_LT(t8, 0.5f * 60.f);
  EXPECT_LT(t4, t8);
  EXPECT_LT(quant_mse(x, t8, 127), 0.5 * quant_mse(x, 60.0, 127));
  // The threshold found is near the best of a direct scan.
  double best = 1e30;
  for (double t = 1; t <= 60; t += 0.25) best = std::min(best, quant_mse(x, t, 127));
  EXPECT_LT(quant_mse(x, t8, 127), 1.2 * best);
}

// In a network: percentile / mse calibration gives smaller conv output scales than min-max,
// and the network stays close to the fp32 result.
TEST(RangeMethod, NetworkScales) {
  sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  g.values[size_t(g.inputs[0])].desc.shape = {-1, 3, 32, 32};
  const std::vector<float> calib = sfc_test::random_input(8 * 3 * 32 * 32, 31);
  auto scales = [&](const std::string& method) {
    sfc::executor_options o = sfc_test::make_int8_options("reference", calib);
    o.int8.range_method = method;
    sfc::executor ex(g, {{1, 3, 32, 32}}, o);
    std::vector<float> s;
    for (const sfc::node& n : ex.prepared_graph().nodes)
      if (n.op == sfc::op_type::conv) s.push_back(n.conv.quant.dst_scale);
    return s;
  };
  const std::vector<float> mm = scales("minmax"), pc = scales("percentile:99.9"),
                           ms = scales("mse");
  ASSERT_EQ(mm.size(), pc.size());
  int smaller_pc = 0, smaller_ms = 0;
  for (size_t i = 0; i < mm.size(); ++i) {
    EXPECT_LE(pc[i], mm[i]);
    EXPECT_LE(ms[i], mm[i]);
    smaller_pc += pc[i] < mm[i], smaller_ms += ms[i] < mm[i];
  }
  EXPECT_GT(smaller_pc, int(mm.size()) / 2);
  EXPECT_GT(smaller_ms, int(mm.size()) / 2);
  sfc::executor_options o = sfc_test::make_int8_options("reference", calib);
  o.int8.range_method = "bogus";
  EXPECT_ANY_THROW(sfc::executor(g, {{1, 3, 32, 32}}, o));
}

}  // namespace
