#include "tools/sfc_eval/eval-options.h"

#include <cstdio>
#include <cstdlib>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "tools/common/cli-args.h"

namespace sfc_eval {

namespace {

const char* kUsage =
    "usage: sfc_eval --model resnet20|resnet32|...|FILE.onnx --data PATH [options]\n"
    "dataset:\n"
    "  --data PATH             folder (ImageNet val/<wnid>/, LOC_val_solution.csv, devkit ground truth,\n"
    "                          labels.csv, CIFAR <class>/ folders) or a raw .bin / labels .csv file\n"
    "  --layout L              auto|imagenet-folders|loc-csv|devkit|labels-csv|cifar-folders|raw-u8\n"
    "  --synsets FILE          WNIDs in model class order (e.g. imagenet1k_synsets.txt)\n"
    "  --devkit-synsets FILE   devkit: WNID of ILSVRC2012_ID k on line k (from meta.mat)\n"
    "  --labels FILE           class names in model order (labels-csv names, cifar-folders order)\n"
    "  --label-file FILE       the layout's label file, when not at its default place\n"
    "  --raw-labels FILE       raw-u8: one integer label per line\n"
    "  --label-offset N        added to every label (1: TF-slim / TFLite 1001-class models)\n"
    "  --input-size HxW        raw-u8 image size (default: the model's input)\n"
    "  --limit N               evaluate the first N images\n"
    "configurations:\n"
    "  --configs LIST          comma-separated: fp32, int8:<impl>[@bits][+tune] with impl auto|onednn|\n"
    "                          xnnpack|reference|<algorithm>|exact:<algorithm>, bits 8|6|4, +tune = the\n"
    "                          sfc_quantize pipeline (transform-domain scales fine-tuned against fp32 on\n"
    "                          32 calibration images); sfcq:FILE = a quantized model file; 'paper' =\n"
    "                          fp32, int8:onednn, int8:wino_4x4_3x3, each 3x3 SFC variant at 8/6/4\n"
    "                          bits; 'paper-tuned' = paper plus the +tune twin of each fast config\n"
    "                          (default: fp32,int8:onednn,int8:sfc6_7x7_3x3)\n"
    "  --calib PATH            int8 calibration images (folder, image, raw .bin or a dataset);\n"
    "                          default: evenly spaced images of the evaluation set\n"
    "  --calib-count N         calibration images (default 100)\n"
    "  --mse-images N          images for the per-layer feature-map MSE vs fp32 (default 16, 0 = off)\n"
    "run:\n"
    "  --batch N  --threads N  inference batch and threads (default 1, 1)\n"
    "  --decode-threads N      image decoding workers (default: all cores)\n"
    "preprocessing (default auto: 32x32 models get cifar, others torchvision imagenet at their size):\n"
    "  --preprocess auto|imagenet|cifar|tflite|raw  --resize N  --crop N  --mean a,b,c  --std a,b,c  --bgr\n"
    "                          (raw: pixel values 0..255, no resize: int8 TFLite models like ResNet-8)\n"
    "output:\n"
    "  --report-md FILE  --json FILE  --svg FILE  (results table always on stdout)\n"
    "  --progress / --quiet    progress bar on stderr (default: when stderr is a terminal)\n";

void to_triple(const std::string& flag, const std::string& v, float out[3]) {
  char tail = 0;
  if (std::sscanf(v.c_str(), "%f,%f,%f%c", &out[0], &out[1], &out[2], &tail) != 3)
    sfc::throw_invalid(flag + " expects three comma-separated numbers, got '" + v + "'");
}

void to_size(const std::string& flag, const std::string& v, int* h, int* w) {
  const size_t x = v.find('x');
  if (x == std::string::npos) sfc::throw_invalid(flag + " expects HxW, got '" + v + "'");
  *h = sfc::flag_int(flag, v.substr(0, x), 1, 32768);
  *w = sfc::flag_int(flag, v.substr(x + 1), 1, 32768);
}

bool known_impl(const std::string& impl) {
  if (impl == "auto" || impl == "onednn" || impl == "xnnpack" || impl == "reference" ||
      impl == "smallc_direct")
    return true;
  const std::string a = impl.rfind("exact:", 0) == 0 ? impl.substr(6) : impl;
  return sfc::find_algorithm(a) != nullptr;
}

eval_config int8_config(const std::string& impl, int bits) {
  eval_config c;
  c.int8 = true, c.policy = impl, c.bits = bits;
  c.name = "int8:" + impl + (bits != 8 ? "@" + std::to_string(bits) : "");
  return c;
}

eval_config tuned_config(eval_config c) {
  c.tuned = true, c.name += "+tune";
  return c;
}

}  // namespace

std::vector<eval_config> parse_configs(const std::string& list) {
  std::vector<eval_config> out;
  size_t b = 0;
  while (b <= list.size()) {
    const size_t e = list.find(',', b);
    const std::string item = list.substr(b, e == std::string::npos ? std::string::npos : e - b);
    b = e == std::string::npos ? list.size() + 1 : e + 1;
    if (item == "fp32") {
      out.push_back(fp32_config());
    } else if (item == "paper") {
      out.push_back(fp32_config());
      out.push_back(int8_config("onednn", 8));
      out.push_back(int8_config("wino_4x4_3x3", 8));
      for (const char* a : {"sfc4_4x4_3x3", "sfc6_6x6_3x3", "sfc6_7x7_3x3"})
        for (int bits : {8, 6, 4}) out.push_back(int8_config(a, bits));
    } else if (item == "paper-tuned") {
      out.push_back(fp32_config());
      out.push_back(int8_config("onednn", 8));
      out.push_back(int8_config("wino_4x4_3x3", 8));
      out.push_back(tuned_config(int8_config("wino_4x4_3x3", 8)));
      for (const char* a : {"sfc4_4x4_3x3", "sfc6_6x6_3x3", "sfc6_7x7_3x3"})
        for (int bits : {8, 6, 4}) {
          out.push_back(int8_config(a, bits));
          out.push_back(tuned_config(int8_config(a, bits)));
        }
    } else if (item.rfind("sfcq:", 0) == 0 && item.size() > 5) {
      eval_config c;
      c.int8 = true, c.policy = "auto", c.sfcq = item.substr(5), c.name = item;
      out.push_back(c);
    } else if (item.rfind("int8:", 0) == 0) {
      std::string impl = item.substr(5);
      bool tuned = false;
      if (impl.size() > 5 && impl.compare(impl.size() - 5, 5, "+tune") == 0)
        tuned = true, impl.resize(impl.size() - 5);
      int bits = 8;
      const size_t at = impl.find('@');
      if (at != std::string::npos) {
        const std::string bs = impl.substr(at + 1);
        if (bs != "8" && bs != "6" && bs != "4") sfc::throw_invalid("--configs: bits must be 8, 6 or 4 in '" + item + "'");
        bits = bs[0] - '0';
        impl = impl.substr(0, at);
      }
      if (!known_impl(impl))
        sfc::throw_invalid("--configs: unknown int8 implementation '" + impl + "' in '" + item +
                           "' (auto, onednn, xnnpack, reference, smallc_direct, an algorithm "
                           "name such as sfc6_7x7_3x3, or exact:<algorithm>)");
      out.push_back(tuned ? tuned_config(int8_config(impl, bits)) : int8_config(impl, bits));
    } else {
      sfc::throw_invalid("--configs: unknown configuration '" + item + "' (fp32, int8:<impl>[@bits][+tune], sfcq:FILE, paper or paper-tuned)");
    }
  }
  for (size_t i = 0; i < out.size(); i++)
    for (size_t j = 0; j < i; j++)
      if (out[i].name == out[j].name) sfc::throw_invalid("--configs: '" + out[i].name + "' is listed twice");
  return out;
}

eval_options parse_eval_options(int argc, char** argv) {
  eval_options o;
  std::string configs = "fp32,int8:onednn,int8:sfc6_7x7_3x3";
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) sfc::throw_invalid(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") { std::fputs(kUsage, stdout); std::exit(0); }
    else if (a == "--model") o.model = val();
    else if (a == "--data") o.data = val();
    else if (a == "--layout") o.ds.layout = sfc::dataset_layout_from_name(val());
    else if (a == "--synsets") o.ds.synsets = val();
    else if (a == "--devkit-synsets") o.ds.devkit_synsets = val();
    else if (a == "--labels") o.ds.labels = val();
    else if (a == "--label-file") o.ds.label_file = val();
    else if (a == "--raw-labels") o.ds.raw_labels = val();
    else if (a == "--label-offset") o.ds.label_offset = sfc::flag_int(a, val(), 0, 1000);
    else if (a == "--input-size") to_size(a, val(), &o.input_h, &o.input_w);
    else if (a == "--limit") o.limit = sfc::flag_int(a, val(), 1, 100000000);
    else if (a == "--configs") configs = val();
    else if (a == "--calib") o.calib = val();
    else if (a == "--calib-count") o.calib_count = sfc::flag_int(a, val(), 1, 100000);
    else if (a == "--mse-images") o.mse_images = sfc::flag_int(a, val(), 0, 100000);
    else if (a == "--batch") o.batch = sfc::flag_int(a, val(), 1, 4096);
    else if (a == "--threads") o.threads = sfc::flag_int(a, val(), 1, 1024);
    else if (a == "--decode-threads") o.decode_threads = sfc::flag_int(a, val(), 1, 1024);
    else if (a == "--preprocess") {
      o.preprocess = val();
      if (o.preprocess != "auto" && o.preprocess != "imagenet" && o.preprocess != "cifar" && o.preprocess != "tflite" &&
          o.preprocess != "raw")
        sfc::throw_invalid("--preprocess must be auto, imagenet, cifar, tflite or raw, got '" + o.preprocess + "'");
    } else if (a == "--resize") o.resize = sfc::flag_int(a, val(), 1, 32768);
    else if (a == "--crop") o.crop = sfc::flag_int(a, val(), 1, 32768);
    else if (a == "--mean") to_triple(a, val(), o.mean), o.mean_set = true;
    else if (a == "--std") to_triple(a, val(), o.stdv), o.std_set = true;
    else if (a == "--bgr") o.bgr = true;
    else if (a == "--report-md") o.report_md = val();
    else if (a == "--json") o.json = val();
    else if (a == "--svg") o.svg = val();
    else if (a == "--progress") o.progress = 1;
    else if (a == "--quiet") o.progress = 0, o.quiet = true;
    else sfc::throw_invalid(a.empty() || a[0] != '-' ? "unexpected argument '" + a + "' (the dataset is --data PATH)"
                                                      : "unknown option '" + a + "' (see --help)");
  }
  if (o.model.empty()) sfc::throw_invalid("--model is required (see --help)");
  if (o.data.empty()) sfc::throw_invalid("--data is required (see --help)");
  if (o.model.size() > 5 && o.model.compare(o.model.size() - 5, 5, ".sfcq") == 0)
    sfc::throw_invalid("--model takes the fp32 model (the reference); evaluate a quantized model "
                       "file as a configuration: --configs fp32,sfcq:" + o.model);
  o.configs = parse_configs(configs);
  return o;
}

sfc::preprocess_config make_preprocess(const eval_options& o, int h, int w) {
  std::string mode = o.preprocess;
  if (mode == "auto") mode = h == 32 && w == 32 ? "cifar" : "imagenet";
  sfc::preprocess_config c = mode == "cifar" ? sfc::cifar_config()
                             : mode == "tflite" ? sfc::imagenet_tflite_config(h)
                             : mode == "raw"    ? sfc::raw_config(h)
                                                : sfc::imagenet_torchvision_config();
  if (mode == "imagenet" && h != 224) {  // keep torchvision's 256/224 ratio for other sizes
    c.crop_size = h;
    c.resize_size = int(h * 256 / 224);
  }
  if (mode == "cifar") c.crop_size = h;
  if (o.resize > 0) c.resize_size = o.resize;
  if (o.crop > 0) c.crop_size = o.crop;
  for (int k = 0; k < 3; k++) {
    if (o.mean_set) c.mean[k] = o.mean[k];
    if (o.std_set) c.stddev[k] = o.stdv[k];
  }
  c.bgr = o.bgr;
  c.layout = sfc::image_layout::nchw;
  sfc::validate_preprocess_config(c);
  if (c.crop_size != h || h != w)
    throw sfc::error(sfc::error::invalid_argument, "preprocessing gives " + std::to_string(c.crop_size) + "x" +
                                                       std::to_string(c.crop_size) + " images, the model expects " +
                                                       std::to_string(h) + "x" + std::to_string(w));
  return c;
}

}  // namespace sfc_eval
