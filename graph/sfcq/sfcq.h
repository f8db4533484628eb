// The quantized model file format `.sfcq`: a self-contained, checksummed serialization of the
// graph IR (graph/ir.h), fp32 or quantized, with free-form metadata. Byte-level specification,
// versioning rule and the list of loader checks: docs/sfcq-format.md. In short (little-endian):
//
//   [0, 64)        header: magic "SFCQ\r\n\x1a\n", version major.minor (u16 each), file size,
//                  section table offset and count, CRC-32 of the body, CRC-32 of the header
//   [64, ...)      section table: {u32 id, u32 flags, u64 offset, u64 size} per section
//   sections       META (key/value strings), GRPH (name, opset, flags, graph inputs/outputs),
//                  VALU (value records), NODE (node records), each at an 8-byte aligned offset;
//                  DATA last, at a 64-byte aligned offset: every tensor payload (value data,
//                  tensor attributes) at a 64-byte aligned file offset, so a loader may mmap it
//
// What is stored: everything in sfc::graph except value::producer (recomputed by
// graph::compact() on load) and conv_info::impls / chosen_impl (decided by the executor);
// conv_quant_params::impl and the td_* fields, which fix those choices, are stored.
//
// Version rule: a reader accepts major == kSfcqVersionMajor and any minor. A file of a newer
// minor may add sections (skipped unless flagged required) and append fields at the end of value
// and node records (skipped); anything else needs a new major. Errors: sfc::error(invalid_model)
// for any corruption, (unsupported) for another major or a required unknown section, (io) for
// files that cannot be read or written.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "graph/ir.h"

namespace sfc {

constexpr uint16_t kSfcqVersionMajor = 1;
constexpr uint16_t kSfcqVersionMinor = 1;  // 1.1: conv td_bias_correction

// Free key/value pairs (producer, source model, preprocessing, calibration info, report, ...),
// stored in order; keys need not be unique.
struct sfcq_metadata {
  std::vector<std::pair<std::string, std::string>> entries;
};

// Serializes `g` (any graph, fp32 or quantized; dead nodes are not allowed: compact() first).
// Deterministic: the same graph and metadata always give the same bytes. Throws
// sfc::error(invalid_argument) for a graph that the loader would reject (dead nodes, value ids
// out of range, a tensor whose data does not match its description).
std::vector<uint8_t> sfcq_serialize(const graph& g, const sfcq_metadata& meta = {});
// Writes sfcq_serialize(g, meta) to `path`; throws sfc::error(io) if it cannot be written.
void save_sfcq(const graph& g, const std::string& path, const sfcq_metadata& meta = {});

// Parses a whole file image (tensor payloads are copied; the library keeps no pointer to `data`
// after return). The result is compacted (topologically sorted, producers set). `meta` (may be
// null) receives the metadata.
graph sfcq_parse(const void* data, size_t size, sfcq_metadata* meta = nullptr);
graph load_sfcq(const std::string& path, sfcq_metadata* meta = nullptr);

// True if `data` starts with the .sfcq magic (for loaders that accept several formats).
bool is_sfcq(const void* data, size_t size);

}  // namespace sfc
