#include "graph/plan-cache.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sfc {
namespace {

struct fnv {
  uint64_t h = 1469598103934665603ull;
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  }
  void str(const std::string& s) { bytes(s.data(), s.size() + 1); }
  void i64(int64_t v) { bytes(&v, sizeof v); }
};

}  // namespace

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t int8_model_hash(const graph& g, int td_bits, double max_rel_error) {
  fnv f;
  f.i64(td_bits);
  f.bytes(&max_rel_error, sizeof max_rel_error);
  for (int i : g.inputs)
    for (int64_t d : g.values[size_t(i)].desc.shape) f.i64(d);
  for (const node& n : g.nodes) {
    f.i64(int64_t(n.op));
    f.str(n.name);
    for (int v : n.inputs) f.i64(v);
    if (n.op != op_type::conv) continue;
    f.bytes(&n.conv.p, sizeof n.conv.p), f.i64(int64_t(n.conv.act));
    const conv_quant_params& q = n.conv.quant;  // calibration results change the plan's validity
    if (!q.valid) continue;
    f.bytes(&q.src_scale, sizeof q.src_scale), f.bytes(&q.dst_scale, sizeof q.dst_scale);
    f.bytes(&q.pre_residual_scale, sizeof q.pre_residual_scale);
    f.str(q.impl), f.i64(q.td_bits);
    for (float v : q.td_act_scale) f.bytes(&v, sizeof v);
    for (float v : q.td_bias_correction) f.bytes(&v, sizeof v);
  }
  for (const value& v : g.values)
    if (v.is_const && v.data) f.bytes(v.data->data(), v.data->desc().bytes());
  return f.h;
}

bool read_int8_plan(const std::string& path, int8_plan* plan, std::string* why) {
  std::ifstream in(path);
  if (!in) return *why = "cannot open " + path, false;
  std::string line;
  int8_plan p;
  auto fail = [&](const std::string& w) { return *why = path + ": " + w, false; };
  if (!std::getline(in, line) || line != "sfc-int8-plan 1")
    return fail("not an sfc int8 plan (bad header)");
  if (!std::getline(in, line) || line.rfind("cpu ", 0) != 0) return fail("missing cpu line");
  p.cpu = line.substr(4);
  if (!std::getline(in, line)) return fail("missing isa line");
  {
    std::istringstream ss(line);
    std::string k1, k2;
    if (!(ss >> k1 >> p.isa >> k2 >> p.threads) || k1 != "isa" || k2 != "threads")
      return fail("malformed isa line");
  }
  if (!std::getline(in, line) || line.rfind("model ", 0) != 0 || line.size() != 22)
    return fail("malformed model line");
  try {
    size_t used = 0;
    p.model = std::stoull(line.substr(6), &used, 16);
    if (used != 16) return fail("malformed model hash");
  } catch (const std::exception&) {
    return fail("malformed model hash");
  }
  bool ended = false;
  while (std::getline(in, line)) {
    if (line == "end") {
      ended = true;
      break;
    }
    const size_t tab = line.find('\t');
    if (line.rfind("conv ", 0) != 0 || tab == std::string::npos || tab + 1 >= line.size())
      return fail("malformed line '" + line + "'");
    p.convs.emplace_back(line.substr(5, tab - 5), line.substr(tab + 1));
  }
  if (!ended) return fail("truncated (no end line)");
  *plan = std::move(p);
  return true;
}

bool write_int8_plan(const std::string& path, const int8_plan& plan, std::string* why) {
  std::ofstream out(path, std::ios::trunc);
  out << "sfc-int8-plan 1\ncpu " << plan.cpu << "\nisa " << plan.isa << " threads " << plan.threads
      << "\nmodel " << hex64(plan.model) << "\n";
  for (const auto& c : plan.convs) out << "conv " << c.first << "\t" << c.second << "\n";
  out << "end\n";
  out.close();
  if (!out) return *why = "cannot write " + path, false;
  return true;
}

}  // namespace sfc
