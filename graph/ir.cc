#include "graph/ir.h"

#include <algorithm>
#include <unordered_map>

#include "kernels/common/error.h"

namespace sfc {

namespace {
struct op_entry {
  op_type op;
  const char* onnx_name;
};
const op_entry kOps[] = {
#define SFC_OP(name, onnx_name) {op_type::name, onnx_name},
#include "graph/op-types.inc"
#undef SFC_OP
};
}  // namespace

const char* op_type_name(op_type op) {
  for (const op_entry& e : kOps)
    if (e.op == op) return e.onnx_name;
  return "?";
}

bool op_type_from_onnx(const std::string& onnx_name, op_type* op) {
  for (const op_entry& e : kOps)
    if (onnx_name == e.onnx_name) {
      *op = e.op;
      return true;
    }
  return false;
}

int64_t node::attr_int(const std::string& a, int64_t def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (it->second.kind != attribute::i)
    throw error(error::invalid_model, label() + ": attribute '" + a + "' must be an int");
  return it->second.int_value;
}

float node::attr_float(const std::string& a, float def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (it->second.kind == attribute::i) return float(it->second.int_value);
  if (it->second.kind != attribute::f)
    throw error(error::invalid_model, label() + ": attribute '" + a + "' must be a float");
  return it->second.float_value;
}

std::string node::attr_string(const std::string& a, const std::string& def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (it->second.kind != attribute::s)
    throw error(error::invalid_model, label() + ": attribute '" + a + "' must be a string");
  return it->second.string_value;
}

std::vector<int64_t> node::attr_ints(const std::string& a, const std::vector<int64_t>& def) const {
  auto it = attrs.find(a);
  if (it == attrs.end()) return def;
  if (it->second.kind != attribute::ints)
    throw error(error::invalid_model, label() + ": attribute '" + a + "' must be a list of ints");
  return it->second.int_values;
}

std::string node::label() const {
  return "node '" + name + "' (" + op_type_name(op) + ")";
}

int graph::add_value(const std::string& n) {
  value v;
  v.name = n;
  values.push_back(std::move(v));
  return int(values.size()) - 1;
}

int graph::add_constant(const std::string& n, std::shared_ptr<const tensor> t) {
  const int id = add_value(n);
  value& v = values[size_t(id)];
  v.desc = t->desc();
  v.shape_known = true;
  v.data = std::move(t);
  v.is_const = true;
  return id;
}

int graph::add_node(op_type op, const std::string& n, std::vector<int> ins, std::vector<int> outs) {
  node nd;
  nd.op = op;
  nd.name = n;
  nd.inputs = std::move(ins);
  nd.outputs = std::move(outs);
  const int id = int(nodes.size());
  for (int o : nd.outputs) values[size_t(o)].producer = id;
  nodes.push_back(std::move(nd));
  return id;
}

int graph::find_value(const std::string& n) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == n) return int(i);
  return -1;
}

std::vector<std::vector<int>> graph::consumers() const {
  std::vector<std::vector<int>> c(values.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].dead) continue;
    for (int in : nodes[i].inputs)
      if (in >= 0 && (c[size_t(in)].empty() || c[size_t(in)].back() != int(i)))
        c[size_t(in)].push_back(int(i));
  }
  return c;
}

bool graph::is_graph_output(int v) const {
  return std::find(outputs.begin(), outputs.end(), v) != outputs.end();
}

void graph::compact() {
  std::vector<node> live;
  for (node& n : nodes)
    if (!n.dead) live.push_back(std::move(n));
  // Kahn's algorithm, picking the lowest original index first (keeps the given order if valid).
  std::vector<int> producer(values.size(), -1);
  for (size_t i = 0; i < live.size(); ++i)
    for (int o : live[i].outputs) {
      if (producer[size_t(o)] >= 0)
        throw error(error::invalid_model,
                    "value '" + values[size_t(o)].name + "' is produced by more than one node");
      producer[size_t(o)] = int(i);
    }
  std::vector<int> pending(live.size(), 0);
  std::vector<std::vector<int>> users(live.size());
  for (size_t i = 0; i < live.size(); ++i)
    for (int in : live[i].inputs)
      if (in >= 0 && producer[size_t(in)] >= 0) {
        ++pending[i];
        users[size_t(producer[size_t(in)])].push_back(int(i));
      }
  std::vector<int> ready, order;
  for (size_t i = 0; i < live.size(); ++i)
    if (pending[i] == 0) ready.push_back(int(i));
  while (!ready.empty()) {
    auto it = std::min_element(ready.begin(), ready.end());
    const int i = *it;
    ready.erase(it);
    order.push_back(i);
    for (int u : users[size_t(i)])
      if (--pending[size_t(u)] == 0) ready.push_back(u);
  }
  if (order.size() != live.size())
    throw error(error::invalid_model, "graph '" + name + "' has a cycle");
  nodes.clear();
  for (value& v : values) v.producer = -1;
  for (int i : order) {
    for (int o : live[size_t(i)].outputs) values[size_t(o)].producer = int(nodes.size());
    nodes.push_back(std::move(live[size_t(i)]));
  }
}

void graph::remove_unused() {
  compact();
  std::vector<char> needed(values.size(), 0);
  for (int o : outputs) needed[size_t(o)] = 1;
  for (size_t k = nodes.size(); k-- > 0;) {  // reverse topological order
    node& n = nodes[k];
    if (n.dead) continue;
    bool used = false;
    for (int o : n.outputs) used = used || needed[size_t(o)];
    if (!used) {
      n.dead = true;
      continue;
    }
    for (int in : n.inputs)
      if (in >= 0) needed[size_t(in)] = 1;
  }
  compact();
}

}  // namespace sfc
