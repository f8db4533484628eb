// Portable direct small-channel kernel (q8-direct-ukernels.h): the reference form of the SIMD
// kernels, one output pixel at a time.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/direct/q8-direct-ukernels.h"

extern "C" void sfc_qu8_direct_ukernel_1x64c4__scalar(size_t ow, size_t oc, size_t kh, size_t q,
                                                      const uint8_t* const* rows, size_t xs,
                                                      size_t qt, const uint8_t* tail, size_t txs,
                                                      const int8_t* w, const int32_t* comp,
                                                      const float* bias, const float* scale,
                                                      void* dst, size_t dps,
                                                      const sfc_q8_direct_params* params) {
  uint8_t* d = static_cast<uint8_t*>(dst);
  for (size_t x = 0; x < ow; ++x)
    for (size_t o = 0; o < oc; ++o) {
      const size_t blk = o / 64, lane = o % 64;
      const int8_t* wb = w + blk * (kh * q + qt) * 256;
      int32_t acc = comp[o];
      for (size_t r = 0; r < kh; ++r)
        for (size_t g = 0; g < q; ++g)
          for (size_t j = 0; j < 4; ++j)
            acc += int32_t(rows[r][x * xs + 4 * g + j]) *
                   int32_t(wb[((r * q + g) * 64 + lane) * 4 + j]);
      for (size_t g = 0; g < qt; ++g)
        for (size_t j = 0; j < 4; ++j)
          acc += int32_t(tail[x * txs + 4 * g + j]) *
                 int32_t(wb[((kh * q + g) * 64 + lane) * 4 + j]);
      float f = (float(acc) + bias[o]) * scale[o];
      f = std::min(std::max(f, params->act_lo), params->act_hi);
      f = std::min(std::max(f, params->q_lo), params->q_hi);
      const int32_t v = int32_t(std::nearbyint(f)) + params->zero_point;
      d[x * dps + o] = uint8_t(v);
    }
}
