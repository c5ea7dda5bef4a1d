/*
 * password.h - the password policy and password hashing of the identity
 * layer.
 *
 * A password is a NUL-terminated UTF-8 string.  The policy decides whether a
 * new password is acceptable and says why not, both as a bitmask of rules
 * (for live feedback in the web app) and as one sentence (for an API
 * error).  Hashing is Argon2id through libsodium; the stored form is the
 * self-describing "$argon2id$..." string, so that a change of cost leaves
 * old hashes verifiable.  The string seen here ends at the first NUL, so
 * the caller must refuse a client value that held one while decoding it.
 *
 * crypto_init() must have run before any function here is called.  All
 * functions are safe to call from several threads at once, except
 * password_set_cost(), which belongs to start-up.
 */
#ifndef GANYMEDE_IDENTITY_PASSWORD_H
#define GANYMEDE_IDENTITY_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/status.h"

/*
 * The shortest password counts code points; the longest counts bytes, and a
 * longer one is refused before any hashing.
 */
#define PASSWORD_MIN_LEN 8
#define PASSWORD_MAX_LEN 128

/* Room for a hash string and its NUL; equals crypto_pwhash_STRBYTES. */
#define PASSWORD_HASH_MAX 128

/* The rules of the policy, one bit each. */
enum password_rule {
    PASSWORD_RULE_TOO_SHORT = 1u << 0,  /* under PASSWORD_MIN_LEN */
    PASSWORD_RULE_TOO_LONG = 1u << 1,   /* over PASSWORD_MAX_LEN bytes */
    PASSWORD_RULE_BAD_UTF8 = 1u << 2,   /* not valid UTF-8 */
    PASSWORD_RULE_CONTROL = 1u << 3,    /* holds a control character */
    PASSWORD_RULE_NO_UPPER = 1u << 4,   /* no ASCII upper-case letter */
    PASSWORD_RULE_NO_LOWER = 1u << 5,   /* no ASCII lower-case letter */
    PASSWORD_RULE_NO_DIGIT = 1u << 6,   /* no ASCII digit */
    PASSWORD_RULE_NO_SPECIAL = 1u << 7, /* nothing but letters, digits */
    PASSWORD_RULE_HAS_LOGIN = 1u << 8,  /* holds the login or its name */
    PASSWORD_RULE_COMMON = 1u << 9,     /* common, or common + symbols */
};

/*
 * Which rules password fails, as a mask of enum password_rule; 0 means
 * acceptable.  login is the user's email address and may be NULL.  A
 * password over PASSWORD_MAX_LEN bytes is not read further and fails only
 * PASSWORD_RULE_TOO_LONG.  A NULL password fails PASSWORD_RULE_TOO_SHORT.
 */
unsigned password_policy_failures(const char *password, const char *login);

/*
 * Check password against the policy.  On refusal returns STATUS_INVALID
 * with err->code "WEAK_PASSWORD" and a message naming every rule that
 * failed, such as "password must contain an upper-case letter and a digit".
 */
enum status password_check_policy(const char *password, const char *login,
                                  struct error *err);

/*
 * Hash password with Argon2id at the current cost into out, which must hold
 * PASSWORD_HASH_MAX bytes.  The policy is not applied here; a password over
 * PASSWORD_MAX_LEN bytes is refused with STATUS_TOO_LARGE before hashing.
 */
enum status password_hash(const char *password, char *out, struct error *err);

/*
 * Whether password matches a hash from password_hash().  A NULL, over-long
 * or malformed argument gives false.
 */
bool password_verify(const char *password, const char *hash);

/*
 * Spend the time of one password_verify() against a fixed hash made at the
 * current cost, so that a login for an unknown user takes as long as a wrong
 * password for a known one.  Always returns false.
 */
bool password_verify_dummy(const char *password);

/*
 * Set the Argon2id cost of new hashes.  The defaults are libsodium's
 * INTERACTIVE limits; 0 for either argument restores its default, and
 * values outside libsodium's bounds are brought inside them.  Call at
 * start-up, before any other thread hashes.
 */
void password_set_cost(unsigned long long opslimit, size_t memlimit);

#endif
