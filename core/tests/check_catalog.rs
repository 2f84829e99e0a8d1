//! `check` with a catalog: the `graph` and `calendar` roots, the calendar
//! functions `inWindow(name)` and `frozen()` (in the calendar's local
//! time across a DST change), fail-closed behaviour without a catalog or
//! with one that does not know the release, facts that try to claim the
//! roots themselves, and the catalog digest. Expected UTC instants of the
//! Berlin windows were computed with Python's `zoneinfo`:
//! `datetime(2027,3,29,9,0,tzinfo=ZoneInfo("Europe/Berlin")).astimezone(timezone.utc)`
//! is 07:00 UTC (summer time), `datetime(2027,3,25,9,0,…)` 08:00 UTC.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use release_policy::plan::Catalog;
use release_policy::{Bundle, Decision, Error, ErrorCode, Facts, Limits, Outcome, Verdict};

const CATALOG: &str = r#"
apiVersion: release-policy/v1
kind: Service
metadata: {name: payments}
spec:
  tier: 2
  owner: payments-team
  environments: [staging, production]
  provides:
    - {api: payments-api, version: "3.1.0"}
    - {api: payments-api, version: "3.2.0"}
    - {api: payments-api, version: "4.0.0"}
  dependsOn:
    - {service: ledger, api: ledger-api, requires: "^1.2", kind: hard}
    - {service: fx, kind: soft}
  deployed: {staging: "3.2.0", production: "3.1.0"}
---
apiVersion: release-policy/v1
kind: Service
metadata: {name: ledger}
spec:
  tier: 2
  owner: finance-team
  environments: [staging, production]
  provides:
    - {api: ledger-api, version: "1.1.0"}
  deployed: {production: "1.1.0"}
---
apiVersion: release-policy/v1
kind: Service
metadata: {name: fx}
spec:
  tier: 3
  owner: finance-team
  environments: [production]
  deployed: {production: "2.0.0"}
---
apiVersion: release-policy/v1
kind: Service
metadata: {name: checkout}
spec:
  tier: 1
  owner: checkout-team
  environments: [staging, production]
  dependsOn:
    - {service: payments, api: payments-api, requires: "^3.1", kind: hard}
  deployed: {staging: "2.0.0", production: "2.0.0"}
---
apiVersion: release-policy/v1
kind: Service
metadata: {name: storefront}
spec:
  tier: 2
  owner: web-team
  environments: [production]
  dependsOn:
    - {service: checkout, kind: soft}
  deployed: {production: "9.0.0"}
---
apiVersion: release-policy/v1
kind: Calendar
metadata: {name: eu-production}
spec:
  timeZone: Europe/Berlin
  appliesTo: {environments: [production]}
  windows:
    - {name: business-hours, days: [mon, tue, wed, thu], from: "09:00", to: "16:00"}
    - {name: mornings, days: [mon, tue, wed, thu, fri], from: "06:00", to: "12:00"}
  freezes:
    - {name: year-end, from: "2026-12-19T00:00", to: "2027-01-05T00:00", exempt: 'release.kind in ["hotfix", "security"]'}
    - {name: audit, from: "2027-02-01T00:00", to: "2027-02-02T00:00"}
"#;

/// A policy that reports what it reads, one gate per question.
const POLICY: &str = r#"
apiVersion: release-policy/v1
kind: Policy
metadata: {name: reads-the-catalog, version: 1.0.0}
spec:
  gates:
    - {id: in-business-hours, expression: 'inWindow("business-hours")', effect: block}
    - {id: not-frozen, expression: '!frozen()', effect: block}
    - {id: contract, expression: graph.contract.ok, effect: block}
    - {id: no-tier1, expression: graph.blastRadius.tier1 == 0, effect: block}
"#;

fn catalog() -> Catalog {
    Catalog::from_sources(
        vec![("catalog.yaml".to_string(), CATALOG.to_string())],
        &Limits::default(),
    )
    .unwrap()
}

fn facts(now: &str, service: &str, version: &str, kind: &str) -> Facts {
    Facts::parse(&format!(
        "now: {now}\nrelease: {{id: r1, service: {service}, version: \"{version}\", environment: production, kind: {kind}, author: alice}}\n"
    ))
    .unwrap()
}

fn check(f: &Facts) -> Decision {
    Bundle::from_yaml_str("p.yaml", POLICY)
        .unwrap()
        .check_with_catalog(f, &catalog())
        .unwrap()
}

fn outcome(d: &Decision, rule: &str) -> Outcome {
    d.findings()
        .iter()
        .find(|f| f.rule() == rule)
        .map(|f| f.outcome())
        .unwrap()
}

fn json(d: &Decision) -> serde_json::Value {
    serde_json::from_str(&d.to_json_pretty()).unwrap()
}

#[test]
fn windows_are_local_time_across_the_march_2027_dst_change() {
    // Thursday 25 March 2027, winter time: 09:00 Berlin is 08:00 UTC.
    let d = check(&facts(
        "2027-03-25T07:59:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&d, "in-business-hours"), Outcome::Fail);
    let d = check(&facts(
        "2027-03-25T08:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&d, "in-business-hours"), Outcome::Pass);
    // Monday 29 March 2027, summer time: 09:00 Berlin is 07:00 UTC.
    let d = check(&facts(
        "2027-03-29T07:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&d, "in-business-hours"), Outcome::Pass);
    let d = check(&facts(
        "2027-03-29T06:59:59Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&d, "in-business-hours"), Outcome::Fail);
    // The end is exclusive: 16:00 Berlin (14:00 UTC in summer) is outside.
    let d = check(&facts(
        "2027-03-29T14:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&d, "in-business-hours"), Outcome::Fail);
}

#[test]
fn the_calendar_root_names_every_window_and_whether_any_is_open() {
    // Friday 26 March 2027, 10:00 Berlin: mornings open, business hours not.
    let d = check(&facts(
        "2027-03-26T09:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    let v = json(&d);
    let read = |rule: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .cloned()
            .unwrap()
    };
    assert_eq!(read("in-business-hours")["outcome"], "fail");
    let d2 = Bundle::from_yaml_str(
        "p.yaml",
        r#"
apiVersion: release-policy/v1
kind: Policy
metadata: {name: windows, version: 1.0.0}
spec:
  gates:
    - {id: mornings, expression: 'inWindow("mornings")', effect: block}
    - {id: any, expression: calendar.inWindow, effect: block}
    - {id: named, expression: 'calendar.calendars == ["eu-production"]', effect: block}
    - {id: unknown-window, expression: 'inWindow("weekends")', effect: block}
"#,
    )
    .unwrap()
    .check_with_catalog(
        &facts("2027-03-26T09:00:00Z", "payments", "3.2.0", "standard"),
        &catalog(),
    )
    .unwrap();
    assert_eq!(outcome(&d2, "mornings"), Outcome::Pass);
    // One open window of the calendar is enough for `calendar.inWindow`.
    assert_eq!(outcome(&d2, "any"), Outcome::Pass);
    assert_eq!(outcome(&d2, "named"), Outcome::Pass);
    // A window no governing calendar has cannot be evaluated: it fails
    // closed, and the decision is no-go.
    assert_eq!(outcome(&d2, "unknown-window"), Outcome::Error);
    assert_eq!(d2.verdict(), Verdict::NoGo);
}

#[test]
fn a_freeze_holds_unless_its_exemption_lifts_it() {
    let standard = check(&facts(
        "2026-12-21T10:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&standard, "not-frozen"), Outcome::Fail);
    let hotfix = check(&facts(
        "2026-12-21T10:00:00Z",
        "payments",
        "3.2.0",
        "hotfix",
    ));
    assert_eq!(outcome(&hotfix, "not-frozen"), Outcome::Pass);
    // The audit freeze has no exemption: a hotfix is frozen too.
    let audit = check(&facts(
        "2027-02-01T10:00:00Z",
        "payments",
        "3.2.0",
        "hotfix",
    ));
    assert_eq!(outcome(&audit, "not-frozen"), Outcome::Fail);
    // The freeze starts at midnight in Berlin, 23:00 UTC the day before.
    let before = check(&facts(
        "2026-12-18T22:59:59Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&before, "not-frozen"), Outcome::Pass);
    let at = check(&facts(
        "2026-12-18T23:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&at, "not-frozen"), Outcome::Fail);
}

#[test]
fn the_graph_root_holds_providers_dependents_blast_radius_and_contract() {
    let b = Bundle::from_yaml_str(
        "p.yaml",
        r#"
apiVersion: release-policy/v1
kind: Policy
metadata: {name: graph, version: 1.0.0}
spec:
  gates:
    - {id: tier, expression: graph.tier == 2 && graph.owner == "payments-team", effect: block}
    - id: providers
      expression: >-
        graph.providers.map(p, p.service + ":" + p.kind + ":" + string(p.satisfied)) == ["ledger:hard:false", "fx:soft:true"]
      effect: block
    - id: dependents
      expression: >-
        graph.dependents.map(d, d.service + ":" + d.kind + ":" + string(d.tier)) == ["checkout:hard:1", "storefront:soft:2"]
      effect: block
    # checkout (tier 1, hard) weighs 8, storefront (tier 2, soft) half of 4.
    - {id: radius, expression: 'graph.blastRadius.hard == 1 && graph.blastRadius.soft == 1 && graph.blastRadius.tier1 == 1 && graph.blastRadius.weight == 10.0', effect: block}
    - {id: worst, expression: 'graph.blastRadius.worstPath == ["payments", "checkout"]', effect: block}
"#,
    )
    .unwrap();
    let d = b
        .check_with_catalog(
            &facts("2027-03-25T09:00:00Z", "payments", "3.2.0", "standard"),
            &catalog(),
        )
        .unwrap();
    for rule in ["tier", "providers", "dependents", "radius", "worst"] {
        assert_eq!(
            outcome(&d, rule),
            Outcome::Pass,
            "{rule}: {}",
            d.to_json_pretty()
        );
    }
}

#[test]
fn a_release_that_breaks_a_consumer_fails_the_contract() {
    let ok = check(&facts(
        "2027-03-25T09:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_eq!(outcome(&ok, "contract"), Outcome::Pass);
    let major = check(&facts(
        "2027-03-25T09:00:00Z",
        "payments",
        "4.0.0",
        "standard",
    ));
    assert_eq!(outcome(&major, "contract"), Outcome::Fail);
    assert_eq!(major.verdict(), Verdict::NoGo);
    // A major version the catalog lists no API version for cannot be
    // judged: it fails closed too.
    let unknown = check(&facts(
        "2027-03-25T09:00:00Z",
        "payments",
        "5.0.0",
        "standard",
    ));
    assert_eq!(outcome(&unknown, "contract"), Outcome::Fail);
    let answer = Bundle::builtin()
        .can_i_deploy(&catalog(), "payments", "5.0.0", "production")
        .unwrap();
    assert!(!answer.deployable);
    assert_eq!(answer.violations[0].kind.as_str(), "unknown-api-version");
    // A patch the catalog does not list keeps the running API: deployable.
    let patch = Bundle::builtin()
        .can_i_deploy(&catalog(), "payments", "3.1.1", "production")
        .unwrap();
    assert!(patch.deployable, "{:?}", patch.violations);
}

#[test]
fn without_a_catalog_the_roots_are_null_and_reading_them_fails_closed() {
    let b = Bundle::from_yaml_str("p.yaml", POLICY).unwrap();
    let d = b
        .check(&facts(
            "2027-03-25T09:00:00Z",
            "payments",
            "3.2.0",
            "standard",
        ))
        .unwrap();
    for rule in ["in-business-hours", "not-frozen", "contract", "no-tier1"] {
        assert_eq!(outcome(&d, rule), Outcome::Error, "{rule}");
    }
    assert_eq!(d.verdict(), Verdict::NoGo);
    assert!(d.catalog_digest().is_none());
    assert!(json(&d).get("catalogDigest").is_none());
}

#[test]
fn the_pack_skips_its_catalog_gates_without_a_catalog_and_applies_them_with_one() {
    let f = facts("2026-12-21T10:00:00Z", "payments", "4.0.0", "standard");
    let without = Bundle::builtin().check(&f).unwrap();
    for rule in [
        "contract-compatible",
        "release-freeze",
        "release-window",
        "blast-radius-tier1",
    ] {
        assert_eq!(outcome(&without, rule), Outcome::Skipped, "{rule}");
    }
    let with = Bundle::builtin()
        .check_with_catalog(&f, &catalog())
        .unwrap();
    assert_eq!(outcome(&with, "contract-compatible"), Outcome::Fail);
    assert_eq!(outcome(&with, "release-freeze"), Outcome::Fail);
    assert_eq!(outcome(&with, "blast-radius-tier1"), Outcome::Fail);
    assert_eq!(with.verdict(), Verdict::NoGo);
}

#[test]
fn facts_cannot_claim_the_catalog_roots() {
    for root in ["graph", "calendar"] {
        let text = format!(
            "now: 2027-03-25T09:00:00Z\nrelease: {{id: r1, service: payments, version: \"4.0.0\", environment: production, kind: standard, author: alice}}\n{root}: {{contract: {{ok: true}}, frozen: false}}\n"
        );
        let e = Facts::parse(&text).unwrap_err();
        assert!(e.to_string().contains(root), "{e}");
    }
}

#[test]
fn a_release_the_catalog_cannot_place_is_refused() {
    let b = Bundle::builtin();
    let e = b
        .check_with_catalog(
            &facts("2027-03-25T09:00:00Z", "paymnets", "3.2.0", "standard"),
            &catalog(),
        )
        .unwrap_err();
    let Error::Facts(fe) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(fe.code(), ErrorCode::UnknownReference);
    let text = e.to_string();
    assert!(
        text.contains("`paymnets`") && text.contains("$.release.service"),
        "{text}"
    );
    assert!(
        fe.hint.as_deref().unwrap_or("").contains("payments"),
        "{text}"
    );
    // fx does not run in staging.
    let f = Facts::parse(
        "now: 2027-03-25T09:00:00Z\nrelease: {id: r1, service: fx, version: \"2.0.0\", environment: staging, kind: standard, author: alice}\n",
    )
    .unwrap();
    let e = b.check_with_catalog(&f, &catalog()).unwrap_err();
    assert!(e.to_string().contains("$.release.environment"), "{e}");
}

#[test]
fn the_catalog_digest_is_recorded_and_deterministic() {
    let f = facts("2027-03-25T09:00:00Z", "payments", "3.2.0", "standard");
    let a = check(&f);
    let b = check(&f);
    assert_eq!(a.to_json_pretty(), b.to_json_pretty());
    let digest = a.catalog_digest().unwrap();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    assert_eq!(json(&a)["catalogDigest"], digest);
    // Another moment reads other calendar facts: another digest.
    let later = check(&facts(
        "2027-03-25T15:00:00Z",
        "payments",
        "3.2.0",
        "standard",
    ));
    assert_ne!(later.catalog_digest(), a.catalog_digest());
}

#[test]
fn a_hub_with_more_dependents_than_the_facts_list_limit_is_checked() {
    // 1,100 consumers of one provider: more than the 1,000 items a facts
    // list may hold. Computed roots are bounded by the catalog's limits.
    let mut text = String::from(
        "apiVersion: release-policy/v1\nkind: Service\nmetadata: {name: hub}\nspec: {tier: 2, owner: t, environments: [production], deployed: {production: \"1.0.0\"}}\n",
    );
    for i in 0..1100 {
        text.push_str(&format!(
            "---\napiVersion: release-policy/v1\nkind: Service\nmetadata: {{name: c{i}}}\nspec: {{tier: 3, owner: t, environments: [production], dependsOn: [{{service: hub, kind: hard}}]}}\n"
        ));
    }
    let catalog =
        Catalog::from_sources(vec![("hub.yaml".to_string(), text)], &Limits::default()).unwrap();
    let b = Bundle::from_yaml_str(
        "p.yaml",
        r#"
apiVersion: release-policy/v1
kind: Policy
metadata: {name: hub, version: 1.0.0}
spec:
  gates:
    - {id: count, expression: size(graph.dependents) == 1100 && graph.blastRadius.hard == 1100, effect: block}
"#,
    )
    .unwrap();
    let d = b
        .check_with_catalog(
            &facts("2027-03-25T09:00:00Z", "hub", "1.0.1", "standard"),
            &catalog,
        )
        .unwrap();
    assert_eq!(outcome(&d, "count"), Outcome::Pass);
}
