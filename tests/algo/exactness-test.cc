// Exactness in rational arithmetic: y = Aᵀ[(G w) ⊙ (Bᵀ x)] is the correlation y_i = Σ_k x[i+k]w[k]
// (1D) and Y = Aᵀ[(G W Gᵀ) ⊙ (Bᵀ X B)] A is the 2D correlation, for every algorithm.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "kernels/algo/algorithm.h"
#include "kernels/algo/sfc-ring.h"
#include "tests/algo/algo-test-util.h"
#include "tests/algo/doc-matrices.h"

namespace sfc {
namespace {

using test::rvec;

// The built-ins plus the extra configurations of §3.6 and a few Winograd variants of §8.
std::vector<fastconv_algorithm> algorithms_under_test() {
  std::vector<fastconv_algorithm> v = all_algorithms();
  v.push_back(build_sfc(6, 4, 3));
  v.push_back(build_sfc(4, 2, 3));
  v.push_back(build_winograd(3, 3, {0, 1, -1, 2}));
  v.push_back(build_winograd(2, 5, {0, 1, -1, 2, -2}));
  v.push_back(build_winograd(2, 7, {0, 1, -1, 2, -2, rational(1, 2), rational(-1, 2)}));
  return v;
}

class Exactness : public ::testing::TestWithParam<fastconv_algorithm> {};

TEST_P(Exactness, BilinearIdentityOnEveryTap) {
  const fastconv_algorithm& a = GetParam();
  EXPECT_EQ(test::first_failing_tap(a.BT, a.G, a.AT), -1);
}

TEST_P(Exactness, OneDimensionalRandom) {
  const fastconv_algorithm& a = GetParam();
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 50; ++trial) {
    const rvec x = test::random_vec(rng, a.L), w = test::random_vec(rng, a.r);
    EXPECT_EQ(test::fast_1d(a.BT, a.G, a.AT, x, w), test::correlate_1d(x, w, a.m)) << trial;
  }
}

TEST_P(Exactness, TwoDimensionalNestedRandom) {
  const fastconv_algorithm& a = GetParam();
  std::mt19937 rng(99);
  for (int trial = 0; trial < 5; ++trial) {
    const rmatrix x = test::random_tile(rng, a.L, a.L), w = test::random_tile(rng, a.r, a.r);
    EXPECT_EQ(test::fast_2d_nested(a.BT, a.G, a.AT, x, w), test::correlate_2d(x, w, a.m)) << trial;
  }
}

class ComponentExactness : public ::testing::TestWithParam<fastconv_algorithm> {};

TEST_P(ComponentExactness, OneDimensional) {
  // The SFC component form (§2.6 step 4) without Karatsuba: y = Oc·p with p_c = u_c·v_c on real
  // components and, on each complex pair, the ring product
  // (u0 + u1ω)(v0 + v1ω) = (u0v0 + c0·u1v1) + (u0v1 + u1v0 + c1·u1v1)ω   (ω² = c0 + c1ω),
  // where u = Tc x and v = Fc w.
  const fastconv_algorithm& a = GetParam();
  const sfc_ring ring = make_sfc_ring(a.n);
  std::mt19937 rng(4321);
  for (int trial = 0; trial < 20; ++trial) {
    const rvec x = test::random_vec(rng, a.L), w = test::random_vec(rng, a.r);
    const rvec u = test::matvec(a.Tc, x), v = test::matvec(a.Fc, w);
    rvec p(u.size());
    for (size_t c = 0; c < u.size(); ++c) p[c] = u[c] * v[c];
    for (int k = 1; k < a.n / 2; ++k) {
      const size_t re = 2 * k - 1, im = 2 * k;
      p[re] = u[re] * v[re] + rational(ring.c0) * u[im] * v[im];
      p[im] = u[re] * v[im] + u[im] * v[re] + rational(ring.c1) * u[im] * v[im];
    }
    EXPECT_EQ(test::matvec(a.Oc, p), test::correlate_1d(x, w, a.m)) << trial;
  }
}

std::string algo_name(const ::testing::TestParamInfo<fastconv_algorithm>& i) { return i.param.name; }

std::vector<fastconv_algorithm> sfc_only(const std::vector<fastconv_algorithm>& all) {
  std::vector<fastconv_algorithm> v;
  for (const fastconv_algorithm& a : all)
    if (a.kind == algo_kind::sfc) v.push_back(a);
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, Exactness, ::testing::ValuesIn(algorithms_under_test()), algo_name);
INSTANTIATE_TEST_SUITE_P(All, ComponentExactness,
                         ::testing::ValuesIn(sfc_only(algorithms_under_test())), algo_name);

// The general rule of §2.6 is exact for every (N, m, r), including m > N and r > N.
TEST(ExactnessSweep, BuildSfcAnyShape) {
  for (int n : {4, 6}) {
    for (int m = 1; m <= 9; ++m) {
      for (int r = 1; r <= 9; ++r) {
        if (m + r - 1 < n) continue;
        const fastconv_algorithm a = build_sfc(n, m, r);
        EXPECT_EQ(test::first_failing_tap(a.BT, a.G, a.AT), -1) << a.name;
        EXPECT_EQ(a.R, n + n / 2 - 1 + static_cast<int>(a.corrections.size())) << a.name;
      }
    }
  }
}

TEST(ExactnessSweep, BuildWinogradSeveralShapes) {
  const std::vector<rational> pts = {0, 1, -1, 2, -2, rational(1, 2), rational(-1, 2), 3, -3};
  for (int m = 1; m <= 6; ++m) {
    for (int r = 1; r <= 5; ++r) {
      const int np = m + r - 2;
      if (np > static_cast<int>(pts.size())) continue;
      const fastconv_algorithm a = build_winograd(m, r, {pts.begin(), pts.begin() + np});
      EXPECT_EQ(test::first_failing_tap(a.BT, a.G, a.AT), -1) << a.name;
    }
  }
}

// §3.1 paper variant: the paper's Bᵀ and G with the derived 12×7 A are exact as well, and the
// paper's G differs from the canonical one (never mix variants).
TEST(PaperVariant, Sfc6_7x7_3x3IsExact) {
  const rmatrix bt = doc::parse(doc::kSfc6_7_3_BT);
  const rmatrix g = doc::parse(doc::kSfc6_7_3_G_paper);
  const rmatrix at = doc::parse(doc::kSfc6_7_3_A_paper).transpose();
  ASSERT_EQ(at.rows, 7);
  ASSERT_EQ(at.cols, 12);
  EXPECT_EQ(test::first_failing_tap(bt, g, at), -1);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const rvec x = test::random_vec(rng, 9), w = test::random_vec(rng, 3);
    EXPECT_EQ(test::fast_1d(bt, g, at, x, w), test::correlate_1d(x, w, 7));
  }
  for (int trial = 0; trial < 3; ++trial) {
    const rmatrix x = test::random_tile(rng, 9, 9), w = test::random_tile(rng, 3, 3);
    EXPECT_EQ(test::fast_2d_nested(bt, g, at, x, w), test::correlate_2d(x, w, 7));
  }
  const fastconv_algorithm& a = *find_algorithm("sfc6_7x7_3x3");
  EXPECT_EQ(a.BT, bt);  // "The general construction produces an identical Bᵀ."
  EXPECT_NE(a.G, g);
  // Mixing variants breaks exactness.
  EXPECT_NE(test::first_failing_tap(bt, a.G, at), -1);
}

}  // namespace
}  // namespace sfc
