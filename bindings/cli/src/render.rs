//! Human renderings of a decision: plain text for terminals (colour only
//! when stdout is one) and Markdown for pull-request comments. The verdict
//! comes first, then what blocks and why, then what is missing and who can
//! give it.

use std::fmt::Write;

use release_policy::{Decision, Finding, Outcome, Verdict};

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

fn values_line(f: &Finding) -> Option<String> {
    if f.values().is_empty() {
        return None;
    }
    let parts: Vec<String> = f
        .values()
        .iter()
        .map(|(k, v)| {
            let s = v.to_string();
            let s = if s.chars().count() > 80 {
                format!("{}…", s.chars().take(80).collect::<String>())
            } else {
                s
            };
            format!("{k} = {s}")
        })
        .collect();
    Some(parts.join("; "))
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
    let block = d.blocking();
    if !block.is_empty() {
        let _ = writeln!(out, "\n{}", style.paint("1", "Blocking:"));
        for f in block {
            let tag = if f.outcome() == Outcome::Error {
                Outcome::Error.as_str()
            } else {
                f.effect().as_str()
            };
            let _ = writeln!(out, "  ✗ {} [{}] {}", t(f.rule()), tag, t(f.message()));
            if let Some(v) = values_line(f) {
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
    let _ = writeln!(
        out,
        "\nbundle {}  facts {}",
        short_digest(d.bundle().digest()),
        short_digest(d.facts_digest())
    );
    out
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
            let _ = writeln!(
                out,
                "| `{}` | {}@{} | {} | {} |",
                f.rule(),
                f.policy(),
                f.policy_version(),
                f.effect().as_str(),
                md(f.message())
            );
        }
        out.push('\n');
    }
    if !d.missing_approvals().is_empty() {
        let _ = writeln!(
            out,
            "### Missing approvals\n\n| rule | who can give it | needed | why |\n|---|---|---|---|"
        );
        for m in d.missing_approvals() {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                m.rule(),
                md(&m.roles().join(", ")),
                m.needed(),
                md(m.reason())
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
    let _ = writeln!(
        out,
        "\n</details>\n\nBundle `{}` · facts `{}` · engine {}",
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
