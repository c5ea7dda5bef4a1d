/*
 * format.c - the string formats of the data model's schemas (JSON Schema
 * "format"), as graph/validate.h lists them.  Each check is a plain
 * reading of the format's grammar, without regular expressions:
 * date-time is RFC 3339's date-time, hostname RFC 1123 labels, email a
 * local part and a dotted hostname, uri a scheme and no blanks, the IP
 * forms what inet_pton() reads, ipCidr an address and a prefix length,
 * asn "AS" and two to six digits.
 */
#include "graph/validate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool
format_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

/* RFC 3339: 2024-01-31T12:00:00(.fraction)(Z|+hh:mm). */
static bool
format_date_time(const char *s)
{
    size_t len = strlen(s), i = 19;

    if (len < 20 || !format_digits(s, 4) || s[4] != '-' ||
        !format_digits(s + 5, 2) || s[7] != '-' ||
        !format_digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') ||
        !format_digits(s + 11, 2) || s[13] != ':' ||
        !format_digits(s + 14, 2) || s[16] != ':' ||
        !format_digits(s + 17, 2)) {
        return false;
    }
    if (s[i] == '.') {
        size_t start = ++i;

        while (isdigit((unsigned char)s[i])) {
            i++;
        }
        if (i == start) {
            return false;
        }
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
        return true;
    }
    return (s[i] == '+' || s[i] == '-') && strlen(s + i) == 6 &&
           format_digits(s + i + 1, 2) && s[i + 3] == ':' &&
           format_digits(s + i + 4, 2);
}

/* Labels of letters, digits and inner hyphens, 1..63 bytes, 253 in all. */
static bool
format_hostname(const char *s)
{
    size_t label = 0, len = strlen(s);

    if (len == 0 || len > 253) {
        return false;
    }
    for (size_t i = 0; i <= len; i++) {
        if (s[i] == '.' || s[i] == '\0') {
            if (label == 0 || label > 63 || s[i - 1] == '-') {
                return false;
            }
            label = 0;
        } else if (isalnum((unsigned char)s[i]) ||
                   (s[i] == '-' && label > 0)) {
            label++;
        } else {
            return false;
        }
    }
    return true;
}

static bool
format_email(const char *s)
{
    const char *at = strrchr(s, '@');

    if (at == NULL || at == s || strchr(s, ' ') != NULL) {
        return false;
    }
    return format_hostname(at + 1) && strchr(at + 1, '.') != NULL;
}

/* A scheme, a colon and no spaces or controls. */
static bool
format_uri(const char *s)
{
    const char *p = s;

    if (!isalpha((unsigned char)*p)) {
        return false;
    }
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
           *p == '.') {
        p++;
    }
    if (*p != ':') {
        return false;
    }
    for (; *p != '\0'; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
            return false;
        }
    }
    return true;
}

static bool
format_ip(const char *s, int family)
{
    unsigned char buf[16];

    if (family == 0) {
        return format_ip(s, AF_INET) || format_ip(s, AF_INET6);
    }
    return inet_pton(family, s, buf) == 1;
}

static bool
format_cidr(const char *s)
{
    const char *slash = strrchr(s, '/');
    char addr[64];
    size_t n, bits_len;
    long bits;

    if (slash == NULL || (size_t)(slash - s) >= sizeof(addr)) {
        return false;
    }
    n = (size_t)(slash - s);
    bits_len = strlen(slash + 1);
    memcpy(addr, s, n);
    addr[n] = '\0';
    if (bits_len == 0 || bits_len > 3 ||
        !format_digits(slash + 1, bits_len)) {
        return false;
    }
    bits = strtol(slash + 1, NULL, 10);
    if (format_ip(addr, AF_INET)) {
        return bits <= 32;
    }
    return format_ip(addr, AF_INET6) && bits <= 128;
}

bool
graph_format_valid(const char *format, const char *s)
{
    if (strcmp(format, "date-time") == 0) {
        return format_date_time(s);
    }
    if (strcmp(format, "uri") == 0) {
        return format_uri(s);
    }
    if (strcmp(format, "email") == 0) {
        return format_email(s);
    }
    if (strcmp(format, "hostname") == 0) {
        return format_hostname(s);
    }
    if (strcmp(format, "ipv4") == 0) {
        return format_ip(s, AF_INET);
    }
    if (strcmp(format, "ipv6") == 0) {
        return format_ip(s, AF_INET6);
    }
    if (strcmp(format, "ip") == 0) {
        return format_ip(s, 0);
    }
    if (strcmp(format, "ipCidr") == 0) {
        return format_cidr(s);
    }
    if (strcmp(format, "asn") == 0) {
        size_t n = strlen(s);

        return n >= 4 && n <= 8 && s[0] == 'A' && s[1] == 'S' &&
               format_digits(s + 2, n - 2);
    }
    return true;
}
