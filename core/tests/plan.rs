//! `plan` over the example catalog (`examples/catalog/`, seven services):
//! contracts, cycles, waves, blast radius, calendars across the March 2027
//! clock change, the shared-environment conflict and the proposed
//! schedule; `can-i-deploy`; and every bad input a clear error with its
//! code and location. Expected instants were computed with Python's
//! `zoneinfo` (the IANA database), independently of chrono-tz:
//! `datetime.fromisoformat("2027-03-26T18:00").replace(tzinfo=ZoneInfo("Europe/Berlin")).astimezone(timezone.utc)`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use release_policy::plan::{Catalog, ConflictKind, Plan, PlanVerdict, ReleasePlan, ViolationKind};
use release_policy::{Bundle, Error, ErrorCode, Limits};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn catalog() -> Catalog {
    Catalog::from_dir(root().join("examples/catalog"), &Limits::default()).unwrap()
}

fn plan_file(name: &str) -> Plan {
    let intended =
        ReleasePlan::from_file(root().join("examples/plans").join(name), &Limits::default())
            .unwrap();
    Bundle::builtin().plan(&catalog(), &intended).unwrap()
}

fn plan_text(text: &str) -> Result<Plan, Error> {
    let intended = ReleasePlan::from_yaml_str("plan.yaml", text, &Limits::default())?;
    Bundle::builtin().plan(&catalog(), &intended)
}

fn utc(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().unwrap()
}

#[test]
fn the_example_catalog_loads_with_its_openapi_documents() {
    let c = catalog();
    assert_eq!(c.service_count(), 7);
    assert_eq!(c.dependency_count(), 8);
    assert_eq!(
        c.service_names().collect::<Vec<_>>(),
        [
            "checkout",
            "inventory",
            "invoicing",
            "ledger",
            "notifications",
            "payments",
            "search"
        ]
    );
    assert_eq!(c.calendar_names().collect::<Vec<_>>(), ["eu-production"]);
}

#[test]
fn a_major_bump_that_breaks_a_consumer_blocks() {
    let p = plan_file("blocked.yaml");
    assert_eq!(p.verdict, PlanVerdict::Blocked);
    assert_eq!(p.verdict.exit_code(), 1);
    let v = p
        .violations
        .iter()
        .find(|v| v.kind == ViolationKind::RequirementNotMet)
        .expect("a requirement violation");
    assert_eq!(v.release, "payments@production");
    assert_eq!(v.consumer.as_deref(), Some("checkout"));
    assert_eq!(v.api.as_deref(), Some("payments-api"));
    assert!(v.message.contains("`^3.1`"), "{}", v.message);
    // invoicing accepts `>=3.1, <5`: no violation of its requirement.
    assert!(
        !p.violations
            .iter()
            .any(|v| v.kind == ViolationKind::RequirementNotMet
                && v.consumer.as_deref() == Some("invoicing"))
    );
}

#[test]
fn openapi_documents_catch_what_the_version_hides() {
    let p = plan_file("blocked.yaml");
    let of = |kind: ViolationKind| -> Vec<(String, Option<String>)> {
        p.violations
            .iter()
            .filter(|v| v.kind == kind)
            .map(|v| (v.release.clone(), v.consumer.clone()))
            .collect()
    };
    // payments 4.0.0 drops `GET /payments/{id}`, which two consumers use
    // (invoicing only softly: contracts apply to soft dependencies too).
    assert_eq!(
        of(ViolationKind::UsedOperationRemoved),
        [
            (
                "ledger@production".to_string(),
                Some("invoicing".to_string())
            ),
            (
                "payments@production".to_string(),
                Some("checkout".to_string())
            ),
            (
                "payments@production".to_string(),
                Some("invoicing".to_string())
            ),
        ]
    );
    // ledger's "patch" 1.2.1 removes an operation: a breaking change the
    // version hides. payments 4.0.0 declares its breaking change with a
    // major bump: its document changes are not "undeclared".
    let undeclared: Vec<_> = p
        .violations
        .iter()
        .filter(|v| v.kind == ViolationKind::UndeclaredBreakingChange)
        .collect();
    assert_eq!(undeclared.len(), 1, "{undeclared:?}");
    assert_eq!(undeclared[0].release, "ledger@production");
    assert_eq!(undeclared[0].change.as_deref(), Some("operation-removed"));
    assert!(
        undeclared[0].message.contains("`GET /entries/{id}`"),
        "{}",
        undeclared[0].message
    );
    assert!(
        undeclared[0].message.contains("declared patch"),
        "{}",
        undeclared[0].message
    );
}

#[test]
fn a_new_version_without_its_openapi_document_is_not_let_through() {
    // ledger 1.2.0 runs with a document; a release of 1.3.0, which the
    // catalog lists without one, cannot be compared: a violation, not a pass.
    let dir = root().join("examples/catalog");
    let text = std::fs::read_to_string(dir.join("services.yaml")).unwrap().replace(
        "    - {api: ledger-api, version: \"1.2.1\", openapi: openapi/ledger-1.2.1.yaml}",
        "    - {api: ledger-api, version: \"1.2.1\", openapi: openapi/ledger-1.2.1.yaml}\n    - {api: ledger-api, version: \"1.3.0\"}",
    );
    assert!(text.contains("\"1.3.0\""));
    let mut sources = vec![("catalog/services.yaml".to_string(), text)];
    for f in [
        "calendars.yaml",
        "openapi/ledger-1.2.0.yaml",
        "openapi/ledger-1.2.1.yaml",
        "openapi/payments-3.1.0.yaml",
        "openapi/payments-4.0.0.yaml",
    ] {
        sources.push((
            format!("catalog/{f}"),
            std::fs::read_to_string(dir.join(f)).unwrap(),
        ));
    }
    let catalog = Catalog::from_sources(sources, &Limits::default()).unwrap();
    let answer = Bundle::builtin()
        .can_i_deploy(&catalog, "ledger", "1.3.0", "production")
        .unwrap();
    assert!(!answer.deployable);
    assert_eq!(answer.violations[0].kind, ViolationKind::MissingOpenApi);
    assert!(
        answer.violations[0].message.contains("1.3.0 has none"),
        "{}",
        answer.violations[0].message
    );
    // With its document, the same release is compared instead.
    let ok = Bundle::builtin()
        .can_i_deploy(&catalog, "ledger", "1.2.1", "production")
        .unwrap();
    assert!(
        !ok.violations
            .iter()
            .any(|v| v.kind == ViolationKind::MissingOpenApi)
    );
}

#[test]
fn leaving_provides_out_does_not_skip_the_contracts() {
    // payments 4.0.0 released without `provides`: the catalog lists
    // payments-api 4.0.0 at that version, so checkout's `^3.1` still breaks.
    let p = plan_text(
        "apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n  - {service: payments, version: \"4.0.0\", environment: production, window: {start: \"2027-03-23T09:00:00+01:00\", duration: 45m}}\n",
    )
    .unwrap();
    assert_eq!(p.verdict, PlanVerdict::Blocked);
    assert!(
        p.violations
            .iter()
            .any(|v| v.kind == ViolationKind::RequirementNotMet
                && v.consumer.as_deref() == Some("checkout"))
    );
    assert!(
        p.violations
            .iter()
            .any(|v| v.kind == ViolationKind::UsedOperationRemoved)
    );
}

#[test]
fn a_cycle_is_named_unless_declared_lockstep() {
    let p = plan_file("blocked.yaml");
    assert_eq!(p.cycles.len(), 1);
    let c = &p.cycles[0];
    assert_eq!(c.path, ["inventory", "search", "inventory"]);
    assert_eq!(c.released, ["inventory", "search"]);
    let text = std::fs::read_to_string(root().join("examples/plans/blocked.yaml")).unwrap();
    let lockstep = text.replace(
        "releases:\n",
        "lockstep:\n  - {name: discovery, services: [search, inventory]}\nreleases:\n",
    );
    let p = plan_text(&lockstep).unwrap();
    assert!(p.cycles.is_empty(), "{:?}", p.cycles);
    assert_eq!(
        p.release("search@production").unwrap().wave,
        p.release("inventory@production").unwrap().wave
    );
}

#[test]
fn waves_put_providers_first() {
    let p = plan_file("blocked.yaml");
    let wave = |id: &str| p.release(id).unwrap().wave;
    assert_eq!(wave("payments@production"), 1);
    assert_eq!(wave("ledger@production"), 1);
    assert_eq!(wave("checkout@production"), 2);
    assert_eq!(p.waves.len(), 2);
    assert_eq!(p.waves[1].releases, ["checkout@production"]);
}

#[test]
fn a_freeze_across_the_march_2027_clock_change_blocks_and_the_proposal_leaves_it() {
    let p = plan_file("blocked.yaml");
    let freezes: Vec<_> = p
        .conflicts
        .iter()
        .filter(|c| c.kind == ConflictKind::Freeze)
        .collect();
    assert_eq!(freezes.len(), 2, "{freezes:?}");
    assert!(freezes.iter().all(|c| c.blocking));
    // 2027-03-26T18:00 Berlin is CET (+01:00), 2027-03-29T12:00 is CEST
    // (+02:00): zoneinfo gives 17:00Z and 10:00Z.
    assert!(
        freezes[0]
            .message
            .contains("2027-03-26T17:00:00Z – 2027-03-29T10:00:00Z")
    );
    // The proposal puts both after the freeze, one after the other (they
    // depend on each other), inside Monday's window (09:00–16:00 CEST =
    // 07:00–14:00Z).
    let inv = p.release("inventory@production").unwrap();
    let search = p.release("search@production").unwrap();
    let (a, b) = (inv.proposed.unwrap(), search.proposed.unwrap());
    assert_eq!(a.start, utc("2027-03-29T10:00:00Z"));
    assert_eq!(b.start, utc("2027-03-29T10:30:00Z"));
    assert!(inv.moved && search.moved);
    assert!(
        inv.reasons
            .iter()
            .any(|r| r.contains("freeze `eu-production/dst-change`"))
    );
}

#[test]
fn a_window_is_local_time_on_both_sides_of_the_change() {
    // 09:00 Berlin on Thursday 2027-03-25 (CET) is 08:00Z; on Monday
    // 2027-03-29 (CEST) it is 07:00Z. A release asked for 07:30Z on the
    // 25th is outside (08:30 is fine).
    let release = |start: &str| {
        format!(
            "apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n  - {{service: notifications, version: \"1.9.0\", environment: production, window: {{start: \"{start}\", duration: 30m}}}}\n"
        )
    };
    let p = plan_text(&release("2027-03-25T07:30:00Z")).unwrap();
    assert_eq!(p.verdict, PlanVerdict::NeedsDecision);
    assert_eq!(p.conflicts[0].kind, ConflictKind::OutsideWindow);
    assert_eq!(
        p.releases[0].proposed.unwrap().start,
        utc("2027-03-25T08:00:00Z")
    );
    let p = plan_text(&release("2027-03-25T08:00:00Z")).unwrap();
    assert_eq!(p.verdict, PlanVerdict::Ok, "{:?}", p.conflicts);
    // Monday after the change: 07:00Z is 09:00 CEST, inside.
    let p = plan_text(&release("2027-03-29T10:00:00Z")).unwrap();
    assert_eq!(p.verdict, PlanVerdict::Ok, "{:?}", p.conflicts);
    let p = plan_text(&release("2027-04-05T07:00:00Z")).unwrap();
    assert_eq!(p.verdict, PlanVerdict::Ok, "{:?}", p.conflicts);
    let p = plan_text(&release("2027-04-05T06:59:00Z")).unwrap();
    assert_eq!(p.verdict, PlanVerdict::NeedsDecision);
}

#[test]
fn a_hotfix_is_exempt_from_the_year_end_freeze_and_a_standard_release_is_not() {
    let release = |kind: &str| {
        format!(
            "apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n  - {{service: notifications, version: \"1.9.0\", kind: {kind}, environment: production, window: {{start: \"2026-12-22T10:00:00+01:00\", duration: 30m}}}}\n"
        )
    };
    let p = plan_text(&release("hotfix")).unwrap();
    assert_eq!(p.verdict, PlanVerdict::Ok, "{:?}", p.conflicts);
    assert_eq!(p.releases[0].exempted, ["eu-production/year-end"]);
    let p = plan_text(&release("standard")).unwrap();
    assert_eq!(p.verdict, PlanVerdict::Blocked);
    assert_eq!(p.conflicts[0].kind, ConflictKind::Freeze);
    // The proposal: the first window after the freeze, Tuesday
    // 2027-01-05 09:00 CET = 08:00Z.
    assert_eq!(
        p.releases[0].proposed.unwrap().start,
        utc("2027-01-05T08:00:00Z")
    );
}

#[test]
fn the_shared_staging_environment_needs_a_decision_and_gets_a_schedule() {
    let p = plan_file("needs-decision.yaml");
    assert_eq!(p.verdict, PlanVerdict::NeedsDecision);
    assert_eq!(p.verdict.exit_code(), 3);
    assert!(
        p.conflicts
            .iter()
            .any(|c| c.kind == ConflictKind::ExclusiveEnvironment && !c.blocking)
    );
    // The proposal holds one release at a time in staging.
    let staging: Vec<_> = p
        .releases
        .iter()
        .filter(|r| r.environment == "staging")
        .map(|r| r.proposed.unwrap())
        .collect();
    for (i, a) in staging.iter().enumerate() {
        for b in &staging[i + 1..] {
            assert!(a.end <= b.start || b.end <= a.start, "{a:?} {b:?}");
        }
    }
    // Friday is outside the window: Monday 2026-12-07 09:00 CET.
    let inv = p.release("invoicing@production").unwrap();
    assert_eq!(inv.proposed.unwrap().start, utc("2026-12-07T08:00:00Z"));
    // checkout waits for the ledger it depends on.
    let ledger = p.release("ledger@staging").unwrap().proposed.unwrap();
    let checkout = p.release("checkout@staging").unwrap().proposed.unwrap();
    assert!(checkout.start >= ledger.end);
}

#[test]
fn a_plan_that_fits_is_ok_and_nothing_moves() {
    let p = plan_file("ok.yaml");
    assert_eq!(p.verdict, PlanVerdict::Ok, "{:?}", p.conflicts);
    assert!(p.releases.iter().all(|r| !r.moved));
    assert!(p.violations.is_empty() && p.cycles.is_empty() && p.conflicts.is_empty());
}

#[test]
fn blast_radius_counts_hard_and_soft_dependents_in_the_environment() {
    let p = plan_file("blocked.yaml");
    let b = &p.release("payments@production").unwrap().blast_radius;
    // checkout (hard); invoicing and notifications (soft).
    assert_eq!(b.hard.services, ["checkout"]);
    assert_eq!(b.soft.services, ["invoicing", "notifications"]);
    assert_eq!(b.hard.by_tier, [1, 0, 0, 0]);
    assert_eq!(b.weight, 8.0 + (4.0 + 2.0) / 2.0);
    assert_eq!(b.worst_path, ["payments", "checkout"]);
    let b = &p.release("ledger@production").unwrap().blast_radius;
    assert_eq!(b.hard.services, ["checkout", "invoicing"]);
    assert_eq!(b.soft.services, ["notifications"]);
    assert_eq!(b.worst_path, ["ledger", "checkout"]);
}

#[test]
fn plans_are_deterministic() {
    let a = plan_file("blocked.yaml").to_json();
    let b = plan_file("blocked.yaml").to_json();
    assert_eq!(a, b);
    assert!(
        plan_file("needs-decision.yaml")
            .to_mermaid()
            .starts_with("flowchart LR")
    );
    assert!(
        plan_file("needs-decision.yaml")
            .to_dot()
            .starts_with("digraph plan {")
    );
}

#[test]
fn max_per_wave_splits_a_level_and_keeps_providers_first() {
    let text = std::fs::read_to_string(root().join("examples/plans/blocked.yaml")).unwrap();
    let capped = text.replace("releases:\n", "maxPerWave: 1\nreleases:\n");
    let p = plan_text(&capped).unwrap();
    assert!(p.waves.iter().all(|w| {
        w.releases.len() <= 1
            || w.releases
                .iter()
                .all(|r| r.starts_with("search") || r.starts_with("inventory"))
    }));
    let wave = |id: &str| p.release(id).unwrap().wave;
    assert!(wave("checkout@production") > wave("payments@production"));
    assert!(wave("checkout@production") > wave("ledger@production"));
}

#[test]
fn can_i_deploy_answers_for_one_service_and_environment() {
    let c = catalog();
    let b = Bundle::builtin();
    let no = b
        .can_i_deploy(&c, "payments", "4.0.0", "production")
        .unwrap();
    assert!(!no.deployable);
    assert!(
        no.violations
            .iter()
            .any(|v| v.kind == ViolationKind::RequirementNotMet
                && v.consumer.as_deref() == Some("checkout"))
    );
    assert!(
        no.violations
            .iter()
            .any(|v| v.kind == ViolationKind::UsedOperationRemoved
                && v.consumer.as_deref() == Some("invoicing"))
    );
    let ledger = b.can_i_deploy(&c, "ledger", "1.2.1", "production").unwrap();
    assert!(!ledger.deployable);
    let yes = b
        .can_i_deploy(&c, "payments", "3.1.0", "production")
        .unwrap();
    assert!(yes.deployable, "{:?}", yes.violations);
    let e = b
        .can_i_deploy(&c, "paymnets", "3.1.0", "production")
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownReference);
    assert_eq!(e.hint(), Some("did you mean `payments`?"));
}

/// The first error of loading a catalog made of `files`.
fn catalog_error(files: &[(&str, &str)]) -> (ErrorCode, String, String) {
    let sources = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let e = Catalog::from_sources(sources, &Limits::default()).unwrap_err();
    let Error::Catalog(es) = &e else {
        panic!("not a catalog error: {e:?}")
    };
    let first = &es[0];
    (
        first.code,
        first.location.to_string(),
        first.message.clone(),
    )
}

const SVC: &str = "apiVersion: release-policy/v1\nkind: Service\n";

#[test]
fn bad_catalogs_are_clear_errors_with_a_location() {
    let (code, at, msg) = catalog_error(&[(
        "c.yaml",
        &format!(
            "{SVC}metadata: {{name: a}}\nspec:\n  tier: 1\n  owner: t\n  environments: [prod]\n  dependsOn:\n    - {{service: paymnts}}\n---\n{SVC}metadata: {{name: payments}}\nspec: {{tier: 1, owner: t, environments: [prod]}}\n"
        ),
    )]);
    assert_eq!(
        (code, at.as_str()),
        (ErrorCode::UnknownReference, "c.yaml:9:17")
    );
    assert_eq!(msg, "unknown service `paymnts`");

    let (code, at, msg) = catalog_error(&[(
        "c.yaml",
        &format!(
            "{SVC}metadata: {{name: a}}\nspec: {{tier: 1, owner: t, environments: [prod]}}\n---\n{SVC}metadata: {{name: a}}\nspec: {{tier: 2, owner: t, environments: [prod]}}\n"
        ),
    )]);
    assert_eq!(
        (code, at.as_str()),
        (ErrorCode::DuplicateName, "c.yaml:8:18")
    );
    assert_eq!(msg, "service `a` is defined twice");

    let (code, at, msg) = catalog_error(&[(
        "c.yaml",
        &format!(
            "{SVC}metadata: {{name: a}}\nspec:\n  tier: 1\n  owner: t\n  environments: [prod]\n  dependsOn: [{{service: b, api: b-api, requires: \"^^2\"}}]\n---\n{SVC}metadata: {{name: b}}\nspec: {{tier: 1, owner: t, environments: [prod], provides: [{{api: b-api, version: \"2.0.0\"}}]}}\n"
        ),
    )]);
    assert_eq!(
        (code, at.as_str()),
        (ErrorCode::InvalidVersion, "c.yaml:8:50")
    );
    assert!(msg.starts_with("invalid semver requirement `^^2`"), "{msg}");

    let (code, at, msg) = catalog_error(&[(
        "c.yaml",
        "apiVersion: release-policy/v1\nkind: Calendar\nmetadata: {name: cal}\nspec:\n  timeZone: Europe/Berln\n",
    )]);
    assert_eq!(
        (code, at.as_str()),
        (ErrorCode::InvalidCalendar, "c.yaml:5:13")
    );
    assert!(msg.contains("`Europe/Berln`"), "{msg}");

    let (code, at, msg) = catalog_error(&[(
        "c.yaml",
        "apiVersion: release-policy/v1\nkind: Calendar\nmetadata: {name: cal}\nspec:\n  timeZone: UTC\n  windows:\n    - {name: w, days: [mon], from: \"16:00\", to: \"09:00\"}\n",
    )]);
    assert_eq!(code, ErrorCode::InvalidCalendar);
    assert_eq!(at, "c.yaml:7:49");
    assert!(msg.contains("before it starts"), "{msg}");

    let (code, at, _) = catalog_error(&[(
        "c.yaml",
        &format!("{SVC}metadata: {{name: a}}\nspec: {{tier: 1, owner: t, enviroments: [prod]}}\n"),
    )]);
    assert_eq!(
        (code, at.as_str()),
        (ErrorCode::CatalogUnknownField, "c.yaml:4:40")
    );

    // A look-alike name (Cyrillic `е`) is refused, not a new service.
    let (code, _, msg) = catalog_error(&[(
        "c.yaml",
        &format!(
            "{SVC}metadata: {{name: \"paym\u{435}nts\"}}\nspec: {{tier: 1, owner: t, environments: [prod]}}\n"
        ),
    )]);
    assert_eq!(code, ErrorCode::CatalogInvalidField);
    assert!(msg.contains("not a valid name"), "{msg}");

    let (code, at, _) = catalog_error(&[
        (
            "c.yaml",
            &format!(
                "{SVC}metadata: {{name: a}}\nspec:\n  tier: 1\n  owner: t\n  environments: [prod]\n  provides: [{{api: a-api, version: \"1.0.0\", openapi: a.yaml}}]\n"
            ),
        ),
        ("a.yaml", "swagger: \"2.0\"\npaths: {}\n"),
    ]);
    assert_eq!(code, ErrorCode::InvalidOpenApi);
    assert!(at.starts_with("a.yaml"), "{at}");
}

#[test]
fn a_release_of_a_service_missing_from_the_catalog_is_an_error() {
    let e = plan_text(
        "apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n  - {service: paymants, version: \"1.0.0\", environment: production, window: {start: \"2026-12-01T09:00:00Z\", duration: 30m}}\n",
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownReference);
    assert_eq!(e.location().as_deref(), Some("plan.yaml:4:15"));
    assert_eq!(e.hint(), Some("did you mean `payments`?"));
    let e = plan_text(
        "apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n  - {service: payments, version: \"1.0.0\", environment: prodcution, window: {start: \"2026-12-01T09:00:00Z\", duration: 30m}}\n",
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownReference);
    assert_eq!(e.hint(), Some("did you mean `production`?"));
    let e = plan_text(
        "apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n  - {service: payments, version: \"1.0.0\", environment: production, window: {start: \"2026-12-01T09:00:00Z\", duration: 0m}}\n",
    )
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::CatalogInvalidField);
}
