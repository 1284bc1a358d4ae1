//! The `kiosk` command line: the touch UI (`kiosk` / `kiosk run`) and the
//! tools staff, technicians and administrators run.

mod card_cmd;
mod config_cmd;
mod demo_cmd;
mod doctor_cmd;
mod gpio_cmd;
mod import_cmd;
mod print_cmd;
mod run_cmd;
mod screenshot_cmd;
mod screenshot_staff;
mod search_cmd;
mod staff_cmd;
mod sync_cmd;
mod table;

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand};

use crate::config::{self, Loaded, Sources};
use crate::store::Store;

#[derive(Debug, Parser)]
#[command(
    name = "kiosk",
    version,
    about = "Self-service job kiosk for gig stations (零工驿站).",
    long_about = "Self-service job kiosk for gig stations (零工驿站).\n\n\
        Without a subcommand, starts the touch UI. Without a configuration file \
        (/etc/gig-kiosk/kiosk.toml or --config), runs in demo mode: simulated \
        devices and bundled demo jobs."
)]
pub struct Cli {
    /// Configuration file [default: /etc/gig-kiosk/kiosk.toml; demo mode when absent]
    #[arg(long, global = true, env = "KIOSK_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Data directory (database, slips, downloads); overrides [storage] data_dir
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Pretend the time is T (RFC 3339, e.g. 2026-11-24T09:00:00+08:00): for diagnostics and tests
    #[arg(long, global = true, value_name = "T", value_parser = parse_time)]
    pub now: Option<DateTime<FixedOffset>>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the touch UI (the default)
    Run(run_cmd::RunArgs),
    /// Import job postings (or courses) from schema.org JSON / JSON-LD files
    Import(import_cmd::ImportArgs),
    /// Search the cached job postings
    Search(search_cmd::SearchArgs),
    /// Check or show the configuration
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// Render a page of the touch UI to a PNG, without a display
    Screenshot(screenshot_cmd::ScreenshotArgs),
    /// Generate or load demo data
    #[command(subcommand)]
    Demo(demo_cmd::DemoCommand),
    /// Print a job's slip (or `print test`: the test page) to the printer
    Print(print_cmd::PrintArgs),
    /// Slip tools: render a slip or captured printer bytes to a PNG
    #[command(subcommand)]
    Slip(print_cmd::SlipCommand),
    /// Pull the platform's feeds and send queued submissions
    Sync(sync_cmd::SyncArgs),
    /// Queued and failed submissions
    #[command(subcommand)]
    Outbox(sync_cmd::OutboxCommand),
    /// Queue and send applications until killed (the sync crash test)
    #[command(hide = true)]
    Churn(sync_cmd::ChurnArgs),
    /// ID-card reader tools: read a card, decode a capture, find the port, simulate a reader
    #[command(subcommand)]
    Card(card_cmd::CardCommand),
    /// Check everything a technician checks on site (exit 0 only when nothing failed)
    Doctor(doctor_cmd::DoctorArgs),
    /// Raspberry Pi GPIO: `gpio test` blinks the lamps and shows the inputs
    #[command(subcommand)]
    Gpio(gpio_cmd::GpioCommand),
    /// Staff mode: set the PIN, read the log of staff actions, lift a lockout
    #[command(subcommand)]
    Staff(staff_cmd::StaffCommand),
}

fn parse_time(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s).map_err(|e| format!("{e} (expected e.g. 2026-11-24T09:00:00+08:00)"))
}

/// What every subcommand starts from.
pub struct Context {
    pub sources: Sources,
    pub now: DateTime<FixedOffset>,
    /// `--now`, when given: the kiosk's clock starts there.
    pub pinned_now: Option<DateTime<FixedOffset>>,
}

impl Context {
    fn new(cli: &Cli) -> Context {
        Context {
            sources: Sources { config_file: cli.config.clone(), data_dir: cli.data_dir.clone() },
            now: crate::clock::Clock::wall(&crate::clock::SystemClock::new(cli.now)),
            pinned_now: cli.now,
        }
    }

    /// Loads the configuration and opens the database, then adds the
    /// device layers (staff settings, fleet configuration).
    pub fn open(&self) -> anyhow::Result<(Loaded, Store)> {
        self.open_with_base().map(|(l, s, _)| (l, s))
    }

    /// [`Context::open`], and the layers below the device's, for the kiosk
    /// to apply staff changes with ([`config::Base`]).
    pub fn open_with_base(&self) -> anyhow::Result<(Loaded, Store, config::Base)> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let builder = config::load(&self.sources, env.clone());
        // A first build finds the data directory (no device layer may move it).
        let first = builder.clone().build()?;
        let data_dir = first.config.storage.data_dir.clone();
        let mut store = Store::open_in_dir(&data_dir)?;
        if first.is_demo() {
            // Demo mode works from the first command: the bundled jobs,
            // dated to today (loaded again on a later day).
            if let Some((p, c)) = crate::import::load_demo_if_stale(&mut store, &data_dir, self.now)? {
                eprintln!(
                    "demo mode: loaded the bundled demo data for today: postings {}; courses {}",
                    p.summary(),
                    c.summary()
                );
            }
        }
        let staff = store.staff_settings()?;
        let base = config::Base::new(builder, data_dir, self.sources.clone());
        let loaded = base.with_staff(&staff)?;
        for w in &loaded.warnings {
            eprintln!("{w}");
        }
        Ok((loaded, store, base))
    }
}

pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging();
    let ctx = Context::new(&cli);
    let stdout = std::io::stdout();
    let out = &mut stdout.lock();
    let result = match cli.command {
        None => run_cmd::run(&ctx, &run_cmd::RunArgs::default(), out),
        Some(Command::Run(a)) => run_cmd::run(&ctx, &a, out),
        Some(Command::Import(a)) => import_cmd::run(&ctx, &a, out),
        Some(Command::Search(a)) => search_cmd::run(&ctx, &a, out),
        Some(Command::Config(c)) => config_cmd::run(&ctx, &c, out),
        Some(Command::Demo(c)) => demo_cmd::run(&ctx, &c, out),
        Some(Command::Screenshot(a)) => screenshot_cmd::run(&ctx, &a, out),
        Some(Command::Card(c)) => card_cmd::run(&ctx, &c, out),
        Some(Command::Print(a)) => print_cmd::print(&ctx, &a, out),
        Some(Command::Sync(a)) => sync_cmd::sync(&ctx, &a, out),
        Some(Command::Outbox(c)) => sync_cmd::outbox(&ctx, &c, out),
        Some(Command::Churn(a)) => sync_cmd::churn(&ctx, &a, out),
        Some(Command::Slip(c)) => print_cmd::slip(&ctx, &c, out),
        Some(Command::Doctor(a)) => doctor_cmd::run(&ctx, &a, out),
        Some(Command::Gpio(c)) => gpio_cmd::run(&ctx, &c, out),
        Some(Command::Staff(c)) => staff_cmd::run(&ctx, &c, out),
    }
    .and_then(|code| out.flush().map(|_| code).map_err(Into::into));
    match result {
        Ok(code) => code,
        // The reader went away (`kiosk search | head`): not an error.
        Err(e) if is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Logs go to standard error; `KIOSK_LOG` sets the filter (default `warn`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KIOSK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Colours only on a terminal: journald and log files get plain lines.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Reads a file named on the command line, with the name in the error.
fn read_file(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}
