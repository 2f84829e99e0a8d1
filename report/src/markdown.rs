//! The portfolio as a Markdown page (a wiki's): the same sections as the
//! HTML page, as tables; the charts as tables of their numbers. Every
//! string from a record is escaped ([`md`]) and kept out of code spans
//! (where an escape would show as a backslash); record links are anchors
//! the page defines (`<a id="record-N">`).

use std::fmt::Write as _;

use crate::model::{EXPIRY_WINDOW_DAYS, Portfolio};
use crate::table::{Cell, Lead, Table};
use crate::text::{day, md, number, percent, span, time};
use crate::trends;

fn link(seq: u64) -> String {
    format!("[#{seq}](#record-{seq})")
}

/// One cell's content.
fn cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(s)
        | Cell::Code(s)
        | Cell::Muted(s)
        | Cell::Badge(s)
        | Cell::Alarm { text: s, .. } => md(s).to_string(),
        Cell::Strong(s) | Cell::Verdict(s) => format!("**{}**", md(s)),
        Cell::Codes(list) => md(&list.join(", ")).to_string(),
        Cell::Noted { text, note, .. } => format!("{} ({})", md(text), md(note)),
        Cell::Reasons(list) => {
            let lines: Vec<String> = list
                .iter()
                .map(|(lead, rule, message)| {
                    let lead = match lead {
                        Lead::Blocks => "**blocks** ",
                        Lead::Waits => "waits for ",
                        Lead::Acts => "",
                    };
                    format!("{lead}{} — {}", md(rule), md(message))
                })
                .collect();
            lines.join("<br>")
        }
        Cell::Expires { time, when, soon } => format!(
            "{} {}{}",
            md(time),
            md(when),
            if *soon { " **soon**" } else { "" }
        ),
        Cell::Record(seq) => link(*seq),
        Cell::Records { seqs, more } => {
            let links: Vec<String> = seqs.iter().map(|s| link(*s)).collect();
            if *more > 0 {
                format!("{} and {more} more", links.join(" "))
            } else {
                links.join(" ")
            }
        }
        Cell::Hash { hash, ok } => format!("{}{}", md(hash), if *ok { "" } else { " ✗" }),
        Cell::Stack(_) => String::new(),
    }
}

/// A table of the report and a blank line, or `none` (a paragraph) when
/// it has no row.
fn table_or(out: &mut String, t: &Table, none: &str) {
    if t.rows.is_empty() {
        out.push_str(none);
    } else {
        table(out, t);
        out.push('\n');
    }
}

/// A table of the report (without its `chart` columns), each line ended.
fn table(out: &mut String, t: &Table) {
    let shown = || t.columns.iter().filter(|c| !c.chart);
    let titles: Vec<&str> = shown().map(|c| c.md_title()).collect();
    let rules: Vec<&str> = shown().map(|c| if c.num { "--:" } else { "---" }).collect();
    let _ = writeln!(out, "| {} |\n|{}|", titles.join(" | "), rules.join("|"));
    for row in &t.rows {
        let mut cells: Vec<String> = t
            .columns
            .iter()
            .zip(&row.cells)
            .filter(|(c, _)| !c.chart)
            .map(|(_, content)| cell(content))
            .collect();
        if let (Some(seq), Some(first)) = (row.anchor, cells.first_mut()) {
            first.insert_str(0, &format!("<a id=\"record-{seq}\"></a>"));
        }
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
}

fn opt(v: Option<f64>, f: fn(f64) -> String) -> String {
    v.map_or_else(|| "–".to_string(), f)
}

fn status(out: &mut String, p: &Portfolio) {
    out.push_str(
        "## Release status\n\nThe latest `check` decision of each service and environment.\n\n",
    );
    table_or(
        out,
        &crate::table::status(p),
        "No `check` decision in the records.\n\n",
    );
    let rollouts = crate::table::rollouts(p);
    if !rollouts.rows.is_empty() {
        out.push_str("### Rollouts\n\n");
        table(out, &rollouts);
        out.push('\n');
    }
}

fn risk(out: &mut String, p: &Portfolio) {
    out.push_str("## Risk\n\n### Blocking findings\n\n");
    table_or(
        out,
        &crate::table::blocking(p),
        "No latest decision has a blocking finding.\n\n",
    );
    let _ = write!(
        out,
        "### Waivers\n\nWaivers the latest decisions carry; **soon** marks those expiring within {EXPIRY_WINDOW_DAYS} days of the report (or expired).\n\n"
    );
    table_or(
        out,
        &crate::table::waivers(p),
        "No latest decision carries a waiver.\n\n",
    );
    out.push_str("### Chronic instability\n\n");
    match &p.review {
        None => out.push_str("No release record of a production deployment in the records.\n\n"),
        Some(r) => {
            table_or(
                out,
                &crate::table::chronic(r),
                "No service is chronically unstable.\n\n",
            );
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
    for (name, controls) in crate::table::compliance(p) {
        let _ = write!(out, "### {}\n\n", md(name));
        table(out, &controls);
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
        "### Per week\n\nThe charts of the HTML report, as numbers: {}; {}; {}; {}.\n\n",
        trends::DEPLOYMENTS,
        trends::LEAD_TIME,
        trends::FAILURE_RATE,
        trends::RESTORE,
    );
    table(out, &crate::table::weeks(r));
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
        "## Audit records\n\nEvery record the report read; each decision above links to its row. A hash marked ✗ no longer matches its record's contents.\n\n",
    );
    table(out, &crate::table::records(p));
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
