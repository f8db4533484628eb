// Dense exact matrices (see matrix.h).
#include "kernels/algo/matrix.h"

#include <sstream>
#include <utility>

#include "kernels/common/error.h"

namespace sfc {

rmatrix rmatrix::from_ints(int r, int c, const std::vector<int64_t>& v) {
  if (r < 0 || c < 0 || v.size() != static_cast<size_t>(r) * c) {
    throw_invalid("rmatrix::from_ints: " + std::to_string(v.size()) + " values for a " +
                  std::to_string(r) + "x" + std::to_string(c) + " matrix");
  }
  rmatrix m(r, c);
  for (size_t i = 0; i < v.size(); ++i) m.a[i] = rational(v[i]);
  return m;
}

rmatrix rmatrix::identity(int n) {
  rmatrix m(n, n);
  for (int i = 0; i < n; ++i) m.at(i, i) = 1;
  return m;
}

rmatrix rmatrix::transpose() const {
  rmatrix t(cols, rows);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) t.at(j, i) = at(i, j);
  return t;
}

// (this · b)[i, j] = Σ_k this[i, k] · b[k, j]; zero entries are skipped (the matrices are sparse).
rmatrix rmatrix::operator*(const rmatrix& b) const {
  if (cols != b.rows) {
    throw_invalid("rmatrix product: " + std::to_string(rows) + "x" + std::to_string(cols) +
                  " times " + std::to_string(b.rows) + "x" + std::to_string(b.cols));
  }
  rmatrix p(rows, b.cols);
  for (int i = 0; i < rows; ++i) {
    for (int k = 0; k < cols; ++k) {
      const rational& x = at(i, k);
      if (x.num() == 0) continue;
      for (int j = 0; j < b.cols; ++j) {
        if (b.at(k, j).num() != 0) p.at(i, j) += x * b.at(k, j);
      }
    }
  }
  return p;
}

rmatrix rmatrix::scaled(const rational& s) const {
  rmatrix m = *this;
  for (rational& x : m.a) x *= s;
  return m;
}

std::vector<double> rmatrix::to_double() const {
  std::vector<double> d(a.size());
  for (size_t i = 0; i < a.size(); ++i) d[i] = a[i].to_double();
  return d;
}

std::string rmatrix::str() const {
  std::ostringstream os;
  os << rows << "x" << cols << "\n";
  for (int i = 0; i < rows; ++i) {
    os << "  [";
    for (int j = 0; j < cols; ++j) os << (j ? " " : "") << at(i, j).str();
    os << "]\n";
  }
  return os.str();
}

// denom = lcm of all entry denominators (the smallest positive common denominator);
// entry = value · denom, an integer.
imatrix to_imatrix(const rmatrix& m) {
  imatrix r;
  r.rows = m.rows;
  r.cols = m.cols;
  for (const rational& x : m.a) r.denom = lcm64(r.denom, x.den());
  r.a.resize(m.a.size());
  for (size_t i = 0; i < m.a.size(); ++i) {
    const rational v = m.a[i] * rational(r.denom);
    r.a[i] = v.num();  // v is an integer by construction of denom
  }
  return r;
}

// kron(x, y)[i·y.rows + k, j·y.cols + l] = x[i, j] · y[k, l].
rmatrix kron(const rmatrix& x, const rmatrix& y) {
  rmatrix k(x.rows * y.rows, x.cols * y.cols);
  for (int i = 0; i < x.rows; ++i)
    for (int j = 0; j < x.cols; ++j)
      for (int p = 0; p < y.rows; ++p)
        for (int q = 0; q < y.cols; ++q) k.at(i * y.rows + p, j * y.cols + q) = x.at(i, j) * y.at(p, q);
  return k;
}

// Gauss-Jordan on [m | I]: exact arithmetic, so any non-zero pivot will do.
rmatrix inverse(const rmatrix& m) {
  if (m.rows != m.cols) throw_invalid("inverse: matrix is not square");
  const int n = m.rows;
  rmatrix a = m, inv = rmatrix::identity(n);
  for (int c = 0; c < n; ++c) {
    int p = c;
    while (p < n && a.at(p, c).num() == 0) ++p;
    if (p == n) throw_invalid("inverse: matrix is singular");
    for (int j = 0; j < n; ++j) {
      std::swap(a.at(p, j), a.at(c, j));
      std::swap(inv.at(p, j), inv.at(c, j));
    }
    const rational s = rational(1) / a.at(c, c);
    for (int j = 0; j < n; ++j) {
      a.at(c, j) *= s;
      inv.at(c, j) *= s;
    }
    for (int i = 0; i < n; ++i) {
      const rational f = a.at(i, c);
      if (i == c || f.num() == 0) continue;
      for (int j = 0; j < n; ++j) {
        a.at(i, j) -= f * a.at(c, j);
        inv.at(i, j) -= f * inv.at(c, j);
      }
    }
  }
  return inv;
}

}  // namespace sfc
