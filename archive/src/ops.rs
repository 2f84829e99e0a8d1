//! What is done with an archive, for every front end alike (the CLI, the
//! Python package): record a result with its bundle, add release records,
//! verify the chain (held to signed checkpoints, with an optional replay of
//! every decision), sign a checkpoint, backtest a new bundle.

use std::collections::BTreeMap;

use release_policy::audit::{
    AuditRecord, Backtest, Checkpoint, Entry, EntryKind, PublicKey, SigningKey, Verification,
    Verifier,
};
use release_policy::review::Records;
use release_policy::{Bundle, Error, ErrorCode};
use serde::Serialize;

use crate::{Archive, Filter};

/// Archive `entry`, decided by `bundle` (whose policy texts are kept once,
/// for replay): the sealed record.
pub fn record(
    archive: &mut dyn Archive,
    bundle: Option<&Bundle>,
    entry: Entry,
) -> Result<AuditRecord, Error> {
    if let Some(b) = bundle {
        archive.put_bundle(b)?;
    }
    archive.append(vec![entry])?.pop().ok_or_else(|| {
        Error::audit(
            ErrorCode::ArchiveWriteFailed,
            Some(archive.location().to_string()),
            "the archive acknowledged no record",
        )
    })
}

/// Archive every release record of `records`, in order, in one
/// transaction.
pub fn add_records(
    archive: &mut dyn Archive,
    records: &Records,
) -> Result<Vec<AuditRecord>, Error> {
    archive.append(records.iter().map(|r| r.audit_entry()).collect())
}

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Re-decide every archived check and assessment with its archived
    /// bundle and require the same bytes.
    pub replay: bool,
    /// The checkpoint signer's public key: every stored checkpoint must
    /// verify with it (`RP1002`), and the chain is held to each. Without a
    /// key, stored checkpoints are not trusted, so not used.
    pub key: Option<PublicKey>,
    /// Checkpoints kept outside the archive (need `key` too).
    pub checkpoints: Vec<Checkpoint>,
}

/// What verification found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// The archive's location.
    pub archive: String,
    /// The chain: intact, or its breaks.
    pub verification: Verification,
    /// With `replay`, on an intact chain: how many decisions were
    /// re-decided to the same bytes.
    pub replayed: Option<u64>,
    /// Records not replayable (plans, reviews, decisions with a catalog),
    /// and why.
    pub not_replayed: Vec<(u64, String)>,
}

/// Verify the chain of `archive` (streaming). A checkpoint that does not
/// verify is an error (`RP1002`), so is a replay that differs (`RP1008`);
/// a broken chain is a report with breaks
/// ([`Verification::into_result`] makes it `RP1001`).
pub fn verify(archive: &mut dyn Archive, options: &VerifyOptions) -> Result<VerifyReport, Error> {
    let mut verifier = Verifier::new();
    match &options.key {
        Some(key) => {
            let mut all = archive.checkpoints()?;
            all.extend(options.checkpoints.iter().cloned());
            for c in all {
                c.verify(key)?;
                verifier = verifier.checkpoint(c);
            }
        }
        None if !options.checkpoints.is_empty() => {
            return Err(Error::audit(
                ErrorCode::InvalidArchiveQuery,
                Some("checkpoint".into()),
                "a checkpoint is only trusted with the key that signed it",
            )
            .with_hint("give the signer's public key (`--public-key key.pub`)"));
        }
        None => {}
    }
    let mut digests: BTreeMap<String, ()> = BTreeMap::new();
    archive.scan(&Filter::default(), &mut |r| {
        verifier.push(&r);
        if options.replay && matches!(r.entry.kind, EntryKind::Check | EntryKind::Assess) {
            digests.insert(r.entry.bundle.clone(), ());
        }
        true
    })?;
    let verification = verifier.finish();
    let mut report = VerifyReport {
        archive: archive.location().to_string(),
        replayed: None,
        not_replayed: Vec::new(),
        verification,
    };
    if options.replay && report.verification.is_intact() {
        let (n, skipped) = replay(archive, digests.into_keys().collect())?;
        report.replayed = Some(n);
        report.not_replayed = skipped;
    }
    Ok(report)
}

/// Re-decide every archived check and assessment with its archived
/// bundle; the first difference is `RP1008`.
fn replay(
    archive: &mut dyn Archive,
    digests: Vec<String>,
) -> Result<(u64, Vec<(u64, String)>), Error> {
    let mut bundles = BTreeMap::new();
    for d in digests {
        let b = archive.bundle(&d)?;
        bundles.insert(d, b);
    }
    let mut replayed = 0;
    let mut skipped = Vec::new();
    let mut mismatch: Option<Error> = None;
    let filter = Filter {
        kinds: vec![EntryKind::Check, EntryKind::Assess],
        ..Filter::default()
    };
    archive.scan(&filter, &mut |r| {
        let place = Some(format!("record {}", r.seq));
        let Some(Some(bundle)) = bundles.get(&r.entry.bundle) else {
            mismatch = Some(
                Error::audit(
                    ErrorCode::ReplayMismatch,
                    place,
                    format!("bundle `{}` is not in the archive", r.entry.bundle),
                )
                .with_hint("archive decisions with `--archive`, which stores each bundle once"),
            );
            return false;
        };
        match bundle.replay(&r) {
            Ok(again) if again == r.entry => replayed += 1,
            Ok(again) => {
                let what = if again.verdict == r.entry.verdict {
                    "replayed, its decision differs from the archived one".to_string()
                } else {
                    format!(
                        "replayed, it says `{}` where the archive says `{}`",
                        again.verdict, r.entry.verdict
                    )
                };
                mismatch = Some(Error::audit(ErrorCode::ReplayMismatch, place, what).with_hint(
                    format!(
                        "archived by `{}`, replayed by `{}`; if they are the same, the record was changed along with its chain",
                        r.entry.engine, again.engine
                    ),
                ));
                return false;
            }
            Err(e) if e.code() == ErrorCode::ReplayMismatch => {
                skipped.push((r.seq, e.to_string()));
            }
            Err(e) => {
                mismatch = Some(Error::audit(
                    ErrorCode::ReplayMismatch,
                    place,
                    format!("its archived facts do not decide: error[{}]: {e}", e.code()),
                ));
                return false;
            }
        }
        true
    })?;
    match mismatch {
        Some(e) => Err(e),
        None => Ok((replayed, skipped)),
    }
}

/// Verify the chain, sign its head with `key` and store the checkpoint.
pub fn checkpoint(archive: &mut dyn Archive, key: &SigningKey) -> Result<Checkpoint, Error> {
    let report = verify(archive, &VerifyOptions::default())?;
    let v = report.verification.into_result()?;
    let Some(head) = v.head else {
        return Err(Error::audit(
            ErrorCode::InvalidArchiveQuery,
            Some(archive.location().to_string()),
            "the archive is empty: there is nothing to sign",
        ));
    };
    let c = Checkpoint::sign(v.count, &head, key);
    archive.add_checkpoint(&c)?;
    Ok(c)
}

/// Backtest `bundle` over the archived checks and assessments `filter`
/// selects: streamed from the archive, replayed on `threads` threads;
/// `progress` hears how many are done now and then.
pub fn backtest(
    archive: &mut dyn Archive,
    bundle: &Bundle,
    filter: &Filter,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Backtest, Error> {
    let mut filter = filter.clone();
    if filter.kinds.is_empty() {
        filter.kinds = vec![EntryKind::Check, EntryKind::Assess];
    }
    bundle.backtest(
        |push| {
            archive.scan(&filter, &mut |r| {
                push(r);
                true
            })
        },
        threads,
        progress,
    )
}
