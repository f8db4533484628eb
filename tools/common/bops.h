// Bit operations (BOPs) of convolutions, by the rules of the SFC paper
// (../shared/docs/sfc-algorithm.md §6.2): a multiplication of b-bit operands costs b², an addition
// costs its bit width. How the paper counts the transforms is not stated; this file's model is:
//
//   direct conv, b bits        MACs · b²  (one b×b multiplication per MAC; the accumulation
//                              additions are not counted: this reproduces the paper's int8
//                              baselines exactly, e.g. ResNet-18 96.2G = 64 · 1.503G MACs of the
//                              stride-1 3×3 convs, ResNet-34 214.6G)
//   fast conv (SFC/Winograd),  tiles = N · ⌈OH/m⌉ · ⌈OW/m⌉, nested 2D form (what the kernels run):
//   transform domain at b bits   multiplications   tiles · IC · OC · R² · b²
//                                input transform   tiles · IC · (L + R) · adds(Bᵀ) · (8 + ⌈log2 growth⌉)
//                                output transform  tiles · OC · (R + m) · adds(Aᵀ) · 32
//                              adds(M) = additions to apply the integer form of M to one vector:
//                              per row, (non-zeros − 1) plus (popcount|c| − 1) shift-and-adds per
//                              coefficient c; the filter transform runs once at load and is free.
//                              growth = (max row L1 of Bᵀ)², the 2D input-transform bit growth.
//   fp32                       MACs · 32².
// Accumulations over IC in the transform domain and the per-point rescale are not counted, as
// for direct convolution.
#pragma once
#include <cstdint>
#include <string>

#include "kernels/algo/algorithm.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {

struct conv_bops {
  double mults = 0, input_adds = 0, output_adds = 0;
  double total() const { return mults + input_adds + output_adds; }
};

// p.ic is the total input channel count; groups divides the MACs.
conv_bops bops_direct(const conv2d_params& p, int groups, int bits);
// Whether `a` can run this conv (kernel r×r, stride 1, groups 1).
bool bops_fast_applicable(const conv2d_params& p, int groups, const fastconv_algorithm& a);
// Throws sfc::error(invalid_argument) if the algorithm does not apply.
conv_bops bops_fast(const conv2d_params& p, int groups, const fastconv_algorithm& a, int td_bits);
// Additions to apply an integer matrix (rows × cols, row-major) to one vector, as above.
int64_t bops_matrix_adds(const imatrix& m);

}  // namespace sfc
