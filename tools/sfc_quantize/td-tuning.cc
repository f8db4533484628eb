#include "tools/sfc_quantize/td-tuning.h"

#include <algorithm>
#include <cmath>

#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"

namespace sfc_tools {
namespace {

float pow2_ceil(float s) { return std::exp2(std::ceil(std::log2(std::max(s, 1e-30f)))); }

class tuner {
 public:
  tuner(const layer_data& d, bool pow2) : d_(d), pow2_(pow2) {
    if (!sfc::conv_impl_from_name(d.L.ci.quant.impl, &choice_) ||
        choice_.kind != sfc::conv_impl_kind::sfc)
      throw sfc::error(sfc::error::internal, d.name + ": not an SFC layer");
  }

  // The error on all tuning images; `held` gets the errors on the even / odd halves.
  double eval(const td_scales& s, double* held = nullptr) {
    sfc::conv_int8_layer L = d_.L;
    L.ci.quant.td_act_scale = s.act, L.ci.quant.td_weight_scale = s.w;
    if (pow2_) {
      for (float& v : L.ci.quant.td_act_scale) v = pow2_ceil(v);
      for (float& v : L.ci.quant.td_weight_scale) v = pow2_ceil(v);
    }
    ++evals_;
    return layer_rel_mse(d_, L, choice_, nullptr, held);
  }
  int evals() const { return evals_; }

 private:
  const layer_data& d_;
  bool pow2_;
  sfc::conv_impl_choice choice_;
  int evals_ = 0;
};

// Groups per-(oc, point) maxima by the granularity (the max over each group).
void group_max(std::vector<float>& w, int oc, int P, bool per_oc, bool per_point) {
  if (per_oc && per_point) return;
  std::vector<float> pm(size_t(P), 0.f), om(size_t(oc), 0.f);
  float all = 0.f;
  for (int o = 0; o < oc; ++o)
    for (int p = 0; p < P; ++p) {
      const float v = w[size_t(o) * P + p];
      pm[size_t(p)] = std::max(pm[size_t(p)], v), om[size_t(o)] = std::max(om[size_t(o)], v);
      all = std::max(all, v);
    }
  for (int o = 0; o < oc; ++o)
    for (int p = 0; p < P; ++p)
      w[size_t(o) * P + p] = per_oc ? om[size_t(o)] : per_point ? pm[size_t(p)] : all;
}

}  // namespace

td_tune_result tune_td_scales(const layer_data& d, td_granularity g, bool pow2, bool search) {
  const sfc::conv_quant_params& q = d.L.ci.quant;
  const sfc::fastconv_algorithm* alg = sfc::find_algorithm(q.impl);
  if (!alg || q.td_act_scale.empty())
    throw sfc::error(sfc::error::internal, d.name + ": no transform-domain scales to tune");
  const int P = alg->R * alg->R, oc = d.L.ci.p.oc;
  // Max-abs weight scales per (oc, point), as the kernel computes them.
  const sfc::fastconv_q8_weights tw =
      sfc::fastconv_q8_transform_weights(*alg, oc, d.L.ci.p.ic, d.L.weights.data(), q.td_bits);
  td_scales s{q.td_act_scale, tw.scale};
  tuner t(d, pow2);
  td_tune_result r;
  r.mse_maxabs = t.eval(s);
  const bool per_point = g == td_granularity::frequency || g == td_granularity::frequency_channel;
  const bool per_oc = g == td_granularity::channel || g == td_granularity::frequency_channel;
  if (!per_point) {  // activations: one scale per layer
    const float m = *std::max_element(s.act.begin(), s.act.end());
    std::fill(s.act.begin(), s.act.end(), m);
  }
  group_max(s.w, oc, P, per_oc, per_point);
  double cur[2];
  double best = r.mse_initial = t.eval(s, cur);
  // A step is kept only if it lowers the error on both halves of the tuning images (the even
  // ones and the odd ones), so that a clip that fits a few images' outliers is not taken.
  auto better = [&](const td_scales& c) {
    double h[2];
    const double e = t.eval(c, h);
    if (!(e < best && h[0] < cur[0] && h[1] < cur[1])) return false;
    best = e, cur[0] = h[0], cur[1] = h[1];
    return true;
  };
  if (search) {
    const std::vector<float> grid =
        pow2 ? std::vector<float>{0.5f, 0.25f}
             : std::vector<float>{0.95f, 0.9f, 0.85f, 0.8f, 0.75f, 0.7f, 0.6f, 0.5f};
    auto scaled = [](std::vector<float> v, float f, int stride, int at) {
      for (size_t i = 0; i < v.size(); ++i)
        if (at < 0 || int(i % size_t(stride)) == at) v[i] *= f;
      return v;
    };
    for (int which = 0; which < 2; ++which) {  // 1-2: global multipliers
      td_scales base = s;
      for (float f : grid) {
        td_scales c = base;
        (which == 0 ? c.act : c.w) = scaled(which == 0 ? base.act : base.w, f, 1, -1);
        if (better(c)) s = c;
      }
    }
    if (per_point) {  // 3-4: per transform point
      const std::vector<float> steps = pow2 ? std::vector<float>{0.5f, 2.f}
                                            : std::vector<float>{0.85f, 1.15f};
      for (int which = 0; which < 2; ++which)
        for (int p = 0; p < P; ++p)
          for (float f : steps) {
            td_scales c = s;
            if (which == 0)
              c.act[size_t(p)] *= f;
            else
              c.w = scaled(s.w, f, P, p);
            if (better(c)) {
              s = c;
              break;
            }
          }
    }
  }
  if (pow2) {
    for (float& v : s.act) v = pow2_ceil(v);
    for (float& v : s.w) v = pow2_ceil(v);
  }
  r.scales = s;
  r.mse_tuned = best;
  r.evaluations = t.evals();
  return r;
}

}  // namespace sfc_tools
