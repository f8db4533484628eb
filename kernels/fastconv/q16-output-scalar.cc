// Output transform kernels of the exact layer, scalar (q16-ukernels.h): Y = Aᵢᵀ M Aᵢ in uint32
// (wrap-around), acc = Y / D by the odd inverse and an arithmetic shift, then requantize_acc's
// arithmetic with the precomputed double scale(oc) = double(src_scale)·double(w_scale[oc]).
#include <cassert>
#include <cstdint>

#include "kernels/common/quant.h"
#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

template <class A>
void output_scalar(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                   size_t m_point_stride, size_t m_tile_stride, const double* scale,
                   const double* bias, void* dst, size_t dst_row_stride, size_t dst_pixel_stride,
                   const sfc_q16_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows <= size_t(mo) && cols <= tiles * mo);
  const char* mb = reinterpret_cast<const char*>(m);
  for (size_t t = 0; t < tiles; t++) {
    for (size_t o = 0; o < oc; o++) {
      uint32_t T[mo][R];
      auto mv = [&](int a, int b) {
        return uint32_t(*reinterpret_cast<const int32_t*>(mb + t * m_tile_stride +
                                                          size_t(a * R + b) * m_point_stride + o * 4));
      };
      for (int i = 0; i < mo; i++)
        for (int b = 0; b < R; b++) {
          uint32_t s = 0;
          for (int a = 0; a < R; a++) s += uint32_t(A::at[i][a]) * mv(a, b);
          T[i][b] = s;
        }
      for (size_t i = 0; i < rows; i++)
        for (int j = 0; j < mo; j++) {
          const size_t x = t * mo + j;
          if (x >= cols) break;
          uint32_t y = 0;
          for (int b = 0; b < R; b++) y += uint32_t(A::at[j][b]) * T[i][b];
          const int32_t acc = int32_t(y * params->d_inverse) >> params->d_shift;  // Y / D
          double real = scale[o] * double(acc) + bias[o];  // as requantize_acc
          if (params->relu && real < 0) real = 0;
          const float v = static_cast<float>(real) / params->dst_scale;
          const int32_t q = sfc::quantize_round_sat(v, params->zero_point, params->qmin, params->qmax);
          static_cast<uint8_t*>(dst)[i * dst_row_stride + x * dst_pixel_stride + o] = uint8_t(q);
        }
    }
  }
}

}  // namespace

#define SFC_Q16_OUTPUT(isa, tile, fn) SFC_Q16_OUTPUT_##isa(tile, fn)
#define SFC_Q16_OUTPUT_avx512vnni(tile, fn)
#define SFC_Q16_OUTPUT_avx2(tile, fn)
#define SFC_Q16_OUTPUT_neon(tile, fn)
#define SFC_Q16_OUTPUT_scalar(tile, fn)                                                       \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const double* scale, const double* bias,         \
                     void* dst, size_t drs, size_t dps, const sfc_q16_output_params* params) { \
    output_scalar<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs,    \
                                dps, params);                                                 \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q16-ukernels.inc"
