//! Release records: what happened to one release after it went out — the
//! input of `review` (`kind: ReleaseRecord`). A record carries the release,
//! its commits, the deployment, the outcome (with the rollback when there
//! was one), the incidents it caused, its post-mortem, the support feedback
//! linked to it and the digests of the decisions taken about it. Unknown
//! fields are refused; the checks between fields (times in order, an
//! outcome with the parts it needs) are in [`ReleaseRecord::problems`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::release::ReleaseKind;
use super::types::{Timestamp, Version, serialize_opt_timestamp, serialize_timestamp};

/// What happened to one release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct ReleaseRecord {
    /// Must be `release-policy/v1`.
    pub api_version: String,
    /// Must be `ReleaseRecord`.
    pub kind: String,
    /// The release: id, service, version, environment, kind, team.
    pub release: RecordRelease,
    /// The commits it shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commits: Option<Commits>,
    /// When the deployment started and finished.
    pub deployment: Deployment,
    /// What came of it.
    pub outcome: RecordOutcome,
    /// The rollback; required when the outcome is `rolled-back`, refused
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Span>,
    /// Incidents the release caused.
    #[serde(default)]
    pub incidents: Vec<RecordIncident>,
    /// The post-mortem, when one is required or was held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<Postmortem>,
    /// Support and customer-success feedback linked to the release.
    #[serde(default)]
    pub feedback: Vec<Feedback>,
    /// The digests of what the policies said before and during the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<DecisionRefs>,
}

/// The release a record is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RecordRelease {
    /// Release id, unique among the records (a redeploy is a new record
    /// with an id of its own, such as `checkout-2.4.0.2`).
    pub id: String,
    /// The service released.
    pub service: String,
    /// The version released.
    pub version: Version,
    /// Where it was deployed (DORA's keys count `production`).
    pub environment: String,
    /// The kind of release.
    pub kind: ReleaseKind,
    /// The team that released it.
    pub team: String,
}

/// The commits a release shipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Commits {
    /// The first (oldest) commit's time: where lead time starts.
    #[serde(
        serialize_with = "serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub first_at: Timestamp,
    /// How many commits.
    pub count: u32,
}

/// The deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Deployment {
    /// When it started.
    #[serde(
        serialize_with = "serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub started_at: Timestamp,
    /// When it finished: the moment the change reached its environment,
    /// which places the deployment in a period.
    #[serde(
        serialize_with = "serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub finished_at: Timestamp,
}

/// A span of time with both ends known (a rollback).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Span {
    /// Start.
    #[serde(
        serialize_with = "serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub started_at: Timestamp,
    /// End.
    #[serde(
        serialize_with = "serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub finished_at: Timestamp,
}

/// What came of a release.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RecordOutcome {
    /// Went out and stayed.
    Success,
    /// Rolled back.
    RolledBack,
    /// Needed a hotfix.
    Hotfixed,
    /// Stayed, but degraded the service.
    Degraded,
}

impl RecordOutcome {
    /// The name as written: `success`, `rolled-back`, `hotfixed`, `degraded`.
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordOutcome::Success => "success",
            RecordOutcome::RolledBack => "rolled-back",
            RecordOutcome::Hotfixed => "hotfixed",
            RecordOutcome::Degraded => "degraded",
        }
    }
}

/// Incident severity, `sev1` (worst) to `sev5`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Severity {
    /// The worst.
    Sev1,
    /// Major.
    Sev2,
    /// Moderate.
    Sev3,
    /// Minor.
    Sev4,
    /// Cosmetic.
    Sev5,
}

impl Severity {
    /// The number, 1 (worst) to 5, as `history.incidents[].severity` holds it.
    pub fn level(&self) -> u8 {
        match self {
            Severity::Sev1 => 1,
            Severity::Sev2 => 2,
            Severity::Sev3 => 3,
            Severity::Sev4 => 4,
            Severity::Sev5 => 5,
        }
    }

    /// The name as written: `sev1` … `sev5`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Sev1 => "sev1",
            Severity::Sev2 => "sev2",
            Severity::Sev3 => "sev3",
            Severity::Sev4 => "sev4",
            Severity::Sev5 => "sev5",
        }
    }
}

/// An incident a release caused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct RecordIncident {
    /// Incident id.
    pub id: String,
    /// Severity, `sev1` to `sev5`.
    pub severity: Severity,
    /// When the impact started.
    #[serde(
        serialize_with = "serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub started_at: Timestamp,
    /// When it was detected.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub detected_at: Option<Timestamp>,
    /// When service was restored; absent while the incident is open.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub restored_at: Option<Timestamp>,
    /// Users affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users_affected: Option<u64>,
    /// Minutes of user-visible impact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact_minutes: Option<u64>,
}

/// A post-mortem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Postmortem {
    /// Whether one is required.
    pub required: bool,
    /// `open` or `closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<super::PostmortemStatus>,
    /// When it is due.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_timestamp",
        deserialize_with = "super::types::deserialize_opt_timestamp"
    )]
    pub due: Option<Timestamp>,
    /// Where it is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// Where feedback came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FeedbackSource {
    /// The support desk.
    Support,
    /// Customer success.
    CustomerSuccess,
}

impl FeedbackSource {
    /// The name as written: `support`, `customer-success`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FeedbackSource::Support => "support",
            FeedbackSource::CustomerSuccess => "customer-success",
        }
    }
}

/// How bad a piece of feedback is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FeedbackSeverity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl FeedbackSeverity {
    /// The name as written: `low` … `critical`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FeedbackSeverity::Low => "low",
            FeedbackSeverity::Medium => "medium",
            FeedbackSeverity::High => "high",
            FeedbackSeverity::Critical => "critical",
        }
    }
}

/// Support or customer-success feedback about a release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Feedback {
    /// Who raised it.
    pub source: FeedbackSource,
    /// The ticket.
    pub ticket: String,
    /// When.
    #[serde(
        serialize_with = "serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// How bad.
    pub severity: FeedbackSeverity,
    /// Whether testing should have caught it.
    #[serde(default)]
    pub missed_by_testing: bool,
}

/// The digests of the decisions taken about a release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct DecisionRefs {
    /// The `check` decision's digest (`sha256:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The `assess` assessments' digests.
    #[serde(default)]
    pub assess: Vec<String>,
}

/// One problem of a record: the JSON path of the field and the message.
pub(crate) type Problem = (String, String);

impl ReleaseRecord {
    /// Whether the deployment needed remediation — a rollback, a hotfix or
    /// an incident: a failed deployment in DORA's change failure rate.
    pub fn failed(&self) -> bool {
        matches!(
            self.outcome,
            RecordOutcome::RolledBack | RecordOutcome::Hotfixed
        ) || !self.incidents.is_empty()
    }

    /// Deployment duration (finished − started).
    pub fn deployment_duration(&self) -> chrono::Duration {
        self.deployment.finished_at - self.deployment.started_at
    }

    /// The latest instant the record names (a restore, a rollback's end,
    /// feedback, the deployment's end): the moment a review of this
    /// release alone is taken at when no other is given.
    pub fn last_event(&self) -> Timestamp {
        let d = self.deployment.finished_at;
        let rollback = self.rollback.as_ref().map(|r| r.finished_at);
        let incidents = self
            .incidents
            .iter()
            .flat_map(|i| [Some(i.started_at), i.detected_at, i.restored_at]);
        let feedback = self.feedback.iter().map(|f| Some(f.at));
        std::iter::once(rollback)
            .chain(incidents)
            .chain(feedback)
            .flatten()
            .fold(d, Timestamp::max)
    }

    /// Lead time for changes: first commit → deployment finished.
    pub fn lead_time(&self) -> Option<chrono::Duration> {
        self.commits
            .as_ref()
            .map(|c| self.deployment.finished_at - c.first_at)
    }

    /// Earliest incident start → latest restore, when every incident is
    /// restored.
    pub fn recovery(&self) -> Option<chrono::Duration> {
        if self.incidents.iter().any(|i| i.restored_at.is_none()) {
            return None;
        }
        let first = self.incidents.iter().map(|i| i.started_at).min()?;
        let last = self.incidents.iter().filter_map(|i| i.restored_at).max()?;
        Some(last - first)
    }

    /// The record as review policies read it, as JSON: the reference the
    /// roots built straight from the record are checked against
    /// (`review::criteria::roots::agree`). Its fields, with
    /// `deployment.duration`, `rollback.duration`, `leadTime`, `failed`,
    /// `recovery`, `usersAffected` and `impactMinutes` added — only the
    /// roots `wanted` says the policies read (the others stay absent, and
    /// so `null`).
    pub(crate) fn roots_json(&self, wanted: &dyn Fn(&str) -> bool) -> serde_json::Value {
        use serde_json::Value as Json;
        let d = |c: chrono::Duration| {
            Json::String(super::Duration::from_millis(c.num_milliseconds()).to_string())
        };
        let value = |v: Result<Json, serde_json::Error>| v.unwrap_or_default();
        let mut o = serde_json::Map::new();
        let mut put = |key: &str, v: &dyn Fn() -> Json| {
            if wanted(key) {
                o.insert(key.to_string(), v());
            }
        };
        put("apiVersion", &|| Json::String(self.api_version.clone()));
        put("kind", &|| Json::String(self.kind.clone()));
        put("release", &|| value(serde_json::to_value(&self.release)));
        put("commits", &|| value(serde_json::to_value(&self.commits)));
        put("deployment", &|| {
            let mut j = value(serde_json::to_value(&self.deployment));
            if let Some(m) = j.as_object_mut() {
                m.insert("duration".into(), d(self.deployment_duration()));
            }
            j
        });
        put("outcome", &|| {
            Json::String(self.outcome.as_str().to_string())
        });
        put("rollback", &|| match &self.rollback {
            None => Json::Null,
            Some(span) => {
                let mut j = value(serde_json::to_value(span));
                if let Some(m) = j.as_object_mut() {
                    m.insert("duration".into(), d(span.finished_at - span.started_at));
                }
                j
            }
        });
        put("incidents", &|| {
            value(serde_json::to_value(&self.incidents))
        });
        put("postmortem", &|| {
            value(serde_json::to_value(&self.postmortem))
        });
        put("feedback", &|| value(serde_json::to_value(&self.feedback)));
        put("decisions", &|| {
            value(serde_json::to_value(&self.decisions))
        });
        let sum = |f: fn(&RecordIncident) -> Option<u64>| {
            self.incidents
                .iter()
                .filter_map(f)
                .fold(0u64, u64::saturating_add)
        };
        put("leadTime", &|| self.lead_time().map_or(Json::Null, d));
        put("failed", &|| self.failed().into());
        put("recovery", &|| self.recovery().map_or(Json::Null, d));
        put("usersAffected", &|| sum(|i| i.users_affected).into());
        put("impactMinutes", &|| sum(|i| i.impact_minutes).into());
        Json::Object(o)
    }

    /// The checks between fields, each with the JSON path of the field at
    /// fault: times in order, an outcome with the parts it needs, names
    /// that are not blank. Empty when the record is consistent.
    pub(crate) fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut p = |path: &str, msg: String| out.push((path.to_string(), msg));
        let r = &self.release;
        for (field, value) in [
            ("id", &r.id),
            ("service", &r.service),
            ("environment", &r.environment),
            ("team", &r.team),
        ] {
            if value.trim().is_empty() || value.chars().any(char::is_control) {
                p(
                    &format!("release.{field}"),
                    format!("`release.{field}` is blank or holds control characters"),
                );
            }
        }
        // Services and environments are named as the catalog names them,
        // so that a look-alike (`checkоut` with a Cyrillic `о`) or a stray
        // capital never splits a service's history in two.
        for (field, value) in [("service", &r.service), ("environment", &r.environment)] {
            if !value.trim().is_empty() && !super::identity::valid_name(value) {
                p(
                    &format!("release.{field}"),
                    format!(
                        "`release.{field}` `{value}` is not a name: lowercase ASCII letters, digits, `-`, `.` and `_`"
                    ),
                );
            }
        }
        let d = &self.deployment;
        if d.finished_at < d.started_at {
            p(
                "deployment.finishedAt",
                format!(
                    "the deployment finished (`{}`) before it started (`{}`)",
                    super::rfc3339(d.finished_at),
                    super::rfc3339(d.started_at)
                ),
            );
        }
        if let Some(c) = &self.commits {
            if d.finished_at < c.first_at {
                p(
                    "commits.firstAt",
                    format!(
                        "the first commit (`{}`) is after the deployment finished (`{}`)",
                        super::rfc3339(c.first_at),
                        super::rfc3339(d.finished_at)
                    ),
                );
            }
        }
        match (&self.rollback, self.outcome) {
            (None, RecordOutcome::RolledBack) => p(
                "rollback",
                "the outcome `rolled-back` needs `rollback: {startedAt, finishedAt}`".to_string(),
            ),
            (Some(_), o) if o != RecordOutcome::RolledBack => p(
                "rollback",
                format!("a rollback is recorded but the outcome is `{}`", o.as_str()),
            ),
            (Some(rb), _) => {
                if rb.finished_at < rb.started_at {
                    p(
                        "rollback.finishedAt",
                        format!(
                            "the rollback finished (`{}`) before it started (`{}`)",
                            super::rfc3339(rb.finished_at),
                            super::rfc3339(rb.started_at)
                        ),
                    );
                }
                if rb.started_at < d.started_at {
                    p(
                        "rollback.startedAt",
                        format!(
                            "the rollback started (`{}`) before the deployment (`{}`)",
                            super::rfc3339(rb.started_at),
                            super::rfc3339(d.started_at)
                        ),
                    );
                }
            }
            _ => {}
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, inc) in self.incidents.iter().enumerate() {
            if inc.id.trim().is_empty() {
                p(
                    &format!("incidents[{i}].id"),
                    "an incident id is blank".to_string(),
                );
            } else if !ids.insert(inc.id.as_str()) {
                p(
                    &format!("incidents[{i}].id"),
                    format!("incident `{}` is listed twice", inc.id),
                );
            }
            if let Some(det) = inc.detected_at {
                if det < inc.started_at {
                    p(
                        &format!("incidents[{i}].detectedAt"),
                        format!(
                            "incident `{}` was detected (`{}`) before it started (`{}`)",
                            inc.id,
                            super::rfc3339(det),
                            super::rfc3339(inc.started_at)
                        ),
                    );
                }
            }
            if let Some(res) = inc.restored_at {
                if res < inc.started_at {
                    p(
                        &format!("incidents[{i}].restoredAt"),
                        format!(
                            "incident `{}` was restored (`{}`) before it started (`{}`)",
                            inc.id,
                            super::rfc3339(res),
                            super::rfc3339(inc.started_at)
                        ),
                    );
                }
            }
            if inc.started_at < d.started_at {
                p(
                    &format!("incidents[{i}].startedAt"),
                    format!(
                        "incident `{}` started (`{}`) before the deployment that caused it (`{}`)",
                        inc.id,
                        super::rfc3339(inc.started_at),
                        super::rfc3339(d.started_at)
                    ),
                );
            }
        }
        for (i, f) in self.feedback.iter().enumerate() {
            if f.ticket.trim().is_empty() {
                p(
                    &format!("feedback[{i}].ticket"),
                    "a feedback ticket is blank".to_string(),
                );
            }
        }
        out
    }
}
