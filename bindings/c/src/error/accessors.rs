//! The C accessors of an [`rp_error`] (`rp_error_status`, `rp_error_message`,
//! …, `rp_error_to_json`) and `rp_error_free`.

use std::ffi::c_char;

use super::rp_error;
use crate::buf::{NulString, rp_buf, rp_str};
use crate::status::{RP_STATUS_NULL_ARGUMENT, rp_status};

/// Run `f` on the error, or return `default` for NULL (and on a panic).
fn with_error<R>(
    err: *const rp_error,
    default: impl Fn() -> R,
    f: impl FnOnce(&rp_error) -> R,
) -> R {
    crate::boundary::catch(
        |_| default(),
        || {
            if err.is_null() {
                return default();
            }
            // SAFETY: not NULL, and (caller's contract) a live `rp_error`
            // made by the library.
            f(unsafe { &*err })
        },
    )
}

fn opt_str(s: Option<&NulString>) -> rp_str {
    s.map_or(rp_str::ABSENT, NulString::as_rp_str)
}

/// The status of the call that made this error; `RP_STATUS_NULL_ARGUMENT`
/// for NULL.
///
/// # Safety
/// `err` is NULL or a live `rp_error` (not yet freed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_status(err: *const rp_error) -> rp_status {
    with_error(err, || RP_STATUS_NULL_ARGUMENT, |e| e.status)
}

/// The whole error as text for people, as the command line prints it:
/// every problem with its `file:line:column` (or JSON path) and hint, one
/// per line. Borrowed from `err`; absent for NULL.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_display(err: *const rp_error) -> rp_str {
    with_error(err, || rp_str::ABSENT, |e| e.display.as_rp_str())
}

/// How many problems the error holds (1, or more when a policy or catalog
/// load found several); 0 for NULL. The accessors below describe the first one;
/// `rp_error_to_json` lists them all.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_count(err: *const rp_error) -> usize {
    with_error(err, || 0, |e| e.details.len())
}

/// What is wrong, without location or hint (lowercase, the offending input
/// in backticks). Borrowed from `err`; absent for NULL.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_message(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().map(|d| &d.message)),
    )
}

/// The file the problem is in: the policy file (or the name given to a
/// YAML string), the catalog or release-plan file (`<release-plan>` for a
/// plan given as text, `<arguments>` for an argument of
/// `rp_bundle_can_i_deploy`), the facts input when it was named, or the
/// path an I/O error is about. Borrowed; absent when there is none.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_file(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.file.as_ref())),
    )
}

/// The 1-based line of the problem: in the policy file for a policy error,
/// in the catalog or release-plan file for a catalog error, in the facts
/// text for a facts syntax error; 0 when unknown.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_line(err: *const rp_error) -> usize {
    with_error(err, || 0, |e| e.first().map_or(0, |d| d.line))
}

/// The 1-based column that goes with `rp_error_line`; 0 when unknown.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_column(err: *const rp_error) -> usize {
    with_error(err, || 0, |e| e.first().map_or(0, |d| d.column))
}

/// The stable code of the problem (`"RP0102"`; the first one's when there
/// are several), as a NUL-terminated string owned by `err` (valid until it
/// is freed; never free it). NULL for NULL, and for errors of the C
/// boundary itself that the engine never saw (`RP_STATUS_NULL_ARGUMENT`,
/// `RP_STATUS_INVALID_UTF8`, `RP_STATUS_INVALID_ARGUMENT`,
/// `RP_STATUS_PANIC`). Every code is explained in `docs/errors.md`.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_code(err: *const rp_error) -> *const c_char {
    with_error(err, std::ptr::null, |e| {
        e.first()
            .and_then(|d| d.code.as_ref())
            .map_or(std::ptr::null(), |c| c.as_rp_str().data)
    })
}

/// For a facts error, the JSON path of the offending value
/// (`$.release.version`). Borrowed; absent when there is none.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_json_path(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.json_path.as_ref())),
    )
}

/// For a policy error, the id of the rule the problem is in. Borrowed;
/// absent when there is none.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_rule(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.rule.as_ref())),
    )
}

/// How to fix the problem, when a hint helps. Borrowed; absent otherwise.
///
/// # Safety
/// `err` is NULL or a live `rp_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_hint(err: *const rp_error) -> rp_str {
    with_error(
        err,
        || rp_str::ABSENT,
        |e| opt_str(e.first().and_then(|d| d.hint.as_ref())),
    )
}

/// The whole error as compact JSON, into `*json_out` (free it with
/// `rp_buf_free`):
/// `{"status":3,"kind":"policy","message":"<rp_error_display>","errors":[{"code":"RP0203","message":…,"file":…,"line":…,"column":…,"path":…,"rule":…,"hint":…}]}`
/// (absent fields and zero lines/columns are left out).
///
/// # Safety
/// `err` is NULL or a live `rp_error`; `json_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_to_json(
    err: *const rp_error,
    json_out: *mut rp_buf,
) -> rp_status {
    crate::boundary::call(std::ptr::null_mut(), || {
        crate::boundary::required("err", err)?;
        crate::boundary::required("json_out", json_out)?;
        // SAFETY: `err` is not NULL and (contract) a live `rp_error`.
        let json = unsafe { &*err }.to_json();
        // SAFETY: `json_out` is not NULL and (contract) writable.
        unsafe { crate::boundary::write(json_out, rp_buf::from_string(json)) };
        Ok(())
    })
}

/// Free an error. NULL is a no-op.
///
/// # Safety
/// `err` is NULL or an `rp_error` the library handed out and that has not
/// been freed; no borrowed `rp_str` from it may be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_error_free(err: *mut rp_error) {
    crate::boundary::catch(
        |_| (),
        || {
            if !err.is_null() {
                // SAFETY: made by `Box::into_raw` in `boundary::call`, not
                // freed since (contract).
                drop(unsafe { Box::from_raw(err) });
            }
        },
    )
}
