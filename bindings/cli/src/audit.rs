//! `--archive`, `archive`, `audit` and `backtest`: opening the archive a
//! flag names, handing it what the library decided and printing what the
//! library's chain verification, replay and backtest return.

use std::io::{IsTerminal, Write};
use std::path::Path;

use release_policy::audit::{AuditRecord, Checkpoint, Entry, EntryKind, PublicKey, SigningKey};
use release_policy::model::Timestamp;
use release_policy::review::Records;
use release_policy::{Bundle, Error, ErrorCode, Limits};
use release_policy_archive::{Filter, VerifyOptions};

/// Read a small text file (a key, a checkpoint: at most 64 KiB, so a huge
/// or endless file cannot exhaust memory), naming it in errors.
fn read_text(path: &Path) -> Result<String, Error> {
    use std::io::Read;
    const MAX: u64 = 64 * 1024;
    let fail =
        |message: String| Error::io(ErrorCode::ReadFailed, path.display().to_string(), message);
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX + 1).read_to_string(&mut text))
        .map_err(|e| fail(e.to_string().to_lowercase()))?;
    if text.len() as u64 > MAX {
        return Err(fail(format!(
            "larger than {MAX} bytes: not a key or a checkpoint"
        )));
    }
    Ok(text)
}

fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Archive `entry`, decided by `bundle` (kept once, for replay), into the
/// archive at `target`; says where on stderr.
pub(crate) fn record(
    target: &str,
    bundle: Option<&Bundle>,
    entry: Entry,
) -> Result<AuditRecord, Error> {
    let mut archive = release_policy_archive::open(target)?;
    let record = release_policy_archive::record(archive.as_mut(), bundle, entry)?;
    eprintln!(
        "archived as record {} in {} ({})",
        record.seq,
        archive.location(),
        record.hash.get(..16).unwrap_or(&record.hash)
    );
    Ok(record)
}

/// A date (`2026-09-01`, its UTC midnight) or an RFC 3339 instant, as the
/// RFC 3339 text records carry (`RP1009` otherwise).
pub(crate) fn instant(flag: &str, value: &str) -> Result<String, Error> {
    let t: Option<Timestamp> = chrono::DateTime::parse_from_rfc3339(value)
        .map(|t| t.to_utc())
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        });
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .ok_or_else(|| {
            Error::audit(
                ErrorCode::InvalidArchiveQuery,
                Some(flag.to_string()),
                format!("`{value}` is not a date (`2026-09-01`) or an RFC 3339 instant"),
            )
        })
}

/// `archive add-record`: release records into the chain, in the order
/// read, in one transaction.
pub(crate) fn add_records(target: &str, path: &Path) -> Result<u8, Error> {
    let records = Records::from_path(path, &Limits::default())?;
    let mut archive = release_policy_archive::open(target)?;
    let sealed = release_policy_archive::add_records(archive.as_mut(), &records)?;
    match (sealed.first(), sealed.last()) {
        (Some(a), Some(b)) => emit(&format!(
            "archived {} release record{} as records {}–{} in {}\n",
            sealed.len(),
            if sealed.len() == 1 { "" } else { "s" },
            a.seq,
            b.seq,
            archive.location()
        )),
        _ => emit("no release records to archive\n"),
    }
    Ok(0)
}

/// `audit verify`'s arguments.
pub(crate) struct VerifyArgs<'a> {
    pub target: &'a str,
    pub replay: bool,
    pub public_key: Option<&'a Path>,
    pub checkpoint: Option<&'a Path>,
    pub json: bool,
}

/// `audit verify`: the chain, held to every checkpoint the auditor's key
/// signed, and with `--replay` every check and assessment re-decided.
pub(crate) fn verify(a: &VerifyArgs<'_>) -> Result<u8, Error> {
    let mut archive = release_policy_archive::open(a.target)?;
    let key = a
        .public_key
        .map(|p| PublicKey::from_pem(&p.display().to_string(), &read_text(p)?))
        .transpose()?;
    let options = VerifyOptions {
        replay: a.replay,
        key,
        checkpoints: a
            .checkpoint
            .map(read_checkpoint)
            .transpose()?
            .into_iter()
            .collect(),
    };
    let report = release_policy_archive::verify(archive.as_mut(), &options)?;
    if a.json {
        emit(&(serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"));
    }
    let verification = match report.verification.into_result() {
        Ok(v) => v,
        Err(e) => {
            // A broken chain is a finding (exit 1), not bad input (2).
            crate::report(&e);
            return Ok(1);
        }
    };
    if !a.json {
        emit(&format!(
            "ok: {} record{} intact, head {}{}\n",
            verification.count,
            if verification.count == 1 { "" } else { "s" },
            verification.head.as_deref().unwrap_or("(empty)"),
            match verification.checkpoints {
                0 => String::new(),
                n => format!(
                    ", held to {n} signed checkpoint{}",
                    if n == 1 { "" } else { "s" }
                ),
            }
        ));
        if let Some(n) = report.replayed {
            emit(&format!(
                "replayed {n} decision{}: every one the same, byte for byte{}\n",
                if n == 1 { "" } else { "s" },
                if report.not_replayed.is_empty() {
                    String::new()
                } else {
                    format!("; {} not replayable", report.not_replayed.len())
                }
            ));
            for (seq, why) in &report.not_replayed {
                emit(&format!("  record {seq}: not replayed: {why}\n"));
            }
        }
    }
    Ok(0)
}

fn read_checkpoint(path: &Path) -> Result<Checkpoint, Error> {
    serde_json::from_str(&read_text(path)?).map_err(|e| {
        Error::audit(
            ErrorCode::InvalidCheckpoint,
            Some(path.display().to_string()),
            format!("not a checkpoint: {e}"),
        )
        .with_hint("give the JSON that `audit checkpoint` prints")
    })
}

/// `audit checkpoint`: verify the chain, sign its head, store and print
/// the checkpoint.
pub(crate) fn checkpoint(target: &str, key: &Path) -> Result<u8, Error> {
    let key = SigningKey::from_pem(&key.display().to_string(), &read_text(key)?)?;
    let mut archive = release_policy_archive::open(target)?;
    let c = release_policy_archive::checkpoint(archive.as_mut(), &key)?;
    emit(&(serde_json::to_string_pretty(&c).unwrap_or_default() + "\n"));
    Ok(0)
}

/// `audit show`: the records a filter selects, in chain order.
pub(crate) fn show(target: &str, filter: &Filter, json: bool) -> Result<u8, Error> {
    let mut archive = release_policy_archive::open(target)?;
    let mut n = 0u64;
    archive.scan(filter, &mut |r| {
        n += 1;
        if json {
            emit(&(r.to_json() + "\n"));
        } else {
            emit(&format!(
                "#{:<6} {}  {:<6} {:<28} {:<10} {}  {}\n",
                r.seq,
                r.entry.now,
                r.entry.kind,
                if r.entry.release.is_empty() {
                    "-"
                } else {
                    &r.entry.release
                },
                r.entry.verdict,
                r.hash.get(..16).unwrap_or(&r.hash),
                summary_of(&r)
            ));
        }
        true
    })?;
    if !json && n == 0 {
        emit("no records match\n");
    }
    Ok(0)
}

/// The decision's own summary line, when it has one.
fn summary_of(r: &AuditRecord) -> String {
    let v: serde_json::Value = serde_json::from_str(&r.entry.decision).unwrap_or_default();
    let s = v
        .get("summary")
        .and_then(|s| {
            s.as_str()
                .map(str::to_string)
                .or_else(|| s.get("text")?.as_str().map(str::to_string))
        })
        .or_else(|| v.get("reason").and_then(|s| s.as_str()).map(str::to_string))
        .unwrap_or_default();
    s.chars().take(80).collect()
}

/// `audit export`: the chain as JSON Lines, for another tool to verify.
pub(crate) fn export(target: &str) -> Result<u8, Error> {
    show(target, &Filter::default(), true)
}

/// `report`'s arguments.
pub(crate) struct ReportArgs<'a> {
    pub target: &'a str,
    pub out: Option<&'a Path>,
    pub now: Option<&'a str>,
    pub bundle: &'a Bundle,
    pub markdown: bool,
}

/// `report`: the portfolio of every archived record.
pub(crate) fn report(a: &ReportArgs<'_>) -> Result<u8, Error> {
    let now = a.now.map(|n| instant("--now", n)).transpose()?.map(|t| {
        chrono::DateTime::parse_from_rfc3339(&t)
            .map(|t| t.to_utc())
            .unwrap_or_default()
    });
    let mut archive = release_policy_archive::open(a.target)?;
    let mut records = Vec::new();
    archive.scan(&Filter::default(), &mut |r| {
        records.push(r);
        true
    })?;
    let portfolio = release_policy_report::Portfolio::from_records(records, a.bundle, now)?;
    let text = if a.markdown {
        portfolio.to_markdown()
    } else {
        portfolio.to_html()
    };
    match a.out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| {
                Error::io(
                    ErrorCode::ReadFailed,
                    path.display().to_string(),
                    e.to_string().to_lowercase(),
                )
            })?;
            eprintln!("wrote {}", path.display());
        }
        None => emit(&text),
    }
    Ok(0)
}

/// `backtest`: replay a period of archived decisions through `bundle`.
pub(crate) fn backtest(
    target: &str,
    bundle: &Bundle,
    filter: &Filter,
    format: &str,
) -> Result<u8, Error> {
    let mut archive = release_policy_archive::open(target)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let terminal = std::io::stderr().is_terminal();
    let progress = |n: u64| {
        if terminal {
            eprint!("\rbacktest: {n} decisions replayed");
        }
    };
    let result =
        release_policy_archive::backtest(archive.as_mut(), bundle, filter, threads, &progress)?;
    if terminal {
        eprintln!();
    }
    let out = match format {
        "json" => result.to_json() + "\n",
        "markdown" => result.to_markdown(),
        _ => result.to_text(),
    };
    emit(&out);
    Ok(u8::from(result.changes.iter().any(|c| c.old != c.new)))
}

/// `archive …`.
#[derive(clap::Subcommand)]
pub(crate) enum ArchiveCommand {
    /// Put release records (`kind: ReleaseRecord`: a directory or one file) into the chain.
    AddRecord {
        /// The audit archive: an SQLite file (created if missing) or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: String,
        /// Release records: a directory (`.yaml`, `.yml`, `.json`, `.jsonl`) or one file.
        records: std::path::PathBuf,
    },
}

/// `audit …`.
#[derive(clap::Subcommand)]
pub(crate) enum AuditCommand {
    /// Verify the chain: intact (exit 0) or where it breaks (exit 1, `RP1001`).
    Verify {
        /// The audit archive: an SQLite file or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: String,
        /// Also re-decide every archived check and assessment with its archived bundle.
        #[arg(long)]
        replay: bool,
        /// The checkpoint signer's public key (SPKI PEM): hold the chain to every checkpoint it signed.
        #[arg(long, value_name = "FILE")]
        public_key: Option<std::path::PathBuf>,
        /// A checkpoint kept outside the archive (the JSON `audit checkpoint` prints).
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<std::path::PathBuf>,
        /// Output format (text or json).
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Sign the chain's head with an Ed25519 key (PKCS#8 PEM) and store the checkpoint.
    Checkpoint {
        /// The audit archive.
        #[arg(long, value_name = "ARCHIVE")]
        archive: String,
        /// The private key: `openssl genpkey -algorithm ed25519 -out key.pem`.
        #[arg(long, value_name = "FILE")]
        key: std::path::PathBuf,
    },
    /// Every record about a release, a service or of a kind, in chain order.
    Show {
        /// The audit archive.
        #[arg(long, value_name = "ARCHIVE")]
        archive: String,
        /// Only records about this release.
        #[arg(long)]
        release: Option<String>,
        /// Only records about this service.
        #[arg(long)]
        service: Option<String>,
        /// Only records of this kind (check, assess, plan, review, record).
        #[arg(long, value_parser = ["check", "assess", "plan", "review", "record"])]
        kind: Option<String>,
        /// Only records from this day (`2026-09-01`) or instant on.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only records before this day or instant.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Output format: text, or json (one full record a line).
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// The whole chain as JSON Lines, for another tool to verify (docs/audit.md).
    Export {
        /// The audit archive.
        #[arg(long, value_name = "ARCHIVE")]
        archive: String,
    },
}

/// Run an `archive` command.
pub(crate) fn run_archive(command: ArchiveCommand) -> Result<u8, Error> {
    match command {
        ArchiveCommand::AddRecord { archive, records } => add_records(&archive, &records),
    }
}

/// Run an `audit` command.
pub(crate) fn run_audit(command: AuditCommand) -> Result<u8, Error> {
    match command {
        AuditCommand::Verify {
            archive,
            replay,
            public_key,
            checkpoint: cp,
            format,
        } => verify(&VerifyArgs {
            target: &archive,
            replay,
            public_key: public_key.as_deref(),
            checkpoint: cp.as_deref(),
            json: format == "json",
        }),
        AuditCommand::Checkpoint { archive, key } => checkpoint(&archive, &key),
        AuditCommand::Show {
            archive,
            release,
            service,
            kind,
            since,
            until,
            format,
        } => {
            let filter = Filter {
                kinds: kind
                    .as_deref()
                    .and_then(EntryKind::parse)
                    .into_iter()
                    .collect(),
                release,
                service,
                since: since.map(|d| instant("--since", &d)).transpose()?,
                until: until.map(|d| instant("--until", &d)).transpose()?,
            };
            show(&archive, &filter, format == "json")
        }
        AuditCommand::Export { archive } => export(&archive),
    }
}
