//! `kiosk` / `kiosk run`: the kiosk itself, the touch UI.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use std::sync::Arc;

use crate::app::{Parts, build};
use crate::clock::{Clock, SystemClock};
use crate::devices::setup::Threading;
use crate::ui::backend;

#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Fill the screen (the kiosk's normal state; default in a configured kiosk)
    #[arg(long)]
    pub fullscreen: bool,
    /// Print what would be shown and exit, without opening a window
    #[arg(long)]
    pub check: bool,
}

pub fn run(ctx: &Context, a: &RunArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let (loaded, store, base) = ctx.open_with_base()?;
    let cfg = &loaded.config;
    let demo = loaded.is_demo();
    if demo {
        writeln!(out, "gig-kiosk {} — demo mode (no configuration file)", env!("CARGO_PKG_VERSION"))?;
        writeln!(
            out,
            "simulator: the tab on the right edge, or keys 1–6 (place a sample card), 0 (lift it), R (reader cable), \
             P (paper), N (network), S (slow devices), W (presence sensor), D (drawer)"
        )?;
    } else {
        writeln!(out, "gig-kiosk {}", env!("CARGO_PKG_VERSION"))?;
    }
    let counts = store.posting_counts(ctx.now)?;
    writeln!(out, "station:  {} ({}) at {}", cfg.station.name, cfg.station.id, cfg.station.location())?;
    writeln!(out, "data:     {}", store.path().display())?;
    writeln!(
        out,
        "postings: {} open of {} cached ({} expired, {} full); courses: {}",
        counts.open,
        counts.total,
        counts.expired,
        counts.full,
        store.course_count()?
    )?;
    for line in device_lines(cfg, demo) {
        writeln!(out, "{line}")?;
    }
    let display = backend::choose(&cfg.screen, &backend::Env::read(std::path::Path::new("/dev")));
    match &display {
        Ok(d) => writeln!(out, "display:  {d}")?,
        Err(e) => writeln!(out, "display:  none — {e}")?,
    }
    if a.check {
        return Ok(ExitCode::SUCCESS);
    }
    let display = display?;
    for (var, value) in display.kms_env() {
        // SAFETY: nothing else runs yet: no device, core or runtime thread
        // has been started (they start below), so no thread reads the
        // environment while it changes. The LinuxKMS backend reads these.
        unsafe { std::env::set_var(var, value) };
    }
    let data_dir = cfg.storage.data_dir.clone();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::new(ctx.pinned_now));
    let parts = Parts { store, clock: clock.clone(), threading: Threading::Threaded, demo, base };
    let platform = if demo { None } else { crate::sync::client::Platform::new(&cfg.platform)? };
    out.flush()?;
    let mut core = build(cfg, &data_dir, parts)?;
    // The one tokio runtime: background sync (and, later, fleet updates),
    // every task under the supervisor.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("kiosk-async")
        .enable_all()
        .build()?;
    let supervisor = crate::tasks::Supervisor::new(
        runtime.handle().clone(),
        crate::app::task_sink(&core.sender()),
        Default::default(),
    );
    if let Some(platform) = platform {
        let settings = crate::sync::worker::Settings {
            device_key: crate::privacy::DeviceKey::load_or_create(&data_dir)?,
            data_dir: data_dir.clone(),
            interval: std::time::Duration::from_secs(u64::from(cfg.platform.sync_interval_s)),
            clock,
        };
        let sink = crate::app::sync_sink(&core.sender());
        core.set_sync(crate::sync::worker::spawn(&supervisor, platform, settings, sink));
    }
    tracing::info!("core ready after {:?}", started.elapsed());
    crate::service::status(&format!("starting: {} open jobs cached", counts.open));
    let opts = crate::ui::RunOptions { fullscreen: a.fullscreen || !demo, started, display };
    crate::ui::run_kiosk(core, opts)?;
    Ok(ExitCode::SUCCESS)
}

/// What the start-up output says of each device, as `kiosk doctor` will:
/// a kiosk without a printer says so before anyone taps "print".
fn device_lines(cfg: &crate::config::Config, demo: bool) -> Vec<String> {
    use crate::devices::setup::PrinterChoice;
    let reader = match cfg.reader.port.as_str() {
        "simulated" => "simulated (the demo's sample cards)".to_string(),
        "auto" | "" => format!("auto-detected serial port, {} baud", cfg.reader.baud),
        p => format!("{p}, {} baud", cfg.reader.baud),
    };
    let printer = match PrinterChoice::of(cfg) {
        PrinterChoice::None => {
            "none — this kiosk cannot print slips ([printer] port is not set); the print button says so"
                .to_string()
        }
        other => other.to_string(),
    };
    let sync = match (demo, cfg.platform.url.trim().is_empty()) {
        (true, _) => "off (demo mode)".to_string(),
        (false, true) => "off — no [platform] url; submissions stay queued".to_string(),
        (false, false) => format!("{} every {} s", cfg.platform.url, cfg.platform.sync_interval_s),
    };
    vec![format!("reader:   {reader}"), format!("printer:  {printer}"), format!("sync:     {sync}")]
}
