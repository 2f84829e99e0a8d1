//! What a release policy reads of a catalog: the `graph` and `calendar`
//! roots. They are never part of the input facts (the facts schema refuses
//! them, so a CI system cannot claim a contract holds); the library
//! computes them from a catalog for the release being checked
//! (`Bundle::check_with_catalog`). Without a catalog both roots are
//! `null`, so a rule that reads them fails closed and a pack rule guards
//! itself with `when: graph != null`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::types::Timestamp;

/// The roots `graph` and `calendar` for one release.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CatalogFacts {
    /// The release's service in the dependency graph.
    pub graph: GraphFacts,
    /// The calendars that govern the release, at the facts' `now`.
    pub calendar: CalendarFacts,
}

/// The release's service in the dependency graph of the catalog, in the
/// release's environment.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GraphFacts {
    /// The service, as the catalog names it.
    pub service: String,
    /// Its tier (1 is the most critical).
    pub tier: i64,
    /// Its owner team.
    pub owner: String,
    /// What it depends on, one entry per dependency.
    pub providers: Vec<ProviderFacts>,
    /// Every service that depends on it, directly or transitively, and
    /// runs in the environment, sorted by name.
    pub dependents: Vec<DependentFacts>,
    /// The blast radius of a release of it there.
    pub blast_radius: BlastRadiusFacts,
    /// Whether the release keeps its consumers' contracts
    /// (`can-i-deploy`).
    pub contract: ContractFacts,
}

/// One dependency of the release's service.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProviderFacts {
    /// The provider.
    pub service: String,
    /// The API it is used through, when the dependency names one.
    pub api: Option<String>,
    /// The semver requirement on that API, as written (`^3.1`).
    pub requires: Option<String>,
    /// `hard` or `soft`.
    pub kind: String,
    /// The provider's version deployed in the environment, if any.
    pub deployed: Option<String>,
    /// Whether the API version running there satisfies `requires`
    /// (`true` without a requirement; `false` when nothing runs there).
    pub satisfied: bool,
}

/// One dependent of the release's service.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DependentFacts {
    /// The dependent.
    pub service: String,
    /// Its tier.
    pub tier: i64,
    /// `hard` when reached over hard dependencies only, else `soft`.
    pub kind: String,
}

/// The blast radius: how many dependents a failure of the release reaches.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BlastRadiusFacts {
    /// Dependents reached over hard dependencies only.
    pub hard: i64,
    /// Every other transitive dependent.
    pub soft: i64,
    /// Tier-1 dependents, hard and soft.
    pub tier1: i64,
    /// Tier-weighted total: 8, 4, 2, 1 for tiers 1–4, soft ones half.
    pub weight: f64,
    /// The path to the most critical dependent, the service first.
    pub worst_path: Vec<String>,
}

/// The contract status of the release.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContractFacts {
    /// No consumer's contract breaks.
    pub ok: bool,
    /// The API versions the release provides, API → version.
    pub provides: BTreeMap<String, String>,
    /// The broken contracts.
    pub violations: Vec<ContractViolation>,
}

/// One broken contract.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ContractViolation {
    /// What kind (`requirement-not-met`, `operation-removed`, …).
    pub kind: String,
    /// The consumer whose contract breaks, when one does.
    pub consumer: Option<String>,
    /// The API.
    pub api: Option<String>,
    /// Why, in one line.
    pub message: String,
}

/// The calendars that govern the release, at the facts' `now`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CalendarFacts {
    /// The governing calendars' names.
    pub calendars: Vec<String>,
    /// Per window name of a governing calendar: whether `now` is inside
    /// it (in every governing calendar that has a window of that name).
    /// `inWindow(name)` reads this.
    pub windows: BTreeMap<String, bool>,
    /// Whether `now` is inside a window of every governing calendar that
    /// has windows (`true` when none has).
    pub in_window: bool,
    /// Whether `now` is inside a freeze that no exemption lifts for this
    /// release. `frozen()` reads this.
    pub frozen: bool,
    /// The freezes in force at `now`, exempted or not.
    pub freezes: Vec<FreezeFacts>,
}

/// A freeze in force at `now`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FreezeFacts {
    /// `calendar/freeze`.
    pub name: String,
    /// Whether its exemption lifts it for this release.
    pub exempt: bool,
    /// When it ends.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub until: Timestamp,
    /// Why its exemption could not be evaluated, when it could not (the
    /// freeze then holds).
    pub error: Option<String>,
}

/// A service downstream of a rollout's (a transitive dependent running in
/// the rollout's environment), with the path that leads to it: what
/// `assess` with a catalog attributes a cascading failure along.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Downstream {
    /// The dependent.
    pub service: String,
    /// Its tier.
    pub tier: u8,
    /// The shortest path from the rollout's service to it, both included.
    pub path: Vec<String>,
    /// Whether every step of that path is a hard dependency.
    pub hard: bool,
}
