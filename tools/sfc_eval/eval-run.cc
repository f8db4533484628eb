#include "tools/sfc_eval/eval-run.h"

#include "graph/sfcq/sfcq.h"
#include "tools/sfc_quantize/quantize-pipeline.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "graph/executor.h"
#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "tools/common/bops.h"
#include "tools/sfc_eval/progress.h"

namespace sfc_eval {

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

std::vector<sfc::shape_t> input_shapes(const sfc::graph& g, int64_t batch) {
  sfc::shape_t s = g.values[size_t(g.inputs.at(0))].desc.shape;
  if (!s.empty()) s[0] = batch;
  return {s};
}

// "sfc6_7x7_3x3" for the chosen implementation of an int8 conv; "" for fp32 convs.
std::string chosen_impl(const sfc::node& n, const sfc::conv_impl_choice** choice) {
  *choice = nullptr;
  if (n.conv.chosen_impl < 0 || size_t(n.conv.chosen_impl) >= n.conv.impls.size()) return "";
  const sfc::conv_impl_choice& c = n.conv.impls[size_t(n.conv.chosen_impl)];
  *choice = &c;
  return sfc::conv_impl_name(c);
}

// BOPs per image of a prepared executor and its implementation summary (sfc/bops.h rules).
double executor_bops(const sfc::executor& ex, const eval_config& cfg, int64_t batch, std::string* impls) {
  const sfc::graph& g = ex.prepared_graph();
  std::map<std::string, int> counts;
  double total = 0;
  const int spatial = cfg.int8 ? 8 : 32;
  for (size_t k = 0; k < g.nodes.size(); k++) {
    const sfc::node& n = g.nodes[k];
    if (n.op != sfc::op_type::conv) {
      total += double(ex.node_macs(k)) * spatial * spatial;
      continue;
    }
    const sfc::conv_impl_choice* c = nullptr;
    const std::string name = cfg.int8 ? chosen_impl(n, &c) : "fp32";
    counts[name.empty() ? "fp32" : name]++;
    const sfc::fastconv_algorithm* a = c && (c->kind == sfc::conv_impl_kind::sfc || c->kind == sfc::conv_impl_kind::sfc_exact)
                                           ? sfc::find_algorithm(c->variant) : nullptr;
    if (a && sfc::bops_fast_applicable(n.conv.p, n.conv.groups, *a))
      total += sfc::bops_fast(n.conv.p, n.conv.groups, *a,
                              c->kind == sfc::conv_impl_kind::sfc_exact ? 16
                              : g.quantized && !n.conv.quant.impl.empty() ? n.conv.quant.td_bits
                                                                          : cfg.bits).total();
    else
      total += sfc::bops_direct(n.conv.p, n.conv.groups, spatial).total();
  }
  std::vector<std::pair<int, std::string>> order;
  for (const auto& kv : counts) order.push_back({-kv.second, kv.first});
  std::sort(order.begin(), order.end());
  impls->clear();
  for (const auto& p : order) *impls += (impls->empty() ? "" : ", ") + p.second + " x" + std::to_string(-p.first);
  return total / double(batch);
}

sfc::executor_options make_options(const eval_config& cfg, const eval_options& o, const std::vector<float>& calib,
                                   const std::string& plan, std::vector<std::string>* notes) {
  sfc::executor_options eo;
  eo.threads = o.threads;
  eo.log = [notes](const std::string& line) { notes->push_back(line); };
  if (!cfg.int8) return eo;
  eo.prec = sfc::precision::int8;
  eo.int8.policy = cfg.policy;
  eo.int8.td_bits = cfg.bits;
  eo.int8.calibration.images = calib;
  eo.int8.calibration.layout = sfc::tensor_layout::plain;
  if (cfg.policy == "auto") eo.int8.plan_cache = plan;
  return eo;
}

float value_at(const sfc::value& v, const sfc::node* producer, const void* data, size_t i) {
  switch (v.desc.type) {
    case sfc::dtype::f32: return static_cast<const float*>(data)[i];
    case sfc::dtype::u8:
    case sfc::dtype::s8: {
      const float q = v.desc.type == sfc::dtype::u8 ? float(static_cast<const uint8_t*>(data)[i])
                                                    : float(static_cast<const int8_t*>(data)[i]);
      const sfc::conv_quant_params& p = producer->conv.quant;
      return (q - float(p.dst_zero_point)) * p.dst_scale;
    }
    default: return 0.f;
  }
}

// Per-conv feature-map error of `q` (int8, reuse_memory = false, batch 1) against `ref` (fp32,
// same) on the first m images; layers are matched by output value name.
std::vector<layer_error> feature_errors(sfc::executor& ref, sfc::executor& q, const decoded_images& im, size_t m) {
  const sfc::graph& fg = ref.prepared_graph();
  const sfc::graph& qg = q.prepared_graph();
  struct match { int fv, qv; const sfc::node* producer; double se = 0, ss = 0, count = 0; };
  std::vector<match> ms;
  std::vector<layer_error> out;
  for (const sfc::node& n : fg.nodes) {
    if (n.op != sfc::op_type::conv) continue;
    layer_error e;
    e.layer = n.name.empty() ? fg.values[size_t(n.outputs[0])].name : n.name;
    const sfc::value& fv = fg.values[size_t(n.outputs[0])];
    const int qv = qg.find_value(fv.name);
    const sfc::value* qval = qv >= 0 ? &qg.values[size_t(qv)] : nullptr;
    const sfc::node* prod = qval && qval->producer >= 0 ? &qg.nodes[size_t(qval->producer)] : nullptr;
    const bool ok = qval && prod && qval->desc.shape == fv.desc.shape && qval->desc.layout == fv.desc.layout &&
                    (qval->desc.type == sfc::dtype::f32 || (prod->op == sfc::op_type::conv && prod->conv.quant.valid));
    e.matched = ok;
    out.push_back(e);
    ms.push_back({n.outputs[0], ok ? qv : -1, prod});
  }
  for (size_t i = 0; i < m; i++) {
    ref.set_input(0, im.x.data() + i * im.per_image, sfc::tensor_layout::plain);
    q.set_input(0, im.x.data() + i * im.per_image, sfc::tensor_layout::plain);
    ref.run();
    q.run();
    for (match& mt : ms) {
      if (mt.qv < 0) continue;
      const float* a = static_cast<const float*>(ref.value_data(mt.fv));
      const void* b = q.value_data(mt.qv);
      const sfc::value& qval = qg.values[size_t(mt.qv)];
      const size_t count = size_t(qval.desc.numel());
      for (size_t k = 0; k < count; k++) {
        const double d = double(value_at(qval, mt.producer, b, k)) - double(a[k]);
        mt.se += d * d, mt.ss += double(a[k]) * double(a[k]);
      }
      mt.count += double(count);
    }
  }
  for (size_t l = 0; l < ms.size(); l++) {
    if (ms[l].qv < 0 || ms[l].count == 0) continue;
    out[l].mse = ms[l].se / ms[l].count;
    out[l].rel_mse = ms[l].ss > 0 ? ms[l].se / ms[l].ss : 0;
  }
  return out;
}

// top-1 index and the rank of `label` (number of logits strictly larger).
void classify(const float* logits, int classes, int label, int* top1, int* rank) {
  int best = 0, r = 0;
  for (int c = 1; c < classes; c++)
    if (logits[c] > logits[best]) best = c;
  // Ties rank by class index, as the arg-max above (int8 outputs such as a quantized softmax
  // tie often; a tie must not count as correct for several classes).
  for (int c = 0; c < classes; c++)
    if (label >= 0 && label < classes &&
        (logits[c] > logits[label] || (logits[c] == logits[label] && c < label)))
      r++;
  *top1 = best;
  *rank = label >= 0 && label < classes ? r : classes;
}

std::string temp_plan_path() {
  char tmpl[] = "/tmp/sfc-eval-plan-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return "";
  close(fd);
  std::remove(tmpl);
  return tmpl;
}

// The sfc_quantize pipeline for a "+tune" configuration, on the calibration images (NCHW).
sfc::graph tuned_model(const sfc::graph& model, const eval_config& cfg, const eval_options& o,
                       const std::vector<float>& calib) {
  sfc_tools::quantize_settings s;
  s.algo = cfg.policy, s.bits = cfg.bits, s.threads = o.threads;
  s.report = false, s.layout = sfc::tensor_layout::plain;
  const size_t per = size_t(sfc::shape_numel(input_shapes(model, 1).at(0)));
  const int count = int(calib.size() / per);
  if (count == 0) sfc::throw_invalid(cfg.name + " needs calibration images");
  return sfc_tools::quantize_model(model, calib, count, s).q;
}

void run_config(const sfc::graph& model, const eval_options& o, const decoded_images& im, const std::vector<int>& labels,
                const std::vector<float>& calib, int64_t batch, bool progress, sfc::executor* ref, config_result& r) {
  const std::string plan = r.cfg.int8 && r.cfg.policy == "auto" ? temp_plan_path() : "";
  struct plan_guard { std::string p; ~plan_guard() { if (!p.empty()) std::remove(p.c_str()); } } guard{plan};
  const auto t0 = clock_type::now();
  // +tune and sfcq: configurations run a quantized model (its own scales and choices).
  const sfc::graph* run_model = &model;
  sfc::graph quantized;
  if (r.cfg.tuned || !r.cfg.sfcq.empty()) {
    quantized = r.cfg.sfcq.empty() ? tuned_model(model, r.cfg, o, calib) : sfc::load_sfcq(r.cfg.sfcq);
    if (!quantized.quantized) sfc::throw_invalid(r.cfg.sfcq + " is not a quantized model");
    run_model = &quantized;
  }
  sfc::executor ex(*run_model, input_shapes(*run_model, batch), make_options(r.cfg, o, calib, plan, &r.notes));
  r.prepare_s = seconds_since(t0);
  r.bops = executor_bops(ex, r.cfg, batch, &r.impls);
  const int classes = int(ex.output_desc(0).shape.back());
  std::vector<float> buf(size_t(batch) * im.per_image, 0.f), out(size_t(batch) * size_t(classes));
  auto input = [&](size_t start) -> const float* {
    const size_t count = std::min(size_t(batch), im.count - start);
    if (count == size_t(batch)) return im.x.data() + start * im.per_image;
    std::fill(buf.begin(), buf.end(), 0.f);
    std::copy(im.x.begin() + long(start * im.per_image), im.x.begin() + long((start + count) * im.per_image), buf.begin());
    return buf.data();
  };
  ex.set_input(0, input(0), sfc::tensor_layout::plain);
  ex.run();  // warm-up
  progress_bar bar(r.cfg.name, im.count, progress);
  double run_s = 0;
  size_t top1 = 0, top5 = 0;
  r.pred.assign(im.count, -1);
  for (size_t start = 0; start < im.count; start += size_t(batch)) {
    ex.set_input(0, input(start), sfc::tensor_layout::plain);
    const auto t1 = clock_type::now();
    ex.run();
    run_s += seconds_since(t1);
    ex.get_output(0, out.data(), sfc::tensor_layout::plain);
    for (size_t i = 0; i < size_t(batch) && start + i < im.count; i++) {
      int t = 0, rank = 0;
      classify(out.data() + i * size_t(classes), classes, labels[start + i], &t, &rank);
      r.pred[start + i] = t;
      top1 += rank == 0, top5 += rank < 5;
    }
    bar.update(std::min(im.count, start + size_t(batch)));
  }
  bar.finish();
  r.top1 = 100.0 * double(top1) / double(im.count);
  r.top5 = 100.0 * double(top5) / double(im.count);
  r.images_per_s = run_s > 0 ? double(im.count) / run_s : 0;
  r.ms_per_image = 1000.0 * run_s / double(im.count);
  if (r.cfg.int8 && ref && o.mse_images > 0) {
    sfc::executor_options eo = make_options(r.cfg, o, calib, plan, &r.notes);
    eo.reuse_memory = false;
    sfc::executor q(*run_model, input_shapes(*run_model, 1), eo);
    r.layers = feature_errors(*ref, q, im, std::min(im.count, size_t(o.mse_images)));
  }
}

}  // namespace

decoded_images decode_images(const std::function<sfc::image(size_t)>& load, size_t count,
                             const sfc::preprocess_config& pc, int threads, bool progress, const std::string& label) {
  decoded_images d;
  d.count = count;
  d.per_image = size_t(3) * size_t(pc.crop_size) * size_t(pc.crop_size);
  d.x.assign(count * d.per_image, 0.f);
  const auto t0 = clock_type::now();
  std::atomic<size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first;
  std::mutex mu;
  progress_bar bar(label, count, progress);
  auto worker = [&] {
    for (size_t i; !failed && (i = next++) < count;) {
      try {
        const std::vector<float> v = sfc::preprocess(load(i), pc);
        if (v.size() != d.per_image) throw sfc::error(sfc::error::internal, "preprocess size mismatch");
        std::copy(v.begin(), v.end(), d.x.begin() + long(i * d.per_image));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!first) first = std::current_exception();
        failed = true;
      }
      bar.update(++done);
    }
  };
  const int n = std::max(1, std::min<int>(threads, int(count)));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; t++) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
  bar.finish();
  d.seconds = seconds_since(t0);
  return d;
}

eval_summary run_eval(const sfc::graph& model, const eval_options& o, const decoded_images& images,
                      const std::vector<int>& labels, const std::vector<float>& calib, bool progress) {
  eval_summary s;
  const sfc::shape_t in = model.values[size_t(model.inputs.at(0))].desc.shape;
  const int64_t batch = !in.empty() && in[0] > 0 ? in[0] : o.batch;  // a fixed model batch wins
  s.batch = int(batch), s.threads = o.threads, s.images = images.count;
  // The fp32 reference for the per-layer error (batch 1, every value kept), and the layer list.
  std::unique_ptr<sfc::executor> ref;
  std::vector<std::string> ref_notes;
  {
    sfc::executor_options eo;
    eo.threads = o.threads, eo.reuse_memory = false;
    eo.log = [&ref_notes](const std::string& l) { ref_notes.push_back(l); };
    if (model.quantized) eo.prec = sfc::precision::int8, eo.int8.policy = "reference";
    ref = std::make_unique<sfc::executor>(model, input_shapes(model, 1), eo);
    s.classes = int(ref->output_desc(0).shape.back());
    const sfc::graph& g = ref->prepared_graph();
    for (size_t k = 0; k < g.nodes.size(); k++) {
      if (g.nodes[k].op == sfc::op_type::conv) s.layers.push_back(g.nodes[k].name);
      s.int8_direct_bops += double(ref->node_macs(k)) * 64.0;
      s.fp32_bops += double(ref->node_macs(k)) * 1024.0;
    }
  }
  for (size_t i = 0; i < labels.size(); i++)
    if (labels[i] >= s.classes)
      throw sfc::error(sfc::error::invalid_argument, "image " + std::to_string(i) + " has label " + std::to_string(labels[i]) +
                                                         " but the model has " + std::to_string(s.classes) + " classes");
  for (const eval_config& c : o.configs) {
    config_result r;
    r.cfg = c;
    try {
      run_config(model, o, images, labels, calib, batch, progress, ref.get(), r);
    } catch (const std::exception& e) {
      r.error = e.what();
      if (!o.quiet) std::fprintf(stderr, "sfc_eval: %s failed: %s\n", c.name.c_str(), e.what());
    }
    s.configs.push_back(std::move(r));
  }
  const config_result* fp = nullptr;  // fp32, or for a quantized model its first configuration
  for (const auto& r : s.configs)
    if (!r.cfg.int8 && r.error.empty()) fp = &r;
  if (model.quantized && !s.configs.empty() && s.configs[0].error.empty()) fp = &s.configs[0];
  for (auto& r : s.configs) {
    if (!fp || !r.error.empty()) continue;
    size_t same = 0;
    for (size_t i = 0; i < images.count; i++) same += r.pred[i] == fp->pred[i];
    r.agreement = 100.0 * double(same) / double(images.count);
  }
  return s;
}

}  // namespace sfc_eval
