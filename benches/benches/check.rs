//! `cargo bench -p release-policy-benches`
//!
//! - `load/builtin`: `Bundle::builtin()` (parse, layer, check, compile the
//!   built-in pack);
//! - `check/<facts>/…`: one decision on the no-go example
//!   (`examples/releases/checkout-2.4.0.yaml`) and on the go base facts of
//!   the policy tests, by release-policy and by regorus evaluating the same
//!   logic written in Rego (`rego/release.rego`; `tests/agreement.rs` checks
//!   that both decide the same). Each engine gets the facts already parsed
//!   (a `Facts`, a `regorus::Value`), and again as JSON text to parse;
//!   release-policy also from the YAML text;
//! - `steps/…`: parts of a release-policy decision, to see where time goes.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use release_policy::{Bundle, Facts};
use release_policy_benches::{base_path, example_path, rego_engine, rego_eval};

fn load(c: &mut Criterion) {
    c.bench_function("load/builtin", |b| b.iter(|| black_box(Bundle::builtin())));
}

fn check_one(c: &mut Criterion, name: &str, path: &Path) {
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
    g.finish();
}

fn check(c: &mut Criterion) {
    check_one(c, "checkout-2.4.0", &example_path());
    check_one(c, "base", &base_path());
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
    g.bench_function("facts-digest-input", |b| {
        b.iter(|| black_box(serde_json::to_vec(&black_box(&facts).to_json_value())))
    });
    g.bench_function("decision-to-json", |b| {
        b.iter(|| black_box(decision.to_json()))
    });
    g.finish();
}

criterion_group!(benches, load, check, steps);
criterion_main!(benches);
