//! [`rp_catalog`] (services, calendars and environments: an immutable,
//! shareable handle) and the two questions asked of it: `rp_bundle_plan`
//! (can these releases go, in what order and when?) and
//! `rp_bundle_can_i_deploy` (may this version of a service go to an
//! environment?).
//!
//! An `rp_catalog *` is an `Arc` turned into a pointer, like an
//! `rp_bundle *`: `rp_catalog_retain` adds a reference, `rp_catalog_free`
//! drops one, and the catalog goes away with the last.

use std::ffi::c_char;
use std::sync::Arc;

use release_policy_core::plan::{Catalog, PlanVerdict, ReleasePlan};

use crate::boundary::{call, catch, required, str_arg, write};
use crate::buf::rp_buf;
use crate::bundle::rp_bundle;
use crate::error::rp_error;
use crate::status::rp_status;

/// A catalog of services (with their API versions, OpenAPI documents and
/// dependencies), calendars and environments, for `rp_bundle_plan` and
/// `rp_bundle_can_i_deploy`. Immutable and thread-safe: one catalog may be
/// used from any number of threads at once. Reference-counted: every
/// handle from a constructor or `rp_catalog_retain` is released with one
/// `rp_catalog_free`.
pub struct rp_catalog {
    catalog: Catalog,
}

/// A plan's verdict (`rp_bundle_plan`). `0` is never a verdict, so a
/// zeroed variable is not mistaken for `RP_PLAN_OK`.
pub type rp_plan_verdict = u32;

/// Every release can go as requested (`"ok"`; the CLI exits 0).
pub const RP_PLAN_OK: rp_plan_verdict = 1;
/// A contract violation, a cycle or a freeze stops the plan (`"blocked"`;
/// the CLI exits 1).
pub const RP_PLAN_BLOCKED: rp_plan_verdict = 2;
/// Conflicts with a proposed resolution a release manager must accept or
/// edit (`"needsDecision"`; the CLI exits 3).
pub const RP_PLAN_NEEDS_DECISION: rp_plan_verdict = 3;

/// What `rp_bundle_plan` writes: the plan as JSON, or rendered for
/// people. A `uint32_t`, so a newer library may add formats.
pub type rp_plan_format = u32;

/// The plan as indented JSON: exactly the engine's `Plan::to_json` (the
/// conformance corpus's `NAME.plan.json` without its final newline).
pub const RP_PLAN_FORMAT_JSON: rp_plan_format = 0;
/// Plain text, as `release-policy plan` prints it.
pub const RP_PLAN_FORMAT_TEXT: rp_plan_format = 1;
/// Markdown (a table per wave, violations, conflicts).
pub const RP_PLAN_FORMAT_MARKDOWN: rp_plan_format = 2;
/// A Graphviz DOT graph of the waves and dependencies.
pub const RP_PLAN_FORMAT_DOT: rp_plan_format = 3;
/// A Mermaid flowchart of the waves and dependencies.
pub const RP_PLAN_FORMAT_MERMAID: rp_plan_format = 4;

/// The name a release plan given as text has in error locations.
const PLAN_SOURCE: &str = "<release-plan>";

fn plan_verdict(v: PlanVerdict) -> rp_plan_verdict {
    match v {
        PlanVerdict::Ok => RP_PLAN_OK,
        PlanVerdict::Blocked => RP_PLAN_BLOCKED,
        PlanVerdict::NeedsDecision => RP_PLAN_NEEDS_DECISION,
    }
}

/// Hand a new catalog to C.
///
/// # Safety
/// `out` is checked not NULL and writable.
unsafe fn give(
    out: *mut *const rp_catalog,
    result: Result<Catalog, release_policy_core::Error>,
) -> Result<(), rp_error> {
    let catalog = result.map_err(|e| rp_error::from_engine(&e))?;
    let ptr = Arc::into_raw(Arc::new(rp_catalog { catalog }));
    // SAFETY: guaranteed by the caller.
    unsafe { write(out, ptr) };
    Ok(())
}

/// Borrow the catalog behind a handle.
///
/// # Safety
/// `catalog` is NULL or a live handle.
pub(crate) unsafe fn catalog_ref<'a>(catalog: *const rp_catalog) -> Result<&'a Catalog, rp_error> {
    required("catalog", catalog)?;
    // SAFETY: not NULL; a live handle points into a live `Arc` (contract).
    Ok(&unsafe { &*catalog }.catalog)
}

/// Every catalog file (`.yaml`, `.yml`, `.json`) below the directory `path`
/// (`path_len` bytes of UTF-8), into `*catalog_out`; OpenAPI documents the
/// services name are read relative to the file that names them. Default
/// limits apply. A malformed or inconsistent catalog is
/// `RP_STATUS_CATALOG_ERROR` (codes `RP08xx`, with `file:line:column`); a
/// directory that cannot be read is `RP_STATUS_IO_ERROR`.
///
/// # Safety
/// `path` points to `path_len` readable bytes; `catalog_out` and
/// `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_catalog_from_dir(
    path: *const c_char,
    path_len: usize,
    catalog_out: *mut *const rp_catalog,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `path`/`path_len`.
        let path = unsafe { str_arg("path", path, path_len) }?;
        required("catalog_out", catalog_out)?;
        let limits = release_policy_core::Limits::default();
        // SAFETY: `catalog_out` checked above.
        unsafe { give(catalog_out, Catalog::from_dir(path, &limits)) }
    })
}

/// One catalog file (`path`, `path_len` bytes of UTF-8), into
/// `*catalog_out`. As `rp_catalog_from_dir` otherwise.
///
/// # Safety
/// `path` points to `path_len` readable bytes; `catalog_out` and
/// `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_catalog_from_file(
    path: *const c_char,
    path_len: usize,
    catalog_out: *mut *const rp_catalog,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `path`/`path_len`.
        let path = unsafe { str_arg("path", path, path_len) }?;
        required("catalog_out", catalog_out)?;
        let limits = release_policy_core::Limits::default();
        // SAFETY: `catalog_out` checked above.
        unsafe { give(catalog_out, Catalog::from_file(path, &limits)) }
    })
}

/// Add a reference to a catalog, for another owner (another thread, say);
/// returns `catalog` itself (NULL for NULL). Each reference is released
/// with its own `rp_catalog_free`.
///
/// # Safety
/// `catalog` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_catalog_retain(catalog: *const rp_catalog) -> *const rp_catalog {
    catch(
        |_| std::ptr::null(),
        || {
            if !catalog.is_null() {
                // SAFETY: a live handle came from `Arc::into_raw` and still
                // holds at least one strong count (contract).
                unsafe { Arc::increment_strong_count(catalog) };
            }
            catalog
        },
    )
}

/// Release one reference to a catalog; the last release frees it. NULL is
/// a no-op.
///
/// # Safety
/// `catalog` is NULL or a live handle, released at most once per
/// reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn rp_catalog_free(catalog: *const rp_catalog) {
    catch(
        |_| (),
        || {
            if !catalog.is_null() {
                // SAFETY: a live handle came from `Arc::into_raw` and this
                // releases one of its references (contract).
                drop(unsafe { Arc::from_raw(catalog) });
            }
        },
    )
}

/// Plan the releases of `plan` (`plan_len` bytes of YAML or JSON text: one
/// `kind: ReleasePlan` document) against `catalog`: waves, contract
/// violations, cycles, blast radius, schedule conflicts and a proposed
/// schedule. The bundle supplies the limits.
///
/// On success writes the plan in `format` (`RP_PLAN_FORMAT_JSON`: the same
/// bytes as every other binding, schema of `docs/plan.md`) into
/// `*plan_out` — free it with `rp_buf_free` — and, if `verdict_out` is not
/// NULL, the verdict into `*verdict_out`. An unknown `format` is
/// `RP_STATUS_INVALID_ARGUMENT`.
///
/// A malformed release plan, or one naming a service or environment the
/// catalog does not have, is `RP_STATUS_CATALOG_ERROR`; its locations name
/// the file `<release-plan>`. A blocked plan is a verdict, not an error.
/// Safe to call on one bundle and one catalog from many threads at once.
///
/// # Safety
/// `bundle` and `catalog` are NULL or live handles; `plan` points to
/// `plan_len` readable bytes; `plan_out`, `verdict_out` and `error_out`
/// are NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rp_bundle_plan(
    bundle: *const rp_bundle,
    catalog: *const rp_catalog,
    plan: *const c_char,
    plan_len: usize,
    format: rp_plan_format,
    plan_out: *mut rp_buf,
    verdict_out: *mut rp_plan_verdict,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `bundle`.
        let bundle = unsafe { crate::bundle::bundle_ref(bundle) }?;
        // SAFETY: the caller's contract on `catalog`.
        let catalog = unsafe { catalog_ref(catalog) }?;
        // SAFETY: the caller's contract on `plan`/`plan_len`.
        let text = unsafe { str_arg("plan", plan, plan_len) }?;
        required("plan_out", plan_out)?;
        if format > RP_PLAN_FORMAT_MERMAID {
            return Err(rp_error::invalid_argument(format!(
                "unknown plan format `{format}`"
            )));
        }
        let core = bundle.core();
        let engine = |e: release_policy_core::Error| rp_error::from_engine(&e);
        let intended =
            ReleasePlan::from_yaml_str(PLAN_SOURCE, text, core.limits()).map_err(engine)?;
        let p = core.plan(catalog, &intended).map_err(engine)?;
        let rendered = match format {
            RP_PLAN_FORMAT_TEXT => p.to_text(),
            RP_PLAN_FORMAT_MARKDOWN => p.to_markdown(),
            RP_PLAN_FORMAT_DOT => p.to_dot(),
            RP_PLAN_FORMAT_MERMAID => p.to_mermaid(),
            _ => p.to_json(),
        };
        // SAFETY: `plan_out` checked above; `verdict_out` is optional and
        // checked for NULL here.
        unsafe {
            write(plan_out, rp_buf::from_string(rendered));
            if !verdict_out.is_null() {
                write(verdict_out, plan_verdict(p.verdict));
            }
        }
        Ok(())
    })
}

/// May `version` of `service` go to `environment`, as far as the API
/// contracts of `catalog` tell (Pact's `can-i-deploy`)? The version
/// provides the API versions the catalog lists at exactly that version;
/// every consumer running in the environment must accept them and find
/// the operations it uses. Each string is pointer + length, UTF-8.
///
/// On success writes the answer as indented JSON (the engine's
/// `Deployability::to_json`: `deployable`, `violations`, `blastRadius`,
/// `summary`, …) into `*json_out` — free it with `rp_buf_free` — and, if
/// `deployable_out` is not NULL, whether it may go. "No" is an answer, not
/// an error; a service or environment the catalog does not have is
/// `RP_STATUS_CATALOG_ERROR` (code `RP0805`, file `<arguments>`, with a
/// "did you mean" hint).
///
/// # Safety
/// `bundle` and `catalog` are NULL or live handles; each string points to
/// its length in readable bytes; `json_out`, `deployable_out` and
/// `error_out` are NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn rp_bundle_can_i_deploy(
    bundle: *const rp_bundle,
    catalog: *const rp_catalog,
    service: *const c_char,
    service_len: usize,
    version: *const c_char,
    version_len: usize,
    environment: *const c_char,
    environment_len: usize,
    json_out: *mut rp_buf,
    deployable_out: *mut bool,
    error_out: *mut *mut rp_error,
) -> rp_status {
    call(error_out, || {
        // SAFETY: the caller's contract on `bundle`.
        let bundle = unsafe { crate::bundle::bundle_ref(bundle) }?;
        // SAFETY: the caller's contract on `catalog`.
        let catalog = unsafe { catalog_ref(catalog) }?;
        // SAFETY: the caller's contract on the strings.
        let service = unsafe { str_arg("service", service, service_len) }?;
        // SAFETY: as above.
        let version = unsafe { str_arg("version", version, version_len) }?;
        // SAFETY: as above.
        let environment = unsafe { str_arg("environment", environment, environment_len) }?;
        required("json_out", json_out)?;
        let d = bundle
            .core()
            .can_i_deploy(catalog, service, version, environment)
            .map_err(|e| rp_error::from_engine(&e))?;
        // SAFETY: `json_out` checked above; `deployable_out` is optional
        // and checked for NULL here.
        unsafe {
            write(json_out, rp_buf::from_string(d.to_json()));
            if !deployable_out.is_null() {
                write(deployable_out, d.deployable);
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::*;

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

    #[test]
    fn the_corpus_plans_byte_for_byte_and_verdicts_agree() {
        let dir = root().join("examples/catalog").display().to_string();
        let mut bundle: *const rp_bundle = std::ptr::null();
        let mut catalog: *const rp_catalog = std::ptr::null();
        // SAFETY: valid strings and out-pointers; handles freed below.
        unsafe {
            assert_eq!(
                crate::bundle::rp_bundle_builtin(&mut bundle, std::ptr::null_mut()),
                RP_STATUS_OK
            );
            assert_eq!(
                rp_catalog_from_dir(
                    dir.as_ptr().cast(),
                    dir.len(),
                    &mut catalog,
                    std::ptr::null_mut()
                ),
                RP_STATUS_OK
            );
        }
        for (name, want) in [
            ("plan-ok", RP_PLAN_OK),
            ("plan-blocked", RP_PLAN_BLOCKED),
            ("plan-needs-decision", RP_PLAN_NEEDS_DECISION),
        ] {
            let case = root().join(format!("tests/corpus/plan/{name}.yaml"));
            let case = std::fs::read_to_string(case).unwrap_or_default();
            let plan_file = case
                .lines()
                .find_map(|l| l.strip_prefix("plan: "))
                .unwrap_or_default();
            let text = std::fs::read_to_string(root().join(plan_file)).unwrap_or_default();
            let golden = root().join(format!("tests/corpus/plan/{name}.plan.json"));
            let golden = std::fs::read_to_string(golden).unwrap_or_default();
            let mut out = rp_buf {
                data: std::ptr::null_mut(),
                len: 0,
            };
            let mut verdict: rp_plan_verdict = 0;
            // SAFETY: live handles, valid text and out-pointers.
            let status = unsafe {
                rp_bundle_plan(
                    bundle,
                    catalog,
                    text.as_ptr().cast(),
                    text.len(),
                    RP_PLAN_FORMAT_JSON,
                    &mut out,
                    &mut verdict,
                    std::ptr::null_mut(),
                )
            };
            assert_eq!(status, RP_STATUS_OK, "{name}");
            assert_eq!(verdict, want, "{name}");
            assert_eq!(take(out) + "\n", golden, "{name}");
        }
        // SAFETY: each handle released once.
        unsafe {
            rp_catalog_free(catalog);
            crate::bundle::rp_bundle_free(bundle);
        }
    }
}
