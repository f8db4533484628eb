// Direct small-channel int8 convolution: weight packing, the padded input copy, row threading.
#include "kernels/direct/q8-direct-layer.h"

#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "kernels/common/error.h"

namespace sfc {
namespace {

size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

void* aligned_bytes(size_t n) { return std::aligned_alloc(64, round_up(std::max<size_t>(n, 1), 64)); }

}  // namespace

std::string direct_q8_unsupported_reason(const conv2d_params& p) {
  try {
    conv2d_validate(p);
  } catch (const error& e) {
    return e.what();
  }
  if (p.kw * p.ic > kDirectQ8MaxRowBytes)
    return "kw·ic = " + std::to_string(p.kw * p.ic) + " bytes per kernel row, the direct kernel takes " +
           std::to_string(kDirectQ8MaxRowBytes);
  if (p.kh > kDirectQ8MaxKh)
    return "kernel height " + std::to_string(p.kh) + " over " + std::to_string(kDirectQ8MaxKh);
  return "";
}

direct_q8_layer::direct_q8_layer(const direct_q8_config& c, isa_level max_isa)
    : p_(c.p), w_(nullptr, std::free), padded_(nullptr, std::free), tail_(nullptr, std::free) {
  const std::string why = direct_q8_unsupported_reason(p_);
  if (!why.empty()) throw error(error::invalid_argument, "direct int8 conv: " + why);
  if (!c.weights || c.oscale.size() != size_t(p_.oc) ||
      (!c.bias_acc.empty() && c.bias_acc.size() != size_t(p_.oc)))
    throw error(error::invalid_argument, "direct int8 conv: weights / scales / bias missing");
  const int32_t qmin = qtype_min(c.dst_type), qmax = qtype_max(c.dst_type);
  if (c.dst_zero_point < qmin || c.dst_zero_point > qmax)
    throw error(error::invalid_argument, "direct int8 conv: dst zero point out of range");
  src_s8_ = c.src_type == qtype::s8;
  const int32_t zpu = c.src_zero_point + (src_s8_ ? 128 : 0);
  if (zpu < 0 || zpu > 255)
    throw error(error::invalid_argument, "direct int8 conv: src zero point out of range");
  pad_value_ = uint8_t(zpu);

  // Dwords per kernel row: all ⌈kw·ic/4⌉ read in place, or the ⌊kw·ic/4⌋ whole ones plus a
  // gathered tail of the kh·rem leftover bytes (q8-direct-ukernels.h), whichever is fewer.
  const size_t ic = size_t(p_.ic), kh = size_t(p_.kh), kw = size_t(p_.kw), oc = size_t(p_.oc);
  const size_t B = kw * ic, qceil = (B + 3) / 4;
  rem_ = B % 4;
  qt_ = (kh * rem_ + 3) / 4;
  if (rem_ != 0 && (B / 4) * kh + qt_ < qceil * kh) {
    q_ = B / 4;
  } else {
    q_ = qceil, rem_ = 0, qt_ = 0;
  }
  // Packed weights per 64-channel block: [kh][q][64][4], then [qt][64][4]. Row byte pos is tap
  // kx = pos / ic, channel pos % ic; tail byte r·rem + j is row r's byte 4q + j.
  const size_t blocks = (oc + 63) / 64, wblock = (kh * q_ + qt_) * 256;
  w_.reset(static_cast<int8_t*>(aligned_bytes(blocks * wblock)));
  std::memset(w_.get(), 0, blocks * wblock);
  const size_t ocp = blocks * 64;
  comp_.assign(ocp, 0), bias_.assign(ocp, 0.f), scale_.assign(ocp, 0.f);
  for (size_t o = 0; o < oc; ++o) {
    int8_t* wb = w_.get() + (o / 64) * wblock;
    int32_t sum = 0;
    for (size_t r = 0; r < kh; ++r)
      for (size_t pos = 0; pos < B; ++pos) {
        const int8_t v = c.weights[((o * ic + pos % ic) * kh + r) * kw + pos / ic];
        const size_t at = pos < 4 * q_ ? r * q_ * 4 + pos : kh * q_ * 4 + r * rem_ + (pos - 4 * q_);
        wb[((at / 4) * 64 + o % 64) * 4 + at % 4] = v;
        sum += v;
      }
    comp_[o] = -zpu * sum;
    scale_[o] = c.oscale[o];
    if (!c.bias_acc.empty()) bias_[o] = c.bias_acc[o];
  }
  params_.act_lo = c.relu ? 0.f : -std::numeric_limits<float>::infinity();
  params_.act_hi = std::numeric_limits<float>::infinity();
  params_.q_lo = float(qmin - c.dst_zero_point), params_.q_hi = float(qmax - c.dst_zero_point);
  params_.zero_point = c.dst_zero_point;

  // Padded input: rows of pad_l + w + pad_r pixels, long enough for the last window's q dwords.
  const size_t ow = size_t(p_.ow()), xs = size_t(p_.stride_w) * ic;
  row_bytes_ = round_up(std::max((size_t(p_.pad_l) + p_.w + p_.pad_r) * ic, (ow - 1) * xs + 4 * q_), 64);
  rows_ = size_t(p_.pad_t) + p_.h + p_.pad_b;
  const size_t bytes = rows_ * row_bytes_;  // one image (run() goes image by image)
  padded_.reset(static_cast<uint8_t*>(aligned_bytes(bytes)));
  std::memset(padded_.get(), pad_value_, bytes);  // the border is never written again
  if (qt_ > 0) {
    // Leftover bytes by output column: colT[x][y·rem + j] = padded row y's byte x·xs + 4q + j,
    // so the tail of output (oy, x) is the kh·rem contiguous bytes at colT[x][oy·stride_h·rem]
    // (read up to 4·qt; the bytes past kh·rem meet zero weights). Padding rows stay zp.
    col_stride_ = rows_ * rem_ + 4 * qt_;
    const size_t tb = ow * col_stride_;
    tail_.reset(static_cast<uint8_t*>(aligned_bytes(tb)));
    std::memset(tail_.get(), pad_value_, tb);
  }

  isa_ = std::min(max_isa, effective_isa()) == isa_level::avx512vnni ? isa_level::avx512vnni
                                                                     : isa_level::scalar;
#if defined(SFC_HAVE_AVX512VNNI)
  if (isa_ == isa_level::avx512vnni && isa_supported(isa_)) {
    fn_ = sfc_qu8_direct_ukernel_6x64c4__avx512vnni;
    name_ = "sfc_qu8_direct_ukernel_6x64c4__avx512vnni";
  }
#endif
  if (!fn_) {
    isa_ = isa_level::scalar;
    fn_ = sfc_qu8_direct_ukernel_1x64c4__scalar;
    name_ = "sfc_qu8_direct_ukernel_1x64c4__scalar";
  }
}

direct_q8_layer::~direct_q8_layer() = default;

// One source row into the padded buffer (s8 → u8 by flipping the sign bit).
void direct_q8_layer::copy_row(const uint8_t* src, uint8_t* dst) const {
  const size_t n = size_t(p_.w) * p_.ic;
  if (!src_s8_) {
    std::memcpy(dst, src, n);
    return;
  }
  for (size_t i = 0; i < n; ++i) dst[i] = uint8_t(src[i] ^ 0x80);
}

void direct_q8_layer::run(const void* src, void* dst, int threads) {
  const size_t ic = size_t(p_.ic), oc = size_t(p_.oc), oh = size_t(p_.oh()), ow = size_t(p_.ow());
  const size_t h = size_t(p_.h), in_row = size_t(p_.w) * ic;
  const size_t xs = size_t(p_.stride_w) * ic, kh = size_t(p_.kh);
  const auto* s = static_cast<const uint8_t*>(src);
  auto* d = static_cast<uint8_t*>(dst);
  uint8_t* buf = padded_.get();
  // One image at a time: its padded copy (and tail plane) is filled, then its output rows are
  // computed while the copy is still in L2.
#pragma omp parallel num_threads(threads > 0 ? threads : 1)
  for (size_t n = 0; n < size_t(p_.n); ++n) {
#pragma omp for schedule(static)
    for (int64_t yi = 0; yi < int64_t(h); ++yi) {
      const size_t y = size_t(yi);
      uint8_t* prow = buf + (size_t(p_.pad_t) + y) * row_bytes_;
      copy_row(s + (n * h + y) * in_row, prow + size_t(p_.pad_l) * ic);
      if (qt_ > 0) {
        uint8_t* col = tail_.get() + (size_t(p_.pad_t) + y) * rem_;
        const uint8_t* from = prow + 4 * q_;
        for (size_t x = 0; x < ow; ++x)
          for (size_t j = 0; j < rem_; ++j) col[x * col_stride_ + j] = from[x * xs + j];
      }
    }
#pragma omp for schedule(static)
    for (int64_t oi = 0; oi < int64_t(oh); ++oi) {
      const size_t oy = size_t(oi);
      const uint8_t* rows[kDirectQ8MaxKh];
      for (size_t r = 0; r < kh; ++r) rows[r] = buf + (oy * size_t(p_.stride_h) + r) * row_bytes_;
      const uint8_t* tail = qt_ > 0 ? tail_.get() + oy * size_t(p_.stride_h) * rem_ : nullptr;
      fn_(ow, oc, kh, q_, rows, xs, qt_, tail, col_stride_, w_.get(), comp_.data(), bias_.data(),
          scale_.data(), d + (n * oh + oy) * ow * oc, oc, &params_);
    }
  }
}

}  // namespace sfc
