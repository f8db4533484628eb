// Winograd / Toom-Cook F(m, r) (sfc-algorithm.md §8), built the way wincnn builds it.
//
// Linear convolution s = g * h of a filter g (r taps) and a signal h (m taps) has α = m + r − 1
// coefficients. Toom-Cook evaluates both at α − 1 finite points p_0..p_{α−2} and at ∞ (the
// leading coefficients) and interpolates:
//   s(x) = Σ_i s(p_i)·ℓ_i(x) + s_∞·M(x),   ℓ_i(x) = Π_{k≠i}(x − p_k) / f_i,
//   f_i = Π_{k≠i}(p_i − p_k),   M(x) = Π_k (x − p_k)
// i.e. s = C[(A_r g) ⊙ (A_m h)] with A_r, A_m the Vandermonde evaluation matrices (∞ row = last
// unit vector) and C the interpolation matrix (column i = coefficients of ℓ_i, column ∞ = of M).
// By the transposition principle, Σ_n d_n s_n = Σ_j h_j y_j with y_j = Σ_k d_{j+k} g_k, so the
// correlation is  y = A_mᵀ[(A_r g) ⊙ (Cᵀ d)]:  AT = A_mᵀ,  G = A_r,  BT = Cᵀ.
// The 1/f_i of Cᵀ is moved into G (wincnn's "fractions in G"): BT row i = coefficients of
// Π_{k≠i}(x − p_k), G row i = [p_i^0 .. p_i^{r−1}] / f_i; as wincnn does, if f_0 < 0 both BT row 0
// and f_0 change sign (so the first point's scale factor is positive).
#include <string>

#include "kernels/algo/algorithm-build.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

// Coefficients (lowest degree first) of Π_{k ∈ roots, k ≠ skip} (x − p_k).
std::vector<rational> poly_from_roots(const std::vector<rational>& roots, int skip) {
  std::vector<rational> c{rational(1)};
  for (int k = 0; k < static_cast<int>(roots.size()); ++k) {
    if (k == skip) continue;
    std::vector<rational> next(c.size() + 1);
    for (size_t d = 0; d < c.size(); ++d) {
      next[d + 1] += c[d];           // x · c
      next[d] -= roots[k] * c[d];    // −p_k · c
    }
    c.swap(next);
  }
  return c;
}

rational power(const rational& p, int e) {
  rational x(1);
  for (int i = 0; i < e; ++i) x *= p;
  return x;
}

void check_points(int m, int r, const std::vector<rational>& points) {
  if (m < 1 || r < 1) throw_invalid("build_winograd: m and r must be >= 1");
  if (static_cast<int>(points.size()) != m + r - 2) {
    throw_invalid("build_winograd: F(" + std::to_string(m) + "," + std::to_string(r) + ") needs " +
                  std::to_string(m + r - 2) + " finite points, got " + std::to_string(points.size()));
  }
  for (size_t i = 0; i < points.size(); ++i)
    for (size_t k = 0; k < i; ++k)
      if (points[i] == points[k]) throw_invalid("build_winograd: repeated point " + points[i].str());
}

}  // namespace

fastconv_algorithm build_winograd(int m, int r, const std::vector<rational>& points) {
  check_points(m, r, points);
  const int alpha = m + r - 1, nf = alpha - 1;  // nf finite points + ∞
  fastconv_algorithm a;
  a.kind = algo_kind::winograd;
  a.m = m;
  a.r = r;
  a.L = alpha;
  a.R = alpha;
  a.BT = rmatrix(alpha, alpha);
  a.G = rmatrix(alpha, r);
  a.AT = rmatrix(m, alpha);
  for (int i = 0; i < nf; ++i) {
    const rational& p = points[i];
    rational f(1);
    for (int k = 0; k < nf; ++k)
      if (k != i) f *= p - points[k];
    const rational sign = (i == 0 && f < rational(0)) ? rational(-1) : rational(1);
    const std::vector<rational> c = poly_from_roots(points, i);  // degree α − 2
    for (int d = 0; d < static_cast<int>(c.size()); ++d) a.BT.at(i, d) = sign * c[d];
    for (int j = 0; j < r; ++j) a.G.at(i, j) = power(p, j) / (sign * f);
    for (int j = 0; j < m; ++j) a.AT.at(j, i) = power(p, j);
  }
  // ∞: s_∞ = g_{r−1}·h_{m−1}; its interpolation polynomial is M(x) (degree α − 1).
  const std::vector<rational> mx = poly_from_roots(points, -1);
  for (int d = 0; d < alpha; ++d) a.BT.at(nf, d) = mx[d];
  a.G.at(nf, r - 1) = 1;
  a.AT.at(m - 1, nf) = 1;

  detail::finish_algorithm(a);
  a.mults_2d_symbolic = a.mults_2d_nested;
  const std::string mm = std::to_string(m), rr = std::to_string(r);
  a.name = "wino_" + mm + "x" + mm + "_" + rr + "x" + rr;
  a.label = "F(" + mm + "x" + mm + "," + rr + "x" + rr + ")";
  a.tile = "f" + mm + "x" + mm + "k" + rr + "x" + rr;
  return a;
}

}  // namespace sfc
