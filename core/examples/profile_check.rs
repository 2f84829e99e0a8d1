//! Runs `check` of the built-in pack on the no-go example in a loop, for
//! profilers (`valgrind --tool=callgrind`, `perf record`).
//!
//! `profile_check [N] [fixed|verdict]`: with `fixed`, the bundle is one
//! policy whose one gate is `true` instead of the pack — the fixed cost of a
//! decision; with `verdict`, the pack's verdict alone (`Bundle::verdict`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

const ONE_TRUE_GATE: &str = "apiVersion: release-policy/v1\nkind: Policy\n\
    metadata: {name: trivial, version: 1.0.0}\n\
    spec:\n  gates:\n    - {id: always, expression: 'true', message: never}\n";

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mode = args.next();
    let fixed = mode.as_deref() == Some("fixed");
    let alone = mode.as_deref() == Some("verdict");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/releases/checkout-2.4.0.yaml"
    ))
    .unwrap();
    let facts = release_policy::Facts::parse(&text).unwrap();
    let bundle = if fixed {
        release_policy::Bundle::from_yaml_str("trivial.yaml", ONE_TRUE_GATE).unwrap()
    } else {
        release_policy::Bundle::builtin()
    };
    let start = std::time::Instant::now();
    let mut verdicts = 0;
    for _ in 0..n {
        if alone {
            verdicts +=
                usize::from(bundle.verdict(&facts).unwrap() == release_policy::Verdict::NoGo);
        } else {
            let d = bundle.check(&facts).unwrap();
            verdicts += d.findings().len();
        }
    }
    let per = start.elapsed() / n as u32;
    println!("{n} checks, {per:?} each ({verdicts} findings)");
}
