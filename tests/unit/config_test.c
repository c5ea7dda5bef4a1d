/*
 * config_test.c - unit tests for src/config/config.c: the defaults, the
 * order in which the file, the environment and the flags override each
 * other, the refusals of bad values and unknown names, and the splitting
 * of listen addresses.
 *
 * The environment is cleared of GANYMEDE_* variables before each test, so
 * a developer's shell cannot change the results.  Configuration files are
 * written into one mkdtemp directory, removed at the end.
 */
#include "config/config.h"

#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/status.h"

#define ARGV_MAX 16

extern char **environ;

static char test_dir[] = "/tmp/ganymede-config-test-XXXXXX";
static char conf_path[300];      /* named with --config */
static char data_conf_path[300]; /* DATA/ganymede.conf */

static void
clear_environment(void)
{
    char name[128];
    bool again = true;

    /* unsetenv changes environ, so start over after each removal. */
    while (again) {
        again = false;
        for (char **e = environ; *e != NULL; e++) {
            const char *eq = strchr(*e, '=');
            size_t len = eq != NULL ? (size_t)(eq - *e) : strlen(*e);

            if (strncmp(*e, "GANYMEDE_", 9) == 0 && len < sizeof(name)) {
                memcpy(name, *e, len);
                name[len] = '\0';
                unsetenv(name);
                again = true;
                break;
            }
        }
    }
}

static bool
write_conf(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        return false;
    }
    fputs(text, f);
    return fclose(f) == 0;
}

/*
 * Run config_load over a copy of args (NULL-ended) with only the variables
 * in env (name, value, ..., NULL) set, leaving what it kept in kept[] and
 * its count in *argc.
 */
static enum status
load(struct config *config, const char *const *args, const char *const *env,
     char **kept, int *argc, struct error *err)
{
    int n = 0;

    clear_environment();
    for (size_t i = 0; env != NULL && env[i] != NULL; i += 2) {
        setenv(env[i], env[i + 1], 1);
    }
    while (args[n] != NULL && n + 1 < ARGV_MAX) {
        kept[n] = (char *)args[n];
        n++;
    }
    kept[n] = NULL;
    *argc = n;
    config_init(config);
    error_clear(err);
    return config_load(config, argc, kept, err);
}

static void
test_defaults(void)
{
    struct config c;

    config_init(&c);
    CHECK_STR(c.data_dir, "./data");
    CHECK_STR(c.listen, "127.0.0.1:8443");
    CHECK_STR(c.log_level, "info");
    CHECK_STR(c.password_cost, "interactive");
    CHECK(c.body_max == 10 * 1024 * 1024);
    CHECK(c.lockout_threshold == 5);
    CHECK(c.lockout_window == 900);
    CHECK(c.lockout_duration == 900);
    CHECK(c.session_ttl == 43200);
    CHECK(c.session_idle == 3600);
    CHECK(!c.plain_http);
    CHECK(c.tls_cert == NULL && c.tls_key == NULL);
    CHECK(c.metrics_token == NULL && c.smtp_url == NULL);
    CHECK(c.config_file == NULL);
    config_release(&c);
    CHECK(c.data_dir == NULL && c.listen == NULL);
}

static void
test_file_then_env_then_flags(void)
{
    const char *const only_file[] = {"ganymede", "--config", conf_path,
                                     NULL};
    const char *const args[] = {"ganymede", "--config",  conf_path,
                                "--body-max", "3000",     "serve",
                                "--json",     NULL};
    const char *const env[] = {"GANYMEDE_BODY_MAX", "2000",
                               "GANYMEDE_SESSION_TTL", "60", NULL};
    char *kept[ARGV_MAX];
    struct config c;
    struct error err;
    int argc;

    CHECK(write_conf(conf_path, "# a comment\n\n"
                                "body_max = 1000\n"
                                "  session_ttl=50  \n"
                                "lockout_window = 77\n"
                                "listen = 0.0.0.0:9443\n"));

    /* The file alone. */
    CHECK(load(&c, only_file, NULL, kept, &argc, &err) == STATUS_OK);
    CHECK(c.body_max == 1000 && c.session_ttl == 50);
    CHECK(c.lockout_window == 77);
    CHECK_STR(c.config_file, conf_path);
    config_release(&c);

    /* The environment beats the file, and a flag beats both. */
    CHECK(load(&c, args, env, kept, &argc, &err) == STATUS_OK);
    CHECK(c.body_max == 3000);
    CHECK(c.session_ttl == 60);
    CHECK(c.lockout_window == 77);
    CHECK_STR(c.listen, "0.0.0.0:9443");
    CHECK(c.lockout_threshold == 5);

    /* What is not a setting stays, in order, for the command. */
    CHECK(argc == 3);
    CHECK_STR(kept[0], "ganymede");
    CHECK_STR(kept[1], "serve");
    CHECK_STR(kept[2], "--json");
    CHECK(kept[3] == NULL);
    config_release(&c);

    /* Without the flag, the environment's value stands. */
    CHECK(load(&c, only_file, env, kept, &argc, &err) == STATUS_OK);
    CHECK(c.body_max == 2000);
    config_release(&c);
    clear_environment();
}

static void
test_data_dir_file_found(void)
{
    const char *const args[] = {"ganymede", "--data", test_dir, NULL};
    const char *const env[] = {"GANYMEDE_CONFIG", conf_path, NULL};
    char *kept[ARGV_MAX];
    struct config c;
    struct error err;
    int argc;

    /* DATA/ganymede.conf is read when no other file is named... */
    CHECK(write_conf(data_conf_path, "body_max = 123\n"));
    CHECK(load(&c, args, NULL, kept, &argc, &err) == STATUS_OK);
    CHECK(c.body_max == 123);
    CHECK_STR(c.config_file, data_conf_path);
    config_release(&c);

    /* ...and GANYMEDE_CONFIG names another instead. */
    CHECK(write_conf(conf_path, "body_max = 456\n"));
    CHECK(load(&c, args, env, kept, &argc, &err) == STATUS_OK);
    CHECK(c.body_max == 456);
    config_release(&c);
    unlink(data_conf_path);
    clear_environment();
}

static void
test_flag_forms(void)
{
    const char *const args[] = {"ganymede", "--body-max=4000", "--data",
                                test_dir,   "user",            "--plain-http",
                                "--listen", "[::1]:9000",      NULL};
    char *kept[ARGV_MAX];
    struct config c;
    struct error err;
    int argc;

    CHECK(load(&c, args, NULL, kept, &argc, &err) == STATUS_OK);
    CHECK(c.body_max == 4000);
    CHECK_STR(c.data_dir, test_dir);
    CHECK(c.plain_http);
    CHECK_STR(c.listen, "[::1]:9000");
    CHECK(argc == 2);
    CHECK_STR(kept[1], "user");
    config_release(&c);
}

static void
test_env_alone(void)
{
    const char *const args[] = {"ganymede", "version", NULL};
    const char *const env[] = {"GANYMEDE_LOCKOUT_THRESHOLD", "9",
                               "GANYMEDE_PLAIN_HTTP", "yes",
                               "GANYMEDE_DATA_DIR", test_dir, NULL};
    char *kept[ARGV_MAX];
    struct config c;
    struct error err;
    int argc;

    CHECK(load(&c, args, env, kept, &argc, &err) == STATUS_OK);
    CHECK(c.lockout_threshold == 9);
    CHECK(c.plain_http);
    CHECK_STR(c.data_dir, test_dir);
    CHECK(argc == 2);
    config_release(&c);
    clear_environment();
}

static void
test_bad_numbers_refused(void)
{
    static const char *const bad[] = {
        "12x", "-5", "", "1.5", "0x10", "99999999999999999999999",
    };
    struct config c;
    struct error err;

    config_init(&c);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        error_clear(&err);
        CHECK(config_set(&c, "body_max", bad[i], &err) == STATUS_INVALID);
        CHECK_STR(err.code, "BAD_CONFIG");
        CHECK(strstr(err.message, "body_max") != NULL);
        CHECK(strstr(err.message, "whole number") != NULL);
    }

    /* A refused value leaves the old one in place. */
    CHECK(c.body_max == 10 * 1024 * 1024);
    CHECK(config_set(&c, "body_max", "0", &err) == STATUS_OK);
    CHECK(c.body_max == 0);

    error_clear(&err);
    CHECK(config_set(&c, "plain_http", "maybe", &err) == STATUS_INVALID);
    CHECK(strstr(err.message, "plain_http") != NULL);
    CHECK(strstr(err.message, "true or false") != NULL);
    config_release(&c);
}

static void
test_unknown_setting_refused(void)
{
    struct config c;
    struct error err;

    config_init(&c);
    error_clear(&err);
    CHECK(config_set(&c, "body_maximum", "1", &err) == STATUS_INVALID);
    CHECK_STR(err.code, "BAD_CONFIG");
    CHECK_STR(err.message, "unknown setting body_maximum");
    config_release(&c);
}

static void
test_file_errors_name_the_line(void)
{
    const char *const args[] = {"ganymede", "--config", conf_path, NULL};
    char *kept[ARGV_MAX];
    struct config c;
    struct error err;
    char where[400];
    int argc;

    snprintf(where, sizeof(where), "%s:3:", conf_path);

    CHECK(write_conf(conf_path, "body_max = 1\n# fine\ncolour = blue\n"));
    CHECK(load(&c, args, NULL, kept, &argc, &err) == STATUS_INVALID);
    CHECK(strstr(err.message, where) != NULL);
    CHECK(strstr(err.message, "unknown setting colour") != NULL);
    config_release(&c);

    CHECK(write_conf(conf_path, "body_max = 1\n\nno equals sign here\n"));
    CHECK(load(&c, args, NULL, kept, &argc, &err) == STATUS_INVALID);
    CHECK(strstr(err.message, where) != NULL);
    CHECK(strstr(err.message, "name = value") != NULL);
    config_release(&c);

    CHECK(write_conf(conf_path, "body_max = 1\nsession_ttl = 1\n"
                                "body_max = lots\n"));
    CHECK(load(&c, args, NULL, kept, &argc, &err) == STATUS_INVALID);
    CHECK(strstr(err.message, where) != NULL);
    CHECK(strstr(err.message, "body_max") != NULL);
    config_release(&c);
}

static void
test_load_errors(void)
{
    const char *const missing[] = {"ganymede", "--config",
                                   "/nonexistent/ganymede.conf", NULL};
    const char *const no_value[] = {"ganymede", "serve", "--body-max", NULL};
    const char *const bad_flag[] = {"ganymede", "--lockout-window", "soon",
                                    NULL};
    const char *const plain[] = {"ganymede", NULL};
    const char *const bad_env[] = {"GANYMEDE_BODY_MAX", "ten", NULL};
    char *kept[ARGV_MAX];
    struct config c;
    struct error err;
    int argc;

    CHECK(load(&c, missing, NULL, kept, &argc, &err) != STATUS_OK);
    CHECK(strstr(err.message, "/nonexistent/ganymede.conf") != NULL);
    config_release(&c);

    CHECK(load(&c, no_value, NULL, kept, &argc, &err) == STATUS_INVALID);
    CHECK_STR(err.message, "--body-max needs a value");
    config_release(&c);

    CHECK(load(&c, bad_flag, NULL, kept, &argc, &err) == STATUS_INVALID);
    CHECK(strstr(err.message, "lockout_window") != NULL);
    config_release(&c);

    /* A bad environment value is refused too, naming the setting. */
    CHECK(load(&c, plain, bad_env, kept, &argc, &err) == STATUS_INVALID);
    CHECK(strstr(err.message, "body_max") != NULL);
    config_release(&c);
    clear_environment();
}

static void
test_split_listen(void)
{
    char host[64];
    unsigned port = 0;
    struct error err;

    error_clear(&err);
    CHECK(config_split_listen("127.0.0.1:8443", host, sizeof(host), &port,
                              &err) == STATUS_OK);
    CHECK_STR(host, "127.0.0.1");
    CHECK(port == 8443);

    CHECK(config_split_listen("[::1]:443", host, sizeof(host), &port,
                              &err) == STATUS_OK);
    CHECK_STR(host, "::1");
    CHECK(port == 443);

    CHECK(config_split_listen("localhost:1", host, sizeof(host), &port,
                              &err) == STATUS_OK);
    CHECK_STR(host, "localhost");
    CHECK(port == 1);

    CHECK(config_split_listen("0.0.0.0:65535", host, sizeof(host), &port,
                              &err) == STATUS_OK);
    CHECK(port == 65535);
}

static void
test_split_listen_refuses(void)
{
    static const char *const bad[] = {
        "127.0.0.1", "127.0.0.1:", ":8443",          "127.0.0.1:0",
        "127.0.0.1:65536", "127.0.0.1:84x3", "127.0.0.1:-1", "[]:443",
        "",          "[::1]",      "host:99999999999999999999",
    };
    char host[64];
    unsigned port;
    struct error err;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        error_clear(&err);
        if (config_split_listen(bad[i], host, sizeof(host), &port, &err) !=
            STATUS_INVALID) {
            fprintf(stderr, "accepted listen \"%s\"\n", bad[i]);
            CHECK(false);
            continue;
        }
        CHECK_STR(err.code, "BAD_CONFIG");
        CHECK(strstr(err.message, "HOST:PORT") != NULL);
    }

    /* A host longer than the caller's buffer is refused, not cut. */
    error_clear(&err);
    CHECK(config_split_listen("very-long-host-name.example:80", host, 8,
                              &port, &err) == STATUS_INVALID);
}

int
main(void)
{
    if (mkdtemp(test_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(conf_path, sizeof(conf_path), "%s/settings.conf", test_dir);
    snprintf(data_conf_path, sizeof(data_conf_path), "%s/ganymede.conf",
             test_dir);

    RUN(test_defaults);
    RUN(test_file_then_env_then_flags);
    RUN(test_data_dir_file_found);
    RUN(test_flag_forms);
    RUN(test_env_alone);
    RUN(test_bad_numbers_refused);
    RUN(test_unknown_setting_refused);
    RUN(test_file_errors_name_the_line);
    RUN(test_load_errors);
    RUN(test_split_listen);
    RUN(test_split_listen_refuses);

    unlink(conf_path);
    rmdir(test_dir);
    return unit_finish("config");
}
