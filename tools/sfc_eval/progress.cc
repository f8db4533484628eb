#include "tools/sfc_eval/progress.h"

#include <cstdio>

namespace sfc_eval {

namespace {
std::string clock_str(double s) {
  if (!(s >= 0) || s > 359999) return "--:--";
  char buf[32];
  const long t = long(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
  return buf;
}
}  // namespace

progress_bar::progress_bar(std::string label, size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), start_(std::chrono::steady_clock::now()), last_(start_) {
  if (enabled_) draw(0, true);
}

void progress_bar::update(size_t done) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (done > done_) done_ = done;
  draw(done_, false);
}

void progress_bar::finish() {
  if (!enabled_ || finished_) return;
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
  draw(done_, true);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

void progress_bar::draw(size_t done, bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double el = std::chrono::duration<double>(now - start_).count();
  const double rate = el > 0 ? double(done) / el : 0;
  const double eta = rate > 0 ? double(total_ - done) / rate : -1;
  const int width = 30;
  const int fill = total_ ? int(double(width) * double(done) / double(total_)) : width;
  std::string bar(size_t(fill), '#');
  bar.resize(size_t(width), '.');
  std::fprintf(stderr, "\r%-26.26s [%s] %zu/%zu %7.1f/s  %s ETA %s ", label_.c_str(), bar.c_str(), done, total_, rate,
               clock_str(el).c_str(), done >= total_ ? "0:00" : clock_str(eta).c_str());
  std::fflush(stderr);
}

}  // namespace sfc_eval
