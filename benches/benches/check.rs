//! `cargo bench -p release-policy-benches`
//!
//! - `load/builtin`: building the built-in pack uncached (parse, layer, check, compile the
//!   built-in pack);
//! - `check/<facts>/…`: one decision on the no-go example
//!   (`examples/releases/checkout-2.4.0.yaml`) and on the go base facts of
//!   the policy tests, by release-policy and by regorus evaluating the same
//!   logic written in Rego (`rego/release.rego`; `tests/agreement.rs` checks
//!   that both decide the same). Each engine gets the facts already parsed
//!   (a `Facts`, a `regorus::Value`), and again as JSON text to parse;
//!   release-policy also from the YAML text; and beside them the same pack
//!   written by hand in plain Rust over the typed facts
//!   (`src/handwritten.rs`; `tests/handwritten_agreement.rs` checks it
//!   decides the same), from the parsed facts and from the JSON text;
//! - `check/<facts>/release-policy/verdict`: the verdict alone
//!   (`Bundle::verdict`: every rule evaluated, no values shown, no digest),
//!   the like of what the hand-written pack and the Rego peer work out;
//! - `check/checkout-2.4.0/release-policy/fixed-cost`: the fixed cost of a
//!   decision, in the same group: a bundle of one policy with one gate
//!   whose expression is `true`, checked on the same facts;
//! - `steps/…`: parts of a release-policy decision, to see where time goes;
//! - `per-policy/…`: the example checked against a bundle of one policy of
//!   the pack at a time (`fixed-overhead` is a bundle of one `true` gate).

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use release_policy::{Bundle, Facts};
use release_policy_benches::handwritten;
use release_policy_benches::{base_path, example_path, rego_engine, rego_eval, workspace_root};

/// A bundle of one policy with one gate whose expression is `true`: what a
/// decision costs whatever the policies ask.
const ONE_TRUE_GATE: &str = "apiVersion: release-policy/v1\nkind: Policy\n\
    metadata: {name: trivial, version: 1.0.0}\n\
    spec:\n  gates:\n    - {id: always, expression: 'true', message: never}\n";

fn load(c: &mut Criterion) {
    // The uncached build: `Bundle::builtin()` itself is compiled once per process.
    c.bench_function("load/builtin", |b| {
        b.iter(|| black_box(Bundle::builder().builtin_layer().build()))
    });
}

fn check_one(c: &mut Criterion, name: &str, path: &Path, fixed_cost: bool) {
    let yaml = std::fs::read_to_string(path).expect("read facts");
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let facts = Facts::parse(&yaml).expect("parse facts");
    // The same facts as JSON text: what both engines parse in the `*_json`
    // variants (canonical form: defaults filled in, fields in order).
    let json = facts.to_json_value().to_string();
    let input = regorus::Value::from_json_str(&json).expect("regorus input");
    let mut engine = rego_engine().expect("rego loads");

    let mut g = c.benchmark_group(format!("check/{name}"));
    g.bench_function("release-policy/facts", |b| {
        b.iter(|| black_box(bundle.check(black_box(&facts))))
    });
    g.bench_function("regorus/value", |b| {
        b.iter(|| black_box(rego_eval(&mut engine, black_box(input.clone()))))
    });
    g.bench_function("release-policy/verdict", |b| {
        b.iter(|| black_box(bundle.verdict(black_box(&facts))))
    });
    g.bench_function("release-policy/json", |b| {
        b.iter(|| black_box(bundle.check_str(black_box(&json))))
    });
    g.bench_function("regorus/json", |b| {
        b.iter(|| {
            let input = regorus::Value::from_json_str(black_box(&json)).expect("json");
            black_box(rego_eval(&mut engine, input))
        })
    });
    g.bench_function("release-policy/yaml", |b| {
        b.iter(|| black_box(bundle.check_str(black_box(&yaml))))
    });
    g.bench_function("handwritten/facts", |b| {
        b.iter(|| black_box(handwritten::decide(black_box(&facts))))
    });
    g.bench_function("handwritten/json", |b| {
        b.iter(|| {
            let facts = Facts::parse(black_box(&json)).expect("json");
            black_box(handwritten::decide(&facts))
        })
    });
    if fixed_cost {
        let trivial = Bundle::from_yaml_str("trivial.yaml", ONE_TRUE_GATE).expect("trivial bundle");
        g.bench_function("release-policy/fixed-cost", |b| {
            b.iter(|| black_box(trivial.check(black_box(&facts))))
        });
    }
    g.finish();
}

fn check(c: &mut Criterion) {
    check_one(c, "checkout-2.4.0", &example_path(), true);
    check_one(c, "base", &base_path(), false);
}

fn steps(c: &mut Criterion) {
    let yaml = std::fs::read_to_string(example_path()).expect("read facts");
    let facts = Facts::parse(&yaml).expect("parse facts");
    let json = facts.to_json_value().to_string();
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let decision = bundle.check(&facts).expect("check");
    let mut g = c.benchmark_group("steps/checkout-2.4.0");
    g.bench_function("facts-from-yaml", |b| {
        b.iter(|| black_box(Facts::parse(black_box(&yaml))))
    });
    g.bench_function("facts-from-json", |b| {
        b.iter(|| black_box(Facts::parse(black_box(&json))))
    });
    g.bench_function("facts-to-json-value", |b| {
        b.iter(|| black_box(facts.to_json_value()))
    });
    // The facts as JSON text (what a binding writes for a caller that wants
    // them; the facts digest hashes the canonical binary encoding instead).
    g.bench_function("facts-to-json-text", |b| {
        b.iter(|| black_box(serde_json::to_vec(&black_box(&facts).to_json_value())))
    });
    g.bench_function("decision-to-json", |b| {
        b.iter(|| black_box(decision.to_json()))
    });
    g.finish();
}

fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.to_string_lossy().to_string();
        if p.is_dir() && !name.ends_with("testdata") {
            policy_files(&p, out);
        } else if name.ends_with(".yaml") && !name.ends_with(".test.yaml") {
            out.push(p);
        }
    }
}

fn per_policy(c: &mut Criterion) {
    let facts = Facts::parse(&std::fs::read_to_string(example_path()).expect("read facts"))
        .expect("parse facts");
    let mut g = c.benchmark_group("per-policy/checkout-2.4.0");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    let trivial = Bundle::from_yaml_str("trivial.yaml", ONE_TRUE_GATE).expect("trivial bundle");
    g.bench_function("fixed-overhead", |b| {
        b.iter(|| black_box(trivial.check(black_box(&facts))))
    });
    let mut files = Vec::new();
    policy_files(&workspace_root().join("policies"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read policy");
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let bundle = Bundle::from_yaml_str(&name, &text).expect("policy loads alone");
        g.bench_function(name, |b| {
            b.iter(|| black_box(bundle.check(black_box(&facts))))
        });
    }
    g.finish();
}

criterion_group!(benches, load, check, steps, per_policy);
criterion_main!(benches);
