//! One HTTP request, from its head to its answer: routing, the bearer
//! token, the body's type, size and read time, the concurrency bound, and
//! the hop to the decision pool.
//!
//! | route | answer |
//! |---|---|
//! | `GET /healthz` | `200 ok` while the process serves (no token needed) |
//! | `GET /readyz` | `200` and the bundle, its reloads and the last reload error (no token needed) |
//! | `GET /metrics` | Prometheus text |
//! | `GET /v1/bundle` | digest, policies, rules |
//! | `POST /v1/check`, `/v1/assess`, `/v1/plan`, `/v1/review` | the decision JSON |
//!
//! Statuses: `400` bad input (coded error JSON), `401` no or wrong token,
//! `404` unknown route (or `/v1/plan` without a catalog), `405` wrong
//! method, `408` body too slow, `413` body too large, `415` a body type
//! the service does not read, `503` over the concurrency bound or an
//! archive that could not record, `500` only for a fault of the service
//! itself (a contained panic).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response};

use crate::handlers::{self, Answer, BodyKind};
use crate::listen::Shared;

/// Serve one request; never fails (every problem is an answer).
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    shared.metrics.in_flight(1);
    let path = req.uri().path().to_string();
    let (answer, extra) = route(&shared, req).await;
    shared.metrics.in_flight(-1);
    shared.metrics.response(answer.status);
    Ok(response(answer, extra, &path))
}

/// Extra headers an answer needs.
#[derive(Default)]
struct Extra {
    allow: Option<&'static str>,
    bundle: Option<String>,
    content_type: Option<&'static str>,
}

fn response(answer: Answer, extra: Extra, path: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(answer.body)));
    *r.status_mut() = hyper::StatusCode::from_u16(answer.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(extra.content_type.unwrap_or(answer.content_type)),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(v) = answer.verdict {
        h.insert("release-policy-verdict", HeaderValue::from_static(v));
    }
    if let Some(d) = extra.bundle.and_then(|d| HeaderValue::from_str(&d).ok()) {
        h.insert("release-policy-bundle", d);
    }
    match answer.status {
        401 => {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"release-policy\""),
            );
        }
        405 => {
            if let Some(a) = extra.allow {
                h.insert(header::ALLOW, HeaderValue::from_static(a));
            }
        }
        503 if path.starts_with("/v1/") => {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        _ => {}
    }
    r
}

fn question(path: &str) -> Option<&'static str> {
    match path {
        "/v1/check" => Some("check"),
        "/v1/assess" => Some("assess"),
        "/v1/plan" => Some("plan"),
        "/v1/review" => Some("review"),
        _ => None,
    }
}

async fn route(shared: &Arc<Shared>, req: Request<Incoming>) -> (Answer, Extra) {
    let path = req.uri().path();
    let method = req.method().clone();
    let get = method == Method::GET || method == Method::HEAD;
    let text = |body: String, ct: &'static str| Answer {
        status: 200,
        verdict: None,
        code: None,
        content_type: ct,
        body: body.into_bytes(),
    };
    let wrong_method = |allow: &'static str| {
        (
            Answer::plain(
                405,
                &format!("`{method}` is not allowed here: use `{allow}`"),
                None,
            ),
            Extra {
                allow: Some(allow),
                ..Extra::default()
            },
        )
    };
    // Probes answer without a token: a kubelet has none.
    match path {
        "/healthz" if get => return (text("ok\n".into(), "text/plain"), Extra::default()),
        "/readyz" if get => {
            return (
                text(shared.readiness(), "application/json"),
                Extra::default(),
            );
        }
        "/healthz" | "/readyz" => return wrong_method("GET"),
        _ => {}
    }
    if !shared.authorized(
        req.headers()
            .get(header::AUTHORIZATION)
            .map(HeaderValue::as_bytes),
    ) {
        return (
            Answer::plain(
                401,
                "a bearer token is needed: `Authorization: Bearer TOKEN`",
                Some("the service's tokens are in its `--token-file`"),
            ),
            Extra::default(),
        );
    }
    let Some(served) = shared.current.get() else {
        return (
            Answer::plain(500, "no bundle is served", None),
            Extra::default(),
        );
    };
    let digest = served.bundle.digest().to_string();
    match (path, question(path)) {
        ("/metrics", _) if get => {
            return (
                text(shared.metrics.render(&digest), "text/plain"),
                Extra {
                    content_type: Some("text/plain; version=0.0.4; charset=utf-8"),
                    ..Extra::default()
                },
            );
        }
        ("/v1/bundle", _) if get => {
            return (
                text(handlers::bundle_json(&served), "application/json"),
                Extra {
                    bundle: Some(digest),
                    ..Extra::default()
                },
            );
        }
        ("/metrics" | "/v1/bundle", _) => return wrong_method("GET"),
        (_, Some(_)) if method != Method::POST => return wrong_method("POST"),
        (_, Some(q)) => {
            let answer = decide(shared, q, served, req).await;
            return (
                answer,
                Extra {
                    bundle: Some(digest),
                    ..Extra::default()
                },
            );
        }
        _ => {}
    }
    (
        Answer::plain(
            404,
            &format!("no route `{path}`"),
            Some(
                "the service answers `POST /v1/check`, `/v1/assess`, `/v1/plan`, `/v1/review` and `GET /v1/bundle`, `/healthz`, `/readyz`, `/metrics`",
            ),
        ),
        Extra::default(),
    )
}

async fn decide(
    shared: &Arc<Shared>,
    q: &'static str,
    served: Arc<crate::state::Served>,
    req: Request<Incoming>,
) -> Answer {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let Some(kind) = BodyKind::from_content_type(content_type) else {
        return Answer::plain(
            415,
            &format!(
                "`{}` is not a body this service reads",
                content_type.unwrap_or("")
            ),
            Some(
                "send `Content-Type: application/json` (or `application/yaml`; `application/x-ndjson` for review)",
            ),
        );
    };
    if kind == BodyKind::JsonLines && q != "review" {
        return Answer::plain(415, "JSON Lines is read by `/v1/review` only", None);
    }
    let max = shared.config.max_body_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return too_large(max);
    }
    // Over the bound: refuse at once rather than queue without limit.
    let Ok(_permit) = Arc::clone(&shared.permits).try_acquire_owned() else {
        return Answer::plain(
            503,
            "the service is at its concurrency limit",
            Some("retry after a second; raise `--max-concurrent` if this is steady load"),
        );
    };
    let query = req.uri().query().map(str::to_string);
    let read = tokio::time::timeout(
        shared.config.body_timeout,
        Limited::new(req.into_body(), max).collect(),
    )
    .await;
    let body = match read {
        Err(_) => {
            return Answer::plain(
                408,
                "the request body did not arrive in time",
                Some("the service waits `--body-timeout` for a body"),
            );
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(max),
        Ok(Err(e)) => {
            return Answer::plain(
                400,
                &format!("the request body could not be read: {e}"),
                None,
            );
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let started = Instant::now();
    let worker = Arc::clone(shared);
    let answer = shared
        .pool
        .run(move || {
            let req = handlers::Request {
                served: &served,
                body: &body,
                kind,
                query: query.as_deref(),
                archive: worker.archive.as_deref(),
            };
            match q {
                "check" => handlers::check(&req),
                "assess" => handlers::assess(&req),
                "plan" => handlers::plan(&req),
                _ => handlers::review(&req),
            }
        })
        .await
        .unwrap_or_else(|| Answer::plain(500, "the decision failed inside the service", None));
    shared.metrics.duration(q, started.elapsed());
    match (&answer.verdict, &answer.code) {
        (Some(v), _) => shared.metrics.decision(q, v),
        (None, Some(c)) => shared.metrics.error(q, c),
        (None, None) => shared.metrics.error(q, &answer.status.to_string()),
    }
    answer
}

fn too_large(max: usize) -> Answer {
    Answer::plain(
        413,
        &format!("the request body is over `{max}` bytes"),
        Some("the service reads at most `--max-body-bytes`"),
    )
}
