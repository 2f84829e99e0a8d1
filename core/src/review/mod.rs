//! After the release: what happened, measured. The question is "how did
//! our releases go, and what should change?"; the answer is a [`Review`]
//! of a period or a [`ReleaseOutcome`] of one release, from release
//! records ([`Records`]).
//!
//! - [`compile`]: reading records (YAML, JSON, JSON Lines), located
//!   errors, and performance bands; [`records`]: the records held;
//! - [`dora`]: DORA's four keys and the period; [`bands`]: the
//!   performance bands (DORA 2023 by default);
//! - [`stability`]: rollback frequency, chronic instability, rollback
//!   budgets, post-mortems, feedback testing missed;
//! - [`history`]: the `history` facts of `check`, derived;
//! - [`effectiveness`]: records joined with the decisions and assessments
//!   before them — what the policies got right and wrong;
//! - [`evaluate`]: the review and one release's outcome; [`result`]: what
//!   they return; [`render`]: text and Markdown.

pub(crate) mod bands;
pub(crate) mod compile;
pub(crate) mod dora;
pub(crate) mod effectiveness;
pub(crate) mod evaluate;
pub(crate) mod history;
pub(crate) mod records;
pub(crate) mod render;
pub(crate) mod result;
pub(crate) mod stability;

pub use bands::{Band, Bands, BandsMetadata, BandsSpec};
pub use dora::{KeyBands, Keys, Period, Spread};
pub use effectiveness::{Decisions, Effectiveness, Escape, RuleTally};
pub use evaluate::ReviewOptions;
pub use records::Records;
pub use result::{
    CriterionSummary, Event, Missed, Named, PostmortemGap, REVIEW_SCHEMA, ReleaseOutcome, Review,
    ReviewVerdict, RollbackTime, SlowRollback, Stability, Unmet, Week,
};
pub use stability::Thresholds;
pub(crate) mod criteria;

pub use criteria::evaluate::CriterionResult;
