// Internals shared by the C API implementation files: the noexcept guard that turns exceptions
// into status codes, the thread-local last-error message, and the handle structs.
#pragma once
#include <new>
#include <string>

#include "kernels/common/error.h"
#include "kernels/isa.h"
#include "sfc/sfc.h"

namespace sfc::api {

void set_last_error(const std::string& message);
void clear_last_error();
const char* g_last_error_ptr();

sfc_status status_from_error(const sfc::error& e);

// Runs body (returning sfc_status); every exception becomes a status + last-error message.
template <class F>
sfc_status guard(const char* fn, F&& body) noexcept {
  try {
    clear_last_error();
    return body();
  } catch (const sfc::error& e) {
    set_last_error(std::string(fn) + ": " + e.what());
    return status_from_error(e);
  } catch (const std::bad_alloc&) {
    set_last_error(std::string(fn) + ": out of memory");
    return SFC_STATUS_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    set_last_error(std::string(fn) + ": internal error: " + e.what());
    return SFC_STATUS_INTERNAL_ERROR;
  } catch (...) {
    set_last_error(std::string(fn) + ": internal error");
    return SFC_STATUS_INTERNAL_ERROR;
  }
}

// Argument check at the boundary: fails the call with INVALID_ARGUMENT and a message.
#define SFC_CHECK_ARG(cond, msg) \
  do {                            \
    if (!(cond)) throw ::sfc::error(::sfc::error::invalid_argument, msg); \
  } while (0)

}  // namespace sfc::api

struct sfc_context_s {
  sfc_context_options options{};
  sfc_allocator allocator{};
  bool has_allocator = false;
  sfc::isa_level isa = sfc::isa_level::scalar;
  unsigned threads = 1;
  void log(sfc_log_level level, const std::string& msg) const {
    if (options.log_fn) options.log_fn(options.log_user, level, msg.c_str());
  }
};
