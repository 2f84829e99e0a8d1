//! The `review` conformance corpus (`tests/corpus/review/`): each case
//! names release records of the repository and what to ask of them — a
//! period's review (`from`, `to`, `service`, `team`, `environment`,
//! `decisions`) or one release's outcome (`release`, `now`). Its JSON
//! (`Review::to_json()` or `ReleaseOutcome::to_json()`, and a newline)
//! must be byte for byte the recorded `NAME.review.json`, which every
//! binding (CLI, Python, C) prints too. `UPDATE_CORPUS=1` rewrites the
//! recordings (review the diff).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use release_policy::review::{Decisions, Period, Records, ReviewOptions, Thresholds};
use release_policy::{Bundle, Limits};
use serde::Deserialize;

/// One case. Paths are relative to the repository root; instants are
/// RFC 3339 text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// A records file or directory (`--records`).
    records: String,
    /// The period `[from, to)`: both or neither.
    from: Option<String>,
    to: Option<String>,
    service: Option<String>,
    team: Option<String>,
    /// The environment whose deployments count (`production` by default).
    environment: Option<String>,
    /// Past decisions and assessments, a file or directory (`--decisions`).
    decisions: Option<String>,
    /// One release's outcome instead of a period's review, as of `now`.
    release: Option<String>,
    now: Option<String>,
    expect: Expect,
}

/// The review's verdict, or the release's outcome.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    verdict: Option<String>,
    outcome: Option<String>,
}

fn ts(name: &str, s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.to_utc())
        .unwrap_or_else(|e| panic!("{name}: `{s}` is not RFC 3339: {e}"))
}

/// The case's JSON (with its trailing newline) and what it says about
/// itself: the review's `verdict` or the outcome's `outcome`.
fn run(case: &Case) -> (String, String) {
    let root = common::root();
    let limits = Limits::default();
    let bundle = Bundle::builtin();
    let records = Records::from_path(root.join(&case.records), &limits)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    if let Some(release) = &case.release {
        assert!(
            case.from.is_none()
                && case.to.is_none()
                && case.service.is_none()
                && case.team.is_none()
                && case.environment.is_none()
                && case.decisions.is_none()
                && case.expect.verdict.is_none(),
            "{}: a `release` case takes only `records`, `release`, `now` and `expect.outcome`",
            case.name
        );
        let now = case
            .now
            .as_deref()
            .unwrap_or_else(|| panic!("{}: a `release` case needs `now`", case.name));
        let outcome = bundle
            .review_release(
                &records,
                release,
                ts(&case.name, now),
                &Thresholds::default(),
            )
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let want = case
            .expect
            .outcome
            .clone()
            .unwrap_or_else(|| panic!("{}: a `release` case expects an `outcome`", case.name));
        assert_eq!(outcome.outcome, want, "{}", case.name);
        return (outcome.to_json() + "\n", want);
    }
    assert!(
        case.now.is_none() && case.expect.outcome.is_none(),
        "{}: `now` and `expect.outcome` belong to a `release` case",
        case.name
    );
    let mut options = ReviewOptions::default();
    match (&case.from, &case.to) {
        (Some(f), Some(t)) => {
            options = options.period(
                Period::new(ts(&case.name, f), ts(&case.name, t))
                    .unwrap_or_else(|e| panic!("{}: {e}", case.name)),
            );
        }
        (None, None) => {}
        _ => panic!("{}: give both `from` and `to`, or neither", case.name),
    }
    if let Some(s) = &case.service {
        options = options.service(s);
    }
    if let Some(t) = &case.team {
        options = options.team(t);
    }
    if let Some(e) = &case.environment {
        options = options.environment(e);
    }
    if let Some(d) = &case.decisions {
        options = options.decisions(
            Decisions::from_path(root.join(d), &limits)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name)),
        );
    }
    let review = bundle
        .review(&records, &options)
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let want = case
        .expect
        .verdict
        .clone()
        .unwrap_or_else(|| panic!("{}: a review case expects a `verdict`", case.name));
    assert_eq!(review.verdict.as_str(), want, "{}", case.name);
    (review.to_json() + "\n", want)
}

#[test]
fn review_corpus_cases_review_as_recorded() {
    let dir = common::root().join("tests/corpus/review");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    let update = std::env::var_os("UPDATE_CORPUS").is_some();
    let (mut releases, mut with_decisions, mut verdicts) = (0, 0, Vec::new());
    for f in files {
        let case: Case = yaml_serde::from_str(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(
            f.file_stem().and_then(|s| s.to_str()),
            Some(case.name.as_str()),
            "a case is named after its file"
        );
        let (json, said) = run(&case);
        if case.release.is_some() {
            releases += 1;
        } else {
            verdicts.push(said);
        }
        with_decisions += usize::from(case.decisions.is_some());
        let recorded = dir.join(format!("{}.review.json", case.name));
        common::golden(&case.name, "the review", &recorded, &json, update);
    }
    // The corpus asks every kind of question the bindings translate.
    assert!(releases >= 1, "no `release` case");
    assert!(with_decisions >= 1, "no case with `decisions`");
    for verdict in ["pass", "fail", "no-deployments"] {
        assert!(
            verdicts.iter().any(|v| v == verdict),
            "no case with verdict {verdict}"
        );
    }
}
