// Exact rational arithmetic (see rational.h). Every operation reduces its result to lowest terms;
// intermediate products use checked int64 arithmetic (the builtins report overflow), and an
// overflow throws sfc::error(internal): transform matrices have small entries, so it is a bug.
#include "kernels/algo/rational.h"

#include "kernels/common/error.h"

namespace sfc {
namespace {

[[noreturn]] void throw_overflow(const char* op) {
  throw error(error::internal, std::string("rational: int64 overflow in ") + op);
}

int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw_overflow("*");
  return r;
}

int64_t checked_add(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) throw_overflow("+");
  return r;
}

}  // namespace

int64_t gcd64(int64_t a, int64_t b) {
  // Euclid on magnitudes; gcd(0, 0) = 0.
  if (a == INT64_MIN || b == INT64_MIN) throw_overflow("gcd");
  a = a < 0 ? -a : a;
  b = b < 0 ? -b : b;
  while (b != 0) {
    const int64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

int64_t lcm64(int64_t a, int64_t b) {
  if (a == 0 || b == 0) return 0;
  const int64_t g = gcd64(a, b);
  const int64_t l = checked_mul(a / g, b);
  return l < 0 ? -l : l;
}

rational::rational(int64_t n, int64_t d) {
  if (d == 0) throw_invalid("rational: zero denominator");
  if (n == INT64_MIN || d == INT64_MIN) throw_overflow("normalise");
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const int64_t g = gcd64(n, d);  // g >= 1 since d != 0
  num_ = n / g;
  den_ = d / g;
}

std::string rational::str() const {
  if (den_ == 1) return std::to_string(num_);
  return std::to_string(num_) + "/" + std::to_string(den_);
}

// a/b + c/d = (a·(l/b) + c·(l/d)) / l with l = lcm(b, d).
rational operator+(const rational& a, const rational& b) {
  if (a.den_ == b.den_) return rational(checked_add(a.num_, b.num_), a.den_);
  const int64_t l = lcm64(a.den_, b.den_);
  return rational(checked_add(checked_mul(a.num_, l / a.den_), checked_mul(b.num_, l / b.den_)), l);
}

rational operator-(const rational& a, const rational& b) { return a + (-b); }

// (a/b)·(c/d): cross-cancel first, gcd(a, d) and gcd(c, b), to keep the products small.
rational operator*(const rational& a, const rational& b) {
  if (a.num_ == 0 || b.num_ == 0) return rational();
  const int64_t g1 = gcd64(a.num_, b.den_);
  const int64_t g2 = gcd64(b.num_, a.den_);
  return rational(checked_mul(a.num_ / g1, b.num_ / g2), checked_mul(a.den_ / g2, b.den_ / g1));
}

rational operator/(const rational& a, const rational& b) {
  if (b.num_ == 0) throw_invalid("rational: division by zero");
  return a * rational(b.den_, b.num_);
}

// a/b < c/d  <=>  a·d < c·b  (b, d > 0); 128-bit products cannot overflow.
bool operator<(const rational& a, const rational& b) {
  return static_cast<__int128>(a.num_) * b.den_ < static_cast<__int128>(b.num_) * a.den_;
}

rational abs(const rational& a) { return a.num() < 0 ? -a : a; }

}  // namespace sfc
