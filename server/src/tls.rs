//! TLS with rustls: a certificate chain and a private key from PEM files,
//! TLS 1.2 and 1.3 with rustls' safe defaults (ring's cipher suites),
//! HTTP/1.1 by ALPN.

use std::path::Path;
use std::sync::Arc;

use release_policy::{Error, ErrorCode};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::TlsFiles;

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::io(ErrorCode::ReadFailed, path.display().to_string(), message)
}

/// A rustls server configuration from `files`. Errors (`RP0601`, naming
/// the file) when a file cannot be read, holds no certificate or key, or
/// the key does not match the certificate.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, Error> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad(&files.cert, pem_message(&e)))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(&files.cert, pem_message(&e)))?;
    if certs.is_empty() {
        return Err(bad(
            &files.cert,
            "no `CERTIFICATE` block: expected a PEM certificate chain, leaf first",
        ));
    }
    let key =
        PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad(&files.key, pem_message(&e)))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&files.cert, e.to_string().to_lowercase()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            bad(
                &files.key,
                format!(
                    "the key does not fit the certificate: {}",
                    e.to_string().to_lowercase()
                ),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn pem_message(e: &rustls_pki_types::pem::Error) -> String {
    match e {
        rustls_pki_types::pem::Error::NoItemsFound => {
            "no PEM block of the expected kind (`CERTIFICATE`, or a `PRIVATE KEY`)".into()
        }
        rustls_pki_types::pem::Error::Io(io) => io.to_string().to_lowercase(),
        other => format!(
            "not a valid PEM file: {}",
            format!("{other:?}").to_lowercase()
        ),
    }
}
