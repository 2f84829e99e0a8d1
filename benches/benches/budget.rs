//! `cargo bench -p release-policy-benches --bench budget`
//!
//! `worst/<probe>`: the worst decisions we know how to write within the
//! default limits (`src/worst.rs`: issue 12's probes, which ran for seconds
//! to hours or took gigabytes before the evaluation budget, and a facts
//! document near the facts limits under the built-in pack), each one
//! `check` from the parsed facts. Every decision within the default limits
//! must end within 100 ms and 256 MB; the `worst_case` example measures the
//! peak memory beside the time, one process a probe.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use release_policy_benches::worst::{NAMES, probe};

fn worst(c: &mut Criterion) {
    let mut g = c.benchmark_group("worst");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    for name in NAMES {
        let p = probe(name).expect("the probe builds");
        g.bench_function(name, |b| {
            b.iter(|| black_box(p.bundle.check(black_box(&p.facts))))
        });
    }
    g.finish();
}

criterion_group!(benches, worst);
criterion_main!(benches);
