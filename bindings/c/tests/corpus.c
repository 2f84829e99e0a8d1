/*
 * The conformance corpus through the C ABI: every case of tests/corpus is
 * decided (`check`) or assessed (`assess`), as its `command` says, and its
 * JSON compared byte for byte with the golden
 * NAME.decision.json (which is the pretty JSON plus a newline). The
 * compact JSON must be the pretty JSON minus its whitespace, the
 * verdict out-parameter must agree with the JSON, and `RP_VERDICT_ONLY`
 * must give the same verdict with no JSON.
 *
 * Usage: corpus CASES.tsv, where each line is
 *   COMMAND <TAB> NAME <TAB> POLICIES <TAB> FACTS.json <TAB> GOLDEN.json <TAB> CATALOG
 * (POLICIES is `builtin` or a file of policy YAML; CATALOG a catalog
 * directory, used with rp_bundle_check_with_catalog or
 * rp_bundle_assess_with_catalog, or `-`), as written by
 * `cargo run -p release-policy-c --example c_test_inputs`.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

/* Pretty JSON with the whitespace outside strings removed. */
static char *minify(const char *json, size_t len) {
    char *out = malloc(len + 1);
    size_t n = 0;
    int in_string = 0, escaped = 0;
    if (out == NULL) {
        exit(2);
    }
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (in_string) {
            if (escaped) {
                escaped = 0;
            } else if (c == '\\') {
                escaped = 1;
            } else if (c == '"') {
                in_string = 0;
            }
        } else if (c == '"') {
            in_string = 1;
        } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            continue;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    return out;
}

/* The verdict as it appears in the pretty JSON of a decision (`check`)
 * or of an assessment (`assess`). */
static const char *verdict_json(int assess, uint32_t v) {
    if (assess) {
        switch (v) {
        case RP_ROLLOUT_PROMOTE:
            return "\"verdict\": \"promote\"";
        case RP_ROLLOUT_CONTINUE:
            return "\"verdict\": \"continue\"";
        case RP_ROLLOUT_HOLD:
            return "\"verdict\": \"hold\"";
        case RP_ROLLOUT_ROLLBACK:
            return "\"verdict\": \"rollback\"";
        default:
            return "<not a rollout verdict>";
        }
    }
    switch (v) {
    case RP_VERDICT_GO:
        return "\"verdict\": \"go\"";
    case RP_VERDICT_PENDING:
        return "\"verdict\": \"pending\"";
    case RP_VERDICT_NO_GO:
        return "\"verdict\": \"no-go\"";
    default:
        return "<not a verdict>";
    }
}

/* Report the first line where got and want differ. */
static void show_difference(const char *name, const char *got, const char *want) {
    size_t line = 1;
    const char *g = got, *w = want;
    while (*g != '\0' && *g == *w) {
        if (*g == '\n') {
            line++;
        }
        g++;
        w++;
    }
    fprintf(stderr, "%s: decision differs from the golden file at line %zu\n", name, line);
}

/* rp_bundle_check or rp_bundle_assess: the same shape. */
typedef rp_status (*decide_fn)(const rp_bundle *, const char *, size_t, uint32_t, rp_buf *,
                               uint32_t *, rp_error **);

/* The catalog of the case being run, for check_in_catalog. */
static const rp_catalog *case_catalog = NULL;

/* rp_bundle_check_with_catalog over case_catalog, in decide_fn's shape. */
static rp_status check_in_catalog(const rp_bundle *bundle, const char *facts, size_t len,
                                  uint32_t flags, rp_buf *out, uint32_t *verdict,
                                  rp_error **err) {
    return rp_bundle_check_with_catalog(bundle, case_catalog, facts, len, flags, out, verdict,
                                        err);
}

/* rp_bundle_assess_with_catalog over case_catalog, in decide_fn's shape. */
static rp_status assess_in_catalog(const rp_bundle *bundle, const char *facts, size_t len,
                                   uint32_t flags, rp_buf *out, uint32_t *verdict,
                                   rp_error **err) {
    return rp_bundle_assess_with_catalog(bundle, case_catalog, facts, len, flags, out, verdict,
                                         err);
}

static void run_case(const char *command, const char *name, const char *policies,
                     const char *facts_path, const char *golden_path, const char *catalog) {
    int assess = strcmp(command, "assess") == 0;
    decide_fn decide = assess ? rp_bundle_assess : rp_bundle_check;
    if (strcmp(catalog, "-") != 0) {
        rp_error *cerr = NULL;
        rp_status cst = rp_catalog_from_dir(catalog, strlen(catalog), &case_catalog, &cerr);
        if (cst != RP_STATUS_OK) {
            EXPECT(0, "%s: loading the catalog: %s", name, show(rp_error_display(cerr)));
            rp_error_free(cerr);
            return;
        }
        decide = assess ? assess_in_catalog : check_in_catalog;
    }
    rp_error *err = NULL;
    const rp_bundle *bundle = NULL;
    rp_status st;
    if (strcmp(policies, "builtin") == 0) {
        st = rp_bundle_builtin(&bundle, &err);
    } else {
        size_t yaml_len;
        char *yaml = read_file(policies, &yaml_len);
        st = rp_bundle_from_yaml(name, strlen(name), yaml, yaml_len, &bundle, &err);
        free(yaml);
    }
    if (st != RP_STATUS_OK) {
        EXPECT(0, "%s: loading the policies: %s", name, show(rp_error_display(err)));
        rp_error_free(err);
        rp_catalog_free(case_catalog);
        case_catalog = NULL;
        return;
    }

    size_t facts_len, golden_len;
    char *facts = read_file(facts_path, &facts_len);
    char *golden = read_file(golden_path, &golden_len);
    rp_buf pretty = {NULL, 0}, compact = {NULL, 0};
    uint32_t verdict = 0, verdict2 = 0;

    st = decide(bundle, facts, facts_len, RP_JSON_PRETTY, &pretty, &verdict, &err);
    if (st != RP_STATUS_OK) {
        EXPECT(0, "%s: %s: %s", name, command, show(rp_error_display(err)));
        rp_error_free(err);
    } else {
        /* The golden file is the pretty JSON and a newline. */
        int same = pretty.len + 1 == golden_len && memcmp(pretty.data, golden, pretty.len) == 0 &&
                   golden[pretty.len] == '\n';
        if (!same) {
            show_difference(name, pretty.data, golden);
        }
        EXPECT(same, "%s: decision JSON is not byte-identical with %s", name, golden_path);
        EXPECT(strstr(pretty.data, verdict_json(assess, verdict)) != NULL,
               "%s: verdict out-parameter %u disagrees with the JSON", name, verdict);

        st = decide(bundle, facts, facts_len, 0, &compact, &verdict2, NULL);
        EXPECT(st == RP_STATUS_OK, "%s: compact check: status %u", name, st);
        if (st == RP_STATUS_OK) {
            char *minified = minify(pretty.data, pretty.len);
            EXPECT(strlen(minified) == compact.len && memcmp(minified, compact.data, compact.len) == 0,
                   "%s: compact JSON is not the pretty JSON without whitespace", name);
            EXPECT(verdict2 == verdict, "%s: verdicts differ between calls", name);
            free(minified);
        }

        /* The verdict alone (for a check, the engine's own verdict-only
         * path): the same verdict, an empty buffer. */
        rp_buf none = {NULL, 0};
        uint32_t alone = 0;
        st = decide(bundle, facts, facts_len, RP_VERDICT_ONLY, &none, &alone, NULL);
        EXPECT(st == RP_STATUS_OK, "%s: RP_VERDICT_ONLY: status %u", name, st);
        EXPECT(alone == verdict && none.len == 0,
               "%s: RP_VERDICT_ONLY gave %u and %zu bytes, the decision %u", name, alone,
               none.len, verdict);
        rp_buf_free(&none);
    }
    rp_buf_free(&pretty);
    rp_buf_free(&compact);
    free(facts);
    free(golden);
    rp_bundle_free(bundle);
    rp_catalog_free(case_catalog);
    case_catalog = NULL;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2, "usage: corpus CASES.tsv");
    size_t len;
    char *manifest = read_file(argv[1], &len);
    int cases = 0;
    char *save_line = NULL;
    for (char *line = strtok_r(manifest, "\n", &save_line); line != NULL;
         line = strtok_r(NULL, "\n", &save_line)) {
        char *save = NULL;
        char *command = strtok_r(line, "\t", &save);
        char *name = strtok_r(NULL, "\t", &save);
        char *policies = strtok_r(NULL, "\t", &save);
        char *facts = strtok_r(NULL, "\t", &save);
        char *golden = strtok_r(NULL, "\t", &save);
        char *catalog = strtok_r(NULL, "\t", &save);
        REQUIRE(catalog != NULL, "malformed line in %s", argv[1]);
        if (strcmp(command, "check") == 0 || strcmp(command, "assess") == 0) {
            run_case(command, name, policies, facts, golden, catalog);
        } else {
            EXPECT(0, "%s: unknown corpus command `%s`", name, command);
        }
        cases++;
    }
    free(manifest);
    REQUIRE(cases >= 6, "the corpus has only %d cases", cases);
    printf("corpus: %d cases\n", cases);
    return finish("corpus");
}
