// sfc_model: an imported or built-in graph plus the options it is prepared with. Immutable after
// creation, so any number of sessions (on any threads) can share it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "graph/onnx/onnx.h"
#include "graph/passes/fold-qdq.h"
#include "graph/sfcq/sfcq.h"
#include "graph/tflite/tflite-reader.h"
#include "graph/tflite/tflite-to-graph.h"
#include "graph/zoo/zoo.h"
#include "runtime/runtime-internal.h"

namespace sfc::api {

namespace {

model_settings read_options(const sfc_model_options* options) {
  sfc_model_options o;
  sfc_model_options_init(&o);
  if (options) {
    SFC_CHECK_ARG(options->struct_size >= sizeof(uint32_t) && options->struct_size <= sizeof o,
                  "options->struct_size must be sizeof(sfc_model_options) (call sfc_model_options_init)");
    std::memcpy(&o, options, options->struct_size);
  }
  SFC_CHECK_ARG(o.precision == SFC_PRECISION_FP32 || o.precision == SFC_PRECISION_INT8,
                "options->precision must be SFC_PRECISION_FP32 or SFC_PRECISION_INT8");
  SFC_CHECK_ARG(o.transform_bits == 0 || o.transform_bits == 8 || o.transform_bits == 6 || o.transform_bits == 4,
                "options->transform_bits must be 8, 6 or 4");
  SFC_CHECK_ARG(o.batch <= 65536, "options->batch is too large");
  SFC_CHECK_ARG(o.calibration_count == 0 || o.calibration_data,
                "options->calibration_data is NULL but calibration_count > 0");
  model_settings s;
  s.int8 = o.precision == SFC_PRECISION_INT8;
  s.impl = o.impl ? o.impl : "auto";
  s.plan_cache = o.plan_cache_path ? o.plan_cache_path : "";
  s.batch = o.batch ? o.batch : 1;
  s.bits = o.transform_bits ? int(o.transform_bits) : 8;
  s.calibration_count = o.calibration_count;
  return s;
}

// Input shapes with the batch dimension set; every other dimension must be static.
std::vector<shape_t> input_shapes(const graph& g, int64_t batch) {
  std::vector<shape_t> shapes;
  for (int v : g.inputs) {
    shape_t s = g.values[size_t(v)].desc.shape;
    for (size_t d = 0; d < s.size(); d++) {
      if (s[d] >= 0) continue;
      if (d != 0)
        throw error(error::unsupported, "model input '" + g.values[size_t(v)].name +
                                            "' has a dynamic non-batch dimension " + std::to_string(d));
      s[d] = batch;
    }
    shapes.push_back(s);
  }
  return shapes;
}

// An ONNX model or a quantized model file (.sfcq, recognised by its magic).
struct loaded {
  graph g;
  sfcq_metadata meta;
};
// TFLite FlatBuffers carry the file identifier "TFL3" at byte 4.
bool is_tflite(const void* data, size_t size) {
  return size >= 8 && std::memcmp(static_cast<const char*>(data) + 4, "TFL3", 4) == 0;
}

loaded parse_model(const void* data, size_t size, const std::string& name) {
  loaded l;
  if (is_sfcq(data, size))
    l.g = sfcq_parse(data, size, &l.meta);
  else if (is_tflite(data, size))  // int8 TFLite: a quantized graph with the model's own scales
    l.g = tflite_to_graph(tflite::read_model(data, size, name));
  else
    l.g = onnx_import_memory(data, size, name);
  fold_qdq(l.g);  // an ONNX QDQ / QLinear* model becomes a quantized graph (fold-qdq.h)
  return l;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(error::io, "cannot open '" + path + "'");
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw error(error::io, "cannot read '" + path + "'");
  return b;
}

sfc_model finish(sfc_context ctx, loaded l, const sfc_model_options* options) {
  graph g = std::move(l.g);
  auto m = std::make_unique<sfc_model_s>();
  m->ctx = ctx;
  m->settings = read_options(options);
  m->metadata = std::move(l.meta.entries);
  if (g.quantized) {
    if (!m->settings.int8)
      ctx->log(SFC_LOG_INFO, "model '" + g.name + "' is quantized: running it in int8");
    m->settings.int8 = true;
  }
  m->shapes = input_shapes(g, m->settings.batch);
  if (m->settings.calibration_count) {
    SFC_CHECK_ARG(m->shapes.size() == 1, "calibration data needs a model with exactly one input");
    shape_t s = m->shapes[0];
    s[0] = 1;
    int64_t per = 1;
    for (int64_t d : s) per *= d;
    m->calibration.assign(options->calibration_data,
                          options->calibration_data + per * int64_t(m->settings.calibration_count));
  }
  m->g = std::move(g);
  if (m->settings.int8 && m->settings.impl == "auto") {
    m->plan_path = m->settings.plan_cache;
    if (m->plan_path.empty()) {
      char tmpl[] = "/tmp/sfc-plan-XXXXXX";
      const int fd = mkstemp(tmpl);
      if (fd >= 0) {
        close(fd);
        std::remove(tmpl);  // the executor writes it after measuring
        m->plan_path = tmpl, m->plan_is_temporary = true;
      }
    }
  }
  // Prepare once now, so invalid models and unsupported options fail at load, not at first run.
  m->probe = make_executor(*m);
  for (size_t i = 0; i < m->probe->num_inputs(); i++) m->inputs.push_back(m->probe->input_desc(i));
  for (size_t i = 0; i < m->probe->num_outputs(); i++) m->outputs.push_back(m->probe->output_desc(i));
  ctx->log(SFC_LOG_INFO, "model '" + m->g.name + "' prepared: " + std::to_string(m->probe->prepared_graph().nodes.size()) + " nodes");
  m->pool.push_back(std::move(m->probe));
  return m.release();
}

}  // namespace

std::unique_ptr<executor> make_executor(const sfc_model_s& m) {
  executor_options eo;
  eo.threads = int(m.ctx->threads);
  eo.profile = true;
  apply_precision_options(m, eo);
  return std::make_unique<executor>(m.g, m.shapes, eo);
}

}  // namespace sfc::api

sfc_model_s::~sfc_model_s() {
  if (plan_is_temporary) std::remove(plan_path.c_str());
}

using namespace sfc::api;

extern "C" {

void sfc_model_options_init(sfc_model_options* options) {
  if (!options) return;
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
  options->precision = SFC_PRECISION_FP32;
  options->transform_bits = 8;
  options->batch = 1;
}

sfc_status sfc_model_load_memory(sfc_context context, const void* data, size_t size,
                                 const sfc_model_options* options, sfc_model* model_out) {
  return guard("sfc_model_load_memory", [&] {
    SFC_CHECK_ARG(context, "context is NULL");
    SFC_CHECK_ARG(model_out, "model_out is NULL");
    SFC_CHECK_ARG(data && size > 0, "data is NULL or size is 0");
    *model_out = finish(context, parse_model(data, size, "<memory>"), options);
    return SFC_STATUS_SUCCESS;
  });
}

sfc_status sfc_model_load_file(sfc_context context, const char* path, const sfc_model_options* options,
                               sfc_model* model_out) {
  return guard("sfc_model_load_file", [&] {
    SFC_CHECK_ARG(context, "context is NULL");
    SFC_CHECK_ARG(model_out, "model_out is NULL");
    SFC_CHECK_ARG(path, "path is NULL");
    const std::vector<uint8_t> bytes = read_file(path);
    if (bytes.empty()) throw sfc::error(sfc::error::invalid_model, std::string("'") + path + "' is empty");
    *model_out = finish(context, parse_model(bytes.data(), bytes.size(), path), options);
    return SFC_STATUS_SUCCESS;
  });
}

sfc_status sfc_model_create_builtin(sfc_context context, const char* name, const sfc_model_options* options,
                                    sfc_model* model_out) {
  return guard("sfc_model_create_builtin", [&] {
    SFC_CHECK_ARG(context, "context is NULL");
    SFC_CHECK_ARG(model_out, "model_out is NULL");
    SFC_CHECK_ARG(name, "name is NULL");
    sfc::zoo_model zm;
    if (!sfc::zoo_model_from_name(name, &zm))
      throw sfc::error(sfc::error::invalid_argument,
                       std::string("unknown built-in model '") + name +
                           "' (resnet18, resnet34, resnet50, resnet20, resnet32, resnet56)");
    *model_out = finish(context, loaded{sfc::zoo_build(zm), {}}, options);
    return SFC_STATUS_SUCCESS;
  });
}

void sfc_model_destroy(sfc_model model) { delete model; }

sfc_status sfc_model_input_desc(sfc_model model, uint32_t index, sfc_tensor_desc* desc_out) {
  return guard("sfc_model_input_desc", [&] {
    SFC_CHECK_ARG(model && desc_out, "model or desc_out is NULL");
    SFC_CHECK_ARG(index < model->inputs.size(), "input index out of range");
    *desc_out = to_api_desc(model->inputs[index]);
    return SFC_STATUS_SUCCESS;
  });
}

sfc_status sfc_model_output_desc(sfc_model model, uint32_t index, sfc_tensor_desc* desc_out) {
  return guard("sfc_model_output_desc", [&] {
    SFC_CHECK_ARG(model && desc_out, "model or desc_out is NULL");
    SFC_CHECK_ARG(index < model->outputs.size(), "output index out of range");
    *desc_out = to_api_desc(model->outputs[index]);
    return SFC_STATUS_SUCCESS;
  });
}

const char* sfc_model_metadata(sfc_model model, const char* key) {
  if (!model || !key) return nullptr;
  for (const auto& e : model->metadata)
    if (e.first == key) return e.second.c_str();
  return nullptr;
}

}  // extern "C"
