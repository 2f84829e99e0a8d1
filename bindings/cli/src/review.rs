//! `review` and `history`: reading the records, the period and the bands
//! from the command line and printing what the library returns.

use std::path::PathBuf;

use release_policy::review::{Bands, Decisions, Records, ReviewVerdict};
use release_policy::{Bundle, Error, ErrorCode, Limits};
use release_policy_server::handlers::{ReviewQuery, instant};

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

pub(crate) fn run(a: Args) -> Result<u8, Error> {
    let limits = Limits::default();
    let records = Records::from_path(&a.records, &limits)?;
    let bundle = Bundle::try_builtin()?;
    let query = ReviewQuery {
        from: a.from.clone(),
        to: a.to.clone(),
        service: a.service,
        team: a.team,
        release: a.release,
        environment: Some(a.environment),
    };
    if let Some(id) = &query.release {
        let outcome = query.release_outcome(&bundle, &records, id)?;
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
    let mut options = query.options()?;
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
