//! SARIF 2.1.0: one run of the `release-policy` driver, whose `rules` are
//! the rules the result names (description and help from `Bundle::explain`,
//! controls as `properties.tags`), and one result per item that did not
//! pass or was not skipped: level `error` when it fails the verdict or is
//! a load error, `note` when it holds the verdict (pending, hold, needs a
//! decision) or only informs, `warning` when it warns. Results point at the
//! facts (or plan, records, test, policy) file as a relative URI, with a
//! region when the line is known; the message names the facts paths the
//! rule read.
//!
//! Hand-written serde types of the part of the schema used, checked
//! against the official schema by the Python tests
//! (`bindings/cli/tests/data/sarif-schema-2.1.0.json`); `serde-sarif`
//! generates its types at build time with `syn` 1 and `Inflector`, more
//! than this small subset is worth.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Item, Location, Report, Status};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://example.invalid/release-policy";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    properties: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text<'a>>,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    exit_code: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    kind: &'static str,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<ResultLocation>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    group: String,
    outcome: &'static str,
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    facts_paths: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    details: Vec<String>,
}

/// A path as a relative URI reference: forward slashes, and every byte
/// outside RFC 3986's unreserved set and `/` percent-encoded.
pub(crate) fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn location(l: &Location) -> Vec<ResultLocation> {
    let Some(file) = &l.file else {
        return Vec::new();
    };
    vec![ResultLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(file) },
            region: l.line.map(|start_line| Region {
                start_line,
                start_column: l.column,
            }),
        },
    }]
}

fn result(i: &Item, index: Option<usize>) -> SarifResult {
    let mut text = i.message.clone();
    if !i.paths.is_empty() {
        let paths: Vec<String> = i.paths.iter().map(|p| format!("`{p}`")).collect();
        text.push_str(&format!(" (read {})", paths.join(", ")));
    }
    if text.trim().is_empty() {
        text = i.id.clone();
    }
    let outcome = match i.status {
        Status::Fail => "fail",
        Status::Error => "error",
        Status::Waiting => "waiting",
        Status::Pass => "pass",
        Status::Skipped => "skipped",
    };
    SarifResult {
        rule_id: i.id.clone(),
        rule_index: index,
        kind: if i.status == Status::Waiting {
            "open"
        } else {
            "fail"
        },
        level: i.severity.sarif_level(),
        message: Message { text },
        locations: location(&i.location),
        properties: ResultProperties {
            group: i.group.clone(),
            outcome,
            kind: i.kind.clone(),
            facts_paths: i.paths.clone(),
            details: i.details.clone(),
        },
    }
}

/// The report as a SARIF 2.1.0 log (indented JSON and a newline).
pub(crate) fn render(r: &Report) -> String {
    let rules: Vec<Rule> = r
        .rules
        .iter()
        .map(|m| Rule {
            id: &m.id,
            short_description: Text { text: &m.short },
            full_description: Text { text: &m.full },
            help: (!m.help.is_empty()).then_some(Text { text: &m.help }),
            properties: RuleProperties {
                tags: &m.tags,
                policy: m.policy.as_deref(),
            },
        })
        .collect();
    let results = r
        .items
        .iter()
        .filter(|i| matches!(i.status, Status::Fail | Status::Error | Status::Waiting))
        .map(|i| result(i, r.rules.iter().position(|m| m.id == i.id)))
        .collect();
    let mut properties = BTreeMap::new();
    properties.insert("command", r.command.to_string());
    properties.insert("verdict", r.verdict.clone());
    properties.insert("summary", r.summary.clone());
    if let Some(t) = &r.timestamp {
        properties.insert("now", t.clone());
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "release-policy",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: r.exit != 2,
                exit_code: r.exit,
            }],
            results,
            properties,
        }],
    };
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_relative_uris() {
        assert_eq!(uri("./examples/a b.yaml"), "examples/a%20b.yaml");
        assert_eq!(uri("dir\\x#1.yaml"), "dir/x%231.yaml");
    }
}
