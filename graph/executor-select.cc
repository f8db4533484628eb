// The int8 mode's implementation choice per conv (house style §7):
//   forced policy  the named implementation where it supports the layer (a failure to prepare it
//                  there is an error, never a silent fallback); elsewhere the first supported
//                  baseline (oneDNN, XNNPACK, reference), with a log line;
//   "auto"         the plan file when it is valid for this CPU / threads / model, else every
//                  supported candidate is timed in place: the layer runs inside whole-network
//                  runs on the calibration images (layers before it already on their choice),
//                  so weights of the other layers compete for the caches as in real use; the
//                  fastest of measure_reps runs (after one warm-up) wins. The reference is timed
//                  only when it is the only candidate.
// SFC candidates are calibrated first: per transform point max |U| of the layer's int8 input,
// recorded while the calibration images run through the int8 network (baseline kernels).
#include <chrono>
#include <limits>

#include "graph/executor-internal.h"
#include "kernels/common/error.h"

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
  const std::vector<double>* m = is_sfc(c) && it != e.sfc_maxabs.end() ? &it->second : nullptr;
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
        st.log("sfc: int8 plan cache entry for '" + c.first + "' (" + c.second +
               ") does not fit this model; re-measuring");
        st.have_cache = false;
        break;
      }
    }
  for (size_t k = 0; k < st.convs.size(); ++k) {
    auto& e = st.convs[k];
    for (const conv_impl_choice& c : e.impls) {
      if (!is_sfc(c) || !c.rejected.empty()) continue;
      const bool want = st.is_auto ? (!st.have_cache || st.cached.convs[k].second == c.variant)
                                   : (is_sfc(st.forced) && st.forced.variant == c.variant);
      if (want) e.sfc_maxabs[c.variant];
    }
  }
}

}  // namespace

void executor::select_conv_impls(int8_state& st) {
  plan_sfc_calibration(st, g_);
  // Baseline kernels (the forced non-SFC implementation where it can run).
  bool any_sfc = false;
  for (auto& e : st.convs) {
    any_sfc = any_sfc || !e.sfc_maxabs.empty();
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
        if (first >= 0) throw error(error::unsupported, g_.nodes[e.step].label() + ": forced " +
                                                            conv_impl_name(st.forced) + " failed: " + err.what());
        e.impls[size_t(idx)].rejected = err.what();
      }
    }
    if (!steps_[e.step]->kernel)
      throw error(error::unsupported, g_.nodes[e.step].label() + ": no int8 implementation");
  }
  if (any_sfc) {
    std::vector<int> entry_of(steps_.size(), -1);
    for (size_t k = 0; k < st.convs.size(); ++k) entry_of[st.convs[k].step] = int(k);
    const int batch = int(g_.values[size_t(g_.inputs[0])].desc.shape.at(0));
    for (int first = 0; first < st.images; first += batch) {
      const std::vector<float> b = image_batch(opts_.int8.calibration, st.per_image, st.images, first, batch);
      set_input(0, b.data(), opts_.int8.calibration.layout);
      for (size_t k = 0; k < steps_.size(); ++k) {
        if (entry_of[k] >= 0)
          for (auto& m : st.convs[size_t(entry_of[k])].sfc_maxabs)
            conv_int8_calibrate_sfc(st.convs[size_t(entry_of[k])].layer, m.first,
                                    steps_[k]->in[0].data, std::min(batch, st.images - first), m.second);
        run_steps(k, k + 1);
      }
    }
  }
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
    e.how = st.is_auto ? "cached" : "forced";
    if (idx == e.chosen) continue;
    try {
      steps_[e.step]->kernel = make_kernel(e, idx);
      e.chosen = idx;
    } catch (const error& err) {
      throw error(error::unsupported, g_.nodes[e.step].label() + ": " + want + " supports the layer but failed: " + err.what());
    }
  }
}

void executor::measure_conv_impls(int8_state& st) {
  const int batch = int(g_.values[size_t(g_.inputs[0])].desc.shape.at(0));
  const std::vector<float> b = image_batch(opts_.int8.calibration, st.per_image, st.images, 0, batch);
  set_input(0, b.data(), opts_.int8.calibration.layout);
  const int reps = std::max(1, opts_.int8.measure_reps);
  for (auto& e : st.convs) {
    std::vector<int> cands;
    for (size_t i = 0; i < e.impls.size(); ++i)
      if (e.impls[i].rejected.empty() && e.impls[i].kind != conv_impl_kind::reference_int8) cands.push_back(int(i));
    if (cands.size() <= 1) {
      e.how = "only";
      if (!cands.empty() && cands[0] != e.chosen) {
        steps_[e.step]->kernel = make_kernel(e, cands[0]);
        e.chosen = cands[0];
      }
      continue;
    }
    const size_t k = e.step;
    std::unique_ptr<node_kernel> best;
    double best_ms = std::numeric_limits<double>::infinity();
    for (int i : cands) {
      try {
        steps_[k]->kernel = make_kernel(e, i);
      } catch (const error& err) {
        e.impls[size_t(i)].rejected = std::string("failed to prepare: ") + err.what();
        continue;
      }
      run_steps(0, steps_.size());
      double t = std::numeric_limits<double>::infinity();
      for (int r = 0; r < reps; ++r) {
        run_steps(0, k);
        const auto t0 = std::chrono::steady_clock::now();
        run_steps(k, k + 1);
        t = std::min(t, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        run_steps(k + 1, steps_.size());
      }
      e.time_ms[size_t(i)] = t;
      if (t < best_ms) best_ms = t, best = std::move(steps_[k]->kernel), e.chosen = i;
    }
    if (!best) throw error(error::unsupported, g_.nodes[k].label() + ": no int8 implementation could be prepared");
    steps_[k]->kernel = std::move(best);
    e.how = "auto";
  }
}

}  // namespace sfc
