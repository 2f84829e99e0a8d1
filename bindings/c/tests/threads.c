/*
 * One bundle shared by 8 threads. The main thread builds a bundle (with a
 * builder, so it is not the process-wide built-in one and really is freed
 * by its last release), retains it once per thread, releases its own
 * reference before the threads finish, and each thread checks the same
 * facts many times, expecting the reference decision byte for byte, then
 * releases its reference. Under valgrind/ASan this also proves the
 * reference counting: a bundle freed too early is a use-after-free, one
 * never freed is a leak.
 *
 * Usage: threads FACTS_FILE [ITERATIONS_PER_THREAD]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "common.h"

#define THREADS 8

struct job {
    const rp_bundle *bundle; /* this thread's own reference */
    const char *facts;
    size_t facts_len;
    const rp_buf *expect;
    int iterations;
    int mismatches;
    int errors;
};

static void *run(void *arg) {
    struct job *job = arg;
    for (int i = 0; i < job->iterations; i++) {
        rp_buf out = {NULL, 0};
        rp_error *err = NULL;
        rp_status st = rp_bundle_check(job->bundle, job->facts, job->facts_len,
                                       (i % 2) ? RP_JSON_PRETTY : 0, &out, NULL, &err);
        if (st != RP_STATUS_OK) {
            job->errors++;
            rp_error_free(err);
            continue;
        }
        const rp_buf *want = &job->expect[i % 2];
        if (out.len != want->len || memcmp(out.data, want->data, out.len) != 0) {
            job->mismatches++;
        }
        rp_buf_free(&out);
    }
    rp_bundle_free(job->bundle);
    return NULL;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2 || argc == 3, "usage: threads FACTS_FILE [ITERATIONS]");
    int iterations = argc == 3 ? atoi(argv[2]) : 100;
    size_t len;
    char *facts = read_file(argv[1], &len);

    rp_bundle_builder *builder = rp_bundle_builder_new();
    REQUIRE(builder != NULL, "builder");
    const char *team = "apiVersion: release-policy/v1\nkind: Policy\n"
                       "metadata: {name: team, version: 1.0.0}\nspec:\n  gates:\n"
                       "    - id: threads-gate\n      expression: release.author != \"mallory\"\n";
    REQUIRE(rp_bundle_builder_add_builtin(builder, NULL) == RP_STATUS_OK, "add_builtin");
    REQUIRE(rp_bundle_builder_add_yaml(builder, "team.yaml", 9, team, strlen(team), NULL) ==
                RP_STATUS_OK,
            "add_yaml");
    const rp_bundle *bundle = NULL;
    rp_error *err = NULL;
    REQUIRE(rp_bundle_builder_build(builder, &bundle, &err) == RP_STATUS_OK, "build: %s",
            show(rp_error_display(err)));
    rp_bundle_builder_free(builder);

    rp_buf expect[2] = {{NULL, 0}, {NULL, 0}};
    REQUIRE(rp_bundle_check(bundle, facts, len, 0, &expect[0], NULL, NULL) == RP_STATUS_OK,
            "reference check");
    REQUIRE(rp_bundle_check(bundle, facts, len, RP_JSON_PRETTY, &expect[1], NULL, NULL) ==
                RP_STATUS_OK,
            "reference check (pretty)");

    struct job jobs[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        const rp_bundle *ref = rp_bundle_retain(bundle);
        REQUIRE(ref == bundle, "retain returns the same handle");
        jobs[t] = (struct job){ref, facts, len, expect, iterations, 0, 0};
        REQUIRE(pthread_create(&threads[t], NULL, run, &jobs[t]) == 0, "pthread_create");
    }
    /* The threads hold their own references: release ours now. */
    rp_bundle_free(bundle);

    int total = 0;
    for (int t = 0; t < THREADS; t++) {
        REQUIRE(pthread_join(threads[t], NULL) == 0, "pthread_join");
        EXPECT(jobs[t].errors == 0, "thread %d: %d failed checks", t, jobs[t].errors);
        EXPECT(jobs[t].mismatches == 0, "thread %d: %d decisions differ from the reference", t,
               jobs[t].mismatches);
        total += jobs[t].iterations;
    }
    printf("threads: %d threads, %d checks, identical output\n", THREADS, total);
    rp_buf_free(&expect[0]);
    rp_buf_free(&expect[1]);
    free(facts);
    return finish("threads");
}
