// The Toom-Cook construction against the Winograd matrices of sfc-algorithm.md §8.
#include <gtest/gtest.h>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "tests/algo/doc-matrices.h"

namespace sfc {
namespace {

// The c with row_a = c · row_b (c ≠ 0), or 0 if the rows are not proportional.
rational proportionality(const rmatrix& a, const rmatrix& b, int row) {
  rational c(0);
  for (int j = 0; j < a.cols; ++j) {
    if (b.at(row, j).num() == 0) {
      if (a.at(row, j).num() != 0) return rational(0);
      continue;
    }
    const rational q = a.at(row, j) / b.at(row, j);
    if (c.num() == 0) c = q;
    if (q != c || q.num() == 0) return rational(0);
  }
  return c;
}

// Two Winograd algorithms are the same up to normalisation when, for every transform point t,
// BT row t, G row t and AT column t are scaled by c_B, c_G, c_A with c_B·c_G·c_A = 1: the
// product AT[(G w) ⊙ (BT x)] is then unchanged term by term.
::testing::AssertionResult same_up_to_point_scaling(const fastconv_algorithm& got,
                                                    const rmatrix& bt, const rmatrix& g,
                                                    const rmatrix& at) {
  if (got.BT.rows != bt.rows || got.BT.cols != bt.cols || got.G.rows != g.rows ||
      got.G.cols != g.cols || got.AT.rows != at.rows || got.AT.cols != at.cols) {
    return ::testing::AssertionFailure() << "shape mismatch";
  }
  const rmatrix got_a = got.AT.transpose(), doc_a = at.transpose();
  for (int t = 0; t < bt.rows; ++t) {
    const rational cb = proportionality(got.BT, bt, t);
    const rational cg = proportionality(got.G, g, t);
    const rational ca = proportionality(got_a, doc_a, t);
    if (cb.num() == 0 || cg.num() == 0 || ca.num() == 0) {
      return ::testing::AssertionFailure() << "point " << t << " is not a rescaling";
    }
    if (cb * cg * ca != rational(1)) {
      return ::testing::AssertionFailure() << "point " << t << ": scale product "
                                           << (cb * cg * ca).str() << " != 1";
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(WinogradDoc, F4x4_3x3MatchesLavinExactly) {
  // Points (0, 1, −1, 2, −2) with wincnn's normalisation reproduce Lavin & Gray's F(4,3) exactly
  // (the doc's "up to row signs" is not even needed).
  const fastconv_algorithm& a = *find_algorithm("wino_4x4_3x3");
  EXPECT_EQ(a.BT, doc::parse(doc::kWinoF4_3_BT)) << a.BT.str();
  EXPECT_EQ(a.G, doc::parse(doc::kWinoF4_3_G)) << a.G.str();
  EXPECT_EQ(a.AT, doc::parse(doc::kWinoF4_3_AT)) << a.AT.str();
}

TEST(WinogradDoc, F6x6_3x3MatchesWincnnExactly) {
  // Point order (0, 1, −1, 2, −2, 1/2, −1/2), the column order of the printed Aᵀ.
  const fastconv_algorithm& a = *find_algorithm("wino_6x6_3x3");
  EXPECT_EQ(a.BT, doc::parse(doc::kWinoF6_3_BT)) << a.BT.str();
  EXPECT_EQ(a.G, doc::parse(doc::kWinoF6_3_G)) << a.G.str();
  EXPECT_EQ(a.AT, doc::parse(doc::kWinoF6_3_AT)) << a.AT.str();
}

TEST(WinogradDoc, F2x2_3x3MatchesLavinUpToTheSignOfInfinity) {
  // The construction gives, for the point at infinity, BT row [0 −1 0 1] (the coefficients of
  // M(x) = x³ − x) and AT column [0 1]ᵀ; Lavin & Gray print [0 1 0 −1] and [0 −1]ᵀ. The two sign
  // flips cancel (c_B = c_A = −1, c_G = 1). Every other entry matches exactly.
  const fastconv_algorithm& a = *find_algorithm("wino_2x2_3x3");
  const rmatrix bt = doc::parse(doc::kWinoF2_3_BT), g = doc::parse(doc::kWinoF2_3_G),
                at = doc::parse(doc::kWinoF2_3_AT);
  EXPECT_TRUE(same_up_to_point_scaling(a, bt, g, at));
  EXPECT_EQ(a.G, g);
  for (int t = 0; t < 3; ++t)
    for (int j = 0; j < 4; ++j) EXPECT_EQ(a.BT.at(t, j), bt.at(t, j)) << t << "," << j;
  EXPECT_EQ(a.BT.at(3, 1), rational(-1));
  EXPECT_EQ(a.AT.at(1, 3), rational(1));
  EXPECT_EQ(at.at(1, 3), rational(-1));
}

TEST(WinogradDoc, NormalisationCheckRejectsNonCancellingScales) {
  // Sanity of the comparison itself: scaling one BT row without compensating must fail.
  const fastconv_algorithm& a = *find_algorithm("wino_4x4_3x3");
  rmatrix bt = doc::parse(doc::kWinoF4_3_BT);
  for (int j = 0; j < bt.cols; ++j) bt.at(2, j) *= 2;
  EXPECT_FALSE(same_up_to_point_scaling(a, bt, doc::parse(doc::kWinoF4_3_G),
                                        doc::parse(doc::kWinoF4_3_AT)));
}

TEST(WinogradBuild, RejectsInvalidPoints) {
  EXPECT_THROW(build_winograd(2, 3, {0, 1}), error);
  EXPECT_THROW(build_winograd(2, 3, {0, 1, 1}), error);
  EXPECT_THROW(build_winograd(0, 3, {}), error);
}

TEST(WinogradBuild, CountsAndIntegerForms) {
  const fastconv_algorithm& a = *find_algorithm("wino_6x6_3x3");
  EXPECT_EQ(a.n, 0);
  EXPECT_EQ(a.L, 8);
  EXPECT_EQ(a.R, 8);
  EXPECT_EQ(a.mults_2d_symbolic, a.mults_2d_nested);
  EXPECT_EQ(a.G_i.denom, 90);  // lcm of 9, 45, 90
  EXPECT_EQ(a.BT_i.denom, 4);
  EXPECT_EQ(a.AT_i.denom, 32);
  EXPECT_TRUE(a.corrections.empty());
}

}  // namespace
}  // namespace sfc
