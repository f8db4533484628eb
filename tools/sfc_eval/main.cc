// sfc_eval: end-to-end classification evaluator. Decodes a labelled dataset once (in parallel),
// runs several configurations (fp32, int8 direct, Winograd, SFC variants at 8/6/4 transform bits)
// on the same images and reports top-1 / top-5, agreement with fp32, BOPs, latency and per-layer
// feature-map error vs fp32 (Markdown table on stdout, --report-md, --json, --svg).
//
// It drives sfc::executor directly rather than the C API: the per-layer error needs the prepared
// graphs' intermediate values (executor::value_data), which sfc.h does not expose.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "graph/onnx/onnx.h"
#include "graph/passes/fold-qdq.h"
#include "graph/tflite/tflite-reader.h"
#include "graph/tflite/tflite-to-graph.h"
#include "graph/zoo/zoo.h"
#include "kernels/common/error.h"
#include "tools/common/dataset.h"
#include "tools/common/image-list.h"
#include "tools/sfc_eval/eval-options.h"
#include "tools/sfc_eval/eval-report.h"
#include "tools/sfc_eval/eval-run.h"

namespace {

// TFLite FlatBuffers carry "TFL3" at byte 4.
bool is_tflite_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char b[8] = {};
  return f.read(b, 8) && std::string(b + 4, 4) == "TFL3";
}

sfc::graph load_model(const std::string& name) {
  const bool builtin = name.find('.') == std::string::npos && name.find('/') == std::string::npos;
  if (!builtin && is_tflite_file(name))  // int8 TFLite: a quantized graph with its own scales
    return sfc::tflite_to_graph(sfc::tflite::load_model(name));
  if (!builtin) {
    sfc::graph g = sfc::onnx_import_file(name);
    sfc::fold_qdq(g);  // ONNX QDQ / QLinear* models run as quantized graphs
    return g;
  }
  sfc::zoo_model zm;
  if (!sfc::zoo_model_from_name(name, &zm))
    throw sfc::error(sfc::error::invalid_argument,
                     "unknown built-in model '" + name + "' (resnet18, resnet34, resnet50, resnet20, resnet32, resnet56)");
  return sfc::zoo_build(zm);
}

// Evenly spaced picks of `count` out of n (all when count >= n).
std::vector<size_t> spread(size_t n, size_t count) {
  std::vector<size_t> idx;
  count = std::min(n, count);
  for (size_t i = 0; i < count; i++) idx.push_back(i * n / count);
  return idx;
}

// Calibration images: --calib (a dataset, image folder/file or raw .bin), else the evaluation set.
sfc_eval::decoded_images load_calibration(const sfc_eval::eval_options& o, const sfc::dataset& eval_set,
                                          const sfc::preprocess_config& pc, int h, int w, int threads, bool progress) {
  std::vector<std::string> files;
  sfc::dataset other;
  const sfc::dataset* ds = &eval_set;
  if (!o.calib.empty()) {
    const std::string ext = o.calib.size() > 4 ? o.calib.substr(o.calib.size() - 4) : "";
    if (ext == ".bin") {  // raw images without labels
      std::ifstream f(o.calib, std::ios::binary | std::ios::ate);
      if (!f) throw sfc::error(sfc::error::io, o.calib + ": cannot open");
      const size_t per = size_t(h) * size_t(w) * 3, n = size_t(f.tellg()) / per;
      if (n == 0) throw sfc::error(sfc::error::invalid_argument, o.calib + ": holds no " + std::to_string(h) + "x" + std::to_string(w) + " images");
      other.layout = sfc::dataset_layout::raw_u8, other.raw_file = o.calib, other.raw_height = h, other.raw_width = w;
      for (size_t i = 0; i < n; i++) other.items.push_back({"", int64_t(i), 0});
      ds = &other;
    } else {
      files = sfc::list_images({o.calib});
    }
  }
  const size_t n = files.empty() ? ds->size() : files.size();
  const std::vector<size_t> pick = spread(n, size_t(o.calib_count));
  auto load = [&](size_t i) { return files.empty() ? ds->load(pick[i]) : sfc::load_image(files[pick[i]]); };
  return sfc_eval::decode_images(load, pick.size(), pc, threads, progress, "calibration");
}

std::string describe(const sfc::preprocess_config& c) {
  char buf[256];
  const char* mode = c.mode == sfc::resize_mode::none ? "no resize" : c.mode == sfc::resize_mode::central_fraction ? "central crop + resize" : "resize shorter side";
  std::snprintf(buf, sizeof buf, "%s%s%s, %dx%d, mean %.3f,%.3f,%.3f std %.3f,%.3f,%.3f%s", mode,
                c.mode == sfc::resize_mode::shorter_side_center_crop ? " " : "",
                c.mode == sfc::resize_mode::shorter_side_center_crop ? std::to_string(c.resize_size).c_str() : "", c.crop_size,
                c.crop_size, c.mean[0], c.mean[1], c.mean[2], c.stddev[0], c.stddev[1], c.stddev[2], c.bgr ? ", BGR" : "");
  return buf;
}

void write_file(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::fputs(text.c_str(), stdout);
    return;
  }
  std::ofstream f(path);
  if (!(f << text)) throw sfc::error(sfc::error::io, "cannot write " + path);
}

int run(int argc, char** argv) {
  sfc_eval::eval_options o = sfc_eval::parse_eval_options(argc, argv);
  std::string command = "sfc_eval";
  for (int i = 1; i < argc; i++) command += std::string(" ") + argv[i];
  const bool progress = o.progress < 0 ? isatty(2) != 0 : o.progress == 1;
  const int threads = o.decode_threads > 0 ? o.decode_threads : std::max(1, int(std::thread::hardware_concurrency()));
  const sfc::graph model = load_model(o.model);
  if (model.inputs.size() != 1) throw sfc::error(sfc::error::unsupported, o.model + ": sfc_eval needs a model with one input");
  const sfc::shape_t in = model.values[size_t(model.inputs[0])].desc.shape;
  if (in.size() != 4 || in[1] != 3 || in[2] <= 0 || in[3] <= 0)
    throw sfc::error(sfc::error::unsupported, o.model + ": expected an input [N, 3, H, W] with static H and W, got " + sfc::shape_str(in));
  const int h = int(in[2]), w = int(in[3]);
  if (model.quantized) {
    // A model quantized elsewhere (TFLite int8): no fp32 twin. fp32 / +tune configurations are
    // dropped; agreement is against the first configuration (put int8:reference first for the
    // model's own semantics), and the per-layer error against fp32 is off.
    const size_t before = o.configs.size();
    o.configs.erase(std::remove_if(o.configs.begin(), o.configs.end(),
                                   [](const sfc_eval::eval_config& c) { return !c.int8 || c.tuned; }),
                    o.configs.end());
    if (o.configs.size() != before && !o.quiet)
      std::fprintf(stderr, "sfc_eval: %s is already quantized: fp32 and +tune configurations skipped\n",
                   o.model.c_str());
    if (o.configs.empty())
      throw sfc::error(sfc::error::invalid_argument,
                       o.model + " is already quantized: give int8 configurations, e.g. "
                                 "--configs int8:reference,int8:onednn,int8:sfc6_7x7_3x3");
    o.mse_images = 0;
  } else if (std::none_of(o.configs.begin(), o.configs.end(), [](const sfc_eval::eval_config& c) { return !c.int8; })) {
    // Agreement needs the fp32 predictions: fp32 runs first whenever it is missing.
    o.configs.insert(o.configs.begin(), sfc_eval::fp32_config());
  }
  o.ds.raw_height = o.input_h ? o.input_h : h;
  o.ds.raw_width = o.input_w ? o.input_w : w;
  const sfc::dataset ds = sfc::open_dataset(o.data, o.ds);
  const sfc::preprocess_config pc = sfc_eval::make_preprocess(o, h, w);
  const size_t n = o.limit > 0 ? std::min(ds.size(), size_t(o.limit)) : ds.size();
  std::vector<int> labels;
  for (size_t i = 0; i < n; i++) labels.push_back(ds.items[i].label);
  const sfc_eval::decoded_images images =
      sfc_eval::decode_images([&](size_t i) { return ds.load(i); }, n, pc, threads, progress, "decoding");
  sfc_eval::decoded_images calib;
  if (std::any_of(o.configs.begin(), o.configs.end(), [](const sfc_eval::eval_config& c) { return c.int8; }))
    calib = load_calibration(o, ds, pc, h, w, threads, progress);
  sfc_eval::eval_summary s = sfc_eval::run_eval(model, o, images, labels, calib.x, progress);
  s.model = o.model, s.data = o.data, s.layout = sfc::dataset_layout_name(ds.layout), s.preprocess = describe(pc);
  s.calib_images = calib.count, s.decode_s = images.seconds, s.mse_images = int(std::min(n, size_t(o.mse_images)));
  std::fputs(sfc_eval::report_table(s).c_str(), stdout);
  if (!o.report_md.empty()) write_file(o.report_md, sfc_eval::report_markdown(s, command));
  if (!o.json.empty()) write_file(o.json, sfc_eval::report_json(s, command));
  if (!o.svg.empty()) write_file(o.svg, sfc_eval::report_svg(s));
  for (const auto& r : s.configs)
    if (!r.error.empty()) return 1;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sfc_eval: error: %s\n", e.what());
    return 2;
  }
}
