/*
 * `review` through the C ABI: release records loaded from a directory
 * (examples/records, YAML and JSON Lines) and from one file
 * (core/tests/data/records-history.jsonl); the review of a period with
 * DORA's keys as checked by hand in core/tests/data/README-records.md
 * (27 deployments, 11 failed; checkout 11, team discovery 10, staging 3);
 * the default options; one release's outcome (checkout-2.4.0 rolled back);
 * the derived history; check with records; record errors with their
 * status, code (RP09xx), file and line; options refused (unknown key,
 * one end of the period, not RFC 3339, not JSON); NULL arguments and
 * invalid UTF-8 refused with out-parameters left alone; retain/free; one
 * set of records shared by several threads; and every case of the review
 * corpus (tests/corpus/review), its JSON byte-identical to
 * NAME.review.json (which is the JSON plus a newline).
 *
 * Usage: review REPO_ROOT INPUTS_DIR (a writable directory, as written by
 * the c_test_inputs example, with the manifest review/cases.tsv:
 *   review  <TAB> NAME <TAB> RECORDS <TAB> OPTIONS.json <TAB> VERDICT <TAB> GOLDEN.json
 *   release <TAB> NAME <TAB> RECORDS <TAB> RELEASE <TAB> NOW <TAB> OUTCOME <TAB> GOLDEN.json
 * where OPTIONS.json is the options object of rp_bundle_review).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>

#include "common.h"

#define S(lit) lit, sizeof(lit) - 1

static const rp_bundle *bundle = NULL;

/* The period of core/tests/data/README-records.md. */
#define PERIOD "\"from\": \"2026-10-27T00:00:00Z\", \"to\": \"2026-11-26T00:00:00Z\""

static const char *show_code(const rp_error *err) {
    const char *code = rp_error_code(err);
    return code == NULL ? "(null)" : code;
}

/* A failed call: the status is `want`, the error agrees and has a message.
 * The error stays with the caller. */
static void expect_status(rp_status got, const rp_error *err, rp_status want, const char *what) {
    EXPECT(got == want, "%s: status %u (%s), want %u (%s): %s", what, got, rp_status_name(got),
           want, rp_status_name(want), show(rp_error_display(err)));
    EXPECT(err != NULL, "%s: no error handed out", what);
    EXPECT(rp_error_status(err) == got, "%s: rp_error_status disagrees", what);
    EXPECT(rp_error_message(err).len > 0, "%s: an empty message", what);
}

static const rp_records *load(const char *path) {
    const rp_records *r = NULL;
    rp_error *err = NULL;
    rp_status s = rp_records_from_path(path, strlen(path), &r, &err);
    REQUIRE(s == RP_STATUS_OK, "records `%s`: %s", path, show(rp_error_display(err)));
    return r;
}

/* Review with `options` (a NUL-terminated JSON object, or NULL); the JSON
 * in *out. */
static rp_status review(const rp_records *r, const char *options, rp_buf *out, rp_error **err) {
    return rp_bundle_review(bundle, r, options, options == NULL ? 0 : strlen(options), out, err);
}

/* The review's overall number of deployments is `deployments`. */
static void expect_deployments(const rp_records *r, const char *options, int deployments) {
    rp_buf out = {NULL, 0};
    rp_error *err = NULL;
    rp_status s = review(r, options, &out, &err);
    EXPECT(s == RP_STATUS_OK, "review %s: %s", options, show(rp_error_display(err)));
    char needle[64];
    snprintf(needle, sizeof needle, "\"dora\": {\n    \"deployments\": %d,", deployments);
    EXPECT(str_has(buf_str(out), needle), "review %s: want %d deployments: %s", options,
           deployments, show(buf_str(out)));
    rp_buf_free(&out);
    rp_error_free(err);
}

static void review_history(const rp_records *h) {
    EXPECT(rp_records_len(h) == 41, "records-history.jsonl: %zu records, want 41",
           rp_records_len(h));
    rp_buf out = {NULL, 0};
    rp_error *err = NULL;
    rp_status s = review(h, "{" PERIOD "}", &out, &err);
    EXPECT(s == RP_STATUS_OK, "review: %s", show(rp_error_display(err)));
    rp_str j = buf_str(out);
    EXPECT(out.len > 0 && out.data[out.len] == '\0', "review JSON not NUL-terminated");
    EXPECT(str_has(j, "\"schema\": \"release-policy/review/v1\""), "schema: %s", show(j));
    EXPECT(str_has(j, "\"from\": \"2026-10-27T00:00:00Z\"") &&
               str_has(j, "\"to\": \"2026-11-26T00:00:00Z\""),
           "period: %s", show(j));
    EXPECT(str_has(j, "\"dora\": {\n    \"deployments\": 27,"), "27 deployments: %s", show(j));
    EXPECT(str_has(j, "\"failed\": 11,"), "11 failed: %s", show(j));
    EXPECT(str_has(j, "\"changeFailureRate\": 0.4074074074074074"), "rate: %s", show(j));
    EXPECT(str_has(j, "\"verdict\": \"pass\"") || str_has(j, "\"verdict\": \"fail\""),
           "verdict: %s", show(j));
    rp_buf_free(&out);
    rp_error_free(err);

    expect_deployments(h, "{" PERIOD ", \"service\": \"checkout\"}", 11);
    expect_deployments(h, "{" PERIOD ", \"team\": \"discovery\"}", 10);
    expect_deployments(h, "{" PERIOD ", \"environment\": \"staging\"}", 3);
    /* null is "not given". */
    expect_deployments(h, "{" PERIOD ", \"service\": null, \"team\": null}", 27);

    /* Every default: NULL, or an empty object; the same JSON. */
    rp_buf a = {NULL, 0}, b = {NULL, 0};
    s = review(h, NULL, &a, NULL);
    EXPECT(s == RP_STATUS_OK, "review with NULL options: %s", rp_status_name(s));
    s = rp_bundle_review(bundle, h, S("{}"), &b, NULL);
    EXPECT(s == RP_STATUS_OK, "review with {}: %s", rp_status_name(s));
    EXPECT(a.len == b.len && a.len > 0 && memcmp(a.data, b.data, a.len) == 0,
           "NULL options and {} differ");
    EXPECT(str_has(buf_str(a), "\"environment\": \"production\""), "default environment: %s",
           show(buf_str(a)));
    rp_buf_free(&a);
    rp_buf_free(&b);
}

/* Options and review questions the records cannot answer. */
static void review_errors(const rp_records *h) {
    rp_buf untouched = {(char *)"sentinel", 8};
    rp_error *err = NULL;
    rp_status s;

    s = review(h, "{\"form\": \"2026-10-27T00:00:00Z\"}", &untouched, &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "unknown option");
    EXPECT(str_has(rp_error_message(err), "unknown field `form`"), "message %s",
           show(rp_error_message(err)));
    EXPECT(rp_error_code(err) == NULL, "a boundary error has no engine code");
    rp_error_free(err);
    err = NULL;

    s = review(h, "{\"from\": \"2026-10-27T00:00:00Z\"}", &untouched, &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "one end of the period");
    EXPECT(str_has(rp_error_message(err), "both `from` and `to`"), "message %s",
           show(rp_error_message(err)));
    rp_error_free(err);
    err = NULL;

    s = review(h, "{\"from\": \"2026-10-27\", \"to\": \"2026-11-26T00:00:00Z\"}", &untouched,
               &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "a date, not RFC 3339");
    EXPECT(str_has(rp_error_message(err), "`from` is not an RFC 3339 timestamp (`2026-10-27`)"),
           "message %s", show(rp_error_message(err)));
    rp_error_free(err);
    err = NULL;

    s = review(h, "{\"team\": 7}", &untouched, &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "a team that is not a string");
    rp_error_free(err);
    err = NULL;

    s = review(h, "{\"decisions\": [\"examples/decisions\"]}", &untouched, &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "decisions that are not a path");
    rp_error_free(err);
    err = NULL;

    /* Decisions that cannot be read: an I/O error naming the path. */
    s = review(h, "{\"decisions\": \"/nonexistent/decisions.json\"}", &untouched, &err);
    expect_status(s, err, RP_STATUS_IO_ERROR, "missing decisions");
    EXPECT(str_is(rp_error_file(err), "/nonexistent/decisions.json"), "file %s",
           show(rp_error_file(err)));
    rp_error_free(err);
    err = NULL;

    s = review(h, "from=2026-10-27", &untouched, &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "options not JSON");
    rp_error_free(err);
    err = NULL;

    s = rp_bundle_review(bundle, h, S("{\"service\": \"\xff\"}"), &untouched, &err);
    expect_status(s, err, RP_STATUS_INVALID_UTF8, "options not UTF-8");
    rp_error_free(err);
    err = NULL;

    /* The engine's errors: a reversed period, an unknown service. */
    s = review(h, "{\"from\": \"2026-11-26T00:00:00Z\", \"to\": \"2026-10-27T00:00:00Z\"}",
               &untouched, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "a reversed period");
    EXPECT(strcmp(show_code(err), "RP0909") == 0, "code %s, want RP0909", show_code(err));
    rp_error_free(err);
    err = NULL;

    s = review(h, "{\"service\": \"chekout\"}", &untouched, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "an unknown service");
    EXPECT(strcmp(show_code(err), "RP0909") == 0, "code %s, want RP0909", show_code(err));
    EXPECT(str_has(rp_error_hint(err), "did you mean `checkout`?"), "hint %s",
           show(rp_error_hint(err)));
    rp_error_free(err);
    EXPECT(untouched.len == 8, "review_out written on failure");
}

/* One release's outcome, the derived history, and check with records, on
 * examples/records. */
static void outcome_history_check(const rp_records *ex) {
    EXPECT(rp_records_len(ex) == 15, "examples/records: %zu records, want 15",
           rp_records_len(ex));
    rp_buf out = {NULL, 0};
    rp_error *err = NULL;
    rp_status s = rp_bundle_review_release(bundle, ex, S("checkout-2.4.0"),
                                           S("2026-11-26T10:00:00Z"), &out, &err);
    EXPECT(s == RP_STATUS_OK, "review_release: %s", show(rp_error_display(err)));
    EXPECT(str_has(buf_str(out), "\"release\": \"checkout-2.4.0\"") &&
               str_has(buf_str(out), "\"outcome\": \"rolled-back\"") &&
               str_has(buf_str(out), "\"failed\": true") && str_has(buf_str(out), "INC-4711"),
           "outcome: %s", show(buf_str(out)));
    rp_buf_free(&out);
    rp_error_free(err);
    err = NULL;

    rp_buf untouched = {(char *)"sentinel", 8};
    s = rp_bundle_review_release(bundle, ex, S("checkout-9.9.9"), S("2026-11-26T10:00:00Z"),
                                 &untouched, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "an unknown release");
    EXPECT(strcmp(show_code(err), "RP0909") == 0, "code %s, want RP0909", show_code(err));
    rp_error_free(err);
    err = NULL;
    s = rp_bundle_review_release(bundle, ex, S("checkout-2.4.0"), S("tomorrow"), &untouched,
                                 &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "review_release, `now` not RFC 3339");
    EXPECT(str_has(rp_error_message(err), "`now`"), "message %s", show(rp_error_message(err)));
    rp_error_free(err);
    err = NULL;

    s = rp_bundle_history(bundle, ex, S("checkout"), S("production"), S("2026-11-26T10:00:00Z"),
                          &out, &err);
    EXPECT(s == RP_STATUS_OK, "history: %s", show(rp_error_display(err)));
    EXPECT(str_has(buf_str(out), "\"releases\": [") &&
               str_has(buf_str(out), "\"id\": \"checkout-2.4.0\"") &&
               str_has(buf_str(out), "\"openPostmortems\""),
           "history: %s", show(buf_str(out)));
    EXPECT(!str_has(buf_str(out), "payments-"), "another service in the history: %s",
           show(buf_str(out)));
    rp_buf_free(&out);
    rp_error_free(err);
    err = NULL;
    /* Nothing after `now` is known. */
    s = rp_bundle_history(bundle, ex, S("checkout"), S("production"), S("2026-11-01T00:00:00Z"),
                          &out, NULL);
    EXPECT(s == RP_STATUS_OK && !str_has(buf_str(out), "checkout-2.4.0"),
           "an early history knows a later release: %s", show(buf_str(out)));
    rp_buf_free(&out);
    s = rp_bundle_history(bundle, ex, S("checkout"), S("production"), S("now"), &untouched, &err);
    expect_status(s, err, RP_STATUS_INVALID_ARGUMENT, "history, `now` not RFC 3339");
    rp_error_free(err);
    err = NULL;

    const char *facts = "now: 2026-11-26T10:00:00Z\n"
                        "release: {id: checkout-2.5.0, service: checkout, version: \"2.5.0\", "
                        "environment: production, kind: standard, author: alice}\n";
    rp_verdict v = 0;
    s = rp_bundle_check_with_records(bundle, ex, facts, strlen(facts), RP_JSON_PRETTY, &out, &v,
                                     &err);
    EXPECT(s == RP_STATUS_OK, "check with records: %s", show(rp_error_display(err)));
    EXPECT(v == RP_VERDICT_NO_GO || v == RP_VERDICT_PENDING, "verdict %u, want not go", v);
    EXPECT(str_has(buf_str(out), "\"policy\": \"incident-history\""), "decision: %s",
           show(buf_str(out)));
    rp_buf_free(&out);
    rp_error_free(err);
    err = NULL;
    /* The verdict alone, with the same history derived. */
    rp_verdict alone = 42;
    s = rp_bundle_check_with_records(bundle, ex, facts, strlen(facts), RP_VERDICT_ONLY, &out,
                                     &alone, &err);
    EXPECT(s == RP_STATUS_OK && alone == v && out.len == 0,
           "verdict only with records: status %u, verdict %u (decision %u), %zu bytes", s, alone,
           v, out.len);
    rp_buf_free(&out);
    rp_error_free(err);
    err = NULL;

    const char *with_history = "now: 2026-11-26T10:00:00Z\n"
                               "release: {id: x, service: checkout, version: \"2.5.0\", "
                               "environment: production, kind: standard, author: alice}\n"
                               "history: {openPostmortems: 0}\n";
    v = 42;
    s = rp_bundle_check_with_records(bundle, ex, with_history, strlen(with_history), 0,
                                     &untouched, &v, &err);
    expect_status(s, err, RP_STATUS_FACTS_ERROR, "check with records and a history");
    EXPECT(str_is(rp_error_json_path(err), "$.history"), "path %s",
           show(rp_error_json_path(err)));
    rp_error_free(err);
    err = NULL;
    s = rp_bundle_check_with_records(bundle, NULL, facts, strlen(facts), 0, &untouched, &v, &err);
    expect_status(s, err, RP_STATUS_NULL_ARGUMENT, "check with NULL records");
    rp_error_free(err);
    EXPECT(untouched.len == 8 && v == 42, "out-parameters written on failure");
}

/* A record whose deployment finished before it started: RP0905 on line 4. */
static const char BAD_RECORD[] =
    "apiVersion: release-policy/v1\n"
    "kind: ReleaseRecord\n"
    "release: {id: bad-1.0.0, service: checkout, version: \"1.0.0\", environment: production, "
    "kind: standard, team: payments}\n"
    "deployment: {startedAt: 2026-11-24T10:00:00Z, finishedAt: 2026-11-24T09:00:00Z}\n"
    "outcome: success\n";

static void record_errors(const char *inputs) {
    char path[4096];
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/bad-record.yaml", inputs) < sizeof path,
            "path too long");
    FILE *f = fopen(path, "wb");
    REQUIRE(f != NULL && fwrite(BAD_RECORD, 1, sizeof BAD_RECORD - 1, f) == sizeof BAD_RECORD - 1,
            "write %s", path);
    fclose(f);

    const rp_records *sentinel = (const rp_records *)&path, *r = sentinel;
    rp_error *err = NULL;
    rp_status s = rp_records_from_path(path, strlen(path), &r, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "bad record");
    EXPECT(strcmp(show_code(err), "RP0905") == 0, "code %s, want RP0905", show_code(err));
    EXPECT(str_is(rp_error_file(err), path), "file %s, want %s", show(rp_error_file(err)), path);
    EXPECT(rp_error_line(err) == 4, "line %zu, want 4", rp_error_line(err));
    EXPECT(r == sentinel, "records_out written on failure");
    rp_buf json = {NULL, 0};
    EXPECT(rp_error_to_json(err, &json) == RP_STATUS_OK, "error to JSON");
    EXPECT(str_has(buf_str(json), "\"kind\":\"catalog\"") &&
               str_has(buf_str(json), "\"code\":\"RP0905\""),
           "error JSON: %s", show(buf_str(json)));
    rp_buf_free(&json);
    rp_error_free(err);
    err = NULL;

    /* A missing path is an I/O error naming it. */
    s = rp_records_from_path(S("/nonexistent/records"), &r, &err);
    expect_status(s, err, RP_STATUS_IO_ERROR, "missing records");
    EXPECT(str_is(rp_error_file(err), "/nonexistent/records"), "file %s",
           show(rp_error_file(err)));
    rp_error_free(err);
    err = NULL;

    /* A directory without record files: RP0908. */
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/no-records", inputs) < sizeof path,
            "path too long");
    /* (It exists already when the tests run again on the same inputs.) */
    REQUIRE(mkdir(path, 0700) == 0 || errno == EEXIST, "mkdir %s", path);
    s = rp_records_from_path(path, strlen(path), &r, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "no record files");
    EXPECT(strcmp(show_code(err), "RP0908") == 0, "code %s, want RP0908", show_code(err));
    rp_error_free(err);
    EXPECT(r == sentinel, "records_out written on failure");
}

/* Run `call` (which reports into `err`): it fails with `want`, and its
 * error is freed. */
#define FAILS(want, what, call)                                             \
    do {                                                                    \
        rp_error *err = NULL;                                               \
        rp_status got_ = (call);                                            \
        expect_status(got_, err, want, what);                               \
        rp_error_free(err);                                                 \
    } while (0)

static void argument_errors(const rp_records *r) {
    rp_buf out = {(char *)"sentinel", 8};
    rp_verdict v = 42;
    const rp_records *sentinel = r, *rec = sentinel;
    const char *now = "2026-11-26T10:00:00Z";
    size_t nl = strlen(now);
    FAILS(RP_STATUS_NULL_ARGUMENT, "from_path NULL path", rp_records_from_path(NULL, 0, &rec, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "from_path NULL out",
          rp_records_from_path(S("examples/records"), NULL, &err));
    FAILS(RP_STATUS_INVALID_UTF8, "from_path non-UTF-8 path",
          rp_records_from_path(S("\xff.yaml"), &rec, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review NULL bundle",
          rp_bundle_review(NULL, r, NULL, 0, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review NULL records",
          rp_bundle_review(bundle, NULL, NULL, 0, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review NULL review_out",
          rp_bundle_review(bundle, r, NULL, 0, NULL, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review_release NULL bundle",
          rp_bundle_review_release(NULL, r, S("a"), now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review_release NULL records",
          rp_bundle_review_release(bundle, NULL, S("a"), now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review_release NULL release",
          rp_bundle_review_release(bundle, r, NULL, 0, now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review_release NULL now",
          rp_bundle_review_release(bundle, r, S("a"), NULL, 0, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "review_release NULL outcome_out",
          rp_bundle_review_release(bundle, r, S("a"), now, nl, NULL, &err));
    FAILS(RP_STATUS_INVALID_UTF8, "review_release non-UTF-8 release",
          rp_bundle_review_release(bundle, r, S("\xc3\x28"), now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "history NULL bundle",
          rp_bundle_history(NULL, r, S("a"), S("e"), now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "history NULL records",
          rp_bundle_history(bundle, NULL, S("a"), S("e"), now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "history NULL service",
          rp_bundle_history(bundle, r, NULL, 0, S("e"), now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "history NULL environment",
          rp_bundle_history(bundle, r, S("a"), NULL, 0, now, nl, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "history NULL now",
          rp_bundle_history(bundle, r, S("a"), S("e"), NULL, 0, &out, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "history NULL history_out",
          rp_bundle_history(bundle, r, S("a"), S("e"), now, nl, NULL, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "check_with_records NULL bundle",
          rp_bundle_check_with_records(NULL, r, S("now: x\n"), 0, &out, &v, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "check_with_records NULL facts",
          rp_bundle_check_with_records(bundle, r, NULL, 0, 0, &out, &v, &err));
    FAILS(RP_STATUS_INVALID_ARGUMENT, "check_with_records unknown flags",
          rp_bundle_check_with_records(bundle, r, S("now: x\n"), 0x80, &out, &v, &err));
    EXPECT(out.len == 8 && v == 42 && rec == sentinel, "out-parameters written on failure");
    /* A service no record names has an empty history, not an error. */
    rp_buf h = {NULL, 0};
    EXPECT(rp_bundle_history(bundle, r, S("nobody"), S("production"), now, nl, &h, NULL) ==
               RP_STATUS_OK,
           "history of an unknown service");
    EXPECT(!str_has(buf_str(h), "\"id\""), "history of an unknown service: %s", show(buf_str(h)));
    rp_buf_free(&h);
    /* A NULL error_out still gives the status. */
    EXPECT(rp_records_from_path(NULL, 0, &rec, NULL) == RP_STATUS_NULL_ARGUMENT,
           "NULL error_out");
    /* Free, retain and len accept NULL. */
    rp_records_free(NULL);
    EXPECT(rp_records_retain(NULL) == NULL, "retain(NULL)");
    EXPECT(rp_records_len(NULL) == 0, "len(NULL)");
}

/* One set of records, its own reference per thread, the same review. */
struct job {
    const rp_records *records;
    const char *want;
    size_t want_len;
    int failures;
};

static void *worker(void *arg) {
    struct job *j = arg;
    for (int i = 0; i < 3; i++) {
        rp_buf out = {NULL, 0};
        if (review(j->records, "{" PERIOD "}", &out, NULL) != RP_STATUS_OK ||
            out.len != j->want_len || memcmp(out.data, j->want, out.len) != 0) {
            j->failures++;
        }
        rp_buf_free(&out);
    }
    rp_records_free(j->records);
    return NULL;
}

static void threads(const rp_records *r) {
    rp_buf want = {NULL, 0};
    REQUIRE(review(r, "{" PERIOD "}", &want, NULL) == RP_STATUS_OK, "review");
    enum { N = 4 };
    pthread_t ids[N];
    struct job jobs[N];
    for (int i = 0; i < N; i++) {
        struct job j = {rp_records_retain(r), want.data, want.len, 0};
        EXPECT(j.records == r, "retain returns the handle");
        jobs[i] = j;
        REQUIRE(pthread_create(&ids[i], NULL, worker, &jobs[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < N; i++) {
        pthread_join(ids[i], NULL);
        EXPECT(jobs[i].failures == 0, "thread %d: %d different reviews", i, jobs[i].failures);
    }
    rp_buf_free(&want);
}

/* The review corpus: each case reviewed (rp_bundle_review with its
 * options) or looked back on (rp_bundle_review_release as of its `now`),
 * the JSON byte for byte the golden file minus its newline, the verdict or
 * outcome the one the case expects. */
static void corpus(const char *inputs) {
    char path[4096];
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/review/cases.tsv", inputs) < sizeof path,
            "path too long");
    size_t len;
    char *tsv = read_file(path, &len);
    int cases = 0, releases = 0;
    char *save = NULL;
    for (char *line = strtok_r(tsv, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *f = NULL;
        char *question = strtok_r(line, "\t", &f);
        char *name = strtok_r(NULL, "\t", &f);
        char *records_path = strtok_r(NULL, "\t", &f);
        REQUIRE(records_path != NULL, "malformed manifest line");
        int release = strcmp(question, "release") == 0;
        REQUIRE(release || strcmp(question, "review") == 0, "%s: unknown question `%s`", name,
                question);
        char *release_id = NULL, *now = NULL, *options_path = NULL;
        if (release) {
            release_id = strtok_r(NULL, "\t", &f);
            now = strtok_r(NULL, "\t", &f);
        } else {
            options_path = strtok_r(NULL, "\t", &f);
        }
        char *want = strtok_r(NULL, "\t", &f);
        char *golden_path = strtok_r(NULL, "\t", &f);
        REQUIRE(golden_path != NULL, "%s: malformed manifest line", name);
        cases++;
        releases += release;

        const rp_records *r = load(records_path);
        size_t golden_len;
        char *golden = read_file(golden_path, &golden_len);
        rp_buf out = {NULL, 0};
        rp_error *err = NULL;
        rp_status s;
        if (release) {
            s = rp_bundle_review_release(bundle, r, release_id, strlen(release_id), now,
                                         strlen(now), &out, &err);
        } else {
            size_t options_len;
            char *options = read_file(options_path, &options_len);
            s = rp_bundle_review(bundle, r, options, options_len, &out, &err);
            free(options);
        }
        EXPECT(s == RP_STATUS_OK, "%s: status %s: %s", name, rp_status_name(s),
               show(rp_error_display(err)));
        if (s == RP_STATUS_OK) {
            /* The golden file is the JSON plus a newline. */
            EXPECT(golden_len > 0 && golden[golden_len - 1] == '\n', "%s: golden without newline",
                   name);
            EXPECT(out.len == golden_len - 1 && memcmp(out.data, golden, out.len) == 0 &&
                       out.data[out.len] == '\0',
                   "%s: review JSON differs from %s (%zu bytes, want %zu)", name, golden_path,
                   out.len, golden_len - 1);
            char needle[128];
            snprintf(needle, sizeof needle, "\n  \"%s\": \"%s\",",
                     release ? "outcome" : "verdict", want);
            EXPECT(str_has(buf_str(out), needle), "%s: the JSON lacks %s", name, needle);
        }
        rp_buf_free(&out);
        rp_error_free(err);
        free(golden);
        rp_records_free(r);
    }
    free(tsv);
    REQUIRE(cases >= 5, "the review corpus has only %d cases", cases);
    EXPECT(releases >= 1, "the review corpus has no `release` case");
    printf("review corpus: %d cases\n", cases);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: review REPO_ROOT INPUTS_DIR\n");
        return 2;
    }
    const char *root = argv[1], *inputs = argv[2];
    REQUIRE(rp_bundle_builtin(&bundle, NULL) == RP_STATUS_OK, "builtin bundle");

    char path[4096];
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/core/tests/data/records-history.jsonl",
                             root) < sizeof path,
            "path too long");
    const rp_records *h = load(path);
    review_history(h);
    review_errors(h);
    threads(h);
    rp_records_free(h);

    REQUIRE((size_t)snprintf(path, sizeof path, "%s/examples/records", root) < sizeof path,
            "path too long");
    const rp_records *ex = load(path);
    outcome_history_check(ex);
    argument_errors(ex);
    rp_records_free(ex);

    record_errors(inputs);
    corpus(inputs);

    rp_bundle_free(bundle);
    return finish("review");
}
