//! Audit entries from results: each question's result, with the input it
//! was decided on, as the [`Entry`] an archive seals into its chain. Here,
//! in the orchestrator, because the audit slice takes results as data and
//! never imports another slice.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use std::collections::BTreeMap;

use crate::audit::backtest::{Archived, Change, compare_outcomes};
use crate::audit::{AuditRecord, Backtest, Entry, EntryKind};
use crate::error::{Error, ErrorCode};
use crate::model::ReleaseRecord;
use crate::model::{Facts, RolloutFacts, Timestamp};
use crate::plan::Plan;
use crate::review::Review;
use crate::{Assessment, Bundle, Decision};

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The parts every entry is built from; [`Parts::entry`] adds the engine
/// and the digests, so each result only says what is its own.
struct Parts {
    kind: EntryKind,
    release: String,
    service: String,
    environment: String,
    now: Timestamp,
    bundle: String,
    /// The result's own facts digest, or `None` for the digest of `facts`.
    facts_digest: Option<String>,
    verdict: &'static str,
    decision: String,
    facts: String,
}

impl Parts {
    fn entry(self) -> Entry {
        Entry {
            kind: self.kind,
            release: self.release,
            service: self.service,
            environment: self.environment,
            now: crate::model::rfc3339(self.now),
            engine: format!("release-policy {}", env!("CARGO_PKG_VERSION")),
            bundle: self.bundle,
            facts_digest: self
                .facts_digest
                .unwrap_or_else(|| Entry::digest_of(self.facts.as_bytes())),
            decision_digest: Entry::digest_of(self.decision.as_bytes()),
            verdict: self.verdict.to_string(),
            decision: self.decision,
            facts: self.facts,
        }
    }
}

impl Decision {
    /// The audit entry of this decision on `facts` (the facts it was
    /// decided on; they are archived, so the decision can be replayed).
    pub fn audit_entry(&self, facts: &Facts) -> Entry {
        Parts {
            kind: EntryKind::Check,
            release: self.release().to_string(),
            service: facts.release.service.clone(),
            environment: facts.release.environment.clone(),
            now: self.now(),
            bundle: self.bundle().digest().to_string(),
            facts_digest: Some(self.facts_digest().to_string()),
            verdict: self.verdict().as_str(),
            decision: self.to_json(),
            facts: to_json(facts),
        }
        .entry()
    }
}

impl Assessment {
    /// The audit entry of this assessment on `facts`.
    pub fn audit_entry(&self, facts: &RolloutFacts) -> Entry {
        let rollout = &facts.rollout;
        Parts {
            kind: EntryKind::Assess,
            release: rollout
                .release
                .clone()
                .unwrap_or_else(|| rollout.id.clone()),
            service: rollout.service.clone(),
            environment: rollout.environment.clone().unwrap_or_default(),
            now: self.now(),
            bundle: self.bundle().digest().to_string(),
            facts_digest: Some(self.facts_digest().to_string()),
            verdict: self.verdict().as_str(),
            decision: self.to_json(),
            facts: to_json(facts),
        }
        .entry()
    }
}

impl Plan {
    /// The audit entry of this plan, made by `bundle` at `now` (a plan has
    /// no `now` of its own); `inputs` names what it was planned from (the
    /// catalog's and the release plan's digests and paths), as JSON.
    pub fn audit_entry(
        &self,
        bundle: &Bundle,
        now: Timestamp,
        inputs: &serde_json::Value,
    ) -> Entry {
        Parts {
            kind: EntryKind::Plan,
            release: self.name.clone(),
            service: String::new(),
            environment: String::new(),
            now,
            bundle: bundle.digest().to_string(),
            facts_digest: None,
            verdict: self.verdict.as_str(),
            decision: to_json(self),
            facts: to_json(inputs),
        }
        .entry()
    }
}

impl Review {
    /// The audit entry of this review, made by `bundle`; `inputs` names
    /// what it was made from (the records' digest, the options), as JSON.
    /// Its `now` is the end of the period.
    pub fn audit_entry(&self, bundle: &Bundle, inputs: &serde_json::Value) -> Entry {
        Parts {
            kind: EntryKind::Review,
            release: String::new(),
            service: self.service.clone().unwrap_or_default(),
            environment: self.environment.clone(),
            now: self.period.to,
            bundle: bundle.digest().to_string(),
            facts_digest: None,
            verdict: self.verdict.as_str(),
            decision: to_json(self),
            facts: to_json(inputs),
        }
        .entry()
    }
}

impl ReleaseRecord {
    /// The audit entry of this release record: the record is both the
    /// facts and the "decision"; its `now` is its last event, its verdict
    /// its outcome.
    pub fn audit_entry(&self) -> Entry {
        let record = to_json(self);
        Parts {
            kind: EntryKind::Record,
            release: self.release.id.clone(),
            service: self.release.service.clone(),
            environment: self.release.environment.clone(),
            now: self.last_event(),
            bundle: String::new(),
            facts_digest: None,
            verdict: self.outcome.as_str(),
            decision: record.clone(),
            facts: record,
        }
        .entry()
    }
}

/// A record decided again: the facts and the result.
enum Redecided {
    Check(Box<Facts>, Decision),
    Assess(Box<RolloutFacts>, Assessment),
}

impl Facts {
    /// These facts with `history` derived from `records` (what
    /// [`Bundle::check_with_records`] decides on; archive these so the
    /// decision can be replayed without the records). Errors when the
    /// facts carry a `history` of their own.
    pub fn with_history(
        &self,
        bundle: &Bundle,
        records: &crate::review::Records,
    ) -> Result<Facts, Error> {
        if self.history.is_some() {
            return Err(crate::error::FactsError::new(
                crate::error::ErrorCode::FactsUnknownField,
                "the facts carry `history` and release records were given",
            )
            .at("$.history")
            .with_hint("leave `history` out: it is derived from the records")
            .into());
        }
        let mut facts = self.clone();
        facts.history = Some(bundle.history(
            records,
            &facts.release.service,
            &facts.release.environment,
            facts.now,
        ));
        Ok(facts)
    }
}

/// The assessment schema before samples were packed in the facts digest.
const ASSESSMENT_V2: &str = "release-policy/assessment/v2";

impl Bundle {
    /// Decide an archived `check` or `assess` record again with this
    /// bundle, from the facts archived with it: the entry the decision
    /// would be archived as today. A record of another kind, or decided
    /// with a catalog (not archived), is an error (`RP1008`).
    /// An assessment archived under `release-policy/assessment/v2` is
    /// replayed too, and compared in full except for what that schema
    /// computed otherwise: its schema name and its facts digest (v2 did
    /// not pack samples; this engine no longer has that encoding), which
    /// are taken from the archive. A result of any other schema than the
    /// one this engine writes is replayed as today's, so it differs.
    pub fn replay(&self, record: &AuditRecord) -> Result<Entry, Error> {
        let archived = Archived::parse(&record.entry.decision);
        // Any other schema is replayed as today's, so it differs: `RP1008`,
        // never a record skipped (a re-sealed chain must not hide a change
        // behind an old schema name).
        let older = archived
            .schema()
            .filter(|was| record.entry.kind == EntryKind::Assess && *was == ASSESSMENT_V2);
        let mut again = match self.redecide(record, &archived)? {
            Redecided::Check(facts, d) => d.audit_entry(&facts),
            Redecided::Assess(facts, a) => a.audit_entry(&facts),
        };
        if let Some(was) = older {
            let decision = again
                .decision
                .replacen(
                    &format!("\"{}\"", crate::assess::assessment::ASSESSMENT_SCHEMA),
                    &format!("\"{was}\""),
                    1,
                )
                .replacen(
                    &format!("\"{}\"", again.facts_digest),
                    &format!("\"{}\"", record.entry.facts_digest),
                    1,
                );
            again.decision_digest = Entry::digest_of(decision.as_bytes());
            again.decision = decision;
            again.facts_digest.clone_from(&record.entry.facts_digest);
        }
        Ok(again)
    }

    fn redecide(&self, record: &AuditRecord, archived: &Archived) -> Result<Redecided, Error> {
        let place = || Some(format!("record {}", record.seq));
        if archived.with_catalog() {
            return Err(Error::audit(
                ErrorCode::ReplayMismatch,
                place(),
                "the decision was made with a catalog, which the archive does not hold",
            ));
        }
        let limits = &self.inner.limits;
        match record.entry.kind {
            EntryKind::Check => {
                let facts = Facts::from_str_with_limits(&record.entry.facts, limits)?;
                let decision = self.check(&facts)?;
                Ok(Redecided::Check(Box::new(facts), decision))
            }
            EntryKind::Assess => {
                let facts = RolloutFacts::from_str_with_limits(&record.entry.facts, limits)?;
                let assessment = self.assess(&facts)?;
                Ok(Redecided::Assess(Box::new(facts), assessment))
            }
            other => Err(Error::audit(
                ErrorCode::ReplayMismatch,
                place(),
                format!(
                    "a `{other}` record cannot be replayed: only `check` and `assess` decisions"
                ),
            )),
        }
    }

    /// What a backtest needs of one record's replay: the change, if any,
    /// read from the typed result (no JSON written for it).
    fn backtest_one(&self, record: &AuditRecord) -> Result<Option<Change>, Error> {
        let archived = Archived::parse(&record.entry.decision);
        let (verdict, new): (&str, BTreeMap<String, String>) =
            match self.redecide(record, &archived)? {
                Redecided::Check(_, d) => (
                    d.verdict().as_str(),
                    d.findings()
                        .iter()
                        .map(|f| (f.rule().to_string(), f.outcome().as_str().to_string()))
                        .collect(),
                ),
                Redecided::Assess(_, a) => (
                    a.verdict().as_str(),
                    a.findings()
                        .iter()
                        .map(|f| (f.rule().to_string(), f.outcome().as_str().to_string()))
                        .collect(),
                ),
            };
        Ok(compare_outcomes(record, archived.outcomes(), verdict, &new))
    }

    /// Backtest this bundle over archived decisions: `feed` pushes the
    /// records (streaming them from an archive, say); `threads` workers
    /// replay the `check` and `assess` ones as they come (other kinds are
    /// passed over) and `progress` hears how many are done, now and then.
    /// The result does not depend on `threads` or on timing.
    pub fn backtest(
        &self,
        feed: impl FnOnce(&mut dyn FnMut(AuditRecord)) -> Result<(), Error>,
        threads: usize,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Backtest, Error> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<AuditRecord>(1024);
        let rx = Mutex::new(rx);
        let results = Mutex::new(Vec::new());
        let done = AtomicU64::new(0);
        let fed = std::thread::scope(|scope| {
            for _ in 0..threads.max(1) {
                scope.spawn(|| {
                    let mut local = Vec::new();
                    loop {
                        let next = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok(record) = next else { break };
                        let result = self
                            .backtest_one(&record)
                            .map_err(|e| format!("error[{}]: {e}", e.code().as_str()));
                        local.push((record.seq, result));
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if n % 256 == 0 {
                            progress(n);
                        }
                    }
                    if let Ok(mut all) = results.lock() {
                        all.append(&mut local);
                    }
                });
            }
            let mut push = |record: AuditRecord| {
                if matches!(record.entry.kind, EntryKind::Check | EntryKind::Assess) {
                    let _ = tx.send(record);
                }
            };
            let fed = feed(&mut push);
            drop(tx);
            fed
        });
        fed?;
        progress(done.load(Ordering::Relaxed));
        let results = results.into_inner().unwrap_or_default();
        Ok(Backtest::from_results(self.digest(), results))
    }
}
