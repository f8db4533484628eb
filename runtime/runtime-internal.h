// Handle structs behind the C API (model, session) and helpers shared by runtime/*.cc.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graph/executor.h"
#include "graph/ir.h"
#include "runtime/api-internal.h"

namespace sfc::api {

struct model_settings {
  bool int8 = false;
  std::string impl = "auto";
  std::string plan_cache;
  int64_t batch = 1;
  int bits = 8;
  uint32_t calibration_count = 0;
};

sfc_tensor_desc to_api_desc(const tensor_desc& d);

}  // namespace sfc::api

struct sfc_model_s {
  sfc_context ctx = nullptr;
  sfc::graph g;                       // as loaded (unprepared)
  sfc::api::model_settings settings;
  std::vector<sfc::shape_t> shapes;   // input shapes with the batch resolved
  std::vector<float> calibration;     // int8 calibration inputs (NCHW), may be empty
  std::vector<std::pair<std::string, std::string>> metadata;  // of a .sfcq file
  std::vector<sfc::tensor_desc> inputs, outputs;
  // Prepared executors not used by any session. The one built at load proves the model prepares;
  // sessions take from here first and give back on destroy (prepared weights are reused).
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<sfc::executor>> pool;
  std::unique_ptr<sfc::executor> probe;  // moved into `pool` after load
  // "auto" int8 plans are measured once, at load: later executors of this model read the plan
  // back from this file so every session runs the same implementations (user path, or a
  // private temporary file removed with the model).
  std::string plan_path;
  bool plan_is_temporary = false;
  ~sfc_model_s();
};

struct sfc_session_s {
  sfc_model model = nullptr;
  std::unique_ptr<sfc::executor> exec;
  std::vector<std::vector<float>> outputs;  // plain float copies handed to the caller
  std::vector<std::string> node_names, node_ops, node_impls;
  bool ran = false;
  bool profiling = false;
};

namespace sfc::api {
std::unique_ptr<executor> make_executor(const sfc_model_s& m);
// Sets precision / implementation policy / calibration on the executor options.
void apply_precision_options(const sfc_model_s& m, executor_options& eo);
}  // namespace sfc::api
