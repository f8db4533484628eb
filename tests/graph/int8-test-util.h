// Helpers of the int8 executor tests: calibration sets, batched evaluation, comparisons.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "graph-test-util.h"
#include "graph/backends/conv2d-backend.h"
#include "graph/ops/conv2d-int8.h"
#include "graph/passes/fold-qdq.h"
#include "kernels/common/error.h"
#include "tools/common/image.h"

namespace sfc_test {

// fold_qdq(g) must throw sfc::error of kind k whose message contains `what`.
inline void expect_fold_error(sfc::graph g, sfc::error::kind k, const std::string& what) {
  try {
    sfc::fold_qdq(g);
    ADD_FAILURE() << "no error, expected: " << what;
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), k) << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

// Runs one int8 conv implementation on NHWC src (u8 or s8 as L says), batch L.ci.p.n; SFC
// candidates are calibrated (max-abs) on src itself. Returns the NHWC dst bytes.
inline std::vector<uint8_t> run_conv_int8(const sfc::conv_int8_layer& L,
                                          const sfc::conv_impl_choice& c,
                                          const std::vector<uint8_t>& src) {
  const sfc::conv2d_params& p = L.ci.p;
  const bool sfc_q8 = c.kind == sfc::conv_impl_kind::sfc;
  std::vector<double> maxabs;
  if (sfc_q8) sfc::conv_int8_calibrate_sfc(L, c.variant, src.data(), p.n, maxabs);
  auto k = sfc::make_conv_int8_kernel(L, c, sfc_q8 ? &maxabs : nullptr);
  auto dt = [](sfc::qtype t) { return t == sfc::qtype::u8 ? sfc::dtype::u8 : sfc::dtype::s8; };
  sfc::tensor_desc sd{dt(L.ci.quant.src_type), {p.n, p.ic, p.h, p.w}, sfc::tensor_layout::nhwc};
  sfc::tensor_desc dd{dt(L.ci.quant.dst_type), {p.n, p.oc, p.oh(), p.ow()}, sfc::tensor_layout::nhwc};
  std::vector<uint8_t> dst(dd.bytes());
  std::vector<sfc::tview> in(4), out(1);
  in[0] = {&sd, const_cast<uint8_t*>(src.data())};
  out[0] = {&dd, dst.data()};
  k->run(in, out);
  return dst;
}

// The policies every int8 test runs: "auto", the baselines and the SFC variants of the issue.
inline const std::vector<std::string>& int8_policies() {
  static const std::vector<std::string> p = {
      "auto",         "onednn",       "xnnpack",      "reference",          "smallc_direct",
      "sfc6_7x7_3x3", "sfc6_6x6_3x3", "sfc4_4x4_3x3", "wino_4x4_3x3", "wino_2x2_3x3",
      "exact:sfc6_7x7_3x3", "exact:sfc4_4x4_3x3"};
  return p;
}

// "sfc6_7x7_3x3:<kernels>" -> "sfc6_7x7_3x3", "exact:sfc4_4x4_3x3:<kernels>" ->
// "exact:sfc4_4x4_3x3".
inline std::string impl_family(const std::string& impl) {
  const size_t skip = impl.rfind("exact:", 0) == 0 ? 6 : 0;
  return impl.substr(0, impl.find(':', skip));
}

// A policy as a test name ("exact:sfc6_7x7_3x3" -> "exact_sfc6_7x7_3x3").
inline std::string policy_test_name(std::string p) {
  for (char& c : p) c = c == ':' ? '_' : c;
  return p;
}

inline bool policy_available(const std::string& p) {
  if (p == "onednn") return sfc::have_onednn();
  if (p == "xnnpack") return sfc::have_xnnpack();
  return true;
}

// `count` CIFAR JPEGs (every 4th entry of labels.csv, so every class is present), decoded and
// preprocessed like the lossless set: NHWC floats, 32·32·3 per image. Empty if absent.
inline std::vector<float> cifar_jpeg_calibration(int count) {
  const std::string dir = data_path("cifar10_test_jpeg300_yoongikim/");
  std::ifstream list(dir + "labels.csv");
  std::string line;
  std::vector<float> out;
  if (!list || !std::getline(list, line)) return out;  // header
  for (int i = 0; std::getline(list, line) && int(out.size()) < count * 32 * 32 * 3; ++i) {
    if (i % 4) continue;
    const sfc::image im = sfc::load_image(dir + line.substr(0, line.find(',')));
    if (im.width != 32 || im.height != 32) return {};
    const std::vector<float> x = cifar_preprocess(im.rgb);
    out.insert(out.end(), x.begin(), x.end());
  }
  return out;
}

// Runs `images` (NHWC, per_image floats each) through `ex` in batches of its batch size and
// returns all outputs (plain), images.size() / per_image rows of out_per_image floats.
inline std::vector<float> run_batched(sfc::executor& ex, const std::vector<float>& images,
                                      size_t per_image) {
  const int64_t batch = ex.input_desc(0).shape[0];
  const size_t out_per_image = size_t(ex.output_desc(0).numel() / batch);
  const size_t n = images.size() / per_image;
  std::vector<float> out(n * out_per_image);
  for (size_t first = 0; first < n; first += size_t(batch)) {
    ex.set_input(0, images.data() + first * per_image, sfc::tensor_layout::nhwc);
    ex.run();
    const sfc::tensor t = ex.output(0);
    const size_t rows = std::min(size_t(batch), n - first);
    std::copy(t.as<float>(), t.as<float>() + rows * out_per_image,
              out.begin() + long(first * out_per_image));
  }
  return out;
}

inline int top1_agreement(const std::vector<float>& a, const std::vector<float>& b, int classes) {
  int same = 0;
  for (size_t i = 0; i + size_t(classes) <= a.size(); i += size_t(classes))
    same += argmax(&a[i], classes) == argmax(&b[i], classes);
  return same;
}

// max |a − b| / max |b|.
inline double relative_max_diff(const std::vector<float>& a, const std::vector<float>& b) {
  double m = 0, d = 0;
  for (size_t i = 0; i < b.size(); ++i) m = std::max(m, double(std::fabs(b[i])));
  for (size_t i = 0; i < b.size(); ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
  return m > 0 ? d / m : d;
}

inline sfc::executor_options make_int8_options(const std::string& policy,
                                               const std::vector<float>& calib) {
  sfc::executor_options o;
  o.prec = sfc::precision::int8;
  o.int8.policy = policy;
  o.int8.calibration.images = calib;
  o.int8.measure_reps = 1;
  o.int8.confirm_reps = 1;  // Int8Dispatch.ConfirmStage* checks the second stage itself
  o.threads = 1;  // the test machines are shared: OpenMP spinning under oversubscription is slow
  o.log = [](const std::string&) {};
  return o;
}

}  // namespace sfc_test
