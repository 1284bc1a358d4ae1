//! `kiosk staff set-pin | log | unlock`: the staff PIN (stored only as its
//! Argon2id hash, in the staff layer of the configuration), the audit trail
//! of staff mode, and lifting a PIN-pad lockout on site.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::Subcommand;
use zeroize::Zeroizing;

use super::Context;
use crate::app::staff::pin;
use crate::store::staff::{AuditRow, LockoutRow};

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Set the staff PIN (4–8 digits): asked twice without echo on a
    /// terminal, else read from the first line of standard input
    SetPin {
        /// Print the hash (for `[staff] pin_hash` in a configuration file)
        /// instead of storing it on this kiosk
        #[arg(long)]
        print_hash: bool,
    },
    /// Show what staff did in staff mode, newest first
    Log {
        #[arg(long, default_value_t = 100, value_name = "N")]
        limit: usize,
        /// One JSON object per line
        #[arg(long)]
        json: bool,
    },
    /// Lift the PIN pad's lockout after too many wrong PINs
    Unlock,
}

pub fn run(ctx: &Context, c: &StaffCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match c {
        StaffCommand::SetPin { print_hash } => set_pin(ctx, *print_hash, out),
        StaffCommand::Log { limit, json } => {
            let (_loaded, store) = ctx.open()?;
            let rows = store.audit_log(*limit)?;
            for r in &rows {
                let at = crate::domain::time::from_unix(r.at);
                if *json {
                    let v = serde_json::json!({
                        "at": at.to_rfc3339(),
                        "action": r.action,
                        "key": r.key,
                        "old": r.old_value,
                        "new": r.new_value,
                    });
                    writeln!(out, "{v}")?;
                } else {
                    write!(out, "{}  {}", at.format("%Y-%m-%d %H:%M:%S"), r.action)?;
                    if let Some(k) = &r.key {
                        write!(out, "{} {k}", " ".repeat(13usize.saturating_sub(r.action.len())))?;
                    }
                    if r.old_value.is_some() || r.new_value.is_some() {
                        let v = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unset)".into());
                        write!(out, ": {} -> {}", v(&r.old_value), v(&r.new_value))?;
                    }
                    writeln!(out)?;
                }
            }
            if rows.is_empty() && !*json {
                writeln!(out, "no staff actions recorded yet")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        StaffCommand::Unlock => {
            let (_loaded, mut store) = ctx.open()?;
            let was = store.staff_lockout()?;
            store.set_staff_lockout(
                &LockoutRow::default(),
                Some(&AuditRow::new(ctx.now.timestamp(), "unlocked")),
            )?;
            if was.locked_until > ctx.now.timestamp() {
                writeln!(out, "the PIN pad was locked; it is open again")?;
            } else {
                writeln!(out, "the PIN pad was not locked; wrong-PIN count reset")?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn set_pin(ctx: &Context, print_hash: bool, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let stdin = std::io::stdin();
    let typed = if stdin.is_terminal() {
        let first = read_hidden("New staff PIN (4–8 digits): ")?;
        if let Err(e) = pin::check(&first) {
            anyhow::bail!("PIN not set: {e}");
        }
        let again = read_hidden("Type it again: ")?;
        if *first != *again {
            anyhow::bail!("PIN not set: the two PINs differ");
        }
        first
    } else {
        let mut line = Zeroizing::new(String::new());
        stdin.lock().read_line(&mut line)?;
        Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string())
    };
    let hash = pin::hash(&typed).map_err(|e| anyhow::anyhow!("PIN not set: {e}"))?;
    drop(typed);
    if print_hash {
        writeln!(out, "{hash}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let (_loaded, mut store) = ctx.open()?;
    let value = toml::Value::String(hash).to_string();
    let now = ctx.now.timestamp();
    store.change_staff_setting(pin::PIN_KEY, Some(&value), &AuditRow::new(now, "pin_set"))?;
    // A new PIN from the technician ends a lockout.
    store.set_staff_lockout(&LockoutRow::default(), None)?;
    writeln!(
        out,
        "staff PIN set (stored as an Argon2id hash in {}). Hold the station name on the welcome screen for 5 seconds to open staff mode.",
        store.path().display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A line from the terminal without echo (termios), echo restored after.
fn read_hidden(prompt: &str) -> anyhow::Result<Zeroizing<String>> {
    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    let fd = libc::STDIN_FILENO;
    // SAFETY: termios is plain data; tcgetattr fills it for a terminal
    // (stdin was checked to be one) and we only clear the echo flags.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut t) } != 0 {
        anyhow::bail!("cannot read the terminal's settings: {}", std::io::Error::last_os_error());
    }
    let saved = t;
    t.c_lflag &= !(libc::ECHO | libc::ECHONL);
    // SAFETY: the settings came from tcgetattr on the same descriptor.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &t) };
    let mut line = Zeroizing::new(String::new());
    let r = std::io::stdin().lock().read_line(&mut line);
    // SAFETY: as above; restores what was there.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
    writeln!(err)?;
    r?;
    Ok(Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string()))
}
