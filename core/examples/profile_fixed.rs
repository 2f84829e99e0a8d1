//! Runs `check` of a bundle of one `true` gate on the no-go example in a
//! loop: the fixed cost of a decision, for profilers
//! (`valgrind --tool=callgrind`, `perf record`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

const ONE_TRUE_GATE: &str = "apiVersion: release-policy/v1\nkind: Policy\n\
    metadata: {name: trivial, version: 1.0.0}\n\
    spec:\n  gates:\n    - {id: always, expression: 'true', message: never}\n";

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/releases/checkout-2.4.0.yaml"
    ))
    .unwrap();
    let facts = release_policy::Facts::parse(&text).unwrap();
    let bundle = release_policy::Bundle::from_yaml_str("trivial.yaml", ONE_TRUE_GATE).unwrap();
    let start = std::time::Instant::now();
    let mut verdicts = 0;
    for _ in 0..n {
        let d = bundle.check(&facts).unwrap();
        verdicts += d.findings().len();
    }
    let per = start.elapsed() / n as u32;
    println!("{n} checks, {per:?} each ({verdicts} findings)");
}
