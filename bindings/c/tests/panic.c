/*
 * A panic inside the library becomes RP_STATUS_PANIC with an error, not an
 * abort of this program, and the library stays usable afterwards. Needs a
 * library built with the `test-panic` feature, which exports the hidden
 * rp_test_panic (not in the header, so it is declared here).
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

rp_status rp_test_panic(rp_error **error_out);

int main(void) {
    rp_error *err = NULL;
    rp_status st = rp_test_panic(&err);
    EXPECT(st == RP_STATUS_PANIC, "status %u (%s)", st, rp_status_name(st));
    EXPECT(rp_error_status(err) == RP_STATUS_PANIC, "error status");
    EXPECT(str_has(rp_error_message(err), "test panic requested by `rp_test_panic`"),
           "message: %s", show(rp_error_message(err)));
    EXPECT(str_has(rp_error_hint(err), "bug"), "hint: %s", show(rp_error_hint(err)));
    rp_error_free(err);
    EXPECT(rp_test_panic(NULL) == RP_STATUS_PANIC, "without error_out");

    /* Still usable. */
    const rp_bundle *b = NULL;
    const char *facts = "{\"now\": \"2026-11-26T10:00:00Z\"}";
    rp_buf out = {NULL, 0};
    err = NULL;
    EXPECT(rp_bundle_builtin(&b, NULL) == RP_STATUS_OK, "builtin after a panic");
    st = rp_bundle_check(b, facts, strlen(facts), 0, &out, NULL, &err);
    EXPECT(st == RP_STATUS_OK || st == RP_STATUS_FACTS_ERROR, "check after a panic: %u", st);
    rp_error_free(err);
    rp_buf_free(&out);
    rp_bundle_free(b);
    return finish("panic");
}
