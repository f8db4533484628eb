// sfc_eval reports: the Markdown results table (stdout and --report-md), JSON (--json) and an SVG
// plot of top-1 accuracy against GBOPs and against latency (--svg).
#pragma once
#include <string>

#include "tools/sfc_eval/eval-run.h"

namespace sfc_eval {

// The results table alone (one row per configuration).
std::string report_table(const eval_summary& s);
// Header, results table, per-layer feature-map error tables (relative and absolute MSE), notes.
std::string report_markdown(const eval_summary& s, const std::string& command);
std::string report_json(const eval_summary& s, const std::string& command);
std::string report_svg(const eval_summary& s);

}  // namespace sfc_eval
