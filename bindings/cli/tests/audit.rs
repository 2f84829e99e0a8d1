//! The audit archive from the command line, end to end on an SQLite file:
//! decisions recorded with `--archive`, the chain verified and replayed,
//! a changed record found (exit 1, `RP1001`), checkpoints signed and held
//! with OpenSSL's Ed25519 keys, the export checked by the independent
//! verifier of docs/audit.md, `show`, `add-record`, `backtest` and
//! `report`, and bad input refused with its code (exit 2).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cli() -> Command {
    let mut c = Command::cargo_bin("release-policy").unwrap();
    c.current_dir(root());
    c
}

/// Run, assert the exit code, and return (stdout, stderr).
fn run(c: &mut Command, code: i32) -> (String, String) {
    let out = c.assert().code(code).get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("rp-cli-audit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn db(&self) -> String {
        self.0.join("a.db").display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Three checks and one assessment, as a pipeline would record them.
fn fill(db: &str) {
    for (f, code) in [
        ("examples/releases/checkout-2.4.0.yaml", 1),
        ("examples/releases/payments-1.8.0.yaml", 0),
        ("examples/releases/search-3.0.0.yaml", 3),
    ] {
        let (_, err) = run(cli().args(["check", "--archive", db, f]), code);
        assert!(err.contains("archived as record"), "{err}");
    }
    run(
        cli().args([
            "assess",
            "--archive",
            db,
            "examples/rollouts/checkout-latency-regression.yaml",
        ]),
        1,
    );
}

#[test]
fn recorded_decisions_verify_and_replay() {
    let d = Dir::new("verify");
    fill(&d.db());
    let (out, _) = run(
        cli().args(["audit", "verify", "--archive", &d.db(), "--replay"]),
        0,
    );
    assert!(out.starts_with("ok: 4 records intact, head "), "{out}");
    assert!(
        out.contains("replayed 4 decisions: every one the same"),
        "{out}"
    );
    let (out, _) = run(
        cli().args([
            "audit",
            "show",
            "--archive",
            &d.db(),
            "--release",
            "checkout-2.4.0",
        ]),
        0,
    );
    // The check and the canary assessment of the release, in order.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("#1 ") && lines[0].contains("check") && lines[0].contains("no-go"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("#4 ") && lines[1].contains("assess") && lines[1].contains("rollback"),
        "{out}"
    );
    let (json, _) = run(
        cli().args([
            "audit",
            "show",
            "--archive",
            &d.db(),
            "--kind",
            "assess",
            "--format",
            "json",
        ]),
        0,
    );
    let r: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(r["seq"], 4);
    assert_eq!(r["verdict"], "rollback");
}

#[test]
fn a_changed_record_fails_verification_at_its_place() {
    let d = Dir::new("tamper");
    fill(&d.db());
    let (export, _) = run(cli().args(["audit", "export", "--archive", &d.db()]), 0);
    assert_eq!(export.lines().count(), 4);
    // The independent verifier of docs/audit.md agrees on the export.
    let file = d.0.join("chain.jsonl");
    std::fs::write(&file, &export).unwrap();
    if let Ok(out) = std::process::Command::new("python3")
        .arg(root().join("core/tests/data/audit_verify.py"))
        .arg(&file)
        .output()
    {
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("ok 4 "), "{text}");
    }
    // Edit a verdict in the database, as someone with write access could.
    let db = rusqlite_free_edit(Path::new(&d.db()));
    assert!(db, "no table of records found to edit");
    let (out, err) = run(cli().args(["audit", "verify", "--archive", &d.db()]), 1);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.starts_with("error[RP1001]: record 1: record 1 was changed"),
        "{err}"
    );
}

/// Change record 1's verdict with the `sqlite3` shell when it is there,
/// else with Python's sqlite3 module: an editor outside the library.
fn rusqlite_free_edit(db: &Path) -> bool {
    let script = "import sqlite3,sys\n\
        db=sqlite3.connect(sys.argv[1])\n\
        t=[r[0] for r in db.execute(\"select name from sqlite_master where type='table'\") if 'record' in r[0]]\n\
        db.execute('update '+t[0]+\" set verdict='go' where seq=1\")\n\
        db.commit()\n";
    std::process::Command::new("python3")
        .args(["-c", script])
        .arg(db)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn checkpoints_are_signed_and_held_with_the_auditors_key() {
    let d = Dir::new("checkpoint");
    fill(&d.db());
    let key = "core/tests/data/audit-key.pem";
    let public = "core/tests/data/audit-key.pub";
    let (out, _) = run(
        cli().args(["audit", "checkpoint", "--archive", &d.db(), "--key", key]),
        0,
    );
    let c: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(c["count"], 4);
    let (out, _) = run(
        cli().args([
            "audit",
            "verify",
            "--archive",
            &d.db(),
            "--public-key",
            public,
        ]),
        0,
    );
    assert!(out.contains("held to 1 signed checkpoint"), "{out}");
    let (_, err) = run(
        cli().args([
            "audit",
            "verify",
            "--archive",
            &d.db(),
            "--public-key",
            "core/tests/data/audit-other-key.pub",
        ]),
        2,
    );
    assert!(
        err.starts_with("error[RP1002]: checkpoint at record 4"),
        "{err}"
    );
    let (_, err) = run(
        cli().args(["audit", "checkpoint", "--archive", &d.db(), "--key", public]),
        2,
    );
    assert!(err.starts_with("error[RP1003]"), "{err}");
    assert!(
        err.contains("hint: make one with `openssl genpkey"),
        "{err}"
    );
}

#[test]
fn records_backtest_and_report() {
    let d = Dir::new("backtest");
    fill(&d.db());
    let (out, _) = run(
        cli().args([
            "archive",
            "add-record",
            "--archive",
            &d.db(),
            "examples/records",
        ]),
        0,
    );
    assert!(
        out.starts_with("archived ") && out.contains("as records 5–"),
        "{out}"
    );
    let layer = "core/tests/data/audit-stricter";
    let (out, _) = run(
        cli().args([
            "backtest",
            "--builtin",
            "--policies",
            layer,
            "--archive",
            &d.db(),
            "--since",
            "2026-01-01",
        ]),
        0,
    );
    // checkout-2.4.0 was no-go already: its rules change, its verdict not.
    assert!(
        out.contains("4 decisions replayed: 1 would change"),
        "{out}"
    );
    assert!(out.contains("checkout-frozen"), "{out}");
    let (out, _) = run(
        cli().args(["backtest", "--archive", &d.db(), "--format", "json"]),
        0,
    );
    let b: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(b["replayed"], 4);
    assert_eq!(b["changes"], serde_json::json!([]));
    let html = d.0.join("portfolio.html");
    run(
        cli()
            .args(["report", "--archive", &d.db(), "--out"])
            .arg(&html),
        0,
    );
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("checkout-2.4.0") && text.contains("no-go"));
    let (md, _) = run(
        cli().args(["report", "--archive", &d.db(), "--format", "markdown"]),
        0,
    );
    assert!(md.contains("checkout"), "{md}");
}

#[test]
fn bad_archive_input_is_refused_with_its_code() {
    let d = Dir::new("bad");
    let notes = d.0.join("notes.txt");
    std::fs::write(&notes, "not a database\n".repeat(200)).unwrap();
    let (_, err) = run(cli().args(["audit", "verify", "--archive"]).arg(&notes), 2);
    assert!(
        err.starts_with("error[RP1004]") || err.starts_with("error[RP1007]"),
        "{err}"
    );
    // An endless key file is refused before it fills memory.
    let (_, err) = run(
        cli().args([
            "audit",
            "verify",
            "--archive",
            &d.db(),
            "--public-key",
            "/dev/zero",
        ]),
        2,
    );
    assert!(
        err.starts_with("error[RP0601]: /dev/zero: larger than"),
        "{err}"
    );
    // A decision "archived" where SQLite keeps nothing is no go-ahead.
    for target in ["", ":memory:"] {
        let (out, err) = run(
            cli().args([
                "check",
                "--archive",
                target,
                "examples/releases/payments-1.8.0.yaml",
            ]),
            2,
        );
        assert!(out.is_empty(), "{out}");
        assert!(err.starts_with("error[RP1004]"), "{err}");
    }
    let (_, err) = run(
        cli().args(["backtest", "--archive", &d.db(), "--since", "yesterday"]),
        2,
    );
    assert!(
        err.starts_with("error[RP1009]: --since: `yesterday`"),
        "{err}"
    );
    let (_, err) = run(
        cli().args([
            "audit",
            "verify",
            "--archive",
            &d.db(),
            "--checkpoint",
            "core/tests/data/audit-key.pub",
        ]),
        2,
    );
    assert!(err.contains("RP1002") || err.contains("RP1009"), "{err}");
}

/// The same commands on a shared PostgreSQL archive (its own schema),
/// when a server answers (`RELEASE_POLICY_TEST_POSTGRES`, default the local
/// one); skipped with a message otherwise, failed under `CI=true`.
#[test]
fn a_postgresql_archive_takes_the_same_commands() {
    let base = std::env::var("RELEASE_POLICY_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let up = std::net::TcpStream::connect_timeout(
        &"127.0.0.1:5432".parse().unwrap(),
        std::time::Duration::from_secs(2),
    )
    .is_ok()
        || std::env::var("RELEASE_POLICY_TEST_POSTGRES").is_ok();
    if !up {
        assert!(
            std::env::var("CI").is_err(),
            "no PostgreSQL server answers and CI=true: the archive's PostgreSQL test cannot be skipped"
        );
        eprintln!("skipped the CLI's PostgreSQL test: no server answers at 127.0.0.1:5432");
        return;
    }
    let schema = format!("rp_cli_{}", std::process::id());
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}schema={schema}");
    fill(&url);
    let (out, _) = run(
        cli().args(["audit", "verify", "--archive", &url, "--replay"]),
        0,
    );
    assert!(out.starts_with("ok: 4 records intact"), "{out}");
    assert!(out.contains("replayed 4 decisions"), "{out}");
    let (out, _) = run(cli().args(["backtest", "--archive", &url]), 0);
    assert!(
        out.contains("4 decisions replayed: none would change"),
        "{out}"
    );
    let _ = std::process::Command::new("psql")
        .arg(&base)
        .args([
            "-q",
            "-c",
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        ])
        .output();
}
