//! `cargo bench -p release-policy-benches --bench plan`
//!
//! - `plan/10k-services`: `plan` over a generated catalog of 10,000
//!   services and about 50,000 dependencies with 500 intended releases
//!   (contracts, cycles, waves, blast radius of every release, calendars,
//!   conflicts and the proposed schedule), beside petgraph's own
//!   topological sort of the same graph (the floor: the least any plan
//!   must do).
//! - `plan/load-10k-services`: loading that catalog from YAML text
//!   (parsing, locating, cross-checks), measured apart.
//! - `plan/soft-loops-2000`: the worst case of the schedule's order —
//!   2,000 releases in 1,000 loops of soft dependencies.
//! - `plan/check-with-catalog`: `check` of one release with that catalog
//!   (the `graph` and `calendar` roots: can-i-deploy, the blast-radius
//!   walk, the calendars at `now`) under the built-in pack, for the hub
//!   `s0` (thousands of transitive dependents) and a leaf, beside the
//!   same check without a catalog.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use petgraph::graph::DiGraph;
use release_policy::plan::{Catalog, ReleasePlan};
use release_policy::{Bundle, Limits};
use release_policy_benches::catalog::{catalog, release_plan};

const SERVICES: usize = 10_000;
const EDGES: usize = 50_000;
const RELEASES: usize = 500;

fn plan(c: &mut Criterion) {
    let limits = Limits::default();
    let (text, pairs) = catalog(SERVICES, EDGES);
    let cat = Catalog::from_sources(vec![("catalog.yaml".into(), text.clone())], &limits)
        .expect("catalog");
    assert!(
        cat.dependency_count() > EDGES * 9 / 10,
        "{}",
        cat.dependency_count()
    );
    let intended =
        ReleasePlan::from_yaml_str("plan.yaml", &release_plan(SERVICES, RELEASES), &limits)
            .expect("plan");
    let bundle = Bundle::builtin();
    let mut g = c.benchmark_group("plan/10k-services");
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(20);
    g.bench_function("release-policy plan", |b| {
        b.iter(|| {
            bundle
                .plan(black_box(&cat), black_box(&intended))
                .expect("plan")
        })
    });
    let mut graph: DiGraph<(), ()> = DiGraph::new();
    let nodes: Vec<_> = (0..SERVICES).map(|_| graph.add_node(())).collect();
    for (a, b) in &pairs {
        graph.add_edge(nodes[*a], nodes[*b], ());
    }
    g.bench_function("petgraph toposort (floor)", |b| {
        b.iter(|| petgraph::algo::toposort(black_box(&graph), None).expect("acyclic"))
    });
    g.finish();

    let mut g = c.benchmark_group("plan/check-with-catalog");
    g.measurement_time(Duration::from_secs(5));
    g.sample_size(20);
    for (name, service) in [("hub s0", "s0"), ("leaf", "s9999")] {
        let facts = release_policy::Facts::parse(&format!(
            "now: 2026-12-08T10:00:00Z\nrelease: {{id: r, service: {service}, version: \"1.0.1\", environment: production, kind: standard, author: alice}}\n"
        ))
        .expect("facts");
        let d = bundle.check_with_catalog(&facts, &cat).expect("check");
        assert!(d.catalog_digest().is_some());
        g.bench_function(format!("check_with_catalog ({name})"), |b| {
            b.iter(|| {
                bundle
                    .check_with_catalog(black_box(&facts), black_box(&cat))
                    .expect("check")
            })
        });
        if service == "s0" {
            g.bench_function("check without a catalog", |b| {
                b.iter(|| bundle.check(black_box(&facts)).expect("check"))
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("plan/load-10k-services");
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(10);
    g.bench_function("Catalog::from_sources", |b| {
        b.iter(|| {
            Catalog::from_sources(
                vec![("catalog.yaml".into(), black_box(text.clone()))],
                &limits,
            )
            .expect("catalog")
        })
    });
    g.finish();
}

/// The worst case of the proposed schedule's order: 2,000 releases (the
/// default `max_plan_releases`) in one wave, in 1,000 loops of soft
/// dependencies, each pair also waiting for the pair before it — every
/// placement starts by breaking a loop.
fn soft_loops(c: &mut Criterion) {
    let limits = Limits::default();
    let n = 2_000;
    let mut text = String::new();
    for i in 0..n {
        let partner = i ^ 1;
        let mut deps = format!("    - {{service: s{partner}, kind: soft}}\n");
        if i >= 2 {
            deps.push_str(&format!(
                "    - {{service: s{}, kind: soft}}\n",
                (i & !1) - 2
            ));
        }
        text.push_str(&format!(
            "---\napiVersion: release-policy/v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec:\n  tier: 2\n  owner: t\n  environments: [production]\n  deployed: {{production: \"1.0.0\"}}\n  dependsOn:\n{deps}"
        ));
    }
    let cat = Catalog::from_sources(vec![("loops.yaml".into(), text)], &limits).expect("catalog");
    let mut plan = String::from(
        "apiVersion: release-policy/v1\nkind: ReleasePlan\nhorizon: 366d\nreleases:\n",
    );
    for i in (0..n).rev() {
        plan.push_str(&format!(
            "  - {{service: s{i}, version: \"1.0.1\", environment: production, window: {{start: \"2026-12-07T09:00:00Z\", duration: 1m}}}}\n"
        ));
    }
    let intended = ReleasePlan::from_yaml_str("loops.yaml", &plan, &limits).expect("plan");
    let bundle = Bundle::builtin();
    let mut g = c.benchmark_group("plan/soft-loops-2000");
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(10);
    g.bench_function("release-policy plan", |b| {
        b.iter(|| {
            bundle
                .plan(black_box(&cat), black_box(&intended))
                .expect("plan")
        })
    });
    g.finish();
}

criterion_group!(benches, plan, soft_loops);
criterion_main!(benches);
