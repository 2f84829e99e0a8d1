//! The compiled evaluator against the reference interpreter (the `cel`
//! crate's): every expression of the standard pack and of the examples,
//! each after its policy's variables, over the facts of every policy-test
//! case and example; every inline expression of the CEL docs; and a
//! proptest generator of well-typed expressions over generated facts. Both
//! must give the same value or an error of the same class; the departures
//! of the reference from the CEL specification are skipped by name
//! (`differential::known_departure`, documented in docs/cel-functions.md).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use release_policy::unstable::differential::{Agreement, Input, compare};
use release_policy::unstable::merge_patch;
use release_policy::{Facts, Limits, RolloutFacts};
use serde_json::{Value as Json, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

fn read_yaml(p: &Path) -> Json {
    let text = std::fs::read_to_string(p).unwrap();
    yaml_serde::from_str(&text).unwrap_or(Json::Null)
}

/// A policy's variables and the expressions of its rules.
struct Exprs {
    input: Input,
    variables: Vec<(String, String)>,
    exprs: Vec<String>,
}

/// Every string under a key that holds CEL.
fn collect(v: &Json, out: &mut Vec<String>) {
    match v {
        Json::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    (
                        "expression" | "when" | "appliesTo" | "condition" | "messageExpression",
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

fn policies() -> Vec<Exprs> {
    let mut files = Vec::new();
    yaml_files(&root().join("policies"), &mut files);
    yaml_files(&root().join("examples"), &mut files);
    let mut out = Vec::new();
    for f in files {
        let doc = read_yaml(&f);
        let input = match doc.get("kind").and_then(Json::as_str) {
            Some("Policy") => Input::Release,
            Some("RolloutPolicy") => Input::Rollout,
            _ => continue,
        };
        let spec = doc.get("spec").cloned().unwrap_or(Json::Null);
        let variables = spec
            .get("variables")
            .and_then(Json::as_array)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| {
                        Some((
                            v.get("name")?.as_str()?.to_string(),
                            v.get("expression")?.as_str()?.to_string(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut exprs = Vec::new();
        let mut rest = spec.clone();
        if let Some(m) = rest.as_object_mut() {
            m.remove("variables");
        }
        collect(&rest, &mut exprs);
        if let Some(Json::String(a)) = spec.get("appliesTo") {
            exprs.push(a.clone());
        }
        out.push(Exprs {
            input,
            variables,
            exprs,
        });
    }
    out
}

/// The facts of every policy-test case and example, as the evaluator
/// reads them (typed, normalised).
fn facts() -> (Vec<Json>, Vec<Json>) {
    let limits = Limits::default();
    let (mut release, mut rollout) = (Vec::new(), Vec::new());
    let mut add = |j: Json| {
        if let Ok(f) = Facts::from_json_value(j.clone(), &limits) {
            release.push(f.to_json_value());
        } else if let Ok(f) = RolloutFacts::from_json_value(j, &limits) {
            rollout.push(f.to_json_value());
        }
    };
    let mut files = Vec::new();
    yaml_files(&root().join("policies"), &mut files);
    yaml_files(&root().join("examples"), &mut files);
    for f in &files {
        let doc = read_yaml(f);
        if doc.get("kind").and_then(Json::as_str) == Some("PolicyTest") {
            let spec = doc.get("spec").cloned().unwrap_or(Json::Null);
            let base = spec
                .get("base")
                .and_then(Json::as_str)
                .map(|b| read_yaml(&f.parent().unwrap().join(b)))
                .unwrap_or(Json::Null);
            for case in spec
                .get("cases")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(facts) = case.get("facts") {
                    add(facts.clone());
                } else {
                    let mut j = base.clone();
                    merge_patch(&mut j, case.get("patch").unwrap_or(&Json::Null));
                    add(j);
                }
            }
        } else if doc.get("kind").is_none() && doc.is_object() {
            add(doc);
        }
    }
    (release, rollout)
}

#[derive(Default)]
struct Tally {
    same: usize,
    skipped: usize,
    why: std::collections::BTreeMap<String, usize>,
    disagreements: Vec<String>,
}

impl Tally {
    fn record(&mut self, what: &str, r: Result<Agreement, String>) {
        match r {
            Ok(Agreement::Same(_)) => self.same += 1,
            Ok(Agreement::Skipped(why)) => {
                self.skipped += 1;
                if std::env::var("DIFF_DEBUG").is_ok() {
                    eprintln!("skipped {what}: {why}");
                }
                *self.why.entry(why).or_default() += 1;
            }
            Err(d) => {
                if self.disagreements.len() < 40 {
                    self.disagreements.push(format!("{what}: {d}"));
                }
            }
        }
    }
}

#[test]
fn every_pack_and_example_expression_agrees_with_the_reference() {
    let (release, rollout) = facts();
    assert!(release.len() > 100, "{} release facts", release.len());
    assert!(!rollout.is_empty());
    let mut t = Tally::default();
    for p in policies() {
        let all = match p.input {
            Input::Release => &release,
            Input::Rollout => &rollout,
        };
        // Every facts set for the pack's expressions would be slow in a
        // debug build; every eighth one still covers each test file.
        for facts in all.iter().step_by(8) {
            for (i, (name, _)) in p.variables.iter().enumerate() {
                t.record(
                    &format!("variables.{name}"),
                    compare(
                        p.variables.get(..=i).unwrap_or(&[]),
                        &format!("variables.{name}"),
                        p.input,
                        facts,
                    ),
                );
            }
            for e in &p.exprs {
                t.record(e, compare(&p.variables, e, p.input, facts));
            }
        }
    }
    assert!(t.disagreements.is_empty(), "{:#?}", t.disagreements);
    assert!(t.same > 4_000, "only {} comparisons agreed", t.same);
    assert!(
        t.skipped * 10 < t.same,
        "{} skipped of {}: {:?}",
        t.skipped,
        t.same,
        t.why
    );
}

/// Inline code of the CEL function reference that is an expression.
#[test]
fn every_documented_expression_agrees_with_the_reference() {
    let text = std::fs::read_to_string(root().join("docs/cel-functions.md")).unwrap();
    let base = read_yaml(&root().join("policies/testdata/base.yaml"));
    let facts = Facts::from_json_value(base, &Limits::default())
        .unwrap()
        .to_json_value();
    let mut t = Tally::default();
    for (i, span) in text.split('`').enumerate() {
        if i % 2 == 1 && !span.contains('\n') {
            t.record(span, compare(&[], span, Input::Release, &facts));
        }
    }
    assert!(t.disagreements.is_empty(), "{:#?}", t.disagreements);
    assert!(
        t.same > 40,
        "only {} documented expressions compared",
        t.same
    );
}

// Generated expressions: integers, strings, booleans and lists over
// generated facts (the parts of the release facts they read).

fn int_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (-20i64..20).prop_map(|i| i.to_string()),
        Just("service.tier".to_string()),
        Just("size(ci.suites)".to_string()),
        Just("size(release.id)".to_string()),
        Just("size(labels)".to_string()),
        Just("9223372036854775807".to_string()),
    ];
    leaf.prop_recursive(3, 16, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                inner.clone(),
                prop_oneof![Just("+"), Just("-"), Just("*"), Just("/"), Just("%")]
            )
                .prop_map(|(a, b, op)| format!("({a} {op} {b})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a} > {b} ? {a} : {b})")),
        ]
    })
}

fn str_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        "[a-c ]{0,4}".prop_map(|s| format!("'{s}'")),
        Just("release.id".to_string()),
        Just("release.environment".to_string()),
        Just("release.author".to_string()),
    ];
    leaf.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            inner.clone().prop_map(|a| format!("{a}.lowerAscii()")),
            inner.clone().prop_map(|a| format!("{a}.trim()")),
            (inner.clone(), 0i64..4).prop_map(|(a, i)| format!("{a}.substring({i})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("{a}.replace({b}, 'x')")),
        ]
    })
}

fn bool_expr() -> impl Strategy<Value = String> {
    let cmp = prop_oneof![
        Just("=="),
        Just("!="),
        Just("<"),
        Just("<="),
        Just(">"),
        Just(">=")
    ];
    let leaf = prop_oneof![
        (int_expr(), int_expr(), cmp.clone()).prop_map(|(a, b, op)| format!("{a} {op} {b}")),
        (str_expr(), str_expr(), cmp).prop_map(|(a, b, op)| format!("{a} {op} {b}")),
        (str_expr(), str_expr()).prop_map(|(a, b)| format!("{a}.startsWith({b})")),
        (str_expr(), str_expr()).prop_map(|(a, b)| format!("{a}.contains({b})")),
        str_expr().prop_map(|a| format!("{a} in labels")),
        str_expr().prop_map(|a| format!("{a} in ci.suites.map(s, s.name)")),
        Just("ci.suites.all(s, s.status == 'passed')".to_string()),
        Just("ci.suites.exists(s, s.required && s.failed > 0)".to_string()),
        Just("ci.suites.exists_one(s, s.name == 'unit')".to_string()),
        Just("labels.all(k, labels[k] != '')".to_string()),
        Just("labels.filter(k, k.startsWith('a')).size() < 3".to_string()),
        Just("has(service.owner)".to_string()),
        Just("release.missing == 1".to_string()),
        Just("now - duration('1h') < now".to_string()),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} && {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} || {b})")),
            inner.prop_map(|a| format!("!({a})")),
        ]
    })
}

fn generated_facts() -> impl Strategy<Value = Json> {
    let suite = ("[a-c]{1,3}", any::<bool>(), prop_oneof![Just("passed"), Just("failed"), Just("skipped")], 0u32..5)
        .prop_map(|(name, required, status, failed)| {
            json!({"name": name, "required": required, "status": status, "passed": 10, "failed": failed})
        });
    (
        proptest::collection::vec(suite, 0..4),
        proptest::collection::btree_map("[a-c]{1,2}", "[a-c]{0,2}", 0..4),
        1u32..5,
        "[a-c ]{0,5}",
    )
        .prop_map(|(suites, labels, tier, id)| {
            let mut j = read_yaml(&root().join("policies/testdata/base.yaml"));
            merge_patch(
                &mut j,
                &json!({"ci": {"suites": suites}, "labels": labels, "service": {"tier": tier}, "release": {"id": id}}),
            );
            j
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn generated_expressions_agree_with_the_reference(e in bool_expr(), facts in generated_facts()) {
        let Ok(facts) = Facts::from_json_value(facts, &Limits::default()) else {
            return Ok(());
        };
        let r = compare(&[], &e, Input::Release, &facts.to_json_value());
        prop_assert!(r.is_ok(), "{e}: {r:?}");
    }
}

/// Lists built by a literal, `filter` and `map` on either side of the size
/// kept inline while they are built (eight items), item by item the same
/// as the reference's.
#[test]
fn built_lists_of_any_length_agree_with_the_reference() {
    let base = read_yaml(&root().join("policies/testdata/base.yaml"));
    let facts = Facts::from_json_value(base, &Limits::default())
        .unwrap()
        .to_json_value();
    let mut t = Tally::default();
    for n in [0usize, 1, 7, 8, 9, 16, 17, 40] {
        // Items read from the facts, so the literal is not folded.
        let items: Vec<String> = (0..n).map(|i| format!("size(release.id) + {i}")).collect();
        let list = format!("[{}]", items.join(", "));
        for e in [
            list.clone(),
            format!("{list}.filter(x, x % 3 != 1)"),
            format!("{list}.map(x, x * 2)"),
            format!("{list}.map(x, x % 2 == 0, string(x))"),
            format!("{list}.filter(x, true).map(x, [x, x + 1]).filter(l, l[0] % 2 == 1)"),
        ] {
            t.record(&e, compare(&[], &e, Input::Release, &facts));
        }
    }
    assert!(t.disagreements.is_empty(), "{:#?}", t.disagreements);
    assert_eq!(t.same, 40, "skipped: {:?}", t.why);
}
