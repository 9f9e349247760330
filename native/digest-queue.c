/*
 * Tensor digests on a native thread (core/platform/node-native-digests.ts): the trainer submits a step's
 * tensors and goes on computing while this thread hashes them; `digestTake` waits for them. Unlike the
 * worker-thread queue (node-digest-queue.ts) no buffer is moved between threads or copied: a tensor is
 * read in place, kept alive by a reference until its digests are taken.
 *
 *   digestSubmit(tag: Uint8Array, tensors: Float32Array[], shapes: Uint32Array, custody: Uint8Array[,
 *                scheme: number]): number
 *     shapes = rank, dims… per tensor, concatenated; custody per tensor: 0 copy (copied now: the caller
 *     may write it afterwards), 1 lend (read in place: the caller does not write it until the take),
 *     2 give (read in place and the caller never reads it again: NaNs are canonicalised in place).
 *     scheme: the hash, 0 SHA-256 (the default) or 1 BLAKE3 (core/hash/tensor-scheme.ts). Returns a ticket.
 *   digestTake(ticket: number): string   64 hex chars per tensor, in order; blocks until they are ready.
 *   digestStats(): { bytes, hashThreadMs, callerMs, waitMs }   totals since the process started: bytes hashed,
 *     CPU milliseconds the hashing thread and callers of digestTake spent hashing, and wall milliseconds
 *     digestTake waited for the hashing thread. bench/scale-child.ts reports them per step: whether a trace
 *     step's hashing fits beside its compute on the second core.
 *
 * Digest i = H(tag ‖ dtype u8 = 1 ‖ rank u32le ‖ dims u32le… ‖ data with every NaN as 0x7fc00000), H the
 * submission's scheme (SHA-256 or BLAKE3): core/hash/digest.ts tensorDigest, bit for bit
 * (test/hash/native-digest-queue.test.ts).
 */
#define _GNU_SOURCE /* qsort_r */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include "addon.h"
#include "sha256.h"

enum { COPY = 0, LEND = 1, GIVE = 2 };
enum { SCHEME_SHA256 = 0, SCHEME_BLAKE3 = 1 };

typedef struct job {
  uint32_t ticket;
  uint32_t scheme; /* SCHEME_SHA256 or SCHEME_BLAKE3 */
  size_t n;
  sha256_message_t *msgs;
  uint8_t *custody;
  void **owned; /* per tensor: a malloc'd copy to free, or NULL */
  napi_ref *refs;
  uint8_t *out;
  size_t *order;   /* message indices, longest first: a chunk holds messages of similar length */
  size_t cursor;   /* next position of order to claim */
  size_t finished; /* messages hashed */
  int done;        /* cursor, finished and done: under the lock */
  struct job *next;
} job_t;

/* What a thread claims at once: at least CHUNK_MIN messages (16 AVX-512 lanes), more up to CHUNK_MAX while
 * they add up to less than CHUNK_BYTES. */
#define CHUNK_MIN 16
#define CHUNK_MAX 256
#define CHUNK_BYTES (1u << 20)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;
static job_t *head = NULL, *tail = NULL;
static uint32_t next_ticket = 1;
static int started = 0;
/* digestStats's totals; under the lock. */
static struct {
  double bytes, hash_thread_ms, caller_ms, wait_ms;
} stats;

static double clock_ms(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* A tensor's data with NaNs canonical: in place when the tensor is ours to change, else a copy (rare). */
static void canonical_data(job_t *j, size_t i) {
  sha256_message_t *m = &j->msgs[i];
  size_t words = m->data_len / 4;
  if (nan_find_words((const uint32_t *)m->data, words) == words) return;
  if (j->custody[i] == LEND) {
    void *copy = malloc(m->data_len ? m->data_len : 1);
    memcpy(copy, m->data, m->data_len);
    j->owned[i] = copy;
    m->data = copy;
  }
  nan_fix_words((uint32_t *)m->data, words);
}

/*
 * The hashing thread and a thread waiting in digestTake share a job's messages, CHUNK at a time, so a
 * waiting caller's core hashes too. Claims and completions happen under the lock: a job is freed (by its
 * take) only once done, and it cannot be done while a claimed chunk is unfinished, so whoever holds a
 * claim may use the job.
 */
static size_t claim(job_t *j, size_t *end) {
  size_t at = j->cursor, e = at, bytes = 0;
  // At least a full set of lanes; more while the chunk stays small (many small tensors, one claim).
  while (e < j->n && (e - at < CHUNK_MIN || (e - at < CHUNK_MAX && bytes < CHUNK_BYTES)))
    bytes += j->msgs[j->order[e++]].data_len;
  j->cursor = *end = e;
  return at;
}

/* Hashes order[at … end) of j, without the lock; returns the bytes hashed. */
static size_t hash_chunk(job_t *j, size_t at, size_t end) {
  size_t count = end - at, bytes = 0; /* count ≤ CHUNK_MAX */
  sha256_message_t batch[CHUNK_MAX];
  uint8_t out[32 * CHUNK_MAX];
  for (size_t k = at; k < end; k++) {
    batch[k - at] = j->msgs[j->order[k]];
    bytes += batch[k - at].prefix_len + batch[k - at].data_len;
  }
  // Both lane kernels hash NaN words as canonical as they load them; otherwise a NaN pass first.
  if (j->scheme == SCHEME_BLAKE3) {
    // Out of memory for the batch's chunk trees: one message at a time, and a thread cannot throw.
    if (!blake3_messages(batch, count, out, 1))
      for (size_t k = 0; k < count; k++)
        if (!blake3_messages(&batch[k], 1, out + 32 * k, 1)) {
          fputs("pinpoint: out of memory while hashing tensors (BLAKE3)\n", stderr);
          abort();
        }
  } else if (!sha256_lanes(batch, count, out, 1)) {
    for (size_t k = at; k < end; k++) {
      canonical_data(j, j->order[k]);
      batch[k - at] = j->msgs[j->order[k]];
    }
    sha256_batch(batch, count, out);
  }
  for (size_t k = at; k < end; k++) memcpy(j->out + 32 * j->order[k], out + 32 * (k - at), 32);
  return bytes;
}

/* Under the lock: count messages of j hashed, bytes of them in cpu_ms of the calling thread's CPU. */
static void complete(job_t *j, size_t count, size_t bytes, double cpu_ms, double *cpu_total) {
  stats.bytes += (double)bytes;
  *cpu_total += cpu_ms;
  j->finished += count;
  if (j->finished == j->n) {
    j->done = 1;
    pthread_cond_broadcast(&finished);
  }
}

/*
 * Under the lock (held again on return): claims j's next chunk, hashes it without the lock and completes
 * it, adding the CPU time it took to *cpu_total (the hashing thread's or the callers' in digestStats).
 */
static void hash_next_chunk(job_t *j, double *cpu_total) {
  size_t end, at = claim(j, &end);
  pthread_mutex_unlock(&lock);
  double t0 = clock_ms(CLOCK_THREAD_CPUTIME_ID);
  size_t bytes = hash_chunk(j, at, end);
  double cpu = clock_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
  pthread_mutex_lock(&lock);
  complete(j, end - at, bytes, cpu, cpu_total);
}

static void *hash_thread(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  for (;;) {
    job_t *j = head;
    while (j && j->cursor >= j->n) j = j->next;
    if (!j) {
      pthread_cond_wait(&work, &lock);
      continue;
    }
    hash_next_chunk(j, &stats.hash_thread_ms);
  }
  return NULL;
}

static void free_job(napi_env env, job_t *j) {
  for (size_t i = 0; i < j->n; i++) {
    if (j->refs[i]) napi_delete_reference(env, j->refs[i]);
    free(j->owned[i]);
  }
  free(j->msgs);
  free(j->custody);
  free(j->owned);
  free(j->refs);
  free(j->out);
  free(j->order);
  free(j);
}

static int typed_bytes(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, v, &type, len, data, NULL, NULL) != napi_ok || type != want) return 0;
  return 1;
}

static napi_value fail(napi_env env, job_t *j, const char *message) {
  if (j) free_job(env, j);
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int longer_first(const void *a, const void *b, void *msgs) {
  const sha256_message_t *m = msgs;
  size_t la = m[*(const size_t *)a].data_len, lb = m[*(const size_t *)b].data_len;
  return la < lb ? 1 : la > lb ? -1 : 0;
}

#define USAGE \
  "digestSubmit(tag: Uint8Array, tensors: Float32Array[], shapes: Uint32Array, custody: Uint8Array[, scheme: 0 | 1])"

static napi_value digest_submit(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *tag, *shapes_p, *custody_p;
  size_t tag_len, shapes_len, custody_len;
  uint32_t n, scheme = SCHEME_SHA256;
  bool is_array;
  if (argc == 5) {  // exactly 0 or 1: napi_get_value_uint32 would truncate 0.5 and NaN to 0
    double d;
    if (napi_get_value_double(env, argv[4], &d) != napi_ok || (d != SCHEME_SHA256 && d != SCHEME_BLAKE3))
      return fail(env, NULL, USAGE);
    scheme = (uint32_t)d;
  }
  if (argc < 4 || argc > 5 || !typed_bytes(env, argv[0], napi_uint8_array, &tag, &tag_len) ||
      napi_is_array(env, argv[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, argv[1], &n) != napi_ok ||
      !typed_bytes(env, argv[2], napi_uint32_array, &shapes_p, &shapes_len) ||
      !typed_bytes(env, argv[3], napi_uint8_array, &custody_p, &custody_len) || custody_len != n || tag_len > 64)
    return fail(env, NULL, USAGE);
  const uint32_t *shapes = (const uint32_t *)shapes_p;
  job_t *j = calloc(1, sizeof *j);
  if (!j) return fail(env, NULL, "digestSubmit: out of memory");
  j->msgs = calloc(n ? n : 1, sizeof *j->msgs);
  j->custody = malloc(n ? n : 1);
  j->owned = calloc(n ? n : 1, sizeof *j->owned);
  j->refs = calloc(n ? n : 1, sizeof *j->refs);
  j->out = malloc(32 * (size_t)(n ? n : 1));
  j->order = malloc(sizeof *j->order * (n ? n : 1));
  if (!j->msgs || !j->custody || !j->owned || !j->refs || !j->out || !j->order)
    return fail(env, j, "digestSubmit: out of memory"); /* n is still 0: free_job frees the arrays only */
  j->n = n;
  j->scheme = scheme;
  memcpy(j->custody, custody_p, n);
  size_t at = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value t;
    float *data;
    size_t len;
    if (napi_get_element(env, argv[1], i, &t) != napi_ok || !f32_array(env, t, &data, &len) || j->custody[i] > GIVE)
      return fail(env, j, USAGE);
    if (at >= shapes_len) return fail(env, j, "digestSubmit: shapes shorter than the tensors");
    uint32_t rank = shapes[at++];
    sha256_message_t *m = &j->msgs[i];
    if (tag_len + 5 + 4 * (size_t)rank > SHA256_PREFIX_MAX || at + rank > shapes_len)
      return fail(env, j, "digestSubmit: a shape is longer than the shapes array or rank is above 15");
    memcpy(m->prefix, tag, tag_len);
    uint8_t *h = m->prefix + tag_len;
    h[0] = 1;
    for (int b = 0; b < 4; b++) h[1 + b] = (uint8_t)(rank >> (8 * b));
    size_t elements = 1;
    for (uint32_t d = 0; d < rank; d++) {
      uint32_t dim = shapes[at++];
      elements *= dim;
      for (int b = 0; b < 4; b++) h[5 + 4 * d + b] = (uint8_t)(dim >> (8 * b));
    }
    if (elements != len) return fail(env, j, "digestSubmit: a shape does not match its tensor's length");
    m->prefix_len = tag_len + 5 + 4 * (size_t)rank;
    m->data_len = len * 4;
    if (j->custody[i] == COPY) {
      void *copy = malloc(m->data_len ? m->data_len : 1);
      memcpy(copy, data, m->data_len);
      j->owned[i] = copy;
      m->data = copy;
    } else {
      napi_create_reference(env, t, 1, &j->refs[i]);
      m->data = (const uint8_t *)data;
    }
  }
  for (uint32_t i = 0; i < n; i++) j->order[i] = i;
  qsort_r(j->order, n, sizeof *j->order, longer_first, j->msgs);
  if (n == 0) j->done = 1;
  pthread_mutex_lock(&lock);
  if (!started) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&thread, &attr, hash_thread, NULL) != 0) {
      pthread_mutex_unlock(&lock);
      return fail(env, j, "digestSubmit: could not start the hashing thread");
    }
    started = 1;
  }
  j->ticket = next_ticket++;
  if (tail) tail->next = j;
  else head = j;
  tail = j;
  pthread_cond_signal(&work);
  pthread_mutex_unlock(&lock);
  napi_value r;
  napi_create_uint32(env, j->ticket, &r);
  return r;
}

static napi_value digest_take(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t ticket;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1 || napi_get_value_uint32(env, argv[0], &ticket) != napi_ok) {
    napi_throw_type_error(env, NULL, "digestTake(ticket: number)");
    return NULL;
  }
  pthread_mutex_lock(&lock);
  job_t *prev = NULL, *j = head;
  while (j && j->ticket != ticket) {
    prev = j;
    j = j->next;
  }
  if (!j) {
    pthread_mutex_unlock(&lock);
    napi_throw_error(env, NULL, "digestTake: unknown ticket (never submitted, or already taken)");
    return NULL;
  }
  // Rather than wait, hash what the hashing thread has not claimed yet (the job stays listed until done).
  while (j->cursor < j->n) {
    hash_next_chunk(j, &stats.caller_ms);
  }
  if (!j->done) {
    double t0 = clock_ms(CLOCK_MONOTONIC);
    while (!j->done) pthread_cond_wait(&finished, &lock);
    stats.wait_ms += clock_ms(CLOCK_MONOTONIC) - t0;
  }
  prev = NULL;
  for (job_t *k = head; k != j; k = k->next) prev = k;
  if (prev) prev->next = j->next;
  else head = j->next;
  if (tail == j) tail = prev;
  pthread_mutex_unlock(&lock);
  static const char hex[] = "0123456789abcdef";
  char *s = malloc(64 * j->n + 1);
  for (size_t i = 0; i < 32 * j->n; i++) {
    s[2 * i] = hex[j->out[i] >> 4];
    s[2 * i + 1] = hex[j->out[i] & 15];
  }
  napi_value r;
  napi_create_string_latin1(env, s, 64 * j->n, &r);
  free(s);
  free_job(env, j);
  return r;
}

/* sha256(prefix: Uint8Array, data: Uint8Array, shani: boolean): Uint8Array — tests (both compressions). */
static napi_value sha256_test(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *pre, *data;
  size_t pre_len, data_len;
  bool use;
  if (argc != 3 || !typed_bytes(env, argv[0], napi_uint8_array, &pre, &pre_len) || pre_len > SHA256_PREFIX_MAX ||
      !typed_bytes(env, argv[1], napi_uint8_array, &data, &data_len) ||
      napi_get_value_bool(env, argv[2], &use) != napi_ok) {
    napi_throw_type_error(env, NULL, "sha256(prefix: Uint8Array (≤ 128 bytes), data: Uint8Array, shani: boolean)");
    return NULL;
  }
  sha256_message_t m = {.prefix_len = pre_len, .data = data, .data_len = data_len};
  memcpy(m.prefix, pre, pre_len);
  int was = sha256_shani();
  sha256_use_shani(use);
  void *out;
  napi_value r, ab;
  napi_create_arraybuffer(env, 32, &out, &ab);
  sha256_message(&m, out);
  sha256_use_shani(was);
  napi_create_typedarray(env, napi_uint8_array, 32, ab, 0, &r);
  return r;
}

static napi_value digest_stats(napi_env env, napi_callback_info info) {
  (void)info;
  pthread_mutex_lock(&lock);
  const double values[4] = {stats.bytes, stats.hash_thread_ms, stats.caller_ms, stats.wait_ms};
  pthread_mutex_unlock(&lock);
  static const char *names[4] = {"bytes", "hashThreadMs", "callerMs", "waitMs"};
  napi_value r, v;
  napi_create_object(env, &r);
  for (int i = 0; i < 4; i++) {
    napi_create_double(env, values[i], &v);
    napi_set_named_property(env, r, names[i], v);
  }
  return r;
}

static napi_value has_shani(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  napi_get_boolean(env, sha256_shani(), &r);
  return r;
}

void register_digests(napi_env env, napi_value exports) {
  export_function(env, exports, "digestSubmit", digest_submit);
  export_function(env, exports, "digestTake", digest_take);
  export_function(env, exports, "digestStats", digest_stats);
  export_function(env, exports, "sha256", sha256_test);
  export_function(env, exports, "sha256Shani", has_shani);
}
