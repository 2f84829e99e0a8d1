//! Building the [`Portfolio`] from audit records: each record's result is
//! read back from its JSON (`Decision`, `Assessment`, `ReleaseRecord` — the
//! library's own types, so what blocks, acts or waits is the library's
//! answer, not a second implementation), the latest per service and
//! environment kept, controls tallied, and the release records reviewed by
//! `Bundle::review`.

use std::collections::BTreeMap;

use release_policy::audit::{AuditRecord, EntryKind};
use release_policy::model::{ReleaseRecord, Timestamp};
use release_policy::review::{Records, ReviewOptions};
use release_policy::{Assessment, Bundle, Decision, Error, ErrorCode, Outcome};

use crate::model::{
    ControlTally, Framework, Portfolio, Reason, RecordRow, RolloutStatus, ServiceStatus, WaiverRow,
};

/// The result (`what`: decision, assessment, release record) stored in
/// record `r`, read back; `RP1007` if it does not parse.
fn parse<T: serde::de::DeserializeOwned>(r: &AuditRecord, what: &str) -> Result<T, Error> {
    serde_json::from_str(&r.entry.decision).map_err(|e| {
        Error::audit(
            ErrorCode::ArchiveCorrupt,
            Some(format!("record {}", r.seq)),
            format!("the archived {what} does not parse: {e}"),
        )
        .with_hint(
            "verify the chain (`release-policy audit verify`); the record may have been changed",
        )
    })
}

/// How a result went for one control, worst last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Passed,
    Warned,
    Waived,
    Failed,
}

fn state(outcome: Outcome) -> Option<State> {
    match outcome {
        Outcome::Pass => Some(State::Passed),
        Outcome::Warn => Some(State::Warned),
        Outcome::Waived => Some(State::Waived),
        Outcome::Fail | Outcome::Error | Outcome::NoData => Some(State::Failed),
        Outcome::Skipped => None,
    }
}

/// Per control, the worst state of the findings serving it.
fn control_states<'a>(
    findings: impl Iterator<Item = (Outcome, &'a [String])>,
) -> BTreeMap<&'a str, State> {
    let mut out: BTreeMap<&str, State> = BTreeMap::new();
    for (outcome, controls) in findings {
        let Some(s) = state(outcome) else { continue };
        for c in controls {
            let e = out.entry(c.as_str()).or_insert(s);
            *e = (*e).max(s);
        }
    }
    out
}

/// A result that counts towards compliance: a decision or an assessment.
trait Counted: serde::de::DeserializeOwned {
    /// Its `now`.
    fn at(&self) -> Timestamp;
    /// Its findings' outcomes and controls.
    fn outcomes(&self) -> Vec<(Outcome, &[String])>;
}

/// `Counted` for result types with `now()` and `findings()` whose items
/// have `outcome()` and `controls()`.
macro_rules! counted {
    ($($t:ty),*) => {$(
        impl Counted for $t {
            fn at(&self) -> Timestamp {
                self.now()
            }

            fn outcomes(&self) -> Vec<(Outcome, &[String])> {
                self.findings()
                    .iter()
                    .map(|f| (f.outcome(), f.controls()))
                    .collect()
            }
        }
    )*};
}

counted!(Decision, Assessment);

/// The result (`what`) stored in record `r`, read back, counted in
/// `tallies`, its `now` taken into `latest`.
fn counted<T: Counted>(
    r: &AuditRecord,
    what: &str,
    tallies: &mut Tallies,
    latest: &mut Option<Timestamp>,
) -> Result<T, Error> {
    let result: T = parse(r, what)?;
    tallies.add(r.seq, result.outcomes().into_iter());
    *latest = (*latest).max(Some(result.at()));
    Ok(result)
}

#[derive(Default)]
struct Tallies {
    by_control: BTreeMap<String, ControlTally>,
}

impl Tallies {
    /// Counts the result in record `seq`, given its findings' outcomes
    /// and controls.
    fn add<'a>(&mut self, seq: u64, findings: impl Iterator<Item = (Outcome, &'a [String])>) {
        for (control, s) in control_states(findings) {
            let t = self
                .by_control
                .entry(control.to_string())
                .or_insert_with(|| ControlTally {
                    control: control.to_string(),
                    ..ControlTally::default()
                });
            match s {
                State::Passed => t.passed += 1,
                State::Warned => t.warned += 1,
                State::Waived => t.waived += 1,
                State::Failed => {
                    t.failed += 1;
                    t.failed_in.push(seq);
                }
            }
        }
    }

    fn frameworks(self) -> Vec<Framework> {
        let mut by: BTreeMap<String, Vec<ControlTally>> = BTreeMap::new();
        for (control, tally) in self.by_control {
            let id = match control.split_once(':') {
                Some((f, _)) if !f.trim().is_empty() => f.to_string(),
                _ => "other".to_string(),
            };
            by.entry(id).or_default().push(tally);
        }
        by.into_iter()
            .map(|(id, controls)| Framework {
                name: framework_name(&id),
                id,
                controls,
            })
            .collect()
    }
}

/// The usual name of a framework prefix.
fn framework_name(id: &str) -> String {
    match id {
        "SOC2" => "SOC 2".to_string(),
        "ISO27001" => "ISO/IEC 27001".to_string(),
        "PCI" | "PCIDSS" | "PCI-DSS" => "PCI DSS".to_string(),
        "other" => "Other controls".to_string(),
        other => other.to_string(),
    }
}

fn check_status(d: &Decision, seq: u64, key: &Key) -> ServiceStatus {
    let reason = |f: &release_policy::Finding| Reason {
        rule: f.rule().to_string(),
        policy: f.policy().to_string(),
        message: f.message().to_string(),
        controls: f.controls().to_vec(),
    };
    let mut waiting: Vec<Reason> = d.waiting().into_iter().map(reason).collect();
    waiting.extend(d.missing_approvals().iter().map(|m| {
        let roles = m.roles().join(", ");
        Reason {
            rule: m.rule().to_string(),
            policy: m.policy().to_string(),
            message: if roles.is_empty() {
                m.reason().to_string()
            } else {
                format!("{} (can approve: {roles})", m.reason())
            },
            controls: d
                .finding(m.rule())
                .map(|f| f.controls().to_vec())
                .unwrap_or_default(),
        }
    }));
    ServiceStatus {
        service: key.0.clone(),
        environment: key.1.clone(),
        release: d.release().to_string(),
        verdict: d.verdict(),
        now: d.now(),
        seq,
        decisions: 0,
        blocking: d.blocking().into_iter().map(reason).collect(),
        waiting,
    }
}

fn rollout_status(a: &Assessment, seq: u64, key: &Key, release: &str) -> RolloutStatus {
    RolloutStatus {
        service: key.0.clone(),
        environment: key.1.clone(),
        rollout: a.rollout().id().to_string(),
        release: release.to_string(),
        verdict: a.verdict(),
        summary: a.reason().to_string(),
        now: a.now(),
        seq,
        acting: a
            .acting()
            .into_iter()
            .map(|f| Reason {
                rule: f.rule().to_string(),
                policy: f.policy().to_string(),
                message: f.message().to_string(),
                controls: f.controls().to_vec(),
            })
            .collect(),
    }
}

/// Service and environment.
type Key = (String, String);

/// The latest result per service and environment, with its `now` and
/// sequence number.
type Latest<T> = BTreeMap<Key, (Timestamp, u64, T)>;

/// Keep `new` in `map` under `key` when it is later than what is there
/// (by `now`, then by sequence number).
fn keep_latest<T>(map: &mut Latest<T>, key: Key, new: (Timestamp, u64, T)) {
    match map.get(&key) {
        Some((now, seq, _)) if (*now, *seq) > (new.0, new.1) => {}
        _ => {
            map.insert(key, new);
        }
    }
}

/// Whole days from `from` to `to` (rounded towards minus infinity).
fn days_between(from: Timestamp, to: Timestamp) -> i64 {
    (to - from).num_seconds().div_euclid(86_400)
}

pub(crate) fn build(
    records: impl IntoIterator<Item = AuditRecord>,
    bundle: &Bundle,
    now: Option<Timestamp>,
) -> Result<Portfolio, Error> {
    let mut records: Vec<AuditRecord> = records.into_iter().collect();
    records.sort_by_key(|r| r.seq);

    let mut latest_check: Latest<Decision> = BTreeMap::new();
    let mut check_counts: BTreeMap<Key, usize> = BTreeMap::new();
    let mut latest_assess: Latest<(Assessment, String)> = BTreeMap::new();
    // The last record archived for each release id: a later record of the
    // same release supersedes an earlier one.
    let mut release_records: BTreeMap<String, (u64, ReleaseRecord, String)> = BTreeMap::new();
    let mut tallies = Tallies::default();
    let mut latest: Option<Timestamp> = None;
    let mut rows = Vec::with_capacity(records.len());

    for r in &records {
        let e = &r.entry;
        rows.push(RecordRow {
            seq: r.seq,
            hash: r.hash.clone(),
            hash_ok: r.computed_hash() == r.hash,
            kind: e.kind,
            release: e.release.clone(),
            service: e.service.clone(),
            environment: e.environment.clone(),
            now: e.now.clone(),
            verdict: e.verdict.clone(),
        });
        let key = (e.service.clone(), e.environment.clone());
        match e.kind {
            EntryKind::Check => {
                let d: Decision = counted(r, "decision", &mut tallies, &mut latest)?;
                *check_counts.entry(key.clone()).or_default() += 1;
                keep_latest(&mut latest_check, key, (d.now(), r.seq, d));
            }
            EntryKind::Assess => {
                let a: Assessment = counted(r, "assessment", &mut tallies, &mut latest)?;
                keep_latest(
                    &mut latest_assess,
                    key,
                    (a.now(), r.seq, (a, e.release.clone())),
                );
            }
            EntryKind::Record => {
                let rec: ReleaseRecord = parse(r, "release record")?;
                latest = latest.max(Some(rec.last_event()));
                release_records.insert(rec.release.id.clone(), (r.seq, rec, e.decision.clone()));
            }
            EntryKind::Plan | EntryKind::Review => {}
        }
    }

    let as_of = now.or(latest);
    let mut statuses = Vec::with_capacity(latest_check.len());
    let mut waivers = Vec::new();
    for (key, (_, seq, d)) in &latest_check {
        let mut s = check_status(d, *seq, key);
        s.decisions = check_counts.get(key).copied().unwrap_or_default();
        for w in d.waivers() {
            waivers.push(WaiverRow {
                service: s.service.clone(),
                environment: s.environment.clone(),
                release: s.release.clone(),
                seq: s.seq,
                rule: w.rule().to_string(),
                by: w.by().to_string(),
                role: w.role().to_string(),
                status: w.status().to_string(),
                expires: w.expires(),
                days_left: as_of.map(|t| days_between(t, w.expires())),
            });
        }
        statuses.push(s);
    }
    waivers.sort_by(|a, b| {
        (a.expires, &a.service, &a.environment, &a.rule).cmp(&(
            b.expires,
            &b.service,
            &b.environment,
            &b.rule,
        ))
    });

    let mut rollouts = Vec::with_capacity(latest_assess.len());
    for (key, (_, seq, (a, release))) in &latest_assess {
        rollouts.push(rollout_status(a, *seq, key, release));
    }

    let review = review(bundle, release_records)?;

    Ok(Portfolio {
        as_of,
        statuses,
        rollouts,
        waivers,
        compliance: tallies.frameworks(),
        review,
        records: rows,
    })
}

/// The review of the release records (each a source named after its
/// audit record, so an error points at it), with the default options;
/// `None` when none is of a production deployment.
fn review(
    bundle: &Bundle,
    records: BTreeMap<String, (u64, ReleaseRecord, String)>,
) -> Result<Option<release_policy::review::Review>, Error> {
    let options = ReviewOptions::default();
    if !records
        .values()
        .any(|(_, r, _)| r.release.environment == options.environment)
    {
        return Ok(None);
    }
    let sources: Vec<(String, String)> = records
        .into_values()
        .map(|(seq, _, json)| (format!("record {seq}"), json))
        .collect();
    let records = Records::from_sources(sources, bundle.limits())?;
    bundle.review(&records, &options).map(Some)
}
