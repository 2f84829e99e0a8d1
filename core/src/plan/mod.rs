//! Many services released together: the catalog (services, calendars,
//! environments), the dependency graph, API contracts (semantic versions
//! and OpenAPI documents), release waves, blast radius, calendars and the
//! schedule. The question is "can these releases go, in what order and
//! when?"; the answer is a [`Plan`].
//!
//! - [`documents`]: the catalog and release-plan documents as written;
//! - [`compile`]: reading them, located errors, the [`Catalog`] and
//!   [`ReleasePlan`] built ([`catalog`]);
//! - [`calendar`]: windows and freezes in local time resolved to UTC;
//! - [`openapi`]: OpenAPI documents and the breaking changes between two;
//! - [`contracts`]: requirements, major bumps, OpenAPI changes;
//! - [`graph`]: waves, cycles and blast radius (petgraph);
//! - [`schedule`]: conflicts of the requested windows and the proposal;
//! - [`evaluate`]: the plan and its verdict; [`result`]: what it returns;
//!   [`render`]: text, Markdown, DOT and Mermaid;
//! - [`context`]: what `check` with a catalog binds for one release
//!   (`graph`, `calendar`).

pub(crate) mod calendar;
pub(crate) mod catalog;
pub(crate) mod compile;
pub(crate) mod context;
pub(crate) mod contracts;
pub(crate) mod documents;
pub(crate) mod evaluate;
pub(crate) mod graph;
pub(crate) mod openapi;
pub(crate) mod render;
pub(crate) mod result;
pub(crate) mod schedule;

pub use catalog::{Catalog, ChangeKind, ReleasePlan};
pub use result::{
    BlastRadius, Conflict, ConflictKind, Cycle, Dependency, Deployability, Plan, PlanVerdict,
    PlannedRelease, Reach, Violation, ViolationKind, Wave, Window,
};
