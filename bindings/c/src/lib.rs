//! # The C ABI of release-policy
//!
//! `librelease_policy.so` / `librelease_policy.a` with the header
//! `include/release_policy.h` (generated from this crate by cbindgen; the
//! doc comments here become the header's comments). The conventions follow
//! rustls-ffi:
//!
//! - every symbol is `rp_<type>_<verb>`; types are opaque handles
//!   ([`bundle::rp_bundle`], [`bundle::rp_bundle_builder`],
//!   [`plan::rp_catalog`], [`review::rp_records`], [`error::rp_error`]) or
//!   small `#[repr(C)]` structs ([`buf::rp_buf`], [`buf::rp_str`]);
//! - every fallible call returns an [`status::rp_status`] and, when the
//!   caller passes a non-NULL `rp_error **error_out`, an owned
//!   [`error::rp_error`] with the details; there is no thread-local "last
//!   error";
//! - out-parameters are written only on success;
//! - strings go in as pointer + length (UTF-8, validated; they need no NUL)
//!   and owned strings come out as an [`buf::rp_buf`], freed with
//!   [`buf::rp_buf_free`];
//! - every export runs inside one panic boundary
//!   (`boundary::catch`): a panic becomes `RP_STATUS_PANIC`, never an
//!   abort of the host.
//!
//! The layer is thin: it validates arguments, calls the engine and
//! converts the results. No decision logic lives here.
//!
//! Ownership and threading rules, the status table and examples are in
//! `docs/bindings/c.md`.
#![allow(non_camel_case_types)] // C type names: `rp_bundle`, `rp_status`, …

mod boundary;
pub mod buf;
pub mod bundle;
pub mod error;
pub mod plan;
pub mod review;
pub mod status;
#[cfg(feature = "test-panic")]
pub mod testing;

use std::ffi::c_char;

/// The version of the C ABI this header describes. It changes only when a
/// signature, a struct layout or the meaning of a value changes
/// incompatibly; compare it with `rp_abi_version()` at start-up to detect a
/// header/library mismatch.
pub const RP_ABI_VERSION: u32 = 1;

/// The library version (`MAJOR.MINOR.PATCH`), as a static NUL-terminated
/// string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn rp_version() -> *const c_char {
    // NUL-terminated at compile time; the string is static.
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    boundary::catch(|_| c"unknown".as_ptr(), || VERSION.as_ptr().cast())
}

/// The ABI version of the library that is loaded; equals `RP_ABI_VERSION`
/// of the header it was built with.
#[unsafe(no_mangle)]
pub extern "C" fn rp_abi_version() -> u32 {
    boundary::catch(|_| RP_ABI_VERSION, || RP_ABI_VERSION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_the_crate_version() {
        // SAFETY: `rp_version` returns a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(rp_version()) };
        assert_eq!(v.to_str().ok(), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(rp_abi_version(), RP_ABI_VERSION);
    }
}
