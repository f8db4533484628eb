// Internal error type. Library code below the C API throws sfc::error for invalid arguments or
// unsupported requests; the C API boundary (runtime/) and the tools catch it and turn it into a
// status code / message. Kernels themselves never validate (they only assert invariants).
#pragma once
#include <stdexcept>
#include <string>

namespace sfc {

class error : public std::runtime_error {
 public:
  enum kind { invalid_argument, unsupported, io, invalid_model, internal };
  error(kind k, const std::string& what) : std::runtime_error(what), kind_(k) {}
  kind code() const { return kind_; }

 private:
  kind kind_;
};

[[noreturn]] inline void throw_invalid(const std::string& what) {
  throw error(error::invalid_argument, what);
}
[[noreturn]] inline void throw_unsupported(const std::string& what) {
  throw error(error::unsupported, what);
}

}  // namespace sfc
