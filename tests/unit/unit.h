/*
 * unit.h - the unit test harness: a test is a function, a suite is a file
 * with a main that lists them.
 *
 *     static void
 *     test_policy_refuses_short(void)
 *     {
 *         CHECK(password_check("Ab1!", "x@y.z", &err) != STATUS_OK);
 *     }
 *
 *     int
 *     main(void)
 *     {
 *         RUN(test_policy_refuses_short);
 *         return unit_finish("identity/password");
 *     }
 *
 * Each suite prints one line per failed check and ends with
 * "<suite>: N passed, M failed"; tests/run-unit adds the suites up.
 */
#ifndef GANYMEDE_TESTS_UNIT_H
#define GANYMEDE_TESTS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed, unit_current_failed;
static const char *unit_current;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "FAIL %s (%s:%d): %s\n", unit_current, __FILE__, \
                    __LINE__, #cond);                                        \
            unit_current_failed = 1;                                         \
        }                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                      \
    do {                                                                     \
        const char *unit_a_ = (a), *unit_b_ = (b);                           \
        if (unit_a_ == NULL || unit_b_ == NULL ||                            \
            strcmp(unit_a_, unit_b_) != 0) {                                 \
            fprintf(stderr, "FAIL %s (%s:%d): %s == %s (\"%s\" vs \"%s\")\n", \
                    unit_current, __FILE__, __LINE__, #a, #b,                \
                    unit_a_ ? unit_a_ : "(null)",                            \
                    unit_b_ ? unit_b_ : "(null)");                           \
            unit_current_failed = 1;                                         \
        }                                                                    \
    } while (0)

#define RUN(fn)                                                              \
    do {                                                                     \
        unit_current = #fn;                                                  \
        unit_current_failed = 0;                                             \
        fn();                                                                \
        if (unit_current_failed) {                                           \
            unit_failed++;                                                   \
        } else {                                                             \
            unit_passed++;                                                   \
        }                                                                    \
    } while (0)

static inline int
unit_finish(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, unit_passed, unit_failed);
    return unit_failed == 0 ? 0 : 1;
}

#endif
