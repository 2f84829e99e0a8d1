//! `release-policy serve`: the decision service. The same bundle the CLI
//! loads, behind HTTP/JSON, for internal platforms in any language — the
//! way OPA runs next to the services that ask it.
//!
//! - `POST /v1/check`, `/v1/assess`, `/v1/plan`, `/v1/review`: the body is
//!   what a facts (rollout facts, release plan, release records) file would
//!   hold; the answer is the CLI's `--format json` output, byte for byte,
//!   with the verdict in the `Release-Policy-Verdict` header. Bad input is a
//!   `400` with the coded error as JSON ([`handlers`]).
//! - `GET /v1/bundle`, `/healthz`, `/readyz`, `/metrics` (Prometheus text,
//!   [`metrics`]).
//! - The bundle reloads on `SIGHUP` and when its files change ([`state`]):
//!   compiled aside, swapped atomically; a bundle that does not load leaves
//!   the old one serving.
//! - Bearer tokens ([`auth`]), TLS ([`tls`]), body and time limits, bounded
//!   concurrency and graceful shutdown on `SIGTERM` ([`listen`]). Decisions
//!   run on a pool of worker threads ([`pool`]), never on the runtime's
//!   reactor threads.
//!
//! The service translates; every decision is the library's. `docs/server.md`
//! is the user's guide.

pub mod auth;
// The fuzz target's oracle: a violated invariant panics, for the fuzzer.
#[doc(hidden)]
#[allow(clippy::panic)]
pub mod fuzzing;
pub mod handlers;
mod http;
pub mod listen;
pub mod metrics;
pub mod pool;
pub mod state;
pub mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use release_policy::{Bundle, BundleBuilder, Error};

pub use listen::run;

/// The service's settings: what `release-policy serve` takes as flags.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (default `127.0.0.1:8484`; port `0` picks a free one,
    /// announced on stderr as `listening on http://ADDR`).
    pub listen: SocketAddr,
    /// Policy directories, as layers (organisation first); none: the
    /// built-in pack.
    pub policies: Vec<PathBuf>,
    /// Put the built-in pack first, under the `policies` layers.
    pub builtin: bool,
    /// A catalog (a directory or one file): needed by `/v1/plan`; binds
    /// `graph` and `calendar` for `/v1/check` and `downstream` for
    /// `/v1/assess`, as `--catalog` does on the CLI.
    pub catalog: Option<PathBuf>,
    /// Record every decision in this audit archive (an SQLite path or a
    /// `postgres://` URL), before answering.
    pub archive: Option<String>,
    /// A file of bearer tokens (one per line, `#` comments): every route but
    /// `/healthz` and `/readyz` then needs `Authorization: Bearer TOKEN`.
    pub token_file: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain and private key (PEM files).
    pub tls: Option<TlsFiles>,
    /// Largest request body, in bytes (`413` above it).
    pub max_body_bytes: usize,
    /// Time allowed for a request's headers, and for a TLS handshake
    /// (the connection is closed after it).
    pub header_timeout: Duration,
    /// Time allowed for a request's body (`408` after it).
    pub body_timeout: Duration,
    /// Most requests decided or waiting at once (`503` with `Retry-After`
    /// above it).
    pub max_concurrent: usize,
    /// Most open connections (further ones wait in the kernel's backlog).
    pub max_connections: usize,
    /// Decision threads (default: the machine's cores).
    pub workers: usize,
    /// How often to look for changed policy or catalog files (`None`: only
    /// on `SIGHUP`).
    pub watch_interval: Option<Duration>,
    /// How long `SIGTERM` waits for requests in flight before exiting.
    pub drain_timeout: Duration,
}

/// A certificate chain and its private key, PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The certificate chain (leaf first).
    pub cert: PathBuf,
    /// The private key (PKCS #8, PKCS #1 or SEC1).
    pub key: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8484)),
            policies: Vec::new(),
            builtin: false,
            catalog: None,
            archive: None,
            token_file: None,
            tls: None,
            max_body_bytes: 8 * 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_concurrent: 256,
            max_connections: 1024,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            watch_interval: Some(Duration::from_secs(2)),
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// The bundle of `builtin` and the `policies` layers: the built-in pack
/// alone when no directory is given. The CLI loads its bundles with this
/// too, so `serve` and `check` decide with the same bundle.
pub fn load_bundle(policies: &[PathBuf], builtin: bool) -> Result<Bundle, Error> {
    if policies.is_empty() {
        return Bundle::try_builtin();
    }
    let base = if builtin {
        BundleBuilder::new().builtin_layer()
    } else {
        BundleBuilder::new()
    };
    policies.iter().fold(base, |b, d| b.dir_layer(d)).build()
}
