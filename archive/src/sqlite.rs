//! The SQLite backend: one file, in WAL mode with `synchronous=FULL`, so
//! that an append that returned is on disk; appends run in `BEGIN
//! IMMEDIATE` transactions (the write lock is taken before the head is
//! read), and a busy timeout lets several processes append in turn.

use std::path::Path;
use std::time::Duration;

use release_policy::audit::{AuditRecord, Checkpoint, Entry};
use release_policy::{Bundle, Error};
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql, TransactionBehavior};

use crate::schema::{self, Dialect, RawRecord, corrupt, to_i64, unavailable, write_failed};
use crate::{Archive, Filter};

/// How [`SqliteArchive::open`] opens a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    /// How long a writer waits for another one's transaction before it
    /// gives up (`RP1006`); 30 seconds by default.
    pub busy_timeout: Duration,
    /// At most this many pages (of 4 KiB) in the file (`PRAGMA
    /// max_page_count`; never below the pages already used): a quota, or a
    /// full disk in tests. `None`: SQLite's limit.
    pub max_pages: Option<u32>,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: Duration::from_secs(30),
            max_pages: None,
        }
    }
}

/// An archive in an SQLite file.
#[derive(Debug)]
pub struct SqliteArchive {
    conn: Connection,
    location: String,
}

impl SqliteArchive {
    /// Open the archive at `path`, creating the file and migrating its
    /// schema as needed: `RP1004` if it is not an SQLite database (or not
    /// an archive), `RP1005` if its schema is newer than this build's,
    /// `RP1007` if it is damaged.
    pub fn open(path: impl AsRef<Path>, options: &SqliteOptions) -> Result<SqliteArchive, Error> {
        let path = path.as_ref();
        let location = path.display().to_string();
        // SQLite reads both as a private database that vanishes on close:
        // a decision "archived" there would be kept nowhere.
        if location.trim().is_empty() || location == ":memory:" {
            return Err(unavailable(
                &location,
                format!("`{location}` is not an archive: SQLite would keep it in a temporary database that is gone when the command ends"),
            )
            .with_hint("give the path of an archive file (`release-policy.db`), or a `postgres://` URL"));
        }
        if path.is_dir() {
            return Err(unavailable(&location, "not an archive: it is a directory")
                .with_hint("give the path of an archive file, or a new path to create one"));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(path, flags).map_err(|e| open_error(&location, &e))?;
        conn.busy_timeout(options.busy_timeout)
            .map_err(|e| open_error(&location, &e))?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .map_err(|e| open_error(&location, &e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| open_error(&location, &e))?;
        if let Some(pages) = options.max_pages {
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| open_error(&location, &e))?;
        }
        let mut archive = SqliteArchive { conn, location };
        archive.migrate()?;
        Ok(archive)
    }

    /// The schema version stored, after checking the file is an archive.
    fn stored_version(conn: &Connection, location: &str) -> Result<u32, Error> {
        let read = |e: rusqlite::Error| open_error(location, &e);
        let tables: Vec<String> = {
            let mut stmt = conn
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                .map_err(read)?;
            stmt.query_map([], |r| r.get::<_, String>(0))
                .map_err(read)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(read)?
        };
        if !tables.iter().any(|t| t == "meta") {
            if let Some(other) = tables.first() {
                return Err(unavailable(
                    location,
                    format!(
                        "not an archive: the database has a table `{other}` but no `meta` table"
                    ),
                )
                .with_hint("give the path of an archive, or a new path to create one"));
            }
            return Ok(0);
        }
        let stored: Option<String> = conn
            .query_row(schema::SELECT_VERSION, [], |r| r.get(0))
            .optional()
            .map_err(read)?;
        schema::check_version(location, stored.as_deref())
    }

    /// Apply the migrations the file lacks, in one write transaction.
    fn migrate(&mut self) -> Result<(), Error> {
        let location = self.location.clone();
        if Self::stored_version(&self.conn, &location)? == schema::SCHEMA_VERSION {
            return Ok(());
        }
        let fail = |e: rusqlite::Error| open_error(&location, &e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        // Another process may have migrated while this one waited.
        let current = Self::stored_version(&tx, &location)?;
        tx.execute_batch(schema::CREATE_META).map_err(fail)?;
        for (version, sql) in schema::migrations(Dialect::Sqlite) {
            if version > current {
                tx.execute_batch(&sql).map_err(fail)?;
            }
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [schema::SCHEMA_VERSION.to_string()],
        )
        .map_err(fail)?;
        tx.commit().map_err(fail)
    }

    fn read_error(&self, e: &rusqlite::Error) -> Error {
        open_error(&self.location, e)
    }
}

/// An error opening or reading the file: `RP1004`, or `RP1007` for a
/// damaged one.
fn open_error(location: &str, e: &rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            unavailable(location, "not an archive: file is not a database").with_hint(
                "the file is not an SQLite database: give the path of an archive, or a new path to create one",
            )
        }
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            corrupt(location, format!("the database is damaged: {e}"))
                .with_hint("restore the archive from a backup")
        }
        Some(rusqlite::ErrorCode::CannotOpen) => {
            unavailable(location, format!("cannot open the file: {e}"))
                .with_hint("check that its directory exists and can be written")
        }
        _ => unavailable(location, format!("cannot read the archive: {e}")),
    }
}

/// An error while appending: `RP1006` (nothing was recorded), or `RP1007`
/// for a damaged file.
fn append_error(location: &str, e: &rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => open_error(location, e),
        Some(rusqlite::ErrorCode::DiskFull) => {
            write_failed(location, format!("the disk is full: {e}"))
        }
        Some(rusqlite::ErrorCode::ReadOnly) => {
            write_failed(location, format!("the archive is read-only: {e}"))
        }
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            write_failed(
                location,
                format!("another writer held the archive past the busy timeout: {e}"),
            )
        }
        _ => write_failed(location, format!("cannot append: {e}")),
    }
}

/// The record in `row` (columns in `schema::RECORD_COLUMNS` order).
fn raw_record(location: &str, row: &rusqlite::Row<'_>) -> Result<RawRecord, Error> {
    RawRecord::read(location, row.get(0).map_err(|e| e.to_string()), |i| {
        row.get(i).map_err(|e| e.to_string())
    })
}

impl Archive for SqliteArchive {
    fn location(&self) -> &str {
        &self.location
    }

    fn append(&mut self, entries: Vec<Entry>) -> Result<Vec<AuditRecord>, Error> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let location = self.location.clone();
        let fail = |e: rusqlite::Error| append_error(&location, &e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let head: Option<(i64, String)> = tx
            .query_row(schema::SELECT_HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(fail)?;
        let sealed = {
            let mut insert = tx
                .prepare_cached(&schema::insert_record(Dialect::Sqlite))
                .map_err(fail)?;
            schema::seal(&location, head, entries, |at, texts| {
                let mut values: Vec<&dyn ToSql> = vec![&at];
                values.extend(texts.iter().map(|t| t as &dyn ToSql));
                insert.execute(values.as_slice()).map(|_| ()).map_err(fail)
            })?
        };
        tx.commit().map_err(fail)?;
        Ok(sealed)
    }

    fn put_bundle(&mut self, bundle: &Bundle) -> Result<(), Error> {
        self.conn
            .execute(
                schema::insert_bundle(Dialect::Sqlite),
                [bundle.digest(), &schema::layers_json(bundle)],
            )
            .map_err(|e| append_error(&self.location, &e))?;
        Ok(())
    }

    fn bundle(&mut self, digest: &str) -> Result<Option<Bundle>, Error> {
        let layers: Option<String> = self
            .conn
            .query_row(
                "SELECT layers FROM bundles WHERE digest = ?1",
                [digest],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.read_error(&e))?;
        layers
            .map(|layers| schema::rebuild_bundle(&self.location, digest, &layers))
            .transpose()
    }

    fn head(&mut self) -> Result<Option<(u64, String)>, Error> {
        let head: Option<(i64, String)> = self
            .conn
            .query_row(schema::SELECT_HEAD, [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.read_error(&e))?;
        head.map(|stored| schema::head(&self.location, stored))
            .transpose()
    }

    fn scan(
        &mut self,
        filter: &Filter,
        visit: &mut dyn FnMut(AuditRecord) -> bool,
    ) -> Result<(), Error> {
        let location = self.location.as_str();
        let read = |e: rusqlite::Error| open_error(location, &e);
        let (sql, params) = schema::select_records(Dialect::Sqlite, filter);
        let mut stmt = self.conn.prepare(&sql).map_err(read)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(read)?;
        while let Some(row) = rows.next().map_err(read)? {
            let record = raw_record(location, row)?.into_record(location)?;
            if !visit(record) {
                break;
            }
        }
        Ok(())
    }

    fn add_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), Error> {
        let count = to_i64(&self.location, checkpoint.count)?;
        self.conn
            .execute(
                schema::insert_checkpoint(Dialect::Sqlite),
                rusqlite::params![count, checkpoint.head, checkpoint.key, checkpoint.signature],
            )
            .map_err(|e| append_error(&self.location, &e))?;
        Ok(())
    }

    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>, Error> {
        let location = self.location.as_str();
        let read = |e: rusqlite::Error| open_error(location, &e);
        let mut stmt = self
            .conn
            .prepare(schema::SELECT_CHECKPOINTS)
            .map_err(read)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(read)?;
        let mut out = Vec::new();
        for row in rows {
            let (count, head, key, signature) =
                row.map_err(|e| corrupt(location, format!("a checkpoint does not parse: {e}")))?;
            out.push(schema::checkpoint(location, count, head, key, signature)?);
        }
        Ok(out)
    }
}
