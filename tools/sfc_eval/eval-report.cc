#include "tools/sfc_eval/eval-report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "tools/common/image-list.h"

namespace sfc_eval {

namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Mean over matched layers of the relative MSE; -1 when none.
double mean_rel_mse(const config_result& r) {
  double sum = 0;
  int n = 0;
  for (const auto& l : r.layers)
    if (l.matched) sum += l.rel_mse, n++;
  return n ? sum / n : -1;
}

std::string xml_escape(const std::string& s) {
  std::string r;
  for (char c : s) r += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
  return r;
}

std::string sci(double v) { return v < 0 ? "–" : fmt("%.2e", v); }

std::string layer_table(const eval_summary& s, bool relative) {
  std::vector<const config_result*> cs;
  for (const auto& r : s.configs)
    if (!r.layers.empty()) cs.push_back(&r);
  if (cs.empty()) return "";
  std::string t = "| layer |";
  for (const auto* r : cs) t += " " + r->cfg.name + " |";
  t += "\n|---|";
  for (size_t i = 0; i < cs.size(); i++) t += "---:|";
  t += "\n";
  for (size_t l = 0; l < s.layers.size(); l++) {
    t += "| " + s.layers[l] + " |";
    for (const auto* r : cs) {
      const layer_error* e = l < r->layers.size() ? &r->layers[l] : nullptr;
      t += " " + (e && e->matched ? sci(relative ? e->rel_mse : e->mse) : std::string("n/a")) + " |";
    }
    t += "\n";
  }
  return t;
}

// Same-bits twins that gave identical predictions and per-layer errors: a sign that the
// transform-domain bit width is not applied by the kernels.
std::vector<std::string> identical_bits_notes(const eval_summary& s) {
  std::vector<std::string> notes;
  for (const auto& a : s.configs)
    for (const auto& b : s.configs) {
      if (!a.cfg.int8 || !b.cfg.int8 || a.cfg.policy != b.cfg.policy || a.cfg.bits != 8 || b.cfg.bits == 8) continue;
      if (!a.error.empty() || !b.error.empty() || a.pred != b.pred) continue;
      bool same = a.layers.size() == b.layers.size();
      for (size_t l = 0; same && l < a.layers.size(); l++) same = a.layers[l].mse == b.layers[l].mse;
      if (same)
        notes.push_back(b.cfg.name + " gave exactly the same predictions" + (a.layers.empty() ? "" : " and feature maps") +
                        " as " + a.cfg.name + ": the transform-domain bit width (int8_options::td_bits) had no effect");
    }
  return notes;
}

}  // namespace

std::string report_table(const eval_summary& s) {
  std::string t =
      "| config | top-1 % | top-5 % | agree % | GBOPs/img | vs int8 direct | ms/img | images/s | mean rel. MSE | convs |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& r : s.configs) {
    if (!r.error.empty()) {
      t += "| " + r.cfg.name + " | error: " + r.error + " ||||||||||\n";
      continue;
    }
    t += "| " + r.cfg.name + " | " + fmt("%.2f", r.top1) + " | " + fmt("%.2f", r.top5) + " | " +
         (r.agreement < 0 ? std::string("–") : fmt("%.2f", r.agreement)) + " | " + fmt("%.4f", r.bops * 1e-9) + " | " +
         fmt("%.2fx", s.int8_direct_bops / std::max(r.bops, 1.0)) + " | " + fmt("%.3f", r.ms_per_image) + " | " +
         fmt("%.1f", r.images_per_s) + " | " + (r.cfg.int8 ? sci(mean_rel_mse(r)) : std::string("–")) + " | " + r.impls + " |\n";
  }
  return t;
}

std::string report_markdown(const eval_summary& s, const std::string& command) {
  std::string m = "# sfc_eval: " + s.model + "\n\n";
  m += "- command: `" + command + "`\n";
  m += "- data: " + s.data + " (" + s.layout + "), " + std::to_string(s.images) + " images, " + std::to_string(s.classes) +
       " classes; preprocessing: " + s.preprocess + "\n";
  m += "- int8 calibration: " + std::to_string(s.calib_images) + " images (max-abs); batch " + std::to_string(s.batch) +
       ", " + std::to_string(s.threads) + " thread(s); decoding took " + fmt("%.2f", s.decode_s) + " s\n";
  m += "- BOPs per image (multiplication b², addition b bits, tools/common/bops.h): int8 direct " +
       fmt("%.4f", s.int8_direct_bops * 1e-9) + " G, fp32 " + fmt("%.4f", s.fp32_bops * 1e-9) + " G\n";
  m += "- agree: top-1 equal to fp32's; MSE: per-conv output (dequantized) vs the fp32 graph on " +
       std::to_string(s.mse_images) + " images, relative = MSE / mean(fp32²)\n\n";
  m += report_table(s);
  const std::string rel = layer_table(s, true);
  if (!rel.empty()) {
    m += "\n## Per-layer feature-map error vs fp32: relative MSE\n\n" + rel;
    m += "\n## Per-layer feature-map error vs fp32: MSE\n\n" + layer_table(s, false);
  }
  std::vector<std::string> notes = identical_bits_notes(s);
  for (const auto& r : s.configs)
    for (const auto& n : r.notes)  // the timed and the per-layer executors log the same lines
      if (std::find(notes.begin(), notes.end(), r.cfg.name + ": " + n) == notes.end()) notes.push_back(r.cfg.name + ": " + n);
  if (!notes.empty()) {
    m += "\n## Notes\n\n";
    for (const auto& n : notes) m += "- " + n + "\n";
  }
  return m;
}

std::string report_json(const eval_summary& s, const std::string& command) {
  std::string j = "{\n  \"command\": \"" + sfc::json_escape(command) + "\", \"model\": \"" + sfc::json_escape(s.model) +
                  "\", \"data\": \"" + sfc::json_escape(s.data) + "\", \"layout\": \"" + s.layout + "\",\n  \"preprocess\": \"" +
                  sfc::json_escape(s.preprocess) + "\", \"images\": " + std::to_string(s.images) + ", \"classes\": " +
                  std::to_string(s.classes) + ", \"calib_images\": " + std::to_string(s.calib_images) + ", \"batch\": " +
                  std::to_string(s.batch) + ", \"threads\": " + std::to_string(s.threads) + ", \"mse_images\": " +
                  std::to_string(s.mse_images) + ",\n  \"int8_direct_bops\": " + fmt("%.0f", s.int8_direct_bops) +
                  ", \"fp32_bops\": " + fmt("%.0f", s.fp32_bops) + ", \"decode_s\": " + fmt("%.3f", s.decode_s) +
                  ",\n  \"configs\": [\n";
  for (size_t i = 0; i < s.configs.size(); i++) {
    const config_result& r = s.configs[i];
    j += "    {\"name\": \"" + sfc::json_escape(r.cfg.name) + "\", \"precision\": \"" + (r.cfg.int8 ? "int8" : "fp32") + "\"";
    if (r.cfg.int8) j += ", \"impl\": \"" + sfc::json_escape(r.cfg.policy) + "\", \"bits\": " + std::to_string(r.cfg.bits);
    if (!r.error.empty()) j += ", \"error\": \"" + sfc::json_escape(r.error) + "\"";
    else {
      j += ", \"top1\": " + fmt("%.4f", r.top1) + ", \"top5\": " + fmt("%.4f", r.top5) + ", \"agreement\": " +
           (r.agreement < 0 ? std::string("null") : fmt("%.4f", r.agreement)) + ", \"bops\": " + fmt("%.0f", r.bops) +
           ", \"ms_per_image\": " + fmt("%.6f", r.ms_per_image) + ", \"images_per_s\": " + fmt("%.3f", r.images_per_s) +
           ", \"prepare_s\": " + fmt("%.3f", r.prepare_s) + ", \"convs\": \"" + sfc::json_escape(r.impls) + "\"";
      j += ", \"layers\": [";
      for (size_t l = 0; l < r.layers.size(); l++) {
        const layer_error& e = r.layers[l];
        j += std::string(l ? ", " : "") + "{\"layer\": \"" + sfc::json_escape(e.layer) + "\"" +
             (e.matched ? ", \"mse\": " + fmt("%.6e", e.mse) + ", \"rel_mse\": " + fmt("%.6e", e.rel_mse) : ", \"matched\": false") + "}";
      }
      j += "]";
    }
    j += std::string("}") + (i + 1 < s.configs.size() ? "," : "") + "\n";
  }
  return j + "  ]\n}\n";
}

std::string report_svg(const eval_summary& s) {
  std::vector<const config_result*> rs;
  for (const auto& r : s.configs)
    if (r.error.empty()) rs.push_back(&r);
  const int pw = 420, ph = 300, ml = 60, mt = 50, gap = 110;
  double amin = 100, amax = 0, bmax = 0, lmax = 0;
  for (const auto* r : rs)
    amin = std::min(amin, r->top1), amax = std::max(amax, r->top1), bmax = std::max(bmax, r->bops * 1e-9),
    lmax = std::max(lmax, r->ms_per_image);
  amin = std::floor(std::max(0.0, amin - 1)), amax = std::ceil(std::min(100.0, amax + 1));
  if (amax <= amin) amax = amin + 1;
  std::string g;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"10\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                "<text x=\"10\" y=\"20\" font-size=\"14\">%s on %zu images: top-1 against BOPs and latency</text>\n",
                ml + 2 * pw + gap + 40, mt + ph + 60, xml_escape(s.model).c_str(), s.images);
  g += buf;
  static const char* colours[] = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"};
  for (int panel = 0; panel < 2; panel++) {
    const int x0 = ml + panel * (pw + gap);
    const double xmax = (panel == 0 ? bmax : lmax) * 1.1 + 1e-12;
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n"
                  "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n"
                  "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">top-1 %%</text>\n",
                  x0, mt, pw, ph, x0 + pw / 2, mt + ph + 35, panel == 0 ? "GBOPs per image" : "latency, ms per image",
                  x0 - 40, mt + ph / 2, x0 - 40, mt + ph / 2);
    g += buf;
    for (int t = 0; t <= 4; t++) {  // ticks
      const double xv = xmax * t / 4, yv = amin + (amax - amin) * t / 4;
      std::snprintf(buf, sizeof buf,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.3g</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.1f</text>\n",
                    x0 + pw * t / 4, mt + ph + 15, xv, x0 - 4, mt + ph - ph * t / 4 + 3, yv);
      g += buf;
    }
    for (size_t i = 0; i < rs.size(); i++) {
      const double xv = panel == 0 ? rs[i]->bops * 1e-9 : rs[i]->ms_per_image;
      const int px = x0 + int(pw * xv / xmax), py = mt + ph - int(ph * (rs[i]->top1 - amin) / (amax - amin));
      std::snprintf(buf, sizeof buf,
                    "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"%s\"><title>%s: top-1 %.2f%%, %.4f GBOPs, %.3f ms</title></circle>"
                    "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>\n",
                    px, py, colours[i % 8], xml_escape(rs[i]->cfg.name).c_str(), rs[i]->top1, rs[i]->bops * 1e-9,
                    rs[i]->ms_per_image, px + 6, py - 4 + int(i % 3) * 9, colours[i % 8],
                    xml_escape(rs[i]->cfg.name).c_str());
      g += buf;
    }
  }
  return g + "</svg>\n";
}

}  // namespace sfc_eval
