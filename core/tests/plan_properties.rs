//! Properties of `plan` over generated catalogs: waves respect every hard
//! dependency (outside cycles); the proposed schedule has no conflict and
//! never places a release in a freeze or outside its windows; adding a
//! dependency never shrinks a blast radius. The checks here are written
//! apart from the implementation (reachability by a plain search, windows
//! by chrono-tz local times).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use proptest::prelude::*;
use release_policy::plan::{Catalog, Plan, ReleasePlan};
use release_policy::{Bundle, Limits};

/// A generated catalog: services `s0…`, edges (consumer, provider, hard).
#[derive(Debug, Clone)]
struct Gen {
    tiers: Vec<u8>,
    edges: Vec<(usize, usize, bool)>,
    exclusive: bool,
    /// Window: days (Mon = 0), from and to in minutes, zone.
    days: Vec<usize>,
    from: u32,
    to: u32,
    zone: &'static str,
    /// A freeze, in hours after the week's start.
    freeze: Option<(i64, i64)>,
    /// Released services with start offsets (minutes) and durations.
    releases: Vec<(usize, i64, i64)>,
}

const ZONES: [&str; 4] = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Monday 2027-01-04 00:00 UTC: no clock change within the weeks used.
fn week() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 4, 0, 0, 0).unwrap()
}

fn generated() -> impl Strategy<Value = Gen> {
    (3usize..9).prop_flat_map(|n| {
        (
            proptest::collection::vec(1u8..=4, n),
            proptest::collection::vec((0..n, 0..n, any::<bool>()), 0..(2 * n)),
            any::<bool>(),
            proptest::collection::btree_set(0usize..7, 1..6),
            (0u32..40, 4u32..40),
            0usize..ZONES.len(),
            proptest::option::of((0i64..100, 1i64..48)),
            proptest::collection::btree_map(0..n, (0i64..(5 * 24 * 4), 1i64..12), 1..n),
        )
            .prop_map(
                |(tiers, edges, exclusive, days, (from, len), zone, freeze, releases)| Gen {
                    tiers,
                    edges: {
                        // One dependency per pair, as the catalog holds it.
                        let mut seen = BTreeSet::new();
                        edges
                            .into_iter()
                            .filter(|(a, b, _)| a != b && seen.insert((*a, *b)))
                            .collect()
                    },
                    exclusive,
                    days: days.into_iter().collect(),
                    from: from * 15 + 6 * 60,
                    to: (from * 15 + 6 * 60 + len * 15).min(24 * 60),
                    zone: ZONES[zone],
                    freeze: freeze.map(|(a, l)| (a, a + l)),
                    releases: releases
                        .into_iter()
                        .map(|(s, (start, d))| (s, start * 15, d * 15))
                        .collect(),
                },
            )
    })
}

fn catalog_text(g: &Gen) -> String {
    let mut s = String::new();
    for (i, t) in g.tiers.iter().enumerate() {
        s += &format!(
            "---\napiVersion: release-policy/v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec:\n  tier: {t}\n  owner: team\n  environments: [prod]\n  dependsOn:\n"
        );
        let mut seen = BTreeSet::new();
        for (c, p, hard) in &g.edges {
            if *c == i && seen.insert(*p) {
                let kind = if *hard { "hard" } else { "soft" };
                s += &format!("    - {{service: s{p}, kind: {kind}}}\n");
            }
        }
        if seen.is_empty() {
            s = s.trim_end_matches("  dependsOn:\n").to_string() + "\n";
        }
    }
    let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    let days: Vec<&str> = g.days.iter().map(|d| DAYS[*d]).collect();
    s += &format!(
        "---\napiVersion: release-policy/v1\nkind: Calendar\nmetadata: {{name: cal}}\nspec:\n  timeZone: {}\n  windows:\n    - {{name: w, days: [{}], from: \"{}\", to: \"{}\"}}\n",
        g.zone,
        days.join(", "),
        hm(g.from),
        hm(g.to)
    );
    if let Some((a, b)) = g.freeze {
        let at = |h: i64| (week() + Duration::hours(h)).to_rfc3339();
        s += &format!(
            "  freezes:\n    - {{name: f, from: \"{}\", to: \"{}\"}}\n",
            at(a),
            at(b)
        );
    }
    s += &format!(
        "---\napiVersion: release-policy/v1\nkind: Environment\nmetadata: {{name: prod}}\nspec: {{exclusive: {}}}\n",
        g.exclusive
    );
    s
}

fn plan_text(g: &Gen) -> String {
    let mut s =
        "apiVersion: release-policy/v1\nkind: ReleasePlan\nhorizon: 60d\nreleases:\n".to_string();
    for (svc, start, dur) in &g.releases {
        let start = (week() + Duration::minutes(*start)).to_rfc3339();
        s += &format!(
            "  - {{service: s{svc}, version: \"1.0.0\", environment: prod, window: {{start: \"{start}\", duration: {dur}m}}}}\n"
        );
    }
    s
}

fn run(g: &Gen) -> Plan {
    let limits = Limits::default();
    let catalog = Catalog::from_sources(vec![("c.yaml".into(), catalog_text(g))], &limits).unwrap();
    let intended = ReleasePlan::from_yaml_str("p.yaml", &plan_text(g), &limits).unwrap();
    Bundle::builtin().plan(&catalog, &intended).unwrap()
}

/// Whether `from` reaches `to` over hard edges.
fn reaches(g: &Gen, from: usize, to: usize) -> bool {
    reaches_over(g, from, to, true)
}

/// Whether `from` reaches `to` over hard edges, or any edges.
fn reaches_over(g: &Gen, from: usize, to: usize, hard_only: bool) -> bool {
    let mut seen = BTreeSet::from([from]);
    let mut stack = vec![from];
    while let Some(n) = stack.pop() {
        for (c, p, hard) in &g.edges {
            if *c == n && (*hard || !hard_only) && seen.insert(*p) {
                if *p == to {
                    return true;
                }
                stack.push(*p);
            }
        }
    }
    false
}

fn in_window(g: &Gen, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
    let tz: chrono_tz::Tz = g.zone.parse().unwrap();
    let (a, b) = (start.with_timezone(&tz), end.with_timezone(&tz));
    let day = a.weekday().num_days_from_monday() as usize;
    let minute = |t: &DateTime<chrono_tz::Tz>| t.hour() * 60 + t.minute();
    let end_minute = if b.date_naive() == a.date_naive() {
        minute(&b)
    } else if b.date_naive() == a.date_naive().succ_opt().unwrap() && minute(&b) == 0 {
        24 * 60
    } else {
        return false;
    };
    g.days.contains(&day) && minute(&a) >= g.from && end_minute <= g.to
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn waves_respect_every_hard_edge(g in generated()) {
        let p = run(&g);
        for (c, pr, hard) in &g.edges {
            let (Some(rc), Some(rp)) = (p.release(&format!("s{c}@prod")), p.release(&format!("s{pr}@prod"))) else { continue };
            // Outside a cycle, a consumer goes in a later wave than every
            // released service below it over hard dependencies.
            if *hard && !reaches(&g, *pr, *c) {
                prop_assert!(rc.wave > rp.wave, "{c} → {pr}: waves {} and {}", rc.wave, rp.wave);
            }
        }
        for a in &p.releases {
            for b in &p.releases {
                let (i, j): (usize, usize) = (a.service[1..].parse().unwrap(), b.service[1..].parse().unwrap());
                if i != j && reaches(&g, i, j) && !reaches(&g, j, i) {
                    prop_assert!(a.wave > b.wave);
                }
            }
        }
    }

    #[test]
    fn the_proposed_schedule_has_no_conflict(g in generated()) {
        let p = run(&g);
        let freeze = g.freeze.map(|(a, b)| (week() + Duration::hours(a), week() + Duration::hours(b)));
        for r in &p.releases {
            let Some(w) = r.proposed else { continue };
            prop_assert!(w.start >= r.requested.start);
            prop_assert!(in_window(&g, w.start, w.end), "{} at {:?} outside the window {g:?}", r.id, w);
            if let Some((fa, fb)) = freeze {
                prop_assert!(w.end <= fa || w.start >= fb, "{} in the freeze", r.id);
            }
        }
        let svc = |id: &str| -> usize { id[1..id.find('@').unwrap()].parse().unwrap() };
        for a in &p.releases {
            for b in &p.releases {
                if a.id == b.id { continue; }
                let (Some(x), Some(y)) = (a.proposed, b.proposed) else { continue };
                let overlap = x.start < y.end && y.start < x.end;
                let (i, j) = (svc(&a.id), svc(&b.id));
                let direct = g.edges.iter().any(|(c, pr, _)| (*c == i && *pr == j) || (*c == j && *pr == i));
                if g.exclusive || direct {
                    prop_assert!(!overlap, "{} and {} overlap", a.id, b.id);
                }
                // A direct provider in the same or an earlier wave ends
                // before its consumer starts.
                // (Services in a loop of dependencies, soft ones included,
                // cannot all follow each other: the loop is broken at the
                // earliest release, and they only never overlap when
                // directly interdependent.)
                let provides = g.edges.iter().any(|(c, pr, _)| *c == i && *pr == j);
                let in_a_loop = reaches_over(&g, j, i, false);
                if provides && !in_a_loop && b.wave <= a.wave {
                    prop_assert!(x.start >= y.end, "{} starts before {} ends", a.id, b.id);
                }
            }
        }
        // The schedule is deterministic.
        prop_assert_eq!(p.to_json(), run(&g).to_json());
    }

    #[test]
    fn adding_a_dependency_never_shrinks_a_blast_radius(g in generated(), extra in (0usize..9, 0usize..9, any::<bool>())) {
        let n = g.tiers.len();
        let (c, pr, hard) = (extra.0 % n, extra.1 % n, extra.2);
        prop_assume!(c != pr);
        let mut more = g.clone();
        more.edges.retain(|(a, b, _)| !(*a == c && *b == pr));
        let before_g = more.clone();
        more.edges.push((c, pr, hard));
        let limits = Limits::default();
        let before = Catalog::from_sources(vec![("c.yaml".into(), catalog_text(&before_g))], &limits).unwrap();
        let after = Catalog::from_sources(vec![("c.yaml".into(), catalog_text(&more))], &limits).unwrap();
        let b = Bundle::builtin();
        for s in 0..n {
            let x = b.can_i_deploy(&before, &format!("s{s}"), "1.0.0", "prod").unwrap().blast_radius;
            let y = b.can_i_deploy(&after, &format!("s{s}"), "1.0.0", "prod").unwrap().blast_radius;
            prop_assert!(y.hard.count >= x.hard.count);
            prop_assert!(y.hard.count + y.soft.count >= x.hard.count + x.soft.count);
            prop_assert!(y.weight >= x.weight);
        }
    }
}
