/*
 * check: may this release go? Reads facts (YAML or JSON) from a file,
 * decides with the built-in policy pack, prints the decision JSON and
 * exits like the command line: 0 go, 1 no-go, 3 pending, 2 error.
 *
 *   cc check.c $(pkg-config --cflags --libs release_policy) -o check
 *   ./check examples/releases/checkout-2.4.0.yaml
 */
#include <stdio.h>
#include <stdlib.h>

#include <release_policy.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: check FACTS_FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    char facts[1 << 16];
    size_t len = fread(facts, 1, sizeof facts, f);
    fclose(f);

    const rp_bundle *bundle = NULL; /* ours: release with rp_bundle_free */
    rp_error *err = NULL;           /* ours if a call fails: rp_error_free */
    rp_buf decision = {NULL, 0};    /* ours on success: rp_buf_free */
    rp_verdict verdict = 0;

    rp_status st = rp_bundle_builtin(&bundle, &err);
    if (st == RP_STATUS_OK) {
        st = rp_bundle_check(bundle, facts, len, RP_JSON_PRETTY, &decision, &verdict, &err);
    }
    if (st != RP_STATUS_OK) {
        /* The message says what and where: file:line:column or JSON path. */
        fprintf(stderr, "error (%s): %s\n", rp_status_name(st), rp_error_display(err).data);
        rp_error_free(err);
        rp_bundle_free(bundle); /* NULL is fine */
        return 2;
    }
    printf("%s\n", decision.data);
    rp_buf_free(&decision);
    rp_bundle_free(bundle);
    return verdict == RP_VERDICT_GO ? 0 : verdict == RP_VERDICT_PENDING ? 3 : 1;
}
