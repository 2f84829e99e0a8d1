//! Many services released together: the catalog (services, calendars,
//! environments), the dependency graph, API contracts (semantic versions
//! and OpenAPI documents), release waves, blast radius, calendars and the
//! schedule. The question is "can these releases go, in what order and
//! when?"; the answer is a [`Plan`](crate::Plan).

#![cfg_attr(not(test), allow(dead_code))]

pub(crate) mod calendar;
pub(crate) mod openapi;
