// Streaming kernels of the graph runtime's non-convolution ops (QuantizeLinear, DequantizeLinear,
// int8 MaxPool, the residual add after a conv that cannot fuse it, f32 Gemm with f64 accumulation).
// One source of loops (elementwise-impl.h) compiled per ISA (scalar = baseline, avx2,
// avx512vnni); every variant computes the same values bit for bit: the loops use only exactly
// rounded IEEE operations in a fixed order, and every file is built without FMA contraction.
//
// Contracts (n, c, hw, k: element counts; no pointer is retained):
// - quantize:  y[i] = byte(clamp(round_half_even(x[i] / scale), lo, hi) + zp), lo = qmin − zp,
//   hi = qmax − zp (integers; NaN → lo). Same as quantize_round_sat (kernels/common/quant.h).
// - quantize_transpose: the same per element, x [c][hw] (one plain NCHW image) → y [hw][c] (NHWC).
// - dequantize_{u8,s8}: y[i] = float(int32(x[i]) − zp) · scale.
// - maxpool_{u8,s8}: y[k] = max over t < ntaps of taps[t][k], k < c (ntaps ≥ 1; y aliases no tap).
// - residual_add[r_s8][d_s8]: dst[i] = sat(round_half_even(act(a·float(t[i]) + b·float(r[i]))))
//   with the two products rounded separately (no FMA); act = max(·, 0) if relu. r is u8 (index 0)
//   or s8 (1), dst likewise. Values |a·t + b·r| must stay below 2²² (true for int8 scales ≤ 2¹³).
// - gemm_pack / gemm_rows: Y[m][j] = Σ_{t<k} double(A[m][t]) · double(B[t][j]) summed in t order
//   (each product exact in double, so the result is independent of the vector width). B is packed
//   once as [ceil(n / nb)][k][nb] floats (zero padded); gemm_rows writes blocks [b0, b1) of one
//   row of A into acc[(b − b0)·nb + j] (doubles).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"

namespace sfc {

struct elementwise_kernels {
  const char* isa = "scalar";
  void (*quantize)(const float* x, uint8_t* y, size_t n, float scale, float lo, float hi,
                   int32_t zp) = nullptr;
  void (*quantize_transpose)(const float* x, uint8_t* y, size_t hw, size_t c, float scale,
                             float lo, float hi, int32_t zp) = nullptr;
  void (*dequantize_u8)(const uint8_t* x, float* y, size_t n, float scale, int32_t zp) = nullptr;
  void (*dequantize_s8)(const int8_t* x, float* y, size_t n, float scale, int32_t zp) = nullptr;
  void (*maxpool_u8)(const uint8_t* const* taps, size_t ntaps, uint8_t* y, size_t c) = nullptr;
  void (*maxpool_s8)(const int8_t* const* taps, size_t ntaps, int8_t* y, size_t c) = nullptr;
  void (*residual_add[2][2])(const int8_t* t, const void* r, void* dst, size_t n, float a, float b,
                             bool relu) = {};
  size_t gemm_nb = 8;  // output columns per packed block of B
  void (*gemm_pack)(const float* b, size_t k, size_t n, ptrdiff_t b_sk, ptrdiff_t b_sn,
                    float* packed) = nullptr;
  void (*gemm_rows)(const float* a, ptrdiff_t a_sk, const float* packed, size_t k, size_t b0,
                    size_t b1, double* acc) = nullptr;
};

// The table for `level` (the best compiled variant at or below it); scalar if none.
const elementwise_kernels& elementwise_kernels_for(isa_level level);
// The table for effective_isa() (hardware, capped by SFC_MAX_ISA).
const elementwise_kernels& elementwise_kernels_default();

// The residual pass of an int8 conv that cannot fuse the residual add (graph/ops/conv2d-int8.cc):
// residual_add of elementwise_kernels_default() over n elements in fixed chunks spread over
// `threads` OpenMP threads (the result does not depend on the thread count).
void elementwise_residual_add(const int8_t* t, const void* r, bool r_s8, void* dst, bool dst_s8,
                              size_t n, float a, float b, bool relu, int threads);

namespace detail {
const elementwise_kernels& elementwise_kernels_scalar();
const elementwise_kernels& elementwise_kernels_avx2();
const elementwise_kernels& elementwise_kernels_avx512vnni();
}  // namespace detail

}  // namespace sfc
