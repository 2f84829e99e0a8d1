//! The built-in pack written by hand in plain Rust: the verdict a developer
//! would get by coding the standard pack's rules directly against the typed
//! [`Facts`], with no policy language at all. It is the floor the
//! benchmark (`benches/check.rs`) sets beside release-policy and regorus;
//! `tests/handwritten_agreement.rs` checks that it decides what release-policy
//! decides — verdict, and which rules deny, stay pending or warn — on the
//! examples and on every case of the pack's policy tests.
//!
//! It follows release-policy's semantics, not a simplification of them:
//!
//! - a rule that reads a section absent from the facts cannot be evaluated
//!   and fails closed (an `error` finding, counted as its effect failing);
//!   here such a rule's result is `None`;
//! - a waiver lifts a gate whose expression is false, never one that could
//!   not be evaluated; it must come from a role in the gate's `waivableBy`,
//!   not from the author, and not be expired;
//! - people are told apart by the same identity key (NFKC, lower case,
//!   confusable skeleton; [`approvals::identity_key`]);
//! - approval rules count the latest word of each person in each role, and
//!   `distinctPeople` is the same maximum matching, in the same order.
//!
//! Each function below names the policy file it stands for. It decides only
//! the verdict and the failed rules: no messages, no values, no digest.

mod approvals;
mod security;

use release_policy::Verdict;
use release_policy::model::{
    ChangeRequestStatus, CommunicationStatus, PostmortemStatus, ReleaseKind, ReleaseOutcome, Status,
};
use release_policy::{Facts, model::Timestamp};

pub use approvals::identity_key;

use crate::Outcomes;

/// What the hand-written pack decides: the verdict and the ids of the
/// failed rules, by what they do (as [`Outcomes`], without allocating a
/// string per rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandVerdict {
    /// Go, no-go or pending.
    pub verdict: Verdict,
    /// Failed (or erring) `block` gates not waived, vetoed or refused
    /// approval rules.
    pub deny: Vec<&'static str>,
    /// Failed `approval` gates not approved, approval rules still missing
    /// approvals.
    pub pending: Vec<&'static str>,
    /// Failed (or erring) `warn` gates.
    pub warn: Vec<&'static str>,
}

impl HandVerdict {
    /// The same, in the shape the agreement tests compare.
    pub fn outcomes(&self) -> Outcomes {
        let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect();
        Outcomes {
            verdict: self.verdict.as_str().to_string(),
            deny: set(&self.deny),
            pending: set(&self.pending),
            warn: set(&self.warn),
        }
    }
}

/// A gate's outcome.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// `appliesTo` or `when` is false.
    Skipped,
    Passed,
    /// The expression is false.
    Failed,
    /// The expression (or its `when`) read something absent.
    Error,
}

/// A gate without `when`: `None` is a value that could not be computed.
fn eval(r: Option<bool>) -> Gate {
    match r {
        Some(true) => Gate::Passed,
        Some(false) => Gate::Failed,
        None => Gate::Error,
    }
}

/// A gate with `when`: the expression is looked at only when `when` holds.
fn when(w: Option<bool>, expr: impl FnOnce() -> Option<bool>) -> Gate {
    match w {
        Some(false) => Gate::Skipped,
        Some(true) => eval(expr()),
        None => Gate::Error,
    }
}

/// Days as a duration, as `days(n)` in the pack.
fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

fn minutes(n: i64) -> chrono::Duration {
    chrono::Duration::minutes(n)
}

/// Decide the release described by `facts` by the built-in pack, written
/// by hand.
pub fn decide(facts: &Facts) -> HandVerdict {
    let mut d = Decider::new(facts);
    let production = facts.release.environment == "production";
    let kind = facts.release.kind;
    d.release_basics();
    d.ci_tests();
    if kind == ReleaseKind::Standard {
        d.open_postmortems();
    }
    if production {
        if kind == ReleaseKind::Standard {
            d.change_request();
        }
        if kind != ReleaseKind::Emergency {
            d.communication_plan();
        }
        d.error_budget();
        d.migration_safety();
        d.on_call();
        d.privacy_review();
        d.incident_history();
        d.rollback_readiness();
        if facts.rollout.is_some() {
            d.rollout_plan();
        }
        d.certificate_expiry();
        d.secret_rotation();
        d.security_scans();
        d.slo_defined();
        d.approval_rules();
    }
    d.finish()
}

/// One decision in progress.
struct Decider<'f> {
    facts: &'f Facts,
    now: Timestamp,
    /// The identity key of the author and of each approval's person, made
    /// once per decision.
    keys: approvals::Keys,
    out: HandVerdict,
}

impl<'f> Decider<'f> {
    fn new(facts: &'f Facts) -> Self {
        Decider {
            facts,
            now: facts.now,
            keys: approvals::Keys::new(facts),
            out: HandVerdict {
                verdict: Verdict::Go,
                deny: Vec::new(),
                pending: Vec::new(),
                warn: Vec::new(),
            },
        }
    }

    fn finish(mut self) -> HandVerdict {
        self.out.verdict = if !self.out.deny.is_empty() {
            Verdict::NoGo
        } else if !self.out.pending.is_empty() {
            Verdict::Pending
        } else {
            Verdict::Go
        };
        self.out
    }

    /// An `effect: block` gate.
    fn block(&mut self, id: &'static str, g: Gate) {
        if matches!(g, Gate::Failed | Gate::Error) {
            self.out.deny.push(id);
        }
    }

    /// An `effect: warn` gate.
    fn warn(&mut self, id: &'static str, g: Gate) {
        if matches!(g, Gate::Failed | Gate::Error) {
            self.out.warn.push(id);
        }
    }

    /// An `effect: block` gate with `waivableBy: roles`.
    fn waivable(&mut self, id: &'static str, roles: &[&str], g: Gate) {
        let waived = g == Gate::Failed
            && self.facts.waivers.iter().any(|w| {
                w.rule == id
                    && roles.contains(&w.role.as_str())
                    && !self.keys.is_author(&w.by)
                    && w.expires > self.now
            });
        if !waived {
            self.block(id, g);
        }
    }

    /// An `effect: approval` gate: a failed one is lifted by an approval
    /// from one of `approvers`; one that could not be evaluated is not.
    fn approval_gate(&mut self, id: &'static str, approvers: &[&str], g: Gate) {
        let pending = match g {
            Gate::Failed => !self.keys.gate_approved(self.facts, approvers),
            Gate::Error => true,
            Gate::Skipped | Gate::Passed => false,
        };
        if pending {
            self.out.pending.push(id);
        }
    }

    /// `release/release-basics.yaml` (every environment).
    fn release_basics(&mut self) {
        const ENVIRONMENTS: [&str; 6] = [
            "production",
            "staging",
            "qa",
            "development",
            "sandbox",
            "preview",
        ];
        const CHANGE_KINDS: [&str; 11] = [
            "db-migration",
            "new-endpoint",
            "auth-change",
            "user-data",
            "feature",
            "bugfix",
            "config",
            "dependency",
            "refactor",
            "docs",
            "infrastructure",
        ];
        let release = &self.facts.release;
        let known = ENVIRONMENTS.contains(&release.environment.as_str());
        self.block("environment-known", eval(Some(known)));
        let kinds = release
            .changes
            .iter()
            .all(|c| CHANGE_KINDS.contains(&c.kind.as_str()));
        self.waivable(
            "change-kinds-known",
            &["release-management"],
            eval(Some(kinds)),
        );
    }

    /// `ci/ci-tests.yaml` (every environment; no `ci` fails closed).
    fn ci_tests(&mut self) {
        let required = self
            .facts
            .ci
            .as_ref()
            .map(|ci| ci.suites.iter().filter(|s| s.required));
        let present = required.clone().map(|mut r| r.next().is_some());
        self.block("ci-required-suite-present", eval(present));
        let passed = when(present, || {
            required
                .clone()
                .map(|mut r| r.all(|s| s.status == Status::Passed && s.failed == 0))
        });
        self.block("ci-required-suites-passed", passed);
        let skipped = when(present, || required.map(|mut r| r.all(|s| s.skipped == 0)));
        self.warn("ci-required-suites-no-skipped-tests", skipped);
    }

    /// `postmortems/open-postmortems.yaml` (standard releases).
    fn open_postmortems(&mut self) {
        let history = self.facts.history.as_ref();
        let open = history.map(|h| h.open_postmortems == 0);
        self.block("no-open-postmortems", eval(open));
        let rolled_back = history.map(|h| {
            h.releases
                .iter()
                .filter(|r| r.outcome == ReleaseOutcome::RolledBack)
        });
        let any = rolled_back.clone().map(|mut r| r.next().is_some());
        let closed = when(any, || {
            let all = rolled_back.clone()?;
            // The last rolled-back releases: none rolled back later.
            let mut last = all.clone().filter(|r| !all.clone().any(|o| o.at > r.at));
            Some(last.all(|r| r.postmortem != Some(PostmortemStatus::Open)))
        });
        self.block("last-rollback-postmortem-closed", closed);
    }

    /// `change-management/change-request.yaml` (standard, production).
    fn change_request(&mut self) {
        let cr = self.facts.change_request.as_ref();
        let approved = cr.map(|c| c.status == ChangeRequestStatus::Approved);
        self.block("change-request-approved", eval(approved));
        let recorded = when(approved, || {
            cr.map(|c| c.approved_by.is_some() && c.approved_at.is_some())
        });
        self.warn("change-request-approval-recorded", recorded);
    }

    /// `communication/communication-plan.yaml` (production, not emergency).
    fn communication_plan(&mut self) {
        let plan = self
            .facts
            .readiness
            .as_ref()
            .and_then(|r| r.communication.as_ref());
        let ready = |s: CommunicationStatus| {
            matches!(
                s,
                CommunicationStatus::Scheduled
                    | CommunicationStatus::Sent
                    | CommunicationStatus::NotNeeded
            )
        };
        let internal = plan.map(|p| ready(p.internal));
        self.block("internal-communication-ready", eval(internal));
        let external = plan.map(|p| ready(p.external));
        self.block("external-communication-ready", eval(external));
    }

    /// `error-budget/error-budget.yaml` (production). The budget is the
    /// service's figure, or derived from its SLOs' error ratios.
    fn error_budget(&mut self) {
        let service = self.facts.service.as_ref();
        let budget = service.map(|s| s.budget_remaining());
        let has = budget.map(|b| b.is_some());
        let kind = self.facts.release.kind;
        let freeze = when(has, || {
            let b = budget.flatten()?;
            Some(b > 0.0 || kind == ReleaseKind::Hotfix || kind == ReleaseKind::Security)
        });
        self.waivable(
            "error-budget-freeze",
            &["engineering-director", "sre-lead"],
            freeze,
        );
        let left = budget.map(|b| b.is_some_and(|b| b > 0.0));
        let low = when(left, || Some(budget.flatten()? >= 0.25));
        self.warn("error-budget-low", low);
    }

    /// `migrations/migration-safety.yaml` (production).
    fn migration_safety(&mut self) {
        let migrations = &self.facts.migrations;
        let mut declared = self
            .facts
            .release
            .changes
            .iter()
            .filter(|c| c.kind == "db-migration")
            .peekable();
        let any_declared = Some(declared.peek().is_some());
        let described = when(any_declared, || {
            Some(declared.all(|c| {
                c.id.as_ref()
                    .is_some_and(|id| migrations.iter().any(|m| &m.id == id))
            }))
        });
        self.block("migration-facts-present", described);
        let any = Some(!migrations.is_empty());
        let checks = when(any, || {
            Some(
                migrations
                    .iter()
                    .all(|m| !m.checks.pre.is_empty() && !m.checks.post.is_empty()),
            )
        });
        self.block("migration-integrity-checks-defined", checks);
        let pre = when(any, || {
            Some(
                migrations
                    .iter()
                    .all(|m| m.checks.pre.iter().all(|c| c.status == Status::Passed)),
            )
        });
        self.block("migration-pre-checks-passed", pre);
        let post = when(any, || {
            Some(migrations.iter().all(|m| {
                !m.checks
                    .post
                    .iter()
                    .any(|c| c.status == Status::Failed || c.status == Status::Error)
            }))
        });
        self.warn("migration-post-checks-not-failed", post);
        let reversible = when(any, || Some(migrations.iter().all(|m| m.reversible)));
        self.waivable("migration-reversible", &["dba"], reversible);
        let some_reversible = Some(migrations.iter().any(|m| m.reversible));
        let down = when(some_reversible, || {
            Some(
                migrations
                    .iter()
                    .all(|m| !m.reversible || m.down_tested_in.as_deref() == Some("staging")),
            )
        });
        self.block("migration-down-tested-in-staging", down);
    }

    /// `on-call/on-call.yaml` (production).
    fn on_call(&mut self) {
        let on_call = self.facts.readiness.as_ref().map(|r| r.on_call.len());
        self.block("on-call-assigned", eval(on_call.map(|n| n > 0)));
        let second = when(on_call.map(|n| n > 0), || on_call.map(|n| n >= 2));
        self.warn("on-call-escalation-defined", second);
    }

    /// `privacy/privacy-review.yaml`, the gate (production); the approval
    /// rule is in [`Decider::approval_rules`].
    fn privacy_review(&mut self) {
        let mut user_data = self
            .facts
            .release
            .changes
            .iter()
            .filter(|c| c.kind == "user-data")
            .peekable();
        let any = Some(user_data.peek().is_some());
        let listed = when(any, || Some(user_data.all(|c| !c.fields.is_empty())));
        self.block("user-data-fields-listed", listed);
    }

    /// `risk/incident-history.yaml` (production).
    fn incident_history(&mut self) {
        let now = self.now;
        let history = self.facts.history.as_ref();
        let severe = history.map(|h| {
            h.incidents
                .iter()
                .filter(|i| i.severity <= 2 && now - i.at <= days(30))
                .count()
        });
        self.approval_gate(
            "recent-severe-incidents",
            &["engineering-director"],
            eval(severe.map(|n| n < 2)),
        );
        let rollbacks = history.map(|h| {
            h.releases
                .iter()
                .filter(|r| r.outcome == ReleaseOutcome::RolledBack && now - r.at <= days(30))
                .count()
        });
        self.warn("recent-rollbacks", eval(rollbacks.map(|n| n < 2)));
    }

    /// `rollback/rollback-readiness.yaml` (production). The budget: tier 1
    /// at most 5 minutes; otherwise the service's, or 15 minutes for tier
    /// 2 and 30 for the rest.
    fn rollback_readiness(&mut self) {
        let now = self.now;
        let rollback = self
            .facts
            .readiness
            .as_ref()
            .and_then(|r| r.rollback.as_ref());
        let budget = self.facts.service.as_ref().map(|s| {
            let given = s.rollback_budget.map(|d| d.as_chrono());
            match (s.tier, given) {
                (1, Some(b)) if b < minutes(5) => b,
                (1, _) => minutes(5),
                (_, Some(b)) => b,
                (2, None) => minutes(15),
                (_, None) => minutes(30),
            }
        });
        let owner = rollback.map(|r| !r.owner.is_empty());
        self.block("rollback-owner-assigned", eval(owner));
        let staging = rollback.map(|r| r.tested_in == "staging");
        self.block("rollback-tested-in-staging", eval(staging));
        let recent = rollback.map(|r| now - r.tested_at <= days(30));
        self.block("rollback-tested-recently", eval(recent));
        let within = rollback.and_then(|r| Some(r.duration.as_chrono() <= budget?));
        self.block("rollback-within-budget", eval(within));
        let runbook = rollback.map(|r| r.runbook.as_ref().is_some_and(|s| !s.is_empty()));
        self.warn("rollback-runbook-documented", eval(runbook));
    }

    /// `rollout/rollout-plan.yaml` (production, with a `rollout`).
    fn rollout_plan(&mut self) {
        let Some(plan) = self.facts.rollout.as_ref() else {
            return;
        };
        let weights = plan.steps.iter().filter_map(|s| s.set_weight);
        let first = weights.clone().next();
        let small = first.is_some_and(|w| (5.0..=10.0).contains(&w));
        self.block("first-canary-step-small", eval(Some(small)));
        let mut previous: Option<f64> = None;
        let increasing = weights.clone().all(|w| {
            let up = previous.is_none_or(|p| p < w);
            previous = Some(w);
            up
        });
        self.block("canary-steps-increase", eval(Some(increasing)));
        let mut pauses = plan.steps.iter().filter_map(|s| s.pause).peekable();
        let covered = pauses.peek().is_some() && pauses.all(|p| p.as_chrono() >= minutes(30));
        self.block("pauses-cover-promotion-window", eval(Some(covered)));
        let fits = when(Some(plan.capacity.is_some()), || {
            let c = plan.capacity.as_ref()?;
            let replicas = f64::from(c.replicas.stable) + f64::from(c.replicas.canary);
            Some(c.reserved + c.per_replica * replicas <= c.allocatable * 0.85)
        });
        self.block("capacity-for-overlap", fits);
        let off = plan.flags.iter().all(|f| !f.new || f.exposure == 0.0);
        self.block("new-flags-start-off", eval(Some(off)));
    }

    /// `slo/slo-defined.yaml` (production).
    fn slo_defined(&mut self) {
        let slos = self.facts.service.as_ref().map(|s| &s.slos);
        let any = slos.map(|s| !s.is_empty());
        self.block("slos-defined", eval(any));
        let set = when(any, || {
            slos.map(|s| {
                s.iter()
                    .all(|s| s.objective > 0.0 && (s.unit.is_some() || s.objective <= 100.0))
            })
        });
        self.block("slo-objectives-set", set);
    }

    /// The approval rules (production): `approvals/readiness-review.yaml`
    /// (two rules, by release kind), `security/pentest-signoff.yaml`,
    /// `privacy/privacy-review.yaml`.
    fn approval_rules(&mut self) {
        use approvals::{
            EXPEDITED_REVIEW, PENTEST_SIGNOFF, PRIVACY_LEGAL_REVIEW, READINESS_REVIEW,
        };
        let release = &self.facts.release;
        let review = match release.kind {
            ReleaseKind::Standard | ReleaseKind::Security => Some(&READINESS_REVIEW),
            ReleaseKind::Hotfix | ReleaseKind::Emergency => Some(&EXPEDITED_REVIEW),
            _ => None,
        };
        let pentest = release.changes.iter().any(|c| {
            (c.kind == "new-endpoint" && c.external != Some(false)) || c.kind == "auth-change"
        });
        let privacy = release.changes.iter().any(|c| c.kind == "user-data");
        let rules = review
            .into_iter()
            .chain(pentest.then_some(&PENTEST_SIGNOFF))
            .chain(privacy.then_some(&PRIVACY_LEGAL_REVIEW));
        for rule in rules {
            match approvals::judge(rule, self.facts, &self.keys) {
                approvals::Judgement::Pass => {}
                approvals::Judgement::Pending => self.out.pending.push(rule.id),
                approvals::Judgement::Deny => self.out.deny.push(rule.id),
            }
        }
    }
}
