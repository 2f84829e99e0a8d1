//! Identities: telling people apart, and the names of things (services,
//! environments: [`valid_name`]). Every "same person" rule (separation
//! of duties, self-approval, the latest word of each person, distinct
//! approvers) compares identities by one key, built to err towards "same
//! person": Unicode NFKC (full-width `ａｌｉｃｅ` is `alice`), lower case,
//! then the Unicode TR39 confusable skeleton (Cyrillic `а` is Latin `a`,
//! `0` is `O`, default-ignorable code points such as a zero-width space are
//! dropped), lower-cased again, surrounding white space trimmed. Control
//! characters and blank identities are refused when the facts are read
//! ([`check`]).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// The comparison key of an identity: two names with the same key are the
/// same person.
///
/// A name that is already its own key (most are: lower-case ASCII letters
/// whose skeleton is themselves) is given back as it is, without a copy.
pub(crate) fn key(name: &str) -> Cow<'_, str> {
    let name = name.trim();
    if name.is_ascii() {
        if let Some(key) = ascii_key(name) {
            return key;
        }
    }
    Cow::Owned(full_key(name))
}

/// [`key`] by the full algorithm, for any name.
fn full_key(name: &str) -> String {
    let folded: String = name.trim().nfkc().collect::<String>().to_lowercase();
    let skeleton: String = skeleton(&folded).collect();
    skeleton.to_lowercase().trim().to_string()
}

/// [`key`] of an ASCII name, from a table made once, in one allocation:
/// ASCII is its own NFKC, lower-casing it is per byte, and the skeleton
/// maps each code point on its own. `None` when a byte's skeleton is not
/// ASCII (lower-casing it could then depend on its neighbours), for the
/// full algorithm. A (trimmed) name every byte of which is its own piece
/// is its own key: given back borrowed.
fn ascii_key(name: &str) -> Option<Cow<'_, str>> {
    let piece = |b: u8| {
        ASCII_SKELETON
            .get(usize::from(b.to_ascii_lowercase()))?
            .as_deref()
    };
    if name
        .bytes()
        .all(|b| piece(b).is_some_and(|p| p.as_bytes() == [b]))
    {
        return Some(Cow::Borrowed(name));
    }
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        out.push_str(piece(b)?);
    }
    let trimmed = out.trim();
    Some(Cow::Owned(if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_string()
    }))
}

/// The skeleton of each ASCII byte, lower-cased; `None` where the
/// skeleton is not ASCII.
static ASCII_SKELETON: std::sync::LazyLock<Vec<Option<String>>> = std::sync::LazyLock::new(|| {
    (0u8..128)
        .map(|b| {
            let s: String = skeleton(&char::from(b).to_string()).collect();
            s.is_ascii().then(|| s.to_ascii_lowercase())
        })
        .collect()
});

/// Whether two names are the same person (see the module doc).
pub(crate) fn same_person(a: &str, b: &str) -> bool {
    a == b || key(a) == key(b)
}

/// Why `name` cannot be an identity, if it cannot: blank (empty, or only
/// white space and invisible characters), or holding a control character.
pub(crate) fn check(name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!(
            "identity `{}` holds the control character U+{:04X}",
            name.escape_debug(),
            u32::from(c)
        ));
    }
    if key(name).is_empty() {
        return Some(format!("identity `{}` is blank", name.escape_debug()));
    }
    None
}

/// Names of services, APIs, environments, calendars: lowercase ASCII
/// letters, digits, `-`, `.` and `_`, starting with a letter or digit (as
/// Kubernetes names), so that a look-alike (`paymеnts` with a Cyrillic
/// `е`) or a blank name is refused instead of naming another thing.
pub(crate) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._".contains(c))
        && name.len() <= 253
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_are_the_same_person() {
        for other in [
            "alice",
            "Alice",
            " alice ",
            "\u{430}lice",   // Cyrillic а
            "alice\u{200b}", // zero-width space
            "ａｌｉｃｅ",    // full width
            "ALICE",
            "al\u{0456}ce",  // Cyrillic і
            "a\u{200d}lice", // zero-width joiner
        ] {
            assert!(same_person("alice", other), "{other:?} should be alice");
        }
    }

    #[test]
    fn different_people_stay_apart() {
        for other in ["bob", "alicia", "alice2", "malice", ""] {
            assert!(!same_person("alice", other), "{other:?} is not alice");
        }
    }

    #[test]
    fn digits_that_look_like_letters_err_towards_the_same_person() {
        assert!(same_person("bob", "b0b"));
        assert!(same_person("alice", "a1ice"));
    }

    #[test]
    fn the_ascii_table_gives_the_same_key_as_the_full_algorithm() {
        let all: String = (32u8..127).map(char::from).collect();
        for name in [
            "alice",
            " Bob ",
            "b0b",
            "a1ice",
            "O'Neil",
            "x|y",
            "rn-m",
            all.as_str(),
        ] {
            assert_eq!(key(name), full_key(name), "{name:?}");
        }
    }

    #[test]
    fn a_name_that_is_its_own_key_is_not_copied() {
        assert!(matches!(key("alice"), Cow::Borrowed("alice")));
        assert!(matches!(key(" carol.d "), Cow::Borrowed("carol.d")));
        // Upper case, a digit that looks like a letter, `m` (`rn`): copied.
        for name in ["Alice", "b0b", "emma"] {
            assert!(matches!(key(name), Cow::Owned(_)), "{name:?}");
        }
    }

    proptest::proptest! {
        /// Every ASCII name (printable or not, spaces anywhere) gets the
        /// key the full algorithm gives.
        #[test]
        fn every_ascii_name_gets_the_key_of_the_full_algorithm(name in "[\\x00-\\x7f]{0,12}") {
            proptest::prop_assert_eq!(key(&name), full_key(&name));
        }

        /// Names as people write them (where most are their own key,
        /// given back without a copy) get the key of the full algorithm.
        #[test]
        fn every_plain_name_gets_the_key_of_the_full_algorithm(name in "[ a-zA-Z0-9._@-]{0,12}") {
            proptest::prop_assert_eq!(key(&name), full_key(&name));
        }
    }

    #[test]
    fn blank_and_control_identities_are_refused() {
        assert!(check("alice").is_none());
        assert!(check("").is_some_and(|m| m.contains("blank")));
        assert!(check("   ").is_some_and(|m| m.contains("blank")));
        assert!(check("\u{200b}").is_some_and(|m| m.contains("blank")));
        assert!(check("al\0ice").is_some_and(|m| m.contains("U+0000")));
        assert!(check("alice\n").is_some_and(|m| m.contains("U+000A")));
    }
}
