//! The calendars of a catalog: names, scopes (known services and
//! environments), windows and freezes resolved, and each freeze's
//! exemption compiled as CEL over `release`.

use std::collections::{BTreeMap, BTreeSet};

use super::services::bad_name;
use super::{Doc, err, valid_name};
use crate::error::{CatalogError, ErrorCode};
use crate::expr::suggest::did_you_mean;
use crate::expr::{CompiledExpr, Variables, Want};
use crate::limits::Limits;
use crate::model::shape::Shape;
use crate::plan::calendar::{Calendar, FreezeSpec, WindowSpec};
use crate::plan::catalog::ScopedCalendar;
use crate::plan::documents::CalendarDoc;

/// The shape exemptions read: `release`.
pub(crate) fn release_shape() -> Shape {
    let s = |pairs: &[(&str, Shape)]| {
        Shape::Object(std::sync::Arc::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ))
    };
    s(&[(
        "release",
        s(&[
            ("service", Shape::String),
            ("version", Shape::Version),
            ("kind", Shape::String),
            ("change", Shape::String),
            ("environment", Shape::String),
            ("team", Shape::String),
            ("start", Shape::Timestamp),
            ("duration", Shape::Duration),
            ("provides", Shape::Map(std::sync::Arc::new(Shape::Version))),
        ]),
    )])
}

/// The calendars, sorted by name, with their scopes and exemptions.
pub(super) fn calendars(
    docs: Vec<(CalendarDoc, &Doc)>,
    services: &BTreeMap<String, usize>,
    environments: &BTreeSet<String>,
    limits: &Limits,
    errors: &mut Vec<CatalogError>,
) -> Vec<ScopedCalendar> {
    let roots = release_shape();
    let mut out: Vec<ScopedCalendar> = Vec::new();
    let mut seen = BTreeSet::new();
    for (c, doc) in docs {
        let name = &c.metadata.name;
        if !valid_name(name) {
            errors.push(bad_name("calendar", name, doc.locs.at("metadata.name")));
            continue;
        }
        if !seen.insert(name.clone()) {
            errors.push(err(
                ErrorCode::DuplicateName,
                doc.locs.at("metadata.name"),
                format!("calendar `{name}` is defined twice"),
            ));
            continue;
        }
        let windows: Vec<WindowSpec<'_>> = c
            .spec
            .windows
            .iter()
            .map(|w| WindowSpec {
                name: &w.name,
                days: &w.days,
                from: &w.from,
                to: &w.to,
            })
            .collect();
        let freezes: Vec<FreezeSpec<'_>> = c
            .spec
            .freezes
            .iter()
            .map(|f| FreezeSpec {
                name: &f.name,
                from: &f.from,
                to: &f.to,
            })
            .collect();
        let calendar = match Calendar::new(name, &c.spec.time_zone, &windows, &freezes) {
            Ok(cal) => cal,
            Err(e) => {
                let mut ce = err(
                    ErrorCode::InvalidCalendar,
                    doc.locs.at(&format!("spec.{}", e.path)),
                    e.message,
                );
                ce.hint = e.hint;
                errors.push(ce);
                continue;
            }
        };
        let scope = &c.spec.applies_to;
        for (i, s) in scope.services.iter().enumerate() {
            if !services.contains_key(s) {
                errors.push(err(
                    ErrorCode::UnknownReference,
                    doc.locs.at(&format!("spec.appliesTo.services[{i}]")),
                    format!("unknown service `{s}`"),
                ));
            }
        }
        let env_list: Vec<&str> = environments.iter().map(String::as_str).collect();
        for (i, e) in scope.environments.iter().enumerate() {
            if !environments.contains(e) {
                let mut ce = err(
                    ErrorCode::UnknownReference,
                    doc.locs.at(&format!("spec.appliesTo.environments[{i}]")),
                    format!("unknown environment `{e}`: no service runs in it"),
                );
                ce.hint = did_you_mean(e, &env_list);
                errors.push(ce);
            }
        }
        let mut exemptions = Vec::new();
        for (i, f) in c.spec.freezes.iter().enumerate() {
            let compiled = f.exempt.as_ref().and_then(|src| {
                match CompiledExpr::compile(src, Want::Bool, &roots, &Variables::default(), limits)
                {
                    Ok(e) => Some(e),
                    Err(e) => {
                        let at =
                            doc.locs
                                .in_scalar(&format!("spec.freezes[{i}].exempt"), e.offset, src);
                        let mut ce = err(e.code, at, e.message);
                        ce.hint = e.hint;
                        errors.push(ce);
                        None
                    }
                }
            });
            exemptions.push(compiled);
        }
        out.push(ScopedCalendar {
            calendar,
            environments: scope.environments.iter().cloned().collect(),
            services: scope.services.iter().cloned().collect(),
            exemptions,
        });
    }
    out.sort_by(|a, b| a.calendar.name().cmp(b.calendar.name()));
    out
}
