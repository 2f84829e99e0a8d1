//! Layering: a bundle is an ordered list of layers (organisation → unit →
//! team). A later layer may add policies and rules, and tighten a rule of an
//! earlier layer (a stricter effect, fewer waiver roles, more approvers, a
//! shorter `maxAge` …). It may not remove or loosen a rule unless that rule
//! says `overridable: true`; an attempt is a load error naming both files.

use std::collections::BTreeMap;

use super::document::{
    AnalysisRule, ApprovalRule, BurnRateRule, Gate, Metadata, Promotion, QualityGate, Quorum,
    Trigger, Variable,
};
use super::load::SourceDoc;
use super::locate::DocLocations;
use super::rules::{LayeredRule, RuleDoc, RuleKind};
use crate::error::{ErrorCode, PolicyError, SourceLocation};

/// Where a merged item was written.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub locs: DocLocations,
    /// YAML path of the item inside its document (`spec.gates[2]`).
    pub path: String,
}

impl Origin {
    pub(crate) fn at(&self, field: &str) -> SourceLocation {
        if field.is_empty() {
            self.locs.at(&self.path)
        } else {
            self.locs.at(&format!("{}.{field}", self.path))
        }
    }
}

/// A policy after all layers were applied.
#[derive(Debug, Clone)]
pub(crate) struct MergedPolicy {
    /// `Policy` or `RolloutPolicy`.
    pub kind: String,
    pub metadata: Metadata,
    pub applies_to: Option<(String, Origin)>,
    pub variables: Vec<(Variable, Origin)>,
    /// Every rule, of every kind: a kind's rules keep their order.
    pub rules: Vec<(RuleDoc, Origin)>,
    /// Later layers' additions to `extensible` variables, in layer order.
    pub extensions: Vec<(Variable, Origin)>,
}

impl MergedPolicy {
    /// Take the rules of one kind out (for the slice that compiles them).
    pub(crate) fn take<R: RuleKind>(&mut self) -> Vec<(R, Origin)> {
        super::rules::take(&mut self.rules)
    }

    /// The additions of later layers to variable `name`.
    pub(crate) fn extensions_of<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a (Variable, Origin)> + 'a {
        self.extensions.iter().filter(move |(v, _)| v.name == name)
    }

    /// The effective expression of variable `v`: its own, followed by the
    /// lists later layers added (`(base) + (extension) …`).
    pub(crate) fn variable_source(&self, v: &Variable) -> String {
        let mut parts = self.extensions_of(&v.name).peekable();
        if parts.peek().is_none() {
            return v.expression.clone();
        }
        std::iter::once(v.expression.as_str())
            .chain(parts.map(|(e, _)| e.expression.as_str()))
            .map(|e| format!("({e})"))
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

/// Items of a spec section with their origins (`spec.gates[2]`).
fn located<T>(items: Vec<T>, section: &str, root: &dyn Fn(&str) -> Origin) -> Vec<(T, Origin)> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (item, root(&format!("{section}[{i}]"))))
        .collect()
}

/// Merge layers, in order, into one list of policies.
pub(crate) fn merge(layers: Vec<Vec<SourceDoc>>) -> Result<Vec<MergedPolicy>, Vec<PolicyError>> {
    let mut policies: Vec<MergedPolicy> = Vec::new();
    let mut errors = Vec::new();
    for layer in layers {
        // Positions are read only when there is an error to report.
        let mut seen_in_layer: BTreeMap<String, DocLocations> = BTreeMap::new();
        for sd in layer {
            let root = |path: &str| Origin {
                locs: sd.locs.clone(),
                path: path.to_string(),
            };
            let name = sd.doc.metadata.name.clone();
            if let Some(first) = seen_in_layer.insert(name.clone(), sd.locs.clone()) {
                let (here, first) = (sd.locs.at("metadata.name"), first.at("metadata.name"));
                errors.push(
                    PolicyError::new(
                        ErrorCode::DuplicatePolicy,
                        here,
                        format!("duplicate policy name `{name}`"),
                    )
                    .with_hint(format!(
                        "first defined at {first}; a layer holds each policy once"
                    )),
                );
                continue;
            }
            let mut spec = sd.doc.spec;
            let rules = spec.take_rules();
            match policies.iter_mut().find(|p| p.metadata.name == name) {
                None => policies.push(MergedPolicy {
                    kind: sd.doc.kind,
                    metadata: sd.doc.metadata,
                    applies_to: spec.applies_to.map(|a| (a, root("spec.appliesTo"))),
                    rules: rules
                        .into_iter()
                        .map(|(r, path)| (r, root(&path)))
                        .collect(),
                    variables: located(spec.variables, "spec.variables", &root),
                    extensions: Vec::new(),
                }),
                Some(base) if base.kind != sd.doc.kind => {
                    let there = base
                        .rules
                        .first()
                        .map(|(_, o)| o.locs.at("kind"))
                        .unwrap_or_else(|| SourceLocation::file("earlier layer"));
                    errors.push(
                        PolicyError::new(
                            ErrorCode::LayerChangesKind,
                            sd.locs.at("kind"),
                            format!(
                                "policy `{name}` is a `{}` here but a `{}` in an earlier layer",
                                sd.doc.kind, base.kind
                            ),
                        )
                        .with_hint(format!("the earlier definition is at {there}")),
                    );
                }
                Some(base) => {
                    let amend = Amendment {
                        base,
                        errors: &mut errors,
                    };
                    amend.apply(sd.doc.metadata, spec, rules, &root);
                }
            }
        }
    }
    check_unique_ids(&policies, &mut errors);
    if errors.is_empty() {
        Ok(policies)
    } else {
        Err(errors)
    }
}

fn check_unique_ids(policies: &[MergedPolicy], errors: &mut Vec<PolicyError>) {
    let mut ids: BTreeMap<&str, &Origin> = BTreeMap::new();
    let rules = policies
        .iter()
        .flat_map(|p| p.rules.iter().map(|(r, o)| (r.id(), o)));
    for (id, origin) in rules {
        if let Some(first) = ids.insert(id, origin) {
            let (here, first) = (origin.at("id"), first.at("id"));
            errors.push(PolicyError::new(ErrorCode::DuplicateRuleId, here, format!("duplicate rule id `{id}`"))
                .with_rule(id)
                .with_hint(format!("also defined at {first}; to tighten a rule of an earlier layer, amend it in a policy of the same name")));
        }
    }
}

struct Amendment<'a> {
    base: &'a mut MergedPolicy,
    errors: &'a mut Vec<PolicyError>,
}

impl Amendment<'_> {
    fn apply(
        self,
        metadata: Metadata,
        spec: super::document::Spec,
        rules: Vec<(RuleDoc, String)>,
        root: &dyn Fn(&str) -> Origin,
    ) {
        let name = metadata.name.clone();
        if spec.applies_to.is_some()
            && spec.applies_to != self.base.applies_to.as_ref().map(|(a, _)| a.clone())
        {
            let there = self
                .base
                .applies_to
                .as_ref()
                .map_or_else(|| self.base_loc(), |(_, o)| o.at(""));
            self.errors.push(
                PolicyError::new(
                    ErrorCode::LayerLoosens,
                    root("spec.appliesTo").at(""),
                    format!("layer changes `appliesTo` of policy `{name}`"),
                )
                .with_hint(format!(
                    "`appliesTo` is fixed by the first layer that defines the policy (at {there}): a later layer cannot widen or narrow what the policy covers; give a rule of yours a `when` instead, or write a policy of your own with its own `appliesTo`"
                )),
            );
        }
        for (i, v) in spec.variables.into_iter().enumerate() {
            let origin = root(&format!("spec.variables[{i}]"));
            let base = self.base.variables.iter().find(|(b, _)| b.name == v.name);
            if base.is_some_and(|(b, _)| b.extensible) {
                self.base.extensions.push((v, origin));
            } else if let Some((_, o)) = base {
                let there = o.at("name");
                self.errors.push(
                    PolicyError::new(
                        ErrorCode::LayerLoosens,
                        origin.at("name"),
                        format!("layer redefines variable `{}` of policy `{name}`", v.name),
                    )
                    .with_hint(format!(
                        "the variable is defined at {there}; a later layer may only add to a list variable marked `extensible: true`"
                    )),
                );
            } else {
                self.base.variables.push((v, origin));
            }
        }
        for (rule, path) in rules {
            amend_rule(&mut self.base.rules, rule, root(&path), self.errors);
        }
        for (i, id) in spec.disable.iter().enumerate() {
            let here = root(&format!("spec.disable[{i}]")).at("");
            let found = disable_rule(&mut self.base.rules, id, &here, self.errors);
            if !found {
                self.errors.push(
                    PolicyError::new(
                        ErrorCode::DisableUnknownRule,
                        here,
                        format!("cannot disable `{id}`: policy `{name}` has no such rule"),
                    )
                    .with_rule(id.as_str()),
                );
            }
        }
        // A later layer may raise the version (never lower it; an amendment
        // without a version keeps the earlier one) and describe the policy.
        let newer = match (
            semver::Version::parse(&metadata.version),
            semver::Version::parse(&self.base.metadata.version),
        ) {
            (Ok(new), Ok(old)) => new > old,
            _ => false,
        };
        if newer {
            self.base.metadata.version = metadata.version;
        }
        if metadata.description.is_some() {
            self.base.metadata.description = metadata.description;
        }
        for owner in metadata.owners {
            if !self.base.metadata.owners.contains(&owner) {
                self.base.metadata.owners.push(owner);
            }
        }
    }

    fn base_loc(&self) -> SourceLocation {
        self.base
            .rules
            .first()
            .map(|(_, o)| o.locs.at("metadata.name"))
            .unwrap_or_else(|| SourceLocation::file("earlier layer"))
    }
}

fn refuse(
    errors: &mut Vec<PolicyError>,
    here: SourceLocation,
    there: SourceLocation,
    rule: Option<&str>,
    what: String,
) {
    let mut e = PolicyError::new(ErrorCode::LayerLoosens, here, what).with_hint(format!(
        "the rule is defined at {there} without `overridable: true`; a later layer may only add rules or tighten them"
    ));
    if let Some(r) = rule {
        e = e.with_rule(r);
    }
    errors.push(e);
}

/// Add a later layer's rule to an earlier layer's: a new id is added, a
/// redefinition of the same kind replaces the rule if it may (overridable,
/// or tighter).
fn amend_rule(
    base: &mut Vec<(RuleDoc, Origin)>,
    rule: RuleDoc,
    origin: Origin,
    errors: &mut Vec<PolicyError>,
) {
    let same = |b: &RuleDoc| b.id() == rule.id() && b.kind() == rule.kind();
    match base.iter_mut().find(|(b, _)| same(b)) {
        None => base.push((rule, origin)),
        Some(slot) if slot.0.overridable() || RuleDoc::tightens(&slot.0, &rule) => {
            *slot = (rule, origin)
        }
        Some((_, old_origin)) => {
            let what = format!("layer loosens {} `{}`", rule.noun(), rule.id());
            refuse(
                errors,
                origin.at("id"),
                old_origin.at("id"),
                Some(rule.id()),
                what,
            );
        }
    }
}

/// Disable rule `id` if `base` has it; whether it has it.
fn disable_rule(
    base: &mut Vec<(RuleDoc, Origin)>,
    id: &str,
    here: &SourceLocation,
    errors: &mut Vec<PolicyError>,
) -> bool {
    let Some(at) = base.iter().position(|(r, _)| r.id() == id) else {
        return false;
    };
    match base.get(at) {
        Some((r, _)) if r.overridable() => {
            base.remove(at);
        }
        Some((r, o)) => {
            let what = format!("layer disables {} `{id}`", r.noun());
            refuse(errors, here.clone(), o.at("id"), Some(id), what);
        }
        None => {}
    }
    true
}

impl LayeredRule for Gate {
    fn tightens(old: &Self, new: &Self) -> bool {
        gate_tightens(old, new)
    }
}

impl LayeredRule for super::document::Criterion {
    fn tightens(old: &Self, new: &Self) -> bool {
        super::review_rules::criterion_tightens(old, new)
    }
}

impl LayeredRule for super::document::Instability {
    fn tightens(old: &Self, new: &Self) -> bool {
        super::review_rules::instability_tightens(old, new)
    }
}

impl LayeredRule for ApprovalRule {
    fn tightens(old: &Self, new: &Self) -> bool {
        approval_tightens(old, new)
    }
}

impl LayeredRule for Trigger {
    fn tightens(old: &Self, new: &Self) -> bool {
        super::rollout_rules::trigger_tightens(old, new)
    }
}

impl LayeredRule for Promotion {
    fn tightens(old: &Self, new: &Self) -> bool {
        super::rollout_rules::promotion_tightens(old, new)
    }
}

/// An analysis or a burn-rate rule is tightened only by itself.
impl LayeredRule for AnalysisRule {
    fn tightens(old: &Self, new: &Self) -> bool {
        old == new
    }
}

impl LayeredRule for BurnRateRule {
    fn tightens(old: &Self, new: &Self) -> bool {
        old == new
    }
}

/// A quality gate is tightened only by itself.
impl LayeredRule for QualityGate {
    fn tightens(old: &Self, new: &Self) -> bool {
        old == new
    }
}

fn subset(new: &[String], old: &[String]) -> bool {
    new.iter().all(|n| old.contains(n))
}

fn superset(new: &[String], old: &[String]) -> bool {
    subset(old, new)
}

/// Same condition, an effect at least as strict, no new waiver roles, no new
/// approvers (fewer people can lift it), controls only added.
pub(crate) fn gate_tightens(old: &Gate, new: &Gate) -> bool {
    new.expression == old.expression
        && new.when == old.when
        && new.effect >= old.effect
        && subset(&new.waivable_by, &old.waivable_by)
        && (old.effect != crate::vocab::Effect::Approval
            || new.effect != crate::vocab::Effect::Approval
            || subset(&new.approvers, &old.approvers))
        && superset(&new.controls, &old.controls)
        && !new.overridable
}

/// At least the same roles, quorum, vetoes and evidence; a `maxAge` no
/// longer; separation of duties kept; the same condition and decision rights.
pub(crate) fn approval_tightens(old: &ApprovalRule, new: &ApprovalRule) -> bool {
    let strictness = |q: Quorum| match q {
        Quorum::Any => (0, 0),
        Quorum::Count(n) => (1, n),
        Quorum::All => (2, 0),
    };
    // With `all`, more roles is stricter; otherwise more roles would give
    // more ways to reach the quorum, so the roles must stay the same. A
    // role's `count` may only grow.
    let names = |rules: &ApprovalRule| -> Vec<String> {
        rules.roles.iter().map(|r| r.role.clone()).collect()
    };
    let (new_names, old_names) = (names(new), names(old));
    let counts_kept = old.roles.iter().all(|o| {
        new.roles
            .iter()
            .any(|n| n.role == o.role && n.count >= o.count)
    });
    let roles = counts_kept
        && if new.quorum == Quorum::All {
            superset(&new_names, &old_names)
        } else {
            superset(&new_names, &old_names) && subset(&new_names, &old_names)
        };
    let quorum = strictness(new.quorum) >= strictness(old.quorum) && roles;
    let age = match (old.max_age, new.max_age) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => b <= a,
    };
    quorum
        && age
        && superset(&new.veto, &old.veto)
        && superset(&new.evidence, &old.evidence)
        && (new.separation_of_duties || !old.separation_of_duties)
        && (new.distinct_people || !old.distinct_people)
        && (new.distinct_across_rules || !old.distinct_across_rules)
        && new.when == old.when
        && new.decider == old.decider
        && new.escalation == old.escalation
        && superset(&new.controls, &old.controls)
        && !new.overridable
}
