//! The portfolio report: release status, risk, compliance and DORA trends
//! of every service, from the records of the audit archive, as one
//! self-contained HTML page or as Markdown.
//!
//! ```no_run
//! # fn records() -> Vec<release_policy::audit::AuditRecord> { Vec::new() }
//! use release_policy::Bundle;
//! use release_policy_report::Portfolio;
//!
//! let portfolio = Portfolio::from_records(records(), &Bundle::builtin(), None)?;
//! std::fs::write("portfolio.html", portfolio.to_html())?;
//! std::fs::write("portfolio.md", portfolio.to_markdown())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What it reads, record by record (kinds of [`EntryKind`]):
//!
//! - `check`: the decision JSON, read back as a [`release_policy::Decision`]
//!   — the latest per service and environment gives the release status
//!   (`Decision::blocking`, `waiting`, `missing_approvals`) and the waivers
//!   in use; every decision counts towards compliance;
//! - `assess`: the assessment, read back as a
//!   [`release_policy::Assessment`] — the latest per service and
//!   environment gives the rollout status (`Assessment::acting`); every
//!   assessment counts towards compliance;
//! - `record`: the release record, gathered into
//!   [`release_policy::review::Records`] and reviewed with
//!   [`Bundle::review`] (DORA's keys overall and per week, rollback
//!   frequency and chronic instability per service);
//! - `plan`, `review`: listed among the records only.
//!
//! Nothing reads the clock: the same records (and `now`) give the same
//! bytes. `docs/report.md` explains every number.
//!
//! [`EntryKind`]: release_policy::audit::EntryKind

mod aggregate;
mod html;
mod markdown;
mod model;
mod svg;
mod table;
mod text;
mod trends;

use release_policy::audit::AuditRecord;
use release_policy::model::Timestamp;
use release_policy::{Bundle, Error};

pub use model::{
    ControlTally, EXPIRY_WINDOW_DAYS, Framework, Portfolio, Reason, RecordRow, RolloutStatus,
    ServiceStatus, WaiverRow,
};

impl Portfolio {
    /// The portfolio of `records` (in any order; they are read by sequence
    /// number). `bundle` reviews the release records (its review policies
    /// give the success criteria and instability rules; `Bundle::builtin()`
    /// is the standard pack); `now` is the moment the report is as of
    /// (waiver expiry is measured from it) — by default the latest moment
    /// the records name.
    ///
    /// Errors: `RP1007` when an archived result does not parse back (the
    /// location names the record: `record 17`); the errors of
    /// `Records::from_sources` (`RP09xx`, located at `record N`) when a
    /// release record is refused; the errors of `Bundle::review`. A later
    /// release record of the same release id supersedes an earlier one.
    pub fn from_records(
        records: impl IntoIterator<Item = AuditRecord>,
        bundle: &Bundle,
        now: Option<Timestamp>,
    ) -> Result<Portfolio, Error> {
        aggregate::build(records, bundle, now)
    }

    /// The report as one self-contained HTML page (UTF-8): inline CSS and
    /// SVG, no script, no external resource.
    pub fn to_html(&self) -> String {
        html::render(self)
    }

    /// The report as Markdown (a wiki page): the same sections, the charts
    /// as tables of numbers.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }
}
