//! What the service serves, and how it changes: the bundle (and catalog)
//! compiled from the configured files, held behind one pointer that a
//! reload swaps atomically.
//!
//! A request takes the pointer once, when it starts, and decides on that
//! bundle to the end: requests in flight during a reload finish on the old
//! one. A reload compiles the new bundle aside (on a blocking thread); when
//! it does not load, the old bundle keeps serving and the error is kept for
//! `/readyz`, logged and counted (`release_policy_reloads_total{result=
//! "failure"}`).
//!
//! Changes are found by a fingerprint of the policy and catalog files (their
//! paths, sizes and modification times, following symbolic links as a
//! Kubernetes ConfigMap mount uses them; names starting with `.` are not
//! walked). A fingerprint that failed to load is not retried until it
//! changes again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use release_policy::plan::Catalog;
use release_policy::{Bundle, Error, Limits};
use sha2::{Digest, Sha256};

use crate::Config;

/// A bundle and catalog as loaded together.
#[derive(Debug, Clone)]
pub struct Served {
    /// The compiled bundle.
    pub bundle: Bundle,
    /// The catalog, when one is configured.
    pub catalog: Option<Catalog>,
    /// The fingerprint of the files it was loaded from.
    pub fingerprint: [u8; 32],
}

/// The last reload's outcome, for `/readyz`.
#[derive(Debug, Clone, Default)]
pub struct ReloadStatus {
    /// Reloads that loaded.
    pub loaded: u64,
    /// The last failed reload's error (code, message, location), until a
    /// reload succeeds.
    pub failed: Option<serde_json::Value>,
    /// The fingerprint that failed (not retried until the files change).
    failed_fingerprint: Option<[u8; 32]>,
}

/// The pointer requests read and reloads swap.
#[derive(Debug)]
pub struct Current {
    served: RwLock<Arc<Served>>,
    status: Mutex<ReloadStatus>,
}

/// The files a configuration loads from.
fn watched(config: &Config) -> Vec<PathBuf> {
    config
        .policies
        .iter()
        .chain(config.catalog.as_ref())
        .cloned()
        .collect()
}

/// Load the bundle and catalog `config` names.
pub fn load(config: &Config) -> Result<Served, Error> {
    load_as(config, fingerprint(&watched(config)))
}

/// [`load`], the files' fingerprint taken already (before reading them:
/// a change made while loading is seen by the next look).
fn load_as(config: &Config, fingerprint: [u8; 32]) -> Result<Served, Error> {
    let bundle = crate::load_bundle(&config.policies, config.builtin)?;
    let catalog = match &config.catalog {
        Some(p) if p.is_dir() => Some(Catalog::from_dir(p, &Limits::default())?),
        Some(p) => Some(Catalog::from_file(p, &Limits::default())?),
        None => None,
    };
    Ok(Served {
        bundle,
        catalog,
        fingerprint,
    })
}

/// A digest of the paths, sizes and modification times under `roots`.
pub fn fingerprint(roots: &[PathBuf]) -> [u8; 32] {
    let mut entries = Vec::new();
    for root in roots {
        walk(root, 0, &mut entries);
    }
    entries.sort();
    let mut h = Sha256::new();
    for e in &entries {
        h.update(e.as_bytes());
        h.update(b"\n");
    }
    h.finalize().into()
}

fn walk(path: &Path, depth: usize, out: &mut Vec<String>) {
    // Bounded depth: a symbolic link loop cannot make the walk endless.
    if depth > 16 {
        return;
    }
    let Ok(meta) = std::fs::metadata(path) else {
        out.push(format!("{}\tmissing", path.display()));
        return;
    };
    if meta.is_dir() {
        let Ok(dir) = std::fs::read_dir(path) else {
            out.push(format!("{}\tunreadable", path.display()));
            return;
        };
        for entry in dir.flatten() {
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            walk(&entry.path(), depth + 1, out);
        }
    } else {
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        out.push(format!("{}\t{}\t{modified}", path.display(), meta.len()));
    }
}

impl Current {
    /// Serve `served` from now on.
    pub fn new(served: Served) -> Current {
        Current {
            served: RwLock::new(Arc::new(served)),
            status: Mutex::new(ReloadStatus::default()),
        }
    }

    /// What is served now (held by a request to its end).
    pub fn get(&self) -> Option<Arc<Served>> {
        self.served.read().ok().map(|s| Arc::clone(&s))
    }

    /// The last reload's outcome.
    pub fn status(&self) -> ReloadStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Whether the files changed since what is served (or since the last
    /// failed attempt) was loaded.
    pub fn changed(&self, config: &Config) -> bool {
        let now = fingerprint(&watched(config));
        let served = self.get().map(|s| s.fingerprint);
        let failed = self.status.lock().ok().and_then(|s| s.failed_fingerprint);
        served != Some(now) && failed != Some(now)
    }

    /// Load `config` again and swap it in; on failure keep serving the old
    /// bundle and remember the error. Returns the new bundle's digest, or the
    /// error.
    pub fn reload(&self, config: &Config) -> Result<String, Error> {
        let files = fingerprint(&watched(config));
        match load_as(config, files) {
            Ok(served) => {
                let digest = served.bundle.digest().to_string();
                if let Ok(mut s) = self.served.write() {
                    *s = Arc::new(served);
                }
                if let Ok(mut st) = self.status.lock() {
                    st.loaded += 1;
                    st.failed = None;
                    st.failed_fingerprint = None;
                }
                Ok(digest)
            }
            Err(e) => {
                if let Ok(mut st) = self.status.lock() {
                    st.failed = Some(crate::handlers::error_json(&e));
                    st.failed_fingerprint = Some(files);
                }
                Err(e)
            }
        }
    }
}
