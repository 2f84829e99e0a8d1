//! The one mapping from the engine's `Error` to an [`rp_error`]: its
//! status, its text (every problem with its hint) and its details.

use super::{Detail, rp_error};
use crate::buf::NulString;
use crate::status::{
    RP_STATUS_CATALOG_ERROR, RP_STATUS_EVALUATION_ERROR, RP_STATUS_FACTS_ERROR, RP_STATUS_IO_ERROR,
    RP_STATUS_OTHER_ERROR, RP_STATUS_POLICY_ERROR,
};

impl rp_error {
    /// The one mapping from an engine error to a status and details.
    pub(crate) fn from_engine(e: &release_policy_core::Error) -> Self {
        use release_policy_core::Error;
        let display = display(e);
        match e {
            Error::Policy(p) => {
                rp_error::new(RP_STATUS_POLICY_ERROR, display, vec![Detail::policy(p)])
            }
            Error::Policies(ps) => rp_error::new(
                RP_STATUS_POLICY_ERROR,
                display,
                ps.iter().map(Detail::policy).collect(),
            ),
            Error::Facts(f) => {
                let (line, column) = f.position.unwrap_or((0, 0));
                let detail = Detail {
                    code: Some(code(f.code())),
                    file: f.input.as_deref().map(NulString::new),
                    json_path: f.path.as_deref().map(NulString::new),
                    hint: f.hint.as_deref().map(NulString::new),
                    line,
                    column,
                    ..Detail::message(f.message.as_str())
                };
                rp_error::new(RP_STATUS_FACTS_ERROR, display, vec![detail])
            }
            Error::Catalog(cs) => rp_error::new(
                RP_STATUS_CATALOG_ERROR,
                display,
                cs.iter().map(Detail::catalog).collect(),
            ),
            Error::Evaluation { code: c, message } => rp_error::new(
                RP_STATUS_EVALUATION_ERROR,
                display,
                vec![Detail {
                    code: Some(code(*c)),
                    ..Detail::message(message.as_str())
                }],
            ),
            Error::Io {
                code: c,
                path,
                message,
            } => rp_error::new(
                RP_STATUS_IO_ERROR,
                display,
                vec![Detail {
                    code: Some(code(*c)),
                    file: Some(NulString::new(path.as_str())),
                    ..Detail::message(message.as_str())
                }],
            ),
            // `Error` is `#[non_exhaustive]`: a variant added to the engine
            // after this binding still reaches C, with its text and code.
            _ => {
                let mut other = rp_error::simple(RP_STATUS_OTHER_ERROR, display);
                if let Some(d) = other.details.first_mut() {
                    d.code = Some(code(e.code()));
                }
                other
            }
        }
    }
}

impl Detail {
    fn policy(e: &release_policy_core::PolicyError) -> Self {
        Detail {
            code: Some(code(e.code())),
            file: Some(NulString::new(e.location.file.as_str())),
            line: e.location.line,
            column: e.location.column,
            rule: e.rule.as_deref().map(NulString::new),
            hint: e.hint.as_deref().map(NulString::new),
            ..Detail::message(e.message.as_str())
        }
    }

    fn catalog(e: &release_policy_core::CatalogError) -> Self {
        Detail {
            code: Some(code(e.code())),
            file: Some(NulString::new(e.location.file.as_str())),
            line: e.location.line,
            column: e.location.column,
            hint: e.hint().map(NulString::new),
            ..Detail::message(e.message.as_str())
        }
    }
}

fn code(c: release_policy_core::ErrorCode) -> NulString {
    NulString::new(c.as_str())
}

/// The text of an engine error: each problem (`place: message`) with its
/// hint, if any, on the next line (`  hint: …`).
fn display(e: &release_policy_core::Error) -> String {
    let with_hint = |text: String, hint: Option<&str>| match hint {
        Some(h) => format!("{text}\n  hint: {h}"),
        None => text,
    };
    let problems: Vec<String> = match e {
        release_policy_core::Error::Catalog(cs) => cs
            .iter()
            .map(|c| with_hint(c.to_string(), c.hint()))
            .collect(),
        _ => e
            .policy_errors()
            .iter()
            .map(|p| with_hint(p.to_string(), p.hint()))
            .collect(),
    };
    if problems.is_empty() {
        return with_hint(e.to_string(), e.hint());
    }
    problems.join("\n")
}
