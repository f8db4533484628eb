#include "tools/sfc_quantize/quantize-pipeline.h"

#include "graph/executor.h"
#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "tools/sfc_quantize/td-bias-correction.h"

namespace sfc_tools {

quantize_settings settings_from(const quantize_options& o) {
  quantize_settings s;
  s.algo = o.algo, s.bits = o.bits, s.range = o.range, s.granularity = o.granularity;
  s.tune = o.tune, s.pow2 = o.pow2, s.tune_images = o.tune_images;
  s.bias_correction = o.bias_correction;
  s.error_budget = o.error_budget, s.compare = o.compare;
  s.threads = o.threads, s.batch = o.batch;
  return s;
}

quantize_result quantize_model(const sfc::graph& model, const std::vector<float>& images,
                               int count, const quantize_settings& s) {
  if (model.inputs.size() != 1) sfc::throw_invalid("only single-input models are supported");
  const sfc::shape_t in_shape = sfc::input_shapes_with_batch(model, s.batch).at(0);
  // 1. Calibration, quantization and the implementation per conv.
  sfc::executor_options eo;
  eo.prec = sfc::precision::int8;
  eo.threads = s.threads;
  eo.int8.policy = s.algo;
  eo.int8.td_bits = s.bits;
  eo.int8.range_method = s.range;
  eo.int8.max_rel_error = s.error_budget;
  eo.int8.calibration.images = images;
  eo.int8.calibration.layout = s.layout;
  // A model quantized elsewhere (TFLite int8, ONNX QDQ) keeps its spatial scales: only the
  // implementations and the transform-domain scales are chosen here, against its own int8
  // results on the reference kernels instead of an fp32 twin.
  if (model.quantized && s.log) s.log("sfc_quantize: the model is already quantized: keeping its scales");
  eo.log = [&](const std::string& l) {
    if (s.log && l.rfind("sfc dispatch:", 0) != 0) s.log(l);
  };
  quantize_result r;
  r.q = sfc::executor(model, {in_shape}, eo).quantized_model();

  // 2. Per-layer data on the tuning images, transform-domain scales, report.
  const int tune_n = std::min(s.tune_images, count);
  const size_t per_image = images.size() / size_t(count);
  const std::vector<float> tune(images.begin(), images.begin() + long(size_t(tune_n) * per_image));
  std::vector<layer_data> layers = collect_layer_data(model, r.q, tune, tune_n, s.threads, s.layout);
  quantize_report& rep = r.report;
  rep.bits = s.bits;
  if (s.report) rep.algos = report_algorithms(layers, s.compare);
  int done = 0;
  bool stale = false;  // an earlier layer's scales changed since the inputs were recorded
  for (layer_data& d : layers) {
    if (s.progress) s.progress(done, int(layers.size()), d.name);
    td_tune_result t;
    const bool fast = sfc::find_algorithm(d.L.ci.quant.impl) != nullptr;
    if (fast) {
      // Sequential (AdaQuant-style): layer k is tuned on the inputs that the layers before it,
      // with their final scales, produce.
      if (stale) refresh_int8_inputs(r.q, tune, tune_n, s.threads, s.layout, layers);
      t = tune_td_scales(d, s.granularity, s.pow2, s.tune);
      sfc::conv_quant_params& qp = r.q.nodes[d.node].conv.quant;
      stale = stale || qp.td_act_scale != t.scales.act || !qp.td_weight_scale.empty() ||
              !t.scales.w.empty();
      qp.td_act_scale = t.scales.act;
      qp.td_weight_scale = t.scales.w;
      if (s.bias_correction) {
        sfc::conv_int8_layer L = d.L;
        L.ci.quant.td_act_scale = t.scales.act, L.ci.quant.td_weight_scale = t.scales.w;
        qp.td_bias_correction = td_bias_correction(d, L);
        stale = true;
      }
    }
    if (s.report) {
      rep.layers.push_back(report_layer(d, rep.algos, s.bits, fast ? &t : nullptr, tune_n));
      rep.direct_gbops += rep.layers.back().gbops[0].second;
      rep.chosen_gbops += rep.layers.back().chosen_gbops;
    } else if (fast) {
      layer_entry e;
      e.name = d.name, e.impl = d.L.ci.quant.impl, e.tuned = true, e.tune = t;
      rep.layers.push_back(e);
    }
    if (s.progress) s.progress(++done, int(layers.size()), d.name);
  }
  return r;
}

}  // namespace sfc_tools
