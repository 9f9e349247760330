/*
 * SHA-256 (FIPS 180-4) of a short prefix followed by a data buffer, without copying the data: what a
 * tensor digest is (core/hash/digest.ts tensorDigest: tag ‖ dtype ‖ rank ‖ dims ‖ data). The compression
 * function uses the SHA extensions where the CPU has them, else plain C; both give the same bits, and
 * test/hash/native-digest-queue.test.ts checks them against node:crypto.
 */
#ifndef PINPOINT_SHA256_H
#define PINPOINT_SHA256_H
#include <stddef.h>
#include <stdint.h>

/* A message: prefix (at most SHA256_PREFIX_MAX bytes) ‖ data. */
#define SHA256_PREFIX_MAX 128
typedef struct {
  uint8_t prefix[SHA256_PREFIX_MAX];
  size_t prefix_len;
  const uint8_t *data;
  size_t data_len;
} sha256_message_t;

extern const uint32_t SHA256_K[64];
extern const uint32_t SHA256_IV[8];

/* blocks whole 64-byte blocks into the state (SHA extensions where the CPU has them, else C). */
void sha256_compress(uint32_t st[8], const uint8_t *p, size_t blocks);

void sha256_message(const sha256_message_t *m, uint8_t out[32]);

/* Every message of a batch; out holds 32 bytes per message. */
void sha256_batch(const sha256_message_t *msgs, size_t n, uint8_t *out);

/* Whether the SHA extensions are in use; sha256_use_shani(0) forces plain C (tests run both). */
int sha256_shani(void);
void sha256_use_shani(int on);

/*
 * sha256-lanes.c: the digests of n messages into out + 32·i, 16 at a time in AVX-512 lanes; with canon, NaN
 * words of the data are hashed as 0x7fc00000 (prefix and data lengths whole words), nothing written.
 * Returns 0, computing nothing, below AVX-512 (BW) or out of memory.
 */
int sha256_lanes(const sha256_message_t *msgs, size_t n, uint8_t *out, int canon);

/*
 * blake3.c: BLAKE3 (hash mode, 32 bytes) of each message into out + 32·i, canon as above; the digest queue's
 * "blake3" scheme. Returns 0, computing nothing, when out of memory.
 */
int blake3_messages(const sha256_message_t *msgs, size_t n, uint8_t *out, int canon);

#endif
