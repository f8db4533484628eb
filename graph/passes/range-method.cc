// Calibrated activation ranges (value_range) and how they become clipping thresholds
// (range_method): min-max, percentile of |x|, or the MSE-optimal threshold over a histogram.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "graph/passes/passes.h"

namespace sfc {

void value_range::add(const float* v, size_t n) {
  if (n == 0) return;
  const auto mm = std::minmax_element(v, v + n);
  if (!seen) min = *mm.first, max = *mm.second, seen = true;
  min = std::min(min, *mm.first), max = std::max(max, *mm.second);
}

void value_range::add_hist(const float* v, size_t n) {
  if (!(hist_max > 0.f)) return;
  if (hist.empty()) hist.assign(kRangeBins, 0);
  const float inv = float(kRangeBins) / hist_max;
  for (size_t i = 0; i < n; ++i) {
    const float a = std::fabs(v[i]);
    if (a == 0.f) {
      ++zeros;
      continue;
    }
    const int b = std::min(int(a * inv), kRangeBins - 1);  // values beyond hist_max: last bin
    ++hist[size_t(b)];
  }
}

bool parse_range_method(const std::string& s, range_method* m) {
  range_method r;
  if (s == "minmax") {
    r.kind = range_method::minmax;
  } else if (s == "mse") {
    r.kind = range_method::mse;
  } else if (s == "percentile") {
    r.kind = range_method::percentile;
  } else if (s.rfind("percentile:", 0) == 0) {
    const std::string num = s.substr(11);
    char* end = nullptr;
    r.kind = range_method::percentile;
    r.pct = std::strtod(num.c_str(), &end);
    if (num.empty() || *end != '\0' || !(r.pct > 0 && r.pct <= 100)) return false;
  } else {
    return false;
  }
  *m = r;
  return true;
}

namespace {

// Threshold at the p-th percentile of |x| (zeros included), at a bin's upper edge.
float percentile_threshold(const value_range& r, double p) {
  uint64_t total = r.zeros;
  for (uint64_t c : r.hist) total += c;
  const double want = p / 100.0 * double(total);
  double seen = double(r.zeros);
  const double w = double(r.hist_max) / kRangeBins;
  for (int b = 0; b < kRangeBins; ++b) {
    seen += double(r.hist[size_t(b)]);
    if (seen >= want) return float(w * (b + 1));
  }
  return r.hist_max;
}

// Threshold t minimising Σ count·err over bin centres x: s²/12 for x ≤ t (s = t / levels),
// (x − t)² beyond. Candidates: the upper edges of bins kRangeBins/16 … kRangeBins.
float mse_threshold(const value_range& r, int levels) {
  const double w = double(r.hist_max) / kRangeBins;
  double best_err = -1, best_t = r.hist_max;
  for (int e = kRangeBins / 16; e <= kRangeBins; ++e) {
    const double t = w * e, s = t / levels;
    double inside = 0, clipped = 0;
    for (int b = 0; b < kRangeBins; ++b) {
      const double c = double(r.hist[size_t(b)]);
      if (c == 0) continue;
      const double x = w * (b + 0.5);
      if (b < e)
        inside += c;
      else
        clipped += c * (x - t) * (x - t);
    }
    const double err = inside * s * s / 12 + clipped;
    if (best_err < 0 || err < best_err) best_err = err, best_t = t;
  }
  return float(best_t);
}

}  // namespace

float clip_threshold(const value_range& r, bool non_negative, int levels, const range_method& m) {
  const float maxabs = non_negative ? std::max(r.max, 0.f)
                                    : std::max(std::fabs(r.min), std::fabs(r.max));
  if (m.kind == range_method::minmax || r.hist.empty()) return maxabs;
  const float t = m.kind == range_method::percentile ? percentile_threshold(r, m.pct)
                                                     : mse_threshold(r, levels);
  return std::min(t, maxabs);
}

}  // namespace sfc
