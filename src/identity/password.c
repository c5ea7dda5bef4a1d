/*
 * password.c - the password policy, and Argon2id hashing through libsodium.
 *
 * The policy reads at most PASSWORD_MAX_LEN + 1 bytes of a candidate, walks
 * it once as UTF-8 to count code points and sort them into classes, then
 * looks for the user's login in it and looks it up in the list of common
 * passwords.  Every rule is checked even after one has failed, so that the
 * web app can show all that is wrong at once.  Any copy of a password made
 * here is wiped before its buffer goes out of scope.
 *
 * Hashing runs at a cost held in two atomics, set once at start-up.  The
 * dummy hash used to even out login timing is made lazily under a mutex,
 * and made again if the cost has changed since, so that its verification
 * always costs what a real one does.
 */
#include "identity/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "crypto/random.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES,
               "PASSWORD_HASH_MAX must match libsodium's string size");

#define POLICY_STR_(x) #x
#define POLICY_STR(x)  POLICY_STR_(x)

/* A login or email name shorter than this is not looked for. */
#define POLICY_LOGIN_MIN 3

/* Sorted in byte order, lower-case, for common_find(). */
static const char *const common_passwords[] = {
#include "identity/common_passwords.inc"
};

#define COMMON_COUNT (sizeof(common_passwords) / sizeof(common_passwords[0]))

/*
 * How each failed rule reads in the error message.  Rules that share a verb
 * are kept together so that the message can say it once.
 */
struct policy_phrase {
    unsigned rule;
    const char *verb;
    const char *object;
};

static const struct policy_phrase policy_phrases[] = {
    {PASSWORD_RULE_TOO_SHORT, "be",
     "at least " POLICY_STR(PASSWORD_MIN_LEN) " characters long"},
    {PASSWORD_RULE_TOO_LONG, "be",
     "at most " POLICY_STR(PASSWORD_MAX_LEN) " bytes long"},
    {PASSWORD_RULE_BAD_UTF8, "be", "valid utf-8"},
    {PASSWORD_RULE_NO_UPPER, "contain", "an upper-case letter"},
    {PASSWORD_RULE_NO_LOWER, "contain", "a lower-case letter"},
    {PASSWORD_RULE_NO_DIGIT, "contain", "a digit"},
    {PASSWORD_RULE_NO_SPECIAL, "contain", "a special character"},
    {PASSWORD_RULE_CONTROL, "not contain", "control characters"},
    {PASSWORD_RULE_HAS_LOGIN, "not contain",
     "your email address or its user name"},
    {PASSWORD_RULE_COMMON, "not be", "a common password"},
};

#define PHRASE_COUNT (sizeof(policy_phrases) / sizeof(policy_phrases[0]))

static _Atomic unsigned long long cost_opslimit =
    crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
static _Atomic size_t cost_memlimit =
    crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;

/* The dummy hash, and the cost it was made at; empty until first used. */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[PASSWORD_HASH_MAX];
static unsigned long long dummy_opslimit;
static size_t dummy_memlimit;

static unsigned char
ascii_lower(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return (unsigned char)(c - 'A' + 'a');
    }
    return c;
}

static bool
is_ascii_letter(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Decode the code point at the start of (s, len) into *cp and return how
 * many bytes it takes, or 0 if those bytes are not well-formed UTF-8:
 * overlong forms, surrogates and values past U+10FFFF are all refused.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    uint32_t min;
    size_t need;
    size_t i;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }

    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2;
        min = 0x80;
        *cp = s[0] & 0x1fu;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 3;
        min = 0x800;
        *cp = s[0] & 0x0fu;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4;
        min = 0x10000;
        *cp = s[0] & 0x07u;
    } else {
        return 0;
    }

    if (len < need) {
        return 0;
    }
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        *cp = (*cp << 6) | (s[i] & 0x3fu);
    }

    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) {
        return 0;
    }
    return need;
}

/* Code points in (s, len), counting each byte that does not continue one. */
static size_t
utf8_count(const char *s, size_t len)
{
    size_t count = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xc0) != 0x80) {
            count++;
        }
    }
    return count;
}

/*
 * The rules about length, encoding and classes of character.  A byte that
 * does not decode counts as one special character, so that the other rules
 * still say something useful about the rest.
 */
static unsigned
policy_scan(const char *password, size_t password_len)
{
    const unsigned char *s = (const unsigned char *)password;
    unsigned failures = PASSWORD_RULE_NO_UPPER | PASSWORD_RULE_NO_LOWER |
                        PASSWORD_RULE_NO_DIGIT | PASSWORD_RULE_NO_SPECIAL;
    size_t count = 0;
    size_t i = 0;
    size_t step;
    uint32_t cp;

    while (i < password_len) {
        step = utf8_decode(s + i, password_len - i, &cp);
        if (step == 0) {
            failures |= PASSWORD_RULE_BAD_UTF8;
            step = 1;
            cp = 0xfffd;
        }
        i += step;
        count++;

        /* C0, DEL and C1 controls; none of them is a special character. */
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
            failures |= PASSWORD_RULE_CONTROL;
        } else if (cp >= 'A' && cp <= 'Z') {
            failures &= ~(unsigned)PASSWORD_RULE_NO_UPPER;
        } else if (cp >= 'a' && cp <= 'z') {
            failures &= ~(unsigned)PASSWORD_RULE_NO_LOWER;
        } else if (cp >= '0' && cp <= '9') {
            failures &= ~(unsigned)PASSWORD_RULE_NO_DIGIT;
        } else {
            failures &= ~(unsigned)PASSWORD_RULE_NO_SPECIAL;
        }
    }

    if (count < PASSWORD_MIN_LEN) {
        failures |= PASSWORD_RULE_TOO_SHORT;
    }
    return failures;
}

/* Whether needle occurs in haystack, ignoring ASCII case. */
static bool
text_contains_folded(const char *haystack, size_t haystack_len,
                     const char *needle, size_t needle_len)
{
    size_t i;
    size_t j;

    if (needle_len == 0 || needle_len > haystack_len) {
        return false;
    }
    for (i = 0; i + needle_len <= haystack_len; i++) {
        for (j = 0; j < needle_len; j++) {
            if (ascii_lower((unsigned char)haystack[i + j]) !=
                ascii_lower((unsigned char)needle[j])) {
                break;
            }
        }
        if (j == needle_len) {
            return true;
        }
    }
    return false;
}

/*
 * Whether the password holds the login, or the name before the login's
 * last '@' (the domain cannot hold one, the quoted name part can).
 */
static bool
policy_has_login(const char *password, size_t password_len, const char *login)
{
    const char *at;
    size_t login_len;
    size_t name_len;

    if (login == NULL) {
        return false;
    }

    login_len = strlen(login);
    if (utf8_count(login, login_len) >= POLICY_LOGIN_MIN &&
        text_contains_folded(password, password_len, login, login_len)) {
        return true;
    }

    at = strrchr(login, '@');
    if (at == NULL) {
        return false;
    }
    name_len = (size_t)(at - login);
    return utf8_count(login, name_len) >= POLICY_LOGIN_MIN &&
           text_contains_folded(password, password_len, login, name_len);
}

/* Binary search of the common list for (word, word_len), lower-case. */
static bool
common_find(const char *word, size_t word_len)
{
    size_t lo = 0;
    size_t hi = COMMON_COUNT;
    size_t mid;
    int cmp;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        cmp = strncmp(word, common_passwords[mid], word_len);
        if (cmp == 0 && common_passwords[mid][word_len] != '\0') {
            cmp = -1; /* word is a proper prefix of the entry */
        }
        if (cmp == 0) {
            return true;
        }
        if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return false;
}

/*
 * Whether the password, in lower case, is a common one, or a common one
 * followed only by digits and symbols ("Summer2024!"): each prefix that
 * leaves behind no letter is looked up.
 */
static bool
policy_is_common(const char *password, size_t password_len)
{
    char folded[PASSWORD_MAX_LEN];
    size_t cut;
    size_t i;
    bool found = false;

    for (i = 0; i < password_len; i++) {
        folded[i] = (char)ascii_lower((unsigned char)password[i]);
    }

    for (cut = password_len; cut > 0; cut--) {
        if (common_find(folded, cut)) {
            found = true;
            break;
        }
        if (is_ascii_letter((unsigned char)folded[cut - 1])) {
            break;
        }
    }

    secret_wipe(folded, sizeof(folded));
    return found;
}

unsigned
password_policy_failures(const char *password, const char *login)
{
    size_t password_len;
    unsigned failures;

    if (password == NULL) {
        return PASSWORD_RULE_TOO_SHORT;
    }

    /* Read no further than one byte past the limit. */
    password_len = strnlen(password, PASSWORD_MAX_LEN + 1);
    if (password_len > PASSWORD_MAX_LEN) {
        return PASSWORD_RULE_TOO_LONG;
    }

    failures = policy_scan(password, password_len);
    if (policy_has_login(password, password_len, login)) {
        failures |= PASSWORD_RULE_HAS_LOGIN;
    }
    if (policy_is_common(password, password_len)) {
        failures |= PASSWORD_RULE_COMMON;
    }
    return failures;
}

static void
text_append(char *buf, size_t buf_len, size_t *used, const char *s)
{
    size_t n = strlen(s);

    if (*used + 1 >= buf_len) {
        return;
    }
    if (n > buf_len - 1 - *used) {
        n = buf_len - 1 - *used;
    }
    memcpy(buf + *used, s, n);
    *used += n;
    buf[*used] = '\0';
}

/*
 * One sentence naming every failed rule, such as "password must be at least
 * 8 characters long and contain a digit and a special character".  A verb
 * shared by neighbouring rules is said once.
 */
static void
policy_describe(unsigned failures, char *buf, size_t buf_len)
{
    const struct policy_phrase *failed[PHRASE_COUNT];
    const char *separator;
    size_t n = 0;
    size_t groups = 0;
    size_t group = 0;
    size_t used = 0;
    size_t i;
    bool new_group;
    bool last_in_group;

    for (i = 0; i < PHRASE_COUNT; i++) {
        if (failures & policy_phrases[i].rule) {
            if (n == 0 ||
                strcmp(failed[n - 1]->verb, policy_phrases[i].verb) != 0) {
                groups++;
            }
            failed[n++] = &policy_phrases[i];
        }
    }

    buf[0] = '\0';
    text_append(buf, buf_len, &used, "password must");
    for (i = 0; i < n; i++) {
        new_group = i == 0 || strcmp(failed[i - 1]->verb, failed[i]->verb) != 0;
        last_in_group =
            i + 1 == n || strcmp(failed[i + 1]->verb, failed[i]->verb) != 0;

        if (new_group) {
            group++;
            if (group == 1) {
                separator = " ";
            } else if (group == groups) {
                separator = " and ";
            } else {
                separator = ", ";
            }
            text_append(buf, buf_len, &used, separator);
            text_append(buf, buf_len, &used, failed[i]->verb);
            text_append(buf, buf_len, &used, " ");
        } else {
            text_append(buf, buf_len, &used, last_in_group ? " and " : ", ");
        }
        text_append(buf, buf_len, &used, failed[i]->object);
    }
}

enum status
password_check_policy(const char *password, const char *login,
                      struct error *err)
{
    char message[ERROR_MESSAGE_MAX];
    unsigned failures;

    failures = password_policy_failures(password, login);
    if (failures == 0) {
        return STATUS_OK;
    }

    policy_describe(failures, message, sizeof(message));
    return error_set(err, STATUS_INVALID, "WEAK_PASSWORD", "%s", message);
}

enum status
password_hash(const char *password, char *out, struct error *err)
{
    unsigned long long opslimit = atomic_load(&cost_opslimit);
    size_t memlimit = atomic_load(&cost_memlimit);
    size_t password_len;

    if (out == NULL) {
        return error_set(err, STATUS_INTERNAL, NULL,
                         "no room given for a password hash");
    }
    out[0] = '\0';

    if (password == NULL) {
        return error_set(err, STATUS_INVALID, NULL, "password is required");
    }
    password_len = strnlen(password, PASSWORD_MAX_LEN + 1);
    if (password_len > PASSWORD_MAX_LEN) {
        return error_set(err, STATUS_TOO_LARGE, NULL,
                         "password must be at most %d bytes long",
                         PASSWORD_MAX_LEN);
    }

    if (crypto_pwhash_str_alg(out, password, password_len, opslimit, memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0) {
        out[0] = '\0';
        error_set(err, STATUS_NOMEM, NULL, "could not hash the password");
        error_detail(err, "argon2id failed at opslimit=%llu memlimit=%zu",
                     opslimit, memlimit);
        return STATUS_NOMEM;
    }
    return STATUS_OK;
}

bool
password_verify(const char *password, const char *hash)
{
    size_t password_len;

    if (password == NULL || hash == NULL) {
        return false;
    }

    password_len = strnlen(password, PASSWORD_MAX_LEN + 1);
    if (password_len > PASSWORD_MAX_LEN) {
        return false;
    }

    /* A hash longer than any password_hash() writes is not one of ours. */
    if (strnlen(hash, PASSWORD_HASH_MAX) == PASSWORD_HASH_MAX) {
        return false;
    }

    return crypto_pwhash_str_verify(hash, password, password_len) == 0;
}

/*
 * Copy into out the hash of a random secret made at the current cost,
 * making it on first use and again whenever the cost has changed.
 */
static enum status
dummy_get_hash(char *out)
{
    unsigned long long opslimit = atomic_load(&cost_opslimit);
    size_t memlimit = atomic_load(&cost_memlimit);
    unsigned char secret[32];
    enum status status = STATUS_OK;

    pthread_mutex_lock(&dummy_lock);

    if (dummy_hash[0] == '\0' || dummy_opslimit != opslimit ||
        dummy_memlimit != memlimit) {
        randombytes_buf(secret, sizeof(secret));
        if (crypto_pwhash_str_alg(dummy_hash, (const char *)secret,
                                  sizeof(secret), opslimit, memlimit,
                                  crypto_pwhash_ALG_ARGON2ID13) != 0) {
            dummy_hash[0] = '\0';
            status = STATUS_NOMEM;
            goto out;
        }
        dummy_opslimit = opslimit;
        dummy_memlimit = memlimit;
    }
    memcpy(out, dummy_hash, PASSWORD_HASH_MAX);

out:
    pthread_mutex_unlock(&dummy_lock);
    secret_wipe(secret, sizeof(secret));
    return status;
}

bool
password_verify_dummy(const char *password)
{
    char hash[PASSWORD_HASH_MAX];

    if (dummy_get_hash(hash) == STATUS_OK) {
        (void)password_verify(password, hash);
    }
    return false;
}

void
password_set_cost(unsigned long long opslimit, size_t memlimit)
{
    if (opslimit == 0) {
        opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
    } else if (opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN) {
        opslimit = crypto_pwhash_argon2id_OPSLIMIT_MIN;
    } else if (opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
        opslimit = crypto_pwhash_argon2id_OPSLIMIT_MAX;
    }

    if (memlimit == 0) {
        memlimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
    } else if (memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN) {
        memlimit = crypto_pwhash_argon2id_MEMLIMIT_MIN;
    } else if (memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
        memlimit = crypto_pwhash_argon2id_MEMLIMIT_MAX;
    }

    atomic_store(&cost_opslimit, opslimit);
    atomic_store(&cost_memlimit, memlimit);
}
