/*
 * cert.h - the server's TLS certificate: made once by `ganymede init`, and
 * checked at every start so that a bad pair of files fails loudly before
 * the listener opens rather than on a client's first handshake.
 *
 * Both files are PEM.  The key is ECDSA P-256 in unencrypted PKCS #8; the
 * certificate is self-signed and names the host the operator gave beside
 * the loopback names, so that a client pinning it can reach either.
 */
#ifndef GANYMEDE_CRYPTO_CERT_H
#define GANYMEDE_CRYPTO_CERT_H

#include "base/status.h"

/* Longest validity cert_generate_self_signed accepts, about a century. */
#define CERT_DAYS_MAX 36500

/* Largest certificate or key file cert_check_pair will read. */
#define CERT_FILE_MAX (256 * 1024)

/*
 * Write a new ECDSA P-256 key to key_path (mode 0600) and a self-signed
 * X.509 v3 certificate for it to cert_path (mode 0644), valid from a minute
 * ago for `days` days.  The certificate has CN "ganymede", subjectAltName
 * DNS:localhost, IP:127.0.0.1 and IP:::1 plus extra_host when not NULL (a
 * host name or an IPv4 or IPv6 literal), key usage digitalSignature,
 * extended key usage serverAuth, no CA bit and a random 16-byte serial.
 *
 * Neither file may exist beforehand (STATUS_CONFLICT); on any failure no
 * file is left behind.  A bad extra_host or days gives STATUS_INVALID.
 */
enum status cert_generate_self_signed(const char *cert_path,
                                      const char *key_path,
                                      const char *extra_host, unsigned days,
                                      struct error *err);

/*
 * Load the first certificate of cert_path and the key of key_path and check
 * that they belong together and that the certificate is valid now.  Logs a
 * warning when it expires within CERT_WARN_DAYS.  Errors name the file at
 * fault: STATUS_NOT_FOUND or STATUS_IO when it cannot be read,
 * STATUS_INVALID when it cannot be parsed, does not match or is out of its
 * validity period.
 */
#define CERT_WARN_DAYS 14

enum status cert_check_pair(const char *cert_path, const char *key_path,
                            struct error *err);

#endif
