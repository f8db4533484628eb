// 2D symbolic form of SFC (see sfc-symbolic.h), exact rational arithmetic.
#include "kernels/algo/sfc-symbolic.h"

#include <array>

#include "kernels/algo/sfc-ring.h"
#include "kernels/common/error.h"

namespace sfc {
namespace {

using rpair = std::array<rational, 2>;  // p + q·ω

// (a0 + a1ω)(b0 + b1ω) = K·[a0b0, a1b1, (a0+a1)(b0+b1)]: 3 multiplications.
rpair karatsuba(const rmatrix& K, const rpair& a, const rpair& b, int* mults) {
  const rational m[3] = {a[0] * b[0], a[1] * b[1], (a[0] + a[1]) * (b[0] + b[1])};
  *mults += 3;
  rpair c;
  for (int row = 0; row < 2; ++row)
    for (int t = 0; t < 3; ++t) c[row] += K.at(row, t) * m[t];
  return c;
}

// 4-vector [b00, b01, b10, b11] of the 2×2 block at (r, c).
std::array<rational, 4> block4(const rmatrix& u, int r, int c) {
  return {u.at(r, c), u.at(r, c + 1), u.at(r + 1, c), u.at(r + 1, c + 1)};
}

std::array<rational, 4> apply4(const rmatrix& m, const std::array<rational, 4>& v) {
  std::array<rational, 4> out;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[i] += m.at(i, j) * v[j];
  return out;
}

struct block_context {
  rmatrix K, crt, crt_inv;
  const rmatrix* u;
  const rmatrix* v;
  rmatrix* p;
  int mults = 0;
};

// P block for row block br and column block bc.
void multiply_block(block_context& ctx, const sfc_block& br, const sfc_block& bc) {
  const rmatrix &u = *ctx.u, &v = *ctx.v;
  rmatrix& p = *ctx.p;
  const int r = br.first, c = bc.first;
  if (br.size == 1 && bc.size == 1) {  // R×R
    p.at(r, c) = u.at(r, c) * v.at(r, c);
    ctx.mults += 1;
  } else if (br.size == 1) {  // R×C: ring element along the column dimension
    const rpair w = karatsuba(ctx.K, {u.at(r, c), u.at(r, c + 1)}, {v.at(r, c), v.at(r, c + 1)},
                              &ctx.mults);
    p.at(r, c) = w[0];
    p.at(r, c + 1) = w[1];
  } else if (bc.size == 1) {  // C×R: ring element along the row dimension
    const rpair w = karatsuba(ctx.K, {u.at(r, c), u.at(r + 1, c)}, {v.at(r, c), v.at(r + 1, c)},
                              &ctx.mults);
    p.at(r, c) = w[0];
    p.at(r + 1, c) = w[1];
  } else {  // C×C: CRT into (t = s, t = s̄), two Karatsuba products, back with M⁻¹
    const std::array<rational, 4> mu = apply4(ctx.crt, block4(u, r, c));
    const std::array<rational, 4> mv = apply4(ctx.crt, block4(v, r, c));
    const rpair pp = karatsuba(ctx.K, {mu[0], mu[1]}, {mv[0], mv[1]}, &ctx.mults);
    const rpair qq = karatsuba(ctx.K, {mu[2], mu[3]}, {mv[2], mv[3]}, &ctx.mults);
    const std::array<rational, 4> w = apply4(ctx.crt_inv, {pp[0], pp[1], qq[0], qq[1]});
    p.at(r, c) = w[0];
    p.at(r, c + 1) = w[1];
    p.at(r + 1, c) = w[2];
    p.at(r + 1, c + 1) = w[3];
  }
}

}  // namespace

std::vector<sfc_block> sfc_blocks(const fastconv_algorithm& a) {
  if (a.kind != algo_kind::sfc) throw_invalid("sfc_blocks: " + a.name + " is not an SFC algorithm");
  std::vector<sfc_block> blocks;
  blocks.push_back({0, 1});                                            // bin 0
  for (int k = 1; k < a.n / 2; ++k) blocks.push_back({2 * k - 1, 2});  // complex bin k
  blocks.push_back({a.n - 1, 1});                                      // bin N/2
  for (int c = 0; c < static_cast<int>(a.corrections.size()); ++c) blocks.push_back({a.n + c, 1});
  return blocks;
}

// Column of basis element b ∈ {1, t, s, s·t} holds the components of its image under t ↦ τ:
// 1 ↦ 1, t ↦ τ, s ↦ ω, s·t ↦ ω·τ; rows 0-1 for τ = ω (P), rows 2-3 for τ = ω̄ (Q).
rmatrix sfc_crt_map(int n) {
  const sfc_ring ring = make_sfc_ring(n);
  const ring_elem one{1, 0}, w = ring.pow(1);
  const ring_elem taus[2] = {w, ring.conj(w)};
  rmatrix m(4, 4);
  for (int h = 0; h < 2; ++h) {
    const ring_elem img[4] = {one, taus[h], w, ring.mul(w, taus[h])};
    for (int b = 0; b < 4; ++b) {
      m.at(2 * h, b) = img[b][0];
      m.at(2 * h + 1, b) = img[b][1];
    }
  }
  return m;
}

rmatrix sfc_symbolic_correlate_2d(const fastconv_algorithm& a, const rmatrix& x, const rmatrix& w,
                                  int* mults) {
  if (x.rows != a.L || x.cols != a.L || w.rows != a.r || w.cols != a.r) {
    throw_invalid("sfc_symbolic_correlate_2d: tile shapes do not match " + a.name);
  }
  const std::vector<sfc_block> blocks = sfc_blocks(a);
  const rmatrix u = a.Tc * x * a.Tc.transpose();  // nc×nc component-domain data
  const rmatrix v = a.Fc * w * a.Fc.transpose();  // nc×nc component-domain filter
  rmatrix p(u.rows, u.cols);
  block_context ctx;
  ctx.K = make_sfc_ring(a.n).karatsuba_output();
  ctx.crt = sfc_crt_map(a.n);
  ctx.crt_inv = inverse(ctx.crt);
  ctx.u = &u;
  ctx.v = &v;
  ctx.p = &p;
  for (const sfc_block& br : blocks)
    for (const sfc_block& bc : blocks) multiply_block(ctx, br, bc);
  if (mults) *mults = ctx.mults;
  return a.Oc * p * a.Oc.transpose();
}

}  // namespace sfc
