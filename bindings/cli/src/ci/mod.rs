//! CI-native outputs: JUnit XML, SARIF 2.1.0 and GitHub Actions workflow
//! commands, for `check`, `assess`, `plan`, `review`, `test` and `lint`.
//!
//! Presentation only. Each command's result (a decision, an assessment, a
//! plan, a review, a test report, a lint result, or the error that stopped
//! the command) is first turned into one [`Report`]: a list of [`Item`]s,
//! one per rule (or test case, or check), each with its status, how much
//! it weighs on the verdict (its [`Severity`], read from the library's
//! effect or action, never recomputed) and where it points. The three
//! renderers ([`junit`], [`sarif`], [`github`]) only format that list, so
//! the mapping is written once, in [`from_check`] and [`from_other`].
//! `docs/ci.md` documents it.

pub(crate) mod from_check;
pub(crate) mod from_other;
pub(crate) mod github;
pub(crate) mod junit;
pub(crate) mod locate;
pub(crate) mod sarif;

use release_policy::{Error, ErrorCode, SourceLocation};

/// The CI output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ci {
    Junit,
    Sarif,
    Github,
}

/// What an item did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Held (or was waived): a passing test case, no SARIF result.
    Pass,
    /// The rule's condition did not hold: a JUnit `<failure>`.
    Fail,
    /// The rule could not be evaluated, or the input could not be loaded:
    /// a JUnit `<error>`.
    Error,
    /// Not judged yet (no data): a JUnit `<skipped>` with its message, and
    /// a SARIF result / GitHub command at its severity.
    Waiting,
    /// Did not apply: a JUnit `<skipped/>`, nothing else.
    Skipped,
}

/// How much a non-passing item weighs on the verdict, as the library
/// decided it (the effect of a check rule, the action of a rollout rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    /// Makes the verdict fail (no-go, rollback, blocked, review fail;
    /// exit 1) or is a load error (exit 2): SARIF `error`, `::error`.
    Block,
    /// Holds the verdict (pending, hold, needs a decision; exit 3):
    /// SARIF `note`, `::notice`.
    Hold,
    /// Reported, never changes the verdict: SARIF `warning`, `::warning`.
    Warn,
    /// For information (a dry run, an uncovered rule): SARIF `note`,
    /// `::notice`.
    Info,
}

impl Severity {
    /// The SARIF `level`.
    pub(crate) fn sarif_level(self) -> &'static str {
        match self {
            Severity::Block => "error",
            Severity::Warn => "warning",
            Severity::Hold | Severity::Info => "note",
        }
    }

    /// The GitHub workflow command.
    pub(crate) fn github_command(self) -> &'static str {
        match self {
            Severity::Block => "error",
            Severity::Warn => "warning",
            Severity::Hold | Severity::Info => "notice",
        }
    }
}

/// Where an item points.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct Location {
    /// The file, as given on the command line (relative stays relative).
    pub file: Option<String>,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Location {
    pub(crate) fn file(file: Option<String>) -> Location {
        Location {
            file,
            ..Location::default()
        }
    }

    /// A policy or catalog error's place: `file:line:column` (line 0
    /// means the whole file).
    pub(crate) fn source(s: &SourceLocation) -> Location {
        Location {
            file: Some(s.file.clone()),
            line: (s.line > 0).then_some(s.line),
            column: (s.line > 0 && s.column > 0).then_some(s.column),
        }
    }
}

/// One rule, test case or check.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    /// The JUnit `classname`: the policy, test file, release or service.
    pub group: String,
    /// The JUnit `name` and the SARIF `ruleId`: the rule id, the test
    /// case's name, the error code.
    pub id: String,
    pub status: Status,
    pub severity: Severity,
    /// The JUnit failure's `type`: the rule's effect, action or kind.
    pub kind: String,
    /// One line.
    pub message: String,
    /// More lines: the values the rule read, the observed values.
    pub details: Vec<String>,
    /// The facts paths the rule read (for the SARIF message).
    pub paths: Vec<String>,
    pub location: Location,
}

/// A rule's metadata, for SARIF's `tool.driver.rules`.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleMeta {
    pub id: String,
    pub short: String,
    pub full: String,
    pub help: String,
    pub tags: Vec<String>,
    pub policy: Option<String>,
}

/// One command's result, ready to render.
#[derive(Clone, Debug)]
pub(crate) struct Report {
    /// `check`, `assess`, …: the JUnit suites' name.
    pub command: &'static str,
    /// The verdict word (`no-go`, `pass`, `error` for a load error).
    pub verdict: String,
    /// One plain line: the verdict and the counts.
    pub summary: String,
    /// From the result's own `now`, never the clock; none when it has none.
    pub timestamp: Option<String>,
    pub items: Vec<Item>,
    pub rules: Vec<RuleMeta>,
    /// The command's exit code (SARIF's invocation).
    pub exit: u8,
}

impl Report {
    /// Render in one format.
    pub(crate) fn render(&self, format: Ci) -> String {
        match format {
            Ci::Junit => junit::render(self),
            Ci::Sarif => sarif::render(self),
            Ci::Github => github::render(self),
        }
    }

    /// The metadata of a rule id seen in the items, from the error code's
    /// summary when no rule gave one (load errors, lint warnings).
    fn ensure_code_rules(&mut self, codes: &[ErrorCode]) {
        for code in codes {
            let id = code.as_str().to_string();
            if self.rules.iter().all(|r| r.id != id) {
                self.rules.push(RuleMeta {
                    id,
                    short: code.summary().to_string(),
                    full: code.summary().to_string(),
                    help: format!(
                        "`{code}`: {}; see `docs/errors.md` for what causes it and how to fix it",
                        code.summary()
                    ),
                    ..RuleMeta::default()
                });
            }
        }
    }
}

/// The report of an error that stopped a command (exit 2): each policy or
/// catalog error at its `file:line:column`, a facts error at its input's
/// line and column, anything else once, unlocated.
pub(crate) fn from_error(command: &'static str, e: &Error) -> Report {
    let mut items = Vec::new();
    let mut codes = Vec::new();
    let mut push = |code: ErrorCode, message: String, hint: Option<&str>, location: Location| {
        codes.push(code);
        let group = location.file.clone().unwrap_or_else(|| command.to_string());
        items.push(Item {
            group,
            id: code.as_str().to_string(),
            status: Status::Error,
            severity: Severity::Block,
            kind: code.as_str().to_string(),
            message,
            details: hint.map(|h| format!("hint: {h}")).into_iter().collect(),
            paths: Vec::new(),
            location,
        });
    };
    match e {
        Error::Catalog(errors) => {
            for c in errors {
                push(
                    c.code(),
                    c.message.clone(),
                    c.hint(),
                    Location::source(&c.location),
                );
            }
        }
        Error::Facts(f) => {
            let (line, column) = f.position.map_or((None, None), |(l, c)| (Some(l), Some(c)));
            let message = match &f.path {
                Some(p) => format!("`{p}`: {}", f.message),
                None => f.message.clone(),
            };
            let file = f.input.clone().filter(|i| i != "<stdin>");
            push(f.code(), message, f.hint(), Location { file, line, column });
        }
        _ => {
            let policy = e.policy_errors();
            if policy.is_empty() {
                push(e.code(), e.to_string(), e.hint(), Location::default());
            }
            for p in policy {
                let message = match &p.rule {
                    Some(r) => format!("rule `{r}`: {}", p.message),
                    None => p.message.clone(),
                };
                push(p.code(), message, p.hint(), Location::source(&p.location));
            }
        }
    }
    let mut report = Report {
        command,
        verdict: "error".into(),
        summary: format!(
            "release-policy {command}: ERROR — {} error(s) stopped the command (exit 2)",
            items.len()
        ),
        timestamp: None,
        items,
        rules: Vec::new(),
        exit: 2,
    };
    report.ensure_code_rules(&codes);
    report
}

/// Counts of a list of items: tests, failures, errors, skipped.
pub(crate) fn counts<'a>(
    items: impl IntoIterator<Item = &'a Item>,
) -> (usize, usize, usize, usize) {
    let mut c = (0, 0, 0, 0);
    for i in items {
        c.0 += 1;
        match i.status {
            Status::Fail => c.1 += 1,
            Status::Error => c.2 += 1,
            Status::Waiting | Status::Skipped => c.3 += 1,
            Status::Pass => {}
        }
    }
    c
}

/// A JSON value on one line, cut to `max` characters with `…`.
pub(crate) fn short_json(v: &serde_json::Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max).collect::<String>())
    } else {
        s
    }
}

impl crate::args::ReportFormat {
    /// The CI format, if this is one.
    pub(crate) fn ci(self) -> Option<Ci> {
        use crate::args::ReportFormat as F;
        match self {
            F::Junit => Some(Ci::Junit),
            F::Sarif => Some(Ci::Sarif),
            F::Github => Some(Ci::Github),
            F::Text | F::Json | F::Markdown => None,
        }
    }
}

impl crate::args::PlanFormat {
    /// The CI format, if this is one.
    pub(crate) fn ci(self) -> Option<Ci> {
        use crate::args::PlanFormat as F;
        match self {
            F::Junit => Some(Ci::Junit),
            F::Sarif => Some(Ci::Sarif),
            F::Github => Some(Ci::Github),
            F::Text | F::Json | F::Markdown | F::Dot | F::Mermaid => None,
        }
    }
}

impl crate::args::TestRunFormat {
    /// The CI format, if this is one.
    pub(crate) fn ci(self) -> Option<Ci> {
        use crate::args::TestRunFormat as F;
        match self {
            F::Junit => Some(Ci::Junit),
            F::Sarif => Some(Ci::Sarif),
            F::Github => Some(Ci::Github),
            F::Text | F::Json => None,
        }
    }
}

impl crate::args::LintFormat {
    /// The CI format, if this is one.
    pub(crate) fn ci(self) -> Option<Ci> {
        use crate::args::LintFormat as F;
        match self {
            F::Junit => Some(Ci::Junit),
            F::Sarif => Some(Ci::Sarif),
            F::Github => Some(Ci::Github),
            F::Text => None,
        }
    }
}

/// The command's name and CI format, when one was asked for: an error that
/// stops the command is then printed in it on stdout too (exit 2 still).
pub(crate) fn requested(c: &crate::args::Command) -> Option<(&'static str, Ci)> {
    use crate::args::Command as C;
    match c {
        C::Check { format, .. } => Some(("check", format.ci()?)),
        C::Assess { format, .. } => Some(("assess", format.ci()?)),
        C::Review { format, .. } => Some(("review", format.ci()?)),
        C::Plan { format, .. } => Some(("plan", format.ci()?)),
        C::Test { format, .. } => Some(("test", format.ci()?)),
        C::Lint { format, .. } => Some(("lint", format.ci()?)),
        _ => None,
    }
}
