#include "tools/sfc_quantize/layer-report.h"

#include <cstdio>

#include "graph/backends/conv2d-backend.h"
#include "kernels/common/error.h"
#include "tools/common/bops.h"
#include "tools/common/image-list.h"

namespace sfc_tools {
namespace {

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

bool fits(const sfc::conv_int8_layer& L, const std::string& algo) {
  for (const sfc::conv_impl_choice& c : sfc::conv_int8_candidates(L))
    if (c.kind == sfc::conv_impl_kind::sfc && c.variant == algo) return c.rejected.empty();
  return false;
}

}  // namespace

std::vector<std::string> report_algorithms(const std::vector<layer_data>& layers,
                                           const std::vector<std::string>& wanted) {
  std::vector<std::string> cand = wanted;
  if (cand.empty()) cand = sfc::conv_int8_sfc_algorithms();
  std::vector<std::string> out = {"direct"};
  for (const std::string& a : cand) {
    if (a == "direct") continue;
    if (!sfc::find_algorithm(a)) sfc::throw_invalid("--compare: unknown algorithm '" + a + "'");
    bool any = false;
    for (const layer_data& d : layers) any = any || fits(d.L, a);
    if (any) out.push_back(a);
  }
  return out;
}

layer_entry report_layer(const layer_data& d, const std::vector<std::string>& algos, int bits,
                         const td_tune_result* chosen, int images) {
  layer_entry e;
  const sfc::conv2d_params& p = d.L.ci.p;
  e.name = d.name, e.impl = d.L.ci.quant.impl;
  e.shape = std::to_string(p.ic) + "->" + std::to_string(p.oc) + " k" + std::to_string(p.kh) +
            " s" + std::to_string(p.stride_h) + " " + std::to_string(p.h) + "x" +
            std::to_string(p.w);
  sfc::conv2d_params one = p;
  one.n = 1;  // BOPs per image
  for (const std::string& a : algos) {
    double mse = -1, gb = -1;
    sfc::conv_int8_layer L = d.L;
    L.ci.quant.impl.clear(), L.ci.quant.td_act_scale.clear(), L.ci.quant.td_weight_scale.clear();
    L.ci.quant.td_bias_correction.clear();
    L.ci.quant.td_bits = bits;
    try {
      if (a == "direct") {
        gb = sfc::bops_direct(one, d.L.ci.groups, 8).total() * 1e-9;
        sfc::conv_impl_choice c;
        c.kind = sfc::conv_impl_kind::onednn_int8;
        try {
          mse = layer_rel_mse(d, L, c, nullptr);
        } catch (const sfc::error&) {  // e.g. oneDNN absent or declining a zero point
          c.kind = sfc::conv_impl_kind::reference_int8;
          mse = layer_rel_mse(d, L, c, nullptr);
        }
      } else if (fits(L, a)) {
        gb = sfc::bops_fast(one, 1, *sfc::find_algorithm(a), bits).total() * 1e-9;
        std::vector<double> maxabs;
        sfc::conv_int8_calibrate_sfc(L, a, d.src.data(), images, maxabs);
        sfc::conv_impl_choice c;
        c.kind = sfc::conv_impl_kind::sfc, c.variant = a;
        mse = layer_rel_mse(d, L, c, &maxabs);
      }
    } catch (const sfc::error&) {
      mse = -1;  // the implementation declines this layer: n/a in the report
    }
    e.mse.emplace_back(a, mse);
    e.gbops.emplace_back(a, gb);
  }
  const sfc::fastconv_algorithm* alg = sfc::find_algorithm(e.impl);
  e.chosen_gbops = alg ? sfc::bops_fast(one, 1, *alg, d.L.ci.quant.td_bits).total() * 1e-9
                       : sfc::bops_direct(one, d.L.ci.groups, 8).total() * 1e-9;
  if (chosen) e.tuned = true, e.tune = *chosen;
  return e;
}

std::string report_markdown(const quantize_report& r, const std::string& title) {
  std::string s = "## " + title + "\n\n";
  s += "Relative output MSE of each layer against the fp32 layer (MSE / mean square of the fp32 "
       "output), on the tuning images, with the layer's int8 input from the quantized network. "
       "SFC / Winograd columns: max-abs transform-domain scales at " +
       std::to_string(r.bits) + " bits. GBOPs per image (multiplication b², addition b).\n\n";
  s += "| layer | shape | chosen |";
  for (const std::string& a : r.algos) s += " " + a + " |";
  s += " chosen, max-abs | chosen, final scales | GBOPs direct | GBOPs chosen |\n|---|---|---|";
  for (size_t i = 0; i < r.algos.size() + 4; ++i) s += "---|";
  s += "\n";
  for (const layer_entry& e : r.layers) {
    s += "| " + e.name + " | " + e.shape + " | " + e.impl + " |";
    for (const auto& m : e.mse) s += m.second < 0 ? " – |" : " " + fmt("%.3e", m.second) + " |";
    if (e.tuned)
      s += " " + fmt("%.3e", e.tune.mse_maxabs) + " | " + fmt("%.3e", e.tune.mse_tuned) + " |";
    else
      s += " – | – |";
    s += " " + fmt("%.4f", e.gbops.empty() ? 0.0 : e.gbops[0].second) + " | " +
         fmt("%.4f", e.chosen_gbops) + " |\n";
  }
  s += "\nConvolutions, whole network: " + fmt("%.3f", r.direct_gbops) +
       " GBOPs as direct int8, " + fmt("%.3f", r.chosen_gbops) + " GBOPs as quantized (" +
       fmt("%.2f", r.chosen_gbops > 0 ? r.direct_gbops / r.chosen_gbops : 0.0) + "x fewer).\n";
  return s;
}

std::string report_json(const quantize_report& r,
                        const std::vector<std::pair<std::string, std::string>>& meta) {
  std::string s = "{\n  \"metadata\": {";
  for (size_t i = 0; i < meta.size(); ++i)
    s += std::string(i ? ", " : "") + "\"" + sfc::json_escape(meta[i].first) + "\": \"" +
         sfc::json_escape(meta[i].second) + "\"";
  s += "},\n  \"bits\": " + std::to_string(r.bits) + ",\n  \"direct_gbops\": " +
       fmt("%.6f", r.direct_gbops) + ",\n  \"chosen_gbops\": " + fmt("%.6f", r.chosen_gbops) +
       ",\n  \"layers\": [\n";
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const layer_entry& e = r.layers[i];
    s += "    {\"name\": \"" + sfc::json_escape(e.name) + "\", \"shape\": \"" + e.shape +
         "\", \"impl\": \"" + e.impl + "\", \"gbops_chosen\": " + fmt("%.6f", e.chosen_gbops) +
         ", \"rel_mse\": {";
    for (size_t k = 0; k < e.mse.size(); ++k)
      s += std::string(k ? ", " : "") + "\"" + e.mse[k].first + "\": " +
           (e.mse[k].second < 0 ? std::string("null") : fmt("%.6e", e.mse[k].second));
    s += "}, \"gbops\": {";
    for (size_t k = 0; k < e.gbops.size(); ++k)
      s += std::string(k ? ", " : "") + "\"" + e.gbops[k].first + "\": " +
           (e.gbops[k].second < 0 ? std::string("null") : fmt("%.6f", e.gbops[k].second));
    s += "}";
    if (e.tuned)
      s += ", \"tuning\": {\"rel_mse_maxabs\": " + fmt("%.6e", e.tune.mse_maxabs) +
           ", \"rel_mse_initial\": " + fmt("%.6e", e.tune.mse_initial) +
           ", \"rel_mse_final\": " + fmt("%.6e", e.tune.mse_tuned) +
           ", \"evaluations\": " + std::to_string(e.tune.evaluations) + "}";
    s += i + 1 < r.layers.size() ? "},\n" : "}\n";
  }
  s += "  ]\n}\n";
  return s;
}

}  // namespace sfc_tools
