#include "tools/sfc_quantize/td-bias-correction.h"

#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"

namespace sfc_tools {

std::vector<float> td_bias_correction(const layer_data& d, const sfc::conv_int8_layer& L) {
  const sfc::conv_quant_params& q = L.ci.quant;
  const sfc::fastconv_algorithm* alg = sfc::find_algorithm(q.impl);
  if (!alg || q.td_act_scale.empty())
    throw sfc::error(sfc::error::internal, d.name + ": no transform-domain scales");
  const sfc::conv2d_params& p = L.ci.p;
  const sfc::fastconv_q8_weights w = sfc::fastconv_q8_transform_weights(
      *alg, p.oc, p.ic, L.weights.data(), q.td_bits,
      q.td_weight_scale.empty() ? nullptr : &q.td_weight_scale);
  const sfc::fastconv_q8_act_scales s =
      sfc::fastconv_q8_act_scales_from_scales(q.td_act_scale, q.td_bits);
  const size_t out = size_t(p.n) * size_t(p.oh()) * size_t(p.ow()) * size_t(p.oc);
  std::vector<float> approx(out);
  sfc::fastconv_q8_run_acc(*alg, p, d.src.data(), q.src_type, q.src_zero_point, w, s,
                           approx.data());
  std::vector<int32_t> exact(out);  // [n, oh, ow, oc], no bias
  if (q.src_type == sfc::qtype::u8)
    sfc::fastconv_u8_exact(*alg, p, d.src.data(), q.src_zero_point, L.weights.data(), nullptr,
                           exact.data());
  else
    sfc::fastconv_s8_exact(*alg, p, reinterpret_cast<const int8_t*>(d.src.data()),
                           q.src_zero_point, L.weights.data(), nullptr, exact.data());
  std::vector<double> sum(size_t(p.oc), 0.0);
  for (size_t i = 0; i < out; ++i) sum[i % size_t(p.oc)] += double(approx[i]) - double(exact[i]);
  const double positions = double(out / size_t(p.oc));
  std::vector<float> c(size_t(p.oc));
  for (size_t o = 0; o < c.size(); ++o)
    c[o] = float(-sum[o] / positions * double(q.src_scale) * double(q.weight_scale.at(o)));
  return c;
}

}  // namespace sfc_tools
