#include "graph/executor.h"

#include <omp.h>

#include <cstring>

#include "kernels/common/error.h"

namespace sfc {

// One node, ready to run: kernel plus the views it reads and writes. For kernels that want
// plain tensors, NHWC values are converted through scratch buffers around the call.
struct executor::step {
  std::unique_ptr<node_kernel> kernel;
  std::vector<tview> in, out;
  struct conversion {
    const tensor_desc* from;
    const void* src;
    const tensor_desc* to;
    void* dst;
  };
  std::vector<conversion> before, after;
  std::vector<std::unique_ptr<tensor_desc>> twins;
  std::vector<std::vector<uint8_t>> scratch;
};

executor::executor(const graph& model, const std::vector<shape_t>& input_shapes,
                   const executor_options& opts)
    : g_(model) {
  set_input_shapes(g_, input_shapes);
  prepare_graph(g_, opts.prepare);
  plan_ = plan_memory(g_, opts.reuse_memory);
  if (plan_.arena_bytes > opts.max_arena_bytes)
    throw error(error::unsupported, "model needs " + std::to_string(plan_.arena_bytes) +
                                        " bytes of activations, more than the limit of " +
                                        std::to_string(opts.max_arena_bytes));
  arena_.assign(plan_.arena_bytes + 64, 0);
  base_ = arena_.data() + (64 - reinterpret_cast<uintptr_t>(arena_.data()) % 64) % 64;
  exec_config cfg;
  cfg.conv = opts.conv;
  cfg.threads = opts.threads > 0 ? opts.threads : omp_get_max_threads();
  for (const node& n : g_.nodes) {
    auto s = std::make_unique<step>();
    s->kernel = make_node_kernel(g_, n, cfg);
    const bool plain = s->kernel->wants_plain();
    auto bind = [&](int v, bool is_input) {
      if (v < 0) return tview{};
      const value& val = g_.values[size_t(v)];
      tview t{&val.desc, value_ptr(v)};
      if (!plain || val.desc.layout == tensor_layout::plain) return t;
      s->twins.push_back(std::make_unique<tensor_desc>(val.desc));
      s->twins.back()->layout = tensor_layout::plain;
      s->scratch.emplace_back(val.desc.bytes());
      tview p{s->twins.back().get(), s->scratch.back().data()};
      if (is_input) s->before.push_back({t.desc, t.data, p.desc, p.data});
      else s->after.push_back({p.desc, p.data, t.desc, t.data});
      return p;
    };
    s->scratch.reserve(n.inputs.size() + n.outputs.size());
    for (int v : n.inputs) s->in.push_back(bind(v, true));
    for (int v : n.outputs) s->out.push_back(bind(v, false));
    steps_.push_back(std::move(s));
  }
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
  for (const auto& s : steps_) {
    for (const step::conversion& c : s->before) convert_layout(*c.from, c.src, *c.to, c.dst);
    s->kernel->run(s->in, s->out);
    for (const step::conversion& c : s->after) convert_layout(*c.from, c.src, *c.to, c.dst);
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

}  // namespace sfc
