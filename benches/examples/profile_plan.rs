//! `plan` over the benchmark's generated catalog, `N` times, for a
//! profiler: `valgrind --tool=callgrind target/release/examples/profile_plan 1`.

use release_policy::plan::{Catalog, ReleasePlan};
use release_policy::{Bundle, Limits};
use release_policy_benches::catalog::{catalog, release_plan};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let limits = Limits::default();
    let (text, _) = catalog(10_000, 50_000);
    let cat = Catalog::from_sources(vec![("catalog.yaml".into(), text)], &limits).expect("catalog");
    let intended =
        ReleasePlan::from_yaml_str("plan.yaml", &release_plan(10_000, 500), &limits).expect("plan");
    let bundle = Bundle::builtin();
    let start = std::time::Instant::now();
    let mut verdict = None;
    for _ in 0..n {
        verdict = Some(bundle.plan(&cat, &intended).expect("plan").verdict);
    }
    println!("{:?}: {:?} per plan", verdict, start.elapsed() / n as u32);
}
