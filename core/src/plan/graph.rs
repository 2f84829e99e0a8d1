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

/// The dependents of a service in one environment: reached over hard
/// edges only, and the others (over any edge).
#[derive(Debug, Default)]
pub(crate) struct Reach {
    /// Hard dependents with their distance and the next hop towards the
    /// released service.
    pub hard: BTreeMap<usize, (usize, usize)>,
    /// Every other transitive dependent, likewise.
    pub soft: BTreeMap<usize, (usize, usize)>,
}

/// Who depends on `service` in `environment`, transitively.
pub(crate) fn reach(catalog: &CatalogData, service: usize, environment: &str) -> Reach {
    let bfs = |hard_only: bool| {
        let mut seen: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
        let mut queue = VecDeque::from([(service, 0usize)]);
        while let Some((s, d)) = queue.pop_front() {
            for e in catalog.consumers_of.get(s).into_iter().flatten() {
                let Some(edge) = catalog.edge(*e) else {
                    continue;
                };
                if hard_only && !edge.hard {
                    continue;
                }
                let c = edge.consumer;
                if c == service || seen.contains_key(&c) {
                    continue;
                }
                if !catalog
                    .services
                    .get(c)
                    .is_some_and(|x| x.runs_in(environment))
                {
                    continue;
                }
                seen.insert(c, (d + 1, s));
                queue.push_back((c, d + 1));
            }
        }
        seen
    };
    let hard = bfs(true);
    let soft = bfs(false)
        .into_iter()
        .filter(|(s, _)| !hard.contains_key(s))
        .collect();
    Reach { hard, soft }
}

/// The path from the released service to `to`, following the next hops
/// of `hops` (consumer ← provider), as service indices from the release.
pub(crate) fn path_to(
    hops: &BTreeMap<usize, (usize, usize)>,
    other: &BTreeMap<usize, (usize, usize)>,
    from: usize,
    to: usize,
) -> Vec<usize> {
    let mut path = vec![to];
    let mut at = to;
    while at != from {
        let Some((_, next)) = hops.get(&at).or_else(|| other.get(&at)) else {
            break;
        };
        at = *next;
        path.push(at);
        if path.len() > hops.len() + other.len() + 1 {
            break;
        }
    }
    path.reverse();
    path
}
