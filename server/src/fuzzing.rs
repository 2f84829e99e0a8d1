//! One request's input from arbitrary bytes, for the `serve_request` fuzz
//! target and its seeds test: everything a client controls past HTTP
//! framing (which hyper parses) — the route, the `Content-Type`, the
//! `Authorization` value, review's query and the body.
//!
//! The bytes are split at the first three `0x00` bytes into
//! `head \0 authorization \0 query \0 body`; the head's first byte picks the
//! route (`c`heck, `a`ssess, `p`lan, `r`eview) and the rest is the `Content-Type`. The invariants hold for every
//! input, and a violation panics (which the fuzzer reports):
//!
//! - an answer is `200` with a verdict header equal to the body's verdict,
//!   `400` with a coded error (`RP…`), `404` (plan without a catalog never
//!   happens here: the example catalog is served) or `415`;
//! - a token that is not exactly the configured one is refused.
//!
//! Not part of the supported API.

use std::sync::OnceLock;

use crate::auth::Tokens;
use crate::handlers::{self, Answer, BodyKind, Request};
use crate::state::Served;

const TOKEN: &str = "fuzz-token-0123456789";

fn served() -> Option<&'static Served> {
    static SERVED: OnceLock<Option<Served>> = OnceLock::new();
    SERVED
        .get_or_init(|| {
            let catalog =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/catalog");
            let bundle = release_policy::Bundle::try_builtin().ok()?;
            let catalog = release_policy::plan::Catalog::from_dir(
                catalog,
                &release_policy::Limits::default(),
            )
            .ok()?;
            Some(Served {
                bundle,
                catalog: Some(catalog),
                fingerprint: [0; 32],
            })
        })
        .as_ref()
}

/// Run one request made of `data`; the answer, or `None` when it stopped
/// before a handler (an unreadable content type, a refused token).
pub fn request_from_bytes(data: &[u8]) -> Option<Answer> {
    let mut parts = data.splitn(4, |b| *b == 0);
    let head = parts.next().unwrap_or_default();
    let authorization = parts.next().unwrap_or_default();
    let query = parts.next().and_then(|q| std::str::from_utf8(q).ok());
    let body = parts.next().unwrap_or_default();
    let tokens = Tokens::parse(TOKEN).ok()?;
    let allowed = tokens.allows(Some(authorization));
    // `Bearer` in any case, spaces, then exactly the token.
    let exact = authorization.len() > 7
        && authorization
            .get(..6)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"bearer"))
        && authorization
            .get(6..)
            .is_some_and(|t| t.trim_ascii() == TOKEN.as_bytes());
    assert!(
        !allowed || exact,
        "a token other than the configured one was allowed: {authorization:?}"
    );
    let (route, content_type) = head.split_first().unwrap_or((&0, &[]));
    let content_type = std::str::from_utf8(content_type).ok();
    let kind = BodyKind::from_content_type(content_type)?;
    let served = served()?;
    let req = Request {
        served,
        body,
        kind,
        query,
        archive: None,
    };
    let answer = match route {
        b'c' => handlers::check(&req),
        b'a' => handlers::assess(&req),
        b'p' => handlers::plan(&req),
        b'r' => handlers::review(&req),
        other => match other % 4 {
            0 => handlers::check(&req),
            1 => handlers::assess(&req),
            2 => handlers::plan(&req),
            _ => handlers::review(&req),
        },
    };
    let json: serde_json::Value = serde_json::from_slice(&answer.body)
        .unwrap_or_else(|e| panic!("an answer that is not JSON ({e})"));
    match answer.status {
        200 => {
            let verdict = answer
                .verdict
                .unwrap_or_else(|| panic!("a 200 without a verdict"));
            let body_verdict = json
                .get("verdict")
                .or_else(|| json.get("outcome"))
                .and_then(serde_json::Value::as_str);
            assert_eq!(
                Some(verdict),
                body_verdict,
                "the header and the body disagree"
            );
        }
        400 => {
            let code = json
                .get("code")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("");
            assert!(code.starts_with("RP"), "a 400 without a code: {json}");
            assert!(answer.verdict.is_none());
        }
        other => panic!("status {other} for input: {json}"),
    }
    Some(answer)
}
