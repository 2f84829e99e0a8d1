//! The compiled catalog and release plan: services with their API
//! versions, OpenAPI documents and dependencies (the graph's edges),
//! calendars with their exemptions compiled, environments; and the
//! releases intended together. Built once by [`compile`](super::compile);
//! `plan` reads only these.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::calendar::Calendar;
use super::openapi::OpenApi;
use crate::error::SourceLocation;
use crate::expr::CompiledExpr;
use crate::model::{Duration, Timestamp};

/// A catalog of services, calendars and environments: what runs where,
/// who depends on whom, under which API contracts, and when releases may
/// happen. Load it with [`Catalog::from_dir`], [`Catalog::from_file`] or
/// [`Catalog::from_sources`]; it is immutable and cheap to clone.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(crate) inner: Arc<CatalogData>,
}

/// What a [`Catalog`] holds.
#[derive(Debug)]
pub(crate) struct CatalogData {
    /// Services sorted by name.
    pub services: Vec<Service>,
    /// Service name → index.
    pub by_name: BTreeMap<String, usize>,
    /// Dependencies, consumer → provider, in catalog order.
    pub edges: Vec<Edge>,
    /// Per service, the edges where it is the provider.
    pub consumers_of: Vec<Vec<usize>>,
    /// Per service, its direct consumers and whether each depends on it
    /// hard: the compact form the blast-radius walks read.
    pub dependents: Vec<Vec<(u32, bool)>>,
    /// Per service, the edges where it is the consumer.
    pub providers_of: Vec<Vec<usize>>,
    /// Calendars sorted by name.
    pub calendars: Vec<ScopedCalendar>,
    /// Environments that hold one release at a time.
    pub exclusive: BTreeSet<String>,
}

/// A service of the catalog.
#[derive(Debug)]
pub(crate) struct Service {
    pub name: String,
    pub tier: u8,
    pub owner: String,
    /// How long a rollback may take (the catalog's `rollbackBudget`).
    pub rollback_budget: Option<crate::model::Duration>,
    pub environments: BTreeSet<String>,
    pub provides: Vec<Provide>,
    pub deployed: BTreeMap<String, semver::Version>,
}

/// One API version a service provides.
#[derive(Debug)]
pub(crate) struct Provide {
    pub api: String,
    pub version: semver::Version,
    pub openapi: Option<Arc<OpenApi>>,
}

/// A dependency: `consumer` calls `provider`.
#[derive(Debug)]
pub(crate) struct Edge {
    pub consumer: usize,
    pub provider: usize,
    pub api: Option<String>,
    pub requires: Option<(String, semver::VersionReq)>,
    /// The operations used, as written.
    pub uses: Vec<String>,
    pub hard: bool,
}

/// A calendar with the releases it governs and its compiled exemptions.
#[derive(Debug)]
pub(crate) struct ScopedCalendar {
    pub calendar: Calendar,
    /// Empty: every environment.
    pub environments: BTreeSet<String>,
    /// Empty: every service.
    pub services: BTreeSet<String>,
    /// Per freeze, its exemption (`release.kind in [...]`).
    pub exemptions: Vec<Option<CompiledExpr>>,
}

impl ScopedCalendar {
    /// Whether the calendar governs a release of `service` to `environment`.
    pub(crate) fn governs(&self, service: &str, environment: &str) -> bool {
        (self.environments.is_empty() || self.environments.contains(environment))
            && (self.services.is_empty() || self.services.contains(service))
    }
}

impl Catalog {
    /// How many services the catalog holds.
    pub fn service_count(&self) -> usize {
        self.inner.services.len()
    }

    /// How many dependencies the catalog holds.
    pub fn dependency_count(&self) -> usize {
        self.inner.edges.len()
    }

    /// The services' names, sorted.
    pub fn service_names(&self) -> impl Iterator<Item = &str> {
        self.inner.services.iter().map(|s| s.name.as_str())
    }

    /// The calendars' names, sorted.
    pub fn calendar_names(&self) -> impl Iterator<Item = &str> {
        self.inner.calendars.iter().map(|c| c.calendar.name())
    }
}

impl CatalogData {
    /// The service called `name`.
    pub(crate) fn service(&self, name: &str) -> Option<(usize, &Service)> {
        let i = *self.by_name.get(name)?;
        self.services.get(i).map(|s| (i, s))
    }

    /// The service at `index` (always present for an index of the catalog).
    pub(crate) fn name_of(&self, index: usize) -> &str {
        self.services.get(index).map_or("", |s| s.name.as_str())
    }

    /// The dependencies of `service` (it the consumer).
    pub(crate) fn providers(&self, service: usize) -> impl Iterator<Item = &Edge> {
        self.providers_of
            .get(service)
            .into_iter()
            .flatten()
            .filter_map(|e| self.edges.get(*e))
    }

    /// The dependencies on `service` (it the provider).
    pub(crate) fn consumers(&self, service: usize) -> impl Iterator<Item = &Edge> {
        self.consumers_of
            .get(service)
            .into_iter()
            .flatten()
            .filter_map(|e| self.edges.get(*e))
    }
}

impl Service {
    /// Whether the service runs in `environment`.
    pub(crate) fn runs_in(&self, environment: &str) -> bool {
        self.environments.contains(environment)
    }

    /// The API version of `api` running in `environment`: among the
    /// entries for `api`, the one whose version is the deployed service
    /// version there; else the highest not above it; else, with a single
    /// entry, that one (an API versioned apart from its service).
    pub(crate) fn running_api(&self, api: &str, environment: &str) -> Option<&Provide> {
        let entries: Vec<&Provide> = self.provides.iter().filter(|p| p.api == api).collect();
        let deployed = self.deployed.get(environment);
        if let Some(d) = deployed {
            if let Some(p) = entries.iter().find(|p| &p.version == d) {
                return Some(p);
            }
            if let Some(p) = entries
                .iter()
                .filter(|p| &p.version <= d)
                .max_by(|a, b| a.version.cmp(&b.version))
            {
                return Some(p);
            }
        }
        match entries.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// The entry for `api` at exactly `version`.
    pub(crate) fn provide(&self, api: &str, version: &semver::Version) -> Option<&Provide> {
        self.provides
            .iter()
            .find(|p| p.api == api && &p.version == version)
    }
}

/// The releases intended together: a `kind: ReleasePlan` document, read
/// with [`ReleasePlan::from_file`] or [`ReleasePlan::from_yaml_str`] and
/// checked against a catalog when planned.
#[derive(Debug, Clone)]
pub struct ReleasePlan {
    pub(crate) name: String,
    pub(crate) releases: Vec<Release>,
    pub(crate) lockstep: Vec<Lockstep>,
    pub(crate) max_per_wave: Option<u32>,
    pub(crate) horizon: Duration,
}

impl ReleasePlan {
    /// How many releases the plan holds.
    pub fn len(&self) -> usize {
        self.releases.len()
    }

    /// Whether the plan holds no release.
    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }
}

/// One intended release.
#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub service: String,
    pub version: semver::Version,
    pub kind: String,
    pub provides: BTreeMap<String, semver::Version>,
    pub change: Option<ChangeKind>,
    pub environment: String,
    pub start: Timestamp,
    pub duration: Duration,
    pub team: Option<String>,
    /// Where the release is written, and its `service`, `environment`
    /// and `provides` entries.
    pub at: SourceLocation,
    pub service_at: SourceLocation,
    pub environment_at: SourceLocation,
    pub provides_at: BTreeMap<String, SourceLocation>,
}

/// A lockstep group: services released in one wave.
#[derive(Debug, Clone)]
pub(crate) struct Lockstep {
    pub name: String,
    pub services: Vec<(String, SourceLocation)>,
}

/// The change a release declares to its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// Fixes only.
    Patch,
    /// New things, nothing removed.
    Additive,
    /// Something removed or changed incompatibly.
    Breaking,
}

impl ChangeKind {
    /// The kind as written: `patch`, `additive`, `breaking`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Patch => "patch",
            ChangeKind::Additive => "additive",
            ChangeKind::Breaking => "breaking",
        }
    }
}
