//! The service's life: load, listen, accept (plain or TLS), reload on
//! `SIGHUP` and on changed files, and on `SIGTERM` (or `SIGINT`) stop
//! accepting, let every request in flight finish, and exit.
//!
//! Each connection is served by hyper's HTTP/1.1 with a header read
//! timeout (also the TLS handshake's); open connections are bounded
//! (`Config::max_connections`), requests being decided too
//! (`Config::max_concurrent`).

use std::sync::{Arc, Mutex, RwLock};

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use release_policy::{Error, ErrorCode};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Semaphore;

use crate::Config;
use crate::auth::Tokens;
use crate::metrics::Metrics;
use crate::pool::Pool;
use crate::state::{self, Current};

/// What every request shares.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) current: Current,
    pub(crate) metrics: Metrics,
    tokens: RwLock<Option<Tokens>>,
    pub(crate) archive: Option<Arc<Mutex<Box<dyn release_policy_archive::Archive>>>>,
    pub(crate) pool: Pool,
    pub(crate) permits: Arc<Semaphore>,
    reloading: tokio::sync::Mutex<()>,
}

/// A line on stderr: `release-policy serve: level=info msg="…" key=value`.
fn log(level: &str, message: &str, fields: &str) {
    eprintln!("release-policy serve: level={level} msg={message:?}{fields}");
}

impl Shared {
    /// Whether a request with this `Authorization` value may pass.
    pub(crate) fn authorized(&self, authorization: Option<&[u8]>) -> bool {
        match self.tokens.read() {
            Ok(t) => t.as_ref().is_none_or(|t| t.allows(authorization)),
            Err(_) => false,
        }
    }

    /// `/readyz`: the bundle served, reloads, the last reload's error.
    pub(crate) fn readiness(&self) -> String {
        let status = self.current.status();
        let digest = self
            .current
            .get()
            .map(|s| s.bundle.digest().to_string())
            .unwrap_or_default();
        let v = serde_json::json!({
            "ready": true,
            "bundle": digest,
            "reloads": status.loaded,
            "lastReloadError": status.failed,
        });
        v.to_string() + "\n"
    }

    /// Reload the bundle (and, on `SIGHUP`, the tokens); one at a time.
    async fn reload(self: &Arc<Self>, why: &'static str) {
        let _one = self.reloading.lock().await;
        let me = Arc::clone(self);
        let result = tokio::task::spawn_blocking(move || {
            // SIGHUP reloads even when the fingerprint is unchanged (a file
            // rewritten within one modification-time tick).
            let tokens = match &me.config.token_file {
                Some(path) if why == "sighup" => Some(Tokens::from_file(path)),
                _ => None,
            };
            (me.current.reload(&me.config), tokens)
        })
        .await;
        let Ok((bundle, tokens)) = result else {
            return;
        };
        match bundle {
            Ok(digest) => {
                self.metrics.reload(true);
                log(
                    "info",
                    "bundle reloaded",
                    &format!(" reason={why} bundle={digest}"),
                );
            }
            Err(e) => {
                self.metrics.reload(false);
                log(
                    "error",
                    "bundle reload failed; the old bundle keeps serving",
                    &format!(
                        " reason={why} error=\"error[{}]: {}\"",
                        e.code(),
                        e.to_string().replace('"', "'")
                    ),
                );
            }
        }
        match tokens {
            Some(Ok(t)) => {
                if let Ok(mut slot) = self.tokens.write() {
                    *slot = Some(t);
                }
            }
            Some(Err(e)) => log(
                "error",
                "token file reload failed; the old tokens stay",
                &format!(" error=\"error[{}]: {e}\"", e.code()),
            ),
            None => {}
        }
    }
}

fn io_error(what: &str, e: &std::io::Error) -> Error {
    Error::io(ErrorCode::ReadFailed, what, e.to_string().to_lowercase())
}

/// Load the bundle `config` names and serve it until `SIGTERM` or `SIGINT`.
/// Errors when the bundle, catalog, token file, certificate or archive
/// does not load, or the address cannot be bound; the service does not
/// start then.
pub fn run(config: Config) -> Result<(), Error> {
    let served = state::load(&config)?;
    let tokens = config
        .token_file
        .as_deref()
        .map(Tokens::from_file)
        .transpose()?;
    let tls = config
        .tls
        .as_ref()
        .map(crate::tls::server_config)
        .transpose()?;
    let archive = config
        .archive
        .as_deref()
        .map(release_policy_archive::open)
        .transpose()?
        .map(|a| Arc::new(Mutex::new(a)));
    let pool = Pool::new(config.workers).map_err(|e| io_error("<threads>", &e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("release-policy-io")
        .build()
        .map_err(|e| io_error("<runtime>", &e))?;
    let shared = Arc::new(Shared {
        permits: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
        config,
        current: Current::new(served),
        metrics: Metrics::new(),
        tokens: RwLock::new(tokens),
        archive,
        pool,
        reloading: tokio::sync::Mutex::new(()),
    });
    let result = runtime.block_on(serve(Arc::clone(&shared), tls));
    shared.pool.shutdown();
    result
}

async fn serve(shared: Arc<Shared>, tls: Option<Arc<rustls::ServerConfig>>) -> Result<(), Error> {
    let addr = shared.config.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| io_error(&addr.to_string(), &e))?;
    let local = listener
        .local_addr()
        .map_err(|e| io_error(&addr.to_string(), &e))?;
    let mut term = signal(SignalKind::terminate()).map_err(|e| io_error("<signals>", &e))?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| io_error("<signals>", &e))?;
    let mut hup = signal(SignalKind::hangup()).map_err(|e| io_error("<signals>", &e))?;
    let digest = shared
        .current
        .get()
        .map(|s| s.bundle.digest().to_string())
        .unwrap_or_default();
    let scheme = if tls.is_some() { "https" } else { "http" };
    log(
        "info",
        &format!("listening on {scheme}://{local}"),
        &format!(" bundle={digest} workers={}", shared.config.workers),
    );
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(shared.config.max_connections.max(1)));
    let mut watch = shared.config.watch_interval.map(|d| {
        let mut i = tokio::time::interval(d);
        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        i
    });
    let accept = |connections: Arc<Semaphore>| {
        let listener = &listener;
        async move {
            let permit = connections.acquire_owned().await;
            let accepted = listener.accept().await;
            (accepted, permit)
        }
    };
    loop {
        tokio::select! {
            _ = term.recv() => { log("info", "SIGTERM: draining", ""); break; }
            _ = int.recv() => { log("info", "SIGINT: draining", ""); break; }
            _ = hup.recv() => {
                let s = Arc::clone(&shared);
                tokio::spawn(async move { s.reload("sighup").await });
            }
            _ = tick(&mut watch) => {
                let s = Arc::clone(&shared);
                tokio::spawn(async move {
                    let probe = Arc::clone(&s);
                    let changed = tokio::task::spawn_blocking(move || probe.current.changed(&probe.config))
                        .await
                        .unwrap_or(false);
                    if changed {
                        s.reload("files changed").await;
                    }
                });
            }
            (accepted, permit) = accept(Arc::clone(&connections)) => {
                let (stream, permit) = match (accepted, permit) {
                    (Ok((stream, _)), Ok(permit)) => (stream, permit),
                    (Err(e), _) => {
                        // Out of descriptors, say: pause instead of spinning.
                        log("warn", "accept failed", &format!(" error={:?}", e.to_string()));
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                    (_, Err(_)) => continue,
                };
                let _ = stream.set_nodelay(true);
                connection(&shared, stream, acceptor.clone(), graceful.watcher(), permit);
            }
        }
    }
    drop(listener);
    let drain = shared.config.drain_timeout;
    match tokio::time::timeout(drain, graceful.shutdown()).await {
        Ok(()) => log(
            "info",
            "stopped: every request answered",
            &format!(" answered={}", shared.metrics.decisions_answered()),
        ),
        Err(_) => log(
            "warn",
            "stopped: requests still in flight at the drain timeout",
            &format!(" drain_timeout={drain:?}"),
        ),
    }
    Ok(())
}

async fn tick(watch: &mut Option<tokio::time::Interval>) {
    match watch {
        Some(i) => {
            i.tick().await;
        }
        None => std::future::pending().await,
    }
}

fn connection(
    shared: &Arc<Shared>,
    stream: TcpStream,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    watcher: hyper_util::server::graceful::Watcher,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let timeout = shared.config.header_timeout;
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(timeout)
            .keep_alive(true);
        let svc = {
            let shared = Arc::clone(&shared);
            service_fn(move |req| crate::http::handle(Arc::clone(&shared), req))
        };
        match acceptor {
            None => {
                let _ = watcher
                    .watch(http.serve_connection(TokioIo::new(stream), svc))
                    .await;
            }
            Some(acceptor) => {
                let Ok(Ok(tls)) = tokio::time::timeout(timeout, acceptor.accept(stream)).await
                else {
                    return;
                };
                let _ = watcher
                    .watch(http.serve_connection(TokioIo::new(tls), svc))
                    .await;
            }
        }
        drop(permit);
    });
}
