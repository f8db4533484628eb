#include "tools/sfc_bench/layer-bench.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <sstream>

#include "graph/backends/conv2d-backend.h"
#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/common/median.h"
#include "kernels/direct/q8-direct-layer.h"
#include "kernels/fastconv/fastconv.h"
#include "tools/sfc_bench/sfc-layer-impl.h"

namespace sfc {

namespace {

// Shared layer data: ReLU-like u8 activations (zero point 0), s8 weights, real-valued bias.
struct layer_data {
  conv2d_params p;
  std::vector<uint8_t> src_u8;
  std::vector<int8_t> src_s8, weights;
  std::vector<float> wscale, bias;
  float src_scale = 1.f / 64, dst_scale = 1.f / 16;
};

layer_data make_data(const conv2d_params& p) {
  layer_data d;
  d.p = p;
  std::mt19937 g(1234);
  std::normal_distribution<float> act(0.f, 40.f);
  std::uniform_int_distribution<int> w(-127, 127);
  d.src_u8.resize(size_t(p.n) * p.h * p.w * p.ic);
  d.src_s8.resize(d.src_u8.size());
  for (size_t i = 0; i < d.src_u8.size(); i++) {
    const float a = std::max(0.f, act(g));
    d.src_u8[i] = uint8_t(std::min(a, 255.f));
    d.src_s8[i] = int8_t(std::min(a, 127.f));
  }
  d.weights.resize(size_t(p.oc) * p.ic * p.kh * p.kw);
  for (auto& v : d.weights) v = int8_t(w(g));
  d.wscale.assign(p.oc, 1.f / (40.f * std::sqrt(float(p.ic * p.kh * p.kw))));
  d.bias.assign(p.oc, 0.f);
  for (int o = 0; o < p.oc; o++) d.bias[o] = 0.05f * float(o % 7 - 3);
  return d;
}

struct impl {
  std::string name, detail;
  std::function<void()> run;
  std::vector<double> ms;
  std::string error;
};

q8_conv2d_config backend_config(const layer_data& d, int threads) {
  q8_conv2d_config c;
  c.p = d.p, c.src_type = qtype::u8, c.src_scale = d.src_scale;
  c.weight_scale = d.wscale, c.weights = d.weights, c.bias = d.bias;
  c.dst_type = qtype::u8, c.dst_scale = d.dst_scale, c.relu = true, c.threads = threads;
  return c;
}

impl make_impl(const std::string& name, const layer_data& d, const layer_bench_options& o,
               std::vector<uint8_t>& dst) {
  impl im;
  im.name = name;
  try {
    if (name == "onednn" || name == "onednn_wino") {
      std::shared_ptr<conv2d_backend> c = make_onednn_conv2d(backend_config(d, o.threads), name == "onednn_wino");
      im.detail = c->impl_name();
      im.run = [c, &d, &dst] { c->run(d.src_u8.data(), dst.data()); };
    } else if (name == "xnnpack") {
      q8_conv2d_config cfg = backend_config(d, o.threads);
      cfg.src_type = qtype::s8, cfg.dst_type = qtype::s8;  // XNNPACK qc8 is signed
      std::shared_ptr<conv2d_backend> c = make_xnnpack_conv2d(cfg);
      im.detail = c->impl_name() + " (s8 src/dst)";
      im.run = [c, &d, &dst] { c->run(d.src_s8.data(), dst.data()); };
    } else if (name == "smallc_direct") {
      direct_q8_config c;
      c.p = d.p, c.weights = d.weights.data(), c.relu = true;
      for (int oc = 0; oc < d.p.oc; ++oc) {
        c.oscale.push_back(d.src_scale * d.wscale[size_t(oc)] / d.dst_scale);
        c.bias_acc.push_back(d.bias[size_t(oc)] / (d.src_scale * d.wscale[size_t(oc)]));
      }
      isa_level cap = isa_level::avx512vnni;
      if (!o.max_isa.empty() && !isa_from_name(o.max_isa, &cap))
        throw_invalid("unknown ISA '" + o.max_isa + "'");
      auto l = std::make_shared<direct_q8_layer>(c, cap);
      im.detail = l->kernel_name();
      const int threads = o.threads;
      im.run = [l, &d, &dst, threads] { l->run(d.src_u8.data(), dst.data(), threads); };
    } else if (name == "ref") {
      auto acc = std::make_shared<std::vector<int32_t>>(dst.size());
      im.detail = "naive direct int8 (conv2d_ref_u8)";
      im.run = [acc, &d] { conv2d_ref_u8(d.p, layout::nhwc, d.src_u8.data(), 0, d.weights.data(), nullptr, acc->data()); };
    } else {
      sfc_layer_request r;
      r.algo = name, r.p = d.p, r.weights = &d.weights, r.src = d.src_u8.data();
      r.src_scale = d.src_scale, r.wscale = &d.wscale, r.bias = &d.bias, r.dst_scale = d.dst_scale;
      r.bits = o.bits, r.threads = o.threads, r.max_isa = o.max_isa;
      std::shared_ptr<sfc_layer_runner> l = make_sfc_layer_runner(r);
      im.detail = l->detail();
      im.run = [l, &d, &dst] { l->run(d.src_u8.data(), dst.data()); };
    }
  } catch (const std::exception& e) {
    im.error = e.what();
  }
  return im;
}

// Evicts the caches: writes and reads a buffer larger than L2 + L3.
void flush_caches() {
  static std::vector<uint8_t> junk(96u << 20);
  for (size_t i = 0; i < junk.size(); i += 64) junk[i] = uint8_t(junk[i] + 1);
  __asm__ __volatile__("" : : "r"(junk.data()) : "memory");  // keep the stores
}

}  // namespace

std::vector<layer_bench_row> run_layer_bench(const layer_bench_options& o) {
  conv2d_validate(o.p);
  const layer_data d = make_data(o.p);
  omp_set_num_threads(o.threads);
  std::vector<std::vector<uint8_t>> dst(o.impls.size(), std::vector<uint8_t>(size_t(o.p.n) * o.p.oh() * o.p.ow() * o.p.oc));
  std::vector<impl> impls;
  for (size_t i = 0; i < o.impls.size(); i++) impls.push_back(make_impl(o.impls[i], d, o, dst[i]));
  for (int r = 0; r < o.warmup; r++)
    for (auto& im : impls)
      if (im.error.empty()) im.run();
  for (int r = 0; r < o.runs; r++)
    for (auto& im : impls) {
      if (!im.error.empty()) continue;
      if (o.cold) flush_caches();
      const auto t0 = std::chrono::steady_clock::now();
      im.run();
      im.ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  double onednn_ms = 0;
  for (auto& im : impls)
    if (im.name == "onednn" && im.error.empty()) onednn_ms = median(im.ms);
  std::vector<layer_bench_row> rows;
  for (auto& im : impls) {
    layer_bench_row row;
    row.name = im.name, row.detail = im.detail, row.error = im.error;
    if (im.error.empty()) {
      row.median_ms = median(im.ms);
      row.min_ms = *std::min_element(im.ms.begin(), im.ms.end());
      row.max_ms = *std::max_element(im.ms.begin(), im.ms.end());
      row.gmacs = o.p.direct_macs() / (row.median_ms * 1e6);
      row.ratio_vs_onednn = onednn_ms > 0 ? onednn_ms / row.median_ms : 0;
    }
    rows.push_back(row);
  }
  return rows;
}

std::string layer_bench_table(const layer_bench_options& o, const std::vector<layer_bench_row>& rows) {
  std::ostringstream os;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "layer: n=%d ic=%d oc=%d %dx%d k=%dx%d stride=%d pad=%d  threads=%d  runs=%d%s  (%.1f MMAC direct)\n",
                o.p.n, o.p.ic, o.p.oc, o.p.h, o.p.w, o.p.kh, o.p.kw, o.p.stride_h, o.p.pad_t, o.threads,
                o.runs, o.cold ? "  cold caches" : "", o.p.direct_macs() * 1e-6);
  os << buf;
  std::snprintf(buf, sizeof buf, "%-22s %10s %10s %10s %9s %9s  %s\n", "impl", "median ms", "min ms",
                "max ms", "GMAC/s", "vs oneDNN", "detail");
  os << buf;
  for (const auto& r : rows) {
    if (!r.error.empty()) {
      std::snprintf(buf, sizeof buf, "%-22s %s\n", r.name.c_str(), ("n/a: " + r.error).c_str());
    } else {
      std::snprintf(buf, sizeof buf, "%-22s %10.4f %10.4f %10.4f %9.1f %8.2fx  %s\n", r.name.c_str(),
                    r.median_ms, r.min_ms, r.max_ms, r.gmacs, r.ratio_vs_onednn, r.detail.c_str());
    }
    os << buf;
  }
  return os.str();
}

std::string layer_bench_json(const layer_bench_options& o, const std::vector<layer_bench_row>& rows) {
  std::ostringstream os;
  auto esc = [](const std::string& s) {
    std::string r;
    for (char c : s) {
      if (c == '"' || c == '\\') r += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) r += c;
    }
    return r;
  };
  os << "{\n  \"layer\": {\"n\": " << o.p.n << ", \"ic\": " << o.p.ic << ", \"oc\": " << o.p.oc
     << ", \"h\": " << o.p.h << ", \"w\": " << o.p.w << ", \"k\": " << o.p.kh << ", \"stride\": "
     << o.p.stride_h << ", \"pad\": " << o.p.pad_t << "},\n  \"threads\": " << o.threads
     << ", \"runs\": " << o.runs << ", \"cold\": " << (o.cold ? "true" : "false") << ",\n  \"results\": [\n";
  for (size_t i = 0; i < rows.size(); i++) {
    const auto& r = rows[i];
    os << "    {\"impl\": \"" << esc(r.name) << "\", \"detail\": \"" << esc(r.detail) << "\"";
    if (r.error.empty())
      os << ", \"median_ms\": " << r.median_ms << ", \"min_ms\": " << r.min_ms << ", \"max_ms\": " << r.max_ms
         << ", \"gmacs\": " << r.gmacs << ", \"ratio_vs_onednn\": " << r.ratio_vs_onednn;
    else
      os << ", \"error\": \"" << esc(r.error) << "\"";
    os << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  os << "  ]\n}\n";
  return os.str();
}

}  // namespace sfc
