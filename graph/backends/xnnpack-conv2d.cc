// XNNPACK (Debian 12 snapshot 2022-02-16) qc8 convolution: s8 NHWC activations with a zero point,
// per-output-channel s8 weights (OHWI), int32 bias, s8 output with scale / zero point and a clamp.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/backends/backend-util.h"
#include "graph/backends/conv2d-backend.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

const char* status_name(xnn_status s) {
  switch (s) {
    case xnn_status_success: return "success";
    case xnn_status_uninitialized: return "uninitialized";
    case xnn_status_invalid_parameter: return "invalid parameter";
    case xnn_status_invalid_state: return "invalid state";
    case xnn_status_unsupported_parameter: return "unsupported parameter";
    case xnn_status_unsupported_hardware: return "unsupported hardware";
    case xnn_status_out_of_memory: return "out of memory";
  }
  return "unknown status";
}

void check(xnn_status s, const std::string& what) {
  if (s == xnn_status_success) return;
  throw error(error::unsupported,
              "XNNPACK: " + what + " failed: " + status_name(s) + " (status " +
                  std::to_string(int(s)) + ")");
}

// xnn_initialize is idempotent; the function-local static makes the first call thread-safe.
void initialize_once() {
  static const xnn_status status = xnn_initialize(nullptr);
  check(status, "xnn_initialize");
}

class xnnpack_conv2d final : public conv2d_backend {
 public:
  explicit xnnpack_conv2d(const q8_conv2d_config& cfg) : p_(cfg.p) {
    const conv2d_params& p = cfg.p;
    // OIHW -> OHWI (XNNPACK's [groups][oc / groups][kh][kw][ic / groups]).
    const int icg = p.ic / cfg.groups;
    std::vector<int8_t> ohwi(cfg.weights.size());
    const size_t khw = size_t(p.kh) * p.kw;
    for (int o = 0; o < p.oc; ++o)
      for (int i = 0; i < icg; ++i)
        for (size_t k = 0; k < khw; ++k)
          ohwi[(size_t(o) * khw + k) * icg + i] = cfg.weights[(size_t(o) * icg + i) * khw + k];
    // Bias in accumulator units (src_scale · weight_scale[oc]), rounded to int32.
    std::vector<int32_t> bias(p.oc, 0);
    if (!cfg.bias.empty())
      for (int o = 0; o < p.oc; ++o) {
        double b = std::nearbyint(double(cfg.bias[o]) /
                                  (double(cfg.src_scale) * double(cfg.weight_scale[o])));
        if (b > 2147483647.0) b = 2147483647.0;
        if (b < -2147483648.0) b = -2147483648.0;
        bias[o] = int32_t(b);
      }
    const int8_t out_min = int8_t(cfg.relu ? std::max(-128, cfg.dst_zero_point) : -128);
    check(xnn_create_convolution2d_nhwc_qc8(
              uint32_t(p.pad_t), uint32_t(p.pad_r), uint32_t(p.pad_b), uint32_t(p.pad_l),
              uint32_t(p.kh), uint32_t(p.kw), uint32_t(p.stride_h), uint32_t(p.stride_w), 1, 1,
              uint32_t(cfg.groups), size_t(icg), size_t(p.oc / cfg.groups), size_t(p.ic),
              size_t(p.oc),
              int8_t(cfg.src_zero_point), cfg.src_scale, cfg.weight_scale.data(), ohwi.data(),
              bias.data(), int8_t(cfg.dst_zero_point), cfg.dst_scale, out_min, 127, 0, &op_),
          "xnn_create_convolution2d_nhwc_qc8 (" + detail::describe(cfg) + ")");
    if (cfg.threads > 1) {
      pool_ = pthreadpool_create(size_t(cfg.threads));
      if (!pool_) {
        xnn_delete_operator(op_);
        throw error(error::unsupported, "XNNPACK: pthreadpool_create(" +
                                            std::to_string(cfg.threads) + ") failed");
      }
    }
    impl_ = "xnnpack:convolution_nhwc_qc8";
  }

  ~xnnpack_conv2d() override {
    if (op_) xnn_delete_operator(op_);
    if (pool_) pthreadpool_destroy(pool_);
  }
  xnnpack_conv2d(const xnnpack_conv2d&) = delete;
  xnnpack_conv2d& operator=(const xnnpack_conv2d&) = delete;

  void run(const void* src, void* dst) override {
    // Setup is cheap but rewrites the indirection buffer when the pointers move; skip it when
    // called again on the same buffers.
    if (src != last_src_ || dst != last_dst_) {
      check(xnn_setup_convolution2d_nhwc_qc8(op_, size_t(p_.n), size_t(p_.h), size_t(p_.w),
                                             static_cast<const int8_t*>(src),
                                             static_cast<int8_t*>(dst), pool_),
            "xnn_setup_convolution2d_nhwc_qc8");
      last_src_ = src;
      last_dst_ = dst;
    }
    check(xnn_run_operator(op_, pool_), "xnn_run_operator");
  }

  std::string impl_name() const override { return impl_; }

 private:
  conv2d_params p_;
  xnn_operator_t op_ = nullptr;
  pthreadpool_t pool_ = nullptr;
  const void* last_src_ = nullptr;
  void* last_dst_ = nullptr;
  std::string impl_;
};

}  // namespace

std::unique_ptr<conv2d_backend> make_xnnpack_conv2d(const q8_conv2d_config& cfg) {
  detail::validate_q8_config(cfg, "XNNPACK");
  if (cfg.src_type != qtype::s8 || cfg.dst_type != qtype::s8)
    throw_unsupported(std::string("XNNPACK qc8 convolution needs s8 src and s8 dst, got ") +
                      detail::qtype_name(cfg.src_type) + " -> " + detail::qtype_name(cfg.dst_type));
  initialize_once();
  return std::make_unique<xnnpack_conv2d>(cfg);
}

}  // namespace sfc
