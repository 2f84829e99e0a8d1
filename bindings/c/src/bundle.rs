//! [`rp_bundle`] (a compiled, immutable, shareable set of policies) and
//! [`rp_bundle_builder`] (layers), and `rp_bundle_check`.
//!
//! An `rp_bundle *` is an `Arc` turned into a pointer: `rp_bundle_retain`
//! adds a reference, `rp_bundle_free` drops one, and the bundle goes away
//! with the last. A future `rp_bundle_assess` follows `rp_bundle_check`:
//! same arguments, same flags, its own JSON.

use std::ffi::c_char;
use std::sync::Arc;

use crate::boundary::{call, catch, required, str_arg, write};
use crate::buf::rp_buf;
use crate::error::rp_error;
use crate::plan::{catalog_ref, rp_catalog};
use crate::status::rp_status;

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

/// Layers under construction (organisation first, team last), for
/// `rp_bundle_builder_build`. Not thread-safe: use a builder from one
/// thread at a time.
pub struct rp_bundle_builder {
    builder: release_policy_core::BundleBuilder,
}

/// A verdict: may the release go? `0` is never a verdict, so a zeroed
/// variable is not mistaken for `RP_VERDICT_GO`.
pub type rp_verdict = u32;

/// Every blocking gate passes and every approval is in.
pub const RP_VERDICT_GO: rp_verdict = 1;
/// Waiting for approvals (or an escalation).
pub const RP_VERDICT_PENDING: rp_verdict = 2;
/// A blocking gate failed or erred, or a veto was cast.
pub const RP_VERDICT_NO_GO: rp_verdict = 3;

/// A rollout verdict (`rp_bundle_assess`): what the rollout should do
/// next. `0` is never a verdict.
pub type rp_rollout_verdict = u32;

/// Every promotion criterion held and the analysis passed: next step.
pub const RP_ROLLOUT_PROMOTE: rp_rollout_verdict = 1;
/// Healthy so far, not yet proven: stay on this step, assess again.
pub const RP_ROLLOUT_CONTINUE: rp_rollout_verdict = 2;
/// Stop advancing (a `hold` trigger, missing data, an error, a marginal
/// analysis).
pub const RP_ROLLOUT_HOLD: rp_rollout_verdict = 3;
/// A `rollback` trigger tripped or the analysis failed.
pub const RP_ROLLOUT_ROLLBACK: rp_rollout_verdict = 4;

/// Flag for `rp_bundle_check` and `rp_bundle_assess`: indented JSON (exactly the engine's
/// `to_json_pretty`, no trailing newline) instead of compact canonical
/// JSON.
pub const RP_JSON_PRETTY: u32 = 1;

/// Flag for `rp_bundle_check`, `rp_bundle_assess` and their `_with_…`
/// forms: the verdict only. No JSON is written (`*decision_out` gets an
/// empty buffer, still freed with `rp_buf_free`), so a caller that acts on
/// the verdict alone (a gateway, an admission hook) pays for the decision
/// and not for its text; `verdict_out` must not be NULL.
pub const RP_VERDICT_ONLY: u32 = 2;

/// The flags a deciding call knows.
const KNOWN_FLAGS: u32 = RP_JSON_PRETTY | RP_VERDICT_ONLY;

/// The JSON a deciding call returns, as `flags` ask: none for
/// `RP_VERDICT_ONLY`, else indented or compact.
fn output(flags: u32, pretty: impl FnOnce() -> String, compact: impl FnOnce() -> String) -> String {
    if flags & RP_VERDICT_ONLY != 0 {
        String::new()
    } else if flags & RP_JSON_PRETTY != 0 {
        pretty()
    } else {
        compact()
    }
}

fn rollout_verdict(v: release_policy_core::RolloutVerdict) -> rp_rollout_verdict {
    match v {
        release_policy_core::RolloutVerdict::Promote => RP_ROLLOUT_PROMOTE,
        release_policy_core::RolloutVerdict::Continue => RP_ROLLOUT_CONTINUE,
        release_policy_core::RolloutVerdict::Hold => RP_ROLLOUT_HOLD,
        release_policy_core::RolloutVerdict::Rollback => RP_ROLLOUT_ROLLBACK,
    }
}

pub(crate) fn verdict(v: release_policy_core::Verdict) -> rp_verdict {
    match v {
        release_policy_core::Verdict::Go => RP_VERDICT_GO,
        release_policy_core::Verdict::Pending => RP_VERDICT_PENDING,
        release_policy_core::Verdict::NoGo => RP_VERDICT_NO_GO,
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
            |b, text| checked(b, text, flags, &|b, f| b.check(f)),
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
            |b, text| checked(b, text, flags, &|b, f| b.check_with_catalog(f, catalog)),
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
/// the decision JSON as `flags` asks, and the verdict.
pub(crate) fn checked(
    b: &release_policy_core::Bundle,
    text: &str,
    flags: u32,
    check: &dyn Fn(
        &release_policy_core::Bundle,
        &release_policy_core::Facts,
    ) -> Result<release_policy_core::Decision, release_policy_core::Error>,
) -> Result<(String, u32), release_policy_core::Error> {
    let facts = release_policy_core::Facts::from_str_with_limits(text, b.limits())?;
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

/// A new builder with no layers (NULL only if the library panicked). Free
/// it with `rp_bundle_builder_free`.
#[unsafe(no_mangle)]
pub extern "C" fn rp_bundle_builder_new() -> *mut rp_bundle_builder {
    catch(
        |_| std::ptr::null_mut(),
        || {
            Box::into_raw(Box::new(rp_bundle_builder {
                builder: release_policy_core::BundleBuilder::new(),
            }))
        },
    )
}

/// Apply `f` to the builder behind `builder`. The builder is taken out
/// first, so should `f` panic the builder is left empty, not half-updated.
///
/// # Safety
/// `builder` is NULL or a live builder not used by another thread.
unsafe fn with_builder(
    builder: *mut rp_bundle_builder,
    f: impl FnOnce(release_policy_core::BundleBuilder) -> release_policy_core::BundleBuilder,
) -> Result<(), rp_error> {
    required("builder", builder)?;
    // SAFETY: not NULL, live and not shared (contract).
    let b = unsafe { &mut *builder };
    let taken = std::mem::take(&mut b.builder);
    b.builder = f(taken);
    Ok(())
}

/// Add the built-in standard pack as a layer.
///
/// # Safety
/// `builder` is NULL or a live builder; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_builder_add_builtin(
    builder: *mut rp_bundle_builder,
    error_out: *mut *mut rp_error,
) -> rp_status {
    // SAFETY: the caller's contract on `builder`.
    call(error_out, || unsafe {
        with_builder(builder, |b| b.builtin_layer())
    })
}

/// Add every policy file below the directory `path` as a layer. A
/// directory that cannot be read is reported by `rp_bundle_builder_build`,
/// not here (as in the Rust API).
///
/// # Safety
/// `builder` is NULL or a live builder; `path` points to `path_len`
/// readable bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_builder_add_dir(
    builder: *mut rp_bundle_builder,
    path: *const c_char,
    path_len: usize,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `path`/`path_len`.
        let path = unsafe { str_arg("path", path, path_len) }?;
        // SAFETY: the caller's contract on `builder`.
        unsafe { with_builder(builder, |b| b.dir_layer(path)) }
    })
}

/// Add YAML policy text as a layer; `name` stands for the file in error
/// locations. The text is copied.
///
/// # Safety
/// `builder` is NULL or a live builder; `name`/`yaml` point to
/// `name_len`/`yaml_len` readable bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_builder_add_yaml(
    builder: *mut rp_bundle_builder,
    name: *const c_char,
    name_len: usize,
    yaml: *const c_char,
    yaml_len: usize,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on the strings.
        let name = unsafe { str_arg("name", name, name_len) }?;
        // SAFETY: as above.
        let yaml = unsafe { str_arg("yaml", yaml, yaml_len) }?;
        // SAFETY: the caller's contract on `builder`.
        unsafe { with_builder(builder, |b| b.yaml_layer(name, yaml)) }
    })
}

/// Parse, layer, check and compile the builder's layers into
/// `*bundle_out`. The builder is not consumed: it may build again, and
/// must still be freed with `rp_bundle_builder_free`. No layers at all is
/// `RP_STATUS_POLICY_ERROR` (code `RP0110`).
///
/// # Safety
/// `builder` is NULL or a live builder; `bundle_out` and `error_out` are
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_builder_build(
    builder: *const rp_bundle_builder,
    bundle_out: *mut *const rp_bundle,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        required("builder", builder)?;
        required("bundle_out", bundle_out)?;
        // SAFETY: not NULL, live and not mutated concurrently (contract).
        let b = unsafe { &*builder }.builder.clone();
        // SAFETY: `bundle_out` checked above.
        unsafe { give(bundle_out, b.build()) }
    })
}

/// Free a builder. NULL is a no-op. Bundles it built stay valid.
///
/// # Safety
/// `builder` is NULL or a live builder, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_bundle_builder_free(builder: *mut rp_bundle_builder) {
    catch(
        |_| (),
        || {
            if !builder.is_null() {
                // SAFETY: made by `Box::into_raw` in `rp_bundle_builder_new`,
                // not freed since (contract).
                drop(unsafe { Box::from_raw(builder) });
            }
        },
    )
}
