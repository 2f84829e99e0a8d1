//! A generated catalog for the `plan` benchmark: `n` services in layers
//! (a service depends only on services with a lower index, so the graph is
//! acyclic, as most real catalogs are), about `edges` dependencies (80 %
//! hard), tiers 1–4, two environments, one Berlin calendar with business
//! hours and a freeze, a shared staging environment; and a release plan of
//! `releases` services to production in one week. Deterministic (a fixed
//! linear congruential generator), so every run measures the same input.

/// A small deterministic generator (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The catalog as one YAML text, and its dependencies as (consumer,
/// provider) index pairs (for the petgraph floor).
pub fn catalog(n: usize, edges: usize) -> (String, Vec<(usize, usize)>) {
    let mut rng = Lcg(42);
    let mut out = String::with_capacity(n * 300);
    let mut pairs = Vec::with_capacity(edges);
    let per = edges as f64 / n as f64;
    for i in 0..n {
        let tier = 1 + rng.below(4);
        out.push_str(&format!(
            "---\napiVersion: release-policy/v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec:\n  tier: {tier}\n  owner: team-{}\n  environments: [staging, production]\n  provides: [{{api: s{i}-api, version: \"1.{}.0\"}}]\n  deployed: {{production: \"1.{}.0\"}}\n",
            i % 97,
            i % 5,
            i % 5
        ));
        if i == 0 {
            continue;
        }
        // Twice the mean for the later half keeps the total near `edges`.
        let want = ((per * 2.0 * i as f64 / n as f64).round() as usize).min(i);
        let mut seen = std::collections::BTreeSet::new();
        let mut deps = String::new();
        for _ in 0..want {
            let p = rng.below(i as u64) as usize;
            if !seen.insert(p) {
                continue;
            }
            let kind = if rng.below(5) == 0 { "soft" } else { "hard" };
            deps.push_str(&format!(
                "    - {{service: s{p}, api: s{p}-api, requires: \"^1\", kind: {kind}}}\n"
            ));
            pairs.push((i, p));
        }
        if !deps.is_empty() {
            out.push_str("  dependsOn:\n");
            out.push_str(&deps);
        }
    }
    out.push_str(
        "---\napiVersion: release-policy/v1\nkind: Calendar\nmetadata: {name: eu-production}\nspec:\n  timeZone: Europe/Berlin\n  appliesTo: {environments: [production]}\n  windows:\n    - {name: business-hours, days: [mon, tue, wed, thu], from: \"09:00\", to: \"16:00\"}\n  freezes:\n    - {name: year-end, from: \"2026-12-19T00:00\", to: \"2027-01-05T00:00\", exempt: 'release.kind in [\"hotfix\", \"security\"]'}\n---\napiVersion: release-policy/v1\nkind: Environment\nmetadata: {name: staging}\nspec: {exclusive: true}\n",
    );
    (out, pairs)
}

/// A release plan of `releases` distinct services (of `n`) to production,
/// starting in the week of Monday 2026-12-07, 30 minutes each.
pub fn release_plan(n: usize, releases: usize) -> String {
    let mut rng = Lcg(7);
    let mut chosen = std::collections::BTreeSet::new();
    while chosen.len() < releases.min(n) {
        chosen.insert(rng.below(n as u64) as usize);
    }
    let mut out = String::from("apiVersion: release-policy/v1\nkind: ReleasePlan\nreleases:\n");
    for s in chosen {
        let day = 7 + rng.below(4);
        let hour = 8 + rng.below(6);
        out.push_str(&format!(
            "  - {{service: s{s}, version: \"1.{}.1\", environment: production, window: {{start: \"2026-12-{day:02}T{hour:02}:00:00Z\", duration: 30m}}}}\n",
            s % 5
        ));
    }
    out
}
