//! `kiosk gpio test`: blinks each output wired in `[gpio]` and reports each
//! input as it changes, for the technician wiring the kiosk.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Subcommand;

use super::Context;
use crate::devices::gpio::GpioEvent;
use crate::devices::gpio::pi::PiGpio;

#[derive(Debug, Subcommand)]
pub enum GpioCommand {
    /// Blink each output (help lamp, LED green, LED red), then show the inputs as they change
    Test {
        /// How long to watch the inputs after blinking
        #[arg(long, default_value_t = 30, value_name = "SECONDS")]
        seconds: u64,
    },
}

pub fn run(ctx: &Context, c: &GpioCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let GpioCommand::Test { seconds } = c;
    let (loaded, _store) = ctx.open()?;
    let cfg = &loaded.config.gpio;
    if !cfg.enabled {
        writeln!(out, "GPIO is off in the configuration ([gpio] enabled = false): nothing to test")?;
        return Ok(ExitCode::FAILURE);
    }
    let (tx, rx) = std::sync::mpsc::channel::<GpioEvent>();
    let sink = Arc::new(move |e| {
        let _ = tx.send(e);
    });
    let mut gpio = match PiGpio::open(cfg, sink) {
        Ok(g) => g,
        Err(e) => {
            writeln!(out, "cannot use GPIO: {e}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    use crate::devices::gpio::Gpio as _;
    writeln!(out, "{}", gpio.describe())?;
    let (on, off) = (gpio.lit(true), gpio.lit(false));
    for (name, pin) in gpio.outputs() {
        write!(out, "{name}: blinking 3 times … ")?;
        out.flush()?;
        for _ in 0..3 {
            pin.write(on);
            std::thread::sleep(Duration::from_millis(400));
            pin.write(off);
            std::thread::sleep(Duration::from_millis(400));
        }
        writeln!(out, "done (did it light?)")?;
    }
    writeln!(out, "watching the inputs for {seconds} s: walk in front of the sensor, press the help button")?;
    let end = Instant::now() + Duration::from_secs(*seconds);
    let mut seen = 0;
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(GpioEvent::Presence(true)) => writeln!(out, "presence: someone is there")?,
            Ok(GpioEvent::Presence(false)) => writeln!(out, "presence: nobody")?,
            Ok(GpioEvent::HelpButton) => writeln!(out, "help button: pressed")?,
            Err(_) => break,
        }
        seen += 1;
        out.flush()?;
    }
    writeln!(out, "{seen} input change(s) seen")?;
    Ok(ExitCode::SUCCESS)
}
