//! Which fact types can be compared: a comparison of an `int` field with a
//! string (`service.tier == "1"`) is valid CEL and never true, so it passes
//! every test that does not exercise it and silently never matches. The
//! static checks refuse comparisons of two known, incompatible types.

use crate::model::shape::Shape;

/// The family of a scalar shape, for comparisons; `None` for shapes that
/// are not compared here (lists, maps, unknown).
fn family(s: &Shape) -> Option<&'static str> {
    match s {
        Shape::Int | Shape::Double => Some("number"),
        Shape::String | Shape::Version => Some("string"),
        Shape::Bool => Some("bool"),
        Shape::Timestamp => Some("timestamp"),
        Shape::Duration => Some("duration"),
        Shape::Object(_) | Shape::Map(_) | Shape::List(_) | Shape::Any => None,
    }
}

/// Whether `a` and `b` may be compared (`==`, `!=`, `<` …): unless both
/// types are known scalars of different families (a number and a string, a
/// timestamp and a string …).
pub(crate) fn comparable(a: &Shape, b: &Shape) -> bool {
    match (family(a), family(b)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_with_numbers_and_strings_with_versions() {
        assert!(comparable(&Shape::Int, &Shape::Double));
        assert!(comparable(&Shape::Version, &Shape::String));
        assert!(comparable(&Shape::Any, &Shape::String));
        assert!(!comparable(&Shape::Int, &Shape::String));
        assert!(!comparable(&Shape::Timestamp, &Shape::String));
        assert!(!comparable(&Shape::Bool, &Shape::Int));
        assert!(!comparable(&Shape::Duration, &Shape::Timestamp));
    }
}
