//! Signed checkpoints: an Ed25519 signature over a chain's head hash and
//! record count. Whoever holds the public key can prove that no one with
//! write access to the archive rewrote or cut history up to the
//! checkpoint: rewriting a record changes every hash after it, so the
//! signed head no longer matches, and cutting the tail leaves fewer
//! records than the checkpoint counted.
//!
//! Keys are PEM files as `openssl genpkey -algorithm ed25519` writes them
//! (PKCS#8 private key) and `openssl pkey -pubout` (SPKI public key); the
//! signed message is specified in `docs/audit.md`, so `openssl pkeyutl
//! -verify` can check a checkpoint too.

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey};
use ed25519_dalek::{Signer, Verifier};
use serde::{Deserialize, Serialize};

use super::chain;
use crate::error::{Error, ErrorCode};

/// A signed statement: the chain held `count` records and the last one's
/// hash was `head`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Checkpoint {
    /// How many records the chain held.
    pub count: u64,
    /// The hash of record `count` (64 hex digits).
    pub head: String,
    /// The signer's public key, 64 hex digits (which key signed: the
    /// signature is only trusted with a key the auditor holds).
    pub key: String,
    /// The Ed25519 signature of [`Checkpoint::message`], 128 hex digits.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes that are signed:
    /// `release-policy/audit/checkpoint/v1\n{count}\n{head}\n`.
    pub fn message(count: u64, head: &str) -> String {
        format!("release-policy/audit/checkpoint/v1\n{count}\n{head}\n")
    }

    /// Sign the chain's state with `key`.
    pub fn sign(count: u64, head: &str, key: &SigningKey) -> Checkpoint {
        let signature = key.0.sign(Checkpoint::message(count, head).as_bytes());
        Checkpoint {
            count,
            head: head.to_string(),
            key: key.public_key().to_hex(),
            signature: chain::hex(&signature.to_bytes()),
        }
    }

    /// Whether `key` signed this checkpoint (`RP1002` if not, or if the
    /// checkpoint is malformed).
    pub fn verify(&self, key: &PublicKey) -> Result<(), Error> {
        let place = Some(format!("checkpoint at record {}", self.count));
        let fail =
            |message: String| Error::audit(ErrorCode::InvalidCheckpoint, place.clone(), message);
        if !chain::is_hash(&self.head) {
            return Err(fail(format!("head `{}` is not a hash", self.head)));
        }
        let bytes = unhex(&self.signature)
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or_else(|| {
                fail(format!(
                    "signature `{}` is not 128 hex digits",
                    self.signature
                ))
            })?;
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        key.0
            .verify(
                Checkpoint::message(self.count, &self.head).as_bytes(),
                &signature,
            )
            .map_err(|_| {
                fail(format!(
                    "the signature does not verify with key `{}`",
                    key.to_hex()
                ))
                .with_hint(if self.key == key.to_hex() {
                    "the checkpoint was changed after it was signed".to_string()
                } else {
                    format!("the checkpoint was signed by key `{}`", self.key)
                })
            })
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// An Ed25519 private key, for signing checkpoints.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public_key().to_hex())
    }
}

impl SigningKey {
    /// The key in a PKCS#8 PEM text (`-----BEGIN PRIVATE KEY-----`);
    /// `name` (the file) locates errors (`RP1003`).
    pub fn from_pem(name: &str, pem: &str) -> Result<SigningKey, Error> {
        ed25519_dalek::SigningKey::from_pkcs8_pem(pem.trim())
            .map(SigningKey)
            .map_err(|e| {
                Error::audit(
                    ErrorCode::InvalidKey,
                    Some(name.to_string()),
                    format!("not an Ed25519 private key in PKCS#8 PEM: {e}"),
                )
                .with_hint("make one with `openssl genpkey -algorithm ed25519 -out key.pem`")
            })
    }

    /// The key from its 32 secret bytes.
    pub fn from_bytes(secret: &[u8; 32]) -> SigningKey {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(secret))
    }

    /// Its public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// An Ed25519 public key, for verifying checkpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// The key in an SPKI PEM text (`-----BEGIN PUBLIC KEY-----`); `name`
    /// (the file) locates errors (`RP1003`).
    pub fn from_pem(name: &str, pem: &str) -> Result<PublicKey, Error> {
        ed25519_dalek::VerifyingKey::from_public_key_pem(pem.trim())
            .map(PublicKey)
            .map_err(|e| {
                let hint = if pem.contains("PRIVATE KEY") {
                    "this is a private key: give the public key, `openssl pkey -in key.pem -pubout`"
                } else {
                    "write the public key with `openssl pkey -in key.pem -pubout -out key.pub`"
                };
                Error::audit(
                    ErrorCode::InvalidKey,
                    Some(name.to_string()),
                    format!("not an Ed25519 public key in SPKI PEM: {e}"),
                )
                .with_hint(hint)
            })
    }

    /// The key as 64 hex digits.
    pub fn to_hex(&self) -> String {
        chain::hex(self.0.as_bytes())
    }
}
