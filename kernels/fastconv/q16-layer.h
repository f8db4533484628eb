// The EXACT int8 fast-convolution layer with SIMD kernels: dst bytes identical to the direct
// convolution conv2d_ref_{u8,s8} followed by requantize_acc (kernels/common/quant.h), computed by
// the int16 transform-domain kernel families of q16-ukernels.h (vpdpwssd / vpmaddwd GEMMs).
//
// Supported: every algorithm whose transforms are exact in int16 (255·rowL1(Bᵢᵀ)² ≤ 32767 and
// 128·rowL1(Gᵢ)² ≤ 32767): sfc6_7x7_3x3, sfc6_6x6_3x3, sfc4_4x4_3x3, sfc6_6x6_5x5, sfc6_4x4_7x7,
// sfc6_6x6_7x7, wino_2x2_3x3. wino_4x4_3x3 (filter transform up to 128·24²) and wino_6x6_3x3
// (input transform) are rejected at creation with the reason. A layer is also rejected when
// max|x − zp| · max_oc Σ|w[oc]| ≥ 2^(31 − s), D = 2^s·odd (q16-ukernels.h: the exact-division
// bound; worst case Cin ≤ 1827 for SFC-6 3×3, 456 for SFC-4, 657 for 5×5, 335 for 7×7).
//
// Execution as fastconv_q8_layer (q8-layer.h): blocks of tiles; per block the input transform
// writes U (int16, [point][tile][kc]), then per chunk of NR output channels the batched GEMM
// writes M ([tile][point][oc] int32) and the output transform writes dst. Blocks (and groups of
// channel chunks when blocks are fewer than threads) go to OpenMP threads; every output byte is
// computed the same way whatever the thread count.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/quant.h"
#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/isa.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc {

// Kernel tables (q16-ukernels.inc), best first per ISA; entries of ISAs this build lacks are absent.
struct fastconv_q16_input_desc {
  isa_level isa;
  const char* tile;  // fastconv_algorithm::tile
  qtype src;         // u8 or s8
  sfc_q16_input_ukernel_fn fn;
  const char* name;
};
struct fastconv_q16_bgemm_desc {
  isa_level isa;
  sfc_q16_bgemm_ukernel_fn fn;
  const char* name;
  int mr, nr;
  bool prod;  // eligible for automatic selection
};
struct fastconv_q16_output_desc {
  isa_level isa;
  const char* tile;
  sfc_q16_output_ukernel_fn fn;
  const char* name;
};
const std::vector<fastconv_q16_input_desc>& fastconv_q16_input_kernels();
const std::vector<fastconv_q16_bgemm_desc>& fastconv_q16_bgemm_kernels();
const std::vector<fastconv_q16_output_desc>& fastconv_q16_output_kernels();

// The exact-division constants of an algorithm: D = (dA·dB·dG)² = 2^shift · odd, inverse = odd⁻¹
// mod 2³²; acc is recovered exactly when |acc| < 2^(31 − shift).
struct fastconv_q16_divisor {
  int64_t d = 1;
  int shift = 0;
  uint32_t inverse = 1;
};
fastconv_q16_divisor fastconv_q16_divisor_of(const fastconv_algorithm& alg);

// Empty if the exact layer can run this configuration, else the reason (what the constructor
// throws). weights may be null: the weight-dependent accumulator bound is then not checked.
std::string fastconv_q16_unsupported_reason(const fastconv_algorithm& alg, const conv2d_params& p,
                                            const int8_t* weights, qtype src_type,
                                            int32_t src_zero_point);

struct fastconv_q16_stage_times {
  double input = 0, gemm = 0, output = 0;  // seconds, accumulated (meaningful with threads = 1)
};

struct fastconv_q16_layer_options {
  int tile_block = 0;  // tiles per block; 0: automatic
  std::string bgemm;   // force a bgemm kernel by name (any prod flag); empty: automatic
};

class fastconv_q16_layer {
 public:
  // weights: OIHW int8; o: output stage (u8 / s8 dst; weight_scale required, bias optional).
  // Throws sfc::error (unsupported / invalid_argument) for anything the kernels cannot run
  // exactly. max_isa caps the kernels (SFC_MAX_ISA caps further).
  fastconv_q16_layer(const fastconv_algorithm& alg, const conv2d_params& p, const int8_t* weights,
                     const q8_output_params& o, qtype src_type, int32_t src_zero_point,
                     isa_level max_isa = isa_level::avx512vnni,
                     const fastconv_q16_layer_options& opt = {});
  static std::unique_ptr<fastconv_q16_layer> create(const fastconv_algorithm& alg,
                                                    const conv2d_params& p, const int8_t* weights,
                                                    const q8_output_params& o, qtype src_type,
                                                    int32_t src_zero_point,
                                                    isa_level max_isa = isa_level::avx512vnni,
                                                    const fastconv_q16_layer_options& opt = {}) {
    return std::make_unique<fastconv_q16_layer>(alg, p, weights, o, src_type, src_zero_point,
                                                max_isa, opt);
  }
  ~fastconv_q16_layer();
  fastconv_q16_layer(const fastconv_q16_layer&) = delete;
  fastconv_q16_layer& operator=(const fastconv_q16_layer&) = delete;

  // src: [n][h][w][ic] (src type), dst: [n][oh][ow][oc] (dst type). The transform-domain scratch
  // belongs to the calling thread (kernels/fastconv/thread-scratch.h).
  void run(const void* src, void* dst, int threads = 1, fastconv_q16_stage_times* times = nullptr);

  std::string kernel_name() const;  // "input+bgemm+output"
  isa_level isa() const { return isa_; }
  const conv2d_params& params() const { return p_; }
  int tile_block() const { return tile_block_; }
  size_t packed_weight_bytes() const { return wsize_; }

 private:
  struct scratch;
  void run_item(const void* src, void* dst, int t0, int t1, int group, int ngroups, scratch& s,
                fastconv_q16_stage_times* times);

  conv2d_params p_;
  int m_ = 0, L_ = 0, P_ = 0;
  isa_level isa_ = isa_level::scalar;
  const fastconv_q16_input_desc* input_ = nullptr;
  const fastconv_q16_bgemm_desc* bgemm_ = nullptr;
  const fastconv_q16_output_desc* output_ = nullptr;
  int tile_block_ = 0, tiles_h_ = 0, tiles_w_ = 0;
  size_t kc_ = 0, u_tile_stride_ = 0, u_point_stride_ = 0, m_tile_stride_ = 0;
  int nchunks_ = 0;
  std::vector<size_t> chunk_offset_, chunk_point_stride_;  // packed weights per chunk
  size_t wsize_ = 0;
  std::unique_ptr<uint8_t, void (*)(void*)> w_;
  std::vector<double> scale_, bias_;
  std::vector<uint8_t> zp_row_;
  sfc_q16_input_params iparams_{};
  sfc_q16_output_params oparams_{};
};

}  // namespace sfc
