#include <omp.h>

#include <cstdlib>
#include <cstring>

#include "runtime/api-internal.h"

namespace {

void* default_alloc(void*, size_t size, size_t alignment) {
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  void* p = nullptr;
  return posix_memalign(&p, alignment, size == 0 ? alignment : size) == 0 ? p : nullptr;
}
void default_free(void*, void* p) { std::free(p); }

sfc::isa_level from_api(sfc_isa isa) {
  switch (isa) {
    case SFC_ISA_SCALAR: return sfc::isa_level::scalar;
    case SFC_ISA_AVX2: return sfc::isa_level::avx2;
    case SFC_ISA_AVX512VNNI: return sfc::isa_level::avx512vnni;
    case SFC_ISA_NEON: return sfc::isa_level::neon;
    case SFC_ISA_NEONDOT: return sfc::isa_level::neondot;
    default: return sfc::isa_level::scalar;
  }
}

}  // namespace

extern "C" {

void sfc_context_options_init(sfc_context_options* options) {
  if (!options) return;
  std::memset(options, 0, sizeof *options);
  options->struct_size = sizeof *options;
}

sfc_status sfc_context_create(const sfc_context_options* options, sfc_context* context_out) {
  return sfc::api::guard("sfc_context_create", [&] {
    SFC_CHECK_ARG(context_out, "context_out is NULL");
    sfc_context_options o;
    sfc_context_options_init(&o);
    if (options) {
      SFC_CHECK_ARG(options->struct_size >= sizeof(uint32_t) && options->struct_size <= sizeof o,
                    "options->struct_size must be sizeof(sfc_context_options) (call sfc_context_options_init)");
      std::memcpy(&o, options, options->struct_size);
    }
    SFC_CHECK_ARG(o.max_isa >= SFC_ISA_AUTO && o.max_isa <= SFC_ISA_NEONDOT, "options->max_isa is not a valid sfc_isa");
    SFC_CHECK_ARG(!o.allocator || (o.allocator->alloc && o.allocator->free), "allocator needs both alloc and free");
    auto* ctx = new sfc_context_s;
    ctx->options = o;
    ctx->allocator = o.allocator ? *o.allocator : sfc_allocator{default_alloc, default_free, nullptr};
    ctx->has_allocator = o.allocator != nullptr;
    std::string note;
    ctx->isa = o.max_isa == SFC_ISA_AUTO ? sfc::effective_isa("", &note)
                                         : sfc::effective_isa(sfc::isa_name(from_api(o.max_isa)), &note);
    if (!note.empty()) ctx->log(SFC_LOG_WARNING, note);
    ctx->threads = o.num_threads ? o.num_threads : unsigned(omp_get_num_procs());
    ctx->log(SFC_LOG_INFO, std::string("sfc context: isa ") + sfc::isa_name(ctx->isa) + ", " +
                               std::to_string(ctx->threads) + " threads; cpu: " + sfc::detect_cpu().describe());
    *context_out = ctx;
    return SFC_STATUS_SUCCESS;
  });
}

void sfc_context_destroy(sfc_context context) { delete context; }

const char* sfc_context_isa(sfc_context context) { return context ? sfc::isa_name(context->isa) : ""; }

}  // extern "C"
