//! `kiosk` / `kiosk run`: the kiosk itself, the touch UI.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::app::core::SystemClock;
use crate::app::{Parts, build};
use crate::import;

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
    let (loaded, mut store) = ctx.open()?;
    let cfg = &loaded.config;
    let demo = loaded.is_demo();
    if demo {
        writeln!(out, "gig-kiosk {} — demo mode (no configuration file)", env!("CARGO_PKG_VERSION"))?;
        if store.posting_counts(ctx.now)?.total == 0 {
            let (p, c) = import::load_demo(&mut store, ctx.now)?;
            writeln!(out, "loaded the bundled demo data: postings {}; courses {}", p.summary(), c.summary())?;
        }
        writeln!(
            out,
            "simulator: the tab on the right edge, or keys 1–6 (place a sample card), 0 (lift it), R (reader cable), \
             P (paper), N (network), S (slow devices), D (drawer)"
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
    if a.check {
        return Ok(ExitCode::SUCCESS);
    }
    out.flush()?;
    let data_dir = cfg.storage.data_dir.clone();
    let parts = Parts { store, clock: Box::new(SystemClock::new(ctx.pinned_now)), threaded: true, demo };
    let platform = if demo { None } else { crate::sync::client::Platform::new(&cfg.platform)? };
    let interval = std::time::Duration::from_secs(u64::from(cfg.platform.sync_interval_s));
    let mut core = build(cfg, &data_dir, parts);
    // The one tokio runtime: background sync (and, later, fleet updates).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("kiosk-async")
        .enable_all()
        .build()?;
    if let Some(platform) = platform {
        let tx = core.sender();
        let settings = crate::sync::worker::Settings {
            device_key: crate::app::core::load_or_create_key(&data_dir.join("device.key")),
            data_dir: data_dir.clone(),
            interval,
            pinned_now: ctx.pinned_now,
        };
        let sink: crate::devices::EventSink<crate::sync::worker::SyncStatus> =
            std::sync::Arc::new(move |s| {
                let _ = tx.send(crate::app::Command::Sync(s));
            });
        core.set_sync(crate::sync::worker::spawn(runtime.handle(), platform, settings, sink));
    } else if !demo {
        tracing::info!("no [platform] url: sync is off");
    }
    if demo {
        // As slow as real devices, so the demo shows progress as a kiosk would.
        core.set_sim_print_delay(1200);
        core.set_sim_read_delay(std::time::Duration::from_millis(400));
    }
    tracing::info!("core ready after {:?}", started.elapsed());
    crate::ui::run_kiosk(core, a.fullscreen || !demo, started).map_err(|e| {
        anyhow::anyhow!("{e:#}\n(the touch UI needs a display: a Wayland or X11 session, or DISPLAY set)")
    })?;
    Ok(ExitCode::SUCCESS)
}
