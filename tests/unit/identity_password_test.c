/*
 * identity_password_test.c - unit tests for src/identity/password.c: the
 * policy as a table of passwords with the rules each must fail, the wording
 * of the refusal, the list of common passwords, and Argon2id hashing.
 *
 * Hashing runs at libsodium's minimum cost for speed, except in the one
 * test that checks the default cost.
 */
#include "identity/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "base/status.h"
#include "crypto/random.h"
#include "unit.h"

/* The same list password.c searches, to check its order and contents. */
static const char *const common_list[] = {
#include "identity/common_passwords.inc"
};

#define COMMON_LIST_COUNT (sizeof(common_list) / sizeof(common_list[0]))

#define LOGIN "alice.smith@example.com"

/* Sixteen bytes of all four classes, none of it a common password. */
#define BLOCK16 "Kv7#Rm2%Tz9&Wq4*"

#define NO_CLASS                                                               \
    (PASSWORD_RULE_NO_UPPER | PASSWORD_RULE_NO_LOWER |                         \
     PASSWORD_RULE_NO_DIGIT | PASSWORD_RULE_NO_SPECIAL)

struct policy_case {
    const char *password;
    const char *login;
    unsigned failures; /* the rules it must fail, 0 if accepted */
    const char *reason;
};

static const struct policy_case policy_cases[] = {
    /* Accepted. */
    {"Tr0ub4dor&3x", LOGIN, 0, "all four classes, twelve characters"},
    {"Zq7!mwxp", LOGIN, 0, "exactly eight characters"},
    {"correct Horse 9 battery", LOGIN, 0, "a space is a special character"},
    {"Aé1ßçøñb", LOGIN, 0, "eight code points, five of them two bytes"},
    {"Kx9#\xf0\x9f\x94\x91"
     "abc",
     LOGIN, 0, "eight code points, one of them four bytes"},
    {"Grüße1xy", LOGIN, 0, "a non-ASCII letter counts as special"},
    {"Smith-Rz8", LOGIN, 0, "a piece of the email name is allowed"},
    {"Ali9!xyzw", "al@example.com", 0, "an email name under three is ignored"},
    {"Qwerty!Lake9", LOGIN, 0, "a common word followed by letters"},
    {"Tr0ub4dor&3x", NULL, 0, "no login given"},
    {BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16, LOGIN, 0,
     "exactly PASSWORD_MAX_LEN bytes"},

    /* Refused for length. */
    {"Ab1!xyz", LOGIN, PASSWORD_RULE_TOO_SHORT, "seven characters"},
    {"Aé1ßçøb", LOGIN, PASSWORD_RULE_TOO_SHORT,
     "seven code points in eleven bytes"},
    {"", LOGIN, PASSWORD_RULE_TOO_SHORT | NO_CLASS, "empty"},
    {BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 "x", LOGIN,
     PASSWORD_RULE_TOO_LONG, "one byte over PASSWORD_MAX_LEN"},

    /* Refused for a missing class. */
    {"zq7!mwxpt", LOGIN, PASSWORD_RULE_NO_UPPER, "no upper-case letter"},
    {"ZQ7!MWXPT", LOGIN, PASSWORD_RULE_NO_LOWER, "no lower-case letter"},
    {"Zqx!mwxpt", LOGIN, PASSWORD_RULE_NO_DIGIT, "no digit"},
    {"Zq7xmwxpt", LOGIN, PASSWORD_RULE_NO_SPECIAL, "no special character"},
    {"zqxmwxpt!", LOGIN, PASSWORD_RULE_NO_UPPER | PASSWORD_RULE_NO_DIGIT,
     "two classes missing"},

    /* Refused for holding the login. */
    {"Xalice.smith@example.com1", LOGIN, PASSWORD_RULE_HAS_LOGIN,
     "the whole login"},
    {"ALICE.SMITH@EXAMPLE.COMa1", LOGIN, PASSWORD_RULE_HAS_LOGIN,
     "the login in another case"},
    {"My-Alice.Smith-9", LOGIN, PASSWORD_RULE_HAS_LOGIN, "the email name"},
    {"Bob!2024xyz", "bob@example.com", PASSWORD_RULE_HAS_LOGIN,
     "an email name of exactly three characters"},

    /* Refused as common. */
    {"P@ssw0rd", LOGIN, PASSWORD_RULE_COMMON, "common, though all classes"},
    {"Password", LOGIN,
     PASSWORD_RULE_NO_DIGIT | PASSWORD_RULE_NO_SPECIAL | PASSWORD_RULE_COMMON,
     "common, and missing two classes"},
    {"Password123!", LOGIN, PASSWORD_RULE_COMMON, "common, digits, a symbol"},
    {"Qwerty!2024", LOGIN, PASSWORD_RULE_COMMON, "common, a symbol, a year"},
    {"Summer2024!", LOGIN, PASSWORD_RULE_COMMON, "season and year"},
    {"Welcome1!", LOGIN, PASSWORD_RULE_COMMON, "common, digit, symbol"},
    {"LetMeIn#99", LOGIN, PASSWORD_RULE_COMMON, "common in mixed case"},
    {"Iloveyou<3", LOGIN, PASSWORD_RULE_COMMON, "common with a heart"},
    {"Ganymede2024!", LOGIN, PASSWORD_RULE_COMMON, "the product's own name"},

    /* Refused for encoding. */
    {"Zq7!mwxp\xff", LOGIN, PASSWORD_RULE_BAD_UTF8, "a stray byte"},
    {"Zq7!mwxp\xc0\xaf", LOGIN, PASSWORD_RULE_BAD_UTF8, "an overlong form"},
    {"Zq7!mwxp\xe0\x80\xaf", LOGIN, PASSWORD_RULE_BAD_UTF8,
     "an overlong form in three bytes"},
    {"Zq7!mwxp\xed\xa0\x80", LOGIN, PASSWORD_RULE_BAD_UTF8, "a surrogate"},
    {"Zq7!mwxp\xe2\x82", LOGIN, PASSWORD_RULE_BAD_UTF8, "a cut sequence"},
    {"Zq7!mwxp\xf4\x90\x80\x80", LOGIN, PASSWORD_RULE_BAD_UTF8,
     "past U+10FFFF"},

    /* Refused for a control character. */
    {"Zq7!mw\x01xp", LOGIN, PASSWORD_RULE_CONTROL, "SOH"},
    {"Zq7!mw\txp", LOGIN, PASSWORD_RULE_CONTROL, "a tab"},
    {"Zq7!mw\x7fxp", LOGIN, PASSWORD_RULE_CONTROL, "DEL"},
    {"Zq7!mw\xc2\x85xp", LOGIN, PASSWORD_RULE_CONTROL, "the C1 NEL"},
    {"Zq7mw\nxpq", LOGIN, PASSWORD_RULE_CONTROL | PASSWORD_RULE_NO_SPECIAL,
     "a control character is not a special one"},
};

#define POLICY_CASE_COUNT (sizeof(policy_cases) / sizeof(policy_cases[0]))

static void
test_policy_table(void)
{
    const struct policy_case *c;
    struct error err;
    enum status status;
    unsigned failures;
    size_t i;

    for (i = 0; i < POLICY_CASE_COUNT; i++) {
        c = &policy_cases[i];
        failures = password_policy_failures(c->password, c->login);
        if (failures != c->failures) {
            fprintf(stderr, "  case %zu (%s): failures 0x%x, want 0x%x\n", i,
                    c->reason, failures, c->failures);
        }
        CHECK(failures == c->failures);

        error_clear(&err);
        status = password_check_policy(c->password, c->login, &err);
        if (c->failures == 0) {
            CHECK(status == STATUS_OK);
            CHECK(err.message[0] == '\0');
        } else {
            CHECK(status == STATUS_INVALID);
            CHECK(err.status == STATUS_INVALID);
            CHECK_STR(err.code, "WEAK_PASSWORD");
            CHECK(strncmp(err.message, "password must ", 14) == 0);
        }
    }
}

static void
expect_message(const char *password, const char *login, const char *message)
{
    struct error err;

    error_clear(&err);
    CHECK(password_check_policy(password, login, &err) == STATUS_INVALID);
    CHECK_STR(err.message, message);
}

static void
test_policy_messages(void)
{
    expect_message("zqxmwxpt!", LOGIN,
                   "password must contain an upper-case letter and a digit");
    expect_message("Ab1!xyz", LOGIN,
                   "password must be at least 8 characters long");
    expect_message("", LOGIN,
                   "password must be at least 8 characters long and contain "
                   "an upper-case letter, a lower-case letter, a digit and "
                   "a special character");
    expect_message("Password", LOGIN,
                   "password must contain a digit and a special character "
                   "and not be a common password");
    expect_message("Summer2024!", LOGIN,
                   "password must not be a common password");
    expect_message("My-Alice.Smith-9", LOGIN,
                   "password must not contain your email address or its "
                   "user name");
    expect_message("Zq7!mwxp\xff", LOGIN, "password must be valid utf-8");
    expect_message(
        BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 "x",
        LOGIN, "password must be at most 128 bytes long");
}

/* Seven rules at once, in three verb groups, come out whole. */
static void
test_policy_message_fits(void)
{
    expect_message("\x01\x01\x01\xff", "\x01\x01\x01@example.com",
                   "password must be at least 8 characters long and valid "
                   "utf-8, contain an upper-case letter, a lower-case letter "
                   "and a digit and not contain control characters and your "
                   "email address or its user name");
}

static void
test_policy_null_arguments(void)
{
    struct error err;

    CHECK(password_policy_failures(NULL, LOGIN) == PASSWORD_RULE_TOO_SHORT);
    CHECK(password_check_policy(NULL, LOGIN, &err) == STATUS_INVALID);
    CHECK(password_check_policy("Ab1!xyz", LOGIN, NULL) == STATUS_INVALID);
    CHECK(password_check_policy("Tr0ub4dor&3x", "", NULL) == STATUS_OK);
}

/* Far past the limit: refused for length alone, and never read whole. */
static void
test_policy_very_long(void)
{
    char big[4096];

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK(password_policy_failures(big, LOGIN) == PASSWORD_RULE_TOO_LONG);
}

static void
test_common_list_shape(void)
{
    const char *p;
    size_t i;

    CHECK(COMMON_LIST_COUNT >= 400);
    CHECK(COMMON_LIST_COUNT <= 1000);
    for (i = 0; i < COMMON_LIST_COUNT; i++) {
        CHECK(strlen(common_list[i]) >= 4);
        for (p = common_list[i]; *p != '\0'; p++) {
            CHECK(*p > ' ' && *p < 0x7f && !(*p >= 'A' && *p <= 'Z'));
        }
        if (i > 0 && strcmp(common_list[i - 1], common_list[i]) >= 0) {
            fprintf(stderr, "  out of order: \"%s\" then \"%s\"\n",
                    common_list[i - 1], common_list[i]);
            CHECK(strcmp(common_list[i - 1], common_list[i]) < 0);
        }
    }
}

/* Every entry is refused as it is, capitalised, and with a suffix. */
static void
test_common_list_refused(void)
{
    char buf[PASSWORD_MAX_LEN + 1];
    size_t i;

    for (i = 0; i < COMMON_LIST_COUNT; i++) {
        CHECK(password_policy_failures(common_list[i], NULL) &
              PASSWORD_RULE_COMMON);

        snprintf(buf, sizeof(buf), "%s2024!?", common_list[i]);
        if (buf[0] >= 'a' && buf[0] <= 'z') {
            buf[0] = (char)(buf[0] - 'a' + 'A');
        }
        if (!(password_policy_failures(buf, NULL) & PASSWORD_RULE_COMMON)) {
            fprintf(stderr, "  not refused: \"%s\"\n", buf);
            CHECK(false);
        }
    }
}

static void
test_hash_then_verify(void)
{
    char hash[PASSWORD_HASH_MAX];
    struct error err;

    error_clear(&err);
    CHECK(password_hash("Tr0ub4dor&3x", hash, &err) == STATUS_OK);
    CHECK(password_verify("Tr0ub4dor&3x", hash));
    CHECK(!password_verify("Tr0ub4dor&3X", hash));
    CHECK(!password_verify("Tr0ub4dor&3", hash));
    CHECK(!password_verify("", hash));
}

static void
test_hash_is_argon2id(void)
{
    char hash[PASSWORD_HASH_MAX];

    CHECK(password_hash("Tr0ub4dor&3x", hash, NULL) == STATUS_OK);
    CHECK(strncmp(hash, "$argon2id$", 10) == 0);
    CHECK(strlen(hash) < PASSWORD_HASH_MAX);
}

static void
test_hash_is_salted(void)
{
    char a[PASSWORD_HASH_MAX];
    char b[PASSWORD_HASH_MAX];

    CHECK(password_hash("Tr0ub4dor&3x", a, NULL) == STATUS_OK);
    CHECK(password_hash("Tr0ub4dor&3x", b, NULL) == STATUS_OK);
    CHECK(strcmp(a, b) != 0);
    CHECK(password_verify("Tr0ub4dor&3x", a));
    CHECK(password_verify("Tr0ub4dor&3x", b));
}

static void
test_hash_refuses_too_long(void)
{
    const char *longest =
        BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16;
    const char *over =
        BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 BLOCK16 "x";
    char hash[PASSWORD_HASH_MAX];
    struct error err;

    CHECK(password_hash(longest, hash, NULL) == STATUS_OK);
    CHECK(password_verify(longest, hash));

    error_clear(&err);
    CHECK(password_hash(over, hash, &err) == STATUS_TOO_LARGE);
    CHECK(hash[0] == '\0');
    CHECK(err.message[0] != '\0');
    CHECK(!password_verify(over, hash));
}

static void
test_hash_null_arguments(void)
{
    char hash[PASSWORD_HASH_MAX];

    CHECK(password_hash(NULL, hash, NULL) == STATUS_INVALID);
    CHECK(password_hash("Tr0ub4dor&3x", NULL, NULL) != STATUS_OK);
    CHECK(!password_verify(NULL, "$argon2id$"));
    CHECK(!password_verify("Tr0ub4dor&3x", NULL));
}

static void
test_verify_garbage(void)
{
    char hash[PASSWORD_HASH_MAX];
    char cut[PASSWORD_HASH_MAX];
    char overlong[300];

    CHECK(!password_verify("Tr0ub4dor&3x", ""));
    CHECK(!password_verify("Tr0ub4dor&3x", "garbage"));
    CHECK(!password_verify("Tr0ub4dor&3x", "$argon2id$"));
    CHECK(!password_verify("Tr0ub4dor&3x", "$argon2id$v=19$m=8,t=1,p=1$$"));
    CHECK(!password_verify("Tr0ub4dor&3x", "$2y$10$abcdefghijklmnopqrstuv"));

    /* A real hash with its tail cut off. */
    CHECK(password_hash("Tr0ub4dor&3x", hash, NULL) == STATUS_OK);
    memcpy(cut, hash, sizeof(cut));
    cut[strlen(cut) - 5] = '\0';
    CHECK(!password_verify("Tr0ub4dor&3x", cut));

    /* A string longer than any hash, unterminated within its first 128. */
    memset(overlong, '$', sizeof(overlong) - 1);
    overlong[sizeof(overlong) - 1] = '\0';
    CHECK(!password_verify("Tr0ub4dor&3x", overlong));
}

static void
test_verify_dummy(void)
{
    char hash[PASSWORD_HASH_MAX];

    CHECK(!password_verify_dummy("Tr0ub4dor&3x"));
    CHECK(!password_verify_dummy(""));
    CHECK(!password_verify_dummy(NULL));

    /* Still false after the cost changes and the dummy is made anew. */
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN + 1,
                      crypto_pwhash_MEMLIMIT_MIN);
    CHECK(!password_verify_dummy("Tr0ub4dor&3x"));
    CHECK(password_hash("Tr0ub4dor&3x", hash, NULL) == STATUS_OK);
    CHECK(strstr(hash, "t=2,") != NULL);
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
}

static void *
dummy_thread(void *arg)
{
    bool *result = arg;

    *result = password_verify_dummy("Tr0ub4dor&3x");
    return NULL;
}

/* Threads that race to make the dummy hash all get an answer, false. */
static void
test_verify_dummy_threads(void)
{
    pthread_t threads[4];
    bool results[4];
    bool started[4];
    size_t i;

    /* A new cost, so that the first of them makes the hash again. */
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN + 2,
                      crypto_pwhash_MEMLIMIT_MIN);
    for (i = 0; i < 4; i++) {
        results[i] = true;
        started[i] =
            pthread_create(&threads[i], NULL, dummy_thread, &results[i]) == 0;
        CHECK(started[i]);
    }
    for (i = 0; i < 4; i++) {
        if (started[i]) {
            pthread_join(threads[i], NULL);
            CHECK(!results[i]);
        }
    }
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
}

/* The default cost is libsodium's INTERACTIVE: 64 MiB, two passes. */
static void
test_default_cost(void)
{
    char hash[PASSWORD_HASH_MAX];

    password_set_cost(0, 0);
    CHECK(password_hash("Tr0ub4dor&3x", hash, NULL) == STATUS_OK);
    CHECK(strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0);
    CHECK(password_verify("Tr0ub4dor&3x", hash));
    CHECK(!password_verify("Tr0ub4dor&3y", hash));
    CHECK(!password_verify_dummy("Tr0ub4dor&3x"));
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
}

int
main(void)
{
    if (crypto_init() != 0) {
        fprintf(stderr, "identity/password: crypto_init failed\n");
        return 1;
    }
    password_set_cost(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);

    RUN(test_policy_table);
    RUN(test_policy_messages);
    RUN(test_policy_message_fits);
    RUN(test_policy_null_arguments);
    RUN(test_policy_very_long);
    RUN(test_common_list_shape);
    RUN(test_common_list_refused);
    RUN(test_hash_then_verify);
    RUN(test_hash_is_argon2id);
    RUN(test_hash_is_salted);
    RUN(test_hash_refuses_too_long);
    RUN(test_hash_null_arguments);
    RUN(test_verify_garbage);
    RUN(test_verify_dummy);
    RUN(test_verify_dummy_threads);
    RUN(test_default_cost);
    return unit_finish("identity/password");
}
