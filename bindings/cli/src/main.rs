//! `release-policy`: the command line for CI pipelines. It only translates
//! between files, flags and exit codes and the library; every decision is
//! the library's.
//!
//! Exit codes: 0 go / promote / continue, 1 no-go / rollback (or failing
//! policy tests), 3 pending / hold, 2 usage, input or policy error.

/// mimalloc for the whole binary: the decision service allocates and frees
/// a decision's values on several threads at once, where glibc's allocator
/// spent a quarter of the time (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod audit;
mod ci;
mod render;
mod render_assess;
mod review;
mod serve;

/// `println!` that ignores a closed stdout instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use args::{
    Cli, Command, Format, PackCommand, PlanFormat, ReportFormat, SchemaKind, TestFormat,
    TestRunFormat,
};
use release_policy::RolloutVerdict;
use release_policy::Verdict;
use release_policy::plan::{Catalog, ReleasePlan};
use release_policy::review::Records;
use release_policy::{Bundle, Error, ErrorCode, Facts, FactsError, Limits, RolloutFacts};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let ci = ci::requested(&cli.command);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            if let Some((command, format)) = ci {
                emit(&ci::from_error(command, &e).render(format));
            }
            ExitCode::from(2)
        }
    }
}

/// Print an error to stderr: one `error[RP0102]: place: message` line per
/// error (every error of a policy load), each hint under its error.
fn report(e: &Error) {
    if let Error::Catalog(errors) = e {
        for c in errors {
            print_error(c.code(), &c.to_string(), c.hint());
        }
        return;
    }
    let policy = e.policy_errors();
    if policy.is_empty() {
        print_error(e.code(), &e.to_string(), e.hint());
    }
    for p in policy {
        print_error(p.code(), &p.to_string(), p.hint());
    }
}

fn print_error(code: ErrorCode, message: &str, hint: Option<&str>) {
    eprintln!("error[{code}]: {message}");
    if let Some(h) = hint {
        eprintln!("  hint: {h}");
    }
}

/// The bundle of `--builtin` and the `--policies` layers: the built-in pack
/// alone when no directory is given.
fn bundle(policies: &[PathBuf], builtin: bool) -> Result<Bundle, Error> {
    release_policy_server::load_bundle(policies, builtin)
}

/// Which layers decided, for the text and Markdown outputs: `layers:
/// built-in pack (23 files) · org (3 files)`.
fn layers_line(bundle: &Bundle, policies: &[PathBuf], builtin: bool) -> String {
    let mut names: Vec<String> = Vec::new();
    if policies.is_empty() || builtin {
        names.push("built-in pack".into());
    }
    names.extend(policies.iter().map(|p| p.display().to_string()));
    let parts: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let n = bundle.sources().iter().filter(|(l, _)| *l == i + 1).count();
            format!("{name} ({n} file{})", if n == 1 { "" } else { "s" })
        })
        .collect();
    format!("layers: {}", parts.join(" · "))
}

/// `--policies` layers first, then the positional directories; at least
/// one layer (a directory, or `--builtin`).
fn layers(
    policies: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    builtin: bool,
) -> Result<Vec<PathBuf>, Error> {
    let all: Vec<PathBuf> = policies.into_iter().chain(dirs).collect();
    if all.is_empty() && !builtin {
        return Err(Error::io(
            ErrorCode::ReadFailed,
            "<arguments>",
            "no policy directory given: name one, or `--builtin`",
        ));
    }
    Ok(all)
}

/// `pack export DIR`: the built-in pack's files, never over existing ones.
fn export_pack(dir: &std::path::Path) -> Result<u8, Error> {
    let io = |path: &std::path::Path, e: std::io::Error| {
        Error::io(
            ErrorCode::ReadFailed,
            path.display().to_string(),
            e.to_string().to_lowercase(),
        )
    };
    for (rel, _) in Bundle::builtin_files() {
        let path = dir.join(rel);
        if path.exists() {
            return Err(Error::io(
                ErrorCode::ReadFailed,
                path.display().to_string(),
                "already exists: `pack export` never overwrites a file",
            ));
        }
    }
    for (rel, text) in Bundle::builtin_files() {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
        out!("wrote {}", path.display());
    }
    Ok(0)
}

/// Read at most `max + 1` bytes of a file (the parser reports the excess),
/// so `/dev/zero` or a huge file cannot exhaust memory.
fn read_bounded(path: &PathBuf, max: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(max as u64 + 1)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// How an input is named in messages.
fn input_name(path: Option<&PathBuf>) -> String {
    match path {
        Some(p) if p.as_os_str() != "-" => p.display().to_string(),
        _ => "<stdin>".to_string(),
    }
}

/// Read and parse facts of either kind, naming the input in errors.
fn read_facts<T>(
    path: Option<&PathBuf>,
    parse: impl Fn(&[u8], &Limits) -> Result<T, FactsError>,
) -> Result<T, Error> {
    let limits = Limits::default();
    let bytes = match path {
        Some(p) if p.as_os_str() != "-" => {
            read_bounded(p, limits.max_facts_bytes).map_err(|e| {
                Error::io(
                    ErrorCode::ReadFailed,
                    p.display().to_string(),
                    e.to_string().to_lowercase(),
                )
            })?
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(limits.max_facts_bytes as u64 + 1)
                .read_to_end(&mut buf)
                .map_err(|e| {
                    Error::io(
                        ErrorCode::ReadFailed,
                        "<stdin>",
                        e.to_string().to_lowercase(),
                    )
                })?;
            buf
        }
    };
    parse(&bytes, &limits).map_err(|e| Error::from(e.with_input(input_name(path))))
}

/// Facts errors found while evaluating (a list over the limit) name the
/// input too; they stay facts errors, with their code.
fn name_input(path: Option<&PathBuf>) -> impl Fn(Error) -> Error + '_ {
    move |e| match e {
        Error::Facts(f) => Error::from(f.with_input(input_name(path))),
        other => other,
    }
}

/// Write to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn emit(out: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
}

/// A catalog from a directory or one file.
fn catalog(path: &std::path::Path) -> Result<Catalog, Error> {
    if path.is_dir() {
        Catalog::from_dir(path, &Limits::default())
    } else {
        Catalog::from_file(path, &Limits::default())
    }
}

fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Plan {
            releases,
            catalog: catalog_path,
            archive,
            format,
        } => {
            let catalog = catalog(&catalog_path)?;
            let intended = ReleasePlan::from_file(&releases, &Limits::default())?;
            let bundle = Bundle::try_builtin()?;
            let plan = bundle.plan(&catalog, &intended)?;
            if let Some(target) = &archive {
                let inputs = serde_json::json!({
                    "releasePlan": releases.display().to_string(),
                    "catalog": catalog_path.display().to_string(),
                    "releasePlanDigest": release_policy::audit::Entry::digest_of(
                        &std::fs::read(&releases).unwrap_or_default()
                    ),
                });
                audit::record(
                    target,
                    Some(&bundle),
                    plan.audit_entry(&bundle, chrono::Utc::now(), &inputs),
                )?;
            }
            let out = match format {
                PlanFormat::Text => plan.to_text(),
                PlanFormat::Json => plan.to_json() + "\n",
                PlanFormat::Markdown => plan.to_markdown(),
                PlanFormat::Dot => plan.to_dot(),
                PlanFormat::Mermaid => plan.to_mermaid(),
                PlanFormat::Junit | PlanFormat::Sarif | PlanFormat::Github => {
                    let file = releases.display().to_string();
                    ci::from_other::plan(&plan, &file).render(format.ci().unwrap_or(ci::Ci::Github))
                }
            };
            emit(&out);
            Ok(u8::try_from(plan.verdict.exit_code()).unwrap_or(2))
        }
        Command::CanIDeploy {
            service,
            version,
            to,
            catalog: catalog_path,
            format,
        } => {
            let catalog = catalog(&catalog_path)?;
            let answer = Bundle::try_builtin()?.can_i_deploy(&catalog, &service, &version, &to)?;
            let out = match format {
                TestFormat::Json => answer.to_json() + "\n",
                TestFormat::Text => {
                    let mut s = answer.summary.clone() + "\n";
                    for v in &answer.violations {
                        s += &format!("  ✗ [{}] {}\n", v.kind.as_str(), v.message);
                    }
                    s
                }
            };
            emit(&out);
            Ok(if answer.deployable { 0 } else { 1 })
        }
        Command::Check {
            facts: facts_path,
            policies,
            builtin,
            catalog: catalog_path,
            records: records_path,
            archive,
            format,
        } => {
            let bundle = bundle(&policies, builtin)?;
            let catalog = catalog_path.as_deref().map(catalog).transpose()?;
            let records = records_path
                .as_deref()
                .map(|p| Records::from_path(p, &Limits::default()))
                .transpose()?;
            let mut facts = read_facts(facts_path.as_ref(), Facts::from_slice)?;
            if let Some(r) = &records {
                facts = facts
                    .with_history(&bundle, r)
                    .map_err(name_input(facts_path.as_ref()))?;
            }
            let decision = match &catalog {
                Some(c) => bundle.check_with_catalog(&facts, c),
                None => bundle.check(&facts),
            }
            .map_err(name_input(facts_path.as_ref()))?;
            if let Some(target) = &archive {
                audit::record(target, Some(&bundle), decision.audit_entry(&facts))?;
            }
            let layers = layers_line(&bundle, &policies, builtin);
            let out = match format {
                ReportFormat::Junit | ReportFormat::Sarif | ReportFormat::Github => {
                    let facts = ci::from_check::Facts::new(facts_path.as_ref());
                    ci::from_check::check(&decision, &bundle, &facts)
                        .render(format.ci().unwrap_or(ci::Ci::Github))
                }
                ReportFormat::Json => decision.to_json_pretty() + "\n",
                ReportFormat::Markdown => render::markdown(&decision) + "\n" + &layers + "\n",
                ReportFormat::Text => {
                    render::text(
                        &decision,
                        &render::Style {
                            colour: std::io::stdout().is_terminal(),
                        },
                    ) + &layers
                        + "\n"
                }
            };
            emit(&out);
            Ok(match decision.verdict() {
                Verdict::Go => 0,
                Verdict::NoGo => 1,
                Verdict::Pending => 3,
            })
        }
        Command::Assess {
            facts: facts_path,
            policies,
            builtin,
            catalog: catalog_path,
            archive,
            format,
        } => {
            let bundle = bundle(&policies, builtin)?;
            let catalog = catalog_path.as_deref().map(catalog).transpose()?;
            let facts = read_facts(facts_path.as_ref(), RolloutFacts::from_slice)?;
            let assessment = match &catalog {
                Some(c) => bundle.assess_with_catalog(&facts, c),
                None => bundle.assess(&facts),
            }
            .map_err(name_input(facts_path.as_ref()))?;
            if let Some(target) = &archive {
                audit::record(target, Some(&bundle), assessment.audit_entry(&facts))?;
            }
            let layers = layers_line(&bundle, &policies, builtin);
            let out = match format {
                ReportFormat::Junit | ReportFormat::Sarif | ReportFormat::Github => {
                    let facts = ci::from_check::Facts::new(facts_path.as_ref());
                    ci::from_check::assess(&assessment, &bundle, &facts)
                        .render(format.ci().unwrap_or(ci::Ci::Github))
                }
                ReportFormat::Json => assessment.to_json_pretty() + "\n",
                ReportFormat::Markdown => {
                    render_assess::markdown(&assessment) + "\n" + &layers + "\n"
                }
                ReportFormat::Text => {
                    render_assess::text(
                        &assessment,
                        &render::Style {
                            colour: std::io::stdout().is_terminal(),
                        },
                    ) + &layers
                        + "\n"
                }
            };
            emit(&out);
            Ok(match assessment.verdict() {
                RolloutVerdict::Promote | RolloutVerdict::Continue => 0,
                RolloutVerdict::Rollback => 1,
                RolloutVerdict::Hold => 3,
            })
        }
        Command::Test {
            dirs,
            policies,
            builtin,
            require_coverage,
            format,
        } => {
            let dirs = layers(policies, dirs, builtin)?;
            let report = release_policy::testing::run_layers(&dirs, builtin)?;
            let gaps = require_coverage && !report.gaps.is_empty();
            let code = u8::from(report.failed() > 0 || gaps || report.cases.is_empty());
            if let Some(f) = format.ci() {
                emit(&ci::from_other::test(&report, require_coverage, code).render(f));
            } else if let TestRunFormat::Json = format {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                for c in &report.cases {
                    if c.passed {
                        out!("PASS {} :: {}", c.file, c.name);
                    } else {
                        out!("FAIL {} :: {}", c.file, c.name);
                        for f in &c.failures {
                            out!("     {f}");
                        }
                    }
                }
                for g in &report.gaps {
                    out!(
                        "{} {}: no {}",
                        if require_coverage { "GAP " } else { "note" },
                        g.rule,
                        g.missing.join(", no ")
                    );
                }
                out!("{} passed, {} failed", report.passed(), report.failed());
            }
            Ok(code)
        }
        Command::Lint {
            dirs,
            policies,
            builtin,
            deny_warnings,
            format,
        } => {
            let dirs = layers(policies, dirs, builtin)?;
            let bundle = bundle(&dirs, builtin)?;
            if let Some(f) = format.ci() {
                let report = ci::from_other::lint(&bundle, deny_warnings);
                emit(&report.render(f));
                return Ok(report.exit);
            }
            for w in bundle.warnings() {
                eprintln!("warning[{}]: {w}", w.code());
                if let Some(h) = w.hint() {
                    eprintln!("  hint: {h}");
                }
            }
            out!(
                "ok: {} policies, {} rules, bundle {}",
                bundle.policies().len(),
                bundle.rules().len(),
                bundle.digest()
            );
            for (layer, file) in bundle.sources() {
                out!("  layer {layer}: {file}");
            }
            if !bundle.warnings().is_empty() {
                out!("{} warning(s)", bundle.warnings().len());
            }
            Ok(u8::from(deny_warnings && !bundle.warnings().is_empty()))
        }
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Facts => release_policy::schema::facts(),
                SchemaKind::Policy => release_policy::schema::policy(),
                SchemaKind::Decision => release_policy::schema::decision(),
                SchemaKind::Rollout => release_policy::schema::rollout_facts(),
                SchemaKind::Assessment => release_policy::schema::assessment(),
                SchemaKind::Review => release_policy::schema::review(),
                SchemaKind::Record => release_policy::schema::record(),
            };
            out!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            Ok(0)
        }
        Command::Pack {
            command: PackCommand::Export { dir },
        } => export_pack(&dir),
        Command::Archive { command } => audit::run_archive(command),
        Command::Report {
            archive,
            out,
            now,
            policies,
            format,
        } => {
            let bundle = bundle(&policies, !policies.is_empty())?;
            audit::report(&audit::ReportArgs {
                target: &archive,
                out: out.as_deref(),
                now: now.as_deref(),
                bundle: &bundle,
                markdown: format == "markdown",
            })
        }
        Command::Audit { command } => audit::run_audit(command),
        Command::Serve(a) => serve::run(*a),
        Command::Backtest {
            policies,
            builtin,
            archive,
            since,
            until,
            format,
        } => {
            let bundle = bundle(&policies, builtin)?;
            let filter = release_policy_archive::Filter {
                kinds: vec![
                    release_policy::audit::EntryKind::Check,
                    release_policy::audit::EntryKind::Assess,
                ],
                since: since.map(|d| audit::instant("--since", &d)).transpose()?,
                until: until.map(|d| audit::instant("--until", &d)).transpose()?,
                ..Default::default()
            };
            let format = match format {
                Format::Text => "text",
                Format::Json => "json",
                Format::Markdown => "markdown",
            };
            audit::backtest(&archive, &bundle, &filter, format)
        }
        Command::Review {
            records,
            from,
            to,
            service,
            team,
            release,
            environment,
            bands,
            decisions,
            catalog: catalog_path,
            archive,
            format,
        } => review::run(review::Args {
            archive,
            records,
            from,
            to,
            service,
            team,
            release,
            environment,
            bands,
            decisions,
            catalog: catalog_path.as_deref().map(catalog).transpose()?,
            format: match format {
                ReportFormat::Text => review::Output::Text,
                ReportFormat::Json => review::Output::Json,
                ReportFormat::Markdown => review::Output::Markdown,
                ReportFormat::Junit | ReportFormat::Sarif | ReportFormat::Github => {
                    review::Output::Ci(format.ci().unwrap_or(ci::Ci::Github))
                }
            },
        }),
        Command::History {
            records,
            service,
            environment,
            now,
        } => review::history(&records, &service, &environment, &now),
        Command::Explain {
            rule,
            policies,
            builtin,
        } => {
            let bundle = bundle(&policies, builtin)?;
            match bundle.explain(&rule) {
                Some(def) => {
                    out!("{}", serde_json::to_string_pretty(&def).unwrap_or_default());
                    Ok(0)
                }
                None => {
                    let known: Vec<String> =
                        bundle.rules().iter().map(|r| r.id().to_string()).collect();
                    eprintln!(
                        "error[{}]: no rule `{rule}` in the bundle",
                        ErrorCode::UnknownRule
                    );
                    eprintln!(
                        "  hint: rule ids are the `id` of gates, approvals, triggers, promotion criteria, analyses, burn-rate rules and quality gates; this bundle has {}, …",
                        known.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                    );
                    Ok(2)
                }
            }
        }
    }
}
