//! The review of a period ([`review`]) and of one release ([`outcome`]):
//! the records of the environment whose deployment finished in the period
//! (limited to a service or a team when asked), DORA's keys overall, per
//! service, per team and per week, stability, budgets, post-mortems and
//! feedback, and the verdict.

use std::collections::HashMap;

use super::bands::Bands;
use super::criteria::compile::ReviewPolicy;
use super::criteria::evaluate::{any_criteria, score, score_with, wanted};
use super::criteria::roots::Binder;
use super::dora::{Period, Prepared, grouped, keys, seconds, written};
use super::records::Records;
use super::result::{CriterionSummary, Unmet};
use super::result::{
    Event, Named, REVIEW_SCHEMA, ReleaseOutcome, Review, ReviewVerdict, RollbackTime, Week,
};
use super::stability::{
    Chronic, Thresholds, missed, postmortem_gap, rollback_time, slow_rollback, stability,
};
use crate::error::{CatalogError, Error, ErrorCode, SourceLocation};
use crate::limits::Limits;
use crate::model::{RecordOutcome, ReleaseRecord, Timestamp, rfc3339};
use crate::vocab::Outcome;

/// What to review.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReviewOptions {
    /// The period; by default from the first deployment's day (UTC
    /// midnight) to the day after the last's.
    pub period: Option<Period>,
    /// Only this service.
    pub service: Option<String>,
    /// Only this team.
    pub team: Option<String>,
    /// The environment DORA's keys count.
    pub environment: String,
    /// The performance bands.
    pub bands: Bands,
    /// The thresholds.
    pub thresholds: Thresholds,
    /// Past decisions and assessments, for policy effectiveness.
    pub decisions: Option<super::effectiveness::Decisions>,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            period: None,
            service: None,
            team: None,
            environment: "production".to_string(),
            bands: Bands::dora_2023(),
            thresholds: Thresholds::default(),
            decisions: None,
        }
    }
}

impl ReviewOptions {
    /// Review `[from, to)`.
    pub fn period(mut self, period: Period) -> Self {
        self.period = Some(period);
        self
    }

    /// Only `service`.
    pub fn service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }

    /// Only `team`.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// Count deployments to `environment`.
    pub fn environment(mut self, environment: impl Into<String>) -> Self {
        self.environment = environment.into();
        self
    }

    /// Classify by `bands`.
    pub fn bands(mut self, bands: Bands) -> Self {
        self.bands = bands;
        self
    }

    /// Join the records with the decisions and assessments that preceded
    /// them: policy effectiveness.
    pub fn decisions(mut self, decisions: super::effectiveness::Decisions) -> Self {
        self.decisions = Some(decisions);
        self
    }

    /// Judge by `thresholds`.
    pub fn thresholds(mut self, thresholds: Thresholds) -> Self {
        self.thresholds = thresholds;
        self
    }
}

fn nothing(what: &str, name: &str, known: Vec<&str>) -> Error {
    let mut e = CatalogError::new(
        ErrorCode::InvalidPeriod,
        SourceLocation::file("records"),
        format!("no record names the {what} `{name}`"),
    );
    if let Some(s) = crate::expr::suggest::did_you_mean(name, &known) {
        e = e.with_hint(s);
    }
    Error::Catalog(vec![e])
}

/// The services and the teams of deployments, each as the names in sorted
/// order and, for each deployment, the index of its name among them.
struct Groups<'r> {
    services: (Vec<&'r str>, Vec<usize>),
    teams: (Vec<&'r str>, Vec<usize>),
}

/// The services and teams of `deployments`: one hash lookup per deployment
/// of its (service, team) pair — a few hundred distinct pairs — then the
/// names of the pairs sorted once each (names compared per distinct name,
/// not per deployment and group).
fn groups<'r>(deployments: &[&'r ReleaseRecord]) -> Groups<'r> {
    let mut ids: HashMap<(&'r str, &'r str), usize> = HashMap::new();
    let mut pairs: Vec<(&'r str, &'r str)> = Vec::new();
    let pair_of: Vec<usize> = deployments
        .iter()
        .map(|&r| {
            let key = (r.release.service.as_str(), r.release.team.as_str());
            *ids.entry(key).or_insert_with(|| {
                pairs.push(key);
                pairs.len() - 1
            })
        })
        .collect();
    let by = |name: fn(&(&'r str, &'r str)) -> &'r str| {
        let mut sorted: Vec<&'r str> = pairs.iter().map(name).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let rank: Vec<usize> = pairs
            .iter()
            .map(|p| sorted.binary_search(&name(p)).unwrap_or_default())
            .collect();
        let of = pair_of
            .iter()
            .map(|&p| rank.get(p).copied().unwrap_or_default())
            .collect();
        (sorted, of)
    };
    Groups {
        services: by(|p| p.0),
        teams: by(|p| p.1),
    }
}

/// The default period: the UTC days from the first deployment to the last.
fn default_period(records: &[&ReleaseRecord]) -> Option<Period> {
    let day = |t: Timestamp| {
        t.date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .unwrap_or(t)
    };
    let first = records.first()?.deployment.finished_at;
    let last = records.last()?.deployment.finished_at;
    Some(Period {
        from: day(first),
        to: day(last)
            .checked_add_signed(chrono::Duration::days(1))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
    })
}

/// The rules of chronic instability: the review policies', or the
/// thresholds' when the policies have none.
fn chronic_rules(policies: &[&ReviewPolicy], t: &Thresholds) -> Vec<Chronic> {
    let from_policies: Vec<Chronic> = policies
        .iter()
        .flat_map(|p| &p.instability)
        .map(|i| Chronic {
            id: i.id.clone(),
            rollbacks: i.rollbacks.map(|n| n as usize),
            within: i
                .within
                .unwrap_or_else(|| crate::model::Duration::from_millis(30 * 86_400_000)),
            rate: i.rollback_rate,
            min_deployments: i.min_deployments.unwrap_or(5) as usize,
        })
        .collect();
    if from_policies.is_empty() {
        vec![t.chronic()]
    } else {
        from_policies
    }
}

/// The criteria of `policies` judged on every deployment: a summary per
/// criterion, and every release that did not meet one.
fn judge_all(
    policies: &[&ReviewPolicy],
    deployments: &[&ReleaseRecord],
    limits: &Limits,
) -> (Vec<CriterionSummary>, Vec<Unmet>) {
    let mut summary: Vec<CriterionSummary> = policies
        .iter()
        .flat_map(|p| {
            p.criteria.iter().map(|k| CriterionSummary {
                policy: p.metadata.name.clone(),
                criterion: k.criterion.id.clone(),
                description: k.criterion.description.clone(),
                required: k.criterion.required,
                passed: 0,
                failed: 0,
                errors: 0,
                skipped: 0,
            })
        })
        .collect();
    let mut unmet = Vec::new();
    if !any_criteria(policies) {
        return (summary, unmet);
    }
    let mut binder = Binder::new(wanted(policies));
    for r in deployments {
        let mut i = 0;
        score_with(policies, binder.bind(r), limits, false, &mut |j| {
            if let Some(s) = summary.get_mut(i) {
                match j.outcome {
                    Outcome::Pass => s.passed += 1,
                    Outcome::Skipped => s.skipped += 1,
                    Outcome::Fail => s.failed += 1,
                    _ => s.errors += 1,
                }
            }
            i += 1;
            if matches!(j.outcome, Outcome::Fail | Outcome::Error) {
                unmet.push(Unmet {
                    release: r.release.id.clone(),
                    service: r.release.service.clone(),
                    policy: j.policy.metadata.name.clone(),
                    criterion: j.criterion.criterion.id.clone(),
                    outcome: j.outcome,
                    required: j.criterion.criterion.required,
                    message: j.message.into_owned(),
                });
            }
        });
    }
    (summary, unmet)
}

/// Review the records by `options`, judging the criteria of `policies`.
pub(crate) fn review(
    policies: &[&ReviewPolicy],
    records: &Records,
    options: &ReviewOptions,
    limits: &Limits,
) -> Result<Review, Error> {
    let env = options.environment.as_str();
    if let Some(s) = &options.service {
        if !records.iter().any(|r| &r.release.service == s) {
            return Err(nothing("service", s, records.services()));
        }
    }
    if let Some(t) = &options.team {
        if !records.iter().any(|r| &r.release.team == t) {
            let mut teams: Vec<&str> = records.iter().map(|r| r.release.team.as_str()).collect();
            teams.sort_unstable();
            teams.dedup();
            return Err(nothing("team", t, teams));
        }
    }
    let selected = |r: &&ReleaseRecord| {
        r.release.environment == env
            && options
                .service
                .as_ref()
                .is_none_or(|s| &r.release.service == s)
            && options.team.as_ref().is_none_or(|t| &r.release.team == t)
    };
    // One pass over the records for both (each pass over 100,000 records
    // costs more in memory traffic than in instructions): those of the
    // environment, and among them those of a period given.
    let mut all: Vec<&ReleaseRecord> = Vec::new();
    let mut in_given: Vec<&ReleaseRecord> = Vec::new();
    let mut rollbacks: Vec<&ReleaseRecord> = Vec::new();
    for r in records.iter().filter(selected) {
        all.push(r);
        if r.outcome == RecordOutcome::RolledBack {
            rollbacks.push(r);
        }
        if options
            .period
            .is_some_and(|p| p.contains(r.deployment.finished_at))
        {
            in_given.push(r);
        }
    }
    let Some(period) = options.period.or_else(|| default_period(&all)) else {
        return Err(Error::Catalog(vec![
            CatalogError::new(
                ErrorCode::InvalidPeriod,
                SourceLocation::file("records"),
                format!("no record of a deployment to `{env}`, and no period given"),
            )
            .with_hint("give the period (`--from`, `--to`), or the environment the records name"),
        ]));
    };
    let deployments: Vec<&ReleaseRecord> = if options.period.is_some() {
        in_given
    } else {
        all.iter()
            .copied()
            .filter(|r| period.contains(r.deployment.finished_at))
            .collect()
    };
    let bands = &options.bands;
    // Each deployment's times are worked out and sorted once; every
    // grouping below takes its groups' from that order.
    let prepared = Prepared::new(&deployments);
    let group = |(names, of): (&[&str], &[usize])| -> Vec<Named> {
        let periods = vec![period; names.len()];
        names
            .iter()
            .zip(grouped(&deployments, &prepared, of, &periods, bands))
            .map(|(name, keys)| Named {
                name: name.to_string(),
                keys,
            })
            .collect()
    };
    let Groups {
        services: (service_names, service_of),
        teams: (team_names, team_of),
    } = groups(&deployments);
    let services = group((&service_names, &service_of));
    let teams = group((&team_names, &team_of));
    let week_periods = period.weeks();
    let mut week_of = vec![usize::MAX; deployments.len()];
    for (k, w) in week_periods.iter().enumerate() {
        // The deployments are sorted by the time they finished.
        let a = deployments.partition_point(|r| r.deployment.finished_at < w.from);
        let b = deployments.partition_point(|r| r.deployment.finished_at < w.to);
        for g in week_of.get_mut(a..b).unwrap_or_default() {
            *g = k;
        }
    }
    let weeks = week_periods
        .iter()
        .zip(grouped(
            &deployments,
            &prepared,
            &week_of,
            &week_periods,
            bands,
        ))
        .map(|(w, keys)| Week { period: *w, keys })
        .collect();
    let t = &options.thresholds;
    let stability = stability(
        (&service_names, &service_of),
        &prepared.rolled_back,
        &rollbacks,
        &period,
        &chronic_rules(policies, t),
    );
    let (criteria, unmet) = judge_all(policies, &deployments, limits);
    // Post-mortems, rollbacks over budget and feedback testing missed in
    // one pass over the deployments, each in their order.
    let (mut postmortems, mut rollbacks_over_budget, mut missed_by_testing) =
        (Vec::new(), Vec::new(), Vec::new());
    for r in &deployments {
        postmortems.extend(postmortem_gap(r, period.to, t));
        rollbacks_over_budget.extend(slow_rollback(r, t));
        missed_by_testing.extend(missed(r));
    }
    let mut reasons = Vec::new();
    for s in stability.iter().filter(|s| s.chronic) {
        reasons.push(format!(
            "`{}` is chronically unstable: {}",
            s.service,
            s.reasons.join("; ")
        ));
    }
    for p in &postmortems {
        reasons.push(format!(
            "the post-mortem of `{}` is {} ({})",
            p.release, p.problem, p.why
        ));
    }
    for c in criteria
        .iter()
        .filter(|c| c.required && c.failed + c.errors > 0)
    {
        reasons.push(format!(
            "{} of {} releases did not meet `{}` ({})",
            c.failed + c.errors,
            c.passed + c.failed + c.errors,
            c.criterion,
            c.policy
        ));
    }
    let verdict = if deployments.is_empty() {
        reasons.insert(
            0,
            format!(
                "no deployments to `{env}` between {} and {}",
                rfc3339(period.from),
                rfc3339(period.to)
            ),
        );
        ReviewVerdict::NoDeployments
    } else if reasons.is_empty() {
        ReviewVerdict::Pass
    } else {
        ReviewVerdict::Fail
    };
    Ok(Review {
        schema: REVIEW_SCHEMA,
        period,
        environment: env.to_string(),
        service: options.service.clone(),
        team: options.team.clone(),
        verdict,
        reasons,
        bands: format!("{} ({})", bands.metadata.name, bands.metadata.source),
        dora: grouped(
            &deployments,
            &prepared,
            &vec![0; deployments.len()],
            &[period],
            bands,
        )
        .pop()
        .unwrap_or_else(|| keys(&[], &period, bands)),
        services,
        teams,
        weeks,
        stability,
        rollbacks_over_budget,
        postmortems,
        missed_by_testing,
        criteria,
        unmet,
        effectiveness: options
            .decisions
            .as_ref()
            .map(|d| super::effectiveness::effectiveness(&deployments, d)),
    })
}

/// One release's outcome, with post-mortems judged as of `now` and the
/// criteria of `policies` with the values they read.
pub(crate) fn outcome(
    policies: &[&ReviewPolicy],
    limits: &Limits,
    records: &Records,
    id: &str,
    now: Timestamp,
    thresholds: &Thresholds,
) -> Result<ReleaseOutcome, Error> {
    let Some(r) = records.get(id) else {
        let ids: Vec<&str> = records.iter().map(|r| r.release.id.as_str()).collect();
        return Err(nothing("release", id, ids));
    };
    let open: Vec<String> = r
        .incidents
        .iter()
        .filter(|i| i.restored_at.is_none_or(|t| t > now))
        .map(|i| i.id.clone())
        .collect();
    let recovery = if open.is_empty() {
        let first = r.incidents.iter().map(|i| i.started_at).min();
        let last = r.incidents.iter().filter_map(|i| i.restored_at).max();
        first.zip(last).map(|(a, b)| written(seconds(b - a)))
    } else {
        None
    };
    let mut timeline = Vec::new();
    let mut ev = |at: Timestamp, what: String| timeline.push((at, what));
    if let Some(c) = &r.commits {
        ev(c.first_at, format!("first of {} commits", c.count));
    }
    ev(r.deployment.started_at, "deployment started".to_string());
    ev(r.deployment.finished_at, "deployment finished".to_string());
    for i in &r.incidents {
        ev(
            i.started_at,
            format!("incident `{}` ({}) started", i.id, i.severity.as_str()),
        );
        if let Some(d) = i.detected_at {
            ev(d, format!("incident `{}` detected", i.id));
        }
        if let Some(t) = i.restored_at {
            ev(t, format!("incident `{}` restored", i.id));
        }
    }
    if let Some(rb) = &r.rollback {
        ev(rb.started_at, "rollback started".to_string());
        ev(rb.finished_at, "rollback finished".to_string());
    }
    for f in &r.feedback {
        ev(
            f.at,
            format!(
                "{} ticket `{}` ({}){}",
                f.source.as_str(),
                f.ticket,
                f.severity.as_str(),
                if f.missed_by_testing {
                    ", missed by testing"
                } else {
                    ""
                }
            ),
        );
    }
    // Stable: events at the same instant keep the order written above.
    timeline.sort_by_key(|(at, _)| *at);
    let decisions = r
        .decisions
        .iter()
        .flat_map(|d| {
            d.check
                .iter()
                .map(|c| format!("check {c}"))
                .chain(d.assess.iter().map(|a| format!("assess {a}")))
        })
        .collect();
    Ok(ReleaseOutcome {
        schema: REVIEW_SCHEMA,
        release: r.release.id.clone(),
        service: r.release.service.clone(),
        version: r.release.version.to_string(),
        environment: r.release.environment.clone(),
        team: r.release.team.clone(),
        outcome: r.outcome.as_str(),
        failed: r.failed(),
        deployment_duration: written(seconds(r.deployment_duration())),
        lead_time: r.lead_time().map(|l| written(seconds(l))),
        rollback: rollback_time(r, thresholds).map(|(took, budget, within_budget)| RollbackTime {
            took,
            budget,
            within_budget,
        }),
        recovery,
        open_incidents: open,
        users_affected: r
            .incidents
            .iter()
            .filter_map(|i| i.users_affected)
            .fold(0u64, u64::saturating_add),
        impact_minutes: r
            .incidents
            .iter()
            .filter_map(|i| i.impact_minutes)
            .fold(0u64, u64::saturating_add),
        postmortem: postmortem_gap(r, now, thresholds),
        missed_by_testing: missed(r).collect(),
        timeline: timeline
            .into_iter()
            .map(|(at, what)| Event {
                at: rfc3339(at),
                what,
            })
            .collect(),
        decisions,
        criteria: score(policies, r, limits),
    })
}
