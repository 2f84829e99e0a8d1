//! What the archive tests share: the backends under test (a fresh SQLite
//! file, or a fresh PostgreSQL schema dropped afterwards), raw SQL access
//! to tamper with them as an attacker with write access would, real
//! decision entries, and verification of a whole archive.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code,
    missing_docs
)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Once, OnceLock};
use std::time::Duration;

use release_policy::audit::{AuditRecord, Entry, SigningKey, Verification, Verifier};
use release_policy::{Bundle, Facts};
use release_policy_archive::{Archive, Filter};

/// A backend under test: where an archive is, and raw SQL on it.
pub trait Backend {
    /// What [`release_policy_archive::open`] takes.
    fn target(&self) -> String;
    /// Run `sql` on the archive's database directly (in its schema).
    fn sql(&self, sql: &str);
    /// Open the archive.
    fn open(&self) -> Box<dyn Archive> {
        release_policy_archive::open(&self.target()).expect("the archive opens")
    }
}

/// A fresh SQLite file in a temporary directory.
pub struct Sqlite {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn sqlite() -> Sqlite {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    Sqlite { dir, path }
}

impl Backend for Sqlite {
    fn target(&self) -> String {
        self.path.display().to_string()
    }
    fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(&self.path).unwrap();
        conn.busy_timeout(Duration::from_secs(30)).unwrap();
        conn.execute_batch(sql).unwrap();
    }
}

/// A fresh schema in the test PostgreSQL database, dropped on drop.
pub struct Postgres {
    pub url: String,
    pub schema: String,
}

/// The test server's URL: `RELEASE_POLICY_TEST_POSTGRES`, or the local
/// server with trust authentication.
pub fn postgres_url() -> String {
    std::env::var("RELEASE_POLICY_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

fn raw_client(url: &str) -> Result<postgres::Client, postgres::Error> {
    let mut config: postgres::Config = url.parse()?;
    config.connect_timeout(Duration::from_secs(5));
    config.connect(postgres::NoTls)
}

/// Whether a PostgreSQL server answers; when none does, say so once
/// (straight to stderr, past the test harness's capture), and fail under
/// `CI=true` rather than skip.
pub fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<Result<(), String>> = OnceLock::new();
    static SAID: Once = Once::new();
    let url = postgres_url();
    let result = AVAILABLE.get_or_init(|| {
        raw_client(&url).map(|_| ()).map_err(|e| {
            let url = release_policy_archive::redact_url(&url);
            format!("no server answers at `{url}`: {e}")
        })
    });
    match result {
        Ok(()) => true,
        Err(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("the PostgreSQL suite must run under CI=true, but {why}");
            }
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped the PostgreSQL suite: {why} (set RELEASE_POLICY_TEST_POSTGRES)"
                );
            });
            false
        }
    }
}

/// A fresh schema named after `name` (unique in this run), or `None`
/// when no server answers.
pub fn postgres(name: &str) -> Option<Postgres> {
    if !postgres_available() {
        return None;
    }
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let schema = format!("rp_test_{}_{}_{n}", std::process::id(), name);
    let url = postgres_url();
    raw_client(&url)
        .unwrap()
        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .unwrap();
    Some(Postgres { url, schema })
}

impl Backend for Postgres {
    fn target(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}schema={}", self.url, self.schema)
    }
    fn sql(&self, sql: &str) {
        let mut client = raw_client(&self.url).unwrap();
        client
            .batch_execute(&format!("SET search_path TO {}; {sql}", self.schema))
            .unwrap();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Ok(mut client) = raw_client(&self.url) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

/// The example releases, decided by the built-in pack: real entries.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/releases");
        [
            "checkout-2.4.0.yaml",
            "payments-1.8.0.yaml",
            "search-3.0.0.yaml",
        ]
        .iter()
        .map(|name| {
            let text = std::fs::read_to_string(format!("{root}/{name}")).unwrap();
            let facts = Facts::parse(&text).unwrap();
            Bundle::builtin().check(&facts).unwrap().audit_entry(&facts)
        })
        .collect()
    })
}

/// `n` entries, cycling through the example releases, each with its own
/// release name (`{service}-{i}`).
pub fn many(n: usize) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let mut e = entries()[i % entries().len()].clone();
            e.release = format!("{}-{i}", e.service);
            e
        })
        .collect()
}

/// The key tests sign checkpoints with.
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}

/// Every record, in chain order.
pub fn all(archive: &mut dyn Archive) -> Vec<AuditRecord> {
    let mut out = Vec::new();
    archive
        .scan(&Filter::default(), &mut |r| {
            out.push(r);
            true
        })
        .unwrap();
    out
}

/// Verify the whole archive, held to its checkpoints (whose signatures
/// must verify with [`key`]).
pub fn verify(archive: &mut dyn Archive) -> Verification {
    let mut verifier = Verifier::new();
    for c in archive.checkpoints().unwrap() {
        c.verify(&key().public_key()).unwrap();
        verifier = verifier.checkpoint(c);
    }
    archive
        .scan(&Filter::default(), &mut |r| {
            verifier.push(&r);
            true
        })
        .unwrap();
    verifier.finish()
}

/// SQL text for a string literal.
pub fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// An `INSERT` of `record` as raw SQL (what an attacker would write).
pub fn insert_sql(record: &AuditRecord) -> String {
    let e = &record.entry;
    let texts = [
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
    ];
    let values: Vec<String> = texts.iter().map(|t| lit(t)).collect();
    format!(
        "INSERT INTO records (seq, kind, release, service, environment, now, engine, bundle, \
         facts_digest, decision_digest, verdict, decision, facts, prev, hash) VALUES ({}, {});",
        record.seq,
        values.join(", ")
    )
}

/// The example writer's binary (built by `cargo test` with the examples;
/// built here if a filtered run skipped it).
pub fn writer_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().unwrap().parent().unwrap();
    let writer = profile.join("examples").join("writer");
    if !writer.exists() {
        let status = std::process::Command::new(env!("CARGO"))
            .args([
                "build",
                "-p",
                "release-policy-archive",
                "--example",
                "writer",
            ])
            .env("CARGO_TARGET_DIR", profile.parent().unwrap())
            .status()
            .unwrap();
        assert!(status.success(), "building the writer example failed");
    }
    writer
}
