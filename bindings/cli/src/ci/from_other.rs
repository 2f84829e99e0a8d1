//! A plan, a review, a policy test report and a lint result as CI items.
//!
//! - `plan`: one item per violation, conflict and cycle (a check that
//!   failed), and one passing item per release no check names.
//! - `review`: one item per success criterion (failing when a release did
//!   not meet it), one per service's instability rules (failing when it is
//!   chronically unstable) and one per post-mortem gap; `review
//!   --release`: the release's outcome and its post-mortem.
//! - `test`: one item per policy test case, and one per coverage gap.
//! - `lint`: one failing item per warning, in its file's group, and one
//!   passing item per policy file without a warning.

use release_policy::plan::{Plan, PlanVerdict};
use release_policy::review::{ReleaseOutcome, Review, ReviewVerdict};
use release_policy::testing::TestReport;
use release_policy::{Bundle, ErrorCode, PolicyError};

use super::{Item, Location, Report, RuleMeta, Severity, Status, locate};

fn item(group: &str, id: &str, status: Status, severity: Severity, kind: &str) -> Item {
    Item {
        group: group.to_string(),
        id: id.to_string(),
        status,
        severity,
        kind: kind.to_string(),
        message: String::new(),
        details: Vec::new(),
        paths: Vec::new(),
        location: Location::default(),
    }
}

/// A missing or overdue post-mortem, as a failed item.
fn postmortem(
    group: &str,
    id: &str,
    severity: Severity,
    p: &release_policy::review::PostmortemGap,
    location: Location,
) -> Item {
    let mut i = item(group, id, Status::Fail, severity, p.problem);
    i.message = format!(
        "the post-mortem of `{}` is {} ({})",
        p.release, p.problem, p.why
    );
    i.location = location;
    i
}

/// A rule of its own kind (a plan check, a review criterion).
fn meta(id: &str, short: &str) -> RuleMeta {
    RuleMeta {
        id: id.to_string(),
        short: short.to_string(),
        full: short.to_string(),
        ..RuleMeta::default()
    }
}

/// `plan`'s result; items point at the release plan file.
pub(crate) fn plan(p: &Plan, file: &str) -> Report {
    let at = || Location::file(Some(file.to_string()));
    let mut items = Vec::new();
    let mut rules = Vec::new();
    let mut named: Vec<&str> = Vec::new();
    for v in &p.violations {
        let id = format!("violation/{}", v.kind.as_str());
        let mut i = item(
            &v.release,
            &id,
            Status::Fail,
            Severity::Block,
            v.kind.as_str(),
        );
        i.message = v.message.clone();
        i.details = [
            ("provider", Some(&v.provider)),
            ("consumer", v.consumer.as_ref()),
            ("api", v.api.as_ref()),
            ("change", v.change.as_ref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}")))
        .collect();
        i.location = at();
        named.push(&v.release);
        rules.push(meta(&id, "an API contract the release plan breaks"));
        items.push(i);
    }
    for c in &p.conflicts {
        let id = format!("conflict/{}", c.kind.as_str());
        let severity = if c.blocking {
            Severity::Block
        } else {
            Severity::Hold
        };
        let group = c.releases.join(" + ");
        let mut i = item(&group, &id, Status::Fail, severity, c.kind.as_str());
        i.message = c.message.clone();
        i.location = at();
        named.extend(c.releases.iter().map(String::as_str));
        rules.push(meta(&id, "a scheduling conflict in the release plan"));
        items.push(i);
    }
    for c in &p.cycles {
        let mut i = item(
            &c.environment,
            "cycle",
            Status::Fail,
            Severity::Block,
            "cycle",
        );
        i.message = c.message.clone();
        i.details = vec![format!("path = {}", c.path.join(" → "))];
        i.location = at();
        rules.push(meta("cycle", "hard dependencies that form a cycle"));
        items.push(i);
    }
    for r in &p.releases {
        if named.contains(&r.id.as_str()) {
            continue;
        }
        let mut i = item(&r.id, "planned", Status::Pass, Severity::Info, "release");
        i.message = format!("wave {}", r.wave);
        i.location = at();
        items.push(i);
    }
    rules.push(meta("planned", "a release of the plan that no check names"));
    Report {
        command: "plan",
        verdict: p.verdict.as_str().to_string(),
        summary: format!("release-policy plan: {} — {}", p.name, p.summary),
        timestamp: None,
        items,
        rules: dedup(rules),
        exit: match p.verdict {
            PlanVerdict::Ok => 0,
            PlanVerdict::Blocked => 1,
            PlanVerdict::NeedsDecision => 3,
        },
    }
}

fn dedup(rules: Vec<RuleMeta>) -> Vec<RuleMeta> {
    let mut out: Vec<RuleMeta> = Vec::new();
    for r in rules {
        if out.iter().all(|o| o.id != r.id) {
            out.push(r);
        }
    }
    out
}

/// `review`'s period report; items point at the records.
pub(crate) fn review(r: &Review, records: &str) -> Report {
    let at = || Location::file(Some(records.to_string()));
    let mut items = Vec::new();
    let mut rules = Vec::new();
    for c in &r.criteria {
        let status = if c.failed > 0 {
            Status::Fail
        } else if c.errors > 0 {
            Status::Error
        } else if c.passed == 0 {
            Status::Skipped
        } else {
            Status::Pass
        };
        let severity = if c.required {
            Severity::Block
        } else {
            Severity::Warn
        };
        let mut i = item(
            &c.policy,
            &c.criterion,
            status,
            severity,
            if c.required { "required" } else { "optional" },
        );
        i.message = format!(
            "{} of {} releases did not meet `{}`",
            c.failed + c.errors,
            c.passed + c.failed + c.errors,
            c.criterion
        );
        i.details = r
            .unmet
            .iter()
            .filter(|u| u.criterion == c.criterion && u.policy == c.policy)
            .map(|u| format!("{} ({}): {}", u.release, u.outcome.as_str(), u.message))
            .collect();
        i.location = at();
        let short = c.description.clone().unwrap_or_else(|| c.criterion.clone());
        let mut m = meta(&c.criterion, &short);
        m.policy = Some(c.policy.clone());
        rules.push(m);
        items.push(i);
    }
    for s in &r.stability {
        let status = if s.chronic {
            Status::Fail
        } else {
            Status::Pass
        };
        let mut i = item(
            "stability",
            &s.service,
            status,
            Severity::Block,
            "instability",
        );
        i.message = if s.chronic {
            format!(
                "`{}` is chronically unstable: {}",
                s.service,
                s.reasons.join("; ")
            )
        } else {
            format!(
                "`{}`: {} rollback(s) in {} deployment(s)",
                s.service, s.rollbacks, s.deployments
            )
        };
        i.details = s
            .rules
            .iter()
            .map(|x| format!("instability rule: {x}"))
            .collect();
        i.location = at();
        items.push(i);
    }
    if !r.stability.is_empty() {
        rules.push(meta(
            "instability",
            "a service's instability rules (chronic instability)",
        ));
        for i in items.iter_mut().filter(|i| i.group == "stability") {
            i.id = format!("instability/{}", i.id);
        }
    }
    for p in &r.postmortems {
        let id = format!("postmortem/{}", p.release);
        items.push(postmortem(&p.service, &id, Severity::Block, p, at()));
    }
    // SARIF rule ids: the criterion, `instability/SERVICE`, `postmortem/RELEASE`.
    for i in &items {
        if rules.iter().all(|m| m.id != i.id) {
            rules.push(meta(&i.id, &i.kind));
        }
    }
    Report {
        command: "review",
        verdict: r.verdict.as_str().to_string(),
        summary: format!(
            "release-policy review: {}{}",
            r.verdict.as_str().to_ascii_uppercase(),
            if r.reasons.is_empty() {
                String::new()
            } else {
                format!(" — {}", r.reasons.join("; "))
            }
        ),
        timestamp: None,
        items,
        rules,
        exit: u8::from(matches!(r.verdict, ReviewVerdict::Fail)),
    }
}

/// `review --release`: the release's outcome and its post-mortem (the
/// command exits 0 whatever they are, so they only warn).
pub(crate) fn release(o: &ReleaseOutcome, records: &str) -> Report {
    let at = || Location::file(Some(records.to_string()));
    let mut out = item(
        &o.release,
        "outcome",
        if o.failed { Status::Fail } else { Status::Pass },
        Severity::Warn,
        o.outcome,
    );
    out.message = format!("`{}` {} ({})", o.release, o.outcome, o.service);
    out.details = o
        .missed_by_testing
        .iter()
        .map(|m| format!("missed by testing: {} ({})", m.ticket, m.severity))
        .collect();
    out.location = at();
    let mut items = vec![out];
    if let Some(p) = &o.postmortem {
        items.push(postmortem(
            &o.release,
            "postmortem",
            Severity::Warn,
            p,
            at(),
        ));
    }
    Report {
        command: "review",
        verdict: o.outcome.to_string(),
        summary: format!("release-policy review: {} {}", o.release, o.outcome),
        timestamp: None,
        rules: vec![
            meta("outcome", "the release's outcome"),
            meta("postmortem", "the release's post-mortem"),
        ],
        items,
        exit: 0,
    }
}

/// `test`'s report; `require_coverage` makes a gap a failure.
pub(crate) fn test(r: &TestReport, require_coverage: bool, exit: u8) -> Report {
    let mut items = Vec::new();
    for c in &r.cases {
        let mut i = item(
            &c.file,
            &c.name,
            if c.passed { Status::Pass } else { Status::Fail },
            Severity::Block,
            "test",
        );
        i.message = c
            .failures
            .first()
            .cloned()
            .unwrap_or_else(|| "passed".into());
        i.details = c.failures.iter().skip(1).cloned().collect();
        let line = locate::read(&c.file).and_then(|t| locate::needle_line(&t, &c.name));
        i.location = Location {
            file: Some(c.file.clone()),
            line,
            column: None,
        };
        items.push(i);
    }
    for g in &r.gaps {
        let (status, severity) = if require_coverage {
            (Status::Fail, Severity::Block)
        } else {
            (Status::Waiting, Severity::Info)
        };
        let mut i = item("coverage", &g.rule, status, severity, "coverage");
        i.message = format!("rule `{}` has no {}", g.rule, g.missing.join(", no "));
        items.push(i);
    }
    let mut rules: Vec<RuleMeta> = Vec::new();
    for i in &items {
        if rules.iter().all(|m| m.id != i.id) {
            rules.push(meta(
                &i.id,
                if i.group == "coverage" {
                    "a rule without a passing or a failing case"
                } else {
                    "a policy test case"
                },
            ));
        }
    }
    Report {
        command: "test",
        verdict: if exit == 0 { "pass" } else { "fail" }.into(),
        summary: format!(
            "release-policy test: {} passed, {} failed, {} coverage gap(s)",
            r.passed(),
            r.failed(),
            r.gaps.len()
        ),
        timestamp: None,
        items,
        rules,
        exit,
    }
}

/// `lint`'s result: one item per policy file, failing with the warnings
/// located in it (each at its `file:line:column` in SARIF and GitHub).
/// With `deny`, warnings fail the command and are errors.
pub(crate) fn lint(bundle: &Bundle, deny: bool) -> Report {
    let severity = if deny {
        Severity::Block
    } else {
        Severity::Warn
    };
    let warnings = bundle.warnings();
    let mut items = Vec::new();
    let mut codes: Vec<ErrorCode> = Vec::new();
    let mut files: Vec<&str> = bundle.sources().iter().map(|(_, f)| f.as_str()).collect();
    // Warnings located in a file outside the sources (the built-in pack's
    // names) still get their test case.
    for w in warnings {
        if !files.contains(&w.location.file.as_str()) {
            files.push(&w.location.file);
        }
    }
    for file in files {
        let mine: Vec<&PolicyError> = warnings
            .iter()
            .filter(|w| w.location.file == file)
            .collect();
        if mine.is_empty() {
            let mut i = item(file, "lint", Status::Pass, severity, "lint");
            i.message = "no warnings".into();
            i.location = Location::file(Some(file.to_string()));
            items.push(i);
        }
        // One item per warning (a JUnit test case each, in the file's
        // class): SARIF and GitHub need each one's place.
        for w in mine {
            codes.push(w.code());
            let mut i = item(file, w.code().as_str(), Status::Fail, severity, "warning");
            i.message = match &w.rule {
                Some(r) => format!("rule `{r}`: {}", w.message),
                None => w.message.clone(),
            };
            i.details = w.hint().map(|h| format!("hint: {h}")).into_iter().collect();
            i.location = Location::source(&w.location);
            items.push(i);
        }
    }
    let mut report = Report {
        command: "lint",
        verdict: if warnings.is_empty() {
            "ok"
        } else {
            "warnings"
        }
        .into(),
        summary: format!(
            "release-policy lint: {} policies, {} rules, {} warning(s), bundle {}",
            bundle.policies().len(),
            bundle.rules().len(),
            warnings.len(),
            bundle.digest()
        ),
        timestamp: None,
        items,
        rules: vec![meta("lint", "a policy file, loaded and statically checked")],
        exit: u8::from(deny && !warnings.is_empty()),
    };
    report.ensure_code_rules(&codes);
    report
}
