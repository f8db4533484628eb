// The constexpr transform tables baked into the int8 layer kernels equal the descriptors built
// from the construction rules.
#include <gtest/gtest.h>

#include <string>

#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/q8-tables.h"

namespace {

template <class T>
void expect_table_matches() {
  const sfc::fastconv_algorithm* alg = sfc::find_algorithm(T::name);
  ASSERT_NE(alg, nullptr) << T::name;
  EXPECT_EQ(alg->tile, T::tile);
  EXPECT_EQ(alg->m, T::m);
  EXPECT_EQ(alg->r, T::r);
  EXPECT_EQ(alg->L, T::L);
  EXPECT_EQ(alg->R, T::R);
  ASSERT_EQ(alg->BT_i.rows, T::R);
  ASSERT_EQ(alg->BT_i.cols, T::L);
  ASSERT_EQ(alg->AT_i.rows, T::m);
  ASSERT_EQ(alg->AT_i.cols, T::R);
  EXPECT_EQ(alg->BT_i.denom, 1) << T::name << ": the kernels assume an integer input transform";
  for (int i = 0; i < T::R; i++)
    for (int j = 0; j < T::L; j++) EXPECT_EQ(alg->BT_i.at(i, j), T::bt[i][j]) << T::name << " BT " << i << "," << j;
  for (int i = 0; i < T::m; i++)
    for (int j = 0; j < T::R; j++) EXPECT_EQ(alg->AT_i.at(i, j), T::at[i][j]) << T::name << " AT " << i << "," << j;
}

TEST(FastconvQ8Tables, BakedTablesEqualDescriptors) {
  int count = 0;
#define SFC_CHECK_TF(tile) \
  expect_table_matches<sfc::q8tf::q8_tf_##tile>(); \
  count++;
  SFC_Q8_FOR_EACH_TF(SFC_CHECK_TF)
#undef SFC_CHECK_TF
  EXPECT_EQ(count, 8);
}

}  // namespace
