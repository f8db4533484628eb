#include "graph/executor.h"

#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "graph/executor-internal.h"
#include "kernels/common/error.h"

namespace sfc {

executor::executor(const graph& model, const std::vector<shape_t>& input_shapes,
                   const executor_options& opts)
    : opts_(opts), g_(model) {
  for (int i : model.inputs) declared_shapes_.push_back(model.values[size_t(i)].desc.shape);
  set_input_shapes(g_, input_shapes);
  if (model.quantized) {  // BN folding and fusion happened before quantization
    if (opts.prec != precision::int8)
      throw error(error::invalid_argument, "a quantized model runs in int8 precision only");
    prepare_options po = opts.prepare;
    po.fold_batch_norm = po.fuse = false;
    prepare_graph(g_, po);
  } else {
    prepare_graph(g_, opts.prepare);
  }
  if (opts.prec == precision::int8) {
    prepare_int8(model, input_shapes);
  } else {
    build_steps();
  }
  times_ms_.assign(steps_.size(), 0.0);
}

// Memory plan, arena and one step per node. int8 convolutions get their kernel later
// (prepare_int8); their step is bound with kernel == nullptr.
void executor::build_steps() {
  plan_ = plan_memory(g_, opts_.reuse_memory);
  if (plan_.arena_bytes > opts_.max_arena_bytes)
    throw error(error::unsupported, "model needs " + std::to_string(plan_.arena_bytes) +
                                        " bytes of activations, more than the limit of " +
                                        std::to_string(opts_.max_arena_bytes));
  arena_.assign(plan_.arena_bytes + 64, 0);
  base_ = arena_.data() + (64 - reinterpret_cast<uintptr_t>(arena_.data()) % 64) % 64;
  exec_config cfg;
  cfg.conv = opts_.conv;
  cfg.threads = threads();
  cfg.pre_residual_observer = opts_.pre_residual_observer;
  steps_.clear();
  for (const node& n : g_.nodes) {
    auto s = std::make_unique<step>();
    if (!(n.op == op_type::conv && n.conv.quant.valid)) s->kernel = make_node_kernel(g_, n, cfg);
    bind_step(*s, n);
    steps_.push_back(std::move(s));
  }
}

void executor::bind_step(step& s, const node& n) {
  const bool plain = s.kernel && s.kernel->wants_plain();
  auto bind = [&](int v, bool is_input) {
    if (v < 0) return tview{};
    const value& val = g_.values[size_t(v)];
    tview t{&val.desc, value_ptr(v)};
    if (!plain || val.desc.layout == tensor_layout::plain) return t;
    s.twins.push_back(std::make_unique<tensor_desc>(val.desc));
    s.twins.back()->layout = tensor_layout::plain;
    s.scratch.emplace_back(val.desc.bytes());
    tview p{s.twins.back().get(), s.scratch.back().data()};
    if (is_input)
      s.before.push_back({t.desc, t.data, p.desc, p.data});
    else
      s.after.push_back({p.desc, p.data, t.desc, t.data});
    return p;
  };
  s.scratch.reserve(n.inputs.size() + n.outputs.size());
  for (int v : n.inputs) s.in.push_back(bind(v, true));
  for (int v : n.outputs) s.out.push_back(bind(v, false));
}

int executor::threads() const { return opts_.threads > 0 ? opts_.threads : omp_get_max_threads(); }

void executor::log_line(const std::string& line) const {
  if (opts_.log)
    opts_.log(line);
  else
    std::fprintf(stderr, "%s\n", line.c_str());
}

executor::~executor() = default;

void* executor::value_ptr(int v) const {
  const value& val = g_.values[size_t(v)];
  if (val.is_const) return const_cast<void*>(val.data->data());
  const int64_t off = plan_.offset[size_t(v)];
  if (off < 0) throw error(error::internal, "value '" + val.name + "' has no buffer");
  return base_ + off;
}

const tensor_desc& executor::input_desc(size_t i) const {
  return g_.values[size_t(g_.inputs.at(i))].desc;
}

const tensor_desc& executor::output_desc(size_t i) const {
  return g_.values[size_t(g_.outputs.at(i))].desc;
}

void executor::set_input(size_t i, const void* data, tensor_layout user_layout) {
  const int v = g_.inputs.at(i);
  tensor_desc user = g_.values[size_t(v)].desc;
  if (user_layout == tensor_layout::nhwc && user.rank() != 4)
    throw_invalid("set_input: NHWC layout needs a 4-D input");
  user.layout = user_layout;
  convert_layout(user, data, g_.values[size_t(v)].desc, value_ptr(v));
}

void executor::run() {
  if (!opts_.profile) return run_steps(0, steps_.size());
  for (size_t k = 0; k < steps_.size(); ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    run_steps(k, k + 1);
    times_ms_[k] =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
}

void executor::set_value_data(int v, const void* data) {
  const value& val = g_.values.at(size_t(v));
  if (val.is_const) throw_invalid("set_value_data: '" + val.name + "' is a constant");
  std::memcpy(value_ptr(v), data, val.desc.bytes());
}

void executor::run_nodes(size_t first, size_t last) {
  if (first > last || last > steps_.size()) throw_invalid("run_nodes: node range out of bounds");
  run_steps(first, last);
}

void executor::run_steps(size_t first, size_t last) {
  for (size_t k = first; k < last; ++k) {
    step& s = *steps_[k];
    for (const step::conversion& c : s.before) convert_layout(*c.from, c.src, *c.to, c.dst);
    s.kernel->run(s.in, s.out);
    for (const step::conversion& c : s.after) convert_layout(*c.from, c.src, *c.to, c.dst);
  }
}

void executor::get_output(size_t i, void* dst, tensor_layout user_layout) const {
  const int v = g_.outputs.at(i);
  tensor_desc user = g_.values[size_t(v)].desc;
  if (user_layout == tensor_layout::nhwc && user.rank() != 4)
    throw_invalid("get_output: NHWC layout needs a 4-D output");
  user.layout = user_layout;
  convert_layout(g_.values[size_t(v)].desc, value_ptr(v), user, dst);
}

tensor executor::output(size_t i) const {
  tensor_desc d = output_desc(i);
  d.layout = tensor_layout::plain;
  tensor t(d);
  get_output(i, t.data(), tensor_layout::plain);
  return t;
}

std::string executor::node_impl(size_t k) const { return steps_.at(k)->kernel->impl_name(); }

double executor::node_time_ms(size_t k) const { return times_ms_.at(k); }

uint64_t executor::node_macs(size_t k) const {
  const node& n = g_.nodes.at(k);
  if (n.op == op_type::conv) return uint64_t(n.conv.p.direct_macs()) / uint64_t(n.conv.groups);
  if (n.op != op_type::gemm && n.op != op_type::matmul) return 0;
  const tensor_desc& a = g_.values[size_t(n.inputs[0])].desc;
  const tensor_desc& y = g_.values[size_t(n.outputs[0])].desc;
  if (a.rank() < 2 || y.rank() < 1) return 0;
  const bool ta = n.op == op_type::gemm && n.attr_int("transA", 0) != 0;
  const int64_t k_dim = ta ? a.shape[size_t(a.rank() - 2)] : a.shape.back();
  return uint64_t(y.numel()) * uint64_t(k_dim);
}

}  // namespace sfc
