/* Embedding sfc from C through the installed package: builds the built-in CIFAR ResNet-20 (or
 * loads the ONNX file given as argv[1]), runs one input of zeros and prints the top class. */
#include <sfc/sfc.h>
#include <stdio.h>
#include <stdlib.h>

static int check(sfc_status s, const char* what) {
  if (s != SFC_STATUS_SUCCESS) {
    fprintf(stderr, "%s failed: %s: %s\n", what, sfc_status_string(s), sfc_last_error_message());
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  sfc_context_options copt;
  sfc_context_options_init(&copt);
  copt.num_threads = 1;
  sfc_context ctx = NULL;
  if (check(sfc_context_create(&copt, &ctx), "sfc_context_create")) return 1;

  sfc_model_options mopt;
  sfc_model_options_init(&mopt);
  sfc_model model = NULL;
  sfc_status s = argc > 1 ? sfc_model_load_file(ctx, argv[1], &mopt, &model)
                          : sfc_model_create_builtin(ctx, "resnet20", &mopt, &model);
  if (check(s, "model load")) return 1;

  sfc_tensor_desc in;
  if (check(sfc_model_input_desc(model, 0, &in), "sfc_model_input_desc")) return 1;
  size_t n = 1;
  for (uint32_t d = 0; d < in.rank; d++) n *= (size_t)in.dims[d];
  float* x = calloc(n, sizeof(float));
  sfc_session session = NULL;
  if (check(sfc_session_create(model, NULL, &session), "sfc_session_create")) return 1;
  if (check(sfc_session_set_input(session, 0, &in, x), "sfc_session_set_input")) return 1;
  if (check(sfc_session_run(session), "sfc_session_run")) return 1;
  sfc_tensor_desc out;
  const void* y = NULL;
  if (check(sfc_session_get_output(session, 0, &out, &y), "sfc_session_get_output")) return 1;
  const float* logits = (const float*)y;
  int best = 0;
  for (int i = 1; i < (int)out.dims[out.rank - 1]; i++)
    if (logits[i] > logits[best]) best = i;
  printf("sfc %u.%u.%u isa=%s classes=%lld top1=%d\n", sfc_version() >> 22, (sfc_version() >> 12) & 1023,
         sfc_version() & 4095, sfc_context_isa(ctx), (long long)out.dims[out.rank - 1], best);
  free(x);
  sfc_session_destroy(session);
  sfc_model_destroy(model);
  sfc_context_destroy(ctx);
  return 0;
}
