/*
 * Times rp_bundle_check (facts text in, compact decision JSON out, buffer
 * freed) on one facts file with the built-in pack, over many iterations,
 * and prints the median and the 10th/90th percentiles. Each timed call
 * includes parsing the facts text (YAML or JSON), evaluating every rule,
 * serialising the decision and crossing the C boundary.
 *
 * Usage: bench_check FACTS_FILE [ITERATIONS] [verdict]   (`make bench` runs it)
 *
 * With `verdict`, the calls pass RP_VERDICT_ONLY: the verdict alone (the
 * engine's `Bundle::verdict`: no JSON, no values shown, no digest), what a
 * caller that acts on the verdict alone pays.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "release_policy.h"

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0) {
        fprintf(stderr, "cannot read `%s`\n", path);
        exit(2);
    }
    long n = ftell(f);
    rewind(f);
    char *data = malloc((size_t)n + 1);
    if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read `%s`\n", path);
        exit(2);
    }
    fclose(f);
    data[n] = '\0';
    *len = (size_t)n;
    return data;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_check FACTS_FILE [ITERATIONS] [verdict]\n");
        return 2;
    }
    int iterations = argc > 2 ? atoi(argv[2]) : 2000;
    if (iterations < 1) {
        iterations = 1;
    }
    uint32_t flags = argc > 3 && strcmp(argv[3], "verdict") == 0 ? RP_VERDICT_ONLY : 0;
    size_t len;
    char *facts = read_all(argv[1], &len);
    const rp_bundle *bundle = NULL;
    rp_error *err = NULL;
    if (rp_bundle_builtin(&bundle, &err) != RP_STATUS_OK) {
        fprintf(stderr, "%s\n", rp_error_display(err).data);
        return 1;
    }
    double *samples = malloc(sizeof(double) * (size_t)iterations);
    if (samples == NULL) {
        return 2;
    }
    rp_verdict verdict = 0;
    for (int i = -iterations / 10 - 1; i < iterations; i++) { /* negative i: warm-up */
        rp_buf out = {NULL, 0};
        double start = now_us();
        rp_status st = rp_bundle_check(bundle, facts, len, flags, &out, &verdict, &err);
        rp_buf_free(&out);
        double elapsed = now_us() - start;
        if (st != RP_STATUS_OK) {
            fprintf(stderr, "check failed: %s\n", rp_error_display(err).data);
            return 1;
        }
        if (i >= 0) {
            samples[i] = elapsed;
        }
    }
    qsort(samples, (size_t)iterations, sizeof(double), by_value);
    printf("rp_bundle_check%s %s (%zu bytes, verdict %u): median %.1f us, p10 %.1f us, p90 %.1f us over "
           "%d checks\n",
           flags ? " (RP_VERDICT_ONLY)" : "", argv[1], len, verdict, samples[iterations / 2], samples[iterations / 10],
           samples[iterations * 9 / 10], iterations);
    free(samples);
    free(facts);
    rp_bundle_free(bundle);
    return 0;
}
