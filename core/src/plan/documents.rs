//! The documents of a catalog and a release plan as they are written
//! (YAML or JSON, camelCase, unknown fields refused): `kind: Service`,
//! `kind: Calendar`, `kind: Environment` and `kind: ReleasePlan`. They are
//! only read here; [`compile`](super::compile) checks them against each
//! other and builds the [`Catalog`](super::Catalog) and the
//! [`ReleasePlan`](super::ReleasePlan) that `plan` reads.
//!
//! `apiVersion`, `kind` and `description` are read so that the schema
//! knows them; the loader checks the first two on the untyped document.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::{Duration, Timestamp, Version};

/// The kinds a catalog holds.
pub(crate) const CATALOG_KINDS: [&str; 3] = ["Service", "Calendar", "Environment"];

/// A document's `metadata`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Metadata {
    /// The name the document is known by.
    pub name: String,
    /// Free text for people.
    #[serde(default)]
    pub description: Option<String>,
}

/// A `kind: Service` document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ServiceDoc {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    pub spec: ServiceSpec,
}

/// What a service is, provides and needs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ServiceSpec {
    /// 1 (most critical) to 4.
    pub tier: u8,
    /// The owning team.
    pub owner: String,
    /// The SLOs the service owns, by name.
    #[serde(default)]
    pub slos: Vec<String>,
    /// How long a rollback may take.
    #[serde(default)]
    pub rollback_budget: Option<Duration>,
    /// The environments the service runs in.
    pub environments: Vec<String>,
    /// The API versions it provides (one entry per API version).
    #[serde(default)]
    pub provides: Vec<ProvideDoc>,
    /// The services it depends on.
    #[serde(default)]
    pub depends_on: Vec<DependencyDoc>,
    /// The version deployed now, per environment.
    #[serde(default, deserialize_with = "crate::model::unique::map")]
    pub deployed: BTreeMap<String, Version>,
}

/// One API version a service provides.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ProvideDoc {
    /// The API's name (`payments-api`).
    pub api: String,
    /// The API version (semver).
    pub version: Version,
    /// Its OpenAPI 3 document, relative to the file that names it.
    #[serde(default)]
    pub openapi: Option<String>,
}

/// Hard or soft: whether the consumer fails without its provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum DependencyKind {
    /// The consumer fails without the provider (the default).
    #[default]
    Hard,
    /// The consumer degrades without the provider.
    Soft,
}

/// One dependency of a service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct DependencyDoc {
    /// The provider's service name.
    pub service: String,
    /// The provider's API the consumer calls (needed with `requires`).
    #[serde(default)]
    pub api: Option<String>,
    /// A semver requirement on that API's version (`^2.3`).
    #[serde(default)]
    pub requires: Option<String>,
    /// The operations used (`GET /payments/{id}`).
    #[serde(default)]
    pub uses: Vec<String>,
    /// Hard (default) or soft.
    #[serde(default)]
    pub kind: DependencyKind,
}

/// A `kind: Calendar` document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CalendarDoc {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    pub spec: CalendarSpec,
}

/// A calendar's zone, scope, windows and freezes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CalendarSpec {
    /// An IANA time zone (`Europe/Berlin`).
    pub time_zone: String,
    /// Which releases the calendar governs; every release when absent.
    #[serde(default)]
    pub applies_to: Scope,
    /// Recurring release windows in local time.
    #[serde(default)]
    pub windows: Vec<WindowDoc>,
    /// Freezes in local date-times.
    #[serde(default)]
    pub freezes: Vec<FreezeDoc>,
}

/// Environments and services a calendar governs; an empty list means all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct Scope {
    #[serde(default)]
    pub environments: Vec<String>,
    #[serde(default)]
    pub services: Vec<String>,
}

/// A recurring release window.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct WindowDoc {
    pub name: String,
    /// `mon` … `sun`.
    pub days: Vec<String>,
    /// `HH:MM`, local, inclusive.
    pub from: String,
    /// `HH:MM` (or `24:00`), local, exclusive.
    pub to: String,
}

/// A freeze.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct FreezeDoc {
    pub name: String,
    /// Local date-time, inclusive.
    pub from: String,
    /// Local date-time, exclusive.
    pub to: String,
    /// CEL over `release`: true exempts the release from the freeze.
    #[serde(default)]
    pub exempt: Option<String>,
}

/// A `kind: Environment` document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct EnvironmentDoc {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    #[serde(default)]
    pub spec: EnvironmentSpec,
}

/// An environment's rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct EnvironmentSpec {
    /// One release at a time (a shared environment).
    #[serde(default)]
    pub exclusive: bool,
}

/// A `kind: ReleasePlan` document: the releases intended together.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ReleasePlanDoc {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Services released together in one wave (a declared cycle).
    #[serde(default)]
    pub lockstep: Vec<LockstepDoc>,
    /// At most this many releases per wave.
    #[serde(default)]
    pub max_per_wave: Option<u32>,
    /// How far past its requested start a release may be moved (default
    /// 30 days).
    #[serde(default)]
    pub horizon: Option<Duration>,
    pub releases: Vec<ReleaseDoc>,
}

/// A lockstep group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct LockstepDoc {
    pub name: String,
    pub services: Vec<String>,
}

/// The change a release declares to its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum ChangeDoc {
    Patch,
    Additive,
    Breaking,
}

/// One intended release.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct ReleaseDoc {
    pub service: String,
    pub version: Version,
    /// standard, hotfix, security, … (what calendar exemptions read).
    #[serde(default = "standard")]
    pub kind: String,
    /// The API versions the release will provide.
    #[serde(default, deserialize_with = "crate::model::unique::map")]
    pub provides: BTreeMap<String, Version>,
    /// The declared change to its APIs.
    #[serde(default)]
    pub change: Option<ChangeDoc>,
    pub environment: String,
    pub window: RequestedWindow,
    #[serde(default)]
    pub team: Option<String>,
}

fn standard() -> String {
    "standard".to_string()
}

/// The requested window: `[start, start + duration)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RequestedWindow {
    pub start: Timestamp,
    pub duration: Duration,
}
