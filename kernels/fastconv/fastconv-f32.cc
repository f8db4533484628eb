// fp32 fast convolution (scalar): U = Bᵀ X B, V = G W Gᵀ, M[p] = Σ_ic U·V, Y = Aᵀ M A.
#include <vector>

#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/tile-ops.h"

namespace sfc {

using namespace scalar_tiles;

namespace {

// V[p][oc][ic] = (G W[oc][ic] Gᵀ)[p], computed in double and rounded to float once.
std::vector<float> transform_weights_f32(const fastconv_algorithm& alg, const conv2d_params& p,
                                         const float* weights) {
  const int R = alg.R, r = alg.r, P = R * R;
  const std::vector<double> G = rmatrix_doubles(alg.G);
  std::vector<float> V(static_cast<size_t>(P) * p.oc * p.ic);
  std::vector<double> w(r * r), v(P), tmp;
  for (int o = 0; o < p.oc; o++)
    for (int c = 0; c < p.ic; c++) {
      for (int q = 0; q < r * r; q++) w[q] = weights[(static_cast<size_t>(o) * p.ic + c) * r * r + q];
      transform_2d(G, R, r, w.data(), 1, v.data(), tmp);
      for (int q = 0; q < P; q++) V[(static_cast<size_t>(q) * p.oc + o) * p.ic + c] = float(v[q]);
    }
  return V;
}

}  // namespace

void fastconv_f32(const fastconv_algorithm& alg, const conv2d_params& p, const float* src,
                  const float* weights, const float* bias, float* dst) {
  fastconv_validate(alg, p);
  const int R = alg.R, L = alg.L, m = alg.m, P = R * R;
  const std::vector<float> V = transform_weights_f32(alg, p, weights);
  std::vector<float> BT, AT;
  for (double d : rmatrix_doubles(alg.BT)) BT.push_back(float(d));
  for (double d : rmatrix_doubles(alg.AT)) AT.push_back(float(d));
  const tile_grid grid(p, m);
  const int tiles = p.n * grid.per_image();

#pragma omp parallel
  {
    std::vector<float> X(static_cast<size_t>(L) * L * p.ic), U(static_cast<size_t>(P) * p.ic);
    std::vector<float> M(static_cast<size_t>(P) * p.oc), Y(static_cast<size_t>(m) * m * p.oc), tmp;
#pragma omp for schedule(static)
    for (int t = 0; t < tiles; t++) {
      const int n = t / grid.per_image(), ty = (t % grid.per_image()) / grid.tiles_w,
                tx = t % grid.tiles_w;
      gather_tile(p, L, m, src, 0, n, ty, tx, X.data());
      transform_2d(BT, R, L, X.data(), p.ic, U.data(), tmp);  // [L²][ic] -> [R²][ic]
      for (int q = 0; q < P; q++)                              // [R²][ic] x [R²][oc][ic]
        for (int o = 0; o < p.oc; o++) {
          const float* u = &U[static_cast<size_t>(q) * p.ic];
          const float* v = &V[(static_cast<size_t>(q) * p.oc + o) * p.ic];
          // fp32 products, accumulated in double over input channels: keeps F(6x6,3x3), whose
          // transforms cancel heavily, within 1e-5 of float64 for deep (ic = 513) layers.
          double acc = 0.0;
          for (int c = 0; c < p.ic; c++) acc += double(u[c] * v[c]);
          M[static_cast<size_t>(q) * p.oc + o] = float(acc);
        }
      transform_2d(AT, m, R, M.data(), p.oc, Y.data(), tmp);  // [R²][oc] -> [m²][oc]
      scatter_tile(p, m, n, ty, tx, Y.data(), dst,
                   [&](float y, int o) { return bias ? y + bias[o] : y; });
    }
  }
}

}  // namespace sfc
