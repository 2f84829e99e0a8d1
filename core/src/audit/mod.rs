//! The audit trail: what an archived decision is ([`Entry`], sealed into
//! an [`AuditRecord`]), the hash chain that links the records
//! ([`chain`]), its verification ([`Verifier`]) and signed checkpoints
//! ([`Checkpoint`]).
//!
//! Pure: no I/O, no clock. Storage (SQLite, PostgreSQL) lives in the
//! `release-policy-archive` crate, which uses this module through the
//! public API; `docs/audit.md` specifies the encoding so that another tool
//! can verify a chain without this library.

pub mod backtest;
pub mod chain;
pub mod checkpoint;
pub mod record;
pub mod verify;

pub use backtest::{Backtest, Change, RuleChange};
pub use checkpoint::{Checkpoint, PublicKey, SigningKey};
pub use record::{AuditRecord, Entry, EntryKind};
pub use verify::{Break, BreakKind, Verification, Verifier};
