/*
 * config.h - server and CLI settings, from defaults, a configuration file,
 * GANYMEDE_* environment variables and command-line flags, later sources
 * winning in that order.
 *
 * Every setting has one name used in all three places: `body_max` in the
 * file, GANYMEDE_BODY_MAX in the environment, --body-max on the command line.
 * config_describe() prints the table for --help and docs/configuration.md
 * repeats it.
 */
#ifndef GANYMEDE_CONFIG_CONFIG_H
#define GANYMEDE_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/status.h"

struct config {
    char *config_file;  /* where settings were read from, or NULL */
    char *data_dir;     /* data directory */
    char *listen;       /* HOST:PORT */
    char *tls_cert;     /* PEM certificate; default DATA/tls/cert.pem */
    char *tls_key;      /* PEM key; default DATA/tls/key.pem */
    bool plain_http;    /* serve without TLS: loopback addresses only */
    char *public_url;   /* how clients reach us, for links in mail */
    char *log_level;    /* debug, info, warn, error */
    int64_t body_max;   /* request body cap in bytes */
    int64_t request_timeout; /* seconds a request may run */
    int64_t idle_timeout;    /* seconds a connection may sit idle */
    int64_t connection_limit;
    int64_t connection_limit_per_ip;
    int64_t threads;         /* event threads; 0: one per processor */
    int64_t workers;         /* threads for handlers that block */
    int64_t session_ttl;     /* seconds a session lives at most */
    int64_t session_idle;    /* seconds of inactivity that end a session */
    int64_t invitation_ttl;  /* seconds an invitation stays valid */
    int64_t lockout_threshold; /* failures before a temporary lockout */
    int64_t lockout_window;    /* seconds over which failures count */
    int64_t lockout_duration;  /* seconds a lockout lasts */
    char *password_cost;       /* interactive, moderate or min (tests) */
    char *support_login;       /* the operator's support identity */
    char *metrics_token;       /* bearer token for /metrics; else loopback */
    char *smtp_url;            /* smtp://host:port or smtps://... */
    char *smtp_from;
    char *smtp_user;
    char *smtp_password;
    int64_t graph_open_max;    /* account graph connections kept open */
};

/* Fill in the defaults. */
void config_init(struct config *config);
void config_release(struct config *config);

/*
 * Apply, in order: the file named by --config, GANYMEDE_CONFIG or
 * DATA/ganymede.conf if it exists; the environment; then the flags in
 * argv.  Flags that are not settings are left in argv for the caller and
 * their count returned in *argc.
 */
enum status config_load(struct config *config, int *argc, char **argv,
                        struct error *err);

/* Set one setting by name from text; used by all three sources. */
enum status config_set(struct config *config, const char *name,
                       const char *value, struct error *err);

/* Split "host:port" or "[v6]:port"; host written into host[host_size]. */
enum status config_split_listen(const char *listen, char *host,
                                size_t host_size, unsigned *port,
                                struct error *err);

void config_describe(FILE *out);

#endif
