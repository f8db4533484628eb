// The int8 requantized fast-convolution layer with SIMD kernels: the same dst bytes as
// fastconv_q8_run (fastconv.h), computed by the kernel families of q8-ukernels.h, picked per ISA
// from the table in q8-ukernels.inc (scalar entries always exist).
//
// Execution: tiles (all images, row-major) are cut into blocks of `tile_block` tiles; per block
// the input transform writes U (u8, [point][tile][kc]), then per chunk of NR output channels the
// batched GEMM writes mi ([tile][point][oc] int32) and the output transform writes dst, so U and
// mi stay in L2. (Block, channel-group) items are spread over OpenMP threads (work-split.h); every
// output byte is computed the same way whatever the thread count, so results do not depend on it.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/quant.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q8-ukernels.h"
#include "kernels/isa.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {

// Kernel tables (q8-ukernels.inc), best first per ISA; entries of ISAs this build lacks are absent.
struct fastconv_q8_input_desc {
  isa_level isa;
  const char* tile;  // algorithm tile code, fastconv_algorithm::tile
  qtype src;         // u8 or s8
  sfc_q8_input_ukernel_fn fn;
  const char* name;
};
struct fastconv_q8_bgemm_desc {
  isa_level isa;
  sfc_q8_bgemm_ukernel_fn fn;
  const char* name;
  int mr, nr;
  int prod;  // automatic selection: 0 never, 1 default, 2 preferred for kc ≥ 256 (q8-ukernels.inc)
};
struct fastconv_q8_output_desc {
  isa_level isa;
  const char* tile;
  sfc_q8_output_ukernel_fn fn;
  const char* name;
};
const std::vector<fastconv_q8_input_desc>& fastconv_q8_input_kernels();
const std::vector<fastconv_q8_bgemm_desc>& fastconv_q8_bgemm_kernels();
const std::vector<fastconv_q8_output_desc>& fastconv_q8_output_kernels();

// Wall time per stage, accumulated by run() when asked (meaningful with threads = 1).
struct fastconv_q8_stage_times {
  double input = 0, gemm = 0, output = 0;  // seconds
};

// A residual add to fuse into the output transform where its kernel can (fuses_residual()):
// out = sat(round_half_even(act(a·t + b·r))) with t the s8 value the layer computes (its output
// stage must then be s8 with zero point 0, no relu) and r the residual (u8 / s8), both products
// rounded: the bytes of the separate pass (elementwise.h residual_add).
struct fastconv_q8_residual {
  bool enabled = false;
  float a = 1, b = 1;
  qtype residual_type = qtype::u8, dst_type = qtype::u8;
  bool relu = false;
};

struct fastconv_q8_layer_options {
  int tile_block = 0;          // tiles per block; 0: automatic
  std::string bgemm;           // force a bgemm kernel by name (any prod flag); empty: automatic
  std::vector<float> weight_scales;  // [oc][points] transform-domain weight scales; empty: max-abs
  fastconv_q8_residual residual;     // fused where the output kernel supports it
};

class fastconv_q8_layer {
 public:
  // weights: OIHW int8; s: per-point activation multipliers (R² entries, same bits); o: output
  // stage (u8 / s8 dst). Throws sfc::error for anything the kernels cannot run exactly.
  // max_isa caps the kernels (SFC_MAX_ISA caps further).
  fastconv_q8_layer(const fastconv_algorithm& alg, const conv2d_params& p, const int8_t* weights,
                    int bits, const fastconv_q8_act_scales& s, const q8_output_params& o,
                    qtype src_type, int32_t src_zero_point,
                    isa_level max_isa = isa_level::avx512vnni,
                    const fastconv_q8_layer_options& opt = {});
  ~fastconv_q8_layer();
  fastconv_q8_layer(const fastconv_q8_layer&) = delete;
  fastconv_q8_layer& operator=(const fastconv_q8_layer&) = delete;

  // src: [n][h][w][ic] (src type), dst: [n][oh][ow][oc] (dst type). The transform-domain scratch
  // belongs to the calling thread (and its OpenMP workers), shared by all layers run there.
  void run(const void* src, void* dst, int threads = 1, fastconv_q8_stage_times* times = nullptr);
  // With the fused residual add (fuses_residual()): residual [n][oh][ow][oc], dst its type.
  void run(const void* src, const void* residual, void* dst, int threads = 1,
           fastconv_q8_stage_times* times = nullptr);
  // Whether options.residual was fused (every output kernel can, where the layer's own output
  // stage is s8 with zero point 0, no relu, and |bias| ≤ 2^30); else run() without it and add
  // the residual separately.
  bool fuses_residual() const { return oparams_.res_mode != 0; }

  // "input+bgemm+output" kernel names.
  std::string kernel_name() const;
  isa_level isa() const { return isa_; }
  const conv2d_params& params() const { return p_; }
  int tile_block() const { return tile_block_; }
  size_t packed_weight_bytes() const { return wsize_; }

 private:
  struct scratch;
  void run_item(const void* src, void* dst, int t0, int t1, int group, int ngroups, scratch& s,
                const sfc_q8_output_params& op, fastconv_q8_stage_times* times);

  conv2d_params p_;
  int m_ = 0, L_ = 0, P_ = 0, bits_ = 8;
  qtype src_type_ = qtype::u8;
  isa_level isa_ = isa_level::scalar;
  const fastconv_q8_input_desc* input_ = nullptr;
  const fastconv_q8_bgemm_desc* bgemm_ = nullptr;
  const fastconv_q8_output_desc* output_ = nullptr;
  int tile_block_ = 0, tiles_h_ = 0, tiles_w_ = 0;
  size_t kc_ = 0, u_point_stride_ = 0, m_tile_stride_ = 0;
  int nchunks_ = 0;
  std::vector<size_t> chunk_offset_, chunk_point_stride_;  // packed weights per chunk
  size_t wsize_ = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> w_;
  std::vector<int16_t> mul_;
  std::vector<float> bias_q_;
  std::vector<uint8_t> zp_row_;
  sfc_q8_input_params iparams_{};
  sfc_q8_bgemm_params gparams_{};
  sfc_q8_output_params oparams_{};
};

}  // namespace sfc
