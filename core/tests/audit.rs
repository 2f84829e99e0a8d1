//! The audit chain: real decisions sealed into a chain, every kind of
//! tampering found at its record, signed checkpoints checked against
//! OpenSSL (an independent Ed25519 implementation) and the chain against an
//! independent verifier (`data/audit_verify.py`, Python's standard
//! library); replay and backtest through bundles rebuilt from their
//! archived layers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::Command;

use release_policy::audit::{
    AuditRecord, BreakKind, Checkpoint, Entry, EntryKind, PublicKey, SigningKey, Verifier, chain,
};
use release_policy::{Bundle, ErrorCode, Facts, RolloutFacts};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every example decision and assessment of the repository, as entries.
fn entries(bundle: &Bundle) -> Vec<Entry> {
    let mut out = Vec::new();
    for f in [
        "examples/releases/checkout-2.4.0.yaml",
        "examples/releases/payments-1.8.0.yaml",
        "examples/releases/search-3.0.0.yaml",
    ] {
        let facts = Facts::from_str_with_limits(&read(f), bundle.limits()).unwrap();
        out.push(bundle.check(&facts).unwrap().audit_entry(&facts));
    }
    for f in [
        "examples/rollouts/checkout-canary-healthy.yaml",
        "examples/rollouts/checkout-latency-regression.yaml",
        "examples/rollouts/checkout-no-data.yaml",
    ] {
        let facts = RolloutFacts::from_str_with_limits(&read(f), bundle.limits()).unwrap();
        out.push(bundle.assess(&facts).unwrap().audit_entry(&facts));
    }
    out
}

fn seal_all(entries: Vec<Entry>) -> Vec<AuditRecord> {
    let mut prev = chain::GENESIS.to_string();
    let mut out = Vec::new();
    for (i, e) in entries.into_iter().enumerate() {
        let r = e.seal(i as u64 + 1, &prev);
        prev.clone_from(&r.hash);
        out.push(r);
    }
    out
}

fn chain_of(n: usize) -> Vec<AuditRecord> {
    let bundle = Bundle::builtin();
    let base = entries(&bundle);
    seal_all(base.iter().cycle().take(n).cloned().collect())
}

fn verify(
    records: &[AuditRecord],
    checkpoints: &[Checkpoint],
) -> release_policy::audit::Verification {
    let mut v = Verifier::new();
    for c in checkpoints {
        v = v.checkpoint(c.clone());
    }
    for r in records {
        v.push(r);
    }
    v.finish()
}

fn key() -> SigningKey {
    SigningKey::from_pem("audit-key.pem", &read("core/tests/data/audit-key.pem")).unwrap()
}

fn public() -> PublicKey {
    PublicKey::from_pem("audit-key.pub", &read("core/tests/data/audit-key.pub")).unwrap()
}

#[test]
fn an_untouched_chain_verifies_and_ends_at_its_head() {
    let records = chain_of(12);
    let v = verify(&records, &[]);
    assert!(v.is_intact(), "{:?}", v.breaks);
    assert_eq!(v.count, 12);
    assert_eq!(v.head.as_deref(), Some(records[11].hash.as_str()));
    assert_eq!(records[0].prev, chain::GENESIS);
    let kinds: Vec<EntryKind> = records.iter().map(|r| r.entry.kind).collect();
    assert!(kinds.contains(&EntryKind::Check) && kinds.contains(&EntryKind::Assess));
}

#[test]
fn a_changed_record_is_found_at_its_place() {
    for field in ["verdict", "decision", "facts", "release", "now", "bundle"] {
        let mut records = chain_of(8);
        let e = &mut records[4].entry;
        match field {
            "verdict" => e.verdict = "go".into(),
            "decision" => e.decision = e.decision.replacen(":", ": ", 1),
            "facts" => e.facts.push(' '),
            "release" => e.release.push('x'),
            "now" => e.now = "2026-01-01T00:00:00Z".into(),
            _ => e.bundle = "sha256:0".into(),
        }
        let v = verify(&records, &[]);
        assert_eq!(v.breaks.len(), 1, "{field}: {:?}", v.breaks);
        assert_eq!(v.breaks[0].seq, 5, "{field}");
        assert!(
            matches!(v.breaks[0].kind, BreakKind::Changed { .. }),
            "{field}"
        );
        let err = v.into_result().unwrap_err();
        assert_eq!(err.code(), ErrorCode::ChainBroken);
        assert_eq!(err.location().as_deref(), Some("record 5"));
        assert!(err.to_string().contains("record 5 was changed"), "{err}");
    }
}

#[test]
fn a_changed_record_with_its_hash_recomputed_breaks_the_next_link() {
    let mut records = chain_of(8);
    records[2].entry.verdict = "go".into();
    records[2].hash = records[2].computed_hash();
    let v = verify(&records, &[]);
    assert_eq!(v.breaks.len(), 1, "{:?}", v.breaks);
    assert_eq!(v.breaks[0].seq, 4);
    assert!(matches!(v.breaks[0].kind, BreakKind::Unlinked { .. }));
}

#[test]
fn a_removed_record_is_named() {
    let mut records = chain_of(8);
    records.remove(3);
    let v = verify(&records, &[]);
    assert_eq!(v.breaks[0].seq, 5);
    assert_eq!(v.breaks[0].kind, BreakKind::Missing { expected: 4 });
    assert_eq!(
        v.breaks[0].message(),
        "record 4 is missing (the chain goes on at 5)"
    );
}

#[test]
fn two_swapped_records_are_out_of_order() {
    let mut records = chain_of(8);
    records.swap(2, 5);
    let v = verify(&records, &[]);
    assert!(!v.is_intact());
    assert_eq!(v.breaks[0].seq, 6);
    assert!(matches!(
        v.breaks[0].kind,
        BreakKind::Missing { expected: 3 }
    ));
    assert!(
        v.breaks
            .iter()
            .any(|b| matches!(b.kind, BreakKind::OutOfOrder { .. })),
        "{:?}",
        v.breaks
    );
}

/// The attack a checkpoint exists for: someone with write access inserts
/// a record and rewrites every number and hash after it. The chain is
/// consistent again; only the signed head shows it.
#[test]
fn an_inserted_record_with_the_chain_rewritten_is_caught_by_a_checkpoint() {
    let records = chain_of(10);
    let checkpoint = Checkpoint::sign(10, &records[9].hash, &key());
    checkpoint.verify(&public()).unwrap();
    let mut forged: Vec<Entry> = records.iter().map(|r| r.entry.clone()).collect();
    let mut planted = forged[0].clone();
    planted.verdict = "go".into();
    forged.insert(3, planted);
    let forged = seal_all(forged);
    assert!(verify(&forged, &[]).is_intact());
    let v = verify(&forged, std::slice::from_ref(&checkpoint));
    assert_eq!(v.breaks.len(), 1, "{:?}", v.breaks);
    assert_eq!(v.breaks[0].seq, 10);
    assert!(matches!(v.breaks[0].kind, BreakKind::Rewritten { .. }));
}

#[test]
fn a_cut_tail_is_caught_by_a_checkpoint() {
    let mut records = chain_of(10);
    let checkpoint = Checkpoint::sign(10, &records[9].hash, &key());
    records.truncate(7);
    assert!(verify(&records, &[]).is_intact());
    let v = verify(&records, &[checkpoint]);
    assert_eq!(v.breaks.len(), 1);
    assert_eq!(v.breaks[0].seq, 8);
    assert_eq!(
        v.breaks[0].kind,
        BreakKind::Truncated {
            checkpoint: 10,
            count: 7
        }
    );
}

#[test]
fn a_checkpoint_verifies_only_with_its_key_and_unchanged() {
    let records = chain_of(3);
    let cp = Checkpoint::sign(3, &records[2].hash, &key());
    assert_eq!(cp.key, public().to_hex());
    cp.verify(&public()).unwrap();
    let other =
        PublicKey::from_pem("other.pub", &read("core/tests/data/audit-other-key.pub")).unwrap();
    let e = cp.verify(&other).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidCheckpoint);
    assert!(e.hint().unwrap().contains(&cp.key), "{:?}", e.hint());
    let mut moved = cp.clone();
    moved.count = 2;
    assert_eq!(
        moved.verify(&public()).unwrap_err().code(),
        ErrorCode::InvalidCheckpoint
    );
    let mut bad = cp.clone();
    bad.signature = "zz".into();
    assert_eq!(
        bad.verify(&public()).unwrap_err().code(),
        ErrorCode::InvalidCheckpoint
    );
}

#[test]
fn keys_in_the_wrong_form_are_refused_with_a_hint() {
    let e = SigningKey::from_pem("k.pub", &read("core/tests/data/audit-key.pub")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidKey);
    assert_eq!(e.location().as_deref(), Some("k.pub"));
    let e = PublicKey::from_pem("k.pem", &read("core/tests/data/audit-key.pem")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidKey);
    assert!(e.hint().unwrap().contains("-pubout"), "{:?}", e.hint());
    assert!(PublicKey::from_pem("x", "garbage").is_err());
}

/// OpenSSL, an independent Ed25519 implementation, accepts our checkpoint
/// signature over the message docs/audit.md specifies.
#[test]
fn openssl_verifies_a_checkpoint() {
    if Command::new("openssl").arg("version").output().is_err() {
        assert!(std::env::var("CI").is_err(), "openssl is missing under CI");
        eprintln!("skipped: openssl is not installed");
        return;
    }
    let records = chain_of(4);
    let cp = Checkpoint::sign(4, &records[3].hash, &key());
    let dir = std::env::temp_dir().join(format!("rp-audit-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let msg = dir.join("msg");
    let sig = dir.join("sig");
    std::fs::write(&msg, Checkpoint::message(cp.count, &cp.head)).unwrap();
    let bytes: Vec<u8> = (0..cp.signature.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&cp.signature[i..i + 2], 16).unwrap())
        .collect();
    std::fs::write(&sig, &bytes).unwrap();
    let run = |m: &PathBuf| {
        Command::new("openssl")
            .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
            .arg(root().join("core/tests/data/audit-key.pub"))
            .arg("-rawin")
            .arg("-in")
            .arg(m)
            .arg("-sigfile")
            .arg(&sig)
            .output()
            .unwrap()
    };
    let out = run(&msg);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let forged = dir.join("forged");
    std::fs::write(&forged, Checkpoint::message(cp.count + 1, &cp.head)).unwrap();
    assert!(!run(&forged).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The independent verifier of docs/audit.md (Python's hashlib and
/// struct) agrees with ours on an intact chain and finds the change.
#[test]
fn an_independent_verifier_agrees() {
    if Command::new("python3").arg("--version").output().is_err() {
        assert!(std::env::var("CI").is_err(), "python3 is missing under CI");
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let records = chain_of(9);
    let dir = std::env::temp_dir().join(format!("rp-audit-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("chain.jsonl");
    let write = |rs: &[AuditRecord]| {
        let text: String = rs.iter().map(|r| r.to_json() + "\n").collect();
        std::fs::write(&file, text).unwrap();
    };
    let run = || {
        let out = Command::new("python3")
            .arg(root().join("core/tests/data/audit_verify.py"))
            .arg(&file)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    write(&records);
    assert_eq!(run().trim(), format!("ok 9 {}", records[8].hash));
    let mut changed = records.clone();
    changed[6].entry.facts = changed[6].entry.facts.replace("checkout", "checkovt");
    write(&changed);
    assert!(run().starts_with("broken at record 7"), "{}", run());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_canonical_encoding_is_as_documented() {
    let docs = read("docs/audit.md");
    for needle in [chain::TAG, "big-endian", "facts digest"] {
        assert!(docs.contains(needle), "docs/audit.md lacks `{needle}`");
    }
    let e = chain_of(1).remove(0);
    let bytes = chain::encode(1, chain::GENESIS, &e.entry);
    assert_eq!(&bytes[..8], &(chain::TAG.len() as u64).to_be_bytes());
    assert_eq!(&bytes[8..8 + chain::TAG.len()], chain::TAG.as_bytes());
    assert_eq!(e.hash, chain::hex(&chain::sha256(&bytes)));
}

#[test]
fn an_archived_decision_replays_to_the_same_bytes() {
    let bundle = Bundle::builtin();
    for r in chain_of(6) {
        let again = bundle.replay(&r).unwrap();
        assert_eq!(again, r.entry, "record {} ({})", r.seq, r.entry.release);
    }
}

#[test]
fn a_bundle_rebuilt_from_its_layers_has_the_same_digest() {
    let layered = Bundle::builder()
        .builtin_layer()
        .dir_layer(root().join("examples/layers/org"))
        .dir_layer(root().join("examples/layers/payments"))
        .build()
        .unwrap();
    for bundle in [Bundle::builtin(), layered] {
        let mut b = Bundle::builder();
        for layer in bundle.layers() {
            b = b.sources_layer(layer.iter().cloned());
        }
        let rebuilt = b.build().unwrap();
        assert_eq!(rebuilt.digest(), bundle.digest());
        assert_eq!(rebuilt.sources(), bundle.sources());
    }
}

#[test]
fn an_assessment_of_the_older_schema_replays_all_but_its_digest() {
    let bundle = Bundle::builtin();
    let backtest = |r: &AuditRecord| {
        bundle
            .backtest(
                |push| {
                    push(r.clone());
                    Ok(())
                },
                1,
                &|_| {},
            )
            .unwrap()
    };
    let mut seen = 0;
    for r in chain_of(6) {
        let (now, old) = match r.entry.kind {
            EntryKind::Check => ("release-policy/decision/v2", "release-policy/decision/v1"),
            EntryKind::Assess => (
                "release-policy/assessment/v3",
                "release-policy/assessment/v2",
            ),
            _ => continue,
        };
        assert!(r.entry.decision.contains(now), "record {}", r.seq);
        // The record as the older schema wrote it: another name and
        // another facts digest, the rest the same.
        let mut older = r.clone();
        let v1_digest = "sha256:00000000000000000000000000000000000000000000000000000000000000aa";
        older.entry.decision = r
            .entry
            .decision
            .replace(now, old)
            .replace(&r.entry.facts_digest, v1_digest);
        older.entry.facts_digest = v1_digest.into();
        older.entry.decision_digest = Entry::digest_of(older.entry.decision.as_bytes());
        match r.entry.kind {
            EntryKind::Assess => {
                assert_eq!(
                    bundle.replay(&older).unwrap(),
                    older.entry,
                    "record {}",
                    r.seq
                );
                // A changed verdict of such a record is still found.
                let mut tampered = older.clone();
                let verdict = format!("\"verdict\":\"{}\"", r.entry.verdict);
                assert!(
                    tampered.entry.decision.contains(&verdict),
                    "record {}",
                    r.seq
                );
                tampered.entry.decision =
                    tampered
                        .entry
                        .decision
                        .replacen(&verdict, "\"verdict\":\"promote-now\"", 1);
                assert_ne!(bundle.replay(&tampered).unwrap(), tampered.entry);
            }
            _ => {
                // Replayed as today's: it differs, so `audit verify
                // --replay` fails on it rather than skipping it.
                let again = bundle.replay(&older).unwrap();
                assert_eq!(again, r.entry, "record {}", r.seq);
                assert_ne!(again, older.entry, "record {}", r.seq);
            }
        }
        // A backtest reads verdicts and outcomes, which the schemas share.
        let b = backtest(&older);
        assert_eq!((b.replayed, b.unchanged), (1, 1), "record {}", r.seq);
        seen += 1;
    }
    assert!(seen >= 2);
}

#[test]
fn other_kinds_are_not_replayed() {
    let mut r = chain_of(1).remove(0);
    r.entry.kind = EntryKind::Review;
    let e = Bundle::builtin().replay(&r).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ReplayMismatch);
}

#[test]
fn a_backtest_names_the_decisions_and_rules_a_new_bundle_changes() {
    let records = chain_of(12);
    let stricter = Bundle::builder()
        .builtin_layer()
        .dir_layer(root().join("core/tests/data/audit-stricter"))
        .build()
        .unwrap();
    let run = |threads: usize| {
        stricter
            .backtest(
                |push| {
                    for r in &records {
                        push(r.clone());
                    }
                    Ok(())
                },
                threads,
                &|_| {},
            )
            .unwrap()
    };
    let one = run(1);
    assert_eq!(one, run(4), "the result depends on the threads");
    assert_eq!(one.replayed, 12);
    let checks_of_checkout: Vec<&AuditRecord> = records
        .iter()
        .filter(|r| r.entry.kind == EntryKind::Check && r.entry.service == "checkout")
        .collect();
    assert!(!checks_of_checkout.is_empty());
    for r in &checks_of_checkout {
        let c = one.changes.iter().find(|c| c.seq == r.seq).unwrap();
        assert!(c.rules.iter().any(|x| x.rule == "checkout-frozen"
            && x.old.is_none()
            && x.new.as_deref() == Some("fail")));
        assert_eq!(c.new, "no-go");
    }
    assert!(one.changes.iter().all(|c| c.service == "checkout"));
    assert_eq!(one.rules[0].rule, "checkout-frozen");
    assert!(one.summary().contains("`checkout-frozen`") || one.newly_blocked() == 0);
    // The same bundle changes nothing.
    let same = Bundle::builtin()
        .backtest(
            |push| {
                records.iter().for_each(|r| push(r.clone()));
                Ok(())
            },
            2,
            &|_| {},
        )
        .unwrap();
    assert_eq!(same.changes, vec![]);
    assert_eq!(same.unchanged, 12);
    assert!(
        same.summary().contains("none would change"),
        "{}",
        same.summary()
    );
}
