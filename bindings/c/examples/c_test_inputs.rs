//! Writes the inputs of the C tests, which cannot read YAML, into a
//! directory: every case of the conformance corpus (`tests/corpus/`) as
//! `corpus/NAME.facts.json` (+ `NAME.policies.yaml` for inline policies)
//! with a manifest `corpus/cases.tsv` (its last column the catalog
//! directory, or `-`), each example release
//! (`examples/releases/*.yaml`) as `releases/NAME.json`, the plan
//! corpus (`tests/corpus/plan/`) as a manifest `plan/cases.tsv`, and the
//! review corpus (`tests/corpus/review/`) as a manifest
//! `review/cases.tsv` with each review's options as
//! `review/NAME.options.json` (the JSON `rp_bundle_review` takes).
//!
//! `cargo run -p release-policy-c --example c_test_inputs -- OUTDIR`
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One corpus case, as far as the C tests need it.
#[derive(serde::Deserialize)]
struct Case {
    name: String,
    /// What to run: absent is `check`; the C test refuses a command it
    /// does not know.
    command: Option<String>,
    policies: String,
    /// A catalog directory relative to the repository root (`check` with
    /// a catalog).
    catalog: Option<String>,
    facts: serde_json::Value,
}

/// One case of the plan corpus: a catalog directory and a release-plan
/// file, both relative to the repository root.
#[derive(serde::Deserialize)]
struct PlanCase {
    name: String,
    catalog: String,
    plan: String,
    expect: PlanExpect,
}

#[derive(serde::Deserialize)]
struct PlanExpect {
    verdict: String,
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read `{}`: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: c_test_inputs OUTDIR"),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let corpus_out = out.join("corpus");
    let releases_out = out.join("releases");
    std::fs::create_dir_all(&corpus_out).expect("create OUTDIR/corpus");
    std::fs::create_dir_all(&releases_out).expect("create OUTDIR/releases");

    let mut manifest = String::new();
    for file in yaml_files(&root.join("tests/corpus")) {
        let text = std::fs::read_to_string(&file).expect("read corpus case");
        let case: Case =
            yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("`{}`: {e}", file.display()));
        let command = case.command.as_deref().unwrap_or("check");
        let facts = corpus_out.join(format!("{}.facts.json", case.name));
        std::fs::write(
            &facts,
            serde_json::to_string(&case.facts).expect("facts JSON"),
        )
        .expect("write facts");
        let policies = if case.policies == "builtin" {
            "builtin".to_string()
        } else {
            let p = corpus_out.join(format!("{}.policies.yaml", case.name));
            std::fs::write(&p, &case.policies).expect("write policies");
            p.display().to_string()
        };
        let golden = file.with_extension("decision.json");
        let catalog = case
            .catalog
            .as_ref()
            .map_or_else(|| "-".to_string(), |c| root.join(c).display().to_string());
        writeln!(
            manifest,
            "{command}\t{}\t{policies}\t{}\t{}\t{catalog}",
            case.name,
            facts.display(),
            golden.display()
        )
        .expect("write to a string");
    }
    std::fs::write(corpus_out.join("cases.tsv"), manifest).expect("write manifest");

    // The example releases as JSON: parsed as typed facts, so the JSON
    // means exactly what the YAML means.
    for file in yaml_files(&root.join("examples/releases")) {
        let text = std::fs::read_to_string(&file).expect("read example");
        let facts = release_policy_core::Facts::parse(&text)
            .unwrap_or_else(|e| panic!("`{}`: {e}", file.display()));
        let name = file
            .file_stem()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        std::fs::write(
            releases_out.join(format!("{name}.json")),
            serde_json::to_string_pretty(&facts.to_json_value()).expect("facts JSON"),
        )
        .expect("write example JSON");
    }

    // The plan corpus: paths made absolute, so the C test needs no YAML.
    let plan_out = out.join("plan");
    std::fs::create_dir_all(&plan_out).expect("create OUTDIR/plan");
    let mut manifest = String::new();
    for file in yaml_files(&root.join("tests/corpus/plan")) {
        let text = std::fs::read_to_string(&file).expect("read plan case");
        let case: PlanCase =
            yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("`{}`: {e}", file.display()));
        writeln!(
            manifest,
            "{}\t{}\t{}\t{}\t{}",
            case.name,
            root.join(&case.catalog).display(),
            root.join(&case.plan).display(),
            case.expect.verdict,
            file.with_extension("plan.json").display()
        )
        .expect("write to a string");
    }
    std::fs::write(plan_out.join("cases.tsv"), manifest).expect("write plan manifest");

    // The review corpus: a line per case, paths made absolute.
    //   review  NAME RECORDS OPTIONS.json VERDICT GOLDEN
    //   release NAME RECORDS RELEASE NOW OUTCOME GOLDEN
    // The options are the case's own keys (`decisions` made absolute), so
    // the C test translates nothing; a key this does not know stops it.
    let review_out = out.join("review");
    std::fs::create_dir_all(&review_out).expect("create OUTDIR/review");
    let mut manifest = String::new();
    for file in yaml_files(&root.join("tests/corpus/review")) {
        let text = std::fs::read_to_string(&file).expect("read review case");
        let case: serde_json::Map<String, serde_json::Value> =
            yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("`{}`: {e}", file.display()));
        let text = |key: &str| {
            case.get(key)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_else(|| panic!("`{}`: no `{key}`", file.display()))
        };
        let name = text("name");
        let records = root.join(text("records"));
        let golden = file.with_extension("review.json");
        let expect = |key: &str| {
            case.get("expect")
                .and_then(|e| e.get(key))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_else(|| panic!("`{}`: no `expect.{key}`", file.display()))
        };
        if case.contains_key("release") {
            for key in case.keys() {
                assert!(
                    ["name", "records", "release", "now", "expect"].contains(&key.as_str()),
                    "`{}`: `{key}` in a `release` case",
                    file.display()
                );
            }
            writeln!(
                manifest,
                "release\t{name}\t{}\t{}\t{}\t{}\t{}",
                records.display(),
                text("release"),
                text("now"),
                expect("outcome"),
                golden.display()
            )
            .expect("write to a string");
            continue;
        }
        let mut options = serde_json::Map::new();
        for (key, value) in &case {
            match key.as_str() {
                "name" | "records" | "expect" => {}
                "from" | "to" | "service" | "team" | "environment" => {
                    options.insert(key.clone(), value.clone());
                }
                "decisions" => {
                    let path = root.join(text("decisions")).display().to_string();
                    options.insert(key.clone(), path.into());
                }
                other => panic!("`{}`: unknown review case key `{other}`", file.display()),
            }
        }
        let options_file = review_out.join(format!("{name}.options.json"));
        std::fs::write(
            &options_file,
            serde_json::to_string(&options).expect("options JSON"),
        )
        .expect("write options");
        writeln!(
            manifest,
            "review\t{name}\t{}\t{}\t{}\t{}",
            records.display(),
            options_file.display(),
            expect("verdict"),
            golden.display()
        )
        .expect("write to a string");
    }
    std::fs::write(review_out.join("cases.tsv"), manifest).expect("write review manifest");
}
