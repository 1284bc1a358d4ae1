//! `kiosk config check FILE` and `kiosk config show`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Context, read_file};
use crate::config::{self, Severity};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file; every problem is listed with its line
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Show the effective configuration and where each value comes from
    Show,
    /// List every configuration key with its environment variable
    Keys,
}

pub fn run(ctx: &Context, c: &ConfigCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match c {
        ConfigCommand::Check { file } => {
            let bytes = read_file(file)?;
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    eprintln!("{}: error: not UTF-8 text; save the file as UTF-8", file.display());
                    return Ok(ExitCode::FAILURE);
                }
            };
            let problems = config::check_file(file, &text);
            for p in &problems {
                eprintln!("{p}");
            }
            let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
            if errors == 0 {
                writeln!(out, "{}: OK", file.display())?;
                Ok(ExitCode::SUCCESS)
            } else {
                writeln!(out, "{}: {errors} error(s)", file.display())?;
                Ok(ExitCode::FAILURE)
            }
        }
        ConfigCommand::Show => {
            let (loaded, _store) = ctx.open()?;
            match &loaded.mode {
                config::Mode::Demo => writeln!(out, "# demo mode: no configuration file")?,
                config::Mode::Configured(p) => writeln!(out, "# configuration file: {}", p.display())?,
            }
            let effective = toml::Table::try_from(&loaded.config)?;
            let mut section = "";
            for key in config::keys() {
                let path = key.path();
                let Some(origin) = loaded.origins.get(&path) else {
                    continue;
                };
                if key.section != section {
                    section = key.section;
                    writeln!(out, "\n[{section}]")?;
                }
                let value = key
                    .section
                    .split('.')
                    .try_fold(&effective, |t, part| t.get(part)?.as_table())
                    .and_then(|t| t.get(key.name))
                    .map_or_else(|| "?".to_string(), |v| v.to_string());
                let value =
                    if key.kind == config::schema::Kind::Secret { "\"<set>\"".to_string() } else { value };
                writeln!(out, "{} = {value}  # {origin}", key.name)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        ConfigCommand::Keys => {
            for key in config::keys() {
                writeln!(
                    out,
                    "{:<24} {:<32} {}{}",
                    key.path(),
                    key.env_var(),
                    key.help,
                    if key.required { " (required)" } else { "" }
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
