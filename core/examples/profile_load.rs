//! Compiles the built-in pack in a loop (uncached), for profilers.
#![allow(clippy::unwrap_used)]

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let start = std::time::Instant::now();
    for _ in 0..n {
        let b = release_policy::Bundle::builder()
            .builtin_layer()
            .build()
            .unwrap();
        assert!(!b.rules().is_empty());
    }
    println!("{n} loads, {:?} each", start.elapsed() / n);
}
