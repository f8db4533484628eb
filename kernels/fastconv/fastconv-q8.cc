// int8 requantized fast convolution (scalar reference of the SIMD kernels); see fastconv.h for
// the exact arithmetic of every stage.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/tile-ops.h"

namespace sfc {

using namespace scalar_tiles;

namespace {

int qmax_of(int bits) {
  if (bits < 2 || bits > 8) throw_invalid("transform-domain bits must be in [2, 8], got " + std::to_string(bits));
  return (1 << (bits - 1)) - 1;
}

int64_t max_row_l1(const imatrix& m) {
  int64_t best = 0;
  for (int i = 0; i < m.rows; i++) {
    int64_t s = 0;
    for (int j = 0; j < m.cols; j++) s += std::abs(m.at(i, j));
    best = std::max(best, s);
  }
  return best;
}

double denominator_sq(const fastconv_algorithm& alg) {
  const double d = double(alg.AT_i.denom) * alg.BT_i.denom * alg.G_i.denom;
  return d * d;
}

// Calls fn(n, ty, tx, U) for every tile of the batch, U = Bᵢᵀ X Bᵢ as int32 [R²][ic]; tiles are
// distributed over OpenMP threads, fn must only write tile-private output.
template <class Src, class Fn>
void for_each_tile_u(const fastconv_algorithm& alg, const conv2d_params& p, const Src* src,
                     int32_t zp, Fn&& fn) {
  const int R = alg.R, L = alg.L, m = alg.m;
  const auto BT = imatrix_entries<int32_t>(alg.BT_i);
  const tile_grid grid(p, m);
  const int tiles = p.n * grid.per_image();
#pragma omp parallel
  {
    std::vector<int32_t> X(static_cast<size_t>(L) * L * p.ic), U(static_cast<size_t>(R) * R * p.ic), tmp;
#pragma omp for schedule(static)
    for (int t = 0; t < tiles; t++) {
      const int n = t / grid.per_image(), ty = (t % grid.per_image()) / grid.tiles_w,
                tx = t % grid.tiles_w;
      gather_tile(p, L, m, src, zp, n, ty, tx, X.data());
      transform_2d(BT, R, L, X.data(), p.ic, U.data(), tmp);
      fn(n, ty, tx, U.data());
    }
  }
}

template <class Fn>
void dispatch_src(const void* src, qtype t, Fn&& fn) {
  if (t == qtype::u8) fn(static_cast<const uint8_t*>(src));
  else if (t == qtype::s8) fn(static_cast<const int8_t*>(src));
  else throw_invalid("int8 fast convolution needs u8 or s8 input");
}

// Uq = sat_b((U · mul + 2¹⁴) >> 15), then M[p][oc] = Σ_ic Uq · Vq.
void quantize_and_gemm(const int32_t* U, const fastconv_q8_weights& w,
                       const fastconv_q8_act_scales& s, std::vector<int8_t>& uq, int32_t* M) {
  const int P = w.points, qmax = qmax_of(w.bits);
  uq.resize(static_cast<size_t>(P) * w.ic);
  for (int q = 0; q < P; q++)
    for (int c = 0; c < w.ic; c++) {
      const int64_t v = (int64_t(U[static_cast<size_t>(q) * w.ic + c]) * s.mul[q] + (1 << 14)) >> 15;
      uq[static_cast<size_t>(q) * w.ic + c] = static_cast<int8_t>(std::clamp<int64_t>(v, -qmax, qmax));
    }
  for (int q = 0; q < P; q++)
    for (int o = 0; o < w.oc; o++) {
      const int8_t* a = &uq[static_cast<size_t>(q) * w.ic];
      const int8_t* b = &w.vq[(static_cast<size_t>(q) * w.oc + o) * w.ic];
      int32_t acc = 0;
      for (int c = 0; c < w.ic; c++) acc += int32_t(a[c]) * b[c];
      M[static_cast<size_t>(q) * w.oc + o] = acc;
    }
}

void check_layer(const fastconv_algorithm& alg, const conv2d_params& p,
                 const fastconv_q8_weights& w, const fastconv_q8_act_scales& s) {
  fastconv_validate(alg, p);
  if (w.oc != p.oc || w.ic != p.ic || w.points != alg.R * alg.R || s.mul.size() != size_t(w.points))
    throw_invalid(alg.name + ": transformed weights / scales do not match the layer");
}

}  // namespace

fastconv_q8_weights fastconv_q8_transform_weights(const fastconv_algorithm& alg, int oc, int ic,
                                                  const int8_t* weights, int bits,
                                                  const std::vector<float>* scales) {
  const int R = alg.R, r = alg.r, P = R * R, qmax = qmax_of(bits);
  if (scales && !scales->empty()) {
    if (scales->size() != static_cast<size_t>(oc) * P)
      throw_invalid("transform-domain weight scales: expected " + std::to_string(size_t(oc) * P) +
                    " ([oc][points]), got " + std::to_string(scales->size()));
    for (float sc : *scales)
      if (!(sc > 0) || !std::isfinite(sc))
        throw_invalid("transform-domain weight scales must be positive and finite");
  }
  const bool given = scales && !scales->empty();
  const auto G = imatrix_entries<int64_t>(alg.G_i);
  fastconv_q8_weights out;
  out.bits = bits, out.oc = oc, out.ic = ic, out.points = P;
  out.vq.resize(static_cast<size_t>(P) * oc * ic);
  out.scale.resize(static_cast<size_t>(oc) * P);
  std::vector<int64_t> V(static_cast<size_t>(ic) * P), wv(r * r), tmp;
  for (int o = 0; o < oc; o++) {
    for (int c = 0; c < ic; c++) {  // V[c][p] = (Gᵢ W Gᵢᵀ)[p]
      for (int q = 0; q < r * r; q++) wv[q] = weights[(static_cast<size_t>(o) * ic + c) * r * r + q];
      transform_2d(G, R, r, wv.data(), 1, &V[static_cast<size_t>(c) * P], tmp);
    }
    for (int q = 0; q < P; q++) {
      int64_t mx = 0;
      for (int c = 0; c < ic; c++) mx = std::max<int64_t>(mx, std::abs(V[static_cast<size_t>(c) * P + q]));
      const double scale = given ? double((*scales)[static_cast<size_t>(o) * P + q])
                                 : mx > 0 ? double(mx) / qmax : 1.0;
      out.scale[static_cast<size_t>(o) * P + q] = float(scale);
      for (int c = 0; c < ic; c++) {
        const long v = std::lround(double(V[static_cast<size_t>(c) * P + q]) / double(float(scale)));
        out.vq[(static_cast<size_t>(q) * oc + o) * ic + c] = static_cast<int8_t>(std::clamp<long>(v, -qmax, qmax));
      }
    }
  }
  return out;
}

fastconv_q8_act_scales fastconv_q8_act_scales_from_scales(const std::vector<float>& scales, int bits) {
  qmax_of(bits);
  fastconv_q8_act_scales s;
  s.bits = bits;
  for (float sc : scales) {
    if (!(sc > 0) || !std::isfinite(sc)) throw_invalid("transform-domain activation scales must be positive and finite");
    const double mul = std::round(32768.0 / std::max(double(sc), 1.0));
    s.mul.push_back(static_cast<int16_t>(std::clamp(mul, 1.0, 32767.0)));
  }
  return s;
}

fastconv_q8_act_scales fastconv_q8_act_scales_from_maxabs(const std::vector<double>& maxabs, int bits) {
  const int qmax = qmax_of(bits);
  std::vector<float> scales;
  for (double mx : maxabs) scales.push_back(float(std::max(mx / qmax, 1.0)));
  return fastconv_q8_act_scales_from_scales(scales, bits);
}

void fastconv_q8_calibrate(const fastconv_algorithm& alg, const conv2d_params& p, const void* src,
                           qtype src_type, int32_t zp, std::vector<double>& maxabs) {
  fastconv_validate(alg, p);
  const int P = alg.R * alg.R;
  if (maxabs.size() != size_t(P)) maxabs.assign(P, 0.0);
  dispatch_src(src, src_type, [&](auto* s) {
    std::vector<double> local(P, 0.0);
    for_each_tile_u(alg, p, s, zp, [&](int, int, int, const int32_t* U) {
      std::vector<double> mx(P, 0.0);
      for (int q = 0; q < P; q++)
        for (int c = 0; c < p.ic; c++) mx[q] = std::max(mx[q], std::fabs(double(U[size_t(q) * p.ic + c])));
#pragma omp critical(sfc_q8_calibrate)
      for (int q = 0; q < P; q++) local[q] = std::max(local[q], mx[q]);
    });
    for (int q = 0; q < P; q++) maxabs[q] = std::max(maxabs[q], local[q]);
  });
}

void fastconv_q8_run_acc(const fastconv_algorithm& alg, const conv2d_params& p, const void* src,
                         qtype src_type, int32_t zp, const fastconv_q8_weights& w,
                         const fastconv_q8_act_scales& s, float* dst_acc) {
  check_layer(alg, p, w, s);
  const int P = w.points, m = alg.m;
  const std::vector<double> AT(alg.AT_i.a.begin(), alg.AT_i.a.end());
  const double invD = 1.0 / denominator_sq(alg);
  dispatch_src(src, src_type, [&](auto* sp) {
    for_each_tile_u(alg, p, sp, zp, [&](int n, int ty, int tx, const int32_t* U) {
      std::vector<int8_t> uq;
      std::vector<int32_t> M(static_cast<size_t>(P) * p.oc);
      std::vector<double> Md(M.size()), Y(static_cast<size_t>(m) * m * p.oc), tmp;
      quantize_and_gemm(U, w, s, uq, M.data());
      for (int q = 0; q < P; q++)
        for (int o = 0; o < p.oc; o++)
          Md[size_t(q) * p.oc + o] = double(M[size_t(q) * p.oc + o]) * s.scale(q) * w.scale[size_t(o) * P + q];
      transform_2d(AT, m, alg.R, Md.data(), p.oc, Y.data(), tmp);
      scatter_tile(p, m, n, ty, tx, Y.data(), dst_acc, [&](double y, int) { return float(y * invD); });
    });
  });
}

fastconv_q8_output fastconv_q8_prepare_output(const fastconv_algorithm& alg,
                                              const fastconv_q8_weights& w,
                                              const fastconv_q8_act_scales& s,
                                              const q8_output_params& o) {
  if (o.dst_type == qtype::f32) throw_invalid("fastconv_q8_run writes u8 or s8; use fastconv_q8_run_acc for float");
  if (!o.weight_scale || !(o.dst_scale > 0)) throw_invalid("output params need weight scales and a positive dst scale");
  fastconv_q8_output out;
  const int P = w.points;
  const int64_t l1 = max_row_l1(alg.AT_i);
  out.mi_limit = static_cast<int32_t>(2147483647LL / (l1 * l1));
  out.dst_type = o.dst_type, out.dst_zero_point = o.dst_zero_point, out.relu = o.relu;
  const double D = denominator_sq(alg), two_f = std::ldexp(1.0, out.frac_bits);
  out.coef.resize(static_cast<size_t>(w.oc) * P);
  out.bias_q.resize(w.oc);
  for (int oc = 0; oc < w.oc; oc++) {
    const double k = double(o.src_scale) * o.weight_scale[oc] / (double(o.dst_scale) * D) * two_f;
    for (int q = 0; q < P; q++)
      out.coef[size_t(oc) * P + q] = float(k * s.scale(q) * w.scale[size_t(oc) * P + q]);
    out.bias_q[oc] = o.bias ? float(double(o.bias[oc]) / o.dst_scale) : 0.f;
  }
  return out;
}

void fastconv_q8_run(const fastconv_algorithm& alg, const conv2d_params& p, const void* src,
                     qtype src_type, int32_t zp, const fastconv_q8_weights& w,
                     const fastconv_q8_act_scales& s, const fastconv_q8_output& o, void* dst) {
  check_layer(alg, p, w, s);
  if (o.coef.size() != size_t(p.oc) * w.points) throw_invalid(alg.name + ": output stage does not match the layer");
  const int P = w.points, m = alg.m;
  const auto AT = imatrix_entries<int32_t>(alg.AT_i);
  const float inv_two_f = std::ldexp(1.f, -o.frac_bits);
  const int32_t qmin = qtype_min(o.dst_type), qmax = qtype_max(o.dst_type);
  dispatch_src(src, src_type, [&](auto* sp) {
    for_each_tile_u(alg, p, sp, zp, [&](int n, int ty, int tx, const int32_t* U) {
      std::vector<int8_t> uq;
      std::vector<int32_t> M(static_cast<size_t>(P) * p.oc), Y(static_cast<size_t>(m) * m * p.oc), tmp;
      quantize_and_gemm(U, w, s, uq, M.data());
      for (int q = 0; q < P; q++)  // mi = clamp(round(float(M) · coef))
        for (int oc = 0; oc < p.oc; oc++) {
          int32_t& v = M[size_t(q) * p.oc + oc];
          const float f = std::nearbyint(float(v) * o.coef[size_t(oc) * P + q]);
          const float lim = float(o.mi_limit);
          v = static_cast<int32_t>(std::clamp(f, -lim, lim));
        }
      transform_2d(AT, m, alg.R, M.data(), p.oc, Y.data(), tmp);
      auto quant = [&](int32_t y, int oc) {
        float v = float(y) * inv_two_f + o.bias_q[oc];
        if (o.relu && v < 0.f) v = 0.f;
        return quantize_round_sat(v, o.dst_zero_point, qmin, qmax);
      };
      if (o.dst_type == qtype::u8)
        scatter_tile(p, m, n, ty, tx, Y.data(), static_cast<uint8_t*>(dst),
                     [&](int32_t y, int oc) { return static_cast<uint8_t>(quant(y, oc)); });
      else
        scatter_tile(p, m, n, ty, tx, Y.data(), static_cast<int8_t*>(dst),
                     [&](int32_t y, int oc) { return static_cast<int8_t>(quant(y, oc)); });
    });
  });
}

}  // namespace sfc
