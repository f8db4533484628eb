// Command-line value parsing shared by the tools: clear sfc::error(invalid_argument) messages.
#pragma once
#include <cstdlib>
#include <string>

#include "kernels/common/error.h"

namespace sfc {

// `v` as an integer in [lo, hi]; else "<flag> expects an integer in [lo, hi], got '<v>'".
inline int flag_int(const std::string& flag, const std::string& v, int lo, int hi) {
  char* end = nullptr;
  const long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || x < lo || x > hi)
    throw_invalid(flag + " expects an integer in [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "], got '" + v + "'");
  return int(x);
}

}  // namespace sfc
