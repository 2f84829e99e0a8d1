//! [`rp_bundle_builder`]: layers of policies (organisation first, team
//! last) added one by one, then built into an `rp_bundle`.

use std::ffi::c_char;

use super::{give, rp_bundle};
use crate::boundary::{call, catch, required, str_arg};
use crate::error::rp_error;
use crate::status::rp_status;

/// Layers under construction (organisation first, team last), for
/// `rp_bundle_builder_build`. Not thread-safe: use a builder from one
/// thread at a time.
pub struct rp_bundle_builder {
    builder: release_policy_core::BundleBuilder,
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
