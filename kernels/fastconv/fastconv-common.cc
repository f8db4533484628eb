#include <string>

#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/tile-ops.h"

namespace sfc {

void fastconv_validate(const fastconv_algorithm& alg, const conv2d_params& p) {
  conv2d_validate(p);
  if (p.kh != alg.r || p.kw != alg.r)
    throw_unsupported(alg.name + " needs a " + std::to_string(alg.r) + "x" +
                      std::to_string(alg.r) + " kernel, got " + std::to_string(p.kh) + "x" +
                      std::to_string(p.kw));
  if (p.stride_h != 1 || p.stride_w != 1)
    throw_unsupported(alg.name + " needs stride 1, got " + std::to_string(p.stride_h) + "x" +
                      std::to_string(p.stride_w));
}

namespace scalar_tiles {
std::vector<double> rmatrix_doubles(const rmatrix& m) { return m.to_double(); }
}  // namespace scalar_tiles

}  // namespace sfc
