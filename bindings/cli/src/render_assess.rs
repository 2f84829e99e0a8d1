//! Human renderings of an assessment: the verdict and its reason first,
//! then what tripped or holds (with the observed values, the threshold and
//! what would flip it), then what promotion still waits for, the error
//! budgets, and the rest.

use std::fmt::Write;

use release_policy::{AssessFinding, Assessment, RolloutVerdict};

use crate::render::{Style, md, short_digest, t};

/// The verdict's name, in capitals (`ROLLBACK`).
fn word(v: RolloutVerdict) -> String {
    v.as_str().to_ascii_uppercase()
}

fn colour(v: RolloutVerdict) -> &'static str {
    match v {
        RolloutVerdict::Promote => "1;32",
        RolloutVerdict::Continue => "1;36",
        RolloutVerdict::Hold => "1;33",
        RolloutVerdict::Rollback => "1;31",
    }
}

fn observed(f: &AssessFinding) -> Option<String> {
    let mut parts: Vec<String> = f
        .observed()
        .iter()
        .map(|(k, v)| format!("{k} = {}", t(&short_number(v))))
        .collect();
    if let Some(th) = f.threshold() {
        parts.insert(0, format!("limit: {}", t(th)));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// A number with at most four decimals (the JSON keeps full precision).
fn short_number(v: &serde_json::Value) -> String {
    match v.as_f64() {
        Some(x) if v.is_f64() => {
            let s = format!("{x:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        _ => v.to_string(),
    }
}

/// Plain text.
pub fn text(a: &Assessment, style: &Style) -> String {
    let mut out = String::new();
    let rollout = a.rollout();
    let step = match (rollout.step(), rollout.weight()) {
        (Some(s), Some(w)) => format!(" (step {s}, {w}%)"),
        (Some(s), None) => format!(" (step {s})"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{} {}{step}",
        style.paint(colour(a.verdict()), &word(a.verdict())),
        t(rollout.id())
    );
    let _ = writeln!(out, "  {}", t(a.reason()));
    let s = a.summary();
    let _ = writeln!(
        out,
        "  {} passed, {} failed, {} breaching, {} no data, {} errors, {} skipped",
        s.pass(),
        s.fail(),
        s.warn(),
        s.no_data(),
        s.error(),
        s.skipped()
    );
    let section = |out: &mut String, title: &str, list: &[&AssessFinding], mark: &str| {
        if list.is_empty() {
            return;
        }
        let _ = writeln!(out, "\n{}", style.paint("1", title));
        for f in list {
            let tag = f.action().map_or(f.outcome().as_str(), |x| x.as_str());
            let _ = writeln!(out, "  {mark} {} [{tag}] {}", t(f.rule()), t(f.message()));
            if let Some(o) = observed(f) {
                let _ = writeln!(out, "      {}", style.paint("2", &o));
            }
            if let Some(flip) = f.flip() {
                let _ = writeln!(out, "      → {}", t(flip));
            }
        }
    };
    section(&mut out, "Acting:", &a.acting(), "✗");
    section(&mut out, "Not yet:", &a.waiting(), "…");
    section(&mut out, "Alerts:", &a.alerts(), "!");
    section(&mut out, "Dry run (never acting):", &a.dry_runs(), "~");
    if !a.budgets().is_empty() {
        let _ = writeln!(out, "\n{}", style.paint("1", "Error budgets:"));
        for b in a.budgets() {
            let left = b
                .remaining()
                .map_or("unknown".to_string(), |r| format!("{:.0}% left", r * 100.0));
            let _ = writeln!(
                out,
                "  {} ({}% over {}): {left}",
                t(b.slo()),
                b.objective(),
                b.window()
            );
        }
    }
    let catalog = a
        .catalog_digest()
        .map(|c| format!("  catalog {}", short_digest(c)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "\nbundle {}  facts {}{catalog}",
        short_digest(a.bundle().digest()),
        short_digest(a.facts_digest())
    );
    out
}

/// The action column: a dry-run finding never acts, and says so.
fn action(f: &AssessFinding) -> String {
    let a = f.action().map_or("", |x| x.as_str());
    if f.dry_run() {
        format!("{a} (dry run: never acts)")
    } else {
        a.to_string()
    }
}

/// Markdown, for a pull-request or chat message.
pub fn markdown(a: &Assessment) -> String {
    let mut out = String::new();
    let icon = match a.verdict() {
        RolloutVerdict::Promote => "✅",
        RolloutVerdict::Continue => "🔄",
        RolloutVerdict::Hold => "⏸️",
        RolloutVerdict::Rollback => "⏪",
    };
    let _ = writeln!(
        out,
        "## {icon} {} — {}\n\n{}\n",
        word(a.verdict()),
        md(a.rollout().id()),
        md(a.reason())
    );
    let _ = writeln!(
        out,
        "| rule | outcome | action | why | would flip |\n|---|---|---|---|---|"
    );
    for f in a.findings() {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            f.rule(),
            f.outcome().as_str(),
            action(f),
            md(f.message()),
            md(f.flip().unwrap_or(""))
        );
    }
    let catalog = a
        .catalog_digest()
        .map(|c| format!(" · catalog `{c}`"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "\nBundle `{}` · facts `{}`{catalog} · engine {}",
        a.bundle().digest(),
        a.facts_digest(),
        a.engine().version()
    );
    out
}
