//! The `assess` benchmark compares like with like: release-policy and the
//! Rego translation trip the same triggers on the benchmark's facts, and on
//! the same facts with spikes that trip some of them; and the judge's
//! Hodges-Lehmann estimate equals the textbook one the bench sets beside it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use release_policy::Outcome;
use release_policy::unstable::stats;
use release_policy::{Bundle, RolloutFacts};
use release_policy_benches::rollout::{
    ROLLOUT_POLICY, ROLLOUT_REGO, naive_hodges_lehmann, noise, rollout_facts_json,
};

fn both(json: &serde_json::Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let bundle = Bundle::from_yaml_str("bench.yaml", ROLLOUT_POLICY).unwrap();
    let facts = RolloutFacts::from_json_value(json.clone(), bundle.limits()).unwrap();
    let ours: BTreeSet<String> = bundle
        .assess(&facts)
        .unwrap()
        .findings()
        .iter()
        .filter(|f| f.outcome() == Outcome::Fail)
        .map(|f| f.rule().to_string())
        .collect();
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("rollout.rego".into(), ROLLOUT_REGO.into())
        .unwrap();
    engine.set_input(regorus::Value::from_json_str(&json.to_string()).unwrap());
    let v = engine.eval_rule("data.rollout.result".into()).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(&v.to_json_str().unwrap()).unwrap();
    let theirs = theirs["tripped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    (ours, theirs)
}

#[test]
fn both_engines_trip_the_same_triggers() {
    let mut json = rollout_facts_json();
    let (ours, theirs) = both(&json);
    assert!(ours.is_empty(), "{ours:?}");
    assert_eq!(ours, theirs);
    // Two spikes in the window trip an absolute and a relative trigger;
    // one spike (tolerated) trips nothing; spikes outside the window count
    // for neither.
    for (metric, value) in [("cpu", 99.0), ("latency-p99", 900.0)] {
        json["metrics"][metric]["canary"][359]["value"] = value.into();
        json["metrics"][metric]["canary"][350]["value"] = value.into();
    }
    json["metrics"]["memory"]["canary"][359]["value"] = 99.0.into();
    json["metrics"]["queue-depth"]["canary"][0]["value"] = 5000.0.into();
    json["metrics"]["queue-depth"]["canary"][1]["value"] = 5000.0.into();
    let (ours, theirs) = both(&json);
    assert_eq!(
        ours,
        BTreeSet::from([
            "cpu-saturated".to_string(),
            "latency-p99-regression".to_string()
        ])
    );
    assert_eq!(ours, theirs);
}

#[test]
fn hodges_lehmann_peers_agree() {
    let (c, b) = (noise(11, 300, 1.0, 9.0), noise(12, 301, 0.0, 8.0));
    assert_eq!(stats::hodges_lehmann(&c, &b), naive_hodges_lehmann(&c, &b));
}
