// Integer transform matrices of the fast-convolution algorithms that the int8 layer kernels
// (q8-ukernels.h) implement, baked as constexpr tables so that every transform loop unrolls with
// constant coefficients. Values are the integer forms BT_i (R×L) and AT_i (m×R) of
// kernels/algo/algorithm.h (tests/fastconv/q8-tables-test.cc checks that they are equal).
// Data only, no functions: safe to include from any ISA file (house style §12).
#pragma once
#include <cstdint>

namespace sfc {
namespace q8tf {

struct q8_tf_n6o7x7k3x3 {  // SFC-6(7x7,3x3)
  static constexpr const char* name = "sfc6_7x7_3x3";
  static constexpr const char* tile = "n6o7x7k3x3";
  static constexpr int m = 7, r = 3, L = 9, R = 12;
  static constexpr int16_t bt[12][9] = {
      {0, 1, 1, 1, 1, 1, 1, 0, 0},
      {0, 1, 1, 0, -1, -1, 0, 0, 0},
      {0, 0, -1, -1, 0, 1, 1, 0, 0},
      {0, 1, 0, -1, -1, 0, 1, 0, 0},
      {0, 1, 0, -1, 1, 0, -1, 0, 0},
      {0, 0, -1, 1, 0, -1, 1, 0, 0},
      {0, 1, -1, 0, 1, -1, 0, 0, 0},
      {0, 1, -1, 1, -1, 1, -1, 0, 0},
      {1, 0, 0, 0, 0, 0, -1, 0, 0},
      {0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, 0, -1, 0, 0, 0, 0, 0, 1},
  };
  static constexpr int16_t at[7][12] = {
      {1, -1, -1, 2, -2, 1, 1, -1, 6, 0, 0, 0},
      {1, 1, -2, 1, 1, -2, 1, 1, 0, 0, 0, 0},
      {1, 2, -1, -1, 1, 1, -2, -1, 0, 0, 0, 0},
      {1, 1, 1, -2, -2, 1, 1, 1, 0, 0, 0, 0},
      {1, -1, 2, -1, 1, -2, 1, -1, 0, 0, 0, 0},
      {1, -2, 1, 1, 1, 1, -2, 1, 0, 6, 0, 0},
      {1, -1, -1, 2, -2, 1, 1, -1, 0, 0, 6, 6},
  };
};

struct q8_tf_n6o6x6k3x3 {  // SFC-6(6x6,3x3)
  static constexpr const char* name = "sfc6_6x6_3x3";
  static constexpr const char* tile = "n6o6x6k3x3";
  static constexpr int m = 6, r = 3, L = 8, R = 10;
  static constexpr int16_t bt[10][8] = {
      {0, 1, 1, 1, 1, 1, 1, 0},
      {0, 1, 1, 0, -1, -1, 0, 0},
      {0, 0, -1, -1, 0, 1, 1, 0},
      {0, 1, 0, -1, -1, 0, 1, 0},
      {0, 1, 0, -1, 1, 0, -1, 0},
      {0, 0, -1, 1, 0, -1, 1, 0},
      {0, 1, -1, 0, 1, -1, 0, 0},
      {0, 1, -1, 1, -1, 1, -1, 0},
      {1, 0, 0, 0, 0, 0, -1, 0},
      {0, -1, 0, 0, 0, 0, 0, 1},
  };
  static constexpr int16_t at[6][10] = {
      {1, -1, -1, 2, -2, 1, 1, -1, 6, 0},
      {1, 1, -2, 1, 1, -2, 1, 1, 0, 0},
      {1, 2, -1, -1, 1, 1, -2, -1, 0, 0},
      {1, 1, 1, -2, -2, 1, 1, 1, 0, 0},
      {1, -1, 2, -1, 1, -2, 1, -1, 0, 0},
      {1, -2, 1, 1, 1, 1, -2, 1, 0, 6},
  };
};

struct q8_tf_n4o4x4k3x3 {  // SFC-4(4x4,3x3)
  static constexpr const char* name = "sfc4_4x4_3x3";
  static constexpr const char* tile = "n4o4x4k3x3";
  static constexpr int m = 4, r = 3, L = 6, R = 7;
  static constexpr int16_t bt[7][6] = {
      {0, 1, 1, 1, 1, 0},
      {0, 1, 0, -1, 0, 0},
      {0, 0, -1, 0, 1, 0},
      {0, 1, -1, -1, 1, 0},
      {0, 1, -1, 1, -1, 0},
      {1, 0, 0, 0, -1, 0},
      {0, -1, 0, 0, 0, 1},
  };
  static constexpr int16_t at[4][7] = {
      {1, -2, -2, 2, -1, 4, 0},
      {1, 2, -2, 0, 1, 0, 0},
      {1, 2, 2, -2, -1, 0, 0},
      {1, -2, 2, 0, 1, 0, 4},
  };
};

struct q8_tf_n6o6x6k5x5 {  // SFC-6(6x6,5x5)
  static constexpr const char* name = "sfc6_6x6_5x5";
  static constexpr const char* tile = "n6o6x6k5x5";
  static constexpr int m = 6, r = 5, L = 10, R = 14;
  static constexpr int16_t bt[14][10] = {
      {0, 0, 1, 1, 1, 1, 1, 1, 0, 0},
      {0, 0, 1, 1, 0, -1, -1, 0, 0, 0},
      {0, 0, 0, -1, -1, 0, 1, 1, 0, 0},
      {0, 0, 1, 0, -1, -1, 0, 1, 0, 0},
      {0, 0, 1, 0, -1, 1, 0, -1, 0, 0},
      {0, 0, 0, -1, 1, 0, -1, 1, 0, 0},
      {0, 0, 1, -1, 0, 1, -1, 0, 0, 0},
      {0, 0, 1, -1, 1, -1, 1, -1, 0, 0},
      {1, 0, 0, 0, 0, 0, -1, 0, 0, 0},
      {0, 1, 0, 0, 0, 0, 0, -1, 0, 0},
      {0, 1, 0, 0, 0, 0, 0, -1, 0, 0},
      {0, 0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, 0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, 0, 0, -1, 0, 0, 0, 0, 0, 1},
  };
  static constexpr int16_t at[6][14] = {
      {1, -2, 1, 1, 1, 1, -2, 1, 6, 6, 0, 0, 0, 0},
      {1, -1, -1, 2, -2, 1, 1, -1, 0, 0, 6, 0, 0, 0},
      {1, 1, -2, 1, 1, -2, 1, 1, 0, 0, 0, 0, 0, 0},
      {1, 2, -1, -1, 1, 1, -2, -1, 0, 0, 0, 0, 0, 0},
      {1, 1, 1, -2, -2, 1, 1, 1, 0, 0, 0, 6, 0, 0},
      {1, -1, 2, -1, 1, -2, 1, -1, 0, 0, 0, 0, 6, 6},
  };
};

struct q8_tf_n6o4x4k7x7 {  // SFC-6(4x4,7x7)
  static constexpr const char* name = "sfc6_4x4_7x7";
  static constexpr const char* tile = "n6o4x4k7x7";
  static constexpr int m = 4, r = 7, L = 10, R = 14;
  static constexpr int16_t bt[14][10] = {
      {0, 0, 1, 1, 1, 1, 1, 1, 0, 0},
      {0, 0, 1, 1, 0, -1, -1, 0, 0, 0},
      {0, 0, 0, -1, -1, 0, 1, 1, 0, 0},
      {0, 0, 1, 0, -1, -1, 0, 1, 0, 0},
      {0, 0, 1, 0, -1, 1, 0, -1, 0, 0},
      {0, 0, 0, -1, 1, 0, -1, 1, 0, 0},
      {0, 0, 1, -1, 0, 1, -1, 0, 0, 0},
      {0, 0, 1, -1, 1, -1, 1, -1, 0, 0},
      {1, 0, 0, 0, 0, 0, -1, 0, 0, 0},
      {0, 1, 0, 0, 0, 0, 0, -1, 0, 0},
      {0, 1, 0, 0, 0, 0, 0, -1, 0, 0},
      {0, 0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, 0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, 0, 0, -1, 0, 0, 0, 0, 0, 1},
  };
  static constexpr int16_t at[4][14] = {
      {1, -2, 1, 1, 1, 1, -2, 1, 6, 6, 0, 0, 0, 0},
      {1, -1, -1, 2, -2, 1, 1, -1, 0, 0, 6, 0, 0, 0},
      {1, 1, -2, 1, 1, -2, 1, 1, 0, 0, 0, 6, 0, 0},
      {1, 2, -1, -1, 1, 1, -2, -1, 0, 0, 0, 0, 6, 6},
  };
};

struct q8_tf_n6o6x6k7x7 {  // SFC-6(6x6,7x7)
  static constexpr const char* name = "sfc6_6x6_7x7";
  static constexpr const char* tile = "n6o6x6k7x7";
  static constexpr int m = 6, r = 7, L = 12, R = 20;
  static constexpr int16_t bt[20][12] = {
      {0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0},
      {0, 0, 0, 1, 1, 0, -1, -1, 0, 0, 0, 0},
      {0, 0, 0, 0, -1, -1, 0, 1, 1, 0, 0, 0},
      {0, 0, 0, 1, 0, -1, -1, 0, 1, 0, 0, 0},
      {0, 0, 0, 1, 0, -1, 1, 0, -1, 0, 0, 0},
      {0, 0, 0, 0, -1, 1, 0, -1, 1, 0, 0, 0},
      {0, 0, 0, 1, -1, 0, 1, -1, 0, 0, 0, 0},
      {0, 0, 0, 1, -1, 1, -1, 1, -1, 0, 0, 0},
      {1, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0},
      {0, 1, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
      {0, 0, 1, 0, 0, 0, 0, 0, -1, 0, 0, 0},
      {0, 1, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0},
      {0, 0, 1, 0, 0, 0, 0, 0, -1, 0, 0, 0},
      {0, 0, 1, 0, 0, 0, 0, 0, -1, 0, 0, 0},
      {0, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0},
      {0, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0},
      {0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0},
      {0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0},
      {0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 1},
  };
  static constexpr int16_t at[6][20] = {
      {1, -1, 2, -1, 1, -2, 1, -1, 6, 6, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0},
      {1, -2, 1, 1, 1, 1, -2, 1, 0, 0, 0, 6, 6, 0, 0, 0, 0, 0, 0, 0},
      {1, -1, -1, 2, -2, 1, 1, -1, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0},
      {1, 1, -2, 1, 1, -2, 1, 1, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0},
      {1, 2, -1, -1, 1, 1, -2, -1, 0, 0, 0, 0, 0, 0, 0, 6, 6, 0, 0, 0},
      {1, 1, 1, -2, -2, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 6, 6},
  };
};

struct q8_tf_f2x2k3x3 {  // F(2x2,3x3)
  static constexpr const char* name = "wino_2x2_3x3";
  static constexpr const char* tile = "f2x2k3x3";
  static constexpr int m = 2, r = 3, L = 4, R = 4;
  static constexpr int16_t bt[4][4] = {
      {1, 0, -1, 0},
      {0, 1, 1, 0},
      {0, -1, 1, 0},
      {0, -1, 0, 1},
  };
  static constexpr int16_t at[2][4] = {
      {1, 1, 1, 0},
      {0, 1, -1, 1},
  };
};

struct q8_tf_f4x4k3x3 {  // F(4x4,3x3)
  static constexpr const char* name = "wino_4x4_3x3";
  static constexpr const char* tile = "f4x4k3x3";
  static constexpr int m = 4, r = 3, L = 6, R = 6;
  static constexpr int16_t bt[6][6] = {
      {4, 0, -5, 0, 1, 0},
      {0, -4, -4, 1, 1, 0},
      {0, 4, -4, -1, 1, 0},
      {0, -2, -1, 2, 1, 0},
      {0, 2, -1, -2, 1, 0},
      {0, 4, 0, -5, 0, 1},
  };
  static constexpr int16_t at[4][6] = {
      {1, 1, 1, 1, 1, 0},
      {0, 1, -1, 2, -2, 0},
      {0, 1, 1, 4, 4, 0},
      {0, 1, -1, 8, -8, 1},
  };
};

// X(tile code) for every algorithm above, in priority order.
#define SFC_Q8_FOR_EACH_TF(X) \
  X(n6o7x7k3x3)               \
  X(n6o6x6k3x3)               \
  X(n4o4x4k3x3)               \
  X(n6o6x6k5x5)               \
  X(n6o4x4k7x7)               \
  X(n6o6x6k7x7)               \
  X(f2x2k3x3)                 \
  X(f4x4k3x3)

}  // namespace q8tf
}  // namespace sfc
