// Direct int8 convolution for layers with few input channels (the RGB stem: ic 3, 7×7, stride 2),
// where oneDNN's kernels reach only ~2/3 of the VNNI peak. Kernels: q8-direct-ukernels.h.
//
// Semantics (the graph's int8 conv, graph/ops/conv2d-int8.h, without residual):
//   acc = Σ (src − src_zp) · w            exact int32, padding reads as src_zp
//   f   = (float(acc) + bias_acc[oc]) · oscale[oc];  relu: max(f, 0)
//   dst = saturate(round_half_even(f) + dst_zp)
// so the bytes equal the reference implementation's (and oneDNN's).
//
// Execution, image by image: the image is copied into a padded u8 buffer (padding = zero point,
// s8 shifted by +128, rows long enough for the last window's 4-byte groups), then its output rows
// are spread over OpenMP threads, each computed the same way, so results do not depend on the
// count.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/common/quant.h"
#include "kernels/direct/q8-direct-ukernels.h"
#include "kernels/isa.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {

struct direct_q8_config {
  conv2d_params p;  // groups 1, dilation 1
  qtype src_type = qtype::u8;
  int32_t src_zero_point = 0;
  const int8_t* weights = nullptr;  // OIHW, oc·ic·kh·kw values
  std::vector<float> oscale;        // [oc] src_scale · w_scale[oc] / dst_scale
  std::vector<float> bias_acc;      // [oc] bias / (src_scale · w_scale[oc]), or empty
  qtype dst_type = qtype::u8;
  int32_t dst_zero_point = 0;
  bool relu = false;
};

// Largest kw·ic the kernels take (q ≤ 16 dwords per kernel row) and largest kh.
constexpr int kDirectQ8MaxRowBytes = 64;
constexpr int kDirectQ8MaxKh = 16;

// "" when the layer can run, else why not (shape limits above, bad sizes).
std::string direct_q8_unsupported_reason(const conv2d_params& p);

class direct_q8_layer {
 public:
  // Throws sfc::error(invalid_argument) when unsupported. max_isa caps the kernel (SFC_MAX_ISA
  // caps further); AVX-512 VNNI has a SIMD kernel, every other level runs the scalar one.
  direct_q8_layer(const direct_q8_config& c, isa_level max_isa = isa_level::avx512vnni);
  ~direct_q8_layer();
  direct_q8_layer(const direct_q8_layer&) = delete;
  direct_q8_layer& operator=(const direct_q8_layer&) = delete;

  // src [n][h][w][ic] (src type), dst [n][oh][ow][oc] (dst type). Not reentrant on one object.
  void run(const void* src, void* dst, int threads = 1);
  const char* kernel_name() const { return name_; }
  isa_level isa() const { return isa_; }

 private:
  void copy_row(const uint8_t* src, uint8_t* dst) const;

  conv2d_params p_;
  bool src_s8_ = false;
  uint8_t pad_value_ = 0;  // the zero point in the u8 domain
  size_t q_ = 0, qt_ = 0, rem_ = 0;  // dwords per kernel row, tail dwords, leftover bytes per row
  size_t row_bytes_ = 0, rows_ = 0, col_stride_ = 0;
  isa_level isa_ = isa_level::scalar;
  sfc_q8_direct_ukernel_fn fn_ = nullptr;
  const char* name_ = "";
  std::unique_ptr<int8_t, void (*)(void*)> w_;
  std::vector<int32_t> comp_;
  std::vector<float> bias_, scale_;
  sfc_q8_direct_params params_{};
  std::unique_ptr<uint8_t, void (*)(void*)> padded_, tail_;
};

}  // namespace sfc
