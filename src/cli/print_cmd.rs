//! `kiosk print` (a job's slip or the test page to a printer) and
//! `kiosk slip render` (a slip or a captured byte stream to a PNG through
//! the virtual printer).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};

use super::Context;
use crate::config::Config;
use crate::devices::printer::SlipPrinter;
use crate::devices::printer::escpos::EscPosPrinter;
use crate::devices::printer::sim::{SimPrinter, SimPrinterControls};
use crate::devices::printer::transport::{Flow, Target};
use crate::devices::setup::PrinterChoice;
use crate::slip::escpos::{Options, QrMode, encode};
use crate::slip::{Paper, Slip, SlipContext, job_slip, test_page, virtual_printer};
use crate::store::Store;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PrintArgs {
    #[command(subcommand)]
    what: Option<PrintWhat>,
    /// The posting whose slip to print
    #[arg(long, value_name = "ID")]
    job: Option<String>,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Debug, Subcommand)]
enum PrintWhat {
    /// Print the test page (widths, sizes, character set, QR) to the printer
    Test(TargetArgs),
}

#[derive(Debug, Args, Clone)]
struct TargetArgs {
    /// Paper width in mm [default: [printer] paper]
    #[arg(long, value_name = "58|80", value_parser = ["58", "80"])]
    width: Option<String>,
    /// Send QR codes as raster images [default: [printer] qr]
    #[arg(long)]
    raster_qr: bool,
    /// A serial printer port (baud and flow control from [printer])
    #[arg(long, value_name = "P", group = "target")]
    port: Option<String>,
    /// The kernel's USB printer device, e.g. /dev/usb/lp0
    #[arg(long, value_name = "DEV", group = "target")]
    usb: Option<PathBuf>,
    /// A network printer, e.g. 192.168.1.50:9100
    #[arg(long, value_name = "HOST:PORT", group = "target")]
    tcp: Option<String>,
    /// Write the raw ESC/POS bytes to a file instead of printing
    #[arg(long, value_name = "FILE.bin", group = "target")]
    out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SlipCommand {
    /// Render a job's slip, or captured ESC/POS bytes, to a PNG through the virtual printer
    Render(RenderArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["job", "bytes"])))]
pub struct RenderArgs {
    /// The posting whose slip to render
    #[arg(long, value_name = "ID")]
    job: Option<String>,
    /// ESC/POS bytes to render (a capture, or `kiosk print --out`)
    #[arg(long, value_name = "FILE.bin")]
    bytes: Option<PathBuf>,
    /// Paper width in mm [default: [printer] paper]
    #[arg(long, value_name = "58|80", value_parser = ["58", "80"])]
    width: Option<String>,
    /// Send QR codes as raster images [default: [printer] qr]
    #[arg(long)]
    raster_qr: bool,
    /// Also write the ESC/POS bytes here
    #[arg(long, value_name = "FILE.bin")]
    save_bytes: Option<PathBuf>,
    /// The PNG to write
    #[arg(long, value_name = "FILE.png")]
    out: PathBuf,
}

fn paper(cfg: &Config, width: Option<&str>) -> Paper {
    match (width, cfg.printer.paper()) {
        (Some("58"), _) => Paper::Mm58,
        (Some("80"), Paper::Mm58) => Paper::Mm80,
        (Some(_), p) | (None, p) => p,
    }
}

fn options(cfg: &Config, raster_qr: bool) -> Options {
    let mut o = cfg.printer.escpos();
    if raster_qr {
        o.qr = QrMode::Raster;
    }
    o
}

fn context(ctx: &Context, cfg: &Config, paper: Paper) -> SlipContext {
    SlipContext::at_station(&cfg.station, paper, ctx.now)
}

fn posting_slip(store: &Store, id: &str, sc: &SlipContext) -> anyhow::Result<Slip> {
    let Some(p) = store.posting(id)? else {
        bail!("no posting {id:?} in the cache (`kiosk search` lists them)");
    };
    Ok(job_slip(&p, sc, None))
}

pub fn print(ctx: &Context, a: &PrintArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (loaded, store) = ctx.open()?;
    let cfg = loaded.config;
    let (slip, t) = match (&a.what, &a.job) {
        (Some(PrintWhat::Test(t)), _) => {
            let sc = context(ctx, &cfg, paper(&cfg, t.width.as_deref()));
            let name = describe_target(&cfg, t);
            (test_page(&sc, &name), t)
        }
        (None, Some(id)) => {
            let sc = context(ctx, &cfg, paper(&cfg, a.target.width.as_deref()));
            (posting_slip(&store, id, &sc)?, &a.target)
        }
        (None, None) => bail!("say what to print: --job ID, or `kiosk print test`"),
    };
    let opts = options(&cfg, t.raster_qr);
    if let Some(file) = &t.out {
        let bytes = encode(&slip, &opts);
        std::fs::write(file, &bytes).with_context(|| format!("cannot write {}", file.display()))?;
        writeln!(out, "wrote {} bytes of ESC/POS to {}", bytes.len(), file.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut printer: Box<dyn SlipPrinter> = match target(&cfg, t) {
        PrinterChoice::None => bail!(
            "this kiosk has no printer: [printer] port is not set in the configuration. Set it (see \
             deploy/kiosk.toml.example), or name one with --port, --usb, --tcp or --out"
        ),
        PrinterChoice::Simulated => Box::new(
            SimPrinter::new(cfg.storage.data_dir.join("slips"), SimPrinterControls::default())
                .with_options(opts),
        ),
        PrinterChoice::EscPos(target) => Box::new(EscPosPrinter::new(target, opts)),
    };
    match printer.print(&slip) {
        Ok(p) => {
            match p.file {
                Some(f) => writeln!(out, "printed on the simulated printer: {}", f.display())?,
                None => writeln!(out, "printed on {}", printer.describe())?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => bail!("not printed on {}: {e}", printer.describe()),
    }
}

/// The printer named on the command line, else the configured one.
fn target(cfg: &Config, t: &TargetArgs) -> PrinterChoice {
    let flow = Flow::parse(&cfg.printer.flow_control);
    if let Some(p) = &t.port {
        return PrinterChoice::EscPos(Target::Serial { path: p.into(), baud: cfg.printer.baud, flow });
    }
    if let Some(u) = &t.usb {
        return PrinterChoice::EscPos(Target::UsbLp(u.clone()));
    }
    if let Some(a) = &t.tcp {
        return PrinterChoice::EscPos(Target::Tcp(a.clone()));
    }
    PrinterChoice::of(cfg)
}

fn describe_target(cfg: &Config, t: &TargetArgs) -> String {
    if let Some(f) = &t.out {
        return f.display().to_string();
    }
    target(cfg, t).to_string()
}

pub fn slip(ctx: &Context, c: &SlipCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let SlipCommand::Render(a) = c;
    let (loaded, store) = ctx.open()?;
    let cfg = loaded.config;
    let paper = paper(&cfg, a.width.as_deref());
    let bytes = match (&a.job, &a.bytes) {
        (Some(id), _) => {
            encode(&posting_slip(&store, id, &context(ctx, &cfg, paper))?, &options(&cfg, a.raster_qr))
        }
        (None, Some(file)) => super::read_file(file)?,
        (None, None) => bail!("give --job ID or --bytes FILE.bin"),
    };
    if let Some(file) = &a.save_bytes {
        std::fs::write(file, &bytes).with_context(|| format!("cannot write {}", file.display()))?;
    }
    let r = virtual_printer::render(&bytes, paper.dots())?;
    write_png(&r.canvas.to_png()?, &a.out)?;
    writeln!(
        out,
        "{} ({}×{} dots, {} bytes of ESC/POS{})",
        a.out.display(),
        r.canvas.width(),
        r.canvas.height(),
        bytes.len(),
        if r.unknown_commands > 0 {
            format!(", {} unknown commands skipped", r.unknown_commands)
        } else {
            String::new()
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

fn write_png(png: &[u8], path: &Path) -> anyhow::Result<()> {
    std::fs::write(path, png).with_context(|| format!("cannot write {}", path.display()))
}
