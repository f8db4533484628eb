// Output transform kernels, scalar: a plain port of fastconv_q8_run's output stage
// (Y = Aᵢᵀ·mi·Aᵢ, then float(Y)·2^−F + bias, relu, round, + zero point, saturate), and the fused
// residual add (sfc_q8_output_params::res_mode): the s8 value t becomes
// sat(round_half_even(act(a·t + b·r))), the two products rounded separately as in the separate
// pass (the empty asm keeps GCC from contracting them into an FMA).
#include <cassert>
#include <cstdint>

#include "kernels/common/quant.h"
#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

using namespace sfc::q8tf;

namespace {

#if defined(__x86_64__) || defined(__i386__)
#define SFC_KEEP_ROUNDED(x) asm("" : "+x"(x))
#elif defined(__aarch64__)
#define SFC_KEEP_ROUNDED(x) asm("" : "+w"(x))
#else
#define SFC_KEEP_ROUNDED(x) asm("" : "+g"(x))
#endif

uint8_t residual_add(int32_t t, const uint8_t* r, const sfc_q8_output_params* params) {
  const int k = params->res_mode - 1;  // bit 0: residual s8, bit 1: dst s8
  const float rv = k & 1 ? float(int8_t(*r)) : float(*r);
  float fa = params->res_a * float(t), fb = params->res_b * rv;
  SFC_KEEP_ROUNDED(fa);
  SFC_KEEP_ROUNDED(fb);
  float f = fa + fb;
  if (params->res_relu && f < 0.f) f = 0.f;
  return uint8_t(sfc::quantize_round_sat(f, 0, k & 2 ? -128 : 0, k & 2 ? 127 : 255));
}

template <class A>
void output_scalar(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                   size_t m_point_stride, size_t m_tile_stride, const float* bias, void* dst,
                   size_t dst_row_stride, size_t dst_pixel_stride,
                   const sfc_q8_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows <= size_t(mo) && cols <= tiles * mo);
  const char* mb = reinterpret_cast<const char*>(m);
  for (size_t t = 0; t < tiles; t++) {
    for (size_t o = 0; o < oc; o++) {
      int32_t T[mo][R];
      auto mi = [&](int a, int b) {
        return *reinterpret_cast<const int32_t*>(mb + t * m_tile_stride +
                                                 size_t(a * R + b) * m_point_stride + o * 4);
      };
      for (int i = 0; i < mo; i++)
        for (int b = 0; b < R; b++) {
          int32_t s = 0;
          for (int a = 0; a < R; a++) s += A::at[i][a] * mi(a, b);
          T[i][b] = s;
        }
      for (size_t i = 0; i < rows; i++)
        for (int j = 0; j < mo; j++) {
          const size_t x = t * mo + j;
          if (x >= cols) break;
          int32_t y = 0;
          for (int b = 0; b < R; b++) y += A::at[j][b] * T[i][b];
          float v = float(y) * params->scale + bias[o];
          if (params->relu && v < 0.f) v = 0.f;
          const int32_t q = sfc::quantize_round_sat(v, params->zero_point, params->qmin, params->qmax);
          uint8_t* d = static_cast<uint8_t*>(dst) + i * dst_row_stride + x * dst_pixel_stride + o;
          *d = params->res_mode ? residual_add(q, d + params->res_offset, params) : uint8_t(q);
        }
    }
  }
}

}  // namespace

#define SFC_Q8_OUTPUT(isa, tile, fn) SFC_Q8_OUTPUT_##isa(tile, fn)
#define SFC_Q8_OUTPUT_avx512vnni(tile, fn)
#define SFC_Q8_OUTPUT_avx2(tile, fn)
#define SFC_Q8_OUTPUT_neondot(tile, fn)
#define SFC_Q8_OUTPUT_scalar(tile, fn)                                                        \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const float* bias, void* dst, size_t drs,        \
                     size_t dps, const sfc_q8_output_params* params) {                        \
    output_scalar<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, dps,      \
                                params);                                                      \
  }
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q8-ukernels.inc"
