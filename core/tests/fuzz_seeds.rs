//! Every seed of the fuzz corpus (`fuzz/seeds/`), the probe's attack inputs
//! among them, run through the same calls as its fuzz target, in the test
//! command: each must come back as a value or an error, quickly. The attack
//! seeds (`attack-*`) must be refused or decide without a `go` / `promote`
//! (policy tests: be refused).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use release_policy::{Bundle, Facts, Limits, RolloutFacts, RolloutVerdict, Verdict};

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds for {target}");
    out
}

/// Well within the 100 ms a decision may take, even in a debug build.
const QUICK: Duration = Duration::from_secs(2);

#[test]
fn check_facts_seeds_decide_or_are_refused_and_attacks_never_go() {
    let bundle = Bundle::builtin();
    for (name, bytes) in seeds("check_facts") {
        let start = Instant::now();
        let verdict = Facts::from_slice(&bytes, &Limits::default())
            .ok()
            .and_then(|f| bundle.check(&f).ok())
            .map(|d| d.verdict());
        assert!(start.elapsed() < QUICK, "{name} took {:?}", start.elapsed());
        if name.starts_with("attack-") {
            assert_ne!(verdict, Some(Verdict::Go), "{name} got a go");
        }
    }
}

#[test]
fn assess_facts_seeds_assess_or_are_refused_and_attacks_never_promote() {
    let bundle = Bundle::builtin();
    for (name, bytes) in seeds("assess_facts") {
        let start = Instant::now();
        let verdict = RolloutFacts::from_slice(&bytes, &Limits::default())
            .ok()
            .and_then(|f| bundle.assess(&f).ok())
            .map(|a| a.verdict());
        assert!(start.elapsed() < QUICK, "{name} took {:?}", start.elapsed());
        if name.starts_with("attack-") {
            assert_ne!(verdict, Some(RolloutVerdict::Promote), "{name} promoted");
        }
    }
}

#[test]
fn policy_load_seeds_load_or_are_refused_and_attacks_are_refused() {
    for (name, bytes) in seeds("policy_load") {
        let start = Instant::now();
        let loaded = std::str::from_utf8(&bytes)
            .ok()
            .map(|t| Bundle::from_yaml_str("fuzz.yaml", t).is_ok());
        assert!(start.elapsed() < QUICK, "{name} took {:?}", start.elapsed());
        if name.starts_with("attack-") && name != "attack-bom.yaml" {
            assert_eq!(loaded, Some(false), "{name} loaded");
        }
    }
}

#[test]
fn policy_test_seeds_run_or_are_refused_and_attacks_are_refused() {
    let bundle = Bundle::builtin();
    let dir = std::env::temp_dir().join(format!("rp-seeds-policy-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seed.test.yaml");
    for (name, bytes) in seeds("policy_test") {
        std::fs::write(&file, &bytes).unwrap();
        let start = Instant::now();
        let report = release_policy::testing::run_files(&bundle, std::slice::from_ref(&file));
        assert!(start.elapsed() < QUICK, "{name} took {:?}", start.elapsed());
        if name.starts_with("attack-") {
            assert!(report.is_err(), "{name} ran");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn cel_differential_seeds_agree_with_the_reference() {
    use release_policy::unstable::differential::{Agreement, Input, compare};
    for (name, bytes) in seeds("cel_differential") {
        let text = String::from_utf8(bytes).unwrap();
        let (expr, facts) = text.split_once('\n').unwrap();
        let facts = Facts::from_str_with_limits(facts, &Limits::default()).unwrap();
        let r = compare(&[], expr, Input::Release, &facts.to_json_value());
        assert!(
            matches!(r, Ok(Agreement::Same(_))),
            "{name}: `{expr}`: {r:?}"
        );
    }
}

#[test]
fn cel_parse_seeds_parse_the_same_in_both_parsers() {
    use release_policy::unstable::differential::parsers_agree;
    let mut parsed = 0;
    for (name, bytes) in seeds("cel_parse") {
        let text = String::from_utf8(bytes).unwrap();
        let r = parsers_agree(&text);
        assert!(r.is_ok(), "{name}: {r:?}");
        parsed += usize::from(r == Ok(true));
    }
    assert!(parsed >= 3, "only {parsed} seeds parsed by both parsers");
}

#[test]
fn plan_catalog_seeds_plan_or_are_refused_quickly() {
    let mut planned = 0;
    for (name, bytes) in seeds("plan_catalog") {
        let start = Instant::now();
        let plan = release_policy::unstable::plan_from_bytes(&bytes);
        assert!(start.elapsed() < QUICK, "{name} took {:?}", start.elapsed());
        planned += usize::from(plan.is_some());
    }
    // The example seeds are real plans: they must plan, not be refused.
    assert!(planned >= 3, "only {planned} seeds planned");
}

#[test]
fn review_records_seeds_review_or_are_refused_quickly() {
    let mut reviewed = 0;
    for (name, bytes) in seeds("review_records") {
        let start = Instant::now();
        let review = release_policy::unstable::review_from_bytes(&bytes);
        assert!(start.elapsed() < QUICK, "{name} took {:?}", start.elapsed());
        // An attack (a layer switching a required criterion off) is refused.
        if name.starts_with("attack-") {
            assert!(review.is_none(), "{name} was reviewed");
        }
        reviewed += usize::from(review.is_some());
    }
    // The example seeds are real histories: they must be reviewed.
    assert!(reviewed >= 3, "only {reviewed} seeds reviewed");
}

#[test]
fn audit_chain_seeds_verify_or_are_refused_quickly() {
    let mut verified = 0;
    for (name, bytes) in seeds("audit_chain") {
        let start = Instant::now();
        let v = release_policy::unstable::audit_from_bytes(&bytes);
        assert!(start.elapsed() < QUICK, "{name} took {:?}", start.elapsed());
        match name.as_str() {
            "chain-only" | "chain-with-checkpoint" => {
                let v = v.as_ref().unwrap_or_else(|| panic!("{name} did not parse"));
                assert!(v.is_intact(), "{name}: {:?}", v.breaks);
                assert_eq!(v.checkpoints, usize::from(name == "chain-with-checkpoint"));
            }
            "tampered-verdict" | "removed-record" => {
                let v = v.as_ref().unwrap_or_else(|| panic!("{name} did not parse"));
                assert!(!v.is_intact(), "{name} verified");
            }
            "unknown-kind" => assert!(v.is_none(), "{name} parsed"),
            _ => {}
        }
        verified += usize::from(v.is_some());
    }
    assert!(verified >= 4, "only {verified} seeds verified");
}
