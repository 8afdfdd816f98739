/* A minimal test harness: CHECK records a failure and goes on; main reports the counts. */
#ifndef MODELGATE_TEST_CHECK_H
#define MODELGATE_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_run, checks_failed;

#define CHECK(condition)                                                                      \
    do {                                                                                      \
        checks_run++;                                                                         \
        if (!(condition)) {                                                                   \
            checks_failed++;                                                                  \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, __func__, #condition); \
        }                                                                                     \
    } while (0)

#define CHECK_CONTAINS(text, part) CHECK(strstr((text), (part)) != NULL)

#define RUN(test)                                                                             \
    do {                                                                                      \
        int before = checks_failed;                                                           \
        test();                                                                               \
        printf("%s %s\n", checks_failed == before ? "ok  " : "FAIL", #test);                  \
    } while (0)

static int report(const char *suite) {
    printf("%s: %d checks, %d failed\n", suite, checks_run, checks_failed);
    return checks_failed ? 1 : 0;
}

#endif
