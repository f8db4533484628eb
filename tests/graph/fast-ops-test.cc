// The ISA-dispatched streaming ops (kernels/elementwise: QuantizeLinear, DequantizeLinear, int8
// MaxPool, the int8 residual pass, Gemm with a constant B) against plain reference loops, bit for
// bit, on awkward shapes: every table up to effective_isa(), and the prepared op kernels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "graph/ir.h"
#include "graph/ops/ops.h"
#include "kernels/common/quant.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/isa.h"

namespace {

using sfc::dtype;
using sfc::elementwise_kernels;
using sfc::tensor_layout;

// The tables to check: every compiled level up to the effective (capped) one.
std::vector<const elementwise_kernels*> tables() {
  std::vector<const elementwise_kernels*> t = {&sfc::elementwise_kernels_for(sfc::isa_level::scalar)};
  const sfc::isa_level top = sfc::effective_isa();
  if (top == sfc::isa_level::avx2 || top == sfc::isa_level::avx512vnni)
    t.push_back(&sfc::elementwise_kernels_for(sfc::isa_level::avx2));
  if (top == sfc::isa_level::avx512vnni)
    t.push_back(&sfc::elementwise_kernels_for(sfc::isa_level::avx512vnni));
  return t;
}

// Inputs that hit saturation, NaN / inf, exact .5 ties (scale a power of two) and plain values.
std::vector<float> quant_inputs(size_t n, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> wide(-400.f, 400.f);
  std::uniform_int_distribution<int> tie(-300, 300);
  const float special[] = {0.f, -0.f, 0.5f, -0.5f, 1.5f, 2.5f, -2.5f, 127.5f, 128.5f, -128.5f,
                           254.5f, 255.5f, 1e30f, -1e30f, std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN(), 3e9f, -3e9f};
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t s = sizeof special / sizeof special[0];
    if (i % 7 == 0)
      x[i] = special[(i / 7) % s] * scale;
    else if (i % 3 == 0)
      x[i] = (float(tie(rng)) + 0.5f) * scale;
    else
      x[i] = wide(rng) * scale;
  }
  return x;
}

struct qcase {
  dtype t;
  int32_t zp;
};
const qcase kQuantCases[] = {{dtype::u8, 0}, {dtype::u8, 128}, {dtype::u8, 3},
                             {dtype::s8, 0}, {dtype::s8, -5}, {dtype::s8, 17}};

uint8_t ref_quant(float x, float scale, const qcase& q) {
  const sfc::qtype t = q.t == dtype::u8 ? sfc::qtype::u8 : sfc::qtype::s8;
  return uint8_t(sfc::quantize_round_sat(x / scale, q.zp, sfc::qtype_min(t), sfc::qtype_max(t)));
}

TEST(FastOps, QuantizeMatchesReference) {
  for (const elementwise_kernels* k : tables())
    for (const qcase& q : kQuantCases)
      for (size_t n : {size_t(1), size_t(17), size_t(65), size_t(1000), size_t(16391)})
        for (float scale : {0.5f, 0.0123f, 3.f}) {
          const std::vector<float> x = quant_inputs(n, scale, uint32_t(n));
          const sfc::qtype t = q.t == dtype::u8 ? sfc::qtype::u8 : sfc::qtype::s8;
          std::vector<uint8_t> y(n, 0xcd);
          k->quantize(x.data(), y.data(), n, scale, float(sfc::qtype_min(t) - q.zp),
                      float(sfc::qtype_max(t) - q.zp), q.zp);
          for (size_t i = 0; i < n; ++i)
            ASSERT_EQ(y[i], ref_quant(x[i], scale, q))
                << k->isa << " n " << n << " i " << i << " x " << x[i] << " zp " << q.zp;
        }
}

TEST(FastOps, QuantizeTransposeMatchesReference) {
  for (const elementwise_kernels* k : tables())
    for (size_t c : {size_t(1), size_t(3), size_t(17), size_t(65)})
      for (size_t hw : {size_t(1), size_t(63), size_t(143), size_t(7 * 29)}) {
        const float scale = 0.25f;
        const std::vector<float> x = quant_inputs(c * hw, scale, uint32_t(c * 1000 + hw));
        std::vector<uint8_t> y(c * hw, 0xcd);
        k->quantize_transpose(x.data(), y.data(), hw, c, scale, -128.f + 5.f, 127.f + 5.f, -5);
        for (size_t p = 0; p < hw; ++p)
          for (size_t j = 0; j < c; ++j)
            ASSERT_EQ(y[p * c + j], ref_quant(x[j * hw + p], scale, {dtype::s8, -5}))
                << k->isa << " c " << c << " hw " << hw << " p " << p << " j " << j;
      }
}

TEST(FastOps, DequantizeMatchesReference) {
  for (const elementwise_kernels* k : tables())
    for (size_t n : {size_t(1), size_t(19), size_t(300)}) {
      std::vector<uint8_t> x(n);
      for (size_t i = 0; i < n; ++i) x[i] = uint8_t(i * 37 + 11);
      std::vector<float> y(n);
      k->dequantize_u8(x.data(), y.data(), n, 0.0371f, 7);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(y[i], float(int32_t(x[i]) - 7) * 0.0371f);
      const int8_t* xs = reinterpret_cast<const int8_t*>(x.data());
      k->dequantize_s8(xs, y.data(), n, 0.0371f, -3);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(y[i], float(int32_t(xs[i]) + 3) * 0.0371f);
    }
}

// The residual pass's formula; volatile keeps the compiler from fusing the products (FMA).
template <class R, class D>
D ref_residual(int8_t t, R r, float a, float b, bool relu) {
  volatile float p = a * float(t), q = b * float(r);
  float f = p + q;
  if (relu) f = std::max(f, 0.f);
  const float c = std::min(std::max(f, float(std::numeric_limits<D>::min())),
                           float(std::numeric_limits<D>::max()));
  return D(int(std::nearbyint(c)));
}

template <class R, class D>
void check_residual(const elementwise_kernels* k, size_t n, float a, float b, bool relu) {
  std::mt19937 rng{uint32_t(n)};
  std::vector<int8_t> t(n);
  std::vector<R> r(n);
  for (size_t i = 0; i < n; ++i) t[i] = int8_t(rng()), r[i] = R(rng());
  std::vector<D> d(n);
  const bool rs = R(-1) < R(0), ds = D(-1) < D(0);
  if (k) {
    k->residual_add[rs][ds](t.data(), r.data(), d.data(), n, a, b, relu);
  } else {  // the threaded entry point of the residual pass, 3 threads
    sfc::elementwise_residual_add(t.data(), r.data(), rs, d.data(), ds, n, a, b, relu, 3);
  }
  for (size_t i = 0; i < n; ++i)
    ASSERT_EQ(int(d[i]), int(ref_residual<R, D>(t[i], r[i], a, b, relu)))
        << (k ? k->isa : "threaded") << " i " << i << " t " << int(t[i]) << " r " << int(r[i]);
}

TEST(FastOps, ResidualAddMatchesReference) {
  std::vector<const elementwise_kernels*> ks = tables();
  ks.push_back(nullptr);
  // a = 0.5, b = 0.25: many exact .5 ties; the others: generic roundings and saturation.
  const float ab[][2] = {{0.5f, 0.25f}, {0.731f, 1.377f}, {2.1f, 0.9f}, {0.013f, 0.047f}};
  for (const elementwise_kernels* k : ks)
    for (size_t n : {size_t(1), size_t(33), size_t(40000)})
      for (const auto& s : ab)
        for (bool relu : {false, true}) {
          check_residual<uint8_t, uint8_t>(k, n, s[0], s[1], relu);
          check_residual<uint8_t, int8_t>(k, n, s[0], s[1], relu);
          check_residual<int8_t, uint8_t>(k, n, s[0], s[1], relu);
          check_residual<int8_t, int8_t>(k, n, s[0], s[1], relu);
        }
}

TEST(FastOps, GemmRowsMatchesOrderedDoubleSum) {
  for (const elementwise_kernels* k : tables())
    for (size_t kk : {size_t(1), size_t(17), size_t(512)})
      for (size_t n : {size_t(1), size_t(13), size_t(1000)}) {
        std::mt19937 rng(uint32_t(kk * 7 + n));
        std::normal_distribution<float> d(0.f, 1.f);
        std::vector<float> a(kk), b(n * kk);  // B as [n][k] (transB)
        for (float& v : a) v = d(rng);
        for (float& v : b) v = d(rng) * 0.05f;
        const size_t blocks = (n + k->gemm_nb - 1) / k->gemm_nb;
        std::vector<float> packed(blocks * kk * k->gemm_nb);
        k->gemm_pack(b.data(), kk, n, 1, ptrdiff_t(kk), packed.data());
        std::vector<double> acc(blocks * k->gemm_nb);
        k->gemm_rows(a.data(), 1, packed.data(), kk, 0, blocks, acc.data());
        for (size_t j = 0; j < n; ++j) {
          double s = 0;
          for (size_t t = 0; t < kk; ++t) s += double(a[t]) * b[j * kk + t];
          ASSERT_EQ(acc[j], s) << k->isa << " k " << kk << " n " << n << " j " << j;
        }
      }
}

// ---- prepared op kernels on small graphs ----

sfc::attribute ints(std::vector<int64_t> v) {
  sfc::attribute a;
  a.kind = sfc::attribute::ints;
  a.int_values = std::move(v);
  return a;
}
sfc::attribute one_int(int64_t v) {
  sfc::attribute a;
  a.kind = sfc::attribute::i;
  a.int_value = v;
  return a;
}

int add_input(sfc::graph& g, const char* name, dtype t, sfc::shape_t s, tensor_layout l) {
  const int v = g.add_value(name);
  g.values[size_t(v)].desc = sfc::tensor_desc{t, std::move(s), l};
  g.values[size_t(v)].shape_known = true;
  g.inputs.push_back(v);
  return v;
}

// Runs node 0 of g (output layout `out_layout`) on `x`; returns the output bytes.
std::vector<uint8_t> run_node(sfc::graph& g, tensor_layout out_layout, const void* x,
                              int threads = 1) {
  sfc::node& n = g.nodes[0];
  sfc::infer_node(g, n);
  sfc::value& y = g.values[size_t(n.outputs[0])];
  y.desc.layout = out_layout;
  sfc::exec_config cfg;
  cfg.threads = threads;
  std::unique_ptr<sfc::node_kernel> k = sfc::make_node_kernel(g, n, cfg);
  std::vector<uint8_t> out(y.desc.bytes());
  std::vector<sfc::tview> in;
  for (int v : n.inputs)
    in.push_back(v < 0 ? sfc::tview{}
                       : sfc::tview{&g.values[size_t(v)].desc,
                                    g.values[size_t(v)].is_const
                                        ? const_cast<void*>(g.values[size_t(v)].data->data())
                                        : const_cast<void*>(x)});
  k->run(in, {sfc::tview{&y.desc, out.data()}});
  return out;
}

struct pool_case {
  int64_t n, c, h, w;
  int kh, kw, s, pt, pl, pb, pr;
  bool ceil;
};

template <class T>
void check_maxpool(const pool_case& pc, dtype t) {
  sfc::graph g;
  const int x = add_input(g, "x", t, {pc.n, pc.c, pc.h, pc.w}, tensor_layout::nhwc);
  const int y = g.add_value("y");
  g.add_node(sfc::op_type::max_pool, "mp", {x}, {y});
  sfc::node& nd = g.nodes[0];
  nd.attrs["kernel_shape"] = ints({pc.kh, pc.kw});
  nd.attrs["strides"] = ints({pc.s, pc.s});
  nd.attrs["pads"] = ints({pc.pt, pc.pl, pc.pb, pc.pr});
  nd.attrs["ceil_mode"] = one_int(pc.ceil ? 1 : 0);
  std::mt19937 rng(uint32_t(pc.c * 31 + pc.h));
  std::vector<T> xs(size_t(pc.n * pc.c * pc.h * pc.w));
  for (T& v : xs) v = T(rng());
  for (int threads : {1, 3}) {
    const std::vector<uint8_t> out = run_node(g, tensor_layout::nhwc, xs.data(), threads);
    const sfc::shape_t& os = g.values[size_t(y)].desc.shape;
    const int64_t oh = os[2], ow = os[3], kh = pc.kh, kw = pc.kw;
    // ONNX output size: floor or ceil of (in + pads − k) / s + 1.
    const auto osz = [&](int64_t in, int64_t k, int64_t p) {
      const int64_t span = in + p - k;
      return (pc.ceil ? (span + pc.s - 1) / pc.s : span / pc.s) + 1;
    };
    if (!pc.ceil) {
      ASSERT_EQ(oh, osz(pc.h, kh, pc.pt + pc.pb));
      ASSERT_EQ(ow, osz(pc.w, kw, pc.pl + pc.pr));
    }
    const T* o = reinterpret_cast<const T*>(out.data());
    for (int64_t b = 0; b < pc.n; ++b)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox)
          for (int64_t ch = 0; ch < pc.c; ++ch) {
            T m = std::numeric_limits<T>::lowest();
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t iy = oy * pc.s - pc.pt + ky, ix = ox * pc.s - pc.pl + kx;
                if (iy < 0 || iy >= pc.h || ix < 0 || ix >= pc.w) continue;
                m = std::max(m, xs[size_t(((b * pc.h + iy) * pc.w + ix) * pc.c + ch)]);
              }
            ASSERT_EQ(int(o[((b * oh + oy) * ow + ox) * pc.c + ch]), int(m))
                << "c " << pc.c << " " << pc.h << "x" << pc.w << " at " << b << "," << oy << ","
                << ox << "," << ch << " threads " << threads;
          }
  }
}

TEST(FastOps, Int8MaxPoolMatchesReference) {
  const pool_case cases[] = {
      {1, 64, 112, 112, 3, 3, 2, 1, 1, 1, 1, false},  // ResNet stem
      {3, 1, 9, 7, 3, 3, 2, 1, 1, 1, 1, false},      {3, 3, 11, 13, 3, 3, 2, 0, 0, 0, 0, true},
      {2, 17, 10, 9, 2, 2, 2, 0, 0, 0, 0, true},     {1, 65, 15, 15, 3, 2, 1, 1, 0, 2, 1, false},
      {2, 17, 8, 8, 1, 1, 1, 0, 0, 0, 0, false},     {1, 65, 13, 11, 5, 4, 3, 2, 2, 2, 2, true},
      {3, 3, 7, 9, 3, 3, 2, 1, 1, 1, 1, true},
  };
  for (const pool_case& pc : cases) {
    check_maxpool<uint8_t>(pc, dtype::u8);
    check_maxpool<int8_t>(pc, dtype::s8);
  }
}

std::shared_ptr<sfc::tensor> scalar_tensor(dtype t, int32_t v) {
  auto z = std::make_shared<sfc::tensor>(sfc::tensor_desc{t, {}, tensor_layout::plain});
  if (t == dtype::u8)
    z->as<uint8_t>()[0] = uint8_t(v);
  else
    z->as<int8_t>()[0] = int8_t(v);
  return z;
}

// QuantizeLinear: plain NCHW in → NHWC out (one pass, transposed), and NHWC → NHWC (flat).
TEST(FastOps, QuantizeLinearOpMatchesReference) {
  for (const qcase& q : kQuantCases)
    for (int64_t c : {1, 3, 17, 65})
      for (bool transpose : {true, false}) {
        const int64_t n = 3, h = 7, w = 9;
        const float scale = 0.125f;
        sfc::graph g;
        const tensor_layout in_l = transpose ? tensor_layout::plain : tensor_layout::nhwc;
        const int x = add_input(g, "x", dtype::f32, {n, c, h, w}, in_l);
        const int s = g.add_constant("s", sfc::make_f32_tensor({}, {scale}));
        const int z = g.add_constant("z", scalar_tensor(q.t, q.zp));
        const int y = g.add_value("y");
        g.add_node(sfc::op_type::quantize_linear, "q", {x, s, z}, {y});
        const std::vector<float> xs = quant_inputs(size_t(n * c * h * w), scale, uint32_t(c));
        for (int threads : {1, 2}) {
          const std::vector<uint8_t> out = run_node(g, tensor_layout::nhwc, xs.data(), threads);
          for (int64_t i = 0; i < n * c * h * w; ++i) {
            // logical (b, ch, p) of output byte i (NHWC), and its input element
            const int64_t ch = i % c, p = (i / c) % (h * w), b = i / (c * h * w);
            const int64_t src = transpose ? (b * c + ch) * h * w + p : i;
            ASSERT_EQ(out[size_t(i)], ref_quant(xs[size_t(src)], scale, q))
                << "c " << c << " transpose " << transpose << " i " << i;
          }
        }
      }
}

TEST(FastOps, GemmConstantBMatchesReference) {
  // Y = alpha · A·B(ᵀ) + beta · C with B constant (packed at prepare time); the reference is
  // gemm_run's formula (double accumulation in k order), so the result must be bit-identical.
  for (bool tb : {true, false})
    for (int64_t m : {1, 3})
      for (int64_t nn : {1, 13, 1000}) {
        const int64_t k = 67;
        std::mt19937 rng(uint32_t(nn + m));
        std::normal_distribution<float> d(0.f, 1.f);
        std::vector<float> a(size_t(m * k)), b(size_t(k * nn)), c(static_cast<size_t>(nn));
        for (float& v : a) v = d(rng);
        for (float& v : b) v = d(rng);
        for (float& v : c) v = d(rng);
        sfc::graph g;
        const int xa = add_input(g, "a", dtype::f32, {m, k}, tensor_layout::plain);
        const int xb = g.add_constant(
            "b", sfc::make_f32_tensor(tb ? sfc::shape_t{nn, k} : sfc::shape_t{k, nn}, b));
        const int xc = g.add_constant("c", sfc::make_f32_tensor({nn}, c));
        const int y = g.add_value("y");
        g.add_node(sfc::op_type::gemm, "fc", {xa, xb, xc}, {y});
        g.nodes[0].attrs["transB"] = one_int(tb ? 1 : 0);
        sfc::attribute alpha;
        alpha.kind = sfc::attribute::f;
        alpha.float_value = 0.75f;
        g.nodes[0].attrs["alpha"] = alpha;
        const std::vector<uint8_t> out = run_node(g, tensor_layout::plain, a.data());
        // 3 threads split the column blocks (n = 1000: k·n is large enough): same bytes.
        EXPECT_EQ(run_node(g, tensor_layout::plain, a.data(), 3), out);
        const float* yo = reinterpret_cast<const float*>(out.data());
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < nn; ++j) {
            double acc = 0;
            for (int64_t t = 0; t < k; ++t)
              acc += double(a[size_t(i * k + t)]) * b[size_t(tb ? j * k + t : t * nn + j)];
            double v = 0.75f * acc;
            v += double(1.f) * c[size_t(j)];
            ASSERT_EQ(yo[i * nn + j], float(v)) << "tb " << tb << " m " << m << " j " << j;
          }
      }
}

}  // namespace
