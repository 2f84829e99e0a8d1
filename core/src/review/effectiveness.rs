//! Policy effectiveness, the feedback loop: release records joined with
//! the decisions (`check`) and assessments (`assess`) that preceded them —
//! by the facts digest a record names in `decisions` — to say which gates
//! were waived on releases that then went fine, which waivers preceded
//! failures, which releases were deployed against a `no-go`, which
//! releases passed every gate yet failed (and which rules
//! only warned or were skipped on them), which triggers rolled back
//! releases that had no incident (false alarms), and which incidents no
//! trigger caught. Each with a concrete suggestion.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::model::{RecordOutcome, ReleaseRecord};

/// A past decision or assessment, as its JSON says it (the fields this
/// analysis reads).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Past {
    /// `release-policy/decision/v…` or `release-policy/assessment/v…`.
    pub schema: String,
    /// `go` / `no-go` / `pending`, or `promote` / `continue` / `hold` /
    /// `rollback`.
    pub verdict: String,
    /// The digest the record names.
    pub facts_digest: String,
    /// Every finding.
    #[serde(default)]
    pub findings: Vec<PastFinding>,
}

/// One finding of a past decision or assessment.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PastFinding {
    pub policy: String,
    pub rule: String,
    pub outcome: String,
    #[serde(default)]
    pub effect: Option<String>,
    /// A trigger's threshold, as written (`latency-p99 > baseline + 200 ms`).
    #[serde(default)]
    pub threshold: Option<String>,
    /// A trigger's observation (`latest`, `baseline` …).
    #[serde(default)]
    pub observed: Option<Json>,
}

impl Past {
    pub(crate) fn is_decision(&self) -> bool {
        self.schema.starts_with("release-policy/decision/")
    }

    pub(crate) fn is_assessment(&self) -> bool {
        self.schema.starts_with("release-policy/assessment/")
    }
}

/// Past decisions and assessments, by facts digest, read by
/// [`Decisions::from_path`](crate::review::Decisions::from_path).
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    pub(crate) by_digest: BTreeMap<String, Past>,
}

impl Decisions {
    /// How many decisions and assessments were read.
    pub fn len(&self) -> usize {
        self.by_digest.len()
    }

    /// Whether none were.
    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }
}

/// What the decisions and assessments before the releases got right and
/// wrong.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Effectiveness {
    /// Records of the period whose `decisions` name a decision or an
    /// assessment that was given.
    pub linked: usize,
    /// Records of the period that name none, or digests not given.
    pub unlinked: usize,
    /// Releases deployed although `check` said `no-go` or `pending`.
    pub against_the_decision: Vec<Escape>,
    /// Gates waived on releases that then went fine.
    pub waived_then_fine: Vec<RuleTally>,
    /// Waivers on releases that then failed.
    pub waivers_before_failure: Vec<RuleTally>,
    /// Releases that passed every gate (`go`, nothing waived) yet failed.
    pub passed_yet_failed: Vec<Escape>,
    /// Triggers that rolled back or held rollouts that had no incident.
    pub false_alarms: Vec<RuleTally>,
    /// Incidents whose release's rollout no trigger stopped.
    pub missed_incidents: Vec<Escape>,
    /// What to change, one line each.
    pub suggestions: Vec<String>,
}

/// A rule and the releases it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RuleTally {
    /// The policy.
    pub policy: String,
    /// The rule.
    pub rule: String,
    /// The releases, in record order.
    pub releases: Vec<String>,
    /// What was observed, when the rule says (a trigger's latest values).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<String>,
}

/// A release the policies let through that then failed.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Escape {
    /// The release.
    pub release: String,
    /// Its outcome.
    pub outcome: String,
    /// The incidents, for missed incidents.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<String>,
    /// The verdicts the policies gave (`check go`, `assess promote`).
    pub verdicts: Vec<String>,
    /// Rules that warned or did not apply: where to look first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
}

fn tally(
    map: &mut BTreeMap<(String, String), RuleTally>,
    f: &PastFinding,
    release: &str,
    observed: Option<String>,
) {
    let t = map
        .entry((f.policy.clone(), f.rule.clone()))
        .or_insert_with(|| RuleTally {
            policy: f.policy.clone(),
            rule: f.rule.clone(),
            releases: Vec::new(),
            observed: Vec::new(),
        });
    if !t.releases.iter().any(|r| r == release) {
        t.releases.push(release.to_string());
        t.observed.extend(observed);
    }
}

/// A trigger's observation in words: `` `latency-p99 > baseline + 200 ms`:
/// latest 439 against baseline 188.2 ``.
fn observed(f: &PastFinding) -> Option<String> {
    let o = f.observed.as_ref()?.as_object()?;
    let num = |k: &str| o.get(k).and_then(Json::as_f64);
    let latest = num("latest")?;
    let limit = f
        .threshold
        .as_ref()
        .map_or(String::new(), |t| format!("`{t}`: "));
    Some(
        limit
            + &match num("baseline") {
                Some(b) => format!(
                    "latest {} against baseline {}",
                    crate::stats::fmt_number(latest),
                    crate::stats::fmt_number(b)
                ),
                None => format!("latest {}", crate::stats::fmt_number(latest)),
            },
    )
}

/// The analysis over the period's `deployments` and the `decisions` given.
pub(crate) fn effectiveness(
    deployments: &[&ReleaseRecord],
    decisions: &Decisions,
) -> Effectiveness {
    let mut e = Effectiveness::default();
    let mut waived_fine = BTreeMap::new();
    let mut waived_failed = BTreeMap::new();
    let mut alarms = BTreeMap::new();
    for r in deployments {
        let Some(refs) = &r.decisions else {
            e.unlinked += 1;
            continue;
        };
        let check = refs
            .check
            .as_ref()
            .and_then(|d| decisions.by_digest.get(d))
            .filter(|p| p.is_decision());
        let assessments: Vec<&Past> = refs
            .assess
            .iter()
            .filter_map(|d| decisions.by_digest.get(d))
            .filter(|p| p.is_assessment())
            .collect();
        if check.is_none() && assessments.is_empty() {
            e.unlinked += 1;
            continue;
        }
        e.linked += 1;
        let id = r.release.id.as_str();
        let failed = r.failed();
        let fine = !failed && r.outcome != RecordOutcome::Degraded;
        let mut verdicts = Vec::new();
        if let Some(d) = check {
            verdicts.push(format!("check {}", d.verdict));
            if d.verdict != "go" {
                let blocking = d
                    .findings
                    .iter()
                    .filter(|f| matches!(f.outcome.as_str(), "fail" | "error"))
                    .map(|f| f.rule.clone())
                    .collect();
                e.against_the_decision.push(Escape {
                    release: id.to_string(),
                    outcome: r.outcome.as_str().to_string(),
                    incidents: r.incidents.iter().map(|i| i.id.clone()).collect(),
                    verdicts: vec![format!("check {}", d.verdict)],
                    candidates: blocking,
                });
            }
            for f in d.findings.iter().filter(|f| f.outcome == "waived") {
                if fine {
                    tally(&mut waived_fine, f, id, None);
                } else if failed {
                    tally(&mut waived_failed, f, id, None);
                }
            }
        }
        verdicts.extend(assessments.iter().map(|a| format!("assess {}", a.verdict)));
        let stopped = assessments
            .iter()
            .any(|a| a.verdict == "rollback" || a.verdict == "hold");
        if r.incidents.is_empty() {
            for a in &assessments {
                let acting = a.findings.iter().filter(|f| {
                    f.outcome == "fail"
                        && matches!(f.effect.as_deref(), Some("rollback") | Some("hold"))
                });
                for f in acting {
                    tally(&mut alarms, f, id, observed(f));
                }
            }
        } else if !assessments.is_empty() && !stopped {
            e.missed_incidents.push(Escape {
                release: id.to_string(),
                outcome: r.outcome.as_str().to_string(),
                incidents: r.incidents.iter().map(|i| i.id.clone()).collect(),
                verdicts: verdicts.clone(),
                candidates: Vec::new(),
            });
        }
        let passed_every_gate = check.is_some_and(|d| {
            d.verdict == "go" && !d.findings.iter().any(|f| f.outcome == "waived")
        });
        if failed && passed_every_gate {
            let candidates = check
                .iter()
                .flat_map(|d| &d.findings)
                .filter(|f| f.outcome == "warn" || f.outcome == "skipped")
                .map(|f| format!("{} ({})", f.rule, f.outcome))
                .collect();
            e.passed_yet_failed.push(Escape {
                release: id.to_string(),
                outcome: r.outcome.as_str().to_string(),
                incidents: r.incidents.iter().map(|i| i.id.clone()).collect(),
                verdicts,
                candidates,
            });
        }
    }
    e.waived_then_fine = waived_fine.into_values().collect();
    e.waivers_before_failure = waived_failed.into_values().collect();
    e.false_alarms = alarms.into_values().collect();
    e.suggestions = suggestions(&e);
    e
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line per finding, the most actionable first.
fn suggestions(e: &Effectiveness) -> Vec<String> {
    let mut out = Vec::new();
    for a in &e.against_the_decision {
        out.push(format!(
            "`{}` was deployed although {} ({} failing: {}): record the waiver or approval that let it go, or stop deploying past the gate",
            a.release,
            a.verdicts.join(", "),
            plural(a.candidates.len(), "rule", "rules"),
            a.candidates.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    for t in &e.false_alarms {
        let seen = if t.observed.is_empty() {
            String::new()
        } else {
            format!(" ({})", t.observed.join("; "))
        };
        out.push(format!(
            "`{}` stopped {} without an incident{seen}: consider a limit above what these rollouts showed, or a longer `for`",
            t.rule,
            plural(t.releases.len(), "rollout", "rollouts"),
        ));
    }
    for m in &e.missed_incidents {
        out.push(format!(
            "no trigger stopped `{}` ({}), which caused {}: add a trigger on the metric the incident showed",
            m.release,
            m.verdicts.join(", "),
            m.incidents.join(", ")
        ));
    }
    for p in &e.passed_yet_failed {
        let look = if p.candidates.is_empty() {
            "no rule warned or was skipped: a new gate is needed".to_string()
        } else {
            format!(
                "start with the rules that only warned or did not apply: {}",
                p.candidates.join(", ")
            )
        };
        out.push(format!(
            "`{}` passed every gate yet was {}; {look}",
            p.release, p.outcome
        ));
    }
    for t in &e.waivers_before_failure {
        out.push(format!(
            "waiving `{}` preceded {} ({}): tighten who may waive it",
            t.rule,
            plural(t.releases.len(), "failed deployment", "failed deployments"),
            t.releases.join(", ")
        ));
    }
    for t in &e.waived_then_fine {
        out.push(format!(
            "`{}` was waived on {} that then went fine ({}): check that it blocks the releases it should",
            t.rule,
            plural(t.releases.len(), "release", "releases"),
            t.releases.join(", ")
        ));
    }
    out
}
