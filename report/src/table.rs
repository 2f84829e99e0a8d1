//! The report's tables, built once from the portfolio and rendered by both
//! forms of the report: [`crate::html`] writes them as HTML tables (every
//! string escaped with [`crate::text::html`]), [`crate::markdown`] as
//! Markdown tables (every string escaped with [`crate::text::md`]). The
//! rows are chosen and their values formatted here; a [`Cell`] says what a
//! value is (a verdict, a rule, a record link, …), the renderer how it
//! looks.

use release_policy::review::Review;

use crate::model::{Portfolio, Reason};
use crate::text::{days_left, number, percent, time};
use crate::trends;

/// How many record links a compliance row lists before "and N more".
const FAILED_IN_SHOWN: usize = 12;

/// One column: its heading and how its cells are set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    /// The heading.
    pub(crate) title: &'static str,
    /// The Markdown heading, where it is shorter than the HTML one.
    pub(crate) short: Option<&'static str>,
    /// Numbers, aligned right.
    pub(crate) num: bool,
    /// Kept on one line (HTML).
    pub(crate) nowrap: bool,
    /// A chart drawn in the HTML page only; Markdown leaves the column out.
    pub(crate) chart: bool,
}

impl Column {
    const fn text(title: &'static str) -> Column {
        Column {
            title,
            short: None,
            num: false,
            nowrap: false,
            chart: false,
        }
    }

    const fn num(title: &'static str) -> Column {
        Column {
            num: true,
            ..Column::text(title)
        }
    }

    const fn nowrap(title: &'static str) -> Column {
        Column {
            nowrap: true,
            ..Column::text(title)
        }
    }

    const fn short(self, short: &'static str) -> Column {
        Column {
            short: Some(short),
            ..self
        }
    }

    /// The heading in Markdown.
    pub(crate) fn md_title(&self) -> &'static str {
        self.short.unwrap_or(self.title)
    }
}

/// How an item of a [`Cell::Reasons`] list is introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lead {
    /// A finding that blocks the release.
    Blocks,
    /// A finding (or approval) the release waits for.
    Waits,
    /// A finding that acts on a rollout.
    Acts,
}

/// One value of a table, by what it is.
#[derive(Debug, Clone)]
pub(crate) enum Cell {
    /// Plain text.
    Text(String),
    /// Text in bold (a service a row is about).
    Strong(String),
    /// An identifier (a rule, a control): code in HTML, plain in Markdown.
    Code(String),
    /// Identifiers: code spans in HTML, a comma-separated list in Markdown.
    Codes(Vec<String>),
    /// Text in a muted colour (HTML); plain in Markdown.
    Muted(String),
    /// A verdict: a badge in HTML, bold in Markdown.
    Verdict(String),
    /// A verdict as listed among the records: a badge in HTML, plain in
    /// Markdown.
    Badge(String),
    /// Text with a note: `text (note)` in Markdown; in HTML the note muted,
    /// beside the text or `below` it.
    Noted {
        text: String,
        note: String,
        below: bool,
    },
    /// Findings, one per line.
    Reasons(Vec<(Lead, String, String)>),
    /// A number, marked in HTML when `alarm` holds.
    Alarm { text: String, alarm: bool },
    /// A waiver's expiry: the time, how long is left, and whether that is
    /// soon.
    Expires {
        time: String,
        when: String,
        soon: bool,
    },
    /// A link to an audit record's row.
    Record(u64),
    /// Links to audit records' rows, and how many more there are.
    Records { seqs: Vec<u64>, more: usize },
    /// A record's hash and whether it still matches the record.
    Hash { hash: String, ok: bool },
    /// The shares of passed, warned, waived and failed results as a
    /// stacked bar (HTML only; in a `chart` column).
    Stack([usize; 4]),
}

/// One row of a table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The cells, one per column.
    pub(crate) cells: Vec<Cell>,
    /// Highlighted as needing attention soon (a waiver about to expire).
    pub(crate) soon: bool,
    /// The audit record the row is, the target of record links.
    pub(crate) anchor: Option<u64>,
}

impl Row {
    fn new(cells: Vec<Cell>) -> Row {
        Row {
            cells,
            soon: false,
            anchor: None,
        }
    }
}

/// A table: its columns and rows.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// As wide as its content rather than the page (HTML).
    pub(crate) narrow: bool,
    /// The columns.
    pub(crate) columns: &'static [Column],
    /// The rows.
    pub(crate) rows: Vec<Row>,
}

impl Table {
    /// A table as wide as the page.
    fn new(columns: &'static [Column], rows: impl Iterator<Item = Row>) -> Table {
        Table {
            narrow: false,
            columns,
            rows: rows.collect(),
        }
    }

    /// The table as wide as its content.
    fn narrow(self) -> Table {
        Table {
            narrow: true,
            ..self
        }
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn reasons(lead: Lead, list: &[Reason]) -> impl Iterator<Item = (Lead, String, String)> + '_ {
    list.iter()
        .map(move |r| (lead, r.rule.clone(), r.message.clone()))
}

/// The latest decision of each service and environment.
pub(crate) fn status(p: &Portfolio) -> Table {
    const COLUMNS: &[Column] = &[
        Column::text("Service"),
        Column::text("Environment"),
        Column::nowrap("Release"),
        Column::text("Verdict"),
        Column::nowrap("Decided"),
        Column::text("What blocks"),
        Column::text("Record"),
    ];
    let rows = p.statuses.iter().map(|s| {
        let why: Vec<_> = reasons(Lead::Blocks, &s.blocking)
            .chain(reasons(Lead::Waits, &s.waiting))
            .collect();
        Row::new(vec![
            Cell::Strong(s.service.clone()),
            text(&s.environment),
            text(&s.release),
            Cell::Verdict(s.verdict.as_str().to_string()),
            Cell::Noted {
                text: time(s.now),
                note: format!(
                    "{} decision{}",
                    s.decisions,
                    if s.decisions == 1 { "" } else { "s" }
                ),
                below: true,
            },
            if why.is_empty() {
                Cell::Muted("nothing".to_string())
            } else {
                Cell::Reasons(why)
            },
            Cell::Record(s.seq),
        ])
    });
    Table::new(COLUMNS, rows)
}

/// The latest assessment of each service and environment.
pub(crate) fn rollouts(p: &Portfolio) -> Table {
    const COLUMNS: &[Column] = &[
        Column::text("Service"),
        Column::text("Environment"),
        Column::nowrap("Rollout"),
        Column::text("Verdict"),
        Column::nowrap("Assessed"),
        Column::text("Why"),
        Column::text("Record"),
    ];
    let rows = p.rollouts.iter().map(|r| {
        Row::new(vec![
            Cell::Strong(r.service.clone()),
            text(&r.environment),
            text(&r.rollout),
            Cell::Verdict(r.verdict.as_str().to_string()),
            Cell::Text(time(r.now)),
            if r.acting.is_empty() {
                text(&r.summary)
            } else {
                Cell::Reasons(reasons(Lead::Acts, &r.acting).collect())
            },
            Cell::Record(r.seq),
        ])
    });
    Table::new(COLUMNS, rows)
}

/// Service and environment: the environment as a note.
fn service_in(service: &str, environment: &str) -> Cell {
    Cell::Noted {
        text: service.to_string(),
        note: environment.to_string(),
        below: false,
    }
}

/// The blocking findings of the latest decisions.
pub(crate) fn blocking(p: &Portfolio) -> Table {
    const COLUMNS: &[Column] = &[
        Column::text("Service"),
        Column::nowrap("Release"),
        Column::text("Rule"),
        Column::text("Policy"),
        Column::text("Message"),
        Column::text("Controls"),
        Column::text("Record"),
    ];
    let rows = p.statuses.iter().flat_map(|s| {
        s.blocking.iter().map(move |r| {
            Row::new(vec![
                service_in(&s.service, &s.environment),
                text(&s.release),
                Cell::Code(r.rule.clone()),
                text(&r.policy),
                text(&r.message),
                Cell::Codes(r.controls.clone()),
                Cell::Record(s.seq),
            ])
        })
    });
    Table::new(COLUMNS, rows)
}

/// The waivers the latest decisions carry.
pub(crate) fn waivers(p: &Portfolio) -> Table {
    const COLUMNS: &[Column] = &[
        Column::text("Service"),
        Column::nowrap("Release"),
        Column::text("Rule"),
        Column::text("Granted by"),
        Column::text("Status"),
        Column::nowrap("Expires"),
        Column::text("Record"),
    ];
    let rows = p.waivers.iter().map(|w| Row {
        soon: w.expiring_soon(),
        ..Row::new(vec![
            service_in(&w.service, &w.environment),
            text(&w.release),
            Cell::Code(w.rule.clone()),
            Cell::Text(format!("{} ({})", w.by, w.role)),
            text(&w.status),
            Cell::Expires {
                time: time(w.expires),
                when: w.days_left.map(days_left).unwrap_or_default(),
                soon: w.expiring_soon(),
            },
            Cell::Record(w.seq),
        ])
    });
    Table::new(COLUMNS, rows)
}

/// The chronically unstable services of the review.
pub(crate) fn chronic(r: &Review) -> Table {
    const COLUMNS: &[Column] = &[
        Column::text("Service"),
        Column::num("Rollbacks"),
        Column::num("Deployments"),
        Column::num("Rate"),
        Column::num("In window"),
        Column::text("Why"),
    ];
    let rows = r.stability.iter().filter(|s| s.chronic).map(|s| {
        Row::new(vec![
            Cell::Strong(s.service.clone()),
            Cell::Text(s.rollbacks.to_string()),
            Cell::Text(s.deployments.to_string()),
            Cell::Text(percent(s.rollback_rate)),
            Cell::Text(s.rollbacks_in_window.to_string()),
            Cell::Text(s.reasons.join("; ")),
        ])
    });
    Table::new(COLUMNS, rows)
}

/// Per framework, its name and the tallies of its controls.
pub(crate) fn compliance(p: &Portfolio) -> Vec<(&str, Table)> {
    const COLUMNS: &[Column] = &[
        Column::text("Control"),
        Column::num("Passed"),
        Column::num("Failed"),
        Column::num("Waived"),
        Column::num("Warned"),
        Column::num("Results"),
        Column {
            chart: true,
            ..Column::text("")
        },
        Column::text("Failed in"),
    ];
    let table = |controls: &[crate::model::ControlTally]| Table {
        narrow: true,
        columns: COLUMNS,
        rows: controls
            .iter()
            .map(|c| {
                Row::new(vec![
                    Cell::Code(c.control.clone()),
                    Cell::Text(c.passed.to_string()),
                    Cell::Alarm {
                        text: c.failed.to_string(),
                        alarm: c.failed > 0,
                    },
                    Cell::Text(c.waived.to_string()),
                    Cell::Text(c.warned.to_string()),
                    Cell::Text(c.total().to_string()),
                    Cell::Stack([c.passed, c.warned, c.waived, c.failed]),
                    Cell::Records {
                        seqs: c.failed_in.iter().take(FAILED_IN_SHOWN).copied().collect(),
                        more: c.failed_in.len().saturating_sub(FAILED_IN_SHOWN),
                    },
                ])
            })
            .collect(),
    };
    p.compliance
        .iter()
        .map(|f| (f.name.as_str(), table(&f.controls)))
        .collect()
}

/// The review's keys per week, in the charts' units.
pub(crate) fn weeks(r: &Review) -> Table {
    const COLUMNS: &[Column] = &[
        Column::text("Week starting"),
        Column::num("Deployments"),
        Column::num("Lead time, median (hours)").short("Lead time, median (h)"),
        Column::num("Change failure rate (%)"),
        Column::num("Time to restore, median (minutes)").short("Time to restore, median (min)"),
    ];
    let opt = |v: Option<f64>| Cell::Text(v.map_or_else(|| "–".to_string(), |x| number(x, 1)));
    let rows = r.weeks.iter().zip(trends::weeks(r)).map(|(w, (_, v))| {
        Row::new(vec![
            Cell::Text(crate::text::day(w.period.from)),
            Cell::Text(w.keys.deployments.to_string()),
            opt(v.lead_hours),
            opt(v.failure_percent),
            opt(v.restore_minutes),
        ])
    });
    Table::new(COLUMNS, rows).narrow()
}

/// Every audit record, each row the target of its record links.
pub(crate) fn records(p: &Portfolio) -> Table {
    const COLUMNS: &[Column] = &[
        Column::num("Seq"),
        Column::text("Kind"),
        Column::nowrap("Release"),
        Column::text("Service"),
        Column::text("Environment"),
        Column::nowrap("Now"),
        Column::text("Verdict"),
        Column::text("Hash"),
    ];
    let rows = p.records.iter().map(|r| Row {
        anchor: Some(r.seq),
        ..Row::new(vec![
            Cell::Text(r.seq.to_string()),
            text(r.kind.as_str()),
            text(&r.release),
            text(&r.service),
            text(&r.environment),
            text(&r.now),
            Cell::Badge(r.verdict.clone()),
            Cell::Hash {
                hash: r.hash.clone(),
                ok: r.hash_ok,
            },
        ])
    });
    Table::new(COLUMNS, rows)
}
