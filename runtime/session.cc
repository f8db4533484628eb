// sfc_session: one inference stream over a shared model (an executor plus output copies).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/runtime-internal.h"

namespace sfc::api {

sfc_tensor_desc to_api_desc(const tensor_desc& d) {
  sfc_tensor_desc o;
  std::memset(&o, 0, sizeof o);
  o.dtype = d.type == dtype::u8 ? SFC_DTYPE_UINT8 : d.type == dtype::s8 ? SFC_DTYPE_INT8 : SFC_DTYPE_FLOAT32;
  o.layout = d.rank() == 4 ? SFC_LAYOUT_NCHW : SFC_LAYOUT_NC;
  o.rank = uint32_t(d.rank());
  for (int i = 0; i < d.rank() && i < SFC_MAX_DIMS; i++) o.dims[i] = d.shape[size_t(i)];
  o.scale = 1.f;
  return o;
}

void apply_precision_options(const sfc_model_s& m, executor_options& eo) {
  if (!m.settings.int8) {
    if (m.settings.impl == "reference") eo.conv = conv_path::reference;
    else if (m.settings.impl == "onednn") eo.conv = conv_path::onednn;
    else if (m.settings.impl != "auto")
      throw error(error::unsupported, "fp32 models run convolutions with 'auto', 'onednn' or 'reference', not '" +
                                          m.settings.impl + "'");
    return;
  }
  // A quantized model file carries its own scales; fp32 models are calibrated here.
  if (m.calibration.empty() && !m.g.quantized)
    throw error(error::invalid_argument, "int8 models need calibration inputs (options->calibration_data / calibration_count)");
  eo.prec = precision::int8;
  eo.int8.td_bits = m.settings.bits;
  eo.int8.policy = m.settings.impl;
  eo.int8.calibration.images = m.calibration;
  eo.int8.calibration.layout = tensor_layout::plain;
  eo.int8.calibration.batch = int(std::min<uint32_t>(m.settings.calibration_count, 16));
  eo.int8.plan_cache = m.plan_path;
  const sfc_context ctx = m.ctx;
  eo.log = [ctx](const std::string& line) {
    if (ctx->options.log_fn) ctx->log(SFC_LOG_INFO, line);
    else if (verbose_dispatch()) std::fprintf(stderr, "%s\n", line.c_str());
  };
}

namespace {

// Checks a caller's input desc against the model's input and returns the executor layout.
tensor_layout check_input(const tensor_desc& want, const sfc_tensor_desc& got, uint32_t index) {
  SFC_CHECK_ARG(got.dtype == SFC_DTYPE_FLOAT32, "input " + std::to_string(index) + ": only float32 inputs are accepted");
  SFC_CHECK_ARG(got.rank == uint32_t(want.rank()), "input " + std::to_string(index) + ": rank " +
                                                       std::to_string(got.rank) + ", the model expects " + want.str());
  const bool nhwc = got.layout == SFC_LAYOUT_NHWC;
  SFC_CHECK_ARG(got.layout == SFC_LAYOUT_NCHW || got.layout == SFC_LAYOUT_NC || (nhwc && want.rank() == 4),
                "input " + std::to_string(index) + ": unsupported layout");
  for (int d = 0; d < want.rank(); d++) {
    // NHWC dims are given in N, H, W, C order; the model's shape is logical N, C, H, W.
    const int src = nhwc ? (d == 0 ? 0 : d == 1 ? 3 : d - 1) : d;
    SFC_CHECK_ARG(got.dims[src] == want.shape[size_t(d)],
                  "input " + std::to_string(index) + ": shape mismatch, the model expects " + want.str());
  }
  return nhwc ? tensor_layout::nhwc : tensor_layout::plain;
}

}  // namespace

}  // namespace sfc::api

using namespace sfc::api;

extern "C" {

void sfc_session_options_init(sfc_session_options* options) {
  if (!options) return;
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
}

sfc_status sfc_session_create(sfc_model model, const sfc_session_options* options, sfc_session* session_out) {
  return guard("sfc_session_create", [&] {
    SFC_CHECK_ARG(model, "model is NULL");
    SFC_CHECK_ARG(session_out, "session_out is NULL");
    SFC_CHECK_ARG(!options || (options->struct_size >= sizeof(uint32_t) && options->struct_size <= sizeof(sfc_session_options)),
                  "options->struct_size must be sizeof(sfc_session_options)");
    auto s = std::make_unique<sfc_session_s>();
    s->model = model;
    {
      std::lock_guard<std::mutex> lock(model->pool_mutex);
      if (!model->pool.empty()) {
        s->exec = std::move(model->pool.back());
        model->pool.pop_back();
      }
    }
    if (!s->exec) s->exec = make_executor(*model);
    const sfc::graph& g = s->exec->prepared_graph();
    for (size_t k = 0; k < g.nodes.size(); k++) {
      s->node_names.push_back(g.nodes[k].name);
      s->node_ops.push_back(sfc::op_type_name(g.nodes[k].op));
      s->node_impls.push_back(s->exec->node_impl(k));
    }
    s->outputs.resize(s->exec->num_outputs());
    *session_out = s.release();
    return SFC_STATUS_SUCCESS;
  });
}

void sfc_session_destroy(sfc_session session) {
  if (!session) return;
  try {
    std::lock_guard<std::mutex> lock(session->model->pool_mutex);
    session->model->pool.push_back(std::move(session->exec));
  } catch (...) {  // the executor is simply freed
  }
  delete session;
}

sfc_status sfc_session_set_input(sfc_session session, uint32_t index, const sfc_tensor_desc* desc, const void* data) {
  return guard("sfc_session_set_input", [&] {
    SFC_CHECK_ARG(session && desc && data, "session, desc or data is NULL");
    SFC_CHECK_ARG(index < session->exec->num_inputs(), "input index " + std::to_string(index) + " out of range");
    const sfc::tensor_layout l = check_input(session->exec->input_desc(index), *desc, index);
    session->exec->set_input(index, data, l);
    return SFC_STATUS_SUCCESS;
  });
}

sfc_status sfc_session_run(sfc_session session) {
  return guard("sfc_session_run", [&] {
    SFC_CHECK_ARG(session, "session is NULL");
    session->exec->run();
    session->ran = true;
    return SFC_STATUS_SUCCESS;
  });
}

sfc_status sfc_session_get_output(sfc_session session, uint32_t index, sfc_tensor_desc* desc_out, const void** data_out) {
  return guard("sfc_session_get_output", [&] {
    SFC_CHECK_ARG(session && desc_out && data_out, "session, desc_out or data_out is NULL");
    SFC_CHECK_ARG(index < session->outputs.size(), "output index " + std::to_string(index) + " out of range");
    if (!session->ran) throw sfc::error(sfc::error::invalid_argument, "sfc_session_run has not been called");
    const sfc::tensor_desc& d = session->exec->output_desc(index);
    SFC_CHECK_ARG(d.type == sfc::dtype::f32, "output " + std::to_string(index) + " is not float32");
    auto& buf = session->outputs[index];
    buf.resize(size_t(d.numel()));
    session->exec->get_output(index, buf.data(), sfc::tensor_layout::plain);
    *desc_out = to_api_desc(d);
    *data_out = buf.data();
    return SFC_STATUS_SUCCESS;
  });
}

uint32_t sfc_session_node_count(sfc_session session) {
  return session ? uint32_t(session->node_names.size()) : 0;
}

sfc_status sfc_session_get_node_info(sfc_session session, uint32_t node, sfc_node_info* info_out) {
  return guard("sfc_session_get_node_info", [&] {
    SFC_CHECK_ARG(session && info_out, "session or info_out is NULL");
    SFC_CHECK_ARG(node < session->node_names.size(), "node index out of range");
    info_out->name = session->node_names[node].c_str();
    info_out->op = session->node_ops[node].c_str();
    info_out->impl = session->node_impls[node].c_str();
    info_out->last_ms = session->profiling ? session->exec->node_time_ms(node) : 0.0;
    info_out->macs = double(session->exec->node_macs(node));
    return SFC_STATUS_SUCCESS;
  });
}

sfc_status sfc_session_set_profiling(sfc_session session, int enabled) {
  return guard("sfc_session_set_profiling", [&] {
    SFC_CHECK_ARG(session, "session is NULL");
    session->profiling = enabled != 0;  // executors always time nodes (one clock read each)
    return SFC_STATUS_SUCCESS;
  });
}

}  // extern "C"
