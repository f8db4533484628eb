// fp32 path: relative error ≤ 1e-5 (max |diff| / max |ref|) against the float64 direct convolution.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/ref/conv2d-ref.h"
#include "tests/fastconv/test-util.h"

namespace {

std::vector<std::string> all_names() {
  std::vector<std::string> v;
  for (const auto& a : sfc::all_algorithms()) v.push_back(a.name);
  return v;
}

class FastconvF32 : public testing::TestWithParam<std::string> {};

TEST_P(FastconvF32, MatchesFloat64Direct) {
  const sfc::fastconv_algorithm& alg = *sfc::find_algorithm(GetParam());
  struct shape { int n, ic, oc, h, w; };
  // Odd shapes: H, W not multiples of the tile, 1x1 and 2x2 spatial, C = 1, 3, 513, N = 3.
  const shape shapes[] = {{1, 3, 4, 13, 11}, {3, 1, 2, 1, 1},   {1, 2, 3, 2, 2},
                          {1, 513, 3, 5, 6}, {2, 5, 7, 15, 17}, {1, 4, 513, 3, 4}};
  uint32_t seed = 100;
  for (const shape& s : shapes) {
    sfc::conv2d_params p;
    p.n = s.n, p.ic = s.ic, p.oc = s.oc, p.h = s.h, p.w = s.w, p.kh = p.kw = alg.r;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = alg.r / 2;
    auto x = sfc_test::random_normal(size_t(p.n) * p.h * p.w * p.ic, seed++);
    auto w = sfc_test::random_normal(size_t(p.oc) * p.ic * p.kh * p.kw, seed++);
    auto b = sfc_test::random_normal(p.oc, seed++);
    std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end()), bd(b.begin(), b.end());
    std::vector<double> ref(size_t(p.n) * p.oh() * p.ow() * p.oc);
    std::vector<float> got(ref.size());
    sfc::conv2d_ref_f64(p, sfc::layout::nhwc, xd.data(), wd.data(), bd.data(), ref.data());
    sfc::fastconv_f32(alg, p, x.data(), w.data(), b.data(), got.data());
    const double err = sfc_test::relative_max(got, ref);
    EXPECT_LE(err, 1e-5) << alg.name << " n=" << s.n << " ic=" << s.ic << " oc=" << s.oc
                         << " h=" << s.h << " w=" << s.w;
  }
}

INSTANTIATE_TEST_SUITE_P(All, FastconvF32, testing::ValuesIn(all_names()),
                         [](const testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
