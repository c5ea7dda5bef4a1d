/*
 * clock.c - time helpers over clock_gettime.
 */
#include "base/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t
clock_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_monotonic_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void clock_format_slow(int64_t ms, char *buf);

/*
 * The text up to the seconds changes once a second, so each thread keeps
 * the last one it made; only the milliseconds are written every time.
 */
static _Thread_local int64_t clock_cached_secs = -1;
static _Thread_local char clock_cached_text[CLOCK_ISO_MAX];
static _Thread_local size_t clock_cached_len;

void
clock_format_iso(int64_t ms, char *buf)
{
    int64_t secs_now = ms / 1000;
    int frac = (int)(ms % 1000);

    if (ms >= 0 && secs_now == clock_cached_secs) {
        memcpy(buf, clock_cached_text, clock_cached_len);
        buf[clock_cached_len] = '.';
        buf[clock_cached_len + 1] = (char)('0' + frac / 100);
        buf[clock_cached_len + 2] = (char)('0' + frac / 10 % 10);
        buf[clock_cached_len + 3] = (char)('0' + frac % 10);
        buf[clock_cached_len + 4] = 'Z';
        buf[clock_cached_len + 5] = '\0';
        return;
    }
    clock_format_slow(ms, buf);
    if (ms >= 0) {
        clock_cached_secs = secs_now;
        clock_cached_len = strcspn(buf, ".");
        memcpy(clock_cached_text, buf, clock_cached_len);
    }
}

static void
clock_format_slow(int64_t ms, char *buf)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    size_t len;

    gmtime_r(&secs, &tm);
    len = strftime(buf, CLOCK_ISO_MAX - 5, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + len, CLOCK_ISO_MAX - len, ".%03dZ", (int)(ms % 1000));
}
