//! The dependency graph (petgraph): release waves as topological layers
//! over hard dependencies, cycles among the released services, and the
//! blast radius of a release. Everything is per environment: a dependency
//! matters where both services run.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::Direction;
use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};

use super::catalog::CatalogData;

/// The hard-dependency graph of the services that run in one
/// environment, consumer → provider, with lockstep groups joined by a
/// ring of edges (so that a group is one strongly connected component).
pub(crate) struct EnvGraph {
    graph: DiGraph<usize, ()>,
    /// Service index → node.
    node_of: BTreeMap<usize, NodeIndex>,
}

impl EnvGraph {
    /// The graph of `environment`, lockstep `groups` (service indices)
    /// joined.
    pub(crate) fn new(catalog: &CatalogData, environment: &str, groups: &[Vec<usize>]) -> Self {
        let mut graph = DiGraph::new();
        let mut node_of = BTreeMap::new();
        for (i, s) in catalog.services.iter().enumerate() {
            if s.runs_in(environment) {
                node_of.insert(i, graph.add_node(i));
            }
        }
        for e in catalog.edges.iter().filter(|e| e.hard) {
            if let (Some(&c), Some(&p)) = (node_of.get(&e.consumer), node_of.get(&e.provider)) {
                graph.add_edge(c, p, ());
            }
        }
        for g in groups {
            let nodes: Vec<NodeIndex> = g.iter().filter_map(|s| node_of.get(s).copied()).collect();
            for (a, b) in nodes.iter().zip(nodes.iter().cycle().skip(1)) {
                if a != b {
                    graph.add_edge(*a, *b, ());
                }
            }
        }
        Self { graph, node_of }
    }

    /// The strongly connected components holding two or more `released`
    /// services: each as the released services in it and a cycle through
    /// them (service indices, the first repeated at the end).
    pub(crate) fn cycles(&self, released: &BTreeSet<usize>) -> Vec<(BTreeSet<usize>, Vec<usize>)> {
        let mut out = Vec::new();
        for scc in tarjan_scc(&self.graph) {
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
                .and_then(|s| self.node_of.get(s))
                .map(|&start| self.cycle_through(start, &inside))
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

    /// The released services `service` reaches over hard dependencies
    /// (its providers, their providers, …), itself excluded.
    pub(crate) fn released_below(
        &self,
        service: usize,
        released: &BTreeSet<usize>,
    ) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let Some(&start) = self.node_of.get(&service) else {
            return out;
        };
        let mut seen = BTreeSet::from([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            for m in self.graph.neighbors(n) {
                if seen.insert(m) {
                    if let Some(s) = self.graph.node_weight(m) {
                        if released.contains(s) && *s != service {
                            out.insert(*s);
                        }
                    }
                    queue.push_back(m);
                }
            }
        }
        out
    }

    /// The wave (0-based) of each released service: the most released
    /// services on any hard path below it (providers first). Services of
    /// one strongly connected component share a wave.
    pub(crate) fn levels(&self, released: &BTreeSet<usize>) -> BTreeMap<usize, usize> {
        let sccs = tarjan_scc(&self.graph);
        let mut comp_of: BTreeMap<NodeIndex, usize> = BTreeMap::new();
        for (c, scc) in sccs.iter().enumerate() {
            for n in scc {
                comp_of.insert(*n, c);
            }
        }
        let mut dag: DiGraph<(), ()> = DiGraph::with_capacity(sccs.len(), 0);
        let nodes: Vec<NodeIndex> = (0..sccs.len()).map(|_| dag.add_node(())).collect();
        let mut seen = BTreeSet::new();
        for e in self.graph.edge_indices() {
            if let Some((a, b)) = self.graph.edge_endpoints(e) {
                if let (Some(&ca), Some(&cb)) = (comp_of.get(&a), comp_of.get(&b)) {
                    if ca != cb && seen.insert((ca, cb)) {
                        if let (Some(&na), Some(&nb)) = (nodes.get(ca), nodes.get(cb)) {
                            dag.add_edge(na, nb, ());
                        }
                    }
                }
            }
        }
        let has_release: Vec<bool> = sccs
            .iter()
            .map(|scc| {
                scc.iter().any(|n| {
                    self.graph
                        .node_weight(*n)
                        .is_some_and(|s| released.contains(s))
                })
            })
            .collect();
        // The condensation is acyclic: toposort cannot fail.
        let order = toposort(&dag, None).unwrap_or_default();
        let mut level = vec![0usize; sccs.len()];
        // Consumers come before providers in `order`: walk it backwards.
        for n in order.iter().rev() {
            let mut l = 0;
            for p in dag.neighbors_directed(*n, Direction::Outgoing) {
                let i = p.index();
                let below = level.get(i).copied().unwrap_or(0)
                    + usize::from(has_release.get(i).copied().unwrap_or(false));
                l = l.max(below);
            }
            if let Some(slot) = level.get_mut(n.index()) {
                *slot = l;
            }
        }
        released
            .iter()
            .filter_map(|s| {
                let n = self.node_of.get(s)?;
                let c = comp_of.get(n)?;
                Some((*s, level.get(*c).copied().unwrap_or(0)))
            })
            .collect()
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

/// What a release's dependents are, in indices: hard and soft apart,
/// each sorted (by index, which is by name).
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
            for e in catalog.consumers_of.get(s).into_iter().flatten() {
                let Some(edge) = catalog.edge(*e) else {
                    continue;
                };
                if hard_only && !edge.hard {
                    continue;
                }
                let c = edge.consumer;
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
        let mut hard = self.walk(catalog, service, runs, true);
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
        let mut soft: Vec<usize> = all
            .into_iter()
            .filter(|s| self.hard_seen.get(*s).copied() != Some(hard_stamp))
            .collect();
        if let Some(k) = soft.iter().map(|&s| key(self, s, 1)).min() {
            if worst.is_none_or(|w| k < w) {
                worst_path = self.path(service, k.3);
            }
        }
        hard.sort_unstable();
        soft.sort_unstable();
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
