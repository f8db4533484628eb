// The 2D symbolic form (sfc-algorithm.md §4.2): block structure, CRT maps, exactness and the
// multiplication count.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "kernels/algo/sfc-symbolic.h"
#include "kernels/common/error.h"
#include "tests/algo/algo-test-util.h"
#include "tests/algo/doc-matrices.h"

namespace sfc {
namespace {

TEST(SfcSymbolic, CrtMapsMatchSection4_2) {
  EXPECT_EQ(sfc_crt_map(6), doc::parse(doc::kCrt6)) << sfc_crt_map(6).str();
  EXPECT_EQ(inverse(sfc_crt_map(6)), doc::parse(doc::kCrt6Inv));
  EXPECT_EQ(sfc_crt_map(4), doc::parse(doc::kCrt4)) << sfc_crt_map(4).str();
  EXPECT_EQ(inverse(sfc_crt_map(4)), doc::parse(doc::kCrt4Inv));
}

TEST(SfcSymbolic, BlocksOfSfc6_7x7_3x3) {
  // 6 R-blocks (bin0, bin3, 4 corrections) and 2 C-blocks per dimension.
  const fastconv_algorithm& a = *find_algorithm("sfc6_7x7_3x3");
  const std::vector<sfc_block> b = sfc_blocks(a);
  ASSERT_EQ(b.size(), 8u);
  int real = 0, complex = 0, next = 0;
  for (const sfc_block& x : b) {
    EXPECT_EQ(x.first, next);  // blocks tile the components in order
    next += x.size;
    (x.size == 1 ? real : complex) += 1;
  }
  EXPECT_EQ(next, a.Tc.rows);
  EXPECT_EQ(real, a.real_blocks);
  EXPECT_EQ(complex, a.complex_blocks);
}

class SfcSymbolic2D : public ::testing::TestWithParam<std::string> {};

TEST_P(SfcSymbolic2D, ExactWithSymbolicMultiplicationCount) {
  const fastconv_algorithm* a = find_algorithm(GetParam());
  ASSERT_NE(a, nullptr);
  std::mt19937 rng(2024);
  for (int trial = 0; trial < 4; ++trial) {
    const rmatrix x = test::random_tile(rng, a->L, a->L), w = test::random_tile(rng, a->r, a->r);
    int mults = -1;
    const rmatrix y = sfc_symbolic_correlate_2d(*a, x, w, &mults);
    EXPECT_EQ(y, test::correlate_2d(x, w, a->m)) << trial;
    EXPECT_EQ(mults, a->mults_2d_symbolic);
  }
}

// §4.2 names SFC-6(7x7,3x3) (132), SFC-6(6x6,3x3) (88) and SFC-4(4x4,3x3) (46); the other
// built-ins follow the same rule.
INSTANTIATE_TEST_SUITE_P(All, SfcSymbolic2D,
                         ::testing::Values("sfc6_7x7_3x3", "sfc6_6x6_3x3", "sfc4_4x4_3x3",
                                           "sfc6_6x6_5x5", "sfc6_4x4_7x7", "sfc6_6x6_7x7"));

TEST(SfcSymbolic, DocCountsForNamedAlgorithms) {
  EXPECT_EQ(find_algorithm("sfc6_7x7_3x3")->mults_2d_symbolic, 132);
  EXPECT_EQ(find_algorithm("sfc6_6x6_3x3")->mults_2d_symbolic, 88);
  EXPECT_EQ(find_algorithm("sfc4_4x4_3x3")->mults_2d_symbolic, 46);
}

TEST(SfcSymbolic, RejectsWinogradAndBadShapes) {
  const fastconv_algorithm& a = *find_algorithm("sfc6_7x7_3x3");
  EXPECT_THROW(sfc_blocks(*find_algorithm("wino_4x4_3x3")), error);
  EXPECT_THROW(sfc_symbolic_correlate_2d(a, rmatrix(8, 8), rmatrix(3, 3), nullptr), error);
}

}  // namespace
}  // namespace sfc
