// The int8 plan file of the "auto" policy: the implementation measured fastest for each conv,
// valid for one CPU, ISA cap, thread count and model (hash of the prepared graph and its input
// shapes). Text, one conv per line:
//   sfc-int8-plan 1
//   cpu <detect_cpu().describe()>
//   isa <isa> threads <n>
//   model <16 hex digits>
//   conv <node name>\t<implementation name>
//   end
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "graph/ir.h"

namespace sfc {

struct int8_plan {
  std::string cpu, isa;
  int threads = 0;
  uint64_t model = 0;
  std::vector<std::pair<std::string, std::string>> convs;  // node name, implementation name
};

// FNV-1a over node ops, names and attributes that matter, conv geometry and quantization
// (calibrated scales), constant data, the input shapes, the transform-domain bits and the error
// budget of the "auto" selection: a plan measured under other conditions is not reused.
uint64_t int8_model_hash(const graph& g, int td_bits, double max_rel_error);
// Reads `path`. Returns false with *why set when the file is missing, unreadable or malformed.
bool read_int8_plan(const std::string& path, int8_plan* plan, std::string* why);
// Writes `path` (replacing it). Returns false with *why set on an I/O error.
bool write_int8_plan(const std::string& path, const int8_plan& plan, std::string* why);
std::string hex64(uint64_t v);

}  // namespace sfc
