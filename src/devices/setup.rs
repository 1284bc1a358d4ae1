//! Configuration into devices: the one place that names concrete drivers.
//! The core holds the result as trait objects ([`Devices`]) and asks for a
//! device to be rebuilt when its settings change (staff mode) or when it
//! stopped answering (a print job that never came back).
//!
//! Simulated devices exist only where asked for: demo mode, `port =
//! "simulated"`, and tests (inline devices). A configured kiosk without a
//! printer has none (`printer: None`), and says so; it never prints to PNG
//! files behind the worker's back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::EventSink;
use super::card_reader::serial::{PortChoice, ReaderConfig, SerialCardReader};
use super::card_reader::sim::{PtySimulatedReader, SimCardReader};
use super::card_reader::{CardEvent, CardReader};
use super::gpio::pi::PiGpio;
use super::gpio::sim::SimGpio;
use super::gpio::{Gpio, GpioEvent};
use super::printer::SlipPrinter;
use super::printer::escpos::EscPosPrinter;
use super::printer::sim::{SimPrinter, SimPrinterControls};
use super::printer::transport::{Flow, Target};
use super::printer::worker::{PrintOutcome, PrinterWorker};
use super::speech::espeak::Espeak;
use super::speech::sim::SimSpeech;
use super::speech::{NoSpeech, Speech, SpeechEvent};
use crate::config::Config;

/// How devices answer: on their own threads as real ones do (the kiosk),
/// or at once on the caller's thread (tests, screenshots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threading {
    Threaded,
    Inline,
}

/// Where devices deliver their events (to the core's command queue).
#[derive(Clone)]
pub struct Sinks {
    pub card: EventSink<CardEvent>,
    pub printed: EventSink<PrintOutcome>,
    pub speech: EventSink<SpeechEvent>,
    pub gpio: EventSink<GpioEvent>,
}

/// What device construction needs besides the configuration.
#[derive(Clone)]
pub struct Setup {
    pub threading: Threading,
    /// Demo mode: simulated devices behave with a real device's delays.
    pub demo: bool,
    pub data_dir: PathBuf,
    pub sinks: Sinks,
}

/// The printer setting, read: none, the virtual printer, or a real one.
#[derive(Debug, Clone, PartialEq)]
pub enum PrinterChoice {
    /// `[printer] port` unset or `"none"`: this kiosk has no printer.
    None,
    Simulated,
    EscPos(Target),
}

impl PrinterChoice {
    pub fn of(cfg: &Config) -> PrinterChoice {
        match cfg.printer.port.trim() {
            "" | "none" => PrinterChoice::None,
            "simulated" => PrinterChoice::Simulated,
            port => PrinterChoice::EscPos(Target::parse(
                port,
                cfg.printer.baud,
                Flow::parse(&cfg.printer.flow_control),
            )),
        }
    }

    /// The device file the printer is on, if it is one (never probed by
    /// the card reader's auto-detection).
    pub fn device(&self) -> Option<&Path> {
        match self {
            PrinterChoice::EscPos(Target::Serial { path, .. } | Target::UsbLp(path)) => Some(path),
            _ => None,
        }
    }
}

/// For people: start-up lines, messages, the test page.
impl std::fmt::Display for PrinterChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrinterChoice::None => write!(f, "none"),
            PrinterChoice::Simulated => write!(f, "simulated (slips become PNG files)"),
            PrinterChoice::EscPos(t) => write!(f, "{t}"),
        }
    }
}

/// The devices the core drives.
pub struct Devices {
    pub reader: Box<dyn CardReader>,
    /// `None`: this kiosk has no printer.
    pub printer: Option<PrinterWorker>,
    pub gpio: Box<dyn Gpio>,
    pub speech: Box<dyn Speech>,
    /// Controls of the simulated printer, GPIO and speech, where those run.
    pub sim: SimControls,
    setup: Setup,
}

/// The switches of simulated devices (the demo drawer, tests).
#[derive(Clone, Default)]
pub struct SimControls {
    pub printer: Option<SimPrinterControls>,
    pub gpio: Option<SimGpio>,
    pub speech: Option<SimSpeech>,
}

/// Delays of the demo's simulated devices: as slow as real ones, so the
/// demo shows progress as a kiosk would.
const DEMO_PRINT_MS: u64 = 1200;
const DEMO_READ: Duration = Duration::from_millis(400);

impl Devices {
    /// Every device from the configuration.
    pub fn build(cfg: &Config, setup: Setup) -> Devices {
        let (gpio, sim_gpio) = gpio(cfg, &setup);
        let (speech, sim_speech) = speech(&setup);
        let (printer, sim_printer) = printer(cfg, &setup);
        Devices {
            reader: reader(cfg, &setup),
            printer,
            gpio,
            speech,
            sim: SimControls { printer: sim_printer, gpio: sim_gpio, speech: sim_speech },
            setup,
        }
    }

    /// Replaces the card reader (new settings; the old one stops first, so
    /// it lets go of its port).
    pub fn rebuild_reader(&mut self, cfg: &Config) {
        self.reader = Box::new(NoReader);
        self.reader = reader(cfg, &self.setup);
    }

    /// Replaces the printer: new settings, or a job that never came back
    /// (the old worker is left to finish on its own; its late answer
    /// carries a job number nobody waits for).
    pub fn rebuild_printer(&mut self, cfg: &Config) {
        let (printer, sim) = printer(cfg, &self.setup);
        self.printer = printer;
        self.sim.printer = sim;
    }

    /// The simulated card reader's controls, when the reader is simulated.
    pub fn card_simulator(&self) -> Option<&dyn super::card_reader::CardSimulator> {
        self.reader.simulator()
    }
}

/// A reader placeholder while the real one is rebuilt.
struct NoReader;

impl CardReader for NoReader {
    fn describe(&self) -> String {
        "none".into()
    }
}

/// `[reader] port`: `"simulated"` runs the simulated module on a
/// pseudo-terminal read by the real serial driver when devices are threaded
/// (falling back to the in-process simulator if no terminal can be made),
/// or the in-process simulator inline; anything else is the serial driver
/// on that port (`auto`: detected, never the printer's port).
pub fn reader(cfg: &Config, setup: &Setup) -> Box<dyn CardReader> {
    let sink = setup.sinks.card.clone();
    match cfg.reader.port.as_str() {
        "simulated" => {
            if setup.threading == Threading::Threaded {
                match PtySimulatedReader::start(&setup.data_dir.join("idcard-reader.pty"), sink.clone()) {
                    Ok(r) => return Box::new(r),
                    Err(e) => tracing::warn!(
                        "no pseudo-terminal for the simulated reader ({e}); simulating in-process"
                    ),
                }
            }
            let r = SimCardReader::new(sink);
            if setup.demo && setup.threading == Threading::Threaded {
                r.set_read_delay(DEMO_READ);
            }
            Box::new(r)
        }
        port => {
            let mut rc = ReaderConfig::new(PortChoice::parse(port), cfg.reader.baud);
            rc.exclude.extend(PrinterChoice::of(cfg).device().map(Path::to_path_buf));
            // The udev rules' printer name, whatever the printer's port says.
            rc.exclude.push(rc.dev_dir.join(crate::devices::card_reader::ports::STABLE_PRINTER));
            Box::new(SerialCardReader::spawn(rc, sink))
        }
    }
}

/// `[printer] port`: none, the virtual printer (slips as PNG files in
/// `<data dir>/slips`), or an ESC/POS printer.
pub fn printer(cfg: &Config, setup: &Setup) -> (Option<PrinterWorker>, Option<SimPrinterControls>) {
    let opts = cfg.printer.escpos();
    let (driver, controls): (Box<dyn SlipPrinter>, _) = match PrinterChoice::of(cfg) {
        PrinterChoice::None => return (None, None),
        PrinterChoice::Simulated => {
            let controls = SimPrinterControls::default();
            if setup.demo && setup.threading == Threading::Threaded {
                controls.delay_ms.store(DEMO_PRINT_MS, std::sync::atomic::Ordering::SeqCst);
            }
            let p = SimPrinter::new(setup.data_dir.join("slips"), controls.clone()).with_options(opts);
            (Box::new(p), Some(controls))
        }
        PrinterChoice::EscPos(target) => (Box::new(EscPosPrinter::new(target, opts)), None),
    };
    let done = setup.sinks.printed.clone();
    let worker = match setup.threading {
        Threading::Threaded => PrinterWorker::spawn(driver, done),
        Threading::Inline => PrinterWorker::inline(driver, done),
    };
    (Some(worker), controls)
}

/// GPIO: the Raspberry Pi's pins when `[gpio] enabled` and this is a Pi;
/// otherwise the simulated GPIO, with a log line saying why.
pub fn gpio(cfg: &Config, setup: &Setup) -> (Box<dyn Gpio>, Option<SimGpio>) {
    let sink = setup.sinks.gpio.clone();
    let sim = |why: String| {
        let g = SimGpio::new(&cfg.gpio, sink.clone(), why);
        (Box::new(g.clone()) as Box<dyn Gpio>, Some(g))
    };
    if setup.demo || setup.threading == Threading::Inline {
        return sim(if setup.demo { "demo mode" } else { "inline devices" }.into());
    }
    if !cfg.gpio.enabled {
        tracing::info!("GPIO off ([gpio] enabled = false): no presence sensor, help button or lamps");
        return sim("[gpio] enabled = false".into());
    }
    match PiGpio::open(&cfg.gpio, sink.clone()) {
        Ok(p) => {
            tracing::info!("GPIO: {}", p.describe());
            (Box::new(p), None)
        }
        Err(e) => {
            tracing::warn!("GPIO unavailable, carrying on without sensor, button and lamps: {e}");
            sim(format!("GPIO unavailable: {e}"))
        }
    }
}

/// Read-aloud: `espeak-ng` when it is installed and devices are threaded;
/// the simulated engine for tests and screenshots.
pub fn speech(setup: &Setup) -> (Box<dyn Speech>, Option<SimSpeech>) {
    let sink = setup.sinks.speech.clone();
    if setup.threading == Threading::Inline {
        let s = SimSpeech::new(sink, None);
        return (Box::new(s.clone()), Some(s));
    }
    let program = super::speech::espeak::program();
    match Espeak::find(&program, sink) {
        Some(e) => (Box::new(e), None),
        None => {
            tracing::warn!("read-aloud is off: {program} is not installed (Debian package espeak-ng)");
            (Box::new(NoSpeech(format!("{program} is not installed"))), None)
        }
    }
}
