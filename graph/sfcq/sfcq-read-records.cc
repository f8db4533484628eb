// .sfcq reader, part 2: the META, GRPH, VALU and NODE records (layouts in docs/sfcq-format.md).
// Validates every enum, count, string, value id, shape and payload before using it.
#include <algorithm>
#include <cstring>

#include "graph/ir.h"
#include "graph/sfcq/sfcq-internal.h"
#include "graph/sfcq/sfcq.h"

namespace sfc {
namespace sfcq {
namespace {

constexpr uint32_t kOpCount = 0
#define SFC_OP(name, onnx_name) +1
#include "graph/op-types.inc"
#undef SFC_OP
    ;

class record_reader {
 public:
  record_reader(const file_view& f, graph& g) : f_(f), g_(g) {}
  void meta(sfcq_metadata* m);
  void graph_header();
  void values();
  void nodes();

 private:
  byte_reader section(const section_span& s, const char* name) const {
    return byte_reader(f_.data, s.offset, s.offset + s.size, std::string("section ") + name);
  }
  // An enum byte above `max`: corrupt, or (newer minor) a value this build does not know.
  uint8_t enum8(byte_reader& r, const char* what, uint32_t max);
  void flags(byte_reader& r, uint32_t v, uint32_t known, const char* what);
  // Bytes after the known fields: skipped in a newer minor, an error otherwise.
  void finish(byte_reader& r);
  void desc(byte_reader& r, tensor_desc* d, bool value_desc);
  std::shared_ptr<const tensor> tensor_ref(byte_reader& r);
  int value_id(byte_reader& r, const char* what, bool allow_absent);
  void value_record(byte_reader& r, value& v);
  void node_record(byte_reader& r, node& n);
  void attr(byte_reader& r, attribute& a);
  void conv(byte_reader& r, conv_info& c);
  std::vector<float> floats(byte_reader& r, const char* what);
  const file_view& f_;
  graph& g_;
};

uint8_t record_reader::enum8(byte_reader& r, const char* what, uint32_t max) {
  const uint8_t v = r.u8(what);
  if (v > max) {
    if (f_.newer_minor())
      r.fail(std::string(what) + " " + std::to_string(v) + " is not known to this build (file " +
                 "version 1." + std::to_string(f_.minor) + ")",
             error::unsupported);
    r.fail("bad " + std::string(what) + " " + std::to_string(v) + " (0.." + std::to_string(max) +
           ")");
  }
  return v;
}

void record_reader::flags(byte_reader& r, uint32_t v, uint32_t known, const char* what) {
  if ((v & ~known) && !f_.newer_minor())
    r.fail(std::string("unknown ") + what + " bits (" + std::to_string(v & ~known) + ")");
}

void record_reader::finish(byte_reader& r) {
  if (r.remaining() && !f_.newer_minor())
    r.fail(std::to_string(r.remaining()) + " unexpected bytes after the last field");
}

void record_reader::meta(sfcq_metadata* m) {
  byte_reader r = section(f_.meta, "META");
  const uint32_t n = r.count("metadata entry count", 8);
  for (uint32_t i = 0; i < n; ++i) {
    std::string k = r.str("metadata key");
    m->entries.emplace_back(std::move(k), r.str("metadata value"));
  }
  finish(r);
}

void record_reader::graph_header() {
  byte_reader r = section(f_.graph, "GRPH");
  g_.name = r.str("graph name");
  g_.opset = r.i32("opset");
  const uint32_t fl = r.u32("graph flags");
  flags(r, fl, kGraphQuantized, "graph flag");
  g_.quantized = fl & kGraphQuantized;
  for (std::vector<int>* io : {&g_.inputs, &g_.outputs}) {
    const char* what = io == &g_.inputs ? "graph input" : "graph output";
    const uint32_t n = r.count(what, 4);
    for (uint32_t i = 0; i < n; ++i) io->push_back(value_id(r, what, false));
  }
  finish(r);
}

int record_reader::value_id(byte_reader& r, const char* what, bool allow_absent) {
  const int32_t id = r.i32(what);
  if (id < (allow_absent ? -1 : 0) || int64_t(id) >= int64_t(g_.values.size()))
    r.fail(std::string(what) + ": dangling value id " + std::to_string(id) + " (the file has " +
           std::to_string(g_.values.size()) + " values)");
  return id;
}

// u8 dtype, u8 layout, u8 rank, u8 reserved (0), i64 dims[rank]. A value's description may
// have dynamic dims (-1); tensor data must be fully static.
void record_reader::desc(byte_reader& r, tensor_desc* d, bool value_desc) {
  d->type = dtype(enum8(r, "dtype", uint32_t(dtype::u8)));
  d->layout = tensor_layout(enum8(r, "layout", uint32_t(tensor_layout::nhwc)));
  const uint8_t rank = r.u8("rank");
  if (rank > kMaxRank)
    r.fail("rank " + std::to_string(rank) + " exceeds the limit " + std::to_string(kMaxRank));
  if (r.u8("reserved byte") != 0 && !f_.newer_minor()) r.fail("reserved byte is not zero");
  d->shape.resize(rank);
  bool dynamic = false;
  for (int64_t& x : d->shape) {
    x = r.i64("dimension");
    if (x < (value_desc ? -1 : 0)) r.fail("bad dimension " + std::to_string(x));
    dynamic = dynamic || x < 0;
  }
  if (!dynamic) {
    try {
      shape_numel(d->shape, "dimensions");
    } catch (const error& e) {
      r.fail(e.what());
    }
  }
}

// Tensor reference: desc, u64 offset in the DATA section (64-byte aligned), u64 size.
std::shared_ptr<const tensor> record_reader::tensor_ref(byte_reader& r) {
  tensor_desc d;
  desc(r, &d, false);
  if (d.layout == tensor_layout::nhwc && d.rank() != 4)
    r.fail("nhwc tensor data has rank " + std::to_string(d.rank()) + ", not 4");
  const uint64_t off = r.u64("payload offset"), size = r.u64("payload size");
  const uint64_t es = dtype_size(d.type), want = uint64_t(shape_numel(d.shape)) * es;
  if (size != want)
    r.fail("payload size " + std::to_string(size) + " does not match " + d.str() + " (" +
           std::to_string(want) + " bytes)");
  if (off % kDataAlign != 0)
    r.fail("payload offset " + std::to_string(off) + " is not 64-byte aligned");
  if (off > f_.tensors.size || size > f_.tensors.size - off)
    r.fail("payload [" + std::to_string(off) + ", +" + std::to_string(size) +
           ") lies outside the DATA section (" + std::to_string(f_.tensors.size) + " bytes)");
  auto t = std::make_shared<tensor>(d);
  const uint8_t* src = f_.data + f_.tensors.offset + off;
  uint8_t* dst = static_cast<uint8_t*>(t->data());
  const uint16_t one = 1;
  uint8_t little;
  std::memcpy(&little, &one, 1);
  if (little || es == 1) {
    if (size) std::memcpy(dst, src, size_t(size));
  } else {
    for (uint64_t i = 0; i < size; i += es)
      for (uint64_t k = 0; k < es; ++k) dst[i + k] = src[i + es - 1 - k];
  }
  return t;
}

void record_reader::values() {
  byte_reader s = section(f_.values, "VALU");
  const uint32_t n = s.count("value count", 16);  // u32 length + name, flags, desc: >= 16 bytes
  g_.values.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    s.set_where("section VALU, value " + std::to_string(i));
    byte_reader r = s.sub(s.u32("value record length"), "value record");
    value_record(r, g_.values[i]);
  }
  finish(s);
}

void record_reader::value_record(byte_reader& r, value& v) {
  v.name = r.str("value name");
  r.set_where(r.where() + " '" + v.name + "'");
  const uint32_t fl = r.u32("value flags");
  flags(r, fl, kValueShapeKnown | kValueIsConst | kValueHasData, "value flag");
  v.shape_known = fl & kValueShapeKnown;
  v.is_const = fl & kValueIsConst;
  desc(r, &v.desc, true);
  if (v.shape_known && v.desc.layout == tensor_layout::nhwc && v.desc.rank() != 4)
    r.fail("nhwc value has rank " + std::to_string(v.desc.rank()) + ", not 4");
  if (fl & kValueHasData) {
    v.data = tensor_ref(r);
    if (v.data->desc().type != v.desc.type || v.data->desc().shape != v.desc.shape)
      r.fail("data " + v.data->desc().str() + " does not match the value's " + v.desc.str());
  }
  if (v.is_const && !v.data) r.fail("constant without data");
  finish(r);
}

void record_reader::nodes() {
  byte_reader s = section(f_.nodes, "NODE");
  const uint32_t n = s.count("node count", 20);  // u32 length + op, name, 2 id counts: >= 20
  g_.nodes.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    s.set_where("section NODE, node " + std::to_string(i));
    byte_reader r = s.sub(s.u32("node record length"), "node record");
    node_record(r, g_.nodes[i]);
  }
  finish(s);
}

void record_reader::node_record(byte_reader& r, node& n) {
  const uint32_t op = r.u32("op type");
  if (op >= kOpCount)
    r.fail("bad op type " + std::to_string(op) + " (this build has " + std::to_string(kOpCount) +
               " operators)",
           f_.newer_minor() ? error::unsupported : error::invalid_model);
  n.op = op_type(op);
  n.name = r.str("node name");
  r.set_where(r.where() + " '" + n.name + "' (" + op_type_name(n.op) + ")");
  uint32_t count = r.count("input count", 4);
  for (uint32_t i = 0; i < count; ++i) n.inputs.push_back(value_id(r, "input", true));
  count = r.count("output count", 4);
  for (uint32_t i = 0; i < count; ++i) {
    n.outputs.push_back(value_id(r, "output", false));
    if (g_.values[size_t(n.outputs.back())].is_const)
      r.fail("output '" + g_.values[size_t(n.outputs.back())].name + "' is a constant");
  }
  count = r.count("attribute count", 6);  // name length, kind, smallest payload
  for (uint32_t i = 0; i < count; ++i) {
    std::string name = r.str("attribute name");
    if (n.attrs.count(name)) r.fail("attribute '" + name + "' appears twice");
    attr(r, n.attrs[name]);
  }
  if (n.op == op_type::conv) conv(r, n.conv);
  finish(r);
}

void record_reader::attr(byte_reader& r, attribute& a) {
  a.kind = attribute::kind_t(enum8(r, "attribute kind", attribute::t));
  switch (a.kind) {
    case attribute::i: a.int_value = r.i64("int attribute"); break;
    case attribute::f: a.float_value = r.f32("float attribute"); break;
    case attribute::s: a.string_value = r.str("string attribute"); break;
    case attribute::ints: {
      a.int_values.resize(r.count("ints attribute length", 8));
      for (int64_t& x : a.int_values) x = r.i64("ints attribute");
      break;
    }
    case attribute::floats: a.float_values = floats(r, "floats attribute"); break;
    case attribute::t:
      if (enum8(r, "tensor attribute presence", 1)) a.tensor_value = tensor_ref(r);
      break;
  }
}

std::vector<float> record_reader::floats(byte_reader& r, const char* what) {
  std::vector<float> v(r.count(what, 4));
  for (float& x : v) x = r.f32(what);
  return v;
}

void record_reader::conv(byte_reader& r, conv_info& c) {
  conv2d_params& p = c.p;
  for (int* x : {&p.n, &p.ic, &p.oc, &p.h, &p.w, &p.kh, &p.kw, &p.stride_h, &p.stride_w, &p.pad_t,
                 &p.pad_l, &p.pad_b, &p.pad_r, &c.groups})
    *x = r.i32("conv geometry");
  c.act = activation_kind(enum8(r, "activation", uint32_t(activation_kind::clip)));
  c.act_min = r.f32("act_min");
  c.act_max = r.f32("act_max");
  conv_quant_params& q = c.quant;
  q.valid = enum8(r, "quant valid flag", 1);
  q.src_type = qtype(enum8(r, "src qtype", uint32_t(qtype::f32)));
  q.src_scale = r.f32("src_scale");
  q.src_zero_point = r.i32("src_zero_point");
  q.weight_scale = floats(r, "weight_scale");
  q.dst_type = qtype(enum8(r, "dst qtype", uint32_t(qtype::f32)));
  q.dst_scale = r.f32("dst_scale");
  q.dst_zero_point = r.i32("dst_zero_point");
  q.residual_type = qtype(enum8(r, "residual qtype", uint32_t(qtype::f32)));
  q.residual_scale = r.f32("residual_scale");
  q.pre_residual_scale = r.f32("pre_residual_scale");
  q.impl = r.str("impl");
  q.td_bits = r.i32("td_bits");
  q.td_act_scale = floats(r, "td_act_scale");
  q.td_weight_scale = floats(r, "td_weight_scale");
  if (f_.minor >= 1) q.td_bias_correction = floats(r, "td_bias_correction");
  if (!q.td_bias_correction.empty() && q.td_bias_correction.size() != size_t(std::max(p.oc, 0)))
    r.fail(std::to_string(q.td_bias_correction.size()) + " transform-domain bias corrections for " +
           std::to_string(p.oc) + " output channels");
  if (q.valid && q.weight_scale.size() != size_t(std::max(p.oc, 0)))
    r.fail("quantized conv has " + std::to_string(q.weight_scale.size()) +
           " weight scales for " + std::to_string(p.oc) + " output channels");
}

}  // namespace

void read_records(const file_view& f, graph& g, sfcq_metadata* meta) {
  record_reader r(f, g);
  r.meta(meta);
  r.values();  // before GRPH and NODE, which refer to value ids
  r.graph_header();
  r.nodes();
}

}  // namespace sfcq
}  // namespace sfc
