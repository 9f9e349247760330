/*
 * Entry point of the Pinpoint native addon: chooses the vector level once (AVX-512, AVX2 or plain C),
 * lets tests switch it (select) and registers every kernel module's functions.
 */
#include <string.h>
#include "addon.h"

static int chosen = -1;
static const char *const level_names[] = {"c", "avx2", "avx512"};

vector_level_t vector_level(void) {
  if (chosen < 0) {
    __builtin_cpu_init();
    chosen = __builtin_cpu_supports("avx512f") ? LEVEL_AVX512 : __builtin_cpu_supports("avx2") ? LEVEL_AVX2 : LEVEL_C;
  }
  return (vector_level_t)chosen;
}

/* The bytes of a typed array (any element type) or an ArrayBuffer (the multi-buffer hashes' arguments). */
int byte_view(napi_env env, napi_value v, const uint8_t **data, size_t *len) {
  bool is;
  void *ptr;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t count;
    napi_value ab;
    size_t offset;
    if (napi_get_typedarray_info(env, v, &type, &count, &ptr, &ab, &offset) != napi_ok) return 0;
    static const size_t widths[] = {[napi_int8_array] = 1,    [napi_uint8_array] = 1,   [napi_uint8_clamped_array] = 1,
                                    [napi_int16_array] = 2,   [napi_uint16_array] = 2,  [napi_int32_array] = 4,
                                    [napi_uint32_array] = 4,  [napi_float32_array] = 4, [napi_float64_array] = 8,
                                    [napi_bigint64_array] = 8, [napi_biguint64_array] = 8};
    if ((size_t)type >= sizeof widths / sizeof widths[0] || widths[type] == 0) return 0;
    *data = ptr;
    *len = count * widths[type];
    return 1;
  }
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is && napi_get_arraybuffer_info(env, v, &ptr, len) == napi_ok) {
    *data = ptr;
    return 1;
  }
  return 0;
}

int f32_array(napi_env env, napi_value v, float **data, size_t *len) {
  napi_typedarray_type type;
  size_t length;
  void *ptr;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, NULL, NULL) != napi_ok || type != napi_float32_array)
    return 0;
  *data = (float *)ptr;
  *len = length;
  return 1;
}

int size_args(napi_env env, const napi_value *argv, size_t count, size_t *out, const char *message) {
  for (size_t i = 0; i < count; i++) {
    double d;
    if (napi_get_value_double(env, argv[i], &d) != napi_ok || d < 0 || d != (double)(size_t)d) {
      napi_throw_type_error(env, NULL, message);
      return 0;
    }
    out[i] = (size_t)d;
  }
  return 1;
}

int size_list(napi_env env, napi_value v, size_t *out, uint32_t *count, uint32_t max) {
  bool is;
  if (napi_is_array(env, v, &is) != napi_ok || !is || napi_get_array_length(env, v, count) != napi_ok ||
      *count > max)
    return 0;
  for (uint32_t i = 0; i < *count; i++) {
    napi_value e;
    double d;
    if (napi_get_element(env, v, i, &e) != napi_ok || napi_get_value_double(env, e, &d) != napi_ok || d < 0 ||
        d != (double)(size_t)d)
      return 0;
    out[i] = (size_t)d;
  }
  return 1;
}

void export_function(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &f);
  napi_set_named_property(env, exports, name, f);
}

static napi_value level_string(napi_env env) {
  napi_value s;
  napi_create_string_utf8(env, level_names[vector_level()], NAPI_AUTO_LENGTH, &s);
  return s;
}

/* select("avx512" | "avx2" | "c"): use that level if this CPU has it (tests run every path); returns the
 * level in use. */
static napi_value select_level(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[16] = {0};
  size_t len = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  vector_level();
  if (argc == 1 && napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) == napi_ok) {
    if (!strcmp(name, "avx512") && __builtin_cpu_supports("avx512f")) chosen = LEVEL_AVX512;
    else if (!strcmp(name, "avx2") && __builtin_cpu_supports("avx2")) chosen = LEVEL_AVX2;
    else if (!strcmp(name, "c")) chosen = LEVEL_C;
  }
  return level_string(env);
}

static napi_value which(napi_env env, napi_callback_info info) {
  (void)info;
  return level_string(env);
}

static napi_value init(napi_env env, napi_value exports) {
  export_function(env, exports, "kernel", which);
  export_function(env, exports, "select", select_level);
  register_matmul(env, exports);
  register_layout(env, exports);
  register_hash(env, exports);
  register_binary(env, exports);
  register_optim(env, exports);
  register_transcendental(env, exports);
  register_nn(env, exports);
  register_digests(env, exports);
  register_sha256_lanes(env, exports);
  register_merkle(env, exports);
  register_blake3(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
