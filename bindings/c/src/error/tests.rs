//! Tests of the error module: every engine error variant mapped to its
//! status and details, and the accessors (on NULL too).

use super::*;
use crate::buf::{rp_buf, rp_str};
use release_policy_core::{
    CatalogError, Error, ErrorCode, FactsError, PolicyError, SourceLocation,
};

fn code_of(e: &rp_error) -> Option<String> {
    // SAFETY: `e` is a live error.
    let p = unsafe { rp_error_code(e) };
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-NULL code is a NUL-terminated string owned by `e`.
    let s = unsafe { std::ffi::CStr::from_ptr(p) };
    Some(s.to_string_lossy().into_owned())
}

fn text(s: rp_str) -> Option<String> {
    if s.data.is_null() {
        return None;
    }
    // SAFETY: a non-NULL `rp_str` points to `len + 1` bytes, the last NUL.
    let bytes = unsafe { std::slice::from_raw_parts(s.data.cast::<u8>(), s.len + 1) };
    assert_eq!(bytes.last(), Some(&0), "rp_str not NUL-terminated");
    Some(String::from_utf8_lossy(bytes.split_last().map_or(&[][..], |(_, b)| b)).into_owned())
}

fn policy_error(line: usize, rule: &str) -> PolicyError {
    PolicyError::new(
        ErrorCode::UnknownFunction,
        SourceLocation::new("p.yaml", line, 7),
        "unknown function `fo`",
    )
    .with_rule(rule)
    .with_hint("did you mean `foo`?")
}

/// Every variant of the engine's error, with the status it must map to.
fn every_variant() -> Vec<(Error, rp_status)> {
    let mut facts = FactsError::new(
        ErrorCode::FactsWrongType,
        "invalid type: integer `5`, expected a string",
    )
    .at("$.release.id");
    facts.position = Some((3, 9));
    vec![
        (
            Error::Policy(Box::new(policy_error(4, "g"))),
            RP_STATUS_POLICY_ERROR,
        ),
        (
            Error::Policies(vec![policy_error(4, "g1"), policy_error(9, "g2")]),
            RP_STATUS_POLICY_ERROR,
        ),
        (Error::Facts(Box::new(facts)), RP_STATUS_FACTS_ERROR),
        (
            Error::evaluation(ErrorCode::BuiltinPackBroken, "pack broken"),
            RP_STATUS_EVALUATION_ERROR,
        ),
        (
            Error::io(ErrorCode::NotADirectory, "nowhere/", "no such directory"),
            RP_STATUS_IO_ERROR,
        ),
        (
            Error::Catalog(vec![catalog_error(8, "paymnts"), catalog_error(12, "x")]),
            RP_STATUS_CATALOG_ERROR,
        ),
    ]
}

#[test]
fn every_engine_error_variant_maps_to_its_status_and_keeps_its_text() {
    for (engine_error, status) in every_variant() {
        // Fails to compile when a variant is renamed or reshaped; a new
        // variant must be added to `every_variant` (and to the mapping).
        match &engine_error {
            Error::Policy(_)
            | Error::Policies(_)
            | Error::Facts(_)
            | Error::Evaluation { .. }
            | Error::Catalog(_)
            | Error::Io { .. } => {}
            _ => unreachable!(),
        }
        let e = rp_error::from_engine(&engine_error);
        assert_eq!(e.status, status, "{engine_error:?}");
        // The engine's text, each problem followed by its hint.
        let first = engine_error.to_string();
        let first = first.lines().next().unwrap_or_default();
        assert!(e.display().starts_with(first), "{}", e.display());
        assert_eq!(
            code_of(&e).as_deref(),
            Some(engine_error.code().as_str()),
            "{engine_error:?}"
        );
        assert!(!e.details.is_empty());
        assert_ne!(status, RP_STATUS_OTHER_ERROR);
    }
}

#[test]
fn policy_errors_keep_location_rule_and_hint() {
    let e = rp_error::from_engine(&Error::Policies(vec![
        policy_error(4, "g1"),
        policy_error(9, "g2"),
    ]));
    let p: *const rp_error = &e;
    // SAFETY: `p` points to a live error.
    unsafe {
        assert_eq!(rp_error_count(p), 2);
        assert_eq!(text(rp_error_file(p)).as_deref(), Some("p.yaml"));
        assert_eq!((rp_error_line(p), rp_error_column(p)), (4, 7));
        assert_eq!(text(rp_error_rule(p)).as_deref(), Some("g1"));
        assert_eq!(
            text(rp_error_message(p)).as_deref(),
            Some("unknown function `fo`")
        );
        assert_eq!(
            text(rp_error_hint(p)).as_deref(),
            Some("did you mean `foo`?")
        );
        assert_eq!(text(rp_error_json_path(p)), None);
        let d = text(rp_error_display(p)).unwrap_or_default();
        assert_eq!(
            d,
            "p.yaml:4:7: unknown function `fo`\n  hint: did you mean `foo`?\np.yaml:9:7: unknown function `fo`\n  hint: did you mean `foo`?"
        );
    }
    assert_eq!(code_of(&e).as_deref(), Some("RP0209"));
    let j: Value = serde_json::from_str(&e.to_json()).unwrap_or_default();
    assert_eq!(j["status"], 3);
    assert_eq!(j["kind"], "policy");
    assert_eq!(j["errors"][1]["rule"], "g2");
    assert_eq!(j["errors"][1]["line"], 9);
    assert_eq!(j["errors"][0]["hint"], "did you mean `foo`?");
    assert_eq!(j["errors"][1]["code"], "RP0209");
}

fn catalog_error(line: usize, service: &str) -> CatalogError {
    CatalogError::new(
        ErrorCode::UnknownReference,
        SourceLocation::new("services.yaml", line, 17),
        format!("service `{service}` is not in the catalog"),
    )
    .with_hint("did you mean `payments`?")
}

#[test]
fn catalog_errors_keep_every_location_and_hint() {
    let (err, _) = every_variant().swap_remove(5);
    let e = rp_error::from_engine(&err);
    let p: *const rp_error = &e;
    // SAFETY: `p` points to a live error.
    unsafe {
        assert_eq!(rp_error_status(p), RP_STATUS_CATALOG_ERROR);
        assert_eq!(rp_error_count(p), 2);
        assert_eq!(text(rp_error_file(p)).as_deref(), Some("services.yaml"));
        assert_eq!((rp_error_line(p), rp_error_column(p)), (8, 17));
        assert_eq!(
            text(rp_error_message(p)).as_deref(),
            Some("service `paymnts` is not in the catalog")
        );
        assert_eq!(
            text(rp_error_hint(p)).as_deref(),
            Some("did you mean `payments`?")
        );
        assert_eq!(text(rp_error_rule(p)), None);
        assert_eq!(
            text(rp_error_display(p)).as_deref(),
            Some(
                "services.yaml:8:17: service `paymnts` is not in the catalog\n  hint: did you mean `payments`?\nservices.yaml:12:17: service `x` is not in the catalog\n  hint: did you mean `payments`?"
            )
        );
    }
    assert_eq!(code_of(&e).as_deref(), Some("RP0805"));
    let j: Value = serde_json::from_str(&e.to_json()).unwrap_or_default();
    assert_eq!(j["kind"], "catalog");
    assert_eq!(j["status"], 10);
    assert_eq!(j["errors"][1]["line"], 12);
    assert_eq!(j["errors"][1]["file"], "services.yaml");
    assert_eq!(j["errors"][0]["code"], "RP0805");
}

#[test]
fn facts_errors_keep_path_and_position() {
    let (err, _) = every_variant().swap_remove(2);
    let e = rp_error::from_engine(&err);
    let p: *const rp_error = &e;
    // SAFETY: `p` points to a live error.
    unsafe {
        assert_eq!(text(rp_error_json_path(p)).as_deref(), Some("$.release.id"));
        assert_eq!((rp_error_line(p), rp_error_column(p)), (3, 9));
        assert_eq!(text(rp_error_file(p)), None);
    }
    assert_eq!(code_of(&e).as_deref(), Some("RP0403"));
    let j: Value = serde_json::from_str(&e.to_json()).unwrap_or_default();
    assert_eq!(j["errors"][0]["path"], "$.release.id");
    assert_eq!(j["errors"][0]["code"], "RP0403");
    assert_eq!(j["kind"], "facts");
}

#[test]
fn io_errors_name_the_path() {
    let e = rp_error::from_engine(&Error::io(ErrorCode::ReadFailed, "d/", "gone"));
    let p: *const rp_error = &e;
    // SAFETY: `p` points to a live error.
    unsafe {
        assert_eq!(text(rp_error_file(p)).as_deref(), Some("d/"));
        assert_eq!(text(rp_error_message(p)).as_deref(), Some("gone"));
    }
    assert_eq!(code_of(&e).as_deref(), Some("RP0601"));
}

#[test]
fn accessors_on_null_are_absent_not_a_crash() {
    let p: *const rp_error = std::ptr::null();
    // SAFETY: NULL is allowed.
    unsafe {
        assert_eq!(rp_error_status(p), RP_STATUS_NULL_ARGUMENT);
        assert_eq!(text(rp_error_message(p)), None);
        assert_eq!(text(rp_error_display(p)), None);
        assert_eq!(rp_error_count(p), 0);
        assert_eq!(rp_error_line(p), 0);
        assert!(rp_error_code(p).is_null());
        let mut buf = rp_buf {
            data: std::ptr::null_mut(),
            len: 0,
        };
        assert_eq!(rp_error_to_json(p, &mut buf), RP_STATUS_NULL_ARGUMENT);
        assert!(buf.data.is_null(), "out-parameter written on failure");
        rp_error_free(std::ptr::null_mut());
    }
}
