// Small dense matrices for transform construction: exact rational (rmatrix) and the integer form
// used by the integer kernels (imatrix: an integer matrix and one common denominator, so that
// value = entries / denom exactly).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/algo/rational.h"

namespace sfc {

struct rmatrix {
  int rows = 0, cols = 0;
  std::vector<rational> a;  // row-major

  rmatrix() = default;
  rmatrix(int r, int c) : rows(r), cols(c), a(static_cast<size_t>(r) * c) {}
  static rmatrix from_ints(int r, int c, const std::vector<int64_t>& v);  // row-major ints
  static rmatrix identity(int n);

  rational& at(int i, int j) { return a[static_cast<size_t>(i) * cols + j]; }
  const rational& at(int i, int j) const { return a[static_cast<size_t>(i) * cols + j]; }
  rmatrix transpose() const;
  rmatrix operator*(const rmatrix& b) const;
  rmatrix scaled(const rational& s) const;
  bool operator==(const rmatrix& b) const { return rows == b.rows && cols == b.cols && a == b.a; }
  bool operator!=(const rmatrix& b) const { return !(*this == b); }
  std::vector<double> to_double() const;  // row-major
  std::string str() const;                // multi-line, for test failure messages
};

// Integer form: value(i, j) == a[i*cols+j] / denom, with denom the smallest positive common
// denominator of all entries.
struct imatrix {
  int rows = 0, cols = 0;
  int64_t denom = 1;
  std::vector<int64_t> a;  // row-major
  int64_t at(int i, int j) const { return a[static_cast<size_t>(i) * cols + j]; }
};
imatrix to_imatrix(const rmatrix& m);

// Kronecker product (used for the flattened 2D forms in tests).
rmatrix kron(const rmatrix& x, const rmatrix& y);

// Inverse of a square matrix by exact Gauss-Jordan elimination; throws sfc::error if singular.
rmatrix inverse(const rmatrix& m);

}  // namespace sfc
