/*
 * `plan` and `can-i-deploy` through the C ABI: every case of the plan
 * corpus (tests/corpus/plan) planned with its JSON byte-identical to
 * NAME.plan.json (which is the JSON plus a newline) and its verdict
 * (ok, blocked, needsDecision) in the out-parameter; the other formats;
 * can-i-deploy yes and no; catalog and release-plan errors with their
 * status, code (RP08xx), file, line, column and hint; a missing
 * directory; NULL arguments, invalid UTF-8 and an unknown format refused;
 * out-parameters left alone on failure; retain/free; one catalog shared
 * by several threads.
 *
 * Usage: plan INPUTS_DIR (as written by the c_test_inputs example, with
 * the manifest plan/cases.tsv:
 *   NAME <TAB> CATALOG_DIR <TAB> PLAN_FILE <TAB> VERDICT <TAB> GOLDEN.json).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "common.h"

#define S(lit) lit, sizeof(lit) - 1

static const rp_bundle *bundle = NULL;

static const char *verdict_name(rp_plan_verdict v) {
    switch (v) {
    case RP_PLAN_OK:
        return "ok";
    case RP_PLAN_BLOCKED:
        return "blocked";
    case RP_PLAN_NEEDS_DECISION:
        return "needsDecision";
    default:
        return "<not a plan verdict>";
    }
}

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

static const rp_catalog *load_dir(const char *dir) {
    const rp_catalog *c = NULL;
    rp_error *err = NULL;
    rp_status s = rp_catalog_from_dir(dir, strlen(dir), &c, &err);
    REQUIRE(s == RP_STATUS_OK, "catalog `%s`: %s", dir, show(rp_error_display(err)));
    return c;
}

/* Plan `text` in `format`; returns the status, the output in *out. */
static rp_status plan(const rp_catalog *c, const char *text, size_t len, rp_plan_format format,
                      rp_buf *out, rp_plan_verdict *verdict, rp_error **err) {
    return rp_bundle_plan(bundle, c, text, len, format, out, verdict, err);
}

/* The corpus: byte for byte, verdict agreeing; returns a bit per verdict
 * seen. */
static unsigned corpus(const char *manifest) {
    size_t len;
    char *tsv = read_file(manifest, &len);
    unsigned seen = 0;
    int cases = 0;
    char *save = NULL;
    for (char *line = strtok_r(tsv, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *f = NULL;
        char *name = strtok_r(line, "\t", &f);
        char *catalog_dir = strtok_r(NULL, "\t", &f);
        char *plan_file = strtok_r(NULL, "\t", &f);
        char *want_verdict = strtok_r(NULL, "\t", &f);
        char *golden_file = strtok_r(NULL, "\t", &f);
        REQUIRE(golden_file != NULL, "malformed manifest line");
        cases++;

        const rp_catalog *c = load_dir(catalog_dir);
        size_t text_len, golden_len;
        char *text = read_file(plan_file, &text_len);
        char *golden = read_file(golden_file, &golden_len);
        rp_buf out = {NULL, 0};
        rp_plan_verdict v = 0;
        rp_error *err = NULL;
        rp_status s = plan(c, text, text_len, RP_PLAN_FORMAT_JSON, &out, &v, &err);
        EXPECT(s == RP_STATUS_OK, "%s: status %s: %s", name, rp_status_name(s),
               show(rp_error_display(err)));
        if (s == RP_STATUS_OK) {
            /* The golden file is the JSON plus a newline. */
            EXPECT(golden_len > 0 && golden[golden_len - 1] == '\n', "%s: golden without newline",
                   name);
            EXPECT(out.len == golden_len - 1 && memcmp(out.data, golden, out.len) == 0 &&
                       out.data[out.len] == '\0',
                   "%s: plan JSON differs from %s (%zu bytes, want %zu)", name, golden_file,
                   out.len, golden_len - 1);
            EXPECT(strcmp(verdict_name(v), want_verdict) == 0, "%s: verdict %u (%s), want %s",
                   name, v, verdict_name(v), want_verdict);
            seen |= 1u << v;
            char needle[64];
            snprintf(needle, sizeof needle, "\"verdict\": \"%s\"", verdict_name(v));
            EXPECT(str_has(buf_str(out), needle), "%s: the JSON lacks %s", name, needle);
        }
        rp_buf_free(&out);
        rp_error_free(err);

        /* The other formats: each its own rendering, the same verdict. */
        struct {
            rp_plan_format format;
            const char *starts;
        } formats[] = {
            {RP_PLAN_FORMAT_DOT, "digraph plan {"},
            {RP_PLAN_FORMAT_MERMAID, "flowchart LR"},
            {RP_PLAN_FORMAT_MARKDOWN, ""},
            {RP_PLAN_FORMAT_TEXT, ""},
        };
        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
            rp_buf r = {NULL, 0};
            rp_plan_verdict rv = 0;
            s = plan(c, text, text_len, formats[i].format, &r, &rv, NULL);
            EXPECT(s == RP_STATUS_OK, "%s: format %u: status %s", name, formats[i].format,
                   rp_status_name(s));
            EXPECT(r.data != NULL && r.len > 0 &&
                       strncmp(r.data, formats[i].starts, strlen(formats[i].starts)) == 0,
                   "%s: format %u starts `%.20s`", name, formats[i].format,
                   r.data != NULL ? r.data : "");
            EXPECT(r.data == NULL || r.data[0] != '{', "%s: format %u is JSON", name,
                   formats[i].format);
            EXPECT(rv == v, "%s: format %u: verdict %u, want %u", name, formats[i].format, rv, v);
            rp_buf_free(&r);
        }
        /* The verdict out-parameter is optional. */
        rp_buf j = {NULL, 0};
        EXPECT(plan(c, text, text_len, RP_PLAN_FORMAT_JSON, &j, NULL, NULL) == RP_STATUS_OK,
               "%s: NULL verdict_out refused", name);
        rp_buf_free(&j);
        free(text);
        free(golden);
        rp_catalog_free(c);
    }
    EXPECT(cases >= 3, "only %d plan corpus cases", cases);
    free(tsv);
    return seen;
}

/* can-i-deploy: yes, no, and an unknown service. */
static void can_i_deploy(const rp_catalog *c) {
    rp_buf out = {NULL, 0};
    bool deployable = false;
    rp_error *err = NULL;
    rp_status s = rp_bundle_can_i_deploy(bundle, c, S("payments"), S("3.1.0"), S("production"),
                                         &out, &deployable, &err);
    EXPECT(s == RP_STATUS_OK, "can-i-deploy yes: %s", show(rp_error_display(err)));
    EXPECT(deployable, "payments 3.1.0 should be deployable to production");
    EXPECT(str_has(buf_str(out), "\"deployable\": true"), "yes JSON: %s", show(buf_str(out)));
    EXPECT(out.len > 0 && out.data[out.len] == '\0', "JSON not NUL-terminated");
    rp_buf_free(&out);
    rp_error_free(err);
    err = NULL;

    deployable = true;
    s = rp_bundle_can_i_deploy(bundle, c, S("payments"), S("4.0.0"), S("production"), &out,
                               &deployable, &err);
    EXPECT(s == RP_STATUS_OK, "can-i-deploy no: %s", show(rp_error_display(err)));
    EXPECT(!deployable, "payments 4.0.0 should not be deployable to production");
    EXPECT(str_has(buf_str(out), "\"deployable\": false"), "no JSON: %s", show(buf_str(out)));
    EXPECT(str_has(buf_str(out), "requirement-not-met") && str_has(buf_str(out), "checkout"),
           "no JSON lacks the broken contract: %s", show(buf_str(out)));
    rp_buf_free(&out);
    rp_error_free(err);
    err = NULL;

    /* deployable_out is optional */
    s = rp_bundle_can_i_deploy(bundle, c, S("payments"), S("3.1.0"), S("production"), &out, NULL,
                               NULL);
    EXPECT(s == RP_STATUS_OK, "can-i-deploy with NULL deployable_out: %s", rp_status_name(s));
    rp_buf_free(&out);

    /* An unknown service: a catalog error with a hint, out-params untouched. */
    rp_buf untouched = {(char *)"sentinel", 8};
    deployable = true;
    s = rp_bundle_can_i_deploy(bundle, c, S("paymnets"), S("3.1.0"), S("production"), &untouched,
                               &deployable, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "unknown service");
    EXPECT(strcmp(show_code(err), "RP0805") == 0, "code %s, want RP0805", show_code(err));
    EXPECT(str_is(rp_error_file(err), "<arguments>"), "file %s", show(rp_error_file(err)));
    EXPECT(str_has(rp_error_hint(err), "did you mean `payments`?"), "hint %s",
           show(rp_error_hint(err)));
    EXPECT(str_has(rp_error_message(err), "paymnets"), "message %s",
           show(rp_error_message(err)));
    EXPECT(untouched.len == 8 && deployable, "out-parameters written on failure");
    rp_error_free(err);
}

/* rp_bundle_check_with_catalog: the pack's coordination gates apply; an
 * unknown service is a facts error at its JSON path; NULL catalog. */
static void check_with_catalog(const rp_catalog *c) {
    /* payments 4.0.0 breaks checkout's `^3.1`, inside the year-end freeze. */
    const char *facts = "now: 2026-12-21T10:00:00Z\n"
                        "release: {id: p4, service: payments, version: \"4.0.0\", "
                        "environment: production, kind: standard, author: alice}\n";
    rp_buf out = {NULL, 0};
    rp_verdict v = 0;
    rp_error *err = NULL;
    rp_status s = rp_bundle_check_with_catalog(bundle, c, facts, strlen(facts), RP_JSON_PRETTY,
                                               &out, &v, &err);
    EXPECT(s == RP_STATUS_OK, "check with catalog: %s", show(rp_error_display(err)));
    EXPECT(v == RP_VERDICT_NO_GO, "check with catalog: verdict %u", v);
    EXPECT(str_has(buf_str(out), "\"catalogDigest\": \"sha256:"), "no catalog digest: %s",
           show(buf_str(out)));
    EXPECT(str_has(buf_str(out), "\"rule\": \"contract-compatible\""),
           "no contract finding: %s", show(buf_str(out)));
    rp_buf_free(&out);
    rp_error_free(err);
    err = NULL;

    /* Without the catalog the same facts skip those gates. */
    s = rp_bundle_check(bundle, facts, strlen(facts), 0, &out, &v, NULL);
    EXPECT(s == RP_STATUS_OK && !str_has(buf_str(out), "catalogDigest"),
           "check without catalog: status %u", s);
    rp_buf_free(&out);

    const char *unknown = "now: 2026-12-21T10:00:00Z\n"
                          "release: {id: p4, service: paymnets, version: \"4.0.0\", "
                          "environment: production, kind: standard, author: alice}\n";
    rp_buf untouched = {(char *)"sentinel", 8};
    s = rp_bundle_check_with_catalog(bundle, c, unknown, strlen(unknown), 0, &untouched, &v, &err);
    expect_status(s, err, RP_STATUS_FACTS_ERROR, "check with catalog, unknown service");
    EXPECT(strcmp(show_code(err), "RP0805") == 0, "code %s, want RP0805", show_code(err));
    EXPECT(str_has(rp_error_display(err), "$.release.service"), "no JSON path: %s",
           show(rp_error_display(err)));
    EXPECT(untouched.len == 8, "out-parameter written on failure");
    rp_error_free(err);
    err = NULL;

    s = rp_bundle_check_with_catalog(bundle, NULL, facts, strlen(facts), 0, &untouched, &v, &err);
    expect_status(s, err, RP_STATUS_NULL_ARGUMENT, "check with a NULL catalog");
    rp_error_free(err);
    err = NULL;

    /* assess with the catalog: a rollout without an environment cannot be
     * placed (a facts error at its JSON path); a NULL catalog. */
    const char *rollout = "now: 2026-11-26T10:30:00Z\n"
                          "rollout: {id: r, service: payments, steps: [{setWeight: 10}]}\n";
    s = rp_bundle_assess_with_catalog(bundle, c, rollout, strlen(rollout), 0, &untouched, &v,
                                      &err);
    expect_status(s, err, RP_STATUS_FACTS_ERROR, "assess with catalog, no environment");
    EXPECT(str_has(rp_error_display(err), "$.rollout.environment"), "no JSON path: %s",
           show(rp_error_display(err)));
    rp_error_free(err);
    err = NULL;
    s = rp_bundle_assess_with_catalog(bundle, NULL, rollout, strlen(rollout), 0, &untouched, &v,
                                      &err);
    expect_status(s, err, RP_STATUS_NULL_ARGUMENT, "assess with a NULL catalog");
    EXPECT(untouched.len == 8, "out-parameter written on failure");
    rp_error_free(err);
}

/* A catalog file with an unknown dependency: RP0805 at 9:17. */
static const char BAD_CATALOG[] =
    "apiVersion: release-policy/v1\n"
    "kind: Service\n"
    "metadata: {name: a}\n"
    "spec:\n"
    "  tier: 1\n"
    "  owner: t\n"
    "  environments: [prod]\n"
    "  dependsOn:\n"
    "    - {service: paymnts}\n"
    "---\n"
    "apiVersion: release-policy/v1\n"
    "kind: Service\n"
    "metadata: {name: payments}\n"
    "spec: {tier: 1, owner: t, environments: [prod]}\n";

static void catalog_errors(const char *inputs, const rp_catalog *good) {
    char path[4096];
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/bad-catalog.yaml", inputs) < sizeof path,
            "path too long");
    FILE *f = fopen(path, "wb");
    REQUIRE(f != NULL && fwrite(BAD_CATALOG, 1, sizeof BAD_CATALOG - 1, f) ==
                             sizeof BAD_CATALOG - 1,
            "write %s", path);
    fclose(f);

    const rp_catalog *sentinel = (const rp_catalog *)&path, *c = sentinel;
    rp_error *err = NULL;
    rp_status s = rp_catalog_from_file(path, strlen(path), &c, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "bad catalog");
    EXPECT(strcmp(rp_status_name(s), "catalog") == 0, "status name %s", rp_status_name(s));
    EXPECT(strcmp(show_code(err), "RP0805") == 0, "code %s, want RP0805", show_code(err));
    EXPECT(str_is(rp_error_file(err), path), "file %s, want %s", show(rp_error_file(err)), path);
    EXPECT(rp_error_line(err) == 9 && rp_error_column(err) == 17, "at %zu:%zu, want 9:17",
           rp_error_line(err), rp_error_column(err));
    EXPECT(str_is(rp_error_message(err), "unknown service `paymnts`"), "message %s",
           show(rp_error_message(err)));
    EXPECT(str_has(rp_error_display(err), ":9:17: unknown service `paymnts`"), "display %s",
           show(rp_error_display(err)));
    EXPECT(c == sentinel, "catalog_out written on failure");
    rp_buf json = {NULL, 0};
    EXPECT(rp_error_to_json(err, &json) == RP_STATUS_OK, "error to JSON");
    EXPECT(str_has(buf_str(json), "\"kind\":\"catalog\"") &&
               str_has(buf_str(json), "\"status\":10") &&
               str_has(buf_str(json), "\"code\":\"RP0805\"") &&
               str_has(buf_str(json), "\"line\":9"),
           "error JSON: %s", show(buf_str(json)));
    rp_buf_free(&json);
    rp_error_free(err);
    err = NULL;

    /* A missing directory is an I/O error naming it. */
    s = rp_catalog_from_dir(S("/nonexistent/catalog"), &c, &err);
    expect_status(s, err, RP_STATUS_IO_ERROR, "missing catalog directory");
    EXPECT(str_is(rp_error_file(err), "/nonexistent/catalog"), "file %s",
           show(rp_error_file(err)));
    EXPECT(c == sentinel, "catalog_out written on failure");
    rp_error_free(err);
    err = NULL;

    /* A release plan naming an unknown service: located in <release-plan>. */
    static const char BAD_PLAN[] =
        "apiVersion: release-policy/v1\n"
        "kind: ReleasePlan\n"
        "metadata: {name: x}\n"
        "releases:\n"
        "  - {service: paymnets, version: \"3.1.1\", environment: production,\n"
        "     window: {start: \"2026-12-01T09:00:00+01:00\", duration: 30m}}\n";
    rp_buf out = {(char *)"sentinel", 8};
    rp_plan_verdict v = 42;
    s = plan(good, BAD_PLAN, sizeof BAD_PLAN - 1, RP_PLAN_FORMAT_JSON, &out, &v, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "plan with an unknown service");
    EXPECT(strncmp(show_code(err), "RP08", 4) == 0, "code %s, want RP08xx", show_code(err));
    EXPECT(str_is(rp_error_file(err), "<release-plan>"), "file %s", show(rp_error_file(err)));
    EXPECT(rp_error_line(err) > 0, "no line for the unknown service");
    EXPECT(str_has(rp_error_display(err), "paymnets"), "display %s",
           show(rp_error_display(err)));
    EXPECT(out.len == 8 && v == 42, "out-parameters written on failure");
    rp_error_free(err);
    err = NULL;

    /* Not YAML at all: RP0801. */
    s = plan(good, S("releases: [\n"), RP_PLAN_FORMAT_JSON, &out, &v, &err);
    expect_status(s, err, RP_STATUS_CATALOG_ERROR, "malformed plan");
    EXPECT(strcmp(show_code(err), "RP0801") == 0, "code %s, want RP0801", show_code(err));
    EXPECT(rp_error_line(err) > 0, "no line for a syntax error");
    rp_error_free(err);
}

/* Run `call` (which reports into `err`): it fails with `want`, leaves
 * the out-parameters alone, and its error is freed. */
#define FAILS(want, what, call)                                             \
    do {                                                                    \
        rp_error *err = NULL;                                               \
        rp_status got_ = (call);                                            \
        expect_status(got_, err, want, what);                               \
        rp_error_free(err);                                                 \
    } while (0)

static void argument_errors(const rp_catalog *c) {
    const char *t = "kind: ReleasePlan\n";
    size_t tl = strlen(t);
    rp_buf out = {(char *)"sentinel", 8};
    rp_plan_verdict v = 42;
    bool d = true;
    const rp_catalog *sentinel = c, *cat = sentinel;
    FAILS(RP_STATUS_NULL_ARGUMENT, "from_dir NULL path", rp_catalog_from_dir(NULL, 0, &cat, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "from_dir NULL out", rp_catalog_from_dir(S("."), NULL, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "from_file NULL path",
          rp_catalog_from_file(NULL, 3, &cat, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "from_file NULL out",
          rp_catalog_from_file(S("x.yaml"), NULL, &err));
    FAILS(RP_STATUS_INVALID_UTF8, "from_file non-UTF-8 path",
          rp_catalog_from_file(S("\xff.yaml"), &cat, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "plan NULL bundle",
          rp_bundle_plan(NULL, c, t, tl, RP_PLAN_FORMAT_JSON, &out, &v, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "plan NULL catalog",
          plan(NULL, t, tl, RP_PLAN_FORMAT_JSON, &out, &v, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "plan NULL text",
          plan(c, NULL, 0, RP_PLAN_FORMAT_JSON, &out, &v, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "plan NULL plan_out",
          plan(c, t, tl, RP_PLAN_FORMAT_JSON, NULL, &v, &err));
    FAILS(RP_STATUS_INVALID_ARGUMENT, "plan unknown format", plan(c, t, tl, 99, &out, &v, &err));
    FAILS(RP_STATUS_INVALID_UTF8, "plan non-UTF-8 text",
          plan(c, S("kind: \xc3\x28"), RP_PLAN_FORMAT_JSON, &out, &v, &err));
    FAILS(RP_STATUS_CATALOG_ERROR, "plan empty text",
          plan(c, "", 0, RP_PLAN_FORMAT_JSON, &out, &v, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "can-i-deploy NULL bundle",
          rp_bundle_can_i_deploy(NULL, c, S("a"), S("1.0.0"), S("e"), &out, &d, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "can-i-deploy NULL catalog",
          rp_bundle_can_i_deploy(bundle, NULL, S("a"), S("1.0.0"), S("e"), &out, &d, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "can-i-deploy NULL service",
          rp_bundle_can_i_deploy(bundle, c, NULL, 1, S("1.0.0"), S("e"), &out, &d, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "can-i-deploy NULL version",
          rp_bundle_can_i_deploy(bundle, c, S("a"), NULL, 0, S("e"), &out, &d, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "can-i-deploy NULL environment",
          rp_bundle_can_i_deploy(bundle, c, S("a"), S("1.0.0"), NULL, 0, &out, &d, &err));
    FAILS(RP_STATUS_NULL_ARGUMENT, "can-i-deploy NULL json_out",
          rp_bundle_can_i_deploy(bundle, c, S("a"), S("1.0.0"), S("e"), NULL, &d, &err));
    FAILS(RP_STATUS_INVALID_UTF8, "can-i-deploy non-UTF-8 service",
          rp_bundle_can_i_deploy(bundle, c, S("\xff"), S("1.0.0"), S("e"), &out, &d, &err));
    EXPECT(out.len == 8 && v == 42 && d && cat == sentinel, "out-parameters written on failure");
    /* A NULL error_out still gives the status. */
    EXPECT(rp_catalog_from_dir(NULL, 0, &cat, NULL) == RP_STATUS_NULL_ARGUMENT,
           "NULL error_out");
    /* Free and retain accept NULL. */
    rp_catalog_free(NULL);
    EXPECT(rp_catalog_retain(NULL) == NULL, "retain(NULL)");
}

/* One catalog, its own reference per thread, the same plan each time. */
struct job {
    const rp_catalog *catalog;
    const char *text;
    size_t len;
    const char *want;
    size_t want_len;
    int failures;
};

static void *worker(void *arg) {
    struct job *j = arg;
    for (int i = 0; i < 3; i++) {
        rp_buf out = {NULL, 0};
        if (plan(j->catalog, j->text, j->len, RP_PLAN_FORMAT_JSON, &out, NULL, NULL) !=
                RP_STATUS_OK ||
            out.len != j->want_len || memcmp(out.data, j->want, out.len) != 0) {
            j->failures++;
        }
        rp_buf_free(&out);
    }
    rp_catalog_free(j->catalog);
    return NULL;
}

static void threads(const rp_catalog *c, const char *plan_file) {
    size_t len;
    char *text = read_file(plan_file, &len);
    rp_buf want = {NULL, 0};
    REQUIRE(plan(c, text, len, RP_PLAN_FORMAT_JSON, &want, NULL, NULL) == RP_STATUS_OK,
            "plan %s", plan_file);
    enum { N = 4 };
    pthread_t ids[N];
    struct job jobs[N];
    for (int i = 0; i < N; i++) {
        struct job j = {rp_catalog_retain(c), text, len, want.data, want.len, 0};
        EXPECT(j.catalog == c, "retain returns the handle");
        jobs[i] = j;
        REQUIRE(pthread_create(&ids[i], NULL, worker, &jobs[i]) == 0, "pthread_create");
    }
    for (int i = 0; i < N; i++) {
        pthread_join(ids[i], NULL);
        EXPECT(jobs[i].failures == 0, "thread %d: %d different plans", i, jobs[i].failures);
    }
    rp_buf_free(&want);
    free(text);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: plan REPO_ROOT INPUTS_DIR\n");
        return 2;
    }
    const char *root = argv[1], *inputs = argv[2];
    REQUIRE(rp_bundle_builtin(&bundle, NULL) == RP_STATUS_OK, "builtin bundle");

    char path[4096];
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/plan/cases.tsv", inputs) < sizeof path,
            "path too long");
    unsigned seen = corpus(path);
    EXPECT(seen == ((1u << RP_PLAN_OK) | (1u << RP_PLAN_BLOCKED) | (1u << RP_PLAN_NEEDS_DECISION)),
           "not every verdict seen (mask %#x)", seen);

    REQUIRE((size_t)snprintf(path, sizeof path, "%s/examples/catalog", root) < sizeof path,
            "path too long");
    const rp_catalog *c = load_dir(path);
    can_i_deploy(c);
    check_with_catalog(c);
    catalog_errors(inputs, c);
    argument_errors(c);
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/examples/plans/blocked.yaml", root) <
                sizeof path,
            "path too long");
    threads(c, path);
    rp_catalog_free(c);

    /* One catalog file on its own. */
    REQUIRE((size_t)snprintf(path, sizeof path, "%s/examples/catalog/services.yaml", root) <
                sizeof path,
            "path too long");
    const rp_catalog *f = NULL;
    rp_error *err = NULL;
    EXPECT(rp_catalog_from_file(path, strlen(path), &f, &err) == RP_STATUS_OK,
           "catalog from one file: %s", show(rp_error_display(err)));
    rp_error_free(err);
    if (f != NULL) {
        can_i_deploy(f);
    }
    rp_catalog_free(f);

    rp_bundle_free(bundle);
    return finish("plan");
}
