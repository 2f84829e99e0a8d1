//! The shared compile context of every rule kind: CEL compiled at a policy
//! location (errors at the `file:line:column` of the offending token, all
//! errors of a bundle collected), the variables declared so far, and the
//! checks every kind shares (lists without duplicates, positive durations,
//! rules in the right kind of policy).

use std::collections::BTreeSet;

use super::document::KIND_ROLLOUT;
use super::layer::{MergedPolicy, Origin};
use crate::error::{ErrorCode, PolicyError};
use crate::expr::{CompiledExpr, Want};
use crate::limits::Limits;
use crate::model::Duration;
use crate::model::shape::Shape;

/// A set of fact paths.
type Paths = BTreeSet<Vec<String>>;

/// What compiling one policy needs, and the errors found so far.
pub(crate) struct Compiler<'a> {
    pub(crate) limits: &'a Limits,
    pub(crate) roots: &'a Shape,
    pub(crate) variables: crate::expr::Variables,
    pub(crate) errors: Vec<PolicyError>,
    /// Warnings (`RP07xx`), kept apart so that a rule with only warnings
    /// compiles.
    pub(crate) warnings: Vec<PolicyError>,
    /// What the policy's `appliesTo` tests for (`has(p)`, `p != null`),
    /// and the rule whose `when` was compiled last with what it tests for:
    /// they guard the rule's other expressions.
    guards: (Paths, Option<(String, Paths)>),
}

impl Compiler<'_> {
    /// Compile `source` (the value of `field` of the item at `origin`),
    /// recording a located error when it does not compile.
    pub(crate) fn expr(
        &mut self,
        source: &str,
        want: Want,
        origin: &Origin,
        field: &str,
        rule: Option<&str>,
    ) -> Option<CompiledExpr> {
        match CompiledExpr::compile(source, want, self.roots, &self.variables, self.limits) {
            Ok(e) => {
                self.absorbed(&e, source, origin, field, rule);
                Some(e)
            }
            Err(e) => {
                let path = if field.is_empty() {
                    origin.path.clone()
                } else {
                    format!("{}.{field}", origin.path)
                };
                let loc = origin.locs.in_scalar(&path, e.offset, source);
                let mut err = PolicyError::new(e.code, loc, e.message);
                err.hint = e.hint;
                if let Some(r) = rule {
                    err = err.with_rule(r);
                }
                self.errors.push(err);
                None
            }
        }
    }
}

impl Compiler<'_> {
    /// Warn (`RP0701`) about each read of a possibly-absent fact whose error
    /// `||` or `&&` may absorb.
    fn absorbed(
        &mut self,
        e: &CompiledExpr,
        source: &str,
        origin: &Origin,
        field: &str,
        rule: Option<&str>,
    ) {
        let optional = crate::model::shape::optional_of(self.roots);
        let mut guarded = self.guards.0.clone();
        match (rule, field) {
            (None, "") => self.guards.0.extend(e.guards(self.roots)),
            (Some(r), "when") => self.guards.1 = Some((r.to_string(), e.guards(self.roots))),
            (Some(r), _) => {
                if let Some((_, g)) = self.guards.1.as_ref().filter(|(id, _)| id == r) {
                    guarded.extend(g.iter().cloned());
                }
            }
            _ => {}
        }
        for (a, offset) in e.absorbed(self.roots, optional, &guarded) {
            let path = if field.is_empty() {
                origin.path.clone()
            } else {
                format!("{}.{field}", origin.path)
            };
            let loc = origin.locs.in_scalar(&path, offset, source);
            let other = if a.operator == "||" { "true" } else { "false" };
            let mut w = PolicyError::new(
                ErrorCode::AbsorbedError,
                loc,
                format!(
                    "`{}` may be absent, and `{}` absorbs the error of reading it when its other side is {other}",
                    a.path, a.operator
                ),
            )
            .with_hint(format!(
                "guard it (`has({p}) && …`, `{p} != null && …`) or write the condition so that a missing fact fails it; see docs/concepts.md#errors-absorbed-by--and-",
                p = a.path
            ));
            if let Some(r) = rule {
                w = w.with_rule(r);
            }
            self.warnings.push(w);
        }
    }

    /// Hand the errors and then the warnings to the bundle's list (which
    /// tells them apart by [`ErrorCode::is_warning`]).
    pub(crate) fn finish(self, out: &mut Vec<PolicyError>) {
        out.extend(self.errors);
        out.extend(self.warnings);
    }
}

/// The policy's variables, compiled in order with `one`: a name declared
/// twice is refused, and each compiled variable's shape is known to the
/// expressions after it (a broken one as `Any`, so its later uses are not
/// reported twice).
pub(crate) fn variables(
    c: &mut Compiler<'_>,
    p: &MergedPolicy,
    one: &dyn Fn(&mut Compiler<'_>, &super::document::Variable, &Origin) -> Option<CompiledExpr>,
) -> Vec<(String, CompiledExpr)> {
    let mut out = Vec::new();
    for (v, o) in &p.variables {
        if c.variables.contains_key(&v.name) {
            c.errors.push(
                PolicyError::new(
                    ErrorCode::DuplicateVariable,
                    o.at("name"),
                    format!(
                        "duplicate variable `{}` in policy `{}`",
                        v.name, p.metadata.name
                    ),
                )
                .with_hint("each variable is declared once; rename one of them"),
            );
            continue;
        }
        match one(c, v, o) {
            Some(e) => {
                c.variables.insert(v.name.clone(), e.shape.clone());
                out.push((v.name.clone(), e));
            }
            None => c.variables.insert(v.name.clone(), Shape::Any),
        }
    }
    out
}

/// A role named twice would count twice towards a quorum: refused.
pub(crate) fn duplicates(
    errors: &mut Vec<PolicyError>,
    o: &Origin,
    rule: &str,
    field: &str,
    list: &[String],
) {
    for (i, item) in list.iter().enumerate() {
        if list.iter().take(i).any(|x| x == item) {
            errors.push(
                PolicyError::new(
                    ErrorCode::DuplicateEntry,
                    o.at(&format!("{field}[{i}]")),
                    format!("`{item}` is listed twice in `{field}` of `{rule}`"),
                )
                .with_rule(rule),
            );
        }
    }
}

impl<'a> Compiler<'a> {
    /// A compiler for one policy over facts of shape `roots`.
    pub(crate) fn new(limits: &'a Limits, roots: &'a Shape) -> Self {
        Compiler {
            limits,
            roots,
            variables: crate::expr::Variables::default(),
            errors: Vec::new(),
            warnings: Vec::new(),
            guards: (BTreeSet::new(), None),
        }
    }

    /// Record an error with `code` at `field` of the item at `o`, about
    /// rule `rule`.
    pub(crate) fn refuse(
        &mut self,
        code: ErrorCode,
        o: &Origin,
        field: &str,
        rule: &str,
        message: String,
        hint: Option<&str>,
    ) {
        let mut e = PolicyError::new(code, o.at(field), message).with_rule(rule);
        e.hint = hint.map(str::to_string);
        self.errors.push(e);
    }

    /// A duration that must be longer than zero.
    pub(crate) fn positive(&mut self, d: Option<Duration>, o: &Origin, field: &str, rule: &str) {
        if d.is_some_and(|d| d.as_millis() <= 0) {
            self.refuse(
                ErrorCode::InvalidWindow,
                o,
                field,
                rule,
                format!("`{field}` must be longer than 0"),
                None,
            );
        }
    }
}

/// Rollout rules only in rollout policies, release rules only in release
/// policies: each reads different facts.
pub(crate) fn kind_fits(c: &mut Compiler<'_>, p: &MergedPolicy) {
    let rollout = p.kind == KIND_ROLLOUT;
    let mut misplaced: Vec<(&str, Option<&Origin>)> = Vec::new();
    if rollout {
        misplaced.push(("variables", p.variables.first().map(|(_, o)| o)));
    }
    for section in super::rules::SECTIONS {
        let first = p.rules.iter().find(|(r, _)| r.section() == *section);
        if let Some((r, o)) = first.filter(|(r, _)| r.policy_kind() != p.kind) {
            misplaced.push((r.section(), Some(o)));
        }
    }
    for (section, origin) in misplaced {
        if let Some(o) = origin {
            let here = p.kind.as_str();
            let there = p
                .rules
                .iter()
                .find(|(r, _)| r.section() == section)
                .map_or("Policy", |(r, _)| r.policy_kind());
            c.errors.push(
                PolicyError::new(ErrorCode::MisplacedSection, o.at(""), format!("a `{here}` cannot hold `{section}`"))
                    .with_hint(format!(
                        "put `{section}` in a `kind: {there}` document: `check` reads release policies, `assess` rollout policies, `review` review policies"
                    )),
            );
        }
    }
}
