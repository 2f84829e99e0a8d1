//! The deciding calls: `rp_bundle_check` and `rp_bundle_assess`, with and
//! without a catalog, and `decide`, which they (and `_with_records`) share.

use std::ffi::c_char;

use super::verdict::{
    KNOWN_FLAGS, RP_VERDICT_ONLY, output, rollout_verdict, rp_rollout_verdict, rp_verdict, verdict,
};
use super::{bundle_ref, rp_bundle};
use crate::boundary::{call, required, str_arg, write};
use crate::buf::rp_buf;
use crate::error::rp_error;
use crate::plan::{catalog_ref, rp_catalog};
use crate::status::rp_status;

/// Decide whether the release described by `facts` (`facts_len` bytes of
/// YAML or JSON text; JSON is recognised by a leading `{`) may go.
///
/// On success writes the decision JSON (schema
/// `release-policy/decision/v2`, the same bytes as every other binding)
/// into `*decision_out` — free it with `rp_buf_free` — and, if
/// `verdict_out` is not NULL, the verdict into `*verdict_out`. `flags` is 0
/// (compact JSON), `RP_JSON_PRETTY`, or `RP_VERDICT_ONLY` (no JSON: an
/// empty `*decision_out`; `verdict_out` required); other bits are
/// `RP_STATUS_INVALID_ARGUMENT`.
///
/// Empty or malformed facts are `RP_STATUS_FACTS_ERROR`. Safe to call on
/// one bundle from many threads at once.
///
/// # Safety
/// `bundle` is NULL or a live handle; `facts` points to `facts_len`
/// readable bytes; `decision_out`, `verdict_out` and `error_out` are NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_check(
    bundle: *const rp_bundle,
    facts: *const c_char,
    facts_len: usize,
    flags: u32,
    decision_out: *mut rp_buf,
    verdict_out: *mut rp_verdict,
    error_out: *mut *mut rp_error,
) -> rp_status {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        decide(
            bundle,
            facts,
            facts_len,
            flags,
            ("decision_out", decision_out),
            verdict_out,
            error_out,
            |b, text| checked(b, text, flags, &|b, f| b.check(f), &|b, f| b.verdict(f)),
        )
    }
}

/// `rp_bundle_check` with what `catalog` says of the release bound for the
/// policies: `graph` (its service's providers, dependents, blast radius
/// and contract status in the release's environment) and `calendar`
/// (windows and freezes at the facts' `now`; `inWindow(name)`,
/// `frozen()`). The decision then carries `catalogDigest`. A release
/// whose service or environment the catalog does not know is
/// `RP_STATUS_FACTS_ERROR` (`RP0805`); a NULL `catalog` is
/// `RP_STATUS_NULL_ARGUMENT`.
///
/// # Safety
/// As for `rp_bundle_check`; `catalog` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_check_with_catalog(
    bundle: *const rp_bundle,
    catalog: *const rp_catalog,
    facts: *const c_char,
    facts_len: usize,
    flags: u32,
    decision_out: *mut rp_buf,
    verdict_out: *mut rp_verdict,
    error_out: *mut *mut rp_error,
) -> rp_status {
    // SAFETY: the caller's contract on `catalog`.
    let catalog = match unsafe { catalog_ref(catalog) } {
        Ok(c) => c,
        Err(e) => return call(error_out, || Err(e)),
    };
    // SAFETY: the caller's contract, passed on.
    unsafe {
        decide(
            bundle,
            facts,
            facts_len,
            flags,
            ("decision_out", decision_out),
            verdict_out,
            error_out,
            |b, text| {
                checked(
                    b,
                    text,
                    flags,
                    &|b, f| b.check_with_catalog(f, catalog),
                    &|b, f| b.verdict_with_catalog(f, catalog),
                )
            },
        )
    }
}

/// Assess a progressive rollout: rollout facts (`facts_len` bytes of YAML
/// or JSON: the plan, metric samples, synthetics, …) against the bundle's
/// `RolloutPolicy` rules. Like `rp_bundle_check`, with the assessment JSON
/// (schema `release-policy/assessment/v3`) in `*assessment_out` and, if
/// `verdict_out` is not NULL, an `RP_ROLLOUT_*` verdict.
///
/// # Safety
/// As for `rp_bundle_check`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_assess(
    bundle: *const rp_bundle,
    facts: *const c_char,
    facts_len: usize,
    flags: u32,
    assessment_out: *mut rp_buf,
    verdict_out: *mut rp_rollout_verdict,
    error_out: *mut *mut rp_error,
) -> rp_status {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        decide(
            bundle,
            facts,
            facts_len,
            flags,
            ("assessment_out", assessment_out),
            verdict_out,
            error_out,
            |b, text| assessed(b, text, None, flags),
        )
    }
}

/// `rp_bundle_assess` with the services downstream of the rollout's from
/// `catalog` (its transitive dependents in `rollout.environment`, with
/// their paths), for triggers with `downstream: true` (cascading-failure
/// attribution); the assessment then carries `catalogDigest`. A rollout
/// whose service or environment the catalog does not know, or that names
/// no environment, is `RP_STATUS_FACTS_ERROR` (`RP0805`); a NULL `catalog`
/// is `RP_STATUS_NULL_ARGUMENT`.
///
/// # Safety
/// As for `rp_bundle_check`; `catalog` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_assess_with_catalog(
    bundle: *const rp_bundle,
    catalog: *const rp_catalog,
    facts: *const c_char,
    facts_len: usize,
    flags: u32,
    assessment_out: *mut rp_buf,
    verdict_out: *mut rp_rollout_verdict,
    error_out: *mut *mut rp_error,
) -> rp_status {
    // SAFETY: the caller's contract on `catalog`.
    let catalog = match unsafe { catalog_ref(catalog) } {
        Ok(c) => c,
        Err(e) => return call(error_out, || Err(e)),
    };
    // SAFETY: the caller's contract, passed on.
    unsafe {
        decide(
            bundle,
            facts,
            facts_len,
            flags,
            ("assessment_out", assessment_out),
            verdict_out,
            error_out,
            |b, text| assessed(b, text, Some(catalog), flags),
        )
    }
}

/// Decide on `text` with `check` (plain, with a catalog, with records):
/// the decision JSON as `flags` asks, and the verdict; with
/// `RP_VERDICT_ONLY`, the verdict alone from `alone`, the same call's
/// `Bundle::verdict` form (no values shown, no digest).
pub(crate) fn checked(
    b: &release_policy_core::Bundle,
    text: &str,
    flags: u32,
    check: &dyn Fn(
        &release_policy_core::Bundle,
        &release_policy_core::Facts,
    ) -> Result<release_policy_core::Decision, release_policy_core::Error>,
    alone: &dyn Fn(
        &release_policy_core::Bundle,
        &release_policy_core::Facts,
    ) -> Result<release_policy_core::Verdict, release_policy_core::Error>,
) -> Result<(String, u32), release_policy_core::Error> {
    let facts = release_policy_core::Facts::from_str_with_limits(text, b.limits())?;
    if flags & RP_VERDICT_ONLY != 0 {
        return Ok((String::new(), verdict(alone(b, &facts)?)));
    }
    let d = check(b, &facts)?;
    let json = output(flags, || d.to_json_pretty(), || d.to_json());
    Ok((json, verdict(d.verdict())))
}

/// Assess `text` (with `catalog`, when given): the assessment JSON as
/// `flags` asks, and the verdict.
fn assessed(
    b: &release_policy_core::Bundle,
    text: &str,
    catalog: Option<&release_policy_core::plan::Catalog>,
    flags: u32,
) -> Result<(String, u32), release_policy_core::Error> {
    let facts = release_policy_core::RolloutFacts::from_str_with_limits(text, b.limits())?;
    let a = match catalog {
        Some(c) => b.assess_with_catalog(&facts, c)?,
        None => b.assess(&facts)?,
    };
    let json = output(flags, || a.to_json_pretty(), || a.to_json());
    Ok((json, rollout_verdict(a.verdict())))
}
/// What `rp_bundle_check`, `rp_bundle_assess` and their `_with_catalog`
/// and `_with_records` variants share: argument checks,
/// the engine call `run` (JSON and verdict), and writing the out-parameters
/// on success only.
///
/// # Safety
/// As for `rp_bundle_check`.
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn decide(
    bundle: *const rp_bundle,
    facts: *const c_char,
    facts_len: usize,
    flags: u32,
    (out_name, json_out): (&str, *mut rp_buf),
    verdict_out: *mut u32,
    error_out: *mut *mut rp_error,
    run: impl FnOnce(
        &release_policy_core::Bundle,
        &str,
    ) -> Result<(String, u32), release_policy_core::Error>,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `bundle`.
        let bundle = unsafe { bundle_ref(bundle) }?;
        // SAFETY: the caller's contract on `facts`/`facts_len`.
        let facts = unsafe { str_arg("facts", facts, facts_len) }?;
        required(out_name, json_out)?;
        if flags & !KNOWN_FLAGS != 0 {
            return Err(rp_error::invalid_argument(format!(
                "unknown bits `{:#x}` in `flags`",
                flags & !KNOWN_FLAGS
            )));
        }
        if flags & RP_VERDICT_ONLY != 0 && verdict_out.is_null() {
            return Err(rp_error::invalid_argument(
                "`RP_VERDICT_ONLY` without `verdict_out`: the call would return nothing"
                    .to_string(),
            ));
        }
        let (json, v) = run(&bundle.bundle, facts).map_err(|e| rp_error::from_engine(&e))?;
        // SAFETY: `json_out` checked above; `verdict_out` is optional and
        // checked for NULL here.
        unsafe {
            write(json_out, rp_buf::from_string(json));
            if !verdict_out.is_null() {
                write(verdict_out, v);
            }
        }
        Ok(())
    })
}
