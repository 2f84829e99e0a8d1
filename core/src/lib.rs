//! # release-policy
//!
//! Release-management practice as evaluable, explainable, auditable policy.
//! Policies are YAML documents with CEL conditions; facts about a release go
//! in, a verdict comes out — `go`, `no-go` or `pending` — with every reason.
//!
//! ```
//! use release_policy::{Bundle, Facts, Verdict};
//!
//! let bundle = Bundle::from_yaml_str("inline.yaml", r#"
//! apiVersion: release-policy/v1
//! kind: Policy
//! metadata: {name: ci, version: 1.0.0}
//! spec:
//!   gates:
//!     - id: required-suites-passed
//!       expression: ci.suites.all(s, !s.required || s.status == "passed")
//!       message: a required CI suite did not pass
//! "#)?;
//! let facts = Facts::parse(r#"
//! now: 2026-11-26T10:00:00Z
//! release: {id: checkout-2.4.0, service: checkout, version: "2.4.0",
//!           environment: production, kind: standard, author: alice}
//! ci:
//!   suites: [{name: e2e, required: true, status: failed, passed: 88, failed: 2}]
//! "#)?;
//! let decision = bundle.check(&facts)?;
//! assert_eq!(decision.verdict(), Verdict::NoGo);
//! for f in decision.findings() {
//!     println!("{} {:?} {}", f.rule(), f.outcome(), f.message());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The public surface is what this page re-exports: [`Bundle`] and
//! [`BundleBuilder`], the facts ([`Facts`], [`RolloutFacts`] and the types
//! in [`model`]), the results ([`Decision`], [`Assessment`] and their
//! parts), the shared words in [`vocab`], [`Limits`], [`Error`] and policy
//! tests in [`testing`]. Everything else is internal; `docs/architecture.md`
//! in the repository maps it.
//!
//! Results keep their fields private: read them through accessors
//! ([`Decision::verdict`], [`Finding::rule`], …), and let the library say
//! which findings block, warn or act ([`Decision::blocking`],
//! [`Decision::warnings`], [`Assessment::acting`], …). The facts model is
//! `#[non_exhaustive]`: build facts by parsing. The `unstable` module (not
//! shown here) carries no stability promise. Every change of this surface
//! is deliberate: `core/tests/public-api.txt` lists it, and
//! `scripts/public-api` fails on any difference (`--bless` accepts one);
//! see "Stability" in `docs/rust.md`.

mod assess;
pub mod audit;
mod bundle;
mod check;
pub mod error;
mod expr;
mod lang;
pub mod limits;
pub mod model;
pub mod plan;
pub mod review;
pub mod schema;
mod stats;
pub mod testing;
pub mod vocab;

pub use assess::assessment::{AssessFinding, AssessRuleKind, Assessment};
pub use bundle::{Bundle, BundleBuilder, Explanation, RuleInfo};
pub use check::decision::{Decision, Finding, MissingApproval, RuleKind};

/// What `check` returns, part by part: [`Decision`] and what it holds.
pub mod decision {
    pub use crate::check::decision::{
        ApprovalNote, ApprovalState, DECISION_SCHEMA, Decision, Finding, Lifted, MissingApproval,
        RuleKind, Summary, Values, WaiverUse,
    };
}

/// What `assess` returns, part by part: [`Assessment`] and what it holds.
pub mod assessment {
    pub use crate::assess::assessment::{
        ASSESSMENT_SCHEMA, AssessFinding, AssessRuleKind, AssessSummary, Assessment, Budget,
        DryRunSummary, Marker, RolloutRef,
    };
}

/// Internals exposed for the project's own benchmarks, fuzz targets and
/// reference tests. **No stability promise**: anything here may change or
/// go away in any release, without a major version.
#[doc(hidden)]
pub mod unstable {
    pub use crate::expr::differential;
    pub use crate::stats::{judge, outliers, rank as stats, shift};

    pub use crate::testing::patch::merge as merge_patch;

    /// The `review_records` fuzz target's input, run as its seeds test
    /// runs it: `bytes` (UTF-8) split at lines `=====` into release records
    /// (`r.jsonl` when the first part starts with `{"`, `r.yaml`
    /// otherwise), an optional review policy layered on the built-in pack,
    /// and optional decisions and assessments (JSON Lines). The records
    /// are loaded, reviewed over their own period and per service (with
    /// the decisions, when they load), every release's outcome and
    /// `history` taken, and the review rendered as JSON, text and
    /// Markdown. `None` when an input is refused.
    pub fn review_from_bytes(bytes: &[u8]) -> Option<crate::review::Review> {
        use crate::review::{Decisions, Records, ReviewOptions, Thresholds};
        let text = std::str::from_utf8(bytes).ok()?;
        let mut parts = text.split("\n=====\n");
        let records = parts.next()?;
        let policy = parts.next().filter(|p| !p.trim().is_empty());
        let decisions = parts.next();
        let limits = crate::Limits::default();
        let name = if records.trim_start().starts_with("{\"") {
            "r.jsonl"
        } else {
            "r.yaml"
        };
        let records = Records::from_sources(vec![(name.into(), records.into())], &limits).ok()?;
        let bundle = match policy {
            Some(p) => crate::Bundle::builder()
                .builtin_layer()
                .yaml_layer("p.yaml", p)
                .build()
                .ok()?,
            None => crate::Bundle::builtin(),
        };
        let mut options = ReviewOptions::default();
        if let Some(d) = decisions {
            if let Ok(d) = Decisions::from_sources(vec![("d.jsonl".into(), d.into())], &limits) {
                options = options.decisions(d);
            }
        }
        let review = bundle.review(&records, &options).ok()?;
        let _ = (review.to_json(), review.to_text(), review.to_markdown());
        for r in records.iter().take(50) {
            let _ = bundle
                .review(
                    &records,
                    &options.clone().service(r.release.service.clone()),
                )
                .map(|v| v.to_markdown());
            if let Ok(o) = bundle.review_release(
                &records,
                &r.release.id,
                r.last_event(),
                &Thresholds::default(),
            ) {
                let _ = (o.to_json(), o.to_text(), o.to_markdown());
            }
            let _ = bundle.history(
                &records,
                &r.release.service,
                &r.release.environment,
                r.last_event(),
            );
        }
        Some(review)
    }

    /// The `audit_chain` fuzz target's input, run as its seeds test runs
    /// it: `bytes` (UTF-8) split at lines `=====` into archived records
    /// (JSON Lines, as `audit export` writes them), an optional checkpoint
    /// (JSON) and an optional PEM key. The records are verified as a chain
    /// (held to the checkpoint when it verifies with the fixed test key
    /// `[7; 32]`, or with the PEM key when that is a public key), every
    /// `check` and `assess` record is replayed with the built-in pack and
    /// the backtest comparison taken. `None` when the records do not parse.
    pub fn audit_from_bytes(bytes: &[u8]) -> Option<crate::audit::Verification> {
        use crate::audit::{AuditRecord, Checkpoint, PublicKey, SigningKey, Verifier};
        let text = std::str::from_utf8(bytes).ok()?;
        let mut parts = text.split("\n=====\n");
        let records: Vec<AuditRecord> = parts
            .next()?
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .ok()?;
        let checkpoint: Option<Checkpoint> =
            parts.next().and_then(|c| serde_json::from_str(c).ok());
        let pem = parts.next().unwrap_or_default();
        let mut key = SigningKey::from_bytes(&[7; 32]).public_key();
        if let Ok(k) = PublicKey::from_pem("key.pub", pem) {
            key = k;
        }
        let _ = SigningKey::from_pem("key.pem", pem);
        let mut verifier = Verifier::new();
        if let Some(c) = checkpoint {
            if c.verify(&key).is_ok() {
                verifier = verifier.checkpoint(c);
            }
        }
        let bundle = crate::Bundle::builtin();
        for r in records.iter().take(1000) {
            verifier.push(r);
            if let Ok(again) = bundle.replay(r) {
                let _ = crate::audit::backtest::compare(r, &again);
            }
        }
        let v = verifier.finish();
        let _ = v.clone().into_result();
        Some(v)
    }

    /// Whether the roots a review policy reads are the same built straight
    /// from each record as through its JSON view (`Err` names the first
    /// record and root that differ).
    pub fn record_views_agree(records: &crate::review::Records) -> Result<(), String> {
        for r in records.iter() {
            crate::review::criteria::roots::agree(r)
                .map_err(|e| format!("{}: {e}", r.release.id))?;
        }
        Ok(())
    }

    /// The rollout policy the `plan_catalog` input assesses each release
    /// with: one downstream trigger.
    const CASCADE: &str = "apiVersion: release-policy/v1\nkind: RolloutPolicy\nmetadata: {name: cascade, version: 1.0.0}\nspec:\n  triggers:\n    - {id: downstream, metric: error-rate, downstream: true, compare: baseline, above: 0.02}\n";

    /// The `plan_catalog` fuzz target's input, run as its seeds test runs
    /// it: `bytes` (UTF-8) split at lines `=====` into a catalog file
    /// (`c.yaml`), a release plan and, optionally, an OpenAPI document
    /// (`o.yaml`, which the catalog may name); the catalog is loaded, the
    /// plan planned and rendered in every format, and `can-i-deploy` asked
    /// and `check` and `assess` (a downstream trigger) with the catalog
    /// run for each released service. `None` when an input is refused.
    pub fn plan_from_bytes(bytes: &[u8]) -> Option<crate::plan::Plan> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut parts = text.split("\n=====\n");
        let catalog = parts.next()?.to_string();
        let plan = parts.next().unwrap_or_default();
        let mut sources = vec![("c.yaml".to_string(), catalog)];
        if let Some(openapi) = parts.next() {
            sources.push(("o.yaml".to_string(), openapi.to_string()));
        }
        let limits = crate::Limits::default();
        let catalog = crate::plan::Catalog::from_sources(sources, &limits).ok()?;
        let intended = crate::plan::ReleasePlan::from_yaml_str("p.yaml", plan, &limits).ok()?;
        let bundle = crate::Bundle::builtin();
        let planned = bundle.plan(&catalog, &intended).ok()?;
        let _ = (
            planned.to_json(),
            planned.to_text(),
            planned.to_markdown(),
            planned.to_dot(),
        );
        for r in &planned.releases {
            let _ = bundle.can_i_deploy(&catalog, &r.service, &r.version, &r.environment);
            // The same release checked with the catalog (`graph`,
            // `calendar`, the pack's coordination gates), at its start.
            let kind = if r.kind == "hotfix" || r.kind == "security" {
                r.kind.as_str()
            } else {
                "standard"
            };
            let facts = serde_json::json!({
                "now": crate::model::rfc3339(r.requested.start),
                "release": {
                    "id": r.id, "service": r.service, "version": r.version,
                    "environment": r.environment, "kind": kind, "author": "fuzz",
                },
            });
            if let Ok(facts) = crate::Facts::from_json_value(facts, &limits) {
                let _ = bundle.check_with_catalog(&facts, &catalog);
            }
            // And its rollout assessed with the catalog: a downstream
            // trigger over a series of every service of the catalog.
            let start = crate::model::rfc3339(r.requested.start);
            let series = serde_json::json!({"error-rate": {"samples": [
                {"at": start, "value": 0.001}, {"at": start, "value": 0.5}]}});
            let downstream: serde_json::Map<String, serde_json::Value> = catalog
                .service_names()
                .take(50)
                .map(|n| (n.to_string(), series.clone()))
                .collect();
            let rollout = serde_json::json!({
                "now": start,
                "rollout": {"id": r.id, "service": r.service, "environment": r.environment,
                            "stepStartedAt": start},
                "downstream": downstream,
            });
            if let (Ok(facts), Ok(cascade)) = (
                crate::RolloutFacts::from_json_value(rollout, &limits),
                crate::Bundle::from_yaml_str("cascade.yaml", CASCADE),
            ) {
                let _ = cascade.assess_with_catalog(&facts, &catalog);
            }
        }
        Some(planned)
    }
}
pub use error::{CatalogError, Error, ErrorCode, FactsError, PolicyError, Result, SourceLocation};
pub use limits::Limits;
pub use model::{Facts, RolloutFacts};
pub use vocab::{Action, Effect, Outcome, RolloutVerdict, Verdict};
