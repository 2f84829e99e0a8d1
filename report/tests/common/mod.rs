//! The audit records the report's tests read: the repository's examples
//! (`examples/releases`, `examples/rollouts`, `examples/records`) run
//! through the built-in pack, made into audit entries and sealed into one
//! chain from `GENESIS`, as an archive would.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use release_policy::audit::chain::GENESIS;
use release_policy::audit::{AuditRecord, Entry};
use release_policy::review::Records;
use release_policy::{Bundle, Facts, Limits, RolloutFacts};

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The checkout 2.4.0 facts a day later, with a security waiver for the
/// critical SCA finding that expires a week after the first decision.
pub fn checkout_waived() -> Facts {
    let text = read("examples/releases/checkout-2.4.0.yaml")
        .replace("now: 2026-11-26T10:00:00Z", "now: 2026-11-27T09:00:00Z")
        .replace(
            "waivers: []",
            "waivers:\n  - {rule: sca-no-critical, by: dan, role: security, reason: \"fix ships in 2.4.1\", expires: 2026-12-03T00:00:00Z}",
        );
    Facts::parse(&text).unwrap()
}

/// The entries, in the order they are archived.
pub fn entries(bundle: &Bundle) -> Vec<Entry> {
    let mut out = Vec::new();
    for rel in [
        "examples/releases/checkout-2.4.0.yaml",
        "examples/releases/payments-1.8.0.yaml",
        "examples/releases/search-3.0.0.yaml",
    ] {
        let facts = Facts::parse(&read(rel)).unwrap();
        out.push(bundle.check(&facts).unwrap().audit_entry(&facts));
    }
    for rel in [
        "examples/rollouts/checkout-canary-healthy.yaml",
        "examples/rollouts/checkout-latency-regression.yaml",
    ] {
        let facts = RolloutFacts::parse(&read(rel)).unwrap();
        out.push(bundle.assess(&facts).unwrap().audit_entry(&facts));
    }
    let records = Records::from_path(root().join("examples/records"), &Limits::default()).unwrap();
    for r in records.iter() {
        out.push(r.audit_entry());
    }
    let facts = checkout_waived();
    out.push(bundle.check(&facts).unwrap().audit_entry(&facts));
    out
}

/// `entries` sealed into a chain: sequence numbers from 1, each linked to
/// the hash of the one before.
pub fn seal(entries: Vec<Entry>) -> Vec<AuditRecord> {
    let mut prev = GENESIS.to_string();
    let mut out = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let r = e.seal(i as u64 + 1, &prev);
        prev = r.hash.clone();
        out.push(r);
    }
    out
}

/// The example archive.
pub fn archive(bundle: &Bundle) -> Vec<AuditRecord> {
    seal(entries(bundle))
}
