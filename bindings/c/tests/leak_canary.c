/*
 * Leaks on purpose: a decision buffer and an error are never freed. The
 * test script expects valgrind and LeakSanitizer to FAIL on this program,
 * proving that the leak checkers see allocations made inside the library
 * (so their silence on the real tests means something).
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

int main(void) {
    const rp_bundle *b = NULL;
    rp_buf out = {NULL, 0};
    rp_error *err = NULL;
    const char *facts = "{\"now\": \"2026-11-26T10:00:00Z\", \"release\": {\"id\": \"x-1.0.0\", "
                        "\"service\": \"x\", \"version\": \"1.0.0\", \"environment\": "
                        "\"production\", \"kind\": \"standard\", \"author\": \"a\"}}";
    REQUIRE(rp_bundle_builtin(&b, NULL) == RP_STATUS_OK, "builtin");
    REQUIRE(rp_bundle_check(b, facts, strlen(facts), 0, &out, NULL, NULL) == RP_STATUS_OK, "check");
    REQUIRE(rp_bundle_check(b, "", 0, 0, &out, NULL, &err) == RP_STATUS_FACTS_ERROR, "bad check");
    /* Drop the only pointers to both, so they are definitely lost. */
    out.data = NULL;
    err = NULL;
    rp_bundle_free(b);
    printf("leak_canary: leaked a decision and an error on purpose\n");
    return 0;
}
