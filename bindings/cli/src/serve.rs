//! `serve`: the flags into the decision service's configuration
//! (`release_policy_server::Config`); the service is the server crate's.

use release_policy::{Error, ErrorCode};

/// Seconds from a flag; negative, NaN or absurd values are refused.
fn seconds(flag: &str, value: f64) -> Result<std::time::Duration, Error> {
    std::time::Duration::try_from_secs_f64(value).map_err(|_| {
        Error::io(
            ErrorCode::ReadFailed,
            "<arguments>",
            format!("`{flag} {value}` is not a number of seconds"),
        )
    })
}

/// `serve`: the flags into the service's configuration; runs until SIGTERM.
pub(crate) fn run(a: crate::args::ServeArgs) -> Result<u8, Error> {
    let defaults = release_policy_server::Config::default();
    let watch = seconds("--watch-interval", a.watch_interval)?;
    let config = release_policy_server::Config {
        listen: a.listen,
        policies: a.policies,
        builtin: a.builtin,
        catalog: a.catalog,
        archive: a.archive,
        token_file: a.token_file,
        tls: match (a.tls_cert, a.tls_key) {
            (Some(cert), Some(key)) => Some(release_policy_server::TlsFiles { cert, key }),
            _ => None,
        },
        max_body_bytes: a.max_body_bytes,
        header_timeout: seconds("--header-timeout", a.header_timeout)?,
        body_timeout: seconds("--body-timeout", a.body_timeout)?,
        max_concurrent: a.max_concurrent,
        max_connections: a.max_connections,
        workers: a.workers.unwrap_or(defaults.workers),
        watch_interval: (!watch.is_zero()).then_some(watch),
        drain_timeout: seconds("--drain-timeout", a.drain_timeout)?,
    };
    release_policy_server::run(config)?;
    Ok(0)
}
