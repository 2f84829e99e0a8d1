//! Test-only exports (feature `test-panic`; never in the header).

use crate::error::rp_error;
use crate::status::rp_status;

/// Panics inside the panic boundary, so a C test can check that the host
/// gets `RP_STATUS_PANIC` (and an error) instead of an abort.
///
/// # Safety
/// `error_out` is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::panic)]
pub unsafe extern "C" fn rp_test_panic(error_out: *mut *mut rp_error) -> rp_status {
    crate::boundary::call(error_out, || {
        panic!("test panic requested by `rp_test_panic`")
    })
}
