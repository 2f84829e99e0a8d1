//! The audit archive: every decision, assessment, plan, review and release
//! record, sealed into one hash chain (see `release_policy::audit`), kept
//! in SQLite (a file: the embedded default) or PostgreSQL (a central archive
//! shared by many writers).
//!
//! This crate does the I/O the core never does, through the core's public
//! API only. Open an archive with [`open`]; every backend implements
//! [`Archive`]. [`SqliteArchive::open`] and [`PostgresArchive::open`] take
//! options ([`SqliteOptions`], [`PostgresOptions`]) that [`open`] leaves at
//! their defaults. `docs/audit.md` ("Storage") describes the schema, the
//! migrations, the concurrency and durability guarantees.

mod postgres;
mod schema;
mod sqlite;

pub use crate::postgres::{PostgresArchive, PostgresOptions, redact_url};
pub use crate::schema::SCHEMA_VERSION;
pub use crate::sqlite::{SqliteArchive, SqliteOptions};

mod ops;

pub use ops::{VerifyOptions, VerifyReport, add_records, backtest, checkpoint, record, verify};

use release_policy::Bundle;
use release_policy::Error;
use release_policy::audit::{AuditRecord, Checkpoint, Entry, EntryKind};

/// Which records a scan reads; every field narrows it (all `None`/empty:
/// every record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these kinds (empty: every kind).
    pub kinds: Vec<EntryKind>,
    /// Only records about this release.
    pub release: Option<String>,
    /// Only records about this service.
    pub service: Option<String>,
    /// Only records whose `now` is at or after this RFC 3339 instant.
    pub since: Option<String>,
    /// Only records whose `now` is before this RFC 3339 instant.
    pub until: Option<String>,
}

/// An audit archive: an append-only chain of records, the bundles that
/// decided them and signed checkpoints.
pub trait Archive: Send {
    /// Where the archive is: the SQLite path, or the PostgreSQL URL without
    /// its password (for messages).
    fn location(&self) -> &str;

    /// Seal `entries` onto the head of the chain, in order, in one
    /// transaction that is durable when this returns: all or none are
    /// recorded. Many writers may append at once; the chain stays one
    /// (no gap, no fork). Returns the sealed records.
    fn append(&mut self, entries: Vec<Entry>) -> Result<Vec<AuditRecord>, Error>;

    /// Keep `bundle`'s layers (its policy texts) under its digest, once,
    /// so that archived decisions can be replayed.
    fn put_bundle(&mut self, bundle: &Bundle) -> Result<(), Error>;

    /// The bundle archived under `digest`, rebuilt (`None` if none is).
    fn bundle(&mut self, digest: &str) -> Result<Option<Bundle>, Error>;

    /// The number of records and the last one's hash (`None` when empty).
    fn head(&mut self) -> Result<Option<(u64, String)>, Error>;

    /// Visit the records `filter` selects in chain order (`seq`
    /// ascending), streaming (never all in memory); `visit` returns
    /// `false` to stop early.
    fn scan(
        &mut self,
        filter: &Filter,
        visit: &mut dyn FnMut(AuditRecord) -> bool,
    ) -> Result<(), Error>;

    /// Store a signed checkpoint.
    fn add_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), Error>;

    /// Every stored checkpoint, by count.
    fn checkpoints(&mut self) -> Result<Vec<Checkpoint>, Error>;
}

/// Whether `target` names a PostgreSQL archive (`postgres://…` or
/// `postgresql://…`) rather than an SQLite file.
pub fn is_postgres_url(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

/// Open (creating and migrating as needed) the archive at `target`: a
/// `postgres://` or `postgresql://` URL, else an SQLite file path.
///
/// A PostgreSQL URL may carry `schema=NAME` among its parameters: the
/// archive's tables then live in that schema (created if needed).
pub fn open(target: &str) -> Result<Box<dyn Archive>, Error> {
    if is_postgres_url(target) {
        Ok(Box::new(PostgresArchive::open(
            target,
            &PostgresOptions::default(),
        )?))
    } else {
        Ok(Box::new(SqliteArchive::open(
            target,
            &SqliteOptions::default(),
        )?))
    }
}
