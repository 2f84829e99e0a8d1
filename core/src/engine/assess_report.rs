//! How an assessment explains itself: numbers and times for messages, the
//! deployment markers and the one-line reason.

use serde_json::Value as Json;

use super::assessment::{AssessFinding, AssessRuleKind, Marker, RolloutVerdict};
use super::decision::Outcome;
use crate::model::{RolloutFacts, Timestamp};
use crate::policy::document::Action;

pub(super) fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

pub(super) fn lookup(json: &Json, path: &[String]) -> Option<Json> {
    let mut cur = json;
    for seg in path {
        cur = cur.get(seg)?;
    }
    Some(cur.clone())
}

pub(super) fn num(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

pub(super) use crate::analysis::number as fmt_num;

pub(super) fn markers(facts: &RolloutFacts, verdict: RolloutVerdict) -> Vec<Marker> {
    let r = &facts.rollout;
    let marker = |kind: &str, at: Timestamp, step: Option<u32>, text: String| Marker {
        kind: kind.into(),
        at,
        rollout: r.id.clone(),
        service: r.service.clone(),
        version: r.version.as_ref().map(ToString::to_string),
        step,
        text,
    };
    let version = r
        .version
        .as_ref()
        .map_or(String::new(), |v| format!(" {v}"));
    let mut out = Vec::new();
    if let Some(at) = r.started_at {
        out.push(marker(
            "rollout-started",
            at,
            None,
            format!("{}{version} rollout started", r.service),
        ));
    }
    if let Some(at) = r.step_started_at {
        let weight = r
            .weight
            .map_or(String::new(), |w| format!(" at {}%", fmt_num(w)));
        let step = r.current_step.map_or(String::new(), |s| format!(" {s}"));
        out.push(marker(
            "step-started",
            at,
            r.current_step,
            format!("{}{version} step{step} started{weight}", r.service),
        ));
    }
    let end = match verdict {
        RolloutVerdict::Promote => Some(("promoted", "promoted")),
        RolloutVerdict::Hold => Some(("held", "held")),
        RolloutVerdict::Rollback => Some(("rolled-back", "rolled back")),
        RolloutVerdict::Continue => None,
    };
    if let Some((kind, words)) = end {
        out.push(marker(
            kind,
            facts.now,
            r.current_step,
            format!("{}{version} {words}", r.service),
        ));
    }
    out
}

/// One line saying why.
pub(super) fn reason(verdict: RolloutVerdict, findings: &[AssessFinding]) -> String {
    let first = |pred: &dyn Fn(&AssessFinding) -> bool| findings.iter().find(|f| pred(f));
    match verdict {
        RolloutVerdict::Rollback => first(&|f| f.action == Some(Action::Rollback))
            .map_or_else(String::new, |f| format!("`{}`: {}", f.rule, f.message)),
        RolloutVerdict::Hold => first(&|f| f.action == Some(Action::Hold))
            .map_or_else(String::new, |f| format!("`{}`: {}", f.rule, f.message)),
        RolloutVerdict::Promote => {
            let met = |k: AssessRuleKind| {
                findings
                    .iter()
                    .filter(|f| f.kind == k && f.outcome == Outcome::Pass)
                    .count()
            };
            match (
                met(AssessRuleKind::Promotion),
                met(AssessRuleKind::Analysis),
            ) {
                (0, a) => format!("{a} canary analyses passed"),
                (p, 0) => format!("all {p} promotion criteria held for their windows"),
                (p, a) => format!(
                    "all {p} promotion criteria held for their windows and {a} canary {} passed",
                    if a == 1 { "analysis" } else { "analyses" }
                ),
            }
        }
        RolloutVerdict::Continue => first(&|f| {
            f.outcome == Outcome::Warn
                || (matches!(f.kind, AssessRuleKind::Promotion | AssessRuleKind::Analysis)
                    && f.outcome != Outcome::Pass
                    && f.outcome != Outcome::Skipped)
        })
        .map_or_else(
            || {
                "no promotion criterion or analysis applies, so nothing proves the canary healthy"
                    .into()
            },
            |f| {
                format!(
                    "`{}`: {}",
                    f.rule,
                    f.flip.clone().unwrap_or_else(|| f.message.clone())
                )
            },
        ),
    }
}
