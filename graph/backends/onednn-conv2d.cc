// oneDNN 2.6 (Debian 12, v2 API) convolution backends: int8 direct / Winograd and fp32 direct.
// Everything (weights reorder, memories, scratchpad) is prepared at construction; run() only swaps
// the caller's src/dst pointers in and executes.
#include <omp.h>

#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graph/backends/backend-util.h"
#include "graph/backends/conv2d-backend.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// Debian's oneDNN uses the OpenMP runtime: the thread count is the calling thread's OpenMP ICV.
// oneDNN also reads it when the primitive descriptor is created (jcp.nthr, scratchpad size), so
// the same setting is applied around construction and around every execute.
class omp_threads_scope {
 public:
  explicit omp_threads_scope(int n) : saved_(omp_get_max_threads()) {
    if (n != saved_) omp_set_num_threads(n);
  }
  ~omp_threads_scope() {
    if (omp_get_max_threads() != saved_) omp_set_num_threads(saved_);
  }
  omp_threads_scope(const omp_threads_scope&) = delete;
  omp_threads_scope& operator=(const omp_threads_scope&) = delete;

 private:
  int saved_;
};

[[noreturn]] void rethrow_dnnl(const dnnl::error& e, const std::string& where) {
  std::string msg = "oneDNN: " + where + ": " + e.what();
  if (e.status == dnnl_unimplemented) msg += " (no implementation for this configuration)";
  throw error(error::unsupported, msg);
}

dt to_dnnl(qtype t) {
  switch (t) {
    case qtype::u8: return dt::u8;
    case qtype::s8: return dt::s8;
    case qtype::f32: return dt::f32;
  }
  return dt::undef;
}

dnnl::memory::dims act_dims(int n, int c, int h, int w) { return {n, c, h, w}; }

// Shared part of the int8 and fp32 primitives: owns the engine, stream, primitive and every
// memory; src/dst memories wrap caller pointers at run time.
class onednn_conv2d final : public conv2d_backend {
 public:
  onednn_conv2d(dnnl::engine eng, const dnnl::convolution_forward::primitive_desc& pd,
                dnnl::memory wei, dnnl::memory bia, int threads)
      : eng_(std::move(eng)),
        strm_(eng_),
        pd_(pd),
        prim_(pd),
        src_(pd.src_desc(), eng_, DNNL_MEMORY_NONE),
        dst_(pd.dst_desc(), eng_, DNNL_MEMORY_NONE),
        wei_(std::move(wei)),
        bia_(std::move(bia)),
        scratch_(pd.scratchpad_desc(), eng_),
        threads_(threads),
        impl_(pd.impl_info_str()) {
    args_ = {{DNNL_ARG_SRC, src_},
             {DNNL_ARG_WEIGHTS, wei_},
             {DNNL_ARG_DST, dst_},
             {DNNL_ARG_SCRATCHPAD, scratch_}};
    if (bia_) args_.emplace(DNNL_ARG_BIAS, bia_);
  }

  void run(const void* src, void* dst) override {
    omp_threads_scope threads(threads_);
    try {
      src_.set_data_handle(const_cast<void*>(src));
      dst_.set_data_handle(dst);
      prim_.execute(strm_, args_);
      strm_.wait();
    } catch (const dnnl::error& e) {
      rethrow_dnnl(e, "convolution execute (" + impl_ + ")");
    }
  }

  std::string impl_name() const override { return impl_; }

 private:
  dnnl::engine eng_;
  dnnl::stream strm_;
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward prim_;
  dnnl::memory src_, dst_, wei_, bia_, scratch_;
  std::unordered_map<int, dnnl::memory> args_;
  int threads_;
  std::string impl_;
};

dnnl::convolution_forward::desc make_desc(const conv2d_params& p, dnnl::algorithm alg,
                                          const dnnl::memory::desc& src_md,
                                          const dnnl::memory::desc& wei_md,
                                          const dnnl::memory::desc& bia_md,
                                          const dnnl::memory::desc& dst_md) {
  const dnnl::memory::dims strides = {p.stride_h, p.stride_w};
  const dnnl::memory::dims pad_l = {p.pad_t, p.pad_l};
  const dnnl::memory::dims pad_r = {p.pad_b, p.pad_r};
  if (!bia_md)
    return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, alg, src_md, wei_md,
                                           dst_md, strides, pad_l, pad_r);
  return dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, alg, src_md, wei_md,
                                         bia_md, dst_md, strides, pad_l, pad_r);
}

// Reorders user weights (OIHW, any dtype) into the layout the primitive chose.
dnnl::memory reorder_weights(const dnnl::engine& eng, dnnl::stream& strm,
                             const dnnl::memory::desc& user_md, const void* data,
                             const dnnl::memory::desc& prim_md) {
  dnnl::memory user(user_md, eng, const_cast<void*>(data));
  dnnl::memory wei(prim_md, eng);
  dnnl::reorder(user, wei).execute(strm, user, wei);
  strm.wait();
  return wei;
}

}  // namespace

std::unique_ptr<conv2d_backend> make_onednn_conv2d(const q8_conv2d_config& cfg, bool winograd) {
  detail::validate_q8_config(cfg, "oneDNN");
  if (cfg.src_type == qtype::f32) throw_unsupported("oneDNN int8 convolution: f32 src is not int8");
  if (cfg.groups != 1) throw_unsupported("oneDNN int8 convolution: grouped convolutions are not wired");
  const conv2d_params& p = cfg.p;
  omp_threads_scope threads(cfg.threads);
  try {
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream strm(eng);
    const bool f32_dst = cfg.dst_type == qtype::f32;
    const float dst_scale = f32_dst ? 1.f : cfg.dst_scale;

    dnnl::memory::desc src_md(act_dims(p.n, p.ic, p.h, p.w), to_dnnl(cfg.src_type), tag::nhwc);
    dnnl::memory::desc dst_md(act_dims(p.n, p.oc, p.oh(), p.ow()), to_dnnl(cfg.dst_type),
                              tag::nhwc);
    const dnnl::memory::dims wdims = {p.oc, p.ic, p.kh, p.kw};
    dnnl::memory::desc wei_md(wdims, dt::s8, tag::any);
    dnnl::memory::desc bia_md;
    if (!cfg.bias.empty()) bia_md = dnnl::memory::desc({p.oc}, dt::f32, tag::x);

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    std::vector<float> oscale(p.oc);
    for (int oc = 0; oc < p.oc; ++oc) oscale[oc] = cfg.src_scale * cfg.weight_scale[oc] / dst_scale;
    attr.set_output_scales(1 << 1, oscale);
    if (cfg.src_zero_point != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {cfg.src_zero_point});
    if (!f32_dst && cfg.dst_zero_point != 0)
      attr.set_zero_points(DNNL_ARG_DST, 0, {cfg.dst_zero_point});
    if (cfg.sum && (f32_dst || cfg.sum_type == qtype::f32))
      throw_unsupported("oneDNN int8 convolution: the sum post-op needs an int8 dst and residual");
    if (cfg.relu || cfg.sum) {
      dnnl::post_ops ops;
      if (cfg.sum) ops.append_sum(cfg.sum_scale / dst_scale, to_dnnl(cfg.sum_type));
      if (cfg.relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }

    const auto alg =
        winograd ? dnnl::algorithm::convolution_winograd : dnnl::algorithm::convolution_direct;
    dnnl::convolution_forward::primitive_desc pd;
    try {
      pd = dnnl::convolution_forward::primitive_desc(
          make_desc(p, alg, src_md, wei_md, bia_md, dst_md), attr, eng);
    } catch (const dnnl::error& e) {
      rethrow_dnnl(e, std::string("no int8 ") + (winograd ? "Winograd" : "direct") +
                          " convolution for " + detail::describe(cfg));
    }

    // Weights: the int8 Winograd reorder only accepts f32 sources (values are the int8 weights;
    // the reorder applies the Winograd adjustment scale itself).
    dnnl::memory wei;
    if (winograd) {
      std::vector<float> wf(cfg.weights.begin(), cfg.weights.end());
      wei = reorder_weights(eng, strm, dnnl::memory::desc(wdims, dt::f32, tag::oihw), wf.data(),
                            pd.weights_desc());
    } else {
      wei = reorder_weights(eng, strm, dnnl::memory::desc(wdims, dt::s8, tag::oihw),
                            cfg.weights.data(), pd.weights_desc());
    }

    // Bias in accumulator units: oneDNN 2.x computes dst = oscale · (acc + bias).
    dnnl::memory bia;
    if (!cfg.bias.empty()) {
      bia = dnnl::memory(pd.bias_desc(), eng);
      auto* b = static_cast<float*>(bia.get_data_handle());
      for (int oc = 0; oc < p.oc; ++oc)
        b[oc] = static_cast<float>(double(cfg.bias[oc]) /
                                   (double(cfg.src_scale) * double(cfg.weight_scale[oc])));
    }
    return std::make_unique<onednn_conv2d>(eng, pd, wei, bia, cfg.threads);
  } catch (const dnnl::error& e) {
    rethrow_dnnl(e, "int8 convolution setup");
  }
}

std::unique_ptr<conv2d_backend> make_onednn_conv2d_f32(const conv2d_params& p,
                                                       const std::vector<float>& weights,
                                                       const std::vector<float>& bias, bool relu,
                                                       int threads) {
  detail::validate_params(p, weights.size(), bias.size(), threads, "oneDNN f32");
  omp_threads_scope scope(threads);
  try {
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream strm(eng);
    dnnl::memory::desc src_md(act_dims(p.n, p.ic, p.h, p.w), dt::f32, tag::nhwc);
    dnnl::memory::desc dst_md(act_dims(p.n, p.oc, p.oh(), p.ow()), dt::f32, tag::nhwc);
    const dnnl::memory::dims wdims = {p.oc, p.ic, p.kh, p.kw};
    dnnl::memory::desc wei_md(wdims, dt::f32, tag::any);
    dnnl::memory::desc bia_md;
    if (!bias.empty()) bia_md = dnnl::memory::desc({p.oc}, dt::f32, tag::x);

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    dnnl::convolution_forward::primitive_desc pd;
    try {
      pd = dnnl::convolution_forward::primitive_desc(
          make_desc(p, dnnl::algorithm::convolution_direct, src_md, wei_md, bia_md, dst_md), attr,
          eng);
    } catch (const dnnl::error& e) {
      rethrow_dnnl(e, "no f32 direct convolution for " + detail::describe(p));
    }
    dnnl::memory wei = reorder_weights(eng, strm, dnnl::memory::desc(wdims, dt::f32, tag::oihw),
                                       weights.data(), pd.weights_desc());
    dnnl::memory bia;
    if (!bias.empty()) {
      bia = dnnl::memory(pd.bias_desc(), eng);
      auto* b = static_cast<float*>(bia.get_data_handle());
      for (int oc = 0; oc < p.oc; ++oc) b[oc] = bias[oc];
    }
    return std::make_unique<onednn_conv2d>(eng, pd, wei, bia, threads);
  } catch (const dnnl::error& e) {
    rethrow_dnnl(e, "f32 convolution setup");
  }
}

}  // namespace sfc
