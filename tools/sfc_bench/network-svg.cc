// SVG bar chart of per-layer time: one group of bars per node (nodes taking ≥ 0.5 % of the
// first pipeline's time, in execution order), one colour per pipeline.
#include <algorithm>
#include <cstdio>
#include <map>

#include "tools/common/image-list.h"
#include "tools/sfc_bench/network-bench.h"

namespace sfc {

std::string network_bench_svg(const network_bench_options& o, const std::vector<network_bench_row>& rows) {
  static const char* colours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"};
  std::vector<const network_bench_row*> rs;
  for (const auto& r : rows)
    if (!r.layers.empty()) rs.push_back(&r);
  if (rs.empty()) return "";
  double total0 = 0, vmax = 0;
  for (const auto& l : rs[0]->layers) total0 += l.ms;
  std::vector<std::string> names;
  for (const auto& l : rs[0]->layers)
    if (l.ms >= 0.005 * total0) names.push_back(l.name);
  std::vector<std::map<std::string, network_layer_row>> by(rs.size());
  for (size_t i = 0; i < rs.size(); i++)
    for (const auto& l : rs[i]->layers) by[i][l.name] = l, vmax = std::max(vmax, l.ms);
  const int label_w = 210, bar_h = 9, gap = 6, plot_w = 560;
  const int group_h = int(rs.size()) * bar_h + gap;
  const int height = 60 + int(names.size()) * group_h + 20 * int(rs.size());
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"10\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                "<text x=\"10\" y=\"20\" font-size=\"14\">%s %s, batch %d, %d thread(s): per-layer time (ms)</text>\n",
                label_w + plot_w + 120, height, json_escape(o.model).c_str(), o.int8 ? "int8" : "fp32", o.batch, o.threads);
  s += buf;
  int y = 40;
  for (const auto& n : names) {
    std::snprintf(buf, sizeof buf, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", label_w - 6,
                  y + group_h / 2, json_escape(n.substr(0, 34)).c_str());
    s += buf;
    for (size_t i = 0; i < rs.size(); i++) {
      auto it = by[i].find(n);
      const double ms = it == by[i].end() ? 0 : it->second.ms;
      const int w = vmax > 0 ? int(plot_w * ms / vmax) : 0;
      std::snprintf(buf, sizeof buf,
                    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s %s: %.4f ms (%s)</title></rect>"
                    "<text x=\"%d\" y=\"%d\">%.3f</text>\n",
                    label_w, y + int(i) * bar_h, std::max(w, 1), bar_h - 1, colours[i % 5], rs[i]->pipeline.c_str(),
                    json_escape(n).c_str(), ms, it == by[i].end() ? "" : json_escape(it->second.impl).c_str(),
                    label_w + w + 4, y + int(i) * bar_h + bar_h - 1, ms);
      s += buf;
    }
    y += group_h;
  }
  y += 10;
  for (size_t i = 0; i < rs.size(); i++, y += 16) {
    std::snprintf(buf, sizeof buf, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s: %.3f ms median</text>\n",
                  label_w, y, colours[i % 5], label_w + 18, y + 9, rs[i]->pipeline.c_str(), rs[i]->median_ms);
    s += buf;
  }
  return s + "</svg>\n";
}

}  // namespace sfc
