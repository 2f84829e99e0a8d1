//! A decision (`check`) and an assessment (`assess`) as CI items: one per
//! rule, grouped by policy, located at the facts file (and at the line of
//! the first facts path the rule read, when it can be found), with rule
//! metadata from `Bundle::explain` (what `release-policy explain RULE`
//! prints).

use release_policy::{
    Action, AssessFinding, Assessment, Bundle, Decision, Effect, Finding, Outcome, RolloutVerdict,
    Verdict,
};

use super::{Item, Location, Report, RuleMeta, Severity, Status, locate, short_json};

/// Where the facts came from: the path as given, or none for stdin.
pub(crate) struct Facts {
    pub file: Option<String>,
    text: Option<String>,
}

impl Facts {
    pub(crate) fn new(path: Option<&std::path::PathBuf>) -> Facts {
        let file = path
            .filter(|p| p.as_os_str() != "-")
            .map(|p| p.display().to_string());
        let text = file.as_deref().and_then(locate::read);
        Facts { file, text }
    }

    /// The facts file's lines (split once per report).
    fn lines(&self) -> Vec<&str> {
        self.text
            .as_deref()
            .map_or(Vec::new(), |t| t.lines().collect())
    }

    /// The facts file, at the line of the first path found in `lines`.
    fn locate(&self, lines: &[&str], paths: &[String]) -> Location {
        let found = paths.iter().find_map(|p| locate::path_line(lines, p));
        Location {
            file: self.file.clone(),
            line: found.map(|f| f.0),
            column: found.map(|f| f.1),
        }
    }
}

/// The paths of the facts a rule read: its values' keys, less the
/// policy's own `variables`.
fn facts_paths<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<String> {
    keys.filter(|k| !k.starts_with("variables.") && *k != "variables")
        .map(str::to_string)
        .collect()
}

/// The metadata of every rule in `ids`, in order, from `Bundle::explain`.
fn rules<'a>(bundle: &Bundle, ids: impl Iterator<Item = (&'a str, &'a [String])>) -> Vec<RuleMeta> {
    let mut out: Vec<RuleMeta> = Vec::new();
    for (id, controls) in ids {
        if out.iter().any(|r| r.id == id) {
            continue;
        }
        let explained = bundle.explain(id);
        let (short, full, help, policy) = match &explained {
            Some(e) => {
                // The rule's own description (or message), then its policy's.
                let def = e.definition();
                let own = ["description", "message"]
                    .iter()
                    .find_map(|k| def.get(k).and_then(|v| v.as_str()))
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{} `{id}`", e.kind()));
                let full = match e.description() {
                    Some(p) if !p.trim().is_empty() => {
                        format!("{own}. Policy `{}`: {}", e.policy(), p.trim())
                    }
                    _ => format!("{own}. Policy `{}`.", e.policy()),
                };
                let help = serde_json::to_string_pretty(e).unwrap_or_default();
                (own, full, help, Some(e.policy().to_string()))
            }
            None => (id.to_string(), id.to_string(), String::new(), None),
        };
        out.push(RuleMeta {
            id: id.to_string(),
            short,
            full,
            help,
            tags: controls.to_vec(),
            policy,
        });
    }
    out
}

/// The severity of a check rule's effect.
fn effect_severity(e: Effect) -> Severity {
    match e {
        Effect::Block => Severity::Block,
        Effect::Pending | Effect::Approval => Severity::Hold,
        Effect::Warn => Severity::Warn,
    }
}

fn check_item(d: &Decision, f: &Finding, facts: &Facts, lines: &[&str]) -> Item {
    let status = match f.outcome() {
        Outcome::Pass | Outcome::Waived => Status::Pass,
        Outcome::Fail | Outcome::Warn => Status::Fail,
        Outcome::Error => Status::Error,
        Outcome::Skipped | Outcome::NoData => Status::Skipped,
    };
    let mut message = f.message().to_string();
    if !f.waivable_by().is_empty() && matches!(status, Status::Fail | Status::Error) {
        message.push_str(&format!(" (waivable by {})", f.waivable_by().join(", ")));
    }
    if let Some(m) = d.missing_approvals().iter().find(|m| m.rule() == f.rule()) {
        message.push_str(&format!(
            " — needs {} more approval(s) from {}",
            m.needed(),
            m.roles().join(" | ")
        ));
    }
    if let Some(l) = f.lifted() {
        message.push_str(&format!(" (waived by {} as {})", l.by(), l.role()));
    }
    let paths = facts_paths(f.values().keys());
    Item {
        group: f.policy().to_string(),
        id: f.rule().to_string(),
        status,
        severity: effect_severity(f.effect()),
        kind: f.effect().as_str().to_string(),
        message,
        details: f
            .values()
            .iter()
            .map(|(k, v)| format!("{k} = {}", short_json(v, 240)))
            .collect(),
        location: facts.locate(lines, &paths),
        paths,
    }
}

fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `check`'s decision.
pub(crate) fn check(d: &Decision, bundle: &Bundle, facts: &Facts) -> Report {
    let s = d.summary();
    let exit = match d.verdict() {
        Verdict::Go => 0,
        Verdict::NoGo => 1,
        Verdict::Pending => 3,
    };
    Report {
        command: "check",
        verdict: d.verdict().as_str().to_string(),
        summary: format!(
            "release-policy check: {} {} — {} passed, {} failed, {} errors, {} warnings, {} waived, {} skipped",
            d.verdict().as_str().to_ascii_uppercase(),
            d.release(),
            s.pass(),
            s.fail(),
            s.error(),
            s.warn(),
            s.waived(),
            s.skipped()
        ),
        timestamp: Some(timestamp(d.now())),
        items: {
            let lines = facts.lines();
            d.findings()
                .iter()
                .map(|f| check_item(d, f, facts, &lines))
                .collect()
        },
        rules: rules(
            bundle,
            d.findings().iter().map(|f| (f.rule(), f.controls())),
        ),
        exit,
    }
}

/// The severity of a rollout rule: its action, or information for a dry
/// run (which never acts).
fn action_severity(f: &AssessFinding) -> Severity {
    if f.dry_run() {
        return Severity::Info;
    }
    match f.action() {
        Some(Action::Rollback) => Severity::Block,
        Some(Action::Hold) => Severity::Hold,
        Some(Action::Alert) => Severity::Warn,
        // A promotion criterion not met yet: the rollout continues.
        None => Severity::Info,
    }
}

fn assess_item(f: &AssessFinding, facts: &Facts, lines: &[&str]) -> Item {
    let status = match f.outcome() {
        Outcome::Pass | Outcome::Waived => Status::Pass,
        Outcome::Fail | Outcome::Warn => Status::Fail,
        Outcome::Error => Status::Error,
        Outcome::NoData => Status::Waiting,
        Outcome::Skipped => Status::Skipped,
    };
    let mut details: Vec<String> = f
        .threshold()
        .map(|t| format!("limit: {t}"))
        .into_iter()
        .collect();
    details.extend(
        f.observed()
            .iter()
            .map(|(k, v)| format!("{k} = {}", short_json(v, 240))),
    );
    details.extend(f.flip().map(|x| format!("would flip: {x}")));
    let mut message = f.message().to_string();
    if f.dry_run() {
        message.push_str(" (dry run: never acts)");
    }
    let kind = f
        .action()
        .map_or(f.outcome().as_str(), |a| a.as_str())
        .to_string();
    let paths: Vec<String> = f
        .subject()
        .map(|s| format!("metrics.{s}"))
        .into_iter()
        .chain(
            f.observed()
                .keys()
                .filter(|k| k.starts_with("rollout."))
                .cloned(),
        )
        .collect();
    Item {
        group: f.policy().to_string(),
        id: f.rule().to_string(),
        status,
        severity: action_severity(f),
        kind,
        message,
        details,
        location: facts.locate(lines, &paths),
        paths,
    }
}

/// `assess`'s assessment.
pub(crate) fn assess(a: &Assessment, bundle: &Bundle, facts: &Facts) -> Report {
    let s = a.summary();
    let exit = match a.verdict() {
        RolloutVerdict::Promote | RolloutVerdict::Continue => 0,
        RolloutVerdict::Rollback => 1,
        RolloutVerdict::Hold => 3,
    };
    Report {
        command: "assess",
        verdict: a.verdict().as_str().to_string(),
        summary: format!(
            "release-policy assess: {} {} — {} passed, {} failed, {} breaching, {} no data, {} errors, {} skipped",
            a.verdict().as_str().to_ascii_uppercase(),
            a.rollout().id(),
            s.pass(),
            s.fail(),
            s.warn(),
            s.no_data(),
            s.error(),
            s.skipped()
        ),
        timestamp: Some(timestamp(a.now())),
        items: {
            let lines = facts.lines();
            a.findings()
                .iter()
                .map(|f| assess_item(f, facts, &lines))
                .collect()
        },
        rules: rules(
            bundle,
            a.findings().iter().map(|f| (f.rule(), f.controls())),
        ),
        exit,
    }
}
