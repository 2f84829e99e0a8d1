//! The facts: typed descriptions of a release and everything known about it
//! (CI, security, approvals, waivers, migrations, readiness, history, the
//! service). Facts come in as YAML or JSON with camelCase fields; an unknown
//! field is an error naming its JSON path, so a typo never passes silently.

mod canonical;
pub(crate) mod catalog_facts;
pub(crate) mod digest;
mod evidence;
pub(crate) mod identity;
mod operations;
mod quality;
mod record;
mod release;
mod rollout;
pub(crate) mod shape;
#[cfg(test)]
pub(crate) mod test_facts;
mod types;
pub(crate) mod unique;

pub use evidence::{
    Approval, ApprovalDecision, Certificate, Ci, DataCheck, Findings, Migration, MigrationChecks,
    Scan, Secret, Security, Status, Suite, Waiver,
};
pub use operations::{
    Communication, CommunicationStatus, History, Incident, PastRelease, PostmortemStatus,
    Readiness, ReleaseOutcome, RollbackReadiness, Service, Slo,
};
pub use quality::{EvaluationResult, PreviousEvaluation, SliValue};
pub use record::{
    Commits, DecisionRefs, Deployment, Feedback, FeedbackSeverity, FeedbackSource, Postmortem,
    RecordIncident, RecordOutcome, RecordRelease, ReleaseRecord, Severity, Span,
};
pub use release::{Change, ChangeRequest, ChangeRequestStatus, Facts, Release, ReleaseKind};
pub use rollout::{
    Capacity, DownstreamSeries, DownstreamService, Flag, Metric, Replicas, Rollout, RolloutFacts,
    Sample, SloStatus, Step, Synthetic, SyntheticRun,
};
pub(crate) use types::serialize_timestamp;
pub use types::{Duration, Timestamp, Version};
pub(crate) use types::{push_rfc3339, rfc3339};

use crate::error::{ErrorCode, FactsError};
use crate::limits::Limits;
use std::fmt::Write as _;

impl Facts {
    /// Parse facts from YAML or JSON text (JSON is detected by a leading
    /// `{`), within the default [`Limits`].
    pub fn parse(text: &str) -> Result<Facts, FactsError> {
        Self::from_str_with_limits(text, &Limits::default())
    }

    /// Parse facts from bytes, which must be UTF-8.
    pub fn from_slice(bytes: &[u8], limits: &Limits) -> Result<Facts, FactsError> {
        Self::from_str_with_limits(utf8(bytes)?, limits)
    }

    /// Parse facts from YAML or JSON text within `limits`.
    pub fn from_str_with_limits(text: &str, limits: &Limits) -> Result<Facts, FactsError> {
        let facts: Facts = parse_text(text, limits, "facts")?;
        facts.validate()?;
        Ok(facts)
    }

    /// Facts from a JSON value (as a binding receives them), within
    /// `limits`, as [`RolloutFacts::from_json_value`]: the value's
    /// `[`/`{` nesting is held to [`Limits::max_yaml_nesting`] as text is;
    /// list sizes are checked against the bundle's limits when the facts
    /// are evaluated (as for text).
    pub fn from_json_value(value: serde_json::Value, limits: &Limits) -> Result<Facts, FactsError> {
        within_nesting(&value, limits)?;
        let facts: Facts = parse_value(value, "facts")?;
        facts.validate()?;
        Ok(facts)
    }

    /// Facts from any self-describing serde format (a binding's own
    /// objects, read in place), validated as [`Facts::from_json_value`]
    /// validates them. The format's nesting is the caller's to bound (to
    /// [`Limits::max_yaml_nesting`], as text is). A deserializer that
    /// fails is run again (hence `Clone`) to name the JSON path of the
    /// error, as for a JSON value.
    pub fn from_deserializer<'de, D>(d: D) -> Result<Facts, FactsError>
    where
        D: serde::Deserializer<'de> + Clone,
    {
        let facts: Facts = match serde::Deserialize::deserialize(d.clone()) {
            Ok(f) => f,
            Err(_) => serde_path_to_error::deserialize(d)
                .map_err(|e| located(false, e.path(), e.inner().to_string(), None, "facts"))?,
        };
        facts.validate()?;
        Ok(facts)
    }

    /// Check what the types cannot: the rollout plan (as in rollout facts)
    /// and SLO error ratios between 0 and 1.
    fn validate(&self) -> Result<(), FactsError> {
        let people = std::iter::once(("$.release.author".to_string(), &self.release.author))
            .chain(
                self.approvals
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (format!("$.approvals[{i}].by"), &a.by)),
            )
            .chain(
                self.waivers
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (format!("$.waivers[{i}].by"), &w.by)),
            );
        for (path, name) in people {
            if let Some(why) = identity::check(name) {
                return Err(FactsError::new(ErrorCode::FactsInvalidValue, why)
                    .at(path)
                    .with_hint(
                        "a person is named by a non-blank identity without control characters",
                    ));
            }
        }
        if let Some(r) = &self.rollout {
            // The plan rides along for readiness gates: the same checks as
            // in rollout facts.
            r.validate()?;
        }
        if let Some(s) = &self.service {
            if !(1..=4).contains(&s.tier) {
                return Err(FactsError::new(
                    ErrorCode::FactsInvalidValue,
                    format!("tier `{}` is not between 1 (most critical) and 4", s.tier),
                )
                .at("$.service.tier"));
            }
            if let Some(b) = s.error_budget_remaining {
                if !b.is_finite() || b > 1.0 {
                    return Err(FactsError::new(
                        ErrorCode::FactsInvalidValue,
                        format!(
                        "error budget remaining `{b}` is not a fraction of at most 1"
                    ))
                    .at("$.service.errorBudgetRemaining")
                    .with_hint("a fraction of the budget: 0.06 for 6 % left, 1 for all of it, below 0 when overspent"));
                }
            }
        }
        for (i, slo) in self.service.iter().flat_map(|s| s.slos.iter()).enumerate() {
            if !slo.objective.is_finite() {
                return Err(FactsError::new(
                    ErrorCode::FactsInvalidValue,
                    format!("objective `{}` is not a finite number", slo.objective),
                )
                .at(format!("$.service.slos[{i}].objective")));
            }
            if let Some(r) = slo.error_ratio.filter(|r| !(0.0..=1.0).contains(r)) {
                return Err(FactsError::new(
                    ErrorCode::FactsInvalidValue,
                    format!("error ratio `{r}` is not between 0 and 1"),
                )
                .at(format!("$.service.slos[{i}].errorRatio")));
            }
        }
        Ok(())
    }

    /// The facts as canonical JSON (fields in declaration order, maps
    /// sorted). The facts digest is over the same typed values, in the
    /// binary encoding of `docs/digest.md`.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// A JSON value held to [`Limits::max_yaml_nesting`], as text is: an error
/// naming the path of the first array or object nested too deep.
pub(crate) fn within_nesting(value: &serde_json::Value, limits: &Limits) -> Result<(), FactsError> {
    let max = limits.max_yaml_nesting;
    // Each value walked points at the step that led to it; the path is
    // written out only to name an error (a `format!` a value cost more than
    // deserialising the facts).
    let mut steps: Vec<(usize, PathStep<'_>)> = vec![(0, PathStep::Root)];
    let mut stack: Vec<(&serde_json::Value, usize, usize)> = vec![(value, 0, 0)];
    while let Some((v, depth, at)) = stack.pop() {
        let depth = match v {
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => depth + 1,
            _ => continue,
        };
        if depth > max {
            return Err(FactsError::new(
                ErrorCode::FactsOverLimit,
                format!("`[`/`{{` nesting deeper than the limit of {max}"),
            )
            .at(path_of(&steps, at)));
        }
        let mut put = |step, item| {
            stack.push((item, depth, steps.len()));
            steps.push((at, step));
        };
        match v {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    put(PathStep::Index(i), item);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    put(PathStep::Key(k), item);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// How [`within_nesting`] reached a value from its parent.
#[derive(Clone, Copy)]
enum PathStep<'a> {
    Root,
    Index(usize),
    Key(&'a str),
}

/// The JSON path (`$.a[0].b`) of the value reached by step `at`.
fn path_of(steps: &[(usize, PathStep<'_>)], mut at: usize) -> String {
    let mut chain = Vec::new();
    while let Some(&(parent, step)) = steps.get(at) {
        chain.push(step);
        if at == 0 {
            break;
        }
        at = parent;
    }
    let mut path = String::from("$");
    for step in chain.iter().rev() {
        // Writing to a `String` cannot fail.
        let _ = match step {
            PathStep::Root => Ok(()),
            PathStep::Index(i) => write!(path, "[{i}]"),
            PathStep::Key(k) => write!(path, ".{k}"),
        };
    }
    path
}

/// Facts bytes as text: UTF-8, or an error naming the offset.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, FactsError> {
    std::str::from_utf8(bytes).map_err(|e| {
        FactsError::new(
            ErrorCode::FactsNotUtf8,
            format!(
                "facts are not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// Parse YAML or JSON text (JSON is detected by a leading `{`) into `T`,
/// within `limits`, with the JSON path and position of any error.
/// `schema` names the `release-policy schema` kind that describes `T`, for
/// the hint on an unknown field.
pub(crate) fn parse_text<T: serde::de::DeserializeOwned>(
    text: &str,
    limits: &Limits,
    schema: &str,
) -> Result<T, FactsError> {
    if text.len() > limits.max_facts_bytes {
        return Err(FactsError::new(
            ErrorCode::FactsTooLarge,
            format!(
                "facts are larger than the limit of {} bytes",
                limits.max_facts_bytes
            ),
        )
        .with_hint("send only the facts the policies read, or raise `Limits::max_facts_bytes`"));
    }
    if let Some((line, column)) = crate::limits::yaml_too_deep(text, limits.max_yaml_nesting) {
        let mut e = FactsError::new(
            ErrorCode::FactsOverLimit,
            format!(
                "`[`/`{{` nesting deeper than the limit of {}",
                limits.max_yaml_nesting
            ),
        );
        e.position = Some((line, column));
        return Err(e);
    }
    if !text.trim_start().starts_with('{') {
        if let Some(position) = crate::limits::yaml_alias(text) {
            let mut e = FactsError::new(
                ErrorCode::FactsYamlAlias,
                "YAML aliases (`*name`) are not allowed in facts",
            )
            .with_hint(
                "write the value out: an alias can multiply the size of the facts past every limit",
            );
            e.position = Some(position);
            return Err(e);
        }
    }
    // Parsed once without tracking the path (the common, valid case costs
    // no bookkeeping); only a failure is parsed again to name the path.
    if text.trim_start().starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(text);
        if let Ok(v) = T::deserialize(&mut de).and_then(|v| de.end().map(|()| v)) {
            return Ok(v);
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let v = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let (line, column) = (e.inner().line(), e.inner().column());
            let syntax = e.inner().is_syntax() || e.inner().is_eof();
            located(
                syntax,
                e.path(),
                strip_json_position(&e.inner().to_string()),
                Some((line, column)),
                schema,
            )
        })?;
        de.end().map_err(|e| {
            let mut err =
                FactsError::new(ErrorCode::FactsSyntax, strip_json_position(&e.to_string()));
            err.position = Some((e.line(), e.column()));
            err
        })?;
        Ok(v)
    } else {
        if let Ok(v) = T::deserialize(yaml_serde::Deserializer::from_str(text)) {
            return Ok(v);
        }
        // Malformed YAML: the untyped parse says where, without a path.
        if let Err(e) = yaml_serde::from_str::<yaml_serde::Value>(text) {
            let message = strip_yaml_position(&e.to_string());
            let mut err = FactsError::new(facts_code(true, &message), message);
            err.position = e.location().map(|l| (l.line(), l.column()));
            return Err(err);
        }
        let de = yaml_serde::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let pos = e.inner().location().map(|l| (l.line(), l.column()));
            located(
                false,
                e.path(),
                strip_yaml_position(&e.inner().to_string()),
                pos,
                schema,
            )
        })
    }
}

/// Deserialise a JSON value into `T`, with the JSON path of any error.
pub(crate) fn parse_value<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    schema: &str,
) -> Result<T, FactsError> {
    if let Ok(v) = T::deserialize(&value) {
        return Ok(v);
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| located(false, e.path(), e.inner().to_string(), None, schema))
}

impl std::str::FromStr for Facts {
    type Err = FactsError;

    fn from_str(text: &str) -> Result<Facts, FactsError> {
        Facts::parse(text)
    }
}

/// A located facts error; `syntax` when the text itself is malformed.
fn located(
    syntax: bool,
    path: &serde_path_to_error::Path,
    message: String,
    pos: Option<(usize, usize)>,
    schema: &str,
) -> FactsError {
    let p = path.to_string();
    let json_path = if p == "." || p.is_empty() {
        "$".to_string()
    } else {
        format!("$.{p}")
    };
    // The YAML library prefixes messages with the (parent) path; the JSON
    // path already says where.
    let message = match message.split_once(": ") {
        Some((head, rest)) if !head.contains(' ') && p.starts_with(head) => rest.to_string(),
        _ => message,
    };
    // chrono's words for a timestamp it cannot read say nothing of what a
    // timestamp needs.
    const CHRONO: [&str; 4] = [
        "premature end of input",
        "input contains invalid characters",
        "trailing input",
        "input is out of range",
    ];
    let timestamp = CHRONO.contains(&message.as_str());
    let message = if timestamp {
        format!("not an RFC 3339 timestamp with a time zone ({message})")
    } else {
        message
    };
    let code = facts_code(syntax, &message);
    let mut err = FactsError::new(code, message);
    if timestamp {
        err = err.with_hint("write the date, the time and the zone: `2026-11-26T10:30:00Z` or `2026-11-26T11:30:00+01:00`");
    }
    // A syntax error has no meaningful path: the position says where.
    if !syntax {
        err = err.at(json_path);
    }
    err.position = pos.filter(|(l, _)| *l > 0);
    if code == ErrorCode::FactsUnknownField {
        err.hint = Some(format!(
            "facts fields are camelCase; check the spelling against `release-policy schema {schema}`"
        ));
    }
    err
}

/// The code of a serde error message about facts.
fn facts_code(syntax: bool, message: &str) -> ErrorCode {
    const WRONG_TYPE: [&str; 5] = [
        "invalid type",
        "missing field",
        "unknown variant",
        "invalid length",
        "duplicate field",
    ];
    if message.contains("duplicate key") || message.contains("duplicate entry with key") {
        ErrorCode::FactsDuplicateKey
    } else if syntax {
        ErrorCode::FactsSyntax
    } else if message.starts_with("unknown field") {
        ErrorCode::FactsUnknownField
    } else if WRONG_TYPE.iter().any(|w| message.starts_with(w))
        // A number where a version string belongs (`version: 2.10`).
        || message.contains("is a number, not")
    {
        ErrorCode::FactsWrongType
    } else {
        ErrorCode::FactsInvalidValue
    }
}

fn strip_json_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn strip_yaml_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
