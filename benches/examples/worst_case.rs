//! The worst decisions we know how to write within the default limits
//! (`release_policy_benches::worst`), each measured in a process of its own:
//! the slowest of three decisions from the parsed facts (`check`) and of
//! three from the facts' JSON text (`check_str`, which parses them too),
//! and the process's peak
//! resident memory (`VmHWM`, Linux), against the bound every decision
//! within the default limits must keep: 100 ms and 256 MB.
//!
//! `cargo run --release -p release-policy-benches --example worst_case`
//! runs every probe, each in a child process; with a probe's name, that
//! probe alone in this process. Exits 1 when a probe breaks the bound, or
//! when a decision is `go` (every probe must fail closed or decide on what
//! the facts say; none may pass by a limit).

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use release_policy::Verdict;
use release_policy_benches::worst::{NAMES, probe};

/// The bound a decision within the default limits must keep.
const MAX_TIME: Duration = Duration::from_millis(100);
const MAX_RSS_KB: u64 = 256 * 1024;

/// The process's peak resident memory in KiB (`VmHWM`), where Linux tells.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn one(name: &str) -> Result<bool, String> {
    let p = probe(name)?;
    // The slowest of each kind: from the parsed facts, from their text.
    let (mut parsed, mut text) = (Duration::ZERO, Duration::ZERO);
    let mut decision = None;
    for from_text in [false, false, false, true, true, true] {
        let start = Instant::now();
        let d = if from_text {
            p.bundle.check_str(&p.json)
        } else {
            p.bundle.check(&p.facts)
        }
        .map_err(|e| e.to_string())?;
        let kind = if from_text { &mut text } else { &mut parsed };
        *kind = (*kind).max(start.elapsed());
        decision = Some(d);
    }
    let d = decision.ok_or("no decision")?;
    let errors = d
        .findings()
        .iter()
        .filter(|f| f.outcome() == release_policy::Outcome::Error)
        .count();
    let rss = peak_rss_kb();
    let ok = parsed.max(text) <= MAX_TIME
        && rss.is_none_or(|kb| kb <= MAX_RSS_KB)
        && d.verdict() != Verdict::Go;
    println!(
        "{:<22} slowest {:>6.2} ms (from text {:>6.2} ms)  peak RSS {:>4} MB  verdict {:<7} errors {:>3}  {}  ({})",
        p.name,
        parsed.as_secs_f64() * 1e3,
        text.as_secs_f64() * 1e3,
        rss.map_or("?".to_string(), |kb| (kb / 1024).to_string()),
        d.verdict().as_str(),
        errors,
        if ok { "ok" } else { "OVER THE BOUND" },
        p.what,
    );
    Ok(ok)
}

fn main() -> ExitCode {
    if let Some(name) = std::env::args().nth(1) {
        return match one(&name) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("{name}: {e}");
                ExitCode::from(2)
            }
        };
    }
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find this program to run the probes");
        return ExitCode::from(2);
    };
    let mut all = true;
    for name in NAMES {
        match Command::new(&me).arg(name).status() {
            Ok(s) if s.success() => {}
            _ => all = false,
        }
    }
    if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
