/* sfc — int8 CNN inference with Symbolic Fourier Convolution: the public C API.
 *
 * Three opaque handles, split by lifetime and sharing:
 *   sfc_context  CPU features, ISA cap, thread count, allocator, logging. Must outlive its models.
 *   sfc_model    an immutable graph with prepared (packed / SFC-transformed) weights. Shareable:
 *                any number of sessions on any threads may use one model concurrently.
 *   sfc_session  one inference stream (activation arena). One thread at a time.
 *
 * Every function returns an sfc_status (or is documented as infallible); no exception and no
 * abort() crosses this boundary. On failure, sfc_last_error_message() describes the problem
 * (thread-local; valid until the next sfc call on that thread). Output parameters (`*_out`) are
 * written only on success. The library keeps no pointer to caller buffers after a call returns,
 * unless documented.
 */
#ifndef SFC_SFC_H_
#define SFC_SFC_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SFC_VERSION_MAJOR 0
#define SFC_VERSION_MINOR 1
#define SFC_VERSION_PATCH 0

/* Status codes: explicit, unique values. INVALID_ARGUMENT is a caller bug, UNSUPPORTED is a
 * valid request this build or model cannot serve. */
typedef enum sfc_status {
  SFC_STATUS_SUCCESS = 0,
  SFC_STATUS_INVALID_ARGUMENT = 1,
  SFC_STATUS_UNSUPPORTED = 2,
  SFC_STATUS_UNSUPPORTED_HARDWARE = 3,
  SFC_STATUS_OUT_OF_MEMORY = 4,
  SFC_STATUS_INVALID_STATE = 5,
  SFC_STATUS_INVALID_MODEL = 6,
  SFC_STATUS_IO_ERROR = 7,
  SFC_STATUS_INTERNAL_ERROR = 8
} sfc_status;

typedef enum sfc_isa {
  SFC_ISA_AUTO = 0, /* detected (and capped by SFC_MAX_ISA) */
  SFC_ISA_SCALAR = 1,
  SFC_ISA_AVX2 = 2,
  SFC_ISA_AVX512VNNI = 3,
  SFC_ISA_NEON = 4,
  SFC_ISA_NEONDOT = 5
} sfc_isa;

typedef enum sfc_log_level { SFC_LOG_ERROR = 0, SFC_LOG_WARNING = 1, SFC_LOG_INFO = 2, SFC_LOG_DEBUG = 3 } sfc_log_level;
typedef void (*sfc_log_fn)(void* user, sfc_log_level level, const char* message);

/* Allocator hook. alloc must return memory aligned to `alignment` (a power of two) or NULL. */
typedef struct sfc_allocator {
  void* (*alloc)(void* user, size_t size, size_t alignment);
  void (*free)(void* user, void* ptr);
  void* user;
} sfc_allocator;

typedef struct sfc_context_s* sfc_context;
typedef struct sfc_model_s* sfc_model;
typedef struct sfc_session_s* sfc_session;

typedef struct sfc_context_options {
  uint32_t struct_size;           /* = sizeof(sfc_context_options); set by _init */
  uint32_t num_threads;           /* 0 = all cores */
  sfc_isa max_isa;                /* SFC_ISA_AUTO = detected */
  const sfc_allocator* allocator; /* NULL = aligned malloc/free; must outlive the context */
  sfc_log_fn log_fn;              /* NULL = silent */
  void* log_user;
} sfc_context_options;

void sfc_context_options_init(sfc_context_options* options);
sfc_status sfc_context_create(const sfc_context_options* options, sfc_context* context_out);
void sfc_context_destroy(sfc_context context); /* NULL is a no-op */
/* The ISA the context dispatches to, e.g. "avx512vnni". Infallible; NULL context -> "". */
const char* sfc_context_isa(sfc_context context);

typedef enum sfc_precision { SFC_PRECISION_FP32 = 0, SFC_PRECISION_INT8 = 1 } sfc_precision;

typedef struct sfc_model_options {
  uint32_t struct_size;  /* = sizeof(sfc_model_options); set by _init */
  sfc_precision precision;
  /* Convolution implementation policy: "auto" (measure candidates at load, keep the fastest,
   * cache the plan), or force one for every layer it applies to: "onednn", "xnnpack",
   * "reference", "smallc_direct" (sfc's direct kernel for ic <= 4, the RGB stem), or an
   * SFC/Winograd algorithm name such as "sfc6_7x7_3x3". */
  const char* impl;
  const char* plan_cache_path; /* NULL = no plan cache file */
  uint32_t batch;              /* batch size the model is prepared for (0 = 1) */
  /* int8 calibration (max-abs over these inputs); NCHW float32, batch `calibration_count`. */
  const float* calibration_data;
  uint32_t calibration_count;
  uint32_t transform_bits;     /* SFC transform-domain bits: 8 (default), 6 or 4 */
} sfc_model_options;

void sfc_model_options_init(sfc_model_options* options);

/* Loads an ONNX model (fp32 as PyTorch exports it, or int8 in QDQ / QLinear* form, which
 * runs with its own scales), an sfc quantized model file (.sfcq) or an int8 TFLite model (full-integer; runs with its own scales; the input and output are the real
 * values scale·(q − zero_point), NCHW). The format is recognised from the content. */
sfc_status sfc_model_load_file(sfc_context context, const char* path, const sfc_model_options* options,
                               sfc_model* model_out);
/* Same from memory; the library copies what it needs (data may be freed after return). */
sfc_status sfc_model_load_memory(sfc_context context, const void* data, size_t size,
                                 const sfc_model_options* options, sfc_model* model_out);
/* A built-in model with deterministic synthetic weights: "resnet18", "resnet34", "resnet50",
 * "resnet20", "resnet32", "resnet56". */
sfc_status sfc_model_create_builtin(sfc_context context, const char* name, const sfc_model_options* options,
                                    sfc_model* model_out);
void sfc_model_destroy(sfc_model model);
/* Metadata of a quantized model file (e.g. "preprocess.mode", "preprocess.mean", "producer"):
 * the value of the first entry named `key`, valid as long as the model; NULL if absent, for
 * other formats, or for NULL arguments. */
const char* sfc_model_metadata(sfc_model model, const char* key);

typedef enum sfc_dtype { SFC_DTYPE_FLOAT32 = 0, SFC_DTYPE_UINT8 = 1, SFC_DTYPE_INT8 = 2 } sfc_dtype;
typedef enum sfc_layout { SFC_LAYOUT_NCHW = 0, SFC_LAYOUT_NHWC = 1, SFC_LAYOUT_NC = 2 } sfc_layout;

#define SFC_MAX_DIMS 8
typedef struct sfc_tensor_desc {
  sfc_dtype dtype;
  sfc_layout layout;
  uint32_t rank;
  int64_t dims[SFC_MAX_DIMS]; /* in the order of `layout` */
  float scale;                /* quantized dtypes: real = scale · (q − zero_point) */
  int32_t zero_point;
} sfc_tensor_desc;

sfc_status sfc_model_input_desc(sfc_model model, uint32_t index, sfc_tensor_desc* desc_out);
sfc_status sfc_model_output_desc(sfc_model model, uint32_t index, sfc_tensor_desc* desc_out);

typedef struct sfc_session_options {
  uint32_t struct_size;
  uint32_t reserved_for_future_use_must_be_zero; /* keeps the struct non-empty in C */
} sfc_session_options;
void sfc_session_options_init(sfc_session_options* options);

sfc_status sfc_session_create(sfc_model model, const sfc_session_options* options, sfc_session* session_out);
/* Copies `data` (described by desc; float32 NCHW or NHWC) into the session. */
sfc_status sfc_session_set_input(sfc_session session, uint32_t index, const sfc_tensor_desc* desc, const void* data);
sfc_status sfc_session_run(sfc_session session);
/* Output desc and a pointer valid until the next run/destroy of this session. */
sfc_status sfc_session_get_output(sfc_session session, uint32_t index, sfc_tensor_desc* desc_out,
                                  const void** data_out);

typedef struct sfc_node_info {
  const char* name;   /* valid while the model lives */
  const char* op;     /* "Conv", "MaxPool", ... */
  const char* impl;   /* "sfc6_7x7_3x3/avx512vnni", "onednn:brgconv:avx512_core_vnni", ... */
  double last_ms;     /* time of this node in the session's last run (0 if not profiled) */
  double macs;        /* multiply-accumulates of the node (direct count) */
} sfc_node_info;
uint32_t sfc_session_node_count(sfc_session session); /* 0 for NULL */
sfc_status sfc_session_get_node_info(sfc_session session, uint32_t node, sfc_node_info* info_out);
/* Per-node timing on/off for subsequent runs (off by default; adds a clock read per node). */
sfc_status sfc_session_set_profiling(sfc_session session, int enabled);
void sfc_session_destroy(sfc_session session);

const char* sfc_status_string(sfc_status status);
const char* sfc_last_error_message(void);
uint32_t sfc_version(void); /* (major << 22) | (minor << 12) | patch */

#ifdef __cplusplus
}
#endif
#endif /* SFC_SFC_H_ */
