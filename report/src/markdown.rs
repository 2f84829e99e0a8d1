//! The portfolio as a Markdown page (a wiki's): the same sections as the
//! HTML page, as tables; the charts as tables of their numbers. Every
//! string from a record is escaped ([`md`]) and kept out of code spans
//! (where an escape would show as a backslash); record links are anchors
//! the page defines (`<a id="record-N">`).

use std::fmt::Write as _;

use crate::model::{EXPIRY_WINDOW_DAYS, Portfolio, Reason};
use crate::text::{day, days_left, md, number, percent, span, time};
use crate::trends;

fn link(seq: u64) -> String {
    format!("[#{seq}](#record-{seq})")
}

fn reasons(blocking: &[Reason], waiting: &[Reason]) -> String {
    let mut parts: Vec<String> = blocking
        .iter()
        .map(|r| format!("**blocks** {} — {}", md(&r.rule), md(&r.message)))
        .collect();
    parts.extend(
        waiting
            .iter()
            .map(|r| format!("waits for {} — {}", md(&r.rule), md(&r.message))),
    );
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join("<br>")
    }
}

fn opt(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_string(), f)
}

fn status(out: &mut String, p: &Portfolio) {
    out.push_str(
        "## Release status\n\nThe latest `check` decision of each service and environment.\n\n",
    );
    if p.statuses.is_empty() {
        out.push_str("No `check` decision in the records.\n\n");
    } else {
        out.push_str("| Service | Environment | Release | Verdict | Decided | What blocks | Record |\n|---|---|---|---|---|---|---|\n");
        for s in &p.statuses {
            let _ = writeln!(
                out,
                "| **{}** | {} | {} | **{}** | {} ({} decision{}) | {} | {} |",
                md(&s.service),
                md(&s.environment),
                md(&s.release),
                s.verdict.as_str(),
                time(s.now),
                s.decisions,
                if s.decisions == 1 { "" } else { "s" },
                reasons(&s.blocking, &s.waiting),
                link(s.seq),
            );
        }
        out.push('\n');
    }
    if !p.rollouts.is_empty() {
        out.push_str("### Rollouts\n\n| Service | Environment | Rollout | Verdict | Assessed | Why | Record |\n|---|---|---|---|---|---|---|\n");
        for r in &p.rollouts {
            let why = if r.acting.is_empty() {
                md(&r.summary).to_string()
            } else {
                let acting: Vec<String> = r
                    .acting
                    .iter()
                    .map(|a| format!("{} — {}", md(&a.rule), md(&a.message)))
                    .collect();
                acting.join("<br>")
            };
            let _ = writeln!(
                out,
                "| **{}** | {} | {} | **{}** | {} | {} | {} |",
                md(&r.service),
                md(&r.environment),
                md(&r.rollout),
                r.verdict.as_str(),
                time(r.now),
                why,
                link(r.seq),
            );
        }
        out.push('\n');
    }
}

fn risk(out: &mut String, p: &Portfolio) {
    out.push_str("## Risk\n\n### Blocking findings\n\n");
    let blocking: Vec<_> = p
        .statuses
        .iter()
        .flat_map(|s| s.blocking.iter().map(move |r| (s, r)))
        .collect();
    if blocking.is_empty() {
        out.push_str("No latest decision has a blocking finding.\n\n");
    } else {
        out.push_str("| Service | Release | Rule | Policy | Message | Controls | Record |\n|---|---|---|---|---|---|---|\n");
        for (s, r) in blocking {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} | {} | {} | {} |",
                md(&s.service),
                md(&s.environment),
                md(&s.release),
                md(&r.rule),
                md(&r.policy),
                md(&r.message),
                md(&r.controls.join(", ")),
                link(s.seq),
            );
        }
        out.push('\n');
    }
    let _ = write!(
        out,
        "### Waivers\n\nWaivers the latest decisions carry; **soon** marks those expiring within {EXPIRY_WINDOW_DAYS} days of the report (or expired).\n\n"
    );
    if p.waivers.is_empty() {
        out.push_str("No latest decision carries a waiver.\n\n");
    } else {
        out.push_str("| Service | Release | Rule | Granted by | Status | Expires | Record |\n|---|---|---|---|---|---|---|\n");
        for w in &p.waivers {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} ({}) | {} | {} {}{} | {} |",
                md(&w.service),
                md(&w.environment),
                md(&w.release),
                md(&w.rule),
                md(&w.by),
                md(&w.role),
                md(&w.status),
                time(w.expires),
                w.days_left.map(days_left).unwrap_or_default(),
                if w.expiring_soon() { " **soon**" } else { "" },
                link(w.seq),
            );
        }
        out.push('\n');
    }
    out.push_str("### Chronic instability\n\n");
    match &p.review {
        None => out.push_str("No release record of a production deployment in the records.\n\n"),
        Some(r) => {
            let chronic: Vec<_> = r.stability.iter().filter(|s| s.chronic).collect();
            if chronic.is_empty() {
                out.push_str("No service is chronically unstable.\n\n");
            } else {
                out.push_str("| Service | Rollbacks | Deployments | Rate | In window | Why |\n|---|--:|--:|--:|--:|---|\n");
                for s in chronic {
                    let _ = writeln!(
                        out,
                        "| **{}** | {} | {} | {} | {} | {} |",
                        md(&s.service),
                        s.rollbacks,
                        s.deployments,
                        percent(s.rollback_rate),
                        s.rollbacks_in_window,
                        md(&s.reasons.join("; ")),
                    );
                }
                out.push('\n');
            }
        }
    }
}

fn compliance(out: &mut String, p: &Portfolio) {
    out.push_str(
        "## Compliance\n\nPer control, the decisions and assessments whose findings serve it: failed if one \
         failed, erred or had no data; else waived if one was waived; else warned; else passed. Results where \
         every such finding was skipped are not counted.\n\n",
    );
    if p.compliance.is_empty() {
        out.push_str("No finding in the records names a control.\n\n");
    }
    for f in &p.compliance {
        let _ = write!(
            out,
            "### {}\n\n| Control | Passed | Failed | Waived | Warned | Results | Failed in |\n|---|--:|--:|--:|--:|--:|---|\n",
            md(&f.name)
        );
        for c in &f.controls {
            let links: Vec<String> = c.failed_in.iter().take(12).map(|s| link(*s)).collect();
            let more = c.failed_in.len().saturating_sub(12);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {}{} |",
                md(&c.control),
                c.passed,
                c.failed,
                c.waived,
                c.warned,
                c.total(),
                links.join(" "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                },
            );
        }
        out.push('\n');
    }
}

fn dora(out: &mut String, p: &Portfolio) {
    out.push_str("## DORA trends\n\n");
    let Some(r) = &p.review else {
        out.push_str(
            "No release record of a production deployment in the records: no DORA keys.\n\n",
        );
        return;
    };
    let _ = write!(
        out,
        "Deployments to {} in the period {} to {} (exclusive), by the release records; bands: {}. Review verdict **{}**.\n\n",
        md(&r.environment),
        day(r.period.from),
        day(r.period.to),
        md(&r.bands),
        r.verdict.as_str(),
    );
    for reason in &r.reasons {
        let _ = writeln!(out, "- {}", md(reason));
    }
    if !r.reasons.is_empty() {
        out.push('\n');
    }
    let k = trends::values(&r.dora);
    let _ = write!(
        out,
        "| Key (whole period) | Value |\n|---|---|\n| Deployment frequency | {} deployments ({} a week) |\n\
         | Lead time for changes (median) | {} |\n| Change failure rate | {} |\n| Time to restore service (median) | {} |\n\n",
        r.dora.deployments,
        number(r.dora.per_week, 1),
        opt(k.lead_hours, |v| format!("{}h", number(v, 1))),
        opt(r.dora.change_failure_rate, percent),
        opt(r.dora.recovery_median_seconds, span),
    );
    let _ = write!(
        out,
        "### Per week\n\nThe charts of the HTML report, as numbers: {}; {}; {}; {}.\n\n\
         | Week starting | Deployments | Lead time, median (h) | Change failure rate (%) | Time to restore, median (min) |\n|---|--:|--:|--:|--:|\n",
        trends::DEPLOYMENTS,
        trends::LEAD_TIME,
        trends::FAILURE_RATE,
        trends::RESTORE,
    );
    for (w, (_, v)) in r.weeks.iter().zip(trends::weeks(r)) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            day(w.period.from),
            number(v.deployments, 0),
            opt(v.lead_hours, |x| number(x, 1)),
            opt(v.failure_percent, |x| number(x, 1)),
            opt(v.restore_minutes, |x| number(x, 1)),
        );
    }
    let _ = write!(
        out,
        "\n### {}\n\n| Service | Deployments | Rollbacks | Rollback rate | Chronic |\n|---|--:|--:|--:|---|\n",
        trends::ROLLBACKS
    );
    for s in &r.stability {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md(&s.service),
            s.deployments,
            s.rollbacks,
            percent(s.rollback_rate),
            if s.chronic { "**yes**" } else { "no" },
        );
    }
    out.push('\n');
}

fn records(out: &mut String, p: &Portfolio) {
    out.push_str(
        "## Audit records\n\nEvery record the report read; each decision above links to its row. A hash marked ✗ no longer matches its record's contents.\n\n\
         | Seq | Kind | Release | Service | Environment | Now | Verdict | Hash |\n|--:|---|---|---|---|---|---|---|\n",
    );
    for r in &p.records {
        let _ = writeln!(
            out,
            "| <a id=\"record-{seq}\"></a>{seq} | {} | {} | {} | {} | {} | {} | {}{} |",
            r.kind.as_str(),
            md(&r.release),
            md(&r.service),
            md(&r.environment),
            md(&r.now),
            md(&r.verdict),
            md(&r.hash),
            if r.hash_ok { "" } else { " ✗" },
            seq = r.seq,
        );
    }
}

/// The page.
pub(crate) fn render(p: &Portfolio) -> String {
    let mut out = String::with_capacity(32 * 1024 + p.records.len() * 200);
    let _ = write!(
        out,
        "# Release portfolio\n\nAs of {} · {} audit records · release-policy-report {}\n\n",
        p.as_of.map_or_else(|| "no decisions".to_string(), time),
        p.records.len(),
        env!("CARGO_PKG_VERSION"),
    );
    status(&mut out, p);
    risk(&mut out, p);
    compliance(&mut out, p);
    dora(&mut out, p);
    records(&mut out, p);
    out
}
