// The executor's int8 mode (graph/executor.h): calibration, quantization, the per-conv
// implementation choice (forced, cached or measured in place) and the dispatch log.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>

#include "graph/executor-internal.h"
#include "graph/ops/conv2d-int8.h"
#include "graph/plan-cache.h"
#include "kernels/common/error.h"
#include "kernels/isa.h"

namespace sfc {

std::vector<float> image_batch(const calibration_data& c, size_t per_image, int images, int first,
                               int batch) {
  std::vector<float> b(per_image * size_t(batch));
  for (int i = 0; i < batch; ++i) {
    const size_t src = size_t((first + i) % images) * per_image;
    std::copy(c.images.begin() + long(src), c.images.begin() + long(src + per_image),
              b.begin() + long(size_t(i) * per_image));
  }
  return b;
}

std::string format_pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", 100 * v);
  return buf;
}

std::string format_ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f ms", v);
  return buf;
}

namespace {

// ", 0.1234 ms, error 1.23 %" for a measured candidate.
std::string measured(const executor::int8_state::conv_entry& e, size_t i) {
  std::string s;
  if (e.time_ms[i] >= 0) s += ", " + format_ms(e.time_ms[i]);
  if (e.err_pct[i] >= 0) s += ", error " + format_pct(e.err_pct[i] / 100);
  return s;
}

// fp32 value ranges (and pre-residual maxima) over the calibration images.
calibration_ranges calibrate_ranges(const graph& model, const graph& prepared,
                                    const std::vector<shape_t>& shapes,
                                    const executor_options& opts, size_t per_image, int images,
                                    const range_method& rm) {
  calibration_ranges r;
  r.values.resize(prepared.values.size());
  r.pre_residual_maxabs.assign(prepared.nodes.size(), 0.f);
  executor_options o;
  o.threads = opts.threads, o.conv = opts.conv, o.prepare = opts.prepare;
  o.reuse_memory = false, o.max_arena_bytes = opts.max_arena_bytes;
  o.pre_residual_observer = [&r](size_t node, const float* v, size_t n) {
    float m = r.pre_residual_maxabs.at(node);
    for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(v[i]));
    r.pre_residual_maxabs[node] = m;
  };
  shape_t s = shapes.at(0);
  const bool dynamic = model.values[size_t(model.inputs[0])].desc.shape.at(0) < 0;
  const int batch =
      dynamic ? std::max(1, std::min(opts.int8.calibration.batch, images)) : int(s[0]);
  s[0] = batch;
  executor cal(model, {s}, o);
  const graph& cg = cal.prepared_graph();
  bool same =
      cg.values.size() == prepared.values.size() && cg.nodes.size() == prepared.nodes.size();
  for (size_t k = 0; same && k < cg.nodes.size(); ++k)
    same = cg.nodes[k].name == prepared.nodes[k].name;
  if (!same)
    throw error(error::internal,
                "int8 calibration: the calibration graph differs from the prepared graph");
  // Pass 1: min / max (and pre-residual maxima); pass 2 (percentile, mse): histograms of |x|.
  const int passes = rm.kind == range_method::minmax ? 1 : 2;
  for (int pass = 0; pass < passes; ++pass) {
    if (pass == 1)
      for (value_range& vr : r.values)
        vr.hist_max = std::max(std::fabs(vr.min), std::fabs(vr.max));
    for (int first = 0; first < images; first += batch) {
      const std::vector<float> b =
          image_batch(opts.int8.calibration, per_image, images, first, batch);
      cal.set_input(0, b.data(), opts.int8.calibration.layout);
      cal.run();
      // The last batch may wrap around to the first images: count each image once.
      const size_t used = size_t(std::min(batch, images - first));
      for (size_t v = 0; v < cg.values.size(); ++v) {
        const value& val = cg.values[v];
        if (val.is_const || val.desc.type != dtype::f32 || cal.plan().offset[v] < 0) continue;
        const float* d = static_cast<const float*>(cal.value_data(int(v)));
        const size_t n = size_t(val.desc.numel());
        const bool batched = val.desc.rank() > 0 && val.desc.shape[0] == batch;
        const size_t count = batched ? n / size_t(batch) * used : n;
        if (pass == 0)
          r.values[v].add(d, count);
        else
          r.values[v].add_hist(d, count);
      }
    }
  }
  return r;
}

}  // namespace

namespace {

int8_plan current_plan_header(uint64_t hash, int threads) {
  int8_plan p;
  p.cpu = detect_cpu().describe(), p.isa = isa_name(effective_isa()), p.threads = threads;
  p.model = hash;
  return p;
}

// Reads the plan cache into st.cached; st.have_cache says whether it is usable here.
void read_plan_cache(executor::int8_state& st, const std::string& path, const int8_plan& here) {
  std::string why;
  st.have_cache = read_int8_plan(path, &st.cached, &why);
  const int8_plan& c = st.cached;
  if (!st.have_cache) {
    st.log("sfc: int8 plan cache ignored: " + why);
  } else if (c.cpu != here.cpu || c.isa != here.isa || c.threads != here.threads ||
             c.model != here.model || c.convs.size() != st.convs.size()) {
    st.log("sfc: int8 plan cache " + path +
           " is for another CPU, thread count or model; re-measuring");
    st.have_cache = false;
  }
}

void log_dispatch(const executor::int8_state& st, const graph& g,
                  const std::vector<std::string>& impl_names) {
  for (size_t c = 0; c < st.convs.size(); ++c) {
    const executor::int8_state::conv_entry& e = st.convs[c];
    st.log("sfc dispatch: " + g.nodes[e.step].label() + " [" + describe_conv_int8(e.layer) +
           "]: " + impl_names[c] + " (" + e.how + measured(e, size_t(e.chosen)) + ")");
    for (size_t i = 0; i < e.impls.size(); ++i) {
      if (int(i) == e.chosen) continue;
      if (!e.impls[i].rejected.empty())
        st.log("sfc dispatch:   rejected " + conv_impl_name(e.impls[i]) + ": " +
               e.impls[i].rejected);
      else if (e.time_ms[i] >= 0)
        st.log("sfc dispatch:   slower " + conv_impl_name(e.impls[i]) + measured(e, i));
    }
  }
}

}  // namespace

void executor::prepare_int8(const graph& model, const std::vector<shape_t>& input_shapes) {
  const int8_options& io = opts_.int8;
  if (g_.inputs.size() != 1) throw_unsupported("int8 mode: only single-input models are supported");
  int8_state st;
  st.is_auto = io.policy == "auto";
  if (!st.is_auto && !conv_impl_from_name(io.policy, &st.forced))
    throw_invalid("int8 mode: unknown implementation policy '" + io.policy + "'");
  st.log = [this](const std::string& l) { log_line(l); };
  const tensor_desc& in = g_.values[size_t(g_.inputs[0])].desc;
  st.per_image = size_t(in.numel() / std::max<int64_t>(in.shape.at(0), 1));
  // A quantized graph (quantized model file) needs calibration images only for what it does not
  // fix itself: transform-domain scales of SFC candidates it has none for.
  const bool prequantized = g_.quantized;
  if ((!prequantized && io.calibration.images.empty()) ||
      io.calibration.images.size() % st.per_image)
    throw_invalid("int8 mode: calibration images must hold a whole number of images of " +
                  std::to_string(st.per_image) + " floats");
  if (io.td_bits != 8 && io.td_bits != 6 && io.td_bits != 4)
    throw_invalid("int8 mode: transform-domain bits must be 8, 6 or 4, got " +
                  std::to_string(io.td_bits));
  st.images = int(io.calibration.images.size() / st.per_image);
  range_method rm;
  if (!parse_range_method(io.range_method, &rm))
    throw_invalid("int8 mode: unknown range method '" + io.range_method +
                  "' (minmax, percentile[:P] or mse)");
  if (!prequantized) {
    quantize_graph(g_, calibrate_ranges(model, g_, input_shapes, opts_, st.per_image, st.images, rm),
                   rm);
    g_.quantized = true;
  }
  const int8_plan here = current_plan_header(int8_model_hash(g_, io.td_bits, io.max_rel_error), threads());
  build_steps();
  bool all_fixed = true;
  for (size_t k = 0; k < g_.nodes.size(); ++k) {
    node& n = g_.nodes[k];
    if (n.op != op_type::conv || !n.conv.quant.valid) continue;
    if (n.conv.quant.impl.empty()) n.conv.quant.td_bits = io.td_bits;
    all_fixed = all_fixed && !n.conv.quant.impl.empty();
    int8_state::conv_entry e;
    e.step = k;
    e.layer = make_conv_int8_layer(g_, n, threads());
    e.impls = conv_int8_candidates(e.layer);
    e.time_ms.assign(e.impls.size(), -1.0);
    e.err_pct.assign(e.impls.size(), -1.0);
    st.convs.push_back(std::move(e));
  }
  if (st.is_auto && all_fixed && !st.convs.empty()) {
    // The model's own per-layer choices act as the plan (a forced policy overrides them).
    st.cached = here, st.have_cache = true, st.fixed_by_model = true;
    for (const auto& e : st.convs)
      st.cached.convs.emplace_back(g_.nodes[e.step].name, g_.nodes[e.step].conv.quant.impl);
  } else if (st.is_auto && !io.plan_cache.empty()) {
    read_plan_cache(st, io.plan_cache, here);
  }
  select_conv_impls(st);
  if (st.is_auto && !io.plan_cache.empty() && !st.have_cache) {
    int8_plan p = here;
    for (const auto& e : st.convs)
      p.convs.emplace_back(g_.nodes[e.step].name, conv_impl_name(e.impls[size_t(e.chosen)]));
    std::string why;
    if (!write_int8_plan(io.plan_cache, p, &why))
      log_line("sfc: int8 plan cache not written: " + why);
  }
  std::vector<std::string> names;
  for (const auto& e : st.convs) {
    conv_info& ci = g_.nodes[e.step].conv;
    ci.impls = e.impls, ci.chosen_impl = e.chosen;
    names.push_back(steps_[e.step]->kernel->impl_name());
    // Record the choice and the transform-domain scales in use (quantized_model() exports them).
    const conv_impl_choice& c = e.impls[size_t(e.chosen)];
    const std::string chosen = conv_impl_name(c);
    const auto m = e.sfc_maxabs.find(c.variant);
    if (c.kind == conv_impl_kind::sfc && ci.quant.impl != chosen && m != e.sfc_maxabs.end()) {
      const int qmax = (1 << (ci.quant.td_bits - 1)) - 1;
      ci.quant.td_act_scale.clear();  // as fastconv_q8_act_scales_from_maxabs computes them
      for (double mx : m->second) ci.quant.td_act_scale.push_back(float(std::max(mx / qmax, 1.0)));
      ci.quant.td_weight_scale.clear(), ci.quant.td_bias_correction.clear();
    } else if (c.kind != conv_impl_kind::sfc) {
      ci.quant.td_act_scale.clear(), ci.quant.td_weight_scale.clear();
      ci.quant.td_bias_correction.clear();
    }
    ci.quant.impl = chosen;
  }
  if (opts_.verbose_dispatch || verbose_dispatch()) log_dispatch(st, g_, names);
}

}  // namespace sfc
