// The built-in algorithm list and the metrics shared by both constructions (sfc-algorithm.md
// §3.6 counts, §7.2 bit growth).
#include "kernels/algo/algorithm.h"

#include <algorithm>
#include <cmath>

#include "kernels/algo/algorithm-build.h"

namespace sfc {
namespace detail {
namespace {

double max_abs(const rmatrix& m) {
  double v = 0;
  for (const rational& x : m.a) v = std::max(v, abs(x).to_double());
  return v;
}

// max_i Σ_j |m[i, j]|, exactly, then converted.
double max_row_l1(const rmatrix& m) {
  rational best(0);
  for (int i = 0; i < m.rows; ++i) {
    rational s(0);
    for (int j = 0; j < m.cols; ++j) s += abs(m.at(i, j));
    if (best < s) best = s;
  }
  return best.to_double();
}

std::vector<int64_t> row_l1(const imatrix& m) {
  std::vector<int64_t> l1(static_cast<size_t>(m.rows), 0);
  for (int i = 0; i < m.rows; ++i)
    for (int j = 0; j < m.cols; ++j) l1[i] += m.at(i, j) < 0 ? -m.at(i, j) : m.at(i, j);
  return l1;
}

}  // namespace

void finish_algorithm(fastconv_algorithm& a) {
  a.BT_i = to_imatrix(a.BT);
  a.G_i = to_imatrix(a.G);
  a.AT_i = to_imatrix(a.AT);
  a.bt_row_l1_i = row_l1(a.BT_i);
  a.g_row_l1_i = row_l1(a.G_i);

  a.bt_max_abs = max_abs(a.BT);
  a.g_max_abs = max_abs(a.G);
  a.at_max_abs = max_abs(a.AT);
  a.bt_row_l1 = max_row_l1(a.BT);
  a.g_row_l1 = max_row_l1(a.G);
  a.at_row_l1 = max_row_l1(a.AT);

  a.mults_1d = a.R;
  a.direct_1d = a.m * a.r;
  a.mults_2d_nested = a.R * a.R;
  a.direct_2d = a.direct_1d * a.direct_1d;
}

}  // namespace detail

double fastconv_algorithm::extra_bits_2d() const { return std::log2(data_growth_2d()); }

namespace {

std::vector<fastconv_algorithm> build_all() {
  std::vector<fastconv_algorithm> all;
  all.push_back(build_sfc(4, 4, 3));
  all.push_back(build_sfc(6, 6, 3));
  all.push_back(build_sfc(6, 7, 3));
  all.push_back(build_sfc(6, 6, 5));
  all.push_back(build_sfc(6, 4, 7));
  all.push_back(build_sfc(6, 6, 7));
  // Interpolation points in the order of §8 (Lavin & Gray; wincnn / NNPACK for F(6,3)).
  all.push_back(build_winograd(2, 3, {0, 1, -1}));
  all.push_back(build_winograd(4, 3, {0, 1, -1, 2, -2}));
  all.push_back(build_winograd(6, 3, {0, 1, -1, 2, -2, rational(1, 2), rational(-1, 2)}));
  return all;
}

}  // namespace

const std::vector<fastconv_algorithm>& all_algorithms() {
  static const std::vector<fastconv_algorithm> all = build_all();  // thread-safe, built once
  return all;
}

const fastconv_algorithm* find_algorithm(const std::string& name) {
  for (const fastconv_algorithm& a : all_algorithms())
    if (a.name == name) return &a;
  return nullptr;
}

}  // namespace sfc
