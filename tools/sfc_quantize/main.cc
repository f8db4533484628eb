// sfc_quantize: post-training quantization of an fp32 model into a quantized model file (.sfcq).
//   calibration  BN folding and fusion, per-output-channel int8 weights, per-tensor activation
//                ranges (--range), calibrated on --calib images through the fp32 model;
//   per conv     an implementation (--algo; auto = fastest in the network within the error
//                budget), transform-domain bits (--bits) and scales: granularity
//                (--granularity), then fine-tuned against the fp32 layer outputs (--tune);
//   output       the .sfcq file (graph, s8 weights, every scale, the choices, preprocessing
//                metadata) and a per-layer report (Markdown, JSON).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "graph/executor.h"
#include "graph/onnx/onnx.h"
#include "graph/passes/fold-qdq.h"
#include "graph/tflite/tflite-reader.h"
#include "graph/tflite/tflite-to-graph.h"
#include "graph/sfcq/sfcq.h"
#include "graph/zoo/zoo.h"
#include "kernels/common/error.h"
#include "tools/common/bops.h"
#include "tools/common/image-list.h"
#include "tools/common/image.h"
#include "tools/sfc_quantize/quantize-pipeline.h"
#include "tools/sfc_quantize/quantize-options.h"

namespace {

using sfc_tools::quantize_options;

sfc::graph load_model(const std::string& m) {
  sfc::zoo_model z;
  if (sfc::zoo_model_from_name(m, &z)) return sfc::zoo_build(z);
  std::ifstream f(m, std::ios::binary);
  char head[8] = {};
  if (f.read(head, 8) && std::string(head + 4, 4) == "TFL3")  // int8 TFLite
    return sfc::tflite_to_graph(sfc::tflite::load_model(m));
  sfc::graph g = sfc::onnx_import_file(m);
  sfc::fold_qdq(g);  // ONNX QDQ / QLinear*: a quantized graph
  return g;
}

class progress {
 public:
  progress(bool on, int total) : on_(on && isatty(2)), total_(total) {}
  void step(int done, int total, const std::string& what) {
    if (!on_) return;
    total_ = total;
    const double el = std::chrono::duration<double>(clock::now() - t0_).count();
    const double eta = done > 0 ? el / done * (total_ - done) : 0;
    const int w = 30, fill = total_ > 0 ? w * done / total_ : w;
    std::fprintf(stderr, "\r[%s%s] %d/%d %-28.28s ETA %4.0fs", std::string(size_t(fill), '#').c_str(),
                 std::string(size_t(w - fill), ' ').c_str(), done, total_, what.c_str(), eta);
    if (done == total_) std::fputc('\n', stderr);
  }

 private:
  using clock = std::chrono::steady_clock;
  bool on_;
  int total_;
  clock::time_point t0_ = clock::now();
};

std::string triple(const float v[3]) {
  char b[96];
  std::snprintf(b, sizeof b, "%.6g,%.6g,%.6g", v[0], v[1], v[2]);
  return b;
}

// Preprocessing as metadata, so that sfc_infer / sfc_eval can reproduce it.
void add_preprocess_meta(const sfc::preprocess_config& p, sfc::sfcq_metadata& m) {
  const char* mode = p.mode == sfc::resize_mode::none ? "none"
                     : p.mode == sfc::resize_mode::central_fraction ? "central_fraction"
                                                                    : "shorter_side_center_crop";
  m.entries.emplace_back("preprocess.mode", mode);
  m.entries.emplace_back("preprocess.resize", std::to_string(p.resize_size));
  m.entries.emplace_back("preprocess.crop", std::to_string(p.crop_size));
  m.entries.emplace_back("preprocess.mean", triple(p.mean));
  m.entries.emplace_back("preprocess.std", triple(p.stddev));
  m.entries.emplace_back("preprocess.divisor", std::to_string(p.divisor));
  m.entries.emplace_back("preprocess.bgr", p.bgr ? "1" : "0");
}

std::vector<float> load_images(const quantize_options& o, const sfc::preprocess_config& pre,
                               size_t per_image, int* count) {
  std::vector<std::string> files = sfc::list_images(o.calib);
  if (int(files.size()) > o.calib_count) {  // evenly spaced: sorted folders group by class
    std::vector<std::string> pick;
    for (int i = 0; i < o.calib_count; ++i)
      pick.push_back(files[size_t(i) * files.size() / size_t(o.calib_count)]);
    files = std::move(pick);
  }
  std::vector<float> out;
  for (const std::string& f : files) {
    const std::vector<float> x = sfc::preprocess(sfc::load_image(f), pre);
    if (x.size() != per_image)
      sfc::throw_invalid(f + ": preprocessed to " + std::to_string(x.size()) +
                         " values, the model takes " + std::to_string(per_image) +
                         " (check --preprocess / --crop)");
    out.insert(out.end(), x.begin(), x.end());
  }
  *count = int(files.size());
  return out;
}

int run(int argc, char** argv) {
  const quantize_options o = sfc_tools::parse_quantize_options(argc, argv);
  const sfc::graph model = load_model(o.model);
  if (model.inputs.size() != 1) sfc::throw_invalid("only single-input models are supported");
  const sfc::shape_t in_shape = sfc::input_shapes_with_batch(model, o.batch).at(0);
  if (in_shape.size() != 4 || in_shape[1] != 3 || in_shape[2] <= 0 || in_shape[3] <= 0)
    sfc::throw_invalid("the model input must be [N, 3, H, W] with static H, W, got " +
                       sfc::shape_str(in_shape));
  sfc::preprocess_config pre = o.pre;
  if (!o.pre_set && in_shape[2] == 32 && in_shape[3] == 32) pre = sfc::cifar_config();
  if (o.crop_from_model) pre.crop_size = pre.resize_size = int(in_shape[2]);
  pre.layout = sfc::image_layout::nhwc;
  const size_t per_image = size_t(3 * in_shape[2] * in_shape[3]);
  int count = 0;
  const std::vector<float> images = load_images(o, pre, per_image, &count);
  auto log = [&](const std::string& l) {
    if (!o.quiet) std::fprintf(stderr, "%s\n", l.c_str());
  };
  log("sfc_quantize: " + o.model + ", " + std::to_string(count) + " calibration images, policy " +
      o.algo + ", " + std::to_string(o.bits) + "-bit transform domain, range " + o.range);

  sfc_tools::quantize_settings qs = sfc_tools::settings_from(o);
  qs.log = log;
  progress bar(!o.quiet, 0);
  qs.progress = [&](int done, int total, const std::string& what) { bar.step(done, total, what); };
  sfc_tools::quantize_result res = sfc_tools::quantize_model(model, images, count, qs);
  sfc::graph& q = res.q;
  const sfc_tools::quantize_report& rep = res.report;

  // 3. The model file (checked by loading it back and running it once).
  sfc::sfcq_metadata meta;
  meta.entries.emplace_back("producer", "sfc_quantize");
  meta.entries.emplace_back("source.model", o.model);
  meta.entries.emplace_back("calibration.images", std::to_string(count));
  meta.entries.emplace_back("calibration.range", o.range);
  meta.entries.emplace_back("quantize.policy", o.algo);
  meta.entries.emplace_back("quantize.td_bits", std::to_string(o.bits));
  meta.entries.emplace_back("quantize.granularity", sfc_tools::granularity_name(o.granularity));
  meta.entries.emplace_back("quantize.tune", o.tune ? "search" : "none");
  meta.entries.emplace_back("quantize.scales", o.pow2 ? "pow2" : "free");
  add_preprocess_meta(pre, meta);
  sfc::save_sfcq(q, o.out, meta);
  {
    sfc::executor_options lo;
    lo.prec = sfc::precision::int8, lo.threads = o.threads;
    lo.log = [](const std::string&) {};
    sfc::executor check(sfc::load_sfcq(o.out), {in_shape}, lo);
    check.set_input(0, images.data(), sfc::tensor_layout::nhwc);
    check.run();
  }
  const std::string md = sfc_tools::report_markdown(rep, "sfc_quantize: " + o.model);
  if (!o.report_md.empty()) std::ofstream(o.report_md) << md;
  if (!o.json.empty()) std::ofstream(o.json) << sfc_tools::report_json(rep, meta.entries);
  if (!o.quiet) std::fputs(md.c_str(), stdout);
  std::printf("wrote %s (%zu convs, %.3f GBOPs vs %.3f direct int8)\n", o.out.c_str(),
              rep.layers.size(), rep.chosen_gbops, rep.direct_gbops);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sfc_quantize: %s\n", e.what());
    return 2;
  }
}
