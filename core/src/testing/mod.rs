//! Policy tests, as `opa test` runs them: files named `*.test.yaml` beside
//! the policies, each with cases of facts (a base facts file patched with a
//! JSON merge patch, or inline facts) and the expected verdict and rule
//! outcomes. A file tests `check` (release facts), with `command: assess`
//! `assess` (rollout facts), or with `command: review` `review` (release
//! records). A coverage report lists the rules that lack a passing or a
//! failing case.

pub(crate) mod patch;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::bundle::Bundle;
use crate::error::{Error, ErrorCode, PolicyError, SourceLocation};
use crate::lang::load::{files_under, read_text, refuse_deep_yaml, yaml_error};
use crate::model::{Facts, RolloutFacts};
use crate::plan::Catalog;
use crate::vocab::Outcome;

/// A policy test file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicyTest {
    /// `release-policy/v1`.
    pub api_version: String,
    /// `PolicyTest`.
    pub kind: String,
    /// Its name.
    pub metadata: TestMetadata,
    /// The cases.
    pub spec: TestSpec,
}

/// Name of a test file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TestMetadata {
    /// Name.
    pub name: String,
}

/// The cases of a test file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct TestSpec {
    /// What the cases run: `check` (default), `assess` or `review`.
    #[serde(default)]
    pub command: Command,
    /// Facts file the cases patch, relative to the test file.
    #[serde(default)]
    pub base: Option<String>,
    /// A catalog (a directory or one file), relative to the test file:
    /// the cases run with it, as `check --catalog` / `assess --catalog`
    /// do.
    #[serde(default)]
    pub catalog: Option<String>,
    /// The cases.
    pub cases: Vec<TestCase>,
}

/// What a test file's cases run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Command {
    /// `check` release facts.
    #[default]
    Check,
    /// `assess` rollout facts.
    Assess,
    /// `review` release records: a case's facts are one record (its
    /// criteria judged), or `{records: [...], from, to}` (a period
    /// reviewed: criteria over every record, instability rules over the
    /// services).
    Review,
}

impl Command {
    /// `check` or `assess`, as written in a test file.
    pub fn as_str(&self) -> &'static str {
        match self {
            Command::Check => "check",
            Command::Assess => "assess",
            Command::Review => "review",
        }
    }
}

/// One case.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct TestCase {
    /// What it shows.
    pub name: String,
    /// Complete facts (instead of base + patch).
    #[serde(default)]
    pub facts: Option<Json>,
    /// A JSON merge patch (RFC 7386) over the base facts.
    #[serde(default)]
    pub patch: Option<Json>,
    /// What must come out.
    pub expect: Expectation,
}

/// The expected result of a case.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Expectation {
    /// The verdict, when checked: `go`, `no-go`, `pending` for `check`;
    /// `promote`, `continue`, `hold`, `rollback` for `assess`.
    #[serde(default)]
    pub verdict: Option<String>,
    /// Rule id → outcome.
    #[serde(default)]
    pub rules: BTreeMap<String, Outcome>,
    /// Rule ids of the approvals expected to be missing (exactly these).
    #[serde(default)]
    pub missing_approvals: Option<Vec<String>>,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CaseResult {
    /// The test file.
    pub file: String,
    /// The case name.
    pub name: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// What did not hold.
    pub failures: Vec<String>,
}

/// Rules without a passing or without a failing case.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CoverageGap {
    /// The rule id.
    pub rule: String,
    /// What is missing: `passing case`, `failing case`.
    pub missing: Vec<String>,
}

/// The results of a test run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TestReport {
    /// Every case.
    pub cases: Vec<CaseResult>,
    /// Rules lacking cases.
    pub gaps: Vec<CoverageGap>,
}

impl TestReport {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

fn is_test_file(p: &Path) -> bool {
    crate::lang::load::file_kind(p) == crate::lang::load::FileKind::Test
}

/// Run every `*.test.yaml` below `dir` against the policies of `dir`.
pub fn run_dir(dir: &Path) -> Result<TestReport, Error> {
    run_layers(&[dir.to_path_buf()], false)
}

/// Run the policy tests of a stack of layers, as `check --policies A
/// --policies B` layers them (after the built-in pack when `builtin`):
/// the `*.test.yaml` files of every directory run against the whole stack,
/// and the coverage gaps are those of the rules written in the
/// directories (the built-in pack's rules are tested where it is kept).
pub fn run_layers(dirs: &[PathBuf], builtin: bool) -> Result<TestReport, Error> {
    let mut builder = Bundle::builder();
    if builtin {
        builder = builder.builtin_layer();
    }
    let bundle = dirs.iter().fold(builder, |b, d| b.dir_layer(d)).build()?;
    let mut files = Vec::new();
    let mut own: BTreeSet<String> = BTreeSet::new();
    let limits = bundle.limits().clone();
    for dir in dirs {
        files.extend(files_under(dir, is_test_file)?);
        for source in crate::lang::load::dir_sources(dir, &limits)? {
            // The layer built above, so every source parses.
            for mut d in crate::lang::load::parse(&source, &limits).unwrap_or_default() {
                own.extend(
                    d.doc
                        .spec
                        .take_rules()
                        .into_iter()
                        .map(|(r, _)| r.id().to_string()),
                );
            }
        }
    }
    let mut report = run_files(&bundle, &files)?;
    report.gaps.retain(|g| own.contains(&g.rule));
    Ok(report)
}

/// Run test files against a bundle.
pub fn run_files(bundle: &Bundle, files: &[PathBuf]) -> Result<TestReport, Error> {
    let limits = bundle.limits().clone();
    let mut cases = Vec::new();
    let mut exercised: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for file in files {
        let name = file.display().to_string();
        let text = read_text(file, limits.max_policy_bytes)?;
        refuse_deep_yaml(&name, &text, &limits)?;
        let test: PolicyTest = yaml_serde::from_str(&text).map_err(|e| {
            let syntax = yaml_serde::from_str::<yaml_serde::Value>(&text).is_err();
            let code = if syntax {
                ErrorCode::PolicyYamlSyntax
            } else {
                ErrorCode::PolicyInvalidField
            };
            let mut err = yaml_error(&name, &e, code);
            if err.code == ErrorCode::PolicyUnknownField {
                err.hint =
                    Some("see docs/policy-tests.md for the fields a test file may have".into());
            }
            Error::from(err)
        })?;
        if test.api_version != crate::lang::document::API_VERSION {
            return Err(PolicyError::new(
                ErrorCode::UnsupportedApiVersion,
                SourceLocation::file(&name),
                format!(
                    "unsupported apiVersion `{}` in a test file",
                    test.api_version
                ),
            )
            .with_hint(format!(
                "use `apiVersion: {}`",
                crate::lang::document::API_VERSION
            ))
            .into());
        }
        if test.kind != "PolicyTest" {
            return Err(PolicyError::new(
                ErrorCode::UnsupportedKind,
                SourceLocation::file(&name),
                format!("unsupported kind `{}` in a test file", test.kind),
            )
            .with_hint("test files hold `kind: PolicyTest`")
            .into());
        }
        let dir = file.parent().unwrap_or(Path::new("."));
        let base = match &test.spec.base {
            Some(b) => Some(load_facts_json(&dir.join(b), limits.max_facts_bytes)?),
            None => None,
        };
        let catalog = match &test.spec.catalog {
            Some(c) => Some(load_catalog(&dir.join(c), &limits)?),
            None => None,
        };
        for case in &test.spec.cases {
            let run = Run {
                bundle,
                command: test.spec.command,
                catalog: catalog.as_ref(),
            };
            let result = run_case(&run, &name, base.as_ref(), case);
            // Only cases that hold count for coverage; a skipped rule is
            // neither a passing nor a failing case of it.
            if result.passed {
                for (rule, outcome) in &case.expect.rules {
                    let kind = match outcome {
                        Outcome::Pass => "passing case",
                        // Skipped and erring rules show neither side.
                        Outcome::Skipped | Outcome::Error => continue,
                        _ => "failing case",
                    };
                    exercised.entry(rule.clone()).or_default().insert(kind);
                }
            }
            cases.push(result);
        }
    }
    let gaps = bundle
        .rules()
        .into_iter()
        .filter_map(|info| {
            let rule = info.id().to_string();
            let seen = exercised.get(&rule);
            let missing: Vec<String> = ["passing case", "failing case"]
                .iter()
                .filter(|k| !seen.is_some_and(|s| s.contains(*k)))
                .map(|k| k.to_string())
                .collect();
            (!missing.is_empty()).then_some(CoverageGap { rule, missing })
        })
        .collect();
    Ok(TestReport { cases, gaps })
}

/// The catalog of a test file: a directory or one file.
fn load_catalog(path: &Path, limits: &crate::Limits) -> Result<Catalog, Error> {
    if path.is_dir() {
        Catalog::from_dir(path, limits)
    } else {
        Catalog::from_file(path, limits)
    }
}

/// What a test file's cases run against.
struct Run<'a> {
    bundle: &'a Bundle,
    command: Command,
    catalog: Option<&'a Catalog>,
}

fn load_facts_json(path: &Path, max: usize) -> Result<Json, Error> {
    let text = read_text(path, max)?;
    refuse_deep_yaml(
        &path.display().to_string(),
        &text,
        &crate::limits::Limits::default(),
    )?;
    yaml_serde::from_str(&text).map_err(|e| {
        let name = path.display().to_string();
        let loc = e.location().map_or_else(
            || SourceLocation::file(&name),
            |l| SourceLocation::new(&name, l.line(), l.column()),
        );
        Error::from(PolicyError::new(
            ErrorCode::PolicyYamlSyntax,
            loc,
            e.to_string(),
        ))
    })
}

/// What a case produced: the verdict, each rule's outcome and message,
/// and the missing approvals (for `check`).
struct Produced {
    verdict: &'static str,
    rules: BTreeMap<String, (Outcome, String)>,
    missing: Option<Vec<String>>,
}

fn produce(run: &Run<'_>, json: Json) -> Result<Produced, Error> {
    let bundle = run.bundle;
    match run.command {
        Command::Check => {
            let facts = Facts::from_json_value(json, bundle.limits())?;
            let d = match run.catalog {
                Some(c) => bundle.check_with_catalog(&facts, c)?,
                None => bundle.check(&facts)?,
            };
            Ok(Produced {
                verdict: d.verdict.as_str(),
                rules: d
                    .findings
                    .iter()
                    .map(|f| (f.rule().to_string(), (f.outcome, f.message().to_string())))
                    .collect(),
                missing: Some(d.missing_approvals.iter().map(|m| m.rule.clone()).collect()),
            })
        }
        Command::Assess => {
            let facts = RolloutFacts::from_json_value(json, bundle.limits())?;
            let a = match run.catalog {
                Some(c) => bundle.assess_with_catalog(&facts, c)?,
                None => bundle.assess(&facts)?,
            };
            Ok(Produced {
                verdict: a.verdict.as_str(),
                rules: a
                    .findings
                    .iter()
                    .map(|f| (f.rule().to_string(), (f.outcome, f.message().to_string())))
                    .collect(),
                missing: None,
            })
        }
        Command::Review => review_case(bundle, json),
    }
}

/// A `review` case: one record (its criteria), or a period of records
/// (criteria over all — `fail` when one record fails, `error` when one
/// errs, `skipped` when all skip — and instability rules over the
/// services: `fail` when the rule flags one). The verdict is the review's
/// (`pass`, `fail`, `no-deployments`).
fn review_case(bundle: &Bundle, json: Json) -> Result<Produced, Error> {
    use crate::review::{Period, Records, ReviewOptions, ReviewVerdict, Thresholds};
    let limits = bundle.limits();
    let time = |key: &str| -> Result<Option<crate::model::Timestamp>, Error> {
        match json.get(key).and_then(Json::as_str) {
            None => Ok(None),
            Some(t) => chrono::DateTime::parse_from_rfc3339(t)
                .map(|t| Some(t.to_utc()))
                .map_err(|e| {
                    Error::from(crate::error::FactsError::new(
                        ErrorCode::FactsWrongType,
                        format!("`{key}` is not an RFC 3339 instant: {e}"),
                    ))
                }),
        }
    };
    let single = json.get("apiVersion").is_some();
    let items: Vec<Json> = if single {
        vec![json.clone()]
    } else {
        json.get("records")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let sources = items
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("record-{i}.json"), r.to_string()))
        .collect();
    let records = Records::from_sources(sources, limits)?;
    let mut rules: BTreeMap<String, (Outcome, String)> = BTreeMap::new();
    if single {
        let id = records
            .iter()
            .next()
            .map(|r| (r.release.id.clone(), r.last_event()));
        let Some((id, now)) = id else {
            return Err(Error::evaluation(
                ErrorCode::EvaluationFailed,
                "the case holds no record",
            ));
        };
        let outcome = bundle.review_release(&records, &id, now, &Thresholds::default())?;
        let failed = outcome
            .criteria
            .iter()
            .any(|c| c.required && matches!(c.outcome, Outcome::Fail | Outcome::Error));
        for c in outcome.criteria {
            rules.insert(c.criterion, (c.outcome, c.message));
        }
        return Ok(Produced {
            verdict: if failed { "fail" } else { "pass" },
            rules,
            missing: None,
        });
    }
    let mut options = ReviewOptions::default();
    if let (Some(from), Some(to)) = (time("from")?, time("to")?) {
        options = options.period(Period::new(from, to)?);
    }
    let review = bundle.review(&records, &options)?;
    for c in &review.criteria {
        let unmet: Vec<&crate::review::Unmet> = review
            .unmet
            .iter()
            .filter(|u| u.criterion == c.criterion)
            .collect();
        let (outcome, message) = if c.failed + c.errors == 0 {
            let o = if c.passed == 0 && c.skipped > 0 {
                Outcome::Skipped
            } else {
                Outcome::Pass
            };
            (o, format!("{} met, {} skipped", c.passed, c.skipped))
        } else {
            let o = if c.errors > 0 {
                Outcome::Error
            } else {
                Outcome::Fail
            };
            let first = unmet.first().map(|u| u.message.clone()).unwrap_or_default();
            (o, first)
        };
        rules.insert(c.criterion.clone(), (outcome, message));
    }
    for info in bundle.rules().iter().filter(|r| r.kind() == "instability") {
        let flagged: Vec<&str> = review
            .stability
            .iter()
            .filter(|s| s.rules.iter().any(|r| r == info.id()))
            .map(|s| s.service.as_str())
            .collect();
        let outcome = if flagged.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        rules.insert(
            info.id().to_string(),
            (
                outcome,
                format!("chronically unstable: {}", flagged.join(", ")),
            ),
        );
    }
    Ok(Produced {
        verdict: match review.verdict {
            ReviewVerdict::Pass => "pass",
            ReviewVerdict::Fail => "fail",
            _ => "no-deployments",
        },
        rules,
        missing: None,
    })
}

fn run_case(run: &Run<'_>, file: &str, base: Option<&Json>, case: &TestCase) -> CaseResult {
    let mut failures = Vec::new();
    let e = &case.expect;
    if e.verdict.is_none() && e.rules.is_empty() && e.missing_approvals.is_none() {
        failures.push(
            "the case expects nothing: give `verdict`, `rules` or `missingApprovals`".to_string(),
        );
    }
    let facts_json = match (&case.facts, base) {
        (Some(f), _) => Some(f.clone()),
        (None, Some(b)) => {
            let mut v = b.clone();
            if let Some(p) = &case.patch {
                patch::merge(&mut v, p);
            }
            Some(v)
        }
        (None, None) => {
            failures.push("the case gives no `facts` and the file no `base`".to_string());
            None
        }
    };
    if let Some(json) = facts_json {
        match produce(run, json) {
            Err(e @ Error::Facts(_)) => failures.push(format!("facts rejected: {e}")),
            Err(e) => failures.push(format!("could not evaluate: {e}")),
            Ok(d) => {
                if let Some(v) = &case.expect.verdict {
                    if d.verdict != v {
                        failures.push(format!("verdict: expected `{v}`, got `{}`", d.verdict));
                    }
                }
                for (rule, want) in &case.expect.rules {
                    match d.rules.get(rule) {
                        None => failures.push(format!("rule `{rule}` is not in the bundle")),
                        Some((got, message)) if got != want => failures.push(format!(
                            "rule `{rule}`: expected `{}`, got `{}` ({message})",
                            want.as_str(),
                            got.as_str(),
                        )),
                        Some(_) => {}
                    }
                }
                if let Some(want) = &case.expect.missing_approvals {
                    match &d.missing {
                        None => failures
                            .push("`missingApprovals` applies to `check` cases only".to_string()),
                        Some(got) => {
                            let mut got: Vec<&str> = got.iter().map(String::as_str).collect();
                            got.sort_unstable();
                            let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
                            want.sort_unstable();
                            if got != want {
                                failures.push(format!(
                                    "missing approvals: expected {want:?}, got {got:?}"
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    CaseResult {
        file: file.to_string(),
        name: case.name.clone(),
        passed: failures.is_empty(),
        failures,
    }
}
