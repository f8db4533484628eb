// sfc_bench: latency of sfc against oneDNN (and XNNPACK) in one process.
//   sfc_bench --layer [--ic 64] [--oc 64] [--hw 56 | --h H --w W] [--k 3] [--stride 1] [--pad k/2]
//             [--batch 1] [--threads 1] [--impl sfc6_7x7_3x3,onednn,onednn_wino,xnnpack]
//             [--runs 100] [--warmup 10] [--bits 8] [--cold] [--json FILE]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "tools/sfc_bench/accuracy.h"
#include "tools/sfc_bench/layer-bench.h"
#include "tools/sfc_bench/network-bench.h"

namespace {

const char* kUsage =
    "usage: sfc_bench --layer [--ic N] [--oc N] [--hw N | --h N --w N] [--k 3|5|7|...] [--stride S]\n"
    "                 [--pad P] [--batch N] [--threads N] [--impl LIST] [--runs N] [--warmup N]\n"
    "                 [--bits 8|6|4] [--cold] [--json FILE]\n"
    "       sfc_bench --accuracy [--input gauss|relu] [--hw 84] [--threads N]\n"
    "       sfc_bench --model resnet18|resnet50|...|FILE.onnx [--batch N] [--threads N] [--runs N]\n"
    "                 [--warmup N] [--precision int8|fp32] [--pipelines auto,onednn,xnnpack]\n"
    "                 [--plan-cache FILE] [--json FILE] [--svg FILE]\n"
    "  --impl: comma-separated; sfc algorithm names (sfc6_7x7_3x3, sfc4_4x4_3x3, sfc6_6x6_5x5,\n"
    "          sfc6_6x6_7x7, wino_4x4_3x3, ...), scalar:<algo> (portable reference path),\n"
    "          exact:<algo> (lossless int16 transform domain), smallc_direct (direct kernel for\n"
    "          ic <= 4, e.g. the RGB stem), onednn, onednn_wino, xnnpack, ref.\n"
    "          Default: smallc_direct (ic <= 4), the SFC algorithms for the kernel size, onednn,\n"
    "          onednn_wino (3x3), xnnpack.\n";

int parse_int(const std::string& flag, const std::string& v, int lo, int hi) {
  char* end = nullptr;
  const long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end || x < lo || x > hi)
    sfc::throw_invalid(flag + " expects an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + v + "'");
  return int(x);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t c = s.find(',', start);
    const std::string part = s.substr(start, c == std::string::npos ? std::string::npos : c - start);
    if (!part.empty()) v.push_back(part);
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return v;
}

std::vector<std::string> default_impls(int k, int ic) {
  std::vector<std::string> v;
  if (k == 3) v = {"sfc6_7x7_3x3", "sfc6_6x6_3x3", "sfc4_4x4_3x3", "wino_4x4_3x3", "exact:sfc6_7x7_3x3"};
  if (k == 5) v = {"sfc6_6x6_5x5"};
  if (k == 7) v = {"sfc6_6x6_7x7", "sfc6_4x4_7x7"};
  if (ic <= 4) v.push_back("smallc_direct");
  v.push_back("onednn");
  if (k == 3) v.push_back("onednn_wino");
  v.push_back("xnnpack");
  return v;
}

int run(int argc, char** argv) {
  sfc::layer_bench_options o;
  o.p.ic = o.p.oc = 64, o.p.h = o.p.w = 56, o.p.kh = o.p.kw = 3;
  bool layer = false, accuracy = false;
  std::string input = "gauss";
  int pad = -1;
  std::string json, impls, svg, model, pipelines, precision = "int8", plan_cache;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) sfc::throw_invalid(a + " needs a value");
      return argv[++i];
    };
    if (a == "--layer") layer = true;
    else if (a == "--ic") o.p.ic = parse_int(a, val(), 1, 65536);
    else if (a == "--oc") o.p.oc = parse_int(a, val(), 1, 65536);
    else if (a == "--hw") o.p.h = o.p.w = parse_int(a, val(), 1, 16384);
    else if (a == "--h") o.p.h = parse_int(a, val(), 1, 16384);
    else if (a == "--w") o.p.w = parse_int(a, val(), 1, 16384);
    else if (a == "--k") o.p.kh = o.p.kw = parse_int(a, val(), 1, 15);
    else if (a == "--stride") o.p.stride_h = o.p.stride_w = parse_int(a, val(), 1, 16);
    else if (a == "--pad") pad = parse_int(a, val(), 0, 16);
    else if (a == "--batch") o.p.n = parse_int(a, val(), 1, 4096);
    else if (a == "--threads") o.threads = parse_int(a, val(), 1, 1024);
    else if (a == "--runs") o.runs = parse_int(a, val(), 1, 1000000);
    else if (a == "--warmup") o.warmup = parse_int(a, val(), 0, 1000000);
    else if (a == "--bits") o.bits = parse_int(a, val(), 4, 8);
    else if (a == "--impl") impls = val();
    else if (a == "--json") json = val();
    else if (a == "--accuracy") accuracy = true;
    else if (a == "--model") model = val();
    else if (a == "--svg") svg = val();
    else if (a == "--pipelines") pipelines = val();
    else if (a == "--precision") precision = val();
    else if (a == "--plan-cache") plan_cache = val();
    else if (a == "--input") input = val();
    else if (a == "--cold") o.cold = true;
    else if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); return 0; }
    else sfc::throw_invalid("unknown option '" + a + "'");
  }
  if (accuracy) {
    std::fputs(sfc::accuracy_table(input, o.p.h == 56 ? 84 : o.p.h, o.threads).c_str(), stdout);
    return 0;
  }
  if (!model.empty()) {
    sfc::network_bench_options no;
    no.model = model, no.batch = o.p.n, no.threads = o.threads, no.bits = o.bits, no.plan_cache = plan_cache;
    no.runs = o.runs == 100 ? 30 : o.runs, no.warmup = o.warmup == 10 ? 5 : o.warmup;
    if (precision != "int8" && precision != "fp32") sfc::throw_invalid("--precision must be int8 or fp32");
    no.int8 = precision == "int8";
    if (!pipelines.empty()) no.pipelines = split(pipelines);
    else if (!no.int8) no.pipelines = {"auto", "onednn", "reference"};
    const auto rows = sfc::run_network_bench(no);
    std::fputs(sfc::network_bench_table(no, rows).c_str(), stdout);
    if (!json.empty() && !(std::ofstream(json) << sfc::network_bench_json(no, rows)))
      sfc::throw_invalid("cannot write --json file '" + json + "'");
    if (!svg.empty() && !(std::ofstream(svg) << sfc::network_bench_svg(no, rows)))
      sfc::throw_invalid("cannot write --svg file '" + svg + "'");
    return 0;
  }
  if (!layer) sfc::throw_invalid("nothing to do: pass --layer, --model or --accuracy (see --help)");
  const int p = pad >= 0 ? pad : o.p.kh / 2;
  o.p.pad_t = o.p.pad_l = o.p.pad_b = o.p.pad_r = p;
  o.impls = impls.empty() ? default_impls(o.p.kh, o.p.ic) : split(impls);
  const auto rows = sfc::run_layer_bench(o);
  std::fputs(sfc::layer_bench_table(o, rows).c_str(), stdout);
  if (!json.empty()) {
    std::ofstream f(json);
    if (!f) sfc::throw_invalid("cannot write --json file '" + json + "'");
    f << sfc::layer_bench_json(o, rows);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sfc_bench: error: %s\n", e.what());
    return 2;
  }
}
