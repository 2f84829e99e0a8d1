//! Audit entries from results: each question's result, with the input it
//! was decided on, as the [`Entry`] an archive seals into its chain. Here,
//! in the orchestrator, because the audit slice takes results as data and
//! never imports another slice.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::audit::backtest::compare;
use crate::audit::{AuditRecord, Backtest, Entry, EntryKind};
use crate::error::{Error, ErrorCode};
use crate::model::ReleaseRecord;
use crate::model::{Facts, RolloutFacts, Timestamp};
use crate::plan::Plan;
use crate::review::Review;
use crate::{Assessment, Bundle, Decision};

fn engine() -> String {
    format!("release-policy {}", env!("CARGO_PKG_VERSION"))
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl Decision {
    /// The audit entry of this decision on `facts` (the facts it was
    /// decided on; they are archived, so the decision can be replayed).
    pub fn audit_entry(&self, facts: &Facts) -> Entry {
        let decision = self.to_json();
        Entry {
            kind: EntryKind::Check,
            release: self.release().to_string(),
            service: facts.release.service.clone(),
            environment: facts.release.environment.clone(),
            now: crate::model::rfc3339(self.now()),
            engine: engine(),
            bundle: self.bundle().digest().to_string(),
            facts_digest: self.facts_digest().to_string(),
            decision_digest: Entry::digest_of(decision.as_bytes()),
            verdict: self.verdict().as_str().to_string(),
            decision,
            facts: to_json(facts),
        }
    }
}

impl Assessment {
    /// The audit entry of this assessment on `facts`.
    pub fn audit_entry(&self, facts: &RolloutFacts) -> Entry {
        let decision = self.to_json();
        Entry {
            kind: EntryKind::Assess,
            release: facts
                .rollout
                .release
                .clone()
                .unwrap_or_else(|| facts.rollout.id.clone()),
            service: facts.rollout.service.clone(),
            environment: facts.rollout.environment.clone().unwrap_or_default(),
            now: crate::model::rfc3339(self.now()),
            engine: engine(),
            bundle: self.bundle().digest().to_string(),
            facts_digest: self.facts_digest().to_string(),
            decision_digest: Entry::digest_of(decision.as_bytes()),
            verdict: self.verdict().as_str().to_string(),
            decision,
            facts: to_json(facts),
        }
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
        let decision = to_json(self);
        let facts = to_json(inputs);
        Entry {
            kind: EntryKind::Plan,
            release: self.name.clone(),
            service: String::new(),
            environment: String::new(),
            now: crate::model::rfc3339(now),
            engine: engine(),
            bundle: bundle.digest().to_string(),
            facts_digest: Entry::digest_of(facts.as_bytes()),
            decision_digest: Entry::digest_of(decision.as_bytes()),
            verdict: self.verdict.as_str().to_string(),
            decision,
            facts,
        }
    }
}

impl Review {
    /// The audit entry of this review, made by `bundle`; `inputs` names
    /// what it was made from (the records' digest, the options), as JSON.
    /// Its `now` is the end of the period.
    pub fn audit_entry(&self, bundle: &Bundle, inputs: &serde_json::Value) -> Entry {
        let decision = to_json(self);
        let facts = to_json(inputs);
        Entry {
            kind: EntryKind::Review,
            release: String::new(),
            service: self.service.clone().unwrap_or_default(),
            environment: self.environment.clone(),
            now: crate::model::rfc3339(self.period.to),
            engine: engine(),
            bundle: bundle.digest().to_string(),
            facts_digest: Entry::digest_of(facts.as_bytes()),
            decision_digest: Entry::digest_of(decision.as_bytes()),
            verdict: self.verdict.as_str().to_string(),
            decision,
            facts,
        }
    }
}

impl ReleaseRecord {
    /// The audit entry of this release record: the record is both the
    /// facts and the "decision"; its `now` is its last event, its verdict
    /// its outcome.
    pub fn audit_entry(&self) -> Entry {
        let record = to_json(self);
        let digest = Entry::digest_of(record.as_bytes());
        Entry {
            kind: EntryKind::Record,
            release: self.release.id.clone(),
            service: self.release.service.clone(),
            environment: self.release.environment.clone(),
            now: crate::model::rfc3339(self.last_event()),
            engine: engine(),
            bundle: String::new(),
            facts_digest: digest.clone(),
            decision_digest: digest,
            verdict: self.outcome.as_str().to_string(),
            decision: record.clone(),
            facts: record,
        }
    }
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

impl Bundle {
    /// Decide an archived `check` or `assess` record again with this
    /// bundle, from the facts archived with it: the entry the decision
    /// would be archived as today. A record of another kind, or decided
    /// with a catalog (not archived), is an error (`RP1008`).
    pub fn replay(&self, record: &AuditRecord) -> Result<Entry, Error> {
        let place = || Some(format!("record {}", record.seq));
        let with_catalog = serde_json::from_str::<serde_json::Value>(&record.entry.decision)
            .ok()
            .and_then(|v| v.get("catalogDigest").cloned())
            .is_some_and(|c| !c.is_null());
        if with_catalog {
            return Err(Error::audit(
                ErrorCode::ReplayMismatch,
                place(),
                "the decision was made with a catalog, which the archive does not hold",
            ));
        }
        match record.entry.kind {
            EntryKind::Check => {
                let facts = Facts::from_str_with_limits(&record.entry.facts, &self.inner.limits)?;
                Ok(self.check(&facts)?.audit_entry(&facts))
            }
            EntryKind::Assess => {
                let facts =
                    RolloutFacts::from_str_with_limits(&record.entry.facts, &self.inner.limits)?;
                Ok(self.assess(&facts)?.audit_entry(&facts))
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
                            .replay(&record)
                            .map(|entry| compare(&record, &entry))
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
