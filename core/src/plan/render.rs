//! A plan for people and pictures: plain text (the CLI's default),
//! Markdown with an embedded Mermaid diagram (a PR comment that renders in
//! GitHub and GitLab), Graphviz DOT and Mermaid. The diagrams draw the
//! released services by wave, the dependencies among them, and in red the
//! releases with a violation or a conflict and the edges of a cycle.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::result::{Plan, PlannedRelease};
use crate::model::rfc3339;

/// The ids of releases a violation or a conflict names.
fn troubled(plan: &Plan) -> BTreeSet<&str> {
    let mut out: BTreeSet<&str> = plan.violations.iter().map(|v| v.release.as_str()).collect();
    for c in &plan.conflicts {
        out.extend(c.releases.iter().map(String::as_str));
    }
    for c in &plan.cycles {
        for s in &c.released {
            if let Some(r) = plan
                .releases
                .iter()
                .find(|r| &r.service == s && r.environment == c.environment)
            {
                out.insert(r.id.as_str());
            }
        }
    }
    out
}

/// Pairs (consumer, provider, hard) of releases of one environment where
/// the consumer depends on the provider directly.
fn edges(plan: &Plan) -> Vec<(&PlannedRelease, &PlannedRelease, bool)> {
    let mut out = Vec::new();
    for c in &plan.releases {
        for d in &c.depends_on {
            if let Some(p) = plan.release(&d.release) {
                out.push((c, p, d.hard));
            }
        }
    }
    out
}

fn node_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The plan as a Mermaid flowchart: one subgraph per wave.
pub(crate) fn mermaid(plan: &Plan) -> String {
    let bad = troubled(plan);
    let mut s = String::from("flowchart LR\n");
    for w in &plan.waves {
        let _ = writeln!(s, "    subgraph wave{}[\"wave {}\"]", w.number, w.number);
        for id in &w.releases {
            if let Some(r) = plan.release(id) {
                let _ = writeln!(
                    s,
                    "        {}[\"{}<br/>{} → {}\"]",
                    node_id(id),
                    r.service,
                    r.version,
                    r.environment
                );
            }
        }
        s.push_str("    end\n");
    }
    for (c, p, hard) in edges(plan) {
        let arrow = if hard { "-->" } else { "-.->" };
        let _ = writeln!(s, "    {} {arrow} {}", node_id(&c.id), node_id(&p.id));
    }
    s.push_str("    classDef bad fill:#fdd,stroke:#c00,color:#900\n");
    for id in &bad {
        let _ = writeln!(s, "    class {} bad", node_id(id));
    }
    s
}

/// The plan as Graphviz DOT: one cluster per wave.
pub(crate) fn dot(plan: &Plan) -> String {
    let bad = troubled(plan);
    let mut s = String::from("digraph plan {\n    rankdir=LR;\n    node [shape=box];\n");
    for w in &plan.waves {
        let _ = writeln!(
            s,
            "    subgraph cluster_wave{} {{\n        label=\"wave {}\";",
            w.number, w.number
        );
        for id in &w.releases {
            if let Some(r) = plan.release(id) {
                let colour = if bad.contains(id.as_str()) {
                    ", color=red, fontcolor=red"
                } else {
                    ""
                };
                let _ = writeln!(
                    s,
                    "        \"{id}\" [label=\"{}\\n{} → {}\"{colour}];",
                    r.service, r.version, r.environment
                );
            }
        }
        s.push_str("    }\n");
    }
    for (c, p, hard) in edges(plan) {
        let style = if hard { "" } else { " [style=dashed]" };
        let _ = writeln!(s, "    \"{}\" -> \"{}\"{style};", c.id, p.id);
    }
    s.push_str("}\n");
    s
}

/// The plan as plain text: the verdict first, then what blocks it, the
/// waves and the proposed schedule.
pub(crate) fn text(plan: &Plan) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", plan.summary);
    if !plan.violations.is_empty() {
        s.push_str("\ncontract violations:\n");
        for v in &plan.violations {
            let _ = writeln!(s, "  ✗ {} [{}] {}", v.release, v.kind.as_str(), v.message);
        }
    }
    if !plan.cycles.is_empty() {
        s.push_str("\ncycles:\n");
        for c in &plan.cycles {
            let _ = writeln!(s, "  ✗ {}", c.message);
        }
    }
    if !plan.conflicts.is_empty() {
        s.push_str("\nschedule conflicts:\n");
        for c in &plan.conflicts {
            let mark = if c.blocking { "✗" } else { "!" };
            let _ = writeln!(s, "  {mark} [{}] {}", c.kind.as_str(), c.message);
        }
    }
    s.push_str("\nwaves:\n");
    for w in &plan.waves {
        let _ = writeln!(s, "  {}. {}", w.number, w.releases.join(", "));
    }
    s.push_str("\nschedule:\n");
    for r in &plan.releases {
        let slot = match (&r.proposed, r.moved) {
            (Some(p), false) => format!("{} (as requested)", rfc3339(p.start)),
            (Some(p), true) => format!(
                "{} (requested {})",
                rfc3339(p.start),
                rfc3339(r.requested.start)
            ),
            (None, _) => "no slot".to_string(),
        };
        let _ = writeln!(
            s,
            "  wave {} {} {}: {slot}; blast radius {} hard, {} soft",
            r.wave, r.id, r.version, r.blast_radius.hard.count, r.blast_radius.soft.count
        );
        for why in &r.reasons {
            let _ = writeln!(s, "      {why}");
        }
    }
    s
}

/// The plan as Markdown for a pull-request comment, with the Mermaid
/// diagram.
pub(crate) fn markdown(plan: &Plan) -> String {
    let mut s = String::new();
    let icon = match plan.verdict {
        super::PlanVerdict::Ok => "✅",
        super::PlanVerdict::Blocked => "⛔",
        super::PlanVerdict::NeedsDecision => "⚠️",
    };
    let _ = writeln!(s, "### {icon} Release plan: {}\n", plan.summary);
    let _ = writeln!(s, "```mermaid\n{}```\n", mermaid(plan));
    if !plan.violations.is_empty() {
        s.push_str("**Contract violations**\n\n| release | kind | why |\n|---|---|---|\n");
        for v in &plan.violations {
            let _ = writeln!(
                s,
                "| `{}` | `{}` | {} |",
                v.release,
                v.kind.as_str(),
                cell(&v.message)
            );
        }
        s.push('\n');
    }
    if !plan.cycles.is_empty() {
        s.push_str("**Cycles**\n\n");
        for c in &plan.cycles {
            let _ = writeln!(s, "- {}", c.message);
        }
        s.push('\n');
    }
    if !plan.conflicts.is_empty() {
        s.push_str(
            "**Schedule conflicts**\n\n| kind | releases | blocking | why |\n|---|---|---|---|\n",
        );
        for c in &plan.conflicts {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} |",
                c.kind.as_str(),
                c.releases.join(", "),
                if c.blocking { "yes" } else { "no" },
                cell(&c.message)
            );
        }
        s.push('\n');
    }
    s.push_str("**Proposed schedule**\n\n| wave | release | version | requested | proposed | blast radius (hard/soft) |\n|---|---|---|---|---|---|\n");
    for r in &plan.releases {
        let _ = writeln!(
            s,
            "| {} | `{}` | {} | {} | {} | {}/{} |",
            r.wave,
            r.id,
            r.version,
            rfc3339(r.requested.start),
            r.proposed
                .map_or_else(|| "no slot".to_string(), |p| rfc3339(p.start)),
            r.blast_radius.hard.count,
            r.blast_radius.soft.count
        );
    }
    s
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

impl Plan {
    /// The plan as plain text (`release-policy plan`).
    pub fn to_text(&self) -> String {
        text(self)
    }

    /// The plan as Markdown with a Mermaid diagram (`--format markdown`).
    pub fn to_markdown(&self) -> String {
        markdown(self)
    }

    /// The plan as a Mermaid flowchart (`--format mermaid`).
    pub fn to_mermaid(&self) -> String {
        mermaid(self)
    }

    /// The plan as Graphviz DOT (`--format dot`).
    pub fn to_dot(&self) -> String {
        dot(self)
    }
}
