// int8 convolution: layer preparation, the implementation list, the reference implementation
// and the separate residual pass (semantics in conv2d-int8.h).
#include "graph/ops/conv2d-int8.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "graph/backends/conv2d-backend.h"
#include "graph/ops/op-util.h"
#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/direct/q8-direct-layer.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q16-layer.h"
#include "kernels/fastconv/q8-layer.h"

namespace sfc {
namespace {
using namespace ops;

const char* qname(qtype t) { return t == qtype::u8 ? "u8" : t == qtype::s8 ? "s8" : "f32"; }

// dst = saturate(round(f) + zero_point) with the activation applied to f (dst units, relative to
// the zero point).
struct epilogue_params {
  qtype dst_type = qtype::u8;
  int32_t zero_point = 0;
  activation_kind act = activation_kind::none;
  float lo = 0.f, hi = 0.f;  // clip bounds in dst units
};

epilogue_params make_epilogue(const conv_info& ci) {
  epilogue_params e;
  e.dst_type = ci.quant.dst_type, e.act = ci.act, e.zero_point = ci.quant.dst_zero_point;
  e.lo = ci.act_min / ci.quant.dst_scale, e.hi = ci.act_max / ci.quant.dst_scale;
  return e;
}

inline int32_t finish(float f, const epilogue_params& e) {
  if (e.act == activation_kind::relu) f = std::max(f, 0.f);
  if (e.act == activation_kind::clip) f = std::min(std::max(f, e.lo), e.hi);
  return quantize_round_sat(f, e.zero_point, qtype_min(e.dst_type), qtype_max(e.dst_type));
}

inline float load_q(const void* p, qtype t, size_t i) {
  return t == qtype::u8 ? float(static_cast<const uint8_t*>(p)[i])
                        : float(static_cast<const int8_t*>(p)[i]);
}
inline void store_q(void* p, qtype t, size_t i, int32_t v) {
  if (t == qtype::u8)
    static_cast<uint8_t*>(p)[i] = uint8_t(v);
  else
    static_cast<int8_t*>(p)[i] = int8_t(v);
}

size_t out_pixels(const conv2d_params& p) { return size_t(p.n) * p.oh() * p.ow(); }

// Naive exact int32 convolution (kernels/ref) per image, then the oneDNN-order epilogue.
class reference_int8 final : public detail::conv_int8_impl {
 public:
  explicit reference_int8(const conv_int8_layer& L) : L_(L), e_(make_epilogue(L.ci)) {
    const conv_quant_params& q = L.ci.quant;
    detail::epilogue_coefficients(L, &oscale_, &bias_acc_);
    sum_scale_ = q.residual_scale / q.dst_scale;
    acc_.resize(out_pixels(L.ci.p) * size_t(L.ci.p.oc));
  }
  void run(const void* src, const void* residual, void* dst) override {
    if (L_.ci.groups != 1) return run_grouped(src, residual, dst);
    conv2d_params p1 = L_.ci.p;
    p1.n = 1;
    const size_t in_img = size_t(p1.h) * p1.w * p1.ic, out_img = out_pixels(p1) * size_t(p1.oc);
    const bool u8 = L_.ci.quant.src_type == qtype::u8;
    const int32_t zp = L_.ci.quant.src_zero_point;  // padding counts as the zero point
#pragma omp parallel for num_threads(L_.threads) schedule(static)
    for (int n = 0; n < L_.ci.p.n; ++n) {
      int32_t* acc = acc_.data() + size_t(n) * out_img;
      if (u8)
        conv2d_ref_u8(p1, layout::nhwc, static_cast<const uint8_t*>(src) + n * in_img, zp,
                      L_.weights.data(), nullptr, acc);
      else
        conv2d_ref_s8(p1, layout::nhwc, static_cast<const int8_t*>(src) + n * in_img, zp,
                      L_.weights.data(), nullptr, acc);
      for (size_t i = 0; i < out_img; ++i) {
        const size_t o = i % size_t(p1.oc), at = size_t(n) * out_img + i;
        float f = (float(acc[i]) + bias_acc_[o]) * oscale_[o];
        if (residual) f += sum_scale_ * load_q(residual, L_.ci.quant.residual_type, at);
        store_q(dst, e_.dst_type, at, finish(f, e_));
      }
    }
  }
  std::string name() const override { return "reference"; }

 private:
  // Grouped (depthwise) convolution: exact int32 Σ (x − zp)·w over each group's input channels,
  // padding contributing zero (it reads as the zero point); the same epilogue.
  void run_grouped(const void* src, const void* residual, void* dst) {
    const conv2d_params& p = L_.ci.p;
    const int icg = p.ic / L_.ci.groups, ocg = p.oc / L_.ci.groups, oh = p.oh(), ow = p.ow();
    const qtype st = L_.ci.quant.src_type;
    const int32_t zp = L_.ci.quant.src_zero_point;
#pragma omp parallel for num_threads(L_.threads) schedule(static)
    for (int r = 0; r < p.n * oh; ++r) {
      const int n = r / oh, oy = r % oh;
      for (int ox = 0; ox < ow; ++ox)
        for (int o = 0; o < p.oc; ++o) {
          const int c0 = (o / ocg) * icg;
          int32_t acc = 0;
          for_each_tap(p, oy, ox, [&](int ky, int kx, int iy, int ix) {
            const size_t px = ((size_t(n) * p.h + iy) * p.w + ix) * p.ic + c0;
            for (int c = 0; c < icg; ++c)
              acc += (int32_t(load_q(src, st, px + c)) - zp) *
                     int32_t(L_.weights[((size_t(o) * icg + c) * p.kh + ky) * p.kw + kx]);
          });
          const size_t at = ((size_t(n) * oh + oy) * ow + ox) * p.oc + o;
          float f = (float(acc) + bias_acc_[size_t(o)]) * oscale_[size_t(o)];
          if (residual) f += sum_scale_ * load_q(residual, L_.ci.quant.residual_type, at);
          store_q(dst, e_.dst_type, at, finish(f, e_));
        }
    }
  }
  conv_int8_layer L_;
  epilogue_params e_;
  std::vector<float> oscale_, bias_acc_;
  float sum_scale_ = 1.f;
  std::vector<int32_t> acc_;
};

// core writes s8 at pre_residual_scale (no activation); this pass adds the residual.
class residual_pass final : public detail::conv_int8_impl {
 public:
  residual_pass(const conv_int8_layer& L, std::unique_ptr<detail::conv_int8_impl> core)
      : core_(std::move(core)),
        e_(make_epilogue(L.ci)),
        threads_(L.threads),
        rtype_(L.ci.quant.residual_type) {
    const conv_quant_params& q = L.ci.quant;
    a_ = q.pre_residual_scale / q.dst_scale, b_ = q.residual_scale / q.dst_scale;
    size_ = out_pixels(L.ci.p) * size_t(L.ci.p.oc);
  }
  void run(const void* src, const void* residual, void* dst) override {
    // The s8 intermediate lives in a buffer of the calling thread shared by every residual
    // layer run there, so it stays in cache from one layer to the next.
    thread_local std::vector<int8_t> tmp;
    if (tmp.size() < size_) tmp.resize(size_);
    tmp_ = tmp.data();
    core_->run(src, nullptr, tmp_);
    const bool ru8 = rtype_ == qtype::u8, du8 = e_.dst_type == qtype::u8;
    if (ru8 && du8)
      add(static_cast<const uint8_t*>(residual), static_cast<uint8_t*>(dst));
    else if (ru8)
      add(static_cast<const uint8_t*>(residual), static_cast<int8_t*>(dst));
    else if (du8)
      add(static_cast<const int8_t*>(residual), static_cast<uint8_t*>(dst));
    else
      add(static_cast<const int8_t*>(residual), static_cast<int8_t*>(dst));
  }
  std::string name() const override { return core_->name() + "+residual-pass"; }

 private:
  // dst = sat(round(act(a·t + b·r))), both products rounded (ISA-dispatched, bit-identical).
  template <class R, class D>
  void add(const R* r, D* dst) const {
    elementwise_residual_add(tmp_, r, R(-1) < R(0), dst, D(-1) < D(0), size_, a_, b_,
                             e_.act == activation_kind::relu, threads_);
  }
  std::unique_ptr<detail::conv_int8_impl> core_;
  epilogue_params e_;
  int threads_;
  qtype rtype_;
  float a_ = 1.f, b_ = 1.f;
  size_t size_ = 0;
  int8_t* tmp_ = nullptr;  // the calling thread's buffer during run()
};

// Clip activation (ReLU6 and the like) for the implementations whose output stage has only ReLU:
// core runs the layer without activation, then dst is clamped to [q(lo), q(hi)] with
// q(v) = sat(round(v / dst_scale) + zero_point). Rounding and saturation are monotone, so this is
// bit-identical to clipping before the rounding (the reference's epilogue, TFLite's activation
// range).
class clip_pass final : public detail::conv_int8_impl {
 public:
  clip_pass(const conv_int8_layer& L, std::unique_ptr<detail::conv_int8_impl> core)
      : core_(std::move(core)), u8_(L.ci.quant.dst_type == qtype::u8), threads_(L.threads),
        size_(out_pixels(L.ci.p) * size_t(L.ci.p.oc)) {
    const epilogue_params e = make_epilogue(L.ci);
    const int32_t qmin = qtype_min(e.dst_type), qmax = qtype_max(e.dst_type);
    lo_ = quantize_round_sat(e.lo, e.zero_point, qmin, qmax);
    hi_ = quantize_round_sat(e.hi, e.zero_point, qmin, qmax);
  }
  void run(const void* src, const void* residual, void* dst) override {
    core_->run(src, residual, dst);
    if (u8_)
      clamp(static_cast<uint8_t*>(dst));
    else
      clamp(static_cast<int8_t*>(dst));
  }
  std::string name() const override { return core_->name() + "+clip"; }

 private:
  template <class T>
  void clamp(T* d) const {
    const T lo = T(lo_), hi = T(hi_);
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (long i = 0; i < long(size_); ++i) d[i] = std::min(std::max(d[i], lo), hi);
  }
  std::unique_ptr<detail::conv_int8_impl> core_;
  bool u8_;
  int threads_;
  size_t size_;
  int32_t lo_ = 0, hi_ = 0;
};

class conv_int8_kernel final : public node_kernel {
 public:
  explicit conv_int8_kernel(std::unique_ptr<detail::conv_int8_impl> impl, std::string prefix)
      : impl_(std::move(impl)), prefix_(std::move(prefix)) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const void* residual = in.size() > 3 ? in[3].data : nullptr;
    impl_->run(in[0].data, residual, out[0].data);
  }
  std::string impl_name() const override {
    const std::string n = impl_->name();
    return n.rfind(prefix_, 0) == 0 ? n : prefix_ + ":" + n;
  }

 private:
  std::unique_ptr<detail::conv_int8_impl> impl_;
  std::string prefix_;
};

// Non-zero src / dst zero points (imported models) are supported by every implementation except
// in combination with a fused residual (the residual pass and oneDNN's sum assume zero points 0).
bool has_zero_points(const conv_quant_params& q) {
  return q.src_zero_point != 0 || q.dst_zero_point != 0;
}
std::string zero_point_residual_reason() { return "residual add with non-zero zero points"; }

// Why an SFC variant cannot run the layer ("" if it can).
std::string sfc_reject_reason(const conv_int8_layer& L, const fastconv_algorithm& alg) {
  const conv_info& ci = L.ci;
  if (ci.groups != 1) return "grouped convolution";
  if (ci.p.kh != alg.r || ci.p.kw != alg.r)
    return "needs a " + std::to_string(alg.r) + "x" + std::to_string(alg.r) + " kernel, got " +
           std::to_string(ci.p.kh) + "x" + std::to_string(ci.p.kw);
  if (ci.p.stride_h != 1 || ci.p.stride_w != 1)
    return "needs stride 1, got " + std::to_string(ci.p.stride_h) + "x" +
           std::to_string(ci.p.stride_w);
  if (L.has_residual && !(ci.quant.pre_residual_scale > 0.f))
    return "residual add without a calibrated pre-residual scale";
  if (L.has_residual && has_zero_points(ci.quant)) return zero_point_residual_reason();
  bool in = false, out = false;
  for (const auto& d : fastconv_q8_input_kernels())
    in = in || (d.tile == alg.tile && d.src == ci.quant.src_type);
  for (const auto& d : fastconv_q8_output_kernels()) out = out || d.tile == alg.tile;
  if (!in || !out) return "no int8 layer kernels for tile " + alg.tile;
  return "";
}

// Why the exact int16 layer cannot run the layer ("" if it can).
std::string exact_reject_reason(const conv_int8_layer& L, const fastconv_algorithm& alg) {
  const conv_info& ci = L.ci;
  if (ci.groups != 1) return "grouped convolution";
  if (ci.p.kh != alg.r || ci.p.kw != alg.r || ci.p.stride_h != 1 || ci.p.stride_w != 1)
    return sfc_reject_reason(L, alg);
  if (L.has_residual && !(ci.quant.pre_residual_scale > 0.f))
    return "residual add without a calibrated pre-residual scale";
  if (L.has_residual && has_zero_points(ci.quant)) return zero_point_residual_reason();
  return fastconv_q16_unsupported_reason(alg, ci.p, L.weights.data(), ci.quant.src_type,
                                         ci.quant.src_zero_point);
}

// Where oneDNN's kernels waste VNNI lanes: the RGB stem (ic 3) and other tiny-channel inputs.
constexpr int kDirectMaxIc = 4;

std::string baseline_reject_reason(const conv_int8_layer& L, conv_impl_kind k) {
  if (k == conv_impl_kind::onednn_int8 && !have_onednn()) return "oneDNN backend not built";
  if (k == conv_impl_kind::xnnpack_int8 && !have_xnnpack()) return "XNNPACK backend not built";
  if (k == conv_impl_kind::onednn_int8 && L.ci.groups != 1)
    return "grouped convolution (XNNPACK and the reference run it)";
  if (k == conv_impl_kind::xnnpack_int8 && L.ci.groups != 1 && L.has_residual)
    return "grouped convolution with a residual add";
  if (k == conv_impl_kind::xnnpack_int8 && L.has_residual && !(L.ci.quant.pre_residual_scale > 0.f))
    return "residual add without a calibrated pre-residual scale";
  if (k != conv_impl_kind::reference_int8 && L.has_residual && has_zero_points(L.ci.quant))
    return zero_point_residual_reason();
  if (k == conv_impl_kind::direct_int8) {
    if (L.ci.groups != 1) return "grouped convolution";
    if (L.has_residual) return "no fused residual add (the direct kernel is for stems)";
    if (L.ci.p.ic > kDirectMaxIc)
      return "ic " + std::to_string(L.ci.p.ic) + " > " + std::to_string(kDirectMaxIc) +
             " (the direct kernel is for few input channels)";
    if (effective_isa() != isa_level::avx512vnni) return "SIMD kernel needs AVX-512 VNNI";
    const std::string why = direct_q8_unsupported_reason(L.ci.p);
    if (!why.empty()) return why;
  }
  // oneDNN's src zero-point compensation is not checked against zero-point padding here.
  const conv2d_params& p = L.ci.p;
  if (k == conv_impl_kind::onednn_int8 && L.ci.quant.src_zero_point != 0 &&
      (p.pad_t | p.pad_l | p.pad_b | p.pad_r) != 0)
    return "src zero point with padding";
  return "";
}

}  // namespace

const std::vector<std::string>& conv_int8_sfc_algorithms() {
  // wino_2x2_3x3: 16 points instead of SFC-4's 49 for the same transform-domain products at
  // 14² (49 tiles × 16 = 16 tiles × 49), so a third of the weight bytes, which inside a network
  // come from DRAM; its int8 error is SFC's (sfc-algorithm.md).
  static const std::vector<std::string> list = {"sfc6_7x7_3x3", "sfc6_6x6_3x3", "sfc4_4x4_3x3",
                                                "wino_4x4_3x3", "wino_2x2_3x3", "sfc6_6x6_5x5",
                                                "sfc6_6x6_7x7"};
  return list;
}

const std::vector<std::string>& conv_int8_exact_algorithms() {
  static const std::vector<std::string> list = {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "sfc6_6x6_5x5",
                                                "sfc6_6x6_7x7"};
  return list;
}

conv_int8_layer make_conv_int8_layer(const graph& g, const node& n, int threads) {
  conv_int8_layer L;
  L.label = n.label();
  L.ci = n.conv;
  L.has_residual = has_input(n, 3);
  L.threads = std::max(threads, 1);
  const conv2d_params& p = L.ci.p;
  if (!L.ci.quant.valid || L.ci.groups < 1 || p.ic % L.ci.groups || p.oc % L.ci.groups)
    fail_unsupported(n, "not an int8 convolution");
  const tensor* wt = const_input(g, n, 1, "weights");
  const tensor* bt = const_input(g, n, 2, "bias", true);
  if (bt) L.bias.assign(bt->as<float>(), bt->as<float>() + p.oc);
  const size_t per_oc = size_t(p.ic / L.ci.groups) * p.kh * p.kw;  // OIHW, I = ic / groups
  if (wt->desc().type == dtype::s8) {  // already quantized (a quantized model file)
    L.weights.assign(wt->as<int8_t>(), wt->as<int8_t>() + per_oc * size_t(p.oc));
    for (int8_t v : L.weights)  // symmetric range, as quantized below (kernels rely on it)
      if (v == -128) fail_invalid(n, "s8 weights must lie in [-127, 127]");
    return L;
  }
  const float* w = wt->as<float>();
  L.weights.resize(per_oc * size_t(p.oc));
  for (size_t o = 0; o < size_t(p.oc); ++o) {
    const float s = L.ci.quant.weight_scale.at(o);
    for (size_t i = 0; i < per_oc; ++i) {
      const float q = std::nearbyint(w[o * per_oc + i] / s);
      L.weights[o * per_oc + i] = int8_t(std::min(std::max(q, -127.f), 127.f));
    }
  }
  return L;
}

std::string describe_conv_int8(const conv_int8_layer& L) {
  const conv2d_params& p = L.ci.p;
  std::string s = "n" + std::to_string(p.n) + " ic" + std::to_string(p.ic) + " " +
                  std::to_string(p.h) + "x" + std::to_string(p.w) + " -> oc" +
                  std::to_string(p.oc) + " k" + std::to_string(p.kh) + "x" + std::to_string(p.kw) +
                  " s" + std::to_string(p.stride_h) + "x" + std::to_string(p.stride_w) + ", " +
                  qname(L.ci.quant.src_type) + " -> " + qname(L.ci.quant.dst_type);
  if (L.ci.act == activation_kind::relu) s += ", relu";
  if (L.ci.act == activation_kind::clip) s += ", clip";
  if (L.has_residual) s += std::string(", +residual ") + qname(L.ci.quant.residual_type);
  return s;
}

std::string conv_impl_name(const conv_impl_choice& c) {
  switch (c.kind) {
    case conv_impl_kind::sfc:
      return c.variant;
    case conv_impl_kind::sfc_exact:
      return "exact:" + c.variant;
    case conv_impl_kind::onednn_int8:
      return "onednn";
    case conv_impl_kind::xnnpack_int8:
      return "xnnpack";
    case conv_impl_kind::reference_int8:
      return "reference";
    case conv_impl_kind::direct_int8:
      return "smallc_direct";
    case conv_impl_kind::onednn_f32:
      return "onednn_f32";
    case conv_impl_kind::reference_f32:
      return "reference_f32";
  }
  return "?";
}

bool conv_impl_from_name(const std::string& name, conv_impl_choice* c) {
  conv_impl_choice r;
  if (name == "onednn")
    r.kind = conv_impl_kind::onednn_int8;
  else if (name == "xnnpack")
    r.kind = conv_impl_kind::xnnpack_int8;
  else if (name == "reference")
    r.kind = conv_impl_kind::reference_int8;
  else if (name == "smallc_direct")
    r.kind = conv_impl_kind::direct_int8;
  else if (find_algorithm(name))
    r.kind = conv_impl_kind::sfc, r.variant = name;
  else if (name.rfind("exact:", 0) == 0 && find_algorithm(name.substr(6)))
    r.kind = conv_impl_kind::sfc_exact, r.variant = name.substr(6);
  else
    return false;
  *c = r;
  return true;
}

bool is_sfc(const conv_impl_choice& c) {
  return c.kind == conv_impl_kind::sfc || c.kind == conv_impl_kind::sfc_exact;
}

std::vector<conv_impl_choice> conv_int8_candidates(const conv_int8_layer& L) {
  std::vector<conv_impl_choice> list;
  for (const std::string& a : conv_int8_sfc_algorithms()) {
    conv_impl_choice c;
    c.kind = conv_impl_kind::sfc, c.variant = a;
    const fastconv_algorithm* alg = find_algorithm(a);
    c.rejected = alg ? sfc_reject_reason(L, *alg) : "algorithm not built";
    list.push_back(c);
  }
  for (const std::string& a : conv_int8_exact_algorithms()) {
    conv_impl_choice c;
    c.kind = conv_impl_kind::sfc_exact, c.variant = a;
    const fastconv_algorithm* alg = find_algorithm(a);
    c.rejected = alg ? exact_reject_reason(L, *alg) : "algorithm not built";
    list.push_back(c);
  }
  for (conv_impl_kind k : {conv_impl_kind::onednn_int8, conv_impl_kind::xnnpack_int8,
                           conv_impl_kind::direct_int8, conv_impl_kind::reference_int8}) {
    conv_impl_choice c;
    c.kind = k;
    c.rejected = baseline_reject_reason(L, k);
    list.push_back(c);
  }
  return list;
}

void conv_int8_calibrate_sfc(const conv_int8_layer& L, const std::string& algo, const void* src,
                             int images, std::vector<double>& maxabs) {
  const fastconv_algorithm* alg = find_algorithm(algo);
  if (!alg) throw_invalid("unknown algorithm " + algo);
  conv2d_params p = L.ci.p;
  p.n = std::min(images, p.n);
  if (maxabs.empty()) maxabs.assign(size_t(alg->R) * alg->R, 0.0);
  fastconv_q8_calibrate(*alg, p, src, L.ci.quant.src_type, L.ci.quant.src_zero_point, maxabs);
}

namespace detail {

void epilogue_coefficients(const conv_int8_layer& L, std::vector<float>* oscale,
                           std::vector<float>* bias_acc) {
  const conv_quant_params& q = L.ci.quant;
  const size_t oc = size_t(L.ci.p.oc);
  oscale->resize(oc), bias_acc->assign(oc, 0.f);
  for (size_t o = 0; o < oc; ++o) {
    (*oscale)[o] = q.src_scale * q.weight_scale[o] / q.dst_scale;
    if (!L.bias.empty())
      (*bias_acc)[o] = static_cast<float>(double(L.bias[o]) /
                                          (double(q.src_scale) * double(q.weight_scale[o])));
  }
}

conv_int8_layer without_residual(const conv_int8_layer& L) {
  conv_int8_layer c = L;
  c.has_residual = false;
  c.ci.act = activation_kind::none;
  c.ci.quant.dst_type = qtype::s8;
  c.ci.quant.dst_scale = L.ci.quant.pre_residual_scale;
  return c;
}

std::unique_ptr<conv_int8_impl> with_residual_pass(const conv_int8_layer& L,
                                                   std::unique_ptr<conv_int8_impl> core) {
  return std::make_unique<residual_pass>(L, std::move(core));
}

}  // namespace detail

std::unique_ptr<node_kernel> make_conv_int8_kernel(const conv_int8_layer& L_in,
                                                   const conv_impl_choice& c,
                                                   const std::vector<double>* sfc_maxabs) {
  // Clip: every implementation but the reference runs without activation, then a clamp pass.
  const bool clip = L_in.ci.act == activation_kind::clip && c.kind != conv_impl_kind::reference_int8;
  conv_int8_layer L_noact;
  if (clip) L_noact = L_in, L_noact.ci.act = activation_kind::none;
  const conv_int8_layer& L = clip ? L_noact : L_in;
  std::unique_ptr<detail::conv_int8_impl> impl;
  switch (c.kind) {
    case conv_impl_kind::sfc:
      impl = detail::make_sfc_int8(L, c.variant,
                                   sfc_maxabs ? *sfc_maxabs : std::vector<double>{});
      break;
    case conv_impl_kind::sfc_exact:
      impl = detail::make_sfc_exact_int8(L, c.variant);
      break;
    case conv_impl_kind::onednn_int8:
      impl = detail::make_onednn_int8(L);
      break;
    case conv_impl_kind::direct_int8:
      impl = detail::make_direct_int8(L);
      break;
    case conv_impl_kind::xnnpack_int8:
      impl = detail::make_xnnpack_int8(L);
      break;
    case conv_impl_kind::reference_int8:
      impl = std::make_unique<reference_int8>(L);
      break;
    default:
      throw_invalid(L.label + ": " + conv_impl_name(c) + " is not an int8 implementation");
  }
  if (clip) impl = std::make_unique<clip_pass>(L_in, std::move(impl));
  return std::make_unique<conv_int8_kernel>(std::move(impl), conv_impl_name(c));
}

}  // namespace sfc
