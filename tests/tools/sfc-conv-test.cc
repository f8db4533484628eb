// sfc_conv: the layer runner's engine (run_conv_layer) and the CLI process (exit codes, errors).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "tools/common/npy.h"
#include "tools/sfc_conv/conv-runner.h"
#include "tests/fastconv/test-util.h"

namespace {

struct layer {
  sfc::conv2d_params p;
  std::vector<float> x, w, b;
};

layer make_layer(int ic, int oc, int h, int w, int k, uint32_t seed) {
  layer l;
  l.p.n = 2, l.p.ic = ic, l.p.oc = oc, l.p.h = h, l.p.w = w, l.p.kh = l.p.kw = k;
  l.p.pad_t = l.p.pad_l = l.p.pad_b = l.p.pad_r = k / 2;
  l.x = sfc_test::random_normal(size_t(2) * ic * h * w, seed);
  l.w = sfc_test::random_normal(size_t(oc) * ic * k * k, seed + 1, 1.f / std::sqrt(float(ic * k * k)));
  l.b = sfc_test::random_normal(oc, seed + 2, 0.1f);
  return l;
}

sfc::conv_run_result run(const layer& l, const std::string& algo, const std::string& prec, int bits = 8) {
  sfc::conv_run_options o;
  o.algo = algo, o.precision = prec, o.bits = bits;
  return sfc::run_conv_layer(l.p, l.x, l.w, l.b, o);
}

TEST(ConvRunner, Fp32FastMatchesDirect) {
  layer l = make_layer(5, 6, 15, 13, 3, 1);
  auto ref = run(l, "direct", "fp32");
  for (const char* a : {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "wino_4x4_3x3"})
    EXPECT_LE(sfc_test::relative_max(run(l, a, "fp32").dst, ref.dst), 1e-5) << a;
}

TEST(ConvRunner, Int8ExactEqualsInt8Direct) {
  layer l = make_layer(8, 4, 14, 14, 5, 2);
  auto ref = run(l, "direct", "int8");
  EXPECT_EQ(run(l, "sfc6_6x6_5x5", "int8-exact").dst, ref.dst);
}

TEST(ConvRunner, Int8RequantizedCloseToDirectAndBitsOrdered) {
  layer l = make_layer(32, 16, 28, 28, 3, 3);
  auto ref = run(l, "direct", "int8");
  const double e8 = sfc_test::relative_rms(run(l, "sfc6_7x7_3x3", "int8", 8).dst, ref.dst);
  const double e4 = sfc_test::relative_rms(run(l, "sfc6_7x7_3x3", "int8", 4).dst, ref.dst);
  EXPECT_LT(e8, 0.03);
  EXPECT_LT(e8, e4);
  auto r = run(l, "sfc6_7x7_3x3", "int8", 8);
  EXPECT_EQ(r.act_scales.size(), 144u);
}

TEST(ConvRunner, GivenScalesAreUsed) {
  layer l = make_layer(16, 8, 14, 14, 3, 4);
  auto calibrated = run(l, "sfc6_7x7_3x3", "int8");
  sfc::conv_run_options o;
  o.algo = "sfc6_7x7_3x3", o.precision = "int8", o.act_scales = calibrated.act_scales;
  EXPECT_EQ(sfc::run_conv_layer(l.p, l.x, l.w, l.b, o).dst, calibrated.dst);
  o.act_scales.assign(144, 1000.f);  // absurdly coarse scales must change (worsen) the result
  EXPECT_NE(sfc::run_conv_layer(l.p, l.x, l.w, l.b, o).dst, calibrated.dst);
  o.act_scales.resize(10);
  EXPECT_THROW(sfc::run_conv_layer(l.p, l.x, l.w, l.b, o), sfc::error);
}

TEST(ConvRunner, BackendsAgreeWithDirect) {
  layer l = make_layer(16, 16, 12, 12, 3, 5);
  auto ref = run(l, "direct", "int8");
  for (const auto& n : sfc::conv_algo_names()) {
    if (n != "onednn" && n != "xnnpack") continue;
    EXPECT_LT(sfc_test::relative_rms(run(l, n, "int8").dst, ref.dst), 0.01) << n;
  }
}

TEST(ConvRunner, RejectsBadOptions) {
  layer l = make_layer(4, 4, 8, 8, 3, 6);
  EXPECT_THROW(run(l, "nope", "fp32"), sfc::error);
  EXPECT_THROW(run(l, "direct", "fp16"), sfc::error);
  EXPECT_THROW(run(l, "sfc6_7x7_3x3", "int8", 5), sfc::error);
  EXPECT_THROW(run(l, "sfc6_6x6_5x5", "fp32"), sfc::error);  // 3x3 layer, 5x5 algorithm
  l.p.stride_h = l.p.stride_w = 2;
  EXPECT_THROW(run(l, "sfc6_7x7_3x3", "fp32"), sfc::error);
}

// ---- the CLI process ----
class SfcConvCli : public testing::Test {
 protected:
  std::string dir;
  void SetUp() override {
    char tmpl[] = "/tmp/sfc_conv_test_XXXXXX";
    dir = mkdtemp(tmpl);
  }
  void TearDown() override { std::system(("rm -rf " + dir).c_str()); }
  std::string path(const std::string& f) const { return dir + "/" + f; }
  int sh(const std::string& args, std::string* err = nullptr) {
    const std::string cmd = std::string(SFC_CONV_BIN) + " " + args + " 2>" + path("err.txt");
    const int rc = std::system(cmd.c_str());
    if (err) {
      std::ifstream f(path("err.txt"));
      err->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
};

TEST_F(SfcConvCli, RunsAndWritesOutput) {
  layer l = make_layer(3, 4, 9, 10, 3, 7);
  sfc::npy_save(path("x.npy"), sfc::npy_from_floats({2, 3, 9, 10}, l.x));
  sfc::npy_save(path("w.npy"), sfc::npy_from_floats({4, 3, 3, 3}, l.w));
  sfc::npy_save(path("b.npy"), sfc::npy_from_floats({4}, l.b));
  const std::string io = "--input " + path("x.npy") + " --weights " + path("w.npy") + " --bias " +
                         path("b.npy") + " --pad 1 --output ";
  ASSERT_EQ(sh(io + path("ref.npy") + " --algo direct"), 0);
  ASSERT_EQ(sh(io + path("y.npy") + " --algo sfc6_7x7_3x3 --precision int8 --bits 8 --save-scales " + path("s.npy")), 0);
  ASSERT_EQ(sh(io + path("y2.npy") + " --algo sfc6_7x7_3x3 --precision int8 --scales " + path("s.npy")), 0);
  auto ref = sfc::npy_load(path("ref.npy")), y = sfc::npy_load(path("y.npy")), y2 = sfc::npy_load(path("y2.npy"));
  EXPECT_EQ(ref.shape, (std::vector<int64_t>{2, 4, 9, 10}));
  EXPECT_LT(sfc_test::relative_rms(sfc::npy_to_floats(y), sfc::npy_to_floats(ref)), 0.05);
  EXPECT_EQ(y.data, y2.data);
  std::string out;
  EXPECT_EQ(sh("--list-algos > " + path("list.txt")), 0);
  std::ifstream f(path("list.txt"));
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  for (const char* n : {"direct", "sfc6_7x7_3x3", "wino_4x4_3x3", "sfc6_6x6_7x7"})
    EXPECT_NE(out.find(n), std::string::npos) << n;
}

TEST_F(SfcConvCli, BadInputGivesClearErrorAndNonZeroStatus) {
  layer l = make_layer(3, 4, 9, 10, 3, 8);
  sfc::npy_save(path("x.npy"), sfc::npy_from_floats({2, 3, 9, 10}, l.x));
  sfc::npy_save(path("w.npy"), sfc::npy_from_floats({4, 3, 3, 3}, l.w));
  sfc::npy_save(path("w5.npy"), sfc::npy_from_floats({4, 5, 1, 1}, std::vector<float>(20)));
  { std::ofstream(path("junk.npy")) << "not a numpy file"; }
  const std::string xw = "--input " + path("x.npy") + " --weights " + path("w.npy") + " --output " + path("y.npy");
  struct c { std::string args, needle; };
  const c cases[] = {
      {"--bogus", "unknown option"},
      {xw + " --algo nope", "unknown --algo"},
      {xw + " --precision int4", "--precision"},
      {xw + " --bits 5", "--bits"},
      {xw + " --stride x", "--stride"},
      {xw + " --algo sfc6_7x7_3x3 --stride 2", "stride 1"},
      {"--input " + path("missing.npy") + " --weights " + path("w.npy") + " --output " + path("y.npy"), "missing.npy"},
      {"--input " + path("junk.npy") + " --weights " + path("w.npy") + " --output " + path("y.npy"), "junk.npy"},
      {"--input " + path("x.npy") + " --weights " + path("w5.npy") + " --output " + path("y.npy"), "input channels"},
      {"--input " + path("x.npy"), "required"},
  };
  for (const c& t : cases) {
    std::string err;
    EXPECT_NE(sh(t.args, &err), 0) << t.args;
    EXPECT_NE(err.find(t.needle), std::string::npos) << t.args << " -> " << err;
    EXPECT_NE(err.find("error"), std::string::npos) << err;
  }
}

}  // namespace

namespace {

TEST(ConvRunner, FastKernelMatchesScalarWithinOneOutputStep) {
  // The SIMD layer writes int8 (scale = max|y| / 127); the scalar path keeps float: they agree
  // to within one output quantization step (plus float rounding).
  layer l = make_layer(24, 20, 15, 17, 3, 9);
  for (const char* a : {"sfc6_7x7_3x3", "sfc4_4x4_3x3"}) {
    sfc::conv_run_options o;
    o.algo = a, o.precision = "int8", o.kernel = "scalar";
    const auto ref = sfc::run_conv_layer(l.p, l.x, l.w, l.b, o);
    o.kernel = "fast";
    const auto got = sfc::run_conv_layer(l.p, l.x, l.w, l.b, o);
    float mx = 0;
    for (float v : ref.dst) mx = std::max(mx, std::fabs(v));
    const float step = mx / 127.f;
    for (size_t i = 0; i < ref.dst.size(); i++) ASSERT_NEAR(got.dst[i], ref.dst[i], 1.01f * step) << a << " " << i;
    EXPECT_NE(got.impl.find("ukernel"), std::string::npos) << got.impl;
  }
}

}  // namespace
