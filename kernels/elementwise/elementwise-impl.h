// The loops behind elementwise.h, written so that the compiler vectorizes them for the ISA of the
// including file. Included INSIDE an anonymous namespace by elementwise-{scalar,avx2,avx512vnni}.cc
// (house style §12, the ODR trap), after <cstddef>, <cstdint> and <cstring>; no includes here.
// Every loop uses exactly rounded operations only; the including files turn FMA contraction off,
// so all variants agree bit for bit.

// round_half_even(v) for |v| < 2²² in the default rounding mode: adding 1.5·2²³ leaves no
// fraction bits, so the FPU rounds (half to even) and the subtraction is exact.
inline float ew_round(float v) { return (v + 0x1.8p23f) - 0x1.8p23f; }

// clamp to [lo, hi] with NaN → lo (lo, hi integers, so clamping before rounding is the same as
// after: rounding is monotone and fixes integers).
inline float ew_clamp(float v, float lo, float hi) {
  v = v > lo ? v : lo;
  return v < hi ? v : hi;
}

void ew_quantize(const float* __restrict x, uint8_t* __restrict y, size_t n, float scale,
                 float lo, float hi, int32_t zp) {
#pragma omp simd
  for (size_t i = 0; i < n; ++i)
    y[i] = uint8_t(int32_t(ew_round(ew_clamp(x[i] / scale, lo, hi))) + zp);
}

// One block of up to kTp pixels × cb channels: [cb][hw] → [np][c] at channel offset c0.
constexpr size_t kTp = 64;
template <size_t CB>
void ew_quantize_block(const float* x, uint8_t* y, size_t hw, size_t c, size_t cb, size_t np,
                       float scale, float lo, float hi, int32_t zp) {
  const size_t nc = CB ? CB : cb;
  uint8_t tmp[16 * kTp];
  for (size_t j = 0; j < nc; ++j) ew_quantize(x + j * hw, tmp + j * kTp, np, scale, lo, hi, zp);
  for (size_t p = 0; p < np; ++p)
    for (size_t j = 0; j < nc; ++j) y[p * c + j] = tmp[j * kTp + p];
}

// x [c][hw] → y [hw][c], blocks of kTp pixels × 16 channels (3 channels, the RGB input, unrolled).
void ew_quantize_transpose(const float* x, uint8_t* y, size_t hw, size_t c, float scale, float lo,
                           float hi, int32_t zp) {
  if (c == 1) return ew_quantize(x, y, hw, scale, lo, hi, zp);
  for (size_t p0 = 0; p0 < hw; p0 += kTp) {
    const size_t np = hw - p0 < kTp ? hw - p0 : kTp;
    for (size_t c0 = 0; c0 < c; c0 += 16) {
      const size_t cb = c - c0 < 16 ? c - c0 : 16;
      const float* xs = x + c0 * hw + p0;
      uint8_t* ys = y + p0 * c + c0;
      if (cb == 3)
        ew_quantize_block<3>(xs, ys, hw, c, cb, np, scale, lo, hi, zp);
      else
        ew_quantize_block<0>(xs, ys, hw, c, cb, np, scale, lo, hi, zp);
    }
  }
}

template <class T>
void ew_dequantize(const T* __restrict x, float* __restrict y, size_t n, float scale, int32_t zp) {
  for (size_t i = 0; i < n; ++i) y[i] = float(int32_t(x[i]) - zp) * scale;
}

// Channels in blocks of 32 bytes held in one GCC/Clang vector-extension value (1 ymm, or 2
// xmm / NEON registers) across all taps; the tail in y. Written with vector types because GCC
// 12's -O3 unroll-and-jam of the tap loop de-vectorizes the plain loop nest.
typedef uint8_t ew_u8x32 __attribute__((vector_size(32)));
typedef int8_t ew_s8x32 __attribute__((vector_size(32)));
template <class T, class V>
void ew_maxpool_t(const T* const* taps, size_t ntaps, T* __restrict y, size_t c) {
  size_t k0 = 0;
  for (; k0 + sizeof(V) <= c; k0 += sizeof(V)) {
    V m, p;
    std::memcpy(&m, taps[0] + k0, sizeof m);
    for (size_t t = 1; t < ntaps; ++t) {
      std::memcpy(&p, taps[t] + k0, sizeof p);
      m = m < p ? p : m;
    }
    std::memcpy(y + k0, &m, sizeof m);
  }
  for (size_t k = k0; k < c; ++k) {
    T m = taps[0][k];
    for (size_t t = 1; t < ntaps; ++t) m = m < taps[t][k] ? taps[t][k] : m;
    y[k] = m;
  }
}
template <class T>
void ew_maxpool(const T* const* taps, size_t ntaps, T* y, size_t c) {
  if constexpr (T(-1) < T(0))
    ew_maxpool_t<T, ew_s8x32>(taps, ntaps, y, c);
  else
    ew_maxpool_t<T, ew_u8x32>(taps, ntaps, y, c);
}

// The residual pass of graph/ops/conv2d-int8.cc, same expressions (products rounded separately).
template <class R, class D, bool kRelu>
void ew_residual_loop(const int8_t* __restrict t, const R* __restrict r, D* __restrict dst,
                      size_t n, float a, float b) {
  constexpr bool kSigned = D(-1) < D(0);
  const float lo = kRelu || !kSigned ? 0.f : -128.f;  // max(max(f, 0), min(D)) = max(f, 0)
  const float hi = kSigned ? 127.f : 255.f;
#pragma omp simd
  for (size_t i = 0; i < n; ++i) {
    float f = a * float(t[i]) + b * float(r[i]);
    const float c = f < lo ? lo : (hi < f ? hi : f);
    dst[i] = D(int32_t(ew_round(c)));
  }
}
template <class R, class D>
void ew_residual_add(const int8_t* t, const void* r, void* dst, size_t n, float a, float b,
                     bool relu) {
  if (relu)
    ew_residual_loop<R, D, true>(t, static_cast<const R*>(r), static_cast<D*>(dst), n, a, b);
  else
    ew_residual_loop<R, D, false>(t, static_cast<const R*>(r), static_cast<D*>(dst), n, a, b);
}

template <size_t NB>
void ew_gemm_pack(const float* b, size_t k, size_t n, ptrdiff_t b_sk, ptrdiff_t b_sn,
                  float* packed) {
  const size_t blocks = (n + NB - 1) / NB;
  for (size_t blk = 0; blk < blocks; ++blk)
    for (size_t t = 0; t < k; ++t)
      for (size_t j = 0; j < NB; ++j) {
        const size_t col = blk * NB + j;
        packed[(blk * k + t) * NB + j] =
            col < n ? b[ptrdiff_t(t) * b_sk + ptrdiff_t(col) * b_sn] : 0.f;
      }
}

// NB columns at a time, each summed in t order in its own double lane.
template <size_t NB>
void ew_gemm_rows(const float* a, ptrdiff_t a_sk, const float* packed, size_t k, size_t b0,
                  size_t b1, double* acc) {
  for (size_t blk = b0; blk < b1; ++blk) {
    const float* __restrict pb = packed + blk * k * NB;
    double s[NB] = {};
    for (size_t t = 0; t < k; ++t) {
      const double av = double(a[ptrdiff_t(t) * a_sk]);
      for (size_t j = 0; j < NB; ++j) s[j] += av * double(pb[t * NB + j]);
    }
    for (size_t j = 0; j < NB; ++j) acc[(blk - b0) * NB + j] = s[j];
  }
}

template <size_t NB>
elementwise_kernels ew_make_table(const char* isa) {
  elementwise_kernels k;
  k.isa = isa;
  k.quantize = ew_quantize;
  k.quantize_transpose = ew_quantize_transpose;
  k.dequantize_u8 = ew_dequantize<uint8_t>;
  k.dequantize_s8 = ew_dequantize<int8_t>;
  k.maxpool_u8 = ew_maxpool<uint8_t>;
  k.maxpool_s8 = ew_maxpool<int8_t>;
  k.residual_add[0][0] = ew_residual_add<uint8_t, uint8_t>;
  k.residual_add[0][1] = ew_residual_add<uint8_t, int8_t>;
  k.residual_add[1][0] = ew_residual_add<int8_t, uint8_t>;
  k.residual_add[1][1] = ew_residual_add<int8_t, int8_t>;
  k.gemm_nb = NB;
  k.gemm_pack = ew_gemm_pack<NB>;
  k.gemm_rows = ew_gemm_rows<NB>;
  return k;
}
