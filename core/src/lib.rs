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
//! The crate is organised by concept: [`model`] (the facts), [`policy`] (the
//! language, loading and layering), [`engine`] (evaluation and the
//! decision), [`testing`] (policy tests), [`limits`] and [`error`].

pub mod analysis;
pub mod engine;
pub mod error;
mod expr;
pub mod limits;
pub mod model;
pub mod policy;
pub mod schema;
pub mod testing;

pub use engine::assessment::{AssessFinding, Assessment, RolloutVerdict};
pub use engine::decision::{Decision, Finding, MissingApproval, Outcome, Verdict};
pub use error::{Error, FactsError, PolicyError, Result, SourceLocation};
pub use limits::Limits;
pub use model::{Facts, RolloutFacts};
pub use policy::{Bundle, BundleBuilder};
