// Exact reference computations for the algorithm tests: direct correlation and the fast-algorithm
// stages, all in rational arithmetic.
#pragma once
#include <ostream>
#include <random>
#include <vector>

#include "kernels/algo/algorithm.h"

namespace sfc {

// GoogleTest prints parameters by name instead of dumping bytes.
inline void PrintTo(const fastconv_algorithm& a, std::ostream* os) { *os << a.name; }

namespace test {

using rvec = std::vector<rational>;

inline rvec random_vec(std::mt19937& rng, int n, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  rvec v(static_cast<size_t>(n));
  for (rational& x : v) x = d(rng);
  return v;
}

inline rmatrix random_tile(std::mt19937& rng, int rows, int cols, int lo = -128, int hi = 127) {
  std::uniform_int_distribution<int> d(lo, hi);
  rmatrix t(rows, cols);
  for (rational& x : t.a) x = d(rng);
  return t;
}

inline rvec matvec(const rmatrix& m, const rvec& v) {
  rvec out(static_cast<size_t>(m.rows));
  for (int i = 0; i < m.rows; ++i)
    for (int j = 0; j < m.cols; ++j) out[i] += m.at(i, j) * v[j];
  return out;
}

// y_i = Σ_k x[i+k]·w[k], i = 0..m−1.
inline rvec correlate_1d(const rvec& x, const rvec& w, int m) {
  rvec y(static_cast<size_t>(m));
  for (int i = 0; i < m; ++i)
    for (size_t k = 0; k < w.size(); ++k) y[i] += x[i + k] * w[k];
  return y;
}

// Y[i,j] = Σ_{k,l} X[i+k, j+l]·W[k,l], i, j = 0..m−1.
inline rmatrix correlate_2d(const rmatrix& x, const rmatrix& w, int m) {
  rmatrix y(m, m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      for (int k = 0; k < w.rows; ++k)
        for (int l = 0; l < w.cols; ++l) y.at(i, j) += x.at(i + k, j + l) * w.at(k, l);
  return y;
}

// y = Aᵀ[(G w) ⊙ (Bᵀ x)]
inline rvec fast_1d(const rmatrix& bt, const rmatrix& g, const rmatrix& at, const rvec& x,
                    const rvec& w) {
  rvec u = matvec(bt, x);
  const rvec v = matvec(g, w);
  for (size_t t = 0; t < u.size(); ++t) u[t] *= v[t];
  return matvec(at, u);
}

// Y = Aᵀ[(G W Gᵀ) ⊙ (Bᵀ X B)] A
inline rmatrix fast_2d_nested(const rmatrix& bt, const rmatrix& g, const rmatrix& at,
                              const rmatrix& x, const rmatrix& w) {
  rmatrix u = bt * x * bt.transpose();
  const rmatrix v = g * w * g.transpose();
  for (size_t t = 0; t < u.a.size(); ++t) u.a[t] *= v.a[t];
  return at * u * at.transpose();
}

// The bilinear identity on a basis: for every tap k, Aᵀ·diag(G e_k)·Bᵀ must be the shift matrix
// S_k (m×L, S_k[i, i+k] = 1). Holding for every k, it proves y = correlation for all x, w.
// Returns the first failing k, or −1.
inline int first_failing_tap(const rmatrix& bt, const rmatrix& g, const rmatrix& at) {
  const int m = at.rows, L = bt.cols, r = g.cols;
  for (int k = 0; k < r; ++k) {
    rmatrix d(bt.rows, bt.rows);
    for (int t = 0; t < bt.rows; ++t) d.at(t, t) = g.at(t, k);
    const rmatrix prod = at * d * bt;
    rmatrix shift(m, L);
    for (int i = 0; i < m; ++i) shift.at(i, i + k) = 1;
    if (prod != shift) return k;
  }
  return -1;
}

}  // namespace test
}  // namespace sfc
