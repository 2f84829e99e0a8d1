//! `--archive`, `archive`, `audit` and `backtest`: opening the archive a
//! flag names, handing it what the library decided and printing what the
//! library's chain verification, replay and backtest return.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use release_policy::audit::{
    AuditRecord, Checkpoint, Entry, EntryKind, PublicKey, SigningKey, Verifier,
};
use release_policy::model::Timestamp;
use release_policy::review::Records;
use release_policy::{Bundle, Error, ErrorCode, Limits};
use release_policy_archive::{Archive, Filter};

/// Read a small text file (a key, a checkpoint) naming it in errors.
fn read_text(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::io(
            ErrorCode::ReadFailed,
            path.display().to_string(),
            e.to_string().to_lowercase(),
        )
    })
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
    if let Some(b) = bundle {
        archive.put_bundle(b)?;
    }
    let mut sealed = archive.append(vec![entry])?;
    let record = sealed.pop().ok_or_else(|| {
        Error::audit(
            ErrorCode::ArchiveWriteFailed,
            Some(archive.location().to_string()),
            "the archive acknowledged no record",
        )
    })?;
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
    let entries: Vec<Entry> = records.iter().map(|r| r.audit_entry()).collect();
    let mut archive = release_policy_archive::open(target)?;
    let sealed = archive.append(entries)?;
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
    let mut verifier = Verifier::new();
    let mut checkpoints = Vec::new();
    if let Some(key_path) = a.public_key {
        let key = PublicKey::from_pem(&key_path.display().to_string(), &read_text(key_path)?)?;
        let mut given = archive.checkpoints()?;
        if let Some(p) = a.checkpoint {
            given.push(read_checkpoint(p)?);
        }
        for c in given {
            c.verify(&key)?;
            checkpoints.push(c);
        }
    } else if a.checkpoint.is_some() {
        return Err(Error::audit(
            ErrorCode::InvalidArchiveQuery,
            Some("--checkpoint".into()),
            "a checkpoint is only trusted with the key that signed it",
        )
        .with_hint("give the signer's public key with `--public-key key.pub`"));
    }
    for c in &checkpoints {
        verifier = verifier.checkpoint(c.clone());
    }
    let mut bundles: BTreeMap<String, ()> = BTreeMap::new();
    archive.scan(&Filter::default(), &mut |r| {
        verifier.push(&r);
        if a.replay && matches!(r.entry.kind, EntryKind::Check | EntryKind::Assess) {
            bundles.insert(r.entry.bundle.clone(), ());
        }
        true
    })?;
    let verification = verifier.finish();
    let replay = if a.replay && verification.is_intact() {
        Some(replay(archive.as_mut(), bundles.into_keys().collect())?)
    } else {
        None
    };
    if a.json {
        let v = serde_json::json!({
            "archive": archive.location(),
            "intact": verification.is_intact(),
            "verification": verification,
            "replay": replay.as_ref().map(|r| serde_json::json!({
                "replayed": r.replayed,
                "skipped": r.skipped,
            })),
        });
        emit(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
    }
    let verification = verification.into_result()?;
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
        if let Some(r) = &replay {
            emit(&format!(
                "replayed {} decision{}: every one the same, byte for byte{}\n",
                r.replayed,
                if r.replayed == 1 { "" } else { "s" },
                if r.skipped.is_empty() {
                    String::new()
                } else {
                    format!("; {} not replayable", r.skipped.len())
                }
            ));
            for (seq, why) in &r.skipped {
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

struct Replayed {
    replayed: u64,
    skipped: Vec<(u64, String)>,
}

/// Re-decide every archived check and assessment with its archived
/// bundle; the first difference is `RP1008`.
fn replay(archive: &mut dyn Archive, digests: Vec<String>) -> Result<Replayed, Error> {
    let mut bundles = BTreeMap::new();
    for d in digests {
        let b = archive.bundle(&d)?;
        bundles.insert(d, b);
    }
    let mut out = Replayed {
        replayed: 0,
        skipped: Vec::new(),
    };
    let mut mismatch: Option<Error> = None;
    let filter = Filter {
        kinds: vec![EntryKind::Check, EntryKind::Assess],
        ..Filter::default()
    };
    archive.scan(&filter, &mut |r| {
        let place = Some(format!("record {}", r.seq));
        let Some(Some(bundle)) = bundles.get(&r.entry.bundle) else {
            mismatch = Some(
                Error::audit(
                    ErrorCode::ReplayMismatch,
                    place,
                    format!("bundle `{}` is not in the archive", r.entry.bundle),
                )
                .with_hint("archive decisions with `--archive`, which stores each bundle once"),
            );
            return false;
        };
        match bundle.replay(&r) {
            Ok(again) if again == r.entry => out.replayed += 1,
            Ok(again) => {
                let what = if again.verdict != r.entry.verdict {
                    format!(
                        "replayed, it says `{}` where the archive says `{}`",
                        again.verdict, r.entry.verdict
                    )
                } else {
                    "replayed, its decision differs from the archived one".to_string()
                };
                mismatch = Some(
                    Error::audit(ErrorCode::ReplayMismatch, place, what).with_hint(format!(
                        "archived by `{}`, replayed by `{}`; if they are the same, the record was changed along with its chain",
                        r.entry.engine, again.engine
                    )),
                );
                return false;
            }
            Err(e) if e.code() == ErrorCode::ReplayMismatch => {
                out.skipped.push((r.seq, e.to_string()));
            }
            Err(e) => {
                mismatch = Some(Error::audit(
                    ErrorCode::ReplayMismatch,
                    place,
                    format!("its archived facts do not decide: error[{}]: {e}", e.code()),
                ));
                return false;
            }
        }
        true
    })?;
    match mismatch {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// `audit checkpoint`: verify the chain, sign its head, store and print
/// the checkpoint.
pub(crate) fn checkpoint(target: &str, key: &Path) -> Result<u8, Error> {
    let key = SigningKey::from_pem(&key.display().to_string(), &read_text(key)?)?;
    let mut archive = release_policy_archive::open(target)?;
    let mut verifier = Verifier::new();
    archive.scan(&Filter::default(), &mut |r| {
        verifier.push(&r);
        true
    })?;
    let v = verifier.finish().into_result()?;
    let Some(head) = v.head else {
        return Err(Error::audit(
            ErrorCode::InvalidArchiveQuery,
            Some(archive.location().to_string()),
            "the archive is empty: there is nothing to sign",
        ));
    };
    let c = Checkpoint::sign(v.count, &head, &key);
    archive.add_checkpoint(&c)?;
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
    let result = bundle.backtest(
        |push| {
            archive.scan(filter, &mut |r| {
                push(r);
                true
            })
        },
        threads,
        &progress,
    )?;
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
