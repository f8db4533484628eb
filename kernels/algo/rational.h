// Exact rational arithmetic for transform-matrix construction (int64 numerator / denominator,
// always normalised: gcd(num, den) == 1 and den > 0). Overflow is checked: the matrices built
// here have small entries, so an overflow means a construction bug and throws.
#pragma once
#include <cstdint>
#include <string>

namespace sfc {

class rational {
 public:
  constexpr rational() : num_(0), den_(1) {}
  rational(int64_t n) : num_(n), den_(1) {}  // NOLINT: implicit from integers is intended
  rational(int64_t n, int64_t d);

  int64_t num() const { return num_; }
  int64_t den() const { return den_; }
  bool is_integer() const { return den_ == 1; }
  double to_double() const { return static_cast<double>(num_) / static_cast<double>(den_); }
  std::string str() const;  // "3", "-1/6"

  rational operator-() const { return rational(-num_, den_); }
  friend rational operator+(const rational& a, const rational& b);
  friend rational operator-(const rational& a, const rational& b);
  friend rational operator*(const rational& a, const rational& b);
  friend rational operator/(const rational& a, const rational& b);
  rational& operator+=(const rational& b) { return *this = *this + b; }
  rational& operator-=(const rational& b) { return *this = *this - b; }
  rational& operator*=(const rational& b) { return *this = *this * b; }
  friend bool operator==(const rational& a, const rational& b) {
    return a.num_ == b.num_ && a.den_ == b.den_;
  }
  friend bool operator!=(const rational& a, const rational& b) { return !(a == b); }
  friend bool operator<(const rational& a, const rational& b);

 private:
  int64_t num_, den_;
};

rational abs(const rational& a);
int64_t gcd64(int64_t a, int64_t b);
int64_t lcm64(int64_t a, int64_t b);

}  // namespace sfc
