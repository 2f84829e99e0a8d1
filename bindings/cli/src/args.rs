//! The command line's shape: every command, flag and output format, as
//! clap parses them. `main.rs` runs them.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "release-policy",
    version,
    about = "Decide whether a release may go, from YAML policies with CEL conditions"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
}

/// `check`, `assess` and `review`: the human and JSON formats, and the CI
/// ones (`crate::ci`).
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum ReportFormat {
    Text,
    Json,
    Markdown,
    Junit,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum PlanFormat {
    Text,
    Json,
    Markdown,
    Dot,
    Mermaid,
    Junit,
    Sarif,
    Github,
}

/// `test`'s formats.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum TestRunFormat {
    Text,
    Json,
    Junit,
    Sarif,
    Github,
}

/// `lint`'s formats.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum LintFormat {
    Text,
    Junit,
    Sarif,
    Github,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum TestFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum SchemaKind {
    Facts,
    Policy,
    Decision,
    Rollout,
    Assessment,
    Review,
    Record,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Check a release: go (exit 0), no-go (1) or pending (3).
    Check {
        /// Facts file (YAML or JSON); `-` or nothing reads stdin.
        facts: Option<PathBuf>,
        /// Policy directory; repeat for layers, organisation first. Default: the built-in pack.
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Put the built-in pack first, under the `--policies` layers.
        #[arg(long)]
        builtin: bool,
        /// A catalog (a directory or one file): binds `graph` and `calendar` for the policies.
        #[arg(long, value_name = "PATH", conflicts_with = "records")]
        catalog: Option<PathBuf>,
        /// Release records (a directory or one file): `history` derived from them.
        #[arg(long, value_name = "PATH")]
        records: Option<PathBuf>,
        /// Record the result in an audit archive: an SQLite file (created if missing) or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Review release records: DORA's four keys, stability, post-mortems; pass (exit 0) or fail (1).
    Review {
        /// Release records: a directory (`.yaml`, `.yml`, `.json`, `.jsonl`) or one file.
        #[arg(long, value_name = "PATH")]
        records: PathBuf,
        /// First day (`2026-10-27`) or instant of the period (default: the first deployment's day).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// First day (or instant) after the period: `--to 2026-11-26` ends at its midnight.
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Only this service.
        #[arg(long)]
        service: Option<String>,
        /// Only this team.
        #[arg(long)]
        team: Option<String>,
        /// One release's outcome instead of the period's report.
        #[arg(long, value_name = "ID", conflicts_with_all = ["from", "service", "team"])]
        release: Option<String>,
        /// The environment whose deployments count.
        #[arg(long, default_value = "production")]
        environment: String,
        /// Performance bands (`kind: PerformanceBands`) instead of DORA 2023's.
        #[arg(long, value_name = "FILE")]
        bands: Option<PathBuf>,
        /// Past decisions and assessments (`--format json` output; a directory or one file): policy effectiveness.
        #[arg(long, value_name = "PATH")]
        decisions: Option<PathBuf>,
        /// A catalog: every record's service must be in it; its `rollbackBudget`s apply.
        #[arg(long, value_name = "PATH")]
        catalog: Option<PathBuf>,
        /// Record the result in an audit archive: an SQLite file (created if missing) or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Print the `history` section of check's facts, derived from release records.
    History {
        /// Release records: a directory or one file.
        #[arg(long, value_name = "PATH")]
        records: PathBuf,
        /// The service.
        #[arg(long)]
        service: String,
        /// The environment.
        #[arg(long, default_value = "production")]
        environment: String,
        /// The moment the history is read at (RFC 3339); nothing after it is used.
        #[arg(long)]
        now: String,
    },
    /// Assess a rollout in progress: promote or continue (exit 0), rollback (1) or hold (3).
    Assess {
        /// Rollout facts file (YAML or JSON); `-` or nothing reads stdin.
        facts: Option<PathBuf>,
        /// Policy directory; repeat for layers, organisation first. Default: the built-in pack.
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Put the built-in pack first, under the `--policies` layers.
        #[arg(long)]
        builtin: bool,
        /// A catalog (a directory or one file): the services downstream, for `downstream` triggers.
        #[arg(long, value_name = "PATH")]
        catalog: Option<PathBuf>,
        /// Record the result in an audit archive: an SQLite file (created if missing) or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Plan releases of many services: ok (exit 0), blocked (1) or needs a decision (3).
    Plan {
        /// The release plan (`kind: ReleasePlan`, YAML or JSON).
        releases: PathBuf,
        /// The catalog: a directory of `Service`, `Calendar` and `Environment` documents, or one file.
        #[arg(long, value_name = "PATH")]
        catalog: PathBuf,
        /// Record the result in an audit archive: an SQLite file (created if missing) or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: PlanFormat,
    },
    /// May this version of a service go to an environment? yes (exit 0) or no (1), from the catalog's API contracts.
    CanIDeploy {
        /// The service.
        service: String,
        /// Its version.
        version: String,
        /// The target environment.
        #[arg(long = "to", value_name = "ENVIRONMENT")]
        to: String,
        /// The catalog: a directory or one file.
        #[arg(long, value_name = "PATH")]
        catalog: PathBuf,
        /// Output format (text or json).
        #[arg(long, value_enum, default_value = "text")]
        format: TestFormat,
    },
    /// Run the policy tests (`*.test.yaml`) of policy directories, layered.
    Test {
        /// Policy directories with their tests, as layers in order (after
        /// any `--policies`); each directory's tests run against the whole stack.
        dirs: Vec<PathBuf>,
        /// A lower layer, as in `check` (repeatable, organisation first).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Put the built-in pack first, under the other layers.
        #[arg(long)]
        builtin: bool,
        /// Fail when a rule lacks a passing or a failing case.
        #[arg(long)]
        require_coverage: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: TestRunFormat,
    },
    /// Load and statically check policies, without facts; print warnings.
    Lint {
        /// Policy directories, as layers in order (after any `--policies`).
        dirs: Vec<PathBuf>,
        /// A lower layer, as in `check` (repeatable, organisation first).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Put the built-in pack first, under the other layers.
        #[arg(long)]
        builtin: bool,
        /// Exit 1 when there are warnings.
        #[arg(long)]
        deny_warnings: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: LintFormat,
    },
    /// Print a JSON Schema: of the facts, a policy, a decision, rollout facts, an assessment, a review or a release record.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        kind: SchemaKind,
    },
    /// Show a rule's definition.
    Explain {
        /// The rule id.
        rule: String,
        /// Policy directories (default: the built-in pack).
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Put the built-in pack first, under the `--policies` layers.
        #[arg(long)]
        builtin: bool,
    },
    /// The built-in policy pack: `pack export DIR` writes its files out to fork it.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Put inputs into the audit archive: `archive add-record` for release records.
    Archive {
        #[command(subcommand)]
        command: crate::audit::ArchiveCommand,
    },
    /// The audit archive's chain: `verify` (exit 0 intact, 1 broken), `checkpoint`, `show`, `export`.
    Audit {
        #[command(subcommand)]
        command: crate::audit::AuditCommand,
    },
    /// The portfolio report of an audit archive: one self-contained HTML page, or Markdown.
    Report {
        /// The audit archive: an SQLite file or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: String,
        /// Write the report here (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The moment the report is as of (RFC 3339 or a date); default: the latest the records name.
        #[arg(long, value_name = "DATE")]
        now: Option<String>,
        /// Review policies (success criteria, instability rules) as layers over the built-in pack.
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Output format.
        #[arg(long, default_value = "html", value_parser = ["html", "markdown"])]
        format: String,
    },
    /// Serve decisions over HTTP/JSON: `POST /v1/check`, `/v1/assess`, `/v1/plan`, `/v1/review`; runs until SIGTERM.
    Serve(Box<ServeArgs>),
    /// Replay archived decisions through new policies: which verdicts would change (exit 1 if any).
    Backtest {
        /// Policy directory of the new bundle; repeat for layers. Default: the built-in pack.
        #[arg(long = "policies", value_name = "DIR")]
        policies: Vec<PathBuf>,
        /// Put the built-in pack first, under the `--policies` layers.
        #[arg(long)]
        builtin: bool,
        /// The audit archive: an SQLite file or a `postgres://` URL.
        #[arg(long, value_name = "ARCHIVE")]
        archive: String,
        /// Only decisions from this day (`2026-09-01`) or instant on.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Only decisions before this day or instant.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// `serve`'s flags (docs/server.md).
#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free one, announced on stderr).
    #[arg(long, default_value = "127.0.0.1:8484", value_name = "ADDR")]
    pub(crate) listen: std::net::SocketAddr,
    /// Policy directory; repeat for layers, organisation first. Default: the built-in pack.
    #[arg(long = "policies", value_name = "DIR")]
    pub(crate) policies: Vec<PathBuf>,
    /// Put the built-in pack first, under the `--policies` layers.
    #[arg(long)]
    pub(crate) builtin: bool,
    /// A catalog (a directory or one file): needed by `/v1/plan`; binds `graph` and `calendar` for checks.
    #[arg(long, value_name = "PATH")]
    pub(crate) catalog: Option<PathBuf>,
    /// Record every decision in an audit archive: an SQLite file or a `postgres://` URL.
    #[arg(long, value_name = "ARCHIVE")]
    pub(crate) archive: Option<String>,
    /// Bearer tokens, one per line (at least 16 characters): every route but /healthz and /readyz needs one.
    #[arg(long, value_name = "FILE")]
    pub(crate) token_file: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain (PEM); needs `--tls-key`.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM); needs `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Largest request body, in bytes (413 above it).
    #[arg(long, default_value_t = 8 * 1024 * 1024, value_name = "BYTES")]
    pub(crate) max_body_bytes: usize,
    /// Seconds allowed for a request's headers and a TLS handshake.
    #[arg(long, default_value_t = 10.0, value_name = "SECONDS")]
    pub(crate) header_timeout: f64,
    /// Seconds allowed for a request's body (408 after it).
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub(crate) body_timeout: f64,
    /// Most requests read or decided at once (503 above it).
    #[arg(long, default_value_t = 256, value_name = "N")]
    pub(crate) max_concurrent: usize,
    /// Most open connections.
    #[arg(long, default_value_t = 1024, value_name = "N")]
    pub(crate) max_connections: usize,
    /// Decision threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub(crate) workers: Option<usize>,
    /// Seconds between looks for changed policy or catalog files; 0: reload on SIGHUP only.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub(crate) watch_interval: f64,
    /// Seconds SIGTERM waits for requests in flight.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub(crate) drain_timeout: f64,
}

#[derive(Subcommand)]
pub(crate) enum PackCommand {
    /// Write the built-in pack's policy files into DIR (which must not hold them yet).
    Export {
        /// The directory to write (created if missing).
        dir: PathBuf,
    },
}
