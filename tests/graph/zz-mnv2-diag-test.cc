#include <cstdio>
#include <map>
#include <array>
#include "graph-test-util.h"
#include "graph/executor.h"
#include "graph/tflite/tflite-int8-ref.h"
#include "graph/tflite/tflite-to-graph.h"
#include "int8-test-util.h"
namespace {
namespace tfl = sfc::tflite;
TEST(ZzDiag, Mnv2Tensors) {
  const tfl::model m = tfl::load_model(sfc_test::data_path("imagenet_mobilenet_tflite_coral/mobilenet_v2_1.0_224_quant.tflite"));
  const std::vector<uint8_t> pixels = sfc_test::read_bytes(sfc_test::data_path("imagenet_samples_eliSchwartz250/preprocessed_first8_u8_nhwc_8x224x224x3.bin"));
  const sfc::graph g = sfc::tflite_to_graph(m);
  sfc::executor_options o = sfc_test::make_int8_options("reference", {});
  o.reuse_memory = false;
  sfc::executor ex(g, {{1, 3, 224, 224}}, o);
  tfl::ref_interpreter it(m);
  const sfc::graph& pg = ex.prepared_graph();
  std::map<int, std::array<long, 4>> stats;
  const size_t per = 224 * 224 * 3;
  std::vector<float> x(per);
  for (int i = 0; i < 8; ++i) {
    for (size_t j = 0; j < per; ++j) x[j] = (int(pixels[i * per + j]) - 128) / 128.f;
    ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);
    ex.run();
    it.set_input(0, pixels.data() + i * per, per);
    it.run();
    for (size_t v = 0; v < pg.values.size(); ++v) {
      const sfc::value& val = pg.values[v];
      const std::string& nm = val.name;
      if (nm.empty() || nm[0] != 't' || val.is_const) continue;
      const size_t slash = nm.find('/');
      const std::string suffix = slash == std::string::npos ? "" : nm.substr(slash);
      if (!(suffix.empty() || suffix == "/q")) continue;
      if (val.desc.type != sfc::dtype::u8) continue;
      const int t = std::stoi(nm.substr(1, slash - 1));
      const auto& ref = it.tensor_data(t);
      const auto* p = static_cast<const uint8_t*>(ex.value_data(int(v)));
      auto& s = stats[t];
      for (size_t k = 0; k < ref.size(); ++k) {
        const int df = std::abs(int(p[k]) - int(ref[k]));
        s[0]++, s[1] += df != 0, s[2] += df > 1, s[3] = std::max<long>(s[3], df);
      }
    }
  }
  for (size_t k = 0; k < m.ops.size(); ++k) {
    const int t = m.ops[k].outputs[0];
    auto f = stats.find(t);
    if (f == stats.end()) { std::printf("op %zu %s t%d: not found\n", k, tfl::tfl_op_name(m.ops[k].code), t); continue; }
    auto& s = f->second;
    std::printf("op %zu %s t%d: n %ld neq %.4f%% gt1 %ld max %ld\n", k, tfl::tfl_op_name(m.ops[k].code), t, s[0], 100.0 * s[1] / s[0], s[2], s[3]);
  }
}
}
