//! Tests of the facts digest and its canonical encoding (`docs/digest.md`).

use serde_json::Value as Json;

use super::*;
use crate::model::canonical::encode;
use crate::model::{Facts, RolloutFacts};

const GOLDEN_YAML: &str = include_str!("../../tests/data/digest_golden.yaml");
/// Printed by `core/tests/data/digest_reference.py`, an independent
/// implementation of `docs/digest.md`.
const GOLDEN_DIGEST: &str =
    "sha256:27c9098694fae0b2da718afcb4943ce32e3649463e587af7b4f80c341b6dca85";

const RELEASE: &str = include_str!("../../../examples/releases/checkout-2.4.0.yaml");
const ROLLOUT: &str = include_str!("../../../examples/rollouts/checkout-latency-regression.yaml");

fn rollout(text: &str) -> Option<RolloutFacts> {
    RolloutFacts::parse(text).ok()
}

fn release(text: &str) -> Option<Facts> {
    Facts::parse(text).ok()
}

/// The facts as a JSON value (YAML parsed, nothing typed yet).
fn yaml_value(text: &str) -> Json {
    yaml_serde::from_str(text).unwrap_or(Json::Null)
}

/// JSON text of `v` with every object's keys in reverse order.
fn json_reversed(v: &Json) -> String {
    match v {
        Json::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Json::String(k.clone()), json_reversed(v)))
                .collect();
            format!("{{{}}}", items.join(","))
        }
        Json::Array(a) => {
            let items: Vec<String> = a.iter().map(json_reversed).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

#[test]
fn golden_digest_matches_the_reference() {
    let facts = rollout(GOLDEN_YAML);
    assert!(facts.is_some(), "the golden facts parse");
    assert_eq!(
        facts.map(|f| facts_digest(&f)).as_deref(),
        Some(GOLDEN_DIGEST)
    );
}

#[test]
fn yaml_json_and_key_order_give_the_same_digest() {
    for text in [GOLDEN_YAML, ROLLOUT] {
        let yaml = rollout(text).map(|f| facts_digest(&f));
        let json = rollout(&yaml_value(text).to_string()).map(|f| facts_digest(&f));
        let reversed = rollout(&json_reversed(&yaml_value(text))).map(|f| facts_digest(&f));
        assert!(yaml.is_some());
        assert_eq!(yaml, json);
        assert_eq!(yaml, reversed);
    }
    let yaml = release(RELEASE).map(|f| facts_digest(&f));
    let json = release(&yaml_value(RELEASE).to_string()).map(|f| facts_digest(&f));
    let reversed = release(&json_reversed(&yaml_value(RELEASE))).map(|f| facts_digest(&f));
    assert!(yaml.is_some());
    assert_eq!(yaml, json);
    assert_eq!(yaml, reversed);
}

#[test]
fn normalised_spellings_and_absent_empties_give_the_same_digest() {
    let base = rollout(GOLDEN_YAML).map(|f| facts_digest(&f));
    let same = [
        GOLDEN_YAML.replace("pause: 1h30m", "pause: 90m"),
        GOLDEN_YAML.replace("window: 30d", "window: 720h"),
        GOLDEN_YAML.replace(
            "now: 2026-11-26T10:00:00Z",
            "now: 2026-11-26T11:00:00+01:00",
        ),
        GOLDEN_YAML.replace("currentStep: 1", "currentStep: 1\n  flags: []"),
        format!("{GOLDEN_YAML}synthetics: {{}}\n"),
    ];
    for text in same {
        assert_eq!(rollout(&text).map(|f| facts_digest(&f)), base, "{text}");
    }
}

/// Every leaf of `v`, as a path of object keys and array indexes.
fn leaves(v: &Json, path: &mut Vec<Json>, out: &mut Vec<Vec<Json>>) {
    match v {
        Json::Object(m) => m.iter().for_each(|(k, v)| {
            path.push(Json::String(k.clone()));
            leaves(v, path, out);
            path.pop();
        }),
        Json::Array(a) => a.iter().enumerate().for_each(|(i, v)| {
            path.push(Json::from(i));
            leaves(v, path, out);
            path.pop();
        }),
        _ => out.push(path.clone()),
    }
}

fn at<'a>(v: &'a mut Json, path: &[Json]) -> Option<&'a mut Json> {
    path.iter().try_fold(v, |v, p| match p {
        Json::String(k) => v.get_mut(k.as_str()),
        _ => v.get_mut(p.as_u64().and_then(|i| usize::try_from(i).ok())?),
    })
}

/// Ways to change a leaf: the first that still parses is used.
fn changes(v: &Json) -> Vec<Json> {
    match v {
        Json::Bool(b) => vec![Json::Bool(!b)],
        Json::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            let mut c: Vec<Json> = Vec::new();
            if let Some(i) = n.as_u64() {
                c.extend(
                    [i.checked_add(1), i.checked_sub(1)]
                        .into_iter()
                        .flatten()
                        .map(Json::from),
                );
            }
            if let Some(i) = n.as_i64() {
                c.push(Json::from(i - 1));
            }
            c.extend([f + 1.0, f / 2.0, f - 1.0].map(Json::from));
            c
        }
        Json::String(s) => {
            let mut c = Vec::new();
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                for ns in [1, -1] {
                    c.push(Json::String(
                        (t + chrono::Duration::nanoseconds(ns)).to_rfc3339(),
                    ));
                }
            }
            c.extend([format!("1{s}"), format!("{s}x"), format!("{s}.1")].map(Json::String));
            // Another name of the same enumeration.
            let names = [
                "passed",
                "failed",
                "reject",
                "pending",
                "succeeded",
                "sent",
                "hotfix",
                "draft",
            ];
            c.extend(names.iter().filter(|n| *n != s).map(|n| Json::from(*n)));
            c
        }
        _ => vec![Json::from(0)],
    }
}

#[test]
fn any_changed_value_changes_the_digest() {
    for (text, is_rollout) in [(GOLDEN_YAML, true), (RELEASE, false)] {
        let digest = |v: &Json| {
            if is_rollout {
                rollout(&v.to_string()).map(|f| facts_digest(&f))
            } else {
                release(&v.to_string()).map(|f| facts_digest(&f))
            }
        };
        let base_value = yaml_value(text);
        let base = digest(&base_value);
        assert!(base.is_some());
        let mut paths = Vec::new();
        leaves(&base_value, &mut Vec::new(), &mut paths);
        let mut changed = 0;
        let mut unchanged = Vec::new();
        for path in &paths {
            let Some(old) = at(&mut base_value.clone(), path).map(|v| v.clone()) else {
                continue;
            };
            let before = changed;
            for new in changes(&old) {
                let mut v = base_value.clone();
                if let Some(slot) = at(&mut v, path) {
                    *slot = new.clone();
                }
                if let Some(d) = digest(&v) {
                    assert_ne!(Some(d), base, "{path:?}: {old} → {new}");
                    changed += 1;
                    break;
                }
            }
            if changed == before {
                unchanged.push(format!("{path:?} {old}"));
            }
        }
        // Every leaf has a change that still parses.
        assert!(
            unchanged.is_empty(),
            "{changed} of {}: {unchanged:?}",
            paths.len()
        );
    }
}

#[test]
fn list_order_matters() {
    let base = rollout(GOLDEN_YAML).map(|f| facts_digest(&f));
    let swapped = [
        GOLDEN_YAML.replace("[true, null, \"é\", 2.5]", "[null, true, \"é\", 2.5]"),
        GOLDEN_YAML.replace(
            "    - setWeight: 10\n    - pause: 1h30m",
            "    - pause: 1h30m\n    - setWeight: 10",
        ),
    ];
    for text in swapped {
        let d = rollout(&text).map(|f| facts_digest(&f));
        assert!(d.is_some(), "{text}");
        assert_ne!(d, base, "{text}");
    }
}

#[test]
fn the_encoding_of_scalars() {
    assert_eq!(encode(&()), [0x00]);
    assert_eq!(encode(&false), [0x01]);
    assert_eq!(encode(&-1i8), [0x03, 0x01]);
    assert_eq!(encode(&300u16), [0x03, 0xd8, 0x04]);
    assert_eq!(
        encode(&i64::MIN),
        [&[0x03][..], &[0xff; 9], &[0x01]].concat()
    );
    assert_eq!(
        encode(&u64::MAX),
        [&[0x04][..], &[0xff; 9], &[0x01]].concat()
    );
    // One encoding per integer, whatever its Rust type.
    assert_eq!(encode(&7u8), encode(&7i64));
    assert_eq!(encode(&7u64), encode(&7i32));
    assert_ne!(encode(&7u64), encode(&7.0f64));
    // Every NaN alike; 0.0 and -0.0 differ, as their bits do.
    assert_eq!(
        encode(&f64::NAN),
        encode(&-f64::from_bits(0x7ff0_0000_0000_0001))
    );
    assert_eq!(
        encode(&f64::NAN)[1..],
        0x7ff8_0000_0000_0000u64.to_be_bytes()
    );
    assert_ne!(encode(&0.0f64), encode(&-0.0f64));
    assert_eq!(encode("é"), [0x06, 2, 0xc3, 0xa9]);
    assert_eq!(encode(&vec![true]), [0x07, 0x02, 0x0b]);
}

#[test]
fn maps_sort_by_encoded_key_and_structs_leave_out_empties() {
    // A shorter key first, then bytewise.
    let m = serde_json::json!({"bb": 1, "a": 2, "c": null, "d": []});
    let e = encode(&m);
    let key = |k: &str| [&[0x06, k.len() as u8][..], k.as_bytes()].concat();
    let mut want = vec![0x08];
    for (k, v) in [
        ("a", &[0x03, 4][..]),
        ("c", &[0x00]),
        ("d", &[0x07, 0x0b]),
        ("bb", &[0x03, 2]),
    ] {
        want.extend(key(k));
        want.extend_from_slice(v);
    }
    want.push(0x0b);
    // A shorter key first, then bytewise; in a map, null and [] are kept.
    assert_eq!(e, want);

    #[derive(serde::Serialize)]
    struct S {
        z: u8,
        gone: Option<u8>,
        empty: Vec<u8>,
        a: Option<u8>,
    }
    let s = encode(&S {
        z: 1,
        gone: None,
        empty: Vec::new(),
        a: Some(2),
    });
    assert_eq!(s, encode(&serde_json::json!({"a": 2, "z": 1})));
}

#[test]
fn timestamps_and_durations_are_binary() {
    let f = rollout(GOLDEN_YAML);
    let bytes = f.map(|f| encode(&f)).unwrap_or_default();
    // No timestamp or duration was formatted as text.
    for text in ["2026", "1h30m", "30d"] {
        assert!(
            !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
            "{text}"
        );
    }
    // `now`: 2026-11-26T10:00:00Z, 0 ns.
    let mut now = vec![0x09];
    crate::model::canonical::tests_leb128(&mut now, 2 * 1_795_687_200);
    now.push(0);
    assert!(bytes.windows(now.len()).any(|w| w == now));
}

/// Every timestamp field of the facts goes through `serialize_timestamp`
/// (or its optional twin), so the digest never formats one as text.
#[test]
fn every_timestamp_field_is_serialised_as_binary() {
    let sources = [
        include_str!("evidence.rs"),
        include_str!("operations.rs"),
        include_str!("quality.rs"),
        include_str!("release.rs"),
        include_str!("rollout/mod.rs"),
    ];
    let mut seen = 0;
    for src in sources {
        let lines: Vec<&str> = src.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.contains("Timestamp") && line.trim_start().starts_with("pub ") {
                seen += 1;
                let attrs = lines
                    .get(i.saturating_sub(5)..i)
                    .unwrap_or_default()
                    .join("\n");
                assert!(
                    attrs.contains("serialize_with = \"super::types::serialize_"),
                    "{line}"
                );
            }
        }
    }
    assert!(seen >= 18, "{seen}");
}

/// The encoding of `v` as `docs/digest.md` specifies it, written the plain
/// way (each map's entries encoded, then sorted): the oracle for the
/// encoder, which puts maps in order without moving bytes.
fn reference(v: &Json, out: &mut Vec<u8>) {
    match v {
        Json::Null => out.push(0x00),
        Json::Bool(b) => out.push(if *b { 0x02 } else { 0x01 }),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => {
                out.push(0x03);
                crate::model::canonical::tests_leb128(out, ((i << 1) ^ (i >> 63)) as u64);
            }
            (None, Some(u), _) => {
                out.push(0x04);
                crate::model::canonical::tests_leb128(out, u);
            }
            (_, _, f) => {
                out.push(0x05);
                out.extend_from_slice(&f.unwrap_or(f64::NAN).to_bits().to_be_bytes());
            }
        },
        Json::String(s) => {
            out.push(0x06);
            crate::model::canonical::tests_leb128(out, s.len() as u64);
            out.extend_from_slice(s.as_bytes());
        }
        Json::Array(items) => {
            out.push(0x07);
            for i in items {
                reference(i, out);
            }
            out.push(0x0b);
        }
        Json::Object(map) => {
            let mut entries: Vec<(Vec<u8>, Vec<u8>)> = map
                .iter()
                .map(|(k, v)| {
                    let (mut key, mut value) = (Vec::new(), Vec::new());
                    reference(&Json::String(k.clone()), &mut key);
                    reference(v, &mut value);
                    (key, value)
                })
                .collect();
            entries.sort();
            out.push(0x08);
            for (k, v) in entries {
                out.extend(k);
                out.extend(v);
            }
            out.push(0x0b);
        }
    }
}

fn json_strategy() -> impl proptest::strategy::Strategy<Value = Json> {
    use proptest::prelude::*;
    // Keys of different lengths, so that the bytewise order of encoded
    // keys (length first) differs from the string order a map iterates in;
    // long keys that share their first bytes, so that the first eight bytes
    // of their encodings tie and the rest decides.
    let key = prop::sample::select(vec![
        "a",
        "b",
        "zz",
        "ab",
        "id",
        "name",
        "m",
        "value",
        "x1",
        "longkey-a",
        "longkey-b",
        "longkey-ab",
        "é\u{0}",
    ]);
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        (0.0f64..1e6).prop_map(Json::from),
        "[a-z]{0,12}".prop_map(Json::String),
    ];
    leaf.prop_recursive(5, 96, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            prop::collection::btree_map(key.clone().prop_map(String::from), inner, 0..6)
                .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    /// Maps nested in maps, lists and structs, sorted and unsorted at any
    /// depth: the encoder gives the plain encoding, byte for byte.
    #[test]
    fn the_encoder_puts_nested_maps_in_order_like_the_reference(
        a in json_strategy(),
        b in json_strategy(),
        c in json_strategy(),
    ) {
        let mut want = Vec::new();
        reference(&a, &mut want);
        proptest::prop_assert_eq!(encode(&a), want);

        // A struct whose fields come unsorted (`zz`, `a`, `mid`), holding
        // the values: like a map of them, empties left out.
        #[derive(serde::Serialize)]
        struct S<'a> {
            zz: &'a Json,
            a: &'a Json,
            mid: Vec<&'a Json>,
        }
        let s = S { zz: &a, a: &b, mid: vec![&c, &a] };
        let mut fields = serde_json::Map::new();
        for (k, v) in [("zz", a.clone()), ("a", b.clone()), ("mid", Json::Array(vec![c.clone(), a.clone()]))] {
            let empty = matches!(&v, Json::Null)
                || matches!(&v, Json::Array(x) if x.is_empty())
                || matches!(&v, Json::Object(x) if x.is_empty());
            if !empty {
                fields.insert(k.to_string(), v);
            }
        }
        let mut want = Vec::new();
        reference(&Json::Object(fields), &mut want);
        proptest::prop_assert_eq!(encode(&s), want);
    }
}

#[test]
fn the_hex_of_a_digest_is_what_formatting_writes() {
    let all: Vec<u8> = (0..=255).collect();
    let formatted: String = all.iter().map(|b| format!("{b:02x}")).collect();
    let mut hex = String::new();
    super::push_hex(&mut hex, &all);
    assert_eq!(hex, formatted);
    let hash = Sha256::digest(b"release-policy");
    assert_eq!(super::sha256_text(&hash), format!("sha256:{hash:x}"));
}
