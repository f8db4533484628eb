#include <string>

#include "runtime/api-internal.h"

namespace sfc::api {

namespace {
thread_local std::string g_last_error;
}

void set_last_error(const std::string& message) { g_last_error = message; }
const char* g_last_error_ptr() { return g_last_error.c_str(); }
void clear_last_error() { g_last_error.clear(); }

sfc_status status_from_error(const sfc::error& e) {
  switch (e.code()) {
    case sfc::error::invalid_argument: return SFC_STATUS_INVALID_ARGUMENT;
    case sfc::error::unsupported: return SFC_STATUS_UNSUPPORTED;
    case sfc::error::io: return SFC_STATUS_IO_ERROR;
    case sfc::error::invalid_model: return SFC_STATUS_INVALID_MODEL;
    case sfc::error::internal: return SFC_STATUS_INTERNAL_ERROR;
  }
  return SFC_STATUS_INTERNAL_ERROR;
}

}  // namespace sfc::api

extern "C" {

const char* sfc_status_string(sfc_status status) {
  switch (status) {
    case SFC_STATUS_SUCCESS: return "success";
    case SFC_STATUS_INVALID_ARGUMENT: return "invalid argument";
    case SFC_STATUS_UNSUPPORTED: return "unsupported";
    case SFC_STATUS_UNSUPPORTED_HARDWARE: return "unsupported hardware";
    case SFC_STATUS_OUT_OF_MEMORY: return "out of memory";
    case SFC_STATUS_INVALID_STATE: return "invalid state";
    case SFC_STATUS_INVALID_MODEL: return "invalid model";
    case SFC_STATUS_IO_ERROR: return "I/O error";
    case SFC_STATUS_INTERNAL_ERROR: return "internal error";
  }
  return "unknown status";
}

const char* sfc_last_error_message(void) { return sfc::api::g_last_error_ptr(); }

uint32_t sfc_version(void) {
  return (uint32_t(SFC_VERSION_MAJOR) << 22) | (uint32_t(SFC_VERSION_MINOR) << 12) | SFC_VERSION_PATCH;
}

}  // extern "C"
