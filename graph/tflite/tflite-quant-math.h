// TFLite's fixed-point requantization arithmetic (tensorflow/lite/kernels/internal/common.h and
// quantization_util.cc, originally gemmlowp's fixedpoint.h), and XNNPACK's float ("fp32")
// requantization, written out so that the reference interpreter reproduces them bit for bit.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>

namespace sfc::tflite::qmath {

// double m -> (q, shift) with m ≈ q * 2^(shift - 31), q in [2^30, 2^31): frexp, then
// q = round-half-away(fraction * 2^31) (TfLiteRound = std::round).
// `single_rounding` clamps the shift to <= 30 as TFLite does under TFLITE_SINGLE_ROUNDING.
inline void quantize_multiplier(double m, int32_t* q, int* shift, bool single_rounding = false) {
  if (m == 0.0) {
    *q = 0;
    *shift = 0;
    return;
  }
  const double f = std::frexp(m, shift);
  int64_t qf = int64_t(std::round(f * double(int64_t(1) << 31)));
  if (qf == (int64_t(1) << 31)) {
    qf /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    qf = 0;
  }
  if (single_rounding && *shift > 30) {
    *shift = 30;
    qf = (int64_t(1) << 31) - 1;
  }
  *q = int32_t(qf);
}

// gemmlowp SaturatingRoundingDoublingHighMul: round-half-away((a * b) / 2^31), saturating the
// single overflow case INT32_MIN * INT32_MIN.
inline int32_t srdhm(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = int64_t(a) * int64_t(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return int32_t((ab + nudge) / (int64_t(1) << 31));  // C++ division truncates toward zero
}

// gemmlowp RoundingDivideByPOT: x / 2^e rounded half away from zero.
inline int32_t rounding_divide_by_pot(int32_t x, int e) {
  const int32_t mask = int32_t((int64_t(1) << e) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (remainder > threshold ? 1 : 0);
}

// MultiplyByQuantizedMultiplier, default ("double rounding") build: left shift, SRDHM, then a
// rounding right shift. x * (1 << left) wraps like TFLite's int32 arithmetic.
inline int32_t mul_by_quantized_multiplier(int32_t x, int32_t q, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  return rounding_divide_by_pot(srdhm(int32_t(uint32_t(x) << left), q), right);
}

// MultiplyByQuantizedMultiplier under TFLITE_SINGLE_ROUNDING: one 64-bit product and one
// round-half-up shift.
inline int32_t mul_by_quantized_multiplier_single(int32_t x, int32_t q, int shift) {
  const int total = 31 - shift;
  const int64_t round = int64_t(1) << (total - 1);
  return int32_t((int64_t(x) * int64_t(q) + round) >> total);
}

// XNNPACK fp32 requantization: float(acc) * scale, clamped to the output range less the zero
// point, rounded to nearest-even (the magic-bias / lrintf / cvtps2dq kernels all agree).
inline int32_t fp32_requantize(int32_t acc, float scale, int32_t zero_point, int32_t lo, int32_t hi) {
  float v = float(acc) * scale;
  v = std::fmax(v, float(lo - zero_point));
  v = std::fmin(v, float(hi - zero_point));
  return int32_t(std::nearbyint(v)) + zero_point;
}

}  // namespace sfc::tflite::qmath
