// Reads benchmarks/shapes/*.txt (one conv layer per line: name ic oc h w k stride pad [*repeat]).
#pragma once
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/ref/conv2d-ref.h"

namespace sfc_bench {

struct layer_shape {
  std::string name;
  sfc::conv2d_params p;
  int repeat = 1;
};

inline std::vector<layer_shape> load_shapes(const std::string& path) {
  std::vector<layer_shape> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream is(line);
    layer_shape s;
    int k, stride, pad;
    std::string rep;
    if (!(is >> s.name >> s.p.ic >> s.p.oc >> s.p.h >> s.p.w >> k >> stride >> pad)) continue;
    if (is >> rep && rep.size() > 1 && rep[0] == '*') s.repeat = std::stoi(rep.substr(1));
    s.p.kh = s.p.kw = k;
    s.p.stride_h = s.p.stride_w = stride;
    s.p.pad_t = s.p.pad_l = s.p.pad_b = s.p.pad_r = pad;
    out.push_back(s);
  }
  return out;
}

}  // namespace sfc_bench
