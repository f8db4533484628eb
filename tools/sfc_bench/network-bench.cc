#include "tools/sfc_bench/network-bench.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "kernels/common/median.h"
#include "sfc/sfc.h"
#include "tools/common/image-list.h"

namespace sfc {

namespace {

void check(sfc_status s, const std::string& what) {
  if (s != SFC_STATUS_SUCCESS)
    throw std::runtime_error(what + ": " + sfc_status_string(s) + ": " + sfc_last_error_message());
}

struct pipeline {
  network_bench_row row;
  sfc_model model = nullptr;
  sfc_session session = nullptr;
  std::vector<double> ms;
  ~pipeline() {
    sfc_session_destroy(session);
    sfc_model_destroy(model);
  }
};

// Deterministic input / calibration data shaped like the model's input (batch b).
std::vector<float> synthetic_input(const sfc_tensor_desc& in, int64_t batch, uint32_t seed) {
  size_t n = size_t(batch);
  for (uint32_t d = 1; d < in.rank; d++) n *= size_t(in.dims[d]);
  std::mt19937 g(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> x(n);
  for (auto& v : x) v = nd(g);
  return x;
}

void open_pipeline(sfc_context ctx, const network_bench_options& o, pipeline& p, const std::vector<float>& calib,
                   uint32_t calib_count) {
  sfc_model_options mo;
  sfc_model_options_init(&mo);
  mo.precision = o.int8 ? SFC_PRECISION_INT8 : SFC_PRECISION_FP32;
  mo.impl = p.row.pipeline.c_str();
  mo.batch = uint32_t(o.batch);
  mo.transform_bits = uint32_t(o.bits);
  if (p.row.pipeline == "auto" && !o.plan_cache.empty()) mo.plan_cache_path = o.plan_cache.c_str();
  if (o.int8) mo.calibration_data = calib.data(), mo.calibration_count = calib_count;
  const bool builtin = o.model.find('.') == std::string::npos && o.model.find('/') == std::string::npos;
  const auto t0 = std::chrono::steady_clock::now();
  check(builtin ? sfc_model_create_builtin(ctx, o.model.c_str(), &mo, &p.model)
                : sfc_model_load_file(ctx, o.model.c_str(), &mo, &p.model),
        "loading " + o.model + " (" + p.row.pipeline + ")");
  check(sfc_session_create(p.model, nullptr, &p.session), "sfc_session_create");
  p.row.prepare_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double time_run(pipeline& p) {
  const auto t0 = std::chrono::steady_clock::now();
  check(sfc_session_run(p.session), "sfc_session_run");
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void collect_layers(pipeline& p) {
  if (sfc_session_set_profiling(p.session, 1) != SFC_STATUS_SUCCESS) return;  // not available
  check(sfc_session_run(p.session), "profiled run");
  const uint32_t n = sfc_session_node_count(p.session);
  for (uint32_t k = 0; k < n; k++) {
    sfc_node_info info;
    check(sfc_session_get_node_info(p.session, k, &info), "sfc_session_get_node_info");
    p.row.layers.push_back({info.name, info.op, info.impl, info.last_ms, info.macs});
  }
  sfc_session_set_profiling(p.session, 0);
}

}  // namespace

std::vector<network_bench_row> run_network_bench(const network_bench_options& o) {
  sfc_context_options co;
  sfc_context_options_init(&co);
  co.num_threads = uint32_t(o.threads);
  sfc_context ctx = nullptr;
  check(sfc_context_create(&co, &ctx), "sfc_context_create");
  std::vector<std::unique_ptr<pipeline>> ps;
  std::vector<float> calib, input;
  for (const std::string& name : o.pipelines) {
    auto p = std::make_unique<pipeline>();
    p->row.pipeline = name;
    try {
      if (input.empty()) {  // learn the input shape from an fp32 probe of the model
        pipeline probe;
        probe.row.pipeline = "auto";
        network_bench_options fp = o;
        fp.int8 = false;
        open_pipeline(ctx, fp, probe, calib, 0);
        sfc_tensor_desc in;
        check(sfc_model_input_desc(probe.model, 0, &in), "sfc_model_input_desc");
        input = synthetic_input(in, o.batch, 7);
        calib = synthetic_input(in, 4, 8);
      }
      open_pipeline(ctx, o, *p, calib, 4);
      sfc_tensor_desc in;
      check(sfc_model_input_desc(p->model, 0, &in), "sfc_model_input_desc");
      check(sfc_session_set_input(p->session, 0, &in, input.data()), "sfc_session_set_input");
    } catch (const std::exception& e) {
      p->row.error = e.what();
    }
    ps.push_back(std::move(p));
  }
  for (int r = 0; r < o.warmup; r++)
    for (auto& p : ps)
      if (p->row.error.empty()) time_run(*p);
  for (int r = 0; r < o.runs; r++)
    for (auto& p : ps)
      if (p->row.error.empty()) p->ms.push_back(time_run(*p));
  double onednn = 0;
  for (auto& p : ps)
    if (p->row.pipeline == "onednn" && p->row.error.empty()) onednn = median(p->ms);
  std::vector<network_bench_row> rows;
  for (auto& p : ps) {
    if (p->row.error.empty()) {
      p->row.median_ms = median(p->ms);
      p->row.min_ms = *std::min_element(p->ms.begin(), p->ms.end());
      p->row.max_ms = *std::max_element(p->ms.begin(), p->ms.end());
      p->row.ratio_vs_onednn = onednn > 0 ? p->row.median_ms / onednn : 0;
      p->row.images_per_s = 1000.0 * o.batch / p->row.median_ms;
      if (o.per_layer) collect_layers(*p);
    }
    rows.push_back(p->row);
  }
  ps.clear();
  sfc_context_destroy(ctx);
  return rows;
}

std::string network_bench_table(const network_bench_options& o, const std::vector<network_bench_row>& rows) {
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s  %s  batch=%d  threads=%d  runs=%d\n", o.model.c_str(), o.int8 ? "int8" : "fp32",
                o.batch, o.threads, o.runs);
  s += buf;
  std::snprintf(buf, sizeof buf, "%-10s %10s %10s %10s %14s %9s %10s\n", "pipeline", "median ms", "min ms", "max ms",
                "latency/oneDNN", "images/s", "prepare s");
  s += buf;
  for (const auto& r : rows) {
    if (!r.error.empty()) std::snprintf(buf, sizeof buf, "%-10s n/a: %s\n", r.pipeline.c_str(), r.error.c_str());
    else
      std::snprintf(buf, sizeof buf, "%-10s %10.3f %10.3f %10.3f %13.3fx %9.1f %10.2f\n", r.pipeline.c_str(), r.median_ms,
                    r.min_ms, r.max_ms, r.ratio_vs_onednn, r.images_per_s, r.prepare_s);
    s += buf;
  }
  for (const auto& r : rows) {
    if (r.layers.empty()) continue;
    double total = 0;
    for (const auto& l : r.layers) total += l.ms;
    std::snprintf(buf, sizeof buf, "\nper-layer, pipeline %s (profiled run, %.3f ms in nodes):\n%-28s %-8s %9s %6s  %s\n",
                  r.pipeline.c_str(), total, "node", "op", "ms", "share", "implementation");
    s += buf;
    for (const auto& l : r.layers) {
      std::snprintf(buf, sizeof buf, "%-28s %-8s %9.4f %5.1f%%  %s\n", l.name.substr(0, 28).c_str(), l.op.c_str(), l.ms,
                    total > 0 ? 100.0 * l.ms / total : 0.0, l.impl.c_str());
      s += buf;
    }
  }
  return s;
}

std::string network_bench_json(const network_bench_options& o, const std::vector<network_bench_row>& rows) {
  std::string s = "{\n  \"model\": \"" + json_escape(o.model) + "\", \"precision\": \"" + (o.int8 ? "int8" : "fp32") +
                  "\", \"batch\": " + std::to_string(o.batch) + ", \"threads\": " + std::to_string(o.threads) +
                  ", \"runs\": " + std::to_string(o.runs) + ",\n  \"pipelines\": [\n";
  char buf[256];
  for (size_t i = 0; i < rows.size(); i++) {
    const auto& r = rows[i];
    s += "    {\"pipeline\": \"" + json_escape(r.pipeline) + "\"";
    if (!r.error.empty()) s += ", \"error\": \"" + json_escape(r.error) + "\"";
    else {
      std::snprintf(buf, sizeof buf, ", \"median_ms\": %.6f, \"min_ms\": %.6f, \"max_ms\": %.6f, \"latency_vs_onednn\": %.6f, \"images_per_s\": %.3f",
                    r.median_ms, r.min_ms, r.max_ms, r.ratio_vs_onednn, r.images_per_s);
      s += buf;
      s += ", \"layers\": [";
      for (size_t k = 0; k < r.layers.size(); k++) {
        const auto& l = r.layers[k];
        std::snprintf(buf, sizeof buf, "\"ms\": %.6f, \"macs\": %.0f", l.ms, l.macs);
        s += std::string(k ? ", " : "") + "{\"name\": \"" + json_escape(l.name) + "\", \"op\": \"" + json_escape(l.op) +
             "\", \"impl\": \"" + json_escape(l.impl) + "\", " + buf + "}";
      }
      s += "]";
    }
    s += std::string("}") + (i + 1 < rows.size() ? "," : "") + "\n";
  }
  return s + "  ]\n}\n";
}

}  // namespace sfc
