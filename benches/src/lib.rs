//! Support for the benchmarks: the Rego translation of the built-in pack
//! (`rego/release.rego`), a prepared regorus engine, and a common shape for
//! the outcome of either engine, so that the agreement test
//! (`tests/agreement.rs`) can check that both decide the same before the
//! benchmark (`benches/check.rs`) compares their speed; and the same pack
//! written by hand in plain Rust (`handwritten`), the floor beside both.

pub mod catalog;
pub mod handwritten;
pub mod records;
pub mod rollout;
pub mod worst;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use release_policy::testing::{Command, PolicyTest};
use release_policy::{Decision, Outcome};
use release_policy::{Effect, Facts, Limits};

/// The built-in pack, translated to Rego.
pub const REGO: &str = include_str!("../rego/release.rego");

/// The rule that gives `{verdict, deny, pending, warn}`.
pub const RESULT_RULE: &str = "data.release.result";

/// The workspace root (for `examples/` and `policies/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The no-go example the benchmarks use.
pub fn example_path() -> PathBuf {
    workspace_root().join("examples/releases/checkout-2.4.0.yaml")
}

/// The base facts of the pack's policy tests (verdict: go).
pub fn base_path() -> PathBuf {
    workspace_root().join("policies/testdata/base.yaml")
}

/// One case of the pack's policy tests, as facts to check.
pub struct PolicyTestCase {
    /// `file name / case name`.
    pub name: String,
    /// The case's facts (the test's base with the case's patch applied, or
    /// the case's own facts).
    pub facts: Facts,
}

/// Every `check` case of the pack's policy tests (`policies/**/*.test.yaml`)
/// whose facts are well formed, in file order: the net both agreement tests
/// cast. Cases about rollout assessment, and cases whose facts are refused
/// before any decision, are left out.
pub fn policy_test_cases(limits: &Limits) -> Result<Vec<PolicyTestCase>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![workspace_root().join("policies")];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".test.yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let mut out = Vec::new();
    for file in &files {
        let test: PolicyTest =
            yaml_serde::from_str(&read(file)?).map_err(|e| format!("{}: {e}", file.display()))?;
        if test.spec.command == Command::Assess {
            continue;
        }
        let base: Option<serde_json::Value> = match &test.spec.base {
            Some(b) => {
                let path = file.parent().unwrap_or(Path::new(".")).join(b);
                Some(
                    yaml_serde::from_str(&read(&path)?)
                        .map_err(|e| format!("{}: {e}", path.display()))?,
                )
            }
            None => None,
        };
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for case in &test.spec.cases {
            let json = match (&case.facts, &base) {
                (Some(f), _) => f.clone(),
                (None, Some(b)) => {
                    let mut j = b.clone();
                    if let Some(p) = &case.patch {
                        release_policy::unstable::merge_patch(&mut j, p);
                    }
                    j
                }
                (None, None) => continue,
            };
            // Cases about malformed facts never reach a decision.
            let Ok(facts) = Facts::from_json_value(json, limits) else {
                continue;
            };
            out.push(PolicyTestCase {
                name: format!("{file_name} / {}", case.name),
                facts,
            });
        }
    }
    Ok(out)
}

/// A regorus engine with the Rego translation loaded: prepared once, then
/// `set_input` + `eval_rule` per decision.
pub fn rego_engine() -> Result<regorus::Engine, String> {
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("release.rego".into(), REGO.into())
        .map_err(|e| e.to_string())?;
    Ok(engine)
}

/// Evaluate the translation for `input` on a prepared engine.
pub fn rego_eval(
    engine: &mut regorus::Engine,
    input: regorus::Value,
) -> Result<regorus::Value, String> {
    engine.set_input(input);
    engine
        .eval_rule(RESULT_RULE.into())
        .map_err(|e| e.to_string())
}

/// What both engines are compared on: the verdict and which rules fail, by
/// what they do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcomes {
    /// `go`, `no-go` or `pending`.
    pub verdict: String,
    /// Failed (or erring) `block` rules, vetoed or refused approvals.
    pub deny: BTreeSet<String>,
    /// Failed `approval` gates and approval rules still missing approvals.
    pub pending: BTreeSet<String>,
    /// Failed `warn` gates.
    pub warn: BTreeSet<String>,
}

impl Outcomes {
    /// From a release-policy decision.
    pub fn from_decision(d: &Decision) -> Outcomes {
        let mut o = Outcomes {
            verdict: d.verdict().as_str().to_string(),
            ..Default::default()
        };
        for f in d.findings() {
            let failed = matches!(f.outcome(), Outcome::Fail | Outcome::Error | Outcome::Warn);
            if !failed {
                continue;
            }
            let set = match f.effect() {
                Effect::Block => &mut o.deny,
                Effect::Approval | Effect::Pending => &mut o.pending,
                Effect::Warn => &mut o.warn,
            };
            set.insert(f.rule().to_string());
        }
        o
    }

    /// From the value of `data.release.result`.
    pub fn from_rego(v: &regorus::Value) -> Result<Outcomes, String> {
        let field = |name: &str| -> Result<BTreeSet<String>, String> {
            let set = v[name].as_set().map_err(|e| format!("`{name}`: {e}"))?;
            set.iter()
                .map(|s| {
                    s.as_string()
                        .map(|s| s.to_string())
                        .map_err(|e| e.to_string())
                })
                .collect()
        };
        let verdict = v["verdict"]
            .as_string()
            .map_err(|e| format!("`verdict`: {e}"))?
            .to_string();
        Ok(Outcomes {
            verdict,
            deny: field("deny")?,
            pending: field("pending")?,
            warn: field("warn")?,
        })
    }
}
