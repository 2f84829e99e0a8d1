//! What both backends share: the schema and its migrations, the SQL that
//! reads and writes records, the filter's `WHERE` clause, turning a stored
//! row back into an [`AuditRecord`], bundles stored as their layers, and
//! the archive's errors (`RP1004`–`RP1007`).

use release_policy::audit::chain::GENESIS;
use release_policy::audit::{AuditRecord, Checkpoint, Entry, EntryKind};
use release_policy::{Bundle, Error, ErrorCode};

use crate::Filter;

/// The schema version this build writes and reads. A database with a newer
/// one is refused (`RP1005`), never downgraded.
pub const SCHEMA_VERSION: u32 = 1;

/// The SQL dialect a statement is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// The migrations, in order: migration `n` takes a database from schema
/// `n - 1` to `n` (0: empty). Each runs in the transaction that records
/// the new version in `meta`.
pub(crate) fn migrations(dialect: Dialect) -> [(u32, String); 1] {
    let (int, id) = match dialect {
        Dialect::Sqlite => ("INTEGER", "INTEGER PRIMARY KEY"),
        Dialect::Postgres => ("BIGINT", "BIGSERIAL PRIMARY KEY"),
    };
    [(
        1,
        format!(
            "CREATE TABLE records (
                seq {int} PRIMARY KEY,
                kind TEXT NOT NULL,
                release TEXT NOT NULL,
                service TEXT NOT NULL,
                environment TEXT NOT NULL,
                now TEXT NOT NULL,
                engine TEXT NOT NULL,
                bundle TEXT NOT NULL,
                facts_digest TEXT NOT NULL,
                decision_digest TEXT NOT NULL,
                verdict TEXT NOT NULL,
                decision TEXT NOT NULL,
                facts TEXT NOT NULL,
                prev TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE INDEX records_release ON records (release);
            CREATE INDEX records_service ON records (service);
            CREATE INDEX records_now ON records (now);
            CREATE TABLE bundles (
                digest TEXT PRIMARY KEY,
                layers TEXT NOT NULL
            );
            CREATE TABLE checkpoints (
                id {id},
                count {int} NOT NULL,
                head TEXT NOT NULL,
                key TEXT NOT NULL,
                signature TEXT NOT NULL,
                UNIQUE (count, head, key, signature)
            );"
        ),
    )]
}

/// Creates the meta table (the only table every version has).
pub(crate) const CREATE_META: &str =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)";

/// Reads the schema version.
pub(crate) const SELECT_VERSION: &str = "SELECT value FROM meta WHERE key = 'schema_version'";

/// The columns of a record, in the order [`RawRecord`] reads them.
pub(crate) const RECORD_COLUMNS: &str = "seq, kind, release, service, environment, now, engine, \
     bundle, facts_digest, decision_digest, verdict, decision, facts, prev, hash";

/// The text columns of a record (after `seq`), for messages.
pub(crate) const TEXT_COLUMNS: [&str; 14] = [
    "kind",
    "release",
    "service",
    "environment",
    "now",
    "engine",
    "bundle",
    "facts_digest",
    "decision_digest",
    "verdict",
    "decision",
    "facts",
    "prev",
    "hash",
];

/// The last record's place and hash.
pub(crate) const SELECT_HEAD: &str = "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1";

/// Keep a bundle once.
pub(crate) fn insert_bundle(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "INSERT INTO bundles (digest, layers) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
        }
        Dialect::Postgres => {
            "INSERT INTO bundles (digest, layers) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        }
    }
}

/// Keep a checkpoint once.
pub(crate) fn insert_checkpoint(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "INSERT INTO checkpoints (count, head, key, signature) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO NOTHING"
        }
        Dialect::Postgres => {
            "INSERT INTO checkpoints (count, head, key, signature) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING"
        }
    }
}

/// Every checkpoint, by count.
pub(crate) const SELECT_CHECKPOINTS: &str =
    "SELECT count, head, key, signature FROM checkpoints ORDER BY count, id";

/// Insert one record.
pub(crate) fn insert_record(dialect: Dialect) -> String {
    let marks: Vec<String> = (1..=15)
        .map(|i| match dialect {
            Dialect::Sqlite => format!("?{i}"),
            Dialect::Postgres => format!("${i}"),
        })
        .collect();
    format!(
        "INSERT INTO records ({RECORD_COLUMNS}) VALUES ({})",
        marks.join(", ")
    )
}

/// The text fields of `record` after its `seq`, in [`RECORD_COLUMNS`] order.
pub(crate) fn record_texts(record: &AuditRecord) -> [&str; 14] {
    let e = &record.entry;
    [
        e.kind.as_str(),
        &e.release,
        &e.service,
        &e.environment,
        &e.now,
        &e.engine,
        &e.bundle,
        &e.facts_digest,
        &e.decision_digest,
        &e.verdict,
        &e.decision,
        &e.facts,
        &record.prev,
        &record.hash,
    ]
}

/// The `SELECT` of the records `filter` selects, in chain order, and its
/// parameters (all text).
pub(crate) fn select_records(dialect: Dialect, filter: &Filter) -> (String, Vec<String>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut params: Vec<String> = Vec::new();
    let mark = |value: &str, params: &mut Vec<String>| {
        params.push(value.to_string());
        match dialect {
            Dialect::Sqlite => format!("?{}", params.len()),
            Dialect::Postgres => format!("${}", params.len()),
        }
    };
    if !filter.kinds.is_empty() {
        let marks: Vec<String> = filter
            .kinds
            .iter()
            .map(|k| mark(k.as_str(), &mut params))
            .collect();
        clauses.push(format!("kind IN ({})", marks.join(", ")));
    }
    if let Some(release) = &filter.release {
        clauses.push(format!("release = {}", mark(release, &mut params)));
    }
    if let Some(service) = &filter.service {
        clauses.push(format!("service = {}", mark(service, &mut params)));
    }
    if let Some(since) = &filter.since {
        clauses.push(format!("now >= {}", mark(since, &mut params)));
    }
    if let Some(until) = &filter.until {
        clauses.push(format!("now < {}", mark(until, &mut params)));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    (
        format!("SELECT {RECORD_COLUMNS} FROM records{filter} ORDER BY seq"),
        params,
    )
}

/// A record as stored: its place and its text columns, in
/// [`RECORD_COLUMNS`] order.
pub(crate) struct RawRecord {
    pub seq: i64,
    pub texts: [String; 14],
}

impl RawRecord {
    /// The record in a row read with `RECORD_COLUMNS`: `seq` its first
    /// column, `text(i)` its column `i` (from 1) as text, each error
    /// described by the driver's message; `RP1007` naming the record and
    /// column if one does not read.
    pub fn read(
        location: &str,
        seq: Result<i64, String>,
        mut text: impl FnMut(usize) -> Result<String, String>,
    ) -> Result<RawRecord, Error> {
        let seq =
            seq.map_err(|e| corrupt(location, format!("a record does not parse: `seq`: {e}")))?;
        let mut texts = Vec::with_capacity(TEXT_COLUMNS.len());
        for (i, name) in (1..).zip(TEXT_COLUMNS) {
            texts.push(text(i).map_err(|e| {
                corrupt(
                    location,
                    format!("record {seq} does not parse: column `{name}`: {e}"),
                )
            })?);
        }
        let texts = <[String; 14]>::try_from(texts)
            .map_err(|_| corrupt(location, format!("record {seq} does not parse")))?;
        Ok(RawRecord { seq, texts })
    }

    /// The record, or `RP1007` naming it if a column does not parse.
    pub fn into_record(self, location: &str) -> Result<AuditRecord, Error> {
        let seq = u64::try_from(self.seq).map_err(|_| {
            corrupt(
                location,
                format!("a record does not parse: `seq` {} is negative", self.seq),
            )
        })?;
        // The text columns in [`RECORD_COLUMNS`] order, taken one by one
        // below: struct fields are evaluated in the order they are written.
        let mut texts = self.texts.into_iter();
        let mut next = || texts.next().unwrap_or_default();
        let kind = next();
        let kind = EntryKind::parse(&kind).ok_or_else(|| {
            corrupt(
                location,
                format!("record {seq} does not parse: unknown kind `{kind}`"),
            )
            .with_hint("expected one of `check`, `assess`, `plan`, `review`, `record`")
        })?;
        let entry = Entry {
            kind,
            release: next(),
            service: next(),
            environment: next(),
            now: next(),
            engine: next(),
            bundle: next(),
            facts_digest: next(),
            decision_digest: next(),
            verdict: next(),
            decision: next(),
            facts: next(),
        };
        Ok(AuditRecord {
            seq,
            entry,
            prev: next(),
            hash: next(),
        })
    }
}

/// The archive's head as stored (`seq`, `hash`); `RP1007` if `seq` is
/// negative.
pub(crate) fn head(location: &str, (seq, hash): (i64, String)) -> Result<(u64, String), Error> {
    Ok((to_u64(location, "the last record's seq", seq)?, hash))
}

/// `entries` sealed into the chain after its stored head (`None`: the
/// archive is empty), each written with `insert` (its `seq` and its text
/// columns, in [`RECORD_COLUMNS`] order) before the next is sealed.
pub(crate) fn seal(
    location: &str,
    stored_head: Option<(i64, String)>,
    entries: Vec<Entry>,
    mut insert: impl FnMut(i64, [&str; 14]) -> Result<(), Error>,
) -> Result<Vec<AuditRecord>, Error> {
    let (mut seq, mut prev) = match stored_head {
        Some(stored) => head(location, stored)?,
        None => (0, GENESIS.to_string()),
    };
    let mut sealed = Vec::with_capacity(entries.len());
    for entry in entries {
        seq += 1;
        let record = entry.seal(seq, &prev);
        insert(to_i64(location, seq)?, record_texts(&record))?;
        prev.clone_from(&record.hash);
        sealed.push(record);
    }
    Ok(sealed)
}

/// A checkpoint as stored; `RP1007` if its count is negative.
pub(crate) fn checkpoint(
    location: &str,
    count: i64,
    head: String,
    key: String,
    signature: String,
) -> Result<Checkpoint, Error> {
    Ok(Checkpoint {
        count: to_u64(location, "a checkpoint's count", count)?,
        head,
        key,
        signature,
    })
}

/// A bundle's layers as the JSON stored under its digest.
pub(crate) fn layers_json(bundle: &Bundle) -> String {
    serde_json::to_string(bundle.layers()).unwrap_or_default()
}

/// The bundle stored as `layers` under `digest`, rebuilt; `RP1007` if it
/// does not parse, does not build or builds to another digest.
pub(crate) fn rebuild_bundle(location: &str, digest: &str, layers: &str) -> Result<Bundle, Error> {
    let hint = "the stored bundle was changed or damaged; archive it again from its policy files";
    let layers: Vec<Vec<(String, String)>> = serde_json::from_str(layers).map_err(|e| {
        corrupt(location, format!("bundle `{digest}` does not parse: {e}")).with_hint(hint)
    })?;
    let mut builder = Bundle::builder();
    for layer in layers {
        builder = builder.sources_layer(layer);
    }
    let bundle = builder.build().map_err(|e| {
        corrupt(location, format!("bundle `{digest}` does not build: {e}")).with_hint(hint)
    })?;
    if bundle.digest() != digest {
        return Err(corrupt(
            location,
            format!(
                "bundle `{digest}` rebuilds to another digest, `{}`",
                bundle.digest()
            ),
        )
        .with_hint(hint));
    }
    Ok(bundle)
}

/// Check the version a database records against [`SCHEMA_VERSION`]:
/// `RP1005` if it is newer, `RP1007` if it is not a number.
pub(crate) fn check_version(location: &str, stored: Option<&str>) -> Result<u32, Error> {
    let Some(stored) = stored else {
        return Ok(0);
    };
    let version: u32 = stored.trim().parse().map_err(|_| {
        corrupt(
            location,
            format!("the schema version `{stored}` is not a number"),
        )
    })?;
    if version > SCHEMA_VERSION {
        return Err(Error::audit(
            ErrorCode::ArchiveSchemaNewer,
            Some(location.to_string()),
            format!(
                "the archive has schema version `{version}`; this build knows versions up to {SCHEMA_VERSION}"
            ),
        )
        .with_hint("use a newer release-policy to read or write it (an archive is never downgraded)"));
    }
    Ok(version)
}

/// `RP1004`: the archive cannot be opened.
pub(crate) fn unavailable(location: &str, message: impl Into<String>) -> Error {
    Error::audit(
        ErrorCode::ArchiveUnavailable,
        Some(location.to_string()),
        message,
    )
}

/// The hint of a failed append.
pub(crate) const NOTHING_RECORDED: &str = "nothing was recorded; the records before are intact";

/// `RP1006`: an append or another write failed; nothing was recorded.
pub(crate) fn write_failed(location: &str, message: impl Into<String>) -> Error {
    Error::audit(
        ErrorCode::ArchiveWriteFailed,
        Some(location.to_string()),
        message,
    )
    .with_hint(NOTHING_RECORDED)
}

/// `RP1007`: something stored does not parse.
pub(crate) fn corrupt(location: &str, message: impl Into<String>) -> Error {
    Error::audit(
        ErrorCode::ArchiveCorrupt,
        Some(location.to_string()),
        message,
    )
}

/// `seq` as the databases store it.
pub(crate) fn to_i64(location: &str, value: u64) -> Result<i64, Error> {
    i64::try_from(value)
        .map_err(|_| write_failed(location, format!("`{value}` is beyond a 64-bit integer")))
}

/// A stored count or seq, which is never negative in an intact archive.
pub(crate) fn to_u64(location: &str, what: &str, value: i64) -> Result<u64, Error> {
    u64::try_from(value).map_err(|_| corrupt(location, format!("{what} `{value}` is negative")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn the_filter_becomes_a_where_clause_with_numbered_parameters() {
        let filter = Filter {
            kinds: vec![EntryKind::Check, EntryKind::Assess],
            service: Some("checkout".into()),
            until: Some("2026-12-01T00:00:00Z".into()),
            ..Filter::default()
        };
        let (sql, params) = select_records(Dialect::Postgres, &filter);
        assert!(sql.ends_with("WHERE kind IN ($1, $2) AND service = $3 AND now < $4 ORDER BY seq"));
        assert_eq!(
            params,
            ["check", "assess", "checkout", "2026-12-01T00:00:00Z"]
        );
        let (sql, params) = select_records(Dialect::Sqlite, &Filter::default());
        assert!(sql.ends_with("FROM records ORDER BY seq"));
        assert!(params.is_empty());
    }

    #[test]
    fn a_newer_schema_is_refused() {
        assert_eq!(check_version("a.db", None).unwrap(), 0);
        assert_eq!(check_version("a.db", Some("1")).unwrap(), 1);
        let e = check_version("a.db", Some("99")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ArchiveSchemaNewer);
        assert_eq!(
            check_version("a.db", Some("x")).unwrap_err().code(),
            ErrorCode::ArchiveCorrupt
        );
    }
}
