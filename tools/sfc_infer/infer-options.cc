#include "tools/sfc_infer/infer-options.h"

#include <cstdio>
#include <cstdlib>

#include "kernels/common/error.h"
#include "tools/common/cli-args.h"

namespace sfc_tools {

namespace {

const char* kUsage =
    "usage: sfc_infer --model resnet18|resnet34|resnet50|resnet20|resnet32|resnet56|FILE.onnx\n"
    "                 [--labels FILE] [--top-k K] [--batch N] [--threads N]\n"
    "                 [--precision fp32|int8]\n"
    "                 [--impl auto|onednn|xnnpack|reference|smallc_direct|<algorithm>]\n"
    "                 [--bits 8|6|4] [--calib PATH] [--calib-count N]\n"
    "                 [--preprocess imagenet|cifar|tflite|raw] [--resize N] [--crop N]\n"
    "                 [--mean a,b,c] [--std a,b,c] [--bgr] [--json FILE|-] IMAGE_OR_FOLDER...\n"
    "Default preprocessing: a .sfcq model's own (recorded by sfc_quantize), else torchvision\n"
    "ImageNet (resize shorter side 256, center crop 224,\n"
    "mean/std normalisation); cifar: 32x32 input, no resize, same mean/std (akamaster); raw: pixel\n"
    "values 0..255 at the model's input size, no resize (int8 TFLite models such as MLPerf-Tiny ResNet-8).\n";

void to_triple(const std::string& flag, const std::string& v, float out[3]) {
  if (std::sscanf(v.c_str(), "%f,%f,%f", &out[0], &out[1], &out[2]) != 3)
    sfc::throw_invalid(flag + " expects three comma-separated numbers, got '" + v + "'");
}

}  // namespace

infer_options parse_infer_options(int argc, char** argv) {
  infer_options o;
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
    if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); std::exit(0); }
    else if (a == "--model") o.model = val();
    else if (a == "--labels") o.labels = val();
    else if (a == "--top-k") o.top_k = sfc::flag_int(a, val(), 1, 1000000);
    else if (a == "--batch") o.batch = sfc::flag_int(a, val(), 1, 4096);
    else if (a == "--threads") o.threads = sfc::flag_int(a, val(), 1, 1024);
    else if (a == "--bits") o.bits = sfc::flag_int(a, val(), 4, 8);
    else if (a == "--impl") o.impl = val();
    else if (a == "--json") o.json = val();
    else if (a == "--calib") o.calib = val();
    else if (a == "--calib-count") o.calib_count = sfc::flag_int(a, val(), 1, 100000);
    else if (a == "--resize") resize = sfc::flag_int(a, val(), 1, 32768), o.pre_set = true;
    else if (a == "--crop") crop = sfc::flag_int(a, val(), 1, 32768), o.pre_set = true;
    else if (a == "--mean") to_triple(a, val(), mean), mean_set = o.pre_set = true;
    else if (a == "--std") to_triple(a, val(), stdv), std_set = o.pre_set = true;
    else if (a == "--bgr") o.pre.bgr = o.pre_set = true;
    else if (a == "--precision") {
      const std::string p = val();
      if (p != "fp32" && p != "int8") sfc::throw_invalid("--precision must be fp32 or int8, got '" + p + "'");
      o.int8 = p == "int8";
    } else if (a == "--preprocess") {
      const std::string p = val();
      const bool bgr = o.pre.bgr;
      if (p == "imagenet") o.pre = sfc::imagenet_torchvision_config();
      else if (p == "cifar") o.pre = sfc::cifar_config();
      else if (p == "tflite") o.pre = sfc::imagenet_tflite_config(224);
      else if (p == "raw") o.pre = sfc::raw_config(32), o.crop_from_model = true;
      else sfc::throw_invalid("--preprocess must be imagenet, cifar, tflite or raw, got '" + p + "'");
      o.pre.bgr = bgr;
      o.pre_set = true;
    } else if (!a.empty() && a[0] == '-') sfc::throw_invalid("unknown option '" + a + "'");
    else o.inputs.push_back(a);
  }
  if (o.model.empty()) sfc::throw_invalid("--model is required (see --help)");
  if (o.inputs.empty()) sfc::throw_invalid("no input images given");
  if (resize > 0) o.pre.resize_size = resize;
  if (crop > 0) o.pre.crop_size = crop, o.crop_from_model = false;
  for (int c = 0; c < 3; c++) {
    if (mean_set) o.pre.mean[c] = mean[c];
    if (std_set) o.pre.stddev[c] = stdv[c];
  }
  sfc::validate_preprocess_config(o.pre);
  return o;
}

}  // namespace sfc_tools
