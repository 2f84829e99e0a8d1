//! Loading the benchmark's generated catalog of `N` services (default
//! 2,000), for a profiler.

use release_policy::Limits;
use release_policy::plan::Catalog;
use release_policy_benches::catalog::catalog;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let (text, _) = catalog(n, n * 5);
    let start = std::time::Instant::now();
    let cat = Catalog::from_sources(vec![("catalog.yaml".into(), text)], &Limits::default())
        .expect("catalog");
    println!(
        "{} services, {} dependencies: {:?}",
        cat.service_count(),
        cat.dependency_count(),
        start.elapsed()
    );
}
