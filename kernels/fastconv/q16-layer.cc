// fastconv_q16_layer: bounds, filter transform and packing, kernel selection and the blocked,
// fused execution loop (the same structure as fastconv_q8_layer).
#include "kernels/fastconv/q16-layer.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels/common/error.h"
#include "kernels/fastconv/thread-scratch.h"
#include "kernels/fastconv/work-split.h"
#include "kernels/fastconv/fastconv.h"

namespace sfc {

namespace {

#define SFC_ISA_scalar isa_level::scalar
#define SFC_ISA_avx512vnni isa_level::avx512vnni
#define SFC_ISA_avx2 isa_level::avx2
#define SFC_ISA_neon isa_level::neon
#define SFC_QT_u8 qtype::u8
#define SFC_QT_s8 qtype::s8

}  // namespace

const std::vector<fastconv_q16_input_desc>& fastconv_q16_input_kernels() {
  static const std::vector<fastconv_q16_input_desc> list = {
#define SFC_Q16_INPUT(isa, tile, src, fn) {SFC_ISA_##isa, #tile, SFC_QT_##src, fn, #fn},
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
#undef SFC_Q16_INPUT
#undef SFC_Q16_BGEMM
#undef SFC_Q16_OUTPUT
  };
  return list;
}

const std::vector<fastconv_q16_bgemm_desc>& fastconv_q16_bgemm_kernels() {
  static const std::vector<fastconv_q16_bgemm_desc> list = {
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod) {SFC_ISA_##isa, fn, #fn, mr, nr, prod != 0},
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
#undef SFC_Q16_INPUT
#undef SFC_Q16_BGEMM
#undef SFC_Q16_OUTPUT
  };
  return list;
}

const std::vector<fastconv_q16_output_desc>& fastconv_q16_output_kernels() {
  static const std::vector<fastconv_q16_output_desc> list = {
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q16_OUTPUT(isa, tile, fn) {SFC_ISA_##isa, #tile, fn, #fn},
#include "kernels/fastconv/q16-ukernels.inc"
#undef SFC_Q16_INPUT
#undef SFC_Q16_BGEMM
#undef SFC_Q16_OUTPUT
  };
  return list;
}

namespace {

size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }
// A stride of an odd number of 64-byte lines (≥ bytes): spreads points over the L1 sets.
size_t odd_lines(size_t bytes) { return (((bytes + 63) / 64) | 1) * 64; }

int64_t max_row_l1(const imatrix& m) {
  int64_t best = 0;
  for (int i = 0; i < m.rows; i++) {
    int64_t s = 0;
    for (int j = 0; j < m.cols; j++) s += std::abs(m.at(i, j));
    best = std::max(best, s);
  }
  return best;
}

bool isa_allowed(isa_level k, isa_level cap) {
  return k == isa_level::scalar || (isa_supported(k) && int(k) <= int(cap));
}

void* aligned_bytes(size_t n) {
  void* p = std::aligned_alloc(64, round_up(std::max<size_t>(n, 1), 64));
  if (!p) throw error(error::internal, "fastconv_q16_layer: out of memory");
  return p;
}

// max |x − zp| over the source type's values.
int32_t max_abs_x(qtype t, int32_t zp) {
  return std::max(zp - qtype_min(t), qtype_max(t) - zp);
}

}  // namespace

fastconv_q16_divisor fastconv_q16_divisor_of(const fastconv_algorithm& alg) {
  fastconv_q16_divisor r;
  const int64_t d = alg.AT_i.denom * alg.BT_i.denom * alg.G_i.denom;
  r.d = d * d;
  uint64_t odd = uint64_t(r.d);
  while (odd % 2 == 0) odd /= 2, r.shift++;
  uint32_t inv = uint32_t(odd);  // Newton: each step doubles the correct low bits (3 → 48)
  for (int i = 0; i < 4; i++) inv *= 2u - uint32_t(odd) * inv;
  r.inverse = inv;
  return r;
}

std::string fastconv_q16_unsupported_reason(const fastconv_algorithm& alg, const conv2d_params& p,
                                            const int8_t* weights, qtype src_type,
                                            int32_t src_zero_point) {
  if (src_type != qtype::u8 && src_type != qtype::s8) return "src must be u8 or s8";
  if (src_zero_point < qtype_min(src_type) || src_zero_point > qtype_max(src_type))
    return "src zero point outside the src type's range";
  const int64_t lb = max_row_l1(alg.BT_i), lg = max_row_l1(alg.G_i);
  if (255 * lb * lb > 32767)
    return alg.name + ": input transform does not fit int16 (255 * rowL1(Bt)^2 = " +
           std::to_string(255 * lb * lb) + " > 32767)";
  if (128 * lg * lg > 32767)
    return alg.name + ": filter transform does not fit int16 (128 * rowL1(G)^2 = " +
           std::to_string(128 * lg * lg) + " > 32767)";
  bool have = false;
  for (const auto& d : fastconv_q16_output_kernels()) have = have || alg.tile == d.tile;
  if (!have) return alg.name + ": no exact int16 kernels for this algorithm";
  if (!weights) return "";
  // |acc| < 2^(31 − shift) makes the exact division by D through int32 wrap-around valid.
  const fastconv_q16_divisor dv = fastconv_q16_divisor_of(alg);
  const size_t per_oc = size_t(p.ic) * p.kh * p.kw;
  int64_t worst = 0;
  for (int o = 0; o < p.oc; o++) {
    int64_t s = 0;
    for (size_t i = 0; i < per_oc; i++) s += std::abs(int32_t(weights[o * per_oc + i]));
    worst = std::max(worst, s);
  }
  const int64_t bound = int64_t(max_abs_x(src_type, src_zero_point)) * worst;
  if (bound >= (int64_t(1) << (31 - dv.shift)))
    return alg.name + ": accumulators may reach " + std::to_string(bound) + " >= 2^" +
           std::to_string(31 - dv.shift) + " (too many input channels for the exact int32 path)";
  return "";
}

struct fastconv_q16_layer::scratch {
  uint8_t* u;  // U: P_ · u_point_stride_ bytes
  uint8_t* m;  // mi: tile_block_ · m_tile_stride_ bytes
};

fastconv_q16_layer::~fastconv_q16_layer() = default;

fastconv_q16_layer::fastconv_q16_layer(const fastconv_algorithm& alg, const conv2d_params& p,
                                       const int8_t* weights, const q8_output_params& o,
                                       qtype src_type, int32_t src_zero_point, isa_level max_isa,
                                       const fastconv_q16_layer_options& opt)
    : p_(p), w_(nullptr, std::free) {
  fastconv_validate(alg, p);
  m_ = alg.m, L_ = alg.L, P_ = alg.R * alg.R;
  if (!weights) throw_invalid("fastconv_q16_layer: null weights");
  if (!o.weight_scale) throw_invalid("fastconv_q16_layer: null weight scales");
  if (o.dst_type != qtype::u8 && o.dst_type != qtype::s8)
    throw_invalid("fastconv_q16_layer writes u8 or s8");
  if (o.dst_zero_point < qtype_min(o.dst_type) || o.dst_zero_point > qtype_max(o.dst_type))
    throw_invalid("fastconv_q16_layer: dst zero point outside the dst type's range");
  const std::string why = fastconv_q16_unsupported_reason(alg, p, weights, src_type, src_zero_point);
  if (!why.empty()) throw_unsupported("fastconv_q16_layer: " + why);

  const isa_level cap = effective_isa_capped(max_isa);
  for (const auto& d : fastconv_q16_input_kernels())
    if (!input_ && d.tile == alg.tile && d.src == src_type && isa_allowed(d.isa, cap)) input_ = &d;
  for (const auto& d : fastconv_q16_output_kernels())
    if (!output_ && d.tile == alg.tile && isa_allowed(d.isa, cap)) output_ = &d;
  if (!input_ || !output_) throw_unsupported(alg.name + ": no exact int16 kernels for this algorithm");
  for (const auto& d : fastconv_q16_bgemm_kernels()) {
    if (bgemm_ || !isa_allowed(d.isa, cap) || (d.isa != input_->isa && d.isa != isa_level::scalar)) continue;
    if (opt.bgemm.empty() ? d.prod : opt.bgemm == d.name) bgemm_ = &d;
  }
  if (!bgemm_) throw_invalid("fastconv_q16_layer: unknown or unavailable bgemm kernel " + opt.bgemm);
  isa_ = input_->isa;
  if (verbose_dispatch())
    std::fprintf(stderr, "sfc dispatch: fastconv_q16_layer %s -> %s\n", alg.name.c_str(), kernel_name().c_str());

  // Filter transform V = Gᵢ W Gᵢᵀ (exact; |V| ≤ 128·rowL1(Gᵢ)² ≤ 32767), packed per chunk of nr
  // channels as [point][kc/2][nc_pad][2] int16.
  const int R = alg.R, r = alg.r;
  kc_ = sfc_q16_kc(size_t(p.ic));
  const size_t nr = size_t(bgemm_->nr);
  nchunks_ = int((size_t(p.oc) + nr - 1) / nr);
  for (int c = 0; c < nchunks_; c++) {
    const size_t nc = std::min(nr, size_t(p.oc) - c * nr), ncp = round_up(nc, 16);
    chunk_offset_.push_back(wsize_);
    chunk_point_stride_.push_back(odd_lines(2 * kc_ * ncp));
    wsize_ += P_ * chunk_point_stride_.back();
  }
  w_.reset(static_cast<uint8_t*>(aligned_bytes(wsize_)));
  std::memset(w_.get(), 0, wsize_);
  std::vector<int64_t> t(size_t(R) * r);
  for (int oc = 0; oc < p.oc; oc++) {
    const int c = int(size_t(oc) / nr);
    const size_t j = size_t(oc) % nr, ncp = round_up(std::min(nr, size_t(p.oc) - c * nr), 16);
    for (int ic = 0; ic < p.ic; ic++) {
      const int8_t* wk = weights + (size_t(oc) * p.ic + ic) * r * r;
      for (int i = 0; i < R; i++)  // t = Gᵢ W
        for (int b = 0; b < r; b++) {
          int64_t s = 0;
          for (int a = 0; a < r; a++) s += alg.G_i.at(i, a) * wk[a * r + b];
          t[size_t(i) * r + b] = s;
        }
      for (int i = 0; i < R; i++)
        for (int k = 0; k < R; k++) {  // V = t Gᵢᵀ
          int64_t s = 0;
          for (int b = 0; b < r; b++) s += t[size_t(i) * r + b] * alg.G_i.at(k, b);
          if (s < -32768 || s > 32767) throw error(error::internal, "fastconv_q16_layer: V exceeds int16");
          auto* v = reinterpret_cast<int16_t*>(w_.get() + chunk_offset_[c] + (i * R + k) * chunk_point_stride_[c]);
          v[(size_t(ic) / 2 * ncp + j) * 2 + ic % 2] = int16_t(s);
        }
    }
  }

  // Output stage: requantize_acc's double scale and bias per channel.
  scale_.resize(p.oc), bias_.resize(p.oc);
  for (int oc = 0; oc < p.oc; oc++) {
    scale_[oc] = double(o.src_scale) * o.weight_scale[oc];
    bias_[oc] = o.bias ? double(o.bias[oc]) : 0.0;
  }
  const fastconv_q16_divisor dv = fastconv_q16_divisor_of(alg);
  iparams_.zero_point = src_zero_point;
  oparams_.d_shift = dv.shift, oparams_.d_inverse = dv.inverse;
  oparams_.dst_scale = o.dst_scale;
  oparams_.qmin = qtype_min(o.dst_type), oparams_.qmax = qtype_max(o.dst_type);
  oparams_.min = float(oparams_.qmin - o.dst_zero_point);
  oparams_.max = float(oparams_.qmax - o.dst_zero_point);
  oparams_.zero_point = o.dst_zero_point, oparams_.relu = o.relu ? 1 : 0;
  zp_row_.assign(size_t(p.w) * p.ic, uint8_t(src_zero_point & 0xff));

  tiles_h_ = (p.oh() + m_ - 1) / m_, tiles_w_ = (p.ow() + m_ - 1) / m_;
  const int mr = bgemm_->mr;
  tile_block_ = opt.tile_block > 0 ? opt.tile_block : mr * std::max(1, (12 + mr - 1) / mr);
  u_tile_stride_ = 2 * kc_;
  u_point_stride_ = odd_lines(size_t(tile_block_) * u_tile_stride_);
  m_tile_stride_ = odd_lines(size_t(P_) * round_up(std::min(nr, size_t(p.oc)), 16) * 4);
}

std::string fastconv_q16_layer::kernel_name() const {
  return std::string(input_->name) + "+" + bgemm_->name + "+" + output_->name;
}

void fastconv_q16_layer::run_item(const void* src, void* dst, int t0, int t1, int group, int ngroups,
                                  scratch& s, fastconv_q16_stage_times* times) {
  using clock = std::chrono::steady_clock;
  const conv2d_params& p = p_;
  const int per_image = tiles_h_ * tiles_w_;
  const size_t src_pixel = size_t(p.ic), oh = size_t(p.oh()), ow = size_t(p.ow());
  const auto* sb = static_cast<const uint8_t*>(src);
  auto* db = static_cast<uint8_t*>(dst);
  auto* u = reinterpret_cast<int16_t*>(s.u);
  auto* mbuf = reinterpret_cast<int32_t*>(s.m);
  // Row segments of the block: [t, t + count) within one tile row.
  auto for_segments = [&](auto&& fn) {
    for (int t = t0; t < t1;) {
      const int n = t / per_image, ty = (t % per_image) / tiles_w_, tx = t % tiles_w_;
      const int count = std::min(t1 - t, tiles_w_ - tx);
      fn(t - t0, n, ty, tx, count);
      t += count;
    }
  };
  auto t_start = clock::now();
  for_segments([&](int off, int n, int ty, int tx, int count) {
    const void* rows[32];
    const int iy0 = ty * m_ - p.pad_t;
    for (int a = 0; a < L_; a++) {
      const int iy = iy0 + a;
      rows[a] = iy >= 0 && iy < p.h ? sb + (size_t(n) * p.h + iy) * p.w * src_pixel
                                    : static_cast<const void*>(zp_row_.data());
    }
    input_->fn(size_t(p.ic), size_t(count), rows, ptrdiff_t(tx) * m_ - p.pad_l, size_t(p.w),
               reinterpret_cast<int16_t*>(reinterpret_cast<char*>(u) + size_t(off) * u_tile_stride_),
               u_point_stride_, u_tile_stride_, &iparams_);
  });
  auto t_in = clock::now();
  if (times) times->input += std::chrono::duration<double>(t_in - t_start).count();
  const size_t nr = size_t(bgemm_->nr);
  for (int c = group; c < nchunks_; c += ngroups) {
    const size_t nc = std::min(nr, size_t(p.oc) - c * nr), ncp = round_up(nc, 16);
    auto tg = clock::now();
    bgemm_->fn(size_t(P_), size_t(t1 - t0), kc_, nc, u, u_point_stride_, u_tile_stride_,
               w_.get() + chunk_offset_[c], chunk_point_stride_[c], mbuf, ncp * 4, m_tile_stride_);
    auto to = clock::now();
    for_segments([&](int off, int n, int ty, int tx, int count) {
      const size_t rows = std::min<size_t>(m_, oh - size_t(ty) * m_);
      const size_t cols = std::min<size_t>(size_t(count) * m_, ow - size_t(tx) * m_);
      uint8_t* d = db + ((size_t(n) * oh + size_t(ty) * m_) * ow + size_t(tx) * m_) * p.oc + c * nr;
      output_->fn(nc, size_t(count), rows, cols,
                  reinterpret_cast<const int32_t*>(reinterpret_cast<const char*>(mbuf) + off * m_tile_stride_),
                  ncp * 4, m_tile_stride_, scale_.data() + c * nr, bias_.data() + c * nr, d,
                  ow * p.oc, size_t(p.oc), &oparams_);
    });
    if (times) {
      auto te = clock::now();
      times->gemm += std::chrono::duration<double>(to - tg).count();
      times->output += std::chrono::duration<double>(te - to).count();
    }
  }
}

void fastconv_q16_layer::run(const void* src, void* dst, int threads,
                             fastconv_q16_stage_times* times) {
  if (threads < 1) threads = 1;
  const int total = p_.n * tiles_h_ * tiles_w_;
  const fastconv_work_split split(total, tile_block_, nchunks_, threads);
  const int nthreads = split.threads(), ngroups = split.ngroups;
  const size_t ubytes = size_t(P_) * u_point_stride_, mbytes = size_t(tile_block_) * m_tile_stride_;
  auto local = [&]() {  // kernels/fastconv/thread-scratch.h
    return scratch{fastconv_thread_scratch(thread_scratch_slot::u, ubytes),
                   fastconv_thread_scratch(thread_scratch_slot::m, mbytes)};
  };
  if (nthreads == 1) {
    scratch s = local();
    for (const fastconv_work_item& w : split.per_thread[0])
      run_item(src, dst, w.t0, w.t1, w.group, ngroups, s, times);
    return;
  }
#pragma omp parallel num_threads(nthreads)
  {
    // Each list once, also if OpenMP grants fewer threads than asked (one thread's lists run one
    // after the other on its scratch).
    scratch sc = local();
    for (int s = omp_get_thread_num(); s < nthreads; s += omp_get_num_threads())
      for (const fastconv_work_item& w : split.per_thread[size_t(s)])
        run_item(src, dst, w.t0, w.t1, w.group, ngroups, sc, nullptr);
  }
}

}  // namespace sfc
