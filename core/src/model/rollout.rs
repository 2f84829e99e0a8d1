//! Rollout facts: the input of `assess` (a canary or phased rollout in
//! progress: its plan and position, metric series for canary and baseline,
//! synthetic checks, SLO error ratios, feature flags and capacity). The
//! plan, capacity and flags ([`Rollout`]) may also ride along with release
//! facts, so readiness gates can check the plan before it starts.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::quality::{PreviousEvaluation, SliValue, check_slis};
use super::types::{Duration, Timestamp, Version, rfc3339};
use crate::error::{ErrorCode, FactsError};
use crate::limits::Limits;

/// Everything known about a rollout at the moment of the assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RolloutFacts {
    /// The evaluation time. Assessment never reads the clock.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub now: Timestamp,
    /// The rollout: identity, plan, position, capacity and flags.
    pub rollout: Rollout,
    /// Metric series seen so far, for canary and baseline, by metric name
    /// (`error-rate`, `latency-p99`).
    #[serde(default, deserialize_with = "super::unique::map")]
    pub metrics: BTreeMap<String, Metric>,
    /// Synthetic-check (probe) results, by journey name.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub synthetics: BTreeMap<String, Synthetic>,
    /// Series of other services, by service name then metric name, for
    /// triggers that watch the services downstream of this one
    /// (`downstream: true`, with a catalog): each judged against its own
    /// samples from before the current step started.
    #[serde(
        default,
        deserialize_with = "super::unique::map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub downstream: BTreeMap<String, DownstreamService>,
    /// SLOs with their observed error ratios, by SLO name, for burn-rate
    /// rules.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub slos: BTreeMap<String, SloStatus>,
    /// SLI values at the time of the assessment, by SLI name, for quality
    /// gates.
    #[serde(
        default,
        deserialize_with = "super::unique::map",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub slis: BTreeMap<String, SliValue>,
    /// Earlier quality-gate evaluations of the same service, oldest first,
    /// for relative criteria.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_evaluations: Vec<PreviousEvaluation>,
    /// Free-form string labels for an embedder's own policies.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub labels: BTreeMap<String, String>,
    /// Free-form structured data for an embedder's own policies.
    #[serde(default, deserialize_with = "super::unique::values")]
    pub extensions: BTreeMap<String, serde_json::Value>,
}

/// A rollout: who it is, its plan, where it stands.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Rollout {
    /// Identity of the rollout (`checkout-2.4.0-canary`), for markers.
    #[serde(default)]
    pub id: String,
    /// The service being rolled out.
    #[serde(default)]
    pub service: String,
    /// The version being rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
    /// Target environment (`production`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// The release id this rollout ships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// The plan, Argo Rollouts style: `setWeight` and `pause` steps.
    #[serde(default)]
    pub steps: Vec<Step>,
    /// Index of the current step in `steps` (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<u32>,
    /// Traffic routed to the canary now, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// When the rollout started.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub started_at: Option<Timestamp>,
    /// When the current step started.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::types::serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub step_started_at: Option<Timestamp>,
    /// Cluster capacity during the overlap of both versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// Feature flags shipped with or gating the release.
    #[serde(default)]
    pub flags: Vec<Flag>,
}

/// One step of the plan: exactly one of `setWeight` or `pause`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Step {
    /// Route this percentage of traffic to the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_weight: Option<f64>,
    /// Wait this long (analysis runs meanwhile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pause: Option<Duration>,
}

/// Capacity of the cluster while both versions run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Capacity {
    /// Allocatable capacity of the cluster (CPU cores, or any one unit).
    pub allocatable: f64,
    /// Capacity used by everything except this service.
    pub reserved: f64,
    /// Demand of one replica, in the same unit.
    pub per_replica: f64,
    /// Replicas of both versions at the peak of the overlap.
    pub replicas: Replicas,
}

/// Replica counts of both versions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Replicas {
    /// Replicas of the running (stable) version.
    pub stable: u32,
    /// Replicas of the new (canary) version.
    pub canary: u32,
}

/// A feature flag and how far it is exposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Flag {
    /// Flag key.
    pub name: String,
    /// Whether the flag is introduced by this release.
    #[serde(default)]
    pub new: bool,
    /// Whether the flag's exposure must follow the rollout's weight.
    #[serde(default)]
    pub release_gated: bool,
    /// Share of users exposed, in percent.
    pub exposure: f64,
}

/// A metric series for canary and baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Metric {
    /// Where it comes from: `server`, `rum` (real-user monitoring),
    /// `business`, … (free-form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Unit, for messages (`ms`, `ratio`, `%`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Samples of the new version (for a business metric: after the deploy).
    #[serde(default, serialize_with = "super::canonical::samples::serialize")]
    pub canary: Vec<Sample>,
    /// Samples of the running version (for a business metric: the
    /// pre-deploy level).
    #[serde(default, serialize_with = "super::canonical::samples::serialize")]
    pub baseline: Vec<Sample>,
}

/// The series of one service downstream of the rollout, by metric name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct DownstreamService {
    /// Metric name → its series.
    #[serde(deserialize_with = "super::unique::map")]
    pub metrics: BTreeMap<String, DownstreamSeries>,
}

/// One metric of a downstream service: its samples before and since the
/// rollout's current step started, in one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct DownstreamSeries {
    /// Unit, for messages (`ms`, `ratio`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The samples, in any order.
    #[serde(default, serialize_with = "super::canonical::samples::serialize")]
    pub samples: Vec<Sample>,
}

/// One timestamped sample (one measurement). A `null` value is a gap (no
/// data at that time); an `error` instead of a value is a measurement that
/// failed (the query timed out, the provider answered an error), which a
/// trigger counts towards its `consecutiveErrorLimit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Sample {
    /// When it was taken.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// The value, or `null` for a gap (and with an `error`).
    #[serde(default)]
    pub value: Option<f64>,
    /// Why the measurement failed, instead of a value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A synthetic check (a scripted user journey) and its runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Synthetic {
    /// A failing critical journey rolls back under the standard pack.
    #[serde(default)]
    pub critical: bool,
    /// Rollout phase the runs belong to (`canary`, `step-2`), free-form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// Runs, oldest first.
    #[serde(default)]
    pub runs: Vec<SyntheticRun>,
}

/// One run of a synthetic check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct SyntheticRun {
    /// When it ran.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// Whether the journey succeeded.
    pub passed: bool,
}

/// An SLO with its observed error ratios per window, as a monitoring
/// system's recording rules compute them (`slo:sli_error:ratio_rate5m`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct SloStatus {
    /// Target as a percentage (`99.9`).
    pub objective: f64,
    /// The SLO period the error budget spans (default `30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// Observed error ratio (0–1) per window: `{5m: 0.002, 1h: 0.001}`.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub error_ratio: BTreeMap<String, f64>,
}

pub(super) fn bad(path: String, message: String) -> FactsError {
    FactsError::new(ErrorCode::FactsInvalidValue, message).at(path)
}

pub(super) fn check_finite(path: String, v: f64) -> Result<(), FactsError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(bad(path, format!("`{v}` is not a finite number")))
    }
}

/// A finite number between 0 and 100.
fn percentage(path: String, what: &str, v: f64) -> Result<(), FactsError> {
    check_finite(path.clone(), v)?;
    if (0.0..=100.0).contains(&v) {
        Ok(())
    } else {
        Err(bad(
            path,
            format!("{what} `{v}` is not a percentage between 0 and 100"),
        ))
    }
}

fn check_samples(
    path: &str,
    samples: &[Sample],
    now: Timestamp,
    limits: &Limits,
) -> Result<(), FactsError> {
    if samples.len() > limits.max_list_items {
        return Err(FactsError::new(
            ErrorCode::FactsOverLimit,
            format!(
                "{} samples, over the limit of {}",
                samples.len(),
                limits.max_list_items
            ),
        )
        .at(path)
        .with_hint("send the samples of the analysis window only"));
    }
    // The common series, every sample a finite value in order up to
    // `now`, in one pass without a branch a sample; the pass that says
    // what is wrong, and where, only when something is.
    if plain_samples(samples, now) {
        return Ok(());
    }
    check_each_sample(path, samples, now)
}

/// What is wrong with a series, and where: a failed measurement with a
/// value or without a reason, a value that is not finite, a sample after
/// `now` or before the one before it.
fn check_each_sample(path: &str, samples: &[Sample], now: Timestamp) -> Result<(), FactsError> {
    let mut prev: Option<Timestamp> = None;
    for (i, s) in samples.iter().enumerate() {
        if let Some(e) = &s.error {
            if s.value.is_some() {
                return Err(bad(
                    format!("{path}[{i}]"),
                    "a sample has either a `value` or an `error`, not both".into(),
                )
                .with_hint("a failed measurement has no value: drop `value`"));
            }
            if e.trim().is_empty() {
                return Err(bad(format!("{path}[{i}].error"), "`error` is empty".into())
                    .with_hint("say why the measurement failed"));
            }
        }
        if let Some(v) = s.value.filter(|v| !v.is_finite()) {
            return Err(bad(
                format!("{path}[{i}].value"),
                format!("`{v}` is not a finite number"),
            )
            .with_hint("write `null` for a gap in the data"));
        }
        if s.at > now {
            return Err(bad(
                format!("{path}[{i}].at"),
                format!(
                    "sample at `{}` is after `now` (`{}`)",
                    rfc3339(s.at),
                    rfc3339(now)
                ),
            ));
        }
        if prev.is_some_and(|p| s.at < p) {
            return Err(bad(
                format!("{path}[{i}].at"),
                format!(
                    "sample at `{}` is earlier than the one before it",
                    rfc3339(s.at)
                ),
            )
            .with_hint("send samples oldest first"));
        }
        prev = Some(s.at);
    }
    Ok(())
}

/// Whether every sample has a finite value (or is a gap) and no error,
/// and the samples are in order, none after `now`: a series
/// [`check_samples`] finds nothing wrong with (it checks a failed
/// measurement, left out here, itself).
fn plain_samples(samples: &[Sample], now: Timestamp) -> bool {
    let Some(first) = samples.first() else {
        return true;
    };
    let mut prev = first.at;
    samples.iter().fold(true, |ok, s| {
        let fine =
            s.error.is_none() & s.value.is_none_or(f64::is_finite) & (s.at <= now) & (s.at >= prev);
        prev = s.at;
        ok & fine
    })
}

impl Rollout {
    /// Check the plan, wherever it comes (rollout facts, or the `rollout`
    /// section of release facts): a weight between 0 and 100, a current
    /// step inside the plan, steps with exactly one action, weights and
    /// exposures between 0 and 100, finite capacity figures.
    pub fn validate(&self) -> Result<(), FactsError> {
        let r = self;
        if let Some(w) = r.weight {
            percentage("$.rollout.weight".into(), "weight", w)?;
        }
        if let Some(step) = r.current_step {
            if step as usize >= r.steps.len() {
                return Err(bad(
                    "$.rollout.currentStep".into(),
                    format!(
                        "current step `{step}` is outside the plan of {} steps",
                        r.steps.len()
                    ),
                )
                .with_hint("steps are counted from 0"));
            }
        }
        for (i, s) in r.steps.iter().enumerate() {
            if s.set_weight.is_some() == s.pause.is_some() {
                return Err(bad(
                    format!("$.rollout.steps[{i}]"),
                    "a step is either `setWeight` or `pause`".into(),
                ));
            }
            if let Some(w) = s.set_weight {
                percentage(format!("$.rollout.steps[{i}].setWeight"), "weight", w)?;
            }
        }
        for (i, f) in r.flags.iter().enumerate() {
            percentage(
                format!("$.rollout.flags[{i}].exposure"),
                "exposure",
                f.exposure,
            )?;
        }
        if let Some(c) = &r.capacity {
            for (field, v) in [
                ("allocatable", c.allocatable),
                ("reserved", c.reserved),
                ("perReplica", c.per_replica),
            ] {
                check_finite(format!("$.rollout.capacity.{field}"), v)?;
            }
        }
        Ok(())
    }
}

impl RolloutFacts {
    /// Parse rollout facts from YAML or JSON text within the default limits.
    pub fn parse(text: &str) -> Result<RolloutFacts, FactsError> {
        Self::from_str_with_limits(text, &Limits::default())
    }

    /// Parse rollout facts from YAML or JSON text within `limits`, and
    /// validate them ([`RolloutFacts::validate`]).
    pub fn from_str_with_limits(text: &str, limits: &Limits) -> Result<RolloutFacts, FactsError> {
        let facts: RolloutFacts = super::parse_text(text, limits, "rollout")?;
        facts.validate(limits)?;
        Ok(facts)
    }

    /// Parse rollout facts from bytes, which must be UTF-8.
    pub fn from_slice(bytes: &[u8], limits: &Limits) -> Result<RolloutFacts, FactsError> {
        Self::from_str_with_limits(super::utf8(bytes)?, limits)
    }

    /// Rollout facts from a JSON value (as a binding receives them),
    /// within `limits` (the value's `[`/`{` nesting is held to
    /// [`Limits::max_yaml_nesting`] as text is), validated.
    pub fn from_json_value(
        value: serde_json::Value,
        limits: &Limits,
    ) -> Result<RolloutFacts, FactsError> {
        super::within_nesting(&value, limits)?;
        let facts: RolloutFacts = super::parse_value(value, "rollout")?;
        facts.validate(limits)?;
        Ok(facts)
    }

    /// The facts as canonical JSON (fields in declaration order, maps
    /// sorted). The facts digest is over the same typed values, in the
    /// binary encoding of `docs/digest.md`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Check what the types cannot: the plan ([`Rollout::validate`]),
    /// finite numbers, samples oldest first and not after `now`, list
    /// sizes, SLO objectives and windows that parse.
    pub fn validate(&self, limits: &Limits) -> Result<(), FactsError> {
        self.rollout.validate()?;
        // Every sample and run counts towards the facts' values (series are
        // each held to `max_list_items`, but their number is open).
        let values: usize = self
            .metrics
            .values()
            .map(|m| m.canary.len() + m.baseline.len())
            .chain(self.synthetics.values().map(|s| s.runs.len()))
            .chain(
                self.downstream
                    .values()
                    .flat_map(|d| d.metrics.values().map(|m| m.samples.len())),
            )
            .chain(self.slos.values().map(|s| s.error_ratio.len()))
            .chain(std::iter::once(self.slis.len()))
            .chain(self.previous_evaluations.iter().map(|e| e.slis.len() + 1))
            .sum();
        if values > limits.max_fact_values {
            return Err(bad(
                "$".into(),
                format!(
                    "facts hold {values} samples and runs, more than the limit of {} values",
                    limits.max_fact_values
                ),
            )
            .with_hint(
                "send only the series the policies read, or raise `Limits::max_fact_values`",
            ));
        }
        for (name, m) in &self.metrics {
            check_samples(
                &format!("$.metrics.{name}.canary"),
                &m.canary,
                self.now,
                limits,
            )?;
            check_samples(
                &format!("$.metrics.{name}.baseline"),
                &m.baseline,
                self.now,
                limits,
            )?;
        }
        for (service, d) in &self.downstream {
            for (name, m) in &d.metrics {
                check_samples(
                    &format!("$.downstream.{service}.{name}.samples"),
                    &m.samples,
                    self.now,
                    limits,
                )?;
            }
        }
        for (name, s) in &self.synthetics {
            if s.runs.len() > limits.max_list_items {
                return Err(FactsError::new(
                    ErrorCode::FactsOverLimit,
                    format!(
                        "{} runs, over the limit of {}",
                        s.runs.len(),
                        limits.max_list_items
                    ),
                )
                .at(format!("$.synthetics.{name}.runs")));
            }
            let mut prev: Option<Timestamp> = None;
            for (j, run) in s.runs.iter().enumerate() {
                let path = format!("$.synthetics.{name}.runs[{j}].at");
                if run.at > self.now {
                    return Err(bad(
                        path,
                        format!("run at `{}` is after `now`", rfc3339(run.at)),
                    ));
                }
                if prev.is_some_and(|p| run.at < p) {
                    return Err(bad(path, "runs are not oldest first".into()));
                }
                prev = Some(run.at);
            }
        }
        check_slis("$.slis", &self.slis)?;
        let mut prev: Option<Timestamp> = None;
        for (i, e) in self.previous_evaluations.iter().enumerate() {
            let path = format!("$.previousEvaluations[{i}]");
            if e.at > self.now {
                return Err(bad(
                    format!("{path}.at"),
                    format!("evaluation at `{}` is after `now`", rfc3339(e.at)),
                ));
            }
            if prev.is_some_and(|p| e.at < p) {
                return Err(bad(
                    format!("{path}.at"),
                    "previous evaluations are not oldest first".into(),
                ));
            }
            prev = Some(e.at);
            check_slis(&format!("{path}.slis"), &e.slis)?;
        }
        for (i, slo) in &self.slos {
            check_finite(format!("$.slos.{i}.objective"), slo.objective)?;
            // Below 1 % is a ratio written where a percentage belongs
            // (`0.999` for 99.9 %), not an SLO anyone runs.
            if !(slo.objective >= 1.0 && slo.objective < 100.0) {
                return Err(bad(
                    format!("$.slos.{i}.objective"),
                    format!(
                        "objective `{}` is not a percentage between 1 and 100",
                        slo.objective
                    ),
                )
                .with_hint("write 99.9 for a 99.9 % SLO"));
            }
            let mut windows: BTreeMap<Duration, &str> = BTreeMap::new();
            for (w, ratio) in &slo.error_ratio {
                let path = format!("$.slos.{i}.errorRatio.{w}");
                let d = Duration::parse(w).map_err(|e| bad(path.clone(), e))?;
                // `5m` and `300s` are one window: two ratios for it would
                // leave the choice between them to key order.
                if let Some(other) = windows.insert(d, w) {
                    return Err(bad(
                        path,
                        format!("window `{w}` is the same as `{other}`, given before"),
                    )
                    .with_hint("give one error ratio per window"));
                }
                check_finite(path.clone(), *ratio)?;
                if !(0.0..=1.0).contains(ratio) {
                    return Err(bad(
                        path,
                        format!("error ratio `{ratio}` is not between 0 and 1"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The metric called `name`.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.get(name)
    }
}

#[cfg(test)]
#[path = "rollout_tests.rs"]
mod tests;
