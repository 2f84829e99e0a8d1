//! The worst decisions we know how to write within the default limits: the
//! probes of the compiled-evaluator issue (each ran for seconds to hours, or
//! took gigabytes, before the evaluation budget), a facts document at the
//! facts limits under the built-in pack, and a 7 MiB string of the facts
//! read by each kind of string work (`text-…`). Every decision within the default
//! limits must end within 100 ms and 256 MB or be refused; these are what
//! the `budget` benchmark times and the `worst_case` example measures
//! (time and peak memory, one process a probe). The budget's own tests
//! (`core/tests/budget.rs`) hold what each probe decides; here they are
//! inputs to measure.

use release_policy::{Bundle, Facts, Limits};
use serde_json::{Value, json};

use crate::base_path;

/// One probe: a bundle and the facts it decides.
pub struct Probe {
    /// The probe's name (`nested-comprehensions`, …).
    pub name: &'static str,
    /// What it does, for the report.
    pub what: &'static str,
    /// The bundle.
    pub bundle: Bundle,
    /// The facts, parsed with the default limits.
    pub facts: Facts,
    /// The same facts as JSON text (for a decision that parses them too).
    pub json: String,
}

/// The names of the probes, in the order [`probe`] knows them.
pub const NAMES: [&str; 17] = [
    "nested-comprehensions",
    "deep-equality",
    "string-bytes",
    "patterns-from-facts",
    "largest-facts",
    "text-match",
    "text-concat",
    "text-split",
    "text-replace",
    "text-convert",
    "text-duration",
    "text-contains",
    "text-lower",
    "text-version",
    "text-order",
    "text-equal",
    "text-format",
];

/// The attacks on a 7 MiB string of the facts (`extensions.blob`: the
/// third field, then the fourth repeated): name, what, the text, the gate.
const TEXT_ATTACKS: [(&str, &str, &str, &str, &str); 12] = [
    (
        "text-match",
        "a 7 MiB string of the facts matched against a pattern",
        "",
        "ab",
        "extensions.blob.matches('(a|b)*c')",
    ),
    (
        "text-concat",
        "a 7 MiB string of the facts joined to itself ten times",
        "",
        "ab",
        "size(extensions.blob + extensions.blob + extensions.blob + extensions.blob + extensions.blob + extensions.blob + extensions.blob + extensions.blob + extensions.blob + extensions.blob) > 0",
    ),
    (
        "text-split",
        "a 7 MiB string of the facts split into 3.7 million parts",
        "",
        "ab",
        "extensions.blob.split('a').size() > 0",
    ),
    (
        "text-replace",
        "a 7 MiB string of the facts with 3.7 million replacements",
        "",
        "ab",
        "extensions.blob.replace('a', 'bb').size() > 0",
    ),
    (
        "text-convert",
        "7 MiB of digits in the facts converted to an int on each of 1,000 suites",
        "",
        "12",
        "ci.suites.all(s, int(extensions.blob) > 0)",
    ),
    (
        "text-duration",
        "a 7 MiB duration in the facts (`1s1s…`) read on each of 1,000 suites",
        "",
        "1s",
        "ci.suites.all(s, duration(extensions.blob) > duration('1s'))",
    ),
    (
        "text-contains",
        "a 7 MiB string of the facts searched for each of 1,000 suites",
        "",
        "ab",
        "ci.suites.exists(s, extensions.blob.contains(s.name))",
    ),
    (
        "text-lower",
        "a 7 MiB upper-case string of the facts lower-cased for each of 1,000 suites",
        "",
        "AB",
        "ci.suites.exists(s, extensions.blob.lowerAscii() == s.name)",
    ),
    (
        "text-version",
        "a 7 MiB version in the facts (`1.0.0-a.a.a…`) read on each of 1,000 suites",
        "1.0.0-",
        "a.",
        "ci.suites.all(s, !semver.valid(extensions.blob + 'x'))",
    ),
    (
        "text-order",
        "a 7 MiB string of the facts ordered against itself under 1,000 × 1,000 iterations",
        "",
        "ab",
        "ci.suites.all(a, ci.suites.all(b, extensions.blob <= extensions.blob))",
    ),
    (
        "text-equal",
        "a 7 MiB string of the facts compared with itself under 1,000 × 1,000 iterations",
        "",
        "ab",
        "ci.suites.all(a, ci.suites.all(b, extensions.blob == extensions.blob))",
    ),
    (
        "text-format",
        "a 7 MiB string of the facts formatted under 1,000 × 1,000 iterations, the limit's error absorbed by `||`",
        "",
        "ab",
        "ci.suites.all(a, ci.suites.all(b, '%s'.format([extensions.blob]) == '' || b.name != ''))",
    ),
];

/// `n` CI suites with distinct names.
fn suites(n: usize) -> Value {
    (0..n)
        .map(|i| json!({"name": format!("s{i}"), "required": false, "status": "passed"}))
        .collect()
}

/// `n` lists of the numbers 0 to 999.
fn number_lists(n: usize) -> Value {
    (0..n)
        .map(|_| json!((0..1000).collect::<Vec<_>>()))
        .collect()
}

/// A one-policy bundle with `spec` as its body.
fn policy(spec: &str) -> Result<Bundle, String> {
    let text = format!(
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {{name: worst, version: 1.0.0}}\nspec:\n{spec}"
    );
    Bundle::from_yaml_str("worst.yaml", &text).map_err(|e| e.to_string())
}

/// The base facts of the pack's policy tests, as JSON, with 1,000 suites.
fn base_with_suites() -> Result<Value, String> {
    let text = std::fs::read_to_string(base_path()).map_err(|e| e.to_string())?;
    let mut j: Value = yaml_serde::from_str(&text).map_err(|e| e.to_string())?;
    if let Some(ci) = j.get_mut("ci") {
        ci["suites"] = suites(1000);
    }
    Ok(j)
}

/// The probe called `name`.
pub fn probe(name: &str) -> Result<Probe, String> {
    let mut j = base_with_suites()?;
    let (what, bundle) = match name {
        "nested-comprehensions" => {
            let gates: String = (0..100)
                .map(|i| {
                    format!("    - {{id: g{i}, expression: 'ci.suites.all(a, ci.suites.exists(b, b.name == a.name))'}}\n")
                })
                .collect();
            (
                "100 gates, each nesting two comprehensions over 1,000 suites (78 s before the budget)",
                policy(&format!("  gates:\n{gates}"))?,
            )
        }
        "deep-equality" => {
            j["extensions"] = json!({ "big": number_lists(90) });
            (
                "a list of 90,000 numbers compared with itself under 1,000 × 1,000 iterations",
                policy(
                    "  gates:\n    - {id: deep, expression: 'ci.suites.all(a, ci.suites.all(b, extensions.big == extensions.big))'}\n",
                )?,
            )
        }
        "string-bytes" => {
            let l64 = "a".repeat(64);
            (
                "a 64 KiB string joined to every suite's name nine times over (1.7 GB before the budget)",
                policy(&format!(
                    "  variables:\n    - {{name: s, expression: \"'aaaaaaaa'.replace('a', '{l64}').replace('a', '{l64}')\"}}\n    - {{name: big, expression: '[1, 2, 3, 4, 5, 6, 7, 8, 9].map(i, ci.suites.map(x, variables.s + x.name))'}}\n  gates:\n    - {{id: uses, expression: 'size(variables.big) > 0'}}\n"
                ))?,
            )
        }
        "patterns-from-facts" => {
            j["labels"] = json!({"p": "^s[0-9]+$", "huge": "\\w{200}"});
            (
                "patterns read from the facts, matched against 1,000 suites × 1,000 suites (hours before patterns were compiled once a decision)",
                policy(
                    "  gates:\n    - {id: each, expression: 'ci.suites.all(a, ci.suites.all(b, b.name.matches(labels.p)))'}\n    - {id: huge, expression: 'ci.suites.all(a, a.name.matches(labels.huge))'}\n",
                )?,
            )
        }
        "largest-facts" => {
            // The facts limits: 1,000 items a list, 100,000 values in all
            // (counted with the defaults a suite gets): 1,000 suites and 91
            // lists of 1,000 numbers; the built-in pack decides them.
            j["extensions"] = json!({ "big": number_lists(91) });
            (
                "the built-in pack over facts near the facts limits (1,000 suites, 91,000 more values)",
                Bundle::try_builtin().map_err(|e| e.to_string())?,
            )
        }
        text if text.starts_with("text-") => {
            // 7 MiB of text in one string, within the 8 MiB of a facts
            // document, read by one gate as each attack reads it.
            let (_, what, prefix, unit, expression) = TEXT_ATTACKS
                .iter()
                .find(|(n, _, _, _, _)| *n == text)
                .ok_or_else(|| format!("no probe `{text}`; the probes are {NAMES:?}"))?;
            j["extensions"] = json!({ "blob": format!("{prefix}{}", unit.repeat(7 * 1024 * 512)) });
            (
                *what,
                policy(&format!(
                    "  gates:\n    - id: attack\n      expression: {}\n",
                    serde_json::to_string(expression).map_err(|e| e.to_string())?
                ))?,
            )
        }
        other => return Err(format!("no probe `{other}`; the probes are {NAMES:?}")),
    };
    let json = j.to_string();
    let facts = Facts::from_json_value(j, &Limits::default()).map_err(|e| e.to_string())?;
    Ok(Probe {
        name: NAMES
            .iter()
            .copied()
            .find(|n| *n == name)
            .unwrap_or("probe"),
        what,
        bundle,
        facts,
        json,
    })
}
