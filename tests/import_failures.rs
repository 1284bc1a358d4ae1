//! `kiosk import` when the store cannot take the write: a database locked by
//! another process, a full disk, a read-only directory. Each must end (it
//! once hung for ever), say what is wrong, exit non-zero and leave the cache
//! exactly as it was.
//!
//! The full disk and the read-only directory are real: a small tmpfs, and a
//! read-only bind mount, each in a private mount namespace that disappears
//! with the test's shell (`unshare -m` as root, `unshare -rm` otherwise).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::output_within;

const KIOSK: &str = env!("CARGO_BIN_EXE_kiosk");
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/postings.jsonld");
const NOW: &str = "2026-11-23T09:00:00+08:00";
/// Longer than any honest failure takes (the busy timeout is 5 s), far
/// shorter than "for ever".
const DEADLINE: Duration = Duration::from_secs(90);

struct Station {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Station {
    fn new() -> Station {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kiosk.toml");
        std::fs::write(
            &config,
            format!(
                "[station]\nid = \"t\"\nname = \"测试驿站\"\nlatitude = 24.50\nlongitude = 118.13\n[printer]\nport = \"none\"\n[storage]\ndata_dir = \"{}\"\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        Station { dir, config }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn kiosk(&self, args: &[&str]) -> Command {
        let mut c = Command::new(KIOSK);
        c.env_clear().env("HOME", self.dir.path()).env("KIOSK_CONFIG", &self.config).arg("--now").arg(NOW);
        c.args(args);
        c
    }

    /// Cached postings, as `kiosk run --check` counts them.
    fn cached(&self) -> String {
        let o = output_within(self.kiosk(&["run", "--check"]), DEADLINE);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = String::from_utf8(o.stdout).unwrap();
        text.lines().find(|l| l.starts_with("postings:")).unwrap_or_default().to_string()
    }

    /// A file of `n` generated postings.
    fn generated(&self, n: usize) -> PathBuf {
        let out = self.dir.path().join(format!("gen-{n}"));
        let o = output_within(
            self.kiosk(&[
                "demo",
                "generate",
                "--place",
                "xiamen-huli",
                "--postings",
                &n.to_string(),
                "--courses",
                "1",
                "--seed",
                "7",
                "--out",
                out.to_str().unwrap(),
            ]),
            DEADLINE,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains("posting"))
            .unwrap()
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Runs `script` (sh) in a private mount namespace, with `$KIOSK`,
/// `$KIOSK_CONFIG` and `$HOME` set.
fn in_mount_namespace(st: &Station, script: &str) -> Output {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let mut c = Command::new("unshare");
    c.arg(if root { "-m" } else { "-rm" }).args(["--propagation", "private", "sh", "-ec", script]);
    c.env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("HOME", st.dir.path())
        .env("KIOSK", KIOSK)
        .env("KIOSK_CONFIG", &st.config)
        .env("DATA", st.data());
    output_within(c, DEADLINE)
}

#[test]
fn a_database_locked_by_another_process_ends_the_import_with_a_message() {
    let st = Station::new();
    let small = st.generated(20);
    let o = output_within(st.kiosk(&["import", small.to_str().unwrap()]), DEADLINE);
    assert!(o.status.success(), "{}", text(&o));
    let before = st.cached();

    // Enough records to fill the reader's hand-over queue: the reader is
    // still sending when the writer gives up.
    let big = st.generated(3000);
    // Another process holds the write lock for the whole attempt.
    let other = rusqlite::Connection::open(st.data().join("kiosk.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; CREATE TABLE held_by_another_process (x);").unwrap();
    let o = output_within(st.kiosk(&["import", big.to_str().unwrap()]), DEADLINE);
    assert!(!o.status.success(), "{}", text(&o));
    let t = text(&o);
    assert!(t.contains("locked by another program") && t.contains("nothing was imported"), "{t}");
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    assert_eq!(st.cached(), before);
}

#[test]
fn a_full_disk_ends_the_import_with_a_message_and_rolls_it_back() {
    let st = Station::new();
    let big = st.generated(4000);
    // A 3 MB disk: room for the database with the demo set, not for 4 000
    // more postings once the rest of the space is taken.
    let script = format!(
        r#"mkdir -p "$DATA"
mount -t tmpfs -o size=3m tmpfs "$DATA"
"$KIOSK" --now {NOW} import {DEMO} > /dev/null
"$KIOSK" --now {NOW} run --check | grep '^postings:'
dd if=/dev/zero of="$DATA/filler" bs=1k count=$(( $(df -k --output=avail "$DATA" | tail -1) - 200 )) 2>/dev/null
set +e
"$KIOSK" --now {NOW} import {big} > "$HOME/out" 2>&1
echo "exit=$?"
set -e
cat "$HOME/out"
rm -f "$DATA/filler"
"$KIOSK" --now {NOW} run --check | grep '^postings:'
"#,
        big = big.display()
    );
    let o = in_mount_namespace(&st, &script);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let counts: Vec<&str> = t.lines().filter(|l| l.starts_with("postings:")).collect();
    assert_eq!(counts.len(), 2, "{t}");
    assert_eq!(counts[0], counts[1], "the failed import left nothing behind:\n{t}");
    assert!(t.contains("exit=1"), "{t}");
    assert!(t.contains("is full") && t.contains("nothing was imported"), "{t}");
}

#[test]
fn a_read_only_data_directory_ends_the_import_with_a_message() {
    let st = Station::new();
    let small = st.generated(20);
    let o = output_within(st.kiosk(&["import", small.to_str().unwrap()]), DEADLINE);
    assert!(o.status.success(), "{}", text(&o));
    let before = st.cached();
    let script = format!(
        r#"mount --bind "$DATA" "$DATA"
mount -o remount,bind,ro "$DATA"
set +e
"$KIOSK" --now {NOW} import {DEMO} > "$HOME/out" 2>&1
echo "exit=$?"
cat "$HOME/out"
"#
    );
    let o = in_mount_namespace(&st, &script);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("exit=1"), "{t}");
    assert!(t.contains("read-only file system") && t.contains("cannot be written"), "{t}");
    assert_eq!(st.cached(), before);
    assert!(Path::new(&st.data()).join("kiosk.db").exists());
}
