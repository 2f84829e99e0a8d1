//! The dependency graph (petgraph): release waves as topological layers
//! over hard dependencies, cycles among the released services, and the
//! blast radius of a release. Everything is per environment: a dependency
//! matters where both services run.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::catalog::CatalogData;

/// The hard-dependency graph of the services that run in one
/// environment, consumer → provider, with lockstep groups joined by a
/// ring of edges (so that a group is one strongly connected component).
pub(crate) struct EnvGraph {
    graph: DiGraph<usize, ()>,
    /// Service index → node.
    node_of: Vec<Option<NodeIndex>>,
    /// The strongly connected components, providers first (Tarjan's
    /// reverse topological order), computed once.
    sccs: Vec<Vec<NodeIndex>>,
}

impl EnvGraph {
    /// The graph of `environment`, lockstep `groups` (service indices)
    /// joined.
    pub(crate) fn new(catalog: &CatalogData, environment: &str, groups: &[Vec<usize>]) -> Self {
        let mut graph = DiGraph::new();
        let mut node_of = vec![None; catalog.services.len()];
        for (i, s) in catalog.services.iter().enumerate() {
            if s.runs_in(environment) {
                if let Some(slot) = node_of.get_mut(i) {
                    *slot = Some(graph.add_node(i));
                }
            }
        }
        for e in catalog.edges.iter().filter(|e| e.hard) {
            if let (Some(Some(c)), Some(Some(p))) =
                (node_of.get(e.consumer), node_of.get(e.provider))
            {
                let (c, p) = (*c, *p);
                graph.add_edge(c, p, ());
            }
        }
        for g in groups {
            let nodes: Vec<NodeIndex> = g
                .iter()
                .filter_map(|s| node_of.get(*s).copied().flatten())
                .collect();
            for (a, b) in nodes.iter().zip(nodes.iter().cycle().skip(1)) {
                if a != b {
                    graph.add_edge(*a, *b, ());
                }
            }
        }
        let sccs = tarjan_scc(&graph);
        Self {
            graph,
            node_of,
            sccs,
        }
    }

    /// The strongly connected components holding two or more `released`
    /// services: each as the released services in it and a cycle through
    /// them (service indices, the first repeated at the end).
    pub(crate) fn cycles(&self, released: &BTreeSet<usize>) -> Vec<(BTreeSet<usize>, Vec<usize>)> {
        let mut out = Vec::new();
        for scc in &self.sccs {
            let members: BTreeSet<usize> = scc
                .iter()
                .filter_map(|n| self.graph.node_weight(*n).copied())
                .filter(|s| released.contains(s))
                .collect();
            if members.len() < 2 {
                continue;
            }
            let inside: BTreeSet<NodeIndex> = scc.iter().copied().collect();
            let path = members
                .first()
                .and_then(|s| self.node_of.get(*s).copied().flatten())
                .map(|start| self.cycle_through(start, &inside))
                .unwrap_or_default();
            out.push((members, path));
        }
        out.sort();
        out
    }

    /// A shortest cycle from `start` back to itself inside `inside`.
    fn cycle_through(&self, start: NodeIndex, inside: &BTreeSet<NodeIndex>) -> Vec<usize> {
        let mut parent: BTreeMap<NodeIndex, NodeIndex> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut end = None;
        'bfs: while let Some(n) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = self.graph.neighbors(n).collect();
            next.sort();
            for m in next {
                if !inside.contains(&m) {
                    continue;
                }
                if m == start {
                    end = Some(n);
                    break 'bfs;
                }
                if let std::collections::btree_map::Entry::Vacant(v) = parent.entry(m) {
                    v.insert(n);
                    queue.push_back(m);
                }
            }
        }
        let mut path = vec![start];
        let mut at = end;
        while let Some(n) = at {
            if n == start {
                break;
            }
            path.push(n);
            at = parent.get(&n).copied();
        }
        path.push(start);
        path.reverse();
        // Written consumer → provider: `a → b` reads "a needs b".
        path.iter()
            .filter_map(|n| self.graph.node_weight(*n).copied())
            .collect()
    }

    /// The wave (0-based) of each released service — the most released
    /// services on any hard path below it (providers first; services of
    /// one strongly connected component share a wave) — and the releases
    /// below it over hard dependencies, as a set of slots (its own
    /// component's other releases included). `released` maps a service to
    /// its slot; `slots` is how many there are. One pass over the
    /// components, providers first: petgraph's Tarjan gives them in
    /// reverse topological order.
    pub(crate) fn layers(
        &self,
        released: &BTreeMap<usize, usize>,
        slots: usize,
    ) -> BTreeMap<usize, (usize, Bits)> {
        let sccs = &self.sccs;
        let mut comp_of = vec![usize::MAX; self.graph.node_count()];
        for (c, scc) in sccs.iter().enumerate() {
            for n in scc {
                if let Some(x) = comp_of.get_mut(n.index()) {
                    *x = c;
                }
            }
        }
        let release_of = |n: &NodeIndex| {
            self.graph
                .node_weight(*n)
                .and_then(|s| released.get(s))
                .copied()
        };
        let mut level = vec![0usize; sccs.len()];
        let mut below: Vec<Bits> = Vec::with_capacity(sccs.len());
        let mut own: Vec<Bits> = Vec::with_capacity(sccs.len());
        for (c, scc) in sccs.iter().enumerate() {
            let mut mine = Bits::new(slots);
            for n in scc {
                if let Some(r) = release_of(n) {
                    mine.set(r);
                }
            }
            let mut under = Bits::new(slots);
            let mut l = 0;
            for n in scc {
                for m in self.graph.neighbors(*n) {
                    let p = comp_of.get(m.index()).copied().unwrap_or(usize::MAX);
                    if p == c || p >= c {
                        // Its own component; a later one cannot be below
                        // (reverse topological order).
                        continue;
                    }
                    if let (Some(b), Some(o)) = (below.get(p), own.get(p)) {
                        under.union(b);
                        under.union(o);
                        l = l.max(level.get(p).copied().unwrap_or(0) + usize::from(!o.is_empty()));
                    }
                }
            }
            if let Some(x) = level.get_mut(c) {
                *x = l;
            }
            below.push(under);
            own.push(mine);
        }
        let mut out = BTreeMap::new();
        for (service, slot) in released {
            let Some(Some(n)) = self.node_of.get(*service).copied() else {
                continue;
            };
            let c = comp_of.get(n.index()).copied().unwrap_or(usize::MAX);
            let (Some(b), Some(o), Some(l)) = (below.get(c), own.get(c), level.get(c)) else {
                continue;
            };
            let mut set = b.clone();
            set.union(o);
            set.unset(*slot);
            out.insert(*service, (*l, set));
        }
        out
    }
}

/// A set of small indices (release slots), as bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits(Vec<u64>);

impl Bits {
    /// An empty set for indices below `n`.
    pub(crate) fn new(n: usize) -> Self {
        Self(vec![0; n.div_ceil(64)])
    }

    /// Add `i`.
    pub(crate) fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Remove `i`.
    pub(crate) fn unset(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    /// Whether `i` is in the set.
    pub(crate) fn has(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Add every member of `other`.
    pub(crate) fn union(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    /// Whether the set is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// Reusable arrays for walking the dependents of one release after
/// another (a walk touches only what it reaches: no per-walk clearing).
pub(crate) struct Walker {
    /// Per service: the walk that last reached it (`stamp`).
    seen: Vec<u32>,
    /// Per service: distance and next hop towards the released service.
    dist: Vec<u32>,
    hop: Vec<usize>,
    stamp: u32,
    queue: VecDeque<usize>,
    /// Per service: the hard walk that last reached it.
    hard_seen: Vec<u32>,
}

/// What a release's dependents are, in indices: hard and soft apart, in
/// the order reached.
pub(crate) struct Dependents {
    pub hard: Vec<usize>,
    pub soft: Vec<usize>,
    /// The path from the release to its most critical dependent.
    pub worst_path: Vec<usize>,
}

impl Walker {
    /// Arrays for a catalog of `n` services.
    pub(crate) fn new(n: usize) -> Self {
        Self {
            seen: vec![0; n],
            dist: vec![0; n],
            hop: vec![0; n],
            stamp: 0,
            queue: VecDeque::new(),
            hard_seen: vec![0; n],
        }
    }

    /// One breadth-first walk over the consumers of `service` that run
    /// where `runs` says, hard edges only or all; the reached services in
    /// the order reached.
    fn walk(
        &mut self,
        catalog: &CatalogData,
        service: usize,
        runs: &[bool],
        hard_only: bool,
    ) -> Vec<usize> {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.iter_mut().for_each(|s| *s = 0);
            self.hard_seen.iter_mut().for_each(|s| *s = 0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        let mut out = Vec::new();
        if let Some(s) = self.seen.get_mut(service) {
            *s = stamp;
        }
        self.queue.clear();
        self.queue.push_back(service);
        while let Some(s) = self.queue.pop_front() {
            let d = self.dist.get(s).copied().unwrap_or(0);
            for &(c, hard) in catalog.dependents.get(s).into_iter().flatten() {
                if hard_only && !hard {
                    continue;
                }
                let c = c as usize;
                if !runs.get(c).copied().unwrap_or(false) {
                    continue;
                }
                match self.seen.get_mut(c) {
                    Some(seen) if *seen != stamp => *seen = stamp,
                    _ => continue,
                }
                if let Some(x) = self.dist.get_mut(c) {
                    *x = d + 1;
                }
                if let Some(x) = self.hop.get_mut(c) {
                    *x = s;
                }
                out.push(c);
                self.queue.push_back(c);
            }
        }
        out
    }

    /// Who depends on `service` where `runs` says, transitively: hard
    /// dependents (over hard edges only), the others, and the path to the
    /// most critical one (lowest tier, hard before soft, nearest, then
    /// name).
    pub(crate) fn dependents(
        &mut self,
        catalog: &CatalogData,
        service: usize,
        runs: &[bool],
    ) -> Dependents {
        let hard = self.walk(catalog, service, runs, true);
        let hard_stamp = self.stamp;
        for h in &hard {
            if let Some(x) = self.hard_seen.get_mut(*h) {
                *x = hard_stamp;
            }
        }
        let tier = |s: usize| catalog.services.get(s).map_or(4, |x| x.tier);
        // The worst hard dependent, with its path, before the next walk
        // overwrites the hops.
        let key = |w: &Walker, s: usize, soft: u8| {
            (tier(s), soft, w.dist.get(s).copied().unwrap_or(0), s)
        };
        let worst = hard.iter().map(|&s| key(self, s, 0)).min();
        let mut worst_path = worst.map_or_else(Vec::new, |k| self.path(service, k.3));
        let all = self.walk(catalog, service, runs, false);
        let soft: Vec<usize> = all
            .into_iter()
            .filter(|s| self.hard_seen.get(*s).copied() != Some(hard_stamp))
            .collect();
        if let Some(k) = soft.iter().map(|&s| key(self, s, 1)).min() {
            if worst.is_none_or(|w| k < w) {
                worst_path = self.path(service, k.3);
            }
        }
        Dependents {
            hard,
            soft,
            worst_path,
        }
    }

    /// The path from `from` to `to` by the hops of the last walk.
    fn path(&self, from: usize, to: usize) -> Vec<usize> {
        let mut path = vec![to];
        let mut at = to;
        while at != from && path.len() <= self.hop.len() {
            at = self.hop.get(at).copied().unwrap_or(from);
            path.push(at);
        }
        path.reverse();
        path
    }
}
