//! `review`: DORA's four keys checked against an independent computation
//! (`data/dora_reference.py`, Python's standard library) on a hand-made
//! history, the definitions at their edges, bad records refused with their
//! location and code, the order of records never showing, and the
//! `history` facts derived for `check`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use release_policy::review::{Keys, Period, Records, ReviewOptions, ReviewVerdict, Thresholds};
use release_policy::{Bundle, ErrorCode, Facts, Limits, Verdict};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn ts(s: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.to_utc())
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn history() -> Records {
    Records::from_path(data("records-history.jsonl"), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn period(from: &str, to: &str) -> Period {
    Period::new(ts(from), ts(to)).unwrap_or_else(|e| panic!("{e}"))
}

/// The keys as the reference script writes them.
fn as_reference(k: &Keys) -> Value {
    serde_json::json!({
        "deployments": k.deployments,
        "perDay": k.per_day,
        "leadTimeMedianSeconds": k.lead_time.as_ref().map(|l| l.median_seconds),
        "leadTimeP90Seconds": k.lead_time.as_ref().map(|l| l.p90_seconds),
        "failed": k.failed,
        "changeFailureRate": k.change_failure_rate,
        "recoveryMedianSeconds": k.recovery_median_seconds,
        "openIncidents": k.open_incidents,
    })
}

fn reference_of(review: &release_policy::review::Review) -> Value {
    let named = |v: &[release_policy::review::Named]| -> Value {
        v.iter()
            .map(|n| (n.name.clone(), as_reference(&n.keys)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    serde_json::json!({
        "overall": as_reference(&review.dora),
        "services": named(&review.services),
        "teams": named(&review.teams),
        "weeks": review.weeks.iter().map(|w| {
            let mut v = as_reference(&w.keys);
            if let Some(o) = v.as_object_mut() {
                o.insert("from".into(), w.period.from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into());
                o.insert("to".into(), w.period.to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into());
            }
            v
        }).collect::<Vec<_>>(),
    })
}

#[test]
fn dora_keys_agree_with_the_independent_reference_to_the_bit() {
    let bundle = Bundle::builtin();
    let options =
        ReviewOptions::default().period(period("2026-10-27T00:00:00Z", "2026-11-26T00:00:00Z"));
    let review = bundle
        .review(&history(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(data("records-history.expected.json")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reference_of(&review), expected);
}

/// The stored reference is what the script computes today (run it when
/// Python is there, as CI's machine has it).
#[test]
fn the_stored_reference_is_the_scripts_output() {
    let out = std::process::Command::new("python3")
        .arg(data("dora_reference.py"))
        .arg(data("records-history.jsonl"))
        .args(["2026-10-27T00:00:00Z", "2026-11-26T00:00:00Z", "production"])
        .output();
    let Ok(out) = out else {
        panic!("python3 is needed to check the DORA reference");
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let live: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(data("records-history.expected.json")).unwrap_or_default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(live, stored);
}

const RECORD: &str = r#"apiVersion: release-policy/v1
kind: ReleaseRecord
release: {id: ID, service: checkout, version: "2.4.0", environment: production, kind: standard, team: payments}
commits: {firstAt: 2026-11-01T10:00:00Z, count: 14}
deployment: {startedAt: 2026-11-19T00:00:00Z, finishedAt: FINISHED}
outcome: OUTCOME
"#;

fn record(id: &str, finished: &str, outcome: &str) -> String {
    let mut r = RECORD
        .replace("ID", id)
        .replace("FINISHED", finished)
        .replace("OUTCOME", outcome);
    if outcome == "rolled-back" {
        r.push_str(
            "rollback: {startedAt: 2026-11-24T09:50:00Z, finishedAt: 2026-11-24T10:30:00Z}\n",
        );
    }
    r
}

fn records(texts: &[String]) -> Result<Records, release_policy::Error> {
    let sources = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("r{i}.yaml"), t.clone()))
        .collect();
    Records::from_sources(sources, &Limits::default())
}

#[test]
fn the_period_is_half_open_at_both_borders() {
    let rs = records(&[
        record("at-from", "2026-11-24T00:00:00Z", "success"),
        record("at-to", "2026-11-25T00:00:00Z", "success"),
        record("inside", "2026-11-24T12:00:00Z", "rolled-back"),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let options =
        ReviewOptions::default().period(period("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));
    let review = Bundle::builtin()
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    // `at-from` counts, `at-to` belongs to the next period.
    assert_eq!(review.dora.deployments, 2);
    assert_eq!(review.dora.failed, 1);
    assert_eq!(review.dora.change_failure_rate, Some(0.5));
    assert_eq!(review.dora.per_day, 2.0);
}

#[test]
fn a_period_without_deployments_says_so_instead_of_looking_elite() {
    let rs = records(&[record("a", "2026-11-24T10:00:00Z", "success")])
        .unwrap_or_else(|e| panic!("{e}"));
    let options =
        ReviewOptions::default().period(period("2026-12-01T00:00:00Z", "2026-12-08T00:00:00Z"));
    let review = Bundle::builtin()
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(review.verdict, ReviewVerdict::NoDeployments);
    assert_eq!(review.dora.change_failure_rate, None);
    assert_eq!(review.dora.bands.change_failure_rate, None);
    assert_eq!(review.dora.bands.deployment_frequency, None);
    assert!(
        review.reasons[0].contains("no deployments"),
        "{:?}",
        review.reasons
    );
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    let e = Period::new(ts("2026-11-26T00:00:00Z"), ts("2026-10-27T00:00:00Z"))
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code(), ErrorCode::InvalidPeriod);
    let e = Period::new(ts("2026-11-26T00:00:00Z"), ts("2026-11-26T00:00:00Z")).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::InvalidPeriod));
}

fn refused(texts: &[String]) -> (ErrorCode, String) {
    match records(texts) {
        Ok(_) => panic!("accepted: {texts:?}"),
        Err(e) => (e.code(), e.to_string()),
    }
}

#[test]
fn bad_records_are_refused_with_code_and_location() {
    let ok = record("a", "2026-11-24T09:41:00Z", "success");
    // Deployed before the first commit.
    let (code, msg) = refused(&[ok.replace("2026-11-01T10:00:00Z", "2026-11-25T10:00:00Z")]);
    assert_eq!(code, ErrorCode::InconsistentRecord);
    assert!(msg.starts_with("r0.yaml:4:"), "{msg}");
    assert!(
        msg.contains("first commit (`2026-11-25T10:00:00Z`)"),
        "{msg}"
    );
    // Finished before it started.
    let (code, msg) = refused(&[record("a", "2026-11-18T08:00:00Z", "success")]);
    assert_eq!(code, ErrorCode::InconsistentRecord);
    assert!(msg.contains("r0.yaml:5:"), "{msg}");
    // Rolled back without the rollback.
    let (code, msg) = refused(&[ok.replace("outcome: success", "outcome: rolled-back")]);
    assert_eq!(code, ErrorCode::InconsistentRecord);
    assert!(msg.contains("needs `rollback"), "{msg}");
    // Restored before it started.
    let inc = format!(
        "{ok}incidents: [{{id: INC-1, severity: sev2, startedAt: 2026-11-24T10:00:00Z, restoredAt: 2026-11-24T09:59:00Z}}]\n"
    );
    let (code, msg) = refused(&[inc]);
    assert_eq!(code, ErrorCode::InconsistentRecord);
    assert!(
        msg.contains("r0.yaml:7:") && msg.contains("`INC-1` was restored"),
        "{msg}"
    );
    // A misspelt field.
    let (code, msg) = refused(&[ok.replace("outcome:", "outcme:")]);
    assert_eq!(code, ErrorCode::RecordsUnknownField);
    assert!(msg.contains("outcme"), "{msg}");
    // An unknown outcome.
    let (code, _) = refused(&[ok.replace("outcome: success", "outcome: fine")]);
    assert_eq!(code, ErrorCode::RecordsInvalidField);
    // Duplicate ids, in two files.
    let (code, msg) = refused(&[ok.clone(), ok.clone()]);
    assert_eq!(code, ErrorCode::DuplicateRecord);
    assert!(msg.contains("r1.yaml") && msg.contains("`a`"), "{msg}");
    // A duplicate key.
    let (code, _) =
        refused(&[ok.replace("outcome: success", "outcome: success\noutcome: rolled-back")]);
    assert_ne!(code, ErrorCode::InconsistentRecord);
    // An alias.
    let (code, _) = refused(&[format!("{ok}feedback: &x []\nincidents: *x\n")]);
    assert_eq!(code, ErrorCode::RecordsSyntax);
    // A look-alike blank id.
    let (code, _) = refused(&[record("\" \"", "2026-11-24T09:41:00Z", "success")]);
    assert_eq!(code, ErrorCode::InconsistentRecord);
}

#[test]
fn json_lines_errors_name_the_line_and_the_path() {
    let line = r#"{"apiVersion":"release-policy/v1","kind":"ReleaseRecord","release":{"id":"a","service":"s","version":"1.0.0","environment":"production","kind":"standard","team":"t"},"deployment":{"startedAt":"2026-11-24T09:00:00Z","finishedAt":"2026-11-24T09:10:00Z"},"outcome":"success"}"#;
    let bad = line
        .replace(r#""team":"t""#, r#""team":"t","tier":1"#)
        .replace(r#""id":"a""#, r#""id":"b""#);
    let text = format!("{line}\n\n{bad}\n");
    let e = Records::from_sources(vec![("r.jsonl".into(), text)], &Limits::default())
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code(), ErrorCode::RecordsUnknownField);
    let msg = e.to_string();
    assert!(msg.starts_with("r.jsonl:3:"), "{msg}");
    assert!(msg.contains("`tier`") && msg.contains("release"), "{msg}");
    // A duplicate key in JSON is refused too.
    let dup = line.replace(
        r#""outcome":"success""#,
        r#""outcome":"rolled-back","outcome":"success""#,
    );
    let e = Records::from_sources(vec![("r.jsonl".into(), dup)], &Limits::default()).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::RecordsInvalidField));
}

#[test]
fn the_order_of_records_never_shows() {
    let text = std::fs::read_to_string(data("records-history.jsonl")).unwrap_or_default();
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines.reverse();
    let (a, b) = lines.split_at(lines.len() / 3);
    let reversed = Records::from_sources(
        vec![
            ("b.jsonl".into(), b.join("\n")),
            ("a.jsonl".into(), a.join("\n")),
        ],
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let options =
        ReviewOptions::default().period(period("2026-10-27T00:00:00Z", "2026-11-26T00:00:00Z"));
    let bundle = Bundle::builtin();
    let one = bundle.review(&history(), &options).map(|r| r.to_json());
    let two = bundle.review(&reversed, &options).map(|r| r.to_json());
    assert_eq!(one.ok(), two.ok());
}

#[test]
fn adding_a_successful_deployment_never_raises_the_change_failure_rate() {
    let bundle = Bundle::builtin();
    let p = period("2026-10-27T00:00:00Z", "2026-11-26T00:00:00Z");
    let text = std::fs::read_to_string(data("records-history.jsonl")).unwrap_or_default();
    let before = bundle
        .review(&history(), &ReviewOptions::default().period(p))
        .map(|r| r.dora.change_failure_rate)
        .unwrap_or_else(|e| panic!("{e}"));
    for (i, day) in [
        "2026-10-27T00:00:00Z",
        "2026-11-10T12:00:00Z",
        "2026-11-25T23:59:59Z",
    ]
    .iter()
    .enumerate()
    {
        let extra = format!(
            r#"{{"apiVersion":"release-policy/v1","kind":"ReleaseRecord","release":{{"id":"extra-{i}","service":"checkout","version":"9.0.0","environment":"production","kind":"standard","team":"payments"}},"deployment":{{"startedAt":"{day}","finishedAt":"{day}"}},"outcome":"success"}}"#
        );
        let more = Records::from_sources(
            vec![("h.jsonl".into(), format!("{text}\n{extra}\n"))],
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let after = bundle
            .review(&more, &ReviewOptions::default().period(p))
            .map(|r| r.dora.change_failure_rate)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(after < before, "{after:?} vs {before:?}");
    }
}

#[test]
fn a_release_rolled_back_twice_is_two_failed_deployments() {
    let rs = records(&[
        record("checkout-2.5.0", "2026-11-24T09:41:00Z", "rolled-back"),
        record("checkout-2.5.0.2", "2026-11-24T11:00:00Z", "rolled-back")
            .replace("2026-11-24T09:50:00Z", "2026-11-24T11:10:00Z")
            .replace("2026-11-24T10:30:00Z", "2026-11-24T11:20:00Z"),
        record("checkout-2.5.1", "2026-11-25T09:41:00Z", "success"),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let options =
        ReviewOptions::default().period(period("2026-11-24T00:00:00Z", "2026-11-26T00:00:00Z"));
    let review = Bundle::builtin()
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(review.dora.failed, 2);
    let s = &review.stability[0];
    assert_eq!((s.deployments, s.rollbacks), (3, 2));
    // The first rollback took 40m against the 30m default budget.
    assert_eq!(review.rollbacks_over_budget.len(), 1);
    assert_eq!(review.rollbacks_over_budget[0].release, "checkout-2.5.0");
}

#[test]
fn chronic_instability_is_flagged_and_fails_the_review() {
    let rs = records(&[
        record("r1", "2026-11-20T09:41:00Z", "rolled-back")
            .replace("2026-11-24T09:", "2026-11-20T09:")
            .replace("2026-11-24T10:", "2026-11-20T10:"),
        record("r2", "2026-11-24T09:41:00Z", "rolled-back"),
        record("r3", "2026-11-25T09:41:00Z", "rolled-back")
            .replace("startedAt: 2026-11-24T09:50", "startedAt: 2026-11-25T09:50")
            .replace("2026-11-24T10:30", "2026-11-25T10:30"),
    ]);
    let rs = rs.unwrap_or_else(|e| panic!("{e}"));
    let options =
        ReviewOptions::default().period(period("2026-11-01T00:00:00Z", "2026-11-26T00:00:00Z"));
    let review = Bundle::builtin()
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(review.stability[0].chronic, "{:?}", review.stability);
    assert_eq!(review.verdict, ReviewVerdict::Fail);
    // A review policy's own, higher threshold clears it.
    let lenient = Bundle::from_yaml_str(
        "lenient.yaml",
        "apiVersion: release-policy/v1\nkind: ReviewPolicy\nmetadata: {name: lenient}\nspec:\n  instability:\n    - {id: lenient, rollbacks: 4, within: 30d}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let review = lenient
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(review.stability[0].rules, Vec::<String>::new());
    // Without review policies, the options' thresholds decide.
    let mut t = Thresholds::default();
    t.chronic_rollbacks = 2;
    let bare = Bundle::from_yaml_str(
        "gate.yaml",
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: g}\nspec:\n  gates:\n    - {id: g, expression: 'true'}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let review = bare
        .review(&rs, &options.clone().thresholds(t))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(review.stability[0].rules, vec!["default".to_string()]);
    let review = lenient
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!review.stability[0].chronic);
}

#[test]
fn history_is_derived_for_check_and_feeds_the_incident_gates() {
    let rs = Records::from_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/records"),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bundle = Bundle::builtin();
    let now = ts("2026-11-26T10:00:00Z");
    let h = bundle.history(&rs, "checkout", "production", now);
    assert!(!h.releases.is_empty());
    assert!(
        h.releases.windows(2).all(|w| w[0].at >= w[1].at),
        "most recent first"
    );
    // Nothing after `now` is known.
    let early = bundle.history(&rs, "checkout", "production", ts("2026-11-01T00:00:00Z"));
    assert!(early.releases.len() < h.releases.len());
    let facts = Facts::parse(
        "now: 2026-11-26T10:00:00Z\nrelease: {id: checkout-2.5.0, service: checkout, version: \"2.5.0\", environment: production, kind: standard, author: alice}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let d = bundle
        .check_with_records(&facts, &rs)
        .unwrap_or_else(|e| panic!("{e}"));
    // The incident-history gates read the derived section, not an absent one.
    let incident = d
        .findings()
        .iter()
        .find(|f| f.policy() == "incident-history")
        .unwrap_or_else(|| panic!("no incident-history finding"));
    assert_ne!(
        incident.outcome(),
        release_policy::Outcome::Error,
        "{}",
        incident.message()
    );
    assert_ne!(d.verdict(), Verdict::Go);
    // Facts with a history of their own are refused next to records.
    let with = Facts::parse(
        "now: 2026-11-26T10:00:00Z\nrelease: {id: x, service: checkout, version: \"2.5.0\", environment: production, kind: standard, author: alice}\nhistory: {openPostmortems: 0}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(bundle.check_with_records(&with, &rs).is_err());
}

#[test]
fn the_built_in_bands_load_and_classify() {
    let rs = history();
    let options =
        ReviewOptions::default().period(period("2026-10-27T00:00:00Z", "2026-11-26T00:00:00Z"));
    let review = Bundle::builtin()
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(review.bands.starts_with("dora-2023"), "{}", review.bands);
    // 11 of 27 failed: far past the medium band's 15 %.
    assert_eq!(
        review.dora.bands.change_failure_rate.as_deref(),
        Some("low")
    );
    // 0.9 a day: at least once a week, not daily.
    assert_eq!(
        review.dora.bands.deployment_frequency.as_deref(),
        Some("high")
    );
}

#[test]
fn the_packs_criteria_judge_every_release_and_fail_closed() {
    let options =
        ReviewOptions::default().period(period("2026-10-27T00:00:00Z", "2026-11-26T00:00:00Z"));
    let review = Bundle::builtin()
        .review(&history(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = review
        .criteria
        .iter()
        .map(|c| c.criterion.as_str())
        .collect();
    assert!(ids.contains(&"rollback-finished-within-budget"), "{ids:?}");
    for c in &review.criteria {
        assert_eq!(
            c.passed + c.failed + c.errors + c.skipped,
            review.dora.deployments,
            "{c:?}"
        );
    }
    // An incident still open at the end cannot have recovered in a day.
    let recovered = review
        .criteria
        .iter()
        .find(|c| c.criterion == "recovered-within-a-day")
        .unwrap_or_else(|| panic!("no criterion"));
    assert!(recovered.failed >= 1, "{recovered:?}");
    assert!(
        review
            .unmet
            .iter()
            .any(|u| u.criterion == "recovered-within-a-day"),
        "{:?}",
        review.unmet
    );
    // One release shows the values its criteria read.
    let rs = Records::from_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/records"),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = Bundle::builtin()
        .review_release(
            &rs,
            "checkout-2.4.0",
            ts("2026-11-30T00:00:00Z"),
            &Thresholds::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let rb = o
        .criteria
        .iter()
        .find(|c| c.criterion == "rollback-finished-within-budget")
        .unwrap_or_else(|| panic!("{:?}", o.criteria));
    assert_eq!(rb.outcome, release_policy::Outcome::Pass);
    assert_eq!(
        rb.values.get("rollback.duration"),
        Some(&serde_json::json!("4m30s"))
    );
}

fn layered(team: &str) -> Result<Bundle, release_policy::Error> {
    Bundle::builder()
        .builtin_layer()
        .yaml_layer("team.yaml", team)
        .build()
}

#[test]
fn a_team_layer_may_tighten_review_policies_never_loosen_them() {
    let head = "apiVersion: release-policy/v1\nkind: ReviewPolicy\nmetadata: {name: release-outcomes}\nspec:\n";
    // Fewer rollbacks to be chronic: stricter, accepted.
    let stricter = format!(
        "{head}  instability:\n    - {{id: chronic-rollbacks, rollbacks: 2, within: 30d, rollbackRate: 0.1, minDeployments: 5}}\n"
    );
    assert!(layered(&stricter).is_ok(), "{:?}", layered(&stricter).err());
    // More rollbacks, or a shorter window: looser, refused.
    for loose in [
        "rollbacks: 5, within: 30d, rollbackRate: 0.2, minDeployments: 5",
        "rollbacks: 3, within: 7d, rollbackRate: 0.2, minDeployments: 5",
        "rollbacks: 3, within: 30d, minDeployments: 5",
    ] {
        let text = format!("{head}  instability:\n    - {{id: chronic-rollbacks, {loose}}}\n");
        let e = layered(&text)
            .err()
            .unwrap_or_else(|| panic!("accepted: {loose}"));
        assert_eq!(e.code(), ErrorCode::LayerLoosens, "{e}");
    }
    // A required criterion may not be made optional or switched off.
    let optional = format!(
        "{head}  criteria:\n    - id: rollback-finished-within-budget\n      when: rollback != null\n      expression: rollback.duration <= duration(\"30m\")\n      required: false\n"
    );
    assert_eq!(
        layered(&optional).err().map(|e| e.code()),
        Some(ErrorCode::LayerLoosens)
    );
    let off = format!("{head}  disable: [severe-incident-postmortem]\n");
    assert!(layered(&off).is_err());
    // A criterion reading a field records do not have is refused at load.
    let typo = "apiVersion: release-policy/v1\nkind: ReviewPolicy\nmetadata: {name: mine}\nspec:\n  criteria:\n    - {id: mine, expression: 'deployment.duraton < duration(\"1h\")'}\n";
    let e = Bundle::from_yaml_str("mine.yaml", typo)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code(), ErrorCode::UnknownFactField, "{e}");
}

/// Only the roots a review policy reads are bound; one read only to be
/// compared with `null` is bound too, so it never passes by absence.
#[test]
fn a_root_read_only_against_null_is_still_bound() {
    let bundle = Bundle::from_yaml_str(
        "p.yaml",
        "apiVersion: release-policy/v1\nkind: ReviewPolicy\nmetadata: {name: p}\nspec:\n  criteria:\n    - {id: never-rolled-back, expression: 'rollback == null'}\n    - {id: no-decisions, expression: 'decisions == null'}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let rs = Records::from_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/records"),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let o = bundle
        .review_release(
            &rs,
            "checkout-2.4.0",
            ts("2026-11-30T00:00:00Z"),
            &Thresholds::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let outcomes: Vec<_> = o.criteria.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        vec![release_policy::Outcome::Fail, release_policy::Outcome::Fail]
    );
}

/// Policy effectiveness: records joined with decisions and assessments the
/// engine itself gave, by facts digest.
#[test]
fn effectiveness_joins_records_with_the_decisions_before_them() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let bundle = Bundle::builtin();
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    // A `go` with nothing waived; a `go` with the freeze waived.
    let go = bundle
        .check_str(&read("policies/testdata/base.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut base: serde_json::Value = yaml_serde::from_str(&read("policies/testdata/base.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    base["service"]["errorBudgetRemaining"] = serde_json::json!(0.0);
    base["waivers"] = serde_json::json!([{"rule": "error-budget-freeze", "by": "sam", "role": "engineering-director", "reason": "launch", "expires": "2026-11-27T00:00:00Z"}]);
    let waived = bundle
        .check(&Facts::from_json_value(base, &Limits::default()).unwrap_or_else(|e| panic!("{e}")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(waived.waived().len(), 1);
    // A rollback (the latency trigger) and a promotion.
    let rollback = bundle
        .assess_str(&read("examples/rollouts/checkout-latency-regression.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let promote = bundle
        .assess_str(&read("examples/rollouts/checkout-canary-healthy.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let decisions = release_policy::review::Decisions::from_sources(
        vec![
            ("go.json".into(), go.to_json()),
            ("waived.json".into(), waived.to_json()),
            (
                "all.jsonl".into(),
                format!("{}\n{}\n", rollback.to_json(), promote.to_json()),
            ),
        ],
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decisions.len(), 4);
    let rec = |id: &str, outcome: &str, refs: String, incident: bool| {
        let mut r = record(id, "2026-11-24T09:41:00Z", outcome);
        r.push_str(&format!("decisions: {refs}\n"));
        if incident {
            r.push_str("incidents: [{id: INC-9, severity: sev2, startedAt: 2026-11-24T09:45:00Z, restoredAt: 2026-11-24T10:00:00Z}]\n");
        }
        r
    };
    let rs = records(&[
        // passed every gate, then rolled back with an incident
        rec(
            "r1",
            "rolled-back",
            format!("{{check: \"{}\"}}", go.facts_digest()),
            true,
        ),
        // the freeze was waived, then it went fine
        rec(
            "r2",
            "success",
            format!("{{check: \"{}\"}}", waived.facts_digest()),
            false,
        ),
        // rolled back by the latency trigger, no incident: a false alarm
        rec(
            "r3",
            "rolled-back",
            format!("{{assess: [\"{}\"]}}", rollback.facts_digest()),
            false,
        ),
        // promoted, yet caused an incident: missed
        rec(
            "r4",
            "success",
            format!("{{assess: [\"{}\"]}}", promote.facts_digest()),
            true,
        ),
        // names a digest nobody gave
        rec(
            "r5",
            "success",
            "{check: \"sha256:0000\"}".to_string(),
            false,
        ),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let options = ReviewOptions::default()
        .period(period("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"))
        .decisions(decisions);
    let review = bundle
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    let e = review
        .effectiveness
        .unwrap_or_else(|| panic!("no effectiveness"));
    assert_eq!((e.linked, e.unlinked), (4, 1));
    assert_eq!(e.passed_yet_failed.len(), 1);
    assert_eq!(e.passed_yet_failed[0].release, "r1");
    assert_eq!(e.waived_then_fine.len(), 1);
    assert_eq!(e.waived_then_fine[0].rule, "error-budget-freeze");
    assert_eq!(e.waived_then_fine[0].releases, vec!["r2"]);
    assert!(e.waivers_before_failure.is_empty());
    assert_eq!(e.false_alarms.len(), 1, "{:?}", e.false_alarms);
    assert_eq!(e.false_alarms[0].rule, "p99-latency-regression");
    assert!(
        e.false_alarms[0].observed[0].contains("latest 439"),
        "{:?}",
        e.false_alarms[0].observed
    );
    assert_eq!(e.missed_incidents.len(), 1);
    assert_eq!(e.missed_incidents[0].release, "r4");
    assert_eq!(e.missed_incidents[0].incidents, vec!["INC-9"]);
    assert!(
        e.suggestions.iter().any(
            |s| s.starts_with("`p99-latency-regression` stopped 1 rollout without an incident")
        ),
        "{:?}",
        e.suggestions
    );
    // Something that is not a decision is refused, with its place.
    let bad = release_policy::review::Decisions::from_sources(
        vec![("x.json".into(), "{\"schema\": \"release-policy/review/v1\", \"verdict\": \"pass\", \"factsDigest\": \"x\"}".into())],
        &Limits::default(),
    );
    assert_eq!(
        bad.err().map(|e| e.code()),
        Some(ErrorCode::RecordsInvalidField)
    );
}

#[test]
fn a_catalog_refuses_unknown_services_and_gives_rollback_budgets() {
    let limits = Limits::default();
    let catalog = release_policy::plan::Catalog::from_dir(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/catalog"),
        &limits,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let bundle = Bundle::builtin();
    let options =
        ReviewOptions::default().period(period("2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"));
    // payments' catalog budget is 15m: a 20-minute rollback is over it,
    // though within the 30-minute default.
    let slow = record("payments-9.0.0", "2026-11-24T09:41:00Z", "rolled-back")
        .replace("service: checkout", "service: payments")
        .replace("2026-11-24T10:30:00Z", "2026-11-24T10:10:00Z");
    let rs = records(std::slice::from_ref(&slow)).unwrap_or_else(|e| panic!("{e}"));
    let plain = bundle
        .review(&rs, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(plain.rollbacks_over_budget.is_empty());
    let with = bundle
        .review_with_catalog(&rs, &catalog, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        with.rollbacks_over_budget.len(),
        1,
        "{:?}",
        with.rollbacks_over_budget
    );
    assert_eq!(with.rollbacks_over_budget[0].budget, "15m");
    // A service the catalog does not know.
    let typo = slow.replace("service: payments", "service: paymnts");
    let rs = records(&[typo]).unwrap_or_else(|e| panic!("{e}"));
    let e = bundle
        .review_with_catalog(&rs, &catalog, &options)
        .err()
        .unwrap_or_else(|| panic!("accepted"));
    assert_eq!(e.code(), ErrorCode::UnknownRecordService);
    assert_eq!(e.hint(), Some("did you mean `payments`?"));
}

#[test]
fn extreme_times_and_windows_are_refused_or_reviewed_never_a_crash() {
    // A window longer than durations go (100 years) is refused at load.
    let e = Bundle::from_yaml_str(
        "p.yaml",
        "apiVersion: release-policy/v1\nkind: ReviewPolicy\nmetadata: {name: p}\nspec:\n  instability:\n    - {id: forever, rollbacks: 1, within: 100000000d}\n",
    )
    .err()
    .unwrap_or_else(|| panic!("accepted"));
    assert!(e.to_string().contains("is too long"), "{e}");
    // The last day of year 9999: the default period runs into year 10000.
    let late = record("late", "9999-12-31T23:00:00Z", "rolled-back")
        .replace("2026-11-24T09:50:00Z", "9999-12-31T23:10:00Z")
        .replace("2026-11-24T10:30:00Z", "9999-12-31T23:20:00Z");
    let rs = records(&[late]).unwrap_or_else(|e| panic!("{e}"));
    let review = Bundle::builtin()
        .review(&rs, &ReviewOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(review.dora.deployments, 1);
    assert!(!review.to_json().is_empty());
}

#[test]
fn look_alike_service_names_are_refused() {
    for name in ["checkоut", "Checkout", "check out", "-checkout"] {
        let r = record("a", "2026-11-24T09:41:00Z", "success")
            .replace("service: checkout", &format!("service: \"{name}\""));
        let (code, msg) = refused(&[r]);
        assert_eq!(code, ErrorCode::InconsistentRecord, "{name}: {msg}");
        assert!(msg.contains("is not a name"), "{msg}");
    }
}

/// The roots built straight from a record are the JSON view's, on the
/// hand-made history and the examples.
#[test]
fn record_roots_built_directly_agree_with_the_json_view() {
    release_policy::unstable::record_views_agree(&history()).unwrap_or_else(|e| panic!("{e}"));
    let rs = Records::from_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/records"),
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    release_policy::unstable::record_views_agree(&rs).unwrap_or_else(|e| panic!("{e}"));
    // Sub-millisecond times, an unsigned count past i64, every optional part.
    let odd = format!(
        "{}commits: {{firstAt: 2026-11-20T10:00:00.123456789Z, count: 3}}\nincidents: [{{id: I, severity: sev1, startedAt: 2026-11-24T09:45:00.5Z, detectedAt: 2026-11-24T09:46:00Z, restoredAt: 2026-11-24T10:00:00.25Z, usersAffected: 18446744073709551615, impactMinutes: 3}}]\npostmortem: {{required: true, status: open, due: 2026-12-01T00:00:00Z, link: x}}\nfeedback: [{{source: customer-success, ticket: T, at: 2026-11-24T11:00:00Z, severity: low}}]\ndecisions: {{check: c, assess: [a, b]}}\n",
        record("odd", "2026-11-24T09:41:00.987Z", "rolled-back")
            .replace("commits: {firstAt: 2026-11-01T10:00:00Z, count: 14}\n", "")
    );
    let rs = records(&[odd]).unwrap_or_else(|e| panic!("{e}"));
    release_policy::unstable::record_views_agree(&rs).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn records_over_the_limits_are_refused() {
    let text: String = (0..3)
        .map(|i| record(&format!("r{i}"), "2026-11-24T09:41:00Z", "success"))
        .collect::<Vec<_>>()
        .join("---\n");
    let limits = Limits {
        max_records: 2,
        ..Limits::default()
    };
    let e = Records::from_sources(vec![("r.yaml".into(), text.clone())], &limits).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::RecordsOverLimit));
    let limits = Limits {
        max_records_bytes: text.len() - 1,
        ..Limits::default()
    };
    let e = Records::from_sources(vec![("r.yaml".into(), text)], &limits).err();
    assert_eq!(e.map(|e| e.code()), Some(ErrorCode::RecordsOverLimit));
}
