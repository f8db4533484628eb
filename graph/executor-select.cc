// The int8 mode's implementation choice per conv (house style §7):
//   forced policy  the named implementation where it supports the layer (a failure to prepare it
//                  there is an error, never a silent fallback); elsewhere the first supported
//                  baseline (oneDNN, XNNPACK, reference), with a log line;
//   "auto"         the plan file when it is valid for this CPU / threads / model, else every
//                  supported candidate is timed in place: the layer runs inside whole-network
//                  runs on the calibration images (layers before it already on their choice),
//                  so weights of the other layers compete for the caches as in real use; the
//                  fastest of measure_reps runs (after one warm-up) wins. The reference is timed
//                  only when it is the only candidate. A second stage (confirm_in_plan) times
//                  each conv's finalists again inside the chosen plan, one conv at a time.
// SFC candidates are calibrated first: per transform point max |U| of the layer's int8 input,
// recorded while the calibration images run through the int8 network (baseline kernels).
#include <chrono>
#include <cmath>
#include <limits>

#include "graph/executor-internal.h"
#include "kernels/common/error.h"
#include "kernels/common/median.h"

namespace sfc {
namespace {

int find_impl(const std::vector<conv_impl_choice>& impls, const std::string& name) {
  for (size_t i = 0; i < impls.size(); ++i)
    if (conv_impl_name(impls[i]) == name) return int(i);
  return -1;
}

std::unique_ptr<node_kernel> make_kernel(const executor::int8_state::conv_entry& e, int i) {
  const conv_impl_choice& c = e.impls[size_t(i)];
  const auto it = e.sfc_maxabs.find(c.variant);
  const bool q8 = c.kind == conv_impl_kind::sfc;
  const std::vector<double>* m = q8 && it != e.sfc_maxabs.end() ? &it->second : nullptr;
  return make_conv_int8_kernel(e.layer, c, m);
}

// Which SFC variants of each conv need a calibration, and whether the cached plan fits.
void plan_sfc_calibration(executor::int8_state& st, const graph& g) {
  if (st.have_cache)
    for (size_t k = 0; k < st.convs.size(); ++k) {
      const auto& e = st.convs[k];
      const auto& c = st.cached.convs[k];
      const int i = find_impl(e.impls, c.second);
      if (c.first != g.nodes[e.step].name || i < 0 || !e.impls[size_t(i)].rejected.empty()) {
        st.log(st.fixed_by_model
                   ? "sfc: the model's implementation for '" + c.first + "' (" + c.second +
                         ") cannot run here" +
                         (i >= 0 ? ": " + e.impls[size_t(i)].rejected : std::string()) +
                         "; measuring the candidates"
                   : "sfc: int8 plan cache entry for '" + c.first + "' (" + c.second +
                         ") does not fit this model; re-measuring");
        st.have_cache = false;
        break;
      }
    }
  for (size_t k = 0; k < st.convs.size(); ++k) {
    auto& e = st.convs[k];
    for (const conv_impl_choice& c : e.impls) {
      if (c.kind != conv_impl_kind::sfc || !c.rejected.empty()) continue;
      const bool want = st.is_auto ? (!st.have_cache || st.cached.convs[k].second == c.variant)
                                   : (st.forced.kind == c.kind && st.forced.variant == c.variant);
      const conv_quant_params& q = g.nodes[e.step].conv.quant;
      const bool stored = q.impl == c.variant && !q.td_act_scale.empty();
      if (want && !stored) e.sfc_maxabs[c.variant];
    }
  }
}

}  // namespace

void executor::select_conv_impls(int8_state& st) {
  plan_sfc_calibration(st, g_);
  if (st.images == 0 && st.is_auto) {
    // A quantized model without calibration images: "auto" leaves out the SFC candidates that
    // have no transform-domain scales (a forced SFC policy still asks for images).
    for (auto& e : st.convs) {
      for (conv_impl_choice& c : e.impls)
        if (c.kind == conv_impl_kind::sfc && c.rejected.empty() && e.sfc_maxabs.count(c.variant))
          c.rejected = "no transform-domain scales in the model and no calibration images";
      e.sfc_maxabs.clear();
    }
  }
  install_baselines(st);
  calibrate_sfc(st);
  if (st.is_auto && !st.have_cache) return measure_conv_impls(st);
  for (size_t k = 0; k < st.convs.size(); ++k) {
    auto& e = st.convs[k];
    const std::string want = st.is_auto ? st.cached.convs[k].second : conv_impl_name(st.forced);
    const int idx = find_impl(e.impls, want);
    if (idx < 0 || !e.impls[size_t(idx)].rejected.empty()) {
      e.how = "fallback";
      st.log("sfc: int8 policy " + want + " cannot run " + g_.nodes[e.step].label() + ": " +
             (idx < 0 ? std::string("not a candidate") : e.impls[size_t(idx)].rejected) +
             "; using " + conv_impl_name(e.impls[size_t(e.chosen)]));
      continue;
    }
    e.how = !st.is_auto ? "forced" : st.fixed_by_model ? "model" : "cached";
    if (idx == e.chosen) continue;
    try {
      steps_[e.step]->kernel = make_kernel(e, idx);
      e.chosen = idx;
    } catch (const error& err) {
      throw error(error::unsupported, g_.nodes[e.step].label() + ": " + want +
                                          " supports the layer but failed: " + err.what());
    }
  }
}

// The first non-SFC candidate that can be prepared (the forced one where it can run).
void executor::install_baselines(int8_state& st) {
  for (auto& e : st.convs) {
    int first = -1;
    if (!st.is_auto && !is_sfc(st.forced)) {
      const int f = find_impl(e.impls, conv_impl_name(st.forced));
      if (f >= 0 && e.impls[size_t(f)].rejected.empty()) first = f;
    }
    for (size_t i = 0; i < e.impls.size() && !steps_[e.step]->kernel; ++i) {
      const int idx = first >= 0 ? first : int(i);
      if (is_sfc(e.impls[size_t(idx)]) || !e.impls[size_t(idx)].rejected.empty()) continue;
      try {
        steps_[e.step]->kernel = make_kernel(e, idx);
        e.chosen = idx;
      } catch (const error& err) {
        if (first >= 0)
          throw error(error::unsupported, g_.nodes[e.step].label() + ": forced " +
                                              conv_impl_name(st.forced) + " failed: " + err.what());
        e.impls[size_t(idx)].rejected = err.what();
      }
    }
    if (!steps_[e.step]->kernel)
      throw error(error::unsupported, g_.nodes[e.step].label() + ": no int8 implementation");
  }
}

// Runs the calibration images through the int8 network (baseline kernels), recording per-point
// maxima of the SFC candidates' input transforms on each conv's actual int8 input.
void executor::calibrate_sfc(int8_state& st) {
  std::vector<int> entry_of(steps_.size(), -1);
  bool any = false;
  for (size_t k = 0; k < st.convs.size(); ++k) {
    if (!st.convs[k].sfc_maxabs.empty()) entry_of[st.convs[k].step] = int(k), any = true;
  }
  if (!any) return;
  if (st.images == 0)
    throw error(error::invalid_argument,
                "int8 mode: SFC candidates without transform-domain scales in the model need "
                "calibration images");
  const int batch = int(g_.values[size_t(g_.inputs[0])].desc.shape.at(0));
  for (int first = 0; first < st.images; first += batch) {
    const std::vector<float> b =
        image_batch(opts_.int8.calibration, st.per_image, st.images, first, batch);
    set_input(0, b.data(), opts_.int8.calibration.layout);
    for (size_t k = 0; k < steps_.size(); ++k) {
      if (entry_of[k] >= 0) {
        int8_state::conv_entry& e = st.convs[size_t(entry_of[k])];
        for (auto& m : e.sfc_maxabs)
          conv_int8_calibrate_sfc(e.layer, m.first, steps_[k]->in[0].data,
                                  std::min(batch, st.images - first), m.second);
      }
      run_steps(k, k + 1);
    }
  }
}

namespace {

// Relative RMS difference of two int8 outputs of the same type and scale.
double rel_rms(const void* a, const void* b, size_t n, qtype t) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; ++i) {
    const double x =
        t == qtype::u8 ? static_cast<const uint8_t*>(a)[i] : static_cast<const int8_t*>(a)[i];
    const double y =
        t == qtype::u8 ? static_cast<const uint8_t*>(b)[i] : static_cast<const int8_t*>(b)[i];
    num += (x - y) * (x - y), den += y * y;
  }
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

}  // namespace

// Slot s of a whole-network run puts every conv on its s-th candidate, so a few runs time all
// layers, each right after its predecessor. In the warm-up run of each slot, the conv's output
// is compared with the exact baseline's (oneDNN or reference) on the same input.
void executor::measure_conv_impls(int8_state& st) {
  const int batch = int(g_.values[size_t(g_.inputs[0])].desc.shape.at(0));
  if (st.images > 0) {
    const std::vector<float> b =
        image_batch(opts_.int8.calibration, st.per_image, st.images, 0, batch);
    set_input(0, b.data(), opts_.int8.calibration.layout);
  } else {  // a quantized model without calibration images: time on a fixed pseudo-random input
    std::vector<float> b(st.per_image * size_t(batch));
    uint32_t x = 12345;
    for (float& v : b) x = x * 1664525u + 1013904223u, v = float(x >> 8) / float(1 << 23) - 1.f;
    set_input(0, b.data(), tensor_layout::plain);
  }
  std::vector<measure_slot> m(steps_.size());
  size_t nslots = 0;
  for (auto& e : st.convs) {
    measure_slot& s = m[e.step];
    for (size_t i = 0; i < e.impls.size(); ++i)
      if (e.impls[i].rejected.empty() && e.impls[i].kind != conv_impl_kind::reference_int8)
        s.cands.push_back(int(i));
    e.how = s.cands.size() > 1 ? "auto" : "only";
    if (s.cands.empty() || (s.cands.size() == 1 && s.cands[0] == e.chosen)) continue;
    s.e = &e, s.installed = e.chosen, s.exact = std::move(steps_[e.step]->kernel);
    s.out = steps_[e.step]->out;
    s.scratch.resize(s.out[0].desc->bytes());
    s.out[0].data = s.scratch.data();
    s.err.assign(e.impls.size(), 0.0);
    nslots = std::max(nslots, s.cands.size());
  }
  for (size_t slot = 0; slot < nslots; ++slot) run_measure_slot(m, slot);
  const double budget = opts_.int8.max_rel_error;
  for (measure_slot& s : m) {
    if (!s.e) continue;
    int8_state::conv_entry& e = *s.e;
    int best = -1;
    for (int i : s.cands) {
      const size_t u = size_t(i);
      e.err_pct[u] = 100 * s.err[u];
      if (!e.impls[u].rejected.empty() || e.time_ms[u] < 0) continue;
      if (budget > 0 && s.err[u] > budget) {
        e.impls[u].rejected = "relative error " + format_pct(s.err[u]) + " over the budget of " +
                              format_pct(budget) + " (" + format_ms(e.time_ms[u]) + ")";
        continue;
      }
      if (best < 0 || e.time_ms[u] < e.time_ms[size_t(best)]) best = i;
    }
    if (best < 0) best = e.chosen;  // the exact baseline
    if (best != s.installed) steps_[e.step]->kernel = make_kernel(e, best);
    e.chosen = best;
  }
  confirm_in_plan(st);
}

// Second stage. In the first stage candidate i of every conv ran together, so a candidate's time
// depends on what the other convs ran beside it: slot 0 (SFC-6 everywhere) holds several times the
// transformed weights of the final plan, the oneDNN slot a fraction, and the L3 hit rate of every
// layer follows. Here each conv's finalists run inside the chosen plan itself, one conv at a time
// (its decision is then part of the plan for the next conv), in rounds [chosen, finalist 1, ...]
// so that the host's drift hits all of them alike; the lowest median of confirm_reps wins.
void executor::confirm_in_plan(int8_state& st) {
  const int reps = opts_.int8.confirm_reps;
  if (reps <= 0) return;
  for (auto& e : st.convs) {
    if (e.how != "auto" || e.chosen < 0 || e.time_ms[size_t(e.chosen)] < 0) continue;
    const double limit = opts_.int8.confirm_ratio * e.time_ms[size_t(e.chosen)];
    std::vector<int> ids{e.chosen};
    std::vector<std::unique_ptr<node_kernel>> kernels(1);  // [0]: the chosen one, in the step
    for (size_t i = 0; i < e.impls.size(); ++i) {
      if (int(i) == e.chosen || !e.impls[i].rejected.empty() || e.time_ms[i] < 0 ||
          e.time_ms[i] > limit)
        continue;
      try {
        kernels.push_back(make_kernel(e, int(i)));
        ids.push_back(int(i));
      } catch (const error&) {  // prepared fine in the first stage; keep the choice
      }
    }
    if (ids.size() < 2) continue;
    std::unique_ptr<node_kernel>& slot = steps_[e.step]->kernel;
    std::vector<std::vector<double>> t(ids.size());
    for (int r = 0; r < reps; ++r)
      for (size_t j = 0; j < ids.size(); ++j) {
        if (j) std::swap(slot, kernels[j]);
        run_steps(0, e.step);
        const auto t0 = std::chrono::steady_clock::now();
        run_steps(e.step, e.step + 1);
        t[j].push_back(std::chrono::duration<double, std::milli>(
                           std::chrono::steady_clock::now() - t0)
                           .count());
        run_steps(e.step + 1, steps_.size());
        if (j) std::swap(slot, kernels[j]);
      }
    size_t best = 0;
    for (size_t j = 0; j < ids.size(); ++j) {
      e.time_ms[size_t(ids[j])] = median(t[j]);
      if (e.time_ms[size_t(ids[j])] < e.time_ms[size_t(ids[best])]) best = j;
    }
    if (best) std::swap(slot, kernels[best]), e.chosen = ids[best];
    e.how = "auto, confirmed in plan";
  }
}

// One slot: install candidate `slot` of every conv that has one, one warm-up run with the error
// check against the exact kernel, then measure_reps timed runs.
void executor::run_measure_slot(std::vector<measure_slot>& m, size_t slot) {
  for (measure_slot& s : m) {
    if (!s.e || slot >= s.cands.size()) continue;
    const int i = s.cands[slot];
    try {
      steps_[s.e->step]->kernel = make_kernel(*s.e, i);
      s.installed = i;
    } catch (const error& err) {
      s.e->impls[size_t(i)].rejected = std::string("failed to prepare: ") + err.what();
      if (!steps_[s.e->step]->kernel) steps_[s.e->step]->kernel = make_kernel(*s.e, s.e->chosen);
      s.installed = -1;
    }
  }
  for (size_t k = 0; k < steps_.size(); ++k) {
    run_steps(k, k + 1);
    measure_slot& s = m[k];
    if (!s.e || slot >= s.cands.size() || s.installed < 0) continue;
    s.exact->run(steps_[k]->in, s.out);
    s.err[size_t(s.installed)] = rel_rms(steps_[k]->out[0].data, s.scratch.data(), s.scratch.size(),
                                         s.e->layer.ci.quant.dst_type);
  }
  for (int r = 0; r < std::max(1, opts_.int8.measure_reps); ++r)
    for (size_t k = 0; k < steps_.size(); ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      run_steps(k, k + 1);
      measure_slot& s = m[k];
      if (!s.e || slot >= s.cands.size() || s.installed < 0) continue;
      double& t = s.e->time_ms[size_t(s.installed)];
      const double d =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      t = t < 0 ? d : std::min(t, d);
    }
}

}  // namespace sfc
