//! Status codes: what every fallible export returns.
//!
//! A status is a `uint32_t`, not a C enum, so a newer library may add codes
//! without breaking older callers. Numbers are explicit and never reused;
//! a removed status leaves a gap.

use std::ffi::c_char;

/// The result of a fallible call: `RP_STATUS_OK` (0) or the kind of error.
pub type rp_status = u32;

/// Success.
pub const RP_STATUS_OK: rp_status = 0;
/// A required pointer argument was NULL.
pub const RP_STATUS_NULL_ARGUMENT: rp_status = 1;
/// A string argument was not valid UTF-8.
pub const RP_STATUS_INVALID_UTF8: rp_status = 2;
/// A policy could not be loaded, checked or layered; the error has the
/// `file:line:column` and, when there is one, the rule id.
pub const RP_STATUS_POLICY_ERROR: rp_status = 3;
/// The facts are malformed or do not match the facts schema (this includes
/// empty facts); the error has the JSON path and, for a syntax error, the
/// line and column in the facts text.
pub const RP_STATUS_FACTS_ERROR: rp_status = 4;
/// The bundle could not evaluate the facts at all (problems inside one rule
/// are findings in the decision, never this status).
pub const RP_STATUS_EVALUATION_ERROR: rp_status = 5;
/// Reading a file or directory failed.
pub const RP_STATUS_IO_ERROR: rp_status = 6;
/// A bug: the library panicked. The call had no effect; the library remains
/// usable, but please report the error's message.
pub const RP_STATUS_PANIC: rp_status = 7;
/// An argument had an invalid value (unknown flag bits, a length over
/// `PTRDIFF_MAX`).
pub const RP_STATUS_INVALID_ARGUMENT: rp_status = 8;
/// An engine error this version of the C binding does not know.
pub const RP_STATUS_OTHER_ERROR: rp_status = 9;
/// A catalog, calendar or release plan is malformed or inconsistent, or
/// names a service, API or environment the catalog does not have (codes
/// `RP08xx`); or release records are (codes `RP09xx`), or a review names a
/// period, service, team or release they cannot answer for (`RP0909`). The
/// error has the `file:line:column` and, when one helps, a hint. Every
/// problem found is in `rp_error_to_json`.
pub const RP_STATUS_CATALOG_ERROR: rp_status = 10;

/// Every status with its name: the one table behind `rp_status_name` and
/// the `kind` of `rp_error_to_json`.
pub(crate) const STATUSES: &[(rp_status, &std::ffi::CStr)] = &[
    (RP_STATUS_OK, c"ok"),
    (RP_STATUS_NULL_ARGUMENT, c"null-argument"),
    (RP_STATUS_INVALID_UTF8, c"invalid-utf8"),
    (RP_STATUS_POLICY_ERROR, c"policy"),
    (RP_STATUS_FACTS_ERROR, c"facts"),
    (RP_STATUS_EVALUATION_ERROR, c"evaluation"),
    (RP_STATUS_IO_ERROR, c"io"),
    (RP_STATUS_PANIC, c"panic"),
    (RP_STATUS_INVALID_ARGUMENT, c"invalid-argument"),
    (RP_STATUS_OTHER_ERROR, c"other"),
    (RP_STATUS_CATALOG_ERROR, c"catalog"),
];

pub(crate) fn name(status: rp_status) -> &'static std::ffi::CStr {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or(c"unknown", |(_, n)| n)
}

/// A short lowercase name for a status (`"ok"`, `"null-argument"`,
/// `"policy"`, `"facts"`, …; `"unknown"` for a number this library does not
/// define), as a static NUL-terminated string: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn rp_status_name(status: rp_status) -> *const c_char {
    crate::boundary::catch(|_| c"unknown".as_ptr(), || name(status).as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_numbered_densely_and_named_uniquely() {
        for (i, (status, _)) in STATUSES.iter().enumerate() {
            assert_eq!(*status as usize, i, "status table out of order");
        }
        let mut names: Vec<_> = STATUSES.iter().map(|(_, n)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), STATUSES.len(), "duplicate status name");
        assert_eq!(name(RP_STATUS_FACTS_ERROR), c"facts");
        assert_eq!(name(1000), c"unknown");
    }
}
