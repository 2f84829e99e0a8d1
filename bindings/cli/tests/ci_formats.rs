//! The CI formats (`--format junit|sarif|github`) end to end: exit codes
//! as with the other formats, JUnit counts equal to the result's (read from
//! its `--format json`), every failing rule in every format, hostile text
//! escaped, load errors located at `file:line:column` on stdout too, and
//! byte-identical runs. `bindings/python/tests/test_ci_formats.py` checks
//! the same outputs with real parsers (the SARIF schema, junitparser).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cli() -> Command {
    let mut c = Command::cargo_bin("release-policy").unwrap();
    c.current_dir(root());
    c
}

/// stdout and the exit code of `args`.
fn run(args: &[&str]) -> (String, i32) {
    let out = cli().args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn with_format<'a>(args: &[&'a str], format: &'a str) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend(["--format", format]);
    v
}

const CI: [&str; 3] = ["junit", "sarif", "github"];

/// Every command on the examples, with the exit code of its default format.
const CASES: &[(&[&str], i32)] = &[
    (&["check", "examples/releases/checkout-2.4.0.yaml"], 1),
    (&["check", "examples/releases/payments-1.8.0.yaml"], 0),
    (&["check", "examples/releases/search-3.0.0.yaml"], 3),
    (
        &[
            "assess",
            "examples/rollouts/checkout-latency-regression.yaml",
        ],
        1,
    ),
    (
        &["assess", "examples/rollouts/checkout-canary-healthy.yaml"],
        0,
    ),
    (&["assess", "examples/rollouts/checkout-no-data.yaml"], 3),
    (
        &[
            "plan",
            "--catalog",
            "examples/catalog",
            "examples/plans/ok.yaml",
        ],
        0,
    ),
    (
        &[
            "plan",
            "--catalog",
            "examples/catalog",
            "examples/plans/blocked.yaml",
        ],
        1,
    ),
    (
        &[
            "plan",
            "--catalog",
            "examples/catalog",
            "examples/plans/needs-decision.yaml",
        ],
        3,
    ),
    (&["review", "--records", "examples/records"], 1),
    (
        &[
            "review",
            "--records",
            "examples/records",
            "--release",
            "payments-1.9.1",
        ],
        0,
    ),
    (&["test", "policies"], 0),
    (&["lint", "policies"], 0),
];

/// `name="…"` attribute values of the elements `tag` in an XML text.
fn attr(xml: &str, tag: &str, name: &str) -> Vec<String> {
    xml.split(&format!("<{tag} "))
        .skip(1)
        .filter_map(|rest| {
            let start = rest
                .find(&format!(" {name}=\""))
                .map(|i| i + name.len() + 3)
                .or_else(|| {
                    rest.starts_with(&format!("{name}=\""))
                        .then_some(name.len() + 2)
                })?;
            let end = rest[start..].find('"')? + start;
            Some(rest[start..end].to_string())
        })
        .collect()
}

/// The root's counts: tests, failures, errors, skipped.
fn junit_counts(xml: &str) -> [usize; 4] {
    ["tests", "failures", "errors", "skipped"]
        .map(|n| attr(xml, "testsuites", n)[0].parse().unwrap())
}

#[test]
fn exit_codes_are_the_same_in_every_format() {
    for (args, code) in CASES {
        let (_, default) = run(args);
        assert_eq!(default, *code, "{args:?}");
        for f in CI {
            let (out, got) = run(&with_format(args, f));
            assert_eq!(got, *code, "{args:?} --format {f}");
            assert!(!out.is_empty(), "{args:?} --format {f}: no output");
        }
    }
}

#[test]
fn check_and_assess_junit_counts_equal_the_json_and_every_failing_rule_shows() {
    for (args, _) in CASES
        .iter()
        .filter(|(a, _)| a[0] == "check" || a[0] == "assess")
    {
        let json: Value = serde_json::from_str(&run(&with_format(args, "json")).0).unwrap();
        let findings = json["findings"].as_array().unwrap();
        let of = |outcomes: &[&str]| {
            findings
                .iter()
                .filter(|f| outcomes.contains(&f["outcome"].as_str().unwrap()))
                .count()
        };
        let expected = [
            findings.len(),
            of(&["fail", "warn"]),
            of(&["error"]),
            of(&["skipped", "no-data"]),
        ];
        let xml = run(&with_format(args, "junit")).0;
        assert_eq!(junit_counts(&xml), expected, "{args:?}\n{xml}");
        assert_eq!(attr(&xml, "testcase", "name").len(), findings.len());
        if args[0] == "check" {
            let s = &json["summary"];
            let n = |k: &str| s[k].as_u64().unwrap() as usize;
            assert_eq!(expected[1], n("fail") + n("warn"));
            assert_eq!(expected[3], n("skipped"));
            // The only timestamp is the decision's `now`.
            let now = json["now"].as_str().unwrap().trim_end_matches('Z');
            assert!(
                attr(&xml, "testsuite", "timestamp")
                    .iter()
                    .all(|t| t == now)
            );
        }
        let sarif: Value = serde_json::from_str(&run(&with_format(args, "sarif")).0).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let github = run(&with_format(args, "github")).0;
        for f in findings {
            let rule = f["rule"].as_str().unwrap();
            let outcome = f["outcome"].as_str().unwrap();
            let failing = ["fail", "warn", "error", "no-data"].contains(&outcome);
            let in_sarif = results.iter().any(|r| r["ruleId"] == rule);
            let in_github = github.lines().any(|l| l.contains(&format!("title={rule}")));
            let tag = if outcome == "error" {
                "error"
            } else {
                "failure"
            };
            let in_junit = xml.contains(&format!("name=\"{rule}\">\n      <{tag} "))
                || (outcome == "no-data"
                    && xml.contains(&format!("name=\"{rule}\">\n      <skipped message=")));
            assert_eq!(in_sarif, failing, "{args:?} {rule} in SARIF");
            assert_eq!(in_github, failing, "{args:?} {rule} in GitHub");
            assert_eq!(in_junit, failing, "{args:?} {rule} in JUnit");
        }
        assert_eq!(results.len(), of(&["fail", "warn", "error", "no-data"]));
    }
}

#[test]
fn sarif_levels_follow_the_effect() {
    let sarif: Value = serde_json::from_str(
        &run(&[
            "check",
            "examples/releases/checkout-2.4.0.yaml",
            "--format",
            "sarif",
        ])
        .0,
    )
    .unwrap();
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["tool"]["driver"]["name"], "release-policy");
    let level = |rule: &str| {
        run0["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == rule)
            .map(|r| r["level"].as_str().unwrap().to_string())
    };
    assert_eq!(level("sca-no-critical").as_deref(), Some("error"));
    assert_eq!(level("sast-no-high").as_deref(), Some("warning"));
    // Located at the facts file, at the line of the path the rule read.
    let r = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "rollback-within-budget")
        .unwrap();
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "examples/releases/checkout-2.4.0.yaml"
    );
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    let facts =
        std::fs::read_to_string(root().join("examples/releases/checkout-2.4.0.yaml")).unwrap();
    assert!(
        facts
            .lines()
            .nth(line - 1)
            .unwrap()
            .trim_start()
            .starts_with("duration:")
    );
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("`readiness.rollback.duration`")
    );
    // Rule metadata from `explain`, controls as tags.
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let sca = rules.iter().find(|x| x["id"] == "sca-no-critical").unwrap();
    assert!(!sca["properties"]["tags"].as_array().unwrap().is_empty());
    assert!(
        sca["help"]["text"]
            .as_str()
            .unwrap()
            .contains("\"policy\": \"security-scans\"")
    );
    // Pending approvals are notes.
    let pending: Value = serde_json::from_str(
        &run(&[
            "check",
            "examples/releases/search-3.0.0.yaml",
            "--format",
            "sarif",
        ])
        .0,
    )
    .unwrap();
    let levels: Vec<&str> = pending["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert!(
        !levels.is_empty() && levels.iter().all(|l| *l == "note"),
        "{levels:?}"
    );
}

fn temp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ci-formats-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const HOSTILE: &str = "<script>&\"]]>\u{1}";

/// A facts file whose release id, and a policy whose message, are hostile.
fn hostile() -> (PathBuf, PathBuf) {
    let dir = temp("hostile");
    let facts = std::fs::read_to_string(root().join("examples/releases/checkout-2.4.0.yaml"))
        .unwrap()
        .replacen(
            "id: checkout-2.4.0",
            "id: \"checkout-<script>&\\\"]]>\\u0001\\r\\n::error::x%,:\"",
            1,
        );
    std::fs::write(dir.join("facts.yaml"), facts).unwrap();
    let policies = dir.join("policies");
    std::fs::create_dir_all(&policies).unwrap();
    std::fs::write(
        policies.join("p.yaml"),
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: hostile, version: 1.0.0}\nspec:\n  gates:\n    - id: hostile-gate\n      expression: release.id == \"never\"\n      message: \"<script>&\\\"]]> \\u0001 line\\nbreak ::error::x 100%, a:b\"\n",
    )
    .unwrap();
    (dir.join("facts.yaml"), policies)
}

#[test]
fn hostile_text_is_escaped() {
    let (facts, policies) = hostile();
    let args = |f: &'static str| {
        vec![
            "check".to_string(),
            "--policies".into(),
            policies.display().to_string(),
            facts.display().to_string(),
            "--format".into(),
            f.into(),
        ]
    };
    let out = cli().args(args("junit")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(!xml.contains(HOSTILE) && !xml.contains("<script>") && !xml.contains("]]>"));
    assert!(!xml.chars().any(|c| c.is_control() && c != '\n'), "{xml:?}");
    assert!(xml.contains("&lt;script&gt;&amp;&quot;]]&gt;"));
    let out = cli().args(args("github")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let github = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = github.lines().collect();
    // One command and the summary: no line break or `::` command injected.
    assert_eq!(lines.len(), 2, "{github}");
    assert!(lines[0].starts_with("::error file="));
    assert!(lines[0].contains("line%0Abreak") && lines[0].contains("100%25"));
    assert!(lines[1].starts_with("release-policy check: NO-GO"));
    assert!(!github.contains('\r') && !github.chars().any(|c| c.is_control() && c != '\n'));
    let out = cli().args(args("sarif")).output().unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        sarif["runs"][0]["results"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains(HOSTILE.trim_end_matches('\u{1}'))
    );
}

#[test]
fn a_broken_policy_is_located_in_every_format_and_still_exits_2() {
    let dir = temp("broken");
    std::fs::write(
        dir.join("p.yaml"),
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: bad, version: 1.0.0}\nspec:\n  gates:\n    - id: g1\n      expression: release.nope ==\n      message: x\n",
    )
    .unwrap();
    let file = dir.join("p.yaml").display().to_string();
    for command in [
        vec!["check", "examples/releases/checkout-2.4.0.yaml"],
        vec!["lint"],
        vec!["test"],
    ] {
        let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        if command[0] == "check" {
            args.extend(["--policies".into(), dir.display().to_string()]);
        } else {
            args.push(dir.display().to_string());
        }
        for f in CI {
            let mut a = args.clone();
            a.extend(["--format".into(), f.into()]);
            let out = cli().args(&a).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{a:?}");
            let err = String::from_utf8(out.stderr).unwrap();
            assert!(
                err.starts_with(&format!("error[RP0201]: {file}:7:34: ")),
                "{err}"
            );
            let stdout = String::from_utf8(out.stdout).unwrap();
            match f {
                "sarif" => {
                    let s: Value = serde_json::from_str(&stdout).unwrap();
                    let r = &s["runs"][0]["results"][0];
                    assert_eq!(r["ruleId"], "RP0201");
                    assert_eq!(r["level"], "error");
                    let region = &r["locations"][0]["physicalLocation"]["region"];
                    assert_eq!(
                        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
                        (Some(7), Some(34))
                    );
                    assert_eq!(s["runs"][0]["invocations"][0]["exitCode"], 2);
                }
                "github" => {
                    let esc = file.replace(':', "%3A").replace(',', "%2C");
                    assert!(
                        stdout
                            .starts_with(&format!("::error file={esc},line=7,col=34,title=RP0201")),
                        "{stdout}"
                    );
                }
                _ => {
                    assert_eq!(junit_counts(&stdout), [1, 0, 1, 0], "{stdout}");
                    assert!(stdout.contains("<error message=\"rule `g1`: syntax error"));
                }
            }
        }
    }
}

#[test]
fn lint_warnings_are_located_failures() {
    let dir = temp("lint");
    std::fs::write(
        dir.join("p.yaml"),
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: p, version: 1.0.0}\nspec:\n  gates:\n    - {id: a, expression: 'service.tier <= 2 || release.kind == \"hotfix\"'}\n",
    )
    .unwrap();
    let d = dir.display().to_string();
    let (xml, code) = run(&["lint", &d, "--format", "junit"]);
    assert_eq!(code, 0);
    assert_eq!(junit_counts(&xml), [1, 1, 0, 0], "{xml}");
    let (sarif, code) = run(&["lint", &d, "--format", "sarif", "--deny-warnings"]);
    assert_eq!(code, 1);
    let s: Value = serde_json::from_str(&sarif).unwrap();
    let r = &s["runs"][0]["results"][0];
    assert_eq!(
        (r["ruleId"].as_str(), r["level"].as_str()),
        (Some("RP0701"), Some("error"))
    );
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
    let (github, _) = run(&["lint", &d, "--format", "github"]);
    assert!(github.starts_with("::warning file="), "{github}");
    assert!(github.contains(",line=6,col=28,title=RP0701"), "{github}");
}

#[test]
fn outputs_are_deterministic() {
    for (args, _) in CASES {
        for f in CI {
            let a = with_format(args, f);
            assert_eq!(run(&a).0, run(&a).0, "{a:?}");
        }
    }
}
