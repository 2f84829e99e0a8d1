//! [`rp_bundle`] (a compiled, immutable, shareable set of policies) and
//! [`rp_bundle_builder`] (layers), `rp_bundle_check` and
//! `rp_bundle_assess`.
//!
//! An `rp_bundle *` is an `Arc` turned into a pointer: `rp_bundle_retain`
//! adds a reference, `rp_bundle_free` drops one, and the bundle goes away
//! with the last. `rp_bundle_assess` follows `rp_bundle_check`: same
//! arguments, same flags, its own JSON.
//!
//! This file holds the bundle and its constructors; the verdicts and flags
//! are in `verdict.rs`, the deciding calls in `check.rs`, digest, retain and
//! free in `handle.rs`, the builder in `builder.rs`.

use std::ffi::c_char;
use std::sync::Arc;

use crate::boundary::{call, required, str_arg, write};
use crate::error::rp_error;
use crate::status::rp_status;

// cbindgen writes the header's functions in the order it meets them (this
// file's first, then each module's as declared): keep these in this order.
mod verdict;

mod check;

mod handle;

mod builder;

pub use builder::{
    rp_bundle_builder, rp_bundle_builder_add_builtin, rp_bundle_builder_add_dir,
    rp_bundle_builder_add_yaml, rp_bundle_builder_build, rp_bundle_builder_free,
    rp_bundle_builder_new,
};
pub(crate) use check::{checked, decide};
pub use check::{
    rp_bundle_assess, rp_bundle_assess_with_catalog, rp_bundle_check, rp_bundle_check_with_catalog,
};
pub use handle::{rp_bundle_digest, rp_bundle_free, rp_bundle_retain};
pub use verdict::{
    RP_JSON_PRETTY, RP_ROLLOUT_CONTINUE, RP_ROLLOUT_HOLD, RP_ROLLOUT_PROMOTE, RP_ROLLOUT_ROLLBACK,
    RP_VERDICT_GO, RP_VERDICT_NO_GO, RP_VERDICT_ONLY, RP_VERDICT_PENDING, rp_rollout_verdict,
    rp_verdict,
};

/// A compiled, immutable set of policies. Thread-safe: one bundle may be
/// used from any number of threads at once. Reference-counted: every
/// handle from a constructor or `rp_bundle_retain` is released with one
/// `rp_bundle_free`.
pub struct rp_bundle {
    bundle: release_policy_core::Bundle,
}

impl rp_bundle {
    /// The engine's bundle.
    pub(crate) fn core(&self) -> &release_policy_core::Bundle {
        &self.bundle
    }
}

/// Hand a new bundle to C.
///
/// # Safety
/// `out` is checked not NULL and writable.
unsafe fn give(
    out: *mut *const rp_bundle,
    result: Result<release_policy_core::Bundle, release_policy_core::Error>,
) -> Result<(), rp_error> {
    let bundle = result.map_err(|e| rp_error::from_engine(&e))?;
    let ptr = Arc::into_raw(Arc::new(rp_bundle { bundle }));
    // SAFETY: guaranteed by the caller.
    unsafe { write(out, ptr) };
    Ok(())
}

/// Borrow the bundle behind a handle.
///
/// # Safety
/// `bundle` is NULL or a live handle.
pub(crate) unsafe fn bundle_ref<'a>(bundle: *const rp_bundle) -> Result<&'a rp_bundle, rp_error> {
    required("bundle", bundle)?;
    // SAFETY: not NULL; a live handle points into a live `Arc` (contract).
    Ok(unsafe { &*bundle })
}

/// The built-in pack's one handle for the whole process: never freed, so
/// no count of frees and retains can release it.
static BUILTIN: std::sync::OnceLock<Result<usize, release_policy_core::Error>> =
    std::sync::OnceLock::new();

/// The address of the built-in handle, if it was made.
fn builtin_handle() -> Option<*const rp_bundle> {
    match BUILTIN.get() {
        Some(Ok(address)) => Some(*address as *const rp_bundle),
        _ => None,
    }
}

/// Whether `bundle` is the built-in pack's handle (whose retain and free do
/// nothing).
fn is_builtin(bundle: *const rp_bundle) -> bool {
    builtin_handle() == Some(bundle)
}

/// The standard policy pack built into the library, into `*bundle_out`.
/// The pack is compiled once per process; every call gives the same
/// handle, which lives until the process ends: `rp_bundle_free` and
/// `rp_bundle_retain` on it do nothing, so releasing it too often (or not
/// at all) is harmless. Freeing it once per call, as with any handle, is
/// still the clean habit.
///
/// # Safety
/// `bundle_out` is NULL or writable; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_builtin(
    bundle_out: *mut *const rp_bundle,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        required("bundle_out", bundle_out)?;
        let made = BUILTIN.get_or_init(|| {
            release_policy_core::Bundle::try_builtin().map(|bundle| {
                // Leaked on purpose: the one built-in handle outlives
                // every caller.
                Arc::into_raw(Arc::new(rp_bundle { bundle })) as usize
            })
        });
        match made {
            Ok(address) => {
                // SAFETY: `bundle_out` checked above.
                unsafe { write(bundle_out, *address as *const rp_bundle) };
                Ok(())
            }
            Err(e) => Err(rp_error::from_engine(e)),
        }
    })
}

/// Every policy file below the directory `path` (`path_len` bytes of
/// UTF-8), as one layer, into `*bundle_out`.
///
/// # Safety
/// `path` points to `path_len` readable bytes; `bundle_out` and
/// `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_from_dir(
    path: *const c_char,
    path_len: usize,
    bundle_out: *mut *const rp_bundle,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `path`/`path_len`.
        let path = unsafe { str_arg("path", path, path_len) }?;
        required("bundle_out", bundle_out)?;
        // SAFETY: `bundle_out` checked above.
        unsafe { give(bundle_out, release_policy_core::Bundle::from_dir(path)) }
    })
}

/// Policies from YAML text (one or more `---`-separated documents), into
/// `*bundle_out`; `name` stands for the file in error locations.
///
/// # Safety
/// `name`/`yaml` point to `name_len`/`yaml_len` readable bytes;
/// `bundle_out` and `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_from_yaml(
    name: *const c_char,
    name_len: usize,
    yaml: *const c_char,
    yaml_len: usize,
    bundle_out: *mut *const rp_bundle,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on the strings.
        let name = unsafe { str_arg("name", name, name_len) }?;
        // SAFETY: as above.
        let yaml = unsafe { str_arg("yaml", yaml, yaml_len) }?;
        required("bundle_out", bundle_out)?;
        // SAFETY: `bundle_out` checked above.
        unsafe {
            give(
                bundle_out,
                release_policy_core::Bundle::from_yaml_str(name, yaml),
            )
        }
    })
}
