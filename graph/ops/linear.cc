// Gemm (transA / transB / alpha / beta / broadcast C), MatMul (rank >= 2, batch dims equal or B
// shared) and Softmax, on plain f32 tensors. Dot products accumulate in double.
#include <algorithm>
#include <cmath>

#include "graph/ops/op-util.h"
#include "graph/ops/ops.h"
#include "kernels/elementwise/elementwise.h"

namespace sfc {
namespace {
using namespace ops;

// Y[m, n] = alpha · Σ_k A(m, k) B(k, n) + beta · C(m, n), element strides for each access.
struct gemm_geom {
  int64_t m = 1, n = 1, k = 1;
  int64_t a_sm = 0, a_sk = 0, b_sk = 0, b_sn = 0, c_sm = 0, c_sn = 0;
  float alpha = 1.f, beta = 1.f;
  bool has_c = false;
};

void gemm_run(const gemm_geom& g, const float* a, const float* b, const float* c, float* y) {
  for (int64_t i = 0; i < g.m; ++i)
    for (int64_t j = 0; j < g.n; ++j) {
      const float* pa = a + i * g.a_sm;
      const float* pb = b + j * g.b_sn;
      double acc = 0;
      for (int64_t t = 0; t < g.k; ++t) acc += double(pa[t * g.a_sk]) * pb[t * g.b_sk];
      double v = g.alpha * acc;
      if (g.has_c) v += double(g.beta) * c[i * g.c_sm + j * g.c_sn];
      y[i * g.n + j] = float(v);
    }
}

class gemm_kernel final : public node_kernel {
 public:
  gemm_kernel(gemm_geom g, int64_t batch, int64_t a_step, int64_t b_step)
      : g_(g), batch_(batch), a_step_(a_step), b_step_(b_step) {}
  bool wants_plain() const override { return true; }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* c = in.size() > 2 ? in[2].as<float>() : nullptr;
    for (int64_t b = 0; b < batch_; ++b)
      gemm_run(g_, in[0].as<float>() + b * a_step_, in[1].as<float>() + b * b_step_, c,
               out[0].as<float>() + b * g_.m * g_.n);
  }

 private:
  gemm_geom g_;
  int64_t batch_, a_step_, b_step_;
};

// Gemm with a constant B (the classifier of a CNN): B packed once into column blocks
// (kernels/elementwise gemm_pack), dot products summed in double in t order like gemm_run, so
// the result is the same bit for bit, vectorized across output columns.
class packed_gemm_kernel final : public node_kernel {
 public:
  packed_gemm_kernel(const gemm_geom& g, const float* b, int threads)
      : g_(g), k_(elementwise_kernels_default()), threads_(std::max(threads, 1)) {
    blocks_ = (size_t(g.n) + k_.gemm_nb - 1) / k_.gemm_nb;
    packed_.resize(blocks_ * size_t(g.k) * k_.gemm_nb);
    k_.gemm_pack(b, size_t(g.k), size_t(g.n), g.b_sk, g.b_sn, packed_.data());
    acc_.resize(blocks_ * k_.gemm_nb);
  }
  bool wants_plain() const override { return true; }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* a = in[0].as<float>();
    const float* c = in.size() > 2 ? in[2].as<float>() : nullptr;
    float* y = out[0].as<float>();
    // Column blocks are independent (each output's sum runs in t order): thread over them when
    // the weights are large enough to pay for it; the result does not depend on the split.
    const int nt = size_t(g_.k) * size_t(g_.n) >= (size_t(1) << 16)
                       ? int(std::min<size_t>(size_t(threads_), blocks_))
                       : 1;
    for (int64_t i = 0; i < g_.m; ++i) {
      const float* ai = a + i * g_.a_sm;
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
      for (int t = 0; t < nt; ++t) {
        const size_t b0 = blocks_ * size_t(t) / size_t(nt), b1 = blocks_ * size_t(t + 1) / size_t(nt);
        k_.gemm_rows(ai, g_.a_sk, packed_.data(), size_t(g_.k), b0, b1,
                     acc_.data() + b0 * k_.gemm_nb);
      }
      for (int64_t j = 0; j < g_.n; ++j) {
        double v = g_.alpha * acc_[size_t(j)];
        if (g_.has_c) v += double(g_.beta) * c[i * g_.c_sm + j * g_.c_sn];
        y[i * g_.n + j] = float(v);
      }
    }
  }
  std::string impl_name() const override { return std::string("packed-f64acc:") + k_.isa; }

 private:
  gemm_geom g_;
  const elementwise_kernels& k_;
  int threads_ = 1;
  size_t blocks_ = 0;
  std::vector<float> packed_;
  std::vector<double> acc_;
};

gemm_geom resolve_gemm(const graph& g, const node& n) {
  check_arity(n, 2, 3);
  const value& a = input(g, n, 0);
  const value& b = input(g, n, 1);
  if (a.desc.type != dtype::f32 || b.desc.type != dtype::f32 || a.desc.rank() != 2 ||
      b.desc.rank() != 2)
    fail_unsupported(n, "A and B must be f32 matrices");
  gemm_geom q;
  const bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
  const int64_t a0 = a.desc.shape[0], a1 = a.desc.shape[1];
  const int64_t b0 = b.desc.shape[0], b1 = b.desc.shape[1];
  q.m = ta ? a1 : a0, q.k = ta ? a0 : a1;
  q.a_sm = ta ? 1 : a1, q.a_sk = ta ? a1 : 1;
  q.n = tb ? b0 : b1;
  if ((tb ? b1 : b0) != q.k)
    fail_invalid(n, "inner dimensions differ: " + shape_str(a.desc.shape) + " x " +
                        shape_str(b.desc.shape));
  q.b_sk = tb ? 1 : b1, q.b_sn = tb ? b1 : 1;
  q.alpha = n.attr_float("alpha", 1.f), q.beta = n.attr_float("beta", 1.f);
  if (has_input(n, 2)) {
    const value& c = input(g, n, 2);
    const shape_t& cs = c.desc.shape;
    if (c.desc.type != dtype::f32 || cs.size() > 2) fail_invalid(n, "C must be f32, rank <= 2");
    const int64_t cm = cs.size() == 2 ? cs[0] : 1, cn = cs.empty() ? 1 : cs.back();
    if ((cm != 1 && cm != q.m) || (cn != 1 && cn != q.n))
      fail_invalid(n, "C " + shape_str(cs) + " does not broadcast to the output");
    q.has_c = true;
    q.c_sn = cn == 1 ? 0 : 1, q.c_sm = cm == 1 ? 0 : cn;
  }
  return q;
}

// MatMul as a batch of gemms: [batch, M, K] x ([batch, K, N] or [K, N]).
struct matmul_geom {
  gemm_geom g;
  int64_t batch = 1, a_step = 0, b_step = 0;
  shape_t out;
};

matmul_geom resolve_matmul(const graph& g, const node& n) {
  check_arity(n, 2, 2);
  const value& a = input(g, n, 0);
  const value& b = input(g, n, 1);
  const int ra = a.desc.rank(), rb = b.desc.rank();
  if (a.desc.type != dtype::f32 || b.desc.type != dtype::f32 || ra < 2 || rb < 2)
    fail_unsupported(n, "only f32 operands of rank >= 2 are supported");
  matmul_geom m;
  const int64_t M = a.desc.shape[size_t(ra - 2)], K = a.desc.shape[size_t(ra - 1)];
  const int64_t N = b.desc.shape[size_t(rb - 1)];
  if (b.desc.shape[size_t(rb - 2)] != K) fail_invalid(n, "inner dimensions differ");
  const shape_t ba(a.desc.shape.begin(), a.desc.shape.end() - 2);
  const shape_t bb(b.desc.shape.begin(), b.desc.shape.end() - 2);
  if (!bb.empty() && bb != ba) fail_unsupported(n, "batch broadcasting is not supported");
  for (int64_t d : ba) m.batch *= d;
  m.g.m = M, m.g.k = K, m.g.n = N;
  m.g.a_sm = K, m.g.a_sk = 1, m.g.b_sk = N, m.g.b_sn = 1;
  m.a_step = M * K, m.b_step = bb.empty() ? 0 : K * N;
  m.out = ba;
  m.out.push_back(M), m.out.push_back(N);
  return m;
}

class softmax_kernel final : public node_kernel {
 public:
  softmax_kernel(int64_t outer, int64_t dim, int64_t inner) : outer_(outer), dim_(dim), inner_(inner) {}
  bool wants_plain() const override { return true; }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* x = in[0].as<float>();
    float* y = out[0].as<float>();
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t i = 0; i < inner_; ++i) {
        const int64_t base = o * dim_ * inner_ + i;
        float mx = -std::numeric_limits<float>::infinity();
        for (int64_t d = 0; d < dim_; ++d) mx = std::max(mx, x[base + d * inner_]);
        double sum = 0;
        for (int64_t d = 0; d < dim_; ++d) sum += std::exp(double(x[base + d * inner_] - mx));
        for (int64_t d = 0; d < dim_; ++d)
          y[base + d * inner_] = float(std::exp(double(x[base + d * inner_] - mx)) / sum);
      }
  }

 private:
  int64_t outer_, dim_, inner_;
};

void softmax_split(const graph& g, const node& n, int64_t* outer, int64_t* dim, int64_t* inner) {
  check_arity(n, 1, 1);
  const value& x = input(g, n, 0);
  if (x.desc.type != dtype::f32) fail_unsupported(n, "only f32 is supported");
  const int r = x.desc.rank();
  const int axis = normalize_axis(n, n.attr_int("axis", g.opset >= 13 ? -1 : 1), std::max(r, 1));
  *outer = 1, *dim = 1, *inner = 1;
  for (int d = 0; d < r; ++d) {
    const int64_t s = x.desc.shape[size_t(d)];
    if (d < axis) *outer *= s;
    else if (d == axis || g.opset < 13) *dim *= s;  // opset < 13: softmax over the flattened tail
    else *inner *= s;
  }
}

}  // namespace

void infer_linear(graph& g, node& n) {
  if (n.op == op_type::gemm) {
    const gemm_geom q = resolve_gemm(g, n);
    return set_output(g, n, 0, dtype::f32, {q.m, q.n});
  }
  if (n.op == op_type::matmul) return set_output(g, n, 0, dtype::f32, resolve_matmul(g, n).out);
  int64_t o, d, i;
  softmax_split(g, n, &o, &d, &i);
  set_output(g, n, 0, dtype::f32, input(g, n, 0).desc.shape);
}

std::unique_ptr<node_kernel> make_linear_kernel(const graph& g, const node& n, int threads) {
  if (n.op == op_type::gemm) {
    const gemm_geom q = resolve_gemm(g, n);
    const value& b = g.values[size_t(n.inputs[1])];
    if (b.is_const && b.data && b.desc.layout == tensor_layout::plain)
      return std::make_unique<packed_gemm_kernel>(q, b.data->as<float>(), threads);
    return std::make_unique<gemm_kernel>(q, 1, 0, 0);
  }
  if (n.op == op_type::matmul) {
    const matmul_geom m = resolve_matmul(g, n);
    return std::make_unique<gemm_kernel>(m.g, m.batch, m.a_step, m.b_step);
  }
  int64_t o, d, i;
  softmax_split(g, n, &o, &d, &i);
  return std::make_unique<softmax_kernel>(o, d, i);
}

}  // namespace sfc
