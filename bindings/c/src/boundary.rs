//! The panic boundary and argument checks every export goes through.
//!
//! [`catch`] is the only place that calls `catch_unwind`; [`call`] puts a
//! fallible export inside it and turns the outcome into a status and an
//! optional `rp_error`. The helpers below turn C arguments (pointers,
//! pointer + length strings) into Rust values or an error status.

use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::rp_error;
use crate::status::{RP_STATUS_OK, rp_status};

/// Run `f`; should it panic, return `on_panic(message)` instead of letting
/// the unwind cross the C boundary (which would abort the host).
///
/// `AssertUnwindSafe` is sound here: the exports share no mutable state
/// besides a builder under construction, and a builder a panic interrupts
/// is left empty (see `bundle::builder::with_builder`), never half-updated.
pub(crate) fn catch<R>(on_panic: impl FnOnce(String) -> R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic with a non-string payload".into());
            // Dropping a payload could itself panic (a custom payload with
            // a panicking `Drop`); that panic is caught too, and its own
            // payload leaked rather than unwinding into C.
            if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
                std::mem::forget(again);
            }
            on_panic(message)
        }
    }
}

/// Run a fallible export: `Ok` is `RP_STATUS_OK`; an error (or a panic)
/// gives its status and, if `error_out` is not NULL, is written there as an
/// owned `rp_error`. `error_out` is left alone on success.
pub(crate) fn call(
    error_out: *mut *mut rp_error,
    f: impl FnOnce() -> Result<(), rp_error>,
) -> rp_status {
    let result = catch(|message| Err(rp_error::panic(&message)), f);
    match result {
        Ok(()) => RP_STATUS_OK,
        Err(e) => {
            let status = e.status();
            if !error_out.is_null() {
                // SAFETY: the caller passes either NULL (checked above) or a
                // pointer to writable storage for one `rp_error *`.
                unsafe { error_out.write(Box::into_raw(Box::new(e))) };
            }
            status
        }
    }
}

/// A NULL check for a required pointer argument.
pub(crate) fn required<T>(name: &str, ptr: *const T) -> Result<(), rp_error> {
    if ptr.is_null() {
        Err(rp_error::null_argument(name))
    } else {
        Ok(())
    }
}

/// Write an out-parameter, already checked by [`required`].
///
/// # Safety
/// `out` must be a valid, writable, aligned pointer to a `T`.
pub(crate) unsafe fn write<T>(out: *mut T, value: T) {
    // SAFETY: guaranteed by the caller.
    unsafe { out.write(value) }
}

/// A string argument given as pointer + length: not NULL, at most
/// `isize::MAX` bytes, valid UTF-8. A zero length is an empty string.
///
/// # Safety
/// Unless NULL, `ptr` must point to `len` readable bytes that stay valid
/// and unchanged for `'a`.
pub(crate) unsafe fn str_arg<'a>(
    name: &str,
    ptr: *const c_char,
    len: usize,
) -> Result<&'a str, rp_error> {
    required(name, ptr)?;
    if isize::try_from(len).is_err() {
        return Err(rp_error::invalid_argument(format!(
            "length of `{name}` is `{len}`, more than `PTRDIFF_MAX`"
        )));
    }
    // SAFETY: `ptr` is not NULL and, as the caller guarantees, points to
    // `len` readable bytes; `len` fits in `isize` (checked above).
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    std::str::from_utf8(bytes).map_err(|e| rp_error::invalid_utf8(name, e.valid_up_to()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;

    #[test]
    fn a_panic_becomes_the_panic_status_with_its_message() {
        let mut err: *mut rp_error = std::ptr::null_mut();
        #[allow(clippy::panic)]
        let status = call(&mut err, || panic!("boom `x`"));
        assert_eq!(status, RP_STATUS_PANIC);
        assert!(!err.is_null());
        // SAFETY: `call` wrote an owned error.
        let e = unsafe { Box::from_raw(err) };
        assert!(e.display().contains("boom `x`"), "{}", e.display());
    }

    #[test]
    fn success_leaves_error_out_alone() {
        let sentinel = 0x10 as *mut rp_error;
        let mut err = sentinel;
        assert_eq!(call(&mut err, || Ok(())), RP_STATUS_OK);
        assert_eq!(err, sentinel);
    }

    #[test]
    fn a_null_error_out_still_gives_the_status() {
        let status = call(std::ptr::null_mut(), || Err(rp_error::null_argument("x")));
        assert_eq!(status, RP_STATUS_NULL_ARGUMENT);
    }

    #[test]
    fn string_arguments_are_checked() {
        // SAFETY: every pointer below is NULL or points to `len` bytes.
        unsafe {
            assert_eq!(
                str_arg("a", std::ptr::null(), 0).map_err(|e| e.status()),
                Err(RP_STATUS_NULL_ARGUMENT)
            );
            let bad = b"ok\xff";
            let e = str_arg("facts", bad.as_ptr().cast(), 3).err();
            assert_eq!(e.as_ref().map(|e| e.status()), Some(RP_STATUS_INVALID_UTF8));
            assert!(e.is_some_and(|e| e.display().contains("offset 2")));
            assert_eq!(str_arg("a", b"xy".as_ptr().cast(), 0).ok(), Some(""));
            assert_eq!(str_arg("a", b"xy".as_ptr().cast(), 1).ok(), Some("x"));
            assert_eq!(
                str_arg("a", b"xy".as_ptr().cast(), usize::MAX).map_err(|e| e.status()),
                Err(RP_STATUS_INVALID_ARGUMENT)
            );
        }
    }
}
