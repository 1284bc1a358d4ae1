//! Compiles the Slint UI (`ui/app-window.slint`) with the translations of
//! `assets/translations/<lang>/LC_MESSAGES/gig-kiosk.po` bundled in.
//! Debug builds (tests included) keep element debug info so the UI tests can
//! find elements by their accessible labels.

fn main() {
    let debug = std::env::var("PROFILE").is_ok_and(|p| p == "debug");
    let mut config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("assets/translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    if debug {
        config = config.with_debug_info(true);
    }
    if let Err(e) = slint_build::compile_with_config("ui/app-window.slint", config) {
        eprintln!("cannot compile the Slint UI: {e}");
        std::process::exit(1);
    }
    // When this build script last ran (whole seconds since 1970): a kiosk
    // whose clock reads earlier has lost its time (a Pi has no real-time
    // clock). SOURCE_DATE_EPOCH wins, for reproducible builds.
    let epoch =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    println!("cargo:rustc-env=KIOSK_BUILD_EPOCH={epoch}");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    println!("cargo:rerun-if-changed=assets/translations");
    if let Ok(langs) = std::fs::read_dir("assets/translations") {
        for lang in langs.flatten() {
            let po = lang.path().join("LC_MESSAGES/gig-kiosk.po");
            if po.exists() {
                println!("cargo:rerun-if-changed={}", po.display());
            }
        }
    }
}
