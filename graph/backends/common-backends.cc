// Always compiled: backend availability, shared argument checks, and stubs for the backends that
// were compiled out (so callers always link and get sfc::error(unsupported) at run time).
#include <cmath>
#include <string>

#include "graph/backends/backend-util.h"
#include "graph/backends/conv2d-backend.h"
#include "kernels/common/error.h"

namespace sfc {

bool have_onednn() {
#if defined(SFC_WITH_ONEDNN)
  return true;
#else
  return false;
#endif
}

bool have_xnnpack() {
#if defined(SFC_WITH_XNNPACK)
  return true;
#else
  return false;
#endif
}

namespace detail {

const char* qtype_name(qtype t) {
  switch (t) {
    case qtype::u8: return "u8";
    case qtype::s8: return "s8";
    case qtype::f32: return "f32";
  }
  return "?";
}

std::string describe(const conv2d_params& p) {
  return "n" + std::to_string(p.n) + " ic" + std::to_string(p.ic) + " " + std::to_string(p.h) +
         "x" + std::to_string(p.w) + " -> oc" + std::to_string(p.oc) + " k" +
         std::to_string(p.kh) + "x" + std::to_string(p.kw) + " s" + std::to_string(p.stride_h) +
         "x" + std::to_string(p.stride_w) + " p" + std::to_string(p.pad_t) + "," +
         std::to_string(p.pad_l) + "," + std::to_string(p.pad_b) + "," + std::to_string(p.pad_r);
}

std::string describe(const q8_conv2d_config& cfg) {
  std::string s = describe(cfg.p) + ", " + qtype_name(cfg.src_type) + "(zp " +
                  std::to_string(cfg.src_zero_point) + ") -> " + qtype_name(cfg.dst_type);
  if (cfg.dst_type != qtype::f32) s += "(zp " + std::to_string(cfg.dst_zero_point) + ")";
  if (cfg.sum) s += std::string(", sum ") + qtype_name(cfg.sum_type);
  if (cfg.relu) s += ", relu";
  if (cfg.groups != 1) s += ", groups " + std::to_string(cfg.groups);
  return s;
}

namespace {

void check_zero_point(qtype t, int32_t zp, const char* what, const char* backend) {
  if (t == qtype::f32) return;
  const int32_t lo = t == qtype::u8 ? 0 : -128, hi = t == qtype::u8 ? 255 : 127;
  if (zp < lo || zp > hi)
    throw_invalid(std::string(backend) + ": " + what + " zero point " + std::to_string(zp) +
                  " is outside the range of " + qtype_name(t));
}

void check_scale(float s, const char* what, const char* backend) {
  if (!(s > 0.f) || !std::isfinite(s))
    throw_invalid(std::string(backend) + ": " + what + " must be positive and finite, got " +
                  std::to_string(s));
}

}  // namespace

void validate_params(const conv2d_params& p, size_t weights, size_t bias, int threads,
                     const char* backend) {
  conv2d_validate(p);
  const size_t nw = size_t(p.oc) * p.ic * p.kh * p.kw;
  if (weights != nw)
    throw_invalid(std::string(backend) + ": expected " + std::to_string(nw) +
                  " weights (OIHW), got " + std::to_string(weights));
  if (bias != 0 && bias != size_t(p.oc))
    throw_invalid(std::string(backend) + ": bias must be empty or hold oc = " +
                  std::to_string(p.oc) + " values, got " + std::to_string(bias));
  if (threads < 1)
    throw_invalid(std::string(backend) + ": threads must be >= 1, got " + std::to_string(threads));
}

void validate_q8_config(const q8_conv2d_config& cfg, const char* backend) {
  if (cfg.groups < 1 || cfg.p.ic % cfg.groups || cfg.p.oc % cfg.groups)
    throw_invalid(std::string(backend) + ": groups " + std::to_string(cfg.groups) +
                  " must divide ic and oc");
  conv2d_params pg = cfg.p;  // weight count as for ic / groups input channels
  pg.ic /= cfg.groups;
  validate_params(pg, cfg.weights.size(), cfg.bias.size(), cfg.threads, backend);
  if (cfg.weight_scale.size() != size_t(cfg.p.oc))
    throw_invalid(std::string(backend) + ": weight_scale must hold oc = " +
                  std::to_string(cfg.p.oc) + " values, got " +
                  std::to_string(cfg.weight_scale.size()));
  for (float s : cfg.weight_scale) check_scale(s, "weight_scale", backend);
  check_scale(cfg.src_scale, "src_scale", backend);
  if (cfg.sum) check_scale(cfg.sum_scale, "sum_scale", backend);
  if (cfg.dst_type != qtype::f32) check_scale(cfg.dst_scale, "dst_scale", backend);
  check_zero_point(cfg.src_type, cfg.src_zero_point, "src", backend);
  check_zero_point(cfg.dst_type, cfg.dst_zero_point, "dst", backend);
}

}  // namespace detail

#if !defined(SFC_WITH_ONEDNN)
std::unique_ptr<conv2d_backend> make_onednn_conv2d(const q8_conv2d_config&, bool) {
  throw_unsupported("built without oneDNN (SFC_WITH_ONEDNN=OFF)");
}
std::unique_ptr<conv2d_backend> make_onednn_conv2d_f32(const conv2d_params&,
                                                       const std::vector<float>&,
                                                       const std::vector<float>&, bool, int) {
  throw_unsupported("built without oneDNN (SFC_WITH_ONEDNN=OFF)");
}
#endif

#if !defined(SFC_WITH_XNNPACK)
std::unique_ptr<conv2d_backend> make_xnnpack_conv2d(const q8_conv2d_config&) {
  throw_unsupported("built without XNNPACK (SFC_WITH_XNNPACK=OFF)");
}
#endif

}  // namespace sfc
