//! The portfolio report: release status, risk, compliance and DORA trends
//! of every service, from the records of the audit archive, as one
//! self-contained HTML page or as Markdown.
