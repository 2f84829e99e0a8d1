/*
 * The built-in bundle survives careless release: it is one handle for the
 * whole process, and rp_bundle_free / rp_bundle_retain on it do nothing.
 * Freed more often than it was obtained, it still decides (before the fix,
 * the extra frees corrupted the heap until a later call aborted).
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

static const char *FACTS =
    "{\"now\": \"2026-11-26T10:00:00Z\", \"release\": {\"id\": \"x-1.0.0\", "
    "\"service\": \"x\", \"version\": \"1.0.0\", \"environment\": \"staging\", "
    "\"kind\": \"standard\", \"author\": \"a\"}}";

int main(void) {
    const rp_bundle *a = NULL, *b = NULL;
    REQUIRE(rp_bundle_builtin(&a, NULL) == RP_STATUS_OK, "builtin");
    REQUIRE(rp_bundle_builtin(&b, NULL) == RP_STATUS_OK, "builtin again");
    EXPECT(a == b, "one handle for the process (%p, %p)", (const void *)a, (const void *)b);
    EXPECT(rp_bundle_retain(a) == a, "retain returns the handle");
    for (int i = 0; i < 10; i++) {
        rp_bundle_free(a); /* over-release: a no-op on the built-in handle */
    }
    for (int i = 0; i < 3; i++) {
        rp_buf out = {NULL, 0};
        rp_verdict verdict = 0;
        rp_status s = rp_bundle_check(b, FACTS, strlen(FACTS), 0, &out, &verdict, NULL);
        EXPECT(s == RP_STATUS_OK, "check after over-release (status %d)", (int)s);
        EXPECT(out.data != NULL && out.len > 0, "a decision");
        rp_buf_free(&out);
    }
    const rp_bundle *c = NULL;
    REQUIRE(rp_bundle_builtin(&c, NULL) == RP_STATUS_OK, "builtin after the frees");
    EXPECT(c == a, "still the same handle");
    rp_bundle_free(c);
    printf("builtin: one handle, over-release harmless\n");
    return finish("builtin");
}
