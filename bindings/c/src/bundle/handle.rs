//! What a bundle handle offers besides deciding: its digest, and
//! `rp_bundle_retain` / `rp_bundle_free` (the built-in handle is never released).

use std::sync::Arc;

use super::{bundle_ref, is_builtin, rp_bundle};
use crate::boundary::{call, catch, required, write};
use crate::buf::rp_buf;
use crate::error::rp_error;
use crate::status::rp_status;

/// The bundle's digest (`sha256:…` over its canonical policies, as in every
/// decision's `bundle.digest`), into `*digest_out`; free it with
/// `rp_buf_free`.
///
/// # Safety
/// `bundle` is NULL or a live handle; `digest_out` and `error_out` are
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_digest(
    bundle: *const rp_bundle,
    digest_out: *mut rp_buf,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `bundle`.
        let bundle = unsafe { bundle_ref(bundle) }?;
        required("digest_out", digest_out)?;
        // SAFETY: checked above.
        unsafe {
            write(
                digest_out,
                rp_buf::from_string(bundle.bundle.digest().to_string()),
            )
        };
        Ok(())
    })
}

/// Add a reference to a bundle, for another owner (another thread, say);
/// returns `bundle` itself (NULL for NULL). Each reference is released
/// with its own `rp_bundle_free`.
///
/// # Safety
/// `bundle` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_retain(bundle: *const rp_bundle) -> *const rp_bundle {
    catch(
        |_| std::ptr::null(),
        || {
            if !bundle.is_null() && !is_builtin(bundle) {
                // SAFETY: a live handle came from `Arc::into_raw` and still
                // holds at least one strong count (contract).
                unsafe { Arc::increment_strong_count(bundle) };
            }
            bundle
        },
    )
}

/// Release one reference to a bundle; the last release frees it. NULL is
/// a no-op.
///
/// # Safety
/// `bundle` is NULL or a live handle, released at most once per reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_free(bundle: *const rp_bundle) {
    catch(
        |_| (),
        || {
            if !bundle.is_null() && !is_builtin(bundle) {
                // SAFETY: a live handle came from `Arc::into_raw` and this
                // releases one of its references (contract).
                drop(unsafe { Arc::from_raw(bundle) });
            }
        },
    )
}
