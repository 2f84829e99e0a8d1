//! Backtesting: what a new bundle would have said about archived
//! decisions. [`compare`] sets an archived result beside its replay (the
//! verdict and every rule whose outcome changed); [`Backtest`] sums the
//! changes into what a policy author reads before shipping ("7 releases
//! would have been blocked, by `sca-no-critical`").

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{AuditRecord, Entry, EntryKind};

/// The schema name of a backtest's JSON.
pub const BACKTEST_SCHEMA: &str = "release-policy/backtest/v1";

/// A rule whose outcome differs between the archived result and the replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// The rule id.
    pub rule: String,
    /// Its archived outcome (`None`: the old bundle did not have it).
    pub old: Option<String>,
    /// Its outcome now (`None`: the new bundle does not have it).
    pub new: Option<String>,
}

/// One archived decision whose replay differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The archived record.
    pub seq: u64,
    /// `check` or `assess`.
    pub kind: EntryKind,
    /// The release.
    pub release: String,
    /// The service.
    pub service: String,
    /// The decision's `now`.
    pub now: String,
    /// The archived verdict.
    pub old: String,
    /// The verdict of the new bundle.
    pub new: String,
    /// The rules whose outcome changed, by rule id.
    pub rules: Vec<RuleChange>,
}

/// An archived record that could not be replayed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The archived record.
    pub seq: u64,
    /// Why (the error's code and message).
    pub reason: String,
}

/// How many decisions went from one verdict to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    /// The archived verdict.
    pub from: String,
    /// The verdict now.
    pub to: String,
    /// How many decisions.
    pub count: u64,
}

/// How often a rule's change made a decision stricter or looser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleTotal {
    /// The rule id.
    pub rule: String,
    /// Decisions where it now fails (or errs) and did not before.
    pub now_failing: u64,
    /// Decisions where it failed (or erred) and no longer does.
    pub now_passing: u64,
}

/// The backtest of a bundle over archived decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backtest {
    /// [`BACKTEST_SCHEMA`].
    pub schema: &'static str,
    /// The digest of the bundle replayed.
    pub bundle: String,
    /// Decisions replayed.
    pub replayed: u64,
    /// Of those, the ones whose verdict and rules are the same.
    pub unchanged: u64,
    /// The ones that differ, in chain order.
    pub changes: Vec<Change>,
    /// Verdict transitions among the changes, most frequent first.
    pub transitions: Vec<Transition>,
    /// Rules by how many decisions they changed, most first.
    pub rules: Vec<RuleTotal>,
    /// Records that could not be replayed.
    pub skipped: Vec<Skipped>,
}

fn failing(outcome: Option<&str>) -> bool {
    matches!(outcome, Some("fail" | "error" | "no-data"))
}

/// Whether a rule's outcome changed in a way worth reporting: a rule added
/// or dropped that passes or does not apply changes nothing.
fn differs(old: Option<&String>, new: Option<&String>) -> bool {
    let quiet =
        |o: Option<&String>| matches!(o.map(String::as_str), None | Some("pass" | "skipped"));
    old != new && !((old.is_none() || new.is_none()) && quiet(old) && quiet(new))
}

/// What a backtest reads of an archived result's JSON: whether it was
/// decided with a catalog and each rule's outcome (read without building
/// the whole JSON tree; other fields are skipped).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Archived {
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    catalog_digest: Option<String>,
    #[serde(default)]
    findings: Vec<ArchivedFinding>,
}

#[derive(Debug, serde::Deserialize)]
struct ArchivedFinding {
    rule: String,
    outcome: String,
}

impl Archived {
    /// The parts of `decision` (a result's JSON) a backtest reads; nothing
    /// when it does not parse.
    pub fn parse(decision: &str) -> Archived {
        serde_json::from_str(decision).unwrap_or_default()
    }

    /// Whether the result was decided with a catalog (which the archive
    /// does not hold, so it cannot be replayed).
    pub fn with_catalog(&self) -> bool {
        self.catalog_digest.is_some()
    }

    /// The schema the result was written under (`release-policy/decision/v2`).
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// Each rule's outcome, by rule id.
    pub fn outcomes(self) -> BTreeMap<String, String> {
        self.findings
            .into_iter()
            .map(|f| (f.rule, f.outcome))
            .collect()
    }
}

/// The archived `record` beside its `replay`: `None` when the verdict and
/// every rule's outcome are the same.
pub fn compare(record: &AuditRecord, replay: &Entry) -> Option<Change> {
    compare_outcomes(
        record,
        Archived::parse(&record.entry.decision).outcomes(),
        &replay.verdict,
        &Archived::parse(&replay.decision).outcomes(),
    )
}

/// The archived `record` (whose rule outcomes are `old`) beside a new
/// verdict and rule outcomes: `None` when nothing changed.
pub fn compare_outcomes(
    record: &AuditRecord,
    old: BTreeMap<String, String>,
    verdict: &str,
    new: &BTreeMap<String, String>,
) -> Option<Change> {
    let rules: Vec<RuleChange> = old
        .keys()
        .chain(new.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|r| differs(old.get(*r), new.get(*r)))
        .map(|r| RuleChange {
            rule: r.clone(),
            old: old.get(r).cloned(),
            new: new.get(r).cloned(),
        })
        .collect();
    if rules.is_empty() && record.entry.verdict == verdict {
        return None;
    }
    Some(Change {
        seq: record.seq,
        kind: record.entry.kind,
        release: record.entry.release.clone(),
        service: record.entry.service.clone(),
        now: record.entry.now.clone(),
        old: record.entry.verdict.clone(),
        new: verdict.to_string(),
        rules,
    })
}

impl Backtest {
    /// The backtest of `bundle` from each replayed record's result
    /// (`Ok(change or None)`) or why it was skipped; `results` in any
    /// order (they are put in chain order).
    pub fn from_results(
        bundle: &str,
        mut results: Vec<(u64, Result<Option<Change>, String>)>,
    ) -> Backtest {
        results.sort_by_key(|(seq, _)| *seq);
        let mut replayed = 0;
        let mut changes = Vec::new();
        let mut skipped = Vec::new();
        for (seq, r) in results {
            match r {
                Ok(c) => {
                    replayed += 1;
                    changes.extend(c);
                }
                Err(reason) => skipped.push(Skipped { seq, reason }),
            }
        }
        let mut transitions: BTreeMap<(String, String), u64> = BTreeMap::new();
        let mut rules: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for c in &changes {
            if c.old != c.new {
                *transitions
                    .entry((c.old.clone(), c.new.clone()))
                    .or_default() += 1;
            }
            for r in &c.rules {
                let t = rules.entry(r.rule.clone()).or_default();
                match (failing(r.old.as_deref()), failing(r.new.as_deref())) {
                    (false, true) => t.0 += 1,
                    (true, false) => t.1 += 1,
                    _ => {}
                }
            }
        }
        let mut transitions: Vec<Transition> = transitions
            .into_iter()
            .map(|((from, to), count)| Transition { from, to, count })
            .collect();
        transitions.sort_by_key(|t| std::cmp::Reverse(t.count));
        let mut rules: Vec<RuleTotal> = rules
            .into_iter()
            .filter(|(_, (f, p))| f + p > 0)
            .map(|(rule, (now_failing, now_passing))| RuleTotal {
                rule,
                now_failing,
                now_passing,
            })
            .collect();
        rules.sort_by_key(|r| std::cmp::Reverse(r.now_failing + r.now_passing));
        Backtest {
            schema: BACKTEST_SCHEMA,
            bundle: bundle.to_string(),
            unchanged: replayed - changes.len() as u64,
            replayed,
            changes,
            transitions,
            rules,
            skipped,
        }
    }

    /// Decisions the new bundle would have blocked that went through
    /// (`go` → `no-go`/`pending`, `promote`/`continue` → `hold`/`rollback`).
    pub fn newly_blocked(&self) -> u64 {
        self.changes
            .iter()
            .filter(|c| passing_verdict(&c.old) && !passing_verdict(&c.new))
            .count() as u64
    }

    /// Decisions that were blocked and would now go through.
    pub fn newly_passed(&self) -> u64 {
        self.changes
            .iter()
            .filter(|c| !passing_verdict(&c.old) && passing_verdict(&c.new))
            .count() as u64
    }

    /// The summary line: `12 decisions replayed: 3 would change — 2 would
    /// have been blocked (by `sca-no-critical`), 1 no-go would go`.
    pub fn summary(&self) -> String {
        let changed = self.changes.len();
        let mut s = format!(
            "{} decision{} replayed: {}",
            self.replayed,
            if self.replayed == 1 { "" } else { "s" },
            if changed == 0 {
                "none would change".to_string()
            } else {
                format!("{changed} would change")
            }
        );
        let blocked = self.newly_blocked();
        let passed = self.newly_passed();
        let mut parts = Vec::new();
        if blocked > 0 {
            let by: Vec<String> = self
                .rules
                .iter()
                .filter(|r| r.now_failing > 0)
                .take(3)
                .map(|r| format!("`{}`", r.rule))
                .collect();
            parts.push(format!(
                "{blocked} would have been blocked{}",
                if by.is_empty() {
                    String::new()
                } else {
                    format!(" (by {})", by.join(", "))
                }
            ));
        }
        if passed > 0 {
            parts.push(format!("{passed} that were blocked would go"));
        }
        if !parts.is_empty() {
            s.push_str(" — ");
            s.push_str(&parts.join(", "));
        }
        if !self.skipped.is_empty() {
            s.push_str(&format!("; {} not replayable", self.skipped.len()));
        }
        s
    }

    /// As pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// As Markdown, for a pull request comment or a wiki page.
    pub fn to_markdown(&self) -> String {
        let mut s = format!("## Backtest of `{}`\n\n{}\n", self.bundle, self.summary());
        if !self.transitions.is_empty() {
            s.push_str("\n| from | to | decisions |\n|---|---|---|\n");
            for t in &self.transitions {
                s.push_str(&format!("| {} | {} | {} |\n", t.from, t.to, t.count));
            }
        }
        if !self.rules.is_empty() {
            s.push_str("\n| rule | now failing | now passing |\n|---|---|---|\n");
            for r in &self.rules {
                s.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    r.rule, r.now_failing, r.now_passing
                ));
            }
        }
        if !self.changes.is_empty() {
            s.push_str("\n| record | release | now | verdict | rules |\n|---|---|---|---|---|\n");
            for c in &self.changes {
                let rules: Vec<String> = c
                    .rules
                    .iter()
                    .map(|r| {
                        format!(
                            "`{}` {} → {}",
                            r.rule,
                            r.old.as_deref().unwrap_or("absent"),
                            r.new.as_deref().unwrap_or("absent")
                        )
                    })
                    .collect();
                s.push_str(&format!(
                    "| {} | {} | {} | {} → {} | {} |\n",
                    c.seq,
                    md_cell(&c.release),
                    c.now,
                    c.old,
                    c.new,
                    md_cell(&rules.join("; "))
                ));
            }
        }
        s
    }

    /// As text for a terminal.
    pub fn to_text(&self) -> String {
        let mut s = format!("backtest of {}\n{}\n", self.bundle, self.summary());
        for t in &self.transitions {
            s.push_str(&format!("  {} → {}: {}\n", t.from, t.to, t.count));
        }
        if !self.rules.is_empty() {
            s.push_str("\nrules that changed outcomes:\n");
            for r in &self.rules {
                s.push_str(&format!(
                    "  {}: now failing in {}, now passing in {}\n",
                    r.rule, r.now_failing, r.now_passing
                ));
            }
        }
        if !self.changes.is_empty() {
            s.push_str("\nchanged decisions:\n");
            for c in &self.changes {
                s.push_str(&format!(
                    "  record {} {} {} ({}): {} → {}\n",
                    c.seq, c.kind, c.release, c.now, c.old, c.new
                ));
                for r in &c.rules {
                    s.push_str(&format!(
                        "      {}: {} → {}\n",
                        r.rule,
                        r.old.as_deref().unwrap_or("(absent)"),
                        r.new.as_deref().unwrap_or("(absent)")
                    ));
                }
            }
        }
        for k in &self.skipped {
            s.push_str(&format!("  record {}: not replayed: {}\n", k.seq, k.reason));
        }
        s
    }
}

/// Text safe in a Markdown table cell.
fn md_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn passing_verdict(v: &str) -> bool {
    matches!(v, "go" | "promote" | "continue")
}
