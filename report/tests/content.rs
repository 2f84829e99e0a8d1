//! What the portfolio report says about the example archive: a no-go
//! service shows its blocking rule, the latest decision wins, waivers
//! expiring soon are flagged, compliance counts match the findings,
//! chronic instability and DORA come from the review, every decision links
//! to its record, hostile strings are escaped, and the bytes never vary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use release_policy::audit::{AuditRecord, Entry, EntryKind};
use release_policy::{Bundle, Decision, ErrorCode, Outcome, RolloutVerdict, Verdict};
use release_policy_report::Portfolio;

fn portfolio(bundle: &Bundle) -> Portfolio {
    Portfolio::from_records(common::archive(bundle), bundle, None).unwrap()
}

#[test]
fn a_no_go_service_shows_its_blocking_rules() {
    let bundle = Bundle::builtin();
    let p = portfolio(&bundle);
    let checkout = p
        .statuses
        .iter()
        .find(|s| s.service == "checkout" && s.environment == "production")
        .unwrap();
    assert_eq!(checkout.verdict, Verdict::NoGo);
    let rules: Vec<&str> = checkout.blocking.iter().map(|r| r.rule.as_str()).collect();
    // The latest decision (seq 21) carries the security waiver: the SCA
    // finding is lifted, the other two still block.
    assert_eq!(
        rules,
        ["ci-required-suites-passed", "rollback-within-budget"]
    );
    assert_eq!(checkout.seq, 21);
    assert_eq!(checkout.decisions, 2);

    let verdicts: BTreeMap<&str, Verdict> = p
        .statuses
        .iter()
        .map(|s| (s.service.as_str(), s.verdict))
        .collect();
    assert_eq!(verdicts["payments"], Verdict::Go);
    assert_eq!(verdicts["search"], Verdict::Pending);
    let search = p.statuses.iter().find(|s| s.service == "search").unwrap();
    assert!(search.blocking.is_empty());
    assert!(search.waiting.iter().any(|r| r.rule == "pentest-signoff"));

    let html = p.to_html();
    assert!(
        html.contains("<code>ci-required-suites-passed</code> — required CI suites not passed")
    );
    assert!(html.contains("<span class=\"badge v-no-go\">no-go</span>"));
    let md = p.to_markdown();
    assert!(md.contains(
        "| **checkout** | production | checkout-2.4.0 | **no-go** | 2026-11-27 09:00 UTC (2 decisions) | **blocks** ci-required-suites-passed"
    ));
}

#[test]
fn the_latest_assessment_and_expiring_waivers_are_shown() {
    let bundle = Bundle::builtin();
    let p = portfolio(&bundle);
    assert_eq!(p.rollouts.len(), 1);
    let r = &p.rollouts[0];
    // Two assessments at the same `now`: the later record wins.
    assert_eq!((r.verdict, r.seq), (RolloutVerdict::Rollback, 5));
    assert_eq!(r.acting[0].rule, "p99-latency-regression");

    // As of the last record's event (2026-11-30 16:00), the waiver that
    // expires on 2026-12-03 has two whole days left.
    assert_eq!(
        p.as_of.map(|t| t.to_rfc3339()),
        Some("2026-11-30T16:00:00+00:00".into())
    );
    assert_eq!(p.waivers.len(), 1);
    let w = &p.waivers[0];
    assert_eq!(
        (w.rule.as_str(), w.status.as_str(), w.days_left),
        ("sca-no-critical", "applied", Some(2))
    );
    assert!(w.expiring_soon());
    assert!(p.to_html().contains("<tr class=\"soon\">"));
    assert!(p.to_markdown().contains("in 2 days **soon**"));

    // A later `now` given by the caller: expired.
    let later = "2026-12-10T00:00:00Z".parse().unwrap();
    let p = Portfolio::from_records(common::archive(&bundle), &bundle, Some(later)).unwrap();
    assert_eq!(p.waivers[0].days_left, Some(-7));
    assert!(p.to_html().contains("expired 7 days ago"));
}

/// The oracle: per control, each check decision's and assessment's worst
/// finding state, counted straight from the archived JSON.
fn expected_tallies(records: &[AuditRecord]) -> BTreeMap<String, [usize; 4]> {
    let mut out: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for r in records {
        let json: serde_json::Value = match r.entry.kind {
            EntryKind::Check | EntryKind::Assess => {
                serde_json::from_str(&r.entry.decision).unwrap()
            }
            _ => continue,
        };
        // 0 passed, 1 warned, 2 waived, 3 failed.
        let mut worst: BTreeMap<String, usize> = BTreeMap::new();
        for f in json["findings"].as_array().unwrap() {
            let rank = match f["outcome"].as_str().unwrap() {
                "pass" => 0,
                "warn" => 1,
                "waived" => 2,
                "fail" | "error" | "no-data" => 3,
                _ => continue,
            };
            for c in f["controls"].as_array().into_iter().flatten() {
                let w = worst.entry(c.as_str().unwrap().to_string()).or_insert(rank);
                *w = (*w).max(rank);
            }
        }
        for (c, rank) in worst {
            out.entry(c).or_default()[rank] += 1;
        }
    }
    out
}

#[test]
fn compliance_counts_match_the_findings() {
    let bundle = Bundle::builtin();
    let records = common::archive(&bundle);
    let expected = expected_tallies(&records);
    let p = Portfolio::from_records(records, &bundle, None).unwrap();
    let mut got: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for f in &p.compliance {
        for c in &f.controls {
            assert!(c.control.starts_with(&format!("{}:", f.id)));
            got.insert(c.control.clone(), [c.passed, c.warned, c.waived, c.failed]);
        }
    }
    assert_eq!(got, expected);
    let ids: Vec<&str> = p.compliance.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["GDPR", "HIPAA", "SOC2"]);

    // The SCA finding was waived in the latest checkout decision and
    // failed in the first: its controls count one of each.
    let first: Decision =
        serde_json::from_str(&common::archive(&bundle)[0].entry.decision).unwrap();
    let sca = first.finding("sca-no-critical").unwrap();
    assert_eq!(sca.outcome(), Outcome::Fail);
    let soc2 = &p
        .compliance
        .iter()
        .find(|f| f.id == "SOC2")
        .unwrap()
        .controls;
    let cc81 = soc2.iter().find(|c| c.control == "SOC2:CC8.1").unwrap();
    assert_eq!(cc81.failed_in, [1, 3, 21]);
    let md = p.to_markdown();
    assert!(md.contains(&format!(
        "| SOC2:CC8.1 | {} | {} | {} | {} | {} | [#1](#record-1) [#3](#record-3) [#21](#record-21) |",
        cc81.passed,
        cc81.failed,
        cc81.waived,
        cc81.warned,
        cc81.total()
    )));
    let html = p.to_html();
    assert!(html.contains("<h3>SOC 2</h3>"));
    assert!(html.contains("<td><code>SOC2:CC8.1</code></td>"));
}

#[test]
fn dora_and_rollbacks_come_from_the_review() {
    let bundle = Bundle::builtin();
    let p = portfolio(&bundle);
    let review = p.review.as_ref().unwrap();
    // The same review `Bundle::review` gives over the example records.
    let records = release_policy::review::Records::from_path(
        common::root().join("examples/records"),
        &release_policy::Limits::default(),
    )
    .unwrap();
    let direct = bundle
        .review(&records, &release_policy::review::ReviewOptions::default())
        .unwrap();
    assert_eq!(review, &direct);

    let html = p.to_html();
    for title in [
        "Deployment frequency (deployments per week)",
        "Lead time for changes (median, hours)",
        "Change failure rate (% of deployments)",
        "Time to restore service (median, minutes)",
        "Rollback frequency per service",
    ] {
        assert!(
            html.contains(&format!("-title\">{title}</title>")),
            "{title}"
        );
    }
    assert_eq!(html.matches("<svg ").count(), 5);
    assert!(html.contains("checkout: 1 of 6 rolled back (16.7%)"));
    let md = p.to_markdown();
    assert!(md.contains("| 2026-11-24 | 6 | 84 | 50 | 16 |"));
    assert!(md.contains("| checkout | 6 | 1 | 16.7% | no |"));
    assert!(md.contains("No service is chronically unstable."));
}

#[test]
fn chronic_instability_follows_the_bundles_rules() {
    // A team layer that tightens the pack: one rollback in 30 days is
    // chronic.
    let bundle = Bundle::builder()
        .builtin_layer()
        .yaml_layer(
            "team.yaml",
            "apiVersion: release-policy/v1\nkind: ReviewPolicy\nmetadata: {name: team-stability, version: 1.0.0}\n\
             spec:\n  instability:\n    - {id: any-rollback, rollbacks: 1, within: 30d}\n",
        )
        .build()
        .unwrap();
    let p = portfolio(&bundle);
    let chronic: Vec<&str> = p
        .review
        .as_ref()
        .unwrap()
        .stability
        .iter()
        .filter(|s| s.chronic)
        .map(|s| s.service.as_str())
        .collect();
    assert_eq!(chronic, ["checkout", "payments"]);
    let html = p.to_html();
    assert!(html.contains("<b>2</b><span>chronically unstable</span>"));
    assert!(html.contains("rolled back (16.7%) — chronic"));
    assert!(html.contains("fill=\"#c0392b\"><title>checkout: 1 of 6"));
    assert!(
        p.to_markdown()
            .contains("| checkout | 6 | 1 | 16.7% | **yes** |")
    );
}

#[test]
fn every_decision_links_to_its_audit_record() {
    let bundle = Bundle::builtin();
    let records = common::archive(&bundle);
    let p = Portfolio::from_records(records.clone(), &bundle, None).unwrap();
    let html = p.to_html();
    let md = p.to_markdown();
    for r in &records {
        assert!(html.contains(&format!("<tr id=\"record-{}\">", r.seq)));
        assert!(html.contains(&format!("<code class=\"hash\">{}</code></td>", r.hash)));
        assert!(md.contains(&format!("<a id=\"record-{}\"></a>{} |", r.seq, r.seq)));
    }
    for s in &p.statuses {
        assert!(html.contains(&format!("<a href=\"#record-{0}\">#{0}</a>", s.seq)));
        assert!(md.contains(&format!("[#{0}](#record-{0})", s.seq)));
    }
    assert!(!html.contains("does not match"));

    // A record changed after sealing is marked.
    let mut changed = records;
    changed[1].entry.verdict = "go!".into();
    let p = Portfolio::from_records(changed, &bundle, None).unwrap();
    assert!(!p.records[1].hash_ok);
    assert!(p.to_html().contains("✗ does not match"));
}

const SCRIPT: &str = "<script>alert('x')</script>";

/// A decision a hostile CI system archived: script in the release id, the
/// service, a finding's message and a control.
fn hostile(bundle: &Bundle) -> Vec<AuditRecord> {
    let mut entries = common::entries(bundle);
    let first: &mut Entry = &mut entries[0];
    let mut json: serde_json::Value = serde_json::from_str(&first.decision).unwrap();
    json["release"] = SCRIPT.into();
    for f in json["findings"].as_array_mut().unwrap() {
        if f["rule"] == "ci-required-suites-passed" {
            f["message"] = format!("e2e failed {SCRIPT} | **bold** [link](javascript:x)").into();
            f["controls"] = serde_json::json!([format!("SOC2:{SCRIPT}")]);
        }
    }
    first.decision = json.to_string();
    first.release = SCRIPT.into();
    first.service = "<img src=x onerror=alert(1)>".into();
    common::seal(entries)
}

#[test]
fn strings_from_records_are_escaped() {
    let bundle = Bundle::builtin();
    let p = Portfolio::from_records(hostile(&bundle), &bundle, None).unwrap();
    let html = p.to_html();
    assert!(!html.contains("<script"), "a script tag got through");
    assert!(!html.contains("<img"), "an img tag got through");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    // The page forbids scripts even if one got through.
    assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""));

    let md = p.to_markdown();
    assert!(!md.contains("<script"));
    assert!(!md.contains("<img"));
    assert!(md.contains("e2e failed &lt;script&gt;alert('x')&lt;/script&gt; \\| \\*\\*bold\\*\\* \\[link\\](javascript:x)"));
}

#[test]
fn the_same_records_give_the_same_bytes() {
    let bundle = Bundle::builtin();
    let records = common::archive(&bundle);
    let a = Portfolio::from_records(records.clone(), &bundle, None).unwrap();
    let mut shuffled = records;
    shuffled.reverse();
    shuffled.swap(3, 11);
    let b = Portfolio::from_records(shuffled, &bundle, None).unwrap();
    assert_eq!(a.to_html(), b.to_html());
    assert_eq!(a.to_markdown(), b.to_markdown());
    // And a second run of the whole pipeline.
    let c = portfolio(&Bundle::builtin());
    assert_eq!(a.to_html(), c.to_html());
}

#[test]
fn a_later_record_of_a_release_supersedes_the_earlier() {
    let bundle = Bundle::builtin();
    let mut entries = common::entries(&bundle);
    let again = entries
        .iter()
        .find(|e| e.kind == EntryKind::Record && e.release == "checkout-2.3.0")
        .unwrap()
        .clone();
    entries.push(again);
    let p = Portfolio::from_records(common::seal(entries), &bundle, None).unwrap();
    assert_eq!(p.review.unwrap().dora.deployments, 13);
}

#[test]
fn a_result_that_does_not_parse_is_an_archive_error() {
    let bundle = Bundle::builtin();
    let mut entries = common::entries(&bundle);
    entries[2].decision = "{\"verdict\": \"go\"".into();
    let e = Portfolio::from_records(common::seal(entries), &bundle, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArchiveCorrupt);
    assert_eq!(e.location().as_deref(), Some("record 3"));

    // A release record the review refuses points at its audit record.
    let mut entries = common::entries(&bundle);
    let i = entries
        .iter()
        .position(|e| e.kind == EntryKind::Record)
        .unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&entries[i].decision).unwrap();
    json["release"]["id"] = "".into();
    entries[i].decision = json.to_string();
    let e = Portfolio::from_records(common::seal(entries), &bundle, None).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InconsistentRecord);
    assert!(
        e.location()
            .unwrap()
            .starts_with(&format!("record {}", i + 1))
    );
}

#[test]
fn an_empty_archive_is_a_report_that_says_so() {
    let bundle = Bundle::builtin();
    let p = Portfolio::from_records(Vec::new(), &bundle, None).unwrap();
    assert!(p.as_of.is_none() && p.review.is_none());
    let html = p.to_html();
    assert!(html.contains("No <code>check</code> decision in the records."));
    assert!(html.contains("no DORA keys"));
    assert!(
        p.to_markdown()
            .contains("No finding in the records names a control.")
    );
}

#[test]
fn the_page_is_self_contained() {
    let bundle = Bundle::builtin();
    let html = portfolio(&bundle).to_html();
    for banned in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "src=",
        "url(",
        "@import",
        "@font-face",
    ] {
        assert!(!html.contains(banned), "the page holds `{banned}`");
    }
    // The only URL is the SVG namespace, which is never fetched.
    let urls = html.matches("http://").count() + html.matches("https://").count();
    assert_eq!(
        urls,
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.ends_with("</html>\n"));
}
