// Median of a sample (mean of the two middle values for an even count; 0 for none), as the
// benchmarks and the "auto" implementation choice report and compare timings.
#pragma once
#include <algorithm>
#include <vector>

namespace sfc {

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace sfc
