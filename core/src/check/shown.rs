//! The values a finding shows: each path an expression reads, resolved in
//! the facts or a policy's variables and written as JSON text once per
//! decision (per policy for variables), then shared by every finding that
//! shows it.

use std::collections::HashMap;
use std::sync::Arc;

use super::evaluate::{Run, Variables, slot};
use super::values::{Shown, Values};
use crate::expr::echo::echo_text;
use crate::expr::{CompiledExpr, Val};
use crate::model::shape::FACTS;

/// The values shown so far, by path: each shown once and shared by every
/// finding that shows it. A hash map with a fixed seed (the keys are the
/// policies' paths, not the facts'; nothing depends on its order).
pub(super) type Echoed = HashMap<Arc<str>, Option<Arc<Shown>>, foldhash::fast::FixedState>;

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

/// The value shown for the path `key`: worked out by `show` the first
/// time, then the same (shared) value.
fn shown_once(
    echoed: &mut Echoed,
    key: &Arc<str>,
    show: impl FnOnce() -> Option<Arc<Shown>>,
) -> Option<Arc<Shown>> {
    if let Some(v) = echoed.get(key) {
        return v.clone();
    }
    let v = show();
    echoed.insert(key.clone(), v.clone());
    v
}

/// The value of the facts at `root` then `path` (field names), as a
/// finding shows it; `None` where the facts have nothing there (a section
/// they leave out included).
fn fact_at<'a>(roots: &[Val<'a>], root: &str, path: &[String]) -> Option<Val<'a>> {
    let crate::model::shape::Shape::Object(fields) = &*FACTS else {
        return None;
    };
    let slot = fields.keys().position(|k| k == root)?;
    match roots.get(slot)? {
        Val::Null => None,
        v => variable_at(v, path),
    }
}

impl Run<'_> {
    /// The values of the paths the expressions read, as a finding shows
    /// them; each shown once per decision (per policy for variables) and
    /// shared by every finding that shows it.
    pub(super) fn values<'e>(
        &mut self,
        exprs: impl IntoIterator<Item = &'e CompiledExpr> + Clone,
        roots: &[Val<'_>],
        vars: &mut Variables<'_>,
        slots: &[Option<Val<'_>>],
    ) -> Values {
        let reads = exprs.clone().into_iter().map(|e| e.reads.len()).sum();
        let mut out = Values::with_capacity(reads);
        let max = self.limits.max_echo_bytes;
        for e in exprs {
            for (path, key) in e.reads.iter().zip(&e.read_keys) {
                let Some((root, rest)) = path.split_first() else {
                    continue;
                };
                let shown = if root == "variables" {
                    let Some((name, rest)) = rest.split_first() else {
                        continue;
                    };
                    let defined = vars.defined;
                    shown_once(&mut vars.echoed, key, || {
                        let i = slot(defined, name)?;
                        let v = variable_at(slots.get(i)?.as_ref()?, rest)?;
                        Some(Arc::new(Shown::from_text(
                            key.clone(),
                            echo_text(&v, max, &mut self.scratch),
                        )))
                    })
                } else {
                    shown_once(&mut self.echoed, key, || {
                        let v = fact_at(roots, root, rest)?;
                        Some(Arc::new(Shown::from_text(
                            key.clone(),
                            echo_text(&v, max, &mut self.scratch),
                        )))
                    })
                };
                if let Some(v) = shown {
                    out.insert(v);
                }
            }
        }
        out
    }
}
