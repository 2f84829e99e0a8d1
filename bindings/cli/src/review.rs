//! `review` and `history`: reading the records, the period and the bands
//! from the command line and printing what the library returns.

use std::path::PathBuf;

use release_policy::error::CatalogError;
use release_policy::model::Timestamp;
use release_policy::review::{
    Bands, Decisions, Period, Records, ReviewOptions, ReviewVerdict, Thresholds,
};
use release_policy::{Bundle, Error, ErrorCode, Limits, SourceLocation};

/// The output formats.
pub(crate) enum Output {
    Text,
    Json,
    Markdown,
    Ci(crate::ci::Ci),
}

/// `review`'s arguments.
pub(crate) struct Args {
    pub records: PathBuf,
    pub from: Option<String>,
    pub to: Option<String>,
    pub service: Option<String>,
    pub team: Option<String>,
    pub release: Option<String>,
    pub environment: String,
    pub bands: Option<PathBuf>,
    pub decisions: Option<PathBuf>,
    pub catalog: Option<release_policy::plan::Catalog>,
    pub format: Output,
    pub archive: Option<String>,
}

fn bad(flag: &str, value: &str) -> Error {
    Error::Catalog(vec![
        CatalogError::new(
            ErrorCode::InvalidPeriod,
            SourceLocation::file("<arguments>"),
            format!("`{flag} {value}` is neither a date (`2026-11-26`) nor an RFC 3339 instant"),
        )
        .with_hint("dates are UTC midnights; periods are half-open, `[--from, --to)`"),
    ])
}

/// A date (`2026-11-26`, its UTC midnight) or an RFC 3339 instant.
fn instant(flag: &str, value: &str) -> Result<Timestamp, Error> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(value) {
        return Ok(t.to_utc());
    }
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
        .ok_or_else(|| bad(flag, value))
}

pub(crate) fn run(a: Args) -> Result<u8, Error> {
    let limits = Limits::default();
    let records = Records::from_path(&a.records, &limits)?;
    let bundle = Bundle::try_builtin()?;
    let to = a.to.as_deref().map(|t| instant("--to", t)).transpose()?;
    if let Some(id) = &a.release {
        // As of `--to`, or of the last moment the record names.
        let now = to
            .or_else(|| records.get(id).map(|r| r.last_event()))
            .unwrap_or_default();
        let outcome = bundle.review_release(&records, id, now, &Thresholds::default())?;
        crate::emit(&match a.format {
            Output::Text => outcome.to_text(),
            Output::Json => outcome.to_json() + "\n",
            Output::Markdown => outcome.to_markdown(),
            Output::Ci(f) => {
                crate::ci::from_other::release(&outcome, &a.records.display().to_string()).render(f)
            }
        });
        return Ok(0);
    }
    let mut options = ReviewOptions::default().environment(a.environment);
    let from = a
        .from
        .as_deref()
        .map(|f| instant("--from", f))
        .transpose()?;
    match (from, to) {
        (Some(f), Some(t)) => options = options.period(Period::new(f, t)?),
        (None, None) => {}
        _ => {
            return Err(Error::Catalog(vec![CatalogError::new(
                ErrorCode::InvalidPeriod,
                SourceLocation::file("<arguments>"),
                "give both `--from` and `--to`, or neither",
            )
            .with_hint("without them the period runs from the first deployment's day to the day after the last")]));
        }
    }
    if let Some(s) = a.service {
        options = options.service(s);
    }
    if let Some(t) = a.team {
        options = options.team(t);
    }
    if let Some(path) = a.bands {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::io(
                ErrorCode::ReadFailed,
                path.display().to_string(),
                e.to_string().to_lowercase(),
            )
        })?;
        options = options.bands(Bands::from_yaml_str(&path.display().to_string(), &text)?);
    }
    if let Some(path) = a.decisions {
        options = options.decisions(Decisions::from_path(&path, &limits)?);
    }
    let review = match &a.catalog {
        Some(c) => bundle.review_with_catalog(&records, c, &options)?,
        None => bundle.review(&records, &options)?,
    };
    if let Some(target) = &a.archive {
        let inputs = serde_json::json!({
            "records": a.records.display().to_string(),
            "count": records.len(),
            "from": a.from,
            "to": a.to,
            "service": review.service,
            "team": review.team,
            "environment": review.environment,
        });
        crate::audit::record(target, Some(&bundle), review.audit_entry(&bundle, &inputs))?;
    }
    crate::emit(&match a.format {
        Output::Text => review.to_text(),
        Output::Json => review.to_json() + "\n",
        Output::Markdown => review.to_markdown(),
        Output::Ci(f) => {
            crate::ci::from_other::review(&review, &a.records.display().to_string()).render(f)
        }
    });
    Ok(match review.verdict {
        ReviewVerdict::Fail => 1,
        _ => 0,
    })
}

pub(crate) fn history(
    records: &std::path::Path,
    service: &str,
    environment: &str,
    now: &str,
) -> Result<u8, Error> {
    let records = Records::from_path(records, &Limits::default())?;
    let now = instant("--now", now)?;
    let h = Bundle::try_builtin()?.history(&records, service, environment, now);
    let json = serde_json::json!({ "history": h });
    crate::emit(&(serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"));
    Ok(0)
}
