//! The command line: `duet serve | migrate | init | demo | user | token | import | export`.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Duet: healthy Business–IT relationships.
#[derive(Debug, Parser)]
#[command(name = "duet", version, about, long_about = None)]
pub struct Cli {
    /// Settings shared by every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts (each also readable from its `DUET_*` variable).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Optional TOML configuration file.
    #[arg(long, global = true, env = "DUET_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database: `postgres://user@host/db` for PostgreSQL, or a SQLite file path (default ./duet.db).
    #[arg(long, global = true, env = "DUET_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Log format: human or json.
    #[arg(long, global = true, env = "DUET_LOG_FORMAT")]
    pub log_format: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve Duet (applies pending migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create the standard departments (IT plus eight business departments) if missing.
    Init,
    /// Seed a realistic fictional organisation (default database ./duet-demo.db) and serve it.
    Demo(DemoArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import data from CSV.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data as CSV.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Manage the metric catalogue.
    #[command(subcommand)]
    Metric(MetricCommand),
    /// Write a consistent copy of the whole database to FILE while Duet keeps serving (SQLite:
    /// an online copy that is itself a database; PostgreSQL: `pg_dump`'s custom format).
    Backup {
        /// Where to write the copy (refused if it exists).
        file: std::path::PathBuf,
    },
    /// Restore a copy made by `duet backup` into the empty database DUET_DATABASE_URL names,
    /// all or nothing, then apply any newer migrations.
    Restore {
        /// The copy to restore.
        file: std::path::PathBuf,
    },
    /// Seeds the demo organisation and exits (`duet demo` runs it in a child process, so the
    /// serving process does not keep the seeding's memory).
    #[command(hide = true)]
    SeedDemo {
        /// How large an organisation.
        #[arg(long, value_enum, default_value_t = Scale::Demo)]
        scale: Scale,
    },
    /// Benchmark helper: add N signed-off portfolio items (see bench/portfolio.sh).
    #[command(hide = true)]
    SeedPortfolio {
        /// How many items.
        #[arg(long, default_value_t = 10_000)]
        items: u32,
    },
    /// Benchmark helper: N software register entries, and KEV and OSV files to import (see
    /// bench/software.sh).
    #[command(hide = true)]
    SeedSoftware {
        /// How many register entries.
        #[arg(long, default_value_t = 5_000)]
        entries: u32,
        /// Where to write kev.csv and osv.jsonl.
        #[arg(long)]
        advisories_out: std::path::PathBuf,
    },
    /// Benchmark helper: add N requests in a realistic mix of lanes and statuses (issue 11).
    #[command(hide = true)]
    SeedRequests {
        /// How many requests.
        #[arg(long, default_value_t = 10_000)]
        count: u32,
    },
    /// Benchmark helper: N people, three closed pulse campaigns and an open one (see bench/listen.sh).
    #[command(hide = true)]
    SeedListen {
        /// How many people (the latest closed campaign's respondents).
        #[arg(long, default_value_t = 20_000)]
        respondents: u32,
        /// Where to write the API tokens of the 500 accounts that answered the open campaign.
        #[arg(long)]
        tokens_out: std::path::PathBuf,
    },
    /// Benchmark helper: queue one message for N recipients, each with their own unsubscribe
    /// link, and print how long the queueing took (see bench/mail.sh; issue 13: under 2 s for
    /// 20,000).
    #[command(hide = true)]
    QueueMail {
        /// How many recipients.
        #[arg(long, default_value_t = 20_000)]
        recipients: u32,
    },
}

/// Options of `demo`: those of `serve`, and how large an organisation to seed.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How to serve it.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// demo: about 300 people; large: 3,000 people in 50 departments, 50,000 requests, 100,000
    /// promises, five years of reviews and metrics, 40 survey campaigns (for benchmarks).
    #[arg(long, value_enum, default_value_t = Scale::Demo)]
    pub scale: Scale,
}

/// How large a demo organisation `duet demo` seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scale {
    /// The demo organisation (about 300 people, 200 requests, a year of history).
    #[default]
    Demo,
    /// The demo grown to the size the speed benchmarks run at.
    Large,
}

/// Options of `serve` and `demo`.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "DUET_BIND")]
    pub bind: Option<SocketAddr>,
    /// The URL people use to reach Duet, e.g. https://duet.example.com (decides Secure cookies).
    #[arg(long, env = "DUET_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The organisation's time zone, e.g. Europe/London (the default): times are typed and shown in it.
    #[arg(long, env = "DUET_TIME_ZONE")]
    pub time_zone: Option<String>,
}

/// `duet user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        /// Sign-in e-mail.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// admin, it_leader, business_leader, executive or member.
        #[arg(long)]
        role: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Forget every failed sign-in counted against an account (from any address), so its owner
    /// can sign in at once: the administrator's recovery path.
    Unlock {
        /// The account's sign-in e-mail.
        email: String,
    },
}

/// `duet token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for an account and print it.
    Create {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

/// `duet import …`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import people from a CSV file (name,email,department,title,level); all rows or none.
    People {
        /// The CSV file.
        file: PathBuf,
    },
    /// Import metric values from a CSV file (metric,period,department,value); all rows or none.
    /// A month that already has a different value refuses the file (with its line) unless
    /// `--replace`; replaced values are kept in the metric's history.
    Metrics {
        /// The CSV file.
        file: PathBuf,
        /// Replace values already recorded for the same metric, department and month.
        #[arg(long)]
        replace: bool,
    },
    /// Import a promise ledger's history with its original dates
    /// (promisor_email,promisee_department,text,made_on,due_on,status,closed_on); all rows or none.
    Promises {
        /// The CSV file.
        file: std::path::PathBuf,
        /// The admin account recording the import (its e-mail).
        #[arg(long)]
        by: String,
        /// Where the history comes from, shown on every imported promise.
        #[arg(long, default_value = "an earlier ledger")]
        source: String,
    },
    /// Import a request history with its original dates and numbers: Duet's columns
    /// (key,title,problem,requester,department,urgency,status,opened_on,closed_on,note) or a
    /// ServiceNow or Jira CSV export as it comes; all rows or none. Requesters are found in the
    /// directory by e-mail or full name; one without an account gets one with no password.
    Requests {
        /// The CSV file.
        file: PathBuf,
        /// The file's shape: duet, servicenow or jira.
        #[arg(long, default_value = "duet", value_parser = parse_history_format)]
        format: duet_core::requests::history::HistoryFormat,
        /// The admin account recording the import (its e-mail).
        #[arg(long)]
        by: String,
        /// Where the history comes from, shown on every imported request (the tool's name by
        /// default); importing the same source again leaves requests already there alone.
        #[arg(long)]
        source: Option<String>,
    },
    /// Import the reviews already held (department,held_on,minutes,attendees,notes,decisions;
    /// decisions one a line in their cell), each with a locked record; all rows or none.
    Reviews {
        /// The CSV file.
        file: PathBuf,
        /// The admin account recording the import (its e-mail).
        #[arg(long)]
        by: String,
        /// Where the history comes from, shown on every imported review.
        #[arg(long, default_value = "the reviews held before Duet")]
        source: String,
    },
    /// Import CISA's Known Exploited Vulnerabilities catalogue (CSV or JSON, read as it streams;
    /// columns by header name); all records or none, then the software register is matched.
    Kev {
        /// The catalogue file.
        file: PathBuf,
    },
    /// Import OSV records from a file (one record, an array, or one per line) or a directory of
    /// such files; all records or none, then the software register is matched.
    Osv {
        /// A file or a directory.
        path: PathBuf,
    },
}

/// `duet metric …`.
#[derive(Debug, Subcommand)]
pub enum MetricCommand {
    /// Add a metric to the catalogue.
    Create {
        /// Unique name.
        #[arg(long)]
        name: String,
        /// Unit (%, hours, tickets…).
        #[arg(long, default_value = "")]
        unit: String,
        /// higher_better or lower_better.
        #[arg(long)]
        direction: String,
        /// Target value.
        #[arg(long, default_value = "")]
        target: String,
    },
}

/// `duet export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export active people as CSV (to standard output unless --output is given).
    People {
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// `--format` of `duet import requests`, in people's words when it is wrong.
fn parse_history_format(raw: &str) -> Result<duet_core::requests::history::HistoryFormat, String> {
    raw.parse().map_err(|e: duet_core::FieldError| e.message)
}
