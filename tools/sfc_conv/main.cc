// sfc_conv: run one convolution layer from NumPy files.
//   sfc_conv --input x.npy --weights w.npy [--bias b.npy] --output y.npy
//            [--stride S] [--pad P | --pad T,L,B,R] [--algo NAME] [--precision fp32|int8|int8-exact]
//            [--bits 8|6|4] [--relu] [--scales s.npy] [--save-scales s.npy] [--threads N]
//   sfc_conv --list-algos
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "tools/common/npy.h"
#include "tools/sfc_conv/conv-runner.h"

namespace {

const char* kUsage =
    "usage: sfc_conv --input X.npy --weights W.npy [--bias B.npy] --output Y.npy\n"
    "                [--stride S] [--pad P | --pad T,L,B,R] [--algo NAME]\n"
    "                [--precision fp32|int8|int8-exact] [--bits 8|6|4] [--relu]\n"
    "                [--scales S.npy] [--save-scales S.npy] [--threads N] [--kernel fast|scalar]\n"
    "       sfc_conv --list-algos\n"
    "X: float32 NCHW, W: float32 OIHW, B: float32 [O]; Y is written as float32 NCHW.\n";

struct cli {
  std::string input, weights, bias, output, scales, save_scales;
  int stride = 1, pad[4] = {0, 0, 0, 0};
  bool list = false;
  sfc::conv_run_options opt;
};

int parse_int(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || x < 0 || x > 1000000)
    sfc::throw_invalid(flag + " expects a non-negative integer, got '" + v + "'");
  return int(x);
}

void parse_pad(cli& c, const std::string& v) {
  std::vector<int> parts;
  size_t start = 0;
  while (true) {
    size_t comma = v.find(',', start);
    parts.push_back(parse_int("--pad", v.substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts.size() == 1) parts = {parts[0], parts[0], parts[0], parts[0]};
  if (parts.size() != 4) sfc::throw_invalid("--pad expects P or T,L,B,R");
  for (int i = 0; i < 4; i++) c.pad[i] = parts[i];
}

cli parse(int argc, char** argv) {
  cli c;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) sfc::throw_invalid(a + " needs a value");
      return argv[++i];
    };
    if (a == "--input") c.input = value();
    else if (a == "--weights") c.weights = value();
    else if (a == "--bias") c.bias = value();
    else if (a == "--output") c.output = value();
    else if (a == "--scales") c.scales = value();
    else if (a == "--save-scales") c.save_scales = value();
    else if (a == "--stride") c.stride = parse_int(a, value());
    else if (a == "--pad") parse_pad(c, value());
    else if (a == "--algo") c.opt.algo = value();
    else if (a == "--precision") c.opt.precision = value();
    else if (a == "--bits") c.opt.bits = parse_int(a, value());
    else if (a == "--threads") c.opt.threads = parse_int(a, value());
    else if (a == "--relu") c.opt.relu = true;
    else if (a == "--kernel") {
      c.opt.kernel = value();
      if (c.opt.kernel != "fast" && c.opt.kernel != "scalar") sfc::throw_invalid("--kernel must be fast or scalar");
    }
    else if (a == "--list-algos") c.list = true;
    else if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); std::exit(0); }
    else sfc::throw_invalid("unknown option '" + a + "'");
  }
  if (!c.list && (c.input.empty() || c.weights.empty() || c.output.empty()))
    sfc::throw_invalid("--input, --weights and --output are required");
  if (c.stride < 1) sfc::throw_invalid("--stride must be >= 1");
  return c;
}

void list_algos() {
  std::printf("%-14s %-18s %5s %9s %9s %8s\n", "name", "algorithm", "tile", "mults/2D", "direct",
              "ratio");
  std::printf("%-14s %-18s %5s %9s %9s %8s\n", "direct", "direct (reference)", "-", "-", "-", "1.00");
  for (const auto& a : sfc::all_algorithms())
    std::printf("%-14s %-18s %5d %9d %9d %7.2fx\n", a.name.c_str(), a.label.c_str(), a.m,
                a.mults_2d_nested, a.direct_2d, a.reduction_nested());
  for (const auto& n : sfc::conv_algo_names())
    if (n == "onednn" || n == "xnnpack") std::printf("%-14s %s\n", n.c_str(), "baseline library (direct)");
}

std::vector<float> load_floats(const std::string& path, const char* what, size_t dims) {
  sfc::npy_array a = sfc::npy_load(path);
  if (a.shape.size() != dims)
    sfc::throw_invalid(std::string(what) + " " + path + " must have " + std::to_string(dims) +
                       " dimensions, has shape " + a.shape_str());
  return sfc::npy_to_floats(a);
}

int run(const cli& c) {
  const sfc::npy_array x = sfc::npy_load(c.input), w = sfc::npy_load(c.weights);
  if (x.shape.size() != 4) sfc::throw_invalid("input " + c.input + " must be NCHW (4-D), has shape " + x.shape_str());
  if (w.shape.size() != 4) sfc::throw_invalid("weights " + c.weights + " must be OIHW (4-D), has shape " + w.shape_str());
  if (w.shape[1] != x.shape[1])
    sfc::throw_invalid("weights have " + std::to_string(w.shape[1]) + " input channels, input has " +
                       std::to_string(x.shape[1]));
  sfc::conv2d_params p;
  p.n = int(x.shape[0]), p.ic = int(x.shape[1]), p.h = int(x.shape[2]), p.w = int(x.shape[3]);
  p.oc = int(w.shape[0]), p.kh = int(w.shape[2]), p.kw = int(w.shape[3]);
  p.stride_h = p.stride_w = c.stride;
  p.pad_t = c.pad[0], p.pad_l = c.pad[1], p.pad_b = c.pad[2], p.pad_r = c.pad[3];
  std::vector<float> bias;
  if (!c.bias.empty()) {
    bias = load_floats(c.bias, "bias", 1);
    if (bias.size() != size_t(p.oc))
      sfc::throw_invalid("bias has " + std::to_string(bias.size()) + " values, weights have " +
                         std::to_string(p.oc) + " output channels");
  }
  sfc::conv_run_options opt = c.opt;
  if (!c.scales.empty()) opt.act_scales = load_floats(c.scales, "scales", 1);
  const auto t0 = std::chrono::steady_clock::now();
  sfc::conv_run_result res = sfc::run_conv_layer(p, sfc::npy_to_floats(x), sfc::npy_to_floats(w), bias, opt);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  sfc::npy_save(c.output, sfc::npy_from_floats({p.n, p.oc, p.oh(), p.ow()}, res.dst));
  if (!c.save_scales.empty()) {
    if (res.act_scales.empty()) sfc::throw_invalid("--save-scales needs an int8 fast algorithm");
    sfc::npy_save(c.save_scales, sfc::npy_from_floats({int64_t(res.act_scales.size())}, res.act_scales));
  }
  std::fprintf(stderr, "sfc_conv: %s, [%d,%d,%d,%d] -> [%d,%d,%d,%d], %.3f ms\n", res.impl.c_str(),
               p.n, p.ic, p.h, p.w, p.n, p.oc, p.oh(), p.ow(), ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    cli c = parse(argc, argv);
    if (c.list) {
      list_algos();
      return 0;
    }
    return run(c);
  } catch (const sfc::error& e) {
    std::fprintf(stderr, "sfc_conv: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sfc_conv: error: %s\n", e.what());
    return 1;
  }
}
