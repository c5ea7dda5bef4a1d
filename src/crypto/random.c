/*
 * random.c - thin wrappers over libsodium for ids, tokens and digests.
 */
#include "crypto/random.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int
crypto_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void
random_uuid(char *out)
{
    unsigned char b[16];

    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
             b[10], b[11], b[12], b[13], b[14], b[15]);
}

size_t
random_token_len(size_t nbytes)
{
    return sodium_base64_ENCODED_LEN(nbytes,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING) -
           1;
}

void
random_token(char *out, size_t nbytes)
{
    unsigned char buf[64];

    if (nbytes > sizeof(buf)) {
        nbytes = sizeof(buf);
    }
    randombytes_buf(buf, nbytes);
    sodium_bin2base64(out, random_token_len(nbytes) + 1, buf, nbytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(buf, sizeof(buf));
}

void
digest_sha256_hex(const void *data, size_t len, char *out)
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, SHA256_HEX_LEN + 1, h, sizeof(h));
}

bool
secret_equal(const char *a, const char *b)
{
    unsigned char ha[crypto_hash_sha256_BYTES];
    unsigned char hb[crypto_hash_sha256_BYTES];

    /* Comparing digests hides the lengths as well as the contents. */
    crypto_hash_sha256(ha, (const unsigned char *)a, strlen(a));
    crypto_hash_sha256(hb, (const unsigned char *)b, strlen(b));
    return sodium_memcmp(ha, hb, sizeof(ha)) == 0;
}

void
secret_wipe(void *p, size_t len)
{
    if (p != NULL) {
        sodium_memzero(p, len);
    }
}
