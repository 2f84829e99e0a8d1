//! The order of a plan's releases: waves capped at the plan's `maxPerWave`,
//! the releases each one waits for and depends on.

use std::collections::BTreeMap;

use crate::plan::catalog::CatalogData;
use crate::plan::graph::Bits;
use crate::plan::result::Dependency;
use crate::plan::schedule::Slot;

/// Waves with at most `cap` releases each: each level split in order of
/// release id, a lockstep group kept whole; every level starts a wave
/// after the one before, so providers stay before consumers.
pub(super) fn cap_waves(
    levels: &[usize],
    ids: &[String],
    cap: Option<u32>,
    services: &[usize],
    group_of: &BTreeMap<usize, usize>,
) -> Vec<usize> {
    let Some(cap) = cap.map(|c| c as usize) else {
        return levels.to_vec();
    };
    let mut out = vec![0; levels.len()];
    let mut next_wave = 0;
    let max = levels.iter().copied().max().unwrap_or(0);
    for level in 0..=max {
        // Units: a lockstep group or a single release, in id order.
        let mut units: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, l) in levels.iter().enumerate() {
            if *l != level {
                continue;
            }
            let key = services.get(i).and_then(|s| group_of.get(s)).map_or_else(
                || ids.get(i).cloned().unwrap_or_default(),
                |g| format!("\u{0}{g}"),
            );
            units.entry(key).or_default().push(i);
        }
        if units.is_empty() {
            continue;
        }
        let mut used = 0;
        for members in units.values() {
            if used > 0 && used + members.len() > cap {
                next_wave += 1;
                used = 0;
            }
            for m in members {
                if let Some(o) = out.get_mut(*m) {
                    *o = next_wave;
                }
            }
            used += members.len();
        }
        next_wave += 1;
    }
    out
}

/// The releases of `slots` (same environment) that `s` depends on
/// directly.
pub(super) fn depends_on(data: &CatalogData, s: &Slot<'_>, slots: &[Slot<'_>]) -> Vec<Dependency> {
    let mut out: Vec<Dependency> = data
        .providers(s.service)
        .flat_map(|e| {
            slots
                .iter()
                .filter(move |o| {
                    o.service == e.provider && o.release.environment == s.release.environment
                })
                .map(move |o| Dependency {
                    release: o.id.clone(),
                    hard: e.hard,
                })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The slots `s` (at `index`) must follow: direct providers (hard or
/// soft) released in the same environment in the same or an earlier wave,
/// and the releases below it over hard dependencies; never one that is
/// also above it (its cycle or lockstep group).
pub(super) fn waits_for(
    data: &CatalogData,
    index: usize,
    s: &Slot<'_>,
    slots: &[Slot<'_>],
    slot_of: &BTreeMap<(usize, &str), usize>,
    below: &[Bits],
) -> Vec<(usize, bool)> {
    let env = s.release.environment.as_str();
    let mut direct = Bits::new(slots.len());
    for e in data.providers(s.service) {
        if let Some(j) = slot_of.get(&(e.provider, env)) {
            direct.set(*j);
        }
    }
    let mine = below.get(index);
    let mut out = Vec::new();
    for (j, o) in slots.iter().enumerate() {
        let is_direct = direct.has(j);
        let is_below = mine.is_some_and(|b| b.has(j));
        if j == index || !(is_direct || is_below) || o.wave > s.wave {
            continue;
        }
        if below.get(j).is_some_and(|b| b.has(index)) {
            continue;
        }
        out.push((j, is_direct));
    }
    out
}
