#include <cstdlib>
#include <memory>
#include <string>

#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/thread-scratch.h"
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

uint8_t* fastconv_thread_scratch(thread_scratch_slot slot, size_t bytes) {
  struct buffer {
    std::unique_ptr<uint8_t, void (*)(void*)> p{nullptr, std::free};
    size_t size = 0;
  };
  thread_local buffer b[2];
  buffer& x = b[int(slot)];
  if (x.size < bytes) {
    const size_t n = (bytes + 63) / 64 * 64;
    x.p.reset(static_cast<uint8_t*>(std::aligned_alloc(64, n)));
    if (!x.p)
      throw error(error::internal, "out of memory for " + std::to_string(n) + " bytes of scratch");
    x.size = n;
  }
  return x.p.get();
}

namespace scalar_tiles {
std::vector<double> rmatrix_doubles(const rmatrix& m) { return m.to_double(); }
}  // namespace scalar_tiles

}  // namespace sfc
