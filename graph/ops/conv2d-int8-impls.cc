// int8 conv implementations over the backends (oneDNN, XNNPACK) and sfc's fast-convolution layer
// (kernels/fastconv/q8-layer.h). Semantics in conv2d-int8.h.
#include <cstring>

#include "graph/backends/conv2d-backend.h"
#include "graph/ops/conv2d-int8.h"
#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/direct/q8-direct-layer.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q16-layer.h"
#include "kernels/fastconv/q8-layer.h"
#include "kernels/isa.h"

namespace sfc {
namespace detail {
namespace {

size_t dst_bytes(const conv2d_params& p) { return size_t(p.n) * p.oh() * p.ow() * p.oc; }

q8_conv2d_config backend_config(const conv_int8_layer& L) {
  const conv_quant_params& q = L.ci.quant;
  q8_conv2d_config cfg;
  cfg.p = L.ci.p;
  cfg.src_type = q.src_type;
  cfg.src_zero_point = q.src_zero_point;  // zero points: imported models (tflite-to-graph.h)
  cfg.src_scale = q.src_scale;
  cfg.weight_scale = q.weight_scale;
  cfg.weights = L.weights;
  cfg.bias = L.bias;
  cfg.dst_type = q.dst_type;
  cfg.dst_scale = q.dst_scale;
  cfg.dst_zero_point = q.dst_zero_point;
  cfg.relu = L.ci.act == activation_kind::relu;
  cfg.groups = L.ci.groups;
  cfg.threads = L.threads;
  return cfg;
}

// oneDNN direct int8 convolution; the residual is copied into dst and added by the sum post-op.
class onednn_int8 final : public conv_int8_impl {
 public:
  explicit onednn_int8(const conv_int8_layer& L) : bytes_(dst_bytes(L.ci.p)) {
    q8_conv2d_config cfg = backend_config(L);
    if (L.has_residual) {
      cfg.sum = true;
      cfg.sum_type = L.ci.quant.residual_type;
      cfg.sum_scale = L.ci.quant.residual_scale;
    }
    impl_ = make_onednn_conv2d(cfg);
  }
  void run(const void* src, const void* residual, void* dst) override {
    if (residual) std::memcpy(dst, residual, bytes_);
    impl_->run(src, dst);
  }
  std::string name() const override { return "onednn:" + impl_->impl_name(); }

 private:
  size_t bytes_;
  std::unique_ptr<conv2d_backend> impl_;
};

void xor_80(const void* src, void* dst, size_t n) {
  const uint8_t* s = static_cast<const uint8_t*>(src);
  uint8_t* d = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < n; ++i) d[i] = uint8_t(s[i] ^ 0x80);
}

// XNNPACK qc8 (s8 only): u8 values q (zero point z) are the s8 values q − 128 with zero point
// z − 128, for src and dst alike.
class xnnpack_int8 final : public conv_int8_impl {
 public:
  explicit xnnpack_int8(const conv_int8_layer& L)
      : src_u8_(L.ci.quant.src_type == qtype::u8), dst_u8_(L.ci.quant.dst_type == qtype::u8) {
    q8_conv2d_config cfg = backend_config(L);
    const conv2d_params& p = L.ci.p;
    cfg.src_type = qtype::s8, cfg.dst_type = qtype::s8;
    cfg.src_zero_point = L.ci.quant.src_zero_point - (src_u8_ ? 128 : 0);
    cfg.dst_zero_point = L.ci.quant.dst_zero_point - (dst_u8_ ? 128 : 0);
    impl_ = make_xnnpack_conv2d(cfg);
    if (src_u8_) shifted_.resize(size_t(p.n) * p.h * p.w * p.ic);
    dst_size_ = dst_bytes(p);
  }
  void run(const void* src, const void*, void* dst) override {
    if (src_u8_) {
      xor_80(src, shifted_.data(), shifted_.size());
      src = shifted_.data();
    }
    impl_->run(src, dst);
    if (dst_u8_) xor_80(dst, dst, dst_size_);
  }
  std::string name() const override {
    return impl_->impl_name() + (src_u8_ || dst_u8_ ? "(u8 shifted)" : "");
  }

 private:
  bool src_u8_, dst_u8_;
  size_t dst_size_ = 0;
  std::vector<uint8_t> shifted_;
  std::unique_ptr<conv2d_backend> impl_;
};

// sfc's ISA-dispatched requantized fast convolution, per-point activation scales from the
// calibration maxima.
class sfc_int8 final : public conv_int8_impl {
 public:
  // residual: the layer with its residual add (L is its core without it, s8 output), fused into
  // the output transform where the kernels can (fuses_residual()).
  sfc_int8(const conv_int8_layer& L, const fastconv_algorithm& alg,
           const std::vector<double>& maxabs, const conv_int8_layer* residual = nullptr)
      : threads_(L.threads), name_(alg.name) {
    const conv_quant_params& q = L.ci.quant;
    const int bits = q.td_bits;
    const size_t P = size_t(alg.R) * size_t(alg.R);
    // Scales fixed by the model (sfc_quantize) apply to the algorithm they were made for.
    const bool stored = q.impl == alg.name && !q.td_act_scale.empty();
    if (stored && q.td_act_scale.size() != P)
      throw_invalid(L.label + ": " + alg.name + " needs " + std::to_string(P) +
                    " transform-domain activation scales, the model has " +
                    std::to_string(q.td_act_scale.size()));
    if (!stored && maxabs.size() != P)
      throw_invalid(L.label + ": " + alg.name + " has no activation calibration");
    const fastconv_q8_act_scales s = stored
                                         ? fastconv_q8_act_scales_from_scales(q.td_act_scale, bits)
                                         : fastconv_q8_act_scales_from_maxabs(maxabs, bits);
    fastconv_q8_layer_options lo;
    if (q.impl == alg.name) lo.weight_scales = q.td_weight_scale;
    if (residual) {  // the separate pass's coefficients (conv2d-int8.cc residual_pass)
      const conv_quant_params& rq = residual->ci.quant;
      lo.residual.enabled = true;
      lo.residual.a = rq.pre_residual_scale / rq.dst_scale;
      lo.residual.b = rq.residual_scale / rq.dst_scale;
      lo.residual.residual_type = rq.residual_type;
      lo.residual.dst_type = rq.dst_type;
      lo.residual.relu = residual->ci.act == activation_kind::relu;
    }
    q8_output_params o;
    o.src_scale = q.src_scale;
    o.weight_scale = q.weight_scale.data();
    o.bias = L.bias.empty() ? nullptr : L.bias.data();
    if (q.impl == alg.name && !q.td_bias_correction.empty()) {
      if (q.td_bias_correction.size() != size_t(L.ci.p.oc))
        throw_invalid(L.label + ": " + std::to_string(q.td_bias_correction.size()) +
                      " transform-domain bias corrections for " + std::to_string(L.ci.p.oc) +
                      " output channels");
      bias_ = q.td_bias_correction;
      for (size_t c = 0; c < L.bias.size() && c < bias_.size(); ++c) bias_[c] += L.bias[c];
      o.bias = bias_.data();
    }
    o.dst_type = q.dst_type;
    o.dst_scale = q.dst_scale;
    o.dst_zero_point = q.dst_zero_point;
    o.relu = L.ci.act == activation_kind::relu;
    layer_ = std::make_unique<fastconv_q8_layer>(alg, L.ci.p, L.weights.data(), bits, s, o,
                                                 q.src_type, q.src_zero_point, effective_isa(),
                                                 lo);
    if (bits != 8) name_ += "@" + std::to_string(bits);
  }
  bool fuses_residual() const { return layer_->fuses_residual(); }
  void run(const void* src, const void* residual, void* dst) override {
    if (fuses_residual()) return layer_->run(src, residual, dst, threads_);
    layer_->run(src, dst, threads_);
  }
  std::string name() const override {
    return name_ + ":" + layer_->kernel_name() + (fuses_residual() ? "+fused-residual" : "");
  }

 private:
  std::vector<float> bias_;  // bias + td_bias_correction
  int threads_;
  std::string name_;
  std::unique_ptr<fastconv_q8_layer> layer_;
};

// The exact int16 transform-domain layer (q16-layer.h).
class sfc_exact_int8 final : public conv_int8_impl {
 public:
  sfc_exact_int8(const conv_int8_layer& L, const fastconv_algorithm& alg)
      : threads_(L.threads), name_("exact:" + alg.name) {
    const conv_quant_params& q = L.ci.quant;
    q8_output_params o;
    o.src_scale = q.src_scale;
    o.weight_scale = q.weight_scale.data();
    o.bias = L.bias.empty() ? nullptr : L.bias.data();
    o.dst_type = q.dst_type;
    o.dst_scale = q.dst_scale;
    o.dst_zero_point = q.dst_zero_point;
    o.relu = L.ci.act == activation_kind::relu;
    layer_ = std::make_unique<fastconv_q16_layer>(alg, L.ci.p, L.weights.data(), o, q.src_type,
                                                  q.src_zero_point, effective_isa());
  }
  void run(const void* src, const void*, void* dst) override { layer_->run(src, dst, threads_); }
  std::string name() const override { return name_ + ":" + layer_->kernel_name(); }

 private:
  int threads_;
  std::string name_;
  std::unique_ptr<fastconv_q16_layer> layer_;
};

// sfc's direct kernel for few input channels (the RGB stem); the reference's epilogue, so the
// bytes equal the reference's.
class direct_int8 final : public conv_int8_impl {
 public:
  explicit direct_int8(const conv_int8_layer& L) : threads_(L.threads) {
    const conv_quant_params& q = L.ci.quant;
    direct_q8_config c;
    c.p = L.ci.p, c.src_type = q.src_type, c.src_zero_point = q.src_zero_point;
    c.weights = L.weights.data();
    c.dst_type = q.dst_type, c.dst_zero_point = q.dst_zero_point;
    c.relu = L.ci.act == activation_kind::relu;
    epilogue_coefficients(L, &c.oscale, &c.bias_acc);
    layer_ = std::make_unique<direct_q8_layer>(c, effective_isa());
  }
  void run(const void* src, const void*, void* dst) override { layer_->run(src, dst, threads_); }
  std::string name() const override {
    return std::string("smallc_direct:") + layer_->kernel_name();
  }

 private:
  int threads_;
  std::unique_ptr<direct_q8_layer> layer_;
};

}  // namespace

std::unique_ptr<conv_int8_impl> make_direct_int8(const conv_int8_layer& L) {
  return std::make_unique<direct_int8>(L);
}

std::unique_ptr<conv_int8_impl> make_sfc_exact_int8(const conv_int8_layer& L,
                                                    const std::string& algo) {
  const fastconv_algorithm* alg = find_algorithm(algo);
  if (!alg) throw_unsupported("unknown algorithm " + algo);
  if (!L.has_residual) return std::make_unique<sfc_exact_int8>(L, *alg);
  return with_residual_pass(L, std::make_unique<sfc_exact_int8>(without_residual(L), *alg));
}

std::unique_ptr<conv_int8_impl> make_onednn_int8(const conv_int8_layer& L) {
  return std::make_unique<onednn_int8>(L);
}

std::unique_ptr<conv_int8_impl> make_xnnpack_int8(const conv_int8_layer& L) {
  if (!L.has_residual) return std::make_unique<xnnpack_int8>(L);
  return with_residual_pass(L, std::make_unique<xnnpack_int8>(without_residual(L)));
}

std::unique_ptr<conv_int8_impl> make_sfc_int8(const conv_int8_layer& L, const std::string& algo,
                                              const std::vector<double>& maxabs) {
  const fastconv_algorithm* alg = find_algorithm(algo);
  if (!alg) throw_unsupported("unknown algorithm " + algo);
  if (!L.has_residual) return std::make_unique<sfc_int8>(L, *alg, maxabs);
  auto core = std::make_unique<sfc_int8>(without_residual(L), *alg, maxabs, &L);
  if (core->fuses_residual()) return core;
  return with_residual_pass(L, std::move(core));
}

}  // namespace detail
}  // namespace sfc
