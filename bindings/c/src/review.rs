//! [`rp_records`] (release records: an immutable, shareable handle) and
//! the questions asked of them: `rp_bundle_review` (how did the releases
//! of a period go? DORA's four keys, stability, post-mortems),
//! `rp_bundle_review_release` (one release's outcome), `rp_bundle_history`
//! (the `history` facts of `check`, derived) and
//! `rp_bundle_check_with_records` (`check` with that history).
//!
//! An `rp_records *` is an `Arc` turned into a pointer, like an
//! `rp_catalog *`: `rp_records_retain` adds a reference, `rp_records_free`
//! drops one, and the records go away with the last.
//!
//! Timestamps come in as RFC 3339 text and are read as the engine reads
//! the timestamps of facts and records (its own `Timestamp` type).

use std::ffi::c_char;
use std::sync::Arc;

use release_policy_core::model::Timestamp;
use release_policy_core::review::{Decisions, Period, Records, ReviewOptions, Thresholds};

use crate::boundary::{call, catch, required, str_arg, write};
use crate::buf::rp_buf;
use crate::bundle::{bundle_ref, checked, decide, rp_bundle, rp_verdict};
use crate::error::rp_error;
use crate::status::rp_status;

/// Release records (what happened to each release: deployment, outcome,
/// incidents, rollback, post-mortem, feedback), for `rp_bundle_review`,
/// `rp_bundle_review_release`, `rp_bundle_history` and
/// `rp_bundle_check_with_records`. Immutable and thread-safe: one set of
/// records may be used from any number of threads at once.
/// Reference-counted: every handle from a constructor or
/// `rp_records_retain` is released with one `rp_records_free`.
pub struct rp_records {
    records: Records,
}

/// Borrow the records behind a handle.
///
/// # Safety
/// `records` is NULL or a live handle.
unsafe fn records_ref<'a>(records: *const rp_records) -> Result<&'a Records, rp_error> {
    required("records", records)?;
    // SAFETY: not NULL; a live handle points into a live `Arc` (contract).
    Ok(&unsafe { &*records }.records)
}

/// An RFC 3339 timestamp argument, read as the engine reads timestamps.
fn timestamp(name: &str, text: &str) -> Result<Timestamp, rp_error> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).map_err(|e| {
        rp_error::invalid_argument(format!(
            "`{name}` is not an RFC 3339 timestamp (`{text}`): {e}"
        ))
    })
}

/// What `rp_bundle_review`'s options JSON may hold; every key optional.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    from: Option<String>,
    to: Option<String>,
    service: Option<String>,
    team: Option<String>,
    environment: Option<String>,
    /// A path: past decisions and assessments, for policy effectiveness.
    decisions: Option<String>,
}

impl Options {
    /// The engine's options. A period needs both ends; a reversed one is
    /// the engine's error, and so are decisions that cannot be read.
    fn into_core(self) -> Result<ReviewOptions, rp_error> {
        let mut o = ReviewOptions::default();
        match (self.from, self.to) {
            (Some(from), Some(to)) => {
                let period = Period::new(timestamp("from", &from)?, timestamp("to", &to)?)
                    .map_err(|e| rp_error::from_engine(&e))?;
                o = o.period(period);
            }
            (None, None) => {}
            _ => {
                return Err(rp_error::invalid_argument(
                    "`options` gives one end of the period: give both `from` and `to`, or \
                     neither (the default period spans the records' deployments)"
                        .into(),
                ));
            }
        }
        if let Some(s) = self.service {
            o = o.service(s);
        }
        if let Some(t) = self.team {
            o = o.team(t);
        }
        if let Some(e) = self.environment {
            o = o.environment(e);
        }
        if let Some(path) = self.decisions {
            let limits = release_policy_core::Limits::default();
            let decisions =
                Decisions::from_path(&path, &limits).map_err(|e| rp_error::from_engine(&e))?;
            o = o.decisions(decisions);
        }
        Ok(o)
    }
}

/// Release records from `path` (`path_len` bytes of UTF-8): one file, or
/// every record file (`.yaml`, `.yml`, `.json`, `.jsonl`) below a
/// directory, into `*records_out`. YAML holds one record a document, JSON
/// one record or an array of them, JSON Lines one record a line. Default
/// limits apply. A malformed or inconsistent record is
/// `RP_STATUS_CATALOG_ERROR` (codes `RP09xx`, with `file:line:column`;
/// every problem found is in `rp_error_to_json`); a path that cannot be
/// read is `RP_STATUS_IO_ERROR`.
///
/// # Safety
/// `path` points to `path_len` readable bytes; `records_out` and
/// `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_records_from_path(
    path: *const c_char,
    path_len: usize,
    records_out: *mut *const rp_records,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `path`/`path_len`.
        let path = unsafe { str_arg("path", path, path_len) }?;
        required("records_out", records_out)?;
        let limits = release_policy_core::Limits::default();
        let records = Records::from_path(path, &limits).map_err(|e| rp_error::from_engine(&e))?;
        let ptr = Arc::into_raw(Arc::new(rp_records { records }));
        // SAFETY: `records_out` checked above.
        unsafe { write(records_out, ptr) };
        Ok(())
    })
}

/// How many records `records` holds; 0 for NULL.
///
/// # Safety
/// `records` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_records_len(records: *const rp_records) -> usize {
    catch(
        |_| 0,
        || {
            // SAFETY: the caller's contract on `records`.
            unsafe { records_ref(records) }.map_or(0, Records::len)
        },
    )
}

/// Add a reference to records, for another owner (another thread, say);
/// returns `records` itself (NULL for NULL). Each reference is released
/// with its own `rp_records_free`.
///
/// # Safety
/// `records` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_records_retain(records: *const rp_records) -> *const rp_records {
    catch(
        |_| std::ptr::null(),
        || {
            if !records.is_null() {
                // SAFETY: a live handle came from `Arc::into_raw` and still
                // holds at least one strong count (contract).
                unsafe { Arc::increment_strong_count(records) };
            }
            records
        },
    )
}

/// Release one reference to records; the last release frees them. NULL is
/// a no-op.
///
/// # Safety
/// `records` is NULL or a live handle, released at most once per
/// reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_records_free(records: *const rp_records) {
    catch(
        |_| (),
        || {
            if !records.is_null() {
                // SAFETY: a live handle came from `Arc::into_raw` and this
                // releases one of its references (contract).
                drop(unsafe { Arc::from_raw(records) });
            }
        },
    )
}

/// Review `records`: DORA's four keys (deployment frequency, lead time,
/// change failure rate, recovery time) overall, per service, per team and
/// per week, rollback frequency and chronic instability, rollbacks over
/// budget, post-mortems missing or overdue, feedback testing missed, and a
/// verdict (`pass`, `fail`, `no-deployments`).
///
/// `options` (`options_len` bytes of UTF-8) is a JSON object with any of
/// `"from"` and `"to"` (RFC 3339; the half-open period `[from, to)`, both
/// or neither — by default the UTC days from the first deployment to the
/// last), `"service"`, `"team"` (only that one), `"environment"`
/// (`"production"` by default) and `"decisions"` (a path: a file, or a
/// directory of `.json` / `.jsonl` files, of past decisions and
/// assessments as `check` / `assess --format json` print them, read within
/// the default limits; the review then holds the policy `effectiveness`,
/// as with the CLI's `--decisions`); a NULL `options` means every default
/// (`options_len` is then ignored). Malformed JSON, an unknown key, a value
/// that is not a string, a timestamp that is not RFC 3339 or one end of the
/// period alone is `RP_STATUS_INVALID_ARGUMENT`. A period that ends before
/// it starts, or a service or team no record names, is
/// `RP_STATUS_CATALOG_ERROR` (`RP0909`, with a "did you mean" hint); so are
/// malformed decisions (`RP09xx`), and decisions that cannot be read are
/// `RP_STATUS_IO_ERROR`.
///
/// On success writes the review as indented JSON (exactly the engine's
/// `Review::to_json`, schema `release-policy/review/v1`) into
/// `*review_out`; free it with `rp_buf_free`. Safe to call on one bundle
/// and one set of records from many threads at once.
///
/// # Safety
/// `bundle` and `records` are NULL or live handles; `options` is NULL or
/// points to `options_len` readable bytes; `review_out` and `error_out`
/// are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_review(
    bundle: *const rp_bundle,
    records: *const rp_records,
    options: *const c_char,
    options_len: usize,
    review_out: *mut rp_buf,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `bundle`.
        let bundle = unsafe { bundle_ref(bundle) }?;
        // SAFETY: the caller's contract on `records`.
        let records = unsafe { records_ref(records) }?;
        let options = if options.is_null() {
            None
        } else {
            // SAFETY: the caller's contract on `options`/`options_len`.
            Some(unsafe { str_arg("options", options, options_len) }?)
        };
        required("review_out", review_out)?;
        let options = match options {
            None => Options::default(),
            Some(text) => serde_json::from_str::<Options>(text).map_err(|e| {
                rp_error::invalid_argument(format!("argument `options` is not valid: {e}"))
            })?,
        };
        let options = options.into_core()?;
        let review = bundle
            .core()
            .review(records, &options)
            .map_err(|e| rp_error::from_engine(&e))?;
        // SAFETY: `review_out` checked above.
        unsafe { write(review_out, rp_buf::from_string(review.to_json())) };
        Ok(())
    })
}

/// One release's outcome: `release` (`release_len` bytes, the release id)
/// from `records`, with post-mortems judged as of `now` (`now_len` bytes,
/// RFC 3339): durations against the default budgets, recovery, impact,
/// post-mortem, feedback testing missed and a timeline.
///
/// On success writes the outcome as indented JSON (exactly the engine's
/// `ReleaseOutcome::to_json`) into `*outcome_out`; free it with
/// `rp_buf_free`. A `now` that is not RFC 3339 is
/// `RP_STATUS_INVALID_ARGUMENT`; a release no record has is
/// `RP_STATUS_CATALOG_ERROR` (`RP0909`, with a "did you mean" hint).
///
/// # Safety
/// `bundle` and `records` are NULL or live handles; each string points to
/// its length in readable bytes; `outcome_out` and `error_out` are NULL or
/// writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rp_bundle_review_release(
    bundle: *const rp_bundle,
    records: *const rp_records,
    release: *const c_char,
    release_len: usize,
    now: *const c_char,
    now_len: usize,
    outcome_out: *mut rp_buf,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `bundle`.
        let bundle = unsafe { bundle_ref(bundle) }?;
        // SAFETY: the caller's contract on `records`.
        let records = unsafe { records_ref(records) }?;
        // SAFETY: the caller's contract on the strings.
        let release = unsafe { str_arg("release", release, release_len) }?;
        // SAFETY: as above.
        let now = unsafe { str_arg("now", now, now_len) }?;
        required("outcome_out", outcome_out)?;
        let now = timestamp("now", now)?;
        let outcome = bundle
            .core()
            .review_release(records, release, now, &Thresholds::default())
            .map_err(|e| rp_error::from_engine(&e))?;
        // SAFETY: `outcome_out` checked above.
        unsafe { write(outcome_out, rp_buf::from_string(outcome.to_json())) };
        Ok(())
    })
}

/// The `history` section of `check`'s facts for `service` in
/// `environment` as of `now` (RFC 3339), derived from `records`: the most
/// recent releases and incidents (up to the bundle's `max_list_items`) and
/// the post-mortems still open. Each string is pointer + length, UTF-8.
///
/// On success writes the section as indented JSON (`incidents`,
/// `releases`, `openPostmortems`, as in the facts schema) into
/// `*history_out`; free it with `rp_buf_free`. A service no record names
/// gives an empty history, not an error. A `now` that is not RFC 3339 is
/// `RP_STATUS_INVALID_ARGUMENT`.
///
/// # Safety
/// `bundle` and `records` are NULL or live handles; each string points to
/// its length in readable bytes; `history_out` and `error_out` are NULL or
/// writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rp_bundle_history(
    bundle: *const rp_bundle,
    records: *const rp_records,
    service: *const c_char,
    service_len: usize,
    environment: *const c_char,
    environment_len: usize,
    now: *const c_char,
    now_len: usize,
    history_out: *mut rp_buf,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `bundle`.
        let bundle = unsafe { bundle_ref(bundle) }?;
        // SAFETY: the caller's contract on `records`.
        let records = unsafe { records_ref(records) }?;
        // SAFETY: the caller's contract on the strings.
        let service = unsafe { str_arg("service", service, service_len) }?;
        // SAFETY: as above.
        let environment = unsafe { str_arg("environment", environment, environment_len) }?;
        // SAFETY: as above.
        let now = unsafe { str_arg("now", now, now_len) }?;
        required("history_out", history_out)?;
        let now = timestamp("now", now)?;
        let history = bundle.core().history(records, service, environment, now);
        let json = serde_json::to_string_pretty(&history).map_err(|e| {
            rp_error::from_engine(&release_policy_core::Error::evaluation(
                release_policy_core::ErrorCode::EvaluationFailed,
                format!("the history did not serialise: {e}"),
            ))
        })?;
        // SAFETY: `history_out` checked above.
        unsafe { write(history_out, rp_buf::from_string(json)) };
        Ok(())
    })
}

/// `rp_bundle_check` with the facts' `history` derived from `records` for
/// the release's service and environment as of the facts' `now` (what
/// `rp_bundle_history` gives), so the incident and change-failure gates
/// read what really happened. Facts that carry a `history` of their own
/// are `RP_STATUS_FACTS_ERROR` (`$.history`: the records are the source);
/// a NULL `records` is `RP_STATUS_NULL_ARGUMENT`. Arguments, flags,
/// out-parameters and errors otherwise as for `rp_bundle_check`.
///
/// # Safety
/// As for `rp_bundle_check`; `records` is NULL or a live handle.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rp_bundle_check_with_records(
    bundle: *const rp_bundle,
    records: *const rp_records,
    facts: *const c_char,
    facts_len: usize,
    flags: u32,
    decision_out: *mut rp_buf,
    verdict_out: *mut rp_verdict,
    error_out: *mut *mut rp_error,
) -> rp_status {
    // SAFETY: the caller's contract on `records`.
    let records = match unsafe { records_ref(records) } {
        Ok(r) => r,
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
                    &|b, f| b.check_with_records(f, records),
                    &|b, f| b.verdict(&f.with_history(b, records)?),
                )
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;
    use release_policy_core::{Bundle, Limits};

    fn root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn take(mut b: rp_buf) -> String {
        // SAFETY: a buffer the library filled: `len` bytes at `data`.
        let s = unsafe { std::slice::from_raw_parts(b.data.cast::<u8>(), b.len) };
        let s = String::from_utf8_lossy(s).into_owned();
        // SAFETY: filled by the library, not freed.
        unsafe { crate::buf::rp_buf_free(&mut b) };
        s
    }

    fn empty() -> rp_buf {
        rp_buf {
            data: std::ptr::null_mut(),
            len: 0,
        }
    }

    fn ts(s: &str) -> Timestamp {
        timestamp("t", s).unwrap_or_else(|e| panic!("{}", e.display()))
    }

    /// The JSON out of C is byte for byte the engine's, for the review and
    /// for one release's outcome.
    #[test]
    fn review_and_outcome_are_the_engines_json() {
        let path = root().join("core/tests/data/records-history.jsonl");
        let path = path.display().to_string();
        let mut bundle: *const rp_bundle = std::ptr::null();
        let mut records: *const rp_records = std::ptr::null();
        // SAFETY: valid strings and out-pointers; handles freed below.
        unsafe {
            assert_eq!(
                crate::bundle::rp_bundle_builtin(&mut bundle, std::ptr::null_mut()),
                RP_STATUS_OK
            );
            assert_eq!(
                rp_records_from_path(
                    path.as_ptr().cast(),
                    path.len(),
                    &mut records,
                    std::ptr::null_mut()
                ),
                RP_STATUS_OK
            );
            assert_eq!(rp_records_len(records), 41);
        }
        let core = Records::from_path(&path, &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        let engine = Bundle::builtin();
        let options = r#"{"from": "2026-10-27T00:00:00Z", "to": "2026-11-26T00:00:00Z", "service": "checkout"}"#;
        let mut out = empty();
        // SAFETY: live handles, valid text and out-pointers.
        let status = unsafe {
            rp_bundle_review(
                bundle,
                records,
                options.as_ptr().cast(),
                options.len(),
                &mut out,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(status, RP_STATUS_OK);
        let period = Period::new(ts("2026-10-27T00:00:00Z"), ts("2026-11-26T00:00:00Z"))
            .unwrap_or_else(|e| panic!("{e}"));
        let want = engine
            .review(
                &core,
                &ReviewOptions::default().period(period).service("checkout"),
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .to_json();
        assert_eq!(take(out), want);

        // Every default.
        let mut out = empty();
        // SAFETY: as above; a NULL `options` is allowed.
        let status = unsafe {
            rp_bundle_review(
                bundle,
                records,
                std::ptr::null(),
                99,
                &mut out,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(status, RP_STATUS_OK);
        let want = engine
            .review(&core, &ReviewOptions::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .to_json();
        assert_eq!(take(out), want);

        let (release, now) = ("checkout-2.6.0", "2026-11-26T10:00:00+01:00");
        let mut out = empty();
        // SAFETY: as above.
        let status = unsafe {
            rp_bundle_review_release(
                bundle,
                records,
                release.as_ptr().cast(),
                release.len(),
                now.as_ptr().cast(),
                now.len(),
                &mut out,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(status, RP_STATUS_OK);
        let want = engine
            .review_release(&core, release, ts(now), &Thresholds::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .to_json();
        assert_eq!(take(out), want);
        // SAFETY: each handle released once.
        unsafe {
            rp_records_free(records);
            crate::bundle::rp_bundle_free(bundle);
        }
    }

    #[test]
    fn options_are_checked() {
        let ok = |json: &str| {
            serde_json::from_str::<Options>(json)
                .map_err(|e| e.to_string())
                .and_then(|o| o.into_core().map_err(|e| e.display().to_string()))
        };
        assert!(ok("{}").is_ok());
        assert!(ok(r#"{"service": null, "environment": "staging"}"#).is_ok());
        let e = ok(r#"{"form": "2026-10-27T00:00:00Z"}"#).err();
        assert!(e.is_some_and(|e| e.contains("unknown field `form`")));
        let e = ok(r#"{"from": "2026-10-27T00:00:00Z"}"#).err();
        assert!(e.is_some_and(|e| e.contains("both `from` and `to`")));
        let e = ok(r#"{"from": "yesterday", "to": "2026-10-27T00:00:00Z"}"#).err();
        assert!(e.is_some_and(|e| e.contains("`from` is not an RFC 3339 timestamp (`yesterday`)")));
        assert!(ok(r#"{"team": 3}"#).is_err());
        assert!(ok(r#"{"decisions": ["examples/decisions"]}"#).is_err());
        let decisions = root().join("examples/decisions").display().to_string();
        let with = ok(&serde_json::json!({ "decisions": decisions }).to_string());
        assert!(with.is_ok_and(|o| o.decisions.is_some_and(|d| d.len() == 3)));
        // Decisions that cannot be read are the engine's I/O error.
        let e = serde_json::from_str::<Options>(r#"{"decisions": "/nonexistent/decisions"}"#)
            .map_err(|e| e.to_string())
            .and_then(|o| o.into_core().map_err(|e| format!("{}", e.status())));
        assert_eq!(e.err(), Some(format!("{RP_STATUS_IO_ERROR}")));
        assert!(ok("[]").is_err());
        // A reversed period is the engine's error.
        let e = serde_json::from_str::<Options>(
            r#"{"from": "2026-11-26T00:00:00Z", "to": "2026-10-27T00:00:00Z"}"#,
        )
        .map_err(|e| e.to_string())
        .and_then(|o| o.into_core().map_err(|e| format!("{}", e.status())));
        assert_eq!(e.err(), Some(format!("{RP_STATUS_CATALOG_ERROR}")));
    }
}
