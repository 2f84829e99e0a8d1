//! The answer to "can these releases go, in what order and when?": a
//! [`Plan`] with its verdict, contract violations, cycles, waves, blast
//! radius, schedule conflicts and a proposed conflict-free schedule.

use serde::Serialize;

use super::catalog::ChangeKind;
use crate::model::Timestamp;

/// The plan's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PlanVerdict {
    /// Every release can go as requested (exit 0).
    Ok,
    /// A contract violation, a cycle or a freeze stops the plan (exit 1).
    Blocked,
    /// Conflicts with a proposed resolution a release manager must accept
    /// or edit (exit 3).
    NeedsDecision,
}

impl PlanVerdict {
    /// `ok`, `blocked`, `needsDecision`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanVerdict::Ok => "ok",
            PlanVerdict::Blocked => "blocked",
            PlanVerdict::NeedsDecision => "needsDecision",
        }
    }

    /// The CLI's exit code: 0, 1, 3.
    pub fn exit_code(self) -> i32 {
        match self {
            PlanVerdict::Ok => 0,
            PlanVerdict::Blocked => 1,
            PlanVerdict::NeedsDecision => 3,
        }
    }
}

/// The plan for a set of releases.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// ok, blocked or needs a decision.
    pub verdict: PlanVerdict,
    /// One line for people.
    pub summary: String,
    /// The release plan's name.
    pub name: String,
    /// Every release, in the order of the release plan.
    pub releases: Vec<PlannedRelease>,
    /// Providers before consumers.
    pub waves: Vec<Wave>,
    /// API contracts a release would break (blocking).
    pub violations: Vec<Violation>,
    /// Hard-dependency cycles among the released services that no
    /// lockstep group declares (blocking).
    pub cycles: Vec<Cycle>,
    /// Schedule problems of the requested windows; a freeze or a release
    /// that finds no slot is blocking, the others need a decision.
    pub conflicts: Vec<Conflict>,
}

/// A release as planned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedRelease {
    /// `service@environment`, the release's name in the plan.
    pub id: String,
    /// The service.
    pub service: String,
    /// Its new version.
    pub version: String,
    /// standard, hotfix, security, …
    pub kind: String,
    /// The declared API change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeKind>,
    /// The target environment.
    pub environment: String,
    /// The service's tier.
    pub tier: u8,
    /// The team that owns the service.
    pub owner: String,
    /// The wave it goes in (1-based).
    pub wave: usize,
    /// The window asked for.
    pub requested: Window,
    /// The earliest conflict-free window, if one exists within the
    /// horizon.
    pub proposed: Option<Window>,
    /// Whether the proposal differs from the request.
    pub moved: bool,
    /// Why it moved (or could not be placed), one line each.
    pub reasons: Vec<String>,
    /// The calendars that govern it.
    pub calendars: Vec<String>,
    /// Freezes it overlaps that its exemption lifts (`calendar/freeze`).
    pub exempted: Vec<String>,
    /// Who depends on it in its environment.
    pub blast_radius: BlastRadius,
    /// The releases of this plan (same environment) it depends on
    /// directly.
    pub depends_on: Vec<Dependency>,
}

/// A direct dependency between two releases of a plan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dependency {
    /// The provider's release id.
    pub release: String,
    /// Hard (the consumer fails without it) or soft.
    pub hard: bool,
}

/// A half-open window `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    /// Inclusive start.
    #[serde(serialize_with = "crate::model::serialize_timestamp")]
    pub start: Timestamp,
    /// Exclusive end.
    #[serde(serialize_with = "crate::model::serialize_timestamp")]
    pub end: Timestamp,
}

/// One wave: releases that may go together once the waves before are done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Wave {
    /// 1-based.
    pub number: usize,
    /// Release ids (`service@environment`), sorted.
    pub releases: Vec<String>,
}

/// The transitive dependents of a release in its environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlastRadius {
    /// Dependents reached over hard dependencies only.
    pub hard: Reach,
    /// Every other transitive dependent.
    pub soft: Reach,
    /// Tier-weighted total: each dependent counts 8, 4, 2, 1 for tiers
    /// 1–4, soft ones half.
    pub weight: f64,
    /// The path to the most critical dependent (lowest tier, then
    /// nearest, then name), release first; empty without dependents.
    pub worst_path: Vec<String>,
}

/// Dependents of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reach {
    /// How many.
    pub count: usize,
    /// How many of each tier, 1 to 4.
    pub by_tier: [usize; 4],
    /// Their names, sorted (at most 50; `count` has them all).
    pub services: Vec<String>,
}

/// What a contract violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationKind {
    /// The provider's new API version does not satisfy a consumer's
    /// requirement.
    RequirementNotMet,
    /// A breaking change is declared without a major version bump.
    BreakingWithoutMajor,
    /// Comparing the OpenAPI documents finds a breaking change the release
    /// does not declare with a major bump.
    UndeclaredBreakingChange,
    /// A consumer uses an operation the new API no longer offers.
    UsedOperationRemoved,
    /// The running API version has an OpenAPI document and the new one has
    /// none in the catalog: the documents cannot be compared, so the
    /// release is not let through unchecked.
    MissingOpenApi,
    /// The release names no API versions, the catalog lists none at its
    /// version, and the version is a major bump over what runs (or nothing
    /// runs): what it provides cannot be known, so its consumers' contracts
    /// cannot be checked.
    UnknownApiVersion,
}

impl ViolationKind {
    /// The kind's stable id (`requirement-not-met`).
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::RequirementNotMet => "requirement-not-met",
            ViolationKind::BreakingWithoutMajor => "breaking-without-major",
            ViolationKind::UndeclaredBreakingChange => "undeclared-breaking-change",
            ViolationKind::UsedOperationRemoved => "used-operation-removed",
            ViolationKind::MissingOpenApi => "missing-openapi",
            ViolationKind::UnknownApiVersion => "unknown-api-version",
        }
    }
}

/// A contract a release would break.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The release (`service@environment`).
    pub release: String,
    /// What kind.
    pub kind: ViolationKind,
    /// The provider.
    pub provider: String,
    /// The consumer whose contract breaks, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumer: Option<String>,
    /// The API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// The OpenAPI change, when one was found (`operation-removed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    /// Why, in one line.
    pub message: String,
}

/// A hard-dependency cycle among released services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cycle {
    /// The environment.
    pub environment: String,
    /// The cycle, consumer → provider, the first service repeated last.
    pub path: Vec<String>,
    /// The released services in it, sorted.
    pub released: Vec<String>,
    /// Why, in one line.
    pub message: String,
}

/// What a schedule conflict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// The requested window is not inside a release window of a calendar
    /// that governs the release.
    OutsideWindow,
    /// The requested window overlaps a freeze and no exemption lifts it
    /// (blocking).
    Freeze,
    /// Two releases overlap in an exclusive environment.
    ExclusiveEnvironment,
    /// Two interdependent services are released at overlapping times.
    InterdependentOverlap,
    /// A consumer is released before the provider it depends on ends.
    ConsumerBeforeProvider,
    /// A wave starts before the wave before it ends.
    WaveOrder,
    /// No conflict-free window exists within the horizon (blocking).
    NoSlot,
}

impl ConflictKind {
    /// The kind's stable id (`outside-window`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::OutsideWindow => "outside-window",
            ConflictKind::Freeze => "freeze",
            ConflictKind::ExclusiveEnvironment => "exclusive-environment",
            ConflictKind::InterdependentOverlap => "interdependent-overlap",
            ConflictKind::ConsumerBeforeProvider => "consumer-before-provider",
            ConflictKind::WaveOrder => "wave-order",
            ConflictKind::NoSlot => "no-slot",
        }
    }

    /// Whether it blocks the plan (a freeze, no slot) rather than asking
    /// for a decision.
    pub fn is_blocking(self) -> bool {
        matches!(self, ConflictKind::Freeze | ConflictKind::NoSlot)
    }
}

/// A schedule conflict of the requested windows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// What kind.
    pub kind: ConflictKind,
    /// The releases involved (`service@environment`).
    pub releases: Vec<String>,
    /// Whether it blocks the plan.
    pub blocking: bool,
    /// Why, in one line.
    pub message: String,
}

/// The answer of `can-i-deploy`: may this version of a service go to an
/// environment, as far as the API contracts of the catalog tell?
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployability {
    /// Whether no contract breaks.
    pub deployable: bool,
    /// The service.
    pub service: String,
    /// The version asked about.
    pub version: String,
    /// The environment.
    pub environment: String,
    /// The API versions that version provides, by the catalog.
    pub provides: std::collections::BTreeMap<String, String>,
    /// The contracts it would break.
    pub violations: Vec<Violation>,
    /// Who depends on it there.
    pub blast_radius: BlastRadius,
    /// One line for people.
    pub summary: String,
}

impl Deployability {
    /// As JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl Plan {
    /// The plan as JSON (`release-policy plan --format json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The release with id `id` (`service@environment`).
    pub fn release(&self, id: &str) -> Option<&PlannedRelease> {
        self.releases.iter().find(|r| r.id == id)
    }
}
