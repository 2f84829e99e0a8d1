//! What a period says about each service beyond DORA's keys: rollback
//! frequency and the chronic-instability flag, rollbacks that took longer
//! than their budget, post-mortems required but missing or open past their
//! due date, and support feedback that testing should have caught. The
//! thresholds are [`Thresholds`].

use std::collections::BTreeMap;

use super::dora::{Period, seconds, written};
use super::result::{Missed, PostmortemGap, SlowRollback, Stability};
use crate::model::{Duration, PostmortemStatus, RecordOutcome, ReleaseRecord, Severity};

/// The thresholds of a review.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Thresholds {
    /// A service is chronically unstable with at least this many rollbacks …
    pub chronic_rollbacks: usize,
    /// … within this window, ending at the period's end.
    pub chronic_window: Duration,
    /// Or with a rollback rate above this over the period …
    pub chronic_rate: f64,
    /// … when it deployed at least this often in the period.
    pub chronic_min_deployments: usize,
    /// The time a rollback may take, unless `rollback_budgets` names the
    /// service.
    pub rollback_budget: Duration,
    /// Per service, the time a rollback may take (a catalog's
    /// `rollbackBudget`).
    pub rollback_budgets: BTreeMap<String, Duration>,
    /// Incidents of this severity or worse require a post-mortem.
    pub postmortem_severity: Severity,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            chronic_rollbacks: 3,
            chronic_window: Duration::from_millis(30 * 86_400_000),
            chronic_rate: 0.2,
            chronic_min_deployments: 5,
            rollback_budget: Duration::from_millis(30 * 60_000),
            rollback_budgets: BTreeMap::new(),
            postmortem_severity: Severity::Sev2,
        }
    }
}

impl Thresholds {
    /// The rollback budget of `service`.
    pub(crate) fn budget(&self, service: &str) -> Duration {
        self.rollback_budgets
            .get(service)
            .copied()
            .unwrap_or(self.rollback_budget)
    }
}

/// One rule of chronic instability: at least `rollbacks` rollbacks within
/// `within` before the period's end, or a rollback rate above `rate` over
/// at least `min_deployments` deployments in the period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chronic {
    /// The rule's id (`default` for the thresholds').
    pub id: String,
    pub rollbacks: Option<usize>,
    pub within: Duration,
    pub rate: Option<f64>,
    pub min_deployments: usize,
}

impl Thresholds {
    /// The thresholds' own rule of chronic instability.
    pub(crate) fn chronic(&self) -> Chronic {
        Chronic {
            id: "default".into(),
            rollbacks: Some(self.chronic_rollbacks),
            within: self.chronic_window,
            rate: Some(self.chronic_rate),
            min_deployments: self.chronic_min_deployments,
        }
    }
}

/// Rollback frequency per service over the period's deployments, of the
/// services named in sorted order by `services` (deployment `i` is of
/// `services.0[services.1[i]]`; `rolled_back[i]` whether it was rolled
/// back); `rollbacks` the records of the environment that were rolled
/// back, whenever (a window may reach before the period; others are not
/// counted); a service is chronic when any of `rules` says so.
pub(crate) fn stability(
    services: (&[&str], &[usize]),
    rolled_back: &[bool],
    rollbacks: &[&ReleaseRecord],
    period: &Period,
    rules: &[Chronic],
) -> Vec<Stability> {
    let (names, service_of) = services;
    let mut per: Vec<(usize, usize)> = vec![(0, 0); names.len()];
    for (&g, &rolled) in service_of.iter().zip(rolled_back) {
        if let Some(e) = per.get_mut(g) {
            e.0 += 1;
            if rolled {
                e.1 += 1;
            }
        }
    }
    // Rollbacks per service in each rule's window.
    let windows: Vec<BTreeMap<&str, usize>> = rules
        .iter()
        .map(|rule| {
            // A window longer than time itself starts at the beginning.
            let start = period
                .to
                .checked_sub_signed(rule.within.as_chrono())
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
            let mut in_window: BTreeMap<&str, usize> = BTreeMap::new();
            for r in rollbacks {
                let at = r.deployment.finished_at;
                if r.outcome == RecordOutcome::RolledBack && start <= at && at < period.to {
                    *in_window.entry(r.release.service.as_str()).or_default() += 1;
                }
            }
            in_window
        })
        .collect();
    names
        .iter()
        .zip(per)
        .filter(|(_, (n, _))| *n > 0)
        .map(|(&service, (n, rollbacks))| {
            let rate = rollbacks as f64 / n as f64;
            let mut reasons = Vec::new();
            let mut flagged = Vec::new();
            let mut most_in_window = 0;
            for (rule, window) in rules.iter().zip(&windows) {
                let w = window.get(service).copied().unwrap_or(0);
                most_in_window = most_in_window.max(w);
                let by_count = rule.rollbacks.is_some_and(|t| w >= t);
                let by_rate = rule
                    .rate
                    .is_some_and(|t| n >= rule.min_deployments && rate > t);
                if by_count || by_rate {
                    flagged.push(rule.id.clone());
                }
                if by_count {
                    reasons.push(format!(
                        "{w} rollbacks in the {} before the period's end (`{}`: {} or more)",
                        rule.within,
                        rule.id,
                        rule.rollbacks.unwrap_or_default()
                    ));
                }
                if let Some(t) = rule.rate.filter(|_| by_rate) {
                    reasons.push(format!(
                        "rollback rate {:.0} % over {n} deployments (`{}`: above {:.0} %)",
                        rate * 100.0,
                        rule.id,
                        t * 100.0
                    ));
                }
            }
            Stability {
                service: service.to_string(),
                deployments: n,
                rollbacks,
                rollback_rate: rate,
                rollbacks_in_window: most_in_window,
                chronic: !flagged.is_empty(),
                rules: flagged,
                reasons,
            }
        })
        .collect()
}

/// The rollback of `r` against its budget: (took, budget, within).
pub(crate) fn rollback_time(r: &ReleaseRecord, t: &Thresholds) -> Option<(String, String, bool)> {
    let rb = r.rollback.as_ref()?;
    let took = rb.finished_at - rb.started_at;
    let budget = t.budget(&r.release.service);
    Some((
        written(seconds(took)),
        budget.to_string(),
        took <= budget.as_chrono(),
    ))
}

/// The rollback of `r` when it took longer than its budget.
pub(crate) fn slow_rollback(r: &ReleaseRecord, t: &Thresholds) -> Option<SlowRollback> {
    let (took, budget, within) = rollback_time(r, t)?;
    (!within).then(|| SlowRollback {
        release: r.release.id.clone(),
        service: r.release.service.clone(),
        took,
        budget,
    })
}

/// The post-mortem problem of `r` as of `at`: required (asked for, or an
/// incident of the threshold's severity or worse) and missing (no
/// post-mortem, or neither a status nor a link), or not closed with its
/// due date before `at`.
pub(crate) fn postmortem_gap(
    r: &ReleaseRecord,
    at: crate::model::Timestamp,
    t: &Thresholds,
) -> Option<PostmortemGap> {
    let severe = r
        .incidents
        .iter()
        .filter(|i| i.severity <= t.postmortem_severity)
        .map(|i| format!("incident `{}` is {}", i.id, i.severity.as_str()))
        .next();
    let asked = r.postmortem.as_ref().is_some_and(|p| p.required);
    let why = match (asked, severe) {
        (true, _) => "the record asks for one".to_string(),
        (false, Some(s)) => s,
        (false, None) => return None,
    };
    let gap = |problem, due: Option<crate::model::Timestamp>| PostmortemGap {
        release: r.release.id.clone(),
        service: r.release.service.clone(),
        problem,
        due: due.map(crate::model::rfc3339),
        why: why.clone(),
    };
    match &r.postmortem {
        None => Some(gap("missing", None)),
        Some(p) if p.status.is_none() && p.link.is_none() => Some(gap("missing", p.due)),
        Some(p) => {
            let closed = p.status == Some(PostmortemStatus::Closed);
            match p.due {
                Some(due) if !closed && due < at => Some(gap("overdue", Some(due))),
                _ => None,
            }
        }
    }
}

/// Feedback that testing missed, of `r`.
pub(crate) fn missed(r: &ReleaseRecord) -> impl Iterator<Item = Missed> + '_ {
    r.feedback
        .iter()
        .filter(|f| f.missed_by_testing)
        .map(|f| Missed {
            release: r.release.id.clone(),
            service: r.release.service.clone(),
            ticket: f.ticket.clone(),
            source: f.source.as_str(),
            severity: f.severity.as_str(),
            at: crate::model::rfc3339(f.at),
        })
}
