//! The bundle's entry points for `review`: a period's report, one
//! release's outcome, and `check` with the `history` facts derived from
//! release records. The bundle's review policies (`kind: ReviewPolicy`)
//! give the success criteria and the instability rules.

use super::{Bundle, CompiledPolicy};
use crate::Decision;
use crate::error::{Error, ErrorCode};
use crate::model::{Facts, Timestamp};
use crate::review::criteria::compile::ReviewPolicy;
use crate::review::{Records, ReleaseOutcome, Review, ReviewOptions, Thresholds};

impl Bundle {
    /// The bundle's review policies, in order.
    fn review_policies(&self) -> Vec<&ReviewPolicy> {
        self.inner
            .policies
            .iter()
            .filter_map(CompiledPolicy::as_review)
            .collect()
    }

    /// Review release records: DORA's four keys overall, per service, per
    /// team and per week, rollback frequency and chronic instability (by
    /// the bundle's `instability` rules, or `options`' thresholds when it
    /// has none), rollbacks over budget, post-mortems missing or overdue,
    /// feedback testing missed, every release judged on the bundle's
    /// success criteria, and a verdict. Errors when the options name a
    /// service or team no record has, or no period can be found.
    pub fn review(&self, records: &Records, options: &ReviewOptions) -> Result<Review, Error> {
        self.usable()?;
        crate::review::evaluate::review(
            &self.review_policies(),
            records,
            options,
            &self.inner.limits,
        )
    }

    /// [`review`](Self::review) against a catalog: every record must name
    /// a service of the catalog (each that does not is an `RP0906` error,
    /// with a did-you-mean), and a service's `rollbackBudget` in the
    /// catalog is its rollback budget (over the thresholds' default).
    pub fn review_with_catalog(
        &self,
        records: &Records,
        catalog: &crate::plan::Catalog,
        options: &ReviewOptions,
    ) -> Result<Review, Error> {
        let known: Vec<&str> = catalog.service_names().collect();
        let mut errors = Vec::new();
        for service in records.services() {
            if !crate::plan::context::has_service(catalog, service) {
                let mut e = crate::error::CatalogError::new(
                    ErrorCode::UnknownRecordService,
                    crate::error::SourceLocation::file("records"),
                    format!(
                        "records name the service `{service}`, which the catalog does not have"
                    ),
                );
                if let Some(h) = crate::expr::suggest::did_you_mean(service, &known) {
                    e = e.with_hint(h);
                }
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(Error::Catalog(errors));
        }
        let mut options = options.clone();
        options
            .thresholds
            .rollback_budgets
            .extend(crate::plan::context::rollback_budgets(catalog));
        self.review(records, &options)
    }

    /// One release's outcome: durations against budgets, recovery,
    /// impact, post-mortem (judged as of `now`), feedback and a timeline.
    pub fn review_release(
        &self,
        records: &Records,
        release: &str,
        now: Timestamp,
        thresholds: &Thresholds,
    ) -> Result<ReleaseOutcome, Error> {
        self.usable()?;
        crate::review::evaluate::outcome(
            &self.review_policies(),
            &self.inner.limits,
            records,
            release,
            now,
            thresholds,
        )
    }

    /// The `history` section of `check`'s facts for `service` in
    /// `environment` at `now`, derived from `records` (the most recent
    /// [`Limits::max_list_items`](crate::Limits::max_list_items) releases
    /// and incidents).
    pub fn history(
        &self,
        records: &Records,
        service: &str,
        environment: &str,
        now: Timestamp,
    ) -> crate::model::History {
        crate::review::history::history(
            records.iter(),
            service,
            environment,
            now,
            self.inner.limits.max_list_items,
        )
    }

    /// [`check`](Self::check) with `history` derived from `records` for the
    /// release's service and environment at the facts' `now`. Facts that
    /// carry a `history` of their own are refused: the records are the
    /// source, a hand-filled section next to them would be ambiguous.
    pub fn check_with_records(&self, facts: &Facts, records: &Records) -> Result<Decision, Error> {
        self.check(&facts.with_history(self, records)?)
    }
}
