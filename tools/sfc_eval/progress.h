// A one-line progress bar with rate and ETA on stderr ("\r"-redrawn, at most ~10 times a second).
#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace sfc_eval {

class progress_bar {
 public:
  progress_bar(std::string label, size_t total, bool enabled);
  ~progress_bar() { finish(); }
  // Thread-safe; `done` is the number of finished items so far.
  void update(size_t done);
  void finish();  // draws the final state and ends the line (once)

 private:
  void draw(size_t done, bool force);
  std::string label_;
  size_t total_;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
  std::mutex mu_;
  size_t done_ = 0;
};

}  // namespace sfc_eval
