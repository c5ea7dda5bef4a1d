/*
 * cert.c - making and checking the server's TLS certificate with GnuTLS.
 *
 * Generation builds the whole certificate in memory and signs it before
 * anything touches the disk; the key is then written first, the
 * certificate second, each with O_EXCL, and a failure at the second step
 * removes the first file, so `ganymede init` leaves a pair or nothing.
 * The PEM copy of the private key is wiped before it is freed.
 *
 * Checking reads both files with a size cap, compares the SHA-256 key id
 * of the certificate's public key with the one derived from the private
 * key, and compares the validity period with the clock.
 */
#include "crypto/cert.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

#define CERT_SERIAL_LEN     16
#define CERT_HOST_MAX       253
#define CERT_LABEL_MAX      63
#define CERT_BACKDATE       60 /* seconds, for clients with a slow clock */
#define CERT_DAY            86400
#define CERT_KEY_ID_MAX     64
#define CERT_ERRNO_TEXT_MAX 128
#define CERT_DATE_MAX       32

static const char *const cert_default_hosts[] = {"localhost", "127.0.0.1",
                                                 "::1"};

/* A lower-case description of errno e, as our messages are lower-case. */
static void
cert_errno_text(int e, char *buf, size_t size)
{
    char tmp[CERT_ERRNO_TEXT_MAX];
    const char *text = strerror_r(e, tmp, sizeof(tmp));

    snprintf(buf, size, "%s", text);
    if (buf[0] != '\0') {
        buf[0] = (char)tolower((unsigned char)buf[0]);
    }
}

static void
cert_format_date(time_t t, char *buf, size_t size)
{
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL ||
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(buf, size, "%lld", (long long)t);
    }
}

/* Record a GnuTLS failure while making the certificate or the key. */
static enum status
cert_gnutls_error(struct error *err, int ret, const char *step)
{
    enum status st;

    st = ret == GNUTLS_E_MEMORY_ERROR ? STATUS_NOMEM : STATUS_INTERNAL;
    error_set(err, st, "TLS_GENERATE_FAILED", "could not %s", step);
    error_detail(err, "gnutls: %s", gnutls_strerror(ret));
    return st;
}

/* A DNS name of letters, digits and inner hyphens, no wildcard. */
static bool
cert_is_hostname(const char *host)
{
    size_t len = strlen(host);
    size_t label = 0;

    if (len == 0 || len > CERT_HOST_MAX) {
        return false;
    }

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)host[i];

        if (c == '.') {
            if (label == 0 || host[i - 1] == '-') {
                return false;
            }
            label = 0;
        } else if (isalnum(c) || (c == '-' && label > 0)) {
            if (++label > CERT_LABEL_MAX) {
                return false;
            }
        } else {
            return false;
        }
    }

    return label > 0 && host[len - 1] != '-';
}

/* Append host to the subjectAltName as an IP address or a DNS name. */
static enum status
cert_add_host(gnutls_x509_crt_t crt, const char *host, struct error *err)
{
    unsigned char addr[16];
    int ret;

    if (inet_pton(AF_INET, host, addr) == 1) {
        ret = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS,
                                                   addr, 4, GNUTLS_FSAN_APPEND);
    } else if (inet_pton(AF_INET6, host, addr) == 1) {
        ret = gnutls_x509_crt_set_subject_alt_name(
            crt, GNUTLS_SAN_IPADDRESS, addr, 16, GNUTLS_FSAN_APPEND);
    } else if (cert_is_hostname(host)) {
        ret = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME,
                                                   host, (unsigned)strlen(host),
                                                   GNUTLS_FSAN_APPEND);
    } else {
        return error_set(err, STATUS_INVALID, "INVALID_HOST",
                         "not a host name or ip address: %.80s", host);
    }

    if (ret < 0) {
        return cert_gnutls_error(err, ret, "add a certificate host name");
    }
    return STATUS_OK;
}

static bool
cert_is_default_host(const char *host)
{
    size_t n = sizeof(cert_default_hosts) / sizeof(cert_default_hosts[0]);

    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(host, cert_default_hosts[i]) == 0) {
            return true;
        }
    }
    return false;
}

static enum status
cert_set_identity(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key,
                  unsigned days, struct error *err)
{
    unsigned char serial[CERT_SERIAL_LEN];
    time_t now = time(NULL);
    int ret;

    ret = gnutls_x509_crt_set_key(crt, key);
    if (ret < 0) {
        goto out;
    }

    ret = gnutls_x509_crt_set_version(crt, 3);
    if (ret < 0) {
        goto out;
    }

    /* Positive and with a non-zero first byte, so DER keeps 16 bytes. */
    ret = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof(serial));
    if (ret < 0) {
        goto out;
    }
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);
    ret = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial));
    if (ret < 0) {
        goto out;
    }

    ret = gnutls_x509_crt_set_activation_time(crt, now - CERT_BACKDATE);
    if (ret < 0) {
        goto out;
    }
    ret =
        gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * CERT_DAY);
    if (ret < 0) {
        goto out;
    }

    ret = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                        "ganymede", 8);

out:
    if (ret < 0) {
        return cert_gnutls_error(err, ret, "set the certificate subject");
    }
    return STATUS_OK;
}

static enum status
cert_set_extensions(gnutls_x509_crt_t crt, const char *extra_host,
                    struct error *err)
{
    size_t n = sizeof(cert_default_hosts) / sizeof(cert_default_hosts[0]);
    unsigned char key_id[CERT_KEY_ID_MAX];
    size_t key_id_len = sizeof(key_id);
    enum status st;
    int ret;

    for (size_t i = 0; i < n; i++) {
        st = cert_add_host(crt, cert_default_hosts[i], err);
        if (st != STATUS_OK) {
            return st;
        }
    }
    if (extra_host != NULL && !cert_is_default_host(extra_host)) {
        st = cert_add_host(crt, extra_host, err);
        if (st != STATUS_OK) {
            return st;
        }
    }

    ret = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
    if (ret < 0) {
        goto out;
    }
    ret = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
    if (ret < 0) {
        goto out;
    }
    ret = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0);
    if (ret < 0) {
        goto out;
    }

    ret = gnutls_x509_crt_get_key_id(crt, 0, key_id, &key_id_len);
    if (ret < 0) {
        goto out;
    }
    ret = gnutls_x509_crt_set_subject_key_id(crt, key_id, key_id_len);

out:
    if (ret < 0) {
        return cert_gnutls_error(err, ret, "set certificate extensions");
    }
    return STATUS_OK;
}

static enum status
cert_sign(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, struct error *err)
{
    gnutls_privkey_t signer = NULL;
    int ret;

    ret = gnutls_privkey_init(&signer);
    if (ret < 0) {
        goto out;
    }

    /* Borrowed, not owned: key outlives signer. */
    ret = gnutls_privkey_import_x509(signer, key, 0);
    if (ret < 0) {
        goto out;
    }

    ret = gnutls_x509_crt_privkey_sign(crt, crt, signer, GNUTLS_DIG_SHA256, 0);

out:
    if (signer != NULL) {
        gnutls_privkey_deinit(signer);
    }
    if (ret < 0) {
        return cert_gnutls_error(err, ret, "sign the certificate");
    }
    return STATUS_OK;
}

/* Write data to a file that must not exist yet, with exactly mode. */
static enum status
cert_write_file(const char *path, const gnutls_datum_t *data, mode_t mode,
                const char *what, struct error *err)
{
    char reason[CERT_ERRNO_TEXT_MAX];
    size_t done = 0;
    bool ok = false;
    int saved_errno;
    int fd;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        if (errno == EEXIST) {
            return error_set(err, STATUS_CONFLICT, "TLS_FILE_EXISTS",
                             "tls %s already exists: %s", what, path);
        }
        cert_errno_text(errno, reason, sizeof(reason));
        return error_set(err, STATUS_IO, "TLS_FILE_WRITE",
                         "could not create tls %s %s: %s", what, path, reason);
    }

    /* The umask may have taken bits away; the modes are part of the API. */
    if (fchmod(fd, mode) < 0) {
        goto out;
    }

    while (done < data->size) {
        ssize_t n = write(fd, data->data + done, data->size - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            errno = n == 0 ? EIO : errno;
            goto out;
        }
        done += (size_t)n;
    }

    ok = fsync(fd) == 0;

out:
    saved_errno = errno;
    if (close(fd) < 0 && ok) {
        saved_errno = errno;
        ok = false;
    }
    if (ok) {
        return STATUS_OK;
    }

    unlink(path);
    cert_errno_text(saved_errno, reason, sizeof(reason));
    return error_set(err, STATUS_IO, "TLS_FILE_WRITE",
                     "could not write tls %s %s: %s", what, path, reason);
}

static enum status
cert_new_key(gnutls_x509_privkey_t *key, struct error *err)
{
    int ret;

    ret = gnutls_x509_privkey_init(key);
    if (ret < 0) {
        *key = NULL;
        return cert_gnutls_error(err, ret, "generate the tls key");
    }

    ret = gnutls_x509_privkey_generate2(
        *key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
        0, NULL, 0);
    if (ret < 0) {
        return cert_gnutls_error(err, ret, "generate the tls key");
    }
    return STATUS_OK;
}

enum status
cert_generate_self_signed(const char *cert_path, const char *key_path,
                          const char *extra_host, unsigned days,
                          struct error *err)
{
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t cert_pem = {NULL, 0};
    gnutls_datum_t key_pem = {NULL, 0};
    bool key_written = false;
    enum status st;
    int ret;

    if (cert_path == NULL || key_path == NULL ||
        strcmp(cert_path, key_path) == 0) {
        return error_set(err, STATUS_INVALID, "INVALID_PATH",
                         "tls certificate and key need two distinct paths");
    }
    if (days == 0 || days > CERT_DAYS_MAX) {
        return error_set(err, STATUS_INVALID, "INVALID_DAYS",
                         "certificate validity must be 1 to %d days",
                         CERT_DAYS_MAX);
    }

    st = cert_new_key(&key, err);
    if (st != STATUS_OK) {
        goto out;
    }

    ret = gnutls_x509_crt_init(&crt);
    if (ret < 0) {
        crt = NULL;
        st = cert_gnutls_error(err, ret, "create the certificate");
        goto out;
    }

    st = cert_set_identity(crt, key, days, err);
    if (st != STATUS_OK) {
        goto out;
    }
    st = cert_set_extensions(crt, extra_host, err);
    if (st != STATUS_OK) {
        goto out;
    }
    st = cert_sign(crt, key, err);
    if (st != STATUS_OK) {
        goto out;
    }

    ret = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cert_pem);
    if (ret >= 0) {
        ret = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
                                                GNUTLS_PKCS_PLAIN, &key_pem);
    }
    if (ret < 0) {
        st = cert_gnutls_error(err, ret, "encode the certificate and key");
        goto out;
    }

    st = cert_write_file(key_path, &key_pem, 0600, "key", err);
    if (st != STATUS_OK) {
        goto out;
    }
    key_written = true;

    st = cert_write_file(cert_path, &cert_pem, 0644, "certificate", err);

out:
    if (st != STATUS_OK && key_written) {
        unlink(key_path);
    }
    if (key_pem.data != NULL) {
        gnutls_memset(key_pem.data, 0, key_pem.size);
        gnutls_free(key_pem.data);
    }
    gnutls_free(cert_pem.data);
    if (crt != NULL) {
        gnutls_x509_crt_deinit(crt);
    }
    if (key != NULL) {
        gnutls_x509_privkey_deinit(key);
    }
    return st;
}

/* Read a whole file of at most CERT_FILE_MAX bytes into out (malloc'd). */
static enum status
cert_read_file(const char *path, const char *what, gnutls_datum_t *out,
               struct error *err)
{
    char reason[CERT_ERRNO_TEXT_MAX];
    struct stat sb;
    size_t done = 0;
    enum status st = STATUS_OK;
    int fd;

    out->data = NULL;
    out->size = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) < 0) {
        st = errno == ENOENT ? STATUS_NOT_FOUND : STATUS_IO;
        cert_errno_text(errno, reason, sizeof(reason));
        error_set(err, st, "TLS_FILE_UNREADABLE",
                  "could not read tls %s %s: %s", what, path, reason);
        goto out;
    }

    if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
        st = error_set(err, STATUS_INVALID, "TLS_FILE_UNREADABLE",
                       "tls %s %s is not a non-empty regular file", what, path);
        goto out;
    }
    if (sb.st_size > CERT_FILE_MAX) {
        st = error_set(err, STATUS_TOO_LARGE, "TLS_FILE_UNREADABLE",
                       "tls %s %s is larger than %d bytes", what, path,
                       CERT_FILE_MAX);
        goto out;
    }

    out->data = malloc((size_t)sb.st_size);
    if (out->data == NULL) {
        st = error_set(err, STATUS_NOMEM, NULL, "out of memory");
        goto out;
    }

    /* A file that shrinks meanwhile is read as far as it goes. */
    while (done < (size_t)sb.st_size) {
        ssize_t n = read(fd, out->data + done, (size_t)sb.st_size - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            cert_errno_text(errno, reason, sizeof(reason));
            st = error_set(err, STATUS_IO, "TLS_FILE_UNREADABLE",
                           "could not read tls %s %s: %s", what, path, reason);
            goto out;
        }
        if (n == 0) {
            break;
        }
        done += (size_t)n;
    }
    out->size = (unsigned)done;

out:
    if (fd >= 0) {
        close(fd);
    }
    return st;
}

static void
cert_free_datum(gnutls_datum_t *d)
{
    if (d->data != NULL) {
        gnutls_memset(d->data, 0, d->size);
        free(d->data);
    }
    d->data = NULL;
    d->size = 0;
}

/* Both key ids are SHA-256 over the SubjectPublicKeyInfo. */
static enum status
cert_check_match(gnutls_x509_crt_t crt, gnutls_privkey_t key,
                 const char *cert_path, const char *key_path, struct error *err)
{
    unsigned char crt_id[CERT_KEY_ID_MAX];
    unsigned char key_id[CERT_KEY_ID_MAX];
    size_t crt_id_len = sizeof(crt_id);
    size_t key_id_len = sizeof(key_id);
    gnutls_pubkey_t pub = NULL;
    int ret;

    ret = gnutls_pubkey_init(&pub);
    if (ret < 0) {
        pub = NULL;
        goto out;
    }
    ret = gnutls_pubkey_import_privkey(pub, key, 0, 0);
    if (ret < 0) {
        goto out;
    }
    ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, key_id,
                                   &key_id_len);
    if (ret < 0) {
        goto out;
    }
    ret = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, crt_id,
                                     &crt_id_len);

out:
    if (pub != NULL) {
        gnutls_pubkey_deinit(pub);
    }
    if (ret < 0) {
        error_set(err, STATUS_INVALID, "TLS_KEY_INVALID",
                  "could not compare tls key %s with certificate %s", key_path,
                  cert_path);
        error_detail(err, "gnutls: %s", gnutls_strerror(ret));
        return STATUS_INVALID;
    }
    if (crt_id_len != key_id_len || memcmp(crt_id, key_id, crt_id_len) != 0) {
        return error_set(err, STATUS_INVALID, "TLS_KEY_MISMATCH",
                         "tls key %s does not belong to certificate %s",
                         key_path, cert_path);
    }
    return STATUS_OK;
}

static enum status
cert_check_dates(gnutls_x509_crt_t crt, const char *cert_path,
                 struct error *err)
{
    time_t not_before = gnutls_x509_crt_get_activation_time(crt);
    time_t not_after = gnutls_x509_crt_get_expiration_time(crt);
    time_t now = time(NULL);
    char date[CERT_DATE_MAX];

    if (not_before == (time_t)-1 || not_after == (time_t)-1) {
        return error_set(err, STATUS_INVALID, "TLS_CERT_INVALID",
                         "tls certificate %s has no readable validity period",
                         cert_path);
    }

    if (now > not_after) {
        cert_format_date(not_after, date, sizeof(date));
        return error_set(err, STATUS_INVALID, "TLS_CERT_EXPIRED",
                         "tls certificate %s expired at %s", cert_path, date);
    }
    if (now < not_before) {
        cert_format_date(not_before, date, sizeof(date));
        return error_set(err, STATUS_INVALID, "TLS_CERT_NOT_YET_VALID",
                         "tls certificate %s is not valid before %s", cert_path,
                         date);
    }

    if (not_after - now < (time_t)CERT_WARN_DAYS * CERT_DAY) {
        cert_format_date(not_after, date, sizeof(date));
        log_event(LOG_WARN, "tls", "cert_expires_soon", "path", cert_path,
                  "not_after", date, NULL);
    }
    return STATUS_OK;
}

enum status
cert_check_pair(const char *cert_path, const char *key_path, struct error *err)
{
    gnutls_datum_t cert_pem = {NULL, 0};
    gnutls_datum_t key_pem = {NULL, 0};
    gnutls_x509_crt_t crt = NULL;
    gnutls_privkey_t key = NULL;
    enum status st;
    int ret;

    st = cert_read_file(cert_path, "certificate", &cert_pem, err);
    if (st != STATUS_OK) {
        goto out;
    }
    st = cert_read_file(key_path, "key", &key_pem, err);
    if (st != STATUS_OK) {
        goto out;
    }

    ret = gnutls_x509_crt_init(&crt);
    if (ret >= 0) {
        ret = gnutls_x509_crt_import(crt, &cert_pem, GNUTLS_X509_FMT_PEM);
    } else {
        crt = NULL;
    }
    if (ret < 0) {
        st =
            error_set(err, STATUS_INVALID, "TLS_CERT_INVALID",
                      "tls certificate %s is not a pem certificate", cert_path);
        error_detail(err, "gnutls: %s", gnutls_strerror(ret));
        goto out;
    }

    ret = gnutls_privkey_init(&key);
    if (ret >= 0) {
        ret = gnutls_privkey_import_x509_raw(key, &key_pem, GNUTLS_X509_FMT_PEM,
                                             NULL, 0);
    } else {
        key = NULL;
    }
    if (ret < 0) {
        st = error_set(err, STATUS_INVALID, "TLS_KEY_INVALID",
                       "tls key %s is not an unencrypted pem private key",
                       key_path);
        error_detail(err, "gnutls: %s", gnutls_strerror(ret));
        goto out;
    }

    st = cert_check_match(crt, key, cert_path, key_path, err);
    if (st != STATUS_OK) {
        goto out;
    }
    st = cert_check_dates(crt, cert_path, err);

out:
    if (key != NULL) {
        gnutls_privkey_deinit(key);
    }
    if (crt != NULL) {
        gnutls_x509_crt_deinit(crt);
    }
    cert_free_datum(&key_pem);
    cert_free_datum(&cert_pem);
    return st;
}
