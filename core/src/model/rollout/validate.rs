//! Reading rollout facts (from text, bytes or a JSON value) and checking
//! what their types cannot hold: percentages
//! between 0 and 100, a current step inside the plan, finite numbers, and
//! every series of samples in order, finite and none after `now` (checked
//! in one pass first, walked sample by sample only to say what is wrong
//! and where).

use super::*;
use crate::model::quality::check_slis;
use crate::model::types::rfc3339;

pub(in crate::model) fn bad(path: String, message: String) -> FactsError {
    FactsError::new(ErrorCode::FactsInvalidValue, message).at(path)
}

pub(in crate::model) fn check_finite(path: String, v: f64) -> Result<(), FactsError> {
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
        let facts: RolloutFacts = crate::model::parse_text(text, limits, "rollout")?;
        facts.validate(limits)?;
        Ok(facts)
    }

    /// Parse rollout facts from bytes, which must be UTF-8.
    pub fn from_slice(bytes: &[u8], limits: &Limits) -> Result<RolloutFacts, FactsError> {
        Self::from_str_with_limits(crate::model::utf8(bytes)?, limits)
    }

    /// Rollout facts from a JSON value (as a binding receives them),
    /// within `limits` (the value's `[`/`{` nesting is held to
    /// [`Limits::max_yaml_nesting`] as text is), validated.
    pub fn from_json_value(
        value: serde_json::Value,
        limits: &Limits,
    ) -> Result<RolloutFacts, FactsError> {
        crate::model::within_nesting(&value, limits)?;
        let facts: RolloutFacts = crate::model::parse_value(value, "rollout")?;
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
#[path = "validate_tests.rs"]
mod tests;
