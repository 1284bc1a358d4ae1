//! The `kiosk` program: see `gig_kiosk::cli`.

fn main() -> std::process::ExitCode {
    gig_kiosk::cli::main()
}
