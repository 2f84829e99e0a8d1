//! The values a finding shows: each path an expression reads, resolved in
//! the facts or a policy's variables and written as JSON text once per
//! decision (per policy for variables), then shared by every finding that
//! shows it.
//!
//! Where each path is found is worked out at load ([`Paths`]): the root's
//! slot or the variable's, the fields under it, and the number of the path
//! in the table where a decision keeps the value once shown. A decision
//! looks nothing up by name.

use std::collections::HashMap;
use std::sync::Arc;

use smallvec::SmallVec;

use super::evaluate::{Detail, Run, Variables, slot};
use super::values::{Shown, Values};
use crate::expr::echo::echo_text;
use crate::expr::{CompiledExpr, Val};
use crate::model::shape::{FACTS, Shape};

/// The values shown so far, by the number of their path: each worked out
/// once (`None` until then; `Some(None)` where there was nothing to show)
/// and shared by every finding that shows it.
pub(super) type Echoed = Vec<Option<Option<Arc<Shown>>>>;

/// [`Echoed`] for the paths of one policy's variables: inline for the few
/// most policies read.
pub(super) type EchoedVariables = SmallVec<[Option<Option<Arc<Shown>>>; 8]>;

/// A path a rule reads, resolved at load.
#[derive(Debug)]
pub(crate) struct ShownPath {
    /// The path as a finding names it (`release.kind`).
    key: Arc<str>,
    /// The fields under the root or the variable.
    rest: Box<[String]>,
    at: At,
}

/// Where a path's value is found, and where a decision keeps it.
#[derive(Debug, Clone, Copy)]
enum At {
    /// Under a root of the facts (its slot; `None` for a root the facts
    /// never have), kept under the path's number among the policy's paths
    /// of the facts.
    Fact { root: Option<usize>, path: usize },
    /// Under a variable of the policy (its slot), kept under the path's
    /// number among the policy's paths of variables.
    Variable { slot: Option<usize>, path: usize },
}

/// The paths a policy's rules read, numbered at load: the paths of the
/// facts (numbered again across the bundle, by [`number_fact_paths`], as a
/// decision keeps the facts' values for all its policies) and the paths of
/// the policy's variables.
#[derive(Debug, Default)]
pub(crate) struct Paths {
    /// The policy's paths of the facts, by their number in the policy.
    facts: Vec<Arc<str>>,
    /// The number of each path of the facts and of the variables, to
    /// number a path read again (a map, so numbering stays linear in the
    /// paths a large policy reads).
    numbers: HashMap<Arc<str>, usize>,
    /// The number across the bundle of each of them.
    in_bundle: Vec<usize>,
    /// How many paths of the facts the whole bundle reads.
    bundle: usize,
    /// How many paths of the policy's variables.
    variables: usize,
}

impl Paths {
    /// The paths `exprs` read, resolved (sorted by path, each once), with
    /// a number in this table each.
    pub(crate) fn resolve<'e>(
        &mut self,
        exprs: impl IntoIterator<Item = &'e CompiledExpr>,
        variables: &[(String, CompiledExpr)],
    ) -> Box<[ShownPath]> {
        let mut out: Vec<ShownPath> = Vec::new();
        for e in exprs {
            for (path, key) in e.reads.iter().zip(&e.read_keys) {
                let Some((root, rest)) = path.split_first() else {
                    continue;
                };
                let (rest, at) = if root == "variables" {
                    let Some((name, rest)) = rest.split_first() else {
                        continue;
                    };
                    let slot = slot(variables, name);
                    let variables = &mut self.variables;
                    let path = *self.numbers.entry(key.clone()).or_insert_with(|| {
                        *variables += 1;
                        *variables - 1
                    });
                    (rest, At::Variable { slot, path })
                } else {
                    let root = match &*FACTS {
                        Shape::Object(fields) => fields.keys().position(|k| k == root),
                        _ => None,
                    };
                    let facts = &mut self.facts;
                    let path = *self.numbers.entry(key.clone()).or_insert_with(|| {
                        facts.push(key.clone());
                        facts.len() - 1
                    });
                    (rest, At::Fact { root, path })
                };
                if let Err(i) = out.binary_search_by(|p| p.key.cmp(key)) {
                    out.insert(
                        i,
                        ShownPath {
                            key: key.clone(),
                            rest: rest.into(),
                            at,
                        },
                    );
                }
            }
        }
        out.into()
    }
}

/// Number the paths of the facts across the policies of a bundle: the
/// same path read by two policies is kept once by a decision.
pub(crate) fn number_fact_paths<'p>(policies: impl IntoIterator<Item = &'p mut Paths>) {
    let mut all: HashMap<Arc<str>, usize> = HashMap::new();
    let mut tables: Vec<&'p mut Paths> = Vec::new();
    for paths in policies {
        let numbers = paths.facts.iter().map(|k| {
            let next = all.len();
            *all.entry(k.clone()).or_insert(next)
        });
        paths.in_bundle = numbers.collect();
        tables.push(paths);
    }
    for paths in tables {
        paths.bundle = all.len();
    }
}

/// The table of shown values of a decision over `policies`' paths of the
/// facts, all unshown.
pub(super) fn fact_table<'p>(policies: impl IntoIterator<Item = &'p Paths>) -> Echoed {
    let n = policies.into_iter().map(|p| p.bundle).max().unwrap_or(0);
    vec![None; n]
}

/// The table of shown values of one policy's paths of variables.
pub(super) fn variable_table(paths: &Paths) -> EchoedVariables {
    smallvec::smallvec![None; paths.variables]
}

/// The part of a variable's value at `path` (field names), as its JSON
/// holds it; `None` where the JSON has nothing there.
pub(super) fn variable_at<'a>(value: &Val<'a>, path: &[String]) -> Option<Val<'a>> {
    let mut cur = value.clone();
    for seg in path {
        while let Val::Optional(Some(inner)) = cur {
            cur = (*inner).clone();
        }
        cur = match cur {
            Val::Map(m) => m.field(seg)?,
            _ => return None,
        };
    }
    while let Val::Optional(Some(inner)) = cur {
        cur = (*inner).clone();
    }
    Some(cur)
}

/// The value shown in slot `slot` of `echoed`: worked out by `show` the
/// first time, then the same (shared) value.
fn shown_once(
    echoed: &mut [Option<Option<Arc<Shown>>>],
    slot: usize,
    show: impl FnOnce() -> Option<Arc<Shown>>,
) -> Option<Arc<Shown>> {
    let kept = echoed.get_mut(slot)?;
    if let Some(v) = kept {
        return v.clone();
    }
    let v = show();
    *kept = Some(v.clone());
    v
}

impl Run<'_> {
    /// The values of `paths` (a rule's, resolved at load against
    /// `table`, its policy's), as a finding shows them; each shown once
    /// per decision (per policy for variables) and shared by every finding
    /// that shows it.
    pub(super) fn values(
        &mut self,
        paths: &[ShownPath],
        table: &Paths,
        roots: &[Val<'_>],
        vars: &mut Variables<'_>,
        slots: &[Option<Val<'_>>],
    ) -> Values {
        // The verdict alone shows nothing.
        if self.detail == Detail::Verdict {
            return Values::default();
        }
        let mut out = Values::with_capacity(paths.len());
        let max = self.limits.max_echo_bytes;
        for p in paths {
            let scratch = &mut self.scratch;
            let mut show = |v: Option<Val<'_>>| {
                let v = v?;
                Some(Arc::new(Shown::from_text(
                    p.key.clone(),
                    echo_text(&v, max, scratch),
                )))
            };
            let shown = match p.at {
                At::Variable { slot, path } => shown_once(&mut vars.echoed, path, || {
                    show(variable_at(slots.get(slot?)?.as_ref()?, &p.rest))
                }),
                At::Fact { root, path } => {
                    let slot = table.in_bundle.get(path).copied().unwrap_or(usize::MAX);
                    shown_once(&mut self.echoed, slot, || match roots.get(root?)? {
                        Val::Null => None,
                        v => show(variable_at(v, &p.rest)),
                    })
                }
            };
            if let Some(v) = shown {
                out.push_sorted(v);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

    use super::*;
    use crate::expr::Want;
    use crate::limits::Limits;

    fn compiled(src: &str, declared: &crate::expr::Variables) -> CompiledExpr {
        CompiledExpr::compile(src, Want::Any, &FACTS, declared, &Limits::default()).unwrap()
    }

    fn keys(paths: &[ShownPath]) -> Vec<&str> {
        paths.iter().map(|p| &*p.key).collect()
    }

    #[test]
    fn a_rules_paths_are_sorted_once_each_and_resolved() {
        let mut declared = crate::expr::Variables::default();
        let first = compiled("ci.suites", &declared);
        declared.insert("suites".into(), first.shape.clone());
        let second = compiled("release.labels", &declared);
        declared.insert("labels".into(), second.shape.clone());
        let variables = vec![
            ("suites".to_string(), first),
            ("labels".to_string(), second),
        ];
        let expression = compiled(
            "release.kind == 'hotfix' && size(variables.labels) > 0 && release.id != ''",
            &declared,
        );
        let when = compiled(
            "release.kind != '' && size(variables.suites) > 0",
            &declared,
        );
        let mut paths = Paths::default();
        let shown = paths.resolve([&expression, &when], &variables);
        assert_eq!(
            keys(&shown),
            [
                "release.id",
                "release.kind",
                "variables.labels",
                "variables.suites"
            ]
        );
        let release = match &*FACTS {
            Shape::Object(fields) => fields.keys().position(|k| k == "release"),
            _ => None,
        };
        let at: Vec<_> = shown.iter().map(|p| (p.at, p.rest.to_vec())).collect();
        let (mut facts, mut vars) = (Vec::new(), Vec::new());
        for ((at, rest), field) in at.iter().zip(["id", "kind"]) {
            let At::Fact { root, path } = *at else {
                panic!("{at:?} is not a path of the facts");
            };
            assert_eq!(
                (root, rest.as_slice()),
                (release, [field.to_string()].as_slice())
            );
            facts.push(path);
        }
        // Each variable by its own slot, not its place in the text.
        for ((at, rest), want) in at.iter().skip(2).zip([1, 0]) {
            let At::Variable { slot, path } = *at else {
                panic!("{at:?} is not a path of a variable");
            };
            assert_eq!((slot, rest.len()), (Some(want), 0));
            vars.push(path);
        }
        facts.sort_unstable();
        vars.sort_unstable();
        assert_eq!((facts, vars), (vec![0, 1], vec![0, 1]));
        assert_eq!(
            fact_table([&paths]).len(),
            0,
            "numbered in the bundle later"
        );
        assert_eq!(variable_table(&paths).len(), 2);
    }

    #[test]
    fn a_path_of_the_facts_is_numbered_once_across_the_bundle() {
        let declared = crate::expr::Variables::default();
        let (mut a, mut b) = (Paths::default(), Paths::default());
        let in_a = a.resolve(
            [&compiled(
                "release.kind == '' || ci.commit == ''",
                &declared,
            )],
            &[],
        );
        let in_b = b.resolve(
            [&compiled(
                "service.tier > 1 || release.kind == ''",
                &declared,
            )],
            &[],
        );
        number_fact_paths([&mut a, &mut b]);
        let bundle = |paths: &Paths, p: &ShownPath| match p.at {
            At::Fact { path, .. } => paths.in_bundle[path],
            At::Variable { .. } => usize::MAX,
        };
        let kind_a = bundle(&a, &in_a[1]);
        let kind_b = bundle(&b, &in_b[0]);
        assert_eq!(
            (&*in_a[1].key, &*in_b[0].key),
            ("release.kind", "release.kind")
        );
        assert_eq!(kind_a, kind_b);
        let mut all = vec![bundle(&a, &in_a[0]), kind_a, bundle(&b, &in_b[1])];
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2]);
        assert_eq!(fact_table([&a, &b]).len(), 3);
    }
}
