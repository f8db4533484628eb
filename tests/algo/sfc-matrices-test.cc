// The SFC construction (§2.6) reproduces the matrices printed in sfc-algorithm.md exactly:
// §3.1 (canonical variant), §3.2, §3.3, §3.4, Appendix A.1/A.2, and the component forms of §4.2
// and Appendix B. Also checks the built-in list, names and the window / corrections of §3.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "tests/algo/doc-matrices.h"

namespace sfc {
namespace {

struct sfc_doc_case {
  const char* name;
  int n, m, r;
  const doc::doc_matrix* bt;
  const doc::doc_matrix* g;
  const doc::doc_matrix* at;
  int window;                               // core window x[a .. a+N−1]
  std::vector<sfc_correction> corrections;  // {i, t, k, wrapped} as listed in the doc text
};

std::vector<sfc_doc_case> sfc_doc_cases() {
  using namespace doc;
  return {
      // §3.3: y0 += (x0−x4)w0, y3 += (x5−x1)w2
      {"sfc4_4x4_3x3", 4, 4, 3, &kSfc4_4_3_BT, &kSfc4_4_3_G, &kSfc4_4_3_AT, 1,
       {{0, 0, 0, 4}, {3, 5, 2, 1}}},
      // §3.2: y0 += (x0−x6)w0, y5 += (x7−x1)w2
      {"sfc6_6x6_3x3", 6, 6, 3, &kSfc6_6_3_BT, &kSfc6_6_3_G, &kSfc6_6_3_AT, 1,
       {{0, 0, 0, 6}, {5, 7, 2, 1}}},
      // §3.1: y0 = c5 + (x0−x6)w0; y5 = c4 + (x7−x1)w2; y6 = c5 + (x7−x1)w1 + (x8−x2)w2
      {"sfc6_7x7_3x3", 6, 7, 3, &kSfc6_7_3_BT, &kSfc6_7_3_G, &kSfc6_7_3_AT, 1,
       {{0, 0, 0, 6}, {5, 7, 2, 1}, {6, 7, 1, 1}, {6, 8, 2, 2}}},
      // §3.4
      {"sfc6_6x6_5x5", 6, 6, 5, &kSfc6_6_5_BT, &kSfc6_6_5_G, &kSfc6_6_5_AT, 2,
       {{0, 0, 0, 6}, {0, 1, 1, 7}, {1, 1, 0, 7}, {4, 8, 4, 2}, {5, 8, 3, 2}, {5, 9, 4, 3}}},
      // A.1
      {"sfc6_4x4_7x7", 6, 4, 7, &kSfc6_4_7_BT, &kSfc6_4_7_G, &kSfc6_4_7_AT, 2,
       {{0, 0, 0, 6}, {0, 1, 1, 7}, {1, 1, 0, 7}, {2, 8, 6, 2}, {3, 8, 5, 2}, {3, 9, 6, 3}}},
      // A.2
      {"sfc6_6x6_7x7", 6, 6, 7, &kSfc6_6_7_BT, &kSfc6_6_7_G, &kSfc6_6_7_AT, 3,
       {{0, 0, 0, 6}, {0, 1, 1, 7}, {0, 2, 2, 8}, {1, 1, 0, 7}, {1, 2, 1, 8}, {2, 2, 0, 8},
        {3, 9, 6, 3}, {4, 9, 5, 3}, {4, 10, 6, 4}, {5, 9, 4, 3}, {5, 10, 5, 4}, {5, 11, 6, 5}}},
  };
}

void PrintTo(const sfc_doc_case& c, std::ostream* os) { *os << c.name; }

class SfcDocMatrices : public ::testing::TestWithParam<sfc_doc_case> {};

TEST_P(SfcDocMatrices, BuiltInMatchesDoc) {
  const sfc_doc_case& c = GetParam();
  const fastconv_algorithm* a = find_algorithm(c.name);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->BT, doc::parse(*c.bt)) << a->BT.str();
  EXPECT_EQ(a->G, doc::parse(*c.g)) << a->G.str();
  EXPECT_EQ(a->AT, doc::parse(*c.at)) << a->AT.str();
}

TEST_P(SfcDocMatrices, BuildSfcMatchesDoc) {
  const sfc_doc_case& c = GetParam();
  const fastconv_algorithm a = build_sfc(c.n, c.m, c.r);
  EXPECT_EQ(a.name, c.name);
  EXPECT_EQ(a.BT, doc::parse(*c.bt)) << a.BT.str();
  EXPECT_EQ(a.G, doc::parse(*c.g)) << a.G.str();
  EXPECT_EQ(a.AT, doc::parse(*c.at)) << a.AT.str();
}

TEST_P(SfcDocMatrices, WindowAndCorrections) {
  const sfc_doc_case& c = GetParam();
  const fastconv_algorithm& a = *find_algorithm(c.name);
  EXPECT_EQ(a.window_offset, c.window);
  ASSERT_EQ(a.corrections.size(), c.corrections.size());
  for (size_t q = 0; q < c.corrections.size(); ++q) {
    const sfc_correction &got = a.corrections[q], &want = c.corrections[q];
    EXPECT_EQ(got.i, want.i) << "correction " << q;
    EXPECT_EQ(got.t, want.t) << "correction " << q;
    EXPECT_EQ(got.k, want.k) << "correction " << q;
    EXPECT_EQ(got.wrapped, want.wrapped) << "correction " << q;
  }
  // Shapes and block structure (§4.2).
  EXPECT_EQ(a.L, c.m + c.r - 1);
  EXPECT_EQ(a.R, c.n + c.n / 2 - 1 + static_cast<int>(c.corrections.size()));
  EXPECT_EQ(a.real_blocks, 2 + static_cast<int>(c.corrections.size()));
  EXPECT_EQ(a.complex_blocks, c.n / 2 - 1);
  EXPECT_EQ(a.Tc.rows, c.n + static_cast<int>(c.corrections.size()));
  EXPECT_EQ(a.Tc.cols, a.L);
  EXPECT_EQ(a.Fc.cols, c.r);
  EXPECT_EQ(a.Oc.rows, c.m);
  EXPECT_EQ(a.Oc.cols, a.Tc.rows);
}

INSTANTIATE_TEST_SUITE_P(All, SfcDocMatrices, ::testing::ValuesIn(sfc_doc_cases()),
                         [](const ::testing::TestParamInfo<sfc_doc_case>& i) {
                           return std::string(i.param.name);
                         });

TEST(SfcComponentForm, Sfc6_7x7_3x3MatchesSection4_2) {
  const fastconv_algorithm& a = *find_algorithm("sfc6_7x7_3x3");
  EXPECT_EQ(a.Tc, doc::parse(doc::kSfc6_7_3_Tc)) << a.Tc.str();
  EXPECT_EQ(a.Fc, doc::parse(doc::kSfc6_7_3_Fc)) << a.Fc.str();
  EXPECT_EQ(a.Oc, doc::parse(doc::kSfc6_7_3_Oc)) << a.Oc.str();
}

TEST(SfcComponentForm, Sfc4_4x4_3x3MatchesAppendixB) {
  const fastconv_algorithm& a = *find_algorithm("sfc4_4x4_3x3");
  EXPECT_EQ(a.Tc, doc::parse(doc::kSfc4_4_3_Tc)) << a.Tc.str();
  EXPECT_EQ(a.Fc, doc::parse(doc::kSfc4_4_3_Fc)) << a.Fc.str();
  EXPECT_EQ(a.Oc, doc::parse(doc::kSfc4_4_3_Oc)) << a.Oc.str();
}

// §2.1: the core data rows of SFC-6 / SFC-4 on the window are the SFT-6 / SFT-4 matrices.
TEST(SfcComponentForm, CoreRowsAreTheSymbolicFourierTransform) {
  const rmatrix sft6 = rmatrix::from_ints(
      6, 6, {1, 1, 1, 1, 1, 1, 1, 1, 0, -1, -1, 0, 0, -1, -1, 0, 1, 1,
             1, 0, -1, 1, 0, -1, 0, -1, 1, 0, -1, 1, 1, -1, 1, -1, 1, -1});
  const rmatrix sft4 = rmatrix::from_ints(4, 4, {1, 1, 1, 1, 1, 0, -1, 0, 0, -1, 0, 1, 1, -1, 1, -1});
  for (const fastconv_algorithm& a : all_algorithms()) {
    if (a.kind != algo_kind::sfc) continue;
    const rmatrix& sft = a.n == 6 ? sft6 : sft4;
    for (int i = 0; i < a.n; ++i)
      for (int j = 0; j < a.n; ++j)
        EXPECT_EQ(a.Tc.at(i, a.window_offset + j), sft.at(i, j)) << a.name << " " << i << "," << j;
  }
}

TEST(AlgorithmList, OrderNamesLabelsTiles) {
  struct expect {
    const char *name, *label, *tile;
    algo_kind kind;
  };
  const expect want[] = {
      {"sfc4_4x4_3x3", "SFC-4(4x4,3x3)", "n4o4x4k3x3", algo_kind::sfc},
      {"sfc6_6x6_3x3", "SFC-6(6x6,3x3)", "n6o6x6k3x3", algo_kind::sfc},
      {"sfc6_7x7_3x3", "SFC-6(7x7,3x3)", "n6o7x7k3x3", algo_kind::sfc},
      {"sfc6_6x6_5x5", "SFC-6(6x6,5x5)", "n6o6x6k5x5", algo_kind::sfc},
      {"sfc6_4x4_7x7", "SFC-6(4x4,7x7)", "n6o4x4k7x7", algo_kind::sfc},
      {"sfc6_6x6_7x7", "SFC-6(6x6,7x7)", "n6o6x6k7x7", algo_kind::sfc},
      {"wino_2x2_3x3", "F(2x2,3x3)", "f2x2k3x3", algo_kind::winograd},
      {"wino_4x4_3x3", "F(4x4,3x3)", "f4x4k3x3", algo_kind::winograd},
      {"wino_6x6_3x3", "F(6x6,3x3)", "f6x6k3x3", algo_kind::winograd},
  };
  const std::vector<fastconv_algorithm>& all = all_algorithms();
  ASSERT_EQ(all.size(), sizeof(want) / sizeof(want[0]));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].name, want[i].name);
    EXPECT_EQ(all[i].label, want[i].label);
    EXPECT_EQ(all[i].tile, want[i].tile);
    EXPECT_EQ(all[i].kind, want[i].kind);
    EXPECT_EQ(find_algorithm(want[i].name), &all[i]);
  }
  EXPECT_EQ(&all_algorithms(), &all);  // built once
  EXPECT_EQ(find_algorithm("sfc6_9x9_3x3"), nullptr);
  EXPECT_EQ(find_algorithm(""), nullptr);
}

TEST(BuildSfc, RejectsInvalidArguments) {
  EXPECT_THROW(build_sfc(5, 4, 3), error);
  EXPECT_THROW(build_sfc(8, 4, 3), error);
  EXPECT_THROW(build_sfc(6, 0, 3), error);
  EXPECT_THROW(build_sfc(6, 4, 0), error);
  EXPECT_THROW(build_sfc(6, 2, 3), error);  // L = 4 < N = 6: no window fits
}

// The integer forms hold value · denom exactly, with SFC's Aᵀ denominators N (§2.4).
TEST(BuildSfc, IntegerForms) {
  for (const fastconv_algorithm& a : all_algorithms()) {
    if (a.kind != algo_kind::sfc) continue;
    EXPECT_EQ(a.BT_i.denom, 1) << a.name;
    EXPECT_EQ(a.G_i.denom, 1) << a.name;
    EXPECT_EQ(a.AT_i.denom, a.n) << a.name;
    for (int i = 0; i < a.AT.rows; ++i)
      for (int j = 0; j < a.AT.cols; ++j)
        EXPECT_EQ(rational(a.AT_i.at(i, j), a.AT_i.denom), a.AT.at(i, j)) << a.name;
  }
}

}  // namespace
}  // namespace sfc
