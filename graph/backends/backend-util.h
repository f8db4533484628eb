// Internal helpers shared by the backend wrappers (argument checks, descriptions for messages).
// Not part of the public backend interface; no library headers here.
#pragma once
#include <cstddef>
#include <string>

#include "graph/backends/conv2d-backend.h"

namespace sfc {
namespace detail {

const char* qtype_name(qtype t);
// "n1 ic16 16x16 -> oc16 k3x3 s1x1 p1,1,1,1"
std::string describe(const conv2d_params& p);
// describe(p) plus "u8(zp 0) -> s8, relu".
std::string describe(const q8_conv2d_config& cfg);
// Throws sfc::error(invalid_argument) for bad sizes, weights/scales/bias of the wrong length, a
// non-positive or non-finite scale, threads < 1, or zero points outside the int8 type's range.
void validate_q8_config(const q8_conv2d_config& cfg, const char* backend);
// fp32: weights must hold oc·ic·kh·kw values, bias 0 or oc, threads >= 1.
void validate_params(const conv2d_params& p, size_t weights, size_t bias, int threads,
                     const char* backend);

}  // namespace detail
}  // namespace sfc
