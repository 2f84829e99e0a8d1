/*
 * Helpers shared by the C tests: expectations that count failures instead
 * of stopping, file reading, and comparisons on rp_str / rp_buf.
 * Each test defines _POSIX_C_SOURCE before including this file.
 */
#ifndef RP_TEST_COMMON_H
#define RP_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "release_policy.h"

static int failures = 0;

/* EXPECT(condition, printf-format, args...): report and count a failure. */
#define EXPECT(cond, ...)                                                   \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
            failures++;                                                     \
        }                                                                   \
    } while (0)

/* Stop the test: a precondition for what follows does not hold. The
 * condition is evaluated once (it often has side effects). */
#define REQUIRE(cond, ...)                                                  \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "%s:%d: required: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
            exit(1);                                                        \
        }                                                                   \
    } while (0)

/* The whole file, NUL-terminated; its length in *len. Exits on failure. */
static inline char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open `%s`\n", path);
        exit(2);
    }
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    size_t got;
    while (data != NULL && (got = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(data, cap * 2);
            if (bigger == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (data == NULL) {
        fprintf(stderr, "out of memory reading `%s`\n", path);
        exit(2);
    }
    data[n] = '\0';
    *len = n;
    return data;
}

/* s holds exactly want (and is NUL-terminated after its length). */
static inline int str_is(rp_str s, const char *want) {
    return s.data != NULL && s.len == strlen(want) && memcmp(s.data, want, s.len) == 0 &&
           s.data[s.len] == '\0';
}

/* s contains needle. */
static inline int str_has(rp_str s, const char *needle) {
    return s.data != NULL && strstr(s.data, needle) != NULL;
}

/* A borrowed view of a buffer, to use the rp_str helpers on it. */
static inline rp_str buf_str(rp_buf b) {
    rp_str s = {b.data, b.len};
    return s;
}

/* For messages: the text of s, or "<absent>". */
static inline const char *show(rp_str s) {
    return s.data != NULL ? s.data : "<absent>";
}

static inline int finish(const char *name) {
    if (failures > 0) {
        fprintf(stderr, "%s: %d expectation(s) failed\n", name, failures);
        return 1;
    }
    printf("%s: ok\n", name);
    return 0;
}

#endif
