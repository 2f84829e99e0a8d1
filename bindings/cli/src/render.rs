//! Human renderings of a decision: plain text for terminals (colour only
//! when stdout is one) and Markdown for pull-request comments. The verdict
//! comes first, then what blocks and why, then what is missing and who can
//! give it.

use std::fmt::Write;

use release_policy::{Decision, Effect, Finding, Outcome, Verdict};

/// Terminal colours, or none.
pub struct Style {
    pub colour: bool,
}

impl Style {
    pub(crate) fn paint(&self, code: &str, s: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Text from the facts or policies, safe for a terminal: control
/// characters (escape sequences, newlines) cannot fake output lines.
pub(crate) fn t(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

/// Text safe inside a Markdown table cell: no pipes, newlines or raw HTML.
/// Backticked spans become `<code>` elements, so `a > b` inside them reads
/// as written (an entity inside a Markdown code span would show literally).
pub(crate) fn md(s: &str) -> String {
    let esc = |x: &str| {
        x.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('|', "&#124;")
    };
    let text = t(s);
    let parts: Vec<&str> = text.split('`').collect();
    let balanced = parts.len() % 2 == 1;
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if i % 2 == 1 && (balanced || !last) {
            out.push_str("<code>");
            out.push_str(&esc(part));
            out.push_str("</code>");
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(&esc(part));
        }
    }
    out
}

/// The verdict's name, in capitals (`NO-GO`).
fn verdict_word(v: Verdict) -> String {
    v.as_str().to_ascii_uppercase()
}

/// `s`, cut to `max` characters with `…`.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The values a finding read, as lines: short values together on one
/// line; a long list one element a line (so the element that failed is
/// shown, not cut off), a long map one entry a line, at most 20 of either.
fn values_lines(f: &Finding) -> Vec<String> {
    const SHORT: usize = 80;
    const MAX_ITEMS: usize = 20;
    let mut short = Vec::new();
    let mut long = Vec::new();
    for (k, v) in f.values() {
        let text = v.to_string();
        if text.chars().count() <= SHORT {
            short.push(format!("{k} = {text}"));
            continue;
        }
        let items: Vec<String> = match v {
            serde_json::Value::Array(items) => items.iter().map(|i| i.to_string()).collect(),
            serde_json::Value::Object(map) => {
                map.iter().map(|(k, v)| format!("{k}: {v}")).collect()
            }
            _ => {
                long.push(format!("{k} = {}", cut(&text, 160)));
                continue;
            }
        };
        let noun = match (v.is_array(), items.len()) {
            (true, 1) => "item",
            (true, _) => "items",
            (false, 1) => "entry",
            (false, _) => "entries",
        };
        long.push(format!("{k} ({} {noun}):", items.len()));
        for item in items.iter().take(MAX_ITEMS) {
            long.push(format!("  - {}", cut(item, 160)));
        }
        if items.len() > MAX_ITEMS {
            long.push(format!("  … and {} more", items.len() - MAX_ITEMS));
        }
    }
    let mut out = Vec::new();
    if !short.is_empty() {
        out.push(short.join("; "));
    }
    out.extend(long);
    out
}

/// Plain text.
pub fn text(d: &Decision, style: &Style) -> String {
    let mut out = String::new();
    let colour = match d.verdict() {
        Verdict::Go => "1;32",
        Verdict::NoGo => "1;31",
        Verdict::Pending => "1;33",
    };
    let _ = writeln!(
        out,
        "{} {}",
        style.paint(colour, &verdict_word(d.verdict())),
        t(d.release())
    );
    let s = d.summary();
    let _ = writeln!(
        out,
        "  {} passed, {} failed, {} errors, {} warnings, {} waived, {} skipped",
        s.pass(),
        s.fail(),
        s.error(),
        s.warn(),
        s.waived(),
        s.skipped()
    );
    // Erring rules of effect `block` make the release no-go; an erring
    // `approval` rule holds it pending (no approval can lift an error):
    // each under a heading that says so.
    let (block, holding): (Vec<&Finding>, Vec<&Finding>) = d
        .blocking()
        .into_iter()
        .partition(|f| f.effect() == Effect::Block);
    for (heading, list) in [
        ("Blocking:", block),
        (
            "Could not be evaluated (holds the release pending: fix the facts):",
            holding,
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", style.paint("1", heading));
        for f in list {
            let tag = if f.outcome() == Outcome::Error {
                Outcome::Error.as_str()
            } else {
                f.effect().as_str()
            };
            let _ = writeln!(
                out,
                "  ✗ {} [{}] {}{}",
                t(f.rule()),
                tag,
                t(f.message()),
                waivable(f)
            );
            for v in values_lines(f) {
                let _ = writeln!(out, "      {}", style.paint("2", &v));
            }
        }
    }
    let waiting = d.waiting();
    if !waiting.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            style.paint("1", "Waiting for (pending until the facts change):")
        );
        for f in waiting {
            let _ = writeln!(out, "  … {} {}{}", t(f.rule()), t(f.message()), waivable(f));
            for v in values_lines(f) {
                let _ = writeln!(out, "      {}", style.paint("2", &v));
            }
        }
    }
    if !d.missing_approvals().is_empty() {
        let _ = writeln!(out, "\n{}", style.paint("1", "Missing approvals:"));
        for m in d.missing_approvals() {
            let evidence = if m.evidence().is_empty() {
                String::new()
            } else {
                format!(" with evidence {}", m.evidence().join(", "))
            };
            let _ = writeln!(
                out,
                "  ? {}: {} more from {}{} — {}",
                m.rule(),
                m.needed(),
                t(&m.roles().join(" | ")),
                evidence,
                t(m.reason())
            );
            for (who, why) in not_counted(d, m.rule()) {
                let _ = writeln!(out, "      not counted: {} — {}", t(&who), t(why));
            }
        }
    }
    let warns = d.warnings();
    if !warns.is_empty() {
        let _ = writeln!(out, "\n{}", style.paint("1", "Warnings:"));
        for f in warns {
            let _ = writeln!(out, "  ! {} {}", t(f.rule()), t(f.message()));
        }
    }
    let waived = d.waived();
    if !waived.is_empty() {
        let _ = writeln!(out, "\n{}", style.paint("1", "Waived:"));
        for f in waived {
            let by = f
                .lifted()
                .map(|l| format!(" (by {} as {}, via {})", t(l.by()), t(l.role()), l.via()))
                .unwrap_or_default();
            let _ = writeln!(out, "  ~ {} {}{}", t(f.rule()), t(f.message()), by);
        }
    }
    let catalog = d
        .catalog_digest()
        .map(|c| format!("  catalog {}", short_digest(c)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "\nbundle {}  facts {}{catalog}",
        short_digest(d.bundle().digest()),
        short_digest(d.facts_digest())
    );
    out
}

/// ` (waivable by ROLES)` for a failed rule a waiver could lift.
fn waivable(f: &Finding) -> String {
    if f.waivable_by().is_empty() {
        String::new()
    } else {
        format!(" (waivable by {})", f.waivable_by().join(", "))
    }
}

/// The statements an approval rule did not count, and why: `bob
/// (security, approve)` and the reason.
fn not_counted<'d>(d: &'d Decision, rule: &str) -> Vec<(String, &'d str)> {
    d.finding(rule)
        .and_then(Finding::approval)
        .map(|state| {
            state
                .approvals()
                .iter()
                .filter_map(|n| {
                    let why = n.ignored()?;
                    Some((format!("{} ({}, {})", n.by(), n.role(), n.decision()), why))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn short_digest(d: &str) -> &str {
    d.get(..19).unwrap_or(d)
}

/// Markdown, for a pull-request comment.
pub fn markdown(d: &Decision) -> String {
    let mut out = String::new();
    let icon = match d.verdict() {
        Verdict::Go => "✅",
        Verdict::NoGo => "⛔",
        Verdict::Pending => "⏳",
    };
    let _ = writeln!(
        out,
        "## {icon} {} — {}\n",
        verdict_word(d.verdict()),
        md(d.release())
    );
    let s = d.summary();
    let _ = writeln!(
        out,
        "{} passed · {} failed · {} errors · {} warnings · {} waived · {} skipped\n",
        s.pass(),
        s.fail(),
        s.error(),
        s.warn(),
        s.waived(),
        s.skipped()
    );
    let block = d.blocking();
    if !block.is_empty() {
        let _ = writeln!(
            out,
            "### Blocking\n\n| rule | policy | effect | why |\n|---|---|---|---|"
        );
        for f in block {
            let effect = if f.outcome() == Outcome::Error {
                format!("{} (could not be evaluated)", f.effect().as_str())
            } else {
                f.effect().as_str().to_string()
            };
            let _ = writeln!(
                out,
                "| `{}` | {}@{} | {} | {}{} |",
                f.rule(),
                f.policy(),
                f.policy_version(),
                effect,
                md(f.message()),
                md(&waivable(f))
            );
        }
        out.push('\n');
    }
    let waiting = d.waiting();
    if !waiting.is_empty() {
        let _ = writeln!(
            out,
            "### Waiting for (pending until the facts change)\n\n| rule | policy | why |\n|---|---|---|"
        );
        for f in waiting {
            let _ = writeln!(
                out,
                "| `{}` | {}@{} | {}{} |",
                f.rule(),
                f.policy(),
                f.policy_version(),
                md(f.message()),
                md(&waivable(f))
            );
        }
        out.push('\n');
    }
    if !d.missing_approvals().is_empty() {
        let _ = writeln!(
            out,
            "### Missing approvals\n\n| rule | who can give it | needed | evidence | why |\n|---|---|---|---|---|"
        );
        for m in d.missing_approvals() {
            let mut why = md(m.reason());
            for (who, reason) in not_counted(d, m.rule()) {
                why.push_str(&format!("<br>not counted: {} — {}", md(&who), md(reason)));
            }
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                m.rule(),
                md(&m.roles().join(", ")),
                m.needed(),
                md(&m.evidence().join(", ")),
                why
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "<details><summary>All findings</summary>\n\n| rule | outcome | message |\n|---|---|---|"
    );
    for f in d.findings() {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            f.rule(),
            f.outcome().as_str(),
            md(f.message())
        );
    }
    let catalog = d
        .catalog_digest()
        .map(|c| format!(" · catalog `{c}`"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "\n</details>\n\nBundle `{}` · facts `{}`{catalog} · engine {}",
        d.bundle().digest(),
        d.facts_digest(),
        d.engine().version()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn markdown_cells_keep_code_and_refuse_html() {
        assert_eq!(
            md("`p99 > 200` for <b>x</b> | y"),
            "<code>p99 &gt; 200</code> for &lt;b&gt;x&lt;/b&gt; &#124; y"
        );
        assert_eq!(md("a `b"), "a `b");
    }
}
