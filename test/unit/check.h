/* A minimal test harness: CHECK records a failure and carries on, so one run
 * reports every broken case; main() returns check_failures != 0. */
#ifndef HF_CHECK_H
#define HF_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                            \
    do {                                                                       \
        check_count++;                                                         \
        if (!(cond)) {                                                         \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_STR(a, b) CHECK(strcmp((a), (b)) == 0)

#define CHECK_DONE()                                                           \
    (fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures),   \
     check_failures != 0)

#endif
