/*
 * crypto_cert_test.c - unit tests for crypto/cert: the files `ganymede init`
 * writes, what the certificate holds, and the errors a bad pair gives at
 * server start.
 *
 * Everything happens in one mkdtemp directory, removed at the end.  Two
 * pairs are made once up front: A names an extra DNS host and B an extra
 * IPv4 literal, and crossing them gives a mismatched pair.  The
 * certificate is read back through the GnuTLS API, not certtool.
 */
#include "crypto/cert.h"

#include "unit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TEST_PATH_MAX 512
#define TEST_DAYS     30

static char test_dir[] = "/tmp/ganymede-cert-test-XXXXXX";
static char cert_a[TEST_PATH_MAX], key_a[TEST_PATH_MAX];
static char cert_b[TEST_PATH_MAX], key_b[TEST_PATH_MAX];
static bool pairs_made;

static void
test_path(char *out, const char *name)
{
    snprintf(out, TEST_PATH_MAX, "%s/%s", test_dir, name);
}

static bool
file_exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

static bool
crt_load(const char *path, gnutls_x509_crt_t *crt)
{
    gnutls_datum_t pem = {NULL, 0};
    bool ok = false;

    *crt = NULL;
    if (gnutls_load_file(path, &pem) < 0) {
        goto out;
    }
    if (gnutls_x509_crt_init(crt) < 0) {
        *crt = NULL;
        goto out;
    }
    ok = gnutls_x509_crt_import(*crt, &pem, GNUTLS_X509_FMT_PEM) >= 0;

out:
    gnutls_free(pem.data);
    if (!ok && *crt != NULL) {
        gnutls_x509_crt_deinit(*crt);
        *crt = NULL;
    }
    return ok;
}

/* Whether the subjectAltName of the certificate at path holds value. */
static bool
crt_has_san(const char *path, unsigned type, const void *value, size_t len)
{
    gnutls_x509_crt_t crt;
    unsigned char buf[256];
    bool found = false;

    if (!crt_load(path, &crt)) {
        return false;
    }

    for (unsigned i = 0; !found; i++) {
        size_t size = sizeof(buf);
        unsigned san_type = 0;
        int ret = gnutls_x509_crt_get_subject_alt_name2(crt, i, buf, &size,
                                                        &san_type, NULL);

        if (ret < 0) {
            break;
        }
        found = san_type == type && size == len && memcmp(buf, value, len) == 0;
    }

    gnutls_x509_crt_deinit(crt);
    return found;
}

static bool
crt_has_ip(const char *path, int family, const char *text)
{
    unsigned char addr[16];

    if (inet_pton(family, text, addr) != 1) {
        return false;
    }
    return crt_has_san(path, GNUTLS_SAN_IPADDRESS, addr,
                       family == AF_INET ? 4 : 16);
}

static bool
crt_has_dns(const char *path, const char *name)
{
    return crt_has_san(path, GNUTLS_SAN_DNSNAME, name, strlen(name));
}

/* A certificate for the key at key_path that expired yesterday. */
static bool
write_expired_cert(const char *key_path, const char *out_path)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t key_pem = {NULL, 0};
    gnutls_datum_t out = {NULL, 0};
    unsigned char serial[1] = {1};
    time_t now = time(NULL);
    bool ok = false;
    FILE *f;

    if (gnutls_load_file(key_path, &key_pem) < 0 ||
        gnutls_x509_privkey_init(&key) < 0) {
        goto out;
    }
    if (gnutls_x509_privkey_import2(key, &key_pem, GNUTLS_X509_FMT_PEM, NULL,
                                    0) < 0 ||
        gnutls_x509_crt_init(&crt) < 0) {
        goto out;
    }

    if (gnutls_x509_crt_set_key(crt, key) < 0 ||
        gnutls_x509_crt_set_version(crt, 3) < 0 ||
        gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
        gnutls_x509_crt_set_activation_time(crt, now - 10 * 86400) < 0 ||
        gnutls_x509_crt_set_expiration_time(crt, now - 86400) < 0 ||
        gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                      "old", 3) < 0 ||
        gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0 ||
        gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out) < 0) {
        goto out;
    }

    f = fopen(out_path, "w");
    if (f != NULL) {
        ok = fwrite(out.data, 1, out.size, f) == out.size;
        ok = fclose(f) == 0 && ok;
    }

out:
    gnutls_free(out.data);
    gnutls_free(key_pem.data);
    if (crt != NULL) {
        gnutls_x509_crt_deinit(crt);
    }
    if (key != NULL) {
        gnutls_x509_privkey_deinit(key);
    }
    return ok;
}

static bool
write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (f == NULL) {
        return false;
    }
    ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* A strict umask proves the modes are set, not merely requested. */
static void
test_generate_writes_modes(void)
{
    struct error err = {0};
    struct stat sb;
    mode_t old = umask(0077);

    CHECK(cert_generate_self_signed(cert_a, key_a, "ganymede.example",
                                    TEST_DAYS, &err) == STATUS_OK);
    CHECK(cert_generate_self_signed(cert_b, key_b, "192.0.2.7", TEST_DAYS,
                                    &err) == STATUS_OK);
    umask(old);
    pairs_made = file_exists(cert_a) && file_exists(cert_b);

    CHECK(stat(key_a, &sb) == 0 && S_ISREG(sb.st_mode) &&
          (sb.st_mode & 07777) == 0600);
    CHECK(stat(cert_a, &sb) == 0 && S_ISREG(sb.st_mode) &&
          (sb.st_mode & 07777) == 0644);
    CHECK(stat(key_b, &sb) == 0 && (sb.st_mode & 07777) == 0600);
    CHECK(stat(cert_b, &sb) == 0 && (sb.st_mode & 07777) == 0644);
}

static void
test_check_accepts_pair(void)
{
    struct error err = {0};

    CHECK(pairs_made);
    CHECK(cert_check_pair(cert_a, key_a, &err) == STATUS_OK);
    CHECK(cert_check_pair(cert_b, key_b, &err) == STATUS_OK);
}

static void
test_check_refuses_crossed_pair(void)
{
    struct error err = {0};

    CHECK(cert_check_pair(cert_a, key_b, &err) == STATUS_INVALID);
    CHECK_STR(err.code, "TLS_KEY_MISMATCH");
    CHECK(strstr(err.message, key_b) != NULL);

    error_clear(&err);
    CHECK(cert_check_pair(cert_b, key_a, &err) == STATUS_INVALID);
    CHECK_STR(err.code, "TLS_KEY_MISMATCH");
}

static void
test_check_refuses_missing_file(void)
{
    char missing[TEST_PATH_MAX];
    struct error err = {0};

    test_path(missing, "missing.pem");

    CHECK(cert_check_pair(missing, key_a, &err) == STATUS_NOT_FOUND);
    CHECK_STR(err.code, "TLS_FILE_UNREADABLE");
    CHECK(strstr(err.message, "certificate") != NULL);
    CHECK(strstr(err.message, missing) != NULL);
    CHECK(strstr(err.message, "no such file") != NULL);

    error_clear(&err);
    CHECK(cert_check_pair(cert_a, missing, &err) == STATUS_NOT_FOUND);
    CHECK(strstr(err.message, "key") != NULL);
    CHECK(strstr(err.message, missing) != NULL);
}

static void
test_check_refuses_garbage(void)
{
    char junk[TEST_PATH_MAX];
    struct error err = {0};

    test_path(junk, "junk.pem");
    CHECK(write_text(junk, "not a pem file\n"));

    CHECK(cert_check_pair(junk, key_a, &err) == STATUS_INVALID);
    CHECK_STR(err.code, "TLS_CERT_INVALID");

    error_clear(&err);
    CHECK(cert_check_pair(cert_a, junk, &err) == STATUS_INVALID);
    CHECK_STR(err.code, "TLS_KEY_INVALID");

    /* The key where the certificate belongs, and the other way round. */
    error_clear(&err);
    CHECK(cert_check_pair(key_a, key_a, &err) == STATUS_INVALID);
    CHECK_STR(err.code, "TLS_CERT_INVALID");
    error_clear(&err);
    CHECK(cert_check_pair(cert_a, cert_a, &err) == STATUS_INVALID);
    CHECK_STR(err.code, "TLS_KEY_INVALID");

    error_clear(&err);
    CHECK(cert_check_pair(test_dir, key_a, &err) == STATUS_INVALID);
}

static void
test_check_refuses_expired(void)
{
    char old[TEST_PATH_MAX];
    struct error err = {0};

    test_path(old, "expired.pem");
    CHECK(write_expired_cert(key_a, old));

    CHECK(cert_check_pair(old, key_a, &err) == STATUS_INVALID);
    CHECK_STR(err.code, "TLS_CERT_EXPIRED");
    CHECK(strstr(err.message, "expired") != NULL);
}

static void
test_san_holds_loopback_and_extra(void)
{
    CHECK(crt_has_ip(cert_a, AF_INET, "127.0.0.1"));
    CHECK(crt_has_ip(cert_a, AF_INET6, "::1"));
    CHECK(crt_has_dns(cert_a, "localhost"));
    CHECK(crt_has_dns(cert_a, "ganymede.example"));
    CHECK(!crt_has_dns(cert_a, "192.0.2.7"));

    CHECK(crt_has_ip(cert_b, AF_INET, "127.0.0.1"));
    CHECK(crt_has_ip(cert_b, AF_INET, "192.0.2.7"));
    CHECK(!crt_has_dns(cert_b, "192.0.2.7"));
    CHECK(!crt_has_ip(cert_b, AF_INET, "192.0.2.8"));
}

static void
test_san_takes_ipv6_extra(void)
{
    char cert[TEST_PATH_MAX], key[TEST_PATH_MAX];
    struct error err = {0};

    test_path(cert, "v6-cert.pem");
    test_path(key, "v6-key.pem");
    CHECK(cert_generate_self_signed(cert, key, "fd00::5", 1, &err) ==
          STATUS_OK);
    CHECK(crt_has_ip(cert, AF_INET6, "fd00::5"));
    CHECK(crt_has_ip(cert, AF_INET6, "::1"));
}

static void
test_certificate_fields(void)
{
    gnutls_x509_crt_t crt;
    unsigned char serial[32], other[32];
    size_t serial_len = sizeof(serial), other_len = sizeof(other);
    char cn[64], oid[64];
    size_t cn_len = sizeof(cn), oid_len = sizeof(oid);
    unsigned usage = 0, critical = 0, bits = 0;
    gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;
    gnutls_datum_t x = {NULL, 0}, y = {NULL, 0};
    time_t now = time(NULL);
    time_t not_after;

    if (!crt_load(cert_a, &crt)) {
        CHECK(!"cert_a loads");
        return;
    }

    CHECK(gnutls_x509_crt_get_version(crt) == 3);
    CHECK(gnutls_x509_crt_get_pk_algorithm(crt, &bits) == GNUTLS_PK_ECDSA);
    CHECK(gnutls_x509_crt_get_pk_ecc_raw(crt, &curve, &x, &y) >= 0);
    CHECK(curve == GNUTLS_ECC_CURVE_SECP256R1);
    gnutls_free(x.data);
    gnutls_free(y.data);

    CHECK(gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
                                        cn, &cn_len) >= 0);
    CHECK_STR(cn, "ganymede");

    CHECK(gnutls_x509_crt_get_key_usage(crt, &usage, &critical) >= 0);
    CHECK(usage == GNUTLS_KEY_DIGITAL_SIGNATURE);
    CHECK(gnutls_x509_crt_get_key_purpose_oid(crt, 0, oid, &oid_len, NULL) >=
          0);
    CHECK_STR(oid, GNUTLS_KP_TLS_WWW_SERVER);
    CHECK(gnutls_x509_crt_get_ca_status(crt, NULL) == 0);

    not_after = gnutls_x509_crt_get_expiration_time(crt);
    CHECK(not_after > now + (TEST_DAYS * 86400 - 120));
    CHECK(not_after <= now + TEST_DAYS * 86400);
    CHECK(gnutls_x509_crt_get_activation_time(crt) <= now);

    CHECK(gnutls_x509_crt_get_serial(crt, serial, &serial_len) >= 0);
    CHECK(serial_len == 16);
    gnutls_x509_crt_deinit(crt);

    /* Two certificates never share a serial. */
    if (crt_load(cert_b, &crt)) {
        CHECK(gnutls_x509_crt_get_serial(crt, other, &other_len) >= 0);
        CHECK(other_len != serial_len ||
              memcmp(serial, other, serial_len) != 0);
        gnutls_x509_crt_deinit(crt);
    }
}

static void
test_generate_refuses_existing(void)
{
    char fresh_key[TEST_PATH_MAX];
    struct error err = {0};

    CHECK(cert_generate_self_signed(cert_a, key_a, NULL, 1, &err) ==
          STATUS_CONFLICT);
    CHECK_STR(err.code, "TLS_FILE_EXISTS");

    /* The key is written first, so it must be gone again afterwards. */
    test_path(fresh_key, "fresh-key.pem");
    error_clear(&err);
    CHECK(cert_generate_self_signed(cert_a, fresh_key, NULL, 1, &err) ==
          STATUS_CONFLICT);
    CHECK(strstr(err.message, "certificate") != NULL);
    CHECK(!file_exists(fresh_key));

    /* Nothing was overwritten. */
    CHECK(cert_check_pair(cert_a, key_a, &err) == STATUS_OK);
}

static void
test_generate_refuses_bad_input(void)
{
    char cert[TEST_PATH_MAX], key[TEST_PATH_MAX], nowhere[TEST_PATH_MAX];
    struct error err = {0};

    test_path(cert, "bad-cert.pem");
    test_path(key, "bad-key.pem");
    test_path(nowhere, "no-such-dir/key.pem");

    CHECK(cert_generate_self_signed(cert, key, NULL, 0, &err) ==
          STATUS_INVALID);
    CHECK(cert_generate_self_signed(cert, key, NULL, CERT_DAYS_MAX + 1, &err) ==
          STATUS_INVALID);
    CHECK(cert_generate_self_signed(cert, cert, NULL, 1, &err) ==
          STATUS_INVALID);
    CHECK(cert_generate_self_signed(cert, key, "bad host", 1, &err) ==
          STATUS_INVALID);
    CHECK_STR(err.code, "INVALID_HOST");
    CHECK(cert_generate_self_signed(cert, key, "-lead.example", 1, &err) ==
          STATUS_INVALID);
    CHECK(cert_generate_self_signed(cert, key, "a..b", 1, &err) ==
          STATUS_INVALID);
    CHECK(cert_generate_self_signed(cert, key, "", 1, &err) == STATUS_INVALID);
    CHECK(!file_exists(cert) && !file_exists(key));

    error_clear(&err);
    CHECK(cert_generate_self_signed(cert, nowhere, NULL, 1, &err) == STATUS_IO);
    CHECK(strstr(err.message, "no such file") != NULL);
    CHECK(!file_exists(cert));
}

static void
remove_test_dir(void)
{
    char path[TEST_PATH_MAX];
    struct dirent *ent;
    DIR *d = opendir(test_dir);

    if (d == NULL) {
        return;
    }
    while ((ent = readdir(d)) != NULL) {
        if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0) {
            test_path(path, ent->d_name);
            unlink(path);
        }
    }
    closedir(d);
    rmdir(test_dir);
}

int
main(void)
{
    if (mkdtemp(test_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_path(cert_a, "a-cert.pem");
    test_path(key_a, "a-key.pem");
    test_path(cert_b, "b-cert.pem");
    test_path(key_b, "b-key.pem");

    RUN(test_generate_writes_modes);
    RUN(test_check_accepts_pair);
    RUN(test_check_refuses_crossed_pair);
    RUN(test_check_refuses_missing_file);
    RUN(test_check_refuses_garbage);
    RUN(test_check_refuses_expired);
    RUN(test_san_holds_loopback_and_extra);
    RUN(test_san_takes_ipv6_extra);
    RUN(test_certificate_fields);
    RUN(test_generate_refuses_existing);
    RUN(test_generate_refuses_bad_input);

    remove_test_dir();
    return unit_finish("crypto/cert");
}
