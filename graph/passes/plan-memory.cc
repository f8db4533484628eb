// Activation memory plan. A run-time value lives from the node that produces it (graph inputs:
// from the start) to its last reader (graph inputs and outputs: to the end). Values are placed
// largest first, each at the lowest 64-byte aligned offset that does not overlap a placed value
// whose lifetime intersects its own (the greedy-by-size strategy of TFLite's arena planner). A
// reader and the value it writes always overlap in time, so no op runs in place.
#include <algorithm>

#include "graph/passes/passes.h"

namespace sfc {
namespace {

constexpr size_t kAlign = 64;
size_t align_up(size_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

struct live_range {
  int value;
  int first, last;
  size_t bytes;
};

std::vector<live_range> live_ranges(const graph& g) {
  const int end = int(g.nodes.size());
  std::vector<int> first(g.values.size(), -2), last(g.values.size(), -2);
  // Graph inputs stay live for the whole run, so run() may be repeated without set_input().
  for (int i : g.inputs) first[size_t(i)] = -1, last[size_t(i)] = end;
  for (int k = 0; k < end; ++k) {
    const node& n = g.nodes[size_t(k)];
    for (int o : n.outputs)
      if (!g.values[size_t(o)].is_const) first[size_t(o)] = last[size_t(o)] = k;
    for (int i : n.inputs)
      if (i >= 0 && first[size_t(i)] > -2) last[size_t(i)] = std::max(last[size_t(i)], k);
  }
  for (int o : g.outputs)
    if (first[size_t(o)] > -2) last[size_t(o)] = end;
  std::vector<live_range> r;
  for (size_t v = 0; v < g.values.size(); ++v)
    if (first[v] > -2)
      r.push_back(
          {int(v), first[v], last[v], align_up(std::max<size_t>(g.values[v].desc.bytes(), 1))});
  return r;
}

}  // namespace

memory_plan plan_memory(const graph& g, bool reuse) {
  memory_plan plan;
  plan.offset.assign(g.values.size(), -1);
  std::vector<live_range> ranges = live_ranges(g);
  for (const live_range& r : ranges) plan.total_bytes += r.bytes;
  if (!reuse) {
    size_t off = 0;
    for (const live_range& r : ranges) plan.offset[size_t(r.value)] = int64_t(off), off += r.bytes;
    plan.arena_bytes = off;
    return plan;
  }
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const live_range& a, const live_range& b) { return a.bytes > b.bytes; });
  std::vector<const live_range*> placed;
  for (const live_range& r : ranges) {
    std::vector<std::pair<size_t, size_t>> busy;  // [offset, end) of overlapping placed values
    for (const live_range* p : placed)
      if (p->first <= r.last && r.first <= p->last) {
        const size_t off = size_t(plan.offset[size_t(p->value)]);
        busy.emplace_back(off, off + p->bytes);
      }
    std::sort(busy.begin(), busy.end());
    size_t off = 0;
    for (const auto& b : busy) {
      if (b.first >= off + r.bytes) break;
      off = std::max(off, b.second);
    }
    plan.offset[size_t(r.value)] = int64_t(off);
    plan.arena_bytes = std::max(plan.arena_bytes, off + r.bytes);
    placed.push_back(&r);
  }
  return plan;
}

}  // namespace sfc
