#include "tools/sfc_quantize/quantize-options.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "graph/ops/conv2d-int8.h"
#include "graph/passes/passes.h"
#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "tools/common/cli-args.h"

namespace sfc_tools {
namespace {

const char* kUsage =
    "usage: sfc_quantize --model resnet18|resnet20|...|FILE.onnx --calib IMAGES_OR_FOLDER...\n"
    "                    --out FILE.sfcq [--calib-count N (100)] [--algo auto|onednn|<algorithm>]\n"
    "                    [--bits 8|6|4] [--range minmax|percentile[:P]|mse]\n"
    "                    [--granularity tensor|frequency|channel|frequency+channel]\n"
    "                    [--tune search|none] [--scales free|pow2] [--tune-images N (32)]\n"
    "                    [--bias-correction on|off (off)]\n"
    "                    [--error-budget R (0.05)] [--compare ALGO,...] [--report-md FILE]\n"
    "                    [--json FILE] [--threads N] [--batch N] [--quiet]\n"
    "                    [--preprocess imagenet|cifar|tflite|raw] [--resize N] [--crop N]\n"
    "                    [--mean a,b,c] [--std a,b,c] [--bgr]\n"
    "Calibrates an fp32 model (BN folded, per-channel int8 weights, per-tensor activations),\n"
    "picks an implementation per conv (--algo; auto = fastest within the error budget), sets the\n"
    "transform-domain scales of the SFC / Winograd layers (granularity, fine-tuned against the\n"
    "fp32 layer outputs) and writes a quantized model file plus a per-layer report.\n"
    "Default preprocessing: cifar for 32x32 models, else torchvision ImageNet; raw = pixel values.\n"
    "Models quantized elsewhere (int8 TFLite, ONNX QDQ) keep their scales: only the per-layer\n"
    "implementations and transform-domain scales are chosen, against the model's own int8 results.\n";

double to_double(const std::string& flag, const std::string& v, double lo, double hi) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end || !(x >= lo && x <= hi))
    sfc::throw_invalid(flag + " expects a number in [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "], got '" + v + "'");
  return x;
}

void to_triple(const std::string& flag, const std::string& v, float out[3]) {
  char tail = 0;
  if (std::sscanf(v.c_str(), "%f,%f,%f%c", &out[0], &out[1], &out[2], &tail) != 3)
    sfc::throw_invalid(flag + " expects three comma-separated numbers, got '" + v + "'");
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> r;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) r.push_back(item);
  return r;
}

}  // namespace

const char* granularity_name(td_granularity g) {
  switch (g) {
    case td_granularity::tensor: return "tensor";
    case td_granularity::frequency: return "frequency";
    case td_granularity::channel: return "channel";
    default: return "frequency+channel";
  }
}

quantize_options parse_quantize_options(int argc, char** argv) {
  quantize_options o;
  o.pre = sfc::imagenet_torchvision_config();
  bool mean_set = false, std_set = false;
  float mean[3], stdv[3];
  int resize = -1, crop = -1;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) sfc::throw_invalid(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (a == "--model") o.model = val();
    else if (a == "--calib") o.calib.push_back(val());
    else if (a == "--calib-count") o.calib_count = sfc::flag_int(a, val(), 1, 100000);
    else if (a == "--out") o.out = val();
    else if (a == "--algo") o.algo = val();
    else if (a == "--bits") {
      o.bits = sfc::flag_int(a, val(), 4, 8);
      if (o.bits != 8 && o.bits != 6 && o.bits != 4) sfc::throw_invalid("--bits must be 8, 6 or 4");
    } else if (a == "--range") o.range = val();
    else if (a == "--granularity") {
      const std::string g = val();
      if (g == "tensor") o.granularity = td_granularity::tensor;
      else if (g == "frequency") o.granularity = td_granularity::frequency;
      else if (g == "channel") o.granularity = td_granularity::channel;
      else if (g == "frequency+channel") o.granularity = td_granularity::frequency_channel;
      else sfc::throw_invalid("--granularity must be tensor, frequency, channel or frequency+channel, got '" + g + "'");
    } else if (a == "--tune") {
      const std::string t = val();
      if (t != "search" && t != "none") sfc::throw_invalid("--tune must be search or none, got '" + t + "'");
      o.tune = t == "search";
    } else if (a == "--scales") {
      const std::string t = val();
      if (t != "free" && t != "pow2") sfc::throw_invalid("--scales must be free or pow2, got '" + t + "'");
      o.pow2 = t == "pow2";
    } else if (a == "--bias-correction") {
      const std::string t = val();
      if (t != "on" && t != "off") sfc::throw_invalid("--bias-correction must be on or off, got '" + t + "'");
      o.bias_correction = t == "on";
    } else if (a == "--tune-images") o.tune_images = sfc::flag_int(a, val(), 1, 4096);
    else if (a == "--error-budget") o.error_budget = to_double(a, val(), 0.0, 10.0);
    else if (a == "--compare") o.compare = split(val());
    else if (a == "--report-md") o.report_md = val();
    else if (a == "--json") o.json = val();
    else if (a == "--threads") o.threads = sfc::flag_int(a, val(), 1, 1024);
    else if (a == "--batch") o.batch = sfc::flag_int(a, val(), 1, 4096);
    else if (a == "--quiet") o.quiet = true;
    else if (a == "--resize") resize = sfc::flag_int(a, val(), 1, 32768), o.pre_set = true;
    else if (a == "--crop") crop = sfc::flag_int(a, val(), 1, 32768), o.pre_set = true;
    else if (a == "--mean") to_triple(a, val(), mean), mean_set = o.pre_set = true;
    else if (a == "--std") to_triple(a, val(), stdv), std_set = o.pre_set = true;
    else if (a == "--bgr") o.pre.bgr = true;
    else if (a == "--preprocess") {
      const std::string p = val();
      const bool bgr = o.pre.bgr;
      if (p == "imagenet") o.pre = sfc::imagenet_torchvision_config();
      else if (p == "cifar") o.pre = sfc::cifar_config();
      else if (p == "tflite") o.pre = sfc::imagenet_tflite_config(224);
      else if (p == "raw") o.pre = sfc::raw_config(32), o.crop_from_model = true;
      else sfc::throw_invalid("--preprocess must be imagenet, cifar, tflite or raw, got '" + p + "'");
      o.pre.bgr = bgr;
      o.pre_set = true;
    } else sfc::throw_invalid("unknown option '" + a + "' (see --help)");
  }
  if (o.model.empty()) sfc::throw_invalid("--model is required (see --help)");
  if (o.calib.empty()) sfc::throw_invalid("--calib is required: calibration images or a folder");
  if (o.out.empty()) sfc::throw_invalid("--out FILE.sfcq is required");
  // Cheap checks first, so that a typo does not cost a calibration run.
  sfc::range_method rm;
  if (!sfc::parse_range_method(o.range, &rm))
    sfc::throw_invalid("unknown range method '" + o.range + "' (minmax, percentile[:P] or mse)");
  sfc::conv_impl_choice c;
  if (o.algo != "auto" && !sfc::conv_impl_from_name(o.algo, &c))
    sfc::throw_invalid("--algo: unknown implementation policy '" + o.algo + "'");
  for (const std::string& a : o.compare)
    if (a != "direct" && !sfc::find_algorithm(a))
      sfc::throw_invalid("--compare: unknown algorithm '" + a + "'");
  const size_t slash = o.out.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : o.out.substr(0, std::max<size_t>(slash, 1));
  if (access(dir.c_str(), W_OK) != 0)
    sfc::throw_invalid("--out: cannot write into '" + dir + "'");
  if (resize > 0) o.pre.resize_size = resize;
  if (crop > 0) o.pre.crop_size = crop, o.crop_from_model = false;
  for (int c = 0; c < 3; c++) {
    if (mean_set) o.pre.mean[c] = mean[c];
    if (std_set) o.pre.stddev[c] = stdv[c];
  }
  o.pre.layout = sfc::image_layout::nhwc;
  sfc::validate_preprocess_config(o.pre);
  return o;
}

}  // namespace sfc_tools
