/*
 * clock.c - time helpers over clock_gettime.
 */
#include "base/clock.h"

#include <stdio.h>
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

void
clock_format_iso(int64_t ms, char *buf)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    size_t len;

    gmtime_r(&secs, &tm);
    len = strftime(buf, CLOCK_ISO_MAX - 5, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + len, CLOCK_ISO_MAX - len, ".%03dZ", (int)(ms % 1000));
}
