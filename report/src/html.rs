//! The portfolio as one self-contained HTML page: inline CSS, inline SVG
//! charts, no script, no external font, image or link (a
//! Content-Security-Policy says so to the browser as well). Every string
//! from a record is escaped ([`html`]).

use std::fmt::Write as _;

use release_policy::review::Review;

use crate::model::{EXPIRY_WINDOW_DAYS, Portfolio};
use crate::svg;
use crate::table::{Cell, Lead, Table};
use crate::text::{day, html, number, percent, span, time};
use crate::trends;

const STYLE: &str = r#"
:root { --ink: #1f2733; --muted: #5b6675; --line: #d9dee5; --soft: #f4f6f9;
  --go: #1e7d4f; --nogo: #b3261e; --pending: #9a6700; --info: #2f5f98; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
header { background: #1f2733; color: #fff; padding: 20px 32px 18px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: #c9d1dc; }
nav { padding: 8px 32px; background: var(--soft); border-bottom: 1px solid var(--line); }
nav a { margin-right: 18px; color: var(--info); text-decoration: none; font-weight: 600; }
main { padding: 8px 32px 32px; max-width: 1240px; }
h2 { margin: 28px 0 10px; font-size: 21px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { margin: 20px 0 8px; font-size: 17px; }
p.note { color: var(--muted); margin: 4px 0 10px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; background: #fff; }
.card b { display: block; font-size: 24px; }
.card span { color: var(--muted); font-size: 13px; }
.card.bad b { color: var(--nogo); } .card.warn b { color: var(--pending); } .card.good b { color: var(--go); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 14px; }
table.narrow { width: auto; min-width: 50%; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:target { background: #fff4c2; }
tr.soon td { background: #fff7e6; }
ul.reasons { margin: 0; padding-left: 18px; }
ul.reasons li { margin: 2px 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px;
  background: var(--soft); padding: 1px 4px; border-radius: 3px; }
td code, li code { white-space: nowrap; }
.nw { white-space: nowrap; }
code.hash { white-space: normal; word-break: break-all; font-size: 11.5px; background: none; padding: 0; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-weight: 700;
  font-size: 12.5px; color: #fff; white-space: nowrap; }
.v-go, .v-promote, .v-pass { background: var(--go); }
.v-no-go, .v-rollback, .v-fail { background: var(--nogo); }
.v-pending, .v-hold { background: var(--pending); }
.v-continue, .v-other { background: var(--info); }
.muted { color: var(--muted); }
.bad { color: var(--nogo); font-weight: 600; }
.stack { display: flex; height: 10px; width: 140px; border-radius: 3px; overflow: hidden; background: var(--soft); }
.stack span { display: block; height: 100%; }
.key { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-left: 6px; }
.s-pass { background: var(--go); } .s-fail { background: var(--nogo); }
.s-waived { background: #d08a00; } .s-warn { background: #e3c35a; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 14px; }
svg.chart { border: 1px solid var(--line); border-radius: 8px; background: #fff; max-width: 100%; height: auto; }
svg .chart-title { font-size: 14px; font-weight: 700; fill: var(--ink); }
svg .tick { font-size: 11px; fill: var(--muted); }
svg .unit { font-size: 11px; fill: var(--muted); }
svg .value { font-size: 11px; fill: var(--ink); }
svg .label { font-size: 12px; fill: var(--ink); }
svg .none { font-size: 13px; fill: var(--muted); }
svg .grid { stroke: #e6e9ee; stroke-width: 1; }
svg .axis { stroke: #8a94a3; stroke-width: 1; }
footer { padding: 12px 32px 28px; color: var(--muted); font-size: 13px; }
@page { size: A4 landscape; margin: 10mm; }
@media print { nav { display: none; } body { font-size: 12px; } header, main, footer { padding-left: 0; padding-right: 0; }
  .charts { grid-template-columns: 1fr 1fr; } }
"#;

/// A verdict as a badge: the class from the verdict's own word.
fn badge(word: &str) -> String {
    let class = match word {
        "go" | "no-go" | "pending" | "promote" | "continue" | "hold" | "rollback" | "pass"
        | "fail" => word,
        _ => "other",
    };
    format!("<span class=\"badge v-{class}\">{}</span>", html(word))
}

fn record_link(seq: u64) -> String {
    format!("<a href=\"#record-{seq}\">#{seq}</a>")
}

/// Identifiers, each as code (kept on one line).
fn codes(codes: &[String]) -> String {
    let codes: Vec<String> = codes
        .iter()
        .map(|c| format!("<code>{}</code>", html(c)))
        .collect();
    codes.join(" ")
}

/// One cell's content.
fn cell(out: &mut String, cell: &Cell) {
    let _ = match cell {
        Cell::Text(s) | Cell::Alarm { text: s, .. } => write!(out, "{}", html(s)),
        Cell::Strong(s) => write!(out, "<b>{}</b>", html(s)),
        Cell::Code(s) => write!(out, "<code>{}</code>", html(s)),
        Cell::Codes(list) => write!(out, "{}", codes(list)),
        Cell::Muted(s) => write!(out, "<span class=\"muted\">{}</span>", html(s)),
        Cell::Verdict(word) | Cell::Badge(word) => write!(out, "{}", badge(word)),
        Cell::Noted { text, note, below } => write!(
            out,
            "{}{}<span class=\"muted\">{}</span>",
            html(text),
            if *below { "<br>" } else { " " },
            html(note)
        ),
        Cell::Reasons(list) => {
            out.push_str("<ul class=\"reasons\">");
            for (lead, rule, message) in list {
                let lead = match lead {
                    Lead::Blocks => "<span class=\"bad\">blocks</span> ",
                    Lead::Waits => "waits for ",
                    Lead::Acts => "",
                };
                let _ = write!(
                    out,
                    "<li>{lead}<code>{}</code> — {}</li>",
                    html(rule),
                    html(message)
                );
            }
            out.push_str("</ul>");
            Ok(())
        }
        Cell::Expires { time, when, soon } => write!(
            out,
            "{}<br><span class=\"{}\">{}</span>",
            html(time),
            if *soon { "bad" } else { "muted" },
            html(when)
        ),
        Cell::Record(seq) => write!(out, "{}", record_link(*seq)),
        Cell::Records { seqs, more } => {
            let links: Vec<String> = seqs.iter().map(|s| record_link(*s)).collect();
            out.push_str(&links.join(" "));
            if *more > 0 {
                let _ = write!(out, " and {more} more");
            }
            Ok(())
        }
        Cell::Hash { hash, ok } => write!(
            out,
            "<code class=\"hash\">{}</code>{}",
            html(hash),
            if *ok {
                ""
            } else {
                " <span class=\"bad\">✗ does not match</span>"
            }
        ),
        Cell::Stack(counts) => {
            let total = counts.iter().sum::<usize>().max(1) as f64;
            let width = |n: usize| number(n as f64 * 100.0 / total, 1);
            let [passed, warned, waived, failed] = *counts;
            write!(
                out,
                "<div class=\"stack\" aria-hidden=\"true\">\
                 <span class=\"s-pass\" style=\"width:{}%\"></span><span class=\"s-warn\" style=\"width:{}%\"></span>\
                 <span class=\"s-waived\" style=\"width:{}%\"></span><span class=\"s-fail\" style=\"width:{}%\"></span></div>",
                width(passed),
                width(warned),
                width(waived),
                width(failed),
            )
        }
    };
}

/// A table of the report, or `none` (a paragraph) when it has no row.
fn table_or(out: &mut String, t: &Table, none: &str) {
    if t.rows.is_empty() {
        out.push_str(none);
    } else {
        table(out, t);
    }
}

/// A table of the report.
fn table(out: &mut String, t: &Table) {
    out.push_str(if t.narrow {
        "<table class=\"narrow\"><thead><tr>"
    } else {
        "<table><thead><tr>"
    });
    for c in t.columns {
        let class = if c.num { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", html(c.title));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr");
        if row.soon {
            out.push_str(" class=\"soon\"");
        }
        if let Some(seq) = row.anchor {
            let _ = write!(out, " id=\"record-{seq}\"");
        }
        out.push('>');
        for (column, content) in t.columns.iter().zip(&row.cells) {
            let alarm = matches!(content, Cell::Alarm { alarm: true, .. });
            let classes: Vec<&str> = [(column.num, "num"), (column.nowrap, "nw"), (alarm, "bad")]
                .into_iter()
                .filter_map(|(on, class)| on.then_some(class))
                .collect();
            if classes.is_empty() {
                out.push_str("<td>");
            } else {
                let _ = write!(out, "<td class=\"{}\">", classes.join(" "));
            }
            cell(out, content);
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

fn header(out: &mut String, p: &Portfolio) {
    let as_of = p.as_of.map_or_else(|| "no decisions".to_string(), time);
    let _ = write!(
        out,
        "<header><h1>Release portfolio</h1><p>As of {} · {} audit records · release-policy-report {}</p></header>\
         <nav><a href=\"#status\">Release status</a><a href=\"#risk\">Risk</a>\
         <a href=\"#compliance\">Compliance</a><a href=\"#dora\">DORA trends</a>\
         <a href=\"#records\">Audit records</a></nav><main>",
        html(&as_of),
        p.records.len(),
        env!("CARGO_PKG_VERSION"),
    );
    let count = |v: &str| {
        p.statuses
            .iter()
            .filter(|s| s.verdict.as_str() == v)
            .count()
    };
    let blocking: usize = p.statuses.iter().map(|s| s.blocking.len()).sum();
    let soon = p.waivers.iter().filter(|w| w.expiring_soon()).count();
    let chronic = p
        .review
        .as_ref()
        .map_or(0, |r| r.stability.iter().filter(|s| s.chronic).count());
    let cards = [
        ("good", count("go"), "go"),
        ("bad", count("no-go"), "no-go"),
        ("warn", count("pending"), "pending"),
        ("bad", blocking, "blocking findings"),
        ("warn", soon, "waivers expiring soon"),
        ("bad", chronic, "chronically unstable"),
    ];
    out.push_str("<div class=\"cards\">");
    for (class, n, label) in cards {
        let class = if n == 0 { "" } else { class };
        let _ = write!(
            out,
            "<div class=\"card {class}\"><b>{n}</b><span>{label}</span></div>"
        );
    }
    out.push_str("</div>");
}

fn status(out: &mut String, p: &Portfolio) {
    out.push_str(
        "<section id=\"status\"><h2>Release status</h2>\
         <p class=\"note\">The latest <code>check</code> decision of each service and environment.</p>",
    );
    table_or(
        out,
        &crate::table::status(p),
        "<p>No <code>check</code> decision in the records.</p>",
    );
    let rollouts = crate::table::rollouts(p);
    if !rollouts.rows.is_empty() {
        out.push_str(
            "<h3>Rollouts</h3><p class=\"note\">The latest <code>assess</code> assessment of each service and environment.</p>",
        );
        table(out, &rollouts);
    }
    out.push_str("</section>");
}

fn risk(out: &mut String, p: &Portfolio) {
    out.push_str("<section id=\"risk\"><h2>Risk</h2><h3>Blocking findings</h3>");
    table_or(
        out,
        &crate::table::blocking(p),
        "<p>No latest decision has a blocking finding.</p>",
    );
    let _ = write!(
        out,
        "<h3>Waivers</h3><p class=\"note\">Waivers the latest decisions carry; those expiring within {EXPIRY_WINDOW_DAYS} days of the report (or expired) are marked.</p>"
    );
    table_or(
        out,
        &crate::table::waivers(p),
        "<p>No latest decision carries a waiver.</p>",
    );
    out.push_str("<h3>Chronic instability</h3>");
    match &p.review {
        None => out.push_str("<p>No release record of a production deployment in the records.</p>"),
        Some(r) => {
            table_or(
                out,
                &crate::table::chronic(r),
                "<p>No service is chronically unstable.</p>",
            );
        }
    }
    out.push_str("</section>");
}

fn compliance(out: &mut String, p: &Portfolio) {
    out.push_str(
        "<section id=\"compliance\"><h2>Compliance</h2><p class=\"note\">Per control, the decisions and \
         assessments whose findings serve it: failed if one failed, erred or had no data; else waived \
         if one was waived; else warned; else passed. Results where every such finding was skipped are not counted. \
         Bars: <span class=\"key s-pass\"></span> passed <span class=\"key s-warn\"></span> warned \
         <span class=\"key s-waived\"></span> waived <span class=\"key s-fail\"></span> failed.</p>",
    );
    if p.compliance.is_empty() {
        out.push_str("<p>No finding in the records names a control.</p>");
    }
    for (name, controls) in crate::table::compliance(p) {
        let _ = write!(out, "<h3>{}</h3>", html(name));
        table(out, &controls);
    }
    out.push_str("</section>");
}

fn dora(out: &mut String, p: &Portfolio) {
    out.push_str("<section id=\"dora\"><h2>DORA trends</h2>");
    let Some(r) = &p.review else {
        out.push_str("<p>No release record of a production deployment in the records: no DORA keys.</p></section>");
        return;
    };
    review_summary(out, r);
    out.push_str("<div class=\"charts\">");
    for (chart, as_bars) in trends::charts(r) {
        out.push_str(&if as_bars {
            svg::bars(&chart)
        } else {
            svg::line(&chart)
        });
    }
    out.push_str(&svg::rate_bars(
        "chart-rollbacks",
        trends::ROLLBACKS,
        &trends::rollback_bars(r),
    ));
    out.push_str("</div><h3>Per week</h3>");
    table(out, &crate::table::weeks(r));
    out.push_str("</section>");
}

fn review_summary(out: &mut String, r: &Review) {
    let last = r
        .period
        .to
        .checked_sub_signed(release_policy::model::Duration::from_millis(1).as_chrono())
        .unwrap_or(r.period.to);
    let _ = write!(
        out,
        "<p class=\"note\">Deployments to <code>{}</code> from {} to {} (by the release records; bands: {}). Review verdict {}.</p>",
        html(&r.environment),
        day(r.period.from),
        day(last),
        html(&r.bands),
        badge(r.verdict.as_str()),
    );
    if !r.reasons.is_empty() {
        out.push_str("<ul class=\"reasons\">");
        for reason in &r.reasons {
            let _ = write!(out, "<li>{}</li>", html(reason));
        }
        out.push_str("</ul>");
    }
    let k = &r.dora;
    let band = |b: &Option<String>| html(b.as_deref().unwrap_or("–")).to_string();
    let _ = write!(
        out,
        "<table class=\"narrow\"><thead><tr><th>Key (whole period)</th><th class=\"num\">Value</th><th>Band</th></tr></thead><tbody>\
         <tr><td>Deployment frequency</td><td class=\"num\">{} deployments ({} a week)</td><td>{}</td></tr>\
         <tr><td>Lead time for changes</td><td class=\"num\">{}</td><td>{}</td></tr>\
         <tr><td>Change failure rate</td><td class=\"num\">{}</td><td>{}</td></tr>\
         <tr><td>Time to restore service</td><td class=\"num\">{}</td><td>{}</td></tr></tbody></table>",
        k.deployments,
        number(k.per_week, 1),
        band(&k.bands.deployment_frequency),
        k.lead_time.as_ref().map_or("–".to_string(), |s| format!(
            "median {}, p90 {}",
            span(s.median_seconds),
            span(s.p90_seconds)
        )),
        band(&k.bands.lead_time),
        k.change_failure_rate.map_or("–".to_string(), |c| format!(
            "{} ({} of {})",
            percent(c),
            k.failed,
            k.deployments
        )),
        band(&k.bands.change_failure_rate),
        k.recovery_median_seconds
            .map_or("–".to_string(), |s| format!("median {}", span(s))),
        band(&k.bands.recovery),
    );
}

fn records(out: &mut String, p: &Portfolio) {
    out.push_str(
        "<section id=\"records\"><h2>Audit records</h2><p class=\"note\">Every record the report read; \
         each decision above links to its row. A hash marked ✗ no longer matches its record's contents.</p>",
    );
    table(out, &crate::table::records(p));
    out.push_str("</section>");
}

/// The page.
pub(crate) fn render(p: &Portfolio) -> String {
    let mut out = String::with_capacity(64 * 1024 + p.records.len() * 400);
    let as_of = p
        .as_of
        .map_or_else(String::new, |t| format!(" — {}", day(t)));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Release portfolio{}</title><style>{STYLE}</style></head><body>",
        html(&as_of)
    );
    header(&mut out, p);
    status(&mut out, p);
    risk(&mut out, p);
    compliance(&mut out, p);
    dora(&mut out, p);
    records(&mut out, p);
    out.push_str(
        "</main><footer>Made by release-policy-report from the audit records alone: the same records give \
         the same page. Counts are explained in docs/report.md.</footer></body></html>\n",
    );
    out
}
