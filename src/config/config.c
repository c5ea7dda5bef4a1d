/*
 * config.c - the settings table and the three sources that fill it.
 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum config_type {
    CONFIG_TYPE_STRING,
    CONFIG_TYPE_INT,
    CONFIG_TYPE_BOOL,
};

struct config_setting {
    const char *name;
    enum config_type type;
    size_t offset;
    const char *fallback;
    const char *help;
};

#define SETTING(field, type, fallback, help) \
    {#field, CONFIG_TYPE_##type, offsetof(struct config, field), fallback, help}

static const struct config_setting config_settings[] = {
    SETTING(data_dir, STRING, "./data", "data directory"),
    SETTING(listen, STRING, "127.0.0.1:8443", "address to serve on"),
    SETTING(tls_cert, STRING, NULL, "PEM certificate (DATA/tls/cert.pem)"),
    SETTING(tls_key, STRING, NULL, "PEM private key (DATA/tls/key.pem)"),
    SETTING(plain_http, BOOL, "false",
            "serve plain HTTP; loopback addresses only"),
    SETTING(public_url, STRING, NULL, "base URL clients use"),
    SETTING(log_level, STRING, "info", "debug, info, warn or error"),
    SETTING(body_max, INT, "10485760", "request body cap in bytes"),
    SETTING(request_timeout, INT, "30", "seconds a request may run"),
    SETTING(idle_timeout, INT, "60", "seconds a connection may idle"),
    SETTING(connection_limit, INT, "1024", "open connections at most"),
    SETTING(connection_limit_per_ip, INT, "128",
            "open connections from one address at most"),
    SETTING(threads, INT, "0", "event threads (0: one per processor)"),
    SETTING(workers, INT, "4",
            "threads for slow handlers (password hashing, mail)"),
    SETTING(session_ttl, INT, "43200", "seconds a session lives at most"),
    SETTING(session_idle, INT, "3600", "seconds of inactivity ending one"),
    SETTING(invitation_ttl, INT, "604800", "seconds an invitation lasts"),
    SETTING(lockout_threshold, INT, "5", "failed logins before lockout"),
    SETTING(lockout_window, INT, "900", "seconds failures are counted"),
    SETTING(lockout_duration, INT, "900", "seconds a lockout lasts"),
    SETTING(password_cost, STRING, "interactive",
            "Argon2id cost: interactive, moderate or min"),
    SETTING(support_login, STRING, "support@support.ganymede.invalid",
            "login of the support user"),
    SETTING(metrics_token, STRING, NULL,
            "bearer token for /metrics (else loopback only)"),
    SETTING(smtp_url, STRING, NULL, "smtp:// or smtps:// server for mail"),
    SETTING(smtp_from, STRING, NULL, "sender address of mail"),
    SETTING(smtp_user, STRING, NULL, "SMTP user name"),
    SETTING(smtp_password, STRING, NULL, "SMTP password"),
    SETTING(graph_open_max, INT, "256", "account graph stores kept open"),
};

#define CONFIG_SETTINGS_LEN \
    (sizeof(config_settings) / sizeof(config_settings[0]))

static const struct config_setting *
config_find(const char *name)
{
    for (size_t i = 0; i < CONFIG_SETTINGS_LEN; i++) {
        if (strcmp(config_settings[i].name, name) == 0) {
            return &config_settings[i];
        }
    }
    return NULL;
}

static enum status
config_apply(struct config *config, const struct config_setting *s,
             const char *value, struct error *err)
{
    char *field = (char *)config + s->offset;
    char *end;
    long long n;

    switch (s->type) {
    case CONFIG_TYPE_STRING: {
        char **slot = (char **)(void *)field;
        char *copy = strdup(value);

        if (copy == NULL) {
            return error_set(err, STATUS_NOMEM, NULL, "out of memory");
        }
        free(*slot);
        *slot = copy;
        return STATUS_OK;
    }
    case CONFIG_TYPE_INT:
        errno = 0;
        n = strtoll(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || n < 0) {
            return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                             "setting %s needs a whole number >= 0, got "
                             "\"%s\"",
                             s->name, value);
        }
        *(int64_t *)(void *)field = n;
        return STATUS_OK;
    case CONFIG_TYPE_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
            strcmp(value, "yes") == 0) {
            *(bool *)(void *)field = true;
        } else if (strcmp(value, "false") == 0 || strcmp(value, "0") == 0 ||
                   strcmp(value, "no") == 0) {
            *(bool *)(void *)field = false;
        } else {
            return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                             "setting %s needs true or false, got \"%s\"",
                             s->name, value);
        }
        return STATUS_OK;
    }
    return STATUS_INTERNAL;
}

enum status
config_set(struct config *config, const char *name, const char *value,
           struct error *err)
{
    const struct config_setting *s = config_find(name);

    if (s == NULL) {
        return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                         "unknown setting %s", name);
    }
    return config_apply(config, s, value, err);
}

void
config_init(struct config *config)
{
    memset(config, 0, sizeof(*config));
    for (size_t i = 0; i < CONFIG_SETTINGS_LEN; i++) {
        if (config_settings[i].fallback != NULL) {
            config_apply(config, &config_settings[i],
                         config_settings[i].fallback, NULL);
        }
    }
}

void
config_release(struct config *config)
{
    for (size_t i = 0; i < CONFIG_SETTINGS_LEN; i++) {
        if (config_settings[i].type == CONFIG_TYPE_STRING) {
            char **slot =
                (char **)(void *)((char *)config + config_settings[i].offset);

            if (*slot != NULL && strstr(config_settings[i].name,
                                        "password") != NULL) {
                memset(*slot, 0, strlen(*slot));
            }
            free(*slot);
            *slot = NULL;
        }
    }
    free(config->config_file);
    config->config_file = NULL;
}

static char *
config_trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1])) {
        *--end = '\0';
    }
    return s;
}

/* Lines are `name = value`; `#` starts a comment line. */
static enum status
config_read_file(struct config *config, const char *path, struct error *err)
{
    FILE *f = fopen(path, "r");
    enum status status = STATUS_OK;
    char line[1024];
    int lineno = 0;

    if (f == NULL) {
        return error_set(err, STATUS_NOT_FOUND, "BAD_CONFIG",
                         "could not read configuration file %s: %s", path,
                         strerror(errno));
    }

    while (status == STATUS_OK && fgets(line, sizeof(line), f) != NULL) {
        char *eq, *name, *value;

        lineno++;
        name = config_trim(line);
        if (*name == '\0' || *name == '#') {
            continue;
        }
        eq = strchr(name, '=');
        if (eq == NULL) {
            status = error_set(err, STATUS_INVALID, "BAD_CONFIG",
                               "%s:%d: expected name = value", path, lineno);
            break;
        }
        *eq = '\0';
        name = config_trim(name);
        value = config_trim(eq + 1);
        status = config_set(config, name, value, err);
        if (status != STATUS_OK && err != NULL) {
            char msg[ERROR_MESSAGE_MAX];

            snprintf(msg, sizeof(msg), "%s", err->message);
            error_set(err, status, "BAD_CONFIG", "%s:%d: %s", path, lineno,
                      msg);
        }
    }

    fclose(f);
    return status;
}

static void
config_env_name(const char *name, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "GANYMEDE_");

    for (const char *p = name; *p && n + 1 < size; p++) {
        out[n++] = (char)toupper((unsigned char)*p);
    }
    out[n] = '\0';
}

static bool
config_is_bool_word(const char *s)
{
    static const char *const words[] = {"true", "false", "yes",
                                        "no",   "1",     "0"};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(s, words[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* --body-max becomes body_max; returns false if it is not a setting. */
static const struct config_setting *
config_flag(const char *arg)
{
    char name[64];
    size_t n = 0;

    if (strncmp(arg, "--", 2) != 0) {
        return NULL;
    }
    for (const char *p = arg + 2; *p && *p != '=' && n + 1 < sizeof(name);
         p++) {
        name[n++] = *p == '-' ? '_' : *p;
    }
    name[n] = '\0';
    if (strcmp(name, "data") == 0) {
        return config_find("data_dir");
    }
    return config_find(name);
}

static const char *
config_find_file(int argc, char **argv, const char *data_dir)
{
    static char fallback[PATH_MAX];
    const char *env = getenv("GANYMEDE_CONFIG");

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            return argv[i + 1];
        }
        if (strncmp(argv[i], "--config=", 9) == 0) {
            return argv[i] + 9;
        }
    }
    if (env != NULL && *env != '\0') {
        return env;
    }

    snprintf(fallback, sizeof(fallback), "%s/ganymede.conf", data_dir);
    return access(fallback, R_OK) == 0 ? fallback : NULL;
}

static const char *
config_data_dir_hint(int argc, char **argv)
{
    const char *env = getenv("GANYMEDE_DATA_DIR");

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            return argv[i + 1];
        }
        if (strncmp(argv[i], "--data=", 7) == 0) {
            return argv[i] + 7;
        }
    }
    return env != NULL ? env : "./data";
}

enum status
config_load(struct config *config, int *argc, char **argv, struct error *err)
{
    const char *file;
    enum status status;
    int kept = 1;
    char env[96];

    /* 1. The file. */
    file = config_find_file(*argc, argv, config_data_dir_hint(*argc, argv));
    if (file != NULL) {
        status = config_read_file(config, file, err);
        if (status != STATUS_OK) {
            return status;
        }
        config->config_file = strdup(file);
    }

    /* 2. The environment. */
    for (size_t i = 0; i < CONFIG_SETTINGS_LEN; i++) {
        const char *value;

        config_env_name(config_settings[i].name, env, sizeof(env));
        value = getenv(env);
        if (value != NULL) {
            status = config_apply(config, &config_settings[i], value, err);
            if (status != STATUS_OK) {
                return status;
            }
        }
    }

    /* 3. The flags; whatever is not a setting stays for the caller. */
    for (int i = 1; i < *argc; i++) {
        const struct config_setting *s = config_flag(argv[i]);
        const char *eq = strchr(argv[i], '=');
        const char *value;

        if (strcmp(argv[i], "--config") == 0 && i + 1 < *argc) {
            i++;
            continue;
        }
        if (strncmp(argv[i], "--config=", 9) == 0) {
            continue;
        }
        if (s == NULL) {
            argv[kept++] = argv[i];
            continue;
        }

        if (eq != NULL) {
            value = eq + 1;
        } else if (s->type == CONFIG_TYPE_BOOL &&
                   (i + 1 >= *argc || !config_is_bool_word(argv[i + 1]))) {
            value = "true"; /* a bare --plain-http */
        } else if (i + 1 < *argc) {
            value = argv[++i];
        } else {
            return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                             "%s needs a value", argv[i]);
        }

        status = config_apply(config, s, value, err);
        if (status != STATUS_OK) {
            return status;
        }
    }
    argv[kept] = NULL;
    *argc = kept;
    return STATUS_OK;
}

enum status
config_split_listen(const char *listen, char *host, size_t host_size,
                    unsigned *port, struct error *err)
{
    const char *colon = strrchr(listen, ':');
    const char *h = listen;
    size_t h_len;
    char *end;
    long p;

    if (colon == NULL) {
        goto bad;
    }
    h_len = (size_t)(colon - listen);
    if (h_len >= 2 && h[0] == '[' && h[h_len - 1] == ']') {
        h++;
        h_len -= 2;
    }
    if (h_len == 0 || h_len >= host_size) {
        goto bad;
    }

    p = strtol(colon + 1, &end, 10);
    if (*end != '\0' || end == colon + 1 || p < 1 || p > 65535) {
        goto bad;
    }

    memcpy(host, h, h_len);
    host[h_len] = '\0';
    *port = (unsigned)p;
    return STATUS_OK;

bad:
    return error_set(err, STATUS_INVALID, "BAD_CONFIG",
                     "listen address must be HOST:PORT, got \"%s\"", listen);
}

void
config_describe(FILE *out)
{
    fprintf(out, "Settings (file: name = value; environment: GANYMEDE_NAME;"
                 " flag: --name value):\n");
    for (size_t i = 0; i < CONFIG_SETTINGS_LEN; i++) {
        const struct config_setting *s = &config_settings[i];

        fprintf(out, "  %-18s %s%s%s%s\n", s->name, s->help,
                s->fallback ? " [" : "", s->fallback ? s->fallback : "",
                s->fallback ? "]" : "");
    }
}
