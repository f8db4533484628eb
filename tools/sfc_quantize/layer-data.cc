#include "tools/sfc_quantize/layer-data.h"

#include <algorithm>
#include <cstring>

#include "kernels/common/error.h"

namespace sfc_tools {
namespace {

std::vector<uint8_t> copy_value(const sfc::executor& ex, const sfc::graph& g, int v) {
  const sfc::value& val = g.values[size_t(v)];
  const auto* p = static_cast<const uint8_t*>(ex.value_data(v));
  return std::vector<uint8_t>(p, p + val.desc.bytes());
}

sfc::executor_options int8_options(int threads) {
  sfc::executor_options io;
  io.threads = threads, io.reuse_memory = false;
  io.log = [](const std::string&) {};
  io.prec = sfc::precision::int8;
  io.int8.policy = "auto";  // the model's own per-layer implementations
  return io;
}

}  // namespace

std::vector<layer_data> collect_layer_data(const sfc::graph& model, const sfc::graph& q,
                                           const std::vector<float>& images, int count,
                                           int threads, sfc::tensor_layout layout) {
  const sfc::shape_t shape = [&] {
    sfc::shape_t s = sfc::input_shapes_with_batch(q, count).at(0);
    return s;
  }();
  // The reference outputs: the fp32 model's, or for a model quantized elsewhere (TFLite, QDQ)
  // its own int8 semantics on the reference kernels (dequantized below).
  sfc::executor_options fo;
  fo.threads = threads, fo.reuse_memory = false;
  fo.log = [](const std::string&) {};
  if (model.quantized) fo.prec = sfc::precision::int8, fo.int8.policy = "reference";
  sfc::executor f(model, {shape}, fo);
  f.set_input(0, images.data(), layout);
  f.run();
  sfc::executor x(q, {shape}, int8_options(threads));
  x.set_input(0, images.data(), layout);
  x.run();
  const sfc::graph& fg = f.prepared_graph();
  const sfc::graph& xg = x.prepared_graph();
  std::vector<layer_data> out;
  for (size_t k = 0; k < xg.nodes.size(); ++k) {
    const sfc::node& n = xg.nodes[k];
    if (n.op != sfc::op_type::conv || !n.conv.quant.valid) continue;
    layer_data d;
    d.node = k, d.name = n.name;
    d.L = sfc::make_conv_int8_layer(xg, n, threads);
    d.src_desc = xg.values[size_t(n.inputs[0])].desc;
    d.dst_desc = xg.values[size_t(n.outputs[0])].desc;
    d.src = copy_value(x, xg, n.inputs[0]);
    if (n.input(3) >= 0) {
      d.res_desc = xg.values[size_t(n.inputs[3])].desc;
      d.residual = copy_value(x, xg, n.inputs[3]);
    }
    const int fv = fg.find_value(xg.values[size_t(n.outputs[0])].name);
    if (fv < 0 || fg.values[size_t(fv)].desc.shape != d.dst_desc.shape ||
        fg.values[size_t(fv)].desc.layout != d.dst_desc.layout)
      throw sfc::error(sfc::error::internal,
                       "sfc_quantize: no fp32 twin of " + n.label() + "'s output");
    const sfc::value& rv = fg.values[size_t(fv)];
    d.ref.resize(size_t(rv.desc.numel()));
    if (rv.desc.type == sfc::dtype::f32) {
      const auto* r = static_cast<const float*>(f.value_data(fv));
      std::copy(r, r + d.ref.size(), d.ref.begin());
    } else {  // an int8 conv output of the reference run: real = scale · (q − zero point)
      const sfc::conv_quant_params& rq = fg.nodes.at(size_t(rv.producer)).conv.quant;
      const auto* r = static_cast<const uint8_t*>(f.value_data(fv));
      for (size_t i = 0; i < d.ref.size(); ++i) {
        const int v = rv.desc.type == sfc::dtype::u8 ? int(r[i]) : int(int8_t(r[i]));
        d.ref[i] = rq.dst_scale * float(v - rq.dst_zero_point);
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

void refresh_int8_inputs(const sfc::graph& q, const std::vector<float>& images, int count,
                         int threads, sfc::tensor_layout layout, std::vector<layer_data>& layers) {
  const sfc::shape_t shape = sfc::input_shapes_with_batch(q, count).at(0);
  sfc::executor x(q, {shape}, int8_options(threads));
  x.set_input(0, images.data(), layout);
  x.run();
  const sfc::graph& xg = x.prepared_graph();
  for (layer_data& d : layers) {
    const sfc::node& n = xg.nodes.at(d.node);
    if (n.name != d.name) throw sfc::error(sfc::error::internal, "sfc_quantize: layers moved");
    d.src = copy_value(x, xg, n.inputs[0]);
    if (n.input(3) >= 0) d.residual = copy_value(x, xg, n.inputs[3]);
  }
}

double layer_rel_mse(const layer_data& d, const sfc::conv_int8_layer& L,
                     const sfc::conv_impl_choice& c, const std::vector<double>* sfc_maxabs,
                     double* halves) {
  std::unique_ptr<sfc::node_kernel> k = sfc::make_conv_int8_kernel(L, c, sfc_maxabs);
  std::vector<uint8_t> dst(d.dst_desc.bytes());
  std::vector<sfc::tview> in(4), out(1);
  in[0] = {&d.src_desc, const_cast<uint8_t*>(d.src.data())};
  if (!d.residual.empty()) in[3] = {&d.res_desc, const_cast<uint8_t*>(d.residual.data())};
  out[0] = {&d.dst_desc, dst.data()};
  k->run(in, out);
  const float s = L.ci.quant.dst_scale;
  const bool u8 = L.ci.quant.dst_type == sfc::qtype::u8;
  const size_t images = size_t(std::max(d.L.ci.p.n, 1)), per = d.ref.size() / images;
  double num[2] = {0, 0}, den[2] = {0, 0};
  for (size_t i = 0; i < d.ref.size(); ++i) {
    const double q = (u8 ? double(dst[i]) : double(static_cast<int8_t>(dst[i]))) -
                     double(L.ci.quant.dst_zero_point);
    const double e = q * s - d.ref[i];
    const size_t h = (i / per) % 2;  // even / odd images
    num[h] += e * e, den[h] += double(d.ref[i]) * d.ref[i];
  }
  auto rel = [](double n, double dd) { return dd > 0 ? n / dd : n; };
  if (halves) halves[0] = rel(num[0], den[0]), halves[1] = rel(num[1], den[1]);
  return rel(num[0] + num[1], den[0] + den[1]);
}

}  // namespace sfc_tools
