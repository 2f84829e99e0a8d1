//! Audit entries from results: each question's result, with the input it
//! was decided on, as the [`Entry`] an archive seals into its chain. Here,
//! in the orchestrator, because the audit slice takes results as data and
//! never imports another slice.

use crate::audit::{Entry, EntryKind};
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
