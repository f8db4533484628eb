// Helpers shared by the op files: input/attribute access with messages that name the node.
#pragma once
#include <string>
#include <vector>

#include "graph/ir.h"
#include "kernels/common/error.h"

namespace sfc {
namespace ops {

[[noreturn]] inline void fail_unsupported(const node& n, const std::string& what) {
  throw error(error::unsupported, n.label() + ": " + what);
}
[[noreturn]] inline void fail_invalid(const node& n, const std::string& what) {
  throw error(error::invalid_model, n.label() + ": " + what);
}

// Checks the number of inputs (present or absent) and outputs.
void check_arity(const node& n, size_t min_in, size_t max_in, size_t outs = 1);
// A required input (throws invalid_model if absent or of unknown shape).
const value& input(const graph& g, const node& n, size_t i);
bool has_input(const node& n, size_t i);
// Data of an input that must be known at load time (nullptr if absent and optional).
const tensor* const_input(const graph& g, const node& n, size_t i, const char* what,
                          bool optional = false);
std::vector<int64_t> const_ints(const graph& g, const node& n, size_t i, const char* what);
float const_scalar_f32(const graph& g, const node& n, size_t i, const char* what, float def);
void set_output(graph& g, const node& n, size_t i, dtype t, const shape_t& s);
const value& output(const graph& g, const node& n, size_t i);
// axis in [-rank, rank) -> [0, rank).
int normalize_axis(const node& n, int64_t axis, int rank);
// Checks the pads/strides/kernel attributes of a 2-D window op (Conv, MaxPool, AveragePool) and
// resolves auto_pad. Returns {pad_t, pad_l, pad_b, pad_r}.
struct window2d {
  int kh = 1, kw = 1, sh = 1, sw = 1;
  int pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;
  bool ceil_mode = false;
  int64_t out(int64_t in, bool vertical) const;
};
window2d resolve_window2d(const node& n, int64_t h, int64_t w, int kh, int kw);

// f(ky, kx, iy, ix) for every kernel tap of output pixel (oy, ox) that lies inside the input
// (padding taps are skipped: they contribute zero / the zero point).
template <class F>
inline void for_each_tap(const conv2d_params& p, int oy, int ox, F&& f) {
  for (int ky = 0; ky < p.kh; ++ky) {
    const int iy = oy * p.stride_h - p.pad_t + ky;
    if (iy < 0 || iy >= p.h) continue;
    for (int kx = 0; kx < p.kw; ++kx) {
      const int ix = ox * p.stride_w - p.pad_l + kx;
      if (ix >= 0 && ix < p.w) f(ky, kx, iy, ix);
    }
  }
}

}  // namespace ops
}  // namespace sfc
