// sfc_bench --accuracy: per algorithm, the descriptor's multiplication counts and the measured
// relative RMS error of the int8 requantized path at b = 8/6/4 (sfc-algorithm.md §7.2 protocol:
// 32 → 16 channels, 84×84 output, spatial int8 max-abs, transform domain requantized with
// per-point / per-(oc, point) max-abs scales, error against the exact int8 convolution).
#pragma once
#include <string>

namespace sfc {

// input: "gauss" (iid N(0,1)) or "relu" (smooth low-passed field, +0.3, ReLU).
std::string accuracy_table(const std::string& input, int hw, int threads);

}  // namespace sfc
