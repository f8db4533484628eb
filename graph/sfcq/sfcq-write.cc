// .sfcq writer: graph IR -> file image (layout in sfcq-internal.h and docs/sfcq-format.md).
#include <algorithm>
#include <cstring>
#include <fstream>

#include "graph/sfcq/sfcq-internal.h"
#include "graph/sfcq/sfcq.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {
using namespace sfcq;

bool host_little_endian() {
  const uint16_t one = 1;
  uint8_t b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

// Appends the elements of `t` in little-endian byte order.
void append_payload(std::vector<uint8_t>& out, const tensor& t) {
  const size_t n = t.desc().bytes(), es = dtype_size(t.desc().type);
  const uint8_t* p = static_cast<const uint8_t*>(t.data());
  if (host_little_endian() || es == 1) {
    out.insert(out.end(), p, p + n);
    return;
  }
  for (size_t i = 0; i < n; i += es)
    for (size_t k = es; k-- > 0;) out.push_back(p[i + k]);
}

class writer {
 public:
  explicit writer(const graph& g) : g_(g) {}
  std::vector<uint8_t> run(const sfcq_metadata& meta);

 private:
  void desc(byte_writer& w, const tensor_desc& d, const std::string& what);
  void tensor_ref(byte_writer& w, const tensor& t, const std::string& what);
  void ids(byte_writer& w, const std::vector<int>& v, bool allow_absent, const std::string& what);
  void value_record(byte_writer& w, const value& v);
  void node_record(byte_writer& w, const node& n);
  void attr(byte_writer& w, const attribute& a, const std::string& what);
  void conv(byte_writer& w, const conv_info& c);
  const graph& g_;
  std::vector<std::pair<const tensor*, uint64_t>> payloads_;  // tensor, offset in DATA
  uint64_t data_size_ = 0;
};

void writer::desc(byte_writer& w, const tensor_desc& d, const std::string& what) {
  if (d.rank() > kMaxRank)
    throw_invalid("sfcq: " + what + ": rank " + std::to_string(d.rank()) + " exceeds " +
                  std::to_string(kMaxRank));
  w.u8(uint8_t(d.type));
  w.u8(uint8_t(d.layout));
  w.u8(uint8_t(d.rank()));
  w.u8(0);
  for (int64_t x : d.shape) w.i64(x);
}

// Tensor reference: desc, u64 payload offset (relative to the DATA section), u64 payload size.
void writer::tensor_ref(byte_writer& w, const tensor& t, const std::string& what) {
  if (t.desc().layout == tensor_layout::nhwc && t.desc().rank() != 4)
    throw_invalid("sfcq: " + what + ": nhwc data must have rank 4");
  desc(w, t.desc(), what);
  data_size_ = (data_size_ + kDataAlign - 1) / kDataAlign * kDataAlign;
  payloads_.emplace_back(&t, data_size_);
  w.u64(data_size_);
  w.u64(t.desc().bytes());
  data_size_ += t.desc().bytes();
}

void writer::ids(byte_writer& w, const std::vector<int>& v, bool allow_absent,
                 const std::string& what) {
  w.u32(uint32_t(v.size()));
  for (int id : v) {
    if (id < (allow_absent ? -1 : 0) || id >= int(g_.values.size()))
      throw_invalid("sfcq: " + what + ": value id " + std::to_string(id) + " out of range");
    w.i32(id);
  }
}

// The loader's rules for a value's description (sfcq-read-records.cc), checked before writing.
void check_value_desc(const value& v, const std::string& what) {
  bool dynamic = false;
  for (int64_t x : v.desc.shape) {
    if (x < -1) throw_invalid("sfcq: " + what + ": bad dimension in " + v.desc.str());
    dynamic = dynamic || x < 0;
  }
  try {
    if (!dynamic) shape_numel(v.desc.shape, what);
  } catch (const error& e) {
    throw_invalid(std::string("sfcq: ") + e.what());
  }
  if (v.shape_known && v.desc.layout == tensor_layout::nhwc && v.desc.rank() != 4)
    throw_invalid("sfcq: " + what + ": nhwc value must have rank 4");
  if (v.is_const && !v.data) throw_invalid("sfcq: " + what + ": constant without data");
}

void writer::value_record(byte_writer& w, const value& v) {
  const std::string what = "value '" + v.name + "'";
  check_value_desc(v, what);
  w.str(v.name);
  w.u32((v.shape_known ? kValueShapeKnown : 0) | (v.is_const ? kValueIsConst : 0) |
        (v.data ? kValueHasData : 0));
  desc(w, v.desc, what);
  if (!v.data) return;
  if (v.data->desc().type != v.desc.type || v.data->desc().shape != v.desc.shape)
    throw_invalid("sfcq: " + what + ": data " + v.data->desc().str() + " does not match " +
                  v.desc.str());
  tensor_ref(w, *v.data, what);
}

void writer::attr(byte_writer& w, const attribute& a, const std::string& what) {
  w.u8(uint8_t(a.kind));
  switch (a.kind) {
    case attribute::i: w.i64(a.int_value); break;
    case attribute::f: w.f32(a.float_value); break;
    case attribute::s: w.str(a.string_value); break;
    case attribute::ints:
      w.u32(uint32_t(a.int_values.size()));
      for (int64_t x : a.int_values) w.i64(x);
      break;
    case attribute::floats:
      w.u32(uint32_t(a.float_values.size()));
      for (float x : a.float_values) w.f32(x);
      break;
    case attribute::t:
      w.u8(a.tensor_value ? 1 : 0);
      if (a.tensor_value) tensor_ref(w, *a.tensor_value, what);
      break;
  }
}

void write_floats(byte_writer& w, const std::vector<float>& v) {
  w.u32(uint32_t(v.size()));
  for (float x : v) w.f32(x);
}

void writer::conv(byte_writer& w, const conv_info& c) {
  const conv2d_params& p = c.p;
  for (int x : {p.n, p.ic, p.oc, p.h, p.w, p.kh, p.kw, p.stride_h, p.stride_w, p.pad_t, p.pad_l,
                p.pad_b, p.pad_r, c.groups})
    w.i32(x);
  w.u8(uint8_t(c.act));
  w.f32(c.act_min);
  w.f32(c.act_max);
  const conv_quant_params& q = c.quant;
  w.u8(q.valid ? 1 : 0);
  w.u8(uint8_t(q.src_type));
  w.f32(q.src_scale);
  w.i32(q.src_zero_point);
  write_floats(w, q.weight_scale);
  w.u8(uint8_t(q.dst_type));
  w.f32(q.dst_scale);
  w.i32(q.dst_zero_point);
  w.u8(uint8_t(q.residual_type));
  w.f32(q.residual_scale);
  w.f32(q.pre_residual_scale);
  w.str(q.impl);
  w.i32(q.td_bits);
  write_floats(w, q.td_act_scale);
  write_floats(w, q.td_weight_scale);
  write_floats(w, q.td_bias_correction);  // since 1.1
}

void writer::node_record(byte_writer& w, const node& n) {
  if (n.dead) throw_invalid("sfcq: " + n.label() + " is dead; call graph::compact() first");
  w.u32(uint32_t(n.op));
  w.str(n.name);
  ids(w, n.inputs, true, n.label() + " input");
  ids(w, n.outputs, false, n.label() + " output");
  for (int o : n.outputs)
    if (g_.values[size_t(o)].is_const)
      throw_invalid("sfcq: " + n.label() + " writes the constant '" + g_.values[size_t(o)].name +
                    "'");
  w.u32(uint32_t(n.attrs.size()));
  for (const auto& a : n.attrs) {
    w.str(a.first);
    attr(w, a.second, n.label() + " attribute '" + a.first + "'");
  }
  const conv_quant_params& q = n.conv.quant;
  if (n.op == op_type::conv && q.valid && q.weight_scale.size() != size_t(std::max(n.conv.p.oc, 0)))
    throw_invalid("sfcq: " + n.label() + ": " + std::to_string(q.weight_scale.size()) +
                  " weight scales for " + std::to_string(n.conv.p.oc) + " output channels");
  if (n.op == op_type::conv) conv(w, n.conv);
}

// A record: u32 length, then the body (so newer minors can append fields).
template <class F> void record(byte_writer& section, F&& body) {
  byte_writer r;
  body(r);
  section.u32(uint32_t(r.size()));
  section.bytes.insert(section.bytes.end(), r.bytes.begin(), r.bytes.end());
}

std::vector<uint8_t> writer::run(const sfcq_metadata& meta) {
  byte_writer m, gr, va, no;
  m.u32(uint32_t(meta.entries.size()));
  for (const auto& e : meta.entries) m.str(e.first), m.str(e.second);
  gr.str(g_.name);
  gr.i32(g_.opset);
  gr.u32(g_.quantized ? kGraphQuantized : 0);
  ids(gr, g_.inputs, false, "graph input");
  ids(gr, g_.outputs, false, "graph output");
  va.u32(uint32_t(g_.values.size()));
  for (const value& v : g_.values) record(va, [&](byte_writer& r) { value_record(r, v); });
  no.u32(uint32_t(g_.nodes.size()));
  for (const node& n : g_.nodes) record(no, [&](byte_writer& r) { node_record(r, n); });

  const std::pair<uint32_t, const byte_writer*> sections[] = {
      {kSectionMeta, &m}, {kSectionGraph, &gr}, {kSectionValues, &va}, {kSectionNodes, &no}};
  const uint32_t count = 5;
  byte_writer f;
  f.bytes.assign(kHeaderSize + count * kSectionEntrySize, 0);
  byte_writer table;
  auto entry = [&](uint32_t id, uint64_t offset, uint64_t size) {
    table.u32(id), table.u32(kSectionRequired), table.u64(offset), table.u64(size);
  };
  for (const auto& s : sections) {
    f.pad_to(kSectionAlign);
    entry(s.first, f.size(), s.second->size());
    f.bytes.insert(f.bytes.end(), s.second->bytes.begin(), s.second->bytes.end());
  }
  f.pad_to(kDataAlign);
  const uint64_t data_start = f.size();
  entry(kSectionData, data_start, data_size_);
  f.bytes.reserve(size_t(data_start + data_size_));
  for (const auto& p : payloads_) {
    f.bytes.resize(size_t(data_start + p.second), 0);
    append_payload(f.bytes, *p.first);
  }
  std::vector<uint8_t> out = std::move(f.bytes);
  std::memcpy(&out[kHeaderSize], table.bytes.data(), table.size());
  std::memcpy(&out[0], kMagic, 8);
  out[kOffMajor] = uint8_t(kSfcqVersionMajor), out[kOffMajor + 1] = uint8_t(kSfcqVersionMajor >> 8);
  out[kOffMinor] = uint8_t(kSfcqVersionMinor), out[kOffMinor + 1] = uint8_t(kSfcqVersionMinor >> 8);
  store_u32(&out[kOffSectionCount], count);
  store_u64(&out[kOffFileSize], out.size());
  store_u64(&out[kOffSectionTable], kHeaderSize);
  sfcq_update_checksums(out);
  return out;
}

}  // namespace

std::vector<uint8_t> sfcq_serialize(const graph& g, const sfcq_metadata& meta) {
  return writer(g).run(meta);
}

void save_sfcq(const graph& g, const std::string& path, const sfcq_metadata& meta) {
  const std::vector<uint8_t> bytes = sfcq_serialize(g, meta);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw error(error::io, "sfcq: cannot open '" + path + "' for writing");
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  f.close();
  if (!f) throw error(error::io, "sfcq: writing '" + path + "' failed");
}

}  // namespace sfc
