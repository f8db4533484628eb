#include "kernels/common/quantize-tensor.h"

#include <algorithm>
#include <cmath>

namespace sfc {

void quantize_with_scale_s8(const float* x, size_t n, float scale, int8_t* out) {
  for (size_t i = 0; i < n; i++) {
    const float q = std::nearbyint(x[i] / scale);
    out[i] = static_cast<int8_t>(std::clamp(q, -127.f, 127.f));
  }
}

float quantize_per_tensor_s8(const float* x, size_t n, int8_t* out) {
  float mx = 0.f;
  for (size_t i = 0; i < n; i++) mx = std::max(mx, std::fabs(x[i]));
  const float scale = mx > 0.f ? mx / 127.f : 1.f;
  quantize_with_scale_s8(x, n, scale, out);
  return scale;
}

std::vector<float> quantize_per_channel_s8(const float* w, int oc, size_t per_oc, int8_t* out) {
  std::vector<float> scales(oc);
  for (int o = 0; o < oc; o++)
    scales[o] = quantize_per_tensor_s8(w + size_t(o) * per_oc, per_oc, out + size_t(o) * per_oc);
  return scales;
}

}  // namespace sfc
