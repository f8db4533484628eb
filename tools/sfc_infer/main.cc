// sfc_infer: classify images (JPEG / PNG / BMP / PPM files or folders) with a model, through the
// public C API only.
//   sfc_infer --model resnet18|resnet20|...|FILE.onnx [--labels FILE] [--top-k 5] [--batch N]
//             [--precision fp32|int8] [--impl auto|onednn|xnnpack|reference|smallc_direct|sfc6_7x7_3x3|...]
//             [--preprocess imagenet|cifar|tflite] [--resize N] [--crop N] [--mean a,b,c]
//             [--std a,b,c] [--bgr] [--threads N] [--calib DIR_OR_FILE] [--calib-count N]
//             [--json FILE|-] IMAGE_OR_DIR...
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "sfc/sfc.h"
#include "tools/common/image-list.h"
#include "tools/common/preprocess.h"
#include "tools/sfc_infer/infer-options.h"

namespace {

struct api_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(sfc_status s, const char* what) {
  if (s != SFC_STATUS_SUCCESS)
    throw api_error(std::string(what) + ": " + sfc_status_string(s) + ": " + sfc_last_error_message());
}

struct prediction {
  std::string path;
  std::vector<std::pair<int, float>> top;  // class, probability
};

std::vector<float> load_batch(const std::vector<std::string>& files, size_t begin, size_t batch,
                              const sfc::preprocess_config& pc, size_t per_image) {
  std::vector<float> x(batch * per_image, 0.f);
  for (size_t i = 0; i < batch && begin + i < files.size(); i++) {
    const std::vector<float> one = sfc::preprocess(sfc::load_image(files[begin + i]), pc);
    if (one.size() != per_image)
      throw sfc::error(sfc::error::invalid_argument, files[begin + i] + ": preprocessed to " + std::to_string(one.size()) +
                                                         " values, the model expects " + std::to_string(per_image));
    std::copy(one.begin(), one.end(), x.begin() + long(i * per_image));
  }
  return x;
}

std::vector<std::pair<int, float>> top_k(const float* logits, int classes, int k) {
  const float mx = *std::max_element(logits, logits + classes);
  std::vector<double> p(static_cast<size_t>(classes));
  double sum = 0;
  for (int c = 0; c < classes; c++) sum += p[size_t(c)] = std::exp(double(logits[c]) - mx);
  std::vector<int> idx(static_cast<size_t>(classes));
  for (int c = 0; c < classes; c++) idx[size_t(c)] = c;
  k = std::min(k, classes);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](int a, int b) { return p[size_t(a)] > p[size_t(b)]; });
  std::vector<std::pair<int, float>> out;
  for (int i = 0; i < k; i++) out.push_back({idx[size_t(i)], float(p[size_t(idx[size_t(i)])] / sum)});
  return out;
}

// The preprocessing a quantized model file records (sfc_quantize's metadata), else `def`.
sfc::preprocess_config preprocess_from_model(sfc_model m, const sfc::preprocess_config& def) {
  const char* mode = sfc_model_metadata(m, "preprocess.mode");
  if (!mode) return def;
  sfc::preprocess_config p = def;
  const std::string md = mode;
  p.mode = md == "none" ? sfc::resize_mode::none
           : md == "central_fraction" ? sfc::resize_mode::central_fraction
                                      : sfc::resize_mode::shorter_side_center_crop;
  auto num = [&](const char* key, auto* out) {
    if (const char* v = sfc_model_metadata(m, key)) *out = decltype(+*out)(std::atof(v));
  };
  num("preprocess.resize", &p.resize_size);
  num("preprocess.crop", &p.crop_size);
  num("preprocess.divisor", &p.divisor);
  auto triple = [&](const char* key, float* out) {
    if (const char* v = sfc_model_metadata(m, key)) std::sscanf(v, "%f,%f,%f", &out[0], &out[1], &out[2]);
  };
  triple("preprocess.mean", p.mean);
  triple("preprocess.std", p.stddev);
  if (const char* v = sfc_model_metadata(m, "preprocess.bgr")) p.bgr = std::string(v) == "1";
  sfc::validate_preprocess_config(p);  // a corrupt entry is an error, not a silent default
  return p;
}

int run(int argc, char** argv) {
  const sfc_tools::infer_options o = sfc_tools::parse_infer_options(argc, argv);
  const std::vector<std::string> files = sfc::list_images(o.inputs);
  const std::vector<std::string> labels = o.labels.empty() ? std::vector<std::string>{} : sfc::read_labels(o.labels);

  sfc_context_options copt;
  sfc_context_options_init(&copt);
  copt.num_threads = uint32_t(o.threads);
  sfc_context ctx = nullptr;
  check(sfc_context_create(&copt, &ctx), "sfc_context_create");
  sfc_model_options mopt;
  sfc_model_options_init(&mopt);
  mopt.precision = o.int8 ? SFC_PRECISION_INT8 : SFC_PRECISION_FP32;
  mopt.impl = o.impl.c_str();
  mopt.batch = uint32_t(o.batch);
  mopt.transform_bits = uint32_t(o.bits);
  // int8: calibrate on --calib images (default: the first inputs).
  std::vector<float> calib;
  if (o.int8) {
    const auto cfiles = sfc::list_images(o.calib.empty() ? o.inputs : std::vector<std::string>{o.calib});
    const size_t n = std::min(cfiles.size(), size_t(o.calib_count));
    if (n == 0) throw sfc::error(sfc::error::invalid_argument, "int8 needs calibration images (--calib)");
    const size_t per = size_t(3) * o.pre.crop_size * o.pre.crop_size;
    calib = load_batch(cfiles, 0, n, o.pre, per);
    mopt.calibration_data = calib.data();
    mopt.calibration_count = uint32_t(n);
  }
  sfc_model model = nullptr;
  const bool builtin = o.model.find('.') == std::string::npos && o.model.find('/') == std::string::npos;
  check(builtin ? sfc_model_create_builtin(ctx, o.model.c_str(), &mopt, &model)
                : sfc_model_load_file(ctx, o.model.c_str(), &mopt, &model), "loading the model");
  sfc::preprocess_config pre = o.pre_set ? o.pre : preprocess_from_model(model, o.pre);
  sfc_tensor_desc in;
  check(sfc_model_input_desc(model, 0, &in), "sfc_model_input_desc");
  if (o.crop_from_model && in.rank == 4 && in.dims[2] == in.dims[3] && in.dims[2] > 0)
    pre.crop_size = pre.resize_size = int(in.dims[2]);
  size_t per_image = 1;
  for (uint32_t d = 1; d < in.rank; d++) per_image *= size_t(in.dims[d]);
  sfc_session session = nullptr;
  check(sfc_session_create(model, nullptr, &session), "sfc_session_create");

  std::vector<prediction> preds;
  for (size_t b = 0; b < files.size(); b += size_t(o.batch)) {
    const std::vector<float> x = load_batch(files, b, size_t(o.batch), pre, per_image);
    check(sfc_session_set_input(session, 0, &in, x.data()), "sfc_session_set_input");
    check(sfc_session_run(session), "sfc_session_run");
    sfc_tensor_desc out;
    const void* y = nullptr;
    check(sfc_session_get_output(session, 0, &out, &y), "sfc_session_get_output");
    const int classes = int(out.dims[out.rank - 1]);
    for (size_t i = 0; i < size_t(o.batch) && b + i < files.size(); i++)
      preds.push_back({files[b + i], top_k(static_cast<const float*>(y) + i * size_t(classes), classes, o.top_k)});
  }
  sfc_session_destroy(session);
  sfc_model_destroy(model);
  sfc_context_destroy(ctx);

  auto label = [&](int c) { return c < int(labels.size()) ? labels[size_t(c)] : "class " + std::to_string(c); };
  if (o.json.empty() || o.json != "-") {
    for (const auto& p : preds) {
      std::printf("%s\n", p.path.c_str());
      for (size_t i = 0; i < p.top.size(); i++)
        std::printf("  %zu. %-40s %6.2f%%  (class %d)\n", i + 1, label(p.top[i].first).c_str(), 100.0 * p.top[i].second, p.top[i].first);
    }
  }
  if (!o.json.empty()) {
    std::string j = "[\n";
    for (size_t k = 0; k < preds.size(); k++) {
      j += "  {\"file\": \"" + sfc::json_escape(preds[k].path) + "\", \"top\": [";
      for (size_t i = 0; i < preds[k].top.size(); i++) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f", preds[k].top[i].second);
        j += std::string(i ? ", " : "") + "{\"class\": " + std::to_string(preds[k].top[i].first) + ", \"label\": \"" +
             sfc::json_escape(label(preds[k].top[i].first)) + "\", \"probability\": " + buf + "}";
      }
      j += std::string("]}") + (k + 1 < preds.size() ? "," : "") + "\n";
    }
    j += "]\n";
    if (o.json == "-") std::fputs(j.c_str(), stdout);
    else {
      std::ofstream f(o.json);
      if (!(f << j)) throw sfc::error(sfc::error::io, "cannot write " + o.json);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sfc_infer: error: %s\n", e.what());
    return 2;
  }
}
