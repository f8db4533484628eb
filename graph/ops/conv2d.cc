// Conv: NHWC activations, OIHW constant weights, optional bias, and the fusions of the passes:
//   dst = act(conv(x, W) + bias + residual),   residual = inputs[3] (NHWC, output shape)
//   act = none | relu | clip(act_min, act_max)
// fp32 implementations, chosen by exec_config::conv:
//   onednn    : make_onednn_conv2d_f32 (ReLU fused into the primitive when there is no residual)
//   reference : conv2d_ref_f32, one call per image in parallel
// Grouped convolutions (groups > 1) run a direct NHWC loop in both modes. int8 convolutions
// (conv_info::quant.valid) are made by make_conv_int8_kernel (conv2d-int8.h).
#include <algorithm>
#include <climits>
#include <cstring>
#include <functional>

#include "graph/backends/conv2d-backend.h"
#include "graph/ops/op-util.h"
#include "graph/ops/ops.h"

namespace sfc {
namespace {
using namespace ops;

int to_int(const node& n, int64_t v, const char* what) {
  if (v < 1 || v > INT_MAX) fail_invalid(n, std::string(what) + " is out of range");
  return int(v);
}

// Applies residual and activation in place on dst [pixels][oc].
void conv_epilogue(const conv_info& ci, size_t count, const float* residual, float* dst) {
  const bool act = ci.act != activation_kind::none;
  if (!residual && !act) return;
  const float lo = ci.act_min, hi = ci.act_max;
  if (residual && act) {
    for (size_t i = 0; i < count; ++i) dst[i] = std::min(std::max(dst[i] + residual[i], lo), hi);
  } else if (residual) {
    for (size_t i = 0; i < count; ++i) dst[i] += residual[i];
  } else {
    for (size_t i = 0; i < count; ++i) dst[i] = std::min(std::max(dst[i], lo), hi);
  }
}

class conv_kernel_base : public node_kernel {
 public:
  explicit conv_kernel_base(const conv_info& ci) : ci_(ci) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    float* dst = out[0].as<float>();
    compute(in[0].as<float>(), dst);
    const float* residual = in.size() > 3 ? in[3].as<float>() : nullptr;
    const bool fused_relu = fused_relu_ && !residual;
    const conv2d_params& p = ci_.p;
    const size_t count = size_t(p.n) * p.oh() * p.ow() * p.oc;
    if (residual && observer_) observer_(node_, dst, count);
    if (!fused_relu) conv_epilogue(ci_, count, residual, dst);
  }
  void observe(size_t node, std::function<void(size_t, const float*, size_t)> f) {
    node_ = node, observer_ = std::move(f);
  }

 protected:
  virtual void compute(const float* src, float* dst) = 0;
  conv_info ci_;
  bool fused_relu_ = false;
  size_t node_ = 0;
  std::function<void(size_t, const float*, size_t)> observer_;
};

class conv_reference final : public conv_kernel_base {
 public:
  conv_reference(const conv_info& ci, const float* w, const float* b, int threads)
      : conv_kernel_base(ci), threads_(threads) {
    const conv2d_params& p = ci.p;
    w_.assign(w, w + size_t(p.oc) * p.ic * p.kh * p.kw);
    if (b) b_.assign(b, b + p.oc);
  }
  std::string impl_name() const override { return "reference"; }

 protected:
  void compute(const float* src, float* dst) override {
    conv2d_params p1 = ci_.p;
    p1.n = 1;
    const size_t in_img = size_t(p1.h) * p1.w * p1.ic, out_img = size_t(p1.oh()) * p1.ow() * p1.oc;
    const float* b = b_.empty() ? nullptr : b_.data();
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int n = 0; n < ci_.p.n; ++n)
      conv2d_ref_f32(p1, layout::nhwc, src + n * in_img, w_.data(), b, dst + n * out_img);
  }

 private:
  std::vector<float> w_, b_;
  int threads_;
};

// Direct NHWC grouped convolution; weights re-laid out as [oc][ky][kx][icg].
class conv_grouped final : public conv_kernel_base {
 public:
  conv_grouped(const conv_info& ci, const float* w, const float* b, int threads)
      : conv_kernel_base(ci), threads_(threads) {
    const conv2d_params& p = ci.p;
    icg_ = p.ic / ci.groups, ocg_ = p.oc / ci.groups;
    w_.resize(size_t(p.oc) * p.kh * p.kw * icg_);
    for (int o = 0; o < p.oc; ++o)
      for (int c = 0; c < icg_; ++c)
        for (int ky = 0; ky < p.kh; ++ky)
          for (int kx = 0; kx < p.kw; ++kx)
            w_[((size_t(o) * p.kh + ky) * p.kw + kx) * icg_ + c] =
                w[((size_t(o) * icg_ + c) * p.kh + ky) * p.kw + kx];
    b_.assign(size_t(p.oc), 0.f);
    if (b) std::copy(b, b + p.oc, b_.begin());
    depthwise_ = icg_ == 1 && ocg_ == 1;
    if (depthwise_) {  // [ky][kx][c]: the channel loop is contiguous in x, w and y
      wdw_.resize(w_.size());
      for (int o = 0; o < p.oc; ++o)
        for (int k = 0; k < p.kh * p.kw; ++k) wdw_[size_t(k) * p.oc + o] = w_[size_t(o) * p.kh * p.kw + k];
    }
  }
  std::string impl_name() const override { return depthwise_ ? "depthwise-direct" : "grouped-direct"; }

 protected:
  void compute(const float* src, float* dst) override {
    const conv2d_params& p = ci_.p;
    const int oh = p.oh(), ow = p.ow();
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int r = 0; r < p.n * oh; ++r) {
      const int n = r / oh, oy = r % oh;
      for (int ox = 0; ox < ow; ++ox) {
        const float* x = src + size_t(n) * p.h * p.w * p.ic;
        float* y = dst + ((size_t(n) * oh + oy) * ow + ox) * p.oc;
        if (depthwise_)
          pixel_depthwise(x, oy, ox, y);
        else
          pixel(x, oy, ox, y);
      }
    }
  }

 private:
  // Depthwise (one input and one output channel per group): float accumulation over the taps
  // in (ky, kx) order, vectorised over the channels.
  void pixel_depthwise(const float* x, int oy, int ox, float* y) const {
    const conv2d_params& p = ci_.p;
    const int c = p.oc;
    std::copy(b_.begin(), b_.end(), y);
    for_each_tap(p, oy, ox, [&](int ky, int kx, int iy, int ix) {
      const float* px = x + (size_t(iy) * p.w + ix) * p.ic;
      const float* wk = wdw_.data() + size_t(ky * p.kw + kx) * c;
      for (int k = 0; k < c; ++k) y[k] += px[k] * wk[k];
    });
  }
  void pixel(const float* x, int oy, int ox, float* y) const {
    const conv2d_params& p = ci_.p;
    for (int o = 0; o < p.oc; ++o) {
      const int g = o / ocg_;
      double acc = b_[size_t(o)];
      for_each_tap(p, oy, ox, [&](int ky, int kx, int iy, int ix) {
        const float* px = x + (size_t(iy) * p.w + ix) * p.ic + size_t(g) * icg_;
        const float* wk = w_.data() + ((size_t(o) * p.kh + ky) * p.kw + kx) * icg_;
        for (int c = 0; c < icg_; ++c) acc += double(px[c]) * wk[c];
      });
      y[o] = float(acc);
    }
  }
  std::vector<float> w_, b_, wdw_;
  int icg_ = 1, ocg_ = 1, threads_;
  bool depthwise_ = false;
};

class conv_onednn final : public conv_kernel_base {
 public:
  conv_onednn(const conv_info& ci, bool has_residual, const float* w, const float* b, int threads)
      : conv_kernel_base(ci) {
    const conv2d_params& p = ci.p;
    std::vector<float> wv(w, w + size_t(p.oc) * p.ic * p.kh * p.kw), bv;
    if (b) bv.assign(b, b + p.oc);
    fused_relu_ = ci.act == activation_kind::relu && !has_residual;
    impl_ = make_onednn_conv2d_f32(p, wv, bv, fused_relu_, threads);
  }
  std::string impl_name() const override { return "onednn:" + impl_->impl_name(); }

 protected:
  void compute(const float* src, float* dst) override { impl_->run(src, dst); }

 private:
  std::unique_ptr<conv2d_backend> impl_;
};

}  // namespace

void infer_conv(graph& g, node& n) {
  check_arity(n, 2, 4);
  const value& x = input(g, n, 0);
  const value& w = input(g, n, 1);
  // An int8 conv of a quantized graph (graph::quantized) reads and writes its quant types.
  const conv_quant_params& q = n.conv.quant;
  const dtype src_t = q.valid ? (q.src_type == qtype::u8 ? dtype::u8 : dtype::s8) : dtype::f32;
  const dtype dst_t = q.valid ? (q.dst_type == qtype::u8 ? dtype::u8 : dtype::s8) : dtype::f32;
  const dtype res_t =
      q.valid ? (q.residual_type == qtype::u8 ? dtype::u8 : dtype::s8) : dtype::f32;
  if (x.desc.type != src_t || x.desc.rank() != 4)
    fail_unsupported(n, std::string("only ") + dtype_name(src_t) +
                            " [N, C, H, W] inputs are supported (got " + x.desc.str() + ")");
  if (!(w.desc.type == dtype::f32 || (q.valid && w.desc.type == dtype::s8)) || w.desc.rank() != 4)
    fail_unsupported(n, "only 2-D convolutions with f32 weights (or s8 when quantized) are supported");
  const shape_t& xs = x.desc.shape;
  const shape_t& ws = w.desc.shape;
  const int64_t groups = n.attr_int("group", 1);
  if (groups < 1 || groups > xs[1] || xs[1] % groups || ws[0] % groups || ws[1] * groups != xs[1])
    fail_invalid(n, "group " + std::to_string(groups) + " does not match input " + shape_str(xs) +
                        " and weights " + shape_str(ws));
  const std::vector<int64_t> ks = n.attr_ints("kernel_shape", {ws[2], ws[3]});
  if (ks.size() != 2 || ks[0] != ws[2] || ks[1] != ws[3])
    fail_invalid(n, "kernel_shape does not match the weights " + shape_str(ws));
  conv_info& ci = n.conv;
  ci.groups = int(groups);
  conv2d_params& p = ci.p;
  p.n = to_int(n, xs[0], "batch"), p.ic = to_int(n, xs[1], "channels");
  p.h = to_int(n, xs[2], "height"), p.w = to_int(n, xs[3], "width");
  p.oc = to_int(n, ws[0], "output channels");
  p.kh = to_int(n, ws[2], "kernel height"), p.kw = to_int(n, ws[3], "kernel width");
  const window2d wd = resolve_window2d(n, xs[2], xs[3], p.kh, p.kw);
  p.stride_h = wd.sh, p.stride_w = wd.sw;
  p.pad_t = wd.pad_t, p.pad_l = wd.pad_l, p.pad_b = wd.pad_b, p.pad_r = wd.pad_r;
  const shape_t out = {xs[0], ws[0], wd.out(xs[2], true), wd.out(xs[3], false)};
  if (has_input(n, 2)) {
    const value& b = input(g, n, 2);
    if (b.desc.type != dtype::f32 || b.desc.shape != shape_t{ws[0]})
      fail_invalid(n, "bias must be f32 [" + std::to_string(ws[0]) + "]");
  }
  if (has_input(n, 3) &&
      (input(g, n, 3).desc.shape != out || input(g, n, 3).desc.type != res_t))
    fail_invalid(n, std::string("residual input must be ") + dtype_name(res_t) + " " +
                        shape_str(out));
  if (q.valid && q.weight_scale.size() != size_t(ws[0]))
    fail_invalid(n, "int8 convolution needs one weight scale per output channel");
  set_output(g, n, 0, dst_t, out);
}

std::unique_ptr<node_kernel> make_conv_kernel(const graph& g, const node& n,
                                              const exec_config& cfg) {
  const conv_info& ci = n.conv;
  if (input(g, n, 0).desc.layout != tensor_layout::nhwc)
    fail_unsupported(n, "constant image input is not supported");
  const float* w = const_input(g, n, 1, "weights")->as<float>();
  const tensor* bt = const_input(g, n, 2, "bias", true);
  const float* b = bt ? bt->as<float>() : nullptr;
  const int threads = std::max(cfg.threads, 1);
  if (ci.quant.valid) fail_unsupported(n, "int8 convolutions are made by make_conv_int8_kernel");
  std::unique_ptr<conv_kernel_base> k;
  conv_path path = cfg.conv;
  if (path == conv_path::automatic) path = have_onednn() ? conv_path::onednn : conv_path::reference;
  if (ci.groups > 1) {
    k = std::make_unique<conv_grouped>(ci, w, b, threads);
  } else if (path == conv_path::onednn) {
    if (!have_onednn()) fail_unsupported(n, "the oneDNN backend is not built");
    k = std::make_unique<conv_onednn>(ci, has_input(n, 3), w, b, threads);
  } else {
    k = std::make_unique<conv_reference>(ci, w, b, threads);
  }
  if (cfg.pre_residual_observer) k->observe(size_t(&n - g.nodes.data()), cfg.pre_residual_observer);
  return k;
}

}  // namespace sfc
