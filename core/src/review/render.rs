//! A review as text for a terminal (tables) and as Markdown (a
//! retrospective a team can paste into its wiki: the keys against their
//! bands, the trend, stability, what needs doing, a checklist); one
//! release's outcome likewise, with its timeline.

use std::fmt::Write;

use super::dora::Keys;
use super::result::{ReleaseOutcome, Review, ReviewVerdict};
use crate::model::rfc3339;

fn pct(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{:.1} %", v * 100.0))
}

fn band(b: &Option<String>) -> &str {
    b.as_deref().unwrap_or("—")
}

/// The four keys as table cells: frequency, lead time, failure rate,
/// recovery (each with its band).
fn cells(k: &Keys) -> [String; 5] {
    [
        k.deployments.to_string(),
        format!(
            "{:.2}/day ({})",
            k.per_day,
            band(&k.bands.deployment_frequency)
        ),
        k.lead_time.as_ref().map_or("—".to_string(), |l| {
            format!(
                "{} / p90 {} ({})",
                l.median,
                l.p90,
                band(&k.bands.lead_time)
            )
        }),
        format!(
            "{} ({}/{}, {})",
            pct(k.change_failure_rate),
            k.failed,
            k.deployments,
            band(&k.bands.change_failure_rate)
        ),
        k.recovery_median.as_ref().map_or("—".to_string(), |r| {
            format!("{r} ({})", band(&k.bands.recovery))
        }) + &if k.open_incidents.is_empty() {
            String::new()
        } else {
            format!(", open: {}", k.open_incidents.join(", "))
        },
    ]
}

/// How many releases that missed a criterion the text and Markdown show.
const UNMET_SHOWN: usize = 10;

const HEAD: [&str; 6] = [
    "",
    "deployments",
    "frequency",
    "lead time (median / p90)",
    "change failure rate",
    "recovery (median)",
];

fn table(rows: &[(String, [String; 5])]) -> String {
    let mut widths: Vec<usize> = HEAD.iter().map(|h| h.chars().count()).collect();
    for (name, c) in rows {
        let all = std::iter::once(name).chain(c.iter());
        for (w, v) in widths.iter_mut().zip(all) {
            *w = (*w).max(v.chars().count());
        }
    }
    let line = |vals: Vec<&str>| {
        let mut s = String::new();
        for (v, w) in vals.iter().zip(&widths) {
            let _ = write!(s, "{v:<w$}  ", w = *w);
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(HEAD.to_vec());
    for (name, c) in rows {
        let mut vals = vec![name.as_str()];
        vals.extend(c.iter().map(String::as_str));
        out += &line(vals);
    }
    out
}

fn md_row(name: &str, c: &[String; 5]) -> String {
    format!("| {name} | {} |\n", c.join(" | "))
}

impl Review {
    /// The report as text for a terminal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "review of `{}` deployments, {} to {}{}{}: {}",
            self.environment,
            rfc3339(self.period.from),
            rfc3339(self.period.to),
            self.service
                .as_ref()
                .map_or(String::new(), |x| format!(", service `{x}`")),
            self.team
                .as_ref()
                .map_or(String::new(), |x| format!(", team `{x}`")),
            self.verdict.as_str().to_uppercase()
        );
        for r in &self.reasons {
            let _ = writeln!(s, "  - {r}");
        }
        if self.verdict == ReviewVerdict::NoDeployments {
            return s;
        }
        let _ = writeln!(s, "\nDORA's four keys (bands: {})", self.bands);
        let mut rows = vec![("all".to_string(), cells(&self.dora))];
        rows.extend(
            self.services
                .iter()
                .map(|n| (format!("service {}", n.name), cells(&n.keys))),
        );
        rows.extend(
            self.teams
                .iter()
                .map(|n| (format!("team {}", n.name), cells(&n.keys))),
        );
        s += &table(&rows);
        let _ = writeln!(s, "\nper week");
        let weeks: Vec<_> = self
            .weeks
            .iter()
            .map(|w| {
                (
                    rfc3339(w.period.from)
                        .get(..10)
                        .unwrap_or_default()
                        .to_string(),
                    cells(&w.keys),
                )
            })
            .collect();
        s += &table(&weeks);
        let _ = writeln!(s, "\nrollbacks per service");
        for st in &self.stability {
            let _ = writeln!(
                s,
                "  {:<20} {} of {} deployments ({:.0} %), {} in the window{}",
                st.service,
                st.rollbacks,
                st.deployments,
                st.rollback_rate * 100.0,
                st.rollbacks_in_window,
                if st.chronic { ": CHRONIC" } else { "" }
            );
        }
        if !self.criteria.is_empty() {
            let _ = writeln!(
                s,
                "\nsuccess criteria (met / missed / not judged / skipped)"
            );
            for c in &self.criteria {
                let _ = writeln!(
                    s,
                    "  {:<34} {} / {} / {} / {}{}",
                    c.criterion,
                    c.passed,
                    c.failed,
                    c.errors,
                    c.skipped,
                    if c.required { "" } else { "  (reported only)" }
                );
            }
            for u in self.unmet.iter().take(UNMET_SHOWN) {
                let _ = writeln!(s, "  ✗ {} {}: {}", u.release, u.criterion, u.message);
            }
            if self.unmet.len() > UNMET_SHOWN {
                let _ = writeln!(
                    s,
                    "  … and {} more (`--format json` lists them all)",
                    self.unmet.len() - UNMET_SHOWN
                );
            }
        }
        if let Some(e) = &self.effectiveness {
            let _ = writeln!(
                s,
                "\npolicy effectiveness ({} releases linked to their decisions, {} not)",
                e.linked, e.unlinked
            );
            for line in &e.suggestions {
                let _ = writeln!(s, "  → {line}");
            }
            if e.suggestions.is_empty() {
                let _ = writeln!(
                    s,
                    "  nothing to change: every linked release went as its decisions said"
                );
            }
        }
        if !self.rollbacks_over_budget.is_empty() {
            let _ = writeln!(s, "\nrollbacks over budget");
            for r in &self.rollbacks_over_budget {
                let _ = writeln!(s, "  {}: took {} (budget {})", r.release, r.took, r.budget);
            }
        }
        if !self.postmortems.is_empty() {
            let _ = writeln!(s, "\npost-mortems");
            for p in &self.postmortems {
                let _ = writeln!(
                    s,
                    "  {}: {}{} ({})",
                    p.release,
                    p.problem,
                    p.due
                        .as_ref()
                        .map_or(String::new(), |d| format!(", due {d}")),
                    p.why
                );
            }
        }
        if !self.missed_by_testing.is_empty() {
            let _ = writeln!(s, "\nfeedback testing missed");
            for m in &self.missed_by_testing {
                let _ = writeln!(
                    s,
                    "  {}: {} `{}` ({}) at {}",
                    m.release, m.source, m.ticket, m.severity, m.at
                );
            }
        }
        s
    }

    /// The report as Markdown: a retrospective for a wiki.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let scope = match (&self.service, &self.team) {
            (Some(x), _) => format!(" — `{x}`"),
            (None, Some(t)) => format!(" — team `{t}`"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "# Release review{scope}: {} to {}\n",
            rfc3339(self.period.from).get(..10).unwrap_or_default(),
            rfc3339(self.period.to).get(..10).unwrap_or_default()
        );
        let _ = writeln!(
            s,
            "**Verdict: {}** (deployments to `{}`, period `[{}, {})`)\n",
            self.verdict.as_str(),
            self.environment,
            rfc3339(self.period.from),
            rfc3339(self.period.to)
        );
        for r in &self.reasons {
            let _ = writeln!(s, "- {r}");
        }
        if self.verdict == ReviewVerdict::NoDeployments {
            return s;
        }
        let _ = writeln!(s, "\n## DORA's four keys\n\nBands: {}.\n", self.bands);
        s += "| | deployments | frequency | lead time (median / p90) | change failure rate | recovery (median) |\n|---|---|---|---|---|---|\n";
        s += &md_row("**all**", &cells(&self.dora));
        for n in &self.services {
            s += &md_row(&format!("service `{}`", n.name), &cells(&n.keys));
        }
        for n in &self.teams {
            s += &md_row(&format!("team `{}`", n.name), &cells(&n.keys));
        }
        s += "\n## Trend, week by week\n\n| week from | deployments | frequency | lead time (median / p90) | change failure rate | recovery (median) |\n|---|---|---|---|---|---|\n";
        for w in &self.weeks {
            s += &md_row(
                rfc3339(w.period.from).get(..10).unwrap_or_default(),
                &cells(&w.keys),
            );
        }
        s += "\n## Stability\n\n| service | deployments | rollbacks | rate | in the window | chronic |\n|---|---|---|---|---|---|\n";
        for st in &self.stability {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {:.0} % | {} | {} |",
                st.service,
                st.deployments,
                st.rollbacks,
                st.rollback_rate * 100.0,
                st.rollbacks_in_window,
                if st.chronic {
                    format!("**yes**: {}", st.reasons.join("; "))
                } else {
                    "no".to_string()
                }
            );
        }
        if !self.criteria.is_empty() {
            s += "\n## Success criteria\n\n| criterion | policy | met | missed | not judged | skipped | required |\n|---|---|---|---|---|---|---|\n";
            for c in &self.criteria {
                let _ = writeln!(
                    s,
                    "| `{}` | `{}` | {} | {} | {} | {} | {} |",
                    c.criterion,
                    c.policy,
                    c.passed,
                    c.failed,
                    c.errors,
                    c.skipped,
                    if c.required { "yes" } else { "no" }
                );
            }
        }
        if let Some(e) = &self.effectiveness {
            let _ = writeln!(
                s,
                "\n## What the policies got right and wrong\n\n{} releases linked to the decisions and assessments before them, {} not.\n",
                e.linked, e.unlinked
            );
            for line in &e.suggestions {
                let _ = writeln!(s, "- {line}");
            }
            if e.suggestions.is_empty() {
                s += "- Nothing to change: every linked release went as its decisions said.\n";
            }
        }
        s += "\n## What needs doing\n\n";
        let mut todo = 0;
        for p in &self.postmortems {
            todo += 1;
            let _ = writeln!(
                s,
                "- [ ] post-mortem of `{}` is **{}**{} — {}",
                p.release,
                p.problem,
                p.due
                    .as_ref()
                    .map_or(String::new(), |d| format!(" (due {d})")),
                p.why
            );
        }
        for r in &self.rollbacks_over_budget {
            todo += 1;
            let _ = writeln!(
                s,
                "- [ ] rollback of `{}` took {} against a budget of {}: rehearse it",
                r.release, r.took, r.budget
            );
        }
        for m in &self.missed_by_testing {
            todo += 1;
            let _ = writeln!(
                s,
                "- [ ] {} ticket `{}` ({}) on `{}` was missed by testing: add the test",
                m.source, m.ticket, m.severity, m.release
            );
        }
        for u in self.unmet.iter().filter(|u| u.required).take(UNMET_SHOWN) {
            todo += 1;
            let _ = writeln!(
                s,
                "- [ ] `{}` missed `{}`: {}",
                u.release, u.criterion, u.message
            );
        }
        for st in self.stability.iter().filter(|s| s.chronic) {
            todo += 1;
            let _ = writeln!(
                s,
                "- [ ] `{}` is chronically unstable: review its release process",
                st.service
            );
        }
        if todo == 0 {
            s += "Nothing.\n";
        }
        s += "\n## Retrospective checklist\n\n- [ ] Were the failed deployments caught by a gate or a trigger? If not, which rule would have?\n- [ ] Did every rollback finish within its budget?\n- [ ] Are the post-mortems of the period closed, with their actions tracked?\n- [ ] Which support tickets point at a missing test?\n";
        s
    }
}

impl ReleaseOutcome {
    /// The outcome as text for a terminal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} ({} {} to {}, team {}): {}{}",
            self.release,
            self.service,
            self.version,
            self.environment,
            self.team,
            self.outcome,
            if self.failed {
                ", a failed deployment"
            } else {
                ""
            }
        );
        let _ = writeln!(s, "  deployment took {}", self.deployment_duration);
        if let Some(l) = &self.lead_time {
            let _ = writeln!(s, "  lead time {l}");
        }
        if let Some(r) = &self.rollback {
            let _ = writeln!(
                s,
                "  rollback took {} (budget {}{})",
                r.took,
                r.budget,
                if r.within_budget { "" } else { ", OVER" }
            );
        }
        if let Some(r) = &self.recovery {
            let _ = writeln!(s, "  recovered in {r}");
        }
        if !self.open_incidents.is_empty() {
            let _ = writeln!(s, "  open incidents: {}", self.open_incidents.join(", "));
        }
        if let Some(p) = &self.postmortem {
            let _ = writeln!(s, "  post-mortem {} ({})", p.problem, p.why);
        }
        for c in &self.criteria {
            let mark = match c.outcome {
                crate::vocab::Outcome::Pass => "✓",
                crate::vocab::Outcome::Skipped => "-",
                _ => "✗",
            };
            let _ = writeln!(
                s,
                "  {mark} {} [{}] {}",
                c.criterion,
                c.outcome.as_str(),
                c.message
            );
        }
        let _ = writeln!(s, "timeline");
        for e in &self.timeline {
            let _ = writeln!(s, "  {}  {}", e.at, e.what);
        }
        for d in &self.decisions {
            let _ = writeln!(s, "decision {d}");
        }
        s
    }

    /// The outcome as Markdown: one release's retrospective.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# Retrospective: `{}`\n\n`{}` {} to `{}`, team `{}`. **Outcome: {}**{}.\n",
            self.release,
            self.service,
            self.version,
            self.environment,
            self.team,
            self.outcome,
            if self.failed {
                " (a failed deployment)"
            } else {
                ""
            }
        );
        s += "| measure | value |\n|---|---|\n";
        let _ = writeln!(s, "| deployment duration | {} |", self.deployment_duration);
        if let Some(l) = &self.lead_time {
            let _ = writeln!(s, "| lead time | {l} |");
        }
        if let Some(r) = &self.rollback {
            let _ = writeln!(
                s,
                "| rollback | {} (budget {}, {}) |",
                r.took,
                r.budget,
                if r.within_budget {
                    "within"
                } else {
                    "**over**"
                }
            );
        }
        if let Some(r) = &self.recovery {
            let _ = writeln!(s, "| recovery | {r} |");
        }
        let _ = writeln!(
            s,
            "| users affected | {} |\n| minutes of impact | {} |",
            self.users_affected, self.impact_minutes
        );
        if !self.criteria.is_empty() {
            s += "\n## Success criteria\n\n| criterion | outcome | why |\n|---|---|---|\n";
            for c in &self.criteria {
                let _ = writeln!(
                    s,
                    "| `{}` | {} | {} |",
                    c.criterion,
                    c.outcome.as_str(),
                    c.message
                );
            }
        }
        s += "\n## Timeline\n\n";
        for e in &self.timeline {
            let _ = writeln!(s, "- `{}` {}", e.at, e.what);
        }
        if !self.decisions.is_empty() {
            s += "\n## What the policies said\n\n";
            for d in &self.decisions {
                let _ = writeln!(s, "- {d}");
            }
        }
        s += "\n## Checklist\n\n";
        if let Some(p) = &self.postmortem {
            let _ = writeln!(s, "- [ ] post-mortem is **{}** ({})", p.problem, p.why);
        }
        for m in &self.missed_by_testing {
            let _ = writeln!(
                s,
                "- [ ] {} ticket `{}` was missed by testing: add the test",
                m.source, m.ticket
            );
        }
        s += "- [ ] Would a gate or a trigger have caught this earlier?\n";
        s
    }
}
