/*
 * Merkle roots of core/hash/merkle.ts in one call (a trace step's op root is 853 leaves: ≈ 1 700 SHA-256
 * calls, ≈ 4 ms through node:crypto's per-call overhead):
 *
 *   merkleRoot(tag: Uint8Array, leaves: Uint8Array): Uint8Array   leaves: the 32-byte digests, n ≥ 1
 *
 * leaf = H(tag ‖ 0x00 ‖ digest), node = H(tag ‖ 0x01 ‖ left ‖ right). RFC 6962's tree (left subtree = the
 * largest power of two below n) is the level-by-level pairing that carries an odd last node up unchanged,
 * so each level is one batch of independent messages: AVX-512 lanes where the CPU has them.
 */
#include <stdlib.h>
#include <string.h>
#include "addon.h"
#include "sha256.h"

static void hash_level(const uint8_t *tag, size_t tag_len, uint8_t kind, const uint8_t *in, size_t count,
                       size_t len, uint8_t *out, sha256_message_t *msgs) {
  for (size_t i = 0; i < count; i++) {
    memcpy(msgs[i].prefix, tag, tag_len);
    msgs[i].prefix[tag_len] = kind;
    msgs[i].prefix_len = tag_len + 1;
    msgs[i].data = in + i * len;
    msgs[i].data_len = len;
  }
  if (!sha256_lanes(msgs, count, out, 0)) sha256_batch(msgs, count, out);
}

static napi_value merkle_root(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type t0, t1;
  size_t tag_len, bytes;
  void *tag, *leaves;
  if (argc != 2 || napi_get_typedarray_info(env, argv[0], &t0, &tag_len, &tag, NULL, NULL) != napi_ok ||
      t0 != napi_uint8_array || tag_len >= SHA256_PREFIX_MAX ||
      napi_get_typedarray_info(env, argv[1], &t1, &bytes, &leaves, NULL, NULL) != napi_ok || t1 != napi_uint8_array ||
      bytes == 0 || bytes % 32 != 0) {
    napi_throw_type_error(env, NULL, "merkleRoot(tag: Uint8Array, leaves: Uint8Array of 32·n bytes, n ≥ 1)");
    return NULL;
  }
  size_t n = bytes / 32;
  uint8_t *a = malloc(32 * n), *b = malloc(32 * n);
  sha256_message_t *msgs = malloc(n * sizeof *msgs);
  if (!a || !b || !msgs) {
    free(a);
    free(b);
    free(msgs);
    napi_throw_error(env, NULL, "merkleRoot: out of memory");
    return NULL;
  }
  hash_level(tag, tag_len, 0, leaves, n, 32, a, msgs);
  while (n > 1) {
    size_t pairs = n / 2;
    hash_level(tag, tag_len, 1, a, pairs, 64, b, msgs);
    if (n & 1) memcpy(b + 32 * pairs, a + 32 * (n - 1), 32);
    n = pairs + (n & 1);
    uint8_t *t = a;
    a = b;
    b = t;
  }
  void *root;
  napi_value ab, r;
  napi_create_arraybuffer(env, 32, &root, &ab);
  memcpy(root, a, 32);
  napi_create_typedarray(env, napi_uint8_array, 32, ab, 0, &r);
  free(a);
  free(b);
  free(msgs);
  return r;
}

void register_merkle(napi_env env, napi_value exports) { export_function(env, exports, "merkleRoot", merkle_root); }
