//! The PostgreSQL backend: a central archive many writers share. An
//! append locks the records table (`LOCK TABLE records IN EXCLUSIVE MODE`,
//! which still lets readers read) before it reads the head, so concurrent
//! appends queue and the chain stays one; a scan reads through a portal
//! in batches, never the whole archive at once. Tables may live in their
//! own schema (`schema=NAME` in the URL, or [`PostgresOptions::schema`]).

use std::str::FromStr;
use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Statement};
use release_policy::audit::{AuditRecord, Checkpoint, Entry};
use release_policy::{Bundle, Error};

use crate::schema::{self, Dialect, RawRecord, corrupt, to_i64, unavailable, write_failed};
use crate::{Archive, Filter};

/// How many rows a scan fetches at a time.
const BATCH: i32 = 1000;

/// The advisory lock that serialises migrations (any value of our own).
const MIGRATION_LOCK: i64 = 0x7270_6172_6368; // "rparch"

/// How [`PostgresArchive::open`] connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Keep the tables in this schema (created if needed) rather than the
    /// URL's `schema=` parameter or the server's search path.
    pub schema: Option<String>,
    /// How long to wait for the server when the URL sets no
    /// `connect_timeout`; 10 seconds by default.
    pub connect_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            schema: None,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// An archive in a PostgreSQL database.
pub struct PostgresArchive {
    client: Client,
    insert: Statement,
    location: String,
}

impl std::fmt::Debug for PostgresArchive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresArchive")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// `url` without its password (in the user part or a `password=`
/// parameter): the form messages show.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => {
            let user = user.split_once(':').map_or(user, |(user, _)| user);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<&str> = query
                .split('&')
                .filter(|p| !p.to_ascii_lowercase().starts_with("password="))
                .collect();
            if kept.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{}", kept.join("&"))
            }
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// `url` without its `schema=` parameter, and that parameter's value.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut schema = None;
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| match p.strip_prefix("schema=") {
            Some(value) => {
                schema = Some(value.to_string());
                false
            }
            None => true,
        })
        .collect();
    if kept.is_empty() {
        (base.to_string(), schema)
    } else {
        (format!("{base}?{}", kept.join("&")), schema)
    }
}

/// Whether `name` can be a schema without quoting surprises.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

/// An error connecting: `RP1004`, saying whether the server is down or
/// refused the login.
fn connect_error(location: &str, e: &postgres::Error) -> Error {
    use postgres::error::SqlState;
    match e.as_db_error() {
        Some(db)
            if *db.code() == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
                || *db.code() == SqlState::INVALID_PASSWORD =>
        {
            unavailable(
                location,
                format!("the server refused the login: {}", db.message()),
            )
            .with_hint("check the user (and the password, e.g. in `PGPASSWORD` or the URL)")
        }
        Some(db) if *db.code() == SqlState::INVALID_CATALOG_NAME => {
            unavailable(location, format!("no such database: {}", db.message()))
                .with_hint("create it first, e.g. `createdb NAME`")
        }
        Some(db) => unavailable(location, format!("cannot connect: {}", db.message())),
        None => unavailable(location, format!("cannot connect: {}", with_sources(e)))
            .with_hint("is the server running, and listening at that host and port?"),
    }
}

/// An error reading: `RP1004`.
fn read_error(location: &str, e: &postgres::Error) -> Error {
    if e.is_closed() {
        unavailable(
            location,
            format!("lost the connection: {}", with_sources(e)),
        )
    } else {
        unavailable(
            location,
            format!("cannot read the archive: {}", describe(e)),
        )
    }
}

/// An error writing: `RP1006`.
fn append_error(location: &str, e: &postgres::Error) -> Error {
    write_failed(location, format!("cannot append: {}", describe(e)))
}

/// The server's message when there is one (the crate's `Display` says
/// only "db error").
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.severity(), db.message()),
        None => with_sources(e),
    }
}

/// `e` and its causes, `: `-separated (the crate's `Display` leaves out
/// the cause, such as "connection refused").
fn with_sources(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

impl PostgresArchive {
    /// Connect to the archive at `url` (`postgres://` or `postgresql://`),
    /// creating and migrating its tables as needed: `RP1004` if the server
    /// is down or refuses the login, `RP1005` if the schema is newer than
    /// this build's.
    pub fn open(url: &str, options: &PostgresOptions) -> Result<PostgresArchive, Error> {
        let location = redact_url(url);
        let (url, in_url) = split_schema(url);
        let schema = options.schema.clone().or(in_url);
        if let Some(schema) = schema.as_deref().filter(|s| !is_identifier(s)) {
            return Err(
                unavailable(&location, format!("schema `{schema}` is not a plain name"))
                    .with_hint("use lowercase letters, digits and `_`"),
            );
        }
        let mut config = Config::from_str(&url).map_err(|e| {
            unavailable(
                &location,
                format!("not a PostgreSQL URL: {}", with_sources(&e)),
            )
            .with_hint("write it as `postgres://USER@HOST:PORT/DATABASE`")
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        let mut client = config
            .connect(NoTls)
            .map_err(|e| connect_error(&location, &e))?;
        migrate(&mut client, &location, schema.as_deref())?;
        let insert = client
            .prepare(&schema::insert_record(Dialect::Postgres))
            .map_err(|e| read_error(&location, &e))?;
        Ok(PostgresArchive {
            client,
            insert,
            location,
        })
    }
}

/// Create `schema` if given and make it the search path; apply the
/// migrations the database lacks, one opener at a time.
fn migrate(client: &mut Client, location: &str, schema: Option<&str>) -> Result<(), Error> {
    let fail = |e: postgres::Error| {
        unavailable(
            location,
            format!("cannot prepare the archive: {}", describe(&e)),
        )
    };
    let mut tx = client.transaction().map_err(fail)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(fail)?;
    if let Some(schema) = schema {
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
        ))
        .map_err(fail)?;
    }
    let found = tx
        .query_one(
            "SELECT to_regclass('meta') IS NOT NULL, to_regclass('records') IS NOT NULL",
            &[],
        )
        .map_err(fail)?;
    let (has_meta, has_records): (bool, bool) = (
        found.try_get(0).map_err(fail)?,
        found.try_get(1).map_err(fail)?,
    );
    let stored: Option<String> = if has_meta {
        tx.query_opt(schema::SELECT_VERSION, &[])
            .map_err(fail)?
            .map(|row| row.try_get(0))
            .transpose()
            .map_err(fail)?
    } else if has_records {
        return Err(unavailable(
            location,
            "not an archive: the database has a table `records` but no `meta` table",
        )
        .with_hint("give the archive its own database or schema (`?schema=NAME`)"));
    } else {
        None
    };
    let current = schema::check_version(location, stored.as_deref())?;
    if current == schema::SCHEMA_VERSION {
        return tx.commit().map_err(fail);
    }
    tx.batch_execute(schema::CREATE_META).map_err(fail)?;
    for (version, sql) in schema::migrations(Dialect::Postgres) {
        if version > current {
            tx.batch_execute(&sql).map_err(fail)?;
        }
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', $1) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&schema::SCHEMA_VERSION.to_string()],
    )
    .map_err(fail)?;
    tx.commit().map_err(fail)
}

/// The record in `row` (columns in `schema::RECORD_COLUMNS` order).
fn raw_record(location: &str, row: &postgres::Row) -> Result<RawRecord, Error> {
    RawRecord::read(
        location,
        row.try_get(0).map_err(|e| with_sources(&e)),
        |i| row.try_get(i).map_err(|e| with_sources(&e)),
    )
}

impl Archive for PostgresArchive {
    fn location(&self) -> &str {
        &self.location
    }

    fn append(&mut self, entries: Vec<Entry>) -> Result<Vec<AuditRecord>, Error> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let location = self.location.as_str();
        let fail = |e: postgres::Error| append_error(location, &e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.batch_execute("LOCK TABLE records IN EXCLUSIVE MODE")
            .map_err(fail)?;
        let head = match tx.query_opt(schema::SELECT_HEAD, &[]).map_err(fail)? {
            Some(row) => Some((row.try_get(0).map_err(fail)?, row.try_get(1).map_err(fail)?)),
            None => None,
        };
        let insert = &self.insert;
        let sealed = schema::seal(location, head, entries, |at, texts| {
            let mut values: Vec<&(dyn ToSql + Sync)> = vec![&at];
            values.extend(texts.iter().map(|t| t as &(dyn ToSql + Sync)));
            tx.execute(insert, &values).map(|_| ()).map_err(fail)
        })?;
        tx.commit().map_err(|e| {
            if e.as_db_error().is_some() {
                append_error(location, &e)
            } else {
                write_failed(location, format!("the commit did not answer: {}", with_sources(&e))).with_hint(
                    "the connection failed while committing: the records may or may not be recorded; read the archive's head before appending again",
                )
            }
        })?;
        Ok(sealed)
    }

    fn put_bundle(&mut self, bundle: &Bundle) -> Result<(), Error> {
        self.client
            .execute(
                schema::insert_bundle(Dialect::Postgres),
                &[&bundle.digest(), &schema::layers_json(bundle)],
            )
            .map_err(|e| append_error(&self.location, &e))?;
        Ok(())
    }

    fn bundle(&mut self, digest: &str) -> Result<Option<Bundle>, Error> {
        let row = self
            .client
            .query_opt("SELECT layers FROM bundles WHERE digest = $1", &[&digest])
            .map_err(|e| read_error(&self.location, &e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let layers: String = row.try_get(0).map_err(|e| {
            corrupt(
                &self.location,
                format!("bundle `{digest}` does not parse: {}", with_sources(&e)),
            )
        })?;
        schema::rebuild_bundle(&self.location, digest, &layers).map(Some)
    }

    fn head(&mut self) -> Result<Option<(u64, String)>, Error> {
        let location = self.location.as_str();
        let row = self
            .client
            .query_opt(schema::SELECT_HEAD, &[])
            .map_err(|e| read_error(location, &e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let parse = |e: postgres::Error| {
            corrupt(
                location,
                format!("the head does not parse: {}", with_sources(&e)),
            )
        };
        let stored = (
            row.try_get(0).map_err(parse)?,
            row.try_get(1).map_err(parse)?,
        );
        schema::head(location, stored).map(Some)
    }

    fn scan(
        &mut self,
        filter: &Filter,
        visit: &mut dyn FnMut(AuditRecord) -> bool,
    ) -> Result<(), Error> {
        let location = self.location.as_str();
        let read = |e: postgres::Error| read_error(location, &e);
        let (sql, params) = schema::select_records(Dialect::Postgres, filter);
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let mut tx = self.client.transaction().map_err(read)?;
        let portal = tx.bind(sql.as_str(), &params).map_err(read)?;
        loop {
            let rows = tx.query_portal(&portal, BATCH).map_err(read)?;
            let last = rows.len() < usize::try_from(BATCH).unwrap_or(usize::MAX);
            for row in &rows {
                let record = raw_record(location, row)?.into_record(location)?;
                if !visit(record) {
                    return Ok(());
                }
            }
            if last {
                return Ok(());
            }
        }
    }

    fn add_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), Error> {
        let count = to_i64(&self.location, checkpoint.count)?;
        self.client
            .execute(
                schema::insert_checkpoint(Dialect::Postgres),
                &[
                    &count,
                    &checkpoint.head,
                    &checkpoint.key,
                    &checkpoint.signature,
                ],
            )
            .map_err(|e| append_error(&self.location, &e))?;
        Ok(())
    }

    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>, Error> {
        let location = self.location.as_str();
        let rows = self
            .client
            .query(schema::SELECT_CHECKPOINTS, &[])
            .map_err(|e| read_error(location, &e))?;
        let parse = |e: postgres::Error| {
            corrupt(
                location,
                format!("a checkpoint does not parse: {}", with_sources(&e)),
            )
        };
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(schema::checkpoint(
                location,
                row.try_get(0).map_err(parse)?,
                row.try_get(1).map_err(parse)?,
                row.try_get(2).map_err(parse)?,
                row.try_get(3).map_err(parse)?,
            )?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn messages_never_show_the_password() {
        assert_eq!(
            redact_url("postgres://alice:s3cret@db.example:5432/audit?sslmode=disable"),
            "postgres://alice@db.example:5432/audit?sslmode=disable"
        );
        assert_eq!(
            redact_url("postgresql://db/audit?password=s3cret&user=bob"),
            "postgresql://db/audit?user=bob"
        );
        assert_eq!(
            redact_url("postgres://u:p@host?password=x"),
            "postgres://u@host"
        );
    }

    #[test]
    fn the_schema_parameter_is_taken_out_of_the_url() {
        assert_eq!(
            split_schema("postgres://h/db?schema=t1&sslmode=disable"),
            (
                "postgres://h/db?sslmode=disable".to_string(),
                Some("t1".to_string())
            )
        );
        assert_eq!(
            split_schema("postgres://h/db"),
            ("postgres://h/db".to_string(), None)
        );
        assert!(is_identifier("archive_t1"));
        assert!(!is_identifier("a; DROP TABLE x"));
        assert!(!is_identifier(""));
    }
}
