// Deterministic random data and error metrics for the fast-convolution tests.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace sfc_test {

inline std::vector<int8_t> random_s8(size_t n, uint32_t seed, int lo = -128, int hi = 127) {
  std::mt19937 g(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(g));
  return v;
}
inline std::vector<uint8_t> random_u8(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(d(g));
  return v;
}
inline std::vector<float> random_normal(size_t n, uint32_t seed, float stddev = 1.f) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0.f, stddev);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}
// sqrt(Σ (a − b)² / Σ b²)
template <class A, class B>
double relative_rms(const std::vector<A>& a, const std::vector<B>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); i++) {
    const double d = double(a[i]) - double(b[i]);
    num += d * d;
    den += double(b[i]) * double(b[i]);
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}
// max |a − b| / max |b|
template <class A, class B>
double relative_max(const std::vector<A>& a, const std::vector<B>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); i++) {
    num = std::max(num, std::fabs(double(a[i]) - double(b[i])));
    den = std::max(den, std::fabs(double(b[i])));
  }
  return den > 0 ? num / den : num;
}

}  // namespace sfc_test
