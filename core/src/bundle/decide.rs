//! The bundle's entry points for `check` (the whole decision, and the
//! verdict alone) and `assess`: each hands the compiled policies of its
//! kind to the slice that evaluates them.

use super::{Bundle, CompiledPolicy};
use crate::assess::{self, RolloutPolicy};
use crate::check::{self, ReleasePolicy};
use crate::error::Error;
use crate::model::{Facts, RolloutFacts};
use crate::{Assessment, Decision, Verdict};

impl Bundle {
    /// Decide whether the release described by `facts` may go.
    ///
    /// Errors only when the bundle holds no release policy or the facts
    /// cannot be turned into CEL values (a list over
    /// [`Limits::max_list_items`](crate::Limits::max_list_items));
    /// everything that goes wrong inside a rule is a finding instead.
    pub fn check(&self, facts: &Facts) -> Result<Decision, Error> {
        self.check_interruptible(facts, &|| false)
    }

    /// [`check`](Self::check), asking `interrupted` between rules: when it
    /// returns `true` the check stops with an
    /// [`ErrorCode::Interrupted`](crate::ErrorCode::Interrupted) error and
    /// no decision. The Python binding passes a check for Ctrl-C.
    pub fn check_interruptible(
        &self,
        facts: &Facts,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Decision, Error> {
        self.check_in(facts, None, interrupted)
    }

    /// [`check`](Self::check) with what `catalog` says of the release
    /// bound for the policies: `graph` (its service's providers,
    /// dependents, blast radius and contract status in the release's
    /// environment) and `calendar` (windows and freezes at `now`; read by
    /// `inWindow(name)` and `frozen()`). Errors when the catalog does not
    /// know the release's service or environment: a release the catalog
    /// cannot place is refused, never checked without its graph gates.
    pub fn check_with_catalog(
        &self,
        facts: &Facts,
        catalog: &crate::plan::Catalog,
    ) -> Result<Decision, Error> {
        self.check_with_catalog_interruptible(facts, catalog, &|| false)
    }

    /// [`check_with_catalog`](Self::check_with_catalog), asking
    /// `interrupted` between rules as
    /// [`check_interruptible`](Self::check_interruptible) does.
    pub fn check_with_catalog_interruptible(
        &self,
        facts: &Facts,
        catalog: &crate::plan::Catalog,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Decision, Error> {
        self.usable()?;
        let context = crate::plan::context::catalog_facts(catalog, facts, &self.inner.limits)?;
        self.check_in(facts, Some(&context), interrupted)
    }

    fn check_in(
        &self,
        facts: &Facts,
        catalog: Option<&crate::model::catalog_facts::CatalogFacts>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Decision, Error> {
        self.usable()?;
        check::check(
            &self.release_policies(),
            self.info(),
            &self.inner.limits,
            facts,
            catalog,
            interrupted,
        )
    }

    /// The verdict [`check`](Self::check) gives — go, no-go or pending —
    /// and nothing else: every rule is evaluated as `check` evaluates it,
    /// within the same budget, but no finding's message or values are
    /// kept and no digest of the facts is made. For a caller that acts on
    /// the verdict alone (an admission hook, a gateway deciding on every
    /// request); [`check`](Self::check) says why. Errors as `check` does.
    pub fn verdict(&self, facts: &Facts) -> Result<Verdict, Error> {
        self.verdict_interruptible(facts, &|| false)
    }

    /// [`verdict`](Self::verdict), asking `interrupted` between rules as
    /// [`check_interruptible`](Self::check_interruptible) does.
    pub fn verdict_interruptible(
        &self,
        facts: &Facts,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Verdict, Error> {
        self.verdict_in(facts, None, interrupted)
    }

    /// [`verdict`](Self::verdict) with what `catalog` says of the release,
    /// as [`check_with_catalog`](Self::check_with_catalog) binds it.
    pub fn verdict_with_catalog(
        &self,
        facts: &Facts,
        catalog: &crate::plan::Catalog,
    ) -> Result<Verdict, Error> {
        self.verdict_with_catalog_interruptible(facts, catalog, &|| false)
    }

    /// [`verdict_with_catalog`](Self::verdict_with_catalog), asking
    /// `interrupted` between rules.
    pub fn verdict_with_catalog_interruptible(
        &self,
        facts: &Facts,
        catalog: &crate::plan::Catalog,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Verdict, Error> {
        self.usable()?;
        let context = crate::plan::context::catalog_facts(catalog, facts, &self.inner.limits)?;
        self.verdict_in(facts, Some(&context), interrupted)
    }

    fn verdict_in(
        &self,
        facts: &Facts,
        catalog: Option<&crate::model::catalog_facts::CatalogFacts>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Verdict, Error> {
        self.usable()?;
        check::verdict(
            &self.release_policies(),
            &self.inner.limits,
            facts,
            catalog,
            interrupted,
        )
    }

    /// The bundle's release policies (`kind: Policy`), in order.
    fn release_policies(&self) -> Vec<&ReleasePolicy> {
        self.inner
            .policies
            .iter()
            .filter_map(CompiledPolicy::as_release)
            .collect()
    }

    /// Parse facts from YAML or JSON text and decide.
    pub fn check_str(&self, facts: &str) -> Result<Decision, Error> {
        let facts = Facts::from_str_with_limits(facts, &self.inner.limits).map_err(Error::from)?;
        self.check(&facts)
    }

    /// Assess a rollout in progress: should it promote, continue, hold or
    /// roll back? Errors only when the bundle holds no rollout policy or
    /// the facts cannot be turned into CEL values; everything that goes
    /// wrong inside a rule is a finding (and holds).
    pub fn assess(&self, facts: &RolloutFacts) -> Result<Assessment, Error> {
        self.assess_interruptible(facts, &|| false)
    }

    /// [`assess`](Self::assess), asking `interrupted` between policies:
    /// when it returns `true` the assessment stops with an
    /// [`ErrorCode::Interrupted`](crate::ErrorCode::Interrupted) error and
    /// no assessment.
    pub fn assess_interruptible(
        &self,
        facts: &RolloutFacts,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Assessment, Error> {
        self.assess_in(facts, None, interrupted)
    }

    /// [`assess`](Self::assess) with the services downstream of the
    /// rollout's from `catalog` (its transitive dependents in
    /// `rollout.environment`, with their paths), for triggers that watch
    /// them (`downstream: true`): a downstream service's metric rising
    /// after the current step started, beyond its own baseline, is
    /// attributed to this rollout. Errors when the catalog does not know
    /// the rollout's service, or the rollout names no environment or one
    /// the service does not run in.
    pub fn assess_with_catalog(
        &self,
        facts: &RolloutFacts,
        catalog: &crate::plan::Catalog,
    ) -> Result<Assessment, Error> {
        self.assess_with_catalog_interruptible(facts, catalog, &|| false)
    }

    /// [`assess_with_catalog`](Self::assess_with_catalog), asking
    /// `interrupted` between policies as
    /// [`assess_interruptible`](Self::assess_interruptible) does.
    pub fn assess_with_catalog_interruptible(
        &self,
        facts: &RolloutFacts,
        catalog: &crate::plan::Catalog,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Assessment, Error> {
        self.usable()?;
        let downstream = crate::plan::context::downstream(catalog, &facts.rollout)?;
        self.assess_in(facts, Some(&downstream), interrupted)
    }

    fn assess_in(
        &self,
        facts: &RolloutFacts,
        downstream: Option<&[crate::model::catalog_facts::Downstream]>,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<Assessment, Error> {
        self.usable()?;
        let policies: Vec<&RolloutPolicy> = self
            .inner
            .policies
            .iter()
            .filter_map(CompiledPolicy::as_rollout)
            .collect();
        assess::assess(
            &policies,
            self.info(),
            &self.inner.limits,
            facts,
            downstream,
            interrupted,
        )
    }

    /// Parse rollout facts from YAML or JSON text and assess.
    pub fn assess_str(&self, facts: &str) -> Result<Assessment, Error> {
        let facts = RolloutFacts::from_str_with_limits(facts, &self.inner.limits)?;
        self.assess(&facts)
    }
}
