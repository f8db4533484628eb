// fastconv_q8_layer: weight packing, kernel selection and the blocked, fused execution loop.
#include "kernels/fastconv/q8-layer.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels/common/error.h"
#include "kernels/fastconv/thread-scratch.h"
#include "kernels/fastconv/work-split.h"

namespace sfc {

namespace {

#define SFC_ISA_scalar isa_level::scalar
#define SFC_ISA_avx512vnni isa_level::avx512vnni
#define SFC_ISA_avx2 isa_level::avx2
#define SFC_ISA_neondot isa_level::neondot
#define SFC_QT_u8 qtype::u8
#define SFC_QT_s8 qtype::s8

}  // namespace

const std::vector<fastconv_q8_input_desc>& fastconv_q8_input_kernels() {
  static const std::vector<fastconv_q8_input_desc> list = {
#define SFC_Q8_INPUT(isa, tile, src, fn) {SFC_ISA_##isa, #tile, SFC_QT_##src, fn, #fn},
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
#undef SFC_Q8_INPUT
#undef SFC_Q8_BGEMM
#undef SFC_Q8_OUTPUT
  };
  return list;
}

const std::vector<fastconv_q8_bgemm_desc>& fastconv_q8_bgemm_kernels() {
  static const std::vector<fastconv_q8_bgemm_desc> list = {
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod) {SFC_ISA_##isa, fn, #fn, mr, nr, prod},
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
#undef SFC_Q8_INPUT
#undef SFC_Q8_BGEMM
#undef SFC_Q8_OUTPUT
  };
  return list;
}

const std::vector<fastconv_q8_output_desc>& fastconv_q8_output_kernels() {
  static const std::vector<fastconv_q8_output_desc> list = {
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q8_OUTPUT(isa, tile, fn) {SFC_ISA_##isa, #tile, fn, #fn},
#include "kernels/fastconv/q8-ukernels.inc"
#undef SFC_Q8_INPUT
#undef SFC_Q8_BGEMM
#undef SFC_Q8_OUTPUT
  };
  return list;
}

namespace {

size_t round_up(size_t x, size_t a) { return (x + a - 1) / a * a; }
// A stride of an odd number of 64-byte lines (≥ bytes): spreads points over the L1 sets.
size_t odd_lines(size_t bytes) {
  size_t lines = (bytes + 63) / 64;
  return (lines | 1) * 64;
}

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
  if (!p) throw error(error::internal, "fastconv_q8_layer: out of memory");
  return p;
}

}  // namespace

struct fastconv_q8_layer::scratch {
  uint8_t* u;  // U: P_ · u_point_stride_ bytes
  uint8_t* m;  // mi: tile_block_ · m_tile_stride_ bytes
};


fastconv_q8_layer::~fastconv_q8_layer() = default;

fastconv_q8_layer::fastconv_q8_layer(const fastconv_algorithm& alg, const conv2d_params& p,
                                     const int8_t* weights, int bits,
                                     const fastconv_q8_act_scales& s, const q8_output_params& o,
                                     qtype src_type, int32_t src_zero_point, isa_level max_isa,
                                     const fastconv_q8_layer_options& opt)
    : p_(p), w_(nullptr, std::free) {
  fastconv_validate(alg, p);
  m_ = alg.m, L_ = alg.L, P_ = alg.R * alg.R, bits_ = bits, src_type_ = src_type;
  if (!weights) throw_invalid("fastconv_q8_layer: null weights");
  if (src_type == qtype::u8 ? (src_zero_point < 0 || src_zero_point > 255)
      : src_type == qtype::s8 ? (src_zero_point < -128 || src_zero_point > 127)
                              : true)
    throw_invalid("fastconv_q8_layer: src must be u8 or s8 with a zero point in its range");
  if (o.dst_type != qtype::u8 && o.dst_type != qtype::s8)
    throw_invalid("fastconv_q8_layer writes u8 or s8");
  if (o.dst_zero_point < qtype_min(o.dst_type) || o.dst_zero_point > qtype_max(o.dst_type))
    throw_invalid("fastconv_q8_layer: dst zero point outside the dst type's range");
  if (bits < 2 || bits > 8) throw_invalid("fastconv_q8_layer: bits must be in [2, 8]");
  if (s.mul.size() != size_t(P_) || s.bits != bits)
    throw_invalid(alg.name + ": activation scales do not match the algorithm / bits");
  for (int16_t v : s.mul)
    if (v < 1) throw_invalid("fastconv_q8_layer: activation multipliers must be in [1, 32767]");
  const int64_t l1 = max_row_l1(alg.BT_i);
  if (alg.BT_i.denom != 1 || l1 * l1 * 255 > 32767)
    throw_unsupported(alg.name + ": input transform does not fit int16 lanes");
  if (int64_t(p.ic) * 255 * 127 > 2147483647LL / 2)
    throw_unsupported("fastconv_q8_layer: too many input channels for int32 accumulation");

  // Kernels: first allowed entry of each table.
  const isa_level cap = effective_isa_capped(max_isa);
  for (const auto& d : fastconv_q8_input_kernels())
    if (!input_ && d.tile == alg.tile && d.src == src_type && isa_allowed(d.isa, cap)) input_ = &d;
  for (const auto& d : fastconv_q8_output_kernels())
    if (!output_ && d.tile == alg.tile && isa_allowed(d.isa, cap)) output_ = &d;
  if (!input_ || !output_) throw_unsupported(alg.name + ": no int8 layer kernels for this algorithm");
  // Automatic choice: the kernel marked for long reductions (prod 2) where kc ≥ 256 and the ISA
  // has one, else the default (prod 1).
  const int want = sfc_q8_kc(size_t(p.ic)) >= 256 ? 2 : 1;
  for (int pass = want; pass >= 1 && !bgemm_; pass--)
    for (const auto& d : fastconv_q8_bgemm_kernels()) {
      if (bgemm_ || !isa_allowed(d.isa, cap) || (d.isa != input_->isa && d.isa != isa_level::scalar)) continue;
      if (opt.bgemm.empty() ? d.prod == pass : opt.bgemm == d.name) bgemm_ = &d;
    }
  if (!bgemm_) throw_invalid("fastconv_q8_layer: unknown or unavailable bgemm kernel " + opt.bgemm);
  isa_ = input_->isa;
  if (verbose_dispatch())
    std::fprintf(stderr, "sfc dispatch: fastconv_q8_layer %s -> %s\n", alg.name.c_str(), kernel_name().c_str());

  // Weights: transform, quantize (the reference's functions), pack per chunk of nr channels.
  const fastconv_q8_weights tw = fastconv_q8_transform_weights(alg, p.oc, p.ic, weights, bits,
                                                                 &opt.weight_scales);
  const fastconv_q8_output out = fastconv_q8_prepare_output(alg, tw, s, o);
  kc_ = sfc_q8_kc(size_t(p.ic));
  const size_t nr = size_t(bgemm_->nr);
  nchunks_ = int((size_t(p.oc) + nr - 1) / nr);
  wsize_ = 0;
  for (int c = 0; c < nchunks_; c++) {
    const size_t nc = std::min(nr, size_t(p.oc) - c * nr), ncp = round_up(nc, 16);
    chunk_offset_.push_back(wsize_);
    chunk_point_stride_.push_back(8 * ncp + kc_ * ncp);
    wsize_ += P_ * chunk_point_stride_.back();
  }
  w_.reset(static_cast<uint8_t*>(aligned_bytes(wsize_)));
  std::memset(w_.get(), 0, wsize_);
  bool need_clamp = false;
  const double qm = double((1 << (bits - 1)) - 1);
  for (int c = 0; c < nchunks_; c++) {
    const size_t nc = std::min(nr, size_t(p.oc) - c * nr), ncp = round_up(nc, 16);
    for (int q = 0; q < P_; q++) {
      uint8_t* wp = w_.get() + chunk_offset_[c] + q * chunk_point_stride_[c];
      int8_t* vq = reinterpret_cast<int8_t*>(wp + 8 * ncp);
      for (size_t j = 0; j < nc; j++) {
        const size_t oc = c * nr + j;
        const int8_t* src = &tw.vq[(size_t(q) * p.oc + oc) * p.ic];
        int32_t sum = 0;
        for (int ci = 0; ci < p.ic; ci++) {
          const size_t pos = sfc_q8_kc_position(size_t(ci), size_t(p.ic));
          vq[(pos / 4 * ncp + j) * 4 + pos % 4] = src[ci];
          sum += src[ci];
        }
        const int32_t comp = -128 * sum;
        const float coef = out.coef[oc * P_ + q];
        std::memcpy(wp + 4 * j, &comp, 4);
        std::memcpy(wp + 4 * (ncp + j), &coef, 4);
        if (double(p.ic) * qm * qm * std::fabs(double(coef)) * (1 + 1e-5) >= double(out.mi_limit))
          need_clamp = true;
      }
    }
  }

  mul_ = s.mul;
  iparams_.zero_point = src_zero_point;
  iparams_.qmax = int32_t(qm);
  iparams_.mul = mul_.data();
  gparams_.mi_limit = float(out.mi_limit);
  gparams_.clamp = need_clamp ? 1 : 0;
  const int32_t qmin = qtype_min(o.dst_type), qmax = qtype_max(o.dst_type);
  oparams_.scale = std::ldexp(1.f, -out.frac_bits);
  oparams_.min = float(o.relu ? 0 : qmin - o.dst_zero_point);
  oparams_.max = float(qmax - o.dst_zero_point);
  oparams_.zero_point = o.dst_zero_point;
  oparams_.qmin = qmin, oparams_.qmax = qmax, oparams_.relu = o.relu ? 1 : 0;
  bias_q_ = out.bias_q;
  oparams_.bias_bounded = 1;
  for (float b : bias_q_)
    if (!(std::fabs(b) <= 1073741824.f)) oparams_.bias_bounded = 0;
  zp_row_.assign(size_t(p.w) * p.ic, uint8_t(src_zero_point & 0xff));
  const fastconv_q8_residual& r = opt.residual;
  if (r.enabled && oparams_.bias_bounded &&
      o.dst_type == qtype::s8 && o.dst_zero_point == 0 && !o.relu) {
    oparams_.res_mode = 1 + (r.residual_type == qtype::s8 ? 1 : 0) + (r.dst_type == qtype::s8 ? 2 : 0);
    oparams_.res_relu = r.relu ? 1 : 0;
    oparams_.res_a = r.a, oparams_.res_b = r.b;
  }

  tiles_h_ = (p.oh() + m_ - 1) / m_, tiles_w_ = (p.ow() + m_ - 1) / m_;
  const int mr = bgemm_->mr;
  tile_block_ = opt.tile_block > 0 ? opt.tile_block : mr * std::max(1, (12 + mr - 1) / mr);
  u_point_stride_ = odd_lines(size_t(tile_block_) * kc_);
  m_tile_stride_ = odd_lines(size_t(P_) * round_up(std::min(nr, size_t(p.oc)), 16) * 4);
}

std::string fastconv_q8_layer::kernel_name() const {
  return std::string(input_->name) + "+" + bgemm_->name + "+" + output_->name;
}

void fastconv_q8_layer::run_item(const void* src, void* dst, int t0, int t1, int group, int ngroups,
                                 scratch& s, const sfc_q8_output_params& op,
                                 fastconv_q8_stage_times* times) {
  using clock = std::chrono::steady_clock;
  const conv2d_params& p = p_;
  const int per_image = tiles_h_ * tiles_w_;
  const size_t src_pixel = size_t(p.ic), oh = size_t(p.oh()), ow = size_t(p.ow());
  const auto* sb = static_cast<const uint8_t*>(src);
  auto* db = static_cast<uint8_t*>(dst);
  uint8_t* u = s.u;
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
  {
    for_segments([&](int off, int n, int ty, int tx, int count) {
      const void* rows[32];
      const int iy0 = ty * m_ - p.pad_t;
      for (int a = 0; a < L_; a++) {
        const int iy = iy0 + a;
        rows[a] = iy >= 0 && iy < p.h ? sb + (size_t(n) * p.h + iy) * p.w * src_pixel
                                      : static_cast<const void*>(zp_row_.data());
      }
      input_->fn(size_t(p.ic), size_t(count), rows, ptrdiff_t(tx) * m_ - p.pad_l, size_t(p.w),
                 u + size_t(off) * kc_, u_point_stride_, kc_, &iparams_);
    });
  }
  auto t_in = clock::now();
  if (times) times->input += std::chrono::duration<double>(t_in - t_start).count();
  const size_t nr = size_t(bgemm_->nr);
  for (int c = group; c < nchunks_; c += ngroups) {
    const size_t nc = std::min(nr, size_t(p.oc) - c * nr), ncp = round_up(nc, 16);
    auto tg = clock::now();
    bgemm_->fn(size_t(P_), size_t(t1 - t0), kc_, nc, u, u_point_stride_, kc_,
               w_.get() + chunk_offset_[c], chunk_point_stride_[c], mbuf, ncp * 4, m_tile_stride_,
               &gparams_);
    auto to = clock::now();
    for_segments([&](int off, int n, int ty, int tx, int count) {
      const size_t rows = std::min<size_t>(m_, oh - size_t(ty) * m_);
      const size_t cols = std::min<size_t>(size_t(count) * m_, ow - size_t(tx) * m_);
      uint8_t* d = db + ((size_t(n) * oh + size_t(ty) * m_) * ow + size_t(tx) * m_) * p.oc + c * nr;
      output_->fn(nc, size_t(count), rows, cols,
                  reinterpret_cast<const int32_t*>(reinterpret_cast<const char*>(mbuf) + off * m_tile_stride_),
                  ncp * 4, m_tile_stride_, bias_q_.data() + c * nr, d, ow * p.oc, size_t(p.oc),
                  &op);
    });
    if (times) {
      auto te = clock::now();
      times->gemm += std::chrono::duration<double>(to - tg).count();
      times->output += std::chrono::duration<double>(te - to).count();
    }
  }
}

void fastconv_q8_layer::run(const void* src, void* dst, int threads,
                            fastconv_q8_stage_times* times) {
  run(src, nullptr, dst, threads, times);
}

void fastconv_q8_layer::run(const void* src, const void* residual, void* dst, int threads,
                            fastconv_q8_stage_times* times) {
  if (fuses_residual() != (residual != nullptr))
    throw error(error::invalid_argument, fuses_residual() ? "fastconv_q8_layer: residual missing"
                                                          : "fastconv_q8_layer: no fused residual");
  sfc_q8_output_params op = oparams_;
  if (residual)  // byte distance between two buffers of the same geometry
    op.res_offset = ptrdiff_t(reinterpret_cast<uintptr_t>(residual) - reinterpret_cast<uintptr_t>(dst));
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
      run_item(src, dst, w.t0, w.t1, w.group, ngroups, s, op, times);
    return;
  }
#pragma omp parallel num_threads(nthreads)
  {
    // Each list once, also if OpenMP grants fewer threads than asked (one thread's lists run one
    // after the other on its scratch).
    scratch sc = local();
    for (int s = omp_get_thread_num(); s < nthreads; s += omp_get_num_threads())
      for (const fastconv_work_item& w : split.per_thread[size_t(s)])
        run_item(src, dst, w.t0, w.t1, w.group, ngroups, sc, op, nullptr);
  }
}

}  // namespace sfc
