// Data-movement and shape ops: Shape, Gather, Unsqueeze, Squeeze, Reshape, Flatten, Concat,
// Slice (any steps, negative included), Pad (constant mode), Transpose, ConstantOfShape.
// Slice, Pad, Concat and Transpose are strided copies over logical indices, so they run on any
// layout; the reshaping ops follow logical element order and ask for plain tensors.
#include <algorithm>
#include <cstring>
#include <limits>

#include "graph/ops/op-util.h"
#include "graph/ops/ops.h"

namespace sfc {
namespace {
using namespace ops;

void fill(void* dst, dtype t, int64_t n, double v) {
  for (int64_t i = 0; i < n; ++i) switch (t) {
      case dtype::f32: static_cast<float*>(dst)[i] = float(v); break;
      case dtype::i64: static_cast<int64_t*>(dst)[i] = int64_t(v); break;
      case dtype::i32: static_cast<int32_t*>(dst)[i] = int32_t(v); break;
      case dtype::s8: static_cast<int8_t*>(dst)[i] = int8_t(v); break;
      case dtype::u8: static_cast<uint8_t*>(dst)[i] = uint8_t(v); break;
    }
}

// out = in, element order preserved (plain layout on both sides).
class copy_kernel final : public node_kernel {
 public:
  explicit copy_kernel(size_t bytes) : bytes_(bytes) {}
  bool wants_plain() const override { return true; }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    std::memcpy(out[0].data, in[0].data, bytes_);
  }

 private:
  size_t bytes_;
};

// out[i] = in[base + Σ i_d · src_strides[d]] over the output shape (Slice, Transpose).
class strided_kernel final : public node_kernel {
 public:
  strided_kernel(size_t es, shape_t shape, int64_t base, std::vector<int64_t> src_strides,
                 std::vector<int64_t> dst_strides)
      : es_(es), shape_(std::move(shape)), base_(base), ss_(std::move(src_strides)),
        ds_(std::move(dst_strides)) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    copy_strided(es_, shape_, out[0].data, ds_.data(),
                 static_cast<const uint8_t*>(in[0].data) + base_ * int64_t(es_), ss_.data());
  }

 private:
  size_t es_;
  shape_t shape_;
  int64_t base_;
  std::vector<int64_t> ss_, ds_;
};

class concat_kernel final : public node_kernel {
 public:
  concat_kernel(const graph& g, const node& n, int axis) : axis_(axis) {
    const tensor_desc& od = output(g, n, 0).desc;
    es_ = dtype_size(od.type);
    ds_ = od.strides();
    for (size_t i = 0; i < n.inputs.size(); ++i) descs_.push_back(input(g, n, i).desc);
  }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    int64_t off = 0;
    for (size_t i = 0; i < descs_.size(); ++i) {
      const std::vector<int64_t> ss = descs_[i].strides();
      copy_strided(es_, descs_[i].shape,
                   static_cast<uint8_t*>(out[0].data) + off * ds_[size_t(axis_)] * int64_t(es_),
                   ds_.data(), in[i].data, ss.data());
      off += descs_[i].shape[size_t(axis_)];
    }
  }

 private:
  int axis_;
  size_t es_ = 4;
  std::vector<int64_t> ds_;
  std::vector<tensor_desc> descs_;
};

class pad_kernel final : public node_kernel {
 public:
  pad_kernel(const tensor_desc& in, const tensor_desc& out, const std::vector<int64_t>& begins,
             double value)
      : in_(in), out_(out), value_(value) {
    const std::vector<int64_t> ds = out.strides();
    for (size_t d = 0; d < begins.size(); ++d) base_ += begins[d] * ds[d];
  }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    fill(out[0].data, out_.type, out_.numel(), value_);
    const std::vector<int64_t> ss = in_.strides(), ds = out_.strides();
    copy_strided(dtype_size(in_.type), in_.shape,
                 static_cast<uint8_t*>(out[0].data) + base_ * int64_t(dtype_size(in_.type)),
                 ds.data(), in[0].data, ss.data());
  }

 private:
  tensor_desc in_, out_;
  double value_;
  int64_t base_ = 0;
};

class gather_kernel final : public node_kernel {
 public:
  gather_kernel(const node& n, const tensor_desc& data, const tensor_desc& idx, int axis)
      : label_(n.label()), idx_type_(idx.type), nidx_(idx.numel()), es_(dtype_size(data.type)) {
    dim_ = data.shape[size_t(axis)];
    for (int i = 0; i < axis; ++i) outer_ *= data.shape[size_t(i)];
    for (int i = axis + 1; i < data.rank(); ++i) inner_ *= data.shape[size_t(i)];
  }
  bool wants_plain() const override { return true; }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const uint8_t* src = static_cast<const uint8_t*>(in[0].data);
    uint8_t* dst = static_cast<uint8_t*>(out[0].data);
    const size_t row = size_t(inner_) * es_;
    for (int64_t j = 0; j < nidx_; ++j) {
      int64_t k = idx_type_ == dtype::i64 ? in[1].as<int64_t>()[j] : in[1].as<int32_t>()[j];
      if (k < 0) k += dim_;
      if (k < 0 || k >= dim_)
        throw error(error::invalid_argument, label_ + ": index out of range");
      for (int64_t o = 0; o < outer_; ++o)
        std::memcpy(dst + size_t((o * nidx_ + j) * inner_) * es_,
                    src + size_t((o * dim_ + k) * inner_) * es_, row);
    }
  }

 private:
  std::string label_;
  dtype idx_type_;
  int64_t nidx_, dim_ = 1, outer_ = 1, inner_ = 1;
  size_t es_;
};

class fill_kernel final : public node_kernel {
 public:
  fill_kernel(const tensor_desc& d, double v) : d_(d), v_(v) {}
  void run(const std::vector<tview>&, const std::vector<tview>& out) override {
    fill(out[0].data, d_.type, d_.numel(), v_);
  }

 private:
  tensor_desc d_;
  double v_;
};

class shape_kernel final : public node_kernel {
 public:
  explicit shape_kernel(std::shared_ptr<const tensor> t) : t_(std::move(t)) {}
  void run(const std::vector<tview>&, const std::vector<tview>& out) override {
    std::memcpy(out[0].data, t_->data(), t_->desc().bytes());
  }

 private:
  std::shared_ptr<const tensor> t_;
};

// Per-axis slice geometry: out dim d reads in[start_d + i · step_d].
struct slice_geom {
  std::vector<int64_t> start, step;
  shape_t out;
};

slice_geom resolve_slice(const graph& g, const node& n) {
  const shape_t& in = input(g, n, 0).desc.shape;
  const int r = int(in.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (g.opset < 10) {
    check_arity(n, 1, 1);
    starts = n.attr_ints("starts", {}), ends = n.attr_ints("ends", {});
    axes = n.attr_ints("axes", {});
  } else {
    check_arity(n, 3, 5);
    starts = const_ints(g, n, 1, "starts"), ends = const_ints(g, n, 2, "ends");
    if (has_input(n, 3)) axes = const_ints(g, n, 3, "axes");
    if (has_input(n, 4)) steps = const_ints(g, n, 4, "steps");
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    fail_invalid(n, "starts, ends, axes and steps must have the same length");
  slice_geom s{std::vector<int64_t>(size_t(r), 0), std::vector<int64_t>(size_t(r), 1), in};
  std::vector<char> seen(size_t(r), 0);
  for (size_t i = 0; i < starts.size(); ++i) {
    const int a = normalize_axis(n, axes[i], r);
    if (seen[size_t(a)]++) fail_invalid(n, "repeated axis");
    const int64_t dim = in[size_t(a)], st = steps[i];
    if (st == 0) fail_invalid(n, "step 0");
    int64_t b = starts[i], e = ends[i];
    if (b < 0) b = b < -dim ? 0 : b + dim;
    if (e < 0) e = e < -dim ? -1 : e + dim;
    int64_t count;
    if (st > 0) {
      b = std::min(std::max<int64_t>(b, 0), dim), e = std::min(std::max<int64_t>(e, 0), dim);
      count = e > b ? (e - b + st - 1) / st : 0;
    } else {
      b = std::min(std::max<int64_t>(b, 0), dim - 1), e = std::min(e, dim - 1);
      if (ends[i] < -dim) e = -1;
      count = b > e ? (b - e + (-st) - 1) / (-st) : 0;
    }
    s.start[size_t(a)] = b, s.step[size_t(a)] = st, s.out[size_t(a)] = count;
  }
  return s;
}

// Pad: begins/ends per dim (opset >= 11: inputs, older: attributes) and the fill value.
void resolve_pad(const graph& g, const node& n, std::vector<int64_t>* pads, double* v) {
  const int r = input(g, n, 0).desc.rank();
  if (n.attr_string("mode", "constant") != "constant")
    fail_unsupported(n, "mode '" + n.attr_string("mode", "") + "' is not supported");
  if (g.opset < 11) {
    check_arity(n, 1, 1);
    *pads = n.attr_ints("pads", {});
    *v = n.attr_float("value", 0.f);
  } else {
    check_arity(n, 2, 3);
    *pads = const_ints(g, n, 1, "pads");
    *v = const_scalar_f32(g, n, 2, "constant_value", 0.f);
  }
  if (pads->size() != size_t(2 * r))
    fail_invalid(n, "pads must have " + std::to_string(2 * r) + " values");
  for (int64_t p : *pads)
    if (p < 0 || p > (int64_t(1) << 20)) fail_unsupported(n, "pads must be in [0, 2^20]");
}

std::vector<int64_t> squeeze_axes(const graph& g, const node& n) {
  if (g.opset >= 13 && has_input(n, 1)) return const_ints(g, n, 1, "axes");
  return n.attr_ints("axes", {});
}

shape_t infer_reshape(const graph& g, const node& n, const shape_t& in, int64_t numel) {
  check_arity(n, 2, 2);
  if (n.attr_int("allowzero", 0) != 0) fail_unsupported(n, "allowzero=1 is not supported");
  shape_t s = const_ints(g, n, 1, "shape");
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 0) {
      if (i >= in.size()) fail_invalid(n, "0 in shape refers past the input rank");
      s[i] = in[i];
    }
    if (s[i] == -1) {
      if (infer >= 0) fail_invalid(n, "more than one -1 in shape");
      infer = int(i);
    } else if (s[i] < 0) {
      fail_invalid(n, "negative dimension in shape");
    } else {
      if (s[i] != 0 && known > kMaxElements / s[i]) fail_invalid(n, "shape too large");
      known *= s[i];
    }
  }
  if (infer >= 0) s[size_t(infer)] = known ? numel / known : 0;
  if (shape_numel(s) != numel)
    fail_invalid(n, "cannot reshape " + shape_str(in) + " to " + shape_str(s));
  return s;
}

shape_t infer_reshape_like(const graph& g, const node& n) {
  const shape_t& in = input(g, n, 0).desc.shape;
  const int r = int(in.size());
  const int64_t numel = shape_numel(in);
  switch (n.op) {
    case op_type::flatten: {
      check_arity(n, 1, 1);
      int64_t axis = n.attr_int("axis", 1);
      if (axis < -r || axis > r) fail_invalid(n, "axis out of range");
      if (axis < 0) axis += r;
      int64_t outer = 1;
      for (int64_t i = 0; i < axis; ++i) outer *= in[size_t(i)];
      return {outer, outer ? numel / outer : 0};
    }
    case op_type::reshape: return infer_reshape(g, n, in, numel);
    case op_type::unsqueeze: {
      check_arity(n, 1, 2);
      const std::vector<int64_t> axes = squeeze_axes(g, n);
      const int ro = r + int(axes.size());
      std::vector<char> ins(size_t(ro), 0);
      for (int64_t a : axes)
        if (ins[size_t(normalize_axis(n, a, ro))]++) fail_invalid(n, "repeated axis");
      shape_t s;
      for (int i = 0, j = 0; i < ro; ++i) s.push_back(ins[size_t(i)] ? 1 : in[size_t(j++)]);
      return s;
    }
    default: {  // squeeze
      check_arity(n, 1, 2);
      const std::vector<int64_t> axes = squeeze_axes(g, n);
      std::vector<char> drop(size_t(r), axes.empty() ? 1 : 0);
      for (int64_t a : axes) {
        const int k = normalize_axis(n, a, r);
        if (in[size_t(k)] != 1) fail_invalid(n, "cannot squeeze a dimension that is not 1");
        drop[size_t(k)] = 1;
      }
      shape_t s;
      for (int i = 0; i < r; ++i)
        if (!(drop[size_t(i)] && in[size_t(i)] == 1)) s.push_back(in[size_t(i)]);
      return s;
    }
  }
}

std::vector<int64_t> transpose_perm(const graph& g, const node& n) {
  const int r = input(g, n, 0).desc.rank();
  std::vector<int64_t> def(static_cast<size_t>(r));
  for (int i = 0; i < r; ++i) def[size_t(i)] = r - 1 - i;
  std::vector<int64_t> perm = n.attr_ints("perm", def);
  std::vector<char> seen(size_t(r), 0);
  if (perm.size() != size_t(r)) fail_invalid(n, "perm has the wrong length");
  for (int64_t p : perm)
    if (p < 0 || p >= r || seen[size_t(p)]++) fail_invalid(n, "perm is not a permutation");
  return perm;
}

void infer_concat(graph& g, node& n) {
  if (n.inputs.empty()) fail_invalid(n, "needs at least one input");
  check_arity(n, n.inputs.size(), n.inputs.size());
  if (!n.has_attr("axis")) fail_invalid(n, "attribute 'axis' is required");
  const value& a = input(g, n, 0);
  const int axis = normalize_axis(n, n.attr_int("axis", 0), a.desc.rank());
  shape_t s = a.desc.shape;
  s[size_t(axis)] = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const value& v = input(g, n, i);
    if (v.desc.type != a.desc.type || v.desc.rank() != a.desc.rank())
      fail_invalid(n, "inputs differ in type or rank");
    for (int d = 0; d < a.desc.rank(); ++d)
      if (d != axis && v.desc.shape[size_t(d)] != a.desc.shape[size_t(d)])
        fail_invalid(n, "inputs differ outside the concat axis");
    s[size_t(axis)] += v.desc.shape[size_t(axis)];
  }
  set_output(g, n, 0, a.desc.type, s);
}

void infer_shape_op(graph& g, node& n) {
  check_arity(n, 1, 1);
  const shape_t& in = input(g, n, 0).desc.shape;
  const int r = int(in.size());
  int64_t b = n.attr_int("start", 0), e = n.attr_int("end", r);
  if (b < 0) b += r;
  if (e < 0) e += r;
  b = std::min<int64_t>(std::max<int64_t>(b, 0), r), e = std::min<int64_t>(std::max<int64_t>(e, 0), r);
  const shape_t dims(in.begin() + b, in.begin() + std::max(b, e));
  set_output(g, n, 0, dtype::i64, {int64_t(dims.size())});
  g.values[size_t(n.outputs[0])].data = make_i64_tensor({int64_t(dims.size())}, dims);
}

void infer_constant_of_shape(graph& g, node& n) {
  check_arity(n, 1, 1);
  const shape_t s = const_ints(g, n, 0, "shape");
  dtype t = dtype::f32;
  if (n.has_attr("value")) {
    const attribute& a = n.attrs.at("value");
    if (a.kind != attribute::t || !a.tensor_value || a.tensor_value->numel() != 1)
      fail_invalid(n, "'value' must be a one-element tensor");
    t = a.tensor_value->desc().type;
  }
  set_output(g, n, 0, t, s);
}

}  // namespace

void infer_movement(graph& g, node& n) {
  switch (n.op) {
    case op_type::shape: return infer_shape_op(g, n);
    case op_type::constant_of_shape: return infer_constant_of_shape(g, n);
    case op_type::concat: return infer_concat(g, n);
    case op_type::gather: {
      check_arity(n, 2, 2);
      const value& d = input(g, n, 0);
      const value& i = input(g, n, 1);
      if (i.desc.type != dtype::i64 && i.desc.type != dtype::i32)
        fail_invalid(n, "indices must be integers");
      const int axis = normalize_axis(n, n.attr_int("axis", 0), d.desc.rank());
      shape_t s(d.desc.shape.begin(), d.desc.shape.begin() + axis);
      s.insert(s.end(), i.desc.shape.begin(), i.desc.shape.end());
      s.insert(s.end(), d.desc.shape.begin() + axis + 1, d.desc.shape.end());
      return set_output(g, n, 0, d.desc.type, s);
    }
    case op_type::slice: return set_output(g, n, 0, input(g, n, 0).desc.type, resolve_slice(g, n).out);
    case op_type::pad: {
      std::vector<int64_t> pads;
      double v = 0;
      resolve_pad(g, n, &pads, &v);
      shape_t s = input(g, n, 0).desc.shape;
      for (size_t d = 0; d < s.size(); ++d) s[d] += pads[d] + pads[d + s.size()];
      return set_output(g, n, 0, input(g, n, 0).desc.type, s);
    }
    case op_type::transpose: {
      check_arity(n, 1, 1);
      const std::vector<int64_t> perm = transpose_perm(g, n);
      const shape_t& in = input(g, n, 0).desc.shape;
      shape_t s;
      for (int64_t p : perm) s.push_back(in[size_t(p)]);
      return set_output(g, n, 0, input(g, n, 0).desc.type, s);
    }
    case op_type::flatten:
    case op_type::reshape:
    case op_type::unsqueeze:
    case op_type::squeeze:
      return set_output(g, n, 0, input(g, n, 0).desc.type, infer_reshape_like(g, n));
    default: fail_unsupported(n, "no shape rule for this operator");
  }
}

std::unique_ptr<node_kernel> make_movement_kernel(const graph& g, const node& n) {
  const tensor_desc& od = output(g, n, 0).desc;
  switch (n.op) {
    case op_type::shape: return std::make_unique<shape_kernel>(output(g, n, 0).data);
    case op_type::constant_of_shape: {
      double v = 0;
      if (n.has_attr("value")) {
        const tensor& t = *n.attrs.at("value").tensor_value;
        v = t.desc().type == dtype::f32 ? t.as<float>()[0] : double(tensor_to_i64(t)[0]);
      }
      return std::make_unique<fill_kernel>(od, v);
    }
    case op_type::concat:
      return std::make_unique<concat_kernel>(g, n, normalize_axis(n, n.attr_int("axis", 0), od.rank()));
    case op_type::gather: {
      const tensor_desc& d = input(g, n, 0).desc;
      return std::make_unique<gather_kernel>(n, d, input(g, n, 1).desc,
                                             normalize_axis(n, n.attr_int("axis", 0), d.rank()));
    }
    case op_type::slice: {
      const slice_geom s = resolve_slice(g, n);
      const std::vector<int64_t> is = input(g, n, 0).desc.strides();
      int64_t base = 0;
      std::vector<int64_t> ss(is.size());
      for (size_t d = 0; d < is.size(); ++d) base += s.start[d] * is[d], ss[d] = s.step[d] * is[d];
      return std::make_unique<strided_kernel>(dtype_size(od.type), od.shape, base, ss, od.strides());
    }
    case op_type::pad: {
      std::vector<int64_t> pads;
      double v = 0;
      resolve_pad(g, n, &pads, &v);
      pads.resize(pads.size() / 2);
      return std::make_unique<pad_kernel>(input(g, n, 0).desc, od, pads, v);
    }
    case op_type::transpose: {
      const std::vector<int64_t> perm = transpose_perm(g, n);
      const std::vector<int64_t> is = input(g, n, 0).desc.strides();
      std::vector<int64_t> ss;
      for (int64_t p : perm) ss.push_back(is[size_t(p)]);
      return std::make_unique<strided_kernel>(dtype_size(od.type), od.shape, 0, ss, od.strides());
    }
    default: return std::make_unique<copy_kernel>(od.bytes());
  }
}

}  // namespace sfc
