//! Our parser against the `cel` crate's: every CEL expression of the
//! repository (the built-in pack, the examples, the conformance corpus,
//! the fuzz seeds), every inline code span of the docs (many are not CEL:
//! both must refuse those), a hand-written list covering the grammar,
//! and two proptests (well-formed expressions, and token soup). The `cel`
//! parser accepts ⇒ ours gives the same tree at the same offsets; the
//! `cel` parser refuses ⇒ ours refuses.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value as Json;

use super::agree::{Outcome, agree};
use super::cases::HAND;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// Every string under a key that holds CEL.
fn collect(v: &Json, out: &mut Vec<String>) {
    match v {
        Json::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    (
                        "expression" | "when" | "appliesTo" | "condition" | "messageExpression"
                        | "value" | "baseline",
                        Json::String(s),
                    ) => out.push(s.clone()),
                    _ => collect(v, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// The tally of a run: how many sources each way.
#[derive(Default, Debug)]
struct Tally {
    both_parsed: usize,
    both_refused: usize,
    left: usize,
    disagreements: Vec<String>,
}

impl Tally {
    fn run(&mut self, source: &str) {
        match agree(source) {
            Ok(Outcome::BothParsed) => self.both_parsed += 1,
            Ok(Outcome::BothRefused) => self.both_refused += 1,
            Ok(Outcome::LeftToCel) => self.left += 1,
            Err(d) => self.disagreements.push(d),
        }
    }

    fn assert_agreed(&self) {
        assert!(
            self.disagreements.is_empty(),
            "{} disagreements:\n{}",
            self.disagreements.len(),
            self.disagreements.join("\n")
        );
    }
}

/// The CEL of every policy, example, corpus case and policy seed, read
/// from the YAML. (Recorded once at the parser, the sources the loader
/// compiles for the built-in pack, the examples and the corpus were these
/// and two list concatenations the loader writes, like the last entry of
/// the hand-written list; the import rules keep the loader out of here.)
fn repo_expressions() -> Vec<String> {
    let mut paths = Vec::new();
    for dir in [
        "policies",
        "examples",
        "tests/corpus",
        "fuzz/seeds/policy_load",
    ] {
        files(&root().join(dir), "yaml", &mut paths);
    }
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        for doc in text.split("\n---") {
            if let Ok(v) = yaml_serde::from_str::<Json>(doc) {
                collect(&v, &mut out);
            }
        }
    }
    // The first line of each seed of the CEL fuzz target is an expression.
    let mut seeds = Vec::new();
    files(
        &root().join("fuzz/seeds/cel_differential"),
        "txt",
        &mut seeds,
    );
    for p in seeds {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        out.push(text.lines().next().unwrap_or_default().to_string());
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_expression_of_the_repository_parses_as_the_cel_parser_parses_it() {
    let mut t = Tally::default();
    let exprs = repo_expressions();
    for e in &exprs {
        t.run(e);
    }
    t.assert_agreed();
    assert_eq!(t.left, 0, "{t:?}");
    // Every expression of the repository is CEL the `cel` parser accepts.
    assert!(
        t.both_parsed > 150,
        "only {} expressions compared: {t:?}",
        t.both_parsed
    );
    eprintln!("repository: {} expressions, {t:?}", exprs.len());
}

#[test]
fn every_inline_code_span_of_the_docs_is_refused_or_parsed_alike() {
    let mut docs = Vec::new();
    files(&root().join("docs"), "md", &mut docs);
    files(&root(), "md", &mut docs);
    docs.sort();
    docs.dedup();
    let mut t = Tally::default();
    for p in docs {
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for (i, span) in text.split('`').enumerate() {
            if i % 2 == 1 && span.len() < 400 {
                t.run(span);
            }
        }
    }
    t.assert_agreed();
    assert!(t.both_parsed > 100 && t.both_refused > 50, "{t:?}");
    eprintln!("docs: {t:?}");
}

#[test]
fn the_grammar_parses_as_the_cel_parser_parses_it() {
    let mut t = Tally::default();
    for e in HAND {
        t.run(e);
    }
    t.assert_agreed();
    // Only a source with a NUL is left to the `cel` parser (see `parse`).
    let with_nul: Vec<_> = HAND.iter().filter(|e| e.contains('\0')).collect();
    assert!(with_nul.iter().all(|e| super::parse(e).is_none()));
    assert_eq!(t.left, with_nul.len(), "{t:?}");
    eprintln!("hand-written: {t:?}");
}

/// Deep sources in a thread of its own: the `cel` parser (an ANTLR
/// parser) needs a deep stack for them in a debug build.
#[test]
fn past_its_limits_our_parser_leaves_the_source_to_the_cel_parser() {
    let run = || {
        let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
        assert!(super::parse(&nested(85)).is_none());
        assert_eq!(agree(&nested(85)), Ok(Outcome::LeftToCel));
        assert_eq!(agree(&nested(120)), Ok(Outcome::BothRefused));
        assert_eq!(agree(&nested(40)), Ok(Outcome::BothParsed));
        let long = vec!["a"; 1500].join(" + ");
        assert_eq!(agree(&long), Ok(Outcome::LeftToCel));
    };
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

// Generated sources.

fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("x".to_string()),
        Just("_y1".to_string()),
        Just("release".to_string()),
        Just("in_".to_string()),
        Just("trueish".to_string()),
        Just("if".to_string()),
    ]
}

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        any::<u64>().prop_map(|u| format!("{u}u")),
        any::<u32>().prop_map(|u| format!("0x{u:x}")),
        any::<u32>().prop_map(|u| format!("0x{u:X}U")),
        any::<f64>().prop_map(|d| format!("{d:?}")),
        (0u32..1000, 0u32..100).prop_map(|(a, b)| format!("{a}.{b}e-{b}")),
        (0u32..1000).prop_map(|a| format!(".{a}")),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("null".to_string()),
        string_literal(),
        string_literal().prop_map(|s| format!("b{s}")),
        string_literal().prop_map(|s| format!("B{s}")),
    ]
}

fn string_literal() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("a".to_string()),
        Just(" ".to_string()),
        Just("é✌".to_string()),
        Just("\\n".to_string()),
        Just("\\a\\b\\f\\r\\t\\v\\\\\\?\\`".to_string()),
        Just("\\'\\\"".to_string()),
        Just("\\x41\\X7f\\xff".to_string()),
        Just("\\101\\377\\000".to_string()),
        Just("\\u00e9\\U0001F431".to_string()),
        Just("\\ud800".to_string()),
        Just("\\U00110000".to_string()),
        Just("\\q".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\\".to_string()),
    ];
    (
        prop::collection::vec(piece, 0..5),
        prop_oneof![Just(""), Just("r"), Just("R")],
        prop_oneof![Just("'"), Just("\""), Just("'''"), Just("\"\"\"")],
    )
        .prop_map(|(pieces, raw, q)| format!("{raw}{q}{}{q}", pieces.concat()))
}

fn space() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        4 => Just(""),
        4 => Just(" "),
        1 => Just("\n"),
        1 => Just("\t"),
        1 => Just(" // a comment\n"),
        1 => Just("\u{c}"),
    ]
}

fn well_formed() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![ident(), literal()];
    leaf.prop_recursive(4, 48, 4, |e| {
        let op = prop_oneof![
            Just("||"),
            Just("&&"),
            Just("=="),
            Just("!="),
            Just("<"),
            Just("<="),
            Just(">"),
            Just(">="),
            Just("in"),
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("%"),
        ];
        prop_oneof![
            (e.clone(), op, e.clone(), space())
                .prop_map(|(a, op, b, s)| format!("{a}{s} {op} {s}{b}")),
            (e.clone(), e.clone(), e.clone()).prop_map(|(a, b, c)| format!("{a} ? {b} : {c}")),
            (
                prop_oneof![Just("!"), Just("-"), Just("--"), Just("!!!"), Just("- ")],
                e.clone()
            )
                .prop_map(|(u, a)| format!("{u}{a}")),
            e.clone().prop_map(|a| format!("({a})")),
            (e.clone(), ident()).prop_map(|(a, f)| format!("({a}).{f}")),
            (e.clone(), ident()).prop_map(|(a, f)| format!("{a}.{f}")),
            e.clone().prop_map(|a| format!("({a}).`b-c/d e.f`")),
            (e.clone(), e.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            (ident(), prop::collection::vec(e.clone(), 0..3))
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            (e.clone(), ident(), prop::collection::vec(e.clone(), 0..3))
                .prop_map(|(t, f, args)| format!("({t}).{f}({})", args.join(","))),
            (prop::collection::vec(e.clone(), 0..4), any::<bool>()).prop_map(
                |(items, comma)| format!("[{}{}]", items.join(", "), if comma { "," } else { "" })
            ),
            (
                prop::collection::vec((e.clone(), e.clone()), 0..3),
                any::<bool>()
            )
                .prop_map(|(items, comma)| {
                    let items: Vec<String> =
                        items.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}{}}}", items.join(", "), if comma { "," } else { "" })
                }),
            (prop::collection::vec(e.clone(), 0..3), any::<bool>()).prop_map(|(vs, dot)| {
                let fields: Vec<String> = vs
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("f{i}: {v}"))
                    .collect();
                format!("{}a.B{{{}}}", if dot { "." } else { "" }, fields.join(", "))
            }),
            (
                e.clone(),
                prop_oneof![
                    Just("all"),
                    Just("exists"),
                    Just("exists_one"),
                    Just("existsOne"),
                    Just("map"),
                    Just("filter"),
                    Just("transformList"),
                    Just("transformMap")
                ],
                e.clone(),
                0usize..3,
            )
                .prop_map(|(r, m, body, vars)| {
                    let vars = ["x", "y", "z"]
                        .get(..vars + 1)
                        .unwrap_or_default()
                        .join(", ");
                    format!("({r}).{m}({vars}, {body})")
                }),
            e.clone().prop_map(|a| format!("has({a})")),
            e.clone().prop_map(|a| format!("has(({a}).f)")),
            e.clone().prop_map(|a| format!("inWindow({a})")),
            Just("frozen()".to_string()),
            e.prop_map(|a| format!(".x.y + {a}")),
        ]
    })
}

fn token_soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        ident(),
        literal(),
        prop_oneof![
            Just("("),
            Just(")"),
            Just("["),
            Just("]"),
            Just("{"),
            Just("}"),
            Just("."),
            Just(","),
            Just(":"),
            Just("?"),
            Just("!"),
            Just("-"),
            Just("+"),
            Just("*"),
            Just("/"),
            Just("%"),
            Just("<"),
            Just(">"),
            Just("="),
            Just("=="),
            Just("&&"),
            Just("||"),
            Just("&"),
            Just("|"),
            Just("in"),
            Just("`"),
            Just("`a b`"),
            Just("'"),
            Just("\""),
            Just("\\"),
            Just("r"),
            Just("b"),
            Just("0x"),
            Just("e5"),
            Just("u"),
            Just("has"),
            Just("'''"),
            Just("\"\"\""),
            Just("1"),
            Just("0"),
            Just("\\x4"),
            Just("\\u00"),
            Just("\\n"),
            Just("E"),
            Just("U"),
            Just("?."),
            Just("[?"),
            Just("map"),
            Just("exists"),
            Just("@"),
            Just("#"),
            Just("é"),
        ]
        .prop_map(str::to_string),
    ];
    prop::collection::vec((token, space()), 0..12)
        .prop_map(|ts| ts.into_iter().map(|(t, s)| format!("{t}{s}")).collect())
}

proptest! {
    // `PROPTEST_CASES` raises the count for a longer run.
    #![proptest_config(ProptestConfig {
        cases: ProptestConfig::default().cases.max(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_expressions_parse_as_the_cel_parser_parses_them(src in well_formed()) {
        prop_assert_eq!(agree(&src).map(|_| ()), Ok(()));
    }

    #[test]
    fn token_soup_is_refused_or_parsed_alike(src in token_soup()) {
        prop_assert_eq!(agree(&src).map(|_| ()), Ok(()));
    }
}

/// The seeds of the `cel_parse` fuzz target, through the call it makes.
#[test]
fn the_fuzz_seeds_parse_alike() {
    let mut seeds = Vec::new();
    files(&root().join("fuzz/seeds/cel_parse"), "txt", &mut seeds);
    assert!(seeds.len() >= 4, "{seeds:?}");
    for p in seeds {
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(
            crate::expr::differential::parsers_agree(&text).map(|_| ()),
            Ok(())
        );
    }
}
