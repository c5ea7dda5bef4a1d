/*
 * clock.h - wall and monotonic time in milliseconds, and ISO 8601 text.
 */
#ifndef GANYMEDE_BASE_CLOCK_H
#define GANYMEDE_BASE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define CLOCK_ISO_MAX 32

int64_t clock_now_ms(void);       /* milliseconds since the epoch */
int64_t clock_monotonic_us(void); /* for durations and deadlines */

/* "2026-12-03T16:47:12.123Z" into buf of CLOCK_ISO_MAX bytes. */
void clock_format_iso(int64_t ms, char *buf);

#endif
