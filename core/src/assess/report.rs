//! How an assessment explains itself: numbers and times for messages, the
//! deployment markers and the one-line reason.

use super::assessment::{AssessFinding, AssessRuleKind, Marker};
use crate::model::{RolloutFacts, Timestamp};
use crate::vocab::{Action, Outcome, RolloutVerdict};

use crate::stats::fmt_number;

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
            .map_or(String::new(), |w| format!(" at {}%", fmt_number(w)));
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
            let plural = |n: usize, one: &str, many: &str| {
                format!("{n} {}", if n == 1 { one } else { many })
            };
            let base = match (
                met(AssessRuleKind::Promotion),
                met(AssessRuleKind::Analysis),
            ) {
                (0, 0) => None,
                (0, a) => Some(format!("{a} canary analyses passed")),
                (p, 0) => Some(format!("all {p} promotion criteria held for their windows")),
                (p, a) => Some(format!(
                    "all {p} promotion criteria held for their windows and {a} canary {} passed",
                    if a == 1 { "analysis" } else { "analyses" }
                )),
            };
            let gates = met(AssessRuleKind::QualityGate);
            let completed = findings
                .iter()
                .filter(|f| f.kind == AssessRuleKind::Trigger && super::verdict::gating(f))
                .count();
            let mut parts: Vec<String> = base.into_iter().collect();
            if gates > 0 {
                parts.push(format!(
                    "{} passed",
                    plural(gates, "quality gate", "quality gates")
                ));
            }
            if completed > 0 {
                parts.push(format!(
                    "{} completed successfully",
                    plural(completed, "trigger analysis", "trigger analyses")
                ));
            }
            parts.join("; ")
        }
        RolloutVerdict::Continue => first(&|f| {
            (f.outcome == Outcome::Warn && !f.dry_run)
                || (super::verdict::gating(f) && !super::verdict::met(f))
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
