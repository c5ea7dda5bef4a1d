/*
 * random.h - identifiers, random tokens and digests, all from libsodium.
 *
 * crypto_init() must run once before any other function here (the server,
 * the CLI and the tests call it at start).
 */
#ifndef GANYMEDE_CRYPTO_RANDOM_H
#define GANYMEDE_CRYPTO_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

#define UUID_LEN       36
#define SHA256_HEX_LEN 64

int crypto_init(void);

/* A random version 4 UUID, lower-case, into out[UUID_LEN + 1]. */
void random_uuid(char *out);

/*
 * nbytes random bytes as unpadded base64url into out, which must hold
 * random_token_len(nbytes) + 1 bytes.
 */
size_t random_token_len(size_t nbytes);
void random_token(char *out, size_t nbytes);

/* SHA-256 of (data, len) as lower-case hex into out[SHA256_HEX_LEN + 1]. */
void digest_sha256_hex(const void *data, size_t len, char *out);

/* Equality of two strings in time independent of where they differ. */
bool secret_equal(const char *a, const char *b);

/* Overwrite a secret held in memory before it is freed. */
void secret_wipe(void *p, size_t len);

#endif
