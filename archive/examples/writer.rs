//! A writer for the durability test: appends real decision entries to the
//! archive named on the command line, one per transaction, and prints each
//! acknowledged `seq` on its own line (flushed) as soon as the append
//! returned. The test kills it with SIGKILL at random moments and checks
//! that every printed `seq` survived.
//!
//! `cargo run -p release-policy-archive --example writer -- ARCHIVE [COUNT]`
//! (`ARCHIVE`: an SQLite path or a PostgreSQL URL; `COUNT`: stop after this
//! many, default: never). It prints `ready` first, before it opens the
//! archive.

use std::io::Write;
use std::process::ExitCode;

use release_policy::{Bundle, Facts};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(target) = args.next() else {
        eprintln!("usage: writer ARCHIVE [COUNT]");
        return ExitCode::from(2);
    };
    let count: u64 = args.next().and_then(|c| c.parse().ok()).unwrap_or(u64::MAX);
    match run(&target, count) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(target: &str, count: u64) -> Result<(), release_policy::Error> {
    let text = include_str!("../../examples/releases/checkout-2.4.0.yaml");
    let facts = Facts::parse(text)?;
    let entry = Bundle::builtin().check(&facts)?.audit_entry(&facts);
    let mut out = std::io::stdout().lock();
    // Ready to open: the test times its kill from here.
    if writeln!(out, "ready").and_then(|()| out.flush()).is_err() {
        return Ok(());
    }
    let mut archive = release_policy_archive::open(target)?;
    for i in 0..count {
        let mut e = entry.clone();
        e.release = format!("checkout-2.4.{i}");
        for record in archive.append(vec![e])? {
            if writeln!(out, "{}", record.seq)
                .and_then(|()| out.flush())
                .is_err()
            {
                return Ok(());
            }
        }
    }
    Ok(())
}
