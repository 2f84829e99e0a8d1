//! The four questions over HTTP: a request body in, the CLI's JSON out.
//!
//! Each handler reads the body as the CLI reads a file (the same parser and
//! limits: JSON is read as the YAML subset it is, so duplicate keys, aliases
//! and oversized inputs are refused the same way), asks the bundle, and
//! answers with the same bytes `--format json` prints. Errors become a
//! [`Answer`] with status `400` and the coded error as JSON:
//!
//! ```json
//! {"code": "RP0201", "message": "…", "location": "request: line 3 column 5, at `$.release`", "hint": "…"}
//! ```
//!
//! with an `errors` array when there are several (a catalog's, say). An
//! archive that cannot record answers `503`: a decision that could not be
//! kept is not given.
//!
//! Handlers are synchronous: they run on the decision pool, never on the
//! runtime's reactor threads.

use release_policy::plan::ReleasePlan;
use release_policy::review::{Period, Records, ReviewOptions, Thresholds};
use release_policy::{Error, ErrorCode, Facts, RolloutFacts};

use crate::state::Served;

/// The name request bodies carry in error locations.
pub const INPUT: &str = "request";

/// An HTTP answer, before it is put on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The verdict, for the `Release-Policy-Verdict` header.
    pub verdict: Option<&'static str>,
    /// The error code, for the metrics (`None` for a decision).
    pub code: Option<String>,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// A `200` JSON answer with its verdict.
    fn decided(verdict: &'static str, json: String) -> Answer {
        Answer {
            status: 200,
            verdict: Some(verdict),
            code: None,
            content_type: "application/json",
            body: json.into_bytes(),
        }
    }

    /// An error answer: `400` for the request's input, `503` for an archive
    /// that could not record.
    pub fn error(e: &Error) -> Answer {
        let status = match e {
            Error::Audit { .. } => 503,
            _ => 400,
        };
        Answer {
            status,
            verdict: None,
            code: Some(e.code().to_string()),
            content_type: "application/json",
            body: (error_json(e).to_string() + "\n").into_bytes(),
        }
    }

    /// A JSON answer with `status` and a message, for problems of the
    /// request itself that carry no `RP` code (an unknown route, a missing
    /// token, a body too large).
    pub fn plain(status: u16, message: &str, hint: Option<&str>) -> Answer {
        let mut v = serde_json::json!({ "message": message });
        if let (Some(h), Some(o)) = (hint, v.as_object_mut()) {
            o.insert("hint".into(), h.into());
        }
        Answer {
            status,
            verdict: None,
            code: None,
            content_type: "application/json",
            body: (v.to_string() + "\n").into_bytes(),
        }
    }
}

fn one_error(
    code: ErrorCode,
    text: String,
    location: Option<String>,
    hint: Option<&str>,
) -> serde_json::Value {
    // `Display` is `location: message`; the message is given without it.
    let message = match &location {
        Some(l) => text
            .strip_prefix(&format!("{l}: "))
            .map_or(text.clone(), str::to_string),
        None => text,
    };
    serde_json::json!({
        "code": code.to_string(),
        "message": message,
        "location": location,
        "hint": hint,
    })
}

/// The coded error as JSON: `code`, `message`, `location`, `hint`, and
/// `errors` (every one) when there are several.
pub fn error_json(e: &Error) -> serde_json::Value {
    let mut all: Vec<serde_json::Value> = match e {
        Error::Catalog(es) => es
            .iter()
            .map(|c| {
                one_error(
                    c.code(),
                    c.to_string(),
                    Some(c.location.to_string()),
                    c.hint(),
                )
            })
            .collect(),
        _ => e
            .policy_errors()
            .iter()
            .map(|p| {
                one_error(
                    p.code(),
                    p.to_string(),
                    Some(p.location.to_string()),
                    p.hint(),
                )
            })
            .collect(),
    };
    if all.len() <= 1 {
        return one_error(e.code(), e.to_string(), e.location(), e.hint());
    }
    let mut first = all.first().cloned().unwrap_or_default();
    if let Some(o) = first.as_object_mut() {
        o.insert(
            "errors".into(),
            serde_json::Value::Array(std::mem::take(&mut all)),
        );
    }
    first
}

/// How the body is written, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json` (also when no type is given).
    Json,
    /// `application/yaml` (`application/x-yaml`, `text/yaml`).
    Yaml,
    /// `application/x-ndjson` or `application/jsonl`: release records only.
    JsonLines,
}

impl BodyKind {
    /// The kind a `Content-Type` names; `None` for a type the service does
    /// not read (`415`).
    pub fn from_content_type(value: Option<&str>) -> Option<BodyKind> {
        let Some(value) = value else {
            return Some(BodyKind::Json);
        };
        let essence = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/json" | "" => Some(BodyKind::Json),
            "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => {
                Some(BodyKind::Yaml)
            }
            "application/x-ndjson" | "application/jsonl" | "application/jsonlines" => {
                Some(BodyKind::JsonLines)
            }
            _ => None,
        }
    }

    /// The name the body goes by in error locations (its extension picks
    /// the records reader).
    fn name(self) -> &'static str {
        match self {
            BodyKind::Json => "request.json",
            BodyKind::Yaml => "request.yaml",
            BodyKind::JsonLines => "request.jsonl",
        }
    }
}

/// A decision request: the question's body and query, on one bundle.
pub struct Request<'a> {
    /// What is served (the bundle the request started on).
    pub served: &'a Served,
    /// The body.
    pub body: &'a [u8],
    /// How it is written.
    pub kind: BodyKind,
    /// The query string (review's period and filters).
    pub query: Option<&'a str>,
    /// Where to record the decision, if anywhere.
    pub archive: Option<&'a std::sync::Mutex<Box<dyn release_policy_archive::Archive>>>,
}

/// Record the entry `entry` makes, when the service keeps an archive (the
/// entry, with its JSON and digests, is only built then).
fn record(
    req: &Request<'_>,
    entry: impl FnOnce() -> release_policy::audit::Entry,
) -> Result<(), Error> {
    let Some(archive) = req.archive else {
        return Ok(());
    };
    let entry = entry();
    let mut guard = archive.lock().map_err(|_| {
        Error::audit(
            ErrorCode::ArchiveUnavailable,
            None,
            "the archive's lock is poisoned",
        )
    })?;
    release_policy_archive::record(guard.as_mut(), Some(&req.served.bundle), entry).map(|_| ())
}

fn text(body: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(body).map_err(|e| {
        Error::io(
            ErrorCode::ReadFailed,
            INPUT,
            format!("the body is not UTF-8 text (at byte {})", e.valid_up_to()),
        )
    })
}

fn facts_error(e: release_policy::FactsError) -> Error {
    Error::from(e.with_input(INPUT))
}

/// `POST /v1/check`.
pub fn check(req: &Request<'_>) -> Answer {
    let run = || -> Result<Answer, Error> {
        let limits = req.served.bundle.limits();
        let facts = Facts::from_slice(req.body, limits).map_err(facts_error)?;
        let decision = match &req.served.catalog {
            Some(c) => req.served.bundle.check_with_catalog(&facts, c),
            None => req.served.bundle.check(&facts),
        }?;
        record(req, || decision.audit_entry(&facts))?;
        Ok(Answer::decided(
            decision.verdict().as_str(),
            decision.to_json_pretty() + "\n",
        ))
    };
    run().unwrap_or_else(|e| Answer::error(&e))
}

/// `POST /v1/assess`.
pub fn assess(req: &Request<'_>) -> Answer {
    let run = || -> Result<Answer, Error> {
        let limits = req.served.bundle.limits();
        let facts = RolloutFacts::from_slice(req.body, limits).map_err(facts_error)?;
        let assessment = match &req.served.catalog {
            Some(c) => req.served.bundle.assess_with_catalog(&facts, c),
            None => req.served.bundle.assess(&facts),
        }?;
        record(req, || assessment.audit_entry(&facts))?;
        Ok(Answer::decided(
            assessment.verdict().as_str(),
            assessment.to_json_pretty() + "\n",
        ))
    };
    run().unwrap_or_else(|e| Answer::error(&e))
}

/// `POST /v1/plan`: a release plan, against the service's catalog.
pub fn plan(req: &Request<'_>) -> Answer {
    let Some(catalog) = &req.served.catalog else {
        return Answer::plain(
            404,
            "`/v1/plan` needs a catalog, and this service has none",
            Some("start the service with `--catalog PATH`"),
        );
    };
    let run = || -> Result<Answer, Error> {
        let bundle = &req.served.bundle;
        let intended =
            ReleasePlan::from_yaml_str(req.kind.name(), text(req.body)?, bundle.limits())?;
        let plan = bundle.plan(catalog, &intended)?;
        record(req, || {
            let inputs = serde_json::json!({
                "releasePlan": INPUT,
                "releasePlanDigest": release_policy::audit::Entry::digest_of(req.body),
            });
            plan.audit_entry(bundle, chrono::Utc::now(), &inputs)
        })?;
        Ok(Answer::decided(
            plan.verdict.as_str(),
            plan.to_json() + "\n",
        ))
    };
    run().unwrap_or_else(|e| Answer::error(&e))
}

/// `POST /v1/review`: release records in the body; the period and filters
/// in the query (`from`, `to`, `service`, `team`, `environment`,
/// `release`), as `review`'s flags.
pub fn review(req: &Request<'_>) -> Answer {
    let run = || -> Result<Answer, Error> {
        let bundle = &req.served.bundle;
        let query = ReviewQuery::parse(req.query.unwrap_or(""))?;
        let records = Records::from_sources(
            vec![(req.kind.name().to_string(), text(req.body)?.to_string())],
            bundle.limits(),
        )?;
        if let Some(id) = &query.release {
            let outcome = query.release_outcome(bundle, &records, id)?;
            return Ok(Answer::decided(outcome.outcome, outcome.to_json() + "\n"));
        }
        let review = match &req.served.catalog {
            Some(c) => bundle.review_with_catalog(&records, c, &query.options()?)?,
            None => bundle.review(&records, &query.options()?)?,
        };
        record(req, || {
            let inputs = serde_json::json!({
                "records": INPUT,
                "count": records.len(),
                "from": query.from,
                "to": query.to,
                "service": review.service,
                "team": review.team,
                "environment": review.environment,
            });
            review.audit_entry(bundle, &inputs)
        })?;
        Ok(Answer::decided(
            review.verdict.as_str(),
            review.to_json() + "\n",
        ))
    };
    run().unwrap_or_else(|e| Answer::error(&e))
}

/// `review`'s period and filters, as the CLI's flags or a query string
/// give them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewQuery {
    /// First day or instant of the period.
    pub from: Option<String>,
    /// First day or instant after it.
    pub to: Option<String>,
    /// Only this service.
    pub service: Option<String>,
    /// Only this team.
    pub team: Option<String>,
    /// One release's outcome instead of the period's report.
    pub release: Option<String>,
    /// The environment whose deployments count (default `production`).
    pub environment: Option<String>,
}

fn period_error(message: String, hint: &str) -> Error {
    Error::Catalog(vec![
        release_policy::error::CatalogError::new(
            ErrorCode::InvalidPeriod,
            release_policy::SourceLocation::file("<arguments>"),
            message,
        )
        .with_hint(hint),
    ])
}

/// A date (`2026-11-26`, its UTC midnight) or an RFC 3339 instant;
/// `RP0911` naming `flag` otherwise.
pub fn instant(flag: &str, value: &str) -> Result<release_policy::model::Timestamp, Error> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(value) {
        return Ok(t.to_utc());
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(|| {
            period_error(
                format!(
                    "`{flag} {value}` is neither a date (`2026-11-26`) nor an RFC 3339 instant"
                ),
                "dates are UTC midnights; periods are half-open, `[--from, --to)`",
            )
        })
}

impl ReviewQuery {
    /// From a query string: `from=2026-10-01&to=2026-11-01&service=checkout`.
    /// Unknown or repeated keys are refused (a misspelt `servce=` must not
    /// silently widen the review to every service).
    pub fn parse(query: &str) -> Result<ReviewQuery, Error> {
        let mut q = ReviewQuery::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value).ok_or_else(|| {
                period_error(
                    format!("`{pair}` is not percent-encoded correctly"),
                    "encode the query as a URL does",
                )
            })?;
            let slot = match key {
                "from" => &mut q.from,
                "to" => &mut q.to,
                "service" => &mut q.service,
                "team" => &mut q.team,
                "release" => &mut q.release,
                "environment" => &mut q.environment,
                other => {
                    return Err(period_error(
                        format!("unknown query parameter `{other}`"),
                        "review takes `from`, `to`, `service`, `team`, `environment` and `release`",
                    ));
                }
            };
            if slot.replace(value).is_some() {
                return Err(period_error(
                    format!("query parameter `{key}` given twice"),
                    "give each parameter once",
                ));
            }
        }
        if q.release.is_some() && (q.from.is_some() || q.service.is_some() || q.team.is_some()) {
            return Err(period_error(
                "`release` reviews one release: it takes no `from`, `service` or `team`".into(),
                "ask for the release alone, or for the period without `release`",
            ));
        }
        Ok(q)
    }

    /// The review's options: period (both ends or neither), filters.
    pub fn options(&self) -> Result<ReviewOptions, Error> {
        let mut options = ReviewOptions::default().environment(
            self.environment
                .clone()
                .unwrap_or_else(|| "production".into()),
        );
        let from = self
            .from
            .as_deref()
            .map(|f| instant("--from", f))
            .transpose()?;
        let to = self.to.as_deref().map(|t| instant("--to", t)).transpose()?;
        match (from, to) {
            (Some(f), Some(t)) => options = options.period(Period::new(f, t)?),
            (None, None) => {}
            _ => {
                return Err(period_error(
                    "give both `--from` and `--to`, or neither".into(),
                    "without them the period runs from the first deployment's day to the day after the last",
                ));
            }
        }
        if let Some(s) = &self.service {
            options = options.service(s.clone());
        }
        if let Some(t) = &self.team {
            options = options.team(t.clone());
        }
        Ok(options)
    }

    /// One release's outcome, as of `to` or the last moment its record
    /// names.
    pub fn release_outcome(
        &self,
        bundle: &release_policy::Bundle,
        records: &Records,
        id: &str,
    ) -> Result<release_policy::review::ReleaseOutcome, Error> {
        let to = self.to.as_deref().map(|t| instant("--to", t)).transpose()?;
        let now = to
            .or_else(|| records.get(id).map(|r| r.last_event()))
            .unwrap_or_default();
        bundle.review_release(records, id, now, &Thresholds::default())
    }
}

/// `%XX` and `+` decoded; `None` for a bad escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'%' => {
                let hi = (bytes.next()? as char).to_digit(16)?;
                let lo = (bytes.next()? as char).to_digit(16)?;
                out.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
    }
    String::from_utf8(out).ok()
}

/// The bundle's description for `GET /v1/bundle`: its digest, policies and
/// rules.
pub fn bundle_json(served: &Served) -> String {
    let b = &served.bundle;
    let rules: Vec<serde_json::Value> = b
        .rules()
        .iter()
        .map(|r| serde_json::json!({ "id": r.id(), "policy": r.policy(), "kind": r.kind() }))
        .collect();
    let v = serde_json::json!({
        "digest": b.digest(),
        "policies": b.policies(),
        "rules": rules,
        "sources": b.sources().iter().map(|(l, f)| serde_json::json!({"layer": l, "file": f})).collect::<Vec<_>>(),
        "catalog": served.catalog.is_some(),
        "warnings": b.warnings().len(),
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_query_refuses_misspelt_repeated_and_mixed_keys() {
        let q = ReviewQuery::parse("from=2026-10-01&to=2026-11-01T00%3A00%3A00Z&service=check+out")
            .unwrap();
        assert_eq!(q.to.as_deref(), Some("2026-11-01T00:00:00Z"));
        assert_eq!(q.service.as_deref(), Some("check out"));
        assert!(ReviewQuery::parse("servce=checkout").is_err());
        assert!(ReviewQuery::parse("service=a&service=b").is_err());
        assert!(ReviewQuery::parse("release=r1&service=a").is_err());
        assert!(ReviewQuery::parse("service=%zz").is_err());
        assert!(
            ReviewQuery::parse("from=2026-10-01")
                .unwrap()
                .options()
                .is_err()
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(BodyKind::from_content_type(None), Some(BodyKind::Json));
        assert_eq!(
            BodyKind::from_content_type(Some("Application/JSON; charset=utf-8")),
            Some(BodyKind::Json)
        );
        assert_eq!(
            BodyKind::from_content_type(Some("text/yaml")),
            Some(BodyKind::Yaml)
        );
        assert_eq!(
            BodyKind::from_content_type(Some("application/x-ndjson")),
            Some(BodyKind::JsonLines)
        );
        assert_eq!(
            BodyKind::from_content_type(Some("application/x-www-form-urlencoded")),
            None
        );
    }
}
