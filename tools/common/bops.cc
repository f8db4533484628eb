#include "tools/common/bops.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "kernels/common/error.h"

namespace sfc {

namespace {

int popcount64(uint64_t v) {
  int c = 0;
  for (; v; v &= v - 1) c++;
  return c;
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

int64_t bops_matrix_adds(const imatrix& m) {
  int64_t adds = 0;
  for (int i = 0; i < m.rows; i++) {
    int nnz = 0;
    for (int j = 0; j < m.cols; j++) {
      const int64_t c = m.at(i, j);
      if (c == 0) continue;
      nnz++;
      adds += popcount64(uint64_t(std::llabs(c))) - 1;  // shift-and-add for |c| not a power of 2
    }
    adds += std::max(nnz - 1, 0);
  }
  return adds;
}

conv_bops bops_direct(const conv2d_params& p, int groups, int bits) {
  conv_bops b;
  b.mults = p.direct_macs() / std::max(groups, 1) * double(bits) * bits;
  return b;
}

bool bops_fast_applicable(const conv2d_params& p, int groups, const fastconv_algorithm& a) {
  return groups == 1 && p.kh == a.r && p.kw == a.r && p.stride_h == 1 && p.stride_w == 1;
}

conv_bops bops_fast(const conv2d_params& p, int groups, const fastconv_algorithm& a, int td_bits) {
  if (!bops_fast_applicable(p, groups, a))
    throw error(error::invalid_argument, a.name + " cannot run a " + std::to_string(p.kh) + "x" + std::to_string(p.kw) +
                                             " stride-" + std::to_string(p.stride_h) + " convolution");
  const double tiles = double(p.n) * double(ceil_div(p.oh(), a.m)) * double(ceil_div(p.ow(), a.m));
  int64_t bt_l1 = 0;
  for (int64_t v : a.bt_row_l1_i) bt_l1 = std::max(bt_l1, v);
  // bt_row_l1_i is in integer-form units; divide out the common denominator for the real growth.
  const double growth = double(bt_l1) * double(bt_l1) / (double(a.BT_i.denom) * double(a.BT_i.denom));
  const int in_bits = 8 + int(std::ceil(std::log2(std::max(growth, 1.0)) - 1e-9));
  conv_bops b;
  b.mults = tiles * p.ic * p.oc * double(a.R) * a.R * double(td_bits) * td_bits;
  b.input_adds = tiles * p.ic * double(a.L + a.R) * double(bops_matrix_adds(a.BT_i)) * in_bits;
  b.output_adds = tiles * p.oc * double(a.R + a.m) * double(bops_matrix_adds(a.AT_i)) * 32.0;
  return b;
}

}  // namespace sfc
