/*
 * Every error status through the C ABI, and the ownership rules around
 * errors: NULL arguments, invalid UTF-8, zero-length and malformed facts,
 * facts of the wrong shape, a bad policy with its file:line:column and
 * rule, several policy errors at once, a missing directory, a builder with
 * no layers, unknown flags, an oversized length; the stable code of each
 * engine error (`rp_error_code`); out-parameters left alone on failure;
 * NULL accepted by every free function and accessor. Also the
 * happy paths the error cases lean on: YAML and JSON facts, directories,
 * builders, the digest, versions.
 *
 * Usage: errors REPO_ROOT INPUTS_DIR (INPUTS_DIR as written by the
 * c_test_inputs example).
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

/* a/b, in one of a few static buffers used in turn (a path stays valid
 * for the next 7 calls). */
static const char *join(const char *a, const char *b) {
    static char paths[8][4096];
    static int next = 0;
    char *p = paths[next++ % 8];
    REQUIRE((size_t)snprintf(p, sizeof paths[0], "%s/%s", a, b) < sizeof paths[0], "path too long");
    return p;
}

/* Whether the error's code is `want` (NULL: the error has no code). */
static int code_is(const rp_error *err, const char *want) {
    const char *code = rp_error_code(err);
    if (code == NULL || want == NULL) {
        return code == want;
    }
    return strcmp(code, want) == 0;
}

static const char *show_code(const rp_error *err) {
    const char *code = rp_error_code(err);
    return code == NULL ? "(null)" : code;
}

/* The call returned `got` and left its error in *errp: the status is
 * `want`, and the error is freed. */
static void expect_error(rp_status got, rp_error **errp, rp_status want, const char *what) {
    rp_error *err = *errp;
    *errp = NULL;
    EXPECT(got == want, "%s: status %u (%s), want %u (%s): %s", what, got, rp_status_name(got),
           want, rp_status_name(want), show(rp_error_display(err)));
    EXPECT(err != NULL, "%s: no error handed out", what);
    EXPECT(rp_error_status(err) == got, "%s: rp_error_status %u != returned %u", what,
           rp_error_status(err), got);
    EXPECT(rp_error_count(err) >= 1, "%s: an error without details", what);
    EXPECT(rp_error_message(err).len > 0, "%s: an empty message", what);
    rp_error_free(err);
}

/* Check `facts` against the bundle, expecting a failure with `want`;
 * returns the error (owned by the caller) for more checks. */
static rp_error *check_fails(const rp_bundle *b, const char *facts, size_t len, rp_status want,
                             const char *what) {
    rp_buf out = {NULL, 12345};
    rp_verdict verdict = 77;
    rp_error *err = NULL;
    rp_status st = rp_bundle_check(b, facts, len, 0, &out, &verdict, &err);
    EXPECT(st == want, "%s: status %u (%s), want %u: %s", what, st, rp_status_name(st), want,
           show(rp_error_display(err)));
    EXPECT(out.data == NULL && out.len == 12345 && verdict == 77,
           "%s: out-parameters written on failure", what);
    EXPECT(err != NULL && rp_error_status(err) == want, "%s: error status", what);
    return err;
}

static void null_arguments(const rp_bundle *b, const char *facts, size_t len) {
    rp_error *err = NULL;
    rp_buf out = {NULL, 0};
    const rp_bundle *sentinel = (const rp_bundle *)&out; /* any non-NULL address */
    const rp_bundle *bundle_out = sentinel;

    err = check_fails(NULL, facts, len, RP_STATUS_NULL_ARGUMENT, "NULL bundle");
    EXPECT(str_is(rp_error_message(err), "argument `bundle` is NULL"), "message: %s",
           show(rp_error_message(err)));
    /* An error of the C boundary, not of the engine: no code. */
    EXPECT(code_is(err, NULL), "code of a NULL-argument error: %s", show_code(err));
    rp_error_free(err);
    err = check_fails(b, NULL, 10, RP_STATUS_NULL_ARGUMENT, "NULL facts");
    EXPECT(str_has(rp_error_message(err), "`facts`"), "message: %s", show(rp_error_message(err)));
    rp_error_free(err);
    err = check_fails(b, NULL, 0, RP_STATUS_NULL_ARGUMENT, "NULL facts, zero length");
    rp_error_free(err);

    err = NULL;
    EXPECT(rp_bundle_check(b, facts, len, 0, NULL, NULL, &err) == RP_STATUS_NULL_ARGUMENT,
           "NULL decision_out");
    EXPECT(str_has(rp_error_message(err), "`decision_out`"), "message: %s",
           show(rp_error_message(err)));
    rp_error_free(err);

    err = NULL;
    EXPECT(rp_bundle_assess(b, facts, len, 0, NULL, NULL, &err) == RP_STATUS_NULL_ARGUMENT,
           "NULL assessment_out");
    EXPECT(str_has(rp_error_message(err), "`assessment_out`"), "message: %s",
           show(rp_error_message(err)));
    rp_error_free(err);
    err = NULL;
    EXPECT(rp_bundle_assess(b, "", 0, 0, &out, NULL, &err) == RP_STATUS_FACTS_ERROR,
           "empty rollout facts: %s", show(rp_error_display(err)));
    rp_error_free(err);

    /* error_out is optional: the status alone still says what happened. */
    EXPECT(rp_bundle_check(NULL, facts, len, 0, &out, NULL, NULL) == RP_STATUS_NULL_ARGUMENT,
           "NULL bundle without error_out");

    err = NULL;
    expect_error(rp_bundle_builtin(NULL, &err), &err, RP_STATUS_NULL_ARGUMENT, "builtin(NULL)");
    err = NULL;
    expect_error(rp_bundle_from_dir(NULL, 3, &bundle_out, &err), &err, RP_STATUS_NULL_ARGUMENT,
                 "from_dir(NULL)");
    err = NULL;
    expect_error(rp_bundle_from_dir("policies", 8, NULL, &err), &err, RP_STATUS_NULL_ARGUMENT,
                 "from_dir(…, NULL)");
    err = NULL;
    expect_error(rp_bundle_from_yaml(NULL, 0, "x", 1, &bundle_out, &err), &err,
                 RP_STATUS_NULL_ARGUMENT, "from_yaml(NULL name)");
    err = NULL;
    expect_error(rp_bundle_from_yaml("n", 1, NULL, 0, &bundle_out, &err), &err,
                 RP_STATUS_NULL_ARGUMENT, "from_yaml(NULL yaml)");
    err = NULL;
    expect_error(rp_bundle_digest(NULL, &out, &err), &err, RP_STATUS_NULL_ARGUMENT, "digest(NULL)");
    err = NULL;
    expect_error(rp_bundle_digest(b, NULL, &err), &err, RP_STATUS_NULL_ARGUMENT,
                 "digest(…, NULL)");
    err = NULL;
    expect_error(rp_bundle_builder_add_builtin(NULL, &err), &err, RP_STATUS_NULL_ARGUMENT,
                 "add_builtin(NULL)");
    err = NULL;
    expect_error(rp_bundle_builder_add_dir(NULL, "p", 1, &err), &err, RP_STATUS_NULL_ARGUMENT,
                 "add_dir(NULL)");
    err = NULL;
    expect_error(rp_bundle_builder_add_yaml(NULL, "n", 1, "y", 1, &err), &err,
                 RP_STATUS_NULL_ARGUMENT, "add_yaml(NULL)");
    err = NULL;
    expect_error(rp_bundle_builder_build(NULL, &bundle_out, &err), &err, RP_STATUS_NULL_ARGUMENT,
                 "build(NULL)");
    EXPECT(bundle_out == sentinel, "bundle_out written on failure");
    EXPECT(out.data == NULL, "digest_out written on failure");

    /* NULL is a no-op for every free function, and absent for accessors. */
    rp_bundle_free(NULL);
    rp_bundle_builder_free(NULL);
    rp_error_free(NULL);
    rp_buf_free(NULL);
    EXPECT(rp_bundle_retain(NULL) == NULL, "retain(NULL)");
    EXPECT(rp_error_status(NULL) == RP_STATUS_NULL_ARGUMENT, "rp_error_status(NULL)");
    EXPECT(rp_error_message(NULL).data == NULL && rp_error_display(NULL).data == NULL &&
               rp_error_file(NULL).data == NULL && rp_error_rule(NULL).data == NULL &&
               rp_error_hint(NULL).data == NULL && rp_error_json_path(NULL).data == NULL,
           "accessors on NULL");
    EXPECT(rp_error_count(NULL) == 0 && rp_error_line(NULL) == 0 && rp_error_column(NULL) == 0,
           "numeric accessors on NULL");
    EXPECT(rp_error_to_json(NULL, &out) == RP_STATUS_NULL_ARGUMENT, "to_json(NULL)");
    EXPECT(rp_error_code(NULL) == NULL, "rp_error_code(NULL)");
}

static void invalid_utf8_and_lengths(const rp_bundle *b, const char *facts, size_t len) {
    const char bad[] = "{\"now\": \"\xff\"}";
    rp_error *err = check_fails(b, bad, sizeof bad - 1, RP_STATUS_INVALID_UTF8, "invalid UTF-8");
    EXPECT(str_is(rp_error_message(err),
                  "argument `facts` is not valid UTF-8 (invalid byte at offset 9)"),
           "message: %s", show(rp_error_message(err)));
    rp_error_free(err);

    const rp_bundle *out = NULL;
    err = NULL;
    EXPECT(rp_bundle_from_yaml("n\xc3", 2, "x", 1, &out, &err) == RP_STATUS_INVALID_UTF8,
           "a truncated UTF-8 sequence in `name`");
    EXPECT(str_has(rp_error_message(err), "`name`"), "message: %s", show(rp_error_message(err)));
    rp_error_free(err);
    err = NULL;
    EXPECT(rp_bundle_from_dir("\xc0\xaf", 2, &out, &err) == RP_STATUS_INVALID_UTF8,
           "an overlong encoding in `path`");
    rp_error_free(err);

    /* A length that cannot be a real object size. */
    err = check_fails(b, facts, (size_t)-1, RP_STATUS_INVALID_ARGUMENT, "length over PTRDIFF_MAX");
    EXPECT(str_has(rp_error_message(err), "PTRDIFF_MAX"), "message: %s",
           show(rp_error_message(err)));
    rp_error_free(err);

    /* Unknown flag bits. */
    rp_buf json = {NULL, 0};
    err = NULL;
    EXPECT(rp_bundle_check(b, facts, len, 13, &json, NULL, &err) == RP_STATUS_INVALID_ARGUMENT,
           "unknown flags");
    EXPECT(str_is(rp_error_message(err), "unknown bits `0xc` in `flags`"), "message: %s",
           show(rp_error_message(err)));
    EXPECT(json.data == NULL, "decision written on failure");
    rp_error_free(err);

    /* The verdict alone needs somewhere to put it. */
    err = NULL;
    EXPECT(rp_bundle_check(b, facts, len, RP_VERDICT_ONLY, &json, NULL, &err) ==
               RP_STATUS_INVALID_ARGUMENT,
           "RP_VERDICT_ONLY without verdict_out");
    EXPECT(str_has(rp_error_message(err), "`RP_VERDICT_ONLY` without `verdict_out`"),
           "message: %s", show(rp_error_message(err)));
    EXPECT(json.data == NULL, "decision written on failure");
    rp_error_free(err);
}

static void bad_facts(const rp_bundle *b) {
    /* Zero-length and blank facts: a facts error, not a crash. */
    rp_error *err = check_fails(b, "", 0, RP_STATUS_FACTS_ERROR, "empty facts");
    rp_error_free(err);
    err = check_fails(b, "now: 1", 0, RP_STATUS_FACTS_ERROR, "zero length of a longer string");
    rp_error_free(err);
    err = check_fails(b, "  \n", 3, RP_STATUS_FACTS_ERROR, "blank facts");
    rp_error_free(err);

    /* Malformed JSON: the line and column of the syntax error. */
    const char *broken = "{\n  \"now\": \"2026-11-26T10:00:00Z\",\n  \"release\": {\"id\": }\n}";
    err = check_fails(b, broken, strlen(broken), RP_STATUS_FACTS_ERROR, "malformed JSON");
    EXPECT(rp_error_line(err) == 3 && rp_error_column(err) == 21, "position %zu:%zu, want 3:21",
           rp_error_line(err), rp_error_column(err));
    EXPECT(code_is(err, "RP0401"), "code of malformed JSON: %s", show_code(err));
    rp_error_free(err);

    /* The wrong shape: a number where a string belongs. */
    const char *wrong = "{\"now\": \"2026-11-26T10:00:00Z\", \"release\": {\"id\": 5, "
                        "\"service\": \"s\", \"version\": \"1.0.0\", \"environment\": "
                        "\"production\", \"kind\": \"standard\", \"author\": \"a\"}}";
    err = check_fails(b, wrong, strlen(wrong), RP_STATUS_FACTS_ERROR, "wrong type");
    EXPECT(str_is(rp_error_json_path(err), "$.release.id"), "path: %s",
           show(rp_error_json_path(err)));
    EXPECT(str_has(rp_error_message(err), "invalid type"), "message: %s",
           show(rp_error_message(err)));
    EXPECT(code_is(err, "RP0403"), "code of a wrong type: %s", show_code(err));
    rp_error_free(err);

    /* An unknown (misspelt) field: its path and a hint. */
    const char *typo = "now: 2026-11-26T10:00:00Z\nrelase: {}\n";
    err = check_fails(b, typo, strlen(typo), RP_STATUS_FACTS_ERROR, "unknown field");
    EXPECT(str_has(rp_error_message(err), "unknown field `relase`"), "message: %s",
           show(rp_error_message(err)));
    EXPECT(str_is(rp_error_json_path(err), "$.relase"), "path: %s", show(rp_error_json_path(err)));
    EXPECT(rp_error_hint(err).len > 0, "no hint for an unknown field");
    EXPECT(code_is(err, "RP0402"), "code of an unknown field: %s", show_code(err));
    /* The code is NUL-terminated and stays put while the error lives. */
    const char *code = rp_error_code(err);
    EXPECT(code != NULL && strlen(code) == 6 && code == rp_error_code(err), "code: %s",
           show_code(err));
    EXPECT(rp_error_file(err).data == NULL && rp_error_rule(err).data == NULL,
           "a facts error has no policy file or rule");
    rp_buf json = {NULL, 0};
    EXPECT(rp_error_to_json(err, &json) == RP_STATUS_OK, "to_json");
    EXPECT(str_has(buf_str(json), "\"kind\":\"facts\"") && str_has(buf_str(json), "\"status\":4") &&
               str_has(buf_str(json), "\"path\":\"$.relase\"") &&
               str_has(buf_str(json), "\"code\":\"RP0402\""),
           "error JSON: %s", show(buf_str(json)));
    rp_buf_free(&json);
    rp_error_free(err);
}

/* A gate whose expression does not parse, on line 7. */
static const char BAD_POLICY[] = "apiVersion: release-policy/v1\n"
                                 "kind: Policy\n"
                                 "metadata: {name: bad, version: 1.0.0}\n"
                                 "spec:\n"
                                 "  gates:\n"
                                 "    - id: broken-gate\n"
                                 "      expression: ci.suites.all(s, s.status == )\n";

/* Two gates naming facts roots that do not exist. */
static const char TWO_BAD[] = "apiVersion: release-policy/v1\n"
                              "kind: Policy\n"
                              "metadata: {name: bad, version: 1.0.0}\n"
                              "spec:\n"
                              "  gates:\n"
                              "    - id: first\n"
                              "      expression: nosuchroot.a == 1\n"
                              "    - id: second\n"
                              "      expression: otherroot.b\n";

static void bad_policies(void) {
    const rp_bundle *b = NULL;
    rp_error *err = NULL;
    rp_status st = rp_bundle_from_yaml("bad.yaml", 8, BAD_POLICY, sizeof BAD_POLICY - 1, &b, &err);
    EXPECT(st == RP_STATUS_POLICY_ERROR, "bad policy: status %u", st);
    EXPECT(b == NULL, "bundle_out written on failure");
    EXPECT(str_is(rp_error_file(err), "bad.yaml"), "file: %s", show(rp_error_file(err)));
    EXPECT(rp_error_line(err) == 7 && rp_error_column(err) == 48, "location %zu:%zu, want 7:48",
           rp_error_line(err), rp_error_column(err));
    EXPECT(str_is(rp_error_rule(err), "broken-gate"), "rule: %s", show(rp_error_rule(err)));
    EXPECT(str_has(rp_error_display(err), "bad.yaml:7:48: "), "display: %s",
           show(rp_error_display(err)));
    EXPECT(code_is(err, "RP0201"), "code of a CEL syntax error: %s", show_code(err));
    rp_error_free(err);

    err = NULL;
    st = rp_bundle_from_yaml("two.yaml", 8, TWO_BAD, sizeof TWO_BAD - 1, &b, &err);
    EXPECT(st == RP_STATUS_POLICY_ERROR, "two bad gates: status %u", st);
    EXPECT(rp_error_count(err) == 2, "two bad gates: %zu errors: %s", rp_error_count(err),
           show(rp_error_display(err)));
    EXPECT(str_is(rp_error_rule(err), "first"), "first rule: %s", show(rp_error_rule(err)));
    EXPECT(code_is(err, "RP0202"), "code of the first error: %s", show_code(err));
    /* Each problem with its hint on the next line. */
    EXPECT(str_has(rp_error_display(err), "two.yaml:7:19: unknown name `nosuchroot`\n  hint: "),
           "display: %s", show(rp_error_display(err)));
    rp_buf json = {NULL, 0};
    EXPECT(rp_error_to_json(err, &json) == RP_STATUS_OK, "to_json");
    EXPECT(str_has(buf_str(json), "\"rule\":\"second\"") && str_has(buf_str(json), "\"line\":9") &&
               str_has(buf_str(json), "\"code\":\"RP0202\""),
           "error JSON lists both: %s", show(buf_str(json)));
    rp_buf_free(&json);
    rp_error_free(err);

    /* Not YAML at all, and no policy text. */
    err = NULL;
    st = rp_bundle_from_yaml("junk.yaml", 9, "spec: [", 7, &b, &err);
    expect_error(st, &err, RP_STATUS_POLICY_ERROR, "unparsable YAML");
    err = NULL;
    st = rp_bundle_from_yaml("empty.yaml", 10, "", 0, &b, &err);
    expect_error(st, &err, RP_STATUS_POLICY_ERROR, "empty policy text");
}

static void directories_and_builders(const char *root, const char *facts, size_t len) {
    const rp_bundle *b = NULL;
    rp_error *err = NULL;
    const char *missing = join(root, "no/such/dir");
    rp_status st = rp_bundle_from_dir(missing, strlen(missing), &b, &err);
    EXPECT(st == RP_STATUS_IO_ERROR, "missing directory: status %u", st);
    EXPECT(str_is(rp_error_file(err), missing), "file: %s", show(rp_error_file(err)));
    EXPECT(code_is(err, "RP0602"), "code of a missing directory: %s", show_code(err));
    rp_error_free(err);

    err = NULL;
    EXPECT(rp_bundle_from_dir("", 0, &b, &err) == RP_STATUS_IO_ERROR, "empty path: %s",
           show(rp_error_display(err)));
    rp_error_free(err);

    /* The policies directory of the repository is the standard pack:
     * the same digest as the built-in one. */
    const char *dir = join(root, "policies");
    err = NULL;
    st = rp_bundle_from_dir(dir, strlen(dir), &b, &err);
    REQUIRE(st == RP_STATUS_OK, "from_dir(policies): %s", show(rp_error_display(err)));
    const rp_bundle *builtin = NULL;
    REQUIRE(rp_bundle_builtin(&builtin, NULL) == RP_STATUS_OK, "builtin");
    rp_buf d1 = {NULL, 0}, d2 = {NULL, 0};
    EXPECT(rp_bundle_digest(b, &d1, NULL) == RP_STATUS_OK, "digest");
    EXPECT(rp_bundle_digest(builtin, &d2, NULL) == RP_STATUS_OK, "digest");
    EXPECT(strncmp(d1.data, "sha256:", 7) == 0 && d1.len == 7 + 64, "digest: %s", d1.data);
    EXPECT(d1.len == d2.len && memcmp(d1.data, d2.data, d1.len) == 0,
           "policies/ and the built-in pack differ: %s vs %s", d1.data, d2.data);
    rp_buf decision = {NULL, 0};
    EXPECT(rp_bundle_check(b, facts, len, 0, &decision, NULL, NULL) == RP_STATUS_OK, "check");
    EXPECT(str_has(buf_str(decision), d1.data), "the decision names the bundle digest");
    rp_buf_free(&decision);
    rp_buf_free(&d1);
    rp_buf_free(&d2);
    rp_bundle_free(b);
    rp_bundle_free(builtin);

    /* Builders: no layers; a missing directory reported at build; layers. */
    rp_bundle_builder *builder = rp_bundle_builder_new();
    REQUIRE(builder != NULL, "builder_new");
    err = NULL;
    b = NULL;
    st = rp_bundle_builder_build(builder, &b, &err);
    EXPECT(st == RP_STATUS_POLICY_ERROR && b == NULL, "build with no layers: status %u", st);
    EXPECT(str_has(rp_error_message(err), "no policy layers"), "message: %s",
           show(rp_error_message(err)));
    EXPECT(code_is(err, "RP0110"), "code of a builder with no layers: %s", show_code(err));
    rp_error_free(err);
    EXPECT(rp_bundle_builder_add_builtin(builder, NULL) == RP_STATUS_OK, "add_builtin");
    EXPECT(rp_bundle_builder_add_yaml(builder, "team.yaml", 9, TWO_BAD, 0, NULL) == RP_STATUS_OK,
           "add_yaml (zero-length text)");
    err = NULL;
    b = NULL;
    st = rp_bundle_builder_build(builder, &b, &err);
    EXPECT(st == RP_STATUS_OK, "an empty layer over the pack adds nothing: status %u: %s", st,
           show(rp_error_display(err)));
    rp_bundle_free(b);
    rp_bundle_builder_free(builder);

    builder = rp_bundle_builder_new();
    EXPECT(rp_bundle_builder_add_dir(builder, missing, strlen(missing), NULL) == RP_STATUS_OK,
           "add_dir defers the error to build");
    err = NULL;
    st = rp_bundle_builder_build(builder, &b, &err);
    EXPECT(st == RP_STATUS_IO_ERROR, "build with a missing directory: status %u", st);
    EXPECT(str_is(rp_error_file(err), missing), "file: %s", show(rp_error_file(err)));
    rp_error_free(err);
    rp_bundle_builder_free(builder);

    builder = rp_bundle_builder_new();
    EXPECT(rp_bundle_builder_add_builtin(builder, NULL) == RP_STATUS_OK, "add_builtin");
    const char *extra = "apiVersion: release-policy/v1\nkind: Policy\n"
                        "metadata: {name: team, version: 1.0.0}\nspec:\n  gates:\n"
                        "    - id: team-gate\n      expression: release.author != \"mallory\"\n";
    EXPECT(rp_bundle_builder_add_yaml(builder, "team.yaml", 9, extra, strlen(extra), NULL) ==
               RP_STATUS_OK,
           "add_yaml");
    b = NULL;
    err = NULL;
    st = rp_bundle_builder_build(builder, &b, &err);
    REQUIRE(st == RP_STATUS_OK, "build: %s", show(rp_error_display(err)));
    const rp_bundle *again = NULL;
    EXPECT(rp_bundle_builder_build(builder, &again, NULL) == RP_STATUS_OK,
           "a builder builds again");
    rp_bundle_builder_free(builder); /* bundles outlive their builder */
    decision.data = NULL;
    rp_verdict v = 0;
    EXPECT(rp_bundle_check(b, facts, len, 0, &decision, &v, NULL) == RP_STATUS_OK, "check");
    EXPECT(str_has(buf_str(decision), "\"rule\":\"team-gate\"") && v == RP_VERDICT_GO,
           "the team layer's gate is in the decision");
    rp_buf_free(&decision);
    rp_bundle_free(again);
    rp_bundle_free(b);
}

static void yaml_and_json_facts(const rp_bundle *b, const char *root, const char *inputs) {
    size_t ylen, jlen;
    char *yaml = read_file(join(root, "examples/releases/checkout-2.4.0.yaml"), &ylen);
    char *json = read_file(join(inputs, "releases/checkout-2.4.0.json"), &jlen);
    rp_buf from_yaml = {NULL, 0}, from_json = {NULL, 0};
    rp_verdict vy = 0, vj = 0;
    EXPECT(rp_bundle_check(b, yaml, ylen, 0, &from_yaml, &vy, NULL) == RP_STATUS_OK, "YAML facts");
    EXPECT(rp_bundle_check(b, json, jlen, 0, &from_json, &vj, NULL) == RP_STATUS_OK, "JSON facts");
    EXPECT(vy == RP_VERDICT_NO_GO && vj == RP_VERDICT_NO_GO, "checkout-2.4.0 is no-go: %u %u", vy,
           vj);
    EXPECT(from_yaml.len == from_json.len && memcmp(from_yaml.data, from_json.data, from_json.len) == 0,
           "the same facts as YAML and as JSON decide differently");
    EXPECT(strlen(from_json.data) == from_json.len && from_json.data[from_json.len] == '\0',
           "decision buffer is NUL-terminated");
    /* The verdict alone: the same verdict, no JSON (an empty buffer). */
    rp_buf none = {NULL, 0};
    rp_verdict vo = 0;
    EXPECT(rp_bundle_check(b, json, jlen, RP_VERDICT_ONLY, &none, &vo, NULL) == RP_STATUS_OK,
           "RP_VERDICT_ONLY");
    EXPECT(vo == vj && none.len == 0, "verdict only: %u (JSON: %u), %zu bytes", vo, vj, none.len);
    rp_buf_free(&none);
    rp_buf_free(&from_yaml);
    rp_buf_free(&from_json);
    EXPECT(from_yaml.data == NULL && from_yaml.len == 0, "rp_buf_free resets the buffer");
    rp_buf_free(&from_yaml); /* a second free of a reset buffer is harmless */
    free(yaml);
    free(json);
}

static void versions_and_names(void) {
    EXPECT(rp_abi_version() == RP_ABI_VERSION, "ABI %u, header %u", rp_abi_version(),
           RP_ABI_VERSION);
    EXPECT(strlen(rp_version()) >= 5 && strchr(rp_version(), '.') != NULL, "version `%s`",
           rp_version());
    const char *names[] = {"ok",     "null-argument", "invalid-utf8", "policy",           "facts",
                           "evaluation", "io",        "panic",        "invalid-argument", "other"};
    for (rp_status s = 0; s <= RP_STATUS_OTHER_ERROR; s++) {
        EXPECT(strcmp(rp_status_name(s), names[s]) == 0, "status %u is `%s`", s, rp_status_name(s));
    }
    EXPECT(strcmp(rp_status_name(9999), "unknown") == 0, "an unknown status");
    EXPECT(RP_STATUS_OK == 0 && RP_STATUS_NULL_ARGUMENT == 1 && RP_STATUS_INVALID_UTF8 == 2 &&
               RP_STATUS_POLICY_ERROR == 3 && RP_STATUS_FACTS_ERROR == 4 &&
               RP_STATUS_EVALUATION_ERROR == 5 && RP_STATUS_IO_ERROR == 6 &&
               RP_STATUS_PANIC == 7 && RP_STATUS_INVALID_ARGUMENT == 8,
           "status numbers are part of the ABI");
}

int main(int argc, char **argv) {
    REQUIRE(argc == 3, "usage: errors REPO_ROOT INPUTS_DIR");
    const char *root = argv[1], *inputs = argv[2];
    const rp_bundle *b = NULL;
    rp_error *err = NULL;
    REQUIRE(rp_bundle_builtin(&b, &err) == RP_STATUS_OK, "builtin: %s",
            show(rp_error_display(err)));
    size_t len;
    char *facts = read_file(join(inputs, "releases/payments-1.8.0.json"), &len);

    null_arguments(b, facts, len);
    invalid_utf8_and_lengths(b, facts, len);
    bad_facts(b);
    bad_policies();
    directories_and_builders(root, facts, len);
    yaml_and_json_facts(b, root, inputs);
    versions_and_names();

    free(facts);
    rp_bundle_free(b);
    return finish("errors");
}
