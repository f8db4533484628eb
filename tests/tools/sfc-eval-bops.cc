// BOPs (tools/common/bops.h) against hand computations.
#include <gtest/gtest.h>

#include "kernels/common/error.h"
#include "tools/common/bops.h"

namespace {

sfc::conv2d_params layer(int ic, int oc, int hw, int k, int stride) {
  sfc::conv2d_params p;
  p.n = 1, p.ic = ic, p.oc = oc, p.h = p.w = hw, p.kh = p.kw = k, p.stride_h = p.stride_w = stride;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = k / 2;
  return p;
}

TEST(SfcEvalBops, DirectIsMacsTimesBitsSquared) {
  const sfc::conv2d_params p = layer(16, 32, 8, 3, 1);  // 8x8 output, 16*32*64*9 MACs
  EXPECT_DOUBLE_EQ(sfc::bops_direct(p, 1, 8).total(), 16.0 * 32 * 64 * 9 * 64);
  EXPECT_DOUBLE_EQ(sfc::bops_direct(p, 1, 32).total(), 16.0 * 32 * 64 * 9 * 1024);
  EXPECT_DOUBLE_EQ(sfc::bops_direct(p, 2, 8).total(), 16.0 * 32 * 64 * 9 * 64 / 2);
}

TEST(SfcEvalBops, MatrixAdditions) {
  sfc::imatrix m;
  m.rows = 2, m.cols = 3;
  m.a = {1, 0, -1,   // 1 addition
         4, -5, 3};  // 2 additions + (5 = 4 + 1: 1) + (3 = 2 + 1: 1); 4 is a shift
  EXPECT_EQ(sfc::bops_matrix_adds(m), 5);
}

// Winograd F(2x2, 3x3) by hand: Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] (4 additions per
// 1D application), Aᵀ = [1 1 1 0; 0 1 -1 -1] (4 additions), growth (row L1 2)² = 4 -> 8+2 bits.
TEST(SfcEvalBops, WinogradF2HandComputed) {
  const sfc::fastconv_algorithm* a = sfc::find_algorithm("wino_2x2_3x3");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(sfc::bops_matrix_adds(a->BT_i), 4) << "Bᵀ differs from the textbook F(2,3)";
  ASSERT_EQ(sfc::bops_matrix_adds(a->AT_i), 4);
  const sfc::conv2d_params p = layer(16, 16, 8, 3, 1);  // 8x8 output: 4x4 = 16 tiles
  const sfc::conv_bops b = sfc::bops_fast(p, 1, *a, 8);
  EXPECT_DOUBLE_EQ(b.mults, 16.0 * 16 * 16 * 16 * 64);         // tiles·IC·OC·R²·b²
  EXPECT_DOUBLE_EQ(b.input_adds, 16.0 * 16 * (4 + 4) * 4 * 10);  // tiles·IC·(L+R)·adds·10 bits
  EXPECT_DOUBLE_EQ(b.output_adds, 16.0 * 16 * (4 + 2) * 4 * 32);  // tiles·OC·(R+m)·adds·32 bits
  EXPECT_DOUBLE_EQ(b.total(), 4194304.0 + 81920.0 + 196608.0);
  // At 4 transform bits only the multiplications change.
  EXPECT_DOUBLE_EQ(sfc::bops_fast(p, 1, *a, 4).mults, 16.0 * 16 * 16 * 16 * 16);
}

TEST(SfcEvalBops, Sfc6PartialTilesAndApplicability) {
  const sfc::fastconv_algorithm* a = sfc::find_algorithm("sfc6_7x7_3x3");
  ASSERT_NE(a, nullptr);
  // 8x8 output with 7x7 tiles: 2x2 tiles, each 12² = 144 multiplications per (ic, oc).
  const sfc::conv_bops b = sfc::bops_fast(layer(64, 64, 8, 3, 1), 1, *a, 6);
  EXPECT_DOUBLE_EQ(b.mults, 4.0 * 64 * 64 * 144 * 36);
  EXPECT_GT(b.input_adds, 0);
  EXPECT_FALSE(sfc::bops_fast_applicable(layer(64, 64, 8, 3, 2), 1, *a));
  EXPECT_FALSE(sfc::bops_fast_applicable(layer(64, 64, 8, 1, 1), 1, *a));
  EXPECT_FALSE(sfc::bops_fast_applicable(layer(64, 64, 8, 3, 1), 2, *a));
  EXPECT_THROW(sfc::bops_fast(layer(64, 64, 8, 3, 2), 1, *a, 8), sfc::error);
}

}  // namespace
