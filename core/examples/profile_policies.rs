//! What each policy of the built-in pack costs on its own: every policy
//! file under `policies/` loaded as a bundle by itself and `check`ed on the
//! no-go example `N` times (default 3000); prints the mean time of a
//! decision per policy, most expensive first. Each figure includes the fixed
//! cost of a decision (validation, digest, the decision itself).
//! `cargo run --release -p release-policy --example profile_policies [N]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("examples/releases/checkout-2.4.0.yaml")).unwrap();
    let facts = release_policy::Facts::parse(&text).unwrap();
    let mut rows = Vec::new();
    for path in files(&root.join("policies")) {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        if !name.ends_with(".yaml") || name.ends_with(".test.yaml") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        // A policy that is not a release policy (a rollout or review
        // policy) cannot decide a `check`: left out.
        let Ok(bundle) = release_policy::Bundle::from_yaml_str(&name, &source) else {
            continue;
        };
        if bundle.check(&facts).is_err() {
            continue;
        }
        let start = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(bundle.check(&facts).unwrap());
        }
        rows.push((start.elapsed() / n, name));
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    for (per, name) in &rows {
        println!("{:>9.2} µs  {name}", per.as_secs_f64() * 1e6);
    }
}

/// Every file under `dir`, in path order.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}
