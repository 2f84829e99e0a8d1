//! `check`: evaluate every rule of a bundle against one set of facts. One
//! run serves the whole decision and the verdict alone
//! ([`Detail`]): the verdict's run evaluates the same rules within the same
//! budget and only skips the values findings show and the facts digest.
//!
//! The facts are read in place (`expr::view::facts`); each policy gets a child
//! scope with its `variables` (evaluated once, in order). A rule that cannot
//! be evaluated is an `error` finding that counts as its effect failing.
//! A gate is judged in `gates.rs`, the values a finding shows are resolved
//! in `shown.rs`, approval rules in `approvals.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;
use smallvec::SmallVec;

use super::approvals;
use super::bounds;
use super::compile::ReleasePolicy;
use super::decision::*;
use super::finding::Message;
use super::shown::{Echoed, EchoedVariables, fact_table, variable_table};
use crate::error::{Error, ErrorCode};
use crate::expr::bind::within_limits;
use crate::expr::view::facts::{self as view, ServiceView};
use crate::expr::{Budget, CompiledExpr, Frame, Val};
use crate::limits::Limits;
use crate::model::catalog_facts::CatalogFacts;
use crate::model::digest::FactCounts;
use crate::model::shape::FACTS;
use crate::model::{Facts, Timestamp};
use crate::vocab::{BundleInfo, Effect, EngineInfo, Outcome, Verdict};

/// What the findings of one policy know of its variables: the policy's
/// variables in slot order, why each that could not be computed could not, and the
/// echoes of `variables.…` paths already shown (the values themselves are
/// bound in the policy's scope as `variables.NAME`).
pub(super) struct Variables<'p> {
    /// The policy's variables, in slot order.
    pub(super) defined: &'p [(String, CompiledExpr)],
    /// The slot and the reason of each variable that could not be
    /// computed (most policies have none: nothing is allocated then).
    errors: Vec<(usize, String)>,
    pub(super) echoed: EchoedVariables,
}

impl Variables<'_> {
    /// Why variable `name` could not be computed, if it could not.
    fn error(&self, name: &str) -> Option<&String> {
        let i = slot(self.defined, name)?;
        self.errors.iter().find(|(j, _)| *j == i).map(|(_, e)| e)
    }
}

/// The slot of variable `name` among a policy's variables.
pub(super) fn slot(defined: &[(String, CompiledExpr)], name: &str) -> Option<usize> {
    defined.iter().position(|(n, _)| n == name)
}

/// The messages of a rule or policy that does not apply.
pub(super) const GATE_SKIPPED: Message = Message::Fixed("does not apply (`when` is false)");
const APPROVAL_SKIPPED: Message = Message::Fixed("not required (`when` is false)");
const POLICY_SKIPPED: Message = Message::Fixed("policy does not apply (`appliesTo` is false)");

/// One decision in progress: the facts, what has been found so far, and
/// the shown values shared between its findings.
pub(super) struct Run<'f> {
    pub(super) facts: &'f Facts,
    /// Asked between rules: `true` stops the evaluation.
    interrupted: &'f dyn Fn() -> bool,
    stopped: bool,
    /// The roots the facts leave out (`null`).
    absent: Vec<&'f str>,
    pub(super) limits: &'f Limits,
    pub(super) now: Timestamp,
    /// What the run works out: for the verdict alone, findings show no
    /// values.
    pub(super) detail: Detail,
    findings: Vec<Finding>,
    pub(super) missing: Vec<MissingApproval>,
    pub(super) waiver_status: Vec<Option<&'static str>>,
    /// Fact values already shown by a finding, by path: every finding
    /// that shows the same path shares one value.
    pub(super) echoed: Echoed,
    /// Where a value shown is written before it gets its own text.
    pub(super) scratch: Vec<u8>,
}

/// How much of a decision a check works out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detail {
    /// The whole decision: every finding with its message and the values
    /// it shows, the facts digest.
    Decision,
    /// The verdict alone: the same rules evaluated the same way (the same
    /// outcomes, within the same budget), without the values findings show
    /// or the digest of the facts.
    Verdict,
}

/// What a run over the policies of a bundle found, before it is made a
/// decision or folded into a verdict.
struct Ran {
    findings: Vec<Finding>,
    missing: Vec<MissingApproval>,
    waiver_status: Vec<Option<&'static str>>,
}

/// The digests a decision carries: of the facts, and of the catalog when
/// one was bound.
struct Digests {
    facts: String,
    catalog: Option<String>,
}

/// Decide whether the release described by `facts` may go, by the release
/// `policies` of the bundle described by `bundle`.
///
/// Errors only when there is no policy or the facts cannot be turned into
/// CEL values (a list over [`Limits::max_list_items`]); everything that goes
/// wrong inside a rule is a finding instead.
pub(crate) fn check(
    policies: &[&ReleasePolicy],
    bundle: BundleInfo,
    limits: &Limits,
    facts: &Facts,
    catalog: Option<&CatalogFacts>,
    interrupted: &dyn Fn() -> bool,
) -> Result<Decision, Error> {
    any_policy(policies)?;
    // The facts are counted against the limits as their digest is written.
    let (facts_digest, counts) = crate::model::digest::release_facts_digest(facts);
    let ran = run(
        policies,
        limits,
        facts,
        counts,
        catalog,
        interrupted,
        Detail::Decision,
    )?;
    let digests = Digests {
        facts: facts_digest,
        catalog: catalog.map(crate::model::digest::facts_digest),
    };
    Ok(decision(ran, digests, facts, bundle))
}

/// The verdict [`check`] gives, worked out without the rest of the
/// decision ([`Detail::Verdict`]).
pub(crate) fn verdict(
    policies: &[&ReleasePolicy],
    limits: &Limits,
    facts: &Facts,
    catalog: Option<&CatalogFacts>,
    interrupted: &dyn Fn() -> bool,
) -> Result<Verdict, Error> {
    any_policy(policies)?;
    // Counted as `check` counts them, encoded without the digest.
    let counts = crate::model::digest::release_fact_counts(facts);
    let ran = run(
        policies,
        limits,
        facts,
        counts,
        catalog,
        interrupted,
        Detail::Verdict,
    )?;
    Ok(fold(&ran.findings))
}

/// A bundle without a release policy cannot check a release.
fn any_policy(policies: &[&ReleasePolicy]) -> Result<(), Error> {
    if policies.is_empty() {
        return Err(Error::evaluation(
            ErrorCode::NoPolicyOfKind,
            "the bundle holds no release `Policy`, so it cannot check a release",
        ));
    }
    Ok(())
}

/// Evaluate every rule of `policies` on `facts`, whose `counts` the
/// canonical encoding gave, working out what `detail` asks for.
fn run(
    policies: &[&ReleasePolicy],
    limits: &Limits,
    facts: &Facts,
    counts: FactCounts,
    catalog: Option<&CatalogFacts>,
    interrupted: &dyn Fn() -> bool,
    detail: Detail,
) -> Result<Ran, Error> {
    // The error budget, when the service gives error ratios instead of
    // the figure itself: what the error-budget policy reads.
    let derived_budget = facts
        .service
        .as_ref()
        .filter(|s| s.error_budget_remaining.is_none())
        .and_then(crate::model::Service::budget_remaining);
    // The facts as given (with that figure) are held to the limits: by
    // their `counts`, without building them, and walked as JSON only to
    // say which limit they pass, and where.
    let values = counts.values + usize::from(derived_budget.is_some());
    if values > limits.max_fact_values || counts.longest_list > limits.max_list_items {
        let mut whole = facts.to_json_value();
        add_budget(&mut whole, derived_budget);
        within_limits(&whole, limits).map_err(Error::from)?;
    }
    // The roots are the typed facts read in place; a catalog's roots are
    // its JSON.
    let service = facts.service.as_ref().map(|service| ServiceView {
        service,
        derived_budget,
    });
    // Encoding these plain types cannot fail; were it to, both roots
    // would stay `null` and every rule reading them fail closed.
    let catalog_json = catalog.and_then(|c| serde_json::to_value(c).ok());
    let roots = view::bind(facts, service.as_ref(), catalog_json.as_ref());
    let absent = match &*FACTS {
        crate::model::shape::Shape::Object(fields) => fields
            .keys()
            .zip(&roots)
            .filter(|(_, v)| matches!(v, Val::Null))
            .map(|(k, _)| k.as_str())
            .collect(),
        _ => Vec::new(),
    };
    let budget = Budget::new(limits);
    let mut run = Run {
        facts,
        interrupted,
        stopped: false,
        now: facts.now,
        absent,
        limits,
        detail,
        findings: Vec::with_capacity(policies.iter().map(|p| p.rule_count()).sum()),
        missing: Vec::new(),
        waiver_status: vec![None; facts.waivers.len()],
        // The verdict alone shows no value: no table to keep them in.
        echoed: match detail {
            Detail::Decision => fact_table(policies.iter().map(|p| &p.paths)),
            Detail::Verdict => Vec::new(),
        },
        scratch: Vec::new(),
    };
    for policy in policies {
        run.policy(policy, &roots, &budget);
        if run.stopped {
            return Err(Error::evaluation(
                ErrorCode::Interrupted,
                "the check was interrupted before it decided",
            ));
        }
    }
    Ok(Ran {
        findings: run.findings,
        missing: run.missing,
        waiver_status: run.waiver_status,
    })
}

/// The decision of a [`Detail::Decision`] run.
fn decision(run: Ran, digests: Digests, facts: &Facts, bundle: BundleInfo) -> Decision {
    let verdict = fold(&run.findings);
    let mut summary = Summary::default();
    for f in &run.findings {
        match f.outcome {
            Outcome::Pass => summary.pass += 1,
            Outcome::Fail => summary.fail += 1,
            Outcome::Warn => summary.warn += 1,
            Outcome::Error | Outcome::NoData => summary.error += 1,
            Outcome::Skipped => summary.skipped += 1,
            Outcome::Waived => summary.waived += 1,
        }
    }
    let kind_of = |rule: &str| {
        run.findings
            .iter()
            .find(|f| f.rule() == rule)
            .map(|f| f.kind)
    };
    let waivers = facts
        .waivers
        .iter()
        .zip(&run.waiver_status)
        .map(|(w, s)| WaiverUse {
            rule: w.rule.clone(),
            by: w.by.clone(),
            role: w.role.clone(),
            status: s
                .unwrap_or(match kind_of(&w.rule) {
                    Some(RuleKind::Gate) => "unused",
                    Some(RuleKind::Approval) => "not-waivable",
                    None => "unknown-rule",
                })
                .into(),
            expires: w.expires,
        })
        .collect();
    Decision {
        schema: DECISION_SCHEMA.into(),
        verdict,
        release: facts.release.id.clone(),
        now: facts.now,
        summary,
        findings: run.findings,
        missing_approvals: run.missing,
        waivers,
        bundle,
        facts_digest: digests.facts,
        catalog_digest: digests.catalog,
        engine: EngineInfo {
            name: "release-policy".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
    }
}

/// Show the error budget derived from the SLOs' error ratios as
/// `service.errorBudgetRemaining`, when the view holds `service`.
fn add_budget(json: &mut Json, left: Option<f64>) {
    if let Some(left) = left {
        if let Some(service) = json.get_mut("service").and_then(Json::as_object_mut) {
            let v = serde_json::Number::from_f64(left).map_or(Json::Null, Json::Number);
            service.insert("errorBudgetRemaining".into(), v);
        }
    }
}

pub(super) fn as_bool(v: Result<Val<'_>, String>, what: &str) -> Result<bool, String> {
    match v? {
        Val::Bool(b) => Ok(b),
        other => Err(format!(
            "{what} gave `{}`, not a bool",
            short(&other.to_json())
        )),
    }
}

fn short(j: &Json) -> String {
    let s = j.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

impl Run<'_> {
    /// Whether the caller asked to stop (asked once per rule).
    fn stop(&mut self) -> bool {
        self.stopped = self.stopped || (self.interrupted)();
        self.stopped
    }

    fn policy<'a>(&mut self, policy: &'a ReleasePolicy, roots: &[Val<'a>], budget: &Budget) {
        let root = Frame {
            roots,
            vars: &[],
            budget,
        };
        let applies = policy
            .applies_to
            .as_ref()
            .map(|a| as_bool(a.eval(&root), "`appliesTo`"));
        let mut vars = Variables {
            defined: &policy.variables,
            errors: Vec::new(),
            echoed: variable_table(&policy.paths),
        };
        // Inline for the common policy of a few variables.
        let mut slots: SmallVec<[Option<Val<'a>>; 8]> = SmallVec::new();
        let skip_reason = match &applies {
            Some(Ok(false)) => Some(POLICY_SKIPPED),
            _ => None,
        };
        let policy_error = match applies {
            Some(Err(e)) => Some(Message::Own(Arc::from(format!(
                "`appliesTo` could not be evaluated: {e}"
            )))),
            _ => None,
        };
        if skip_reason.is_none() && policy_error.is_none() {
            // Each variable is evaluated once, in order, into its slot.
            for (_, e) in &policy.variables {
                let frame = Frame {
                    roots,
                    vars: &slots,
                    budget,
                };
                let value = self
                    .check_reads(e, &vars)
                    .and_then(|()| e.eval(&frame).map_err(|err| self.explain_error(e, err)))
                    .and_then(|v| self.within_limits(&v).map(|()| v));
                match value {
                    Ok(v) => slots.push(Some(v)),
                    Err(err) => {
                        vars.errors.push((slots.len(), err));
                        slots.push(None);
                    }
                }
            }
        }
        let scope = Frame {
            roots,
            vars: &slots,
            budget,
        };
        for gate in &policy.gates {
            if self.stop() {
                return;
            }
            let mut f = Finding::new(&gate.text, RuleKind::Gate, gate.gate.effect);
            if let Some(reason) = &skip_reason {
                f.outcome = Outcome::Skipped;
                f.message = reason.clone();
            } else if let Some(e) = &policy_error {
                f.outcome = Outcome::Error;
                f.message = e.clone();
            } else {
                self.gate(gate, &policy.paths, &scope, &mut vars, &slots, &mut f);
            }
            self.findings.push(f);
        }
        // People counted by a passing rule with `distinctAcrossRules`.
        let mut taken: BTreeMap<String, String> = BTreeMap::new();
        for rule in &policy.approvals {
            if self.stop() {
                return;
            }
            let mut f = Finding::new(&rule.text, RuleKind::Approval, Effect::Approval);
            if let Some(reason) = &skip_reason {
                f.outcome = Outcome::Skipped;
                f.message = reason.clone();
                self.findings.push(f);
                continue;
            }
            if let Some(e) = &policy_error {
                f.outcome = Outcome::Error;
                f.message = e.clone();
                self.findings.push(f);
                continue;
            }
            if let Some(w) = &rule.when {
                f.values = self.values(&rule.shown, &policy.paths, roots, &mut vars, &slots);
                match as_bool(self.eval(w, &scope, &vars), "`when`") {
                    Ok(false) => {
                        f.outcome = Outcome::Skipped;
                        f.message = APPROVAL_SKIPPED;
                        self.findings.push(f);
                        continue;
                    }
                    Err(e) => {
                        f.outcome = Outcome::Error;
                        // An approval cannot lift an error: none is listed as missing.
                        f.message =
                            Message::Own(Arc::from(format!("`when` could not be evaluated: {e}")));
                        self.findings.push(f);
                        continue;
                    }
                    Ok(true) => {}
                }
            }
            let j = approvals::judge(
                &rule.rule,
                &rule.roles,
                &self.facts.approvals,
                &self.facts.release.author,
                self.now,
                &taken,
            );
            if rule.rule.distinct_across_rules && j.outcome == Outcome::Pass {
                for person in &j.counted {
                    taken.insert(person.clone(), rule.rule.id.clone());
                }
            }
            f.outcome = j.outcome;
            f.effect = j.effect;
            f.message = Message::Own(Arc::from(j.message));
            let mut wanted = j.wanted;
            if let (Some(m), Some(w)) = (&rule.message_expression, wanted.as_mut()) {
                if w.quorum_gap {
                    if let Ok(Val::Str(s)) = self.eval(m, &scope, &vars) {
                        f.message = Message::Own(Arc::from(s.as_str()));
                        w.reason = s.as_str().to_string();
                    }
                }
            }
            f.approval = Some(Box::new(j.state));
            if let Some(w) = wanted {
                self.missing.push(MissingApproval {
                    rule: rule.rule.id.clone(),
                    policy: policy.metadata.name.clone(),
                    roles: w.roles,
                    needed: w.needed,
                    evidence: rule.rule.evidence.clone(),
                    reason: w.reason,
                });
            }
            self.findings.push(f);
        }
    }

    /// Whether a variable's value is within the limits (see
    /// [`bounds::within_limits`]).
    fn within_limits(&self, value: &Val<'_>) -> Result<(), String> {
        bounds::within_limits(value, self.limits)
    }
}

impl Run<'_> {
    /// Refuse up front when the expression reads a variable that could not
    /// be computed: its error is the expression's error.
    fn check_reads(&self, e: &CompiledExpr, vars: &Variables<'_>) -> Result<(), String> {
        // Most policies compute every variable: nothing to look for.
        if vars.errors.is_empty() {
            return Ok(());
        }
        for path in &e.reads {
            if let [root, name, ..] = path.as_slice() {
                if root == "variables" {
                    if let Some(err) = vars.error(name) {
                        return Err(format!("variable `{name}` could not be evaluated: {err}"));
                    }
                }
            }
        }
        Ok(())
    }

    /// An evaluation error, naming the section when it came from reading
    /// through an absent (null) one.
    fn explain_error(&self, e: &CompiledExpr, err: String) -> String {
        if !err.contains("null_type") {
            return err;
        }
        let absent = e.reads.iter().find_map(|path| {
            let root = path.first()?;
            (root != "variables" && self.absent.contains(&root.as_str())).then_some(root)
        });
        match absent {
            Some(root) => format!("`{root}` is not in the facts"),
            None => err,
        }
    }

    /// Evaluate `e` in `scope` (see [`Run::check_reads`]).
    pub(super) fn eval<'a>(
        &self,
        e: &'a CompiledExpr,
        scope: &Frame<'a, '_>,
        vars: &Variables<'_>,
    ) -> Result<Val<'a>, String> {
        self.check_reads(e, vars)?;
        e.eval(scope).map_err(|err| self.explain_error(e, err))
    }
}
