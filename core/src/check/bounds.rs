//! Whether a variable's value is within the limits of a decision
//! ([`Limits::max_variable_items`], [`Limits::max_list_items`],
//! [`Limits::max_variable_string_bytes`]), counted as its JSON would be:
//! items of lists and entries of maps, the bytes of each string. A value
//! over them makes the variable fail, and every rule that reads it.

use smallvec::SmallVec;

use crate::expr::Val;
use crate::limits::Limits;

/// Whether `value` is within the limits; the error says which it passes.
pub(super) fn within_limits(value: &Val<'_>, limits: &Limits) -> Result<(), String> {
    // A scalar, the common variable, needs no walk (and no stack).
    if !matches!(value, Val::List(_) | Val::Map(_) | Val::Optional(Some(_))) {
        return text_within_limits(value, limits);
    }
    // Nor does a list or a map of scalars, the common container.
    if let Some(checked) = flat_within_limits(value, limits) {
        return checked;
    }
    walk_within_limits(value, limits)
}

/// [`within_limits`] of any value, by a walk of it.
fn walk_within_limits(value: &Val<'_>, limits: &Limits) -> Result<(), String> {
    let mut count = 0usize;
    // Inline while small: most variables are a short list of records.
    let mut stack: SmallVec<[Val<'_>; 16]> = SmallVec::new();
    stack.push(value.clone());
    while let Some(v) = stack.pop() {
        text_within_limits(&v, limits)?;
        match v {
            Val::List(items) if items.len() > limits.max_list_items => {
                return Err(format!(
                    "list of {} items, more than the limit of {}",
                    items.len(),
                    limits.max_list_items
                ));
            }
            Val::List(items) => {
                count += items.len();
                stack.extend(items.iter());
            }
            // Counted as they are read: a typed map reads each field once.
            Val::Map(map) => {
                for (_, v) in map.iter() {
                    count += 1;
                    stack.push(v);
                }
            }
            Val::Optional(Some(inner)) => stack.push((*inner).clone()),
            _ => {}
        }
        if count > limits.max_variable_items {
            return Err(format!(
                "value of more than {} items, the limit",
                limits.max_variable_items
            ));
        }
    }
    Ok(())
}

/// [`within_limits`] of a list or a map of scalars, without a stack:
/// the same checks in the same order, so the same error (the walk looks at
/// the items last first); `None` when it holds a list or a map.
fn flat_within_limits(value: &Val<'_>, limits: &Limits) -> Option<Result<(), String>> {
    let (len, items): (usize, &mut dyn Iterator<Item = Val<'_>>) = match value {
        Val::List(l) => (l.len(), &mut l.iter()),
        Val::Map(m) => (m.len(), &mut m.iter().map(|(_, v)| v)),
        _ => return None,
    };
    if matches!(value, Val::List(_)) && len > limits.max_list_items {
        return Some(Err(format!(
            "list of {len} items, more than the limit of {}",
            limits.max_list_items
        )));
    }
    if len > limits.max_variable_items {
        return Some(Err(format!(
            "value of more than {} items, the limit",
            limits.max_variable_items
        )));
    }
    let mut last = Ok(());
    for v in items {
        if matches!(v, Val::List(_) | Val::Map(_) | Val::Optional(Some(_))) {
            return None;
        }
        if let Err(e) = text_within_limits(&v, limits) {
            last = Err(e);
        }
    }
    Some(last)
}

/// Whether a string (or bytes, counted as their JSON text) of a variable's
/// value is within [`Limits::max_variable_string_bytes`].
fn text_within_limits(v: &Val<'_>, limits: &Limits) -> Result<(), String> {
    let text = match v {
        Val::Str(s) => s.as_str().len(),
        Val::Bytes(b) => String::from_utf8_lossy(b).len(),
        _ => 0,
    };
    if text > limits.max_variable_string_bytes {
        return Err(format!(
            "string of {text} bytes, more than the limit of {}",
            limits.max_variable_string_bytes
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use proptest::prelude::*;

    use super::*;
    use crate::expr::value::{Key, List, Map, Str};

    fn scalar() -> impl Strategy<Value = Val<'static>> {
        prop_oneof![
            any::<i64>().prop_map(Val::Int),
            "[a-z]{0,9}".prop_map(|s| Val::Str(Str::O(s.into()))),
            prop::collection::vec(any::<u8>(), 0..9).prop_map(|b| Val::Bytes(b.into())),
        ]
    }

    fn limits(list: usize, items: usize, text: usize) -> Limits {
        Limits {
            max_list_items: list,
            max_variable_items: items,
            max_variable_string_bytes: text,
            ..Limits::default()
        }
    }

    proptest! {
        #[test]
        fn a_flat_value_is_judged_as_the_walk_judges_it(
            items in prop::collection::vec(scalar(), 0..8),
            as_map in any::<bool>(),
            (list, count, text) in (0usize..9, 0usize..9, 0usize..9),
        ) {
            let value = if as_map {
                let entries: Vec<_> = items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Key::Int(i as i64), v))
                    .collect();
                Val::Map(Map::Vals(entries.into()))
            } else {
                Val::List(List::Vals(items.into()))
            };
            let limits = limits(list, count, text);
            prop_assert_eq!(
                flat_within_limits(&value, &limits),
                Some(walk_within_limits(&value, &limits))
            );
        }
    }

    #[test]
    fn a_nested_value_is_left_to_the_walk() {
        let inner = Val::List(List::Vals(Rc::from([Val::Int(1)])));
        let outer = Val::List(List::Vals(Rc::from([Val::Int(0), inner])));
        assert_eq!(flat_within_limits(&outer, &Limits::default()), None);
        assert_eq!(
            within_limits(&outer, &limits(9, 1, 9)),
            Err("value of more than 1 items, the limit".to_string())
        );
    }
}
