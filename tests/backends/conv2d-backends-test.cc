// oneDNN / XNNPACK convolution wrappers against the exact reference convolution.
// int8 outputs must match the double-precision requantization of the exact accumulator within
// 1 LSB; f32 outputs within a small relative tolerance. Match statistics are printed per case and
// summed at the end.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "graph/backends/conv2d-backend.h"
#include "kernels/common/error.h"
#include "kernels/ref/conv2d-ref.h"
#include "tests/backends/backends-test-util.h"

namespace {

using sfc::conv2d_params;
using sfc::qtype;
using namespace sfc_test;

// Summed statistics per backend, printed once after all tests.
std::map<std::string, match_stats>& totals() {
  static std::map<std::string, match_stats> t;
  return t;
}
class stats_printer : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& [name, s] : totals())
      std::printf("[ totals   ] %s: %s\n", name.c_str(), s.str().c_str());
  }
};
[[maybe_unused]] ::testing::Environment* const g_env =
    ::testing::AddGlobalTestEnvironment(new stats_printer);

struct q8_case {
  std::string name;
  conv2d_params p;
  qtype src_type;
  int32_t src_zp;
  qtype dst_type;
  int32_t dst_zp;
  bool relu;
  bool bias;
  int threads;
};

std::ostream& operator<<(std::ostream& os, const q8_case& c) { return os << c.name; }

// 3x3 pad 1 stride 1/2, 1x1, 5x5, 7x7 stride 2 pad 3; channels 3/16/17/64; batch 2; relu on/off;
// u8 and s8 src; zero and non-zero zero points; u8 / s8 / f32 dst; 1 and 2 threads.
std::vector<q8_case> q8_cases() {
  return {
      {"k3s1_16to16_u8_relu_u8", conv(1, 16, 16, 12, 12, 3, 1, 1), qtype::u8, 0, qtype::u8, 0,
       true, true, 1},
      {"k3s1_64to64_u8zp_s8", conv(1, 64, 64, 14, 14, 3, 1, 1), qtype::u8, 128, qtype::s8, 0,
       false, true, 1},
      {"k3s2_17to17_s8zp_s8zp", conv(1, 17, 17, 13, 11, 3, 2, 1), qtype::s8, -5, qtype::s8, 3,
       false, true, 1},
      {"k3s2_16to64_s8_relu_u8_b2", conv(2, 16, 64, 15, 15, 3, 2, 1), qtype::s8, 0, qtype::u8, 0,
       true, true, 1},
      {"k1_64to16_u8zp_u8zp_b2", conv(2, 64, 16, 9, 9, 1, 1, 0), qtype::u8, 128, qtype::u8, 128,
       false, true, 1},
      {"k1_17to64_s8_relu_s8zp", conv(1, 17, 64, 7, 10, 1, 1, 0), qtype::s8, 0, qtype::s8, -20,
       true, false, 1},
      {"k5_3to16_u8_relu_s8", conv(1, 3, 16, 14, 14, 5, 1, 2), qtype::u8, 0, qtype::s8, 0, true,
       true, 1},
      {"k5_16to17_s8zp_u8zp", conv(1, 16, 17, 11, 9, 5, 1, 2), qtype::s8, 10, qtype::u8, 100,
       false, true, 1},
      {"k7s2p3_3to64_u8zp_relu_u8_b2", conv(2, 3, 64, 23, 23, 7, 2, 3), qtype::u8, 114, qtype::u8,
       0, true, true, 1},
      {"k7s2p3_16to16_s8_s8", conv(1, 16, 16, 20, 18, 7, 2, 3), qtype::s8, 0, qtype::s8, 0, false,
       true, 1},
      {"k3s1_17to16_u8zp_f32", conv(1, 17, 16, 10, 10, 3, 1, 1), qtype::u8, 7, qtype::f32, 0,
       false, true, 1},
      {"k3s1_64to64_s8_relu_f32_b2", conv(2, 64, 64, 8, 8, 3, 1, 1), qtype::s8, 0, qtype::f32, 0,
       true, true, 1},
      {"k3s1_64to64_u8_relu_u8_2threads", conv(1, 64, 64, 28, 28, 3, 1, 1), qtype::u8, 0,
       qtype::u8, 0, true, true, 2},
      {"k3s1_16to64_s8zp_s8zp_nobias_2threads", conv(2, 16, 64, 9, 9, 3, 1, 1), qtype::s8, -3,
       qtype::s8, 5, false, false, 2},
  };
}

// Runs the backend twice (fresh output buffers, the second time on a copy of src at another
// address) and checks both; returns the statistics of the first run.
template <class Make>
match_stats check_q8(const q8_case& c, Make make, const char* backend, uint32_t seed,
                     std::string* impl = nullptr) {
  const q8_problem pr =
      make_q8_problem(c.p, c.src_type, c.src_zp, c.dst_type, c.dst_zp, c.relu, c.bias, seed);
  auto conv = make(pr.cfg);
  if (impl) *impl = conv->impl_name();
  const size_t nd = dst_elems(c.p);
  match_stats first;
  for (int rep = 0; rep < 2; ++rep) {
    std::vector<uint8_t> src = pr.src;  // a new buffer each time: exercises the pointer swap
    if (c.dst_type == qtype::f32) {
      std::vector<float> dst(nd, std::nanf(""));
      conv->run(src.data(), dst.data());
      double maxabs = 0;
      for (double r : pr.real) maxabs = std::max(maxabs, std::abs(r));
      size_t bad = 0;
      double max_rel = 0;
      for (size_t i = 0; i < nd; ++i) {
        const double err = std::abs(double(dst[i]) - pr.real[i]);
        const double tol = 1e-5 * maxabs + 1e-5 * std::abs(pr.real[i]);
        max_rel = std::max(max_rel, err / (maxabs + 1e-30));
        if (!(err <= tol)) {
          if (++bad <= 5)
            ADD_FAILURE() << backend << " " << c.name << ": dst[" << i << "] = " << dst[i]
                          << ", want " << pr.real[i];
        }
      }
      EXPECT_EQ(bad, 0u);
      if (rep == 0)
        std::printf("[ stats    ] %s %s (%s): f32 max|err|/max|real| = %.2e\n", backend,
                    c.name.c_str(), conv->impl_name().c_str(), max_rel);
    } else {
      std::vector<uint8_t> dst(nd, 0xA5);
      conv->run(src.data(), dst.data());
      const match_stats s = compare_q(pr, dst);
      EXPECT_LE(s.max_diff, 1) << backend << " " << c.name << ": " << s.str();
      if (rep == 0) {
        first = s;
        std::printf("[ stats    ] %s %s (%s): %s\n", backend, c.name.c_str(),
                    conv->impl_name().c_str(), s.str().c_str());
        totals()[backend].merge(s);
      } else {
        EXPECT_EQ(s.exact, first.exact) << "second run differs from the first";
      }
    }
  }
  return first;
}

// ---------------------------------------------------------------------------------------------
// oneDNN int8

class OnednnQ8 : public ::testing::TestWithParam<q8_case> {};

TEST_P(OnednnQ8, MatchesReference) {
  if (!sfc::have_onednn()) GTEST_SKIP() << "built without oneDNN";
  const q8_case& c = GetParam();
  check_q8(c, [](const sfc::q8_conv2d_config& cfg) { return sfc::make_onednn_conv2d(cfg); },
           "oneDNN", 1234);
}

INSTANTIATE_TEST_SUITE_P(Cases, OnednnQ8, ::testing::ValuesIn(q8_cases()),
                         [](const ::testing::TestParamInfo<q8_case>& i) { return i.param.name; });

// ---------------------------------------------------------------------------------------------
// XNNPACK qc8: the same shapes with s8 src and s8 dst (the only types qc8 has).

std::vector<q8_case> xnnpack_cases() {
  std::vector<q8_case> out;
  for (q8_case c : q8_cases()) {
    if (c.src_type == qtype::u8) c.src_zp -= 128;  // same real values shifted into s8
    c.src_type = qtype::s8;
    if (c.dst_type == qtype::u8) c.dst_zp -= 128;
    if (c.dst_type == qtype::f32) c.dst_zp = 0;
    c.dst_type = qtype::s8;
    out.push_back(c);
  }
  return out;
}

class XnnpackQ8 : public ::testing::TestWithParam<q8_case> {};

TEST_P(XnnpackQ8, MatchesReference) {
  if (!sfc::have_xnnpack()) GTEST_SKIP() << "built without XNNPACK";
  const q8_case& c = GetParam();
  check_q8(c, [](const sfc::q8_conv2d_config& cfg) { return sfc::make_xnnpack_conv2d(cfg); },
           "XNNPACK", 4321);
}

INSTANTIATE_TEST_SUITE_P(Cases, XnnpackQ8, ::testing::ValuesIn(xnnpack_cases()),
                         [](const ::testing::TestParamInfo<q8_case>& i) { return i.param.name; });

// ---------------------------------------------------------------------------------------------
// oneDNN int8 Winograd F(2x2,3x3): lossy by design (baselines.md §7); check it runs and that the
// error stays moderate, and print the statistics.

TEST(OnednnWinograd, RunsWithModerateError) {
  if (!sfc::have_onednn()) GTEST_SKIP() << "built without oneDNN";
  for (src_dist dist : {src_dist::uniform, src_dist::relu_like}) {
    const q8_problem pr = make_q8_problem(conv(1, 16, 16, 20, 20, 3, 1, 1), qtype::u8, 0,
                                          qtype::u8, 0, /*relu=*/true, /*bias=*/true, 77, dist);
    std::unique_ptr<sfc::conv2d_backend> conv;
    try {
      conv = sfc::make_onednn_conv2d(pr.cfg, /*winograd=*/true);
    } catch (const sfc::error& e) {
      if (e.code() == sfc::error::unsupported)
        GTEST_SKIP() << "oneDNN has no int8 Winograd here: " << e.what();
      throw;
    }
    std::vector<uint8_t> dst(dst_elems(pr.cfg.p), 0xA5);
    conv->run(pr.src.data(), dst.data());
    const match_stats s = compare_q(pr, dst);
    std::printf("[ stats    ] oneDNN Winograd %s input (%s): %s\n",
                dist == src_dist::uniform ? "uniform u8" : "ReLU-like", conv->impl_name().c_str(),
                s.str().c_str());
    // Measured on larger layers: up to 45 % differing outputs, mean 1.2-2.3 LSB, max 20-38 LSB.
    EXPECT_LT(s.sum_abs / double(s.n), 6.0) << s.str();
    EXPECT_LE(s.max_diff, 80) << s.str();
    EXPECT_GT(s.exact_share(), 0.2) << s.str();
  }
}

// ---------------------------------------------------------------------------------------------
// oneDNN fp32 direct against conv2d_ref_f32.

struct f32_case {
  std::string name;
  conv2d_params p;
  bool relu, bias;
  int threads;
};

class OnednnF32 : public ::testing::TestWithParam<f32_case> {};

TEST_P(OnednnF32, MatchesReference) {
  if (!sfc::have_onednn()) GTEST_SKIP() << "built without oneDNN";
  const f32_case& c = GetParam();
  const conv2d_params& p = c.p;
  std::mt19937 rng(99);
  std::uniform_real_distribution<float> ud(-1.f, 1.f);
  std::vector<float> src(src_elems(p)), w(size_t(p.oc) * p.ic * p.kh * p.kw), bias;
  for (auto& v : src) v = ud(rng);
  for (auto& v : w) v = ud(rng);
  if (c.bias) {
    bias.resize(p.oc);
    for (auto& v : bias) v = ud(rng);
  }
  std::vector<float> want(dst_elems(p));
  sfc::conv2d_ref_f32(p, sfc::layout::nhwc, src.data(), w.data(), c.bias ? bias.data() : nullptr,
                      want.data());
  if (c.relu)
    for (auto& v : want) v = std::max(v, 0.f);
  auto conv = sfc::make_onednn_conv2d_f32(p, w, bias, c.relu, c.threads);
  std::vector<float> got(want.size(), std::nanf(""));
  conv->run(src.data(), got.data());
  // Accumulation order differs: allow a few ulps of the partial-sum magnitude √(K)·E|x·w|.
  const double scale = std::sqrt(double(p.ic) * p.kh * p.kw);
  double max_err = 0;
  size_t bad = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double err = std::abs(double(got[i]) - double(want[i]));
    max_err = std::max(max_err, err);
    if (!(err <= 1e-5 * scale + 1e-5 * std::abs(want[i])) && ++bad <= 5)
      ADD_FAILURE() << c.name << ": dst[" << i << "] = " << got[i] << ", want " << want[i];
  }
  EXPECT_EQ(bad, 0u);
  std::printf("[ stats    ] oneDNN f32 %s (%s): max|err| %.2e\n", c.name.c_str(),
              conv->impl_name().c_str(), max_err);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OnednnF32,
    ::testing::Values(f32_case{"k3s1_17to16_relu_b2", conv(2, 17, 16, 11, 9, 3, 1, 1), true, true, 1},
                      f32_case{"k3s2_64to64", conv(1, 64, 64, 14, 14, 3, 2, 1), false, true, 1},
                      f32_case{"k1_16to17_nobias", conv(1, 16, 17, 8, 8, 1, 1, 0), false, false, 1},
                      f32_case{"k7s2p3_3to64_relu_2threads", conv(1, 3, 64, 32, 32, 7, 2, 3), true,
                               true, 2}),
    [](const ::testing::TestParamInfo<f32_case>& i) { return i.param.name; });

// ---------------------------------------------------------------------------------------------
// Errors and availability.

TEST(Backends, Availability) {
  std::printf("[ info     ] have_onednn() = %d, have_xnnpack() = %d\n", int(sfc::have_onednn()),
              int(sfc::have_xnnpack()));
#if defined(SFC_WITH_ONEDNN)
  EXPECT_TRUE(sfc::have_onednn());
#else
  EXPECT_FALSE(sfc::have_onednn());
#endif
#if defined(SFC_WITH_XNNPACK)
  EXPECT_TRUE(sfc::have_xnnpack());
#else
  EXPECT_FALSE(sfc::have_xnnpack());
#endif
}

sfc::error::kind error_kind(const std::function<void()>& f) {
  try {
    f();
  } catch (const sfc::error& e) {
    std::printf("[ error    ] %s\n", e.what());
    return e.code();
  }
  ADD_FAILURE() << "no sfc::error thrown";
  return sfc::error::internal;
}

// The wrappers set their thread count around construction and run(), and leave the caller's
// OpenMP setting as it was.
TEST(Backends, ThreadSettingIsScoped) {
  if (!sfc::have_onednn()) GTEST_SKIP() << "built without oneDNN";
  const int before = omp_get_max_threads();
  q8_problem pr = make_q8_problem(conv(1, 16, 16, 8, 8, 3, 1, 1), qtype::u8, 0, qtype::u8, 0,
                                  true, true, 8);
  pr.cfg.threads = before + 1;
  auto c = sfc::make_onednn_conv2d(pr.cfg);
  EXPECT_EQ(omp_get_max_threads(), before);
  std::vector<uint8_t> dst(dst_elems(pr.cfg.p));
  c->run(pr.src.data(), dst.data());
  EXPECT_EQ(omp_get_max_threads(), before);
  EXPECT_LE(compare_q(pr, dst).max_diff, 1);
}

TEST(Backends, XnnpackRejectsUnsupportedTypes) {
  q8_problem pr = make_q8_problem(conv(1, 16, 16, 8, 8, 3, 1, 1), qtype::s8, 0, qtype::u8, 0,
                                  false, true, 5);
  // u8 dst (and, below, u8 src / f32 dst) is not in XNNPACK's qc8 operator; also the stub path.
  EXPECT_EQ(error_kind([&] { sfc::make_xnnpack_conv2d(pr.cfg); }), sfc::error::unsupported);
  pr.cfg.dst_type = qtype::f32;
  EXPECT_EQ(error_kind([&] { sfc::make_xnnpack_conv2d(pr.cfg); }), sfc::error::unsupported);
  pr.cfg.dst_type = qtype::s8;
  pr.cfg.src_type = qtype::u8;
  EXPECT_EQ(error_kind([&] { sfc::make_xnnpack_conv2d(pr.cfg); }), sfc::error::unsupported);
}

TEST(Backends, OnednnRejectsImpossibleConfigs) {
  q8_problem pr = make_q8_problem(conv(1, 16, 16, 8, 8, 5, 1, 2), qtype::u8, 0, qtype::u8, 0,
                                  true, true, 6);
  // int8 Winograd exists only for 3x3 (and only on avx512_core): a 5x5 layer must be refused.
  EXPECT_EQ(error_kind([&] { sfc::make_onednn_conv2d(pr.cfg, /*winograd=*/true); }),
            sfc::error::unsupported);
  pr.cfg.src_type = qtype::f32;
  EXPECT_EQ(error_kind([&] { sfc::make_onednn_conv2d(pr.cfg); }), sfc::error::unsupported);
}

TEST(Backends, InvalidArguments) {
  q8_problem pr = make_q8_problem(conv(1, 16, 16, 8, 8, 3, 1, 1), qtype::s8, 0, qtype::s8, 0,
                                  false, true, 7);
  auto bad_weights = pr.cfg;
  bad_weights.weights.pop_back();
  auto bad_scales = pr.cfg;
  bad_scales.weight_scale.resize(3);
  auto bad_zp = pr.cfg;
  bad_zp.src_zero_point = 200;  // outside s8
  auto bad_threads = pr.cfg;
  bad_threads.threads = 0;
  for (const auto* cfg : {&bad_weights, &bad_scales, &bad_zp, &bad_threads}) {
    EXPECT_EQ(error_kind([&] { sfc::make_onednn_conv2d(*cfg); }),
              sfc::have_onednn() ? sfc::error::invalid_argument : sfc::error::unsupported);
    EXPECT_EQ(error_kind([&] { sfc::make_xnnpack_conv2d(*cfg); }),
              sfc::have_xnnpack() ? sfc::error::invalid_argument : sfc::error::unsupported);
  }
  EXPECT_EQ(error_kind([&] {
              sfc::make_onednn_conv2d_f32(conv(1, 4, 4, 5, 5, 3, 1, 1), std::vector<float>(10),
                                          {}, false, 1);
            }),
            sfc::have_onednn() ? sfc::error::invalid_argument : sfc::error::unsupported);
}

}  // namespace
