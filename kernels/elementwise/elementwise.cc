// Selection of the elementwise.h kernel table (house style §6: detect once, pick from a table).
#include "kernels/elementwise/elementwise.h"

#include <cstdint>

namespace sfc {

const elementwise_kernels& elementwise_kernels_for(isa_level level) {
#if defined(SFC_HAVE_AVX512VNNI)
  if (level == isa_level::avx512vnni && isa_supported(level))
    return detail::elementwise_kernels_avx512vnni();
#endif
#if defined(SFC_HAVE_AVX2)
  if ((level == isa_level::avx2 || level == isa_level::avx512vnni) &&
      isa_supported(isa_level::avx2))
    return detail::elementwise_kernels_avx2();
#endif
  (void)level;
  return detail::elementwise_kernels_scalar();
}

const elementwise_kernels& elementwise_kernels_default() {
  return elementwise_kernels_for(effective_isa());
}

void elementwise_residual_add(const int8_t* t, const void* r, bool r_s8, void* dst, bool dst_s8,
                              size_t n, float a, float b, bool relu, int threads) {
  constexpr size_t kChunk = 16384;  // 3 × 16 KiB streamed per task: fits L1/L2 comfortably
  const auto add = elementwise_kernels_default().residual_add[r_s8][dst_s8];
  const uint8_t* rb = static_cast<const uint8_t*>(r);
  uint8_t* db = static_cast<uint8_t*>(dst);
  const int64_t chunks = int64_t((n + kChunk - 1) / kChunk);
#pragma omp parallel for num_threads(threads > 0 ? threads : 1) schedule(static) if (chunks > 1)
  for (int64_t i = 0; i < chunks; ++i) {
    const size_t off = size_t(i) * kChunk, len = n - off < kChunk ? n - off : kChunk;
    add(t + off, rb + off, db + off, len, a, b, relu);
  }
}

}  // namespace sfc
